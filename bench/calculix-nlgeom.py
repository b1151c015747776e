#!/usr/bin/env python3
"""Peer-code reference for the true curled shape (issue 15): a FULL square plate in CalculiX 2.20 with geometric
nonlinearity (NLGEOM), cooled in increments, with both principal centre curvatures over the load history.

The plate: the Cu 12 um / PI 25 um bilayer of tests/model/bilayer.yaml (E 120 / 7 GPa, nu 0.34 / 0.30, alpha 17.9 /
12 ppm/K, PI alpha_z 55), bonded stress-free at 350 C and cooled to 25 C, L = 10 mm. C3D20R, one element per layer
(--nz), N elements from the centre to each edge (2N across), graded toward the edges (--ratio). Rigid motion is
removed without reactions on any shape that keeps the two mirror symmetries of the problem: the bottom centre node
held in x, y, z, the top centre node in x, y (the centre normal stays vertical), and the next bottom node on the x axis
in y (no spin about z).

Imperfection (picks the branch): the sample is Lx x Ly with Lx / Ly = --size-ratio (default 1.001, Lx = L), and
the copper's in-plane CTE is alpha (1 + d) along x and alpha (1 - d) along y with d = --cte-anisotropy (default 0.01).

Load parameter: lambda = kappa0 a^2 / h with kappa0 = t kappa_sphere the linear (laminate theory, physics.md 2.3)
curvature at load fraction t, a = L / 2 the half side, h the total thickness. Curvatures: least-squares quadratic
(full basis 1, x, y, x^2, xy, y^2) of the deformed bottom and top faces, z + w against x + u, y + v, over the corner
nodes of the centre patch (as fcclsim's fit: 10 % of the half-length, at least 2.5 centre elements), averaged over
both faces; k1 (larger magnitude) and k2 are the principal values, and the ratio k2 / k1 shows the bifurcation
(1 on the sphere, -> 0 on the cylinder).

Printed against it: the uniform-curvature Ritz estimate of the bifurcation (physics.md 2.5, square plate,
C = V L^4 / 2 with V = 3.891e-4) for an equivalent homogeneous plate, both with the stack's effective thickness
h_eff = sqrt(12 D* / A) (A, D* the plane-stress membrane and bending stiffnesses about the neutral plane: the same
membrane-to-bending ratio as the stack) and with the total thickness h as physics.md writes it; the Ritz post-
bifurcation branch k1 = ((1 + nu) k0 + sqrt((1 + nu)^2 k0^2 - 4 kc^2)) / 2; and the cylinder limit of laminate
theory (physics.md 2.4, the 3 x 3 system, not the (1 + nu) shortcut).

--probe F adds two steps after the cool-down: forces F (N) at the four mid-edge nodes, up on one pair of edges and
down on the other, then released; if the curvatures come back, the shape the load history reached is stable.

  bench/calculix-nlgeom.py [--quick] [--n 8] [--ratio 0.3] [--nz 1] [--increments 40] [--size-ratio 1.001]
                           [--cte-anisotropy 0.01] [--probe F] [--keep DIR] [--csv FILE]

The default takes about 1.5 min. --quick (N 4, 20 increments, 15 s) checks the plumbing only: on that mesh the plate
does not bifurcate even with d = 0.01.

What it found (ccx 2.20, N 8, ratio 0.3, one element per layer, 9231 DOFs): with d = 0.01 the sphere splits early, the
minor centre curvature peaking at lambda = 2.2 (k2 = 1.65 1/m) against the Ritz lambda_cr = 3.1 (h_eff; 4.7 with h),
and at full load (lambda = 46) k1 = 90.5 1/m, 0.99 of the cylinder limit of the imperfect stack, k2 / k1 = -0.002;
with d = 0.05, k1 = 97.0 = 0.997 of its cylinder limit. With the size imperfection alone (d = 0) it never bifurcates:
the centre stays spherical (k1 = k2 = 11.9 1/m at lambda = 46, 0.17 of the linear curvature) and --probe 0.005
shows that state is stable (pushed to k2 / k1 = 0.07, released, back to k1 = k2 = 11.93).
"""
import argparse
import math
import os
import shutil
import sys
import tempfile

import calculix as cx  # noqa: E402

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASE = os.path.join(top, "tests", "model", "bilayer.yaml")
V_SQUARE = 3.891e-4  # integral of the deflection of a clamped unit square plate, D = q = 1 (physics.md 2.5)


