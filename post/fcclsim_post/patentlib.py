"""The 33 examples of WO 2004/085146 A1 (Tables 1-7) as data: layers, materials, printed curl cells, and the one place
where the tables' printed oddities are handled.

Used by post/patent-cases.py (fcclsim_post.patent_cases: writes cases/patent/*.yaml) and post/patent-check.py
(fcclsim_post.patent_check: runs them and compares the curl with Tables 3 and 7). Only the Python standard library is
needed here.
"""
import csv
import math
import os

from . import TOP
TABLES = os.path.join(TOP, "cases", "patent", "tables")
CASES = os.path.join(TOP, "cases", "patent")
MATERIALS = os.path.join(TOP, "cases", "materials")

# The worked examples (Ex. 1 and Ex. 14): 12 um copper foils; the other examples follow "the same method".
COPPER_UM = 12
PROCESS = {"cure_C": 350, "lamination_C": 320, "final_C": 25, "lamination_mode": "pressed"}

# The curl class threshold: a sample is "almost flat" when |R| >= FLAT_RADIUS_CM. A 100 mm sample curled to R lifts
# its edges by H = R (1 - cos(L / 2R)) ~ L^2 / 8R: 1.25 mm at 100 cm. The largest radius the patent prints as a number
# is 70 cm (Ex. 1, lift 1.8 mm), so its observers resolved lifts of ~2 mm; below ~1.25 mm a 25-50 um film's lift is
# within what gravity and handling do to a nearly flat sample (elasto-gravity length 3-6 cm, physics.md 2.7).
FLAT_RADIUS_CM = 100.0
SAMPLE_MM = 100.0

# The rule for a polyimide known only by its in-plane CTE (physics.md 1.3, an estimate from commercial films:
# E * alpha ~ 0.09-0.11 MPa/K for Kapton EN and Upilex-S): E = 0.10 MPa/K / alpha, i.e. E[GPa] = 100 / alpha[ppm/K].
E_ALPHA_MPA_PER_K = 0.10
NU_PI = 0.33  # assumed: rigid and semi-rigid polyimides 0.30-0.34 (physics.md 1.2); no measured value for these films

ORDER = ["Ex%d" % i for i in range(1, 14)] + ["Comp1", "Comp2"] + ["Ex%d" % i for i in range(14, 30)] + ["Comp3", "Comp4"]

# The oddities of the printed tables (patent-tables README) and how this project reads them. apply_oddities() below is
# the only code that acts on them; the cases and the report quote these entries.
ODDITIES = [
    {"id": "ex1-mpda", "examples": ["Ex1"],
     "printed": "Table 1 gives Ex. 1's low-CTE PI as BPDA/PMDA 30/70 + PDA/ODA 30/70",
     "handling": "chemistry label m-PDA/4,4'-ODA 30/70 (from the text); CTE 21 and thickness 23 um as printed",
     "reason": "the worked example's masses (7.843 g m-PDA = 72.5 mmol, 33.887 g 4,4'-ODA = 169 mmol) make m-PDA 30 / "
               "ODA 70 mol; the model only uses the printed CTE and thickness, so the label is all that changes"},
    {"id": "ex14-mpda", "examples": ["Ex14"],
     "printed": "Table 5 gives Ex. 14's low-CTE PI as BPDA/PMDA + PDA/ODA",
     "handling": "chemistry label m-PDA/4,4'-ODA 30/70 (from the text); CTE 21 and thickness 22 um as printed",
     "reason": "Example 14's text repeats Example 1's masses (7.843 g m-PDA, 33.887 g 4,4'-ODA) for the same precursor; "
               "not in the tables' README, noticed here"},
    {"id": "tg-in-cte-column", "examples": ["Ex27", "Ex28", "Ex29", "Comp3", "Comp4"],
     "printed": "Table 4's CTE column prints 220, 205, 226, 277, 220 for the adhesion layer",
     "handling": "read as the layer's Tg (C); the layer is modelled as a thermoplastic PI (TPI properties, Tg as printed)",
     "reason": "these adhesion layers are BPADA- or BTDA-based TPIs, and the numbers are the Tg of the same chemistries "
               "in Tables 2 and 6 (BPADA-ODA/mPDA 220, BPADA-ODA/BAPP 205, BPADA/BTDA-ODA 226, BTDA-ODA 277, "
               "BPADA-ODA 220); a CTE of 205-277 ppm/K is not a glassy polyimide's"},
    {"id": "ex27-ratios", "examples": ["Ex27"],
     "printed": "Table 4, Ex. 27: amine ratios 60/40/40 for ODA/mPDA/(none)",
     "handling": "label ODA 60 / mPDA 40; the stray third 40 is dropped",
     "reason": "only two amines are printed; 60/40 is the ratio of the same chemistry in Tables 2 and 6 (Tg 220)"},
    {"id": "ex28-amines", "examples": ["Ex28"],
     "printed": "Table 4, Ex. 28: amine columns ODA, -, BAPP with ratios 70, 30, -",
     "handling": "label ODA 70 / BAPP 30",
     "reason": "the ratios are shifted one column; ODA/BAPP 70/30 is the TPI of Ex. 6 and 19 with the same Tg 205"},
    {"id": "comp4-api-thickness", "examples": ["Comp4"],
     "printed": "Table 4, Comp. 4: no thickness for the adhesion layer",
     "handling": "2 um, assumed",
     "reason": "the median of the 17 printed adhesion-layer thicknesses (1-4 um) and inside the patent's preferred "
               "1-5 um; the report marks Comp. 4's cells as depending on this assumption"},
    {"id": "comp1-before-not-reported", "examples": ["Comp1"],
     "printed": "Table 3, Comp. 1: curl before etching printed as '-'",
     "handling": "the cell is listed with its prediction but not compared",
     "reason": "there is no printed value or class to compare with"},
]

