"""Writing files so that a reader never sees half of one.

write_atomic() is the only way post/ writes a result: the data goes to a temporary file in the same directory (so
the rename cannot cross file systems), is flushed and fsync'ed, and is renamed over the target; the directory is then
fsync'ed too, so that after a crash the name points at either the old file or the whole new one. A failure removes
the temporary file. append_line() is for logs that only grow: one O_APPEND write per line, so that concurrent
writers (SLURM array tasks on a shared file system) do not interleave within a line."""
import csv
import io
import json
import os
import tempfile


def write_atomic(path, data, mode=None):
    """Write data (str or bytes) to path atomically. mode: the file's permission bits (default 0o644)."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = temporary_name(path)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
        os.chmod(tmp, 0o644 if mode is None else mode)
        publish(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def temporary_name(path):
    """(open descriptor, name) of a new temporary file beside path, for a writer that cannot take data in memory
    (e.g. ParaView's SaveScreenshot): write it, close it, then publish(name, path)."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    return tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=directory)


def publish(tmp, path):
    """fsync the complete temporary file tmp, rename it to path and fsync the directory."""
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    fsync_directory(os.path.dirname(os.path.abspath(path)))


def fsync_directory(directory):
    """Make a rename in directory durable (best effort: some file systems refuse fsync on a directory)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_json(path, obj):
    write_atomic(path, json.dumps(obj, indent=1) + "\n")


def write_csv(path, header, rows):
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    write_atomic(path, text.getvalue())


def append_line(path, line):
    """Append one line (a newline is added) with a single O_APPEND write."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (line.replace("\n", " ") + "\n").encode())
    finally:
        os.close(fd)
