#!/bin/bash
# test-cli-run-lifecycle.sh UPROC FIRMWARE_DIR - "uproc run" and the life of its core:
# a killed run takes its core with it and leaves no file; a hung core is caught by
# the watchdog (on by default) and ends the run with status 3; coredump options
# either work or are refused.
set -u
uproc=$1 fw=$2
WAIT=30
work=$(mktemp -d /tmp/uproc-run-test.XXXXXX)
pids=
cleanup() {
	for p in $pids; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$work"
}
trap cleanup EXIT
# pass, fail, alive, wait_for, daemon_test_done
. "$(dirname "$0")/../daemon/daemon-test-lib.sh"
FAILS=0 PASSES=0
gone() { ! alive "$1"; }

# kill_run SIGNAL: a run held open on a fifo, killed by SIGNAL once its core runs
kill_run() {
	local sig=$1 run core
	rm -f "$work/fifo"; mkfifo "$work/fifo"
	"$uproc" run --no-trace "$fw/crash.elf" <"$work/fifo" >"$work/out" 2>"$work/err" &
	run=$!
	pids="$pids $run"
	exec 7>"$work/fifo"	# the run's input stays open
	wait_for $WAIT grep -q "joined channel" "$work/err" || fail "$sig: the run did not boot"
	core=$(sed -n 's/.*on native core run-[0-9]* (pid \([0-9]*\)).*/\1/p' "$work/err")
	[ -n "$core" ] && ! gone "$core" || { fail "$sig: no core pid"; exec 7>&-; return; }
	kill "-$sig" "$run"
	wait "$run" 2>/dev/null
	exec 7>&-
	wait_for $WAIT gone "$core" && pass "SIG$sig of uproc run: its core $core is gone" ||
		{ fail "SIG$sig of uproc run left core $core running"; kill -9 "$core"; }
	# nothing of the run's under /tmp (a registry, a runtime folder)
	left=$(ls -d /tmp/uproc-run-*/native/run-"$run".* 2>/dev/null)
	[ -z "$left" ] && pass "SIG$sig: no file left" || fail "SIG$sig left $left"
}
kill_run KILL
kill_run TERM

# A hung core: the default watchdog catches it, the run says so and ends with 3.
printf 'ping\nhang\nping\n' | timeout 60 "$uproc" run --no-trace "$fw/crash.elf" \
	>"$work/out" 2>"$work/err"
status=$?
[ $status = 3 ] && pass "hung core: status 3" || fail "hung core: status $status"
grep -q "the core hung: .*(watchdog)" "$work/err" && pass "hang reported: $(grep hung "$work/err")" ||
	fail "hang not reported: $(cat "$work/err")"
printf 'ping\nhang\n' | timeout 60 "$uproc" run --no-trace --watchdog off --reply-wait 500 \
	"$fw/crash.elf" >"$work/out" 2>"$work/err"
status=$?
[ $status = 0 ] && pass "--watchdog off: no watchdog" || fail "--watchdog off: status $status"
timeout 10 "$uproc" run --watchdog soon "$fw/crash.elf" </dev/null >/dev/null 2>"$work/err"
[ $? = 2 ] && pass "--watchdog soon: usage" || fail "--watchdog soon accepted"

# Coredump options either work or are refused.
timeout 10 "$uproc" run --coredump enabled "$fw/crash.elf" </dev/null >/dev/null 2>"$work/err"
status=$?
[ $status = 2 ] && grep -q "needs --dump-dir" "$work/err" &&
	pass "--coredump enabled without --dump-dir: $(cat "$work/err")" ||
	fail "--coredump enabled without --dump-dir: status $status, $(cat "$work/err")"
mkdir "$work/dumps"
printf 'ping\nsegv\n' | timeout 60 "$uproc" run --no-trace --dump-dir "$work/dumps" \
	"$fw/crash.elf" >"$work/out" 2>"$work/err"
status=$?
core=$(ls "$work/dumps"/*.core 2>/dev/null | head -1)
[ $status = 3 ] && [ -n "$core" ] && [ "$(head -c 4 "$core" | od -An -c | tr -d ' ')" = "177ELF" ] &&
	pass "--dump-dir when the crash ends the run: $core saved, status 3" ||
	fail "--dump-dir, crash ends the run: status $status, dumps: $(ls "$work/dumps"), $(cat "$work/err")"

daemon_test_done
