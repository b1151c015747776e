#!/usr/bin/env python3
"""Checks a fcclsim summary.json against laminate theory and independent closed forms.

  check-summary.py SUMMARY.json --against sphere|cylinder --rtol R
  check-summary.py SUMMARY.json --timoshenko E1,nu1,t1,a1,E2,nu2,t2,a2,dT --rtol R   (bilayer, GPa, um, ppm/K, K)
  check-summary.py SUMMARY.json --zero-stress --atol-MPa A
  check-summary.py A.json --same-as B.json --rtol R   (every state's centre k1 and k2)
Exit status 0 on success; prints the compared numbers either way.
"""
import argparse
import csv
import json
import sys


def timoshenko(E1, nu1, t1, a1, E2, nu2, t2, a2, dT):
    """Timoshenko's bimetal (J. Opt. Soc. Am. 11 (1925) 233; physics.md 2.2) with plate (biaxial) moduli E/(1-nu),
    layer 1 at the bottom. kappa > 0 (top face convex) when the top layer's free strain eps2 exceeds the bottom's."""
    m = t1 / t2
    n = (E1 / (1 - nu1)) / (E2 / (1 - nu2))
    h = (t1 + t2) * 1e-6
    deps = (a2 - a1) * 1e-6 * dT
    return 6 * deps * (1 + m) ** 2 / (h * (3 * (1 + m) ** 2 + (1 + m * n) * (m * m + 1 / (m * n))))


def relerr(a, b):
    return abs(a - b) / abs(b)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("summary")
    p.add_argument("--against", choices=["sphere", "cylinder"])
    p.add_argument("--timoshenko")
    p.add_argument("--zero-stress", action="store_true")
    p.add_argument("--same-as")
    p.add_argument("--rtol", type=float, default=1e-4)
    p.add_argument("--atol-MPa", type=float, default=1e-6)
    p.add_argument("--state", type=int, default=-1)
    p.add_argument("--curlmap", help="curl-map CSV: its interior must match laminate theory (--against) to --rtol")
    p.add_argument("--interior", type=float, default=0.5, help="fraction of the half-length counted as interior")
    p.add_argument("--half-length-mm", type=float, default=5.0)
    a = p.parse_args()
    state = json.load(open(a.summary))["states"][a.state]
    k = state["center_curvature_1_per_m"]
    ok = True
    if a.against:
        ref = state["laminate_theory_1_per_m"][a.against]
        # sphere: both principal curvatures equal it; cylinder: k1 equals it, the section does not bend out of plane
        pairs = [("k1", k["k1"], ref)] + ([("k2", k["k2"], ref)] if a.against == "sphere" else [])
        for name, got, want in pairs:
            e = relerr(got, want)
            print(f"{name} = {got:.12g}, laminate theory ({a.against}) {want:.12g}, rel. error {e:.2e} (tol {a.rtol:g})")
            ok &= e <= a.rtol
    if a.curlmap:
        # away from the free edges (their bending boundary layer is a few thicknesses to ~1 mm wide, physics.md 2.6)
        # the map must show laminate theory's uniform curvature; the node nearest the centre must equal the centre fit
        ref = state["laminate_theory_1_per_m"][a.against]
        lim = a.interior * a.half_length_mm
        rows = list(csv.DictReader(open(a.curlmap)))
        inner = [r for r in rows if abs(float(r["x_mm"])) <= lim and abs(float(r["y_mm"])) <= lim]
        worst = max(relerr(float(r["k1_1_per_m"]), ref) for r in inner)
        print(f"curl map: {len(rows)} nodes, {len(inner)} interior; worst interior k1 error vs {a.against} {worst:.2e} (tol {a.rtol:g})")
        ok &= len(inner) > 0 and worst <= a.rtol
        centre = min(rows, key=lambda r: float(r["x_mm"]) ** 2 + float(r["y_mm"]) ** 2)
        e = relerr(float(centre["k1_1_per_m"]), k["k1"])
        print(f"curl map at ({centre['x_mm']}, {centre['y_mm']}) mm: k1 {float(centre['k1_1_per_m']):.10g} vs centre fit {k['k1']:.10g}, {e:.2e}")
        ok &= e <= a.rtol
    if a.timoshenko:
        v = [float(x) for x in a.timoshenko.split(",")]
        want = timoshenko(*v)
        e = relerr(k["k1"], want)
        print(f"k1 = {k['k1']:.12g}, Timoshenko bimetal {want:.12g}, rel. error {e:.2e} (tol {a.rtol:g})")
        ok &= e <= a.rtol
    if a.zero_stress:
        s = state["max_inplane_stress_MPa"]
        worst = max(abs(x) for x in s.values() if x is not None)
        print(f"largest in-plane stress {worst:.3e} MPa (tol {a.atol_MPa:g}); curvature k1 {k['k1']:.3e} 1/m")
        ok &= worst <= a.atol_MPa
    if a.same_as:
        mine, other = json.load(open(a.summary))["states"], json.load(open(a.same_as))["states"]
        ok &= len(mine) == len(other)
        for s, o in zip(mine, other):
            for name in ("k1", "k2"):
                x, y = s["center_curvature_1_per_m"][name], o["center_curvature_1_per_m"][name]
                if x == 0 and y == 0:
                    continue
                e = relerr(x, y)
                print(f"{s['name']} {name}: {x:.15g} vs {y:.15g}, rel. difference {e:.2e} (tol {a.rtol:g})")
                ok &= e <= a.rtol
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
