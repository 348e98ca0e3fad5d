# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Checking a generator for mechanistic independence
#
# Identifiability results for disentangled or object-centric representations usually assume
# something about the **mechanism** $g : S \subset \mathbb{R}^d \to \mathbb{R}^m$ that maps the
# latents to the observations. The latents are split into factors (blocks)
# $C_1, \dots, C_K$, and the assumption limits how the factors may interact inside $g$.
# `mechind` decides such assumptions **exactly** for closed-form generators:
#
# | criterion | in words | formally (coordinate basis) |
# |---|---|---|
# | **D** (disjointness) | each output depends on at most one factor | every row of $J_g(s)$ is nonzero in at most one block, for all $s \in S$ |
# | **M** (non-containment) | no factor's "footprint" hides inside another's | for $a, b$ in different blocks, $\operatorname{supp} \partial_a g(s) \not\subseteq \operatorname{supp} \partial_b g(s)$ |
# | **H$_n$** (cross derivatives) | no interaction of order $n$ | $\partial^\alpha g \equiv 0$ on $S$ for all $\lvert\alpha\rvert = n$ meeting $\ge 2$ blocks |
#
# Every check answers **`proved`**, **`refuted`** (always with an exact witness you can
# re-check by hand) or **`unknown`** (the honest answer when exact reasoning runs out).
# Floating-point evaluation never decides anything in the exact layer.
#
# This notebook walks through one generator end to end, then looks at the cases where the
# exact zero test has to work hard, and the one where it has to give up.
#
# The project is imported as installed (`pip install -e .`); nothing here needs torch.

# %%
import json
import sys
import time
from itertools import combinations_with_replacement

import sympy as sp
from IPython.display import Math, display
from rich.console import Console

import theory
from mechind.render import case_table
from theory import Box, Generator, parse_point
from theory.checker import check

console = Console()
assert "torch" not in sys.modules, "the exact layer never imports torch"

# %% [markdown]
# ## 1. Write a generator
#
# A generator is a list of sympy expressions in **real** latent symbols, a partition of the
# latents into factors, a domain (an open box here; `None` means all of $\mathbb{R}^d$) and,
# optionally, exact points of interest where the pointwise checks run.
#
# Our example has two 1-D factors, $A = \{s_1\}$ and $B = \{s_2\}$, two "private" outputs and
# one output that mixes both factors:
# $$ g(s_1, s_2) = (s_1,\; s_2,\; s_1^3 + s_2^3), \qquad S = (-1, 1)^2 .$$
# The third output is additive, so its cross derivatives vanish, but it depends on both
# factors, so Type D cannot hold.

# %%
s1, s2 = sp.symbols("s1 s2", real=True)

g = Generator(
    name="cubic-overlap",
    factors={"A": [s1], "B": [s2]},  # a dict names the factors; a plain list gets f1, f2, ...
    outputs=[s1, s2, s1**3 + s2**3],
    domain=Box({s1: (-1, 1), s2: (-1, 1)}),
    points=[{s1: sp.Rational(1, 2), s2: sp.Rational(1, 2)}],  # exact rationals, never floats
)
print(g)
assert (g.m, g.d, g.K) == (3, 2, 2)
assert g.factor_names == ("A", "B") and g.blocks == ((0,), (1,))

# %% [markdown]
# Inconsistent input is rejected up front with a message that names the problem, e.g. a
# symbol that appears in an output but in no factor:

# %%
t = sp.Symbol("t", real=True)
try:
    Generator("typo", [[s1], [s2]], [s1, s2 + t])
except theory.GeneratorError as exc:
    print("GeneratorError:", exc)
    message = str(exc)
else:
    raise AssertionError("an undeclared latent must be rejected")
assert "t" in message and "no factor" in message

# %% [markdown]
# ## 2. Check it
#
# `theory.checker.check(g, criteria)` runs the criteria and returns a flat list of
# `CheckResult`s (without `criteria` it runs every criterion the tool knows; here the four
# this notebook is about). D and M are checked **globally** (on all of $S$) and **at each
# point of interest** (`scope: point`); H$_n$ is a global statement. `mechind.render.case_table`
# turns the list into the same table the command line prints
# (`mechind check path/to/case.py`).

# %%
results = check(g, ["D", "M", "H2", "H3"], seed=0)
console.print(case_table(g, results))

verdicts = {(r.criterion, r.scope): r.verdict for r in results}
assert verdicts == {
    ("D", "global"): "refuted",
    ("D", "point"): "refuted",
    ("M", "point"): "proved",
    ("M", "global"): "proved",
    ("H2", "global"): "proved",
    ("H3", "global"): "proved",
}, verdicts

