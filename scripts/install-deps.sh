#!/bin/sh
# Installs, with apt-get, whatever uproc's build and tests need and this machine lacks.
# Safe to run again: it does nothing when everything is present.
set -eu

PACKAGES="build-essential cmake pkg-config clang libclang-rt-14-dev libcmocka-dev \
libfuse3-dev fuse3 gcc-arm-none-eabi gcc-mips-linux-gnu gcc-mipsel-linux-gnu \
gcc-riscv64-unknown-elf libunicorn-dev picocom gdb gdb-multiarch gdbserver tmux python3 \
util-linux jq man-db"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "uproc: missing packages:$missing (run as root, or install them)" >&2
	exit 1
fi
echo "uproc: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
