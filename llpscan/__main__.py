"""``python -m llpscan``: the command line."""

import sys

from llpscan.scanner.cli import main

sys.exit(main())
