"""Global checks of an image generator that use its structure (objects x pixel grid).

They answer the same questions as the general checks of :mod:`theory.criteria`.  D, M, H_n
and Type S at a point fall back to the general check whenever the structure does not decide,
so their verdicts are never weaker than the general ones; global Type S, irreducibility on
all of S, spanning and local injectivity answer ``unknown`` at once where the structure does
not decide (the general routes work output by output, which an image makes slow):

* **D**: candidate rows are the pixel classes (pixels reached by the same objects) whose
  latents meet two blocks; with none, D is proved by the reach geometry alone.  Otherwise a
  witness is built where two such objects are placed near a pixel of the class.
* **M** (coordinate basis): every ordered cross pair gets a cover certificate
  (:func:`theory.image.cover.cover_certificate`); pairs without one are searched for a
  containment at points where two objects coincide, restricted to the rows the two
  latents' objects reach (every other row is an exact zero in both columns).
* **H_n**: candidate multi-indices come from the class patterns; a witness is built where
  the objects of the multi-index are placed near a pixel.
* **C^n**: by construction (sums and products of C^2 bumps and analytic blobs, the scale
  bounded away from 0).
* **M at a point**: the general check, re-verifying a containment on the rows near the point only.
* **S on all of S**: Type D on S and a full-rank certificate per block
  (:mod:`theory.image.rank`); for a scene linear in its latents, Type S at one point.
* **irreducibility on all of S** (the plan of ``irreducible:<kind>``): lattice certificates of
  D-irreducibility; S-, M- and H_n-irreducibility where every factor is 1-D.
* **spanning**: :mod:`theory.image.spanning`.
* **local injectivity**: an immersion certificate (:func:`theory.image.rank.immersion_certificate`),
  or a constant Jacobian of full rank.

Every refutation carries an exact rational point and is re-verified on the independent
route of :mod:`theory.criteria.witness` (exact values from the original pixel expression,
confirmed by finite differences of the scene's values).

Examples
--------
>>> import sympy as sp
>>> from theory import Box, check
>>> from theory.image import Bump, ImageGenerator, Sprite
>>> x1, y1, x2, y2 = sp.symbols("x1 y1 x2 y2", real=True)
>>> g = ImageGenerator("two", (8, 8), [Sprite(Bump(2), x1, y1), Sprite(Bump(2), x2, y2)],
...                    Box({x1: (1, 2), y1: (1, 2), x2: (5, 6), y2: (5, 6)}))
>>> [(r.criterion, r.verdict, r.method) for r in check(g, "D,M,H2", isolate=False) if r.scope == "global"]
[('D', 'proved', 'piece-selection'), ('M', 'proved', 'exclusive-rows'), ('H2', 'proved', 'structural')]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from functools import partial


from theory.criteria.certified_minors import TooManyMinors
from theory.criteria.containment import check_containment, check_containment_at, check_containment_global, check_containment_point, containment_witness
from theory.criteria.context import CheckContext, enclosures_json, strongest_method, value_json
from theory.criteria.cross_derivatives import check_cross_derivatives, hn_reading
from theory.criteria.disjointness import check_disjointness
from theory.criteria.irreducibility import check_irreducible_at, plan_irreducible
from theory.criteria.smoothness import check_smoothness
from theory.criteria.sparsity_gap import check_sparsity_gap_at
from theory.criteria.witness import verify_containment, verify_cross_derivative, verify_two_blocks
from theory.linalg.rational import rank
from theory.image.cover import candidate_points, coincidence_points, cover_certificate
from theory.image.rank import block_certificate, immersion_certificate
from theory.image.spanning import check_spanning_image
from theory.model.derivatives import PointDerivativeUndecided
from theory.registry import Job
from theory.result import CheckResult, point_json

__all__ = [
    "STRUCTURED",
    "check_disjointness_image",
    "check_containment_image",
    "check_containment_point_image",
    "check_cross_derivatives_image",
    "check_smoothness_image",
    "check_sparsity_gap_at_image",
    "check_sparsity_gap_global_image",
    "check_locally_injective_image",
    "check_irreducible_global_image",
    "plan_irreducible_image",
    "linear_scene",
]

#: Pixels of one class tried by a witness search.
PIXELS_PER_CLASS = 6


def _classes(g) -> dict[tuple[int, ...], list[int]]:
    """Pixels grouped by the objects that reach them (unreached pixels left out)."""
    out: dict[tuple[int, ...], list[int]] = defaultdict(list)
    for t, objects in enumerate(g.pixel_objects):
        if objects:
            out[objects].append(t)
    return dict(out)


def _central(g, pixels: list[int], objects: tuple[int, ...]) -> list[int]:
    """Up to :data:`PIXELS_PER_CLASS` pixels of a class, nearest the centres of the objects' boxes first."""
    centres = []
    for k in objects:
        box, sprite = g.boxes[k], g.objects[k]
        centres.append((sum(box[sprite.x]) / 2, sum(box[sprite.y]) / 2))

    def spread(t: int) -> object:
        X, Y = g.grid.centre(t)
        return sum((X - cx) ** 2 + (Y - cy) ** 2 for cx, cy in centres)

    return sorted(pixels, key=spread)[:PIXELS_PER_CLASS]


