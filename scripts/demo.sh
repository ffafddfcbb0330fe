#!/bin/sh
# make demo: what uproc does, on the example firmware the build produced.
#   1. inspect the tty example's image (ELF summary, segments, resource table);
#   2. boot the tty example on a native core and send it a few strings: they come
#      back case-inverted; then the same serial port (rpmsg-tty, and the virtio
#      console) as MIPS32 firmware of either byte order on an emulated core;
#   3. boot the crash example, make it crash, take its coredump, watch it recover
#      and answer again; show where it died with gdb;
#   4. the same crash with recovery disabled ends the run (status 3).
# The build runs quietly (its log is BUILD/demo-build.log). Each step prints the
# command it runs, as it can be pasted from the repository root, then its result.
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
log=$build/demo-build.log
mkdir -p "$build"
printf '==> building into %s (quietly: the log is %s)\n' "$build" "$log"
if ! { cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo &&
       cmake --build "$build" -j"${JOBS:-$(nproc)}"; } >"$log" 2>&1; then
	tail -30 "$log"
	echo "demo: the build failed (the whole log: $log)"
	exit 1
fi
uproc=$build/bin/uproc
fw=$build/firmware
dumps=$build/demo-dumps

# step WHAT COMMAND: say what it shows, print the command, run it
step() {
	printf '\n==> %s\n$ %s\n' "$1" "$2"
	eval "$2"
}

step "what the tty example's image holds" "$uproc inspect $fw/tty.elf"

step "boot it on a native core and talk to it: each line comes back case-inverted" \
	"printf 'Hello\\nRemote Processor\\nuproc speaks rpmsg\\n' | $uproc run $fw/tty.elf"

if [ -f "$fw/tty-mips32be.elf" ]; then
	step "the same serial port on an emulated big-endian MIPS32 core" \
		"printf 'Hello\\nRemote Processor\\nuproc speaks rpmsg\\n' | $uproc run $fw/tty-mips32be.elf"
fi
if [ -f "$fw/console-mips32le.elf" ]; then
	step "as a virtio console on an emulated little-endian MIPS32 core" \
		"printf 'Hello\\nRemote Processor\\n' | $uproc run $fw/console-mips32le.elf"
fi

rm -rf "$dumps"
step "the crash example: ping, a null-pointer store, its coredump, recovery, ping again" \
	"mkdir -p $dumps && printf 'ping\\nsegv\\nping\\n' | $uproc run --recovery enabled --dump-dir $dumps $fw/crash.elf"

core=$(ls "$dumps"/*.core | head -1)
if command -v gdb >/dev/null; then
	step "where it died, from the coredump" \
		"gdb -batch -ex 'bt 3' $fw/crash.elf $core 2>/dev/null | grep '^#' | awk '!seen[\$0]++'"
else
	printf '\n==> where it died: gdb is not installed; the core file is %s\n' "$core"
fi

set +e	# this run fails on purpose
step "recovery disabled: a forbidden system call ends the run (exit status 3: crashed)" \
	"printf 'ping\\nsyscall\\n' | $uproc run $fw/crash.elf; echo \"exit status \$?\""

printf '\n==> more: %s help (and %s help run); uprocd(8) runs processors for good\n' \
	"$uproc" "$uproc"
