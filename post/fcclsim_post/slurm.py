"""The SLURM side of sweeps: the array script, the MPI launcher of a point, and the job states the scheduler reports.

The launcher (docs/sweeps.md, "Which launcher"):
- a 1-rank point runs fcclsim directly inside the array task's batch step: MPI starts as a singleton, so neither srun
  nor the site's PMI setup is involved;
- a multi-rank point, with --launch auto (the default of generated scripts), runs under `srun --mpi=pmix` when
  `srun --mpi=list` offers pmix (OpenMPI 4 and newer, and MPICH built with PMIx, start through it), and under
  `mpirun` otherwise (OpenMPI's and MPICH's mpirun start their ranks inside the allocation on their own);
- any other launcher is given as it is, e.g. --launch "srun --mpi=pmi2" for an MPI built for PMI-2.
The job states come from sacct when the site keeps accounting, and from squeue (which knows recent jobs) otherwise."""
import os
import re
import shlex
import shutil
import subprocess

# States of a job that ended without the point completing, as SLURM names them, and how status shows them.
ENDED_BADLY = {"CANCELLED": "cancelled", "TIMEOUT": "timeout", "NODE_FAIL": "node-fail", "OUT_OF_MEMORY": "oom",
               "PREEMPTED": "preempted", "BOOT_FAIL": "boot-fail", "DEADLINE": "deadline", "FAILED": "failed"}
ACTIVE = {"PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "REQUEUED", "RESIZING", "SIGNALING",
          "STAGE_OUT", "STOPPED", "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD", "SPECIAL_EXIT"}


def index_ranges(indices):
    """[1, 2, 3, 5, 7, 8] -> '1-3,5,7-8' (the form of sbatch --array)."""
    parts, start = [], None
    indices = sorted(indices)
    for i, value in enumerate(indices):
        if start is None:
            start = value
        if i + 1 == len(indices) or indices[i + 1] != value + 1:
            parts.append(str(start) if start == value else "%d-%d" % (start, value))
            start = None
    return ",".join(parts)


def parse_index_ranges(text, count):
    """'1-3,5' -> [1, 2, 3, 5]; every index in 1..count. ValueError names what is wrong."""
    out = set()
    for part in text.split(","):
        match = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", part)
        if not match:
            raise ValueError("%r is not an index or a range A-B" % part)
        lo, hi = int(match.group(1)), int(match.group(2) or match.group(1))
        if lo > hi or lo < 1 or hi > count:
            raise ValueError("%s is outside the points 1..%d" % (part.strip(), count))
        out.update(range(lo, hi + 1))
    return sorted(out)


# ---- the launcher -----------------------------------------------------------------------------------------------

