// SPDX-License-Identifier: GPL-2.0
/*
 * dns-apply RESOLV_CONF: the helper's handling of type 65 DNS Update
 * requests, as mirrornet serve runs them (gns_decode(), then dns_apply())
 * in one process, without a host or the module. Each line of stdin is a
 * Settings object (JSON); each gets one line on stdout, "0" or "-1 ERROR".
 * The helper's log goes to stderr. Exits 0 if every request gave 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "log.h"
#include "resolved.h"

static int apply(const char *resolv_conf, const char *settings)
{
	char err[GNS_ERR_LEN], why[512], *text;
	struct gns_msg m;
	size_t len;
	int r;

	len = strlen(settings) + 128;
	text = malloc(len);
	if (!text)
		return -1;
	len = (size_t)snprintf(text, len, "{\"RequestType\":\"Update\","
			       "\"ResourceType\":\"DNS\",\"Settings\":%s,"
			       "\"targetDeviceName\":\"eth0\"}", settings);
	r = gns_decode(GNS_DEVICE_SETTING, text, len, NULL, &m, err);
	free(text);
	if (r) {
		printf("-1 %s\n", err);
		return -1;
	}
	r = dns_apply(resolv_conf, &m.setting.dns, why, sizeof(why));
	if (r)
		printf("-1 %s\n", why);
	else
		printf("0\n");
	gns_msg_free(&m);
	return r;
}

int main(int argc, char **argv)
{
	char *line = NULL;
	size_t size = 0;
	ssize_t n;
	int failed = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: dns-apply RESOLV_CONF <SETTINGS-LINES\n");
		return 2;
	}
	mn_log_init(MN_LOG_DEBUG);
	while ((n = getline(&line, &size, stdin)) > 0) {
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (apply(argv[1], line))
			failed = 1;
		fflush(stdout);
	}
	free(line);
	return failed;
}
