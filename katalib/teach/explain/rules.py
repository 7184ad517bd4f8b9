"""The one ordered table of rules: every subject's ``RULES``, in the order they are tried.

Order matters: ``find`` asks the rules in this order and the first that fits speaks, so within a
subject the precise wordings come before the general ones, and a subject's rules come before
those of a later subject that catch the same exception (``Failed``: loops before counts).
"""

from __future__ import annotations

from katalib.teach.explain import (
    counts,
    definitions,
    fetching,
    integrity,
    loading,
    lookups,
    loops,
    names,
    saving,
)
from katalib.teach.explain.base import Rule

RULES: tuple[Rule, ...] = (
    *definitions.RULES,
    *saving.RULES,
    *fetching.RULES,
    *names.RULES,
    *lookups.RULES,
    *integrity.RULES,
    *loading.RULES,
    *loops.RULES,
    *counts.RULES,
)
