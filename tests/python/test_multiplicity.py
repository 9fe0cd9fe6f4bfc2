"""kapstats.p_adjust vs R 4.2 p.adjust (tests/reference/multiplicity.out,
the values tests/test_multiplicity.c uses) and vs statsmodels multipletests."""
import math
import re

import numpy as np
import pytest

import kapstats
from conftest import ref_file, ref_vector

METHODS = ["bonferroni", "holm", "hochberg", "hommel", "BH", "BY"]


def cases():
    d = ref_file("multiplicity")
    return sorted({m.group(1) for k in d if (m := re.match(r"pa\.(\w+)\.n$", k))})


@pytest.mark.parametrize("case", cases())
@pytest.mark.parametrize("method", METHODS)
def test_vs_r(case, method):
    d = ref_file("multiplicity")
    n = int(d["pa.%s.n" % case])
    p = np.array(ref_vector("multiplicity", "pa.%s.p" % case, n))
    want = np.array(ref_vector("multiplicity", "pa.%s.%s" % (case, method), n))
    got = kapstats.p_adjust(p, method)
    assert got.shape == (n,)
    assert got is not p
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0, equal_nan=True)


def test_default_is_holm_and_aliases():
    p = [0.01, 0.02, 0.03, 0.04, 0.05]
    np.testing.assert_array_equal(kapstats.p_adjust(p), kapstats.p_adjust(p, "holm"))
    np.testing.assert_array_equal(kapstats.p_adjust(p, "fdr"), kapstats.p_adjust(p, "BH"))
    np.testing.assert_array_equal(kapstats.p_adjust(p, "none"), p)


@pytest.mark.parametrize("method,sm", [("bonferroni", "bonferroni"), ("holm", "holm"),
                                       ("hochberg", "simes-hochberg"), ("hommel", "hommel"),
                                       ("BH", "fdr_bh"), ("BY", "fdr_by")])
def test_vs_statsmodels(method, sm):
    multipletests = pytest.importorskip("statsmodels.stats.multitest").multipletests
    rng = np.random.default_rng(7)
    for _ in range(20):
        p = rng.uniform(0, 1, rng.integers(1, 40)) ** 3
        np.testing.assert_allclose(kapstats.p_adjust(p, method),
                                   multipletests(p, method=sm)[1], rtol=1e-10)


def test_inputs_of_any_kind():
    pd = pytest.importorskip("pandas")
    p = [0.01, 0.04, 0.2]
    want = kapstats.p_adjust(np.array(p))
    np.testing.assert_array_equal(kapstats.p_adjust(pd.Series(p)), want)
    np.testing.assert_array_equal(kapstats.p_adjust(np.array(p, dtype=np.float32)),
                                  kapstats.p_adjust(np.float32(p).astype(float)))
    assert kapstats.p_adjust([]).shape == (0,)


def test_errors():
    with pytest.raises(ValueError, match="unknown"):
        kapstats.p_adjust([0.1, 0.2], "Holm")
    with pytest.raises(kapstats.InvalidArgumentError):
        kapstats.p_adjust([0.1, 1.5], "holm")
    with pytest.raises(ValueError):
        kapstats.p_adjust([0.1, math.inf])
    with pytest.raises(ValueError):
        kapstats.p_adjust([[0.1, 0.2]])
    with pytest.raises(ValueError):
        kapstats.p_adjust(["a", "b"])
    with pytest.raises(ValueError):
        kapstats.p_adjust([0.1], None)
