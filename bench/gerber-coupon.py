#!/usr/bin/env python3
"""Benchmark: the Gerber coupon (cases/patterns/gerber-coupon.yaml: Example 14's stack through the patent's process,
foil 2 etched to cases/patterns/gerber/coupon.gbr, trace-mapped, coverlay) on the full 100 x 100 mm sample in 3D,
through its whole history, at a ladder of in-plane cell sizes. Prints per cell size: DOFs, set-up, assembly and solve
time summed over the ten states, solver iterations (refinement rounds), peak memory of the largest rank, wall time
and the final state's warpage. A size whose projected peak memory or wall time (power laws in the DOFs through the
last two sizes run) exceeds --memory-gb or --time-limit-s is not run; the line says so and gives the projections.

  python3 bench/gerber-coupon.py [--cells 10,5,2.5,1,0.5] [--np 2] [--memory-gb G] [--time-limit-s S] [--build build]

The cells are mm; the full plate has 100 / cell cells across, Q2 elements, one per layer (7 layers)."""
import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def mem_total_gb():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 ** 2
    return 8.0


p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument("--cells", default="10,5,2.5,1,0.5", help="cell sizes, mm")
p.add_argument("--np", type=int, default=2, help="MPI ranks (default 2)")
p.add_argument("--memory-gb", type=float, default=0.85 * mem_total_gb(), help="default: 85 %% of this machine's memory")
p.add_argument("--time-limit-s", type=float, default=3600, help="do not start a size projected to take longer (default 3600)")
p.add_argument("--build", default=os.path.join(top, "build"), help="the build directory with fcclsim")
a = p.parse_args()

env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
case = os.path.join(top, "cases/patterns/gerber-coupon.yaml")
print(f"Gerber coupon, full 100 x 100 mm plate, 3D Q2, 7 layers (one element each), trace-mapped, {a.np} rank(s); "
      f"memory limit {a.memory_gb:.1f} GB")
print(f"{'cell mm':>7} {'nx':>4} {'DOFs':>9} {'setup s':>8} {'assembly s':>10} {'solve s':>8} {'its':>5} {'peak MB':>8} "
      f"{'wall s':>7} {'warpage mm':>10}")
runs = []  # (dofs, peak MB, wall s)


def power_law(points, x):
    """The value at x of the power law through the last two (x, y) points, and its exponent."""
    (x0, y0), (x1, y1) = points[-2], points[-1]
    slope = math.log(y1 / y0) / math.log(x1 / x0) if x1 > x0 and y1 > 0 and y0 > 0 else 1.0
    return y1 * (x / x1) ** slope, slope

for cell in [float(c) for c in a.cells.split(",")]:
    nx = round(50 / cell)
    dofs = 3 * (4 * nx + 1) ** 2 * 15  # Q2: 2 nx cells across the full plate, 2 nodes per cell, 15 node planes
    if len(runs) >= 2:
        mem, mslope = power_law([(d, m) for d, m, _ in runs], dofs)
        wall, wslope = power_law([(d, w) for d, _, w in runs], dofs)
        if mem / 1024 > a.memory_gb or wall > a.time_limit_s:
            print(f"{cell:>7g} {nx:>4} {dofs:>9} not run: projected {mem / 1024:.1f} GB peak (DOFs^{mslope:.2f}) and "
                  f"{wall:.0f} s (DOFs^{wslope:.2f}) from the last two sizes; limits {a.memory_gb:.1f} GB, {a.time_limit_s:.0f} s",
                  flush=True)
            continue
    with tempfile.TemporaryDirectory() as out:
        cmd = ["mpiexec", "--oversubscribe", "-n", str(a.np), os.path.join(a.build, "fcclsim"), "-case", case,
               "-mesh_nx", str(nx), "-mesh_ny", str(nx), "-output_fields", "false", "-output", out]
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        t0 = time.time()
        r = subprocess.run(cmd, env=env, capture_output=True, text=True)
        wall = time.time() - t0
        if r.returncode:
            print(f"{cell:>7g} {nx:>4} {dofs:>9} failed (exit {r.returncode}): {r.stderr.strip().splitlines()[-1] if r.stderr.strip() else ''}")
            continue
        # ru_maxrss of the largest child so far (kB): the peak of the biggest rank, not the sum over ranks
        peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
        states = json.load(open(os.path.join(out, "summary.json")))["states"]
        s = states[-1]
        assembly = sum(st["wall_time_s"]["assembly"] for st in states)
        solve = sum(st["wall_time_s"]["assembly_and_solve"] for st in states) - assembly
        its = sum(st["solver_iterations"] for st in states)
        runs.append((s["dofs"], peak, wall))
        print(f"{cell:>7g} {nx:>4} {s['dofs']:>9} {s['wall_time_s']['setup']:>8.2f} {assembly:>10.2f} {solve:>8.2f} {its:>5} "
              f"{peak:>8.0f} {wall:>7.1f} {s['warpage_mm']:>10.4g}", flush=True)
