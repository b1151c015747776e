#!/usr/bin/python3
"""test-checkpoint-resume.py FCCLSIM WORKDIR: a sweep point interrupted mid-run resumes from its checkpoint
(docs/restart.md, docs/sweeps.md). One 3D point with E(T), checkpointed after every step:
- the point's case run directly, uninterrupted and without checkpoints: the reference, and its wall time;
- `sweep.py run-point` (what a SLURM array task runs) is sent SIGTERM once the point's fcclsim has checkpointed its
  fourth step (checkpoint-003.h5, laminated), as SLURM does at a job's time limit: the point is interrupted;
- `run-point` again: fcclsim's log must say it resumed after step 3 or later, the point must be done, and its
  summary.json must equal the reference's except for the wall times (bit-identical: tests/restart/check-restart.sh).
Prints the wall time of the resumed attempt against the uninterrupted run: the time a restart saves."""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

from sweeptest import SWEEP_PY, fail, manifest, sweep

HERE = os.path.dirname(os.path.abspath(__file__))


def summary(path):
    with open(path) as f:
        s = json.load(f)
    s.pop("case", None)
    for st in s["states"]:
        st.pop("wall_time_s")
    return s


def main(fcclsim, work):
    shutil.rmtree(work, ignore_errors=True)
    sweep("expand", os.path.join(HERE, "checkpointed.yaml"), "--dir", work, "--fcclsim", fcclsim, "--check", "none")
    point = manifest(work)["points"][0]
    out = os.path.join(work, point["output"])
    t0 = time.time()
    ref = subprocess.run([fcclsim, "-case", os.path.join(work, point["case"]), "-output", os.path.join(work, "reference"), "-checkpoint", "false"] + point["args"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    full = time.time() - t0
    if ref.returncode:
        fail("the uninterrupted run failed:\n" + ref.stdout[-2000:])

    proc = subprocess.Popen([sys.executable, SWEEP_PY, "run-point", work, "1", "--fcclsim", fcclsim], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    deadline = time.time() + 120
    while not os.path.exists(os.path.join(out, "checkpoint-003.h5")):
        if proc.poll() is not None or time.time() > deadline:
            fail("the point never checkpointed step 3: %s" % (proc.stdout.read() if proc.poll() is not None else "timed out"))
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    try:
        proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        fail("run-point did not stop within 30 s of SIGTERM")
    if proc.returncode != 143:
        fail("run-point exited %s after SIGTERM, expected 143" % proc.returncode)
    if os.path.exists(os.path.join(out, "summary.json")):
        fail("the interrupted point has a summary.json: it was not interrupted mid-run")

    t0 = time.time()
    sweep("run-point", work, "1", "--fcclsim", fcclsim)
    resumed = time.time() - t0
    with open(os.path.join(out, "fcclsim.log")) as f:
        log = f.read()
    m = re.search(r"restart: resuming after step (\d+) ", log)
    if not m or int(m.group(1)) < 3:
        fail("the second attempt did not resume from a checkpoint of step 3 or later:\n" + "\n".join(l for l in log.splitlines() if "restart" in l))
    a, b = summary(os.path.join(work, "reference", "summary.json")), summary(os.path.join(out, "summary.json"))
    if a != b:
        fail("the resumed point's summary.json differs from the uninterrupted run's")
    print("ok: the point resumed after step %s and equals the uninterrupted run; the resumed attempt took %.2f s (run-point "
          "included), the whole run %.2f s: %.2f s saved" % (m.group(1), resumed, full, full - resumed))


if __name__ == "__main__":
    main(*sys.argv[1:3])
