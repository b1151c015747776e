#!/usr/bin/env python3
"""Checks of a process history's summary.json (fcclsim), one subcommand per property:

  theory   SUMMARY --reference sphere|cylinder --rtol R   every state's centre curvature k1 against the in-code
           laminate-theory process reference, relative to the largest |curvature| of the history (see below)
  same     A B --rtol R [--states s1,s2]                  the named states of two runs agree (k1, k2 and the
           laminate reference)
  equal    SUMMARY --states a,b[,c] --rtol R              states of one run agree with each other
  zero-stress SUMMARY --state S --atol-MPa A              every active layer's largest in-plane stress
  difference ONE TEN --state S --rtol R --min-rel M       the change of k1 between two runs equals the change of the
           laminate reference between them, and that change is at least M of |k1| (so the check can see it)

Relative errors of a history are taken against the largest |k| of the history: states such as a pressed bond or a
flat double-sided laminate have curvatures 100-1000 times smaller than the one-sided ones, and what separates the
finite elements from plate theory there (free-edge effects, discretisation) is an absolute amount set by the loads of
the history, not by the small curvature itself."""
import argparse
import json
import sys


def states(path):
    return {s["name"]: s for s in json.load(open(path))["states"]}


def k1(state):
    return state["center_curvature_1_per_m"]["k1"]


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def theory(a):
    st = states(a.summary)
    scale = max(abs(s["laminate_theory_1_per_m"][a.reference]) for s in st.values())
    if scale == 0:
        fail("the history never curls: nothing to compare")
    worst = 0.0
    for name, s in st.items():
        ref = s["laminate_theory_1_per_m"][a.reference]
        err = abs(k1(s) - ref) / scale
        worst = max(worst, err)
        print(f"{name:14s} k1 {k1(s):+.10e}  theory {ref:+.10e}  error/scale {err:.2e}")
    print(f"largest error {worst:.2e} of the history's largest curvature {scale:.4g} 1/m (tolerance {a.rtol:g})")
    if worst > a.rtol:
        fail("finite elements and laminate theory disagree")


def compare(sa, sb, names, rtol, label):
    worst = 0.0
    scale = max(max(abs(k1(s)) for s in sa.values()), 1e-300)
    for n in names:
        for key in ("k1", "k2"):
            x, y = sa[n]["center_curvature_1_per_m"][key], sb[n]["center_curvature_1_per_m"][key]
            err = abs(x - y) / scale
            worst = max(worst, err)
            print(f"{label} {n:14s} {key} {x:+.14e} vs {y:+.14e}  diff/scale {err:.2e}")
    print(f"largest difference {worst:.2e} (tolerance {rtol:g})")
    if worst > rtol:
        fail("the states differ")


def same(a):
    sa, sb = states(a.a), states(a.b)
    names = a.states.split(",") if a.states else list(sa)
    compare(sa, sb, names, a.rtol, "run")


def equal(a):
    st = states(a.summary)
    names = a.states.split(",")
    first = {names[0]: st[names[0]]}
    for n in names[1:]:
        compare(first, {names[0]: st[n]}, [names[0]], a.rtol, f"{names[0]}~{n}")


def zero_stress(a):
    s = states(a.summary)[a.state]
    worst = max(v for v in s["max_inplane_stress_MPa"].values() if v is not None)
    print(f"{a.state}: largest in-plane stress {worst:.3e} MPa (tolerance {a.atol_MPa:g})")
    if worst > a.atol_MPa:
        fail("the remaining layer is stressed")


def difference(a):
    one, ten = states(a.one)[a.state], states(a.ten)[a.state]
    d_fe = k1(ten) - k1(one)
    d_th = ten["laminate_theory_1_per_m"][a.reference] - one["laminate_theory_1_per_m"][a.reference]
    print(f"{a.state}: k1 changes by {d_fe:+.6e} 1/m ({d_fe / k1(one):+.3e} relative); laminate theory by {d_th:+.6e}")
    if abs(d_th) < a.min_rel * abs(k1(one)):
        fail("the expected difference is too small to check")
    err = abs(d_fe - d_th) / abs(d_th)
    print(f"relative error of the change {err:.2e} (tolerance {a.rtol:g})")
    if err > a.rtol:
        fail("the change from splitting differs from laminate theory's")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("theory")
    t.add_argument("summary")
    t.add_argument("--reference", choices=["sphere", "cylinder"], required=True)
    t.add_argument("--rtol", type=float, required=True)
    s = sub.add_parser("same")
    s.add_argument("a")
    s.add_argument("b")
    s.add_argument("--states")
    s.add_argument("--rtol", type=float, required=True)
    e = sub.add_parser("equal")
    e.add_argument("summary")
    e.add_argument("--states", required=True)
    e.add_argument("--rtol", type=float, required=True)
    z = sub.add_parser("zero-stress")
    z.add_argument("summary")
    z.add_argument("--state", required=True)
    z.add_argument("--atol-MPa", type=float, required=True)
    d = sub.add_parser("difference")
    d.add_argument("one")
    d.add_argument("ten")
    d.add_argument("--state", required=True)
    d.add_argument("--reference", choices=["sphere", "cylinder"], required=True)
    d.add_argument("--rtol", type=float, required=True)
    d.add_argument("--min-rel", type=float, required=True)
    a = p.parse_args()
    {"theory": theory, "same": same, "equal": equal, "zero-stress": zero_stress, "difference": difference}[a.cmd](a)


if __name__ == "__main__":
    main()
