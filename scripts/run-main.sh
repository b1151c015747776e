#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs the patent's Example 14 stack (results in ./results).
# The check of all patent cases against Tables 3 and 7 will take its place (issue 5).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bash "$top/scripts/setup-debian.sh"
bash "$top/scripts/build.sh"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
build=${FCCLSIM_BUILD_DIR:-$top/build}
out=${FCCLSIM_RESULTS_DIR:-$top/results}
mkdir -p "$out"
# Example 14's stack cooled from the cure: the 2D section, the 3D quarter plate, and laminate theory
for model in 2d 3d laminate; do
  "$build/fcclsim" -case "$top/cases/example14.yaml" -model "$model" -output "$out/example14-$model"
done
echo "results in $out (summary.json per run)"
