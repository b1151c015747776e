#!/usr/bin/env python3
"""check-refinement.py COARSE.json MEDIUM.json FINE.json: the 3D centre curvature's error against laminate theory
(sphere) must not grow as the mesh is refined. Errors below FLOOR are round-off and count as equal."""
import json
import sys

FLOOR = 1e-10  # ~1e6 x machine epsilon: below it the fit and the solve only shuffle round-off


def error(path):
    s = json.load(open(path))["states"][-1]
    k, ref = s["center_curvature_1_per_m"]["k1"], s["laminate_theory_1_per_m"]["sphere"]
    return abs(k - ref) / abs(ref)


errors = [error(p) for p in sys.argv[1:]]
print("relative errors, coarse to fine:", ", ".join(f"{e:.3e}" for e in errors))
ok = all(max(b, FLOOR) <= max(a, FLOOR) for a, b in zip(errors, errors[1:]))
print("PASS" if ok else "FAIL")
sys.exit(0 if ok else 1)