def _owners(g, latents) -> tuple[int, ...]:
    return tuple(sorted({g.owner[a][0] for a in latents if a in g.owner}))


# -- Type D -------------------------------------------------------------------------------------------
def check_disjointness_image(ctx: CheckContext) -> CheckResult:
    """Global Type D of an image generator (criterion ``D``, scope ``global``)."""
    g, table = ctx.generator, ctx.table
    conflicts = {}
    for objects, pixels in _classes(g).items():
        by_block: dict[int, list[int]] = {}
        for a in sorted(table.dependencies(pixels[0])):
            by_block.setdefault(g.block_of[a], []).append(a)
        if len(by_block) >= 2:
            conflicts[objects] = (pixels, by_block)
    details: dict = {"rows_checked": sum(len(p) for p, _ in conflicts.values()), "rows": g.m, "pixel_classes": len(conflicts)}
    if not conflicts:
        raw = len({g.block_of[a[0]] for a in table.raw_patterns(1)[0] if len(a) == 1}) >= 2
        return CheckResult("D", "proved", "global", "piece-selection" if raw else "structural", details=details)
    for objects, (pixels, by_block) in conflicts.items():
        for t in _central(g, pixels, objects):
            for point in candidate_points(g, t, objects):
                ctx.budget.check()
                hits = {}
                for k, latents in by_block.items():
                    for a in latents:
                        if ctx.value_at(t, (a,), point).is_nonzero:
                            hits[k] = a
                            break
                if len(hits) < 2:
                    continue
                a, b = list(hits.values())[:2]
                checked = verify_two_blocks(g, point, t, a, b)
                if checked is None:
                    continue
                da, db = checked
                witness = {"point": dict(point), "output": t, "latents": [str(g.latents[a]), str(g.latents[b])], "values": [value_json(da), value_json(db)]}
                enclosures = enclosures_json([da, db])
                if enclosures:
                    witness["enclosures"] = enclosures
                return CheckResult("D", "refuted", "global", strongest_method([da.method, db.method]), witness=witness, details=details)
    return _fallback(check_disjointness(ctx), "D")


# -- Type M ---------------------------------------------------------------------------------------------
def check_containment_image(ctx: CheckContext) -> CheckResult:
    """Global Type M of an image generator (criterion ``M``, scope ``global``)."""
    if ctx.readings.m_basis != "coordinates":
        return check_containment_global(ctx)
    g = ctx.generator
    pairs = [(a, b) for a in range(g.d) for b in range(g.d) if g.block_of[a] != g.block_of[b]]
    if not pairs:
        return check_containment(ctx)
    details: dict = {"m-basis": "coordinates"}
    certificates, remaining = {}, []
    for a, b in pairs:
        ctx.budget.check()
        cert = cover_certificate(g, a, b)
        if cert is None:
            remaining.append((a, b))
        else:
            certificates[f"{g.latents[a]} not in {g.latents[b]}"] = cert
    if not remaining:
        details["certificates"] = certificates
        return CheckResult("M", "proved", "global", "exclusive-rows", details=details)
    for a, b in remaining:
        found = _containment_witness(ctx, a, b, details)
        if found is not None:
            return found
    return _fallback(check_containment(ctx), "M")


