#!/usr/bin/env python3
"""check-small-load.py DIR DT1 DT2: geometry nonlinear against linear at small loads (issue 15, "small load").

DIR holds runs nl-DT and lin-DT (geometry nonlinear and linear, the plain displacement both) of the same plate bonded
at 25 C + DT and taken to 25 C, for DT = +-DT1 and +-DT2. With kappa the centre curvature k1 of summary.json and
r(DT) = kappa_nl / kappa_lin - 1 the nonlinear correction:
- at +-DT1 (kappa a^2 / h ~ 1e-4), |r| <= 1e-6 and the curl maps agree at every node to 1e-6 of the largest |kappa|:
  the issue's criterion, "nonlinear equals linear to 1e-6" where kappa a^2 / h << 1;
- r is the start of a series in the load. Reversing the load reverses the curvature, and kappa(DT) = c DT (1 + a DT +
  b DT^2 + ...), so the part of r odd in DT, r_1 = (r(+DT) - r(-DT)) / 2 = a DT, is linear in the load and the even
  part, r_2 = (r(+DT) + r(-DT)) / 2 = b DT^2, quadratic. The linear part is there because the stack is unsymmetric:
  the membrane strain of the rotation, w'^2 / 2, quadratic in the load, bends it through the stretching-bending
  coupling, a relative correction of order kappa a^2 / h. So r_1(DT2) / r_1(DT1) = DT2 / DT1 and r_2(DT2) / r_2(DT1)
  = (DT2 / DT1)^2, up to the next terms, relatively of order (kappa a^2 / h)(DT2) ~ 1e-3, and the solves' round-off
  (the curvatures agree to ~1e-11, 1e-3 of r_2 at DT1 = 0.002 K). Asserted within 5 % for r_1 and 10 % for r_2
  (measured 0.002 % and 0.004 %). A linear solve in disguise (r = 0), a wrong strain measure or an O(1) error of the
  geometric terms fails them.
"""
import csv
import json
import os
import sys

top, dt1, dt2 = sys.argv[1], sys.argv[2], sys.argv[3]
failures = []


def kappa(run):
    s = json.load(open(os.path.join(top, run, "summary.json")))["states"][-1]
    return s["center_curvature_1_per_m"]["k1"]


def r(dt):
    return kappa("nl-" + dt) / kappa("lin-" + dt) - 1


def curlmap(run):
    with open(os.path.join(top, run, "curlmap-cooled.csv")) as f:
        rows = list(csv.DictReader(f))
    return rows


parts = {}
for dt in (dt1, dt2):
    rp, rm = r(dt), r("-" + dt)
    parts[dt] = ((rp - rm) / 2, (rp + rm) / 2)
    print("DT = %s K: r(+) = %+.4e, r(-) = %+.4e, odd (linear) part %+.4e, even (quadratic) part %+.4e" % (dt, rp, rm, parts[dt][0], parts[dt][1]))

for dt in (dt1, "-" + dt1):
    if abs(r(dt)) > 1e-6:
        failures.append("DT = %s: nonlinear and linear centre curvatures differ by %.3e > 1e-6" % (dt, r(dt)))
    a, b = curlmap("nl-" + dt), curlmap("lin-" + dt)
    cols = ["kappa_xx_1_per_m", "kappa_yy_1_per_m", "kappa_xy_1_per_m", "k1_1_per_m", "k2_1_per_m"]
    scale = max(abs(float(row[c])) for row in b for c in cols)
    worst = max(abs(float(x[c]) - float(y[c])) for x, y in zip(a, b) for c in cols) / scale
    print("DT = %s K: curl maps (%s) differ by %.3e of the largest |kappa|" % (dt, ",".join(cols), worst))
    if worst > 1e-6:
        failures.append("DT = %s: curl maps differ by %.3e > 1e-6" % (dt, worst))

ratio = float(dt2) / float(dt1)
lin = parts[dt2][0] / parts[dt1][0] / ratio
quad = parts[dt2][1] / parts[dt1][1] / ratio ** 2
print("odd part / DT: %.5f of its value at DT1 (1 expected); even part / DT^2: %.5f (1 expected)" % (lin, quad))
if abs(lin - 1) > 0.05:
    failures.append("the odd part of the nonlinear correction is not linear in the load: %.4f" % lin)
if abs(quad - 1) > 0.10:
    failures.append("the even part of the nonlinear correction is not quadratic in the load: %.4f" % quad)
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
