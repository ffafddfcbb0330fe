#!/bin/bash
# test-readme.sh BUILD_DIR SOURCE_DIR - run README's examples as written: every block
# marked <!-- readme-test --> (extract.py), in order, as root, from a directory whose
# `build` is BUILD_DIR. They install to /usr/local, write /etc, /lib/firmware and
# /run and start uprocd, so they run in a private mount namespace where /usr/local is
# an empty tmpfs and /etc, /run and /usr/lib are overlays whose writes are dropped
# with the namespace. What the blocks say they print is checked too.
set -u
BUILD=$(cd "$1" && pwd) SRC=$(cd "$2" && pwd)
SKIP=77

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (installs, mounts)"; exit $SKIP; }
[ -c /dev/fuse ] || { echo "SKIP: no /dev/fuse"; exit $SKIP; }
for c in unshare python3 pkg-config cc cmake ldconfig groupadd man; do
	command -v $c >/dev/null || { echo "SKIP: no $c"; exit $SKIP; }
done
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$BUILD/CMakeCache.txt")
[ "$prefix" = /usr/local ] || { echo "SKIP: the build installs to '$prefix', README's to /usr/local"; exit $SKIP; }

T=$(mktemp -d /tmp/uproc-readme.XXXXXX)
trap 'rm -rf "$T"' EXIT
python3 "$SRC/tests/readme/extract.py" "$SRC/README.md" "$T/blocks" || exit 1
mkdir -p "$T/probe/lower" "$T/probe/up" "$T/probe/work"
unshare -m sh -c "mount --make-rprivate / && mount -t tmpfs tmpfs '$T/probe/up' &&
	mkdir '$T/probe/up/u' '$T/probe/up/w' && mount -t overlay overlay \
	-o lowerdir='$T/probe/lower',upperdir='$T/probe/up/u',workdir='$T/probe/up/w' '$T/probe/lower'" \
	2>/dev/null || { echo "SKIP: no mount namespace with tmpfs and overlay mounts here"; exit $SKIP; }

# The script run inside the namespace: mounts, then the blocks in order.
R=$T/run.sh
cat >"$R" <<EOF
set -e -o pipefail
mount --make-rprivate /
mount -t tmpfs tmpfs /usr/local
for d in etc run usr/lib; do
	o=$T/overlay/\${d//\//-}
	mkdir -p \$o/up \$o/work
	mount -t overlay overlay -o lowerdir=/\$d,upperdir=\$o/up,workdir=\$o/work /\$d
done
export HOME=$T/home
mkdir -p \$HOME $T/work
ln -s "$BUILD" $T/work/build
cd $T/work
. "$SRC/tests/readme/readme-cleanup.sh"
trap readme_cleanup EXIT
EOF
nblocks=0
for how in "$T"/blocks/*.how; do
	b=${how%.how}
	arg=$(sed -n 1p "$how") line=$(sed -n 2p "$how")
	f=$(ls "$b".* | grep -v '\.how$')
	nblocks=$((nblocks + 1))
	echo "echo '--- README line $line'" >>"$R"
	case "$arg" in
	run)
		case "$f" in
		*.sh) cat "$f" >>"$R";;
		*.python) echo "timeout 30 python3 '$f'" >>"$R";;
		*) echo "FAIL: README line $line: cannot run a ${f##*.} block"; exit 1;;
		esac;;
	"background until "*)
		p=${arg#background until }
		printf '(\n%s\n) >%s 2>&1 &\n' "$(cat "$f")" "$T/background.log" >>"$R"
		echo "BACKGROUND_PIDS=\"\${BACKGROUND_PIDS:-} \$!\"" >>"$R"
		echo "readme_wait_for 60 '$p' || { cat $T/background.log; exit 1; }" >>"$R";;
	"lines of "*)
		ref=$SRC/${arg#lines of }
		while IFS= read -r l; do
			grep -qxF -- "$l" "$ref" || { echo "FAIL: README line $line: '$l' is not in $ref"; exit 1; }
		done <"$f"
		echo "ok: README line $line: its lines are in ${arg#lines of }";;
	*)
		if cmp -s "$f" "$SRC/$arg"; then
			echo "ok: README line $line is $arg"
		else
			echo "FAIL: README line $line differs from $arg:"; diff "$f" "$SRC/$arg"; exit 1
		fi;;
	esac
done
echo "--- $nblocks README blocks"

timeout 240 unshare -m bash "$R" >"$T/out" 2>&1
rc=$?
cat "$T/out"
[ $rc = 0 ] || { echo "FAIL: a README block failed (status $rc)"; exit 1; }
fails=0
expect() { grep -q "$1" "$T/out" && echo "ok: $2" || { echo "FAIL: $2: no '$1'"; fails=$((fails + 1)); }; }
[ "$(grep -c '^hello from outside$' "$T/out")" = 2 ] && echo "ok: both example hosts got the echo" ||
	{ echo "FAIL: the example hosts' echo"; fails=$((fails + 1)); }
expect "core program /usr/local/libexec/uproc/uproc-native-stub" "the installed core program runs the firmware"
expect "hELLO" "uproc console from a pipe printed the answer"
expect "^b'hello'$" "the Python endpoint example got its echo"
expect "tty0 *running" "uproc list shows tty0 running"
expect "^/usr/local/share/man/man3/rproc_boot.3$" "man finds the section 3 pages in /usr/local"
[ $fails = 0 ]
