#!/bin/bash
# test-uprocd-cli-edges.sh UPROCD UPROC CLIENT FIRMWARE_DIR
# The command line where it used to fall short: `uproc console` fed by a pipe prints
# the answer before it exits; a crash reported through the debugfs crash file (the
# core still running) gives a coredump with the firmware's registers (gdb reads
# them; a native core, and an emulated Cortex-M one when it is built); `uproc start` on a crashed processor fails; after a uprocd restart the
# attached core's firmware column names the image it runs (changed before the
# restart, so not the configuration's). Every wait is bounded by $WAIT seconds.
set -u
UPROCD=$1 UPROC=$2 CLIENT=$3 FWDIR=$4

. "$(dirname "$0")/daemon-test-lib.sh"
need_fuse
need_commands gdb
need_firmware echo tty
daemon_test_setup uprocd-cli-edges

# in_ram VALUE: a hex address in the firmware's memory (the SDK's map: RAM from
# 0x100000, below 4 GiB)
in_ram() { [[ $1 =~ ^0x[0-9a-f]+$ ]] && [ $(($1)) -ge $((0x100000)) ] && [ $(($1)) -lt $((1 << 32)) ]; }
# fw_column NAME: the firmware column of uproc list for NAME
fw_column() { "$UPROC" list | awk -v n="$1" '$2 == n { print $4 }'; }

copy_firmware echo tty
daemon_conf <<CONF
[remoteproc tty]
firmware = tty.elf
auto_boot = yes
recovery = disabled
coredump = enabled
CONF
# An emulated core too, when its image and gdb-multiarch are here.
EMU=
if [ -f "$FWDIR/echo-cortex-m.elf" ] && command -v gdb-multiarch >/dev/null; then
	EMU=m4
	copy_firmware echo-cortex-m
	printf '\n[remoteproc m4]\nfirmware = echo-cortex-m.elf\nauto_boot = yes\ncoredump = enabled\n' >>"$CONF"
fi
D=$ROOT/debug/remoteproc/remoteproc0

start_daemon
wait_for $WAIT state_is remoteproc0 running || fail "tty: $(cat "$ROOT/class/remoteproc/remoteproc0/state")"
wait_for $WAIT sh -c "'$UPROC' channels tty | grep -q '^channel rpmsg-tty .*served by'"

log "uproc console with a pipe for input waits for the answer"
out=$(printf 'Hello Board\n' | timeout $((WAIT + 10)) "$UPROC" console tty 2>"$T/con.err"); rc=$?
case "$out" in *"hELLO bOARD"*) [ $rc = 0 ] && pass "console from a pipe: $(echo "$out" | tr -d '\r')" ||
	fail "console from a pipe: status $rc";; *) fail "console from a pipe: status $rc, '$out' $(cat "$T/con.err")";; esac
start=$SECONDS
out=$(timeout $((WAIT + 10)) "$UPROC" console tty --wait 0.2 </dev/null); rc=$?
[ $rc = 0 ] && [ $((SECONDS - start)) -lt $WAIT ] && pass "console with no input and --wait 0.2 ends, status 0" ||
	fail "console </dev/null: status $rc"
usage=$("$UPROC" console tty --wait nope 2>&1); rc=$?
[ $rc = 2 ] && pass "console --wait nope: usage error" || fail "console --wait nope: $rc $usage"

log "a crash from the debugfs crash file: start refuses it, the dump has registers"
echo 1 > "$D/crash"
wait_for $WAIT state_is remoteproc0 crashed || fail "tty not crashed: $(cat "$ROOT/class/remoteproc/remoteproc0/state")"
out=$("$UPROC" start tty 2>&1); rc=$?
[ $rc = 1 ] && case "$out" in *"has crashed"*"uproc recovery tty recover"*) true;; *) false;; esac &&
	pass "uproc start on a crashed core: status $rc, $out" || fail "start on crashed: status $rc, $out"
out=$("$UPROC" recovery tty recover 2>&1) || fail "recover: $out"
wait_for $WAIT state_is remoteproc0 running || fail "not recovered: $(cat "$ROOT/class/remoteproc/remoteproc0/state")"
"$UPROC" coredump tty --save "$T/tty.core" >/dev/null 2>"$T/cd.err" || fail "coredump --save: $(cat "$T/cd.err")"
regs=$(gdb -q -batch -ex 'info registers rip rsp' "$T/fw/tty.elf" "$T/tty.core" 2>&1)
rip=$(echo "$regs" | awk '$1 == "rip" { print $2 }')
rsp=$(echo "$regs" | awk '$1 == "rsp" { print $2 }')
if in_ram "$rip" && in_ram "$rsp"; then
	pass "the debugfs-crash dump carries registers: rip $rip ($(echo "$regs" | awk '$1 == "rip" { print $NF }')), rsp $rsp"
else
	fail "registers of the debugfs-crash dump: $regs"
fi

if [ -n "$EMU" ]; then
	wait_for $WAIT state_is remoteproc1 running || fail "m4 not running"
	echo 2 > "$ROOT/debug/remoteproc/remoteproc1/crash"
	wait_for $WAIT "$UPROC" coredump m4 --save "$T/m4.core" || fail "m4: no coredump"
	regs=$(gdb-multiarch -q -batch -ex 'info registers pc sp' "$T/fw/echo-cortex-m.elf" "$T/m4.core" 2>&1)
	pc=$(echo "$regs" | awk '$1 == "pc" { print $2 }')
	sp=$(echo "$regs" | awk '$1 == "sp" { print $2 }')
	in_ram "$pc" && in_ram "$sp" &&
		pass "an emulated core's debugfs-crash dump carries registers: pc $pc ($(echo "$regs" | awk '$1 == "pc" { print $NF }')), sp $sp" ||
		fail "registers of m4's dump: $regs"
	wait_for $WAIT state_is remoteproc1 running || fail "m4 not recovered"
fi

log "the firmware column of a core attached by a restarted uprocd"
[ "$(fw_column tty)" = tty.elf ] || fail "before: $(fw_column tty)"
"$UPROC" stop tty >/dev/null && "$UPROC" firmware tty echo.elf >/dev/null &&
	"$UPROC" start tty >/dev/null || fail "stop, firmware echo.elf, start"
wait_for $WAIT state_is remoteproc0 running || fail "echo.elf not running"
kill -TERM "$DAEMON_PID"
until_gone $WAIT "$DAEMON_PID" || fail "uprocd did not exit"
wait "$DAEMON_PID" 2>/dev/null
start_daemon
wait_for $WAIT state_is remoteproc0 attached || fail "not attached: $(cat "$ROOT/class/remoteproc/remoteproc0/state")"
col=$(fw_column tty)
[ "$col" = echo.elf ] && [ "$(cat "$ROOT/class/remoteproc/remoteproc0/firmware")" = echo.elf ] &&
	pass "attached: firmware column $col (the configuration says tty.elf)" ||
	fail "attached: firmware column '$col', file '$(cat "$ROOT/class/remoteproc/remoteproc0/firmware")'"
"$UPROC" status tty --json | grep -q '"firmware":"echo.elf"' || fail "status --json: $("$UPROC" status tty --json)"

daemon_test_done
