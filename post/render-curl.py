"""post/render-curl.py: the pvpython part of post/render-curl.sh (run that instead); docs/viewing.md.
The code is the module fcclsim_post.render_curl beside this script (pvpython, like python, puts this script's
directory first on its import path). It ends by returning from main(), not by sys.exit(): pvpython tears ParaView's
rendering down cleanly only then (sys.exit ends in an X error, GLXBadContext, under Xvfb)."""
from fcclsim_post.render_curl import main

main()
