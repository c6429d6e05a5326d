"""``python -m pooling_grader``: the same as ``pooling-grade``."""

import sys

from pooling_grader.cli import main

sys.exit(main())
