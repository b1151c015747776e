#!/usr/bin/python3
"""compare-runs.py REF RUN RTOL: the results of two fcclsim runs of one case (output directories) are equal.

RTOL 0, bit for bit: summary.json without its wall times (the solver iterations included), the curl map CSVs and the
XDMF files byte for byte, and every dataset of every HDF5 file (fields-mesh.h5, fields-STATE.h5, curlmap-STATE.h5).

RTOL > 0: the same files, every number within RTOL of the scale of its quantity, and the solver iterations left out
(a refinement that takes another path takes another number of rounds). The scales are physical, so that a field
that is round-off (a shear eigenstrain of a plate, 1e-20) is not compared with itself:
- summary.json: a key's largest magnitude over the states;
- per state: displacement, w and deflection against their largest magnitude; stresses (and von Mises) against the
  state's largest von Mises stress; eigenstrains against the state's largest eigenstrain component; curvatures
  against the state's largest |k1|; radii as curvatures (100 / R, 1/m) likewise; the k1 angle modulo 180 degrees, its
  turn (rad) times |k1 - k2| as a curvature (a direction is only as sharp as the principal curvatures are apart);
  layer, active, fraction kept and temperature against their own largest value; the mesh and the curl map's nodes
  and cells exactly.
Prints the largest normalised difference found per kind of file, so that a tolerance can be judged against what is
measured."""
import csv
import glob
import json
import math
import os
import sys

import h5py
import numpy as np

ref, run, rtol = sys.argv[1], sys.argv[2], float(sys.argv[3])
worst = {"summary": 0.0, "curl maps": 0.0, "fields": 0.0}


def fail(msg):
    sys.exit("FAIL: " + msg)


def summary(d):
    s = json.load(open(os.path.join(d, "summary.json")))
    s.pop("case", None)
    for st in s["states"]:
        st.pop("wall_time_s")
        if rtol:
            st.pop("solver_iterations")
    return s


def leaves(node, path, out):
    if isinstance(node, dict):
        for k, v in node.items():
            leaves(v, path + (k,), out)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            leaves(v, path + ("*" if path == ("states",) else i,), out)  # a state's quantity: one path for all states
    else:
        out.append((path, node))


def compare(what, x, y, scale, kind):
    """x, y arrays; scale > 0; NaN (a flat direction's radius) must match NaN"""
    x, y = np.asarray(x, float), np.asarray(y, float)
    if x.shape != y.shape:
        fail("%s: shape %s against %s" % (what, x.shape, y.shape))
    same = (x == y) | (np.isnan(x) & np.isnan(y))
    if same.all():
        return
    d = np.max(np.abs(x[~same] - y[~same])) / scale if scale > 0 else math.inf
    if not d <= rtol:
        fail("%s: largest difference %.3g of its scale %.3g (tolerance %g)" % (what, d, scale, rtol))
    worst[kind] = max(worst[kind], d)


def amax(*arrays):
    vals = [np.abs(np.asarray(a, float)[np.isfinite(np.asarray(a, float))]) for a in arrays]
    vals = [v.max() for v in vals if v.size]
    return max(vals) if vals else 0.0


def curl_columns(columns, other, what):
    """columns: name -> array, with the CSV's or the HDF5 file's names (w, kappa_xx, k1, k1_angle, R1 ...)"""
    key = lambda n: n.split("_1_per_m")[0].split("_mm")[0].split("_cm")[0].split("_deg")[0]
    a = {key(n): v for n, v in columns.items()}
    b = {key(n): v for n, v in other.items()}
    ks = amax(a["k1"])
    for n in a:
        if n in ("x", "y"):
            compare("%s %s" % (what, n), a[n], b[n], 1.0, "curl maps") if rtol == 0 else None
            if not np.array_equal(a[n], b[n]):
                fail("%s: the nodes differ" % what)
        elif n in ("w", "deflection"):
            compare("%s %s" % (what, n), a[n], b[n], max(amax(a[n]), 1e-300), "curl maps")
        elif n.startswith("kappa") or n in ("k1", "k2"):
            compare("%s %s" % (what, n), a[n], b[n], max(ks, 1e-300), "curl maps")
        elif n in ("R1", "R2"):
            with np.errstate(divide="ignore"):
                compare("%s %s as a curvature" % (what, n), 100 / np.asarray(a[n], float), 100 / np.asarray(b[n], float), max(ks, 1e-300), "curl maps")
        elif n == "k1_angle":
            # a direction (modulo 180 degrees) is as sharp as the principal curvatures are apart: an error dk in the
            # curvatures turns it by dk / |k1 - k2| rad, so the turn times |k1 - k2| is compared as a curvature
            k1, k2 = np.asarray(a["k1"], float), np.asarray(a["k2"], float)
            turn = np.abs(np.asarray(a[n], float) - np.asarray(b[n], float)) % 180
            turn = np.radians(np.minimum(turn, 180 - turn)) * np.abs(k1 - k2)
            compare("%s k1_angle (turn times |k1 - k2|)" % what, turn, np.zeros_like(turn), max(ks, 1e-300), "curl maps")
        else:
            fail("%s: no rule for column %s" % (what, n))


