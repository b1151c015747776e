"""The imperfection picks the branch past the sphere-to-cylinder bifurcation, and the inertia check tells the branches
apart (summary.json of three runs of the same 10 mm Cu/PI plate, cooled 100 K: kappa0 a^2 / h = 14).

  python3 check-branch.py PLUS.json MINUS.json ZERO.json     (geometry_imperfection +1e-2, -1e-2, 0)

What it asserts, and why:
- D = +1e-2 and D = -1e-2 are mirror images: the square plate and its mesh map onto themselves under x <-> y, which
  maps D to -D, so kappa_xx of one is kappa_yy of the other, to 1e-8 of k1 (the pins are not mirror images of each
  other, but they exert no force: measured 1e-12); a sign error in the imperfection, or a branch picked by round-off,
  fails by O(1);
- both have left the symmetric branch: |kappa_xx - kappa_yy| > 0.5 |k1| (measured 0.98; the uniform-curvature Ritz
  estimate, physics.md 2.5, gives k2 / k1 = 0.05 at this load, so a sphere-like shape, 0, fails), with k1 along x
  (0 degrees) for D > 0 and along y (90 degrees) for D < 0;
- D = 0 stays on the symmetric branch (kappa_xx = kappa_yy to 1e-8 of k1: nothing breaks the symmetry), and that
  state is reported not stable, with negative pivots in its tangent (measured 4), as the sphere past the bifurcation
  is. The cylinders report fewer (measured 1 on this coarse mesh: whether that mode is the mesh's or the plate's is
  open, docs/cases.md)."""
import json
import sys

failures = 0


def check(ok, what):
    global failures
    print(("ok   " if ok else "FAIL ") + what)
    failures += 0 if ok else 1


def last(path):
    return json.load(open(path))["states"][-1]


plus, minus, zero = (last(p) for p in sys.argv[1:4])
cp, cm, c0 = (s["center_curvature_1_per_m"] for s in (plus, minus, zero))
k1 = abs(cp["k1"])
d = max(abs(cp["xx"] - cm["yy"]), abs(cp["yy"] - cm["xx"])) / k1
check(d <= 1e-8, "D = +-1e-2 are mirror images: kappa_xx(+) = kappa_yy(-) and back, to %.2e of k1 (tolerance 1e-8)" % d)
for name, c, s, angle in (("+1e-2", cp, plus, 0.0), ("-1e-2", cm, minus, 90.0)):
    split = abs(c["xx"] - c["yy"]) / abs(c["k1"])
    check(split > 0.5, "D = %s leaves the symmetric branch: |kxx - kyy| = %.3f of k1 (more than 0.5)" % (name, split))
    turn = abs(s["center_k1_angle_deg"] - angle) % 180
    check(min(turn, 180 - turn) < 1e-6, "D = %s bends along %s: k1 at %.6g degrees" % (name, "x" if angle == 0 else "y", s["center_k1_angle_deg"]))
sym = abs(c0["xx"] - c0["yy"]) / abs(c0["k1"])
check(sym <= 1e-8, "D = 0 stays symmetric: |kxx - kyy| = %.2e of k1 (tolerance 1e-8)" % sym)
check(zero["stable"] is False and zero["negative_pivots"] > 0, "D = 0: the symmetric state past the bifurcation is reported not stable (%s negative pivots)" % zero["negative_pivots"])
check(plus["negative_pivots"] is not None and plus["negative_pivots"] < zero["negative_pivots"], "the cylinder has fewer negative pivots (%s) than the symmetric state (%s)" % (plus["negative_pivots"], zero["negative_pivots"]))
print("%d check(s) failed" % failures if failures else "all checks passed")
sys.exit(1 if failures else 0)
