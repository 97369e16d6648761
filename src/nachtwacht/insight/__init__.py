"""Insight: which factors go together with bad nights, and did a change help.

``analyse(diary)`` runs the trigger analysis (:mod:`.triggers`, models in
:mod:`.engine` and :mod:`.model`); ``ask(diary, "alcohol_any:sexsomnia")`` tests
one question asked in advance; ``experiments.compare(diary, experiment)``
compares a period of change with the baseline before it (:mod:`.experiments`),
and ``design.design(diary)`` proposes how to try one. Pure core: no Django, no
CLI. The model and its choices: ``docs/insight.md``.

The names below load on first use (PEP 562), so importing a light submodule
such as :mod:`.codes` does not pull in NumPy and SciPy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .triggers import Answer, Finding, InsightResult, Skipped, analyse, ask

__all__ = ["Answer", "Finding", "InsightResult", "Skipped", "analyse", "ask"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import triggers

        return getattr(triggers, name)
    raise AttributeError(f"module 'nachtwacht.insight' has no attribute {name!r}")
