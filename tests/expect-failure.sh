#!/usr/bin/env bash
# expect-failure.sh PATTERN FORBIDDEN_FILE -- COMMAND...
# Passes when COMMAND exits non-zero, its output matches the extended regex PATTERN, and neither FORBIDDEN_FILE nor
# any temporary piece of it exists afterwards (no partial result left behind).
set -u
pattern=$1 forbidden=$2
shift 3
rm -f "$forbidden"
out=$("$@" 2>&1)
code=$?
if [ "$code" -eq 0 ]; then echo "FAIL: expected a non-zero exit from: $*"; echo "$out"; exit 1; fi
if ! grep -Eq -- "$pattern" <<<"$out"; then echo "FAIL: output does not match /$pattern/:"; echo "$out"; exit 1; fi
if compgen -G "$forbidden*" >/dev/null; then echo "FAIL: a (partial) result was left behind: $(ls "$forbidden"*)"; exit 1; fi
echo "ok: exit $code, message matches /$pattern/"
