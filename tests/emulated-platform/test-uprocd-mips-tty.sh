#!/bin/bash
# test-uprocd-mips-tty.sh UPROCD CLIENT FIRMWARE_DIR DAEMON_TEST_DIR
# The MIPS serial-port firmware under uprocd: a big-endian MIPS32 core's rpmsg-tty
# channel becomes /dev/ttyRPMSG0 in uprocd's tree, and picocom on it gets every
# string back case-inverted; a little-endian MIPS32 core's virtio console becomes
# /dev/hvc0 and does the same. Cleans up on every exit (daemon-test-lib.sh); every
# wait is for a condition.
set -u
UPROCD=$1 CLIENT=$2 FWDIR=$3 LIBDIR=$4
UPROC=

. "$LIBDIR/daemon-test-lib.sh"
need_fuse
need_commands picocom
need_firmware tty-mips32be console-mips32le
daemon_test_setup uprocd-mips

copy_firmware tty-mips32be console-mips32le
daemon_conf <<CONF
[remoteproc mipstty]
firmware = tty-mips32be.elf
auto_boot = yes

[remoteproc mipscon]
firmware = console-mips32le.elf
auto_boot = yes
CONF

start_daemon

log "rpmsg-tty on a big-endian MIPS32 core, with picocom"
TTY=$ROOT/dev/ttyRPMSG0
wait_for $WAIT test -e "$TTY" && pass "ttyRPMSG0 -> $(readlink "$TTY")" || fail "no ttyRPMSG0"
emu_cores() {	# the running cores whose program is the emulator
	local pid n=0
	for pid in $(core_pids); do
		case $(readlink "/proc/$pid/exe") in *uproc-emu-core*) n=$((n + 1)) ;; esac
	done
	[ $n = 2 ]
}
wait_for $WAIT emu_cores && pass "both cores run in uproc-emu-core" ||
	fail "not two emulated cores: $(for p in $(core_pids); do readlink /proc/$p/exe; done)"
# picocom runs until the answer is there (it would exit by itself after -x ms)
timeout $WAIT picocom -q -b 115200 --noreset --nolock -t "Picocom on MIPS" \
	-x $((WAIT * 1000)) "$TTY" </dev/null >"$T/picocom" 2>&1 &
PICOCOM=$!
BG_PIDS="$BG_PIDS $PICOCOM"
wait_for $WAIT grep -q "pICOCOM ON mips" "$T/picocom" && pass "picocom: $(cat "$T/picocom")" ||
	fail "picocom: '$(cat "$T/picocom")'"
kill $PICOCOM 2>/dev/null
wait $PICOCOM 2>/dev/null
got=$("$CLIENT" tty "$TTY" "Big Endian Core")
[ "$got" = "bIG eNDIAN cORE" ] && pass "tty: $got" || fail "tty: '$got'"

log "the virtio console on a little-endian MIPS32 core"
wait_for $WAIT test -e "$ROOT/dev/hvc0" && pass "hvc0 -> $(readlink "$ROOT/dev/hvc0")" ||
	fail "no hvc0"
got=$("$CLIENT" tty "$ROOT/dev/hvc0" "Little Endian Console")
[ "$got" = "lITTLE eNDIAN cONSOLE" ] && pass "console: $got" || fail "console: '$got'"

daemon_test_done
