#!/bin/bash
# Inside the systemd VM: the checks gns-host runs as exec steps of the
# real run (run-tests.sh t_real_run), between the host's requests.
#   host-step.sh held-back   the host sent its preamble and holds back: the
#                            unit is still starting, STATUS= says so, no flag
#   host-step.sh active      the unit becomes active within 30 s
set -euo pipefail
unit=mirrornet.service
prop() { systemctl show -P "$1" "$unit"; }
case $1 in
held-back)
	[[ $(prop ActiveState) == activating ]]
	# systemd may not have read the last STATUS= datagram yet
	prop StatusText | grep -xE 'connected to the host at vsock 1:50000, (waiting for its configuration|applying its configuration: [12] requests applied)'
	[[ ! -e /run/mirrornet/manages-uplinks ]]
	;;
active)
	for _ in $(seq 300); do
		[[ $(prop ActiveState) == active ]] && exit 0
		sleep 0.1
	done
	echo "$unit: $(prop ActiveState) after 30 s"
	exit 1
	;;
*)
	echo "usage: ${0##*/} held-back|active" >&2
	exit 2
	;;
esac
