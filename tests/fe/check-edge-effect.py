#!/usr/bin/env python3
"""check-edge-effect.py: the free edge's share of the centre curvature, d = (k_FE - k_LT) / k_LT, where k_FE is the
FE centre curvature and k_LT laminate theory's (the cylinder in 2D, the sphere in 3D), both from summary.json.

Why it is not zero: at a free edge x = L/2 the layers' in-plane stress sigma_xx falls to zero over a boundary layer
of the order of the stack's thickness. Each layer's sigma_yy changes with it through its own Poisson ratio, so where
the ratios differ the band along the edge carries a net force and moment along y that laminate theory does not have.
The free sample's equilibrium returns them to the rest of the section, a uniform correction of the order of (band
width) / L. So d must scale as 1/L, and vanish when the layers share one Poisson ratio.

  check-edge-effect.py scales A B --length-ratio R --rtol T   d(A) / d(B) = R (B is R times as long as A, with the
                                                               same elements at the edge), to T
  check-edge-effect.py zero A --atol T                          |d(A)| <= T
  check-edge-effect.py same A B --rtol T                        d(A) = d(B) to T of d(B) (one sample solved two ways)
A, B: run directories (their summary.json); the state is the last one."""
import argparse
import json
import os
import sys


def deviation(run):
    st = json.load(open(os.path.join(run, "summary.json")))["states"][-1]
    ref = st["laminate_theory_1_per_m"]["cylinder" if st["model"] == "2d" else "sphere"]
    return (st["center_curvature_1_per_m"]["k1"] - ref) / ref


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["scales", "zero", "same"])
    p.add_argument("runs", nargs="+")
    p.add_argument("--length-ratio", type=float)
    p.add_argument("--rtol", type=float)
    p.add_argument("--atol", type=float)
    o = p.parse_args()
    if len(o.runs) != (1 if o.mode == "zero" else 2):
        p.error("%s takes %s" % (o.mode, "one run" if o.mode == "zero" else "two runs"))
    if (o.mode == "zero" and o.atol is None) or (o.mode != "zero" and o.rtol is None) or (o.mode == "scales" and o.length_ratio is None):
        p.error("%s needs its tolerance (and scales its --length-ratio)" % o.mode)
    o.a, o.b = o.runs[0], o.runs[-1]
    da = deviation(o.a)
    if o.mode == "zero":
        print("d = %.3e (tol %g)" % (da, o.atol))
        ok = abs(da) <= o.atol
    else:
        db = deviation(o.b)
        if o.mode == "scales":
            ratio = da / db if db else float("inf")
            print("d(A) = %.6e, d(B) = %.6e, ratio %.6f (expected %g, rtol %g)" % (da, db, ratio, o.length_ratio, o.rtol))
            ok = db != 0 and abs(ratio - o.length_ratio) <= o.rtol * o.length_ratio
        else:
            print("d(A) = %.6e, d(B) = %.6e (rtol %g)" % (da, db, o.rtol))
            ok = db != 0 and abs(da - db) <= o.rtol * abs(db)
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
