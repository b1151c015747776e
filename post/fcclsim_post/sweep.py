"""Parameter sweeps for fcclsim: expand a sweep file, run its points (locally or as a SLURM array), aggregate.

  sweep.py expand SWEEP.yaml [--dir DIR]    one case file per point, manifest.json/.csv
  sweep.py run DIR [-j N] [--cores C]        local runner: the missing points, several at once
  sweep.py run-point DIR POINT               one point (what each SLURM array task calls)
  sweep.py slurm DIR [--ntasks N ...]        write DIR/slurm.sh, an sbatch --array script
  sweep.py status DIR                        done / failed / interrupted / missing points, SLURM job states
  sweep.py aggregate DIR                     results.csv, crossings.csv and PNG plots

The command is post/sweep.py (a thin script over this module). The format of the sweep file, the layout of DIR, the
launcher choice on SLURM and the columns of results.csv: docs/sweeps.md.
Only `expand` needs PyYAML and only `aggregate` needs matplotlib; running points needs the standard library alone.
"""
import argparse
import ctypes
import io
import itertools
import json
import math
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time

from . import slurm
from .executable import NotFound, find_fcclsim
from .files import append_line, write_atomic, write_csv, write_json
from .summary import read_summary as read_valid_summary

MANIFEST = "manifest.json"
LOG = "sweep.log"
SWEEP_KEYS = {"name", "description", "base", "mode", "set", "axes"}
AXIS_KEYS = {"key", "name", "values", "range"}
# fcclsim's own option namespaces (solver/case.c): a key outside them and outside the base case is a typo.
FCCLSIM_NAMESPACES = ("layers", "material_", "plate_", "mesh_", "model", "temperature_", "curl_", "process_", "steps", "solver_", "fcclsim_", "displacement_", "checkpoint")
RESERVED_KEYS = {"case", "output", "restart"}
STATE_FIELDS = (  # (column suffix, path in a state of summary.json)
    ("temperature_C", ("temperature_C",)),
    ("k1_1_per_m", ("center_curvature_1_per_m", "k1")),
    ("k2_1_per_m", ("center_curvature_1_per_m", "k2")),
    ("kxx_1_per_m", ("center_curvature_1_per_m", "xx")),
    ("kyy_1_per_m", ("center_curvature_1_per_m", "yy")),
    ("kxy_1_per_m", ("center_curvature_1_per_m", "xy")),
    ("R1_cm", ("center_radius_cm", "k1")),
    ("R2_cm", ("center_radius_cm", "k2")),
    ("edge_lift_mm", ("edge_lift_mm",)),
    ("theory_sphere_1_per_m", ("laminate_theory_1_per_m", "sphere")),
    ("theory_cylinder_1_per_m", ("laminate_theory_1_per_m", "cylinder")),
)
RADIUS_FIELDS = {"R1_cm", "R2_cm"}


class SweepError(Exception):
    """A user error: the message names the file and the key; main() prints it and exits with status 2."""


# ---------------------------------------------------------------------------------------------------------------------
# Files: every file is written by files.write_atomic (temporary file in the same directory, fsync, rename), except
# sweep.log, which only grows by single O_APPEND writes.

def log_event(sweep_dir, event, point="-", detail=""):
    """Append one line to DIR/sweep.log: time, event, point, detail (tab-separated)."""
    append_line(os.path.join(sweep_dir, LOG), "%s\t%s\t%s\t%s" % (time.strftime("%Y-%m-%dT%H:%M:%S"), event, point, detail))


def load_yaml(path, what):
    import yaml  # only expand needs it
    try:
        with open(path) as f:
            return yaml.safe_load(f)
    except OSError as e:
        raise SweepError("%s: cannot read %s: %s" % (path, what, e.strerror))
    except yaml.YAMLError as e:
        raise SweepError("%s: not valid YAML: %s" % (path, e))


# ---------------------------------------------------------------------------------------------------------------------
# The sweep file

def format_value(value):
    """A value as fcclsim reads it on the command line: lists comma-joined, floats with 12 significant digits."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "%.12g" % value
    if isinstance(value, (list, tuple)):
        return ",".join(format_value(v) for v in value)
    return str(value)


def yaml_value(value):
    """A value written into a point's case file."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(yaml_value(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value)
    return format_value(value)


