"""fcclsim_post: the Python side of fcclsim (parameter sweeps, the patent check, curl-map pictures).

The commands users type are the thin scripts beside this package (post/sweep.py, post/patent-check.py,
post/patent-cases.py, post/render-curl.sh); each imports its module from here. A script run as `python3 post/X.py`
has post/ as the first entry of its import path, which is how it finds this package; anything else (tests, an
interactive session) runs the modules with `PYTHONPATH=post python3 -m fcclsim_post.MODULE`.

Modules:
  files        the one atomic write (temporary file in the same directory, fsync, rename) and O_APPEND log lines
  executable   the one way to find the fcclsim executable (--fcclsim, then $FCCLSIM, then the build tree, then PATH)
  summary      the schema of fcclsim's summary.json (docs/summary-schema.json): reading and validating it
  sweep        post/sweep.py: expand, run, run-point, slurm, status, aggregate (docs/sweeps.md)
  slurm        the SLURM side of sweeps: the array script, the launcher, the scheduler's job states
  patentlib, patent_cases, patent_check, patent_report   the patent check (docs/patent-check.md)
  render_curl  post/render-curl.sh's pvpython part (docs/viewing.md)
Only the standard library is needed, except by aggregate's plots and the patent check (matplotlib, numpy), expand
(PyYAML) and render_curl (ParaView's pvpython).
"""
import os

# The source tree this package lives in (post/fcclsim_post/ -> the top).
TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