# %% [markdown]
# Reading the table:
#
# * **D is refuted**: output 2 ($s_1^3 + s_2^3$, outputs are 0-based) depends on both factors.
# * **M is proved**: outputs 0 and 1 are private to $s_1$ and $s_2$, so neither column support
#   can contain the other anywhere on $S$ (method `exclusive-rows`, with an interval certificate).
# * **H2 and H3 are proved `structural`ly**: no output has a term involving both factors, so every
#   mixed derivative is syntactically zero.
#
# Each result serialises to the JSON of `mechind check --json` (docs/user-guide.md section 4). Exact
# numbers are strings (`"p/q"`), so nothing is lost to floating point:

# %%
d_global = next(r for r in results if r.criterion == "D" and r.scope == "global")
print(json.dumps(d_global.to_json(), indent=2))

payload = d_global.to_json()
assert payload["verdict"] == "refuted" and payload["scope"] == "global"
assert set(payload["witness"]) >= {"point", "output", "latents", "values"}
assert json.loads(json.dumps(payload)) == payload  # plain JSON, no sympy objects inside

# %% [markdown]
# ## 3. Read a witness
#
# A refutation is only as good as its witness, so let us re-check this one ourselves,
# independently of the checker. The witness says: at the point `point`, output `output` has
# nonzero partial derivatives with respect to two latents from **different** factors, with the
# exact `values` given. That single point is enough to refute the global statement "every
# output depends on at most one factor".
#
# In Python the witness is exact (`{Symbol: Rational}`); only its JSON form (`to_json()`) has
# `"p/q"` strings, which `theory.parse_point` reads back into exact rationals, checking that
# the point lies in the domain. We take the JSON road, as a reader of `--json` output would.

# %%
w = d_global.to_json()["witness"]
point = parse_point(w["point"], g.latents, g.domain)
by_name = dict(zip(g.latent_names, g.latents))
a, b = (by_name[name] for name in w["latents"])
output = g.outputs[w["output"]]

partials = [sp.diff(output, a), sp.diff(output, b)]
values = [p.xreplace(point) for p in partials]
print("point:", point, "| partials:", partials, "| values:", values)

assert g.block_of[g.latent_index(a)] != g.block_of[g.latent_index(b)]  # different factors
assert all(v.is_Rational and v != 0 for v in values)  # exact and nonzero
assert [str(v) for v in values] == w["values"]  # the checker's values, recomputed

# %% [markdown]
# The same computation in the notation of a paper:

# %%
at = ", ".join(f"{sp.latex(s)} = {sp.latex(v)}" for s, v in point.items())
gi = f"g_{{{w['output']}}}"
for s, p, v in zip((a, b), partials, values):
    display(Math(rf"\frac{{\partial {gi}}}{{\partial {sp.latex(s)}}} = {sp.latex(p)}, \qquad "
                 rf"\frac{{\partial {gi}}}{{\partial {sp.latex(s)}}}\Big|_{{{at}}} = {sp.latex(v)} \neq 0"))

J = sp.Matrix(g.outputs).jacobian(g.latents)
display(Math(r"J_g(s) = " + sp.latex(J) + r", \qquad J_g(s^*) = " + sp.latex(J.xreplace(point))))
assert J.xreplace(point)[w["output"], :].tolist() == [values]

# %% [markdown]
# Row 2 of $J_g(s^*)$ is nonzero in both columns (so D fails), while rows 0 and 1 keep the two
# column supports $\{0, 2\}$ and $\{1, 2\}$ incomparable (so M holds). The pointwise M result
# stores exactly these supports:

# %%
m_point = next(r for r in results if r.criterion == "M" and r.scope == "point")
print(m_point.to_json()["details"]["supports"])
assert m_point.details["supports"] == {"s1": [0, 2], "s2": [1, 2]}

# %% [markdown]
# ## 4. A certificate that needed more than syntax
#
# Deciding D, M and H$_n$ comes down to questions of the form "is this derivative identically
# zero on $S$?". For rational functions with rational coefficients that is routine. It gets
# interesting when an **algebraic constant** hides a zero.
#
# Bundled case **P16** is $g = (s_1,\; s_2,\; s_1^2 + s_2 + c\, s_1 s_2^2)$ on $(0,1)^2$ with
# $$ c = \tan\tfrac{3\pi}{11} + 4 \sin\tfrac{2\pi}{11} - \sqrt{11}, $$
# which is **exactly 0** (a classical identity). So $g_2$ is additive and H2 holds, but only a
# proof that $c = 0$ can show it: $\partial_1 \partial_2 g_2 = 2 c\, s_2$.

# %%
import cases

p16 = cases.find_case("p16")
c = sp.tan(3 * sp.pi / 11) + 4 * sp.sin(2 * sp.pi / 11) - sp.sqrt(11)
q1, q2 = p16.latents
cross = sp.diff(p16.outputs[2], q1, q2)
display(Math(r"g = " + sp.latex(sp.Matrix(p16.outputs).T) + r", \qquad \partial_{s_1}\partial_{s_2} g_2 = " + sp.latex(cross)))
assert sp.expand(cross - 2 * c * q2) == 0  # the cross derivative is 2 c s2 (syntactically)

