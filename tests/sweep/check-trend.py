#!/usr/bin/python3
"""check-trend.py RESULTS.csv --state STATE --x AXIS --direction increasing|decreasing [--y FIELD] [--rel-step R]

Along AXIS, with every other swept parameter held fixed, STATE's FIELD (default k1_1_per_m) must change strictly in the
given direction, each step by more than R (default 1e-6) of the largest |FIELD|: far above the solver's round-off
(~1e-8 relative, tests/model), so a sweep whose override never reached fcclsim (equal values) fails."""
import argparse
import csv
import sys


def groups(rows, x, y, others):
    out = {}
    for row in rows:
        out.setdefault(tuple(row[o] for o in others), []).append((float(row[x]), float(row[y])))
    return {key: sorted(points) for key, points in out.items()}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("results")
    p.add_argument("--state", required=True)
    p.add_argument("--x", required=True, help="the swept parameter (a column of results.csv)")
    p.add_argument("--others", default="", help="comma-separated other swept parameters, held fixed per series")
    p.add_argument("--y", default="k1_1_per_m")
    p.add_argument("--direction", choices=("increasing", "decreasing"), required=True)
    p.add_argument("--rel-step", type=float, default=1e-6)
    p.add_argument("--min-points", type=int, default=3)
    a = p.parse_args()
    with open(a.results) as f:
        rows = list(csv.DictReader(f))
    y = "%s.%s" % (a.state, a.y)
    if not rows or y not in rows[0]:
        print("FAIL: %s has no column %s" % (a.results, y))
        return 1
    sign = 1 if a.direction == "increasing" else -1
    scale = max(abs(float(r[y])) for r in rows)
    bad = 0
    for key, points in groups(rows, a.x, y, [o for o in a.others.split(",") if o]).items():
        steps = [sign * (y1 - y0) for (_, y0), (_, y1) in zip(points, points[1:])]
        ok = len(points) >= a.min_points and all(step > a.rel_step * scale for step in steps)
        bad += not ok
        print("%s %s along %s %s: %s" % ("ok  " if ok else "FAIL", y, a.x, key, ", ".join("%g: %.9g" % p for p in points)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
