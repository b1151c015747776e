#!/usr/bin/env python3
"""Benchmark: the fixed costs of small runs, the kind sweeps and the patent check start by the hundred (issue 16).
Each run is repeated and the median printed, since a 2-core machine is noisy:

  start-up   `fcclsim -help`: process start, MPI, PETSc, nothing solved
  2d-patent  cases/patent/example-01.yaml, 2D (the patent check's model), its whole history with E(T)
  3d-small   tests/model/five-layer.yaml, 3D quarter of the 100 mm plate at nx 4 (about 2.5k DOFs), five states

Printed per run: DOFs, Krylov iterations summed over the history (summary.json's solver_iterations), wall time, the
time inside assembly and solve (summary.json's wall_time_s), the rest (start-up, meshing, laminate theory, output),
peak memory.

  python3 bench/small-runs.py [--repeat 5] [--build build]
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
p = argparse.ArgumentParser()
p.add_argument("--repeat", type=int, default=5)
p.add_argument("--build", default=os.path.join(top, "build"))
a = p.parse_args()
fcclsim = os.path.join(a.build, "fcclsim")
env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")

runs = {
    "start-up": ["-help"],
    "2d-patent": ["-case", os.path.join(top, "cases/patent/example-01.yaml"), "-model", "2d"],
    "3d-small": ["-case", os.path.join(top, "tests/model/five-layer.yaml"), "-plate_lx_mm", "100", "-plate_ly_mm",
                 "100", "-plate_symmetry", "quarter", "-mesh_nx", "4", "-mesh_ny", "4", "-mesh_edge_ratio", "0.2"],
}

print(f"one rank, median of {a.repeat} runs")
print(f"{'run':>10} {'DOFs':>7} {'its':>7} {'wall s':>7} {'solve s':>8} {'rest s':>7} {'peak MB':>8}")
for name, args in runs.items():
    walls, solves_s, peak = [], [], 0
    dofs = its = "-"
    for _ in range(a.repeat):
        with tempfile.TemporaryDirectory() as out:
            t0 = time.time()
            r = subprocess.run([fcclsim, *args, "-output", out], env=env, capture_output=True, text=True)
            walls.append(time.time() - t0)
            if r.returncode:
                print(r.stdout, r.stderr, file=sys.stderr)
                sys.exit(1)
            peak = max(peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
            summary = os.path.join(out, "summary.json")
            if os.path.exists(summary):
                states = json.load(open(summary))["states"]
                dofs = max(s["dofs"] for s in states)
                its = sum(s["solver_iterations"] for s in states)
                solves_s.append(sum(s["wall_time_s"]["assembly_and_solve"] for s in states))
    wall = statistics.median(walls)
    solve = statistics.median(solves_s) if solves_s else 0.0
    print(f"{name:>10} {dofs:>7} {its:>7} {wall:>7.3f} {solve:>8.3f} {wall - solve:>7.3f} {peak:>8.0f}")
