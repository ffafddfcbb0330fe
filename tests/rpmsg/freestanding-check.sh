#!/bin/sh
# freestanding-check.sh STAMP CC [FLAGS...] -- SOURCES...
# Compiles the messaging core's sources with CC and FLAGS as firmware would
# (-ffreestanding -nostdlib), links them into one relocatable object and checks
# that the only symbols left undefined are memcpy, memset and memcmp (plus the
# x86-64 GOT symbol of PIC code). Touches STAMP on success.
set -eu
stamp=$1
cc=$2
shift 2
flags=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
	flags="$flags $1"
	shift
done
[ $# -gt 0 ] && shift
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
objs=""
for src in "$@"; do
	obj="$dir/$(basename "$src").o"
	# shellcheck disable=SC2086
	$cc $flags -c "$src" -o "$obj"
	objs="$objs $obj"
done
# shellcheck disable=SC2086
$cc $flags -r -o "$dir/all.o" $objs
undefined=$(nm -u "$dir/all.o" | awk '{print $NF}' |
	grep -v -x -e memcpy -e memset -e memcmp -e _GLOBAL_OFFSET_TABLE_ || true)
if [ -n "$undefined" ]; then
	echo "freestanding-check ($cc): undefined symbols beyond memcpy/memset/memcmp:" >&2
	echo "$undefined" >&2
	exit 1
fi
touch "$stamp"
