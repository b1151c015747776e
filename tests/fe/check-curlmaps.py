#!/usr/bin/env python3
"""check-curlmaps.py: curl maps (curlmap-STATE.csv) compared node by node.

  check-curlmaps.py same A.csv B.csv --rtol R
      the curvatures kappa_xx, kappa_yy, kappa_xy of every node of A equal B's at the same (x, y), to R of the
      largest |kappa| of B (edges included: both maps come from the same mesh and patch radius)
  check-curlmaps.py converge C1.csv C2.csv ... CN.csv [--min-rate P] [--asymptotic K]
      maps of one case on meshes refined by 2 each time, coarse first, whose nodes nest: the difference of each map
      from the next finer one, over the coarser map's nodes, relative to the largest |kappa| of the finer map. Over
      the last K differences (default: all) each must be smaller than the one before, and every observed rate
      log2(d_k / d_{k+1}) among them at least P (default 1: the map converges at all). Successive differences, not
      differences from the finest map, so that the finest map's own error does not flatter the rate.
Prints the figures either way."""
import argparse
import csv
import math
import sys

COLS = ("kappa_xx_1_per_m", "kappa_yy_1_per_m", "kappa_xy_1_per_m")


def load(path):
    nodes = {}
    with open(path) as f:
        for row in csv.DictReader(f):
            key = (round(float(row["x_mm"]), 6), round(float(row["y_mm"]), 6))
            nodes[key] = [float(row[c]) for c in COLS]
    return nodes


def difference(a, b, inside=None):
    scale = max(abs(v) for k in b.values() for v in k)
    worst, where, n = 0.0, None, 0
    for key, ka in a.items():
        kb = b.get(key)
        if kb is None or (inside and not inside(key)):
            continue
        n += 1
        d = max(abs(x - y) for x, y in zip(ka, kb)) / scale
        if d > worst:
            worst, where = d, key
    if n == 0:
        sys.exit("FAIL: the maps share no node")
    return worst, where, n


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("same")
    s.add_argument("a")
    s.add_argument("b")
    s.add_argument("--rtol", type=float, required=True)
    c = sub.add_parser("converge")
    c.add_argument("maps", nargs="+")
    c.add_argument("--min-rate", type=float, default=1.0)
    c.add_argument("--asymptotic", type=int, default=0)
    c.add_argument("--edge-band-mm", type=float, default=0.0)
    o = p.parse_args()
    if o.mode == "same":
        worst, where, n = difference(load(o.a), load(o.b))
        print("%d nodes: largest curvature difference %.3e of the largest |kappa| (at x, y = %s mm; tol %g)" % (n, worst, where, o.rtol))
        sys.exit(0 if worst <= o.rtol else 1)
    maps = [load(m) for m in o.maps]
    if len(maps) < 3:
        sys.exit("FAIL: a rate needs three maps or more")
    inside = None
    if o.edge_band_mm > 0:
        xmax = max(abs(x) for x, _ in maps[-1])
        ymax = max(abs(y) for _, y in maps[-1])
        inside = lambda key: abs(key[0]) <= xmax - o.edge_band_mm and (ymax == 0 or abs(key[1]) <= ymax - o.edge_band_mm)
        whole = [difference(maps[i], maps[i + 1])[0] for i in range(len(maps) - 1)]
        print("whole map, edges included (not asserted): " + ", ".join("%.3e" % d for d in whole))
        print("asserted: the nodes farther than %g mm from a free edge" % o.edge_band_mm)
    diffs = [difference(maps[i], maps[i + 1], inside)[0] for i in range(len(maps) - 1)]
    rates = [math.log2(diffs[i] / diffs[i + 1]) if diffs[i + 1] > 0 else float("inf") for i in range(len(diffs) - 1)]
    print("difference of each map from the next finer, coarse to fine: " + ", ".join("%.3e" % d for d in diffs))
    print("observed rates: " + ", ".join("%.2f" % r for r in rates))
    k = o.asymptotic or len(diffs)
    if k < 2 or k > len(diffs):
        sys.exit("FAIL: --asymptotic must be 2 to %d" % len(diffs))
    tail = rates[len(rates) - (k - 1):]
    ok = all(r >= o.min_rate for r in tail)
    print("PASS" if ok else "FAIL (the last %d rates must be >= %g)" % (k - 1, o.min_rate))
    sys.exit(0 if ok else 1)

if __name__ == "__main__":
    main()
