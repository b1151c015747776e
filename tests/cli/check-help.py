#!/usr/bin/env python3
"""check-help.py FCCLSIM FCCLSIM_MESH TOP: `fcclsim -help` and the documentation agree.
- `fcclsim -help` without a case exits 0 and lists keys (layers, materials and steps as layers_NAME_*, ...);
- every key it lists is documented in docs/cases.md or docs/process.md, and every documented key is listed: so a
  documented key can never be rejected as unknown, and no key is undocumented;
- the same for `fcclsim-mesh -help` and the keys docs/cases.md marks as fcclsim-mesh's;
- `fcclsim -help -case tests/cli/ok.yaml` exits 0 and shows the case's values (its real layer names and thickness).
A documented key is a backticked name in the first column of a table row of those files, NAME standing for a layer,
material or step name."""
import os
import re
import subprocess
import sys

fcclsim, fcclsim_mesh, top = sys.argv[1:4]
env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
failures = []


def listed(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
    if r.returncode:
        failures.append("%s exits %d: %s" % (" ".join(cmd), r.returncode, r.stderr.strip()[-300:]))
    return r.stdout, set(re.findall(r"^\s+-([A-Za-z0-9_]+)[\s:<]", r.stdout, re.M))


def documented(path, mesh_only):
    """Keys in the first column of the key tables (header "| key | meaning |..."; the summary.json table, "| key |
    type |...", documents output, not input); rows saying "fcclsim-mesh only" are that tool's alone"""
    keys, in_key_table = set(), False
    for line in open(os.path.join(top, path)):
        if not line.startswith("|"):
            in_key_table = False
            continue
        if line.replace(" ", "").startswith("|key|"):
            in_key_table = line.replace(" ", "").startswith("|key|meaning|")
            continue
        if not in_key_table or line.startswith("|---") or (("fcclsim-mesh only" in line) != mesh_only):
            continue
        keys.update(k for k in re.findall(r"`([A-Za-z][A-Za-z0-9_]*)`", line.split("|")[1]) if k != "key")
    return keys


out, help_keys = listed([fcclsim, "-help"])
doc_keys = documented("docs/cases.md", False) | documented("docs/process.md", False)
if len(help_keys) < 40:
    failures.append("fcclsim -help lists only %d keys:\n%s" % (len(help_keys), out[-2000:]))
for k in sorted(help_keys - doc_keys):
    failures.append("fcclsim -help lists %s, which docs/cases.md and docs/process.md do not document" % k)
for k in sorted(doc_keys - help_keys):
    failures.append("docs document %s, which fcclsim -help does not list (it would be rejected as unknown)" % k)

out, mesh_keys = listed([fcclsim_mesh, "-help"])
mesh_doc = documented("docs/cases.md", True)
for k in sorted(mesh_keys - doc_keys - mesh_doc):
    failures.append("fcclsim-mesh -help lists %s, which docs/cases.md does not document" % k)
for k in sorted(mesh_doc - mesh_keys):
    failures.append("docs/cases.md documents %s for fcclsim-mesh, which fcclsim-mesh -help does not list" % k)

out, case_keys = listed([fcclsim, "-help", "-case", os.path.join(top, "tests/cli/ok.yaml")])
for want in ("layers_cu_thickness_um <12", "layers_pi_material <now pi_const", "steps_cooled_temperature_C <25", "model <now 2d"):
    if want not in out:
        failures.append("fcclsim -help -case ok.yaml does not show the case's value '%s'" % want)

if failures:
    print("FAIL:\n  " + "\n  ".join(failures))
    sys.exit(1)
print("ok: fcclsim -help lists %d keys, all documented and all documented ones listed; fcclsim-mesh %d; the case's values shown" % (len(help_keys), len(mesh_keys)))
