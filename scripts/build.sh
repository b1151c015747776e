#!/usr/bin/env bash
# Configures and builds fcclsim into ./build (or $FCCLSIM_BUILD_DIR). Assumes the packages are installed.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${FCCLSIM_BUILD_DIR:-$top/build}
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo > "$build.configure.log" 2>&1 || { cat "$build.configure.log"; exit 1; }
cmake --build "$build" -j "$(nproc)"
