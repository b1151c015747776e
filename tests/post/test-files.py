#!/usr/bin/python3
"""test-files.py: fcclsim_post.files.write_atomic replaces a file whole, keeps no temporary file, leaves the old
file untouched when the write fails midway, and append_line writes whole lines. Needs PYTHONPATH=post."""
import os
import sys
import tempfile

from fcclsim_post import files
from fcclsim_post.files import append_line, write_atomic

failures = []


def expect(what, ok):
    print("%s %s" % ("ok  " if ok else "FAIL", what))
    if not ok:
        failures.append(what)


def failing_fsync(fd):
    """fsync that fails, after the temporary file is written: stands in for a full disk or an I/O error."""
    raise OSError(28, "No space left on device")


with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "sub", "a.json")
    write_atomic(path, "first\n")
    write_atomic(path, b"second\n")
    expect("text, then bytes, replace the file", open(path).read() == "second\n")
    expect("mode 0644 by default", os.stat(path).st_mode & 0o777 == 0o644)
    write_atomic(path, "third\n", mode=0o755)
    expect("mode given", os.stat(path).st_mode & 0o777 == 0o755)
    real_fsync, files.os.fsync = files.os.fsync, failing_fsync
    try:
        write_atomic(path, "fourth\n")
        expect("a failed write raises", False)
    except OSError:
        expect("a failed write raises", True)
    finally:
        files.os.fsync = real_fsync
    expect("a failed write leaves the old file", open(path).read() == "third\n")
    expect("and no temporary file", os.listdir(os.path.dirname(path)) == ["a.json"])
    log = os.path.join(tmp, "log")
    append_line(log, "one\ttwo")
    append_line(log, "three\nfour")
    expect("append_line: one line each, a newline inside is flattened", open(log).read() == "one\ttwo\nthree four\n")
sys.exit(1 if failures else 0)
