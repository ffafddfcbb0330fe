#!/bin/sh
# test-native-gdb.sh TEST_BINARY FIRMWARE_ELF
# A crashed native core's coredump, read by gdb: the backtrace must name the
# function where the firmware faulted. Runs the crash test of test-native-rproc with
# UPROC_TEST_KEEP_CORE set, then `gdb -batch -ex bt FIRMWARE core`.
set -eu
bin=$1
fw=$2
core=$(mktemp /tmp/uproc-native-core-XXXXXX)
trap 'rm -f "$core"' EXIT INT TERM

UPROC_TEST_ONLY=test_crash_recovery_coredump UPROC_TEST_KEEP_CORE=$core "$bin" >/dev/null 2>&1
if [ ! -s "$core" ]; then
	echo "no coredump was written"
	exit 1
fi
out=$(gdb -batch -nx -ex bt "$fw" "$core" 2>&1)
echo "$out"
echo "$out" | grep -q "signal SIGSEGV" || { echo "gdb does not see SIGSEGV"; exit 1; }
echo "$out" | grep -q "#0 .* crash_null_store" || { echo "gdb does not see the faulting function"; exit 1; }
echo "1 passed, 0 failed"
