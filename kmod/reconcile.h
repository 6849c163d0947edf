/* SPDX-License-Identifier: GPL-2.0 */
/* Reconciling the goal state with netdev events. */
#ifndef _MIRRORNET_RECONCILE_H
#define _MIRRORNET_RECONCILE_H

#include "state.h"

void mn_lock(struct mn_net *mn);
void mn_lock_read(struct mn_net *mn);
void mn_unlock(struct mn_net *mn);
void mn_events_process(struct mn_net *mn);
void mn_iface_reapply(struct mn_net *mn, struct mn_iface *iface);

void mn_reconcile_net_init(struct mn_net *mn);
void mn_reconcile_net_exit(struct mn_net *mn);
int mn_reconcile_init(void);
void mn_reconcile_exit(void);

#endif /* _MIRRORNET_RECONCILE_H */
