#!/usr/bin/env python3
"""fuzz.py --fcclsim PATH [--runs N] [--seed S] [-j N]: a seeded mutation fuzzer of fcclsim's input (issue 12, 5).

Each run takes one committed case (cases/*.yaml and tests/*/*.yaml that hold `layers`, without their comments; sweep
files are not cases, and a case that fails as committed on the small meshes is left out and said so), makes one to
three mutations of its text, of a materials-database file it names, or of its command line, and runs fcclsim on it
with small meshes forced from the command line (which wins over the case): -mesh_nx/-mesh_ny 2 or 3 in most runs, the
case's own (possibly mutated) mesh under -mesh_max_dofs in the others, no ParaView files. Mutations: byte flips, a
token replaced by another (from the cases, the documentation's keys and YAML syntax), a number replaced by an extreme
(0, -1, 1e300, 1e-300, nan, inf, huge integers), by a bound of a documented range or by a multiple of itself, a key
renamed, duplicated or deleted, a value nested deep, a list and a scalar swapped, lines deleted, duplicated, moved or
spliced from another case, a documented key added to the case or to the command line.

A run passes when fcclsim exits 0 with its summary written, or with a clean user error: status 2, at most 3 lines on
stderr, the first "fcclsim: error:", no PETSc trace and no MPI abort (tests/expect-failure.sh says the same). A signal,
any other status, an unclean error and a time-out are failures: each is saved with its case, command and output in
--failures DIR, and `fuzz.py --seed S --run I` repeats it (a run depends only on the seed, its number and the tree).
It prints the outcome counts, the share of runs that got through the case reader to a 2D/3D model and the share that
completed at least one finite-element solve (a step line printed by a 2D/3D run), and exits 1 on any failure or when
fewer than --min-solve-share of the runs completed a solve (the fuzzer would then test the case reader only)."""
import argparse
import collections
import concurrent.futures
import glob
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
EXTREMES = ["0", "-0", "-1", "1e300", "-1e300", "1e-300", "1e309", "nan", "inf", "-inf", "2147483648", "-2147483649",
            "99999999999", "9223372036854775808", "0x10", "1e", ".", "1,2"]
SYNTAX = ["{", "}", "[", "]", ":", ",", "-", "- ", "'", '"', "#", "&a", "*a", "<<", "!include", "$$base", "~", "null",
          "true", "?", "|", ">", "%", "@", "\t", "\n", "\n  ", "\\", "\x00", "\xff", "é"]
INTERESTING_BYTES = b"\x00\xff\t\n :{}[],-#&*!'\"%@|>?\\"
NUMBER = re.compile(r"(?<![\w.])-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?![\w.])")
KEY = re.compile(r"([A-Za-z_$<][\w$<]*)(\s*:)(?=\s|$)", re.M)
TOKEN = re.compile(r"[A-Za-z_][\w]*|-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\S")
FLOW_LIST = re.compile(r"\[[^\[\]\n]*\]")
VALUE = re.compile(r"(:[ \t]+)([^\s,{}\[\]#][^,{}\[\]#\n]*?)(?=\s*(?:[,}\]#\n]|$))")


def read_docs():
    """The documented keys (first column of the key tables; NAME stands for a name of the case) and the bounds of
    their ranges ("0.001 to 10000"): valid extremes that reach deeper than invalid ones"""
    keys, bounds = set(), set()
    for doc in ("docs/cases.md", "docs/process.md"):
        for line in open(os.path.join(TOP, doc)):
            cells = line.split("|")
            if not line.startswith("|") or len(cells) < 3 or cells[1].strip() in ("key", "") or "---" in cells[1]:
                continue
            keys.update(re.findall(r"`([A-Za-z][A-Za-z0-9_]*)`", cells[1]))
            for lo, hi in re.findall(r"(-?[\d.]+(?:e-?\d+)?) to (-?[\d.]+(?:e-?\d+)?)", line):
                bounds.update((lo, hi))
    return sorted(keys - {"o", "mesh_view", "case"}), sorted(bounds)


def corpus():
    """The committed cases without their comments (a mutation there would test nothing)"""
    files = sorted(glob.glob(os.path.join(TOP, "cases", "*.yaml")) + glob.glob(os.path.join(TOP, "tests", "*", "*.yaml")))
    texts = [(f, uncomment(open(f).read())) for f in files]
    return [(f, t) for f, t in texts if re.search(r"^layers\s*:", t, re.M)]


def uncomment(text):
    return re.sub(r"(?m)^\s*\n", "", re.sub(r"(?m)(?:^|\s+)#.*$", "", text))


