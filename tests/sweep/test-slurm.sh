#!/usr/bin/env bash
# test-slurm.sh PYTHON FCCLSIM WORKDIR: the generated SLURM array script, without SLURM (tests/slurm runs a real one):
# - it passes bash -n, names the array 1-9 (the 3 x 3 sweep) with the throttle and the resources given as options;
# - run as SLURM would run array task 5 with --ntasks=2, under stand-ins for srun and mpirun that log their arguments
#   and run the command: with pmix among srun --mpi=list's plugins the point runs under 'srun --mpi=pmix -n 2', with
#   only none and pmi2 under 'mpirun -n 2'; point 5 and no other gets a summary.json, and its status.json records
#   the task's job id;
# - a 1-rank task runs fcclsim without any launcher; --launch 'srun --mpi=pmix' is used as given;
# - --missing-only then names the other points: --array=1-4,9; --points 2-3,7 names those;
# - status shows the scheduler's state of a point whose task ended badly (stand-ins for sacct, and for squeue where
#   sacct has no accounting): TIMEOUT as timeout, CANCELLED as cancelled.
set -euo pipefail
python=$1 fcclsim=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
sweep="$python $here/../../post/sweep.py"
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$work"
mkdir -p "$work/bin"
export STANDIN_LOG=$work/standin.log STANDIN_PLUGINS="none pmi2 pmix pmix_v4"
# srun: --mpi=list prints the plugins; otherwise log the arguments and run the command under mpiexec with -n
cat > "$work/bin/srun" <<'SH'
#!/bin/bash
if [ "$1" = --mpi=list ]; then echo "MPI plugin types are..."; for p in $STANDIN_PLUGINS; do echo "	$p"; done; exit 0; fi
echo "srun $*" >> "$STANDIN_LOG"
n=1
while [ $# -gt 0 ]; do case $1 in -n) n=$2; shift 2 ;; -*) shift ;; *) break ;; esac; done
exec mpiexec --oversubscribe --allow-run-as-root -n "$n" "$@"
SH
cat > "$work/bin/mpirun" <<'SH'
#!/bin/bash
echo "mpirun $*" >> "$STANDIN_LOG"
exec mpiexec --oversubscribe --allow-run-as-root "$@"
SH
chmod +x "$work/bin/srun" "$work/bin/mpirun"
$sweep expand "$here/grid-3x3.yaml" --dir "$work/sweep" --fcclsim "$fcclsim" --check none
$sweep slurm "$work/sweep" --ntasks 2 --time 00:10:00 --partition short --max-running 4 --fcclsim "$fcclsim"
script=$work/sweep/slurm.sh
bash -n "$script" || fail "bash -n $script"
for line in '#SBATCH --array=1-9%4' '#SBATCH --ntasks=2' '#SBATCH --time=00:10:00' '#SBATCH --partition=short'; do
  grep -qxF -- "$line" "$script" || fail "$script lacks the line '$line'"
done
[ "$(grep -c '^#SBATCH --array=' "$script")" = 1 ] || fail "not exactly one --array line"
task() {  # task ID NTASKS SCRIPT: run the script as SLURM would run array task ID of job 700
  PATH="$work/bin:$PATH" SLURM_JOB_ID=$((700 + $1)) SLURM_ARRAY_JOB_ID=700 SLURM_ARRAY_TASK_ID=$1 SLURM_NTASKS=$2 \
    PYTHON=$python bash "$3"
}
task 5 2 "$script"
n=$(ls "$work"/sweep/runs/*/summary.json | wc -l)
[ "$n" = 1 ] && [ -f "$work"/sweep/runs/p005_*/summary.json ] || fail "task 5 should complete point 5 alone, found $n summaries"
grep -q "^srun --mpi=pmix -n 2 $fcclsim " "$STANDIN_LOG" || fail "with pmix offered, task 5 should run 'srun --mpi=pmix -n 2': $(cat "$STANDIN_LOG")"
grep -q '"array_job": "700_5"' "$work"/sweep/runs/p005_*/status.json || fail "status.json of point 5 does not record the array task 700_5"
: > "$STANDIN_LOG"
STANDIN_PLUGINS="none pmi2" task 6 2 "$script"
grep -q "^mpirun -n 2 $fcclsim " "$STANDIN_LOG" || fail "without pmix, task 6 should run 'mpirun -n 2': $(cat "$STANDIN_LOG")"
: > "$STANDIN_LOG"
$sweep slurm "$work/sweep" --points 7 --fcclsim "$fcclsim" --output slurm-1rank.sh
task 7 1 "$work/sweep/slurm-1rank.sh"
[ ! -s "$STANDIN_LOG" ] || fail "a 1-rank task should start fcclsim without srun or mpirun: $(cat "$STANDIN_LOG")"
[ -f "$work"/sweep/runs/p007_*/summary.json ] || fail "task 7 (1 rank) did not complete point 7"
: > "$STANDIN_LOG"
$sweep slurm "$work/sweep" --points 8 --ntasks 2 --launch "srun --mpi=pmix" --fcclsim "$fcclsim" --output slurm-given.sh
task 8 2 "$work/sweep/slurm-given.sh"
grep -q "^srun --mpi=pmix $fcclsim " "$STANDIN_LOG" || fail "--launch 'srun --mpi=pmix' should be used as given: $(cat "$STANDIN_LOG")"
$sweep slurm "$work/sweep" --missing-only --fcclsim "$fcclsim" --output slurm-missing.sh
grep -qxF -- '#SBATCH --array=1-4,9' "$work/sweep/slurm-missing.sh" || fail "--missing-only: $(grep -- --array "$work/sweep/slurm-missing.sh")"
bash -n "$work/sweep/slurm-missing.sh" || fail "bash -n slurm-missing.sh"
$sweep slurm "$work/sweep" --points 2-3,7 --fcclsim "$fcclsim" --output slurm-some.sh
grep -qxF -- '#SBATCH --array=2-3,7' "$work/sweep/slurm-some.sh" || fail "--points 2-3,7: $(grep -- --array "$work/sweep/slurm-some.sh")"
out=$($sweep slurm "$work/sweep" --points 3-12 2>&1) && fail "--points 3-12 (of 9) was accepted"
grep -q "outside the points 1..9" <<<"$out" || fail "--points 3-12: $out"

# the scheduler's view: point 1 was running in task 700_1 when SLURM killed it at its time limit (status.json still
# says running, as after a SIGKILL), point 2 was interrupted in task 700_2, which SLURM cancelled
for i in 1 2; do
  d=$work/sweep/runs/$(basename "$work"/sweep/cases/p00${i}_*.yaml .yaml)
  mkdir -p "$d"
  state=$([ $i = 1 ] && echo running || echo interrupted)
  printf '{"state": "%s", "host": "node7", "error": "interrupted by SIGTERM", "slurm": {"job_id": "70%d", "array_job": "700_%d"}}\n' "$state" $i $i > "$d/status.json"
done
printf '#!/bin/sh\necho "700_1|TIMEOUT"\necho "700_2|CANCELLED by 0"\n' > "$work/bin/sacct"
chmod +x "$work/bin/sacct"
out=$(PATH="$work/bin:$PATH" $sweep status "$work/sweep") && fail "status exited 0 with points not done"
grep -Eq '^  timeout +p001_.*SLURM job 700_1 TIMEOUT \(sacct\)' <<<"$out" || fail "status should show point 1 as timeout:
$out"
grep -Eq '^  cancelled +p002_.*SLURM job 700_2 CANCELLED \(sacct\)' <<<"$out" || fail "status should show point 2 as cancelled:
$out"
printf '#!/bin/sh\necho "sacct: error: Slurm accounting storage is disabled" >&2\nexit 1\n' > "$work/bin/sacct"
printf '#!/bin/sh\necho "700_1|TIMEOUT"\necho "700_2|CANCELLED"\necho "700_3|RUNNING"\n' > "$work/bin/squeue"
chmod +x "$work/bin/squeue"
out=$(PATH="$work/bin:$PATH" $sweep status "$work/sweep") && fail "status exited 0 with points not done"
grep -Eq '^  timeout +p001_.*SLURM job 700_1 TIMEOUT \(squeue\)' <<<"$out" || fail "without accounting, status should ask squeue:
$out"
echo "ok: $script passes bash -n, --array=1-9%4; srun --mpi=pmix with pmix, mpirun without, no launcher for 1 rank;"
echo "    --missing-only and --points select; status shows SLURM's TIMEOUT and CANCELLED from sacct or squeue"
