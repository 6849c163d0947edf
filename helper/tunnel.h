/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest half of WSL's DNS tunneling (wsl-dns-tunneling §3): a DNS
 * server on the tunneling address (UDP and TCP port 53) that forwards each
 * query to the host over the DNS channel and returns each answer to the
 * client that asked. It runs in its own thread with its own sd-event loop.
 */
#ifndef MIRRORNET_TUNNEL_H
#define MIRRORNET_TUNNEL_H

#include <stddef.h>

#include "gns/wire.h"

struct mn_tunnel;

/*
 * Take over @fd, a connected DNS channel (closed by mn_tunnel_stop(), or
 * here on failure), add @ip/32 to lo unless it is there, listen on @ip:53
 * and start the thread. With @gen GNS_GEN_AUTO, queries wait (bounded)
 * until mn_tunnel_set_gen() names the generation. NULL with a reason in
 * @err on failure.
 */
struct mn_tunnel *mn_tunnel_start(int fd, const char *ip, enum gns_gen gen,
				  char *err, size_t errlen);
/* The host's generation, once the GNS channel has told it. */
void mn_tunnel_set_gen(struct mn_tunnel *t, enum gns_gen gen);
/*
 * Stop the thread, close every socket, and remove the address if
 * mn_tunnel_start() added it.
 */
void mn_tunnel_stop(struct mn_tunnel *t);

#endif /* MIRRORNET_TUNNEL_H */
