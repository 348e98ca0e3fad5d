"""The conditions a theorem puts on a learned decoder g_hat, checked numerically (docs/decoder-conditions.md).

Theorems 1-5 compare the generator g with a competitor g_hat, g = g_hat o h, and conclude that h
is decomposable (docs/mathematics.md 9.2).  The conclusion covers only competitors that satisfy
the theorem's conditions on g_hat.  Given a trained decoder (a
:class:`~numeric.generator.NeuralGenerator`), the ground truth g (another one, usually compiled
from the exact generator) and the map ``h: s -> z`` (for an autoencoder: encoder o g), this
module checks at sampled pairs ``(s, z = h(s))``:

``sparsity-constraint`` (Theorem 3)
    ``||J_ghat(z)||_0 <= ||J_g(s)||_0``, each count with the numeric layer's tolerance
    ``tau = c * eps(dtype) * max|J|`` of its own Jacobian.
``locally-injective``
    numerical rank of ``J_ghat`` at every ``z``: full column rank when the smallest singular
    value exceeds ``tau = c * eps(dtype) * max|J_ghat|``.
``T4`` (the covering condition, as far as a sample can test it)
    the immersion above, no two sampled codes with coinciding images (within tau of the
    outputs), and every sampled observation ``g(s)`` reached: ``||g_hat(h(s)) - g(s)||`` at
    most ``reach_tol`` times the RMS norm of the observations.
``criterion:X``
    the theorem's criterion (D, M, S or H_n) on g_hat at the codes, by
    :func:`numeric.criteria.check_numeric`.

Every verdict is ``holds-numerically`` or ``fails-numerically`` with dtype, points, tolerance and
margin (:class:`numeric.criteria.NumericResult`); sampling never proves a condition.  Trained
float decoders have no exact zeros, so a support condition usually fails at the default ``c``;
``details["c_to_hold"]`` gives the smallest ``c`` at which it would hold at every point.

Examples
--------
>>> import torch
>>> from numeric.generator import NeuralGenerator
>>> f = lambda s: torch.stack([s[..., 0], s[..., 1], s[..., 0] ** 3, s[..., 1] ** 3], -1)
>>> g = NeuralGenerator(f, [[0], [1]], 2, dtype=torch.float64)
>>> A = torch.tensor([[2.0, 0.0], [0.0, -1.0]], dtype=torch.float64)   # block-diagonal: h decomposable
>>> ghat = NeuralGenerator(lambda z: f(z @ torch.linalg.inv(A).T), [[0], [1]], 2, dtype=torch.float64)
>>> rep = decoder_conditions(3, g, ghat, h=lambda s: s @ A.T, n_points=16)
>>> {k: r.verdict for k, r in rep.results.items()}
{'criterion:M': 'holds-numerically', 'sparsity-constraint': 'holds-numerically', 'locally-injective': 'holds-numerically', 'T4': 'holds-numerically'}
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch

from numeric.criteria.assessment import JACOBIAN_RULE, NumericResult, float_point_json, tolerance
from numeric.criteria.options import DEFAULT_C, NumericOptions
from numeric.criteria.run import check_numeric
from numeric.derivatives import jacobian
from numeric.generator import NeuralGenerator, dtype_name
from numeric.exact_to_torch import from_generator
from numeric.experiment.checkpoint import load_checkpoint
from numeric.experiment.latents import sample_latents
from theory.errors import InputError

__all__ = [
    "THEOREM_CRITERIA",
    "DEFAULT_REACH_TOL",
    "DecoderConditions",
    "decoder_conditions",
    "sparsity_constraint",
    "local_injectivity",
    "covering",
    "criterion_of",
    "l0_norms",
    "DecoderFileCheck",
    "check_decoder_file",
]

#: Relative reconstruction error below which a sampled observation counts as reached by g_hat.
DEFAULT_REACH_TOL = 0.05

#: Points at which numeric Type S (an exact rho computation per point) runs on g_hat.
S_POINTS = 8

RANK_RULE = "tau = c * eps(dtype) * max|J|, per point; full rank when the smallest singular value > tau"


def criterion_of(number: int, n: int = 2) -> str | None:
    """The criterion theorem ``number`` asks of g and of its competitors (``None`` for Theorem 1).

    >>> [criterion_of(k, n=3) for k in range(1, 6)]
    [None, 'D', 'M', 'S', 'H3']
    """
    return {1: None, 2: "D", 3: "M", 4: "S", 5: f"H{n}"}[number]


#: ``criterion_of`` as a table at n = 2.
THEOREM_CRITERIA = {k: criterion_of(k) for k in range(1, 6)}


def l0_norms(J: torch.Tensor, c: float) -> tuple[torch.Tensor, torch.Tensor]:
    """``||J||_0`` at every point (entries with ``|x| > tau``) and the tolerance ``tau``.

    >>> J = torch.tensor([[[1.0, 0.0], [1e-20, 2.0]]], dtype=torch.float64)
    >>> l0, tau = l0_norms(J, c=10)
    >>> l0.tolist()
    [2]
    """
    tau = tolerance(J, c)
    return (J.abs() > tau[:, None, None]).reshape(J.shape[0], -1).sum(1), tau


def _c_needed(threshold: torch.Tensor, J: torch.Tensor) -> torch.Tensor:
    """Per point, the smallest ``c`` with ``c * eps * max|J| >= threshold``."""
    eps = torch.finfo(J.dtype).eps
    scale = J.detach().abs().reshape(J.shape[0], -1).amax(1).to(torch.float64)
    return threshold.to(torch.float64) / (eps * scale).clamp_min(torch.finfo(torch.float64).tiny)


def _c_figures(per_point: torch.Tensor, worst: str = "max") -> dict[str, float | None]:
    """``c_to_hold`` (at every point: the worst) and ``c_to_hold_median`` (at half the points)."""
    if not per_point.numel():
        return {"c_to_hold": None, "c_to_hold_median": None}
    edge = per_point.max() if worst == "max" else per_point.min()
    return {"c_to_hold": float(edge), "c_to_hold_median": float(per_point.median())}


def _margin(values: torch.Tensor, tau: torch.Tensor) -> dict[str, float | None]:
    a = values.detach().abs().to(torch.float64).reshape(values.shape[0], -1)
    t = tau.detach().to(torch.float64)[:, None].expand_as(a)
    zero = a <= t
    out: dict[str, float | None] = {
        "largest_zero": float(a[zero].max()) if zero.any() else None,
        "smallest_nonzero": float(a[~zero].min()) if (~zero).any() else None,
    }
    pos = t > 0
    out["largest_zero_ratio"] = float((a[zero & pos] / t[zero & pos]).max()) if (zero & pos).any() else None
    out["smallest_nonzero_ratio"] = float((a[~zero & pos] / t[~zero & pos]).min()) if (~zero & pos).any() else None
    return out


def _tolerance_json(rule: str, c: float, J: torch.Tensor, tau: torch.Tensor) -> dict[str, Any]:
    return {
        "rule": rule,
        "c": c,
        "eps": torch.finfo(J.dtype).eps,
        "min": float(tau.min()) if tau.numel() else None,
        "max": float(tau.max()) if tau.numel() else None,
    }


def _result(criterion: str, holds: torch.Tensor, method: str, z: torch.Tensor, witnesses: list[dict | None], details: dict[str, Any], tol: dict[str, Any], margin: dict[str, Any]) -> NumericResult:
    failing = torch.nonzero(~holds).flatten().tolist()
    details = {**details, "points_failing": len(failing)}
    return NumericResult(
        criterion,
        "fails-numerically" if failing else "holds-numerically",
        "point" if z.shape[0] == 1 else "global",
        method,
        witness=witnesses[failing[0]] if failing else None,
        details=details,
        dtype=dtype_name(z.dtype),
        device=str(z.device),
        points_sampled=int(z.shape[0]),
        tolerance=tol,
        margin=margin,
    )


def sparsity_constraint(
    J_g: torch.Tensor, J_hat: torch.Tensor, z: torch.Tensor, c: float, s: torch.Tensor | None = None, names: list[str] | None = None
) -> NumericResult:
    """Theorem 3's ``||J_ghat(h(s))||_0 <= ||J_g(s)||_0`` at every pair (``J_g[i]`` at ``s[i]``,
    ``J_hat[i]`` at ``z[i] = h(s[i])``).

    Each count uses its own Jacobian's tolerance; the tolerance and margin reported are
    g_hat's.  ``details["c_to_hold"]``: the smallest ``c`` (for g_hat's count, g's kept at
    ``c``) at which the constraint holds at every pair.

    Examples
    --------
    >>> Jg = torch.tensor([[[1.0, 0.0], [0.0, 1.0]]], dtype=torch.float64)
    >>> Jh = torch.tensor([[[1.0, 1e-3], [0.0, 1.0]]], dtype=torch.float64)
    >>> r = sparsity_constraint(Jg, Jh, torch.zeros(1, 2, dtype=torch.float64), c=10)
    >>> r.verdict, r.details["l0_g"], r.details["l0_ghat"], r.details["c_to_hold"] > 1e12
    ('fails-numerically', [2], [3], True)
    """
    l0_g, _ = l0_norms(J_g, c)
    l0_h, tau = l0_norms(J_hat, c)
    holds = l0_h <= l0_g
    # at each pair, g_hat's count drops to l0_g once tau reaches its (l0_g + 1)-th largest |entry|
    flat = J_hat.detach().abs().reshape(J_hat.shape[0], -1)
    ranked = flat.sort(dim=1, descending=True).values
    k = l0_g.clamp(max=flat.shape[1] - 1)
    needed = torch.where(l0_g < flat.shape[1], ranked.gather(1, k[:, None]).squeeze(1), torch.zeros_like(k, dtype=flat.dtype))
    names = names or [f"z{a + 1}" for a in range(z.shape[1])]
    witnesses: list[dict | None] = []
    for i in range(z.shape[0]):
        if bool(holds[i]):
            witnesses.append(None)
            continue
        w = {"z": float_point_json(z, i, names), "l0_g": int(l0_g[i]), "l0_ghat": int(l0_h[i]), "tolerance": float(tau[i])}
        if s is not None:
            w["s"] = float_point_json(s, i, [f"s{a + 1}" for a in range(s.shape[1])])
        witnesses.append(w)
    details = {
        "l0_g": l0_g.tolist(),
        "l0_ghat": l0_h.tolist(),
        **_c_figures(_c_needed(needed, J_hat)),
        "entries": int(flat.shape[1]),
    }
    return _result("sparsity-constraint", holds, "jacfwd-l0", z, witnesses, details, _tolerance_json(JACOBIAN_RULE, c, J_hat, tau), _margin(J_hat, tau))


def local_injectivity(J_hat: torch.Tensor, z: torch.Tensor, c: float, names: list[str] | None = None) -> NumericResult:
    """Full column rank of ``J_hat`` at every point (the singular values against ``tau``).

    A full-rank Jacobian at a point of a C^1 map (or inside a linear region of a piecewise
    linear one) gives injectivity near that point; the sample says nothing between points.
    The margin is over the singular values; ``details["c_to_hold"]`` is the largest ``c`` at
    which the rank stays full (``sigma_min / (eps * max|J|)`` at the worst point).

    Examples
    --------
    >>> J = torch.tensor([[[1.0, 0.0], [0.0, 1e-3]], [[1.0, 2.0], [2.0, 4.0]]], dtype=torch.float64)
    >>> r = local_injectivity(J, torch.zeros(2, 2, dtype=torch.float64), c=10)
    >>> r.verdict, r.details["rank"]
    ('fails-numerically', [2, 1])
    """
    sv = torch.linalg.svdvals(J_hat.detach().to(torch.float64)).to(J_hat.dtype) if J_hat.numel() else J_hat.new_zeros(J_hat.shape[0], 0)
    tau = tolerance(J_hat, c)
    rank = (sv > tau[:, None]).sum(1)
    d = J_hat.shape[2]
    holds = rank >= d
    names = names or [f"z{a + 1}" for a in range(z.shape[1])]
    witnesses = [
        None if bool(holds[i]) else {"z": float_point_json(z, i, names), "rank": int(rank[i]), "smallest_singular_value": float(sv[i, -1]), "tolerance": float(tau[i])}
        for i in range(z.shape[0])
    ]
    smin = sv[:, -1] if sv.shape[1] else torch.zeros(z.shape[0], dtype=J_hat.dtype)
    eps = torch.finfo(J_hat.dtype).eps
    scale = J_hat.detach().abs().reshape(J_hat.shape[0], -1).amax(1)
    details = {
        "rank": rank.tolist(),
        "d": d,
        "smallest_singular_value": float(smin.min()) if smin.numel() else None,
        "largest_condition_number": float((sv[:, 0] / smin.clamp_min(torch.finfo(smin.dtype).tiny)).max()) if smin.numel() else None,
        **_c_figures((smin / (eps * scale).clamp_min(torch.finfo(scale.dtype).tiny)).to(torch.float64), worst="min"),
    }
    return _result("locally-injective", holds, "svd-rank", z, witnesses, details, _tolerance_json(RANK_RULE, c, J_hat, tau), _margin(sv[:, None, :], tau))


def covering(
    ghat: NeuralGenerator,
    z: torch.Tensor,
    J_hat: torch.Tensor,
    c: float,
    x: torch.Tensor | None = None,
    reach_tol: float = DEFAULT_REACH_TOL,
    immersion: NumericResult | None = None,
) -> NumericResult:
    """T4 (g_hat a covering map onto X), as far as a sample can refute it.

    Three parts, each in ``details["parts"]``: ``immersion`` (:func:`local_injectivity`),
    ``no-collision`` (no two sampled codes farther apart than ``1e-6`` of the code range whose
    images agree within ``DEFAULT_C * eps * max|g_hat(z)|``, rounding level at any ``c``; the smallest ratio
    ``||g_hat(z_i) - g_hat(z_j)|| / ||z_i - z_j||`` is reported), and ``reaches-X`` (with the
    observations ``x = g(s)`` of the codes ``z = h(s)``: every
    ``||g_hat(z_i) - x_i|| <= reach_tol * rms(x)``; not tested without ``x``).  That g_hat maps
    onto X and is a covering there cannot be established from samples: the result holds when
    no part fails.

    Examples
    --------
    >>> from numeric.generator import NeuralGenerator
    >>> g = NeuralGenerator(lambda z: torch.cat([z, z ** 2], -1), [[0], [1]], 2, dtype=torch.float64)
    >>> z = g.sample(8, seed=0)
    >>> r = covering(g, z, jacobian(g, z), c=10, x=g(z))
    >>> r.verdict, [p["verdict"] for p in r.details["parts"].values()]
    ('holds-numerically', ['holds-numerically', 'holds-numerically', 'holds-numerically'])
    """
    names = list(ghat.latent_names)
    imm = immersion or local_injectivity(J_hat, z, c, names)
    with torch.no_grad():
        out = ghat(z)
    N = z.shape[0]
    # rounding level, whatever c: a larger c widens what counts as a zero Jacobian entry, not
    # which outputs count as equal
    tau_x = DEFAULT_C * torch.finfo(out.dtype).eps * float(out.detach().abs().max()) if out.numel() else 0.0
    dz = torch.cdist(z.to(torch.float64), z.to(torch.float64))
    dx = torch.cdist(out.to(torch.float64), out.to(torch.float64))
    span = float((z.amax(0) - z.amin(0)).max()) if N else 0.0
    off = ~torch.eye(N, dtype=torch.bool, device=z.device) & (dz > 1e-6 * max(span, 1.0))
    collide = off & (dx <= tau_x)
    ratio = torch.where(off, dx / dz.clamp_min(torch.finfo(torch.float64).tiny), torch.full_like(dz, float("inf")))
    parts: dict[str, dict[str, Any]] = {"immersion": {"verdict": imm.verdict, "smallest_singular_value": imm.details["smallest_singular_value"]}}
    pair = None
    if bool(collide.any()):
        i, j = (int(v) for v in torch.nonzero(collide)[0])
        pair = {"z": float_point_json(z, i, names), "z_other": float_point_json(z, j, names), "output_distance": float(dx[i, j])}
    parts["no-collision"] = {
        "verdict": "fails-numerically" if pair else "holds-numerically",
        "pairs": N * (N - 1) // 2,
        "smallest_ratio": float(ratio.min()) if bool(off.any()) else None,
        "tolerance": tau_x,
    }
    reach = None
    if x is not None:
        x = x.to(dtype=torch.float64, device=out.device)
        err = (out.to(torch.float64) - x).norm(dim=1)
        rms = float(x.square().sum(1).mean().sqrt()) if N else 0.0
        rel = err / max(rms, torch.finfo(torch.float64).tiny)
        worst = int(rel.argmax()) if N else 0
        ok = bool((rel <= reach_tol).all())
        parts["reaches-X"] = {"verdict": "holds-numerically" if ok else "fails-numerically", "reach_tol": reach_tol, "largest_relative_error": float(rel.max()) if N else None, "median_relative_error": float(rel.median()) if N else None}
        if not ok:
            reach = {"z": float_point_json(z, worst, names), "relative_error": float(rel[worst]), "reach_tol": reach_tol}
    else:
        parts["reaches-X"] = {"verdict": "not-tested", "why": "no observations x = g(s) paired with the codes (give h)"}
    failed = [k for k, p in parts.items() if p["verdict"] == "fails-numerically"]
    witness = None
    if failed:
        found = {"immersion": imm.witness, "no-collision": pair, "reaches-X": reach}[failed[0]]
        witness = {"part": failed[0], **(found or {})}
    details = {
        "parts": parts,
        "points_failing": 0 if not failed else 1,
        "note": "sampling can refute T4, never establish it: a covering map onto X is not a property of finitely many points",
    }
    return NumericResult(
        "T4",
        "fails-numerically" if failed else "holds-numerically",
        "point" if N == 1 else "global",
        "sampled-covering",
        witness=witness,
        details=details,
        dtype=dtype_name(z.dtype),
        device=str(z.device),
        points_sampled=int(N),
        tolerance=imm.tolerance,
        margin=imm.margin,
    )


@dataclass
class DecoderConditions:
    """The conditions of theorem ``number`` on a decoder, each a :class:`NumericResult`.

    Attributes
    ----------
    number, n
        The theorem (and Theorem 5's order).
    decoder
        The decoder's name.
    results
        By condition id: ``criterion:X``, ``sparsity-constraint`` (Theorem 3), ``locally-injective``, ``T4``.
    figures
        Numbers about the pairs: reconstruction error, block leakage of Dh.
    notes
        What was not tested and why.
    """

    number: int
    n: int
    decoder: str
    results: dict[str, NumericResult] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def failing(self) -> list[str]:
        """The conditions that fail numerically."""
        return [k for k, r in self.results.items() if r.verdict != "holds-numerically"]

    def conclusion(self, hypotheses_established: bool, reason: str = "") -> str:
        """What follows for this decoder, given whether the theorem's hypotheses on g are established.

        >>> DecoderConditions(2, 2, "d").conclusion(False, "hypothesis D is refuted")
        'nothing follows for this decoder: the hypotheses on g are not established (hypothesis D is refuted)'
        """
        if not hypotheses_established:
            return f"nothing follows for this decoder: the hypotheses on g are not established ({reason or 'see the table'})"
        if self.failing:
            return (
                f"the theorem does not cover this decoder: {', '.join(self.failing)} fails numerically, "
                "so g = g_hat o h with h decomposable does not follow from it"
            )
        return (
            "every condition on the decoder holds numerically at the sampled points: the theorem's conclusion "
            "(g = g_hat o h with h decomposable) applies to it, on numeric evidence only (not a proof)"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "theorem": self.number,
            "n": self.n,
            "decoder": self.decoder,
            "conditions": {k: r.to_json() for k, r in self.results.items()},
            "failing": self.failing,
            "figures": self.figures,
            "notes": self.notes,
        }


def _block_leakage(Dh: torch.Tensor, blocks: tuple[tuple[int, ...], ...], hat_blocks: tuple[tuple[int, ...], ...]) -> torch.Tensor:
    """Per point: the largest share of a code block's derivative (Frobenius norm) that comes from
    source blocks other than its main one (0 for a decomposable h, up to 1 - 1/K when mixed)."""
    shares = []
    for hb in hat_blocks:
        rows = Dh[:, list(hb), :]
        norms = torch.stack([rows[:, :, list(b)].square().sum((1, 2)) for b in blocks], 1)
        total = norms.sum(1).clamp_min(torch.finfo(Dh.dtype).tiny)
        shares.append(1 - norms.amax(1) / total)
    return torch.stack(shares, 1).amax(1)


def decoder_conditions(
    number: int,
    g: NeuralGenerator,
    ghat: NeuralGenerator,
    h: Callable[[torch.Tensor], torch.Tensor] | None = None,
    s: torch.Tensor | None = None,
    n_points: int = 64,
    options: NumericOptions | None = None,
    n: int = 2,
    reach_tol: float = DEFAULT_REACH_TOL,
) -> DecoderConditions:
    """Check theorem ``number``'s conditions on the decoder ``ghat`` against the generator ``g``.

    Parameters
    ----------
    number
        1-5 (docs/mathematics.md 9.2).
    g
        The generator, as a :class:`NeuralGenerator` (e.g. :func:`numeric.from_generator`).
    ghat
        The decoder; its factors are the code slots.
    h
        ``s -> z`` on batches (for an autoencoder ``lambda s: encoder(g(s))``); without it the
        codes are sampled from ``ghat.box`` and the sparsity constraint and ``reaches-X`` are
        not tested.
    s
        Latent points ``[N, d]`` of g (default ``n_points`` samples of ``g.box``).
    n_points
        The sample size when ``s`` is not given.
    options
        :class:`NumericOptions`: ``c`` (the tolerance factor of every count), ``seed``, and the
        criterion's settings.
    n
        Theorem 5's order.
    reach_tol
        Relative reconstruction error allowed for ``reaches-X`` (:func:`covering`).

    Returns
    -------
    DecoderConditions
    """
    if number not in range(1, 6):
        raise ValueError(f"there is no theorem {number} (choose 1-5)")
    options = options or NumericOptions()
    c = options.c
    out = DecoderConditions(number, n, ghat.name)
    s = g.sample(n_points, seed=options.seed) if s is None else s.to(dtype=g.dtype, device=g.device)
    with torch.no_grad():
        x = g(s)
        if h is not None:
            z = h(s).to(dtype=ghat.dtype, device=ghat.device)
        else:
            z = ghat.sample(s.shape[0], seed=options.seed)
            out.notes.append("no map h: the codes are a sample of the decoder's box; the sparsity constraint and reaches-X need pairs (s, h(s))")
        J_hat = jacobian(ghat, z, options.chunk_size)
    finite = torch.isfinite(J_hat).reshape(J_hat.shape[0], -1).all(dim=1) & torch.isfinite(z).all(dim=1)
    if not bool(finite.all()):  # NaN weights or an overflow: such points decide nothing, as in check_numeric
        if not bool(finite.any()):
            raise InputError(f"{ghat.name}: the decoder's Jacobian is NaN or infinite at every sampled point (NaN weights, or an overflow in {dtype_name(J_hat.dtype)})")
        out.notes.append(f"{int((~finite).sum())} of {finite.numel()} sampled points have a NaN or infinite decoder Jacobian and are left out")
        keep = finite.to(z.device)
        s, x, z, J_hat = s[keep], x[keep], z[keep], J_hat[keep]
    names = list(ghat.latent_names)
    crit = criterion_of(number, n)
    if crit is not None:
        zc = z[:S_POINTS] if crit == "S" else z
        out.results[f"criterion:{crit}"] = check_numeric(ghat, [crit], z=zc, options=options)[0]
    if number == 3:
        if h is not None:
            with torch.no_grad():
                J_g = jacobian(g, s, options.chunk_size)
            out.results["sparsity-constraint"] = sparsity_constraint(J_g, J_hat, z, c, s, names)
        else:
            out.notes.append("sparsity-constraint not tested: it compares J_ghat(h(s)) with J_g(s) and needs h")
    imm = local_injectivity(J_hat, z, c, names)
    out.results["locally-injective"] = imm
    out.results["T4"] = covering(ghat, z, J_hat, c, x if h is not None else None, reach_tol, imm)
    if h is not None and ghat.d == g.d:
        with torch.no_grad():
            Dh = jacobian(h, s, options.chunk_size)
        leak = _block_leakage(Dh.to(torch.float64), g.blocks, ghat.blocks)
        out.figures["h_block_leakage"] = {"median": float(leak.median()), "max": float(leak.max())}
    if crit == "D":
        out.results[f"criterion:{crit}"].details.update(_d_c_to_hold(J_hat, ghat.blocks))
    return out


def _d_c_to_hold(J: torch.Tensor, blocks: tuple[tuple[int, ...], ...]) -> dict[str, float | None]:
    """The smallest ``c`` at which Type D holds at every point (and at half of them): each
    row's second-largest block maximum must fall within tau.

    >>> _d_c_to_hold(torch.tensor([[[1.0, 1e-8]]], dtype=torch.float64), ((0,), (1,)))["c_to_hold"] > 1e7
    True
    """
    per_block = torch.stack([J[:, :, list(b)].abs().amax(2) for b in blocks], 2)  # [N, m, K]
    second = per_block.sort(dim=2, descending=True).values[:, :, 1] if len(blocks) > 1 else torch.zeros_like(per_block[:, :, 0])
    return _c_figures(_c_needed(second.amax(1), J))


@dataclass
class DecoderFileCheck:
    """:func:`check_decoder_file`'s answer: the exact generator g the theorem is asked of, and the
    decoder's conditions."""

    generator: Any  # theory.model.generator.Generator
    conditions: DecoderConditions
    run: dict[str, Any] = field(default_factory=dict)


def check_decoder_file(
    number: int,
    path: str,
    generator: Any | None = None,
    n_points: int = 64,
    options: NumericOptions | None = None,
    n: int = 2,
    reach_tol: float = DEFAULT_REACH_TOL,
) -> DecoderFileCheck:
    """Theorem ``number``'s conditions on the decoder saved at ``path`` (by ``mechind reproduce``).

    Parameters
    ----------
    number, n
        The theorem (and Theorem 5's order).
    path
        A file of :func:`numeric.experiment.checkpoint.save_checkpoint`.
    generator
        The exact generator g (a ``theory.Generator``); default: the ground truth saved with
        the decoder, whose latents are then drawn from its latent distribution (seeded by
        ``options.seed``) instead of g's box.
    n_points, options, reach_tol
        As :func:`decoder_conditions`; h is ``encoder o g`` when the file has the encoder.

    Raises
    ------
    theory.errors.InputError
        For a file that is not a decoder file, without a ground truth when ``generator`` is
        not given, or whose sizes do not fit ``generator``.
    """
    options = options or NumericOptions()
    ck = load_checkpoint(path)
    try:
        ghat = ck.neural_generator()
    except ValueError as exc:  # the file's factors or code box (a diverged run's box is nan)
        raise InputError(f"{path}: {exc}") from None
    encoder = ck.encoder
    s = None
    if generator is None:
        gt = ck.ground_truth()
        if gt is None:
            raise InputError(f"{path} holds no ground truth; name the generator's case file")
        generator = gt.exact_generator(name=f"ground-truth:{ck.name}")
        g = NeuralGenerator(gt, [list(range(k * gt.slot_dim, (k + 1) * gt.slot_dim)) for k in range(gt.num_slots)], gt.latent_dim, outputs=gt.num_outputs, name=generator.name, dtype=torch.float64)
        s = sample_latents(ck.latents, n_points, gt.latent_dim, options.seed).z.to(torch.float64)
    else:
        g = from_generator(generator, torch.float64)
    if g.d != ghat.d:
        raise InputError(f"the decoder has {ghat.d} codes but {generator.name} has {g.d} latents")
    if g.m != ghat.m:
        raise InputError(f"the decoder has {ghat.m} outputs but {generator.name} has {g.m}")
    h = None
    if encoder is not None:
        def h(latents: torch.Tensor) -> torch.Tensor:
            return encoder(g(latents).to(ck.dtype))
    conditions = decoder_conditions(number, g, ghat, h=h, s=s, n_points=n_points, options=options, n=n, reach_tol=reach_tol)
    if encoder is None:
        conditions.notes.append(f"{path} holds no encoder, so h = encoder o g is unavailable")
    return DecoderFileCheck(generator, conditions, dict(ck.run))
