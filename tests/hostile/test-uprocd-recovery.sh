#!/bin/bash
# test-uprocd-recovery.sh UPROCD UPROC CLIENT FIRMWARE_DIR
# Recovery under uprocd against a stop and against a storm:
#   - a stop asked while a recovery is under way wins: the processor ends offline
#     and stays so (uproc stop, the state file, /dev/remoteprocN alike), whether the
#     recovery waits for its inline coredump or the stop races the crash report;
#   - a firmware that breaks its ring right after every recovery (it kicks first,
#     so it is no "same fault again" crash loop) is recovered at most
#     recovery_limit_burst times in recovery_limit_interval, then left crashed with
#     the limit as the reason; "uproc recovery NAME recover" starts counting again.
# Every wait is for a condition.
set -u
UPROCD=$1 UPROC=$2 CLIENT=$3 FWDIR=$4
WAIT=60

. "$(dirname "$0")/../daemon/daemon-test-lib.sh"
need_fuse
need_firmware crash hostile-rings-idx
daemon_test_setup uprocd-recovery
copy_firmware crash hostile-rings-idx
daemon_conf <<CONF
[remoteproc cr]
firmware = crash.elf
recovery = enabled
coredump = inline

[remoteproc race]
firmware = crash.elf
recovery = enabled

[remoteproc storm]
firmware = hostile-rings-idx.elf
recovery = enabled
recovery_limit_burst = 3
recovery_limit_interval = 3600s
CONF
C=$ROOT/class/remoteproc
status_of() { "$UPROC" status "$1" 2>/dev/null | sed -n "s/^$2: *//p"; }
state_is() { [ "$(status_of "$1" state)" = "$2" ]; }
start_daemon

log "a stop during a recovery that waits for its inline coredump wins"
# stop_during_dump HOW: crash cr, wait for its inline dump (the recovery waits for
# it; the state reads offline meanwhile, as Linux's), stop it HOW, release the dump
stop_during_dump() {
	local dump
	"$UPROC" start cr >/dev/null 2>&1
	wait_for $WAIT state_is cr running || fail "$1: cr not running"
	rm -f "$T/dumps.before"; ls "$ROOT/class/devcoredump" >"$T/dumps.before" 2>/dev/null
	echo 1 >"$ROOT/debug/remoteproc/remoteproc0/crash"
	# the new dump, once it is there
	new_dump() { ls "$ROOT/class/devcoredump" 2>/dev/null | grep -vxFf "$T/dumps.before" | head -1 | grep .; }
	wait_for $WAIT new_dump || { fail "$1: no inline dump"; return; }
	dump=$ROOT/class/devcoredump/$(new_dump)
	local ok=1 out
	case $1 in
	"uproc stop") out=$("$UPROC" stop cr 2>&1) && ok=0 ;;
	"the state file") out=$( (echo stop >"$C/remoteproc0/state") 2>&1) && ok=0 ;;
	"/dev/remoteproc0") out=$("$CLIENT" cdev "$ROOT/dev/remoteproc0" stop 2>&1) &&
		[ "$out" = 0 ] && ok=0 ;;
	esac
	[ $ok = 0 ] && pass "$1 during the dump wait: accepted" || fail "$1 refused: $out"
	# reading it releases it; the recovery it held back would run then
	cp "$dump/data" "$T/cr.core" 2>/dev/null || fail "$1: the dump could not be read"
	wait_for $WAIT sh -c "! test -e '$dump'" || fail "$1: the dump was not released"
	state_is cr offline && pass "$1: cr offline after the dump's release" ||
		fail "$1: cr $(status_of cr state) after the dump's release"
}
stop_during_dump "uproc stop"
stop_during_dump "the state file"
[ -e "$ROOT/dev/remoteproc0" ] && stop_during_dump "/dev/remoteproc0"

log "a stop racing a crash report ends offline, whichever comes first"
bad=0
for i in $(seq 10); do
	"$UPROC" start race >/dev/null 2>&1
	wait_for $WAIT state_is race running || { fail "race $i: not running"; break; }
	pid=$(status_of race pid)
	# the core's fault and the stop reach uprocd together
	kill -SEGV "$pid"
	echo stop 2>/dev/null >"$C/remoteproc1/state" ||
		{ bad=$((bad + 1)); echo "race $i: stop refused ($(status_of race state))"; }
	wait_for $WAIT state_is race offline ||
		{ bad=$((bad + 1)); echo "race $i: $(status_of race state)"; }
done
[ $bad = 0 ] && pass "10 stops against faults: accepted, offline every time" ||
	fail "$bad of 10 stops against faults were refused or left race running"

log "a recovery storm is cut by the recovery limit"
"$UPROC" start storm >/dev/null 2>&1
limited() { state_is storm crashed && "$UPROC" status storm | grep -q "recovery limit"; }
wait_for $WAIT limited && pass "storm: crashed, $(status_of storm crashes) crashes" ||
	fail "storm: $(status_of storm state), $(status_of storm crashes) crashes, $("$UPROC" status storm | grep 'last error')"
n=$(status_of storm crashes)
[ "$n" = 4 ] && pass "storm: 3 recoveries, then left crashed" || fail "storm: $n crashes, not 4"
grep -q "remoteproc2: .*recovery limit" "$LOG" && pass "storm: the limit is logged" ||
	fail "storm: no limit in the log"
# nothing recovers it any more: a later request still sees it crashed, 4 crashes
"$UPROC" list >/dev/null
[ "$(status_of storm crashes)" = 4 ] && state_is storm crashed && pass "storm: stays crashed" ||
	fail "storm: $(status_of storm state), $(status_of storm crashes) crashes"
"$UPROC" recovery storm recover >/dev/null 2>&1
more() { [ "$(status_of storm crashes)" -ge 8 ] && limited; }
wait_for $WAIT more && pass "storm: recover by hand counts again ($(status_of storm crashes) crashes)" ||
	fail "storm: after a recover by hand: $(status_of storm state), $(status_of storm crashes) crashes"

stop_daemon
daemon_test_done
