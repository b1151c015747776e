"""The Markdown report of post/patent-check.py (fcclsim_post.patent_check): summary figures, calibration, the 117 cells, and where and why the
model and the patent disagree."""
import math
import statistics

from . import patentlib as P

# The physical reading of each kind of disagreement, chosen by which way the model errs (see docs/patent-check.md).
REASONS = {
    ("before", "curls"): "the double-sided laminate is stiff and nearly symmetric, so a predicted curl here comes from "
                         "the two foils' different stress-free temperatures (foil 1 at the cure, foil 2 near the TPI's "
                         "Tg); gravity flattens a 50 um sample lying on a table at radii of metres (physics.md 2.7) and "
                         "the patent's infinity sign is the observation of such a sample",
    ("one_side", "curls"): "one-side etching leaves Cu / PI (/ TPI): the Cu-PI mismatch (printed CTE against copper's "
                           "17-18 ppm/K over 25-350 C) and the TPI's mismatch near its Tg are each worth cm-scale radii "
                           "in elastic theory (physics.md 2.9); the patent's flat cells need the effective mismatch "
                           "below ~1e-4, which points to stress relaxation during the cure and lamination, and to "
                           "moisture uptake in the wet etch, that an elastic model with printed CTEs does not carry",
    ("one_side", "flat"): "the model balances the Cu-PI and TPI mismatches more exactly than the samples did; a "
                          "tenth of a ppm/K in the PI's effective CTE moves such a cell across the 100 cm threshold",
    ("both", "curls"): "after both foils are etched only the polyimides remain; the TPI (about 56 ppm/K, glassy below "
                       "its Tg of 205-277 C) against the low-CTE PI gives radii of millimetres in elastic theory "
                       "(physics.md 2.9). Radii of 20-60 cm in the patent mean the TPI's effective mismatch over its "
                       "glassy range is ~1 % of that: its CTE as a 2-6 um layer cured on the PI is not the bulk "
                       "resin's, and it relaxes (physical ageing and creep so close below Tg)",
    ("both", "flat"): "the polyimide layers' mismatch happens to cancel in the model (the adhesion PI on one face "
                      "against the TPI on the other) where the samples kept a small residual",
    ("sign", "wrong"): "the sign follows the balance between the PI's CTE against copper and the TPI's pull on the "
                       "other face; which wins depends on the TPI's effective CTE, the least known input",
}


def col_kind(column):
    return {"before": "before", "one_side": "one_side", "metal_side": "one_side", "tpi_side": "one_side",
            "both": "both"}[column]


def fr(r):
    if r is None:
        return "-"
    if not math.isfinite(r):
        return "inf"
    return ("%.3g" % r) if abs(r) < 1e4 else ("%.1e" % r)


