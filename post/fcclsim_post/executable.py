"""The one way post/ finds the fcclsim executable, in this order:

1. the command's --fcclsim PATH option;
2. the environment variable FCCLSIM;
3. the build tree: $FCCLSIM_BUILD_DIR/fcclsim if FCCLSIM_BUILD_DIR is set (as for scripts/build.sh), else build/fcclsim
   in the source tree this package belongs to;
4. fcclsim on PATH (e.g. after cmake --install).
A path given by 1 or 2 that is not an executable file is an error, not a reason to look further: a typo must not
quietly run another build."""
import os
import shutil

from . import TOP

HOW = ("give --fcclsim PATH, set FCCLSIM=PATH, build it (bash scripts/build.sh makes build/fcclsim) "
       "or put fcclsim on PATH")


class NotFound(Exception):
    """fcclsim was named but is not there, or was needed and not found; the message says which and how to fix it."""


def is_executable(path):
    return os.path.isfile(path) and os.access(path, os.X_OK)


def build_tree_candidate():
    build = os.environ.get("FCCLSIM_BUILD_DIR") or os.path.join(TOP, "build")
    return os.path.join(build, "fcclsim")


def find_fcclsim(given=None, required=True):
    """The absolute path of fcclsim. Raises NotFound when a named one is missing, or when none is found and
    required; returns None when none is found and not required."""
    for source, path in (("--fcclsim", given), ("FCCLSIM", os.environ.get("FCCLSIM"))):
        if path:
            if not is_executable(path):
                raise NotFound("%s %s: not an executable file (%s)" % (source, path, HOW))
            return os.path.abspath(path)
    candidate = build_tree_candidate()
    if is_executable(candidate):
        return os.path.abspath(candidate)
    on_path = shutil.which("fcclsim")
    if on_path:
        return os.path.abspath(on_path)
    if required:
        raise NotFound("no fcclsim found: %s" % HOW)
    return None
