#!/bin/bash
# Install the Debian packages the project builds and tests with; only the
# missing ones, so a prepared machine costs one dpkg-query and no network.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

PACKAGES=(
	build-essential pkgconf bc flex bison libelf-dev libssl-dev dwarves
	kmod cpio iproute2 busybox-static qemu-system-x86
	linux-image-amd64 linux-headers-amd64
	linux-image-6.12-amd64 linux-headers-6.12-amd64
	linux-source-6.1 linux-source-6.12
	python3 python3-yaml python3-jsonschema
	libnl-3-dev libnl-genl-3-dev libjansson-dev libcmocka-dev
	sparse jq nftables libnftables-dev clang
	dkms systemd man-db groff-base
	libsystemd-dev bind9-dnsutils dbus-daemon strace
	mmdebstrap debhelper dh-dkms lintian fakeroot e2fsprogs
	# make bench-decoders only: the candidates it measures, and callgrind
	valgrind libjsmn-dev libjson-c-dev
)

missing=()
for pkg in "${PACKAGES[@]}"; do
	# dpkg-query fails for unknown packages and says "not-installed" for removed ones
	[[ $(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null) == installed ]] ||
		missing+=("$pkg")
done

if ((${#missing[@]})); then
	echo "deps: apt-get update"
	apt-get update -qq
	echo "deps: installing ${missing[*]}"
	apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "deps: ${#PACKAGES[@]} packages present (${#missing[@]} newly installed)"