def ritz(layers, h, ksph, L):
    """Uniform-curvature Ritz estimate (physics.md 2.5) for a square of side L: critical curvature kc, critical linear
    curvature k0c = 2 kc / (1 + nu), for the effective and for the total thickness; nu the stack's mean."""
    lt = cx.laminate_theory(layers, 1.0)
    nu = lt["nu_mean"]
    z, A, B, D = 0.0, 0.0, 0.0, 0.0
    for l in layers:
        t = l["t_um"] * 1e-6
        Q = l["E_GPa"] * 1e9 / (1 - l["nu"] ** 2)
        A += Q * t
        B += Q * ((z + t) ** 2 - z * z) / 2
        D += Q * ((z + t) ** 3 - z ** 3) / 3
        z += t
    h_eff = math.sqrt(12 * (D - B * B / A) / A)
    out = {"nu": nu, "h_eff": h_eff}
    for name, hh in (("eff", h_eff), ("h", h)):
        kc = hh / (L * L * math.sqrt(12 * (1 + nu) * V_SQUARE))
        out[name] = (kc, 2 * kc / (1 + nu))
    return out


def ritz_k1(k0, kc, nu):
    """Ritz major curvature at linear curvature k0 (sign of k0): the sphere branch k0 = k (1 + (1 - nu) / (1 + nu)
    k^2 / kc^2) below the bifurcation (1 + nu) |k0| = 2 kc, the ellipsoid k1 + k2 = (1 + nu) k0, k1 k2 = kc^2 above."""
    s = (1 + nu) * abs(k0)
    if s >= 2 * kc:
        return math.copysign(0.5 * (s + math.sqrt(s * s - 4 * kc * kc)), k0)
    c = (1 - nu) / ((1 + nu) * kc * kc)
    k = abs(k0)
    for _ in range(60):
        k -= (k * (1 + c * k * k) - abs(k0)) / (1 + 3 * c * k * k)
    return math.copysign(k, k0)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="N 4, 20 increments")
    p.add_argument("--L", type=float, default=10.0, help="side, mm")
    p.add_argument("--n", type=int, default=8, help="elements from the centre to each edge")
    p.add_argument("--ratio", type=float, default=0.3, help="edge / centre element size")
    p.add_argument("--nz", type=int, default=1, help="elements per layer")
    p.add_argument("--increments", type=int, default=40, help="at least this many load increments (ccx's automatic "
                   "incrementation, the increment capped at 1/increments)")
    p.add_argument("--size-ratio", type=float, default=1.001, help="Lx / Ly")
    p.add_argument("--cte-anisotropy", type=float, default=0.01, help="d: copper alpha_x = (1+d) alpha, alpha_y = (1-d) alpha")
    p.add_argument("--probe", type=float, default=0.0, help="after the cool-down, push the plate toward a cylinder "
                   "with this force (N) and release it: is the shape reached stable?")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--keep", help="keep the deck and results here")
    p.add_argument("--csv", help="also write the history to this CSV file")
    a = p.parse_args()
    if a.quick:
        a.n, a.increments = 4, 20
    layers, T0, T1 = cx.read_case(CASE)
    lt = cx.laminate_theory(layers, T1 - T0)
    ksph, h = lt["sphere"], lt["h"]
    Lx, Ly = a.L, a.L / a.size_ratio
    hx_mm, hy_mm = Lx / 2, Ly / 2
    xs = [-c for c in reversed(cx.graded_line(hx_mm, a.n, a.ratio))] + cx.graded_line(hx_mm, a.n, a.ratio)[1:]
    ys = [-c for c in reversed(cx.graded_line(hy_mm, a.n, a.ratio))] + cx.graded_line(hy_mm, a.n, a.ratio)[1:]
    zl = [0.0]
    for l in layers:
        zl.append(zl[-1] + l["t_um"] * 1e-3)
    m = cx.PlateMesh(xs, ys, zl, [a.nz] * len(layers))
    ic, kt = 2 * a.n, 2 * m.nzt  # centre index on the doubled grid, top k
    sets = {"NC0": [m.id[(ic, ic, 0)]], "NC1": [m.id[(ic, ic, kt)]], "NX": [m.id[(ic + 2, ic, 0)]]}
    boundary = dict(sets=sets, lines=["NC0, 1, 3", "NC1, 1, 2", "NX, 2, 2"])
    px = cx.patch_half_width(hx_mm, a.n, a.ratio)
    py = cx.patch_half_width(hy_mm, a.n, a.ratio)
    faces = {kk: [m.id[key] for key in m.id if key[2] == kk and key[0] % 2 == 0 and key[1] % 2 == 0
                  and abs(m.coord[m.id[key] - 1][0]) <= px * 1.5 and abs(m.coord[m.id[key] - 1][1]) <= py * 1.5]
             for kk in (0, kt)}
    corners = [m.id[(i, j, 0)] for i in (0, 4 * a.n) for j in (0, 4 * a.n)]
    # mid-edge nodes of the bottom face on the two centre lines: the chord curvature of the whole section
    ends = {"x": [m.id[(0, ic, 0)], m.id[(4 * a.n, ic, 0)]], "y": [m.id[(ic, 0, 0)], m.id[(ic, 4 * a.n, 0)]]}
    root = a.keep or tempfile.mkdtemp(prefix="calculix-nlgeom-")
    os.makedirs(root, exist_ok=True)
    dt = 1.0 / a.increments
    # automatic incrementation, at most dt per increment
    step = f"*STATIC\n{dt:.13e}, 1., 1e-6, {dt:.13e}"
    # copper is layer 0 in bilayer.yaml; the CTE anisotropy is given to it only
    d = a.cte_anisotropy
    deck_layers = [dict(l, cte_xy=(1 + d, 1 - d)) if i == 0 else l for i, l in enumerate(layers)]
    lt_imp = cx.laminate_theory(deck_layers, T1 - T0)
    kcyl = lt_imp["cylinder"] if abs(lt_imp["cylinder"]) >= abs(lt_imp["cylinder_y"]) else lt_imp["cylinder_y"]
    more = []
    if a.probe:
        # the mid-edge nodes of the y = +-Ly/2 edges pushed one way and those of x = +-Lx/2 the other (step 2), which
        # bends the plate toward a cylinder; then the forces are taken away (step 3, OP=NEW with none)
        sign = 1.0 if ksph > 0 else -1.0
        push = [f"{i}, 3, {sign * a.probe:.6e}" for i in ends["y"]] + [f"{i}, 3, {-sign * a.probe:.6e}" for i in ends["x"]]
        incr = ["*STEP, NLGEOM, INC=1000"] + step.split("\n")
        more = incr + ["*CLOAD"] + push + ["*END STEP"] + incr + ["*CLOAD, OP=NEW", "*END STEP"]
    cx.write_deck(os.path.join(root, "plate.inp"), m, deck_layers, T0, T1, boundary,
                  faces[0] + faces[kt] + corners + ends["x"] + ends["y"], step=step, nlgeom=True, more_steps=more)
    r = ritz(layers, h, ksph, a.L * 1e-3)
    a_half = a.L * 1e-3 / 2
    lam = lambda k: abs(k) * a_half ** 2 / h  # noqa: E731
    stack = " / ".join(f"{l['name']} {l['t_um']:g} um" for l in layers)
    print(f"NLGEOM, full plate {Lx:g} x {Ly:.6g} mm (Lx/Ly = {a.size_ratio:g}), copper CTE anisotropy d = "
          f"{a.cte_anisotropy:g}; {stack}; "
          f"C3D20R {2 * a.n} x {2 * a.n} x {m.nzt}, edge ratio {a.ratio:g}, {m.dofs()} DOFs, {a.increments} increments")
    print(f"laminate theory (bench/calculix.py): sphere {ksph:.6g} 1/m (lambda = kappa0 a^2/h = {lam(ksph):.2f} at "
          f"full load), cylinder limit {lt['cylinder']:.6g} 1/m = {lt['cylinder'] / ksph:.4f} x sphere; with the CTE "
          f"imperfection: cylinder about y {lt_imp['cylinder']:.6g}, about x {lt_imp['cylinder_y']:.6g} (kcyl: the larger)")
    print(f"Ritz (physics.md 2.5, nu = {r['nu']:.3f}): h_eff = {r['h_eff'] * 1e6:.2f} um: critical kappa0 = "
          f"{r['eff'][1]:.3g} 1/m (lambda_cr = {lam(r['eff'][1]):.2f}), kappa_cr = {r['eff'][0]:.3g}; with h = "
          f"{h * 1e6:.0f} um: kappa0 = {r['h'][1]:.3g} (lambda_cr = {lam(r['h'][1]):.2f})")
    wall, mb, log = cx.run_ccx(root, "plate", a.threads)
    blocks = cx.read_dat_displacements(os.path.join(root, "plate.dat"))
    print(f"ccx: {wall:.1f} s, peak {mb:.0f} MB, {len(blocks)} converged increments")
    print("k1, k2: principal centre curvatures; kx_ch, ky_ch: chord curvatures of the centre lines from the centre to "
          "the edges, 2 dz / (dx^2 + dz^2), deformed coordinates")
    print(f"{'t':>6} {'lambda':>7} {'k1 1/m':>11} {'k2 1/m':>11} {'k2/k1':>7} {'k1/k0':>7} {'k1/kcyl':>8} "
          f"{'Ritz k1/k0':>10} {'kx_ch 1/m':>10} {'ky_ch 1/m':>10} {'corner w mm':>11}")
    nu, kc, c0 = r["nu"], r["eff"][0], m.id[(ic, ic, 0)]

    def measure(u):
        """Principal centre curvatures, the fitted components, the chord curvatures and the corner deflection."""
        fits = []
        for kk in (0, kt):
            pts = []
            for i in faces[kk]:
                x, y, z = m.coord[i - 1]
                pts.append((x + u[i][0], y + u[i][1], z + u[i][2]))
            fits.append(cx.fit_curvature(pts, px, py, False))
        kxx, kyy, kxy = (1e3 * 0.5 * (f0 + f1) for f0, f1 in zip(*fits))
        chord = []
        for i0, i1 in (ends["x"], ends["y"]):
            ks = []
            for i in (i0, i1):
                d = [m.coord[i - 1][q] + u[i][q] - m.coord[c0 - 1][q] - u[c0][q] for q in range(3)]
                ks.append(-2e3 * d[2] / (d[0] ** 2 + d[1] ** 2 + d[2] ** 2))
            chord.append(0.5 * sum(ks))
        wc = sum(u[i][2] for i in corners) / 4 - u[c0][2]
        return cx.principal(kxx, kyy, kxy) + (kxx, kyy, kxy) + tuple(chord) + (wc,)

    # the load step's increments end at t = 1; with --probe two more steps follow
    segments, cur = [], []
    for t, u in blocks:
        cur.append((t, u))
        if abs(t - round(t)) < 1e-6 and round(t) >= 1:
            segments.append(cur)
            cur = []
    rows = []
    for t, u in segments[0] if segments else blocks:
        k0 = t * ksph
        k1, k2, kxx, kyy, kxy, chx, chy, wc = measure(u)
        rk1 = ritz_k1(k0, kc, nu) / k0 if t > 0 else 1.0
        rows.append((t, lam(k0), k1, k2, kxx, kyy, kxy, rk1, chx, chy, wc))
        print(f"{t:>6.3f} {lam(k0):>7.2f} {k1:>11.5g} {k2:>11.5g} {k2 / k1:>7.3f} {k1 / k0:>7.4f} {k1 / kcyl:>8.4f} "
              f"{rk1:>10.4f} {chx:>10.4g} {chy:>10.4g} {wc:>11.4g}")
    for name, seg in zip(("pushed toward a cylinder", "released"), segments[1:]):
        k1, k2, kxx, kyy, kxy, chx, chy, wc = measure(seg[-1][1])
        print(f"probe, {name}: k1 {k1:.5g}, k2 {k2:.5g} (k2/k1 {k2 / k1:.3f}), chord kx {chx:.4g}, ky {chy:.4g}, "
              f"corner w {wc:.4g} mm")
    # on the Ritz branch the minor curvature is largest at the bifurcation and falls after it: take its maximum, if
    # it then falls by half, as the (imperfect) bifurcation
    peak = max(rows, key=lambda row: abs(row[3])) if rows else None
    fell = peak is not None and abs(rows[-1][3]) < 0.5 * abs(peak[3])
    print("bifurcation (the minor curvature's maximum, when it then falls by half): " +
          (f"lambda = {peak[1]:.2f} (t = {peak[0]:.3f}, k2 = {peak[3]:.4g} 1/m); Ritz lambda_cr = "
           f"{lam(r['eff'][1]):.2f} (h_eff) or {lam(r['h'][1]):.2f} (h)" if fell else "none: the shape stays two-way curved"))
    if rows:
        last = rows[-1]
        print(f"at full load: k1 = {last[2]:.6g} 1/m = {last[2] / kcyl:.4f} x the cylinder limit, k2 / k1 = "
              f"{last[3] / last[2]:.3f}; Ritz k1 = {last[7] * ksph * last[0]:.6g}")
    if a.csv:
        with open(a.csv, "w") as f:
            f.write("t,lambda,k1_1_per_m,k2_1_per_m,kxx,kyy,kxy,ritz_k1_over_k0,kx_chord,ky_chord,corner_w_mm\n")
            for row in rows:
                f.write(",".join(f"{v:.10g}" for v in row) + "\n")
    if not a.keep:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
