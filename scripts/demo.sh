#!/bin/sh
# make demo: the main job, on the example firmware the build produced.
#   1. inspect the tty example's image (ELF summary, segments, resource table);
#   2. boot the tty example on a native core and send it a few strings: they come
#      back case-inverted; then the same serial port (rpmsg-tty, and the virtio
#      console) as MIPS32 firmware of either byte order on an emulated core;
#   3. boot the crash example, make it crash, take its coredump, watch it recover
#      and answer again; show where it died with gdb.
set -eu
build=${1:-build}
uproc="$build/bin/uproc"
fw="$build/firmware"
dumps="$build/demo-dumps"

step() { printf '\n==> %s\n' "$*"; }

step "uproc inspect $fw/tty.elf"
"$uproc" inspect "$fw/tty.elf"

step "printf 'Hello\\\\nRemote Processor\\\\nuproc speaks rpmsg\\\\n' | uproc run tty.elf"
printf 'Hello\nRemote Processor\nuproc speaks rpmsg\n' | "$uproc" run "$fw/tty.elf"

if [ -f "$fw/tty-mips32be.elf" ]; then
	step "the same serial port on a big-endian MIPS32 core: uproc run tty-mips32be.elf"
	printf 'Hello\nRemote Processor\nuproc speaks rpmsg\n' | "$uproc" run "$fw/tty-mips32be.elf"
fi
if [ -f "$fw/console-mips32le.elf" ]; then
	step "as a virtio console on a little-endian MIPS32 core: uproc run console-mips32le.elf"
	printf 'Hello\nRemote Processor\n' | "$uproc" run "$fw/console-mips32le.elf"
fi

step "the crash example: ping, a null-pointer store, recovery, ping again"
rm -rf "$dumps" && mkdir -p "$dumps"
printf 'ping\nsegv\nping\n' |
	"$uproc" run --recovery enabled --dump-dir "$dumps" "$fw/crash.elf"

core=$(ls "$dumps"/*.core | head -1)
step "where it died: gdb $fw/crash.elf $core"
gdb -batch -ex "info registers rip" -ex "bt 3" "$fw/crash.elf" "$core" 2>/dev/null |
	grep -E '^(rip|#)' | awk '!seen[$0]++' || echo "(gdb not installed: the core file is $core)"

step "the crash example with recovery disabled: a forbidden system call ends the run"
status=0
printf 'ping\nsyscall\n' | "$uproc" run "$fw/crash.elf" || status=$?
echo "uproc run exited with status $status (3: the core crashed)"
[ "$status" = 3 ]