def datasets(path):
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda k, v: out.__setitem__(k, v[()]) if isinstance(v, h5py.Dataset) else None)
    return out


a, b = summary(ref), summary(run)
if rtol == 0:
    if a != b:
        for sa, sb in zip(a["states"], b["states"]):
            for k in sa:
                if sa[k] != sb.get(k):
                    fail("summary.json differs in state %s, %s: %r against %r" % (sa["name"], k, sa[k], sb.get(k)))
        fail("summary.json differs")
else:
    la, lb = [], []
    leaves(a, (), la)
    leaves(b, (), lb)
    if [p for p, _ in la] != [p for p, _ in lb]:
        fail("summary.json has other keys")
    scale = {}
    for p, v in la:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            scale[p] = max(scale.get(p, 0.0), abs(v))
    for (p, x), (_, y) in zip(la, lb):
        if isinstance(x, (int, float)) and isinstance(y, (int, float)) and not isinstance(x, bool):
            compare("summary.json " + "/".join(map(str, p)), [x], [y], max(scale[p], 1e-300), "summary")
        elif x != y:
            fail("summary.json %s: %r against %r" % ("/".join(map(str, p)), x, y))


def outputs(d):
    return sorted(os.path.basename(p) for pat in ("curlmap-*.csv", "*.xmf", "*.h5") for p in glob.glob(os.path.join(d, pat)))


names, have = outputs(ref), outputs(run)
if names != have:
    fail("the output files differ: %s against %s" % (names, have))
compared = 0
for name in names:
    pa, pb = os.path.join(ref, name), os.path.join(run, name)
    if name.endswith(".xmf") or (rtol == 0 and name.endswith(".csv")):
        if open(pa, "rb").read() != open(pb, "rb").read():
            fail("%s differs" % name)
        continue
    if name.endswith(".csv"):
        ra, rb = list(csv.reader(open(pa))), list(csv.reader(open(pb)))
        if len(ra) != len(rb) or ra[0] != rb[0]:
            fail("%s: other rows or columns" % name)
        xa = np.array([[float(v) for v in r] for r in ra[1:]]).reshape(-1, len(ra[0]))
        xb = np.array([[float(v) for v in r] for r in rb[1:]]).reshape(-1, len(ra[0]))
        curl_columns({c: xa[:, j] for j, c in enumerate(ra[0])}, {c: xb[:, j] for j, c in enumerate(ra[0])}, name)
        continue
    da, db = datasets(pa), datasets(pb)
    if sorted(da) != sorted(db):
        fail("%s holds other datasets: %s against %s" % (name, sorted(da), sorted(db)))
    compared += len(da)
    if rtol == 0:
        for k in da:
            x, y = np.asarray(da[k]), np.asarray(db[k])
            if x.shape != y.shape or x.tobytes() != y.tobytes():
                fail("%s:%s differs" % (name, k))
        continue
    if name.startswith("curlmap-"):
        for k in ("geometry/vertices", "topology/cells"):
            if not np.array_equal(da[k], db[k]):
                fail("%s:%s differs" % (name, k))
        curl_columns({k.split("/")[-1]: da[k] for k in da if k.startswith("fields/")}, {k.split("/")[-1]: db[k] for k in db if k.startswith("fields/")}, name)
    elif name == "fields-mesh.h5":
        for k in da:
            if not np.array_equal(da[k], db[k]):
                fail("%s:%s differs" % (name, k))
    else:
        vm = amax(da["cell_fields/cell_von_mises"])
        eig = amax(*[da[k] for k in da if "eigenstrain" in k])
        for k in da:
            field = k.split("/")[-1]
            s = vm if "stress" in field or "von_mises" in field else eig if "eigenstrain" in field else amax(da[k])
            compare("%s:%s" % (name, k), da[k], db[k], max(s, 1e-300), "fields")
how = "bit for bit" if rtol == 0 else "to %g of each quantity's scale (largest differences: %s)" % (rtol, ", ".join("%s %.1e" % kv for kv in worst.items()))
print("ok: summary.json (%d states), %d curl maps, %d XDMF files and %d datasets in %d HDF5 files equal to the uninterrupted run, %s"
      % (len(a["states"]), sum(n.endswith(".csv") for n in names), sum(n.endswith(".xmf") for n in names), compared, sum(n.endswith(".h5") for n in names), how))
