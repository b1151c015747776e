#!/usr/bin/env bash
# post/render-curl.sh RUN_DIR [render-curl.py options]: the curl-map pictures of a run (post/render-curl.py) with
# ParaView's pvpython, offscreen; under a virtual X server (xvfb-run) when there is no display, which Debian's ParaView
# needs even for offscreen rendering.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ -n "${DISPLAY:-}" ]; then
  exec pvpython --force-offscreen-rendering "$here/render-curl.py" "$@"
fi
# -noreset: Xvfb otherwise resets when its last client disconnects, and pvpython, which connects more than once, then
# aborted now and then ("bad X server connection")
exec xvfb-run -a -s "-screen 0 1920x1200x24 -noreset" pvpython --force-offscreen-rendering "$here/render-curl.py" "$@"
