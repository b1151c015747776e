#!/usr/bin/env python3
"""check-pattern.py: properties of the curl maps (curlmap-STATE.csv) of patterned runs.

  check-pattern.py mirror MAP.csv --axis y --rtol R
      a pattern and a mesh symmetric about the plane y = 0 (x = 0 with --axis x) give a symmetric map: at every node
      kappa_xx and kappa_yy equal their values at the mirrored node, and kappa_xy the opposite, to R of the largest
      |kappa|
  check-pattern.py quadrant QUARTER.csv FULL.csv --clear-mm D --rtol R
      a pattern symmetric about both planes: the quarter model's map equals the full model's at every node of the
      quadrant x, y >= D, free edges included, to R of the largest |kappa|. D: the maps' patch radius, since a
      quarter model's patches stop at its symmetry planes where the full model's reach across
  check-pattern.py centre SUMMARY.json --state S --against sphere|cylinder --rtol R
      the state's centre curvature k1 equals laminate theory's (the homogenized layer's, summary.json) to R
  check-pattern.py warpage SUMMARY.json --half-mm A,B --rtol R
      a uniform state's surface is w = -(kxx x^2 + kyy y^2) / 2 about the centre, so its peak-to-valley over the
      sample [-A, A] x [-B, B] (2D: B = 0) is (|kxx| A^2 + |kyy| B^2) / 2 when kxx and kyy share a sign: every
      curled state's warpage_mm against that, from its centre curvature, to R
  check-pattern.py two-strip RUN_L RUN_2L --layers T,E,NU,ALPHA/T,E,NU,ALPHA --dT K --rtol R
      2D, a bilayer whose bottom layer is kept on x < 0 only (bilayer.yaml; the layers' thickness m, modulus Pa,
      Poisson ratio and CTE 1/K, bottom first, as bilayer.yaml gives them, and the temperature change since the
      stress-free cure). The 2D model is a generalized plane strain section: one out-of-plane strain e for the whole
      section, no out-of-plane curvature. Far from the joint and the ends each half is then in its laminate state
      under that shared e, and e makes the section's out-of-plane force vanish (half the section each): the left
      half's curvature k_L follows, and the right half, one layer with a uniform eigenstrain, stays flat. Checked:
      the same laminate theory gives the free bilayer's cylinder of summary.json's 'cooled' state (to 1e-9: the
      layer data match the case); at x = -L/4 the curvature is k_L to R at length L, and its departure from k_L
      halves when the sample doubles (the joint's and the ends' boundary layers, of the order of the thickness, act
      as 1/L; ratio 2 to 10 %); at x = +L/4 |kappa| <= 1e-7 k_L."""
import argparse
import csv
import math
import json
import sys

COLS = ("kappa_xx_1_per_m", "kappa_yy_1_per_m", "kappa_xy_1_per_m")


def load(path):
    nodes = {}
    with open(path) as f:
        for row in csv.DictReader(f):
            nodes[(round(float(row["x_mm"]), 6), round(float(row["y_mm"]), 6))] = [float(row[c]) for c in COLS]
    return nodes


def report(worst, where, n, tol):
    print("%d nodes: largest difference %.3e of the largest |kappa| (at x, y = %s mm; tol %g)" % (n, worst, where, tol))
    ok = n > 0 and worst <= tol
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


def strip_terms(layer, z0, dT, rows, cols):
    """Adds one layer's N_x, M_x and N_y (sigma_zz = 0, eps_x = a + k z, eps_y = e, eigenstrain alpha dT in plane)
    to the equations rows, in the unknowns cols = (a, k, e) indices; returns the layer's top height"""
    t, E, nu, alpha = layer
    Q, es, z1 = E / (1 - nu * nu), alpha * dT, z0 + t
    I0, I1, I2 = z1 - z0, (z1 ** 2 - z0 ** 2) / 2, (z1 ** 3 - z0 ** 3) / 3
    ia, ik, ie = cols
    for r, (w0, w1), mx in ((0, (I0, I1), 1.0), (1, (I1, I2), 1.0)):  # N_x, M_x: sigma_xx = Q (eps_x - es) + Q nu (e - es)
        if rows[r] is None:
            continue
        rows[r][0][ia] += Q * w0
        if ik is not None:
            rows[r][0][ik] += Q * w1
        rows[r][0][ie] += Q * nu * w0
        rows[r][1] += Q * (1 + nu) * es * w0
    rows[2][0][ia] += Q * nu * I0  # N_y: sigma_yy = Q nu (eps_x - es) + Q (e - es)
    if ik is not None:
        rows[2][0][ik] += Q * nu * I1
    rows[2][0][ie] += Q * I0
    rows[2][1] += Q * (1 + nu) * es * I0
    return z1


