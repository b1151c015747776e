#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs the patent's Example 14 history (results in ./results).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bash "$top/scripts/setup-debian.sh"
bash "$top/scripts/build.sh"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
build=${FCCLSIM_BUILD_DIR:-$top/build}
out=${FCCLSIM_RESULTS_DIR:-$top/results}
mkdir -p "$out"
"$build/fcclsim-mesh" -case "$top/cases/example14.yaml" -o "$out/example14.msh" -mesh_view
