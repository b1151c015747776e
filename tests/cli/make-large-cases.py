#!/usr/bin/env python3
"""make-large-cases.py DIR: writes the bad cases that are too long to keep in the tree.
  deep.yaml       keys nested 30 levels deep (PETSc stops at 25 with "recompile")
  many-keys.yaml  600 keys (PETSc's options database holds 512: "Out of memory")
  long-name.yaml  a layer name of 200 characters (fixed buffers of 64 truncated it)"""
import os
import sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
base = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "ok.yaml")).read()
with open(os.path.join(out, "deep.yaml"), "w") as f:
    f.write(base + "solver:\n" + "".join("  " * (i + 1) + "level%d:\n" % i for i in range(30)) + "  " * 31 + "leaf: 1\n")
with open(os.path.join(out, "many-keys.yaml"), "w") as f:
    f.write(base + "solver_extra:\n" + "".join("  key%d: %d\n" % (i, i) for i in range(600)))
with open(os.path.join(out, "long-name.yaml"), "w") as f:
    name = "c" * 200
    f.write(base.replace("  - cu: {", "  - %s: {" % name).replace("layers: [cu, pi]", "layers: [%s, pi]" % name))
