"""Harness tests import helpers from each other (test_verify uses test_isolation's builders)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
