#!/usr/bin/env bash
# The main job: installs what is missing, builds, and checks the patent's 33 examples against its Tables 3 and 7
# (issue 5): fits the few global parameters on Table 3 with laminate theory, runs every example through the whole
# manufacturing history with the 2D model, predicts Table 7 without refitting, and writes the report.
# Options are passed on to post/patent-check.py (e.g. --model 3d, --fit-cure, -j 1).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bash "$top/scripts/setup-debian.sh"
bash "$top/scripts/build.sh"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
build=${FCCLSIM_BUILD_DIR:-$top/build}
out=${FCCLSIM_RESULTS_DIR:-$top/results}/patent
# post/ needs Debian's python3 (numpy, scipy, yaml, matplotlib), which may not be the first python3 on PATH
py=/usr/bin/python3
[ -x "$py" ] || py=python3
# the committed cases must be what the tables give
"$py" "$top/post/patent-cases.py" --check
"$py" "$top/post/patent-check.py" --fcclsim "$build/fcclsim" --out "$out" -j "$(nproc)" "$@"
