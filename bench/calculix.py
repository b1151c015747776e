"""What bench/vs-calculix and bench/calculix-nlgeom.py share: the stack read from a fcclsim case file, classical laminate
theory computed here (independently of fcclsim's solver/laminate.c), a structured C3D20R(20-node hexahedron) mesh of
a layered plate graded like fcclsim's, a CalculiX deck for a uniform temperature change from a stress-free
temperature, running ccx with its time and peak memory, reading its .dat node output, and the centre-curvature fit
that fcclsim uses (solver/curl.c), applied to the other code's nodes.

Units in the decks: mm, N, MPa (so E in MPa, lengths in mm); curvatures are reported in 1/m.
"""
import math
import os
import re
import subprocess
import time

import yaml


# ---------------------------------------------------------------------------------------------------- the stack


def read_case(path):
    """Layers bottom first as dicts {name, t_um, E_GPa, nu, alpha, alpha_z} (ppm/K) and (T_stress_free, T_final) in C,
    from a fcclsim case with temperature-independent `material_NAME_*` keys and a bond-all-then-cool `steps:` list."""
    case = yaml.safe_load(open(path))
    layers = []
    for entry in case["layers"]:
        (name, spec), = entry.items()
        mat = case["material_" + spec["material"]]
        layers.append(dict(name=name, t_um=float(spec["thickness_um"]), E_GPa=float(mat["E_GPa"]), nu=float(mat["nu"]),
                           alpha=float(mat["alpha_ppm_per_K"]),
                           alpha_z=float(mat.get("alpha_z_ppm_per_K", mat["alpha_ppm_per_K"]))))
    steps = [list(s.values())[0] for s in case["steps"]]
    bond = [s for s in steps if s["type"] == "bond"]
    cool = [s for s in steps if s["type"] == "temperature"]
    if len(bond) != 1 or len(cool) != 1 or len(bond[0]["layers"]) != len(layers):
        raise SystemExit(f"{path}: expected one bond of all layers and one temperature step")
    return layers, float(bond[0]["temperature_C"]), float(cool[0]["temperature_C"])


def laminate_theory(layers, dT):
    """Classical lamination theory of an isotropic-ply stack under eigenstrains alpha_i dT (physics.md 2.3, 2.4):
    the equibiaxial (sphere) curvature and the cylindrical large-deflection limit (N_x = N_y = 0, M_x = 0,
    kappa_y = 0), both in 1/m with kappa > 0 when the top face is convex. Also returns the total thickness (m) and
    the mean Poisson ratio weighted by the plane-stress modulus times thickness (for the Ritz estimate). A layer's
    optional "cte_xy" = (sx, sy) scales its eigenstrain along x and y; "cylinder" then bends about y (kappa_x) and
    "cylinder_y" about x; "sphere" is defined only without it."""
    z = [0.0]
    for l in layers:
        z.append(z[-1] + l["t_um"] * 1e-6)
    A = B = D = N = M = 0.0
    for l, z0, z1 in zip(layers, z, z[1:]):
        E, nu, eps = l["E_GPa"] * 1e9, l["nu"], l["alpha"] * 1e-6 * dT
        Mb, t, S, I = E / (1 - nu), z1 - z0, (z1 * z1 - z0 * z0) / 2, (z1 ** 3 - z0 ** 3) / 3
        A += Mb * t
        B += Mb * S
        D += Mb * I
        N += Mb * eps * t
        M += Mb * eps * S
    # kappa = -w'' > 0 with the top convex: the strain grows with z, eps = eps0 + kappa z (physics.md 2.3)
    wsum = sum(l["E_GPa"] / (1 - l["nu"] ** 2) * l["t_um"] for l in layers)
    nu_mean = sum(l["nu"] * l["E_GPa"] / (1 - l["nu"] ** 2) * l["t_um"] for l in layers) / wsum
    return dict(sphere=(A * M - B * N) / (A * D - B * B), cylinder=_cylinder(layers, z, dT, 0),
                cylinder_y=_cylinder(layers, z, dT, 1), h=z[-1], nu_mean=nu_mean)