# The thermoplastic polyimides: the patent prints Tg only. Base values by chemistry from the materials database.
TPI_BASES = {"bpada": "tpi_bpada_mpda", "btda_oda": "tpi_btda_oda"}


def case_name(key):
    """Ex5 -> example-05, Comp1 -> comparative-1."""
    if key.startswith("Ex"):
        return "example-%02d" % int(key[2:])
    return "comparative-%d" % int(key[4:])


def label(key):
    return ("Ex. %d" % int(key[2:])) if key.startswith("Ex") else ("Comp. %d" % int(key[4:]))


def table_of(key):
    """3 for Ex. 1-13 and Comp. 1-2 (Tables 1-3), 7 for Ex. 14-29 and Comp. 3-4 (Tables 4-7)."""
    if key.startswith("Ex"):
        return 3 if int(key[2:]) <= 13 else 7
    return 3 if int(key[4:]) <= 2 else 7


def read_table(filename, tables=TABLES):
    with open(os.path.join(tables, filename), newline="") as f:
        return {row["example"]: row for row in csv.DictReader(f)}


def load_tables(tables=TABLES):
    names = {1: "table1_lowcte_pi_ex1-13.csv", 2: "table2_thermoplastic_pi_ex1-13.csv", 3: "table3_results_ex1-13.csv",
             4: "table4_adhesion_pi_ex14-29.csv", 5: "table5_lowcte_pi_ex14-29.csv",
             6: "table6_thermoplastic_pi_ex14-29.csv", 7: "table7_results_ex14-29.csv"}
    return {k: read_table(v, tables) for k, v in names.items()}


def chemistry(row, n_amines=2):
    """'BPDA/PMDA 30/70 + PDA/ODA 30/70' from a table row, as printed."""
    def part(prefix, n):
        names = [row.get("%s%d" % (prefix, i), "") for i in range(1, n + 1)]
        mols = [row.get("%s%d_mol" % (prefix, i), "") for i in range(1, n + 1)]
        keep = [(a, m) for a, m in zip(names, mols) if a]
        return "/".join(a for a, _ in keep) + (" " + "/".join(m for _, m in keep) if len(keep) > 1 else "")
    return part("anhydride", 2) + " + " + part("amine", n_amines)


def tpi_base(row):
    """Database material of a thermoplastic PI by chemistry: BPADA-based ones take the Ultem 1000 (BPADA-mPDA) values,
    the BTDA-ODA ones (Comp. 1, Comp. 3) their own."""
    anh = {row.get("anhydride1", ""), row.get("anhydride2", "")}
    return TPI_BASES["bpada"] if "BPADA" in anh else TPI_BASES["btda_oda"]


def num(text):
    return float(text) if text not in ("", None) else None