def solve(A, b):
    n = len(b)
    M = [A[i][:] + [b[i]] for i in range(n)]
    for c in range(n):
        piv = max(range(c, n), key=lambda r: abs(M[r][c]))
        M[c], M[piv] = M[piv], M[c]
        for r in range(n):
            if r != c:
                f = M[r][c] / M[c][c]
                M[r] = [x - f * y for x, y in zip(M[r], M[c])]
    return [M[i][n] / M[i][i] for i in range(n)]


def two_strip(o):
    layers = [tuple(float(v) for v in l.split(",")) for l in o.layers.split("/")]
    # the free bilayer, cylinder (e free, N_y = 0): unknowns a, k, e
    rows = [[[0.0] * 3, 0.0] for _ in range(3)]
    z = 0.0
    for l in layers:
        z = strip_terms(l, z, o.dT, rows, (0, 1, 2))
    k_free = solve([r[0] for r in rows], [r[1] for r in rows])[1]
    # two strips: unknowns a_L, k_L, a_R, e; N_x and M_x of the left, N_x of the right (one layer: flat), N_y of both
    A = [[0.0] * 4 for _ in range(4)]
    b = [0.0] * 4
    left = [[A[0], 0.0], [A[1], 0.0], [A[3], 0.0]]
    z = 0.0
    for l in layers:
        z = strip_terms(l, z, o.dT, left, (0, 1, 3))
    right = [[A[2], 0.0], None, [A[3], 0.0]]
    strip_terms(layers[1], layers[0][0], o.dT, right, (2, None, 3))
    b[0], b[1], b[2], b[3] = left[0][1], left[1][1], right[0][1], left[2][1] + right[2][1]
    k_L = solve(A, b)[1]
    ok = True
    runs = []
    for run in (o.files[0], o.files[1]):
        st = {s["name"]: s for s in json.load(open(run + "/summary.json"))["states"]}
        ref = st["cooled"]["laminate_theory_1_per_m"]["cylinder"]
        d = abs(abs(k_free) - abs(ref)) / abs(ref)
        print("%s: free bilayer cylinder %.10g, summary.json %.10g (%.1e)" % (run, abs(k_free), ref, d))
        ok = ok and d <= 1e-9
        m = load(run + "/curlmap-etched.csv")
        L = 2 * max(x for x, _ in m)
        at = lambda x: m[min(m, key=lambda key: abs(key[0] - x))][0]
        kl, kr = at(-L / 4), at(L / 4)
        dl = abs(kl - abs(k_L)) / abs(k_L)
        print("  L = %g mm: x = -L/4 kappa %.10g against the two-strip %.10g: %.3e (tol %g); x = +L/4 kappa %.3e" % (L, kl, abs(k_L), dl, o.rtol, kr))
        ok = ok and dl <= o.rtol and abs(kr) <= 1e-7 * abs(k_L)
        runs.append(dl)
    ratio = runs[0] / runs[1] if runs[1] > 0 else float("inf")
    print("departure ratio L / 2L: %.3f (expected 2 to 10 %%)" % ratio)
    ok = ok and abs(ratio - 2) <= 0.2
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


