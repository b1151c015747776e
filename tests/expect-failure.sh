#!/usr/bin/env bash
# expect-failure.sh [--internal] PATTERN FORBIDDEN_FILE -- COMMAND...
# Passes when COMMAND exits non-zero, its output matches the extended regex PATTERN, and neither FORBIDDEN_FILE nor
# any temporary piece of it exists afterwards (no partial result left behind).
# A user-input error (the default) must also look like one (solver/error-report.h): exit status 2, at most 3 lines
# on stderr, the first beginning "fcclsim: error: ", and no PETSc trace. --internal: any non-zero exit, any output.
set -u
internal=0
if [ "$1" = --internal ]; then internal=1; shift; fi
pattern=$1 forbidden=$2
shift 3
rm -f "$forbidden"
# under the sanitizers (scripts/run-sanitizers.sh) a run that stops on an error leaves its objects to the exit, as
# PETSc's error convention does: memory errors are checked, leaks only in runs that complete (and without the leak
# check, the fast unwinder will do)
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0:fast_unwind_on_malloc=1"
err=$(mktemp)
out=$("$@" 2>"$err")
code=$?
msg=$(cat "$err")
rm -f "$err"
if [ "$code" -eq 0 ]; then echo "FAIL: expected a non-zero exit from: $*"; echo "$out"; echo "$msg"; exit 1; fi
if ! grep -Eq -- "$pattern" <<<"$out$msg"; then echo "FAIL: output does not match /$pattern/:"; echo "$out"; echo "$msg"; exit 1; fi
if compgen -G "$forbidden*" >/dev/null; then echo "FAIL: a (partial) result was left behind: $(ls "$forbidden"*)"; exit 1; fi
if [ $internal = 0 ]; then
  lines=$(grep -c '' <<<"$msg")
  if [ "$code" -ne 2 ]; then echo "FAIL: a user-input error exits with status 2, this one with $code:"; echo "$msg"; exit 1; fi
  if [ "$lines" -gt 3 ] || ! head -n 1 <<<"$msg" | grep -q '^fcclsim: error: ' || grep -q 'PETSC ERROR' <<<"$msg"; then
    echo "FAIL: a user-input error is at most 3 lines on stderr, the first 'fcclsim: error: ...', no PETSc trace; got $lines:"
    echo "$msg"
    exit 1
  fi
fi
echo "ok: exit $code, message matches /$pattern/"
