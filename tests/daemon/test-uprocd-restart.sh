#!/bin/bash
# test-uprocd-restart.sh UPROCD UPROC CLIENT FIRMWARE_DIR [SUFFIX]
# (SUFFIX: run the examples of an emulated platform, e.g. -cortex-m: crash-cortex-m.elf)
# A uprocd restart must leave nothing different: cores it attached to recover from
# crashes (debugfs crash file, a killed core process), stop, change firmware and
# boot again like cores it booted; an rpmsg-tty channel keeps one tty, with its
# name, across restarts; a hung core is caught by the watchdog (state crashed,
# reason watchdog); a core that faults while no uprocd runs is found crashed by the
# next one, with its fault (dumped, then recovered or left crashed as configured),
# and so is one killed outright (SIGKILL: no record, no memories left to dump).
# Cleans up on every exit; every wait is for a condition.
set -u
UPROCD=$1 UPROC=$2 CLIENT=$3 FWDIR=$4 SUFFIX=${5:-}

. "$(dirname "$0")/daemon-test-lib.sh"
need_fuse
need_firmware crash$SUFFIX echo$SUFFIX tty$SUFFIX
daemon_test_setup uprocd-restart

restart_daemon() { stop_daemon; start_daemon "$@"; }

pid_of() { "$UPROC" status "$1" | sed -n 's/^pid: *//p'; }

# ping_core N NAME: one "ping" through a fresh endpoint on processor NAME's
# (remoteprocN's) rpmsg-crash channel
ping_core() {
	local ctrl m got
	wait_for $WAIT ctrl_of "$2" || return 1
	ctrl=$(ctrl_of "$2")
	m=$("$CLIENT" ept-create "$ctrl" rpmsg-crash 0xffffffff 0xffffffff) || return 1
	got=$(timeout $WAIT "$CLIENT" ept-send "$RUN/dev/rpmsg$m" ping)
	[ "$got" = pong ]
}

for f in crash echo tty; do cp "$FWDIR/$f$SUFFIX.elf" "$T/fw/$f.elf"; done
daemon_conf <<CONF
[remoteproc cr]
firmware = crash.elf
auto_boot = yes
recovery = enabled
coredump = enabled

[remoteproc tty]
firmware = tty.elf
auto_boot = yes

[remoteproc hang]
firmware = crash.elf   # the watchdog is on by default (5s)
recovery = disabled
CONF
C=$ROOT/class/remoteproc/remoteproc0
D=$ROOT/debug/remoteproc/remoteproc0

log "a core attached by a new uprocd recovers like one it booted"
start_daemon
wait_for $WAIT state_is remoteproc0 running || fail "cr not running: $(cat "$C/state")"
restart_daemon
state_is remoteproc0 attached && pass "cr attached after the restart" ||
	fail "cr $(cat "$C/state") after the restart"
# recovered WHAT OLD_PID: cr runs again, in another process, and answers
recovered() {
	wait_for $WAIT sh -c "[ \"\$('$UPROC' status cr | sed -n 's/^pid: *//p')\" != '$2' ] &&
		grep -qx running '$C/state'" &&
		pass "$1: recovered (pid $2 -> $(pid_of cr))" ||
		fail "$1: $(cat "$C/state"), $("$UPROC" status cr | grep 'last error')"
	ping_core 0 cr && pass "the recovered core answers" || fail "no pong after recovery"
}
P1=$(pid_of cr)
echo 2 > "$D/crash"
recovered "debugfs crash of an attached core" "$P1"

restart_daemon
state_is remoteproc0 attached || fail "cr $(cat "$C/state") after the second restart"
P2=$(pid_of cr)
kill -9 "$P2"
recovered "killed attached core" "$P2"

restart_daemon
state_is remoteproc0 attached || fail "cr $(cat "$C/state") after the third restart"
out=$("$UPROC" stop cr 2>&1) && state_is remoteproc0 offline &&
	pass "uproc stop of an attached core: $out" || fail "stop attached: $out"
"$UPROC" firmware cr echo.elf >/dev/null && "$UPROC" firmware cr crash.elf >/dev/null &&
	pass "firmware changes once it is offline" || fail "firmware change refused"
out=$("$UPROC" start cr 2>&1) && state_is remoteproc0 running &&
	pass "boots again: $out" || fail "start after stop: $out"
ping_core 0 cr && pass "and answers" || fail "no pong after the boot"

log "one ttyRPMSG per channel across restarts, stable names"
TTY=$ROOT/dev/ttyRPMSG0
wait_for $WAIT test -e "$TTY" || fail "no ttyRPMSG0"
for i in 1 2 3; do
	restart_daemon
	wait_for $WAIT test -e "$TTY" || fail "no ttyRPMSG0 after restart $i"
	wait_for $WAIT sh -c "'$UPROC' channels tty | grep -q '^channel rpmsg-tty .*served by'" ||
		fail "rpmsg-tty not served after restart $i: $("$UPROC" channels tty 2>&1)"
done
n=$(ls "$RUN/dev" | grep -c '^ttyRPMSG')
[ "$n" = 1 ] && pass "one ttyRPMSG after three restarts" ||
	fail "$n ttys after three restarts: $(ls "$RUN/dev" | grep ttyRPMSG | tr '\n' ' ')"
