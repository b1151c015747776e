#!/usr/bin/env python3
"""Checks the report rows of one example that post/patent-check.py ran through the whole history: the run has every
state of the history, and each row's radius, sign and class follow from that run's summary.json by the rules of
docs/patent-check.md, re-implemented here.

  check-report-row.py OUT CASE LABEL SET MODEL OVERRIDE
"""
import csv
import json
import os
import sys

STATES = ["cure", "cooled", "heated", "laminated", "double_sided", "etch_foil1", "etch_foil2", "etch_both"]
# Table 3's columns and the state each is compared with (one side: foil 2 etched, the cast laminate remains)
COLUMNS = {"before": "double_sided", "one_side": "etch_foil2", "both": "etch_both"}
FLAT_CM = 100.0
# report.csv writes radii with 3 significant digits: 5e-3 relative covers the rounding, and nothing else
RTOL = 5e-3


def main():
    out, case, label, pset, model, override = sys.argv[1:7]
    run = os.path.join(out, "runs", "%s-%s" % (pset, model), case)
    summary = json.load(open(os.path.join(run, "summary.json")))
    names = [s["name"] for s in summary["states"]]
    bad = []
    if names != STATES:
        bad.append("states %s, expected %s" % (names, STATES))
    if any(s["model"] != model for s in summary["states"]):
        bad.append("not all states solved with -model %s" % model)
    log = open(os.path.join(run, "log.txt")).read().split("\n", 1)[0]
    if override not in log:
        bad.append("the global parameter's override %r is not on the command line: %s" % (override, log))
    kappa = {s["name"]: s["center_curvature_1_per_m"]["k1"] for s in summary["states"]}
    rows = [r for r in csv.DictReader(open(os.path.join(out, "report.csv"))) if r["example"] == label]
    if sorted(r["column"] for r in rows) != sorted(COLUMNS):
        bad.append("rows %s" % [r["column"] for r in rows])
    for r in rows:
        st = COLUMNS[r["column"]]
        # + = metal inside: after etching foil 2 the metal (foil 1) is the bottom layer, concave when kappa > 0
        R = 100.0 / kappa[st]
        got = float(r["%s_R_cm" % pset])
        cls = "flat" if abs(R) >= FLAT_CM else "curled"
        ok = r["state"] == st and abs(got - R) <= RTOL * abs(R) and r["%s_class" % pset] == cls
        printed = r["printed"]
        want_cls = "flat" if printed in ("inf", "almost_flat") else "curled"
        ok = ok and r["%s_class_ok" % pset] == ("yes" if cls == want_cls else "no")
        if printed not in ("inf", "almost_flat") and r["column"] == "one_side":
            ok = ok and r["%s_sign_ok" % pset] == ("yes" if (R > 0) == (float(printed) > 0) else "no")
        print("%-4s %s %s: kappa %.6g 1/m -> R %.4g cm %s; report: R %s, %s, class ok %s, sign ok %s"
              % ("ok" if ok else "FAIL", label, r["column"], kappa[st], R, cls, r["%s_R_cm" % pset],
                 r["%s_class" % pset], r["%s_class_ok" % pset], r["%s_sign_ok" % pset] or "-"))
        if not ok:
            bad.append(r["column"])
    md = open(os.path.join(out, "report.md")).read()
    if ("| %s | one_side |" % label) not in md:
        bad.append("report.md has no row for %s" % label)
    for b in bad:
        print("FAIL: %s" % b)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
