"""Insight: which factors go together with bad nights, and did a change help.

``analyse(diary)`` runs the trigger analysis (:mod:`.triggers`);
``experiments.compare(diary, experiment)`` compares a period of change with the
baseline before it (:mod:`.experiments`). Pure core: no Django, no CLI.

The names below load on first use (PEP 562), so importing a light submodule
such as :mod:`.codes` does not pull in NumPy and SciPy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .triggers import Finding, InsightResult, Skipped, analyse

__all__ = ["Finding", "InsightResult", "Skipped", "analyse"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import triggers

        return getattr(triggers, name)
    raise AttributeError(f"module 'nachtwacht.insight' has no attribute {name!r}")
