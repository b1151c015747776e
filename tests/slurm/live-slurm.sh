#!/usr/bin/env bash
# live-slurm.sh PYTHON FCCLSIM SOURCE_DIR WORKDIR: sweeps on a real SLURM (issue 19), SLURM 22.05 from Debian.
# Installs slurmctld, slurmd, slurm-client and munge (scripts/setup-debian.sh slurm), starts a one-node cluster on
# 127.0.0.1 (tests/slurm/cluster.sh: its own munge key, ports, state and logs in a temporary directory), and then,
# once with MpiDefault=none (SLURM's default) and once with MpiDefault=pmix, with the scripts post/sweep.py generates,
# unchanged:
# - submits a 6-point sweep with sbatch: an array of 1-rank points (1-3 and 5, a slower 3D one, ~30 s), a 2-rank point (4)
#   as a second array with the default launcher (auto), and a 2-rank point (6) with --launch mpirun as a third;
# - while point 5 runs, `status` shows it running in its SLURM task; then scancel cancels that task;
# - waits for the queue to drain (bounded); points 1-4 and 6 are complete, 1-3 ran on 1 rank without a launcher, 4
#   on 2 ranks under srun --mpi=pmix and 6 on 2 ranks under mpirun (every KSP view in their logs says 2 MPI
#   processes); point 5 is recorded interrupted and `status` shows it cancelled, from the scheduler;
# - resubmits with --missing-only (the array is point 5 alone), waits, and checks that the sweep is complete, that
#   `aggregate` lists the 6 points done, and that the others were not run again (sweep.log, summary.json mtimes).
# Stops only the daemons it started, by PID. Exit 77 (ctest SKIP) with the reason when it is not root, the packages
# cannot be installed or the daemons do not come up; any failed check after that is a failure.
set -uo pipefail
python=$1 fcclsim=$2 src=$3 work=$4
t0=$SECONDS
say() { echo "[$((SECONDS - t0)) s] $*"; }
skip() { echo "SKIPPED: $*"; exit 77; }
fail() {
  echo "FAIL: $*"
  for f in "$cluster"/log/*.log; do [ -f "$f" ] && { echo "--- last lines of $f"; tail -n 8 "$f"; }; done
  exit 1
}
rm -rf "$work" && mkdir -p "$work"
[ "$(id -u)" = 0 ] || skip "needs root: munged and SLURM's daemons run as root here (CI runs .ci/run as root)"
bash "$src/scripts/setup-debian.sh" slurm > "$work/setup.log" 2>&1 ||
  skip "scripts/setup-debian.sh slurm could not install SLURM and munge: $(tail -n 3 "$work/setup.log")"
for cmd in munged munge unmunge slurmctld slurmd sbatch squeue scancel sinfo scontrol srun; do
  command -v $cmd > /dev/null || skip "$cmd is not installed after scripts/setup-debian.sh slurm"
done
say "SLURM $(dpkg-query -W -f '${Version}' slurmctld), munge $(dpkg-query -W -f '${Version}' munge)"

cluster=$(mktemp -d /tmp/fcclsim-slurm.XXXXXX)
source "$src/tests/slurm/cluster.sh"
finish() { cluster_stop; mkdir -p "$work/cluster-log"; cp "$cluster"/log/* "$work/cluster-log/" 2>/dev/null; rm -rf "$cluster"; }
trap finish EXIT
trap 'exit 130' INT TERM
# jobs get this environment (sbatch exports it): OpenMPI's consent to root, and Debian's python3
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 PYTHON=$python
sweep() { "$python" "$src/post/sweep.py" "$@"; }
check() { "$python" "$src/tests/slurm/check-point.py" "$@" || fail "check-point.py $*"; }
queued() { squeue -h -r -t PD,CF,R,CG,S -o %i; }

drain() {  # drain SECONDS: wait until no job is pending or running (every job of this private cluster is ours)
  local end=$((SECONDS + $1))
  while [ -n "$(queued)" ]; do
    [ $SECONDS -lt $end ] || fail "jobs still queued after $1 s: $(squeue -r -t all 2>&1)"
    sleep 0.5
  done
}

# 6 points of the Example 1 stack; every KSP view in fcclsim.log names the number of ranks of the solve
cat > "$work/live.yaml" <<YAML
name: live
base: $src/cases/sweeps/example01-base.yaml
mode: zip
set: {fcclsim_ksp_view: "::ascii_info"}
axes:
  - {key: material_pi_ex1_alpha_ppm_per_K, name: pi_cte, values: [10, 15, 20, 25, 30, 12]}
  - {key: model, name: model, values: [2d, 2d, 2d, 2d, 3d, 2d]}
  - {key: mesh_nx, name: nx, values: [6, 6, 6, 6, 4, 6]}
  - {key: mesh_ny, name: ny, values: [6, 6, 6, 6, 4, 6]}
YAML

run_variant() {  # run_variant MPIDEFAULT
  local mpi=$1 dir=$work/$1/sweep t1=$SECONDS j1 j2 j3 j4 out code offset before after i
  cluster_start "$cluster" "$mpi" || skip "the SLURM daemons did not start (MpiDefault=$mpi): $CLUSTER_WHY"
  say "MpiDefault=$mpi: cluster up ($(sinfo -h -o '%N %c CPUs %T')); srun --mpi=list: $(srun --mpi=list 2>&1 | tail -n +2 | tr -s '\t\n' ' ')"
  sweep expand "$work/live.yaml" --dir "$dir" --fcclsim "$fcclsim" > /dev/null || fail "expand"
  sweep slurm "$dir" --points 1-3,5 --ntasks 1 --time 00:05:00 --fcclsim "$fcclsim" --output slurm-1rank.sh > /dev/null || fail "slurm --points 1-3,5"
  sweep slurm "$dir" --points 4 --ntasks 2 --time 00:05:00 --fcclsim "$fcclsim" --output slurm-2rank.sh > /dev/null || fail "slurm --points 4"
  j1=$(sbatch --parsable "$dir/slurm-1rank.sh") || fail "sbatch slurm-1rank.sh"
  sweep slurm "$dir" --points 6 --ntasks 2 --launch mpirun --time 00:05:00 --fcclsim "$fcclsim" --output slurm-mpirun.sh > /dev/null || fail "slurm --points 6 --launch mpirun"
  j2=$(sbatch --parsable "$dir/slurm-2rank.sh") || fail "sbatch slurm-2rank.sh"
  j4=$(sbatch --parsable "$dir/slurm-mpirun.sh") || fail "sbatch slurm-mpirun.sh"
  say "MpiDefault=$mpi: submitted job $j1 (points 1-3, 5; 1 rank), $j2 (point 4; 2 ranks) and $j4 (point 6; 2 ranks, mpirun)"
  # cancel point 5's task while its fcclsim runs
  local end=$((SECONDS + 120))
  until grep -qs '"state": "running"' "$dir"/runs/p005_*/status.json; do
    [ $SECONDS -lt $end ] || fail "point 5 did not start within 120 s: $(squeue -r -t all 2>&1)"
    sleep 0.2
  done
  sleep 1
  out=$(sweep status "$dir")
  grep -Eq "^  running +p005_.*SLURM job ${j1}_5 RUNNING" <<<"$out" || fail "status should show point 5 running in task ${j1}_5:
$out"
  scancel "${j1}_5" || fail "scancel ${j1}_5"
  say "MpiDefault=$mpi: point 5 running in task ${j1}_5, cancelled"
  drain 180
  for i in 1 2 3 4 6; do check "$dir" $i done; check "$dir" $i job; done
  for i in 1 2 3; do check "$dir" $i ranks 1; check "$dir" $i launcher ""; done
  check "$dir" 4 ranks 2
  check "$dir" 4 launcher "srun --mpi=pmix -n 2"
  check "$dir" 6 ranks 2
  check "$dir" 6 launcher "mpirun"
  check "$dir" 5 state interrupted
  out=$(sweep status "$dir"); code=$?
  echo "$out"
  [ $code = 3 ] || fail "status exited $code with point 5 cancelled, expected 3"
  grep -Eq "^  cancelled +p005_.*SLURM job ${j1}_5 CANCELLED" <<<"$out" || fail "status should show point 5 cancelled by SLURM"
  # resubmit what is missing: point 5 only; points 1-4 must not run again
  offset=$(stat -c %s "$dir/sweep.log")
  before=$(stat -c '%n %Y' "$dir"/runs/p00[1-46]_*/summary.json)
  sweep slurm "$dir" --missing-only --ntasks 1 --time 00:05:00 --fcclsim "$fcclsim" --output slurm-missing.sh > /dev/null || fail "slurm --missing-only"
  grep -qxF '#SBATCH --array=5' "$dir/slurm-missing.sh" || fail "--missing-only: $(grep -- --array= "$dir/slurm-missing.sh")"
  j3=$(sbatch --parsable "$dir/slurm-missing.sh") || fail "sbatch slurm-missing.sh"
  drain 180
  check "$dir" 5 done
  check "$dir" 5 ranks 1
  out=$(sweep status "$dir") || fail "status after the resubmission: $out"
  sweep aggregate "$dir" --no-plots > /dev/null || fail "aggregate"
  [ "$("$python" -c 'import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); print(len(r), sorted({x["status"] for x in r}))' "$dir/results.csv")" = "6 ['done']" ] ||
    fail "results.csv should list 6 points done: $(cut -c1-120 "$dir/results.csv")"
  [ "$(tail -c +$((offset + 1)) "$dir/sweep.log" | awk -F'\t' '$2 == "start" {print $3}')" = "$(basename "$dir"/cases/p005_*.yaml .yaml)" ] ||
    fail "after --missing-only, sweep.log should show point 5 alone started: $(tail -c +$((offset + 1)) "$dir/sweep.log")"
  after=$(stat -c '%n %Y' "$dir"/runs/p00[1-46]_*/summary.json)
  [ "$before" = "$after" ] || fail "the summaries of points 1-4 and 6 were rewritten"
  cluster_stop_slurm
  say "MpiDefault=$mpi: passed in $((SECONDS - t1)) s (jobs $j1, $j2, $j4, $j3)"
}

run_variant none
run_variant pmix
cluster_stop
say "ok: under both MpiDefault settings 1-rank points (no launcher) and 2-rank points (auto: srun --mpi=pmix; mpirun) complete; a cancelled task is shown cancelled and resubmitted alone"
