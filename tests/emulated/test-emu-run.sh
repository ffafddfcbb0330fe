#!/bin/sh
# test-emu-run.sh UPROC FIRMWARE_DIR PLATFORM - the example firmware of one emulated
# platform (cortex-m, riscv32, mips32be, mips32le) under "uproc run": echo, flood, tty case
# inversion, the console, every crash kind with its reason, recovery with a coredump
# that gdb-multiarch opens at the faulting function, and an idle core's CPU use.
set -u
uproc=$1 fw=$2 plat=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0 passed=0

check() {	# check NAME CONDITION...
	name="$plat: $1"; shift
	if "$@"; then
		passed=$((passed + 1))
	else
		failures=$((failures + 1))
		echo "FAIL: $name" >&2
		sed 's/^/    /' "$work/err" >&2 2>/dev/null || true
	fi
}

# Echo: content checked, several messages in order.
printf 'ping me\nsecond line\n' | timeout 60 "$uproc" run --channel rpmsg-client-sample \
	"$fw/echo-$plat.elf" >"$work/out" 2>"$work/err"
check "echo status" [ $? = 0 ]
check "echo answers" [ "$(cat "$work/out")" = "$(printf 'ping me\nsecond line')" ]
check "runs emulated" grep -q "on emulated core" "$work/err"

# tty and console: case inversion.
printf 'Hello World\n' | timeout 60 "$uproc" run "$fw/tty-$plat.elf" >"$work/out" 2>"$work/err"
check "tty status" [ $? = 0 ]
check "tty case inversion" [ "$(cat "$work/out")" = "hELLO wORLD" ]
printf 'Console Works\n' | timeout 60 "$uproc" run "$fw/console-$plat.elf" >"$work/out" 2>"$work/err"
check "console status" [ $? = 0 ]
check "console case inversion" [ "$(cat "$work/out")" = "cONSOLE wORKS" ]

# flood: what the host sends is sunk and counted.
printf 'hello\nworld\nstats\n' | timeout 60 "$uproc" run --channel rpmsg-flood \
	"$fw/flood-$plat.elf" >"$work/out" 2>"$work/err"
check "flood status" [ $? = 0 ]
check "flood counts what it sank" [ "$(cat "$work/out")" = "rx=2 bytes=12 tx=0" ]

# Each crash kind ends the core (status 3) with its reason, at the pc of the
# instruction that faulted (unicorn itself shows another on some cores).
crash() {	# crash COMMAND REASON [INSTRUCTION-REGEX]
	printf 'ping\n%s\n' "$1" | timeout 60 "$uproc" run --no-trace "$fw/crash-$plat.elf" \
		>"$work/out" 2>"$work/err"
	st=$?
	if grep -q '^unknown$' "$work/out"; then
		return 0 # the platform has no such fault
	fi
	check "crash $1 status 3" [ "$st" = 3 ]
	check "crash $1 answered before" grep -q '^pong$' "$work/out"
	check "crash $1 reason" grep -q "the core crashed: $2" "$work/err"
	pc=$(sed -n 's/.*the core crashed: .* at pc \(0x[0-9a-f]*\).*/\1/p' "$work/err")
	if [ -n "${3:-}" ] && command -v gdb-multiarch >/dev/null; then
		timeout 60 gdb-multiarch -nx -q -batch -ex "x/i ${pc:-0}" "$fw/crash-$plat.elf" \
			>"$work/gdb" 2>&1
		cp "$work/gdb" "$work/err"
		check "crash $1 at the faulting instruction" grep -Eq ">:[[:space:]]+($3)" "$work/gdb"
	fi
}
crash segv "unmapped write at pc"
crash ill "undefined instruction" 'udf|unimp|\.word[[:space:]]+0xec000000'
crash align "misaligned access" 'ldrex|lr\.w|lw'
if [ "$plat" = cortex-m ]; then
	# SVC is an exception the core takes: with no handler in the vector table it
	# escalates, as the architecture says, at the return address.
	crash syscall "HardFault at pc"
else
	crash syscall "system call" 'ecall|syscall'
fi
# The misaligned access reports its odd address (MIPS: BadVAddr).
printf 'ping\nalign\n' | timeout 60 "$uproc" run --no-trace "$fw/crash-$plat.elf" \
	>"$work/out" 2>"$work/err"
check "align reports the address" \
	grep -q "misaligned access at pc 0x[0-9a-f]* (address 0x[0-9a-f]*[13579bdf])" "$work/err"

# A core that spins without its heartbeat: the watchdog ends it.
mkfifo "$work/hang"
timeout 60 "$uproc" run --no-trace --watchdog 500 "$fw/crash-$plat.elf" <"$work/hang" \
	>"$work/out" 2>"$work/err" &
hung=$!
exec 4>"$work/hang"
printf 'ping\nhang\n' >&4
wait "$hung"
st=$?
exec 4>&-
check "hang status 3" [ "$st" = 3 ]
check "hang reported by the watchdog" grep -q "the core hung: .* (watchdog)" "$work/err"

