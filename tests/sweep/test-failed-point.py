#!/usr/bin/python3
"""test-failed-point.py FCCLSIM WORKDIR: a point that fcclsim rejects (zero thickness) is recorded as failed with
fcclsim's error, the other points still run, the runner exits 1, status lists the error, and results.csv has the row
with status 'failed' and no curl figures. A rerun retries only the failed point; --skip-failed runs nothing."""
import json
import os
import shutil
import sys

from sweeptest import fail, log_events, manifest, results, sweep

HERE = os.path.dirname(os.path.abspath(__file__))


def main(fcclsim, work):
    shutil.rmtree(work, ignore_errors=True)
    sweep("expand", os.path.join(HERE, "failed-point.yaml"), "--dir", work, "--fcclsim", fcclsim)
    points = manifest(work)["points"]
    sweep("run", work, "-j", 2, "--fcclsim", fcclsim, expect=1)
    with open(os.path.join(work, points[1]["output"], "status.json")) as f:
        status = json.load(f)
    # fcclsim's message is only required to name the key (its format is fcclsim's: a PETSc report, or one line)
    if status.get("state") != "failed" or status.get("returncode") in (0, None) or "thickness_um" not in status.get("error", ""):
        fail("point 2 should be failed with fcclsim's error naming the thickness key, status.json: %s" % status)
    out = sweep("status", work, expect=3)
    if "2 done, 1 failed, 0 missing" not in out or status["error"] not in out:
        fail("status should count 2 done and 1 failed and show the error:\n" + out)
    sweep("aggregate", work, "--no-plots")
    rows = results(work)
    if [r["status"] for r in rows] != ["done", "failed", "done"] or rows[1]["cooled.k1_1_per_m"] != "":
        fail("results.csv rows: %s" % [(r["status"], r["cooled.k1_1_per_m"]) for r in rows])
    offset = os.path.getsize(os.path.join(work, "sweep.log"))
    sweep("run", work, "--fcclsim", fcclsim, expect=1)
    if log_events(work, "start", offset) != [points[1]["name"]]:
        fail("a rerun should retry the failed point only")
    offset = os.path.getsize(os.path.join(work, "sweep.log"))
    sweep("run", work, "--fcclsim", fcclsim, "--skip-failed")
    if log_events(work, "start", offset):
        fail("--skip-failed ran something")
    print("ok: failure recorded with its error (%s); the other points ran" % status["error"])


if __name__ == "__main__":
    main(os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]))
