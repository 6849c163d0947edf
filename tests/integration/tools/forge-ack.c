// SPDX-License-Identifier: GPL-2.0
/*
 * forge-ack success|malformed [SEQ_FROM SEQ_TO]: from user space, send forged
 * NLMSG_ERROR
 * messages to every NETLINK_ROUTE port id of this network namespace
 * (/proc/net/netlink) other than the kernel's (0) and our own: the
 * module's rtnetlink socket among them. For each sequence number guess in
 * [SEQ_FROM, SEQ_TO] (default 1..32), "success" sends
 *   success   error 0, capped: a guessed "done"
 * and "malformed" sends
 *   uncapped  error -EPERM, NLM_F_ACK_TLVS, not capped, msg.nlmsg_len 0
 *   overlong  error -EPERM, NLM_F_ACK_TLVS, not capped, echoed length ~4 GB
 *   truncated nlmsg_len 18, shorter than struct nlmsgerr
 * Every send must be refused with ECONNREFUSED (the socket is connected to
 * the kernel). Prints one line per target; exits 0 only if there was at
 * least one target and every send was refused, 1 otherwise.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct forged {
	struct nlmsghdr nlh;
	struct nlmsgerr err;
	/* room for an extack attribute after an uncapped echo */
	unsigned char tail[32];
};

static unsigned long sent, refused, other;
static int malformed;

static void send_one(int fd, unsigned int portid, const void *buf, size_t len)
{
	struct sockaddr_nl to = { .nl_family = AF_NETLINK, .nl_pid = portid };
	ssize_t r = sendto(fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&to,
			   sizeof(to));

	if (r < 0 && errno == ECONNREFUSED) {
		refused++;
		return;
	}
	if (r < 0)
		other++;
	sent++;
}

static void forge(int fd, unsigned int portid, unsigned int seq)
{
	struct forged f;
	size_t len = NLMSG_LENGTH(sizeof(f.err));

	/* success, capped */
	memset(&f, 0, sizeof(f));
	f.nlh.nlmsg_len = len;
	f.nlh.nlmsg_type = NLMSG_ERROR;
	f.nlh.nlmsg_flags = NLM_F_CAPPED;
	f.nlh.nlmsg_seq = seq;
	f.nlh.nlmsg_pid = portid;
	f.err.msg.nlmsg_len = NLMSG_HDRLEN;
	f.err.msg.nlmsg_seq = seq;
	if (!malformed) {
		send_one(fd, portid, &f, len);
		return;
	}

	/* uncapped with msg.nlmsg_len 0, extack flag set */
	f.nlh.nlmsg_len = sizeof(f);
	f.nlh.nlmsg_flags = NLM_F_ACK_TLVS;
	f.err.error = -EPERM;
	f.err.msg.nlmsg_len = 0;
	send_one(fd, portid, &f, sizeof(f));

	/* uncapped, echoed length far beyond the message */
	f.err.msg.nlmsg_len = 0xfffffff0;
	send_one(fd, portid, &f, sizeof(f));

	/* truncated: shorter than struct nlmsgerr */
	f.nlh.nlmsg_len = NLMSG_HDRLEN + 2;
	send_one(fd, portid, &f, NLMSG_HDRLEN + 2);
}

int main(int argc, char **argv)
{
	unsigned int from = 1, to = 32, self, portid, seq, proto, targets = 0;
	struct sockaddr_nl me = { .nl_family = AF_NETLINK };
	socklen_t mlen = sizeof(me);
	char line[512];
	FILE *f;
	int fd;

	if ((argc != 2 && argc != 4) ||
	    (strcmp(argv[1], "success") && strcmp(argv[1], "malformed"))) {
		fputs("usage: forge-ack success|malformed [SEQ_FROM SEQ_TO]\n", stderr);
		return 2;
	}
	malformed = !strcmp(argv[1], "malformed");
	if (argc == 4) {
		from = strtoul(argv[2], NULL, 0);
		to = strtoul(argv[3], NULL, 0);
	}
	fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	if (fd < 0 || bind(fd, (struct sockaddr *)&me, sizeof(me)) ||
	    getsockname(fd, (struct sockaddr *)&me, &mlen)) {
		perror("forge-ack: netlink socket");
		return 1;
	}
	self = me.nl_pid;
	f = fopen("/proc/net/netlink", "r");
	if (!f || !fgets(line, sizeof(line), f)) {
		perror("forge-ack: /proc/net/netlink");
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		/* sk Eth Pid Groups ... */
		if (sscanf(line, "%*s %u %u", &proto, &portid) != 2 ||
		    proto != NETLINK_ROUTE || portid == 0 || portid == self)
			continue;
		targets++;
		sent = refused = other = 0;
		for (seq = from; seq <= to; seq++)
			forge(fd, portid, seq);
		printf("port id %u: %s acks: %lu refused, %lu not refused (%lu of them with another error)\n",
		       portid, argv[1], refused, sent, other);
		if (sent)
			targets |= 1u << 31;
	}
	fclose(f);
	if (!(targets & ~(1u << 31))) {
		printf("forge-ack: no NETLINK_ROUTE socket besides the kernel's and ours\n");
		return 1;
	}
	return targets & (1u << 31) ? 1 : 0;
}
