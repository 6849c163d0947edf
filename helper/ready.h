/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Readiness under systemd (Type=notify): READY=1 once the host's first
 * configuration is applied, STATUS= lines on the way, and the flag file
 * the wait-online drop-in reads. Without NOTIFY_SOCKET mn_ready_new()
 * returns NULL, and every call on NULL does nothing.
 *
 * "Applied": WSL's host sends no "goal state complete" (wsl-gns-protocol
 * §5.1, §5.3), so the end of its start-up burst stands for it: a request
 * of the IP sync (InitialIpConfigurationNotification, DeviceSettingRequest,
 * ModifyGuestDeviceSettingRequest, LoopbackRoutesRequest) answered, then
 * MN_READY_QUIET_MS with no request. A host that sends none of them in
 * MN_READY_WAIT_MS (from the start, or from a connection made before
 * READY) gets READY=1 anyway, with a warning, so a boot never waits on a
 * silent host.
 */
#ifndef MIRRORNET_READY_H
#define MIRRORNET_READY_H

#include <systemd/sd-event.h>

#include "gns/wire.h"

/* The host's updates are debounced by 370 ms at most (§5.6). */
#define MN_READY_QUIET_MS	1000
/* STATUS= counts the requests applied at most this often. */
#define MN_READY_STATUS_MS	100
/* Twice what WSL's host waits for the guest's first goal state (§5.1). */
#define MN_READY_WAIT_MS	10000
/* In $RUNTIME_DIRECTORY (RuntimeDirectory=mirrornet: /run/mirrornet). */
#define MN_READY_FLAG		"manages-uplinks"

struct mn_ready;

/* @host names the host in STATUS= ("vsock 2:50000"); copied. */
struct mn_ready *mn_ready_new(sd_event *ev, const char *host);
/* Removes the flag file. */
void mn_ready_free(struct mn_ready *r);

void mn_ready_connected(struct mn_ready *r);
/* A request of @kind was answered. */
void mn_ready_answered(struct mn_ready *r, enum gns_kind kind);
/* The connection ended; @attempt is the next connection attempt, or 0. */
void mn_ready_waiting(struct mn_ready *r, unsigned int attempt);
void mn_ready_stopping(struct mn_ready *r);

#endif /* MIRRORNET_READY_H */
