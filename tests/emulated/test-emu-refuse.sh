#!/bin/sh
# test-emu-refuse.sh UPROC SAMPLE_ELF - a firmware of a machine no backend runs is
# refused before anything starts, with a message naming the machine and what runs what.
set -u
uproc=$1 sample=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The x86-64 sample with its e_machine (bytes 18-19, little-endian) set to PowerPC (20).
cp "$sample" "$work/ppc.elf"
printf '\024\000' | dd of="$work/ppc.elf" bs=1 seek=18 conv=notrunc 2>/dev/null
echo hi | timeout 30 "$uproc" run "$work/ppc.elf" >"$work/out" 2>"$work/err"
status=$?
fail=0
[ "$status" = 1 ] || { echo "FAIL: status $status, not 1" >&2; fail=1; }
grep -q "ppc.elf: machine PowerPC (64-bit) (e_machine 20): no backend runs it (native runs x86-64; emulated runs ARM Cortex-M, RISC-V RV32, MIPS32)" "$work/err" ||
	{ echo "FAIL: no refusal message" >&2; cat "$work/err" >&2; fail=1; }
grep -q "booted" "$work/err" && { echo "FAIL: it booted" >&2; fail=1; }
[ "$fail" = 0 ] && echo "refused as expected"
exit "$fail"