def markdown(rows, names, sets, params, fit_info, summ, model, elapsed, summary_lines):
    last = names[-1]
    L = []
    add = L.append
    add("# WO 2004/085146: model against Tables 3 and 7")
    add("")
    add("Written by `post/patent-check.py` (model `%s`, %d examples, %d curl cells, %.0f s). Method, class threshold "
        "and limits: `docs/patent-check.md`." % (model, len({r['ex']['case'] for r in rows}), len(rows), elapsed))
    add("Radii are in cm and carry the patent's sign after one-side etching (+ = metal inside, - = resin inside, "
        "read from Ex. 1's -70 and the text); before etching and after etching both, the sign is fcclsim's "
        "(+ = the foil-1 side concave) and is not compared.")
    add("A cell is **almost flat** when |R| >= %g cm (edge lift of a 100 mm sample below %.2f mm)."
        % (P.FLAT_RADIUS_CM, P.SAMPLE_MM ** 2 / (8 * P.FLAT_RADIUS_CM * 10)))
    add("")
    add("## Summary figures")
    add("")
    add("| parameters | cells | right class | sign agrees | median abs log10(R_model/R_patent) (finite cells) |")
    add("|---|---|---|---|---|")
    for (s, scope), f in summ.items():
        tag = {"Table 3": "Table 3%s" % (" (fit)" if s == "calibrated" and fit_info else ""),
               "Table 7": "Table 7%s" % (" (blind)" if s == "calibrated" and fit_info else "")}.get(scope, scope)
        add("| %s | %s | %d/%d (%.0f %%) | %d/%d | %.2f (%d) |" % (
            s, tag, f["class_ok"], f["compared"], 100.0 * f["class_ok"] / max(f["compared"], 1), f["sign_ok"],
            f["signed"], f["median_abs_log10"], f["finite"]))
    add("")
    add("```")
    L.extend(summary_lines)
    add("```")
    add("")
    add("## Global parameters")
    add("")
    add("| parameter | literature | %s | meaning |" % ("fitted on Table 3" if fit_info else "used"))
    add("|---|---|---|---|")
    for i, q in enumerate(params):
        v = sets[last][i]
        add("| `%s` | %g | %+.2f %s%s | %s |" % (q["name"], q["literature"], v, q["unit"],
                                              ("" if fit_info["fitted"][i] else " (not fitted)")
                                              + (" (at its bound)" if fit_info["fitted"][i] and fit_info["at_bound"][i]
                                                 else "") if fit_info else "",
                                              q["what"]))
    if fit_info:
        add("")
        add("Fitted on %d Table 3 cells with laminate theory (least squares of the asinh(kappa / 1 m^-1) misfit: "
            "log-like for curled cells, zero for a printed-flat cell predicted flat); cost %.3g at the literature "
            "values, %.3g fitted. The affine model used by the fit differs from a run at the fitted values by %.1e "
            "(relative). Table 7 is predicted with these values, not refitted. No per-example parameter."
            % (fit_info["cells"], fit_info["cost_literature"], fit_info["cost_fitted"], fit_info["affine_error"]))
    if fit_info and fit_info["fitted"][-1]:
        add("")
        add("The cost along the search of the cure temperature (the CTE offsets solved at each):")
        add("")
        add("| cure_sf_C | cost | " + " | ".join(q["name"] for q in params[:-1]) + " |")
        add("|---|---|" + "---|" * (len(params) - 1))
        for t, cost, p in fit_info["scan"]:
            add("| %.1f | %.4g | %s |" % (t, cost, " | ".join("%+.2f" % v for v in p[:-1])))
    add("")
    add("## Which side Table 3's 'one side' is")
    add("")
    add("Table 3 does not say which foil was etched. The comparison uses **foil 2 etched** (`etch_foil2`: the cast "
        "one-sided laminate Cu / PI / TPI remains). Reason: the text ties the direction of the one-side curl to the "
        "low-CTE PI's CTE against the metal it was cast on, which is the foil that remains when foil 2 is etched; "
        "Table 7's own naming also lists the metal-side and the TPI-side etch separately, and Table 3 has one column. "
        "The other side is in `report.csv` (`other_*`) and its figures are:")
    add("")
    key = (last, "Table 3, one side = foil 1")
    if key in summ:
        f = summ[key]
        add("- Table 3 with foil 1 etched instead (%s parameters): class %d/%d, sign %d/%d, median abs log10 %.2f."
            % (last, f["class_ok"], f["compared"], f["sign_ok"], f["signed"], f["median_abs_log10"]))
    add("")
    add("## Before etching")
    add("")
    before = [r for r in rows if r["cell"]["column"] == "before"]
    for s in names:
        flat = sum(r[s]["class"] == "flat" for r in before)
        rs = [abs(r[s]["R_cm"]) for r in before]
        add("- %s: %d of %d double-sided laminates predicted flat (|R| >= %g cm); |R| from %s to %s cm, median %s cm."
            % (s, flat, len(before), P.FLAT_RADIUS_CM, fr(min(rs)), fr(max(rs)), fr(statistics.median(rs))))
    notflat = [r for r in before if r[last]["class"] != "flat"]
    if notflat:
        add("")
        add("Not flat (%s): %s. Why: %s." % (last, ", ".join(r["ex"]["label"] for r in notflat),
                                             REASONS[("before", "curls")]))
    add("")
    add("## Where the model and the patent disagree (%s parameters)" % last)
    add("")
    for kind, title in (("one_side", "after etching one side"), ("both", "after etching both sides")):
        sub = [r for r in rows if col_kind(r["cell"]["column"]) == kind and r[last]["class_ok"] is not None]
        curls = [r for r in sub if not r[last]["class_ok"] and r[last]["class"] == "curled"]
        flats = [r for r in sub if not r[last]["class_ok"] and r[last]["class"] == "flat"]
        both_cur = [r for r in sub if r[last]["class_ok"] and r["cell"]["printed_class"] == "curled"]
        add("**%s** (%d cells): %d in the right class." % (title.capitalize(), len(sub), len(sub) - len(curls) - len(flats)))
        if curls:
            add("- %d printed almost flat, predicted curled (%s). Likely reason: %s."
                % (len(curls), ", ".join("%s %s (%s cm)" % (r["ex"]["label"], r["cell"]["column"], fr(r[last]["R_cm"]))
                                         for r in curls), REASONS[(kind, "curls")]))
        if flats:
            add("- %d printed curled, predicted flat (%s). Likely reason: %s."
                % (len(flats), ", ".join("%s %s (printed %s)" % (r["ex"]["label"], r["cell"]["column"],
                                                                 r["cell"]["printed"]) for r in flats),
                   REASONS[(kind, "flat")]))
        if both_cur:
            lg = [r[last]["log10_ratio"] for r in both_cur if r[last]["log10_ratio"] is not None]
            if lg:
                add("- %d printed and predicted curled; the model's radius is %s the printed one (median log10 "
                    "ratio %+.2f)." % (len(both_cur), "below" if statistics.median(lg) < 0 else "above",
                                       statistics.median(lg)))
        add("")
    wrong = [r for r in rows if r[last]["sign_ok"] is False]
    if wrong:
        add("**Sign**: %d of %d signed cells have the wrong sign (%s). %s." % (
            len(wrong), sum(r[last]["sign_ok"] is not None for r in rows),
            ", ".join("%s %s" % (r["ex"]["label"], r["cell"]["column"]) for r in wrong),
            REASONS[("sign", "wrong")][0].upper() + REASONS[("sign", "wrong")][1:]))
        add("")
    add("## The %d cells" % len(rows))
    add("")
    hdr = "| example | column | printed | " + " | ".join("%s R (cm) | class | agrees" % s for s in names) + \
          " | other side R | notes |"
    add(hdr)
    add("|" + "---|" * (hdr.count("|") - 1))
    for r in rows:
        c = r["cell"]
        cells = []
        for s in names:
            m = r[s]
            ag = "" if m["agree"] is None else ("yes" if m["agree"] else "**no**")
            cells += [fr(m["R_cm"]), m["class"], ag]
        o = r.get("other")
        add("| %s | %s | %s | %s | %s | %s |" % (r["ex"]["label"], c["column"], c["printed"], " | ".join(cells),
                                                 ("%s (%s)" % (fr(o["R_cm"]), o["state"])) if o else "",
                                                 r["notes"]))
    add("")
    add("## Oddities of the printed tables and their handling")
    add("")
    for o in P.ODDITIES:
        add("- **%s** (%s): %s. Handling: %s. Reason: %s." % (o["id"], ", ".join(o["examples"]), o["printed"],
                                                              o["handling"], o["reason"]))
    add("")
    add("## Figures")
    add("")
    add("![model against printed radius](radius-model-vs-patent.png)")
    add("")
    add("![curled sections](curlmap-examples.png)")
    add("")
    return "\n".join(L)
