"""Brady et al.'s synthetic generator at their default sizes: Theorem 2 on a piecewise-linear map.

Beyond the case table (issue 14).  Brady et al. (2023, ``brendel-group/objects-identifiability``,
``data/generators/synth_data_gen.py`` and ``utils.construct_invertible_mlp``) render each slot
with one shared bias-free MLP and concatenate the slots' outputs.  Their defaults: 2 slots,
slot dimension 3, 20 outputs per slot, ``n_layers=2``: ``Linear(3 -> 20, bias=False)``,
``torch.nn.LeakyReLU()`` (negative slope 0.01), ``Linear(20 -> 20, bias=False)``, each weight
drawn uniform in (-10, 10), columns normalised, and re-drawn until its condition number is
below the 25 % quantile of a pool of 10 000 draws.  Here the same architecture with rational
weights: integers drawn from {-10, ..., 10} without 0 (``random.Random(14)``), re-drawn until
the column-normalised matrix's condition number is below the quantile of a pool of 1000 draws
(floats decide only which draw is kept; the weights are the integers below).  Column
normalisation is left out: scaling a column of W1 by c > 0 reparametrises a latent, and a
column of W2 commutes through the positively homogeneous LeakyReLU into a row of W1, so no
criterion here sees it.  LeakyReLU(u) = Max(u/100, u).  Latents z1..z3 (slot 1) and z4..z6
(slot 2); their latents are Gaussian on R^6, here the box (-1, 1)^6 (the map is positively
homogeneous, so every answer on the box is the answer on R^6).  s* is off every kink.

Expected (docs/mathematics.md 7.3, 9.1):

* Type D proved structurally: outputs 1-20 read only slot 1, 21-40 only slot 2.
* D-irreducible on all of S (method ``linear-regions``): the 20 hidden units cut each slot's
  box into 378 linear regions (20 planes through 0, not all in general position); on each the
  slot's 20 x 3 block W2 diag(a_i) W1 has full rank and a connected row matroid.  The second
  slot's network is the first's with renamed latents: enumerated once.
* Locally injective (method ``injective-layers``): W1 (20 x 3) and W2 (20 x 20) have full column
  rank and Max(u/100, u) is strictly increasing, so each slot's map, hence g, is injective on R^6.
* T1, T2 (a box): Theorem 2 is established.  g is not C^1 (the smoothness note of the global
  derivative verdicts; they speak of the open linear pieces).
"""

import sympy as sp

from theory import Box, Generator

#: First layer, 20 x 3 (bias-free), shared by both slots.
W1 = [
    [  9,  10,  -9],
    [-10,   4,   1],
    [ -1,  10,   7],
    [ -1,  10,   2],
    [ -5,  -3,   5],
    [  8,  -9,  -9],
    [  5,  10,   2],
    [  3,  -6,  -1],
    [  7,   4,   8],
    [-10,  -4,  -7],
    [ -5,   5,   4],
    [  1,   9, -10],
    [ -5,   4,   9],
    [  9,  -2,  -6],
    [ -5,   6,  -8],
    [ -5,  -5,   1],
    [ -3,  -7,  -3],
    [  1,   2,   7],
    [ -4,   8,   6],
    [ -8,  -3,   2],
]

