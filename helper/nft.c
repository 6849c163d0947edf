// SPDX-License-Identifier: GPL-2.0
/*
 * nftables for types 72 and 73 (reference §2.1) through libnftables. WSL
 * runs nft through /bin/sh with the interface name pasted into the command;
 * we hand libnftables JSON built with jansson, so a name from the host is
 * always one JSON string, never nft syntax. Each request is one batch, so
 * the kernel applies all of it or none. The per-interface rules are found
 * again in nft's JSON listing, not by matching text.
 */
#include <errno.h>
#include <jansson.h>
#include <net/if.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys.h"

#define NFT_MARK		1	/* packets from the root netns */
#define NFT_PRIO_FILTER		0
#define NFT_PRIO_SRCNAT_M1	99	/* "srcnat - 1" */

static const char *const nft_families[] = { "ip", "ip6" };
static const char *const nft_protos[] = { "udp", "tcp" };

static struct nft_ctx *nft;

static void nft_free(void)
{
	nft_ctx_free(nft);
	nft = NULL;
}

static struct nft_ctx *nft_get(char *err, size_t errlen)
{
	if (nft)
		return nft;
	nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!nft) {
		snprintf(err, errlen, "nft: cannot create a libnftables context");
		return NULL;
	}
	/*
	 * libnftables 1.0.6 reads its input as JSON only with JSON output on
	 * (input that is not JSON at all would fall back to the nft syntax,
	 * but ours is always json_dumps() output).
	 */
	nft_ctx_output_set_flags(nft, NFT_CTX_OUTPUT_JSON |
				 NFT_CTX_OUTPUT_HANDLE);
	if (nft_ctx_buffer_output(nft) || nft_ctx_buffer_error(nft)) {
		nft_free();
		snprintf(err, errlen, "nft: cannot buffer libnftables output");
		return NULL;
	}
	atexit(nft_free);
	return nft;
}

/*
 * nft's error output as one line: its non-empty lines joined with "; ",
 * without the "internal:0:0-0: " location JSON input gives every message.
 */
static void nft_error(const char *what, const char *msg, char *err,
		      size_t errlen)
{
	const char *eol, *line, *prev = NULL;
	size_t pos, len, prevlen = 0;
	int n;

	n = snprintf(err, errlen, "nft %s:", what);
	pos = n < 0 ? 0 : (size_t)n;
	for (; *msg && pos < errlen; msg = *eol ? eol + 1 : eol) {
		eol = msg + strcspn(msg, "\n");
		line = msg;
		if (!strncmp(line, "internal:", 9)) {
			line = strstr(line, ": ");
			line = line && line < eol ? line + 2 : msg;
		}
		len = eol - line;
		/* one message per failed command of the batch: say it once */
		if (!len || (prev && len == prevlen && !memcmp(line, prev, len)))
			continue;
		n = snprintf(err + pos, errlen - pos, "%s%.*s",
			     prev ? "; " : " ", (int)len, line);
		pos += n < 0 ? 0 : (size_t)n;
		prev = line;
		prevlen = len;
	}
	if (!prev && pos < errlen)
		snprintf(err + pos, errlen - pos, " failed");
}

/*
 * Run the commands of @cmds (reference taken) as one transaction. With
 * @out, the output (for "list") is parsed into it.
 */
static int nft_run(const char *what, json_t *cmds, json_t **out, char *err,
		   size_t errlen)
{
	struct nft_ctx *ctx = nft_get(err, errlen);
	const char *obuf, *ebuf;
	json_error_t jerr;
	json_t *root;
	char *text;
	int rc;

	if (!ctx) {
		json_decref(cmds);
		return -1;
	}
	root = json_pack("{s:o}", "nftables", cmds);
	text = root ? json_dumps(root, JSON_COMPACT) : NULL;
	json_decref(root);
	if (!text) {
		snprintf(err, errlen, "nft %s: cannot encode the commands",
			 what);
		return -1;
	}
	rc = nft_run_cmd_from_buffer(ctx, text);
	free(text);
	/* reading both buffers also empties them for the next command */
	obuf = nft_ctx_get_output_buffer(ctx);
	ebuf = nft_ctx_get_error_buffer(ctx);
	if (rc) {
		nft_error(what, ebuf, err, errlen);
		return -1;
	}
	if (!out)
		return 0;
	*out = json_loads(obuf, 0, &jerr);
	if (!*out) {
		snprintf(err, errlen, "nft %s: output line %d: %s", what,
			 jerr.line, jerr.text);
		return -1;
	}
	return 0;
}