def flatten_case(node, prefix=""):
    """The option names (without '-') that PETSc makes of a case: nested maps joined by '_', a list of one-key maps
    (layers) gives the list of names plus each map under its name."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            out.update(flatten_case(value, "%s_%s" % (prefix, key) if prefix else str(key)))
        return out
    if isinstance(node, list) and node and all(isinstance(item, dict) and len(item) == 1 for item in node):
        out = {prefix: ",".join(str(next(iter(item))) for item in node)}
        for item in node:
            out.update(flatten_case(item, prefix))
        return out
    return {prefix: node}


def range_values(where, spec):
    """Values of `range: {from, to, step}` or `{from, to, num}`, both ends included."""
    if not isinstance(spec, dict) or not {"from", "to"} <= set(spec) or len(set(spec) & {"step", "num"}) != 1 or not set(spec) <= {"from", "to", "step", "num"}:
        raise SweepError("%s: range must be {from: A, to: B, step: S} or {from: A, to: B, num: N}" % where)
    try:
        start, stop = float(spec["from"]), float(spec["to"])
        if "num" in spec:
            num = int(spec["num"])
            values = [start + (stop - start) * i / (num - 1) for i in range(num)] if num > 1 else [start] * max(num, 0)
        else:
            step = float(spec["step"])
            if step == 0:
                raise SweepError("%s: range step is 0" % where)
            count = math.floor((stop - start) / step * (1 + 1e-12) + 1e-9) + 1
            values = [start + i * step for i in range(max(count, 0))]
    except (TypeError, ValueError):
        raise SweepError("%s: range values must be numbers, got %s" % (where, spec))
    integral = all(isinstance(spec[k], int) and not isinstance(spec[k], bool) for k in spec if k != "num")
    return [int(round(v)) if integral else float("%.12g" % v) for v in values]


def parse_axis(sweep_file, i, spec):
    where = "%s: axes[%d]" % (sweep_file, i)
    if not isinstance(spec, dict) or "key" not in spec:
        raise SweepError("%s: an axis is a map with 'key' and 'values' or 'range'" % where)
    key = str(spec["key"]).lstrip("-")
    where = "%s (key %s)" % (where, key)
    unknown = set(spec) - AXIS_KEYS
    if unknown:
        raise SweepError("%s: unknown field(s) %s; an axis has %s" % (where, ", ".join(sorted(unknown)), ", ".join(sorted(AXIS_KEYS))))
    if ("values" in spec) == ("range" in spec):
        raise SweepError("%s: give exactly one of 'values' (a list) and 'range'" % where)
    if "values" in spec:
        values = spec["values"]
        if not isinstance(values, list):
            raise SweepError("%s: 'values' must be a list, got %r" % (where, values))
    else:
        values = range_values(where, spec["range"])
    if not values:
        raise SweepError("%s: the axis is empty (no values)" % where)
    if any(v is None or isinstance(v, dict) for v in values):
        raise SweepError("%s: values must be numbers, strings or lists of them" % where)
    name = str(spec.get("name", key))
    if not re.fullmatch(r"[A-Za-z0-9_.+-]+", name):
        raise SweepError("%s: name %r may hold only letters, digits and _ . + -" % (where, name))
    return {"key": key, "name": name, "values": values}


def parse_sweep(sweep_file):
    """Read and check a sweep file; return {name, description, base, mode, set, axes}."""
    doc = load_yaml(sweep_file, "the sweep file")
    if not isinstance(doc, dict):
        raise SweepError("%s: a sweep file is a map with 'base' and 'axes'" % sweep_file)
    unknown = set(doc) - SWEEP_KEYS
    if unknown:
        raise SweepError("%s: unknown key(s) %s; a sweep file has %s" % (sweep_file, ", ".join(sorted(unknown)), ", ".join(sorted(SWEEP_KEYS))))
    for required in ("base", "axes"):
        if required not in doc:
            raise SweepError("%s: missing '%s'" % (sweep_file, required))
    mode = doc.get("mode", "grid")
    if mode not in ("grid", "zip"):
        raise SweepError("%s: mode %r: must be 'grid' (every combination) or 'zip' (the i-th values together)" % (sweep_file, mode))
    if not isinstance(doc["axes"], list) or not doc["axes"]:
        raise SweepError("%s: 'axes' must be a non-empty list" % sweep_file)
    axes = [parse_axis(sweep_file, i, spec) for i, spec in enumerate(doc["axes"])]
    check_axes_distinct(sweep_file, axes)
    if mode == "zip" and len({len(a["values"]) for a in axes}) > 1:
        sizes = ", ".join("%s: %d" % (a["key"], len(a["values"])) for a in axes)
        raise SweepError("%s: mode zip needs lists of equal length, got %s" % (sweep_file, sizes))
    fixed = doc.get("set") or {}
    if not isinstance(fixed, dict):
        raise SweepError("%s: 'set' must be a map of option names to values" % sweep_file)
    fixed = {str(k).lstrip("-"): v for k, v in fixed.items()}
    base = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(sweep_file)), str(doc["base"])))
    name = str(doc.get("name", os.path.splitext(os.path.basename(sweep_file))[0]))
    return {"name": name, "description": str(doc.get("description", "")), "base": base, "mode": mode, "set": fixed, "axes": axes}


def check_axes_distinct(sweep_file, axes):
    for field in ("key", "name"):
        seen = [a[field] for a in axes]
        repeated = sorted({x for x in seen if seen.count(x) > 1})
        if repeated:
            raise SweepError("%s: axis %s %s appears more than once" % (sweep_file, field, ", ".join(repeated)))


def check_keys(sweep_file, keys, base_file, base_flat):
    """Static checks of the swept and set keys against the base case; fcclsim's own check follows in expand."""
    for key in keys:
        where = "%s: key %s" % (sweep_file, key)
        if key in RESERVED_KEYS:
            raise SweepError("%s: the sweep sets -%s itself for every point" % (where, key))
        if key not in base_flat and not key.startswith(FCCLSIM_NAMESPACES):
            raise SweepError("%s: unknown key: not a key of the base case %s nor in fcclsim's namespaces (docs/cases.md)" % (where, base_file))
        # a material from the database can be swept too: fcclsim reads its file under the case's keys


def grid_points(axes, mode):
    """The points as lists of values, one per axis, in a stable order (the last axis varies fastest)."""
    if mode == "zip":
        return [list(values) for values in zip(*(a["values"] for a in axes))]
    return [list(values) for values in itertools.product(*(a["values"] for a in axes))]


def point_name(index, width, axes, values):
    parts = ["p%0*d" % (width, index)]
    for axis, value in zip(axes, values):
        text = "+".join(format_value(v) for v in value) if isinstance(value, list) else format_value(value)
        parts.append("%s-%s" % (axis["name"], re.sub(r"[^A-Za-z0-9.+-]", "_", text)))
    return "_".join(parts)


