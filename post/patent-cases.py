#!/usr/bin/python3
"""post/patent-cases.py: writes (or --check's) cases/patent/*.yaml from the patent's tables; docs/patent-check.md.
The code is the module fcclsim_post.patent_cases beside this script."""
import sys

from fcclsim_post.patent_cases import main

sys.exit(main())