class Mutator:
    def __init__(self, cases, doc_keys, bounds):
        self.cases, self.doc_keys = cases, doc_keys
        words = set()
        for _, text in cases:
            words.update(TOKEN.findall(text))
        self.vocabulary = sorted(words) + [k.replace("NAME", "x") for k in doc_keys] + SYNTAX
        self.bounds, self.numbers = bounds, EXTREMES + bounds

    @staticmethod
    def names(text):
        """The case's layer, step and material names, which stand for NAME in documented keys"""
        return sorted(set(re.findall(r"^\s*-\s*(\w+)\s*:", text, re.M) + re.findall(r"material:\s*(\w+)", text))) or ["x"]

    def doc_key(self, rng, text):
        return rng.choice(self.doc_keys).replace("NAME", rng.choice(self.names(text)))

    def value(self, rng, text):
        """A value for a documented key: mostly a bound of a documented range, which the key may accept"""
        if rng.random() < 0.6:
            return rng.choice(self.bounds)
        return rng.choice(self.numbers + self.names(text) + ["2d", "3d", "laminate", "bond", "etch", "temperature",
                                                            "free", "pressed", "full", "quarter", "[]", "{}", "''"])

    # Each mutation takes (rng, text) and returns the new text and a description.
    def byte_flip(self, rng, text):
        data = bytearray(text.encode("utf-8", "surrogateescape"))
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(len(data))
            data[i] = rng.choice(INTERESTING_BYTES) if rng.random() < 0.5 else data[i] ^ (1 << rng.randrange(8))
        return data.decode("utf-8", "surrogateescape"), "byte flips"

    def replace(self, rng, text, pattern, new_of, what):
        """One match of the pattern replaced by new_of(its text); a token appended where nothing matches"""
        spans = [m.span() for m in pattern.finditer(text)]
        if not spans:
            return text + " " + rng.choice(self.vocabulary), "token appended"
        a, b = rng.choice(spans)
        new = new_of(text[a:b])
        return text[:a] + new + text[b:], "%s %r -> %r" % (what, text[a:b], new)

    def token(self, rng, text):
        return self.replace(rng, text, TOKEN, lambda old: rng.choice(self.vocabulary), "token")

    def number(self, rng, text):
        return self.replace(rng, text, NUMBER, lambda old: rng.choice(self.numbers), "number")

    def scale(self, rng, text):
        factors = [1e3, 100, 10, 2, 0.5, 0.1, 0.01, 1e-3, -1]
        return self.replace(rng, text, NUMBER, lambda old: "%g" % (float(old) * rng.choice(factors)), "number")

    def key(self, rng, text):
        keys = list(KEY.finditer(text))
        if not keys:
            return self.token(rng, text)
        m = rng.choice(keys)
        k = m.group(1)
        how = rng.choice(["rename", "rename", "duplicate", "delete"])
        if how == "rename":
            new = rng.choice([k.upper(), k + "_x", k[:-1], k[1:] + k[0], "$$" + k, "<<", rng.choice(self.vocabulary),
                              rng.choice(self.doc_keys).replace("NAME", rng.choice(self.names(text)))]) or "x"
            return text[:m.start(1)] + new + text[m.end(1):], "key %s renamed %s" % (k, new)
        line_start, line_end = text.rfind("\n", 0, m.start()) + 1, text.find("\n", m.end())
        line_end = len(text) if line_end < 0 else line_end + 1
        pair = re.compile(r"%s\s*:\s*(\{[^{}]*\}|\[[^\[\]]*\]|[^,{}\n]*)" % re.escape(k)).match(text, m.start())
        if how == "duplicate":
            if text[line_start:m.start()].strip() in ("", "-"):  # a block key: the whole line (and its block) again
                return text[:line_end] + text[line_start:line_end] + text[line_end:], "key %s duplicated (line)" % k
            return text[:pair.end()] + ", " + pair.group(0) + text[pair.end():], "key %s duplicated (flow)" % k
        if text[line_start:m.start()].strip() == "":
            return text[:line_start] + text[line_end:], "key %s deleted (line)" % k
        return text[:m.start()] + text[pair.end():].lstrip(", "), "key %s deleted (flow)" % k

    def nest(self, rng, text):
        values = list(VALUE.finditer(text))
        if not values:
            return self.token(rng, text)
        m = rng.choice(values)
        depth = rng.choice([2, 8, 15, 16, 17, 24, 30, 60, 200])
        if rng.random() < 0.5:
            wrapped = "{a: " * depth + m.group(2) + "}" * depth
        else:
            wrapped = "[" * depth + m.group(2) + "]" * depth
        return text[:m.start(2)] + wrapped + text[m.end(2):], "value %s nested %d deep" % (m.group(2), depth)

    def swap(self, rng, text):
        lists = list(FLOW_LIST.finditer(text))
        if lists and rng.random() < 0.5:
            m = rng.choice(lists)
            items = [s.strip() for s in m.group(0)[1:-1].split(",")]
            new = rng.choice([items[0], ", ".join(items), "{%s: %s}" % (items[0], items[-1]), "[]", "[[%s]]" % items[0],
                              "[%s]" % ", ".join(items * 2)])
            return text[:m.start()] + new + text[m.end():], "list %s -> %s" % (m.group(0), new)
        values = list(VALUE.finditer(text))
        if not values:
            return self.token(rng, text)
        m = rng.choice(values)
        v = m.group(2)
        new = rng.choice(["[%s]" % v, "[%s, %s]" % (v, v), "[]", "{}", "{%s: %s}" % (v, v), "''", "~", "- " + v])
        return text[:m.start(2)] + new + text[m.end(2):], "scalar %s -> %s" % (v, new)

    def lines(self, rng, text):
        lines = text.splitlines(True)
        i = rng.randrange(len(lines))
        how = rng.choice(["delete", "duplicate", "swap", "indent", "dedent", "splice"])
        if how == "delete":
            del lines[i]
        elif how == "duplicate":
            lines.insert(i, lines[i])
        elif how == "swap":
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif how == "indent":
            lines[i] = "  " + lines[i]
        elif how == "dedent":
            lines[i] = lines[i].lstrip(" ")
        else:
            other = rng.choice(self.cases)[1].splitlines(True)
            lines.insert(i, rng.choice(other))
        return "".join(lines), "line %d: %s" % (i + 1, how)

    def add_key(self, rng, text):
        key, value = self.doc_key(rng, text), self.value(rng, text)
        return text + "\n%s: %s\n" % (key, value), "key %s: %s added" % (key, value)

    KINDS = [("byte", byte_flip, 1), ("token", token, 2), ("number", number, 4), ("scale", scale, 4), ("key", key, 2),
             ("nest", nest, 1), ("swap", swap, 2), ("lines", lines, 2), ("add-key", add_key, 2), ("command-line", None, 3)]

    def mutate(self, rng, text, argv):
        """One mutation of the text (or an option added to argv); returns the text and a description"""
        _, fn, _ = rng.choices(self.KINDS, weights=[w for _, _, w in self.KINDS])[0]
        if fn is None:
            key, value = self.doc_key(rng, text), self.value(rng, text)
            argv += ["-" + key, value]
            return text, "command line -%s %s" % (key, value)
        return fn(self, rng, text)


