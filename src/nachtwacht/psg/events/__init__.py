"""Sleep-study event detectors, one module per event family.

Every detector module exposes ``NAME``, ``REQUIRES`` (channel roles; a tuple inside
means any one of them), ``Params`` (a frozen dataclass whose fields name the rule
they implement) and ``detect(rec, hyp, params=None, context=None) -> DetectorResult``.
A detector whose channel is missing, flat, clipped or too slowly sampled returns a
skipped result with a stated reason instead of raising.

:data:`REGISTRY` lists them in run order: respiratory events need desaturations,
leg movements need respiratory events (exclusion) and arousals (association).
:func:`run_all` runs them all and never lets one failing detector stop the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from types import ModuleType

from nachtwacht.psg.events import (
    arousal,
    bruxism,
    desaturation,
    leg_movements,
    respiratory,
    rswa,
    sleep_starts,
)
from nachtwacht.psg.events._common import SKIP_CODES, skipped
from nachtwacht.psg.types import DetectorResult, Hypnogram, Recording

log = logging.getLogger(__name__)

REGISTRY: list[ModuleType] = [
    desaturation,
    respiratory,
    arousal,
    leg_movements,
    rswa,
    bruxism,
    sleep_starts,
]

__all__ = ["REGISTRY", "SKIP_CODES", "by_name", "run_all"]


def by_name(name: str) -> ModuleType:
    """The detector module called ``name``."""
    for mod in REGISTRY:
        if name == mod.NAME:
            return mod
    known = ", ".join(m.NAME for m in REGISTRY)
    raise KeyError(f"no detector named {name!r}; known: {known}")


def run_all(
    rec: Recording,
    hyp: Hypnogram,
    params_by_name: Mapping[str, object] | None = None,
    only: tuple[str, ...] | None = None,
) -> dict[str, DetectorResult]:
    """Run every detector in :data:`REGISTRY` order.

    Parameters
    ----------
    rec, hyp : Recording, Hypnogram
        The night and its stages.
    params_by_name : mapping, optional
        Detector name -> its ``Params`` instance (or a dict of field overrides).
    only : tuple of str, optional
        Run only these detectors (still in registry order).

    Returns
    -------
    dict
        Detector name -> DetectorResult. A detector that raises is recorded as skipped
        with code ``error`` and the exception text; the others still run.
    """
    params_by_name = dict(params_by_name or {})
    unknown = set(params_by_name) - {m.NAME for m in REGISTRY}
    if unknown:
        raise KeyError(f"parameters for unknown detector(s) {sorted(unknown)}")
    results: dict[str, DetectorResult] = {}
    for mod in REGISTRY:
        if only is not None and mod.NAME not in only:
            continue
        p = params_by_name.get(mod.NAME)
        if isinstance(p, Mapping):
            p = mod.Params(**p)
        try:
            results[mod.NAME] = mod.detect(rec, hyp, params=p, context=dict(results))
        except Exception as exc:  # one broken detector must not sink the night
            # Only the exception type and message: no signal values or personal data.
            log.warning("detector %s failed: %s", mod.NAME, type(exc).__name__)
            results[mod.NAME] = skipped(mod.NAME, "error", f"{type(exc).__name__}: {exc}", p)
    return results
