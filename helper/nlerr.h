/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's extended-ack text in a netlink error or ack, for the
 * helper's genl and rtnetlink sockets and the test client
 * tests/client/mnctl. Header-only: mnctl is built from its own file.
 */
#ifndef MIRRORNET_NLERR_H
#define MIRRORNET_NLERR_H

#include <stdio.h>

#include <linux/netlink.h>
#include <netlink/attr.h>

/*
 * Copy the NLMSGERR_ATTR_MSG text that follows @e into @buf; @buf is left
 * as it is when there is none. @e sits right after its nlmsghdr, whose
 * nlmsg_len the caller has checked against what it received.
 */
static inline void mn_nlerr_msg(const struct nlmsgerr *e, char *buf,
				size_t len)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)e - 1;
	size_t hlen = sizeof(*e);
	struct nlattr *attr;
	int rem;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    nlh->nlmsg_len < NLMSG_HDRLEN + hlen)
		return;
	/* Not capped: the whole request follows, then the attributes. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		/* a request length the error cannot hold: no text */
		if (e->msg.nlmsg_len < NLMSG_HDRLEN ||
		    e->msg.nlmsg_len - NLMSG_HDRLEN >
		    nlh->nlmsg_len - NLMSG_HDRLEN - hlen)
			return;
		hlen += e->msg.nlmsg_len - NLMSG_HDRLEN;
	}
	rem = (int)(nlh->nlmsg_len - NLMSG_HDRLEN - hlen);
	for (attr = (struct nlattr *)((const char *)e + hlen);
	     nla_ok(attr, rem); attr = nla_next(attr, &rem))
		if (nla_type(attr) == NLMSGERR_ATTR_MSG)
			snprintf(buf, len, "%.*s", nla_len(attr),
				 (const char *)nla_data(attr));
}

#endif /* MIRRORNET_NLERR_H */
