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

# Two checks the 6.12 generator cannot emit yet:
# - an enum with gaps (ip-family: AF_INET 2, AF_INET6 10) gets the range
#   of its values; netlink.c rejects the gap. Later generators emit a
#   validate function (NLA_POLICY_VALIDATE_FN) instead, but on 6.1 and
#   6.12 an integer attribute with a validate function makes every policy
#   dump (an extack for that attribute, or any user's CTRL_CMD_GETPOLICY)
#   WARN in nla_get_range_unsigned(): the function pointer is read as
#   min/max.
# - a binary attribute with both min-len and max-len gets
#   NLA_POLICY_RANGE(NLA_BINARY, min, max), as on both kernels.
python3 - "$work/tools/net/ynl/ynl-gen-c.py" <<'PY'
import sys
path = sys.argv[1]
src = open(path).read()

def sub(old, new):
    global src
    assert src.count(old) == 1, old
    src = src.replace(old, new)

sub("""        if high - low + 1 != len(self.entries):
            raise Exception("Can't get value range for a noncontiguous enum")
""", """        # a sparse enum: the caller checks the gaps
""")
sub("""            if len(self.checks) == 1 and 'min-len' in self.checks:
                mem += '.len = ' + self.get_limit_str('min-len')
""", """            if len(self.checks) == 1 and 'min-len' in self.checks:
                mem += '.len = ' + self.get_limit_str('min-len')
            elif set(self.checks) == {'min-len', 'max-len'}:
                return ('NLA_POLICY_RANGE(NLA_BINARY, ' +
                        self.get_limit_str('min-len') + ', ' +
                        self.get_limit_str('max-len') + ')')
""")
open(path, 'w').write(src)
PY

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

# The 6.12 generator drops the flags of a multicast group: monitor is
# admin-perm in the spec, so only CAP_NET_ADMIN over the namespace may join.
sed -i 's/^\t\[MIRRORNET_NLGRP_MONITOR\] = { "monitor", },$/\t[MIRRORNET_NLGRP_MONITOR] = { .name = "monitor", .flags = GENL_MCAST_CAP_NET_ADMIN, },/' \
	"$top/kmod/netlink-gen.c"
# 6.1 has no split ops: compat.h gives it a split-op struct of its own, whose
# table reaches the family through MN_SPLIT_OPS() (a no-op on 6.2+).
sed -i 's/^\t\.split_ops\t= \(.*\),$/\t.split_ops\t= MN_SPLIT_OPS(\1),/' \
	"$top/kmod/netlink-gen.c"
grep -q 'GENL_MCAST_CAP_NET_ADMIN' "$top/kmod/netlink-gen.c" &&
	grep -q 'MN_SPLIT_OPS(' "$top/kmod/netlink-gen.c" ||
	{ echo "ynl-regen: post-processing the generated source failed" >&2; exit 1; }
echo "ynl-regen: regenerated from $spec"