def raw_layers(key, t):
    """The resin layers of one example, read as printed (before the oddities are applied)."""
    layers = []
    if table_of(key) == 3:
        pi, tp = t[1][key], t[2][key]
    else:
        api, pi, tp = t[4][key], t[5][key], t[6][key]
        layers.append({"name": "api", "role": "lowcte", "row": api, "chemistry": chemistry(api, 3),
                       "cte_ppm_per_K": num(api["cte_column_as_printed"]), "tg_C": None,
                       "thickness_um": num(api["thickness_um"]), "table": 4})
    layers.append({"name": "pi", "role": "lowcte", "row": pi, "chemistry": chemistry(pi),
                   "cte_ppm_per_K": num(pi["cte_ppm_per_K"]), "tg_C": None, "thickness_um": num(pi["thickness_um"]),
                   "table": 1 if table_of(key) == 3 else 5})
    layers.append({"name": "tpi", "role": "tpi", "row": tp, "chemistry": chemistry(tp), "cte_ppm_per_K": None,
                   "tg_C": num(tp["tg_C"]), "thickness_um": num(tp["thickness_um"]),
                   "table": 2 if table_of(key) == 3 else 6})
    return layers


def apply_oddities(key, layers):
    """The one place where the printed oddities (ODDITIES) change what is modelled. Returns the ids applied."""
    applied = []
    by = {l["name"]: l for l in layers}
    if key in ("Ex1", "Ex14"):
        by["pi"]["chemistry"] = "BPDA/PMDA 30/70 + m-PDA/4,4'-ODA 30/70"
        applied.append("ex1-mpda" if key == "Ex1" else "ex14-mpda")
    if key in ("Ex27", "Ex28", "Ex29", "Comp3", "Comp4"):
        api = by["api"]
        api["role"], api["tg_C"], api["cte_ppm_per_K"] = "tpi", api["cte_ppm_per_K"], None
        applied.append("tg-in-cte-column")
    if key == "Ex27":
        by["api"]["chemistry"] = "BPADA + ODA/mPDA 60/40"
        applied.append("ex27-ratios")
    if key == "Ex28":
        by["api"]["chemistry"] = "BPADA + ODA/BAPP 70/30"
        applied.append("ex28-amines")
    if key == "Comp4":
        by["api"]["thickness_um"] = 2.0
        applied.append("comp4-api-thickness")
    if key == "Comp1":
        applied.append("comp1-before-not-reported")
    return applied


def read_material_db(name, materials=MATERIALS):
    """The scalar values of a database material (cases/materials/NAME.yaml), without a YAML library: the files are
    flat `key: value` lists under `material_NAME:`."""
    values = {}
    with open(os.path.join(materials, name + ".yaml")) as f:
        for line in f:
            s = line.split("#", 1)[0].strip()
            if ":" in s and not s.startswith("material_"):
                k, v = (x.strip() for x in s.split(":", 1))
                try:
                    values[k] = float(v)
                except ValueError:
                    pass
    return values


def material_for(key, layer, materials=MATERIALS):
    """The inline material of one resin layer: {'name', 'values' (ordered key -> value), 'comments' (key -> source)}."""
    name = "%s_%s" % (layer["name"], case_name(key).replace("example-", "ex").replace("comparative-", "comp"))
    vals, com = {}, {}
    if layer["role"] == "lowcte":
        a = layer["cte_ppm_per_K"]
        vals["E_GPa"] = round(E_ALPHA_MPA_PER_K * 1e3 / a, 2)
        com["E_GPa"] = ("CTE-modulus rule E = %.2f MPa/K / alpha (physics.md 1.3, an estimate: the patent gives no "
                        "modulus)" % E_ALPHA_MPA_PER_K)
        vals["nu"] = NU_PI
        com["nu"] = "assumed: rigid polyimides 0.30-0.34 (physics.md 1.2), none measured for these films"
        vals["alpha_ppm_per_K"] = a
        com["alpha_ppm_per_K"] = "printed CTE, Table %d (constant over T: the patent gives one value)" % layer["table"]
    else:
        base = tpi_base(layer["row"])
        db = read_material_db(base, materials)
        for k in ("E_GPa", "nu", "alpha_ppm_per_K"):
            vals[k] = db[k]
            com[k] = "cases/materials/%s.yaml (the patent gives no %s for the TPI)" % (
                base, {"E_GPa": "modulus", "nu": "Poisson ratio", "alpha_ppm_per_K": "CTE"}[k])
        vals["Tg_C"] = layer["tg_C"]
        com["Tg_C"] = "printed Tg, Table %d%s" % (layer["table"], " (CTE column, see ODDITIES)" if layer["table"] == 4 else "")
    return {"name": name, "values": vals, "comments": com}


