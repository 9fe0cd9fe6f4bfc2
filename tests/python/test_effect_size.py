"""kapstats.cohens_d, hedges_g, glass_delta, paired_d, paired_g, hedges_j
against tests/reference/effect_size.out (the values tests/test_effect_size.c
uses): the definitions solved exactly in R ("<tag>_est|lo|hi|t|df|se") and
effectsize 0.8.3's own output ("<tag>_es_*", whose optim() CIs are off the
exact roots by up to ~2e-6)."""
import math

import numpy as np
import pytest

import kapstats
from conftest import ref

NAN = math.nan
A_X = [5.1, 4.8, 6.0, 5.5, 5.9, 6.3, 4.9, 5.7]
A_Y = [4.2, 4.9, 5.0, 4.4, 4.8, 5.1, 4.0]
H_X = [-12, -8, -15, -3, -9, -11, -7, -14, -6, -10, -9, NAN, -13]
H_Y = [-4, -6, -2, -7, -5, -3, -8, -1, -5, -6, -4]
T_X, T_Y = [2, 2, 2, 3, 3], [1, 1, 2, 2, 2]
N2_X, N2_Y = [1, 3], [2, 5]
N3_X = [1, 3, 2.5]
N1_X, N1_Y = [4], [1, 2, 4.5]
P_POST = [14, 20, 15, 24, 13, 18, 21, 12, 22, 16, NAN, 17]
P_PRE = [24, 27, 22, 30, 26, 25, 28, 23, 29, 21, 26, NAN]
_i = np.arange(1, 501)
L_X = 20.0 + ((_i % 7) - 3.0) * 0.4
L_Y = ((_i % 5) - 2.0) * 0.6
FN = {"d": kapstats.cohens_d, "g": kapstats.hedges_g, "delta": kapstats.glass_delta}
SETS = {"A": (A_X, A_Y), "H": (H_X, H_Y), "T": (T_X, T_Y), "N3": (N3_X, N2_Y), "L": (L_X, L_Y)}


def rf(tag, field):
    return ref("effect_size", "%s_%s" % (tag, field))


def close(a, b, rtol):
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= rtol * max(abs(a), abs(b))


def check_exact(tag, r, has_t=True, has_se=False):
    assert close(r.estimate, rf(tag, "est"), 1e-12), tag
    assert close(r.ci_low, rf(tag, "lo"), 1e-9), (tag, r.ci_low, rf(tag, "lo"))
    assert close(r.ci_high, rf(tag, "hi"), 1e-9), (tag, r.ci_high, rf(tag, "hi"))
    assert close(r.df, rf(tag, "df"), 1e-12), tag
    if has_t:
        assert close(r.statistic, rf(tag, "t"), 1e-12), tag
    else:
        assert math.isnan(r.statistic)
    if has_se:
        assert close(r.se, rf(tag, "se"), 1e-12), tag
    else:
        assert math.isnan(r.se)
    assert math.isnan(r.p_value)


def check_es(tag, r, tol=5e-6):
    """effectsize's own numbers: |ours - effectsize| <= tol max(1, |d|)."""
    assert close(r.estimate, rf(tag + "_es", "est"), 1e-12)
    for got, want in [(r.ci_low, rf(tag + "_es", "lo")), (r.ci_high, rf(tag + "_es", "hi"))]:
        if math.isinf(want):
            assert got == want
        else:
            assert abs(got - want) <= tol * max(1.0, abs(want)), (tag, got, want)


@pytest.mark.parametrize("ty", ["d", "g", "delta"])
def test_two_groups(ty):
    f = FN[ty]
    for s, (x, y) in SETS.items():
        r = f(x, y)
        check_exact("%s_%s" % (s, ty), r)
        check_es("%s_%s" % (s, ty), r, 1e-3 if s == "L" else 5e-6)
    check_exact("A_%s_ci90" % ty, f(A_X, A_Y, conf_level=0.9))
    check_exact("A_%s_less" % ty, f(A_X, A_Y, alternative="less"))
    check_es("A_%s_less" % ty, f(A_X, A_Y, alternative="less"))
    check_exact("A_%s_greater99" % ty, f(A_X, A_Y, conf_level=0.99, alternative="greater"))
    check_exact("H_%s_mu" % ty, f(H_X, H_Y, mu=-2))


@pytest.mark.parametrize("ty", ["d", "g"])
def test_unpooled_and_one_sample(ty):
    f = FN[ty]
    for s, (x, y) in [("A", (A_X, A_Y)), ("H", (H_X, H_Y)), ("N2", (N2_X, N2_Y)),
                      ("L", (L_X, L_Y))]:
        check_exact("%s_%s_unpooled" % (s, ty), f(x, y, pooled_sd=False))
    check_exact("A_%s_unpooled_less" % ty, f(A_X, A_Y, pooled_sd=False, alternative="less"))
    check_exact("N2_%s" % ty, f(N2_X, N2_Y))
    check_exact("N1_%s" % ty, f(N1_X, N1_Y))
    check_exact("A1_%s" % ty, f(A_X, mu=5))
    check_es("A1_%s" % ty, f(A_X, mu=5))
    check_exact("A1_%s_greater" % ty, f(A_X, mu=5, alternative="greater"))


def test_paired():
    for m in ("z", "rm", "av", "b"):
        z = m == "z"
        check_exact("P_" + m, kapstats.paired_d(P_PRE, P_POST, m), has_t=z, has_se=not z)
        check_exact("P_%s_g" % m, kapstats.paired_g(P_PRE, P_POST, m), has_t=z, has_se=not z)
        check_exact("P_%s_mu_less90" % m, kapstats.paired_d(P_PRE, P_POST, m, mu=-8,
                                                            conf_level=0.9, alternative="less"),
                    has_t=z, has_se=not z)
        check_exact("T_" + m, kapstats.paired_d(T_Y, T_X, m), has_t=z, has_se=not z)
    check_es("P_z", kapstats.paired_d(P_PRE, P_POST))
    check_es("P_z_g", kapstats.paired_g(P_PRE, P_POST))
    check_exact("P_z_normal", kapstats.paired_d(P_PRE, P_POST, ci_method="normal"),
                has_t=False, has_se=True)
    check_exact("P_z_normal_g", kapstats.paired_g(P_PRE, P_POST, ci_method="normal"),
                has_t=False, has_se=True)


def test_normal_cis():
    n = dict(ci_method="normal")
    check_exact("A_d_normal", kapstats.cohens_d(A_X, A_Y, **n), False, True)
    check_exact("A_g_normal", kapstats.hedges_g(A_X, A_Y, **n), False, True)
    check_exact("H_d_normal_less", kapstats.cohens_d(H_X, H_Y, alternative="less", **n),
                False, True)
    check_exact("A_d_unpooled_normal", kapstats.cohens_d(A_X, A_Y, pooled_sd=False, **n),
                False, True)
    check_exact("A_g_unpooled_normal90",
                kapstats.hedges_g(A_X, A_Y, pooled_sd=False, conf_level=0.9, **n), False, True)
    check_exact("A_delta_normal", kapstats.glass_delta(A_X, A_Y, **n), False, True)
    check_exact("A1_d_normal", kapstats.cohens_d(A_X, **n), False, True)


def test_hedges_j():
    for df in ("2", "7", "13", "1000", "12.5", "1.5"):
        assert close(kapstats.hedges_j(float(df)), ref("effect_size", "J_" + df), 1e-14)
