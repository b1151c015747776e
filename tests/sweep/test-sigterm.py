#!/usr/bin/python3
"""test-sigterm.py FCCLSIM WORKDIR: SIGTERM to a running `sweep.py run` (as `kill PID`, or a scheduler ending a job,
would send it to the runner alone) while its first point's fcclsim is running. Then:
- the runner exits within 15 s with status 143 (128 + SIGTERM);
- the point's status.json says interrupted (not running), with the signal, and it has no summary.json;
- its fcclsim process is gone (the runner stopped the point's process group), and the second point never started;
- sweep.log records the point as interrupted and the run as stopped;
- status counts it as interrupted and exits 3; a rerun completes both points.
The same for `sweep.py run-point` (what a SLURM array task runs), which records the point as interrupted too."""
import json
import os
import signal
import subprocess
import sys
import time

from sweeptest import SWEEP_PY, fail, log_events, manifest, sweep

HERE = os.path.dirname(os.path.abspath(__file__))


def children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(c) for c in f.read().split()]
    except OSError:
        return []


def status(work, point):
    try:
        with open(os.path.join(work, point["output"], "status.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def stop_while_running(work, point, command):
    """Start command, wait until point runs (status.json running and an fcclsim child alive), SIGTERM the command's
    process alone; return (exit status, the child's pid, seconds to exit)."""
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    deadline = time.time() + 60
    while not (status(work, point).get("state") == "running" and children(proc.pid)):
        if proc.poll() is not None or time.time() > deadline:
            fail("the point never ran: %s" % (proc.stdout.read() if proc.poll() is not None else "timed out"))
        time.sleep(0.02)
    child = children(proc.pid)[0]
    time.sleep(0.5)  # fcclsim is well into its run
    t0 = time.time()
    proc.send_signal(signal.SIGTERM)
    try:
        out, _ = proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        fail("%s did not exit within 15 s of SIGTERM" % command[2])
    print(out.rstrip())
    return proc.returncode, child, time.time() - t0


def check_interrupted(work, point, code, child, seconds, what):
    if code != 143:
        fail("%s exited %s after SIGTERM, expected 143" % (what, code))
    record = status(work, point)
    if record.get("state") != "interrupted" or record.get("signal") != "SIGTERM":
        fail("%s: status.json after SIGTERM: %s" % (what, record))
    if os.path.exists(os.path.join(work, point["output"], "summary.json")):
        fail("%s: the interrupted point has a summary.json" % what)
    if os.path.exists("/proc/%d" % child) and open("/proc/%d/stat" % child).read().split()[2] != "Z":
        fail("%s: its fcclsim (pid %d) is still running" % (what, child))
    print("ok: %s exited %d %.2f s after SIGTERM; the point is recorded interrupted and its fcclsim is gone" % (what, code, seconds))


def main(fcclsim, work):
    import shutil
    shutil.rmtree(work, ignore_errors=True)
    sweep("expand", os.path.join(HERE, "slow.yaml"), "--dir", work, "--fcclsim", fcclsim, "--check", "none")
    points = manifest(work)["points"]
    code, child, seconds = stop_while_running(work, points[0], [sys.executable, SWEEP_PY, "run", work, "-j", "1", "--fcclsim", fcclsim])
    check_interrupted(work, points[0], code, child, seconds, "sweep.py run")
    if status(work, points[1]):
        fail("the second point started after SIGTERM")
    if log_events(work, "interrupted") != [points[0]["name"]] or len(log_events(work, "stopped")) != 1:
        fail("sweep.log should hold one 'interrupted' (point 1) and one 'stopped'")
    out = sweep("status", work, expect=3)
    if "1 interrupted" not in out or "interrupted by SIGTERM" not in out:
        fail("status should list the point as interrupted:\n" + out)
    code, child, seconds = stop_while_running(work, points[1], [sys.executable, SWEEP_PY, "run-point", work, "2", "--fcclsim", fcclsim])
    check_interrupted(work, points[1], code, child, seconds, "sweep.py run-point")
    sweep("run", work, "-j", "2", "--fcclsim", fcclsim)
    sweep("status", work)
    print("ok: after SIGTERM both points were recorded interrupted, and a rerun completed them")


if __name__ == "__main__":
    main(os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]))
