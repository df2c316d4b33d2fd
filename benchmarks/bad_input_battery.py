"""Run the bad-input battery (tests/battery.py) against an llpscan environment; print the clean ratio.

    python benchmarks/bad_input_battery.py [--python PATH/TO/.venv/bin/python] [--jobs 2] [-k ID] [--strict]

Each case runs as a subprocess of that environment's python in a fresh directory, so the ratio of
an older checkout can be measured with its own virtualenv. Cases that need a tmpfs (a full disk)
run only as root. ``--strict`` also requires each case's expected message fragment.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.battery import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