def _cylinder(layers, z, dT, axis):
    """Cylinder bending along `axis` (0: kappa_x): unknowns eps_b0, eps_o0, kappa_b with N_b = N_o = 0, M_b = 0 and
    no curvature in the other direction o; sigma_b = Q [(eps_b0 + kappa_b z - e_b) + nu (eps_o0 - e_o)]."""
    rows = [[0.0] * 3 for _ in range(3)]
    rhs = [0.0] * 3
    for l, z0, z1 in zip(layers, z, z[1:]):
        nu, eps = l["nu"], l["alpha"] * 1e-6 * dT
        Q = l["E_GPa"] * 1e9 / (1 - nu * nu)
        sc = l.get("cte_xy", (1.0, 1.0))
        eb, eo = eps * sc[axis], eps * sc[1 - axis]
        t, S, I = z1 - z0, (z1 * z1 - z0 * z0) / 2, (z1 ** 3 - z0 ** 3) / 3
        for r, (c, f) in enumerate([((t, nu * t, S), (t, nu * t)), ((nu * t, t, nu * S), (nu * t, t)),
                                    ((S, nu * S, I), (S, nu * S))]):
            for j in range(3):
                rows[r][j] += Q * c[j]
            rhs[r] += Q * (f[0] * eb + f[1] * eo)
    return _solve3(rows, rhs)[2]


def _solve3(a, b):
    a = [row[:] + [v] for row, v in zip(a, b)]
    for k in range(3):
        p = max(range(k, 3), key=lambda i: abs(a[i][k]))
        a[k], a[p] = a[p], a[k]
        for i in range(k + 1, 3):
            f = a[i][k] / a[k][k]
            for j in range(k, 4):
                a[i][j] -= f * a[k][j]
    x = [0.0] * 3
    for k in (2, 1, 0):
        x[k] = (a[k][3] - sum(a[k][j] * x[j] for j in range(k + 1, 3))) / a[k][k]
    return x


# ---------------------------------------------------------------------------------------------------- the mesh


def graded_line(half, n, ratio):
    """n + 1 coordinates from 0 to half; element sizes grow geometrically from the centre (0) to the edge (half) so
    that size(edge) / size(centre) = ratio (fcclsim's -mesh_edge_ratio: Gmsh "Progression" ratio^(1/(n-1)))."""
    q = ratio ** (1.0 / (n - 1)) if n > 1 else 1.0
    sizes = [q ** i for i in range(n)]
    total = sum(sizes)
    c, x = [0.0], 0.0
    for s in sizes:
        x += s
        c.append(half * x / total)
    c[-1] = half
    return c


def centre_element_size(half, n, ratio):
    return graded_line(half, n, ratio)[1]


class PlateMesh:
    """Structured 20-node hexahedra over [x0, x1] x [y0, y1] x [0, h], layer by layer (nz[l] elements in layer l).
    xs, ys, zs are the corner coordinates (mm); the mid-edge nodes sit halfway. Node (i, j, k) on the doubled grid
    exists when at most one of i, j, k is odd."""

    def __init__(self, xs, ys, layer_z, nz, reverse=False):
        self.xs, self.ys = xs, ys
        self.zs, self.layer_of_ez = [0.0], []
        for l, ((z0, z1), n) in enumerate(zip(zip(layer_z, layer_z[1:]), nz)):
            for e in range(n):
                self.zs.append(z0 + (z1 - z0) * (e + 1) / n)
                self.layer_of_ez.append(l)
        self.zs[-1] = layer_z[-1]
        self.nx, self.ny, self.nzt = len(xs) - 1, len(ys) - 1, len(self.zs) - 1
        self.id = {}
        self.coord = []
        for k in range(2 * self.nzt + 1):
            for j in range(2 * self.ny + 1):
                for i in range(2 * self.nx + 1):
                    if (i & 1) + (j & 1) + (k & 1) <= 1:
                        self.id[(i, j, k)] = len(self.coord) + 1
                        self.coord.append((_mid(xs, i), _mid(ys, j), _mid(self.zs, k)))
        if reverse:  # the same mesh numbered backwards: in exact arithmetic nothing changes
            self.id = {key: len(self.coord) + 1 - n for key, n in self.id.items()}
            self.coord.reverse()

    def elements(self):
        """(element id, layer, 20 node ids in CalculiX order) for every element."""
        n = 0
        for ez in range(self.nzt):
            for ey in range(self.ny):
                for ex in range(self.nx):
                    i, j, k = 2 * ex, 2 * ey, 2 * ez
                    corners = [(i, j), (i + 2, j), (i + 2, j + 2), (i, j + 2)]
                    mids = [(i + 1, j), (i + 2, j + 1), (i + 1, j + 2), (i, j + 1)]
                    nodes = [self.id[(a, b, k)] for a, b in corners] + [self.id[(a, b, k + 2)] for a, b in corners]
                    nodes += [self.id[(a, b, k)] for a, b in mids] + [self.id[(a, b, k + 2)] for a, b in mids]
                    nodes += [self.id[(a, b, k + 1)] for a, b in corners]
                    n += 1
                    yield n, self.layer_of_ez[ez], nodes

    def nodes_where(self, test):
        return [self.id[key] for key in self.id if test(*key)]

    def dofs(self):
        return 3 * len(self.coord)


