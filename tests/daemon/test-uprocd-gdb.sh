#!/bin/bash
# test-uprocd-gdb.sh UPROCD UPROC CLIENT FIRMWARE_DIR
# A debugger session on a core uprocd runs, through the daemon ([remoteproc NAME]
# gdb = yes; "uproc gdb NAME" relays the daemon's socket): gdb stops the native echo
# core (gdbserver, ptrace), breaks in its message handler, sees it hit when a client
# sends through the daemon's endpoint device, reads the argument, holds the core
# stopped for longer than the watchdog period, and lets it run on: the client gets
# its answer and the core was never taken for hung. Every wait is for a condition.
set -u
UPROCD=$1 UPROC=$2 CLIENT=$3 FWDIR=$4

. "$(dirname "$0")/daemon-test-lib.sh"
need_fuse
need_commands gdb gdbserver
need_firmware echo
daemon_test_setup uprocd-gdb

copy_firmware echo
daemon_conf <<CONF
[remoteproc echo]
firmware = echo.elf
auto_boot = yes
watchdog = 1s
gdb = yes
CONF

log "a debugger session on a core uprocd runs"
start_daemon
wait_for $WAIT state_is remoteproc0 running || fail "echo not running"
[ -S "$RUN/gdb/echo" ] && pass "the debugger socket is there" || fail "no socket $RUN/gdb/echo"
wait_for $WAIT test -e "$RUN/dev/rpmsg_ctrl0" || fail "no rpmsg_ctrl0"

# The client sends once gdb's remote log shows the breakpoint inserted, then the
# core told to continue.
(
	for i in $(seq 1 1200); do
		sed -n '/^w +\{0,1\}\$Z0,/,$p' "$T/remote.log" 2>/dev/null |
			grep -q '^w +\{0,1\}\$\(vCont;c[:;#]\|c#\)' && break
		sleep 0.1
	done
	m=$("$CLIENT" ept-create "$RUN/dev/rpmsg_ctrl0" rpmsg-client-sample 0xffffffff 0xffffffff)
	timeout $WAIT "$CLIENT" ept-send "$RUN/dev/rpmsg$m" "hello gdb" >"$T/answer"
) &
sender=$!
BG_PIDS="$BG_PIDS $sender"
timeout 120 gdb -nx -q -batch -ex "set remotetimeout 60" -ex "set remotelogfile $T/remote.log" \
	-ex "target remote | $UPROC gdb --runtime-dir $RUN echo" \
	-ex "break on_message" -ex "continue" -ex "print len" -ex "shell sleep 3" \
	-ex "detach" "$T/fw/echo.elf" >"$T/gdb" 2>&1
wait "$sender"
grep -q '^Breakpoint 1, on_message' "$T/gdb" && pass "breakpoint hit when the client sent" ||
	fail "the breakpoint in on_message was not hit: $(cat "$T/gdb")"
grep -q '^\$1 = 9$' "$T/gdb" && pass "len read" || fail "len is not 9"
grep -q 'detached' "$T/gdb" && pass "gdb detached" || fail "gdb did not detach"
[ "$(cat "$T/answer" 2>/dev/null)" = "hello gdb" ] && pass "answered after the session" ||
	fail "answer: $(cat "$T/answer" 2>/dev/null)"
state_is remoteproc0 running && pass "not taken for hung while held" || fail "state $(cat "$ROOT/class/remoteproc/remoteproc0/state")"
grep -q 'debugger session on core process' "$LOG" && pass "served by the daemon" ||
	fail "the daemon did not log the session"
# A second session may open once the first ended.
timeout 60 gdb -nx -q -batch -ex "set remotetimeout 60" \
	-ex "target remote | $UPROC gdb --runtime-dir $RUN echo" -ex "detach" \
	"$T/fw/echo.elf" >"$T/gdb2" 2>&1
grep -q 'detached' "$T/gdb2" && pass "a second session" || fail "second session: $(cat "$T/gdb2")"
daemon_test_done
