/* SPDX-License-Identifier: GPL-2.0 */
/* Reconciling the goal state with the kernel: the namespace worker. */
#ifndef _MIRRORNET_RECONCILE_H
#define _MIRRORNET_RECONCILE_H

#include "state.h"

void mn_lock(struct mn_net *mn);
void mn_lock_hwkey(struct mn_net *mn, const uuid_t *hwkey);
void mn_lock_read(struct mn_net *mn);
void mn_unlock(struct mn_net *mn);
void mn_iface_reapply(struct mn_net *mn, struct mn_iface *iface);

int mn_reconcile_net_init(struct mn_net *mn);
void mn_reconcile_resync(struct mn_net *mn);
void mn_reconcile_net_stop(struct mn_net *mn);
void mn_reconcile_net_exit(struct mn_net *mn);
int mn_reconcile_init(void);
void mn_reconcile_exit(void);
int mn_reconcile_notifier_register(void);
void mn_reconcile_notifier_unregister(void);

#if IS_ENABLED(CONFIG_KUNIT)
extern bool mn_test_lose_events;
#endif

#endif /* _MIRRORNET_RECONCILE_H */
