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
    "kap_ingest_options": _ffi.KapIngestOptions,
    "kap_instrument_range": _ffi.KapInstrumentRange,
    "kap_rank_options": _ffi.KapRankOptions,
    "kap_nnt": _ffi.KapNnt,
    "kap_describe_result": _ffi.KapDescribeResult,
    "kap_two_summary": _ffi.KapTwoSummary,
    "kap_ttest_options": _ffi.KapTtestOptions,
    "kap_effect_size_options": _ffi.KapEffectSizeOptions,
    "kap_compare_options": _ffi.KapCompareOptions,
    "kap_rate": _ffi.KapRate,
    "kap_binary_comparison": _ffi.KapBinaryComparison,
    "kap_compare_arm": _ffi.KapCompareArm,
    "kap_subgroup_options": _ffi.KapSubgroupOptions,
    "kap_subgroup_row": _ffi.KapSubgroupRow,
    "kap_subgroup_interaction": _ffi.KapSubgroupInteraction,
    "kap_subgroup_within": _ffi.KapSubgroupWithin,
    "kap_representation_options": _ffi.KapRepresentationOptions,
    "kap_safety_threshold": _ffi.KapSafetyThreshold,
    "kap_safety_options": _ffi.KapSafetyOptions,
    "kap_ae_row": _ffi.KapAeRow,
    "kap_vital_row": _ffi.KapVitalRow,
    "kap_report_options": _ffi.KapReportOptions,
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
                   'kap_rank_options r = KAP_RANK_OPTIONS_INIT;\n'
                   'kap_ingest_options g = KAP_INGEST_OPTIONS_INIT;\n'
                   'kap_ttest_options t = KAP_TTEST_OPTIONS_INIT;\n'
                   'kap_effect_size_options s = KAP_EFFECT_SIZE_OPTIONS_INIT;\n'
                   'kap_compare_options c = KAP_COMPARE_OPTIONS_INIT;\n'
                   'kap_subgroup_options u = KAP_SUBGROUP_OPTIONS_INIT;\n'
                   'kap_representation_options p = KAP_REPRESENTATION_OPTIONS_INIT;\n'
                   'kap_safety_options y = KAP_SAFETY_OPTIONS_INIT;\n'
                   'kap_report_options w = KAP_REPORT_OPTIONS_INIT;\n'
                   'fwrite(&m, sizeof m, 1, stdout); fwrite(&e, sizeof e, 1, stdout);\n'
                   'fwrite(&r, sizeof r, 1, stdout); fwrite(&g, sizeof g, 1, stdout);\n'
                   'fwrite(&t, sizeof t, 1, stdout); fwrite(&s, sizeof s, 1, stdout);\n'
                   'fwrite(&c, sizeof c, 1, stdout); fwrite(&u, sizeof u, 1, stdout);\n'
                   'fwrite(&p, sizeof p, 1, stdout); fwrite(&y, sizeof y, 1, stdout);\n'
                   'fwrite(&w, sizeof w, 1, stdout);\n'
                   'return 0; }\n')
    exe = tmp_path / "init"
    subprocess.run([cc, "-std=c11", "-I", os.path.join(ROOT, "include"), "-o", str(exe),
                    str(src)], check=True)
    out = subprocess.run([str(exe)], check=True, capture_output=True).stdout
    pairs = [(_ffi.KapMetaOptions, _ffi.meta_options_init()),
             (_ffi.KapEndpointOptions, _ffi.endpoint_options_init()),
             (_ffi.KapRankOptions, _ffi.rank_options_init()),
             (_ffi.KapIngestOptions, _ffi.ingest_options_init()),
             (_ffi.KapTtestOptions, _ffi.ttest_options_init()),
             (_ffi.KapEffectSizeOptions, _ffi.effect_size_options_init()),
             (_ffi.KapCompareOptions, _ffi.compare_options_init()),
             (_ffi.KapSubgroupOptions, _ffi.subgroup_options_init()),
             (_ffi.KapRepresentationOptions, _ffi.representation_options_init()),
             (_ffi.KapSafetyOptions, _ffi.safety_options_init()),
             (_ffi.KapReportOptions, _ffi.report_options_init())]
    off = 0
    for cls, mine in pairs:
        c = cls.from_buffer_copy(out[off:off + ctypes.sizeof(cls)])
        off += ctypes.sizeof(cls)
        for f, _ in cls._fields_:
            a, b = getattr(c, f), getattr(mine, f)
            if isinstance(a, ctypes.Structure):   # nested options (endpoint)
                for g, _ in a._fields_:
                    x, y = getattr(a, g), getattr(b, g)
                    assert x == y or (x != x and y != y), (cls.__name__, f, g)
            elif isinstance(a, (int, float, bytes)) or a is None:
                assert a == b or (a != a and b != b), (cls.__name__, f)
            else:  # NULL pointers
                assert not a and not b, (cls.__name__, f)
    assert off == len(out)
