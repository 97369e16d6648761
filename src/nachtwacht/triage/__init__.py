"""Triage: red flags, an advice level, differential hints and a self-help plan.

Rules, plan measures and hints are data files in this package (``rules/*.yaml``,
``plan.yaml``, ``differentials.yaml``, ``vocabulary.yaml``) with Dutch and English
texts; :mod:`.loader` checks them strictly and :mod:`.conditions` evaluates them.
Nachtwacht never diagnoses: a flag says what in the diary deserves a doctor's look
and how soon.
"""

from __future__ import annotations

from .assess import URGENT_NOTICE, assess
from .conditions import RuleError
from .loader import load_hints, load_plan, load_rules, parse_rules
from .types import LEVELS, Differential, Evidence, Flag, PlanItem, TriageResult

__all__ = [
    "LEVELS", "URGENT_NOTICE", "Differential", "Evidence", "Flag", "PlanItem", "RuleError",
    "TriageResult", "assess", "load_hints", "load_plan", "load_rules", "parse_rules",
]
