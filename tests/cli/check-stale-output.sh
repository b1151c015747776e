#!/usr/bin/env bash
# check-stale-output.sh DIR -- FCCLSIM ARGS...: a run owns its output directory (solver/output-directory.h).
# A complete run into DIR writes its files and the `complete` marker last; then the same run with bad input (a
# negative thickness) into the same DIR must leave none of the first run's files there: no `complete`, summary.json,
# curlmap-*.csv, ParaView files or .part leftovers, so nothing in DIR looks like a result of the failed run.
set -u
dir=$1
shift 2
rm -rf "$dir"
"$@" -output "$dir" >/dev/null 2>&1 || { echo "FAIL: the complete run failed: $*"; exit 1; }
for f in complete summary.json fields.xmf; do [ -f "$dir/$f" ] || { echo "FAIL: the complete run wrote no $f"; exit 1; }; done
ls "$dir"/curlmap-*.csv >/dev/null 2>&1 || { echo "FAIL: the complete run wrote no curl map"; exit 1; }
touch "$dir/summary.json.part" "$dir/user-notes.txt"  # a killed run's leftover, and a file that is not fcclsim's
"$@" -output "$dir" -layers_pi_thickness_um -1 >/dev/null 2>&1 && { echo "FAIL: the bad run succeeded"; exit 1; }
left=$(cd "$dir" && ls complete summary.json curlmap-*.csv curlmap-*.h5 fields-*.h5 fields.* curlmap.* *.part 2>/dev/null | tr '\n' ' ')
[ -z "$left" ] || { echo "FAIL: the run that stopped on bad input left $left"; exit 1; }
[ -f "$dir/user-notes.txt" ] || { echo "FAIL: a file that is not fcclsim's was removed"; exit 1; }
echo "ok: the failed run left none of the earlier run's results, and kept user-notes.txt"
