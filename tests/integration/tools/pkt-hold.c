// SPDX-License-Identifier: GPL-2.0
/*
 * pkt-hold IFNAME: an AF_PACKET socket with PACKET_MR_PROMISC and
 * PACKET_MR_ALLMULTI memberships on IFNAME (each takes one promiscuity or
 * allmulti reference); prints "holding" and keeps them until it is killed,
 * when the kernel drops them with the socket.
 */
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static const int types[] = { PACKET_MR_PROMISC, PACKET_MR_ALLMULTI };
	struct packet_mreq mr;
	unsigned int i;
	int fd;

	if (argc != 2) {
		fputs("usage: pkt-hold IFNAME\n", stderr);
		return 2;
	}
	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (fd < 0) {
		perror("pkt-hold: socket");
		return 1;
	}
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		memset(&mr, 0, sizeof(mr));
		mr.mr_ifindex = if_nametoindex(argv[1]);
		mr.mr_type = types[i];
		if (!mr.mr_ifindex ||
		    setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr,
			       sizeof(mr))) {
			perror("pkt-hold: PACKET_ADD_MEMBERSHIP");
			return 1;
		}
	}
	printf("holding\n");
	fflush(stdout);
	pause();
	return 0;
}
