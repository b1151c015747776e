#!/usr/bin/python3
"""test-grid.py FCCLSIM WORKDIR: expand the 3 x 3 sweep grid-3x3.yaml, run it locally two points at a time with the 2D
model, aggregate, and check what the sweep promises:
- 9 points, 9 rows in results.csv, every one done, and the (CTE, thickness) pairs are exactly the 3 x 3 grid;
- both overrides reached fcclsim: the 9 cooled curvatures are all different;
- a point's case file alone reproduces its result (fcclsim run on it without command-line options gives the same k1
  to 1e-12: the same computation, so only the option that did or did not apply could make a difference);
- the plots are PNG files, one radius and one curvature plot per axis.
The physics trend along the CTE is checked by check-trend.py on results.csv (a separate test, see CMakeLists.txt)."""
import itertools
import json
import os
import shutil
import subprocess
import sys

from sweeptest import fail, manifest, results, sweep

HERE = os.path.dirname(os.path.abspath(__file__))


def main(fcclsim, work):
    shutil.rmtree(work, ignore_errors=True)
    sweep("expand", os.path.join(HERE, "grid-3x3.yaml"), "--dir", work, "--fcclsim", fcclsim)
    points = manifest(work)["points"]
    if len(points) != 9 or len({p["name"] for p in points}) != 9:
        fail("expected 9 distinct points, got %s" % [p["name"] for p in points])
    sweep("run", work, "-j", 2, "--fcclsim", fcclsim)
    print(sweep("aggregate", work))
    rows = results(work)
    if len(rows) != 9 or any(r["status"] != "done" for r in rows):
        fail("expected 9 done rows, got %s" % [(r["name"], r["status"]) for r in rows])
    pairs = sorted((float(r["pi_cte"]), float(r["pi_um"])) for r in rows)
    if pairs != sorted(itertools.product([5.0, 15.0, 25.0], [15.0, 23.0, 31.0])):
        fail("the rows are not the 3 x 3 grid: %s" % pairs)
    k1 = [float(r["cooled.k1_1_per_m"]) for r in rows]
    if len(set(k1)) != 9:
        fail("some points have the same curvature, so an override did not apply: %s" % k1)
    check_replay(fcclsim, work, points[4], rows[4])
    for stem in ("radius", "curvature"):
        for axis in ("pi_cte", "pi_um"):
            with open(os.path.join(work, "plots", "%s-%s.png" % (stem, axis)), "rb") as f:
                if f.read(8) != b"\x89PNG\r\n\x1a\n":
                    fail("plots/%s-%s.png is not a PNG" % (stem, axis))
    print("ok: 9 points ran and aggregated; the case file alone reproduces point %s" % points[4]["name"])


def check_replay(fcclsim, work, point, row):
    replay = os.path.join(work, "replay")
    subprocess.run([fcclsim, "-case", os.path.join(work, point["case"]), "-output", replay], check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(replay, "summary.json")) as f:
        state = next(s for s in json.load(f)["states"] if s["name"] == "cooled")
    alone, swept = state["center_curvature_1_per_m"]["k1"], float(row["cooled.k1_1_per_m"])
    if abs(alone - swept) > 1e-12 * abs(swept):
        fail("%s alone gives k1 = %.12g, the sweep %.12g" % (point["case"], alone, swept))


if __name__ == "__main__":
    main(os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]))
