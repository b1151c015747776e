"""post/render-warpage.py: the warpage map of a patterned 3D run as a PNG, seen from above, with the copper of the
patterned foil drawn over it (docs/viewing.md).

  post/render-warpage.py RUN_DIR [--state NAME] [--layer NAME] [--output PNG]

RUN_DIR is fcclsim's -output directory of a 3D run with field output (fields.xmf, fields-mesh.h5, fields-STATE.h5,
curlmap-STATE.csv, summary.json). The colours are the mid-surface's deflection w (mm) from curlmap-STATE.csv; a quarter
model's map is mirrored to the whole sample. Over it, each cell of the patterned foil is shaded by the fraction of
copper it keeps (fields-STATE.h5's cell_fraction_kept: the copper as the model sees it, so a trace-mapped mesh shows its cells' fractions, a conforming
one the pattern's edges), with the 50 % line drawn. The patterned foil is the layer whose cells keep different
fractions in that state (--layer picks one). The title gives the state, its warpage (summary.json's warpage_mm: the
peak-to-valley of the mid-surface about its least-squares plane) and the centre curvatures. Default state: the last;
default output: RUN_DIR/warpage-STATE.png."""
import argparse
import csv
import io
import json
import os
import sys
import xml.etree.ElementTree as ET

from .files import write_atomic


def fail(msg):
    print("render-warpage: " + msg, file=sys.stderr)
    sys.exit(2)


def state_fields(run, name):
    """The fields file of state `name`, which fields.xmf must list (a state the field output did not write has none)."""
    names = [g.get("Name") for g in ET.parse(os.path.join(run, "fields.xmf")).getroot().iter("Grid")
             if g.get("GridType") == "Uniform"]
    if name not in names:
        fail("%s/fields.xmf has no state '%s' (states: %s)" % (run, name, ", ".join(names)))
    return os.path.join(run, "fields-%s.h5" % name)


def read_map(csv_path):
    import numpy as np
    with open(csv_path) as f:
        rows = list(csv.DictReader(f))
    return np.array([[float(r["x_mm"]), float(r["y_mm"]), float(r["w_mm"])] for r in rows])


def copper_cells(run, fields, layers, layer):
    """(layer name, footprints [n, 4] as x0, x1, y0, y1 in mm, fractions [n]) of the patterned foil's cells."""
    import h5py
    import numpy as np
    with h5py.File(fields, "r") as h:
        frac = h["cell_fields/cell_fraction_kept"][...]
        which = h["cell_fields/cell_layer"][...].astype(int)
    with h5py.File(os.path.join(run, "fields-mesh.h5"), "r") as h:
        cells = h["viz/topology/cells"][...]
        xyz = h["geometry/vertices"][...]
    names = [lay["name"] for lay in layers]
    if layer is None:
        varied = [k for k in range(len(names)) if np.ptp(frac[which == k]) > 0] if frac.size else []
        if not varied:
            return None
        k = varied[0]
    else:
        if layer not in names:
            fail("--layer %s: not a layer of this run (layers: %s)" % (layer, ", ".join(names)))
        k = names.index(layer)
    sel = which == k
    corners = xyz[cells[sel]] * 1e3
    boxes = np.stack([corners[:, :, 0].min(1), corners[:, :, 0].max(1), corners[:, :, 1].min(1), corners[:, :, 1].max(1)], 1)
    # the elements through the foil's thickness share a footprint: keep one of each
    _, first = np.unique(np.round(boxes, 9), axis=0, return_index=True)
    return names[k], boxes[first], frac[sel][first]


def parser():
    ap = argparse.ArgumentParser(prog="post/render-warpage.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run", help="fcclsim's -output directory (3D, with field output)")
    ap.add_argument("--state", help="the state to draw (default: the last)")
    ap.add_argument("--layer", help="the patterned foil to draw (default: the layer whose cells keep different fractions)")
    ap.add_argument("--output", help="the PNG (default: RUN/warpage-STATE.png)")
    return ap


