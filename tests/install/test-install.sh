#!/bin/bash
# test-install.sh BUILD_DIR SOURCE_DIR - install the build into a staged DESTDIR
# (prefix /usr) and use it as an outside project would: pkg-config (real pkg-config)
# and find_package(uproc) build a host program, shared and static, and the installed
# firmware SDK builds a firmware; the host programs boot that firmware on the staged
# core program (found from the installed library, never the build tree's: the core
# process's executable is checked) and get its echo. Also: sonames, man finds the pages (sections
# 1, 8 and the kernel-doc's 3), the unit runs the installed daemon, the installed
# uproc runs a firmware.
set -u
BUILD=$(cd "$1" && pwd) SRC=$(cd "$2" && pwd)
T=$(mktemp -d /tmp/uproc-install.XXXXXX)
trap 'rm -rf "$T"' EXIT
S=$T/stage P=$T/stage/usr
failures=0
pass() { echo "ok: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

DESTDIR=$S cmake --install "$BUILD" --prefix /usr >"$T/install.log" 2>&1 ||
	{ cat "$T/install.log"; echo "FAIL: cmake --install"; exit 1; }
LIBDIR=$(dirname "$(find "$P" -name uprocConfig.cmake | head -1)")
LIBDIR=$(cd "$LIBDIR/../.." && pwd)
for f in bin/uproc sbin/uprocd libexec/uproc/uproc-native-stub include/uproc/remoteproc.h \
	 share/man/man1/uproc.1 share/man/man8/uprocd.8 share/man/man3/rproc_boot.3 \
	 lib/systemd/system/uprocd.service lib/sysusers.d/uproc.conf \
	 share/uproc/firmware-sdk/uproc_firmware.cmake share/uproc/firmware-sdk/core/rpmsg/rpmsg_ns.c \
	 share/doc/uproc/uprocd.conf.example share/doc/uproc/examples/project/CMakeLists.txt; do
	[ -e "$P/$f" ] || fail "missing $f"
done
pass "programs, core program, headers, man pages, unit, sysusers, SDK installed"
for l in virtio rpmsg port_posix fwimage loop remoteproc native hostmem; do
	pc=uproc-${l//_/-}
	so=$(readlink "$LIBDIR/libuproc_$l.so")
	soname=$(readelf -d "$LIBDIR/libuproc_$l.so" 2>/dev/null | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
	[ -f "$LIBDIR/libuproc_$l.a" ] && [ -f "$LIBDIR/pkgconfig/$pc.pc" ] &&
		[ "$so" = "libuproc_$l.so.0" ] && [ "$soname" = "libuproc_$l.so.0" ] &&
		[ -f "$LIBDIR/libuproc_$l.so.0" ] || fail "libuproc_$l: so -> '$so', soname '$soname'"
done
pass "each library: .a, .so -> .so.0 (its soname), pkg-config file"
# The internal helpers stay inside each library (each has its own hidden copy).
nm -D --defined-only "$LIBDIR/libuproc_loop.so" | grep -q ' upi_now_ns$' &&
	fail "libuproc_loop.so exports upi_now_ns" || pass "internal helpers not exported"
grep -q "^ExecStart=/usr/sbin/uprocd " "$P/lib/systemd/system/uprocd.service" &&
	pass "the unit runs /usr/sbin/uprocd" ||
	fail "unit: $(grep ExecStart "$P/lib/systemd/system/uprocd.service")"
for page in uproc uprocd rproc_boot rpmsg_send uproc_native_rproc_alloc; do
	MANPATH=$P/share/man man -w "$page" >/dev/null 2>&1 || fail "man -w $page"
done
MANPATH=$P/share/man MANWIDTH=80 man rproc_boot 2>/dev/null | grep -q "rproc_boot - power up" &&
	pass "man finds uproc(1), uprocd(8), rproc_boot(3), rpmsg_send(3)" ||
	fail "man rproc_boot: $(MANPATH=$P/share/man man rproc_boot 2>&1 | head -5)"

ENV=(env -u UPROC_NATIVE_STUB -u UPROC_EMU_CORE UPROC_RUNTIME_DIR="$T/run")
mkdir -p "$T/run"

# The installed uproc runs a firmware (the tty sample, case inverted).
printf 'Hello\n' | timeout 60 "${ENV[@]}" "$P/bin/uproc" run --no-trace \
	"$BUILD/firmware/tty.elf" >"$T/out" 2>"$T/err"
[ "$(cat "$T/out")" = hELLO ] && pass "installed uproc run" ||
	fail "installed uproc run: $(cat "$T/out" "$T/err")"

# pkg-config: a shared and a static link of the outside host program.
export PKG_CONFIG_PATH=$LIBDIR/pkgconfig
cflags=$(pkg-config --cflags uproc-native) && libs=$(pkg-config --libs uproc-native) &&
	slibs=$(pkg-config --static --libs-only-l uproc-native) &&
	pass "pkg-config uproc-native: $cflags $libs" || fail "pkg-config uproc-native"
inc=$(pkg-config --variable=includedir uproc-native)
[ "$(cd "$inc" && pwd -P)" = "$(cd "$P/include" && pwd -P)" ] || fail "includedir $inc is not the staged one"
EX=$P/share/doc/uproc/examples/project
mkdir -p "$T/pc"
# shellcheck disable=SC2086
cc -std=c11 -Wall -Werror -o "$T/pc/outside-host" "$EX/host.c" \
	$cflags $libs && pass "host program built with pkg-config (shared)" || fail "cc, shared"
# shellcheck disable=SC2086
cc -std=c11 -Wall -Werror -o "$T/pc/outside-host-static" "$EX/host.c" \
	$cflags -L"$LIBDIR" -Wl,-Bstatic $slibs -Wl,-Bdynamic -pthread &&
	pass "host program built with pkg-config --static" || fail "cc, static"

# find_package(uproc) and the installed firmware SDK.
cmake -S "$EX" -B "$T/cm" -DCMAKE_PREFIX_PATH="$P" -DECHO_HOST_STATIC=ON \
	-DCMAKE_BUILD_TYPE=Release >"$T/cm.log" 2>&1 &&
	cmake --build "$T/cm" -j2 >>"$T/cm.log" 2>&1 &&
	pass "outside project built with find_package(uproc) and the installed SDK" ||
	{ fail "outside project"; tail -30 "$T/cm.log"; }
FW=$T/cm/firmware/my-echo.elf
[ -f "$FW" ] || fail "no outside firmware $FW"
for h in pc/outside-host cm/echo-host; do
	LD_LIBRARY_PATH=$LIBDIR ldd "$T/$h" | grep -q "libuproc_native.so.0 => $LIBDIR/" ||
		fail "$h is not linked to the staged libuproc_native.so.0"
done
for h in pc/outside-host-static cm/echo-host-static; do
	ldd "$T/$h" | grep -q libuproc && fail "$h links a shared libuproc"
done

# Each host program runs the outside firmware: the shared ones find the core program
# from the library (LIBDIR/../../libexec), the static ones beside themselves once
# placed among the installed programs.
run_host() { # NAME PROGRAM [FIRMWARE CORE_PROGRAM]
	timeout 60 "${ENV[@]}" LD_LIBRARY_PATH="$LIBDIR" "$2" "${3:-$FW}" >"$T/$1.out" 2>&1
	local rc=$?
	if [ $rc = 0 ] && grep -q "^hello from outside$" "$T/$1.out" &&
	   grep -q "^core program $P/libexec/uproc/${4:-uproc-native-stub}$" "$T/$1.out"; then
		pass "$1: booted ${3:-the outside firmware} on the staged ${4:-uproc-native-stub}, got the echo"
	else
		fail "$1: status $rc: $(cat "$T/$1.out")"
	fi
}
run_host "pkg-config shared host" "$T/pc/outside-host"
run_host "find_package shared host" "$T/cm/echo-host"
# An emulated core's program is found the same way.
EMU_FW=$BUILD/firmware/echo-cortex-m.elf
if [ -x "$P/libexec/uproc/uproc-emu-core" ] && [ -f "$EMU_FW" ]; then
	run_host "pkg-config shared host, Cortex-M" "$T/pc/outside-host" "$EMU_FW" uproc-emu-core
fi
cp "$T/pc/outside-host-static" "$P/bin/" && cp "$T/cm/echo-host-static" "$P/bin/cm-host-static"
run_host "pkg-config static host" "$P/bin/outside-host-static"
run_host "find_package static host" "$P/bin/cm-host-static"
echo "failures: $failures"
[ $failures = 0 ]