/* Append @cmd (reference taken) to @cmds; NULL means json_pack failed. */
static int nft_push(json_t *cmds, json_t *cmd, char *err, size_t errlen)
{
	if (!cmd || json_array_append_new(cmds, cmd)) {
		snprintf(err, errlen,
			 "nft: cannot encode a command (a name that is not UTF-8?)");
		return -1;
	}
	return 0;
}

int sys_nft_setup(char *err, size_t errlen)
{
	json_t *cmds = json_array();
	size_t i;

	if (!cmds) {
		snprintf(err, errlen, "nft setup: out of memory");
		return -1;
	}
	for (i = 0; i < 2; i++) {
		const char *fam = nft_families[i];

		if (nft_push(cmds, json_pack("{s:{s:{s:s,s:s}}}", "add",
					     "table", "family", fam,
					     "name", "filter"), err, errlen) ||
		    nft_push(cmds, json_pack("{s:{s:{s:s,s:s,s:s,s:s,s:s,s:i}}}",
					     "add", "chain", "family", fam,
					     "table", "filter", "name", "WSLOUTPUT",
					     "type", "filter", "hook", "output",
					     "prio", NFT_PRIO_FILTER),
			     err, errlen) ||
		    /* a helper restart runs this again: one mark rule, not two */
		    nft_push(cmds, json_pack("{s:{s:{s:s,s:s,s:s}}}", "flush",
					     "chain", "family", fam,
					     "table", "filter", "name", "WSLOUTPUT"),
			     err, errlen) ||
		    nft_push(cmds, json_pack("{s:{s:{s:s,s:s,s:s,s:[{s:n},{s:{s:{s:{s:s}},s:i}}]}}}",
					     "add", "rule", "family", fam,
					     "table", "filter", "chain", "WSLOUTPUT",
					     "expr", "counter", "mangle", "key",
					     "meta", "key", "mark", "value", NFT_MARK),
			     err, errlen) ||
		    nft_push(cmds, json_pack("{s:{s:{s:s,s:s}}}", "add",
					     "table", "family", fam,
					     "name", "nat"), err, errlen) ||
		    nft_push(cmds, json_pack("{s:{s:{s:s,s:s,s:s,s:s,s:s,s:i}}}",
					     "add", "chain", "family", fam,
					     "table", "nat", "name", "WSLPOSTROUTING",
					     "type", "nat", "hook", "postrouting",
					     "prio", NFT_PRIO_SRCNAT_M1),
			     err, errlen)) {
			json_decref(cmds);
			return -1;
		}
	}
	return nft_run("setup", cmds, NULL, err, errlen);
}

/*
 * Does rule expression list @expr hold "oif == @ifname"? nft 1.0.6 lists a
 * name cut at its first '"' (a"b;c as "a"), so that form counts too; the
 * rule's tag then tells a"b;c from a.
 */
static bool nft_has_oif(json_t *expr, const char *ifname)
{
	size_t cut = strcspn(ifname, "\""), i;
	const char *op, *key, *name;
	json_t *e;

	json_array_foreach(expr, i, e) {
		/* a rule whose interface is gone lists oif as a number */
		if (json_unpack(e, "{s:{s:s,s:{s:{s:s}},s:s}}", "match",
				"op", &op, "left", "meta", "key", &key,
				"right", &name))
			continue;
		if (strcmp(op, "==") || strcmp(key, "oif"))
			continue;
		if (!strcmp(name, ifname) ||
		    (strlen(name) == cut && !strncmp(name, ifname, cut)))
			return true;
	}
	return false;
}

/*
 * The comment each of our rules carries. oif matches the ifindex, so the
 * index, not the name, says whose rule it is: it survives a rename and it
 * is listed exactly, whatever the name.
 */
static void nft_tag(unsigned int ifindex, char tag[32])
{
	snprintf(tag, 32, "mirrornet ifindex %u", ifindex);
}

/*
 * Append to @cmds a delete, by handle, of every rule in nat WSLPOSTROUTING
 * (ip and ip6) of interface @ifname, index @ifindex; @n counts them. The
 * whole ruleset is listed because listing a missing chain is an error.
 */