MATERIALS = os.path.join(TOP, "cases", "materials")
SMALL = ["-mesh_max_dofs", "5000", "-output_fields", "false"]  # 5000: Q2 on 3 x 3 cells of 5 layers is 1617 DOFs


def plan(mutator, seed, i):
    """Run i of the seed: the case, the materials file it mutates (or None), their texts, fcclsim's arguments and
    what was done"""
    rng = random.Random("%d/%d" % (seed, i))
    path, text = rng.choice(mutator.cases)
    used = [m for m in Mutator.names(text) if os.path.exists(os.path.join(MATERIALS, m + ".yaml"))]
    material = rng.choice(used) if used and rng.random() < 0.15 else None
    target = uncomment(open(os.path.join(MATERIALS, material + ".yaml")).read()) if material else text
    argv, done = [], []
    for _ in range(rng.choices([1, 2, 3], weights=[7, 2, 1])[0]):
        target, what = mutator.mutate(rng, target, argv)
        done.append(what)
    if rng.random() < 0.9:
        argv += ["-mesh_nx", str(rng.choice([2, 3])), "-mesh_ny", str(rng.choice([2, 3]))]
    else:
        done.append("the case's own mesh")
    # after the mutations' options: of a key given twice on the command line, the last wins
    return dict(path=path, text=target if not material else text, material=material,
                material_text=target if material else None, argv=argv + SMALL, done=done)


