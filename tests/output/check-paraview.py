"""Opens the fields.xmf and curlmap.xmf of an fcclsim run with ParaView's own reader (run with pvpython) and checks them
against the run's summary.json.

  pvpython check-paraview.py RUN_DIR

What it checks, and why each tolerance is what it is:
- the field names ParaView shows (docs/viewing.md promises them);
- one time step per state of summary.json, in order, each with the state's temperature;
- every cell has a positive volume (3D) or area (2D), and they add up to the meshed plate: a wrong corner order in
  the XDMF topology would turn or fold cells; 1e-9 relative is round-off;
- per layer and state, the largest |stress_xx| or |stress_yy| over the layer's cells equals the summary's
  max_inplane_stress_MPa: the same cell averages (same quadrature), so 1e-9 relative is round-off. Only for the
  layers active in the state: the summary has no entry for a layer not yet bonded or etched, and the fields must
  hold exactly 0 stress there (the layer is out of the solve);
- the active flags of every step are the summary's active_layers; and, independently of the summary, in the default
  process's etch states (docs/process.md: foil 1 = the first layer, foil 2 = the last) the etched foils are active = 0
  and were active = 1 in double_sided, the state they are etched from;
- the curl map has the same time steps, and its k1 at the plate centre agrees with the summary's centre k1 to 1e-3
  of the run's largest |k1|: the two come from different least-squares patches (a centre patch against a per-node
  one) over a curvature that is not uniform (the FE state carries the edges' and the bonds' non-uniformity: 1 % over
  the plate in the nearly flat laminated state of these coarse meshes), which makes them differ by 2.4e-4 1/m there,
  1e-5 of the largest |k1|; a wrong sign, factor or state would be off by its whole size;
- the curl map's w (the total mid-surface deflection) is 0 at the centre, to 1e-6 of the bowl below (measured 2e-9:
  the finite-element departure there is round-off), and at the node farthest from the centre it is the
  centre curvature's bowl, -(kxx x^2 + kyy y^2 + 2 kxy x y) / 2, to 2 % of its size: so its sign follows the
  curvature's (kappa > 0, the top face convex, bends the edges down). The curvature is not quite uniform out to the
  free edges (the bowl is off by up to 0.2 % there on these meshes); a wrong sign or a factor would be off by 100 %.
Exits non-zero on the first failed check."""
import json
import math
import os
import sys

from paraview import servermanager
from paraview.simple import CellSize, XDMFReader
from vtk.numpy_interface import dataset_adapter as dsa

CELL_FIELDS = ["layer", "active", "fraction_kept", "temperature", "stress_xx", "stress_yy", "stress_zz", "stress_yz", "stress_xz",
               "stress_xy", "von_mises", "eigenstrain_xx", "eigenstrain_yy", "eigenstrain_zz", "eigenstrain_yz",
               "eigenstrain_xz", "eigenstrain_xy"]
CURL_FIELDS = ["deflection", "w", "kappa_xx", "kappa_yy", "kappa_xy", "k1", "k2", "k1_angle", "R1", "R2"]
failures = 0


def check(ok, what):
    global failures
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures += 1


def close(a, b, rtol):
    return abs(a - b) <= rtol * max(abs(a), abs(b), 1e-300)


def open_xdmf(path):
    reader = XDMFReader(FileNames=[path])
    reader.UpdatePipelineInformation()
    return reader, list(reader.TimestepValues)


def fetch(proxy, t):
    proxy.UpdatePipeline(t)
    data = servermanager.Fetch(proxy)
    if data.IsA("vtkMultiBlockDataSet"):
        data = data.GetBlock(0)
    return dsa.WrapDataObject(data)


run = sys.argv[1]
with open(os.path.join(run, "summary.json")) as f:
    summary = json.load(f)
states = summary["states"]
layers = [layer["name"] for layer in summary["layers"]]
dim = 3 if states[0]["model"] == "3d" else 2