static int nft_push_deletes(const char *ifname, unsigned int ifindex,
			    json_t *cmds, size_t *n, char *err, size_t errlen)
{
	const char *fam, *table, *chain, *comment;
	json_t *ruleset, *item, *expr;
	json_int_t handle;
	char tag[32];
	size_t i;
	int ret = 0;

	if (nft_run("list", json_pack("[{s:{s:n}}]", "list", "ruleset"),
		    &ruleset, err, errlen))
		return -1;
	nft_tag(ifindex, tag);
	*n = 0;
	json_array_foreach(json_object_get(ruleset, "nftables"), i, item) {
		comment = NULL;
		if (json_unpack(item, "{s:{s:s,s:s,s:s,s:I,s:o,s?s}}", "rule",
				"family", &fam, "table", &table,
				"chain", &chain, "handle", &handle,
				"expr", &expr, "comment", &comment))
			continue;
		if ((strcmp(fam, "ip") && strcmp(fam, "ip6")) ||
		    strcmp(table, "nat") || strcmp(chain, "WSLPOSTROUTING") ||
		    !comment || strcmp(comment, tag) ||
		    !nft_has_oif(expr, ifname))
			continue;
		ret = nft_push(cmds, json_pack("{s:{s:{s:s,s:s,s:s,s:I}}}",
					       "delete", "rule", "family", fam,
					       "table", "nat",
					       "chain", "WSLPOSTROUTING",
					       "handle", handle), err, errlen);
		if (ret)
			break;
		(*n)++;
	}
	json_decref(ruleset);
	return ret;
}

int sys_nft_iface_add(const char *ifname, uint16_t port_start,
		      uint16_t port_end, char *err, size_t errlen)
{
	unsigned int ifindex;
	json_t *cmds;
	size_t i, j, n;
	char tag[32];

	if (!gns_ifname_valid(ifname)) {
		snprintf(err, errlen, "nft interface: invalid interface name");
		return -1;
	}
	if (!port_start || port_start > port_end) {
		snprintf(err, errlen,
			 "nft interface: port range %u-%u is empty or starts at 0",
			 port_start, port_end);
		return -1;
	}
	ifindex = if_nametoindex(ifname);
	if (!ifindex) {
		snprintf(err, errlen, "nft interface add: %s: %s", ifname,
			 strerror(errno));
		return -1;
	}
	nft_tag(ifindex, tag);
	cmds = json_array();
	if (!cmds) {
		snprintf(err, errlen, "nft interface: out of memory");
		return -1;
	}
	/* a second Create for the interface replaces its rules */
	if (nft_push_deletes(ifname, ifindex, cmds, &n, err, errlen))
		goto fail;
	for (i = 0; i < 2; i++) {
		for (j = 0; j < 2; j++) {
			json_t *expr = json_pack("[{s:{s:s,s:{s:{s:s}},s:s}},"
						 "{s:{s:s,s:{s:{s:s,s:s}},s:{s:[i,i]}}},"
						 "{s:{s:s,s:{s:{s:s}},s:i}},"
						 "{s:n},"
						 "{s:{s:{s:[i,i]}}}]",
						 "match", "op", "==", "left",
						 "meta", "key", "oif",
						 "right", ifname,
						 "match", "op", "==", "left",
						 "payload", "protocol", nft_protos[j],
						 "field", "sport",
						 "right", "range", 1, 65535,
						 "match", "op", "!=", "left",
						 "meta", "key", "mark",
						 "right", NFT_MARK,
						 "counter",
						 "masquerade", "port", "range",
						 (int)port_start, (int)port_end);

			if (nft_push(cmds, json_pack("{s:{s:{s:s,s:s,s:s,s:s,s:o}}}",
						     "add", "rule",
						     "family", nft_families[i],
						     "table", "nat",
						     "chain", "WSLPOSTROUTING",
						     "comment", tag,
						     "expr", expr), err, errlen))
				goto fail;
		}
	}
	return nft_run("interface add", cmds, NULL, err, errlen);

fail:
	json_decref(cmds);
	return -1;
}

int sys_nft_iface_del(const char *ifname, char *err, size_t errlen)
{
	unsigned int ifindex;
	json_t *cmds;
	size_t n;

	if (!gns_ifname_valid(ifname)) {
		snprintf(err, errlen, "nft interface: invalid interface name");
		return -1;
	}
	ifindex = if_nametoindex(ifname);
	if (!ifindex) {
		/* rules of a gone interface list their oif as a number */
		if (errno == ENODEV)
			return 0;
		snprintf(err, errlen, "nft interface remove: %s: %s", ifname,
			 strerror(errno));
		return -1;
	}
	cmds = json_array();
	if (!cmds) {
		snprintf(err, errlen, "nft interface: out of memory");
		return -1;
	}
	if (nft_push_deletes(ifname, ifindex, cmds, &n, err, errlen)) {
		json_decref(cmds);
		return -1;
	}
	if (!n) {
		json_decref(cmds);
		return 0;
	}
	return nft_run("interface remove", cmds, NULL, err, errlen);
}
