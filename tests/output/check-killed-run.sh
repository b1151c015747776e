#!/usr/bin/env bash
# check-killed-run.sh DIR N -- FCCLSIM ARGS...: a complete fcclsim run into DIR, then the same run killed (SIGKILL,
# by field-output.c's test hook FCCLSIM_TEST_KILL_AFTER_STATES=N) when it is about to write its state N + 1. Passes when the
# killed run left no fields.xmf / curlmap.xmf (nothing ParaView would open as a result), no summary.json / complete
# marker (the first run's, which would pass for this run's), no curl map of the first run beyond the states it
# reached; when it left the complete files of exactly the N states it reached (fields-STATE.h5 and curlmap-STATE.h5,
# each readable with h5py, and fields-mesh.h5), none of the first run's other states, and at most one .part (the
# state it was writing); and when the next complete run removes the .part leftovers.
set -u
dir=$1
n=$2
shift 3
rm -rf "$dir"
"$@" -output "$dir" >/dev/null 2>&1 || { echo "FAIL: the complete run failed: $*"; exit 1; }
[ -f "$dir/fields.xmf" ] && [ -f "$dir/summary.json" ] || { echo "FAIL: the complete run wrote no fields.xmf or summary.json"; exit 1; }
first_maps=$(ls "$dir"/curlmap-*.csv | wc -l)
# the states in the order of the process, from the complete run's index
states=$(/usr/bin/python3 -c "
import sys, xml.etree.ElementTree as ET
print(' '.join(g.get('Name') for g in ET.parse(sys.argv[1]).getroot().iter('Grid') if g.get('GridType') == 'Uniform'))" "$dir/fields.xmf")
read -r -a all <<<"$states"
[ "${#all[@]}" -gt "$n" ] || { echo "FAIL: the complete run has ${#all[@]} states, not more than $n"; exit 1; }
FCCLSIM_TEST_KILL_AFTER_STATES=$n "$@" -output "$dir" >/dev/null 2>&1 && { echo "FAIL: the run was not killed"; exit 1; }
left=$(cd "$dir" && ls fields.xmf curlmap.xmf fields.h5 curlmap.h5 summary.json complete 2>/dev/null)
[ -z "$left" ] || { echo "FAIL: the killed run left $left"; exit 1; }
maps=$(ls "$dir"/curlmap-*.csv 2>/dev/null | wc -l)
[ "$maps" = $((n + 1)) ] || { echo "FAIL: $maps curl maps after the kill at state $((n + 1)) (the first run wrote $first_maps): the earlier run's are mixed in"; exit 1; }
# exactly the N states reached, each complete: killed midway, not at the start, and no state of the first run left
reached="${all[*]:0:$n}"
/usr/bin/python3 - "$dir" "${all[$n]}" $reached <<'EOF' || exit 1
import glob, os, sys

import h5py

run, writing, reached = sys.argv[1], sys.argv[2], sys.argv[3:]
def names(kind):
    return sorted(os.path.basename(p)[len(kind) + 1:-3] for p in glob.glob(os.path.join(run, kind + "-*.h5")))
fields = [s for s in names("fields") if s != "mesh"]
if fields != sorted(reached) or names("curlmap") != sorted(reached):
    sys.exit("FAIL: the killed run left the fields of %s and the curl maps of %s, expected exactly %s" % (fields, names("curlmap"), sorted(reached)))
parts = sorted(os.path.basename(p) for p in glob.glob(os.path.join(run, "*.part")))
if parts not in ([], ["fields-%s.h5.part" % writing]):
    sys.exit("FAIL: the killed run left %s: at most the state it was writing, fields-%s.h5.part" % (parts, writing))
try:
    with h5py.File(os.path.join(run, "fields-mesh.h5"), "r") as h:
        nv, nc = h["geometry/vertices"].shape[0], h["viz/topology/cells"].shape[0]
    cell_fields = None
    for s in reached:
        with h5py.File(os.path.join(run, "fields-%s.h5" % s), "r") as h:
            ok = h["vertex_fields/nodal_displacement"].shape == (nv, 3) and all(h["cell_fields"][k].shape == (nc,) for k in h["cell_fields"])
            ok = ok and len(h["cell_fields"]) > 0 and sorted(h["cell_fields"]) == (cell_fields or sorted(h["cell_fields"]))
            cell_fields = sorted(h["cell_fields"])
        with h5py.File(os.path.join(run, "curlmap-%s.h5" % s), "r") as h:
            ok = ok and h["fields/w"].shape == (h["geometry/vertices"].shape[0],)
        if not ok:
            sys.exit("FAIL: the files of state %s are not complete" % s)
except (OSError, KeyError) as e:
    sys.exit("FAIL: a file the killed run completed does not read back: %s" % e)
print("the killed run left the complete files of %s%s" % (", ".join(reached), " and " + parts[0] if parts else ""))
EOF
# a leftover of a kill while a state's file was open, if this kill left none: the next run must remove it too
compgen -G "$dir/*.part" >/dev/null || : >"$dir/fields-${all[$n]}.h5.part"
parts=$(cd "$dir" && ls *.part | tr '\n' ' ')
"$@" -output "$dir" >/dev/null 2>&1 || { echo "FAIL: the run after the killed one failed"; exit 1; }
! compgen -G "$dir/*.part" >/dev/null || { echo "FAIL: the next run left the killed run's $(ls "$dir"/*.part)"; exit 1; }
[ -f "$dir/fields.xmf" ] && [ -f "$dir/complete" ] || { echo "FAIL: the run after the killed one wrote no fields.xmf or complete"; exit 1; }
echo "ok: the killed run left the complete files of its $n states and $maps curl maps of its own; the next run removed $parts"