got=$(timeout $WAIT "$CLIENT" tty "$TTY" "Still Here")
[ "$got" = "sTILL hERE" ] && pass "ttyRPMSG0 answers: $got" || fail "ttyRPMSG0: '$got'"
echo stop > "$ROOT/class/remoteproc/remoteproc1/state"
echo start > "$ROOT/class/remoteproc/remoteproc1/state"
wait_for $WAIT test -e "$TTY"
n=$(ls "$RUN/dev" | grep -c '^ttyRPMSG')
[ "$n" = 1 ] && pass "one ttyRPMSG after a fresh boot" || fail "$n ttys after a fresh boot"

log "a hung core is caught by the default watchdog"
H=$ROOT/class/remoteproc/remoteproc2
echo start > "$H/state"
ping_core 2 hang && pass "hang answers before" || fail "hang: no pong"
m=$("$CLIENT" ept-create "$(ctrl_of hang)" rpmsg-crash 0xffffffff 0xffffffff)
"$CLIENT" ept-write "$RUN/dev/rpmsg$m" hang || fail "could not send hang"
wait_for $WAIT state_is remoteproc2 crashed && pass "hung core: crashed" ||
	fail "hung core still $(cat "$H/state")"
"$UPROC" status hang | grep -q "^last crash: *watchdog$" && pass "uproc status: last crash watchdog" ||
	fail "status: $("$UPROC" status hang)"
grep -q "remoteproc2: crash 1 (watchdog), recovery disabled" "$LOG" && pass "logged as watchdog" ||
	fail "no watchdog crash in the log"
"$UPROC" stop hang >/dev/null 2>&1

log "a core that faults while no uprocd runs is found crashed by the next uprocd"
# cr recovers (and dumps), hang stays crashed. The sandbox records the fault and
# parks the core; the signal stands for a firmware fault (an emulated core takes
# SIGTRAP as its watchdog's request to record where it is and end).
# (crashed by the watchdog above: a crashed processor is recovered, not started)
"$UPROC" recovery hang recover >/dev/null
wait_for $WAIT state_is remoteproc2 running || fail "hang not running: $(cat "$H/state")"
wait_for $WAIT sh -c "grep -qxE 'running|attached' '$C/state'" ||
	fail "cr not running: $(cat "$C/state")"
PC=$(pid_of cr) PH=$(pid_of hang)
stop_daemon
mark=$(wc -l <"$LOG")
sig=SEGV
[ -n "$SUFFIX" ] && sig=TRAP
kill -$sig "$PC" "$PH"
start_daemon
crash_of() { "$UPROC" status "$1" | sed -n "s/^$2: *//p"; }
wait_for $WAIT state_is remoteproc2 crashed && pass "hang: found crashed" ||
	fail "hang: $(cat "$H/state") after a fault with no host"
why=$(crash_of hang "crash reason")
n=$(crash_of hang crashes)
case "$why" in
*"while no host was attached"*) [ "$n" = 1 ] && pass "hang: crash 1, reason: $why" ||
	fail "hang: $n crashes ($why)" ;;
*) fail "hang: no reason in its status: $("$UPROC" status hang)" ;;
esac
tail -n +$((mark + 1)) "$LOG" | grep -q "remoteproc2: crash 1 (.*), recovery disabled" &&
	pass "hang: crash logged" ||
	fail "hang: no crash in the log"
recovered "cr faulted with no host" "$PC"
n=$(crash_of cr crashes)
why=$(crash_of cr "crash reason")
[ "$n" = 1 ] && [ -n "$why" ] && pass "cr: crash 1 ($why), recovered" ||
	fail "cr: $n crashes, reason '$why'"
wait_for $WAIT sh -c "tail -n +$((mark + 1)) '$LOG' | grep -q 'remoteproc0 (cr): coredump taken'" &&
	pass "cr: its coredump was taken" || fail "cr: no coredump"
"$UPROC" stop hang >/dev/null 2>&1

log "a core killed while no uprocd runs is found crashed by the next uprocd"
# SIGKILL leaves no fault record: the next uprocd finds the recorded process gone.
"$UPROC" recovery hang recover >/dev/null
wait_for $WAIT state_is remoteproc2 running || fail "hang not running: $(cat "$H/state")"
PC=$(pid_of cr) PH=$(pid_of hang)
stop_daemon
mark=$(wc -l <"$LOG")
kill -KILL "$PC" "$PH"
# ended: gone, or a zombie its new parent has not reaped yet
ended() { for p; do case $(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null) in ""|Z*|X*) ;; *) return 1 ;; esac; done; }
wait_for $WAIT ended "$PC" "$PH" || fail "the killed cores did not end"
start_daemon
wait_for $WAIT state_is remoteproc2 crashed && pass "killed hang: found crashed" ||
	fail "killed hang: $(cat "$H/state") after a SIGKILL with no host"
why=$(crash_of hang "crash reason")
n=$(crash_of hang crashes)
case "$why" in
*"no host was attached"*) [ "$n" = 1 ] && pass "killed hang: crash 1, reason: $why" ||
	fail "killed hang: $n crashes ($why)" ;;
*) fail "killed hang: no reason in its status: $("$UPROC" status hang)" ;;
esac
tail -n +$((mark + 1)) "$LOG" | grep -q "remoteproc2: crash 1 (.*), recovery disabled" &&
	pass "killed hang: crash logged" || fail "killed hang: no crash in the log"
recovered "cr killed with no host" "$PC"
n=$(crash_of cr crashes)
why=$(crash_of cr "crash reason")
case "$n $why" in
"1 "*"no host was attached"*) pass "killed cr: crash 1 ($why), recovered" ;;
*) fail "killed cr: $n crashes, reason '$why'" ;;
esac
"$UPROC" stop hang >/dev/null 2>&1

stop_daemon
daemon_test_done
