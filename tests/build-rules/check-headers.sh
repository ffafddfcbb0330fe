#!/bin/sh
# check-headers.sh CC INCLUDE_DIR - compile every public header (INCLUDE_DIR/uproc/*.h)
# on its own (twice, for the include guard), then beside Linux's uapi virtio and
# rpmsg headers, before and after them. uproc uses Linux's names only with Linux's
# definitions, so every combination must compile without a warning.
set -u
cc=$1
inc=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/uproc-headers.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
linux="linux/virtio_ring.h linux/virtio_config.h linux/virtio_ids.h linux/rpmsg.h"
have_linux=1
for l in $linux; do
	printf '#include <%s>\n' "$l" | "$cc" -E -x c - >/dev/null 2>&1 || have_linux=0
done
if [ "$have_linux" = 0 ]; then
	echo "check-headers: Linux uapi headers missing (install linux-libc-dev)" >&2
	exit 1
fi
fail=0
n=0
for h in "$inc"/uproc/*.h; do
	name=uproc/$(basename "$h")
	lx=""
	for l in $linux; do lx="$lx#include <$l>
"; done
	for order in alone linux-first linux-after; do
		case $order in
		alone) body="#include \"$name\"
#include \"$name\"
" ;;
		linux-first) body="$lx#include \"$name\"
" ;;
		linux-after) body="#include \"$name\"
$lx" ;;
		esac
		printf '%sint uproc_header_check;\n' "$body" > "$tmp/t.c"
		if ! "$cc" -std=c11 -Wall -Wextra -Werror -I"$inc" -fsyntax-only "$tmp/t.c" \
			> "$tmp/out" 2>&1; then
			echo "FAIL $name ($order):"
			sed 's/^/  /' "$tmp/out"
			fail=1
		fi
		n=$((n + 1))
	done
done
echo "check-headers: $n compilations"
exit $fail