def check_containment_point_image(ctx: CheckContext, point: dict) -> CheckResult:
    """Type M at ``point`` (criterion ``M``, scope ``point``), coordinate basis: the general
    check (:func:`theory.criteria.containment.check_containment_at`), except that a
    containment is re-verified only on the rows where either latent can have a nonzero
    derivative near the point (every other row is an exact zero in both columns), instead
    of on every pixel's expression."""
    if ctx.readings.m_basis != "coordinates":
        return check_containment_point(ctx, point)
    g = ctx.generator
    return check_containment_at(ctx, point, rows=lambda a, b: _near(g, point, (a, b), _rows(g, a, b)))


def _rows(g, a: int, b: int) -> list[int]:
    """The pixels where column ``a`` or ``b`` may be nonzero (all others: exact zeros in both)."""
    rows: set[int] = set()
    for k in _owners(g, (a, b)):
        rows |= g.reached[k]
    return sorted(rows)


def _containment_witness(ctx: CheckContext, a: int, b: int, details: dict) -> CheckResult | None:
    g = ctx.generator
    owners = [g.owner[c][0] for c in (a, b) if c in g.owner]
    points = coincidence_points(g, owners[0], owners[1]) if len(owners) == 2 and owners[0] != owners[1] else []
    rows = _rows(g, a, b)
    for point in points + ctx.probe_points(3):
        ctx.budget.check()
        if not _contained(ctx, point, a, b, rows):
            continue
        # only the rows where either column may be nonzero: elsewhere the pixel depends on neither latent
        supports = verify_containment(g, point, a, b, ctx.constants, rows=_near(g, point, (a, b), rows))
        if supports is None:
            continue
        details["rows_verified"] = len(rows)
        return CheckResult("M", "refuted", "global", "exact-evaluation", witness=containment_witness(g, point, a, b, supports), details=details)
    return None


def _near(g, point: dict, latents: tuple[int, ...], rows: list[int]) -> list[int]:
    """The rows where a latent of ``latents`` may have a nonzero derivative at ``point``: a
    compact sprite is 0 on a neighbourhood of every point where its pixel lies strictly
    outside its support circle (``u > 1``, an open condition decided exactly)."""
    sprites = [g.objects[k] for k in _owners(g, latents)]
    out = []
    for t in rows:
        X, Y = g.grid.centre(t)
        if any(not s.profile.compact or s.u_at(X, Y, point) <= 1 for s in sprites):
            out.append(t)
    return out


def _contained(ctx: CheckContext, point: dict, a: int, b: int, rows: list[int]) -> bool:
    """Whether the structured values show ``supp d_a g`` inside ``supp d_b g`` at ``point``."""
    for t in rows:
        try:
            da = ctx.table.value(t, (a,), point)
            db = ctx.table.value(t, (b,), point)
        except PointDerivativeUndecided:
            return False
        if da != 0 and db == 0:
            return False
    return True


# -- Type H_n ---------------------------------------------------------------------------------------------
def check_cross_derivatives_image(ctx: CheckContext, n: int, reading: str | None = None) -> CheckResult:
    """Global Type H_n of an image generator (criterion ``Hn``, scope ``global``)."""
    reading = hn_reading(n, reading, ctx.readings)
    g, table = ctx.generator, ctx.table
    name = f"H{n}"

    def crossing(alpha: tuple[int, ...]) -> bool:
        k = len({g.block_of[a] for a in alpha})
        return len(alpha) == n and k >= 2 and (reading == "block-diagonal" or k == 2)

    candidates = []
    for objects, pixels in _classes(g).items():
        alphas = sorted(alpha for alpha in table.patterns(n)[pixels[0]] if crossing(alpha))
        if alphas:
            candidates.append((objects, pixels, alphas))
    details: dict = {"reading": reading, "candidates": sum(len(p) * len(al) for _, p, al in candidates)}
    if not candidates:
        raw = any(crossing(alpha) for alpha in table.raw_patterns(n)[0])
        return CheckResult(name, "proved", "global", "piece-selection" if raw else "structural", details=details)
    for objects, pixels, alphas in candidates:
        for alpha in alphas:
            for t in _central(g, pixels, _owners(g, alpha)):
                for point in candidate_points(g, t, _owners(g, alpha), limit=8):
                    ctx.budget.check()
                    try:
                        if not ctx.value_at(t, alpha, point).is_nonzero:
                            continue
                    except PointDerivativeUndecided:
                        continue
                    value = verify_cross_derivative(g, point, t, alpha, reading)
                    if value is None:
                        continue
                    witness = {"point": dict(point), "output": t, "multi_index": [str(g.latents[a]) for a in alpha], "value": value_json(value)}
                    enclosures = enclosures_json([value])
                    if enclosures:
                        witness["enclosure"] = enclosures[0]
                    return CheckResult(name, "refuted", "global", value.method, witness=witness, details=details)
    return _fallback(check_cross_derivatives(ctx, n, reading), name)


