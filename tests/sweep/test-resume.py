#!/usr/bin/python3
"""test-resume.py FCCLSIM WORKDIR: kill the local runner midway and check that a rerun completes only the missing points.

The runner (one point at a time, 12 points of ~0.3 s) is started in its own process group; once 3 points are complete
the whole group (runner and its fcclsim) is killed with SIGKILL, as a crash or a lost node would. Then:
- status reports the sweep incomplete (exit 3);
- a rerun exits 0 and leaves all 12 complete;
- the rerun started exactly the points that were not complete after the kill, each once (sweep.log);
- the summaries complete before the kill were not rewritten (same mtime);
- a third run has nothing to do."""
import os
import shutil
import signal
import subprocess
import sys
import time

from sweeptest import SWEEP_PY, complete, fail, log_events, manifest, sweep

HERE = os.path.dirname(os.path.abspath(__file__))


def kill_midway(fcclsim, work, points, after):
    runner = subprocess.Popen([sys.executable, SWEEP_PY, "run", work, "-j", "1", "--fcclsim", fcclsim],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 60
    while sum(complete(work, p) for p in points) < after:
        if runner.poll() is not None or time.time() > deadline:
            fail("the runner ended (or hung) before %d points were complete" % after)
        time.sleep(0.02)
    os.killpg(runner.pid, signal.SIGKILL)
    runner.wait()


def main(fcclsim, work):
    shutil.rmtree(work, ignore_errors=True)
    sweep("expand", os.path.join(HERE, "resume.yaml"), "--dir", work, "--fcclsim", fcclsim)
    points = manifest(work)["points"]
    kill_midway(fcclsim, work, points, 3)
    time.sleep(0.5)  # a killed fcclsim cannot write any more; let the file system settle
    done = {p["name"]: os.stat(os.path.join(work, p["output"], "summary.json")).st_mtime_ns for p in points if complete(work, p)}
    missing = [p["name"] for p in points if p["name"] not in done]
    print("after the kill: %d complete, %d missing: %s" % (len(done), len(missing), ", ".join(missing)))
    if not missing:
        fail("the runner finished before it was killed; nothing to resume")
    sweep("status", work, expect=3)
    offset = os.path.getsize(os.path.join(work, "sweep.log"))
    sweep("run", work, "-j", 2, "--fcclsim", fcclsim)
    started = log_events(work, "start", offset)
    if sorted(started) != sorted(missing):
        fail("the rerun started %s, expected the missing %s" % (sorted(started), sorted(missing)))
    if not all(complete(work, p) for p in points):
        fail("the rerun left points incomplete")
    for name, mtime in done.items():
        point = next(p for p in points if p["name"] == name)
        if os.stat(os.path.join(work, point["output"], "summary.json")).st_mtime_ns != mtime:
            fail("%s was complete before the rerun but its summary.json was rewritten" % name)
    sweep("status", work)
    offset = os.path.getsize(os.path.join(work, "sweep.log"))
    out = sweep("run", work, "--fcclsim", fcclsim)
    if log_events(work, "start", offset) or "0 of 12 points to run" not in out:
        fail("a third run ran something:\n" + out)
    print("ok: the rerun ran exactly the %d missing points; the %d complete ones were kept" % (len(missing), len(done)))


if __name__ == "__main__":
    main(os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]))
