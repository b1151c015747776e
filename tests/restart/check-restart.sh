#!/usr/bin/env bash
# check-restart.sh DIR N MODE RTOL -- COMMAND...: checkpoint and restart (docs/restart.md) against an uninterrupted run.
#   COMMAND is the fcclsim command line without -output (a launcher such as "mpiexec -n 2" may come first).
#   1. the uninterrupted run, with checkpoints off, into DIR/ref;
#   2. the same run with a checkpoint after every step, killed (SIGKILL, by field-output.c's test hook
#      FCCLSIM_TEST_KILL_AFTER_STATES=N) in step N, once step N is solved and before its output and checkpoint:
#      it must die, and leave the checkpoints of steps N-2 and N-1 and no summary.json;
#   3. MODE plain: the run again with -restart, which must say it resumes after step N-1;
#      MODE truncated: first the newest checkpoint is cut to half its size: the restart must say it skips it and
#      resume after step N-2;
#   4. the restarted run's results equal the uninterrupted run's (compare-runs.py): with RTOL 0 bit for bit, which
#      is what one rank must give: a step's solves depend on the state it starts from and on what the solver
#      carries from the step before (model.c, ModelSolverWrite), and the checkpoint holds both to the bit. On 2 ranks fcclsim is not reproducible from run
#      to run (the likely source is MUMPS's parallel factorization; not pinned down. Measured: two uninterrupted 2-rank runs of one case take other numbers of
#      refinement rounds; on one rank they are identical), so RTOL is 1e-8 there, with the runs solved to
#      -solver_refinement_rtol 1e-13 (tests/restart/CMakeLists.txt says why: at the default 1e-10 a thin layer's stress
#      is only good to ~1e-6 and two runs differ by that much). A restarted against an uninterrupted 2-rank run at
#      1e-13: up to 1.4e-11 measured. A final cool-down 0.01 K off is caught (restart-compare-detects-difference). The
#      run must be complete and its checkpoints gone.
set -u
dir=$1
n=$2
mode=$3
rtol=$4
shift 5
py=/usr/bin/python3
rm -rf "$dir"
mkdir -p "$dir"
fail() { echo "FAIL: $*"; exit 1; }

"$@" -checkpoint false -output "$dir/ref" >"$dir/ref.log" 2>&1 || fail "the uninterrupted run failed: $(tail -3 "$dir/ref.log")"
FCCLSIM_TEST_KILL_AFTER_STATES=$n "$@" -checkpoint_interval_s 0 -output "$dir/run" >"$dir/killed.log" 2>&1 && fail "the run was not killed"
[ -f "$dir/run/summary.json" ] && fail "the killed run left a summary.json"
last=$((n - 1))
for k in $((n - 2)) $last; do
  [ "$k" -lt 0 ] || [ -f "$(printf '%s/run/checkpoint-%03d.h5' "$dir" "$k")" ] || fail "the killed run left no checkpoint of step $k: $(ls "$dir/run")"
done
[ "$(ls "$dir"/run/checkpoint-*.h5 | wc -l)" -le 2 ] || fail "more than the last two checkpoints kept: $(ls "$dir/run")"
expect=$last
if [ "$mode" = truncated ]; then
  newest=$(printf '%s/run/checkpoint-%03d.h5' "$dir" "$last")
  truncate -s $(($(stat -c %s "$newest") / 2)) "$newest"
  expect=$((n - 2))
fi
"$@" -checkpoint_interval_s 0 -restart -output "$dir/run" >"$dir/restart.log" 2>&1 || fail "the restart failed: $(tail -3 "$dir/restart.log")"
grep -q "restart: resuming after step $expect " "$dir/restart.log" || fail "the restart did not resume after step $expect: $(grep restart: "$dir/restart.log")"
if [ "$mode" = truncated ]; then
  grep -q "restart: .*checkpoint-$(printf %03d "$last").h5 skipped: " "$dir/restart.log" || fail "the truncated checkpoint was not reported as skipped: $(grep restart: "$dir/restart.log")"
fi
[ -f "$dir/run/complete" ] || fail "the restarted run is not complete"
! compgen -G "$dir/run/checkpoint-*" >/dev/null || fail "the complete run left checkpoints: $(ls "$dir"/run/checkpoint-*)"

$py "$(dirname "$0")/compare-runs.py" "$dir/ref" "$dir/run" "$rtol" || exit 1
grep "restart:" "$dir/restart.log"
