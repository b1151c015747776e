#!/usr/bin/env python3
"""Re-derives the layer data of some patent examples straight from the tables' CSVs and checks that the generated
case files (cases/patent/*.yaml) carry it. Independent of post/patentlib.py: it reads the CSVs and the YAML itself.

  check-cases.py TABLES_DIR CASES_DIR
"""
import csv
import os
import sys

import yaml


def row(tables, name, key):
    with open(os.path.join(tables, name), newline="") as f:
        return next(r for r in csv.DictReader(f) if r["example"] == key)


def main():
    tables, cases = sys.argv[1], sys.argv[2]
    failures = []

    def expect(what, got, want, tol=0.0):
        ok = (abs(float(got) - float(want)) <= tol) if isinstance(want, (int, float)) else (got == want)
        print("%-4s %s: case %r, tables %r" % ("ok" if ok else "FAIL", what, got, want))
        if not ok:
            failures.append(what)

    # Ex. 5 (Tables 1-2): Cu / low-CTE PI / TPI / Cu, every value printed.
    c = yaml.safe_load(open(os.path.join(cases, "example-05.yaml")))
    layers = [(list(l)[0], list(l.values())[0]) for l in c["layers"]]
    pi, tp = row(tables, "table1_lowcte_pi_ex1-13.csv", "Ex5"), row(tables, "table2_thermoplastic_pi_ex1-13.csv", "Ex5")
    expect("Ex. 5 layer order", [n for n, _ in layers], ["cu1", "pi", "tpi", "cu2"])
    expect("Ex. 5 copper 1 thickness (worked examples: 12 um)", layers[0][1]["thickness_um"], 12)
    expect("Ex. 5 copper 2 thickness", layers[3][1]["thickness_um"], 12)
    expect("Ex. 5 low-CTE PI thickness", layers[1][1]["thickness_um"], float(pi["thickness_um"]))
    expect("Ex. 5 TPI thickness", layers[2][1]["thickness_um"], float(tp["thickness_um"]))
    mpi = c["material_" + layers[1][1]["material"]]
    mtp = c["material_" + layers[2][1]["material"]]
    expect("Ex. 5 low-CTE PI CTE", mpi["alpha_ppm_per_K"], float(pi["cte_ppm_per_K"]))
    # E from the CTE-modulus rule 0.10 MPa/K / alpha, written with 2 decimals
    expect("Ex. 5 low-CTE PI modulus (100/CTE GPa)", mpi["E_GPa"], 100.0 / float(pi["cte_ppm_per_K"]), 0.005)
    expect("Ex. 5 TPI Tg", mtp["Tg_C"], float(tp["tg_C"]))
    expect("Ex. 5 process", c["process"], {"cure_C": 350, "lamination_C": 320, "final_C": 25,
                                           "lamination_mode": "pressed"})

    # Comp. 4 (Tables 4-6): the adhesion layer's CTE column holds its Tg, and its thickness is not printed.
    c = yaml.safe_load(open(os.path.join(cases, "comparative-4.yaml")))
    layers = [(list(l)[0], list(l.values())[0]) for l in c["layers"]]
    api = row(tables, "table4_adhesion_pi_ex14-29.csv", "Comp4")
    pi = row(tables, "table5_lowcte_pi_ex14-29.csv", "Comp4")
    tp = row(tables, "table6_thermoplastic_pi_ex14-29.csv", "Comp4")
    expect("Comp. 4 layer order", [n for n, _ in layers], ["cu1", "api", "pi", "tpi", "cu2"])
    expect("Comp. 4 adhesion thickness printed empty", api["thickness_um"], "")
    expect("Comp. 4 adhesion thickness (assumed 2 um, patentlib ODDITIES)", layers[1][1]["thickness_um"], 2)
    mapi = c["material_" + layers[1][1]["material"]]
    expect("Comp. 4 adhesion Tg = the printed 'CTE' column", mapi["Tg_C"], float(api["cte_column_as_printed"]))
    expect("Comp. 4 adhesion CTE is not the printed 220", mapi["alpha_ppm_per_K"] < 100, True)
    expect("Comp. 4 low-CTE PI thickness", layers[2][1]["thickness_um"], float(pi["thickness_um"]))
    expect("Comp. 4 low-CTE PI CTE", c["material_" + layers[2][1]["material"]]["alpha_ppm_per_K"],
           float(pi["cte_ppm_per_K"]))
    expect("Comp. 4 TPI thickness", layers[3][1]["thickness_um"], float(tp["thickness_um"]))
    expect("Comp. 4 TPI Tg", c["material_" + layers[3][1]["material"]]["Tg_C"], float(tp["tg_C"]))
    if failures:
        sys.exit("%d mismatch(es)" % len(failures))


if __name__ == "__main__":
    main()
