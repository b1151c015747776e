#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs every test (ctest; MPI tests on 1, 2 and 4 ranks).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bash "$top/scripts/setup-debian.sh"
bash "$top/scripts/build.sh"
# OpenMPI refuses root unless told; CI machines and containers run as root.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
cd "${FCCLSIM_BUILD_DIR:-$top/build}"
ctest --output-on-failure -j "$(nproc)" "$@"