def point_case_text(base_path, sweep, point):
    """A point's case file: the point's options as flat keys, then the base case included ($$base: !include, a path
    relative to the point's file). fcclsim sets a file's own keys before those it includes, and a key already set
    wins, so these override the base's (nested or flat) values; fcclsim also receives them on the command line, which
    wins over any case file. (A key given twice in one file is an error, so the base cannot simply be copied in.)"""
    lines = ["# ---- fcclsim sweep %s, point %d of %d: %s" % (sweep["name"], point["index"], point["count"], point["name"]),
             "# Generated by post/sweep.py expand: these keys override those of the base case it includes."]
    lines += ["%s: %s" % (key, yaml_value(value)) for key, value in point["options"].items()]
    lines += ["$$base: !include %s" % base_path]
    return "\n".join(lines) + "\n"


def make_points(sweep):
    values_list = grid_points(sweep["axes"], sweep["mode"])
    width = max(3, len(str(len(values_list))))
    points = []
    for index, values in enumerate(values_list, start=1):
        name = point_name(index, width, sweep["axes"], values)
        params = {axis["name"]: value for axis, value in zip(sweep["axes"], values)}
        options = dict(sweep["set"])
        options.update({axis["key"]: value for axis, value in zip(sweep["axes"], values)})
        args = [item for key, value in options.items() for item in ("-" + key, format_value(value))]
        points.append({"index": index, "count": len(values_list), "name": name, "params": params, "options": options,
                       "case": "cases/%s.yaml" % name, "output": "runs/%s" % name, "args": args})
    return points


def fcclsim_check(sweep_file, fcclsim, case, args):
    """Run fcclsim on a point with the laminate-theory model (milliseconds): it rejects unknown keys and bad values."""
    with tempfile.TemporaryDirectory(prefix="fcclsim-sweep-check-") as tmp:
        cmd = [fcclsim, "-case", case, "-output", tmp] + args + ["-model", "laminate"]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        raise SweepError("%s: fcclsim rejects point %s (%s): %s" % (sweep_file, os.path.basename(case), " ".join(args), fcclsim_error(proc.stdout)))


def fcclsim_error(output):
    """The message of a failed run, for status.json and the status listing: the text after "fcclsim: error: " (a
    one-line user error), else the lines after PETSc's "Error Message" (a PETSc error report), else the last line."""
    for line in output.splitlines():
        if line.startswith("fcclsim: error: "):
            return line[len("fcclsim: error: "):].strip()
    lines = [line.split("PETSC ERROR:", 1)[1].strip() for line in output.splitlines() if "PETSC ERROR:" in line]
    for i, line in enumerate(lines):
        if "Error Message" in line:
            message = []
            for text in lines[i + 1:]:
                if text.startswith(("WARNING!", "See https", "Option left")) or not text:
                    break
                message.append(text)
            return ": ".join(message)
    rest = [line.strip() for line in output.splitlines() if line.strip()]
    return rest[-1] if rest else "no output"


def same_points(old, new):
    return [(p["name"], p["args"]) for p in old] == [(p["name"], p["args"]) for p in new]


def cmd_expand(opts):
    sweep = parse_sweep(opts.sweep_file)
    if not os.path.isfile(sweep["base"]):
        raise SweepError("%s: base %s: no such file" % (opts.sweep_file, sweep["base"]))
    base_doc = load_yaml(sweep["base"], "the base case")
    base_flat = flatten_case(base_doc if isinstance(base_doc, dict) else {})
    check_keys(opts.sweep_file, [a["key"] for a in sweep["axes"]] + list(sweep["set"]), sweep["base"], base_flat)
    points = make_points(sweep)
    sweep_dir = os.path.abspath(opts.dir or "sweep-" + sweep["name"])
    manifest_path = os.path.join(sweep_dir, MANIFEST)
    if os.path.exists(manifest_path) and not same_points(load_manifest(sweep_dir)["points"], points):
        raise SweepError("%s: %s already holds a different sweep; choose another --dir or remove it" % (opts.sweep_file, sweep_dir))
    with open(sweep["base"]) as f:
        base_text = f.read()
    try:
        fcclsim = find_fcclsim(opts.fcclsim, required=False)
    except NotFound as e:
        raise SweepError(str(e))
    if fcclsim and opts.check != "none":
        with tempfile.TemporaryDirectory(prefix="fcclsim-sweep-case-") as tmp:
            for point in points if opts.check == "all" else points[:1]:
                case = os.path.join(tmp, point["name"] + ".yaml")
                write_atomic(case, point_case_text(os.path.abspath(sweep["base"]), sweep, point))
                fcclsim_check(opts.sweep_file, fcclsim, case, point["args"])
    write_sweep_dir(sweep_dir, opts.sweep_file, sweep, base_text, points)
    checked = {"none": "not checked by fcclsim", "first": "first point checked by fcclsim", "all": "every point checked by fcclsim"}[opts.check if fcclsim else "none"]
    print("%s: %d points (%s, %s) in %s" % (opts.sweep_file, len(points), sweep["mode"], checked, sweep_dir))


