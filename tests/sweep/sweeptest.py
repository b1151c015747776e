"""Helpers shared by the sweep tests: run post/sweep.py, read results.csv and the manifest."""
import csv
import json
import os
import subprocess
import sys

SWEEP_PY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "post", "sweep.py")


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def sweep(*args, expect=0):
    """Run sweep.py with this interpreter; fail unless it exits with `expect`. Returns its output."""
    proc = subprocess.run([sys.executable, SWEEP_PY] + [str(a) for a in args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != expect:
        fail("sweep.py %s exited %d, expected %d:\n%s" % (" ".join(map(str, args)), proc.returncode, expect, proc.stdout))
    return proc.stdout


def manifest(sweep_dir):
    with open(os.path.join(sweep_dir, "manifest.json")) as f:
        return json.load(f)


def results(sweep_dir):
    with open(os.path.join(sweep_dir, "results.csv")) as f:
        return list(csv.DictReader(f))


def log_events(sweep_dir, event, offset=0):
    """Point names of the log lines with this event, from byte offset on."""
    with open(os.path.join(sweep_dir, "sweep.log")) as f:
        f.seek(offset)
        return [line.split("\t")[2] for line in f.read().splitlines() if line.split("\t")[1] == event]


def complete(sweep_dir, point):
    path = os.path.join(sweep_dir, point["output"], "summary.json")
    try:
        with open(path) as f:
            return bool(json.load(f).get("states"))
    except (OSError, ValueError):
        return False