def plate_terms(layer, z0, dT):
    """One isotropic layer from z0 (thickness, modulus, Poisson ratio, CTE), eigenstrain alpha dT in plane, sigma_zz
    = 0: its stiffness in (eps_x, eps_y, k_x, k_y) -> (N_x, N_y, M_x, M_y), eps_i(z) = e_i + z k_i, and its thermal
    resultants; returns (K 4x4, r 4, top height)"""
    t, E, nu, alpha = layer
    Q, es, z1 = E / (1 - nu * nu), alpha * dT, z0 + t
    I = (z1 - z0, (z1 ** 2 - z0 ** 2) / 2, (z1 ** 3 - z0 ** 3) / 3)
    q = ((Q, Q * nu), (Q * nu, Q))
    K = [[q[i % 2][j % 2] * I[i // 2 + j // 2] for j in range(4)] for i in range(4)]
    r = [Q * (1 + nu) * es * I[i // 2] for i in range(4)]
    return K, r, z1


def striped(strips, dT, three_d):
    """Lines along y, pitch small against the sample and wide against the thickness: strips in series across x and
    in parallel along y. strips: [(fraction, [(z0, layer), ...]), ...]. Each strip is free across (its own e_x, k_x:
    N_x = M_x = 0); along y they share e_y and k_y (3D: the section's N_y and M_y vanish; 2D, the generalized plane
    strain section: k_y = 0, N_y vanishes). Returns (mean k_x over x, k_y)."""
    parts = []
    for f, layers in strips:
        K, r = [[0.0] * 4 for _ in range(4)], [0.0] * 4
        for z0, l in layers:
            Kl, rl, _ = plate_terms(l, z0, dT)
            K = [[K[i][j] + Kl[i][j] for j in range(4)] for i in range(4)]
            r = [r[i] + rl[i] for i in range(4)]
        parts.append((f, K, r))
    # the shared (e_y, k_y) solve the section's N_y = M_y = 0 (2D: N_y = 0, k_y = 0) after each strip's (e_x, k_x)
    # are eliminated; each strip's response is linear in (e_y, k_y)
    def strip_x(K, r, ey, ky):
        """(e_x, k_x) of a strip given (e_y, k_y): N_x = M_x = 0 (a layer alone has no k_x: single-layer strips then
        use N_x only)"""
        A = [[K[0][0], K[0][2]], [K[2][0], K[2][2]]]
        b = [r[0] - K[0][1] * ey - K[0][3] * ky, r[2] - K[2][1] * ey - K[2][3] * ky]
        return solve(A, b)

    def along(ey, ky):
        N = M = 0.0
        for f, K, r in parts:
            ex, kx = strip_x(K, r, ey, ky)
            e = (ex, ey, kx, ky)
            N += f * (sum(K[1][j] * e[j] for j in range(4)) - r[1])
            M += f * (sum(K[3][j] * e[j] for j in range(4)) - r[3])
        return N, M
    # linear: build the 2x2 (or 1x1) system from unit responses
    n0, m0 = along(0.0, 0.0)
    n1, m1 = along(1.0, 0.0)
    if three_d:
        n2, m2 = along(0.0, 1.0)
        ey, ky = solve([[n1 - n0, n2 - n0], [m1 - m0, m2 - m0]], [-n0, -m0])
    else:
        ey, ky = -n0 / (n1 - n0), 0.0
    kx = sum(f * strip_x(K, r, ey, ky)[1] for f, K, r in parts)
    return kx, ky


def lines(o):
    """check-pattern.py lines RUN... --widths-mm W... --layers ... --dT K [--3d] --tw-tol C --min-rate R"""
    layers = [tuple(float(v) for v in l.split(",")) for l in o.layers.split("/")]
    z, stacked = 0.0, []
    for l in layers:
        stacked.append((z, l))
        z += l[0]
    t = z
    kx, ky = striped([(0.5, stacked), (0.5, stacked[1:])], o.dT, o.three_d)
    widths = [float(w) for w in o.widths_mm.split(",")]
    ok, devs = len(widths) == len(o.files), []
    # the same theory with one stack everywhere is the free bilayer: summary.json's laminate theory of 'cooled'
    # (sphere in 3D, the cylinder of the 2D section), which also checks that the layer data match the case
    k_one = striped([(0.5, stacked), (0.5, stacked)], o.dT, o.three_d)[0]
    ref = {st["name"]: st for st in json.load(open(o.files[0] + "/summary.json"))["states"]}["cooled"]["laminate_theory_1_per_m"]["sphere" if o.three_d else "cylinder"]
    d = abs(abs(k_one) - abs(ref)) / abs(ref)
    print("one stack everywhere: %.10g, summary.json's laminate theory %.10g (%.1e, tol 1e-9)" % (abs(k_one), abs(ref), d))
    ok = ok and d <= 1e-9
    kx, ky = abs(kx), abs(ky)
    for run, w in zip(o.files, widths):
        m = load(run + "/curlmap-etched.csv")
        L = 2 * max(x for x, _ in m)
        inner = [v for (x, y), v in m.items() if abs(x) <= L / 4 and abs(y) <= L / 4]
        got_x = sum(v[0] for v in inner) / len(inner)
        got_y = sum(v[1] for v in inner) / len(inner)
        tw = t / (w * 1e-3)
        dx = abs(got_x - kx) / abs(kx)
        print("w = %g mm (t/w %.4f): mean kappa_xx over |x|, |y| <= L/4 (%d nodes) %.8g, striped laminate %.8g: %.3e = %.3f t/w (tol %g t/w)" % (w, tw, len(inner), got_x, kx, dx, dx / tw, o.tw_tol, ))
        ok = ok and dx <= o.tw_tol * tw
        if o.three_d:
            dy = abs(got_y - ky) / abs(ky)
            print("    mean kappa_yy %.8g, striped laminate %.8g: %.3e = %.3f t/w (tol %g t/w)" % (got_y, ky, dy, dy / tw, o.tw_tol_along))
            ok = ok and dy <= o.tw_tol_along * tw
        devs.append((w, dx))
    for (w0, d0), (w1, d1) in zip(devs, devs[1:]):
        rate = math.log(d1 / d0) / math.log(w0 / w1)
        print("w %g -> %g mm: the departure grows at rate %.2f in 1/w (at least %g)" % (w0, w1, rate, o.min_rate))
        ok = ok and rate >= o.min_rate
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["mirror", "quadrant", "centre", "two-strip", "warpage", "lines"])
    p.add_argument("--half-mm")
    p.add_argument("files", nargs="+")
    p.add_argument("--axis", choices=["x", "y"], default="y")
    p.add_argument("--state")
    p.add_argument("--against", choices=["sphere", "cylinder"])
    p.add_argument("--clear-mm", type=float, default=0.0)
    p.add_argument("--layers")
    p.add_argument("--dT", type=float)
    p.add_argument("--rtol", type=float)
    p.add_argument("--widths-mm")
    p.add_argument("--tw-tol", type=float, default=0.0)
    p.add_argument("--tw-tol-along", type=float, default=0.0)
    p.add_argument("--min-rate", type=float, default=0.0)
    p.add_argument("--3d", dest="three_d", action="store_true")
    o = p.parse_args()
    if o.mode == "two-strip":
        two_strip(o)
    if o.mode == "lines":
        lines(o)
        return
    if o.mode == "warpage":
        A, B = (float(v) for v in o.half_mm.split(","))
        ok, n = True, 0
        for st in json.load(open(o.files[0]))["states"]:
            k = st["center_curvature_1_per_m"]
            if k["k1"] == 0:
                continue
            want = (abs(k["xx"]) * A * A + abs(k["yy"]) * B * B) / 2 * 1e-3  # mm
            d = abs(st["warpage_mm"] - want) / want
            print("%s: warpage %.9g mm, from the centre curvature %.9g mm: %.2e (tol %g)" % (st["name"], st["warpage_mm"], want, d, o.rtol))
            ok, n = ok and d <= o.rtol, n + 1
        ok = ok and n > 0
        print("PASS" if ok else "FAIL")
        sys.exit(0 if ok else 1)
    if o.mode == "centre":
        st = [s for s in json.load(open(o.files[0]))["states"] if s["name"] == o.state]
        if not st:
            sys.exit("FAIL: no state %s" % o.state)
        k, ref = st[0]["center_curvature_1_per_m"]["k1"], st[0]["laminate_theory_1_per_m"][o.against]
        d = abs(k - ref) / abs(ref)
        print("k1 = %.10g, laminate theory %.10g: %.3e (tol %g)" % (k, ref, d, o.rtol))
        print("PASS" if d <= o.rtol else "FAIL")
        sys.exit(0 if d <= o.rtol else 1)
    a = load(o.files[0])
    scale = max(abs(v) for k in a.values() for v in k)
    worst, where, n = 0.0, None, 0
    if o.mode == "mirror":
        for (x, y), ka in a.items():
            kb = a.get((-x, y) if o.axis == "x" else (x, -y))
            if kb is None:
                sys.exit("FAIL: the map has no node at the mirror of (%g, %g)" % (x, y))
            n += 1
            d = max(abs(ka[0] - kb[0]), abs(ka[1] - kb[1]), abs(ka[2] + kb[2])) / scale
            if d > worst:
                worst, where = d, (x, y)
    else:
        b = load(o.files[1])
        scale = max(abs(v) for k in b.values() for v in k)
        for key, ka in a.items():
            if min(key) < o.clear_mm:
                continue
            kb = b.get(key)
            if kb is None:
                sys.exit("FAIL: the full map has no node at (%g, %g)" % key)
            n += 1
            d = max(abs(x - y) for x, y in zip(ka, kb)) / scale
            if d > worst:
                worst, where = d, key
    report(worst, where, n, o.rtol)


if __name__ == "__main__":
    main()