def _mid(c, i):
    return c[i // 2] if i % 2 == 0 else 0.5 * (c[i // 2] + c[i // 2 + 1])


# CalculiX reads a number from at most 20 characters of its field: 14 significant digits fit with a sign and exponent.
def _lines(ids, per=12):
    return [", ".join(str(n) for n in ids[i:i + per]) + "," for i in range(0, len(ids), per)]


def write_deck(path, mesh, layers, T0, T1, boundary, print_nodes, element="C3D20R", step="*STATIC", nlgeom=False,
               more_steps=()):
    """A CalculiX deck: nodes, elements by layer, isotropic elasticity, in-plane / through-thickness expansion from
    the stress-free temperature T0 (*EXPANSION ZERO=T0), initial temperature T0 and the load T1, the given
    boundary lines (already written as "nset, first dof, last dof"), and node-printed displacements of print_nodes
    in the .dat (every increment). A layer's optional "cte_xy" = (sx, sy) multiplies its CTE along x and y (an
    imperfection for NLGEOM). more_steps: further steps' lines, appended as given."""
    out = ["** fcclsim bench: layered plate, uniform temperature change (written by bench/calculix.py)", "*NODE, NSET=NALL"]
    out += [f"{n + 1}, {x:.13e}, {y:.13e}, {z:.13e}" for n, (x, y, z) in enumerate(mesh.coord)]
    by_layer = {}
    for e, l, nodes in mesh.elements():
        by_layer.setdefault(l, []).append((e, nodes))
    for l, elems in sorted(by_layer.items()):
        out.append(f"*ELEMENT, TYPE={element}, ELSET=L{l}")
        for e, nodes in elems:
            out.append(f"{e}, " + ", ".join(map(str, nodes[:15])) + ",")
            out.append(", ".join(map(str, nodes[15:])))
    for name, ids in boundary["sets"].items():
        out.append(f"*NSET, NSET={name}")
        out += _lines(ids)
    out.append("*NSET, NSET=NOUT")
    out += _lines(print_nodes)
    for l, layer in enumerate(layers):
        a, az = layer["alpha"] * 1e-6, layer["alpha_z"] * 1e-6
        sx, sy = layer.get("cte_xy", (1.0, 1.0))
        out += [f"*MATERIAL, NAME=M{l}", "*ELASTIC", f"{layer['E_GPa'] * 1e3:.13e}, {layer['nu']:.13e}",
                f"*EXPANSION, TYPE=ORTHO, ZERO={T0:.13e}", f"{a * sx:.13e}, {a * sy:.13e}, {az:.13e}, {T0:.13e}",
                f"*SOLID SECTION, ELSET=L{l}, MATERIAL=M{l}"]
    out += ["*BOUNDARY"] + boundary["lines"]
    out += ["*INITIAL CONDITIONS, TYPE=TEMPERATURE", f"NALL, {T0:.13e}"]
    out += ["*STEP, NLGEOM, INC=1000" if nlgeom else "*STEP"] + step.split("\n")
    out += ["*TEMPERATURE", f"NALL, {T1:.13e}"]
    out += ["*NODE PRINT, NSET=NOUT", "U", "*END STEP"] + list(more_steps) + [""]
    with open(path, "w") as f:
        f.write("\n".join(out))


# ---------------------------------------------------------------------------------------------------- running ccx


def run_ccx(workdir, job, threads=1, ccx="ccx"):
    """Runs `ccx -i job` in workdir; returns (wall s, peak RSS MB, stdout). The peak is that of the ccx process itself
    (wait4's rusage), which is where CalculiX's OpenMP threads live."""
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS="1", CCX_NPROC_STIFFNESS=str(threads),
               CCX_NPROC_EQUATION_SOLVER=str(threads))
    return run_timed([ccx, "-i", job], workdir, env)


