#!/bin/sh
# make demo: the main job, on the example firmware the build produced.
#   1. inspect the example images (ELF summary, segments, resource table);
#   2. boot the tty example on a native core and send it a few strings: they come
#      back case-inverted;
#   3. boot the crash example, make it crash, take its coredump and watch recovery.
set -eu
build=${1:-build}
uproc="$build/src/cli/uproc"
fwdir="$build/firmware"

step() { printf '\n==> %s\n' "$*"; }

step "uproc inspect: the example images and their resource tables"
for fw in "$fwdir"/tty.elf "$fwdir"/samples/*.elf; do
	[ -f "$fw" ] || continue
	"$uproc" inspect "$fw"
	echo
done

if [ -f "$fwdir/tty.elf" ] && "$uproc" help 2>/dev/null | grep -q '^  run'; then
	step "uproc run tty.elf: strings come back case-inverted"
	printf 'Hello\nRemote Processor\nuproc 1.0\n' | "$uproc" run "$fwdir/tty.elf"
fi

if [ -f "$fwdir/crash.elf" ] && "$uproc" help 2>/dev/null | grep -q '^  demo-crash'; then
	step "the crash example: crash, coredump, recovery"
	"$uproc" demo-crash "$fwdir/crash.elf"
fi
