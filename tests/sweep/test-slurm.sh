#!/usr/bin/env bash
# test-slurm.sh PYTHON FCCLSIM WORKDIR: the generated SLURM array script
# - passes bash -n, names the array 1-9 (the 3 x 3 sweep) with the throttle and the resources given as options;
# - runs as SLURM would run array task 5 (SLURM_ARRAY_TASK_ID=5, srun replaced by a stand-in that runs its arguments,
#   since SLURM is not installed here): point 5 and no other gets a summary.json;
# - --missing-only then names the other 8 points: --array=1-4,6-9.
set -euo pipefail
python=$1 fcclsim=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
sweep="$python $here/../../post/sweep.py"
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$work"
$sweep expand "$here/grid-3x3.yaml" --dir "$work/sweep" --fcclsim "$fcclsim" --check none
$sweep slurm "$work/sweep" --ntasks 2 --time 00:10:00 --partition short --max-running 4 --fcclsim "$fcclsim"
script=$work/sweep/slurm.sh
bash -n "$script" || fail "bash -n $script"
for line in '#SBATCH --array=1-9%4' '#SBATCH --ntasks=2' '#SBATCH --time=00:10:00' '#SBATCH --partition=short'; do
  grep -qxF -- "$line" "$script" || fail "$script lacks the line '$line'"
done
[ "$(grep -c '^#SBATCH --array=' "$script")" = 1 ] || fail "not exactly one --array line"
mkdir -p "$work/bin"
printf '#!/bin/sh\n# stand-in for srun: run the command once\nexec "$@"\n' > "$work/bin/srun"
chmod +x "$work/bin/srun"
PATH="$work/bin:$PATH" SLURM_ARRAY_TASK_ID=5 SLURM_NTASKS=2 PYTHON=$python bash "$script"
n=$(ls "$work"/sweep/runs/*/summary.json | wc -l)
[ "$n" = 1 ] && [ -f "$work"/sweep/runs/p005_*/summary.json ] || fail "task 5 should complete point 5 alone, found $n summaries"
$sweep slurm "$work/sweep" --missing-only --fcclsim "$fcclsim" --output slurm-missing.sh
grep -qxF -- '#SBATCH --array=1-4,6-9' "$work/sweep/slurm-missing.sh" || fail "--missing-only: $(grep -- --array "$work/sweep/slurm-missing.sh")"
bash -n "$work/sweep/slurm-missing.sh" || fail "bash -n slurm-missing.sh"
echo "ok: $script passes bash -n, --array=1-9%4, task 5 ran point 5 only, --missing-only gives 1-4,6-9"
