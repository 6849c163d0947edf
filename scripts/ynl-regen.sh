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

# Two checks the 6.12 generator cannot emit yet; later generators do, and
# the kernel policies they map to exist on 6.1 and 6.12:
# - an enum with gaps (ip-family: AF_INET 2, AF_INET6 10) is validated by a
#   generated function (NLA_POLICY_VALIDATE_FN) instead of a range;
# - a binary attribute with both min-len and max-len gets
#   NLA_POLICY_RANGE(NLA_BINARY, min, max).
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
""", """        if high - low + 1 != len(self.entries):
            return None, None
""")
sub("""            low, high = enum.value_range()
            if 'min' not in self.checks:
                if low != 0 or self.type[0] == 's':
                    self.checks['min'] = low
            if 'max' not in self.checks:
                self.checks['max'] = high
""", """            low, high = enum.value_range()
            if low is None:
                self.checks['sparse'] = True
            else:
                if 'min' not in self.checks:
                    if low != 0 or self.type[0] == 's':
                        self.checks['min'] = low
                if 'max' not in self.checks:
                    self.checks['max'] = high
""")
sub("""        elif 'full-range' in self.checks:
            return f"NLA_POLICY_FULL_RANGE""", """        elif 'sparse' in self.checks:
            return (f"NLA_POLICY_VALIDATE_FN({policy}, " +
                    f"{self.family.c_name}_{c_lower(self.attr['enum'])}_validate)")
        elif 'full-range' in self.checks:
            return f"NLA_POLICY_FULL_RANGE""")
sub("""            if len(self.checks) == 1 and 'min-len' in self.checks:
                mem += '.len = ' + self.get_limit_str('min-len')
""", """            if len(self.checks) == 1 and 'min-len' in self.checks:
                mem += '.len = ' + self.get_limit_str('min-len')
            elif set(self.checks) == {'min-len', 'max-len'}:
                return ('NLA_POLICY_RANGE(NLA_BINARY, ' +
                        self.get_limit_str('min-len') + ', ' +
                        self.get_limit_str('max-len') + ')')
""")
sub("""def print_kernel_op_table_fwd(family, cw, terminate):
""", """def print_kernel_policy_sparse_enum_validates(family, cw):
    done = set()
    for _, attr_set in family.attr_sets.items():
        if attr_set.subset_of:
            continue
        for _, attr in attr_set.items():
            if not attr.request or 'sparse' not in attr.checks:
                continue
            if attr['enum'] in done:
                continue
            if not done:
                cw.p('/* Sparse enums validation callbacks */')
            done.add(attr['enum'])
            cw.write_func_prot('static int',
                               f"{family.c_name}_{c_lower(attr['enum'])}_validate",
                               ['const struct nlattr *attr',
                                'struct netlink_ext_ack *extack'])
            cw.block_start()
            cw.block_start(line='switch (nla_get_' + attr['type'] + '(attr))')
            entries = list(family.consts[attr['enum']].entries.values())
            for i, entry in enumerate(entries):
                if i:
                    cw.p('fallthrough;')
                cw.p(f'case {entry.c_name}:')
            cw.p('return 0;')
            cw.block_end()
            cw.p('NL_SET_ERR_MSG_ATTR(extack, attr, "invalid enum value");')
            cw.p('return -EINVAL;')
            cw.block_end()
            cw.nl()


def print_kernel_op_table_fwd(family, cw, terminate):
""")
sub("""            print_kernel_policy_ranges(parsed, cw)
""", """            print_kernel_policy_ranges(parsed, cw)
            print_kernel_policy_sparse_enum_validates(parsed, cw)
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
