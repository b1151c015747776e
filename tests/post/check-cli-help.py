#!/usr/bin/python3
"""check-cli-help.py: every option and argument of every post/ command has help text (argparse, subcommands
included), and no file of post/ or tests/ reaches into sys.path. Needs PYTHONPATH=post (set by ctest)."""
import argparse
import importlib
import os
import re
import sys

MODULES = ["sweep", "summary", "patent_check", "patent_cases", "render_curl", "render_warpage"]
TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def walk(parser, where, missing):
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            for name, sub in action.choices.items():
                if not helps.get(name):
                    missing.append("%s %s (the subcommand)" % (where, name))
                walk(sub, "%s %s" % (where, name), missing)
            continue
        if not action.help or action.help == argparse.SUPPRESS:
            missing.append("%s %s" % (where, "/".join(action.option_strings) or action.dest))


def main():
    missing, count = [], 0
    for name in MODULES:
        module = importlib.import_module("fcclsim_post." + name)
        parser = module.parser()
        before = len(missing)
        walk(parser, parser.prog, missing)
        count += 1
        print("%s %s" % ("ok  " if len(missing) == before else "FAIL", parser.prog))
    for m in missing:
        print("FAIL no help text: %s" % m)
    hacks = []
    for folder in ("post", "tests", "scripts", "bench"):
        for root, _, files in os.walk(os.path.join(TOP, folder)):
            for f in files:
                if f.endswith((".py", ".sh")):
                    path = os.path.join(root, f)
                    with open(path, errors="replace") as fh:
                        if re.search(r"sys\.path\.(insert|append)|sys\.path\s*=|sys\.path\s*\+=", fh.read()):
                            hacks.append(os.path.relpath(path, TOP))
    for h in hacks:
        print("FAIL changes sys.path: %s" % h)
    if missing or hacks or count != len(MODULES):
        return 1
    print("ok: every option of %d commands has help; nothing changes sys.path" % count)
    return 0


if __name__ == "__main__":
    sys.exit(main())
