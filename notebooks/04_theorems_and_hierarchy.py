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
# # Theorems as checkable objects, and the hierarchy of criteria
#
# The identifiability theorems of mechanistic independence say: *if* the generator $g$
# satisfies a criterion (Type D, M, S or $H_n$), *and* each factor is irreducible in the
# matching sense, *and* the latent space has the right topology, *then* any competitor
# decoder $\hat g$ with $g = \hat g \circ h$ has a decomposable $h$.
# `mechind theorem N` lists the hypotheses of Theorem N, decides each one, and concludes
# **established** only when every hypothesis on $g$ and $S$ is **proved** with the scope it
# needs (global for the criterion on $S$ and for the topology). Anything else names the
# hypothesis that is missing.
#
# This notebook walks through the five theorems on bundled cases, shows the two spec
# counterexamples that explain *why* a hypothesis is there, and then runs the hierarchy of
# criteria as a self-check.

# %%
import sympy as sp

import cases
from theory.readings import Readings
from theory.theorems.statements import theorem, theorem_report


def show(report):
    print(f"Theorem {report.theorem.number} ({report.theorem.name}) on {report.generator.name}: {report.conclusion}")
    for h in report.theorem.hypotheses:
        for r in report.results[h.id]:
            where = "" if r.point is None else " at (" + ", ".join(str(v) for v in r.point.values()) + ")"
            print(f"  {h.id:<16} {r.scope:<6} {r.verdict:<8} {r.method}{where}")
    print("  reason:", report.reason)


# %% [markdown]
# ## Theorem 2 (Type D) on a disjoint generator with an irreducible 2-D factor
#
# P14 is $g = (s_1, s_2, s_1 + s_2, s_3, s_3)$ with factors $\{s_1, s_2\}$ and $\{s_3\}$:
# Type D holds on the whole box, the 2-D factor's row matroid is connected (irreducible
# everywhere, decided by z3), the box is convex (T1, T2), and z3 proves that the Jacobian
# never loses rank (T3).

# %%
p14 = cases.find_case("p14")
report = theorem_report(p14, 2)
show(report)
assert report.conclusion == "established"

# %% [markdown]
# P13 is also Type D, but its 2-D factor splits: $g = (s_1 + s_2, s_1 - s_2, s_3, s_3)$.
# Theorem 2 is **not** established, and the report says exactly why.

# %%
report = theorem_report(cases.find_case("p13"), 2)
show(report)
assert report.reason.startswith("hypothesis irreducible:D")

# %% [markdown]
# ## Why Theorem 3 needs more than "Type M + irreducible"
#
# The spec's counterexample (docs/mathematics.md 4.3): $g = (s_1, s_2, s_1 + s_2)$ is Type M everywhere
# with 1-D (hence irreducible) factors, yet $\hat g(z) = (z_1, z_2 - z_1, z_2)$ with the same
# number of nonzeros is Type M too and $h(s) = (s_1, s_1 + s_2)$ is not decomposable. Under
# the default reading `thm3: with-spanning` the spanning condition is a hypothesis, and it
# is exactly the one that fails (row 3: $\partial_1 g_3 - \partial_2 g_3 \equiv 0$).

# %%
x01 = cases.find_case("x01")
report = theorem_report(x01, 3)
show(report)
assert report.reasons == [report.reason] and report.reason.startswith("hypothesis spanning")

# %% [markdown]
# The competitor itself, built and re-verified by `mechind counterexample x01 --criterion M`:

# %%
from theory.theorems.counterexample import counterexample

competitor = counterexample(x01, "M")
print(competitor.generator.outputs, competitor.h)
print({k: v["holds"] for k, v in competitor.facts.items() if isinstance(v, dict) and "holds" in v})
assert competitor.facts["h_not_decomposable"]["holds"] and competitor.facts["g_equals_ghat_of_h"]["holds"]

# %% [markdown]
# Under the literal reading `thm3: summary` the spanning condition is dropped, and the
# report says that this hypothesis set is known to be insufficient.

# %%
summary = theorem_report(x01, 3, Readings(thm3="summary"))
print(summary.conclusion, "-", summary.reason)

# %% [markdown]
# ## Theorem 5 ($H_n$) and degenerate separability
#
# P15 is linear: $g = (s_1 + s_2, s_1 + 2 s_2, s_2)$. It is $H_n$ for every $n$, its factors are
# 1-D, and SEP-weak holds, but only vacuously: every second derivative is zero, so
# $W_k^2 = 0$. The default reading `sep: weak+nondegenerate` catches it.

# %%
report = theorem_report(cases.find_case("p15"), 5)
show(report)
sep = report.results["sep2"][0]
print("dim W_k:", sep.details["dim_W"], " SEP-weak:", sep.details["weak"], " non-degenerate:", sep.details["nondegenerate"])
assert report.reason.startswith("hypothesis sep2")