def execute(args, p, d):
    """Runs fcclsim on the plan p in the new folder d: (exit status, stdout, stderr, timed out, seconds, command)"""
    os.makedirs(d)
    case = os.path.join(d, os.path.basename(p["path"]))
    with open(case, "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write(p["text"])
    argv = p["argv"]
    if p["material"]:
        shutil.copytree(MATERIALS, os.path.join(d, "materials"))
        with open(os.path.join(d, "materials", p["material"] + ".yaml"), "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write(p["material_text"])
        argv = ["-materials_dir", os.path.join(d, "materials")] + argv
    cmd = [args.fcclsim, "-case", case, "-output", os.path.join(d, "out")] + argv
    t0 = time.time()
    # a TMPDIR of its own: isolated singletons share OpenMPI's session directory, which one's exit removes under another
    env = dict(args.env, TMPDIR=d)
    proc = subprocess.Popen(cmd, cwd=d, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True)
    timed_out = False
    try:
        out, err = proc.communicate(timeout=args.timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        timed_out = True
    return proc.returncode, out.decode(errors="replace"), err.decode(errors="replace"), timed_out, time.time() - t0, cmd


def baseline(args, mutator, work):
    """The cases that run as committed on the forced small meshes (a case that fails there would test the same
    error every time): the others are left out, and said so"""
    def run(k):
        path, text = mutator.cases[k]
        p = dict(path=path, text=text, material=None, argv=["-mesh_nx", "2", "-mesh_ny", "2"] + SMALL)
        d = os.path.join(work, "baseline-%d" % k)
        code, out, err, _, _, _ = execute(args, p, d)
        why = err.strip().splitlines()[-1].replace(d + "/", "") if err.strip() else "exit %d" % code
        return code == 0, "%s (%s)" % (os.path.relpath(path, TOP), why)
    with concurrent.futures.ThreadPoolExecutor(args.j) as pool:
        ok = list(pool.map(run, range(len(mutator.cases))))
    left = [why for good, why in ok if not good]
    mutator.cases = [c for c, (good, _) in zip(mutator.cases, ok) if good]
    print("fuzz: %d committed cases%s" % (len(mutator.cases), "; left out, as they fail unmutated: " + "; ".join(left) if left else ""))


def check(error):
    """The check a user error comes from: its message without file, line, key, value and numbers"""
    msg = re.sub(r"^fcclsim: error: (\S+?\.yaml|command line)?(:\d+)*:? ?", "", error)
    msg = re.sub(r"^\S+ = .*?: (?=must|not|too|longer|an empty)", "", msg)
    return re.sub(r"'[^']*'|\S*\d\S*", "_", msg)[:40].strip()


def run_one(args, mutator, work, i):
    p = plan(mutator, args.seed, i)
    d = os.path.join(work, "run-%d" % i)
    code, out, err, timed_out, seconds, cmd = execute(args, p, d)
    outcome = classify(code, out, err, timed_out)
    result = dict(i=i, case=os.path.relpath(p["path"], TOP), done=p["done"], outcome=outcome, time=seconds,
                  reached=reached(out), error=err.strip().splitlines()[0].replace(d + "/", "") if outcome == "user error" else "")
    if outcome in ("success", "user error"):
        shutil.rmtree(d)
        return result
    shutil.rmtree(os.path.join(d, "out"), ignore_errors=True)
    with open(os.path.join(d, "command"), "w") as f:
        f.write(" ".join("'%s'" % a if re.search(r"[^\w/.,=+-]", a) else a for a in cmd) + "\n")
    with open(os.path.join(d, "output"), "w") as f:
        f.write("# %s\n# mutations: %s\n# stdout\n%s\n# stderr\n%s" % (outcome, "; ".join(p["done"]), out, err))
    result["saved"] = os.path.join(args.failures, "seed-%d-run-%d" % (args.seed, i))
    shutil.rmtree(result["saved"], ignore_errors=True)
    os.makedirs(args.failures, exist_ok=True)
    shutil.move(d, result["saved"])
    return result


def classify(code, out, err, timed_out):
    """The outcome: 'success', 'user error', or a failure's description"""
    lines = err.strip().splitlines()
    if timed_out:
        return "time-out"
    if code < 0:
        return "signal %s" % signal.Signals(-code).name
    if "MPI_ABORT" in err or "PETSC ERROR" in err or "PETSC ERROR" in out:
        return "exit %d with a PETSc trace or MPI abort" % code
    if code == 0:
        return "success" if re.search(r"^\w+ \(\d+ DOFs\): wrote ", out, re.M) else "exit 0 without a summary"
    if code == 2:
        clean = 1 <= len(lines) <= 3 and lines[0].startswith("fcclsim: error: ")
        return "user error" if clean else "exit 2 with an unclean message (%d lines)" % len(lines)
    return "exit %d" % code


def reached(out):
    """'solve' when a 2D/3D run printed a step's line (its first finite-element solve completed), 'model' when it
    got through the case reader and the checks to a 2D/3D model, '' otherwise"""
    m = re.search(r"^Plate .*, (2d|3d) model", out, re.M)
    if not m:
        return "", ""
    return ("solve" if re.search(r"^\[\d+\] ", out, re.M) else "model"), m.group(1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fcclsim", required=True, help="the fcclsim executable")
    ap.add_argument("--runs", type=int, default=200, help="number of runs (default 200; CI runs 1500)")
    ap.add_argument("--seed", type=int, default=1, help="the seed: the same seed gives the same runs (default 1)")
    ap.add_argument("--run", type=int, help="repeat this one run of the seed (a failure's reproducer) and print it")
    ap.add_argument("-j", type=int, default=2, help="runs at once (default 2)")
    ap.add_argument("--timeout", type=float, default=120, help="seconds a run may take before it counts as a hang "
                    "(default 120: the slowest runs take about 15 s, and up to 4 times as long on an ASan build)")
    ap.add_argument("--failures", default="fuzz-failures", help="where failing runs are saved (default ./fuzz-failures)")
    ap.add_argument("--log", help="write one line of JSON per run (case, mutations, outcome, time, error) to this file")
    ap.add_argument("--min-solve-share", type=float, default=0, help="fail unless this share of the runs completed "
                    "a finite-element solve (default 0; CI requires 0.15)")
    args = ap.parse_args()
    args.fcclsim = os.path.abspath(args.fcclsim)
    args.failures = os.path.abspath(args.failures)
    # one rank, no MPI launcher: OpenMPI's singleton without its helper daemon, and without probing UCX (0.2 s a run)
    args.env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
                    OMPI_MCA_ess_singleton_isolated="1", OMPI_MCA_pml="ob1")
    # on an ASan build (scripts/run-sanitizers.sh): a run that stops on an error leaves its objects to the exit, so
    # memory errors are checked here, leaks in the suite's complete runs (and the fast unwinder will do)
    args.env["ASAN_OPTIONS"] = ":".join(filter(None, [os.environ.get("ASAN_OPTIONS"), "detect_leaks=0:fast_unwind_on_malloc=1"]))
    mutator = Mutator(corpus(), *read_docs())
    work = tempfile.mkdtemp(prefix="fcclsim-fuzz-")
    runs = [args.run] if args.run is not None else range(args.runs)
    baseline(args, mutator, work)
    t0 = time.time()
    with concurrent.futures.ThreadPoolExecutor(args.j) as pool:
        results = list(pool.map(lambda i: run_one(args, mutator, work, i), runs))
    shutil.rmtree(work)
    if args.log:
        with open(args.log, "w") as f:
            f.writelines(json.dumps(r) + "\n" for r in results)
    wall = time.time() - t0
    outcomes = collections.Counter(r["outcome"] for r in results)
    reach = collections.Counter(r["reached"] for r in results)
    n = len(results)
    failed = [r for r in results if r["outcome"] not in ("success", "user error")]
    model = sum(v for (k, _), v in reach.items() if k)
    solved = sum(v for (k, _), v in reach.items() if k == "solve")
    if args.run is not None:
        r = results[0]
        print("run %d of seed %d: %s (%s), %s in %.1f s%s" % (r["i"], args.seed, r["case"], "; ".join(r["done"]),
              r["outcome"], r["time"], ": " + r["error"] if r["error"] else ""))
    print("fuzz: %d runs of seed %d in %.0f s (-j %d, slowest %.1f s): %d success, %d user error, %d failed" %
          (n, args.seed, wall, args.j, max(r["time"] for r in results), outcomes["success"], outcomes["user error"], len(failed)))
    print("fuzz: %d (%.1f%%) got through the case reader to a 2D/3D model; %d (%.1f%%) completed a finite-element solve"
          " (2D %d, 3D %d), %d of them to the end" % (model, 100 * model / n, solved, 100 * solved / n, reach["solve", "2d"],
                                                     reach["solve", "3d"], sum(1 for r in results if r["reached"][0] == "solve" and r["outcome"] == "success")))
    checks = collections.Counter(check(r["error"]) for r in results if r["error"])
    print("fuzz: %d different user errors, the most frequent: %s" % (len(checks), "; ".join("%d x '%s'" % (c, k) for k, c in checks.most_common(6))))
    for r in failed:
        print("FAILED run %d (%s; %s): %s\n  saved in %s; repeat: %s --seed %d --run %d --fcclsim %s" % (
            r["i"], r["case"], "; ".join(r["done"]), r["outcome"], r["saved"], sys.argv[0], args.seed, r["i"], args.fcclsim))
    if solved < args.min_solve_share * n:
        print("FAILED: only %.1f%% of the runs completed a solve, fewer than --min-solve-share %.0f%%" % (100 * solved / n, 100 * args.min_solve_share))
    return 1 if failed or solved < args.min_solve_share * n else 0


if __name__ == "__main__":
    sys.exit(main())
