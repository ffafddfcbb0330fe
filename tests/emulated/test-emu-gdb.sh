#!/bin/sh
# test-emu-gdb.sh UPROC FIRMWARE_DIR PLATFORM - a live gdb session on a running core
# through "uproc gdb": on an emulated core (PLATFORM cortex-m, riscv32, mips32be,
# mips32le: gdb-multiarch and the core's own stub) or a native one (PLATFORM native:
# gdb, and gdbserver attached with ptrace). gdb stops the running core, sets a
# breakpoint in the echo firmware's message handler, sees it hit when the host sends,
# reads a variable and an argument, steps one instruction, holds the core stopped
# for longer than the watchdog period and the host's answer wait, then lets it run
# on (detach). The host has closed its input meanwhile: it must neither take the
# held core for hung nor give up on its answer, and the answer must come right.
set -u
# A write to the runner after it died is a failure to report, not a SIGPIPE.
trap '' PIPE
uproc=$1 fw=$2 plat=$3
if [ "$plat" = native ]; then
	elf="$fw/echo.elf" gdb=gdb kind=native
else
	elf="$fw/echo-$plat.elf" gdb=gdb-multiarch kind=emulated
fi
hold=3 watchdog=1000 reply_wait=500
work=$(mktemp -d)
runner=
cleanup() {
	exec 3>&- 2>/dev/null
	[ -n "$runner" ] && kill "$runner" 2>/dev/null && wait "$runner" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $plat: $*" >&2; sed 's/^/    /' "$work/gdb" "$work/err" >&2 2>/dev/null; exit 1; }

. "$(dirname "$0")/run-lib.sh"
start_run $kind "$elf" --watchdog $watchdog --reply-wait $reply_wait \
	--channel rpmsg-client-sample

# The host sends, then ends its input, once the core runs on with the breakpoint in
# place: gdb's remote log shows the breakpoint inserted (Z0), then the core told to
# continue.
(
	for i in $(seq 1 1200); do
		sed -n '/^w +\{0,1\}\$Z0,/,$p' "$work/remote.log" 2>/dev/null |
			grep -q '^w +\{0,1\}\$\(vCont;c[:;#]\|c#\)' && break
		sleep 0.1
	done
	echo "hello gdb" >&3
) &
sender=$!
exec 3>&-
# A loaded machine may take a while to answer: gdb must not resend its packets.
timeout 120 $gdb -nx -q -batch -ex "set remotetimeout 60" \
	-ex "set remotelogfile $work/remote.log" \
	-ex "target remote | $uproc gdb $pid" \
	-ex "break on_message" -ex "continue" -ex "print len" -ex "print echoed" \
	-ex 'print $pc' -ex "stepi" -ex 'print $pc' -ex "shell sleep $hold" \
	-ex "detach" "$elf" >"$work/gdb" 2>&1
wait "$sender"
grep -q '^Breakpoint 1, on_message' "$work/gdb" || fail "the breakpoint in on_message was not hit"
grep -q '^\$1 = 10$' "$work/gdb" || fail "len is not 10"
grep -q '^\$2 = 0$' "$work/gdb" || fail "echoed is not read"
pc1=$(sed -n 's/^\$3 = .* \(0x[0-9a-f]*\) <on_message.*/\1/p' "$work/gdb")
pc2=$(sed -n 's/^\$4 = .* \(0x[0-9a-f]*\) <on_message.*/\1/p' "$work/gdb")
[ -n "$pc1" ] && [ -n "$pc2" ] && [ "$pc1" != "$pc2" ] ||
	fail "stepi did not move the pc inside on_message ($pc1 -> $pc2)"
grep -q 'detached' "$work/gdb" || fail "gdb did not detach"
# The core runs on: the message is answered, then the run ends by itself.
end_run
[ "$rc" = 0 ] || fail "uproc run ended with status $rc"
! grep -q 'crashed\|hung' "$work/err" || fail "the held core was taken for hung or crashed"
[ "$(cat "$work/out")" = "hello gdb" ] || fail "answers: $(cat "$work/out")"
echo "$plat: gdb session passed"
