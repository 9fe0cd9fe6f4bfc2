"""The bundled synthetic trial is exactly what its generator makes (same
seed, same bytes), and its wide and long+ADAE versions agree."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_bundled_dataset_regenerates_byte_identical():
    r = subprocess.run([sys.executable, os.path.join(ROOT, "datasets", "check_dataset.py")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "check_dataset: ok" in r.stdout
