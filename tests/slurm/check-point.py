#!/usr/bin/python3
"""check-point.py SWEEP_DIR INDEX CHECK [ARG]: one check of one point of a sweep run by SLURM (live-slurm.sh):
  done               summary.json has states and status.json says done
  state STATE        status.json says STATE (e.g. interrupted), and there is no summary.json
  ranks N            fcclsim ran on N MPI ranks: every KSP view in fcclsim.log (-fcclsim_ksp_view ::ascii_info) says
                     "N MPI process(es)"; a wrong PMI would give N separate 1-rank runs, or none
  launcher PREFIX    status.json's command starts with PREFIX ('' = fcclsim itself, no launcher)
  job                status.json records the SLURM array task (slurm.array_job) and job id
Prints what it found; exits 1 when the check fails."""
import json
import os
import re
import sys


def main():
    sweep_dir, index, check = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    arg = sys.argv[4] if len(sys.argv) > 4 else None
    with open(os.path.join(sweep_dir, "manifest.json")) as f:
        point = json.load(f)["points"][index - 1]
    out = os.path.join(sweep_dir, point["output"])
    try:
        with open(os.path.join(out, "status.json")) as f:
            status = json.load(f)
    except (OSError, ValueError):
        status = {}
    what, ok = "", False
    if check == "done":
        try:
            with open(os.path.join(out, "summary.json")) as f:
                states = json.load(f)["states"]
        except (OSError, ValueError, KeyError):
            states = []
        ok = bool(states) and status.get("state") == "done"
        what = "%d states, status %s" % (len(states), status.get("state"))
    elif check == "state":
        ok = status.get("state") == arg and not os.path.exists(os.path.join(out, "summary.json"))
        what = "status %s (%s), summary.json %s" % (status.get("state"), status.get("error", ""), "present" if os.path.exists(os.path.join(out, "summary.json")) else "absent")
    elif check == "ranks":
        with open(os.path.join(out, "fcclsim.log"), errors="replace") as f:
            counts = re.findall(r"KSP Object: \(fcclsim_\) (\d+) MPI process", f.read())
        ok = bool(counts) and set(counts) == {arg}
        what = "%d KSP views, rank counts %s" % (len(counts), sorted(set(counts)))
    elif check == "launcher":
        command = status.get("command", [])
        prefix = arg.split()
        ok = command[:len(prefix)] == prefix and os.path.basename(command[len(prefix)] if len(command) > len(prefix) else "") == "fcclsim"
        what = "command %s" % " ".join(command[:len(prefix) + 1])
    elif check == "job":
        job = status.get("slurm", {})
        ok = bool(job.get("job_id")) and re.fullmatch(r"\d+_%d" % index, job.get("array_job", "")) is not None
        what = "slurm %s" % job
    else:
        sys.exit("check-point.py: unknown check %s" % check)
    print("%s point %d %s%s: %s" % ("ok  " if ok else "FAIL", index, check, " " + arg if arg is not None else "", what))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
