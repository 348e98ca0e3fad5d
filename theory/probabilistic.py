"""The probabilistic mode of the global D, M and H_n checks (``check(..., probabilistic=True)``,
``mechind check --probabilistic``; off by default).

For a rational generator the identity questions these checks rest on ("is this partial,
this block-directional derivative, this mixed cross-block derivative identically zero on
S?") are answered by :mod:`theory.exact.schwartz_zippel`: random points modulo random
primes.  A "nonzero" answer is certain; a "zero" answer is wrong with a small probability,
which is bounded and added up over every zero answer a verdict uses.  A verdict that
used one becomes ``holds-probabilistically`` (never ``proved``) with method
``probabilistic`` and ``details.error_bound``; a refutation still needs a witness point of
the domain, re-verified exactly (the normal ``refuted``).

One :class:`ProbabilisticTester` serves one generator; :func:`theory.checker.check` opens
its ledger before each check (:meth:`begin`) and closes it after (:meth:`finish`).

Examples
--------
>>> import sympy as sp
>>> from theory import Generator, check
>>> s1, s2 = sp.symbols("s1 s2", real=True)
>>> hidden = (s1 + s2)**2 - s1**2 - 2*s1*s2 - s2**2
>>> g = Generator("g", [[s1], [s2]], [s1 + hidden, s2**3 + hidden * s1])
>>> results = check(g, ["D", "H2"], probabilistic=True)
>>> [(r.criterion, r.verdict, r.method) for r in results if r.scope == "global"]
[('D', 'holds-probabilistically', 'probabilistic'), ('H2', 'holds-probabilistically', 'probabilistic')]
>>> results[0].details["error_bound"] < 1e-30
True
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import replace
from fractions import Fraction

from theory.exact.schwartz_zippel import (
    PRIME_BITS,
    BadSample,
    NotApplicable,
    Program,
    compile_program,
    evaluate,
    float_up,
    random_prime,
    trial_bound,
)
from theory.model.generator import Generator
from theory.result import CheckResult

__all__ = ["ProbabilisticTester", "Undecided", "PROBABILISTIC_CRITERIA", "DEFAULT_TRIALS", "program_digest"]

#: The global checks the mode applies to.
PROBABILISTIC_CRITERIA = re.compile(r"^(D|M|H[0-9]+)$")
#: Independent trials per identity (a fresh prime, point and directions each).
DEFAULT_TRIALS = 2
#: Points drawn per trial before giving up when denominators keep vanishing mod p.
_ATTEMPTS = 32


#: A check whose union bound reaches this relies on no random test: it falls back to its exact route.
USEFUL_BOUND = Fraction(1, 10**6)


def program_digest(program: Program) -> str:
    """A digest of a compiled program (its nodes and outputs), mixed into the seed of the
    random draws so that they depend on g.

    >>> import sympy as sp
    >>> from theory.exact.schwartz_zippel import compile_program
    >>> x, y = sp.symbols("x y")
    >>> program_digest(compile_program([x * y], (x, y))) == program_digest(compile_program([x * y + 1], (x, y)))
    False
    """
    text = repr((program.nvars, program.ops, program.outputs))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class Undecided(Exception):
    """The random evaluation could not be carried out (a denominator vanished at every
    point tried); the check goes on exactly."""


class ProbabilisticTester:
    """Schwartz-Zippel identity tests on one generator, with the ledger of one check.

    Parameters
    ----------
    generator
        The generator (its outputs on the domain, after piece selection, are compiled).
    seed
        Seed of the primes, points and directions, drawn from the seed, a digest of g's
        compiled program and the identity asked: the answers do not depend on the order of
        the questions, and the draws depend on g itself, so that a g written to vanish at
        one seed's points modulo its primes (which are the same for every generator when
        only the seed counts) changes the draws it was written for.  The generator's own
        points are evaluated modulo each prime too (a certain "nonzero" where one applies).
    trials
        Independent trials per identity.
    bits
        Primes are drawn from ``[2^bits, 2^(bits+1))`` (default 61; small values only serve
        the tests of the bound).
    """

    def __init__(self, generator: Generator, seed: int = 0, trials: int = DEFAULT_TRIALS, bits: int = PRIME_BITS):
        if trials < 1:
            raise ValueError("at least one trial is needed")
        self.generator = generator
        self.seed = seed
        self.trials = trials
        self.bits = bits
        self._program: Program | None = None
        self._digest = ""
        self._reason: str | None = None
        self._answers: dict[tuple, list[list[bool]]] = {}
        self.active = False
        self._bound = Fraction(0)
        self._count = 0
        self._max_degree = 0

    # -- applicability ------------------------------------------------------------------------
    @property
    def program(self) -> Program | None:
        """The compiled outputs, or ``None`` when g is not rational (see :attr:`reason`)."""
        if self._program is None and self._reason is None:
            table = self.generator.derivatives
            try:
                self._program = compile_program(table.restricted, self.generator.latents)
                self._digest = program_digest(self._program)  # once: every question's draws use it
            except NotApplicable as exc:
                self._reason = f"g is not a rational function with rational coefficients ({exc}); the exact check ran"
        return self._program

    @property
    def reason(self) -> str | None:
        """Why the mode does not apply (``None`` when it does)."""
        return None if self.program is not None else self._reason

    # -- the ledger of one check --------------------------------------------------------------
    def begin(self, criterion: str, scope: str) -> None:
        """Open the ledger of one check (active only for the global D, M, H_n checks)."""
        self.active = scope == "global" and bool(PROBABILISTIC_CRITERIA.match(criterion))
        self._bound, self._count, self._max_degree = Fraction(0), 0, 0

    def discard(self) -> None:
        """Forget the zero answers used so far and answer nothing more in this check
        (the check falls back to its exact route)."""
        self.active = False
        self._bound, self._count, self._max_degree = Fraction(0), 0, 0

    def consume(self, t: int, order: int) -> None:
        """Record that the check relies on the zero answer for an ``order``-th directional
        derivative of output ``t``: the union bound grows by ``trial_bound ** trials``.

        Raises
        ------
        Undecided
            When the bound reaches :data:`USEFUL_BOUND` (the caller discards the ledger and
            goes on exactly: a bound of 1 or more is no evidence at all)."""
        program = self.program
        assert program is not None
        self._bound += trial_bound(program, t, order, self.bits) ** self.trials
        self._count += 1
        dn, dd = program.degrees[t]
        self._max_degree = max(self._max_degree, dn + order * dd)
        if self._bound >= USEFUL_BOUND:  # a degree near the primes' size (a power 2**70): the tests say nothing
            raise Undecided(f"the random tests' error bound reached {float_up(self._bound):.3g}: no evidence, the check goes on exactly")

    def finish(self, result: CheckResult) -> CheckResult:
        """Close the ledger: a ``proved`` that used a zero answer becomes
        ``holds-probabilistically`` with its error bound; other verdicts are annotated."""
        if not (result.scope == "global" and PROBABILISTIC_CRITERIA.match(result.criterion)):
            self.active = False
            return result
        details = dict(result.details or {})
        if self.reason is not None:
            details["probabilistic"] = {"applied": False, "reason": self.reason}
        elif self._count and result.verdict == "proved":
            details["error_bound"] = float_up(self._bound)
            details["probabilistic"] = self._summary()
            self.active = False
            return replace(result, verdict="holds-probabilistically", method="probabilistic", details=details)
        elif result.verdict == "refuted":
            details["probabilistic"] = {"applied": True, "note": "refuted by an exact witness, re-verified over the rationals"}
        elif result.verdict == "proved":
            details["probabilistic"] = {"applied": True, "note": "decided without a random test: an exact proof"}
        else:
            details["probabilistic"] = {"applied": True, "note": "no verdict from the random tests"}
        self.active = False
        result.details = details
        return result

    def _summary(self) -> dict:
        return {
            "applied": True,
            "identities": self._count,
            "trials": self.trials,
            "primes": f"uniform random primes in [2^{self.bits}, 2^{self.bits + 1})",
            "max_degree": self._max_degree,
            "note": "each identity was tested at random points modulo random primes (Schwartz-Zippel); "
            "error_bound bounds the probability that any of them is not an identity",
        }

    # -- the tests ---------------------------------------------------------------------------
    def nonzero(self, supports: tuple[tuple[int, ...], ...], mixed: bool) -> list[list[bool]]:
        """Which directional derivatives of the outputs are certainly not identically zero.

        Parameters
        ----------
        supports
            One direction per entry: the latent indices it moves (a single index: that
            coordinate direction; several: a random direction among them).
        mixed
            ``False``: per output, one answer per direction (first derivatives).  ``True``:
            per output, one answer, for the mixed derivative along all the directions.

        Returns
        -------
        list
            Per output, ``True`` (certainly nonzero) or ``False`` (zero in every trial).

        Raises
        ------
        Undecided
            When the random evaluation could not be carried out.
        """
        key = (supports, mixed)
        hit = self._answers.get(key)
        if hit is not None:
            return hit
        program = self.program
        if program is None:
            raise Undecided(self._reason or "not applicable")
        n = len(supports)
        order = n if mixed else 1
        width = 1 if mixed else n
        found = [[False] * width for _ in program.outputs]
        rng = random.Random(f"mechind-sz:{self.seed}:{self._digest}:{supports}:{mixed}")
        for _ in range(self.trials):
            for values in self._trial(program, rng, supports, order):
                for t, v in enumerate(values):
                    coefficients = [v[-1]] if mixed else v[1 : n + 1]
                    found[t] = [f or c != 0 for f, c in zip(found[t], coefficients)]
            if all(all(row) for row in found):
                break
        self._answers[key] = found
        return found

    def _trial(self, program: Program, rng: random.Random, supports: tuple[tuple[int, ...], ...], order: int) -> list[list[list[int]]]:
        """One trial: the values at a random point modulo a random prime, then at each of the
        generator's own points modulo the same prime where its denominators are units there
        (a nonzero value at any point is a certain "nonzero"; only the random point's zero
        carries the bound)."""
        p = random_prime(rng, self.bits)

        def directions() -> list[list[int]]:
            out = []
            for support in supports:
                d = [0] * program.nvars
                for a in support:
                    d[a] = 1 if len(support) == 1 else rng.randrange(p)
                out.append(d)
            return out

        for _ in range(_ATTEMPTS):
            point = [rng.randrange(p) for _ in range(program.nvars)]
            try:
                values = [evaluate(program, p, point, directions(), order)]
            except BadSample as exc:
                if "constant" in str(exc):
                    break
                continue
            for own in self._own_points(p):
                try:
                    values.append(evaluate(program, p, own, directions(), order))
                except BadSample:
                    continue
            return values
        raise Undecided("a denominator vanished modulo the random prime at every point tried")

    def _own_points(self, p: int) -> list[list[int]]:
        """The generator's points as residues modulo ``p`` (those whose denominators ``p``
        divides are left out)."""
        g = self.generator
        out = []
        for point in g.points:
            values = [Fraction(int(point[v].p), int(point[v].q)) for v in g.latents]
            if all(x.denominator % p for x in values):
                out.append([x.numerator * pow(x.denominator, -1, p) % p for x in values])
        return out

    def partial_zero(self, t: int, a: int) -> bool | None:
        """Is ``d g_t / d s_a`` identically zero?  ``True``: zero in every trial (recorded in the
        ledger), ``False``: certainly not, ``None``: the mode does not apply."""
        if not self.active or self.program is None:
            return None
        try:
            answers = self.nonzero(tuple((b,) for b in range(self.generator.d)), mixed=False)
        except Undecided:
            return None
        if answers[t][a]:
            return False
        try:
            self.consume(t, 1)
        except Undecided:
            self.discard()
            return None
        return True
