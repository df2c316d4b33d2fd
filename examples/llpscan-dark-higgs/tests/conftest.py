"""Put ../src on sys.path: the package is not installed yet (it will be, as a plugin of llpscan)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
