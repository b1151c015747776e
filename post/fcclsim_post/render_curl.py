"""post/render-curl.sh: renders the curl map of an fcclsim run as PNG pictures, without a display (ParaView's pvpython).

  post/render-curl.sh RUN_DIR [options]     (pvpython under Xvfb when there is no display)
  pvpython --force-offscreen-rendering post/render-curl.py RUN_DIR [--field R1|k1|...] [--state NAME|all]
           [--output PNG] [--no-mirror] [--size 1200x900]

  ... [--scale auto|true|FACTOR] [--range symmetric|data]

Reads RUN_DIR/curlmap.xmf (written by fcclsim's field output; RUN_DIR is fcclsim's -output directory), warps the
mid-surface by its deflection w, mirrors a quarter (3D) or half (2D) model to the full plate across its symmetry
planes x = 0 and y = 0 (ParaView's Reflect filter; every field there is even in x and y), and colours it by the chosen
field with a colour bar and units. z is up: kappa < 0 (the top face concave) lifts the edges, kappa > 0 (convex) drops
them. The default field is R1, the signed curl radius in cm (NaN, drawn grey, where the plate is flat). --state all
writes one picture per state; the default is the last state. Default output: RUN_DIR/curlmap-<state>-<field>.png.

--scale auto (the default) draws w at true scale unless its largest value is below 5 % of the plate's width; then it
is magnified (by 1, 2 or 5 x 10^n) to about 10 to 25 % of the width, so that the shape, and the sign of the curvature,
can be seen. The label says which. --range symmetric (the default) centres the colour scale on 0 (-M .. M, M the
largest magnitude) for the signed fields, so that blue is negative and red positive; --range data spans the state's
values (widened where they agree to round-off). The label gives the centre curvature and the largest deflection."""
import argparse
import math
import os
import sys
import xml.etree.ElementTree as ET

from .files import publish, temporary_name

UNITS = {"R1": "signed radius R1 (cm)", "R2": "signed radius R2 (cm)", "k1": "principal curvature k1 (1/m)",
         "k2": "principal curvature k2 (1/m)", "kappa_xx": "curvature kappa_xx (1/m)",
         "kappa_yy": "curvature kappa_yy (1/m)", "kappa_xy": "twist curvature kappa_xy (1/m)", "w": "deflection w (m)",
         "k1_angle": "direction of k1 from x (deg)"}


def states_of(xmf):
    """(name, time, temperature in C) of every time step, from the XDMF grids."""
    out = []
    for grid in ET.parse(xmf).getroot().iter("Grid"):
        if grid.get("GridType") != "Uniform":
            continue
        time = float(grid.find("Time").get("Value"))
        info = {i.get("Name"): i.get("Value") for i in grid.findall("Information")}
        out.append((grid.get("Name"), time, float(info.get("temperature_K", "nan")) - 273.15))
    return out


def fetch(proxy, time):
    """The proxy's output at the time, as a VTK data set (the first block of a multiblock)."""
    from paraview import servermanager
    proxy.UpdatePipeline(time)
    data = servermanager.Fetch(proxy)
    return data.GetBlock(0) if data.IsA("vtkMultiBlockDataSet") else data


def point_array(data, name):
    arr = data.GetPointData().GetArray(name)
    return [arr.GetValue(i) for i in range(arr.GetNumberOfTuples())]


def nice_factor(target):
    """The smallest of 1, 2, 5 x 10^n at least target."""
    exp = math.floor(math.log10(target))
    for m in (1, 2, 5, 10):
        if m * 10 ** exp >= target:
            return m * 10 ** exp


def colour_range(values, field, mode):
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return (-1.0, 1.0)
    lo, hi = min(finite), max(finite)
    if mode == "symmetric" and field != "k1_angle":
        m = max(abs(lo), abs(hi))
        return (-m, m) if m > 0 else (-1.0, 1.0)
    spread = max(abs(lo), abs(hi), 1e-300) * 1e-3  # values that agree to round-off get a range that labels readably
    if hi - lo < spread:
        mid = 0.5 * (lo + hi)
        return (mid - spread, mid + spread) if mid != 0 else (-1.0, 1.0)
    return (lo, hi)