# -- C^n ------------------------------------------------------------------------------------------------------
def check_smoothness_image(ctx: CheckContext, n: int) -> CheckResult:
    """Whether g is C^n (criterion ``Cn``): by construction when every profile is (a bump
    is C^2, a Gaussian analytic; sums and products keep the least order, and ``u`` is a
    smooth function of the latents since a scale stays positive), else the general check."""
    order = ctx.generator.smoothness
    if order is None or order >= n:
        note = "every sprite is C^%s and pixels are sums and products of sprites" % ("infinity" if order is None else order)
        return CheckResult(f"C{n}", "proved", "global", "construction", details={"note": note})
    return check_smoothness(ctx, n)


# -- Type S at a point ------------------------------------------------------------------------------------------
def check_sparsity_gap_at_image(
    ctx: CheckContext, point: dict, reading: str | None = None, rho_plus_reading: str | None = None, engine: str | None = None
) -> CheckResult:
    """Type S at ``point`` (criterion ``S``, scope ``point``): where the objects' supports are
    disjoint at the point, by Type D at the point and full column rank of every block
    (the argument of :mod:`theory.criteria.sparsity_global`, which holds at one point:
    rho+ < rho- under the pointwise reading; D alone gives the non-strict reading); anywhere
    else, and under the coordinate reading of rho+ with a block of dimension >= 2, the
    general check (:func:`theory.criteria.sparsity_gap.check_sparsity_gap_at`)."""
    g = ctx.generator
    reading = ctx.readings.s if reading is None else reading
    rho_plus_reading = ctx.readings.rho_plus if rho_plus_reading is None else rho_plus_reading

    def general() -> CheckResult:
        try:
            return check_sparsity_gap_at(ctx, point, reading, rho_plus_reading, engine)
        except TooManyMinors as exc:  # the certified-minor search of the general engines gave up
            return CheckResult("S", "unknown", "point", "too-many-minors", details={"note": str(exc)}, point=point)

    if g.K < 2 or reading not in ("strict", "non-strict") or rho_plus_reading not in ("pointwise", "coordinates"):
        return general()
    if rho_plus_reading == "coordinates" and any(len(b) > 1 for b in g.blocks):
        return general()
    jac = ctx.jacobian_at(point)
    rows: dict[int, list[int]] = {}
    for t, row in enumerate(jac.entries):
        blocks = {g.block_of[a] for a, e in enumerate(row) if e.status != "zero"}
        if len(blocks) > 1:
            return general()  # supports meet at this point (or an entry is undecided)
        if blocks:
            rows.setdefault(blocks.pop(), []).append(t)
    details: dict = {"readings": {"s-strict": reading, "rho-plus": rho_plus_reading}, "D_at_point": True}
    if reading == "non-strict":
        details["note"] = "Type D at the point implies rho+ <= rho- there (theory.criteria.sparsity_global)"
        return CheckResult("S", "proved", "point", "disjoint", details=details, point=point)
    J, _ = ctx.rational_jacobian_at(point)
    if J is None:
        return general()
    ranks = {}
    for k, block in enumerate(g.blocks):
        ctx.budget.check()
        r = rank([[J[t][a] for a in block] for t in rows.get(k, [])]) if rows.get(k) else 0
        ranks[g.factor_names[k]] = r
        if r < len(block):
            return general()
    details["rank"] = ranks
    details["note"] = "Type D and full column rank of every block at the point imply rho+ < rho- there (theory.criteria.sparsity_global)"
    return CheckResult("S", "proved", "point", "disjoint-and-full-rank", details=details, point=point)


