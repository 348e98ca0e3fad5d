import sympy as sp
from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)
BOX = Box({s1: (-1, 1), s2: (-1, 1)})
# a deliberately explosive generator: every route through it (expansion, rational canonical
# form, simplify) runs far past any small budget
GENERATOR = Generator(
    "explosive",
    [[s1], [s2]],
    [s1, s2, 1 / (1 + s1**2 + s2**2) ** 50 + sp.sin(s1 * s2) ** 40 + (1 + s1 + s2) ** 300],
    BOX,
)
