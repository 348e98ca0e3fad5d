"""Property-based soundness checks on random block-additive generators (issue acceptance).

* block-additive sums of univariate pieces (polynomial, exp, sin, tanh, log(1+x^2),
  rational) are ``proved`` H2, and D is ``proved`` exactly when no output mixes blocks,
  ``refuted`` (witness re-verified) otherwise;
* a cross term c*s_a*s_b (c != 0) makes H2 ``refuted`` with a witness that re-verifies;
* hidden zeros (trig, exp-log, algebraic identities) times cross terms are never ``refuted``.
"""

from __future__ import annotations

import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from theory import Box, Generator
from theory.checker import check
from tests.witness_check import verify_witness

PIECES = {
    "polynomial": lambda s, c: c * s + s**3 / 3,
    "exp": lambda s, c: sp.exp(c * s),
    "sin": lambda s, c: sp.sin(c * s + 1),
    "tanh": lambda s, c: sp.tanh(c * s),
    "log": lambda s, c: sp.log(1 + c**2 * s**2) + s,
    "rational": lambda s, c: s / (2 + c * s) if abs(c) < 2 else 1 / (3 + s),
}

# written so that sympy does not simplify them away at construction
HIDDEN_ZEROS = {
    "trig": lambda s: sp.sin(s) ** 2 + sp.cos(s) ** 2 - 1,
    "double-angle": lambda s: sp.cos(2 * s) + 2 * sp.sin(s) ** 2 - 1,
    "exp-log": lambda s: sp.log(sp.exp(s) * (1 + s**2)) - s - sp.log(1 + s**2),
    "exp-square": lambda s: (sp.exp(s) + 1) ** 2 - sp.exp(2 * s) - 2 * sp.exp(s) - 1,
    "hyperbolic": lambda s: sp.cosh(s) ** 2 - sp.sinh(s) ** 2 - 1,
    "algebraic": lambda s: (sp.sqrt(2) + sp.sqrt(3)) ** 2 - 5 - 2 * sp.sqrt(6),
    "minimal-polynomial": lambda s: sp.tan(3 * sp.pi / 11) + 4 * sp.sin(2 * sp.pi / 11) - sp.sqrt(11),
}

COEFF = st.sampled_from([sp.Rational(k, 2) for k in (-3, -2, -1, 1, 2, 3)])


@st.composite
def block_additive(draw):
    sizes = draw(st.lists(st.integers(1, 2), min_size=2, max_size=3))
    latents = sp.symbols(f"s1:{sum(sizes) + 1}", real=True)
    blocks, start = [], 0
    for size in sizes:
        blocks.append(list(latents[start : start + size]))
        start += size
    outputs, mixes = [], False
    for _ in range(draw(st.integers(2, 4))):
        chosen = draw(st.lists(st.integers(0, len(blocks) - 1), min_size=1, max_size=2, unique=True))
        mixes = mixes or len(chosen) > 1
        expr = sp.S.Zero
        for k in chosen:
            s = draw(st.sampled_from(blocks[k]))
            expr += draw(COEFF) * PIECES[draw(st.sampled_from(sorted(PIECES)))](s, draw(COEFF))
        outputs.append(expr)
    box = Box({s: (-1, 1) for s in latents})
    return latents, blocks, outputs, box, mixes


SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(block_additive())
def test_block_additive_is_h2_and_d_exactly_as_constructed(data):
    latents, blocks, outputs, box, mixes = data
    g = Generator("additive", blocks, outputs, box)
    results = {r.criterion: r for r in check(g, ["D", "H2"], points=(), budget=60) if r.scope == "global"}
    assert results["H2"].verdict == "proved"
    assert results["D"].verdict == ("refuted" if mixes else "proved"), results["D"].to_json()
    if mixes:
        verify_witness(g, results["D"])


def _cross_pair(draw, blocks, outputs):
    """Two latents from different blocks and an output to put a cross term in."""
    i, j = draw.draw(st.lists(st.integers(0, len(blocks) - 1), min_size=2, max_size=2, unique=True))
    a, b = draw.draw(st.sampled_from(blocks[i])), draw.draw(st.sampled_from(blocks[j]))
    return a, b, draw.draw(st.integers(0, len(outputs) - 1))


@SETTINGS
@given(block_additive(), st.data())
def test_cross_term_refutes_h2_with_a_verified_witness(data, draw):
    latents, blocks, outputs, box, _ = data
    a, b, t = _cross_pair(draw, blocks, outputs)
    outputs = list(outputs)
    outputs[t] = outputs[t] + draw.draw(COEFF) * a * b
    g = Generator("crossed", blocks, outputs, box)
    (h2,) = check(g, ["H2"], budget=60)
    assert h2.verdict == "refuted"
    verify_witness(g, h2)


@SETTINGS
@given(block_additive(), st.data())
def test_hidden_zeros_are_never_refuted(data, draw):
    latents, blocks, outputs, box, mixes = data
    a, b, t = _cross_pair(draw, blocks, outputs)
    kind = draw.draw(st.sampled_from(sorted(HIDDEN_ZEROS)))
    outputs = list(outputs)
    outputs[t] = outputs[t] + a * b * HIDDEN_ZEROS[kind](draw.draw(st.sampled_from([a, b])))
    g = Generator("hidden", blocks, outputs, box)
    results = {r.criterion: r for r in check(g, ["D", "H2", "H3"], budget=60) if r.scope == "global"}
    assert results["H2"].verdict in ("proved", "unknown"), (kind, results["H2"].to_json())
    assert results["H3"].verdict in ("proved", "unknown"), (kind, results["H3"].to_json())
    if not mixes:
        assert results["D"].verdict in ("proved", "unknown"), (kind, results["D"].to_json())
    for r in results.values():
        if r.verdict == "refuted":
            verify_witness(g, r)
