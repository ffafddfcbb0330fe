#!/bin/sh
# check-shm-access.sh [ROOT] - shared memory is touched only through uproc/shm.h.
#
# A cast of a pointer to an _Atomic type is how code reaches around the accessor
# module to load or store a field a peer shares (vrings, control pages, resource
# tables, crash records). Only include/uproc/shm.h may write one; everywhere else
# uses its uproc_shm_*() accessors, which carry the byte order, the single read and
# the memory order in one place. Objects declared _Atomic (a host thread's own
# flags) are not casts and are not matched.
set -u
root=${1:-$(dirname "$0")/../..}
cd "$root" || exit 1
hits=$(grep -rnE '\(\s*(const\s+|volatile\s+)*_Atomic\b[^)]*\*\s*\)' \
	--include='*.c' --include='*.h' src include programs firmware bench fuzz tests 2>/dev/null |
	grep -v '^include/uproc/shm\.h:')
if [ -n "$hits" ]; then
	echo "raw atomic casts on shared memory (use uproc/shm.h accessors):"
	echo "$hits"
	exit 1
fi
echo "check-shm-access: no raw atomic casts outside include/uproc/shm.h"