def write_sweep_dir(sweep_dir, sweep_file, sweep, base_text, points):
    with open(sweep_file) as f:
        write_atomic(os.path.join(sweep_dir, "sweep.yaml"), f.read())
    write_atomic(os.path.join(sweep_dir, "base.yaml"), base_text)
    for point in points:
        case = os.path.join(sweep_dir, point["case"])
        write_atomic(case, point_case_text(os.path.relpath(os.path.join(sweep_dir, "base.yaml"), os.path.dirname(case)), sweep, point))
    manifest = {"sweep": sweep["name"], "description": sweep["description"], "sweep_file": os.path.abspath(sweep_file),
                "base": os.path.abspath(sweep["base"]), "mode": sweep["mode"], "set": sweep["set"], "axes": sweep["axes"],
                "points": [{k: p[k] for k in ("index", "name", "params", "case", "output", "args")} for p in points]}
    write_json(os.path.join(sweep_dir, MANIFEST), manifest)
    header = ["index", "name"] + [a["name"] for a in sweep["axes"]] + ["case", "output", "args"]
    rows = [[p["index"], p["name"]] + [format_value(p["params"][a["name"]]) for a in sweep["axes"]] + [p["case"], p["output"], " ".join(shlex.quote(x) for x in p["args"])] for p in points]
    write_csv(os.path.join(sweep_dir, "manifest.csv"), header, rows)
    log_event(sweep_dir, "expand", "-", "%d points from %s" % (len(points), os.path.abspath(sweep_file)))


# ---------------------------------------------------------------------------------------------------------------------
# Points: state and running

def load_manifest(sweep_dir):
    path = os.path.join(sweep_dir, MANIFEST)
    try:
        with open(path) as f:
            return json.load(f)
    except OSError:
        raise SweepError("%s: no sweep here (no %s): run 'sweep.py expand' first" % (sweep_dir, MANIFEST))
    except ValueError as e:
        raise SweepError("%s: unreadable: %s" % (path, e))


def read_summary(path):
    """The parsed summary.json if it is complete and valid (docs/summary-schema.json), else None."""
    return read_valid_summary(path)[0]


def read_status(sweep_dir, point):
    try:
        with open(os.path.join(sweep_dir, point["output"], "status.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def point_state(sweep_dir, point):
    """done (a complete summary.json), failed or interrupted (how the last attempt ended), running (an attempt is
    under way, or its runner died on another machine without a word), lost (it says running, but its runner on this
    machine is gone, e.g. killed with SIGKILL), or missing (never started)."""
    if read_summary(os.path.join(sweep_dir, point["output"], "summary.json")) is not None:
        return "done"
    status = read_status(sweep_dir, point)
    state = status.get("state")
    if state == "running" and status.get("host") == os.uname().nodename and status.get("runner_pid") and not pid_alive(status["runner_pid"]):
        return "lost"
    return state if state in ("failed", "interrupted", "running") else "missing"


def point_command(sweep_dir, point, fcclsim, launch, restart=True):
    """-restart: a point interrupted mid-run resumes after its last checkpointed step (docs/restart.md); without a
    checkpoint fcclsim starts from the first step"""
    return (launch + [fcclsim, "-case", os.path.join(sweep_dir, point["case"]), "-output", os.path.join(sweep_dir, point["output"])]
            + point["args"] + (["-restart"] if restart else []))


def child_setup(parent):
    """In the child before exec: its own process group (the runner stops the whole group: an mpiexec and its ranks
    too), and on Linux a SIGKILL when the runner dies, so that a runner killed outright leaves no orphan behind. The
    child is forked while the runner holds SIGTERM and SIGINT (signals_held), and exec keeps a blocked mask: unblock."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    os.setpgid(0, 0)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the runner died before the line above
        os._exit(1)


def start_point(sweep_dir, point, fcclsim, launch, restart=True):
    """Start fcclsim on a point; its output goes to runs/NAME/fcclsim.log. A summary.json left by an earlier attempt
    (run-point --force) is removed first: the point's directory belongs to its current attempt. restart: resume from
    the point's checkpoint if an earlier attempt left one (--force starts afresh)."""
    out_dir = os.path.join(sweep_dir, point["output"])
    os.makedirs(out_dir, exist_ok=True)
    try:
        os.unlink(os.path.join(out_dir, "summary.json"))
    except FileNotFoundError:
        pass
    cmd = point_command(sweep_dir, point, fcclsim, launch, restart)
    job = {"point": point, "cmd": cmd, "started": time.time(), "slurm": slurm.task_record()}
    write_json(os.path.join(out_dir, "status.json"), dict(status_record(job, "running"), runner_pid=os.getpid()))
    log_event(sweep_dir, "start", point["name"], " ".join(shlex.quote(c) for c in cmd[:len(launch) + 1]))
    with open(os.path.join(out_dir, "fcclsim.log"), "w") as log:
        parent = os.getpid()
        job["proc"] = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, preexec_fn=lambda: child_setup(parent))
    return job


def status_record(job, state):
    record = {"state": state, "command": job["cmd"], "started": job["started"], "host": os.uname().nodename}
    if job["slurm"]:
        record["slurm"] = job["slurm"]
    return record


def finish_point(sweep_dir, job, returncode):
    """Record how a point ended: done needs exit 0 and a complete summary.json; anything else is failed."""
    point = job["point"]
    out_dir = os.path.join(sweep_dir, point["output"])
    wall = time.time() - job["started"]
    complete = read_summary(os.path.join(out_dir, "summary.json")) is not None
    status = dict(status_record(job, "done" if returncode == 0 and complete else "failed"), returncode=returncode, wall_s=round(wall, 3))
    if status["state"] == "failed":
        with open(os.path.join(out_dir, "fcclsim.log"), errors="replace") as f:
            output = f.read()
        if returncode == 0:
            status["error"] = "exit 0 but no complete summary.json (%s)" % read_valid_summary(os.path.join(out_dir, "summary.json"))[1]
        elif returncode < 0:
            status["error"] = "killed by %s: %s" % (signal_name(-returncode), fcclsim_error(output))
        else:
            status["error"] = fcclsim_error(output)
    write_json(os.path.join(out_dir, "status.json"), status)
    log_event(sweep_dir, status["state"], point["name"], "%.2f s" % wall if status["state"] == "done" else "exit %s: %s" % (returncode, status["error"]))
    return status["state"]


def signal_name(signum):
    try:
        return signal.Signals(signum).name
    except ValueError:
        return "signal %d" % signum


class Stop(Exception):
    """Raised in the main thread by SIGTERM or SIGINT."""

    def __init__(self, signum):
        super().__init__(signal_name(signum))
        self.signum = signum


def raise_stop(signum, frame):
    raise Stop(signum)


def catch_stop_signals():
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, raise_stop)


