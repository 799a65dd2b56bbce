"""Vectorised (pyarrow) validation of a canonical CSV, with frictionless's answer.

:func:`fast_report` is the entry point (:mod:`.engine`); :mod:`.judge`
judges a column, :mod:`.certain` and :mod:`.constraints` are the
vectorised tests per type and constraint, :mod:`.temporal` and
:mod:`.patterns` read dates and regular expressions as Python does,
:mod:`.keys` computes unique and key errors, :mod:`.checks` the portal's
own checks, and :mod:`.describe` has frictionless describe the rows
found wrong.
"""

from .engine import FastOutcome, fast_report

__all__ = ["FastOutcome", "fast_report"]
