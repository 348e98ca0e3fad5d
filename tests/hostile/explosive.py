import sympy as sp
from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)
BOX = Box({s1: (-1, 1), s2: (-1, 1)})
# a deliberately explosive generator: D fails at once (the row uses s1 and s2), but its cross
# derivative is a hidden zero, (1 + sin 2x - 2 sin x cos x)^300 - 1 with x = s1 s2, so no
# witness exists and every route to the proof (expansion, exp normal form, simplify) runs far
# past any small budget
X = s1 * s2
GENERATOR = Generator(
    "explosive",
    [[s1], [s2]],
    [s1, s2, s1 + s2 + (1 + sp.sin(2 * X) - 2 * sp.sin(X) * sp.cos(X)) ** 300 - 1 + (1 + s1) ** 300 + (1 + s2) ** 300],
    BOX,
)
