/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few rtnetlink calls the helper makes itself: renames and virt_wifi
 * links, one-off calls with no state to keep, and watching links appear
 * while it waits for a NIC.
 */
#ifndef MIRRORNET_RTLINK_H
#define MIRRORNET_RTLINK_H

#include <stddef.h>

/*
 * Rename @ifindex to @name. A link that is up is taken down first (the
 * kernel refuses to rename it otherwise); the caller brings it up.
 * Returns 0 or a negative errno with the kernel's text in @err.
 */
int rt_rename(int ifindex, const char *name, char *err, size_t errlen);

/*
 * Create a virt_wifi link @name on top of @lower: the wireless face WSL's
 * guest gives a NIC the host calls wlanN. -EOPNOTSUPP when the kernel has
 * no virt_wifi; other errors as rt_rename().
 */
int rt_virt_wifi_add(int lower, const char *name, char *err, size_t errlen);

/* A socket that hears about every new or changed link; -errno on failure. */
int rt_link_watch_open(void);
/*
 * Wait up to @timeout_ms for link events on @fd and drain them.
 * Returns 1 after an event, 0 on timeout, -errno on error.
 */
int rt_link_watch_wait(int fd, int timeout_ms);

#endif /* MIRRORNET_RTLINK_H */
