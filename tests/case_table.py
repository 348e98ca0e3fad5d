"""Expected verdicts of the case table (docs/mathematics.md section 13), one entry per bundled generator.

Plain data, no tests. Keys of each entry:

* ``row``: the table row id ("P05").
* ``D``: Type D on the whole domain ("proved" / "refuted" / "unknown").
* ``M_point`` / ``M_global``: Type M (coordinate basis) at s* (the first point of the case
  file) / for all s.
* ``H2``, ``H3``: on the whole domain, block-diagonal reading; "unknown" where the table
  requires it (P17, whose truth is "proved").
* ``H4`` (P09, P17, P29 only) and ``H3_pairwise`` (P29 only): from the notes column.
* ``rho``: [rho_plus, rho_minus] at s*, or None where the table says "-".
* ``S``: Type S at s* under the default strict reading; a tie is "refuted"; None where the
  table says "-".
* ``tie``: whether rho_plus == rho_minus at s*.
* ``irreducible_point``: D-irreducible at s* (True / False / "degenerate").
* ``irreducible_global``: D-irreducible for all s, only where the table gives a value for
  all s ("ok/ok" or "ok/x"); None otherwise.
* ``LI``: locally injective on the domain.
* ``extra_points``: facts the table's notes state at further points, keyed "p1,p2,..."
  (rationals as p/q, in latent order); these points are also listed in the case files.
"""

P = "proved"
R = "refuted"
U = "unknown"

