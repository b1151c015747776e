#!/usr/bin/python3
"""test-executable.py: fcclsim_post.executable finds fcclsim in the documented order (--fcclsim, $FCCLSIM, the build
tree via $FCCLSIM_BUILD_DIR, PATH), refuses a named path that is not executable instead of looking further, and says
how to fix it when there is none. Stand-in executables in a temporary directory; needs PYTHONPATH=post."""
import os
import sys
import tempfile

from fcclsim_post.executable import NotFound, find_fcclsim

failures = []


def expect(what, got, want):
    ok = got == want
    print("%s %s: %s" % ("ok  " if ok else "FAIL", what, got))
    if not ok:
        failures.append(what)


def fake(directory):
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, "fcclsim")
    with open(path, "w") as f:
        f.write("#!/bin/sh\nexit 0\n")
    os.chmod(path, 0o755)
    return path


def raises(fn):
    try:
        fn()
    except NotFound as e:
        return str(e)
    return None


with tempfile.TemporaryDirectory() as tmp:
    flag, env, build, on_path = (fake(os.path.join(tmp, d)) for d in ("flag", "env", "build", "path"))
    os.environ["PATH"] = os.path.dirname(on_path) + os.pathsep + "/usr/bin:/bin"
    os.environ["FCCLSIM"] = env
    os.environ["FCCLSIM_BUILD_DIR"] = os.path.dirname(build)
    expect("--fcclsim first", find_fcclsim(flag), flag)
    expect("then $FCCLSIM", find_fcclsim(None), env)
    del os.environ["FCCLSIM"]
    expect("then the build tree ($FCCLSIM_BUILD_DIR)", find_fcclsim(None), build)
    os.environ["FCCLSIM_BUILD_DIR"] = os.path.join(tmp, "no-build")
    expect("then PATH", find_fcclsim(None), on_path)
    os.environ["PATH"] = "/nonexistent"
    message = raises(lambda: find_fcclsim(None))
    expect("none: an error that says how to fix it", bool(message and "--fcclsim" in message and "FCCLSIM" in message), True)
    expect("none, not required: None", find_fcclsim(None, required=False), None)
    os.environ["PATH"] = os.path.dirname(on_path)
    message = raises(lambda: find_fcclsim(os.path.join(tmp, "typo")))
    expect("a named --fcclsim that is not there is an error, PATH is not tried", bool(message and "typo" in message), True)
    os.environ["FCCLSIM"] = os.path.join(tmp, "flag")  # a directory, not an executable
    message = raises(lambda: find_fcclsim(None))
    expect("a $FCCLSIM that is not an executable is an error", bool(message and message.startswith("FCCLSIM ")), True)
sys.exit(1 if failures else 0)