# -- Type S on the whole domain -------------------------------------------------------------------------------
def check_sparsity_gap_global_image(ctx: CheckContext) -> CheckResult:
    """Global Type S (criterion ``S``, scope ``global``): a refutation at the generator's
    points (the pointwise check of this module, re-verified there), else Type D on S (the
    structured check) and full column rank of every block on S, certified per block by the
    lattice geometry of :mod:`theory.image.rank`, imply Type S on S (the argument of
    :mod:`theory.criteria.sparsity_global`).  Anything else is ``unknown`` at once: the
    general route enumerates minors or strata output by output, which an image makes slow."""
    g = ctx.generator
    readings = {"s-strict": ctx.readings.s, "rho-plus": ctx.readings.rho_plus}
    details: dict = {"readings": readings}
    if linear_scene(g):  # J is the same at every point: the answer at one point is the global one
        point = ctx.some_point()
        at = check_sparsity_gap_at_image(ctx, point)
        details.update({k: at.details[k] for k in ("rho_plus", "rho_minus") if k in (at.details or {})})
        details["point"] = point_json(point)
        details["note"] = "every latent is a brightness of a fixed sprite and pixels are sums: g is linear, J is constant on S, so Type S at one point is Type S on S"
        details["method_at_point"] = at.method
        return CheckResult("S", at.verdict, "global", "constant-jacobian" if at.verdict != "unknown" else at.method, witness=at.witness, details=details)
    disjoint = check_disjointness_image(ctx)
    details["D"] = {"verdict": disjoint.verdict, "method": disjoint.method}

    def refuted_at_points() -> CheckResult | None:
        for point in g.points:
            at = check_sparsity_gap_at_image(ctx, dict(point))
            if at.verdict == "refuted":
                details["found_at"] = "a checked point"
                return CheckResult("S", "refuted", "global", at.method, witness=at.witness, details=details)
        return None

    if disjoint.verdict != "proved":  # Type S can fail: look at the checked points
        return refuted_at_points() or _structure_undecided("S", details, f"Type D on S is {disjoint.verdict}: Type S on S without D is not decided from the scene's structure")
    if ctx.readings.rho_plus == "coordinates" and any(len(b) > 1 for b in g.blocks):
        return _structure_undecided("S", details, "rho+ in the given coordinates: the D-and-full-rank route needs 1-D factors")
    if ctx.readings.s == "non-strict":
        details["note"] = "Type D on S alone implies rho+ <= rho- at every s (theory.criteria.sparsity_global)"
        return CheckResult("S", "proved", "global", "disjoint", details=details)
    ranks = {}
    for k, name in enumerate(g.factor_names):
        ctx.budget.check()
        cert = block_certificate(g, k, "rank")
        if cert is None:  # the rank may drop (a zero column, as at a sprite's centre): look at the checked points
            details["rank"] = ranks
            return refuted_at_points() or _structure_undecided("S", details, f"factor {name}: no lattice certificate of full column rank on all of S")
        ranks[name] = cert
    details["rank"] = ranks
    details["note"] = "Type D on S and full column rank of every block on S imply Type S on S (theory.criteria.sparsity_global)"
    return CheckResult("S", "proved", "global", "disjoint-and-full-rank", details=details)


def linear_scene(g) -> bool:
    """Whether g is linear in its latents: no occlusion, and every latent is the brightness of
    a sprite whose position and scale are fixed (then J does not depend on the point)."""
    return not g.occlusion and all(o.latents == (o.brightness,) for o in g.objects) and len(g.owner) == g.d


# -- local injectivity ---------------------------------------------------------------------------------------------
def check_locally_injective_image(ctx: CheckContext) -> CheckResult:
    """Local injectivity (criterion ``locally-injective``): an immersion certificate
    (:func:`theory.image.rank.immersion_certificate`: rank J = d at every point, so by the
    inverse function theorem g, which is C^1 by construction, is injective near every point),
    else ``unknown`` at once (the general route's minors are too many on an image)."""
    g = ctx.generator
    details: dict = {"assumes": "g is C^%s by construction" % ("infinity" if g.smoothness is None else g.smoothness)}
    cert = immersion_certificate(g)
    if cert is None and linear_scene(g):  # g(s) = J s + c with J constant: injective iff rank J = d
        point = ctx.some_point()
        J, _ = ctx.rational_jacobian_at(point)
        if J is not None and rank(J) == g.d:
            details["note"] = "g is linear in its latents (brightnesses of fixed sprites) with a constant J of rank d: injective"
            return CheckResult("locally-injective", "proved", "global", "constant-jacobian", details=details)
    if cert is None:
        return _structure_undecided("locally-injective", details, "no order of the blocks gives each one certificate rows that later objects never reach")
    details["certificate"] = cert
    details["note"] = "the certificate rows make J block lower triangular with full-rank diagonal blocks: rank J = d on S (an immersion)"
    return CheckResult("locally-injective", "proved", "global", "rank-certificate", details=details)


