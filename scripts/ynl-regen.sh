#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Regenerate the uapi header and the kernel policy/op tables from the YNL
# spec with the generator shipped in Debian's linux-source-6.12.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
spec=Documentation/netlink/specs/mirrornet.yaml
tarball=${YNL_SOURCE_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

[ -r "$tarball" ] || { echo "ynl-regen: $tarball missing (apt-get install linux-source-6.12)" >&2; exit 1; }
tar -C "$work" --strip-components=1 -xf "$tarball" \
	--wildcards '*/tools/net/ynl/*' '*/Documentation/netlink/genetlink.yaml'

# The 6.12 schema for new-style families lists only admin-perm; the
# generator (and genetlink-legacy.yaml) already handle uns-admin-perm, which
# mirrornet needs so that CAP_NET_ADMIN over the target netns suffices.
sed -i 's/enum: \[ admin-perm \]/enum: [ admin-perm, uns-admin-perm ]/' \
	"$work/Documentation/netlink/genetlink.yaml"
mkdir -p "$work/Documentation/netlink/specs"
cp "$top/$spec" "$work/$spec"
# The generator finds the tree root, and so the spec path it records, by
# looking for MAINTAINERS.
touch "$work/MAINTAINERS"

gen() {
	python3 "$work/tools/net/ynl/ynl-gen-c.py" --spec "$work/$spec" "$@"
}

gen --mode uapi --header -o "$top/include/uapi/linux/mirrornet.h"
gen --mode kernel --header -o "$top/kmod/netlink-gen.h"
gen --mode kernel --source -o "$top/kmod/netlink-gen.c"
echo "ynl-regen: regenerated from $spec"