def parser():
    ap = argparse.ArgumentParser(prog="post/render-curl.sh", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run", help="the run's output directory (holds curlmap.xmf)")
    ap.add_argument("--field", default="R1", choices=sorted(UNITS), help="colour by this field (default R1)")
    ap.add_argument("--state", default=None, help="state name, or 'all' (default: the last state)")
    ap.add_argument("--output", default=None, help="PNG path (one state only)")
    ap.add_argument("--no-mirror", action="store_true", help="show a quarter / half model as it is")
    ap.add_argument("--size", default="1200x900", help="picture size in pixels, WxH")
    ap.add_argument("--scale", default="auto", help="deflection scale: auto (default), true, or a factor")
    ap.add_argument("--range", default="symmetric", choices=["symmetric", "data"], help="colour range (default symmetric)")
    return ap


def main(argv=None):
    args = parser().parse_args(argv)
    # ParaView's modules exist only under pvpython (post/render-curl.sh starts it)
    from paraview.simple import (ColorBy, CreateView, GetColorTransferFunction, Reflect, Render, SaveScreenshot, Show,
                                 Text, WarpByVector, XDMFReader)

    xmf = os.path.join(args.run, "curlmap.xmf")
    if not os.path.exists(xmf):
        sys.exit("render-curl: %s not found: not an fcclsim -output directory of a 2d / 3d run, or the run did not "
                 "finish (the .xmf is written last)" % xmf)
    states = states_of(xmf)
    if args.state == "all":
        chosen = states
    elif args.state:
        chosen = [s for s in states if s[0] == args.state]
        if not chosen:
            sys.exit("render-curl: --state %s: the run has the states %s" % (args.state, ", ".join(s[0] for s in states)))
    else:
        chosen = states[-1:]
    if args.output and len(chosen) > 1:
        sys.exit("render-curl: --output names one picture; --state all writes one per state")
    width, height = (int(v) for v in args.size.split("x"))

    reader = XDMFReader(FileNames=[xmf])
    reader.UpdatePipelineInformation()
    warp = WarpByVector(Input=reader, Vectors=["POINTS", "deflection"], ScaleFactor=1.0)
    reader.UpdatePipeline(chosen[0][1])
    bounds = reader.GetDataInformation().GetBounds()
    is_2d = bounds[3] - bounds[2] == 0  # the 2D curl map is a line at y = 0
    width_m = 2 * max(abs(bounds[0]), abs(bounds[1]), abs(bounds[2]), abs(bounds[3]))  # the full plate's
    shape = warp
    if not args.no_mirror:
        if bounds[0] >= 0:  # a quarter or half model starts at the symmetry plane x = 0
            shape = Reflect(Input=shape, Plane="X Min", CopyInput=1)
        if not is_2d and bounds[2] >= 0:
            shape = Reflect(Input=shape, Plane="Y Min", CopyInput=1)

    view = CreateView("RenderView")
    view.ViewSize = [width, height]
    view.OrientationAxesVisibility = 1
    if hasattr(view, "OrientationAxesLabelColor"):
        view.OrientationAxesLabelColor = [0, 0, 0]
    view.Background = [1, 1, 1]
    if hasattr(view, "UseColorPaletteForBackground"):
        view.UseColorPaletteForBackground = 0
    display = Show(shape, view)
    ColorBy(display, ("POINTS", args.field))
    if is_2d:
        display.SetRepresentationType("Wireframe")
        display.LineWidth = 6.0
    lut = GetColorTransferFunction(args.field)
    lut.NanColor = [0.6, 0.6, 0.6]
    bar = lut.GetScalarBar(view) if hasattr(lut, "GetScalarBar") else None
    if bar is None:
        from paraview.simple import GetScalarBar
        bar = GetScalarBar(lut, view)
    bar.Title = UNITS[args.field]
    bar.ComponentTitle = ""
    bar.TitleColor = bar.LabelColor = [0, 0, 0]
    bar.RangeLabelFormat = "%-#.5g"
    if hasattr(bar, "DrawNanAnnotation") and args.field in ("R1", "R2"):
        bar.DrawNanAnnotation = 1
        bar.NanAnnotation = "flat (infinite)"
    bar.Visibility = 1
    display.SetScalarBarVisibility(view, True)
    label = Text()
    label_display = Show(label, view)
    label_display.Color = [0, 0, 0]
    label_display.WindowLocation = "Upper Left Corner"
    label_display.FontSize = 14
    label_display.Justification = "Left"

    for name, time, T_C in chosen:
        data = fetch(reader, time)
        w = point_array(data, "w")
        k1 = point_array(data, "k1")
        pts = [data.GetPoint(i) for i in range(data.GetNumberOfPoints())]
        centre = min(range(len(pts)), key=lambda i: pts[i][0] ** 2 + pts[i][1] ** 2)
        w_max = max((abs(v) for v in w if math.isfinite(v)), default=0.0)
        if args.scale == "true" or (args.scale == "auto" and (w_max == 0 or w_max >= 0.05 * width_m)):
            factor = 1.0
        elif args.scale == "auto":
            factor = nice_factor(0.1 * width_m / w_max)
        else:
            factor = float(args.scale)
        warp.ScaleFactor = factor
        view.ViewTime = time
        shape.UpdatePipeline(time)
        lut.RescaleTransferFunction(*colour_range(point_array(data, args.field), args.field, args.range))
        kc = k1[centre]
        turn = abs(kc) * 0.5 * width_m  # the angle (rad) the mid-surface turns through from the centre to the edge
        label.Text = "\n".join([
            "%s: state %s (%.0f C)%s" % (os.path.basename(os.path.abspath(args.run)), name, T_C,
                                        "" if args.no_mirror else ", mirrored to the full plate"),
            "centre k1 = %+.4g 1/m (R1 = %s), %s" % (kc, "%+.4g cm" % (100 / kc) if kc else "infinite",
                                                     "flat" if kc == 0 else "top face concave, edges up" if kc < 0
                                                     else "top face convex, edges down"),
            "largest deflection w = %.4g mm, drawn %s (plate %.4g mm wide, z up)" % (1e3 * w_max, "at true scale" if factor == 1
                                                                          else "magnified x %g" % factor, 1e3 * width_m)]
            + (["small-deflection (linear) shape: the mid-surface turns through %.2g rad from centre to edge;"
                " a real sample this curled rolls up" % turn] if turn > 1 else []))
        if is_2d:  # the section's x-z plane, seen from -y
            view.CameraPosition = [0, -1, 0]
            view.CameraFocalPoint = [0, 0, 0]
            view.CameraViewUp = [0, 0, 1]
        else:
            view.CameraPosition = [1, -1.3, 0.9]
            view.CameraFocalPoint = [0, 0, 0]
            view.CameraViewUp = [0, 0, 1]
        view.ResetCamera()
        Render(view)
        png = args.output or os.path.join(args.run, "curlmap-%s-%s.png" % (name, args.field))
        fd, tmp = temporary_name(png)
        os.close(fd)
        try:
            SaveScreenshot(tmp + ".png", view, ImageResolution=[width, height])  # ParaView picks the format by suffix
            publish(tmp + ".png", png)
        finally:
            for leftover in (tmp, tmp + ".png"):
                if os.path.exists(leftover):
                    os.unlink(leftover)
        print("wrote %s" % png)
    return 0


if __name__ == "__main__":
    main()  # not sys.exit(main()): see post/render-curl.py
