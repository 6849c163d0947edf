/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the guest does for each host request (reference §2.1): everything
 * the kernel can do goes to the module; the helper keeps sysctls without
 * an in-kernel API, resolv.conf, nftables, renames and the probe.
 */
#ifndef MIRRORNET_HANDLERS_H
#define MIRRORNET_HANDLERS_H

#include <stdint.h>

#include "decode.h"
#include "genl.h"

#define MN_MAIN_TABLE	254

struct mn_handler_ctx {
	/*
	 * The module's family: the caller may leave it NULL, mn_handle()
	 * opens it when a request needs the module (and looks again at the
	 * next one while the module is missing); the caller closes it with
	 * mn_genl_close() when done.
	 */
	struct mn_genl *genl;
	bool module_missing;	/* warned once; cleared when it is back */
	unsigned int lookup_timeout_ms;	/* wait for a missing NIC */
	const char *resolv_conf;
	/*
	 * Routes go to this table: main, or 1000 + ifindex after an
	 * InitialIpConfigurationNotification without flag 1 (as WSL's
	 * guest does; mirrored hosts always set the flag).
	 */
	uint32_t primary_table;
	bool virt_wifi_logged;
};

/*
 * Carry out @m. Returns the reply's Result: 0, the probe's packed value, or
 * -1 with one line in @err naming the request, the field and the reason
 * (with the kernel's extack text when there is one). @what gets what only
 * carrying it out tells, for the log line (the probe's outcome per
 * family); else it stays "" and mn_describe() tells the request.
 *
 * Requests that need mirrornet.ko (all but SetupIpv6, GlobalNetFilter,
 * NoOp, ConnectTest, DNS settings, InterfaceNetFilter and renames without
 * an address) fail at once without it: "<request>: mirrornet.ko is not
 * loaded: <reason>", with one warning in the log until it is back. No
 * request waits for the module to appear.
 */
int32_t mn_handle(struct mn_handler_ctx *c, const struct gns_msg *m,
		  char *what, size_t whatlen, char *err, size_t errlen);
/*
 * A short description of @m for the log line ("Route Add on {GUID}
 * 10.0.0.0/8 via 192.168.1.1 metric 35"): formatted only for a line that
 * is written.
 */
void mn_describe(const struct gns_msg *m, char *what, size_t whatlen);

#endif /* MIRRORNET_HANDLERS_H */
