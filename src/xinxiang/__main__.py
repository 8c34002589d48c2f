"""`python -m xinxiang` runs the CLI."""

import sys

from xinxiang.cli import main

sys.exit(main())