def run_timed(cmd, cwd, env):
    t0 = time.perf_counter()
    with open(os.path.join(cwd, "run.log"), "w") as log:
        p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    text = open(os.path.join(cwd, "run.log")).read()
    if p.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed ({p.returncode}) in {cwd}:\n{text[-3000:]}")
    return wall, usage.ru_maxrss / 1024, text


def read_dat_displacements(path, steps=False):
    """All node-print displacement blocks of a .dat: a list of (time, {node: (ux, uy, uz)}), or with steps=True of
    (step, time, {...})."""
    blocks, cur, step = [], None, 1
    head = re.compile(r"displacements \(vx,vy,vz\) for set \S+ and time\s+(\S+)")
    for line in open(path):
        m = head.search(line)
        if m:
            cur = {}
            blocks.append((step, float(m.group(1)), cur) if steps else (float(m.group(1)), cur))
            continue
        if line.split()[:3] == ["S", "T", "E"]:
            step = int(line.split()[-1])
            continue
        parts = line.split()
        if cur is not None and len(parts) == 4:
            try:
                cur[int(parts[0])] = tuple(float(v) for v in parts[1:])
            except ValueError:
                cur = None
    return blocks


# ---------------------------------------------------------------------------------------------------- the fit


def patch_half_width(half, n, ratio):
    """fcclsim's centre patch (solver/curl.c): 10 % of the half-length, at least 2.5 centre elements."""
    return min(half, max(0.1 * half, 2.5 * centre_element_size(half, n, ratio)))


def fit_curvature(points, hx, hy, even):
    """Least-squares quadratic fit of w over the nodes (x, y, w) with |x| <= hx and |y| <= hy, in scaled coordinates
    as fcclsim does: basis 1, xi^2/2, eta^2/2 (a quarter plate's centre is on both symmetry planes, where w is even),
    or also xi, eta, xi eta (full plate). Returns (kxx, kyy, kxy) = -(w_xx, w_yy, w_xy) in the units of 1/(x unit)."""
    basis = (lambda a, b: [1, a * a / 2, b * b / 2]) if even else (lambda a, b: [1, a, b, a * a / 2, a * b, b * b / 2])
    rows, rhs = [], []
    for x, y, w in points:
        if abs(x) <= hx * (1 + 1e-9) and abs(y) <= hy * (1 + 1e-9):
            rows.append(basis(x / hx, y / hy))
            rhs.append(w)
    n = len(rows[0])
    ata = [[sum(r[i] * r[j] for r in rows) for j in range(n)] for i in range(n)]
    atb = [sum(r[i] * v for r, v in zip(rows, rhs)) for i in range(n)]
    c = _solve(ata, atb)
    if even:
        return -c[1] / hx ** 2, -c[2] / hy ** 2, 0.0
    return -c[3] / hx ** 2, -c[5] / hy ** 2, -c[4] / (hx * hy)


def _solve(a, b):
    n = len(b)
    a = [row[:] + [v] for row, v in zip(a, b)]
    for k in range(n):
        p = max(range(k, n), key=lambda i: abs(a[i][k]))
        a[k], a[p] = a[p], a[k]
        for i in range(k + 1, n):
            f = a[i][k] / a[k][k]
            for j in range(k, n + 1):
                a[i][j] -= f * a[k][j]
    x = [0.0] * n
    for k in reversed(range(n)):
        x[k] = (a[k][n] - sum(a[k][j] * x[j] for j in range(k + 1, n))) / a[k][k]
    return x


def principal(kxx, kyy, kxy):
    m, r = 0.5 * (kxx + kyy), math.sqrt(0.25 * (kxx - kyy) ** 2 + kxy ** 2)
    a, b = m + r, m - r
    return (a, b) if abs(a) >= abs(b) else (b, a)