class signals_held:
    """Hold SIGTERM and SIGINT while a point is started or recorded, so that Stop is raised before or after, never in
    the middle (a started child that no list holds yet, or a half-recorded end)."""

    def __enter__(self):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})

    def __exit__(self, *exc):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})


def stop_jobs(sweep_dir, jobs, stop, grace=10.0):
    """Stop the running points after SIGTERM/SIGINT: SIGTERM to each point's process group, SIGKILL to what is left
    after `grace` seconds; each point is then recorded as interrupted (status.json and sweep.log). Further signals
    are ignored meanwhile, so that a second Ctrl-C or a scheduler's repeated SIGTERM cannot cut the records short."""
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, signal.SIG_IGN)
    ended = [job for job in jobs if job["proc"].poll() == 0]
    for job in ended:  # succeeded just before the signal: recorded as such
        finish_point(sweep_dir, job, 0)
    jobs = [job for job in jobs if job not in ended]  # the others, ended by the same signal (a scheduler sends it to
    for job in jobs:                                  # every process of the job) or not, are interrupted
        kill_group(job["proc"], signal.SIGTERM)
    deadline = time.time() + grace
    for job in jobs:
        try:
            job["proc"].wait(max(0.0, deadline - time.time()))
        except subprocess.TimeoutExpired:
            kill_group(job["proc"], signal.SIGKILL)
            job["proc"].wait()
        kill_group(job["proc"], signal.SIGKILL)  # whatever the group still holds (an mpiexec's ranks)
        status = dict(status_record(job, "interrupted"), signal=str(stop), returncode=job["proc"].returncode,
                      wall_s=round(time.time() - job["started"], 3), error="interrupted by %s; a rerun runs it again" % stop)
        write_json(os.path.join(sweep_dir, job["point"]["output"], "status.json"), status)
        log_event(sweep_dir, "interrupted", job["point"]["name"], str(stop))


def kill_group(proc, sig):
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def select_points(sweep_dir, manifest, which):
    """The points to run: every point not done (which = 'missing'), or also leaving failed ones (which = 'new')."""
    todo = []
    for point in manifest["points"]:
        state = point_state(sweep_dir, point)
        if state != "done" and not (state == "failed" and which == "new"):
            todo.append(point)
    return todo


def need_fcclsim(given):
    try:
        return find_fcclsim(given)
    except NotFound as e:
        raise SweepError(str(e))


def cmd_run(opts):
    sweep_dir = os.path.abspath(opts.dir)
    manifest = load_manifest(sweep_dir)
    fcclsim = need_fcclsim(opts.fcclsim)
    cores = opts.cores or os.cpu_count() or 1
    jobs = opts.jobs or max(1, cores // opts.ranks)
    todo = select_points(sweep_dir, manifest, "new" if opts.skip_failed else "missing")
    total = len(manifest["points"])
    print("%s: %d of %d points to run, %d at a time, %d rank(s) each" % (sweep_dir, len(todo), total, jobs, opts.ranks), flush=True)
    log_event(sweep_dir, "run", "-", "%d of %d points, %d at a time, %d rank(s) each, pid %d" % (len(todo), total, jobs, opts.ranks, os.getpid()))
    launch = [] if opts.ranks == 1 else shlex.split(opts.mpiexec) + ["-n", str(opts.ranks)]
    running, counts = [], {"done": 0, "failed": 0}
    catch_stop_signals()
    try:
        while todo or running:
            while todo and len(running) < jobs:
                with signals_held():
                    running.append(start_point(sweep_dir, todo.pop(0), fcclsim, launch, restart=not opts.fresh))
            time.sleep(0.05)
            for job in [j for j in running if j["proc"].poll() is not None]:
                with signals_held():
                    running.remove(job)
                    state = finish_point(sweep_dir, job, job["proc"].returncode)
                counts[state] += 1
                print("  %-6s %s%s" % (state, job["point"]["name"], "" if state == "done" else ": " + read_status(sweep_dir, job["point"]).get("error", "")), flush=True)
    except Stop as stop:
        stop_jobs(sweep_dir, running, stop)
        log_event(sweep_dir, "stopped", "-", "%s; %d point(s) interrupted" % (stop, len(running)))
        print("stopped by %s: %d running point(s) interrupted; rerun to finish the missing points" % (stop, len(running)), file=sys.stderr)
        return 128 + stop.signum
    print("%d done, %d failed in this run; %s" % (counts["done"], counts["failed"], status_line(sweep_dir, manifest)))
    return 1 if counts["failed"] else 0


def find_point(manifest, which):
    for point in manifest["points"]:
        if which in (str(point["index"]), point["name"]):
            return point
    raise SweepError("no point %r in this sweep (give an index 1..%d or a name)" % (which, len(manifest["points"])))


def cmd_run_point(opts):
    sweep_dir = os.path.abspath(opts.dir)
    manifest = load_manifest(sweep_dir)
    point = find_point(manifest, opts.point)
    if point_state(sweep_dir, point) == "done" and not opts.force:
        print("%s: complete, skipped" % point["name"])
        log_event(sweep_dir, "skip", point["name"], "complete")
        return 0
    fcclsim = need_fcclsim(opts.fcclsim)
    launch, why = slurm.choose_launcher(opts.ranks, opts.launch)
    print("%s: launcher %s" % (point["name"], why), flush=True)
    catch_stop_signals()
    job, state = None, None
    try:
        with signals_held():
            job = start_point(sweep_dir, point, fcclsim, launch, restart=not opts.force)
        returncode = job["proc"].wait()
        with signals_held():
            state = finish_point(sweep_dir, job, returncode)
    except Stop as stop:
        stop_jobs(sweep_dir, [job] if job and not state else [], stop)
        print("%s: interrupted by %s" % (point["name"], stop), file=sys.stderr, flush=True)
        return 128 + stop.signum
    print("%s: %s" % (point["name"], state))
    return 0 if state == "done" else 1


# ---------------------------------------------------------------------------------------------------------------------
# SLURM and status

def cmd_slurm(opts):
    sweep_dir = os.path.abspath(opts.dir)
    manifest = load_manifest(sweep_dir)
    try:
        fcclsim = find_fcclsim(opts.fcclsim, required=False) if not opts.fcclsim else os.path.abspath(opts.fcclsim)
    except NotFound as e:
        raise SweepError(str(e))
    fcclsim = fcclsim or "fcclsim"
    points = manifest["points"]
    if opts.points:
        try:
            wanted = set(slurm.parse_index_ranges(opts.points, len(points)))
        except ValueError as e:
            raise SweepError("--points %s: %s" % (opts.points, e))
        points = [p for p in points if p["index"] in wanted]
    if opts.missing_only:
        points = [p for p in points if point_state(sweep_dir, p) != "done"]
    if not points:
        print("%s: every point asked for is complete; no script written" % sweep_dir)
        return 0
    if opts.ntasks < 1 or opts.cpus_per_task < 1:
        raise SweepError("--ntasks and --cpus-per-task must be at least 1")
    path = os.path.join(sweep_dir, opts.output or "slurm.sh")
    os.makedirs(os.path.join(sweep_dir, "slurm"), exist_ok=True)
    sweep_py = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "sweep.py")
    text = slurm.script(sweep_dir, manifest["sweep"], len(manifest["points"]), [p["index"] for p in points], opts, fcclsim, sweep_py)
    write_atomic(path, text, mode=0o755)
    print("wrote %s (%d array tasks, %d rank(s) each, launcher %s); submit with: sbatch %s" % (path, len(points), opts.ntasks, opts.launch, path))
    return 0


