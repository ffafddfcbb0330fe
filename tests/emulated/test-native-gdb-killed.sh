#!/bin/sh
# test-native-gdb-killed.sh UPROC FIRMWARE_DIR - gdb killed in the middle of a live
# session on a native core: it set a breakpoint in the echo firmware's message
# handler and let the core run on (the breakpoint inserted), then died without a
# word. The breakpoint must go with the debugger: the next message is answered and
# the core does not die of the breakpoint's trap (SIGTRAP).
set -u
trap '' PIPE
uproc=$1 fw=$2
elf="$fw/echo.elf"
work=$(mktemp -d)
runner= gdbpid=
cleanup() {
	exec 3>&- 2>/dev/null
	[ -n "$gdbpid" ] && kill -9 "$gdbpid" 2>/dev/null
	[ -n "$runner" ] && kill "$runner" 2>/dev/null && wait "$runner" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; sed 's/^/    /' "$work/gdb" "$work/err" >&2 2>/dev/null; exit 1; }

. "$(dirname "$0")/run-lib.sh"
start_run native "$elf" --channel rpmsg-client-sample

# gdb inserts the breakpoint and lets the core run on; it then waits for a stop
# that is never to come.
gdb -nx -q -batch -ex "set remotetimeout 60" -ex "set remotelogfile $work/remote.log" \
	-ex "target remote | $uproc gdb $pid" -ex "break on_message" -ex "continue" \
	"$elf" >"$work/gdb" 2>&1 &
gdbpid=$!
running=
for i in $(seq 1 1200); do
	if sed -n '/^w +\{0,1\}\$Z0,/,$p' "$work/remote.log" 2>/dev/null |
		grep -q '^w +\{0,1\}\$\(vCont;c[:;#]\|c#\)'; then
		running=1
		break
	fi
	sleep 0.1
done
[ -n "$running" ] || fail "gdb did not insert its breakpoint and continue"
kill -9 "$gdbpid"
wait "$gdbpid" 2>/dev/null
gdbpid=
# The debugger's side goes away by itself: the core is traced no more.
for i in $(seq 1 600); do
	tracer=$(sed -n 's/^TracerPid:[[:space:]]*//p' "/proc/$pid/status" 2>/dev/null)
	[ "${tracer:-0}" = 0 ] && break
	sleep 0.1
done
[ "${tracer:-0}" = 0 ] || fail "the core is still traced by $tracer after gdb died"

echo "after gdb" >&3
for i in $(seq 1 600); do
	grep -q '^after gdb$' "$work/out" && break
	kill -0 "$runner" 2>/dev/null || break
	sleep 0.1
done
exec 3>&-
end_run
! grep -q 'crashed\|Trace\|trap' "$work/err" || fail "the core died of the debugger's breakpoint"
[ "$rc" = 0 ] || fail "uproc run ended with status $rc"
[ "$(cat "$work/out")" = "after gdb" ] || fail "answers: $(cat "$work/out")"
echo "native: gdb killed with a breakpoint inserted: passed"
