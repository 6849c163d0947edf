/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MIRRORNET_SHOW_H
#define MIRRORNET_SHOW_H

#include <stdbool.h>

/* Print the module's goal state, of one interface when @dev is set. */
int mn_show(const char *dev, bool json);

#endif /* MIRRORNET_SHOW_H */
