#!/usr/bin/env python3
"""Writes coupon.gbr, the Gerber RS-274X copper layer (foil 2, seen from the top) of fcclsim's flex-circuit test
coupon: 90 x 90 mm centred on the file's origin, for the 100 x 100 mm sample of cases/patterns/gerber-coupon.yaml.

    python3 cases/patterns/gerber/make-coupon.py [OUT]     (default: coupon.gbr beside this script)
    python3 cases/patterns/gerber/make-coupon.py --area    the copper area in closed form, mm^2, and its share of
                                                           the 100 x 100 mm sample

The layout is the project's own, drawn to hold the features a flex maker etches on one panel:
  - a 1 mm copper frame around the coupon;
  - upper left: a line/space comb, 100 um lines at a 200 um pitch along y, 36 x 36 mm (50 % copper);
  - upper right: a fan-out of 200 um traces with 45 degree bends (round-aperture draws);
  - lower left: a ground plane, a region with a 6 x 6 grid of 2 mm clearances (clear polarity, LPC);
  - lower right: an 8 x 8 array of 2 mm square pads at a 4.5 mm pitch, with a 1.2 mm round pad in every gap.
Units are mm, coordinates 4.6 fixed point (%FSLAX46Y46*%). The file is deterministic: rerun the script and diff."""
import math
import os
import sys

R_FAN = 0.1  # fan-out trace half-width, mm


def fan_traces():
    """The 16 fan-out traces as polylines: up from y = 6, a 45 degree leg, up to y = 38."""
    out = []
    for k in range(16):
        x0 = 12.0 + 0.6 * k
        x1 = 6.0 + 2.2 * k
        ybend = 14.0 + 0.2 * k
        yrun = ybend + abs(x1 - x0)
        out.append([(x0, 6.0), (x0, ybend), (x1, yrun), (x1, 38.0)])
    return out


def comb_lines():
    """x of the comb's lines' left edges: 100 um lines at a 200 um pitch from x = -40 to -4."""
    return [-40.0 + 0.2 * k for k in range(180)]


def copper_area():
    """Closed form, mm^2: the features do not overlap (the script's layout keeps them apart)."""
    r = 0.5
    frame = 89 * 89 + 4 * 89 * r + math.pi * r * r - (89 - 2 * r) ** 2  # a round-aperture draw around the square
    comb = len(comb_lines()) * 0.1 * 36.0
    fan = 0.0
    for t in fan_traces():  # a round-aperture draw: 2 r L + pi r^2, less r^2 (tan(a/2) - a/2) at each bend of a
        length = sum(math.hypot(q[0] - p[0], q[1] - p[1]) for p, q in zip(t, t[1:]))
        fan += 2 * R_FAN * length + math.pi * R_FAN ** 2 - 2 * R_FAN ** 2 * (math.tan(math.pi / 8) - math.pi / 8)
    plane = 36.0 * 36.0 - 36 * math.pi * 1.0 ** 2
    pads = 64 * 2.0 * 2.0 + 49 * math.pi * 0.6 ** 2
    return frame + comb + fan + plane + pads


def c(v):
    return "%d" % round(v * 1e6)


def main():
    if sys.argv[1:] == ["--area"]:
        a = copper_area()
        print("copper %.4f mm^2, %.4f %% of the 100 x 100 mm sample" % (a, a / 100.0))
        return
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "coupon.gbr")
    g = ["G04 fcclsim flex-circuit coupon, written by cases/patterns/gerber/make-coupon.py*",
         "%FSLAX46Y46*%", "%MOMM*%",
         "%ADD10C,1.000000*%",        # frame
         "%ADD11C,0.200000*%",        # fan-out traces
         "%ADD12R,2.000000X2.000000*%",  # square pads
         "%ADD13C,1.200000*%",        # round pads
         "%ADD14C,2.000000*%",        # plane clearances
         "%LPD*%"]

    def rect(x0, x1, y0, y1):  # a region (G36/G37), exact-edged
        g.extend(["G36*", "X%sY%sD02*" % (c(x0), c(y0)), "G01*", "X%sY%sD01*" % (c(x1), c(y0)),
                  "X%sY%sD01*" % (c(x1), c(y1)), "X%sY%sD01*" % (c(x0), c(y1)), "X%sY%sD01*" % (c(x0), c(y0)), "G37*"])

    # frame: a 1 mm round-aperture draw around the 89 mm square, so the outer edge is at +-45 mm
    g.append("D10*")
    h = 44.5
    g.append("X%sY%sD02*" % (c(-h), c(-h)))
    g.append("G01*")
    for x, y in ((h, -h), (h, h), (-h, h), (-h, -h)):
        g.append("X%sY%sD01*" % (c(x), c(y)))
    # comb: 100 um lines on a 200 um pitch along y, x from -40 to -4, y from 4 to 40
    for x in comb_lines():
        rect(x, x + 0.1, 4.0, 40.0)
    # fan-out: 16 traces from a row at y = 6 to a spread row at y = 38, with a 45 degree leg between
    g.append("D11*")
    for t in fan_traces():
        g.append("X%sY%sD02*" % (c(t[0][0]), c(t[0][1])))
        g.extend("X%sY%sD01*" % (c(x), c(y)) for x, y in t[1:])
    # ground plane with clearances
    rect(-40.0, -4.0, -40.0, -4.0)
    g.append("%LPC*%")
    g.append("D14*")
    for i in range(6):
        for j in range(6):
            g.append("X%sY%sD03*" % (c(-37.0 + 6.0 * i), c(-37.0 + 6.0 * j)))
    g.append("%LPD*%")
    # pad array
    g.append("D12*")
    for i in range(8):
        for j in range(8):
            g.append("X%sY%sD03*" % (c(7.0 + 4.5 * i), c(-38.0 + 4.5 * j)))
    g.append("D13*")
    for i in range(7):
        for j in range(7):
            g.append("X%sY%sD03*" % (c(9.25 + 4.5 * i), c(-35.75 + 4.5 * j)))
    g.append("M02*")
    with open(out, "w") as f:
        f.write("\n".join(g) + "\n")


if __name__ == "__main__":
    main()
