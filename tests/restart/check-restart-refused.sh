#!/usr/bin/env bash
# check-restart-refused.sh DIR LAUNCHER -- COMMAND...: a checkpoint of another case or of another rank count is
# refused (docs/restart.md). COMMAND is a one-rank fcclsim command line without -output; LAUNCHER (one word list, e.g.
# "mpiexec -n 2 --oversubscribe") starts it on two ranks. A run is killed after its third state (checkpoints of steps
# 1 and 2 left), then restarted (a) with one option changed, (b) on two ranks: each must stop with exit status 2 and
# one line that names what differs, and leave the checkpoints where they were; (c) so must a restart by another
# build of fcclsim; (d) without -restart the same directory is a fresh run, which removes them.
set -u
dir=$1
launcher=${2//;/ }
shift 3
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$dir"
FCCLSIM_TEST_KILL_AFTER_STATES=3 "$@" -checkpoint_interval_s 0 -output "$dir" >/dev/null 2>&1 && fail "the run was not killed"
before=$(cd "$dir" && ls checkpoint-*.h5 | tr '\n' ' ')
[ -n "$before" ] || fail "the killed run left no checkpoint"

"$@" -restart -output "$dir" -process_final_C 30 >"$dir.case.log" 2>&1
status=$?
[ $status = 2 ] || fail "a restart of another case exited $status, not 2: $(tail -3 "$dir.case.log")"
grep -q "restart: .*checkpoint-002.h5 is of another case: -process_final_C is '25' there, '30' here" "$dir.case.log" || fail "the message does not name the option: $(grep -i error "$dir.case.log")"
[ "$(grep -c . "$dir.case.log")" = 1 ] || fail "more than one line: $(cat "$dir.case.log")"
[ "$(cd "$dir" && ls checkpoint-*.h5 | tr '\n' ' ')" = "$before" ] || fail "the refused restart changed the checkpoints"

$launcher "$@" -restart -output "$dir" >"$dir.ranks.log" 2>&1
status=$?
[ $status = 2 ] || fail "a restart on two ranks exited $status, not 2: $(tail -3 "$dir.ranks.log")"
grep -q "checkpoint-002.h5 was written by 1 rank(s), this run has 2" "$dir.ranks.log" || fail "the message does not name the rank counts: $(cat "$dir.ranks.log")"

# another build: the same executable with one byte appended (ELF ignores it) has another hash
other="$dir.other-build"
cp "$1" "$other" && printf x >>"$other"
"$other" "${@:2}" -restart -output "$dir" >"$dir.build.log" 2>&1
status=$?
[ $status = 2 ] || fail "a restart by another build exited $status, not 2: $(tail -3 "$dir.build.log")"
grep -q "checkpoint-002.h5 was written by another build of fcclsim" "$dir.build.log" || fail "the message does not say another build: $(cat "$dir.build.log")"
rm -f "$other"

"$@" -output "$dir" >/dev/null 2>&1 || fail "the fresh run failed"
! compgen -G "$dir/checkpoint-*" >/dev/null || fail "the fresh run kept the earlier run's checkpoints"
echo "ok: $(head -1 "$dir.case.log")"
echo "ok: $(grep -m1 'another build' "$dir.build.log")"
echo "ok: $(grep -m1 'rank(s)' "$dir.ranks.log")"