def main(argv=None):
    args = parser().parse_args(argv)

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.collections import PolyCollection

    try:
        summary = json.load(open(os.path.join(args.run, "summary.json")))
    except (OSError, ValueError) as e:
        fail("%s: no readable summary.json (%s); is it fcclsim's -output directory of a complete run?" % (args.run, e))
    states = summary["states"]
    state = args.state or states[-1]["name"]
    st = next((s for s in states if s["name"] == state), None)
    if st is None:
        fail("--state %s: not a state of this run (states: %s)" % (state, ", ".join(s["name"] for s in states)))
    if st["model"] != "3d":
        fail("state %s is a %s result: the warpage map needs a 3D run (post/render-curl.sh draws 2D sections)" % (state, st["model"]))
    if not os.path.exists(os.path.join(args.run, "fields.xmf")):
        fail("%s has no fields.xmf: run fcclsim with output_fields true (the .xmf is written last)" % args.run)

    m = read_map(os.path.join(args.run, "curlmap-%s.csv" % state))
    if m[:, 0].min() >= 0 and m[:, 1].min() >= 0:  # a quarter model: w is even in x and y
        m = np.concatenate([m * [sx, sy, 1] for sx in (1, -1) for sy in (1, -1)])
    cells = copper_cells(args.run, state_fields(args.run, state), summary["layers"], args.layer)
    if cells and cells[1][:, 0].min() >= 0 and cells[1][:, 2].min() >= 0:  # mirror a quarter model's cells too
        name, b, f = cells
        mir = [b * [sx, sx, sy, sy] for sx in (1, -1) for sy in (1, -1)]
        cells = (name, np.concatenate([np.stack([np.minimum(q[:, 0], q[:, 1]), np.maximum(q[:, 0], q[:, 1]),
                                                 np.minimum(q[:, 2], q[:, 3]), np.maximum(q[:, 2], q[:, 3])], 1) for q in mir]),
                 np.tile(f, 4))

    fig, ax = plt.subplots(figsize=(8.4, 7.0), dpi=120)
    tc = ax.tricontourf(m[:, 0], m[:, 1], m[:, 2], levels=np.linspace(m[:, 2].min(), m[:, 2].max(), 41) if np.ptp(m[:, 2]) > 0 else 3,
                        cmap="viridis")
    fig.colorbar(tc, ax=ax, label="deflection w (mm)")
    if cells:
        name, b, f = cells
        polys = [[(x0, y0), (x1, y0), (x1, y1), (x0, y1)] for x0, x1, y0, y1 in b]
        ax.add_collection(PolyCollection(polys, facecolors=[(1, 1, 1, 0.55 * v) for v in f], edgecolors="none"))
        # the 50 % line on the cells' centres
        cx, cy = 0.5 * (b[:, 0] + b[:, 1]), 0.5 * (b[:, 2] + b[:, 3])
        if f.min() < 0.5 < f.max() and len(f) >= 3:
            ax.tricontour(cx, cy, f, levels=[0.5], colors="white", linewidths=0.8)
        label = "copper of %s (white: fraction kept)" % name
    else:
        label = "no patterned foil in this state"
    k = st["center_curvature_1_per_m"]
    warp = st.get("warpage_mm")
    ax.set_title("%s (%.0f C): warpage %s mm, centre k1 %.4g, k2 %.4g 1/m\n%s" % (
        state, st["temperature_C"], "%.4g" % warp if warp is not None else "n/a", k["k1"], k["k2"], label), fontsize=10)
    ax.set_xlabel("x (mm)")
    ax.set_ylabel("y (mm)")
    ax.set_aspect("equal")
    ax.set_xlim(m[:, 0].min(), m[:, 0].max())
    ax.set_ylim(m[:, 1].min(), m[:, 1].max())
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    out = args.output or os.path.join(args.run, "warpage-%s.png" % state)
    write_atomic(out, buf.getvalue())
    print("render-warpage: wrote %s (%s)" % (out, label))
    return 0
