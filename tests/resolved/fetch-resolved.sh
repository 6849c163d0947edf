#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Print the root of an extracted systemd-resolved of the installed systemd's
# version, downloading and extracting the package (never installing it)
# into ~/.cache/mirrornet/resolved-VERSION on first use.
set -euo pipefail
ver=$(dpkg-query -W -f '${Version}' systemd)
dir=${XDG_CACHE_HOME:-$HOME/.cache}/mirrornet/resolved-$ver
if [[ ! -x $dir/root/lib/systemd/systemd-resolved ]]; then
	mkdir -p "$dir"
	# the package lists may not be there yet on a fresh machine; an archive
	# that has moved on from the installed systemd serves its own version
	(cd "$dir" && rm -f ./*.deb && { apt-get download "systemd-resolved=$ver" ||
		{ apt-get update -qq && apt-get download "systemd-resolved=$ver"; } ||
		apt-get download systemd-resolved; }) >&2
	rm -rf "$dir/root.new" "$dir/root"
	dpkg-deb -x "$dir"/systemd-resolved_*.deb "$dir/root.new"
	mv "$dir/root.new" "$dir/root"
fi
echo "$dir/root"
