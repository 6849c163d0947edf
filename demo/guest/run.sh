#!/bin/sh
# shellcheck shell=dash
# Demo guest: a stand-in for the host (until the host engine exists) mirrors
# a home network - Ethernet plus Wi-Fi, IPv4 and IPv6 - into the module,
# flaps a link, and shows what the kernel ended up with.
IP=/sbin/ip
ETH=6f1c2a3b-4d5e-4f60-8172-93a4b5c6d7e8
WIFI=0c9d8e7f-6a5b-4c3d-2e1f-000000000001
step() { printf '\n### %s\n' "$*"; }

insmod /lib/mirrornet/mirrornet.ko
step "host: configuration for two NICs that do not exist yet (held)"
mnctl link-set hwkey $ETH up mtu 1500
mnctl addr-add hwkey $ETH 192.168.1.42/24 noprefixroute
mnctl addr-add hwkey $ETH 2001:db8:1:2::42/64 nodad noprefixroute
mnctl route-add hwkey $ETH -4 192.168.1.0/24 metric 291
mnctl route-add hwkey $ETH -4 default via 192.168.1.1 metric 35 onlink
mnctl route-add hwkey $ETH -6 2001:db8:1:2::/64 metric 291
mnctl route-add hwkey $ETH -6 default via fe80::1 metric 291 onlink
mnctl link-set hwkey $WIFI up mtu 1480
mnctl addr-add hwkey $WIFI 10.0.0.17/24 noprefixroute
mnctl route-add hwkey $WIFI -4 10.0.0.0/24 metric 306
mnctl route-add hwkey $WIFI -4 default via 10.0.0.1 metric 50 onlink
mnctl dump

step "the NICs appear (hardware key in the alias, as on a test rig)"
for n in eth0:$ETH wlan0:$WIFI; do
	$IP link add "${n%%:*}" type dummy
	$IP link set "${n%%:*}" alias "{${n#*:}}"
	$IP link set "${n%%:*}" up
done
sleep 1
step "ip addr"
$IP -br addr
step "ip route / ip -6 route"
$IP route
$IP -6 route | grep -v '^fe80'

step "the Ethernet link flaps: the kernel flushes its routes"
$IP link set eth0 down
$IP route
$IP link set eth0 up
sleep 1
step "... and mirrornet restored them"
$IP route
step "mirrornet goal state"
mnctl dump
step "mirrornet kernel log"
dmesg | grep 'mirrornet:'
