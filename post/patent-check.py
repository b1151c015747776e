#!/usr/bin/python3
"""post/patent-check.py: the patent's 33 examples against its Tables 3 and 7; docs/patent-check.md.
The code is the module fcclsim_post.patent_check beside this script."""
import sys

from fcclsim_post.patent_check import main

sys.exit(main())
