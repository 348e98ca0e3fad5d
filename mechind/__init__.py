"""mechind: a symbolic-plus-numeric theorem checker for mechanistic independence.

The front door (CLI and reports).  The exact layer is :mod:`theory`, the numeric layer
:mod:`numeric`, the bundled generators :mod:`cases`.
"""

__version__ = "0.1.0"
