"""examples/python/*.py run and print what they promise."""
import os
import subprocess

from conftest import LIB, PKG, ROOT


def test_primary_comparison_example():
    env = dict(os.environ, KAPSTATS_LIB=LIB, PYTHONPATH=PKG)
    p = subprocess.run(["/usr/bin/python3",
                        os.path.join(ROOT, "examples", "python", "primary_comparison.py")],
                       env=env, cwd="/", capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert "240 participants" in out
    assert "complete_case" in out and "locf" in out and "NNTB" in out
    assert "interaction_F" in out and "individual" in out
    assert "Table 1" in out and "Adverse events" in out
