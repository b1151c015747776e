#!/usr/bin/python3
"""post/sweep.py: parameter sweeps of fcclsim (expand, run, run-point, slurm, status, aggregate); docs/sweeps.md.
The code is the module fcclsim_post.sweep beside this script (found because Python puts this script's directory
first on its import path)."""
import sys

from fcclsim_post.sweep import main

sys.exit(main())