# %% [markdown]
# ## Theorem 4 (Type S) on all of S
#
# Type S is decided exactly at points (rho+ and rho- of the exact Jacobian). On all of $S$ the
# tool uses sound routes (docs/mathematics.md 5.10): Type D everywhere with full column rank
# everywhere implies Type S everywhere; two 1-D factors are decided stratum by stratum by the
# closed form. S-irreducibility of a 2-D factor on all of $S$ follows from its direction classes
# (section 7.3). P14 has D on $S$, full rank (z3), and a 2-D factor whose rows fall into three
# direction classes of one row each at every point: no split keeps Type S, so Theorem 4 holds.

# %%
report = theorem_report(p14, 4)
show(report)
assert report.conclusion == "established"
assert [r.method for r in report.results["S"] if r.scope == "global"] == ["disjoint-and-full-rank"]

# %% [markdown]
# P33 shows the other side: Type S holds at its point s* = (1/2, 1/2), but the partial
# 1 + 2 s1 of row 1 vanishes on the line s1 = -1/2, where the closed form fails; the global
# verdict is `refuted`, with an exact witness on that line.

# %%
report = theorem_report(cases.find_case("p33"), 4)
show(report)
s_global = next(r for r in report.results["S"] if r.scope == "global")
assert s_global.verdict == "refuted" and s_global.witness["point"][sp.Symbol("s1", real=True)] == sp.Rational(-1, 2)

# %% [markdown]
# ## Theorem 1: topology and local injectivity
#
# T1 and T2 are proved for boxes and convex regions; T3 (local injectivity) by z3 for
# polynomial generators, by certified intervals otherwise, and **refuted only with a
# certificate**: P32's cusp $g = (s_1, s_2^3 - 3 s_1 s_2)$ identifies $(t^2, t)$ with
# $(t^2, -2t)$, two curves that meet at the origin.

# %%
report = theorem_report(cases.find_case("p32"), 1)
show(report)
t3 = report.results["T3"][0]
print(t3.witness)
assert t3.verdict == "refuted" and t3.method == "certificate"

# %% [markdown]
# The grid algorithm decides T1 and T2 for unions of grid cells in 2-D: a U-shape is simply
# connected, but its vertical slices fall into two pieces.

# %%
from theory.theorems.topology import GridUnion, check_simply_connected, check_slices

u_shape = GridUnion.from_cells([(0, 0), (1, 0), (2, 0), (0, 1), (2, 1), (0, 2), (2, 2)])
t1, t2 = check_simply_connected(u_shape), check_slices(u_shape, [[0], [1]])
print("T1:", t1.verdict, t1.method, "  T2:", t2.verdict, t2.witness)
assert t1.verdict == "proved" and t2.verdict == "refuted"

# %% [markdown]
# ## The hierarchy as a self-check
#
# docs/mathematics.md 10 proves implications between the criteria (D ⇒ H2 ⇒ H3, D + full rank ⇒ S,
# S ⇒ M in the sparsest aligned basis, square J: S ⇔ D, ...). `mechind hierarchy` checks
# them against the computed verdicts on every bundled case: a violated implication would be a
# bug in the checker. It also collects the failing converses with the cases that show them.

# %%
from collections import defaultdict

from theory.theorems.hierarchy import run_hierarchy

subset = [cases.find_case(n) for n in ("p05", "p06", "p08", "p13", "p25", "p27", "p33")]
hier = run_hierarchy(subset)
for name, counts in hier.counts().items():
    print(f"{name:<40} {counts}")
assert hier.violations == []
shown = defaultdict(set)
for c in hier.converses:
    shown[c.converse].add(c.case.split("-")[0])
for converse, names in sorted(shown.items()):
    print(f"{converse:<45} {sorted(names)}")

# %%
import matplotlib.pyplot as plt

criteria = ["D", "M", "S", "H2", "H3", "irreducible:D", "graph"]
symbols = {"proved": 1, "refuted": -1, "unknown": 0}
grid = []
for name in sorted(hier.matrix):
    row = hier.matrix[name]
    grid.append([next((symbols[v] for k, v in row.items() if k.split("@")[0] == c), 0) for c in criteria])
fig, ax = plt.subplots(figsize=(6, 3))
ax.imshow(grid, cmap="RdYlGn", vmin=-1, vmax=1)
ax.set_xticks(range(len(criteria)), criteria, rotation=30, ha="right")
ax.set_yticks(range(len(grid)), [n.split("-")[0] for n in sorted(hier.matrix)])
ax.set_title("verdicts (green proved, red refuted; first check of each criterion)")
fig.tight_layout()