reader, times = open_xdmf(os.path.join(run, "fields.xmf"))
check(len(times) == len(states), "fields.xmf has %d time steps, summary.json %d states" % (len(times), len(states)))
check(sorted(reader.CellData.keys()) == sorted(CELL_FIELDS), "cell fields %s" % sorted(reader.CellData.keys()))
check(list(reader.PointData.keys()) == ["displacement"], "point fields %s" % list(reader.PointData.keys()))
sizes = CellSize(Input=reader)
size_name = "Volume" if dim == 3 else "Area"
active_in = {}
for k, (t, state) in enumerate(zip(times, states)):
    data = fetch(reader, t)
    cells = fetch(sizes, t).CellData[size_name]
    check(len(data.PointData["displacement"].shape) == 2 and data.PointData["displacement"].shape[1] == 3,
          "step %d: displacement is a 3-vector" % k)
    T = data.CellData["temperature"]
    check(close(float(T.min()), state["temperature_C"] + 273.15, 1e-9) and close(float(T.max()), float(T.min()), 1e-12),
          "step %d (%s): temperature %g K = summary %g C" % (k, state["name"], float(T.min()), state["temperature_C"]))
    if k == 0:
        bounds = data.VTKObject.GetBounds()
        extent = (bounds[1] - bounds[0]) * (bounds[3] - bounds[2]) * ((bounds[5] - bounds[4]) if dim == 3 else 1)
        check(float(cells.min()) > 0 and close(float(cells.sum()), extent, 1e-9),
              "cells have positive %s, total %g = bounding box %g" % (size_name.lower(), float(cells.sum()), extent))
    layer_of = data.CellData["layer"]
    sxx, syy = abs(data.CellData["stress_xx"]), abs(data.CellData["stress_yy"])
    active = [float(data.CellData["active"][layer_of == i].min()) for i in range(len(layers))]
    check(active == [float(data.CellData["active"][layer_of == i].max()) for i in range(len(layers))],
          "step %d: one active flag per layer" % k)
    check(active == [1.0 if name in state["active_layers"] else 0.0 for name in layers], "step %d active flags %s" % (k, active))
    # no pattern in these runs: a cell keeps all of its material while active, none as a void
    check(bool((data.CellData["fraction_kept"] == data.CellData["active"]).all()), "step %d: fraction_kept is the active flag (no pattern)" % k)
    active_in[state["name"]] = active
    for i, name in enumerate(layers):
        mine = layer_of == i
        smax = float(max(sxx[mine].max(), syy[mine].max())) / 1e6
        ref = state["max_inplane_stress_MPa"].get(name)
        if name in state["active_layers"]:
            check(ref is not None and close(smax, ref, 1e-9),
                  "step %d layer %s: max |stress| %.9g MPa = summary %s" % (k, name, smax, ref))
        else:  # not bonded yet or etched: null in the summary, and no stress in the fields
            vm = float(abs(data.CellData["von_mises"][mine]).max())
            check(name in state["max_inplane_stress_MPa"] and ref is None and vm == 0.0, "step %d layer %s inactive: summary %s, largest von Mises %g Pa" % (k, name, ref, vm))

# the default process's etch branches (docs/process.md), checked without the summary
etched = {"etch_foil1": [0], "etch_foil2": [len(layers) - 1], "etch_both": [0, len(layers) - 1]}
check(all(name in active_in for name in list(etched) + ["double_sided"]), "the run has the default process's etch states")
for name, foils in etched.items():
    flags = active_in.get(name, [])
    check(len(flags) == len(layers) and all(flags[i] == 0.0 and active_in["double_sided"][i] == 1.0 for i in foils),
          "%s: etched %s flagged active = 0 (active in double_sided): %s" % (name, ", ".join(layers[i] for i in foils), flags))

curl, curl_times = open_xdmf(os.path.join(run, "curlmap.xmf"))
check(curl_times == times, "curlmap.xmf time steps %s = fields.xmf's" % curl_times)
check(sorted(curl.PointData.keys()) == sorted(CURL_FIELDS), "curl map fields %s" % sorted(curl.PointData.keys()))
k1_scale = max(abs(st["center_curvature_1_per_m"]["k1"]) for st in states)
for k, (t, state) in enumerate(zip(curl_times, states)):
    data = fetch(curl, t)
    centre = int((data.Points[:, 0] ** 2 + data.Points[:, 1] ** 2).argmin())
    k1 = float(data.PointData["k1"][centre])
    ref = state["center_curvature_1_per_m"]["k1"]
    check(abs(k1 - ref) <= 1e-3 * k1_scale and not math.isnan(k1), "step %d: curl map centre k1 %.9g = summary %.9g (1e-3 of %.6g)" % (k, k1, ref, k1_scale))
    w, x, y = data.PointData["w"], data.Points[:, 0], data.Points[:, 1]
    far = int((x ** 2 + y ** 2).argmax())
    kappa = state["center_curvature_1_per_m"]
    bowl = -0.5 * (kappa["xx"] * x[far] ** 2 + kappa["yy"] * y[far] ** 2 + 2 * kappa["xy"] * x[far] * y[far])
    check(abs(float(w[centre])) <= 1e-6 * abs(bowl) + 1e-15 and abs(float(w[far]) - bowl) <= 0.02 * abs(bowl) + 1e-15,
          "step %d: w at the centre %.3g m, at (%g, %g) mm %.6g m = centre curvature's %.6g m (2 %%)"
          % (k, float(w[centre]), 1e3 * x[far], 1e3 * y[far], float(w[far]), bowl))

print("%d check(s) failed" % failures if failures else "all checks passed")
sys.exit(1 if failures else 0)