# %% [markdown]
# The usual symbolic tools do not see the zero. `simplify` returns $c$ unchanged (it is fast
# here, but on a bigger expression it can also run for a long time; the checker runs it in a
# killable child process under a time limit). Numerics say "zero to 40 digits", which is
# evidence, not a proof: $c + 10^{-60}$ would pass the same test.

# %%
start = time.perf_counter()
simplified = sp.simplify(c)
print(f"simplify(c) = {simplified}   ({time.perf_counter() - start:.2f} s)")
print(f"simplify(2 c s2) = {sp.simplify(cross)}")
assert simplified != 0 and sp.simplify(cross) != 0  # simplify cannot prove it

numeric = c.evalf(60)
print(f"|c| evaluated to 60 digits: {abs(numeric)}")
assert abs(numeric) < sp.Float("1e-40")  # numerically zero ...
assert abs((c + sp.Rational(1, 10**60)).evalf(40)) < sp.Float("1e-40")  # ... and so is a nonzero number

# %% [markdown]
# What does prove it: $c$ is an algebraic number (tangents and sines of rational multiples
# of $\pi$ and $\sqrt{11}$ all are), and its **minimal polynomial** over $\mathbb{Q}$ can be
# computed with exact algebra. The minimal polynomial of $0$ is $x$, and of nothing else.

# %%
x = sp.Symbol("x")
mp = sp.minimal_polynomial(c, x)
display(Math(r"\operatorname{minpoly}_{\mathbb{Q}}(c)(x) = " + sp.latex(mp)))
assert mp == x  # c = 0, proved

# %% [markdown]
# The checker's zero test goes down a cascade of exact tiers (structural, piece selection,
# rational canonical form, minimal polynomials, `simplify` under a time limit, witness search)
# and reports the tier it needed. For P16, H2 and H3 are **proved** with method
# `minimal-polynomial`. D is refuted, and even its witness values, which involve $c$, are
# exact rationals: $\partial_1 g_2(\tfrac13, \tfrac23) = \tfrac23 + \tfrac49 c$, whose minimal
# polynomial $9x - 6$ pins it to $\tfrac23$.

# %%
p16_results = check(p16, ["D", "H2", "H3"], seed=0)
console.print(case_table(p16, p16_results))

h2 = next(r for r in p16_results if r.criterion == "H2")
h3 = next(r for r in p16_results if r.criterion == "H3")
d16 = next(r for r in p16_results if r.criterion == "D" and r.scope == "global")
assert (h2.verdict, h2.method) == ("proved", "minimal-polynomial"), h2.to_json()
assert (h3.verdict, h3.method) == ("proved", "minimal-polynomial"), h3.to_json()
assert d16.verdict == "refuted" and all(sp.Rational(v) != 0 for v in d16.witness["values"])

# %% [markdown]
# ### Where exact reasoning stops: P17
#
# Bundled case **P17** has the same shape, $g = (s_1,\; s_2,\; s_1 + s_2^2 + c'\, s_1^2 s_2)$ on
# $(-1,1)^2$, with
# $$ c' = \arccos\tfrac{5}{13} - 2 \arctan\tfrac{2}{3} .$$
# Again $c' = 0$ (both angles lie in $(0, \pi/2)$ and have tangent $\tfrac{12}{5}$), so H2 is in
# fact true. But $c'$ is **not algebraic**: no minimal polynomial exists, `simplify` fails, and
# zero-equivalence of such constants is not known to be decidable (it hinges on Schanuel's
# conjecture). A sound checker must not say `proved` here, and must not say `refuted` either.

# %%
p17 = cases.find_case("p17")
c_prime = sp.acos(sp.Rational(5, 13)) - 2 * sp.atan(sp.Rational(2, 3))
assert sp.simplify(c_prime) != 0
try:
    sp.minimal_polynomial(c_prime, x)
except sp.polys.polyerrors.NotAlgebraic as exc:
    print("minimal_polynomial:", exc)
else:
    raise AssertionError("c' is not algebraic")

p17_results = check(p17, ["D", "H2"], seed=0)
console.print(case_table(p17, p17_results))

h2_17 = next(r for r in p17_results if r.criterion == "H2")
assert h2_17.verdict == "unknown" and h2_17.witness is None
print(json.dumps(h2_17.details["undecided"]))
assert h2_17.details["undecided"][0]["multi_index"] == ["s1", "s2"]