STATES = ("done", "failed", "missing", "interrupted", "running", "lost")


def status_line(sweep_dir, manifest, states=None):
    states = states or [point_state(sweep_dir, p) for p in manifest["points"]]
    counts = ["%d %s" % (states.count(s), s) for s in STATES[:3]] + ["%d %s" % (states.count(s), s) for s in STATES[3:] if s in states]
    return "%d points: %s" % (len(states), ", ".join(counts))


def cmd_status(opts):
    sweep_dir = os.path.abspath(opts.dir)
    manifest = load_manifest(sweep_dir)
    points = manifest["points"]
    local = [point_state(sweep_dir, p) for p in points]
    records = [read_status(sweep_dir, p) for p in points]
    jobs = [(r.get("slurm") or {}).get("array_job") or (r.get("slurm") or {}).get("job_id") for r in records]
    scheduler = slurm.job_states([j for j, s in zip(jobs, local) if j and s != "done"]) if opts.scheduler else {}
    print("%s: %s" % (sweep_dir, status_line(sweep_dir, manifest, local)))
    shown = []
    for point, state, record, job in zip(points, local, records, jobs):
        slurm_state, source = scheduler.get(job, (None, None))
        show = slurm.shown_state(state, slurm_state)
        shown.append(show)
        if show != "done" or opts.all:
            notes = []
            if job and state != "done":
                notes.append("SLURM job %s %s" % (job, "%s (%s)" % (slurm_state, source) if slurm_state else "unknown to sacct and squeue"))
            if state in ("failed", "interrupted") and record.get("error"):
                notes.append(record["error"])
            if state == "lost":
                notes.append("status.json says running, but its runner (pid %s on this machine) is gone" % record.get("runner_pid"))
            print("  %-11s %s%s" % (show, point["name"], ": " + "; ".join(notes) if notes else ""))
    return 0 if all(s == "done" for s in shown) else 3


# ---------------------------------------------------------------------------------------------------------------------
# Aggregation

def state_value(state, path):
    value = state
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def radius_value(value):
    """Radii: null (fcclsim's infinite radius) and the 1e307 sentinel of a zero curvature are written as inf."""
    if value is None:
        return math.inf
    return math.copysign(math.inf, value) if abs(value) > 1e300 else value


def state_names(summaries):
    names = []
    for summary in summaries:
        for state in summary["states"] if summary else []:
            if state["name"] not in names:
                names.append(state["name"])
    return names


def result_rows(sweep_dir, manifest):
    """Header and rows of results.csv: the point, its parameters, its state, then a column group per state."""
    summaries = [read_summary(os.path.join(sweep_dir, p["output"], "summary.json")) for p in manifest["points"]]
    names = state_names(summaries)
    header = ["index", "name"] + [a["name"] for a in manifest["axes"]] + ["status", "output"]
    header += ["%s.%s" % (name, column) for name in names for column, _ in STATE_FIELDS]
    rows = []
    for point, summary in zip(manifest["points"], summaries):
        row = [point["index"], point["name"]] + [format_value(point["params"][a["name"]]) for a in manifest["axes"]]
        row += [point_state(sweep_dir, point), point["output"]]
        by_name = {s["name"]: s for s in summary["states"]} if summary else {}
        for name in names:
            for column, path in STATE_FIELDS:
                state = by_name.get(name)
                value = state_value(state, path) if state else None
                if state and column in RADIUS_FIELDS:
                    value = radius_value(value)
                row.append("" if value is None else format_value(value))
        rows.append(row)
    return header, rows, names


