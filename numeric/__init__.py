"""mechind's numeric layer (torch): batched derivatives and numeric criteria.

The layer is built in its own issue; the package exists so that the distribution's
layout matches DESIGN.md section 1.  It may import :mod:`theory`, never the reverse.
"""
