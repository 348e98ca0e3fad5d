import sympy as sp
from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)
BOX = Box({s1: (-1, 1), s2: (-1, 1)})
_outputs = []
for k in range(2000):
    if k % 3 == 0:
        _outputs.append(sp.Rational(k + 1, 7) * s1 + s1**3)
    elif k % 3 == 1:
        _outputs.append(sp.exp(sp.Rational(k % 5 + 1, 3) * s2))
    else:
        _outputs.append(s1 * s2 / (k + 1) + s2**2)
GENERATOR = Generator("many", [[s1], [s2]], _outputs, BOX)