def numeric(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def series(header, rows, axis, others, column):
    """{values of the other axes: [(x, y), ...] sorted by x} for one axis and one result column."""
    col, ax = header.index(column), header.index(axis)
    groups = {}
    for row in rows:
        x, y = numeric(row[ax]), numeric(row[col])
        if x is None or y is None:
            continue
        key = tuple("%s=%s" % (o, row[header.index(o)]) for o in others)
        groups.setdefault(key, []).append((x, y))
    return {key: sorted(points) for key, points in groups.items()}


def sign_changes(header, rows, axes, states):
    """Where k1 of a state changes sign along an axis (other axes fixed), with the zero by linear interpolation."""
    found = []
    for axis in axes:
        others = [a for a in axes if a != axis]
        for state in states:
            for group, pts in series(header, rows, axis, others, "%s.k1_1_per_m" % state).items():
                for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
                    if y0 * y1 < 0 or (y1 == 0 and y0 != 0):
                        found.append([state, axis, " ".join(group), format_value(x0), format_value(x1), format_value(x0 + (x1 - x0) * y0 / (y0 - y1))])
    return found


def plot_axis(path, header, rows, axis, others, states, field, label, limit):
    """One PNG: a panel per state, the field against the axis, a line per combination of the other axes."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    ncols = min(4, len(states))
    nrows = (len(states) + ncols - 1) // ncols
    fig, panels = plt.subplots(nrows, ncols, figsize=(4 * ncols, 3.2 * nrows), squeeze=False)
    for panel, state in zip(panels.flat, states):
        for group, pts in sorted(series(header, rows, axis, others, "%s.%s" % (state, field)).items()):
            xs = [x for x, _ in pts]
            ys = [max(-limit, min(limit, y)) if limit else y for _, y in pts]
            panel.plot(xs, ys, marker="o", ms=3, label=" ".join(group) or None)
        panel.axhline(0, color="0.6", lw=0.8)
        panel.set_title(state)
        panel.set_xlabel(axis)
        panel.set_ylabel(label)
        if others:
            panel.legend(fontsize="x-small")
    for panel in list(panels.flat)[len(states):]:
        panel.set_visible(False)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    write_atomic(path, buffer.getvalue())


def cmd_aggregate(opts):
    sweep_dir = os.path.abspath(opts.dir)
    manifest = load_manifest(sweep_dir)
    header, rows, states = result_rows(sweep_dir, manifest)
    results = os.path.join(sweep_dir, "results.csv")
    write_csv(results, header, rows)
    axes = [a["name"] for a in manifest["axes"]]
    crossings = sign_changes(header, rows, axes, states)
    write_csv(os.path.join(sweep_dir, "crossings.csv"), ["state", "axis", "other_axes", "below", "above", "zero_at"], crossings)
    print("wrote %s (%d rows, states %s); %s" % (results, len(rows), ", ".join(states) or "none", status_line(sweep_dir, manifest)))
    for state, axis, group, x0, x1, zero in crossings:
        print("  %s: curl changes direction (k1 changes sign) between %s = %s and %s, zero near %s %s" % (state, axis, x0, x1, zero, group))
    if states and not opts.no_plots:
        for axis in axes:
            others = [a for a in axes if a != axis]
            for field, label, limit, stem in (("R1_cm", "R1 (cm), clipped at +-%g" % opts.rmax, opts.rmax, "radius"), ("k1_1_per_m", "k1 (1/m)", None, "curvature")):
                path = os.path.join(sweep_dir, "plots", "%s-%s.png" % (stem, axis))
                plot_axis(path, header, rows, axis, others, states, field, label, limit)
                print("wrote %s" % path)
    return 0


# ---------------------------------------------------------------------------------------------------------------------

FCCLSIM_HELP = "the fcclsim executable (default: $FCCLSIM, then the build tree's build/fcclsim, then PATH)"


def parser():
    p = argparse.ArgumentParser(prog="post/sweep.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    e = sub.add_parser("expand", help="write one case file per point and the manifest", description="Expand a sweep file into DIR: sweep.yaml and base.yaml (copies), cases/NAME.yaml (one per point), manifest.json and manifest.csv. fcclsim checks the first point's keys with -model laminate when it can be found. An existing DIR with the same points keeps its results.")
    e.add_argument("sweep_file", help="the sweep file (YAML; docs/sweeps.md)")
    e.add_argument("--dir", help="the sweep directory (default: ./sweep-NAME)")
    e.add_argument("--fcclsim", help=FCCLSIM_HELP + "; without one the check is skipped")
    e.add_argument("--check", choices=("first", "all", "none"), default="first", help="points that fcclsim checks at expansion (default: first)")
    e.set_defaults(func=cmd_expand)

    r = sub.add_parser("run", help="run the missing points locally, several at once", description="Run every point without a complete summary.json (failed ones included unless --skip-failed), JOBS at a time. A failed point is recorded in runs/NAME/status.json and does not stop the others. SIGINT or SIGTERM stops the running points (their process groups get SIGTERM, then SIGKILL after 10 s) and records them as interrupted; a rerun finishes what is missing. Exit: 0 all ran, 1 some failed, 128 + the signal's number when stopped (130 SIGINT, 143 SIGTERM).")
    r.add_argument("dir", help="the sweep directory")
    r.add_argument("-j", "--jobs", type=int, help="points at once (default: cores / ranks)")
    r.add_argument("--cores", type=int, help="cores this runner may use (default: all of the machine's)")
    r.add_argument("--ranks", type=int, default=1, help="MPI ranks per point (default 1: fcclsim without mpiexec)")
    r.add_argument("--mpiexec", default="mpiexec", help="MPI launcher for --ranks > 1, e.g. 'mpiexec --oversubscribe' (default: mpiexec)")
    r.add_argument("--fcclsim", help=FCCLSIM_HELP)
    r.add_argument("--skip-failed", action="store_true", help="do not retry points whose last attempt failed")
    r.add_argument("--fresh", action="store_true", help="start every point from its first step (no -restart from its checkpoint), e.g. after fcclsim was rebuilt or the rank count changed")
    r.set_defaults(func=cmd_run)

    o = sub.add_parser("run-point", help="run one point (each SLURM array task calls this)", description="Run one point unless it is complete. Exit 0 when the point is done, 1 when it failed, 128 + the signal's number when SIGTERM or SIGINT stopped it (it is then recorded as interrupted).")
    o.add_argument("dir", help="the sweep directory")
    o.add_argument("point", help="the point's index (1..N) or name")
    o.add_argument("--fcclsim", help=FCCLSIM_HELP)
    o.add_argument("--ranks", type=int, default=1, help="MPI ranks of the point, for --launch auto (default 1)")
    o.add_argument("--launch", default="", help="launcher prefix: '' (default: none), 'auto' (1 rank: none; more inside SLURM: 'srun --mpi=pmix -n R' if srun --mpi=list offers pmix, else 'mpirun -n R'; outside SLURM: 'mpiexec -n R'), or a command such as 'srun --mpi=pmi2' or 'mpirun -n 4'")
    o.add_argument("--force", action="store_true", help="run even if the point is complete, from its first step (no -restart)")
    o.set_defaults(func=cmd_run_point)

    s = sub.add_parser("slurm", help="write a SLURM array script, one task per point", description="Write DIR/slurm.sh: sbatch --array over the points (all, --points, or the missing ones), each task running 'sweep.py run-point' with the launcher of --launch (docs/sweeps.md, 'Which launcher'). Nothing here needs SLURM installed.")
    s.add_argument("dir", help="the sweep directory")
    s.add_argument("--ntasks", type=int, default=1, help="MPI ranks per point (default 1)")
    s.add_argument("--cpus-per-task", type=int, default=1, help="cores per rank (default 1)")
    s.add_argument("--time", default="01:00:00", help="wall-time limit per point (default 01:00:00)")
    s.add_argument("--mem-per-cpu", help="memory per core, e.g. 2G (default: the site's)")
    s.add_argument("--partition", help="SLURM partition (default: the site's)")
    s.add_argument("--account", help="SLURM account (default: the site's)")
    s.add_argument("--job-name", help="job name (default: fcclsim-SWEEP)")
    s.add_argument("--max-running", type=int, help="array throttle: at most this many tasks at once (--array=...%%N)")
    s.add_argument("--launch", default="auto", help="how a task starts fcclsim: 'auto' (default: no launcher for 1 rank; for more, 'srun --mpi=pmix' when srun --mpi=list offers pmix, else 'mpirun'), or a command prefix used as it is, e.g. 'srun --mpi=pmix', 'srun --mpi=pmi2', 'mpirun'; a task's environment variable FCCLSIM_LAUNCH overrides it")
    s.add_argument("--points", help="the point indices to submit, e.g. 1-3,7 (default: every point)")
    s.add_argument("--sbatch", action="append", metavar="OPTION", help="any further #SBATCH option, e.g. --sbatch=--qos=short (repeatable)")
    s.add_argument("--fcclsim", help="fcclsim path on the cluster (default: the one found here as for 'run', else 'fcclsim' from the task's PATH)")
    s.add_argument("--missing-only", action="store_true", help="array over the points that are not complete only")
    s.add_argument("--output", help="script name in DIR (default slurm.sh)")
    s.set_defaults(func=cmd_slurm)

    t = sub.add_parser("status", help="count done, failed, interrupted and missing points", description="Print the count of done, failed and missing points (and interrupted, running, lost ones when there are any) and list those not done, with the error of failed ones and, for a point run by a SLURM task, the task's job id and state from sacct (or squeue where the site keeps no accounting): a task that SLURM cancelled, timed out or lost shows as such. Exit 0 when every point is done, 3 otherwise.")
    t.add_argument("dir", help="the sweep directory")
    t.add_argument("--all", action="store_true", help="list the done points too")
    t.add_argument("--no-scheduler", dest="scheduler", action="store_false", help="do not ask sacct or squeue")
    t.set_defaults(func=cmd_status)

    a = sub.add_parser("aggregate", help="results.csv, crossings.csv, plots", description="Write DIR/results.csv (a row per point, a column group per state), DIR/crossings.csv (where k1 changes sign along an axis) and DIR/plots/{radius,curvature}-AXIS.png.")
    a.add_argument("dir", help="the sweep directory")
    a.add_argument("--rmax", type=float, default=100.0, help="radius plots are clipped at +-RMAX cm (default 100)")
    a.add_argument("--no-plots", action="store_true", help="the tables only")
    a.set_defaults(func=cmd_aggregate)
    return p


def main(argv=None):
    opts = parser().parse_args(argv)
    try:
        return opts.func(opts) or 0
    except SweepError as e:
        print("sweep.py %s: error: %s" % (opts.command, e), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
