/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MIRRORNET_HWKEY_H
#define _MIRRORNET_HWKEY_H

#include <linux/netdevice.h>
#include <linux/uuid.h>

bool mn_hwkey_parse(const char *text, size_t len, uuid_t *hwkey);
bool mn_hwkey_of_netdev(struct net_device *dev, uuid_t *hwkey, bool *stacked);

#endif /* _MIRRORNET_HWKEY_H */
