"""Library lookup (KAPSTATS_LIB, installed copy beside the package, system
loader), version-mismatch detection, and the packaging routes (make
install, pip install).  Each case runs in a subprocess with a clean
environment."""
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from conftest import BUILD, LIB, PKG, ROOT

PY = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
PROBE = "import kapstats; print(kapstats.LIBRARY_PATH); print(kapstats.FOUND_BY); " \
        "print(kapstats.__file__); print(kapstats.p_adjust([0.01, 0.04], 'holm')[1])"


def run(code, env_extra, cwd="/"):
    env = {k: v for k, v in os.environ.items()
           if k not in ("KAPSTATS_LIB", "LD_LIBRARY_PATH", "PYTHONPATH")}
    env.update(env_extra)
    return subprocess.run([PY, "-c", code], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def probe(env_extra):
    p = run(PROBE, env_extra)
    assert p.returncode == 0, p.stderr
    path, how, pkgfile, value = p.stdout.split("\n")[:4]
    assert float(value) == 0.04
    return path, how, pkgfile


def test_env_variable():
    path, how, _ = probe({"KAPSTATS_LIB": LIB, "PYTHONPATH": PKG})
    assert path == LIB and how == "KAPSTATS_LIB"


def test_env_variable_bad_path():
    p = run("import kapstats", {"KAPSTATS_LIB": "/nonexistent/libkapstats.so.0",
                                "PYTHONPATH": PKG})
    assert p.returncode != 0
    assert "ImportError" in p.stderr and "/nonexistent/libkapstats.so.0" in p.stderr


def test_system_loader():
    path, how, _ = probe({"LD_LIBRARY_PATH": BUILD, "PYTHONPATH": PKG})
    assert path == "libkapstats.so.0" and how == "system loader"


def test_nothing_found():
    p = run("import kapstats", {"PYTHONPATH": PKG})
    if p.returncode == 0:
        pytest.skip("a libkapstats.so.0 is installed system-wide")
    assert "cannot load libkapstats" in p.stderr


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    if shutil.which("make") is None:
        pytest.skip("make not available")
    prefix = str(tmp_path_factory.mktemp("prefix"))
    build = os.path.relpath(BUILD, ROOT)
    args = ["PREFIX=" + prefix, "BUILD=" + build]
    # the same flags as the build under test (see the Makefile's BUILD rules)
    base = os.path.basename(build)
    if base.startswith("san-"):
        args.append("SANITIZE=" + base[4:].replace("-", ","))
    elif base == "fault":
        args.append("FAULT=1")
    p = subprocess.run(["make", "--no-print-directory", "-C", ROOT, "install"] + args,
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    return prefix


def test_make_install(installed):
    pydir = os.path.join(installed, "lib", "python3", "dist-packages")
    path, how, pkgfile = probe({"PYTHONPATH": pydir})
    assert how == "beside the package"
    assert path == os.path.join(installed, "lib", "libkapstats.so.0")
    assert pkgfile.startswith(os.path.join(pydir, "kapstats"))
    # every module of the package was installed
    src = sorted(f for f in os.listdir(os.path.join(PKG, "kapstats")) if f.endswith(".py"))
    dst = sorted(f for f in os.listdir(os.path.join(pydir, "kapstats")) if f.endswith(".py"))
    assert src == dst


def test_make_install_env_overrides(installed):
    pydir = os.path.join(installed, "lib", "python3", "dist-packages")
    path, how, _ = probe({"PYTHONPATH": pydir, "KAPSTATS_LIB": LIB})
    assert path == LIB and how == "KAPSTATS_LIB"


def test_pip_install(tmp_path):
    import importlib.util
    if importlib.util.find_spec("pip") is None or importlib.util.find_spec("setuptools") is None:
        pytest.skip("pip or setuptools not installed")
    # build from a copy so that the source tree stays clean
    src = tmp_path / "src"
    shutil.copytree(os.path.dirname(os.path.join(PKG, "kapstats")), src,
                    ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    venv = tmp_path / "venv"
    p = subprocess.run([PY, "-m", "venv", "--system-site-packages", str(venv)],
                       capture_output=True, text=True)
    if p.returncode != 0:
        pytest.skip("python3 -m venv not available: " + p.stderr[-200:])
    vpy = str(venv / "bin" / "python")
    p = subprocess.run([vpy, "-m", "pip", "install", "--no-build-isolation", "--no-index",
                        "--no-cache-dir", str(src)], capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "KAPSTATS_LIB")}
    env["KAPSTATS_LIB"] = LIB
    p = subprocess.run([vpy, "-c", PROBE], env=env, cwd="/", capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert str(venv) in p.stdout.split("\n")[2]


def test_version_mismatch_patched_header():
    code = textwrap.dedent("""
        import kapstats, kapstats._ffi as f
        f.check_version()
        f.HEADER_VERSION = (0, 2, 0)
        try:
            f.check_version()
        except ImportError as e:
            print("mismatch:", e)
        f.HEADER_VERSION = (1, 1, 0)
        try:
            f.check_version()
        except ImportError as e:
            print("mismatch:", e)
        f.HEADER_VERSION = (0, 1, 7)   # patch level may differ
        f.check_version()
        print("ok")
    """)
    p = run(code, {"KAPSTATS_LIB": LIB, "PYTHONPATH": PKG})
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[-1] == "ok" and len(lines) == 3
    assert "version mismatch" in lines[0] and "0.2.0" in lines[0]


def test_version_mismatch_other_library(tmp_path):
    """A library of another version (a stub exporting kap_version*) is
    refused at import with ImportError, before any other symbol is used."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler")
    c = tmp_path / "fake.c"
    c.write_text('const char *kap_version(void) { return "0.2.0"; }\n'
                 'int kap_version_number(void) { return 200; }\n'
                 'const char *kap_strerror(int c) { (void)c; return ""; }\n')
    so = tmp_path / "libkapstats.so.0"
    subprocess.run([cc, "-shared", "-fPIC", "-o", str(so), str(c)], check=True)
    p = run("import kapstats", {"KAPSTATS_LIB": str(so), "PYTHONPATH": PKG})
    assert p.returncode != 0
    assert "version mismatch" in p.stderr and "0.2.0" in p.stderr