def parse_cell(text):
    """A printed curl cell -> (class, radius_cm): ('flat', inf) for the infinity sign, ('flat', None) for "Almost flat",
    ('curled', R) for a number, (None, None) for "-"."""
    if text == "inf":
        return "flat", math.inf
    if text == "almost_flat":
        return "flat", None
    if text == "not_reported":
        return None, None
    r = float(text)
    return ("flat" if abs(r) >= FLAT_RADIUS_CM else "curled"), r


# The curl columns: (column id, header in the CSV, fcclsim state compared, the other state reported, description).
# Patent sign (only Ex. 1's -70 is negative): Ex. 1's low-CTE PI has the highest CTE (21 ppm/K, above copper's
# 17-18), the text says a high CTE curls "with the inside being the resin layer", so a negative radius is read as
# resin inside and a positive one as metal inside.
COLUMNS = {
    3: [("before", "curl_before_etching_cm", "double_sided", None, "before etching"),
        ("one_side", "curl_after_etching_one_side_cm", "etch_foil2", "etch_foil1", "after etching one side"),
        ("both", "curl_after_etching_both_sides_cm", "etch_both", None, "after etching both sides")],
    7: [("before", "curl_before_etching_cm", "double_sided", None, "before etching"),
        ("metal_side", "curl_after_etching_metal_adhesion_side_cm", "etch_foil1", None,
         "after etching the metal-adhesion side (foil 1)"),
        ("tpi_side", "curl_after_etching_tpi_side_cm", "etch_foil2", None, "after etching the TPI side (foil 2)"),
        ("both", "curl_after_etching_both_sides_cm", "etch_both", None, "after etching both sides")],
}

# Sign of the patent radius (+ = metal inside) relative to fcclsim's (kappa > 0: bottom layer concave). After etching
# foil 2 the metal (foil 1) is the bottom layer: same sign. After etching foil 1 the metal (foil 2) is on top: opposite.
# Before etching and after etching both there is no single metal side: fcclsim's sign is kept (+ = foil-1 side
# concave) and no sign is compared.
PATENT_SIGN = {"etch_foil2": 1, "etch_foil1": -1, "double_sided": 1, "etch_both": 1}
SIGNED_STATES = ("etch_foil1", "etch_foil2")


def patent_radius_cm(state, kappa_1_per_m):
    """Signed radius in the patent's convention (+ = metal inside) from fcclsim's centre curvature."""
    k = PATENT_SIGN[state] * kappa_1_per_m
    return math.inf if k == 0 else 100.0 / k


def model_class(radius_cm):
    return "flat" if abs(radius_cm) >= FLAT_RADIUS_CM else "curled"


def implied_sign(ex, column_state):
    """The sign the text implies for a one-side-etched cell from the low-CTE PI's CTE (below 5 ppm/K metal inside,
    above 25 resin inside), or 0. No example's low-CTE PI lies outside 5-25, so this is 0 for all 33."""
    if column_state not in SIGNED_STATES:
        return 0
    a = ex["layers_by_name"]["pi"]["cte_ppm_per_K"]
    return 1 if a < 5 else (-1 if a > 25 else 0)


def examples(tables=TABLES, materials=MATERIALS):
    """All 33 examples in table order, each a dict with the layers, materials, oddities and printed curl cells."""
    t = load_tables(tables)
    out = []
    for key in ORDER:
        layers = raw_layers(key, t)
        applied = apply_oddities(key, layers)
        for l in layers:
            l["material"] = material_for(key, l, materials)
        res = t[table_of(key)][key]
        cells = []
        for col, header, state, other, desc in COLUMNS[table_of(key)]:
            cls, r = parse_cell(res[header])
            cells.append({"column": col, "header": header, "printed": res[header], "printed_class": cls,
                          "printed_cm": r, "state": state, "other_state": other, "description": desc})
        ex = {"key": key, "label": label(key), "case": case_name(key), "table": table_of(key), "layers": layers,
              "layers_by_name": {l["name"]: l for l in layers}, "oddities": applied, "cells": cells}
        for c in cells:
            c["implied_sign"] = implied_sign(ex, c["state"])
        out.append(ex)
    return out
