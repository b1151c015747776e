#!/usr/bin/env bash
# check-killed-run.sh DIR N -- FCCLSIM ARGS...: a complete fcclsim run into DIR, then the same run killed (SIGKILL,
# by field-output.c's test hook FCCLSIM_TEST_KILL_AFTER_STATES=N) when it is about to write its state N + 1. Passes when the
# killed run left no fields.xmf / curlmap.xmf (nothing ParaView would open as a result), no fields.h5 / curlmap.h5 /
# summary.json / complete marker (the first run's, which would pass for this run's), no curl map of the first run
# beyond the states it reached, and its unfinished fields.h5.part holding N states; and that the next complete run
# removes the .part leftovers.
set -u
dir=$1
n=$2
shift 3
rm -rf "$dir"
"$@" -output "$dir" >/dev/null 2>&1 || { echo "FAIL: the complete run failed: $*"; exit 1; }
[ -f "$dir/fields.xmf" ] && [ -f "$dir/summary.json" ] || { echo "FAIL: the complete run wrote no fields.xmf or summary.json"; exit 1; }
first_maps=$(ls "$dir"/curlmap-*.csv | wc -l)
FCCLSIM_TEST_KILL_AFTER_STATES=$n "$@" -output "$dir" >/dev/null 2>&1 && { echo "FAIL: the run was not killed"; exit 1; }
left=$(cd "$dir" && ls fields.xmf curlmap.xmf fields.h5 curlmap.h5 summary.json complete 2>/dev/null)
[ -z "$left" ] || { echo "FAIL: the killed run left $left"; exit 1; }
maps=$(ls "$dir"/curlmap-*.csv 2>/dev/null | wc -l)
[ "$maps" = $((n + 1)) ] || { echo "FAIL: $maps curl maps after the kill at state $((n + 1)) (the first run wrote $first_maps): the earlier run's are mixed in"; exit 1; }
[ -f "$dir/fields.h5.part" ] || { echo "FAIL: no fields.h5.part: was the run killed before it wrote anything?"; exit 1; }
# the unfinished file holds the N states written before the kill (time values 0 .. N-1): killed midway, not at the start
states=$(/usr/bin/python3 -c "import h5py, sys; print(h5py.File(sys.argv[1], 'r')['time'].size)" "$dir/fields.h5.part" 2>/dev/null)
[ "$states" = "$n" ] || { echo "FAIL: fields.h5.part holds ${states:-no} states, expected $n"; exit 1; }
parts=$(cd "$dir" && ls *.part | tr '\n' ' ')
"$@" -output "$dir" >/dev/null 2>&1 || { echo "FAIL: the run after the killed one failed"; exit 1; }
! compgen -G "$dir/*.part" >/dev/null || { echo "FAIL: the next run left the killed run's $(ls "$dir"/*.part)"; exit 1; }
echo "ok: the killed run left only $parts(with $states states) and $maps curl maps of its own; the next run removed the .part files"