def srun_mpi_plugins():
    """The MPI plugin types `srun --mpi=list` offers here (e.g. ['none', 'pmi2', 'pmix', 'pmix_v4']), or None when
    there is no srun or it cannot answer (no SLURM configuration)."""
    if not shutil.which("srun"):
        return None
    try:
        proc = subprocess.run(["srun", "--mpi=list"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    names = []
    for line in proc.stdout.splitlines():
        line = line.strip()
        if line.lower().startswith("mpi plugin types"):
            continue
        if ":" in line:  # "specific pmix plugin versions available: pmix_v4"
            line = line.split(":", 1)[1]
        for word in re.split(r"[\s,]+", line):
            if re.fullmatch(r"[a-z][a-z0-9_]*", word) and word not in names:
                names.append(word)
    return names


def choose_launcher(ranks, launch, in_slurm=None, plugins=None):
    """(prefix list, why) for one point. launch: 'auto', '' (none) or a command prefix given by the user."""
    if launch != "auto":
        return shlex.split(launch), "given (--launch)" if launch else "none (--launch '')"
    if ranks == 1:
        return [], "1 rank: fcclsim starts MPI as a singleton, no launcher"
    if in_slurm is None:
        in_slurm = bool(os.environ.get("SLURM_JOB_ID"))
    if not in_slurm:
        return ["mpiexec", "-n", str(ranks)], "%d ranks outside SLURM: mpiexec" % ranks
    if plugins is None:
        plugins = srun_mpi_plugins()
    if plugins and "pmix" in plugins:
        return ["srun", "--mpi=pmix", "-n", str(ranks)], "%d ranks: srun --mpi=pmix (srun --mpi=list offers %s)" % (ranks, ", ".join(plugins))
    offered = ", ".join(plugins) if plugins else "nothing (no srun, or srun --mpi=list failed)"
    return ["mpirun", "-n", str(ranks)], "%d ranks: mpirun, since srun --mpi=list offers no pmix (it offers %s)" % (ranks, offered)


# ---- the array script -------------------------------------------------------------------------------------------

def script(sweep_dir, sweep_name, total, indices, opts, fcclsim, sweep_py):
    """The text of an sbatch array script over the given point indices."""
    throttle = "%%%d" % opts.max_running if opts.max_running else ""
    sbatch = ["--job-name=%s" % (opts.job_name or "fcclsim-" + sweep_name),
              "--array=%s%s" % (index_ranges(indices), throttle),
              "--ntasks=%d" % opts.ntasks, "--cpus-per-task=%d" % opts.cpus_per_task, "--time=%s" % opts.time,
              "--output=%s/slurm/%%x-%%A_%%a.out" % sweep_dir]
    sbatch += ["--%s=%s" % (name, value) for name, value in (("mem-per-cpu", opts.mem_per_cpu), ("partition", opts.partition), ("account", opts.account)) if value]
    sbatch += opts.sbatch or []
    lines = ["#!/bin/bash",
             "# fcclsim sweep %s: %d of %d points, one array task per point (array index = point index in manifest.json)." % (sweep_name, len(indices), total),
             "# Generated by post/sweep.py slurm; submit with: sbatch %s" % os.path.join(sweep_dir, opts.output or "slurm.sh")]
    lines += ["#SBATCH %s" % option for option in sbatch]
    lines += ["set -euo pipefail",
              "SWEEP_DIR=%s" % shlex.quote(sweep_dir),
              "SWEEP_PY=%s" % shlex.quote(sweep_py),
              "FCCLSIM=%s" % shlex.quote(fcclsim),
              "PYTHON=${PYTHON:-python3}",
              "# The launcher: --launch auto runs a 1-rank point without srun, and more ranks under srun --mpi=pmix when",
              "# 'srun --mpi=list' offers pmix, else under mpirun (docs/sweeps.md, 'Which launcher').",
              "LAUNCH=${FCCLSIM_LAUNCH:-%s}" % shlex.quote(opts.launch),
              "# A point with a complete summary.json is skipped, so the script can be submitted again after a failure;",
              "# run-point starts fcclsim with -restart, so a point its task left unfinished resumes from its checkpoint.",
              'exec "$PYTHON" "$SWEEP_PY" run-point "$SWEEP_DIR" "${SLURM_ARRAY_TASK_ID:?not an array task}" --fcclsim "$FCCLSIM" --ranks "${SLURM_NTASKS:-%d}" --launch "$LAUNCH"' % opts.ntasks]
    return "\n".join(lines) + "\n"


def task_record():
    """What a point's status.json records of the SLURM task it runs in ({} outside SLURM)."""
    env = os.environ
    if not env.get("SLURM_JOB_ID"):
        return {}
    record = {"job_id": env["SLURM_JOB_ID"]}
    if env.get("SLURM_ARRAY_JOB_ID") and env.get("SLURM_ARRAY_TASK_ID"):
        record["array_job"] = "%s_%s" % (env["SLURM_ARRAY_JOB_ID"], env["SLURM_ARRAY_TASK_ID"])
    for key in ("SLURM_NTASKS", "SLURM_JOB_NODELIST", "SLURM_CLUSTER_NAME"):
        if env.get(key):
            record[key[len("SLURM_"):].lower()] = env[key]
    return record


# ---- the scheduler's view ---------------------------------------------------------------------------------------

def _run(cmd):
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout if proc.returncode == 0 else None


def job_states(ids):
    """{job id: (STATE, source)} for the ids ('123_4' or '125') that sacct or squeue knows; ids neither knows are
    left out (a job squeue has forgotten, on a site without accounting)."""
    ids = sorted(set(ids))
    states = {}
    if not ids:
        return states
    if shutil.which("sacct"):
        out = _run(["sacct", "-n", "-P", "-X", "-o", "JobID,State", "-j", ",".join(ids)])
        for line in (out or "").splitlines():
            fields = line.split("|")
            if len(fields) >= 2 and fields[0] in ids:
                states[fields[0]] = (fields[1].split()[0], "sacct")  # "CANCELLED by 0" -> CANCELLED
    if len(states) < len(ids) and shutil.which("squeue"):
        out = _run(["squeue", "-h", "-r", "-t", "all", "-o", "%i|%T"])
        for line in (out or "").splitlines():
            fields = line.strip().split("|")
            if len(fields) >= 2 and fields[0] in ids and fields[0] not in states:
                states[fields[0]] = (fields[1], "squeue")
    return states


def shown_state(local, slurm_state):
    """The state status prints for a point: its own record (done, failed, interrupted, running, missing), unless the
    scheduler says its task ended without it (killed, timed out, node lost) or has not ended yet."""
    if local == "done" or not slurm_state:
        return local
    if slurm_state in ENDED_BADLY:
        return ENDED_BADLY[slurm_state]
    if slurm_state in ACTIVE:
        return slurm_state.lower()
    if local == "running":  # COMPLETED by SLURM, yet the point never recorded its end
        return "lost"
    return local
