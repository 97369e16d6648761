"""Insight: which factors go together with bad nights, and did a change help.

``analyse(diary)`` runs the trigger analysis (:mod:`.triggers`);
``experiments.compare(diary, experiment)`` compares a period of change with the
baseline before it (:mod:`.experiments`). Pure core: no Django, no CLI.
"""

from __future__ import annotations

from .triggers import Finding, InsightResult, Skipped, analyse

__all__ = ["Finding", "InsightResult", "Skipped", "analyse"]
