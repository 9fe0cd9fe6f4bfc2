"""The ctypes structures in kapstats._ffi match the C headers: size and
offset of every field, compiled with the system C compiler against
include/kapstats.h (skipped without a compiler)."""
import ctypes
import os
import shutil
import subprocess

import pytest

from kapstats import _ffi
from conftest import ROOT

STRUCTS = {
    "kap_error": _ffi.KapError,
    "kap_result": _ffi.KapResult,
    "kap_meta_options": _ffi.KapMetaOptions,
    "kap_meta_result": _ffi.KapMetaResult,
    "kap_strat_summary": _ffi.KapStratSummary,
    "kap_cmh_result": _ffi.KapCmhResult,
    "kap_endpoint_options": _ffi.KapEndpointOptions,
    "kap_endpoint_counts": _ffi.KapEndpointCounts,
    "kap_anova_oneway_result": _ffi.KapAnovaOnewayResult,
}
STRUCTS.update(getattr(_ffi, "ABI_STRUCTS", {}))


def c_layout(tmp_path):
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler")
    lines = ["#include <stdio.h>", "#include <stddef.h>", '#include "kapstats.h"',
             "int main(void) {"]
    for cname, py in STRUCTS.items():
        lines.append('printf("%s size %%zu\\n", sizeof(%s));' % (cname, cname))
        for f in py._fields_:
            lines.append('printf("%s %s %%zu\\n", offsetof(%s, %s));'
                         % (cname, f[0], cname, f[0]))
    lines += ["return 0;", "}"]
    src = tmp_path / "abi.c"
    src.write_text("\n".join(lines) + "\n")
    exe = tmp_path / "abi"
    subprocess.run([cc, "-std=c11", "-I", os.path.join(ROOT, "include"), "-o", str(exe),
                    str(src)], check=True)
    out = subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout
    return {(a, b): int(c) for a, b, c in (l.split() for l in out.splitlines())}


def test_struct_layout(tmp_path):
    got = c_layout(tmp_path)
    for cname, py in STRUCTS.items():
        assert got[(cname, "size")] == ctypes.sizeof(py), cname
        for f in py._fields_:
            assert got[(cname, f[0])] == getattr(py, f[0]).offset, (cname, f[0])


def test_options_init_match_macros(tmp_path):
    """meta_options_init / endpoint_options_init equal the C _INIT macros."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler")
    src = tmp_path / "init.c"
    src.write_text('#include <stdio.h>\n#include "kapstats.h"\nint main(void) {\n'
                   'kap_meta_options m = KAP_META_OPTIONS_INIT;\n'
                   'kap_endpoint_options e = KAP_ENDPOINT_OPTIONS_INIT;\n'
                   'fwrite(&m, sizeof m, 1, stdout); fwrite(&e, sizeof e, 1, stdout);\n'
                   'return 0; }\n')
    exe = tmp_path / "init"
    subprocess.run([cc, "-std=c11", "-I", os.path.join(ROOT, "include"), "-o", str(exe),
                    str(src)], check=True)
    out = subprocess.run([str(exe)], check=True, capture_output=True).stdout
    m = _ffi.KapMetaOptions.from_buffer_copy(out[:ctypes.sizeof(_ffi.KapMetaOptions)])
    e = _ffi.KapEndpointOptions.from_buffer_copy(out[ctypes.sizeof(_ffi.KapMetaOptions):])
    pm, pe = _ffi.meta_options_init(), _ffi.endpoint_options_init()
    for f, _ in m._fields_:
        assert getattr(m, f) == getattr(pm, f), f
    for f, _ in e._fields_:
        a, b = getattr(e, f), getattr(pe, f)
        assert a == b or (a != a and b != b), f