# -- irreducibility ---------------------------------------------------------------------------------------------
def plan_irreducible_image(ctx: CheckContext, points: list, kind: str) -> list:
    """The jobs of ``irreducible:<kind>`` on an image: the general plan under
    ``irreducible-scope: generic``; otherwise the pointwise checks at the points and the
    structured global check (:func:`check_irreducible_global_image`) for every kind."""
    if ctx.readings.irreducible_scope == "generic":
        return plan_irreducible(ctx, points, kind)
    jobs = [Job("point", p, partial(check_irreducible_at, ctx, p, kind)) for p in points]
    return jobs + [Job("global", None, partial(check_irreducible_global_image, ctx, kind))]


def check_irreducible_global_image(ctx: CheckContext, kind: str = "D") -> CheckResult:
    """``kind``-irreducibility of every factor on all of S (criterion ``irreducible:<kind>``,
    scope ``global``).  D: every block certified by :func:`theory.image.rank.block_certificate`
    (a 1-D column nonzero everywhere; a 2-D position block with a covered 3 x 3 square of
    pixels); S, M, H_n: proved when every block is 1-D (a line has no two nonzero parts) and
    has a nonzero column everywhere.  Otherwise ``unknown`` (a refutation at the checked
    points, from the pointwise jobs, refutes the theorem's hypothesis on its own)."""
    g = ctx.generator
    name = f"irreducible:{kind}"
    details: dict = {"readings": {"irreducible-scope": "everywhere"}}
    if kind != "D" and any(len(b) > 1 for b in g.blocks):
        return _structure_undecided(name, details, f"{kind}-irreducibility of a factor of dimension >= 2 on all of S is checked at points only")
    certs = {}
    for k, factor in enumerate(g.factor_names):
        ctx.budget.check()
        cert = block_certificate(g, k, "irreducible")
        if cert is None:
            return _structure_undecided(name, details, f"factor {factor}: no lattice certificate of D-irreducibility on all of S")
        certs[factor] = cert
    details["certificates"] = certs
    if kind != "D":
        details["note"] = "every factor is 1-D with a column nonzero on all of S: a line cannot split into two nonzero parts"
        return CheckResult(name, "proved", "global", "structural", details=details)
    return CheckResult(name, "proved", "global", "lattice-certificate", details=details)


def _structure_undecided(criterion: str, details: dict, reason: str) -> CheckResult:
    details["reason"] = reason
    details["structured"] = "not decided from the scene's structure; the general route is not run on an image (it works output by output)"
    return CheckResult(criterion, "unknown", "global", "not-implemented", details=details)


def _fallback(result: CheckResult, criterion: str) -> CheckResult:
    details = dict(result.details or {})
    details["structured"] = "the scene's structure did not decide; this is the general check's answer"
    result.details = details
    return result


#: The structured checks by ``(registry id, scope)``; scope ``plan`` replaces a record's own plan
#: (:meth:`theory.image.generator.ImageGenerator.structured_check`, :func:`theory.checker.plan`).
STRUCTURED: dict[tuple[str, str], Callable] = {
    ("D", "global"): check_disjointness_image,
    ("M", "global"): check_containment_image,
    ("Hn", "global"): check_cross_derivatives_image,
    ("Cn", "global"): check_smoothness_image,
    ("S", "point"): check_sparsity_gap_at_image,
    ("M", "point"): check_containment_point_image,
    ("S", "global"): check_sparsity_gap_global_image,
    ("locally-injective", "global"): check_locally_injective_image,
    ("spanning", "global"): check_spanning_image,
    **{(f"irreducible:{kind}", "plan"): plan_irreducible_image for kind in ("D", "S", "M", "H2")},
}
