#!/usr/bin/env python3
"""Benchmark: the 100 x 100 mm five-layer plate (tests/model/five-layer.yaml) in 3D at three in-plane resolutions.
Prints DOFs, set-up time (mesh + DMPlex + discretisation), assembly time (stiffness and load) and solve time
(factorisation + refinement), both summed over the four states of the history (two factorisations: the stack before and
after lamination), KSP iterations, peak memory of the largest rank and the final state's centre curvature relative to
laminate theory's (not an error: the free edges' share, of order (band width) / L, which finer meshes resolve more
of; docs/process.md).

  python3 bench/plate-3d.py [--np N] [--sizes 8,16,32] [--symmetry quarter|full] [--build build]
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
p = argparse.ArgumentParser()
p.add_argument("--np", type=int, default=1)
p.add_argument("--sizes", default="8,16,32")
p.add_argument("--symmetry", default="quarter")
p.add_argument("--build", default=os.path.join(top, "build"))
a = p.parse_args()

env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
print(f"100 x 100 mm, 5 layers (Cu 12 / API 2 / PI 20 / TPI 3 / Cu 12 um), 3D Q2, {a.symmetry} plate, {a.np} rank(s), "
      "edge grading 0.2")
print(f"{'nx=ny':>6} {'DOFs':>9} {'setup s':>8} {'assembly s':>10} {'solve s':>8} {'its':>4} {'peak MB':>8} {'k1 1/m':>15} {'vs LT':>9} {'wall s':>7}")
for n in [int(s) for s in a.sizes.split(",")]:
    with tempfile.TemporaryDirectory() as out:
        cmd = ["mpiexec", "--oversubscribe", "-n", str(a.np), os.path.join(a.build, "fcclsim"),
               "-case", os.path.join(top, "tests/model/five-layer.yaml"), "-plate_lx_mm", "100", "-plate_ly_mm", "100",
               "-plate_symmetry", a.symmetry, "-mesh_nx", str(n), "-mesh_ny", str(n), "-mesh_edge_ratio", "0.2",
               "-output", out]
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        t0 = time.time()
        r = subprocess.run(cmd, env=env, capture_output=True, text=True)
        wall = time.time() - t0
        if r.returncode:
            print(r.stdout, r.stderr, file=sys.stderr)
            sys.exit(1)
        # ru_maxrss of the largest child so far (kB): the peak of the biggest rank, not the sum over ranks
        peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
        states = json.load(open(os.path.join(out, "summary.json")))["states"]
        s = states[-1]
        k1, ref = s["center_curvature_1_per_m"]["k1"], s["laminate_theory_1_per_m"]["sphere"]
        assembly = sum(st["wall_time_s"]["assembly"] for st in states)
        solve = sum(st["wall_time_s"]["assembly_and_solve"] for st in states) - assembly
        its = sum(st["solver_iterations"] for st in states)
        print(f"{n:>6} {s['dofs']:>9} {s['wall_time_s']['setup']:>8.2f} {assembly:>10.2f} {solve:>8.2f} {its:>4} "
              f"{peak:>8.0f} {k1:>15.10g} {abs(k1 - ref) / abs(ref):>9.2e} {wall:>7.1f}")