#: Second layer, 20 x 20 (bias-free), shared by both slots.
W2 = [
    [  3, -10,  -7,  -2, -10,   4,  10,  -2,   7,   3,   8,   8,  -8,   2,   6,  -5,   7,   2,  10,   5],
    [ 10,  -7, -10,   8,  -7,  -9,   5,   5,   7,   7,  -8,  -4,   7,   6,   1,  -7,   6,   7,  -6,  -3],
    [  3,   7,  -2, -10,  -6,   2,   1,  -6,  -9,  10,  -8,   9,  -8,   9,   8,   4,   7,  -9, -10,  -9],
    [ -2,   3,  10,  -8,  -3,   2,   2,  -5,  -8,   7,   9,   1,  -6, -10,  10,  -4,   7,  -8,   5,   8],
    [  6,  -1,   6,  -7,   3,  -4,   1,   4,  -3,  10,   3,  -7,  -4,   2,  -4,  -5,   7,   4,  -6,   8],
    [ -2,  -1,  -5,  -3,   1,  -3,  -2,   3, -10,   7,   6,   6,  -7,   6,   6,  -8,   7,   1,  -8,   2],
    [ -4,   5,  -6,  10,  -5,  -8,   8,  -1, -10, -10,  -5,   6, -10,  -2,  -1,   3,   5,  -8,  -8,  -5],
    [  7,  -9,   2, -10,   3,  -4,   2,  -1,   5, -10,  10, -10,   2,   1,   6,   5,  -6,  -4,  -4,  -2],
    [ -7,  -7,  -8,   8,   8,  -4,  -6,  -1,   4,  -4,   3,   2,  -1,   4,  -7,  -4,   4,   9,   3,  -2],
    [  6, -10,  -8,  -3,   4,  -6,   7,  10,   9,  -4,  -7,  -8,  -8,  -9,  -1,  -3,  -7,   1,  -9,  -4],
    [  6,   7,   4,  -4,  -4,  10,   2,  -6,  -9,  -8, -10,   5,   8,   9,  -7,   2,   5,  -9,  -2,   7],
    [  8,   9,  -3, -10,   8,  -4,   4,   2,   1,   8,   4,  -5,  -4,   1,  -3,   6,   8,   8,   1,   5],
    [ -5,   9,  -7,  -4,  -7,  -3,   8,   5,  -9,  -7,  -4,   3,  -2,   6,  -9, -10,  -5,  -7,  -4,   8],
    [ -3,   1,  -8,   4,  -4,  -7,  -2,   6,   2,  -3,  -1,  -6,   9,   2,   2,  -6,   1,  -2,   9,   4],
    [ -6,  -6,  -1,  -5,  -4,   7,  -6,  -7,   1,   8,   2,   1,   3,  -4,  -5,  -2,   5,   9,   1,   5],
    [  6,   9,   8,  -1, -10,  -2,  -1,  -8,  -9,  10,   1,   3,  -7,  -4,  -7,   8,   8, -10,   7,   8],
    [ -1,   7,   5,  -6,   7,  10,  -8,  -8,   4,  -4,  -4, -10,  -2,  -4,  -1,   5,   9,   6,  -5,  -8],
    [ -4,  -4,  -2,   8, -10,   3,   7,   7,   5,   1,  -1,   3,   3,  -2,  -1,  -8,  -3,  -1,   2, -10],
    [  4,  -9,  -4,   8,  10,   2,   8,  -1,  -4,  -3, -10,  -9,   7,  -6, -10,   1,  10,  -3,  -8,  -5],
    [ -1,  -7,  -3,  -9,   3,   6, -10,  -3,  -6,  -9,  -5,  -8,  -5,  -1,   4,   9,   9,   4,  -5, -10],
]

#: LeakyReLU's negative slope (torch.nn.LeakyReLU's default, used by their generator).
SLOPE = sp.Rational(1, 100)

z = sp.symbols("z1:7", real=True)
slots = [z[0:3], z[3:6]]


def slot_mixing(latents):
    """x = W2 LeakyReLU(W1 z), LeakyReLU(u) = Max(SLOPE*u, u)."""
    # sp.Add(*terms) builds the same sum as Python's sum() in one step (sum() re-sorts the
    # growing sum at every term); evaluate=False builds the same Max (sympy sorts its arguments
    # either way) without sympy trying to compare u/100 with u under assumptions
    pre = [sp.Add(*[w * s for w, s in zip(row, latents)]) for row in W1]
    hidden = [sp.Max(SLOPE * u, u, evaluate=False) for u in pre]
    return [sp.Add(*[w * h for w, h in zip(row, hidden)]) for row in W2]


GENERATOR = Generator(
    name="x08-brady-slots",
    factors=[list(s) for s in slots],
    outputs=[x for s in slots for x in slot_mixing(s)],
    domain=Box({s: (-1, 1) for s in z}),
    points=[dict(zip(z, [sp.Rational(1, 2), sp.Rational(-1, 3), sp.Rational(1, 5), sp.Rational(-1, 4), sp.Rational(2, 3), sp.Rational(1, 7)]))],  # s*
)
