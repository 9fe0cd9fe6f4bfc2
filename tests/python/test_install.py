"""`make install PREFIX=... DESTDIR=...` installs a usable library: a C
program builds against it with pkg-config and runs; `make uninstall`
removes every installed file."""
import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("KAPSTATS_BUILD", "build")

pytestmark = pytest.mark.skipif(BUILD != "build", reason="install is tested on the normal build")


def make(*args):
    r = subprocess.run(["make", "--no-print-directory", "-C", ROOT, *args],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    return r


def test_install_build_against_and_uninstall(tmp_path):
    prefix = "/opt/kapstats-test"
    dest = tmp_path / "dest"
    make("install", "PREFIX=" + prefix, "DESTDIR=" + str(dest))
    root = dest / prefix.lstrip("/")
    for rel in ("bin/kapstats", "lib/libkapstats.a", "lib/libkapstats.so", "lib/libkapstats.so.0",
                "lib/libkapstats.so.0.1.0", "include/kapstats.h", "include/kapstats/common.h",
                "lib/pkgconfig/kapstats.pc", "lib/python3/dist-packages/kapstats/__init__.py"):
        assert (root / rel).exists(), rel
    soname = subprocess.run(["readelf", "-d", str(root / "lib/libkapstats.so.0.1.0")],
                            capture_output=True, text=True).stdout
    assert "Library soname: [libkapstats.so.0]" in soname
    # build an example against the installed copy (DESTDIR staged: rewrite
    # the prefix the .pc file names)
    pc = (root / "lib/pkgconfig/kapstats.pc").read_text().replace(prefix, str(root))
    (tmp_path / "kapstats.pc").write_text(pc)
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "kapstats"],
                           env=dict(os.environ, PKG_CONFIG_PATH=str(tmp_path)),
                           capture_output=True, text=True, check=True).stdout.split()
    exe = tmp_path / "effect_size"
    subprocess.run(["cc", "-std=c11", "-Wall", "-Werror", str(os.path.join(ROOT, "examples/c/effect_size.c")),
                    *flags, "-o", str(exe)], check=True)
    out = subprocess.run([str(exe)], env=dict(os.environ, LD_LIBRARY_PATH=str(root / "lib")),
                         capture_output=True, text=True, check=True).stdout
    assert "Welch Two Sample t-test" in out and "Hedges' g" in out
    ldd = subprocess.run(["ldd", str(exe)], env=dict(os.environ, LD_LIBRARY_PATH=str(root / "lib")),
                         capture_output=True, text=True).stdout
    assert str(root / "lib/libkapstats.so.0") in ldd
    make("uninstall", "PREFIX=" + prefix, "DESTDIR=" + str(dest))
    left = [os.path.join(d, f) for d, _, files in os.walk(dest) for f in files]
    assert left == []