EXPECTED = {
    "p01-disjoint-baseline": {
        "row": "P01", "D": P, "M_point": P, "M_global": P,
        "H2": P, "H3": P,
        "rho": [4, 6], "S": P, "tie": False,
        "irreducible_point": True, "irreducible_global": None,
        "LI": True, "extra_points": {},
    },
    "p02-transcendental-disjoint": {
        "row": "P02", "D": P, "M_point": P, "M_global": P,
        "H2": P, "H3": P,
        "rho": [2, 3], "S": P, "tie": False,
        "irreducible_point": True, "irreducible_global": None,
        "LI": True, "extra_points": {},
    },
    "p03-irreducible-2d-block": {
        "row": "P03", "D": P, "M_point": P, "M_global": P,
        "H2": P, "H3": P,
        "rho": [6, 8], "S": P, "tie": False,
        "irreducible_point": True, "irreducible_global": True,  # table: irr "✓/✓"
        "LI": True, "extra_points": {},
    },
    "p04-square-mixing": {
        "row": "P04", "D": R, "M_point": R, "M_global": R,
        "H2": P, "H3": P,
        "rho": [4, 2], "S": R, "tie": False,
        "irreducible_point": True, "irreducible_global": None,
        "LI": True, "extra_points": {},
    },
    "p05-cubic-overlap-tie": {
        "row": "P05", "D": R, "M_point": P, "M_global": P,
        "H2": P, "H3": P,
        "rho": [4, 4], "S": R, "tie": True,  # table: "(4,4) tie"
        "irreducible_point": True, "irreducible_global": None,
        "LI": True,
        "extra_points": {"0,1/2": {"rho": [3, 4], "S": P}},  # notes: "at (0,½): (3,4) ✓"
    },
    "p06-small-overlap-s-without-d": {
        "row": "P06", "D": R, "M_point": P, "M_global": P,
        "H2": P, "H3": P,
        "rho": [8, 10], "S": P, "tie": False,
        "irreducible_point": True, "irreducible_global": None,
        "LI": True, "extra_points": {},
    },
    "p07-large-overlap-strict-failure": {
        "row": "P07", "D": R, "M_point": P, "M_global": P,
        "H2": P, "H3": P,
        "rho": [6, 5], "S": R, "tie": False,
        "irreducible_point": True, "irreducible_global": None,
        "LI": True, "extra_points": {},
    },
    "p08-bilinear-h3-not-h2": {
        "row": "P08", "D": R, "M_point": P, "M_global": P,
        "H2": R, "H3": P,
        "rho": [4, 4], "S": R, "tie": True,  # table: "(4,4) tie"
        "irreducible_point": True, "irreducible_global": None,
        "LI": True, "extra_points": {},
    },
    "p09-cubic-cross-h4-not-h3": {
        "row": "P09", "D": R, "M_point": P, "M_global": P,
        "H2": R, "H3": R, "H4": P,  # notes: "H₄ ✓"
        "rho": [4, 4], "S": R, "tie": True,  # table: "(4,4) tie"
        "irreducible_point": True, "irreducible_global": None,
        "LI": True, "extra_points": {},
    },
    "p10-support-containment": {
        "row": "P10", "D": R, "M_point": R, "M_global": R,
        "H2": P, "H3": P,
        "rho": [4, 3], "S": R, "tie": False,
        "irreducible_point": True, "irreducible_global": None,
        "LI": True, "extra_points": {},
    },
    "p11-fold-degenerate": {
        "row": "P11", "D": P, "M_point": R, "M_global": R,
        "H2": P, "H3": P,
        "rho": [1, 1], "S": R, "tie": True,  # table: "(1,1) tie"
        "irreducible_point": "degenerate",  # table: irr "degenerate" (rank-deficient block at 0, §7.1)
        "irreducible_global": None,
        "LI": False,  # certificate sigma: s1 -> -s1
        "extra_points": {"1/2,0": {"rho": [2, 3], "S": P}},  # notes: "at (½,0): (2,3) ✓"
    },
    "p12-circle-locally-injective": {
        "row": "P12", "D": P, "M_point": P, "M_global": P,
        "H2": P, "H3": P,
        "rho": [2, 3], "S": P, "tie": False,
        "irreducible_point": True, "irreducible_global": None,
        "LI": True, "extra_points": {},
    },
    "p13-reducible-split-and-merge": {
        "row": "P13", "D": P, "M_point": P, "M_global": P,
        "H2": P, "H3": P,
        "rho": [4, 5], "S": P, "tie": False,
        "irreducible_point": False,  # table: irr "✗" (one value = at s*)
        "irreducible_global": None,
        "LI": True, "extra_points": {},
    },
    "p14-disjoint-irreducible-block": {
        "row": "P14", "D": P, "M_point": P, "M_global": P,
        "H2": P, "H3": P,
        "rho": [6, 8], "S": P, "tie": False,
        "irreducible_point": True, "irreducible_global": True,  # table: irr "✓/✓"
        "LI": True, "extra_points": {},
    },
    "p15-linear-degenerate-separability": {
        "row": "P15", "D": R, "M_point": R, "M_global": R,
        "H2": P, "H3": P,
        "rho": [5, 4], "S": R, "tie": False,
        "irreducible_point": True, "irreducible_global": None,
        "LI": True, "extra_points": {},
    },
    "p16-algebraic-zero-constant": {
        "row": "P16", "D": R, "M_point": P, "M_global": P,
        "H2": P, "H3": P,  # proved only through minimal_polynomial (c = 0)
        "rho": [4, 4], "S": R, "tie": True,  # table: "(4,4) tie"
        "irreducible_point": True, "irreducible_global": None,
        "LI": True, "extra_points": {},
    },
    "p17-undecidable-zero-constant": {
        "row": "P17", "D": R, "M_point": P, "M_global": P,
        "H2": U,  # table: "unknown (truth ✓)"
        "H3": U,  # table: "unknown (truth ✓)"
        "H4": P,  # notes: "H₄ ✓"
        "rho": [4, 4],  # table: "(4,4) tie", decided without c' (one shared row: the closed form of 5.7)
        "S": R,
        "tie": True,
        "irreducible_point": True, "irreducible_global": None,
        "LI": True, "extra_points": {},
    },
    "p18-heaviside-inactive-piece": {
        "row": "P18", "D": R, "M_point": P, "M_global": P,
        "H2": P, "H3": P,  # proved only by piece selection
        "rho": [4, 4], "S": R, "tie": True,  # table: "(4,4) tie"
        "irreducible_point": True, "irreducible_global": None,
        "LI": True, "extra_points": {},
    },
    "p19-heaviside-active-piece": {
        "row": "P19", "D": R, "M_point": P, "M_global": P,
        "H2": R, "H3": R,
        "rho": [4, 4], "S": R, "tie": True,  # table: "(4,4) tie"
        "irreducible_point": True, "irreducible_global": None,
        "LI": True, "extra_points": {},
    },
    "p20-switching-supports-box": {
        "row": "P20", "D": R, "M_point": P, "M_global": P,
        "H2": P, "H3": P,
        "rho": [3, 4], "S": P, "tie": False,
        "irreducible_point": True, "irreducible_global": None,
        "LI": True, "extra_points": {},
    },
    "p21-switching-supports-region": {
        "row": "P21", "D": P, "M_point": P, "M_global": P,
        "H2": P, "H3": P,
        "rho": [3, 4], "S": P, "tie": False,
        "irreducible_point": True, "irreducible_global": None,
        "LI": True, "extra_points": {},
    },
    "p22-hidden-trig-zero": {
        "row": "P22", "D": P, "M_point": P, "M_global": P,
        "H2": P, "H3": P,
        "rho": [3, 4], "S": P, "tie": False,
        "irreducible_point": True, "irreducible_global": None,
        "LI": True, "extra_points": {},
    },
    "p23-measure-zero-m-failure": {
        "row": "P23", "D": R, "M_point": P, "M_global": R,  # table: M "✓/✗"
        "H2": P, "H3": P,
        "rho": [6, 7], "S": P, "tie": False,
        "irreducible_point": True, "irreducible_global": None,
        "LI": True,
        "extra_points": {"1/2,1/3": {"rho": [4, 3], "S": R}},  # notes: "at (½,⅓): (4,3) ✗"
    },
    "p24-transcendental-containment": {
        "row": "P24", "D": R, "M_point": R, "M_global": R,
        "H2": P, "H3": P,
        "rho": [3, 2], "S": R, "tie": False,
        "irreducible_point": True, "irreducible_global": None,
        "LI": True, "extra_points": {},
    },
    "p25-nonproportional-overlap": {
        "row": "P25", "D": R, "M_point": P, "M_global": P,
        "H2": P, "H3": P,
        "rho": [9, 10], "S": P, "tie": False,
        "irreducible_point": True, "irreducible_global": None,
        "LI": True, "extra_points": {},
    },
    "p26-proportional-overlap-tie": {
        "row": "P26", "D": R, "M_point": P, "M_global": P,
        "H2": P, "H3": P,
        "rho": [9, 9], "S": R, "tie": True,  # table: "(9,9) tie"
        "irreducible_point": True, "irreducible_global": None,
        "LI": True, "extra_points": {},
    },
    "p27-complex-squaring": {
        "row": "P27", "D": R, "M_point": P, "M_global": R,  # table: M "✓/✗"
        "H2": R, "H3": P,
        "rho": [2, 3], "S": P, "tie": False,
        "irreducible_point": True, "irreducible_global": None,
        "LI": True,
        "extra_points": {"3/2,1/4": {"rho": [4, 2], "S": R}},  # notes: "at (3/2,¼): (4,2) ✗"
    },
    "p28-multidim-block-tie": {
        "row": "P28", "D": R, "M_point": P, "M_global": P,
        "H2": P, "H3": P,
        "rho": [10, 10], "S": R, "tie": True,  # table: "(10,10) tie"
        "irreducible_point": True, "irreducible_global": None,
        "LI": True, "extra_points": {},
    },
    "p29-three-block-h3-reading": {
        "row": "P29", "D": R, "M_point": P, "M_global": P,
        "H2": R,
        "H3": R,  # table: "✗ (pairwise ✓)": refuted under the default block-diagonal reading
        "H3_pairwise": P,
        "H4": P,  # notes: "H₄ ✓"
        "rho": [8, 8], "S": R, "tie": True,  # table: "(8,8) tie"
        "irreducible_point": True, "irreducible_global": None,
        "LI": True, "extra_points": {},
    },
    "p30-reducible-on-lines": {
        "row": "P30", "D": P, "M_point": P, "M_global": P,
        "H2": P, "H3": P,
        "rho": [6, 8], "S": P, "tie": False,
        "irreducible_point": True, "irreducible_global": False,  # table: irr "✓/✗"
        "LI": True, "extra_points": {},
    },
    "p31-irreducible-on-box": {
        "row": "P31", "D": P, "M_point": P, "M_global": P,
        "H2": P, "H3": P,
        "rho": [6, 8], "S": P, "tie": False,
        "irreducible_point": True, "irreducible_global": True,  # table: irr "✓/✓"
        "LI": True, "extra_points": {},
    },
    "p32-cusp-not-locally-injective": {
        "row": "P32", "D": R, "M_point": R, "M_global": R,
        "H2": R, "H3": P,
        "rho": [3, 2], "S": R, "tie": False,
        "irreducible_point": True, "irreducible_global": None,
        "LI": False,  # certificate sigma(t**2, t) = (t**2, -2t)
        "extra_points": {},
    },
    "p33-s-without-h2": {
        "row": "P33", "D": R, "M_point": P, "M_global": P,
        "H2": R, "H3": P,
        "rho": [7, 8], "S": P, "tie": False,
        "irreducible_point": True, "irreducible_global": None,
        "LI": True, "extra_points": {},
    },
}
