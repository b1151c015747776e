#!/usr/bin/env bash
# The sanitizer suite (issue 12, 5): builds fcclsim with -fsanitize=address,undefined into build-asan/ (or
# $FCCLSIM_ASAN_BUILD_DIR) and runs tests there; any report fails the test that shows it:
# - AddressSanitizer and UndefinedBehaviorSanitizer stop the program at the first error with its stack
#   (halt_on_error, -fno-sanitize-recover; PETSc's own signal handler is off so that ASan reports a SEGV);
# - LeakSanitizer reports, at the exit of a run that completes, every block still allocated, except those that
#   OpenMPI and Gmsh keep by design (tests/sanitizers/lsan.supp names functions inside those libraries, never
#   fcclsim's; stacks are unwound in full so that the suppressions see through the libraries' frames).
#   Code that stops on an error leaves its objects to the exit, as PETSc's error convention does: runs that end in
#   an error (tests/expect-failure.sh, the fuzzer) and the unit test that drives the material reader into its errors
#   in-process (material-tables) are checked for memory errors only.
# Which tests: under ASan the suite's fcclsim runs take 4 to 9 times as long (measured: the process histories 3.7x,
# the HDF5 output 8.7x), so the whole suite would not fit in .ci/run's 30 minutes next to the plain one. By default
# this runs what exercises fcclsim's C code on small inputs, about 5 minutes on 2 cores (docs/testing.md): the unit
# tests (material, laminate, mesh, the FE kernels' manufactured solutions), cmake --install, every command-line
# test (bad inputs, 1 and 2 ranks), the process histories in 2D and laminate theory with the 3D history of bonds,
# pressed bonds, etches and branches on 1 and 2 ranks, the field output on 1 (2D) and 2 (3D) ranks, and 200 fuzz
# runs. Left out: the other 3D histories and the ramp splits (the same code as the 2D ones and the 3D history), the
# model tests, the patent check, sweeps and post/ (Python around fcclsim runs that the selection covers), ParaView,
# SLURM, the 2000-run fuzz test and valgrind (which cannot run an ASan program).
# `run-sanitizers.sh --all` runs every test but valgrind's; other arguments go to ctest (e.g. -R cli).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${FCCLSIM_ASAN_BUILD_DIR:-$top/build-asan}
errors_in_process='^material-tables$'
select=(-R '^(material|laminate|install|mesh|fe-mms|cli|process|output-run|restart-2d-|pattern-(areas|bad-|run-gerber-half-np1$|run-mixed-np1$)|fuzz$)'
        -E "^process-(run-)?(four-layer|five-layer|free-bond|pressed)[a-z-]*-3d(-vs-theory)?\$|^process-(run-)?(split|tdep)|^output-run-(3d-np1|2d-np2)\$|$errors_in_process")
if [ "${1:-}" = --all ]; then
  select=(-LE valgrind -E "$errors_in_process")
  shift
fi
sanitize="-fsanitize=address,undefined"
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFUZZ_RUNS=200 \
  -DCMAKE_C_FLAGS="$sanitize -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
  -DCMAKE_EXE_LINKER_FLAGS="$sanitize" > "$build.configure.log" 2>&1 || { cat "$build.configure.log"; exit 1; }
cmake --build "$build" -j "$(nproc)"
# grep reads all of ldd's output: with -q it would stop at the match, and ldd's SIGPIPE fail the pipeline (pipefail)
ldd "$build/fcclsim" | grep libasan > /dev/null || { echo "run-sanitizers.sh: $build/fcclsim is not built with ASan"; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:fast_unwind_on_malloc=0
export LSAN_OPTIONS=suppressions=$top/tests/sanitizers/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export PETSC_OPTIONS="-no_signal_handler ${PETSC_OPTIONS:-}"
cd "$build"
code=0
ASAN_OPTIONS=halt_on_error=1:detect_leaks=0 ctest --output-on-failure -R "$errors_in_process" || code=$?
ctest --output-on-failure -j "$(nproc)" "${select[@]}" "$@" || code=$?
exit $code