# %% [markdown]
# `unknown` comes with what was left undecided: the derivative $\partial_{s_1}\partial_{s_2} g_2 = 2c' s_1$.
#
# Type D, on the other hand, is refuted, and with an **exact** witness: the checker prefers
# points where the undecidable constant drops out. On the line $s_1 = 0$ the $c'$ terms of the
# first partials vanish, leaving $\partial_{s_1} g_2 = 1$ and $\partial_{s_2} g_2 = 2 s_2$:

# %%
d17 = next(r for r in p17_results if r.criterion == "D" and r.scope == "global")
print(json.dumps(d17.to_json()["witness"]))
w17 = d17.to_json()["witness"]
pt17 = parse_point(w17["point"], p17.latents, p17.domain)
r1, r2 = p17.latents
vals17 = [sp.diff(p17.outputs[w17["output"]], s).xreplace(pt17) for s in (r1, r2)]
display(Math(rf"\partial_{{s_1}} g_2 = {sp.latex(sp.diff(p17.outputs[2], r1))}, \quad "
             rf"\partial_{{s_2}} g_2 = {sp.latex(sp.diff(p17.outputs[2], r2))}, \quad "
             rf"\text{{at }} s_1 = 0:\ ({sp.latex(vals17[0])},\ {sp.latex(vals17[1])})"))

assert d17.verdict == "refuted" and pt17[r1] == 0
assert all(v.is_Rational and v != 0 for v in vals17)  # exact rationals: c' dropped out
assert [str(v) for v in vals17] == w17["values"]

# %% [markdown]
# ## 5. Higher-order interactions: H$_n$
#
# H$_n$ asks that every $n$-th order derivative whose multi-index meets at least two factors
# vanishes identically. On a box, H2 is exactly additivity,
# $g(s) = \sum_k f_k(s_{C_k})$, and H3 additionally allows constant-coefficient bilinear cross
# terms. Bundled case **P08**, $g = (s_1, s_2, s_1 s_2)$, sits right in between:
# $\partial_1\partial_2 g_2 = 1$ (H2 fails) while every third derivative is zero (H3 holds).

# %%
p08 = cases.find_case("p08")
p08_results = check(p08, ["H2", "H3"], seed=0)
console.print(case_table(p08, p08_results))

h2_08 = next(r for r in p08_results if r.criterion == "H2")
h3_08 = next(r for r in p08_results if r.criterion == "H3")
print(json.dumps(h2_08.to_json()["witness"]))
assert h2_08.verdict == "refuted" and h3_08.verdict == "proved"

# re-check the H2 witness: differentiate along the multi-index and evaluate at the point
wh = h2_08.to_json()["witness"]
names08 = dict(zip(p08.latent_names, p08.latents))
deriv = sp.diff(p08.outputs[wh["output"]], *(names08[n] for n in wh["multi_index"]))
value = deriv.xreplace(parse_point(wh["point"], p08.latents, p08.domain))
display(Math("".join(rf"\partial_{{{sp.latex(names08[n])}}}" for n in wh["multi_index"]) + rf" g_{{{wh['output']}}} = {sp.latex(deriv)}"))
assert len({p08.block_of[p08.latent_index(names08[n])] for n in wh["multi_index"]}) == 2
assert value != 0 and str(value) == wh["value"]

# and H3: every third-order derivative of s1*s2 vanishes
third = {alpha: sp.diff(p08.outputs[2], *alpha) for alpha in combinations_with_replacement(p08.latents, 3)}
assert len(third) == 4 and all(e == 0 for e in third.values())

# %% [markdown]
# ## 6. The verdict vocabulary
#
# | verdict | meaning | comes with |
# |---|---|---|
# | `proved` | holds on all of $S$ (`scope: global`) or at the stated point (`scope: point`), by exact reasoning | `method`: the most elaborate tier needed (`structural`, `rational-canonical-form`, `minimal-polynomial`, `simplify`, `z3-nlsat`, `exclusive-rows`, ...) |
# | `refuted` | fails | an exact `witness`: a rational point, the indices involved and exact values (or a certified enclosure excluding 0); re-checkable with plain sympy, as above |
# | `unknown` | not decided: an undecidable fragment (P17) or the time budget ran out (`budget-exhausted`) | what was left undecided, in `details` |
# | `holds-numerically` / `fails-numerically` | float evidence from the numeric (torch) layer, never a proof | dtype, tolerance, the largest entry called zero |
#
# A `proved` at `scope: point` is a statement about that point only; it never becomes a global
# verdict. And `unknown` is a result, not a failure: it is what an exact checker must say
# when the mathematics is genuinely out of reach.

# %%
everything = results + p16_results + p17_results + p08_results
tally = {v: sum(r.verdict == v for r in everything) for v in ("proved", "refuted", "unknown")}
print(tally)
assert sum(tally.values()) == len(everything)  # the exact layer only ever says these three
assert all(r.witness for r in everything if r.verdict == "refuted")
assert all(r.witness is None for r in everything if r.verdict != "refuted")