# A store in the middle of straight-line code (one block for the emulator) to an
# address nothing maps: the report names that store and that address, and with
# recovery disabled --dump-dir still saves the dump, which gdb-multiarch opens at the
# faulting instruction with a backtrace through the caller and sane registers.
mkdir -p "$work/wild"
printf 'ping\nwild\n' | timeout 60 "$uproc" run --no-trace --dump-dir "$work/wild" \
	"$fw/crash-$plat.elf" >"$work/out" 2>"$work/err"
check "crash wild status 3" [ $? = 3 ]
check "crash wild reason and address" \
	grep -q "the core crashed: unmapped write at pc 0x[0-9a-f]* (address 0x404)" "$work/err"
pc=$(sed -n 's/.*the core crashed: unmapped write at pc \(0x[0-9a-f]*\).*/\1/p' "$work/err")
dump=$(ls "$work"/wild/*.core 2>/dev/null | head -1)
check "coredump saved with recovery disabled" [ -n "$dump" ]
if command -v gdb-multiarch >/dev/null && [ -n "$pc" ]; then
	# The reported pc is the faulting store, not the start of its block.
	timeout 60 gdb-multiarch -nx -q -batch -ex "x/i $pc" "$fw/crash-$plat.elf" \
		>"$work/gdb" 2>&1
	cp "$work/gdb" "$work/err"
	check "the reported pc is the faulting store" \
		grep -Eq "<crash_wild_store\+[1-9][0-9]*>:[[:space:]]+(str|sw|c\.sw)[[:space:]]" "$work/gdb"
fi
if command -v gdb-multiarch >/dev/null && [ -n "$dump" ]; then
	timeout 60 gdb-multiarch -nx -q -batch -ex bt -ex 'p/x $pc' -ex 'info registers' \
		"$fw/crash-$plat.elf" "$dump" >"$work/gdb" 2>&1
	cp "$work/gdb" "$work/err"
	check "dump: bt at the faulting function" grep -q '^#0 .*crash_wild_store' "$work/gdb"
	check "dump: bt through its caller" grep -q '^#1 .* on_message ' "$work/gdb"
	check "dump: bt down to the run loop (the stack is in the dump)" \
		grep -q '^#[0-9]* .* uproc_fw_run ' "$work/gdb"
	check "dump: pc is the faulting store" grep -q "^\$1 = $pc\$" "$work/gdb"
	case $plat in
	mips*)
		timeout 60 gdb-multiarch -nx -q -batch -ex 'p/x $bad' -ex 'p/x $cause' \
			-ex 'p/x $pc' -ex 'p/x $sp' "$fw/crash-$plat.elf" "$dump" >"$work/gdb" 2>&1
		cp "$work/gdb" "$work/err"
		check "dump: BadVAddr" grep -q '^\$1 = 0x404$' "$work/gdb"
		check "dump: Cause.ExcCode DBE" grep -q '^\$2 = 0x1c$' "$work/gdb"
		check "dump: EPC" grep -q "^\$3 = $pc\$" "$work/gdb"
		check "dump: sp in kseg0 RAM" grep -q '^\$4 = 0x80[12][0-9a-f]\{5\}$' "$work/gdb"
		;;
	esac
fi

# Recovery with a coredump; gdb-multiarch shows the faulting function.
mkdir -p "$work/dumps"
(printf 'ping\nsegv\n'; sleep 2; printf 'ping\n') | timeout 60 "$uproc" run --recovery enabled \
	--dump-dir "$work/dumps" "$fw/crash-$plat.elf" >"$work/out" 2>"$work/err"
check "recovery status" [ $? = 0 ]
check "answers again after recovery" [ "$(grep -c '^pong$' "$work/out")" = 2 ]
check "recovered" grep -q "recovered: the core runs again" "$work/err"
dump=$(ls "$work"/dumps/*.core 2>/dev/null | head -1)
check "coredump saved" [ -n "$dump" ]
if command -v gdb-multiarch >/dev/null && [ -n "$dump" ]; then
	timeout 60 gdb-multiarch -nx -q -batch -ex bt "$fw/crash-$plat.elf" "$dump" >"$work/gdb" 2>&1
	cp "$work/gdb" "$work/err"
	check "gdb-multiarch bt at the faulting function" grep -q '^#0 .*crash_null_store' "$work/gdb"
fi

# An idle core sleeps on its doorbell: almost no CPU once its spin window is over.
mkfifo "$work/in"
timeout 60 "$uproc" run "$fw/echo-$plat.elf" <"$work/in" >"$work/out" 2>"$work/err" &
runner=$!
exec 3>"$work/in"
pid=
for i in $(seq 1 100); do
	pid=$(sed -n 's/.*on emulated core .* (pid \([0-9]*\)).*/\1/p' "$work/err")
	[ -n "$pid" ] && grep -q "rpmsg-client-sample" "$work/err" && break
	sleep 0.1
done
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null; }
if [ -n "$pid" ]; then
	sleep 0.5
	t0=$(ticks "$pid")
	sleep 2
	t1=$(ticks "$pid")
	# clock ticks are 10 ms: under 5 % of one CPU over 2 s is fewer than 10 ticks
	check "idle core uses no CPU ($((t1 - t0)) ticks in 2 s)" [ $((t1 - t0)) -lt 10 ]
else
	check "idle core started" false
fi
exec 3>&-
wait "$runner"

echo "$plat: $passed passed, $failures failed"
[ "$failures" = 0 ]
