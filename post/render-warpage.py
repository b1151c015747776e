#!/usr/bin/python3
"""post/render-warpage.py: the warpage map of a patterned 3D run with its copper drawn over it; docs/viewing.md.
The code is the module fcclsim_post.render_warpage beside this script (found because Python puts this script's
directory first on its import path)."""
import sys

from fcclsim_post.render_warpage import main

sys.exit(main())
