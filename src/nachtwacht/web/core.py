"""Calls into the analysis core, tolerant of areas that are not installed or not ready.

A missing or failing analysis must never break the page a tired person opens in
the morning: the view shows a friendly note instead. Failures are logged by
exception type only (never with diary content).
"""

from __future__ import annotations

import importlib
import logging
from types import ModuleType
from typing import Any

log = logging.getLogger("nachtwacht.web")


def optional(module: str) -> ModuleType | None:
    """Import ``module`` or return None when it (or a dependency) is missing."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        log.info("optional module %s unavailable: %s", module, type(exc).__name__)
        return None


def call(module: str, func: str, *args: Any, **kwargs: Any) -> tuple[Any, str | None]:
    """Call ``module.func``; return ``(result, None)`` or ``(None, reason)``.

    ``reason`` is ``"missing"`` when the module cannot be imported and
    ``"error"`` when the analysis raised.
    """
    mod = optional(module)
    fn = getattr(mod, func, None) if mod is not None else None
    if fn is None:
        return None, "missing"
    try:
        return fn(*args, **kwargs), None
    except Exception as exc:  # an analysis bug must not take the page down
        log.warning("%s.%s failed: %s", module, func, type(exc).__name__)
        return None, "error"
