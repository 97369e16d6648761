"""Sleep-study event detectors, one module per event family.

Every detector module exposes ``NAME``, ``REQUIRES`` (channel roles; a tuple inside
means any one of them), ``NEEDS`` (names of the detectors whose results it reads),
``Params`` (a frozen dataclass whose fields name the rule they implement) and
``detect(rec, hyp, params=None, context=None) -> DetectorResult``. A detector whose
channel is missing, flat, clipped or too slowly sampled returns a skipped result
with a stated reason instead of raising.

Run order comes from the declared ``NEEDS``, resolved once at import by a
topological sort (:mod:`graphlib`, standard library; a cycle is an error):
arousals before respiratory events (AASM hypopnea rule 1A counts a ≥ 30 % flow drop
with an arousal), desaturations before respiratory events (rules 1A/1B), respiratory
events and arousals before leg movements (exclusion and association). :data:`REGISTRY`
lists the modules in that order. :func:`run_all` runs them, never lets one failing
detector stop the rest, and hands each detector a :class:`Context` that raises
:class:`UndeclaredResultError` when the detector reads a result it did not declare, so an
ordering mistake fails loudly in the tests instead of silently dropping events.
"""

from __future__ import annotations

import graphlib
import logging
from collections.abc import Iterator, Mapping, Sequence
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

#: Every detector module; the order here only breaks ties between independent ones.
MODULES: tuple[ModuleType, ...] = (
    desaturation, arousal, respiratory, leg_movements, rswa, bruxism, sleep_starts,
)


class UndeclaredResultError(KeyError):
    """A detector read a result it did not declare in ``NEEDS``."""


def resolve_order(modules: Sequence[ModuleType]) -> list[ModuleType]:
    """Modules sorted so that each runs after every module named in its ``NEEDS``.

    Raises
    ------
    ValueError
        When a module needs an unknown detector, or the needs form a cycle.
    """
    by = {m.NAME: m for m in modules}
    rank = {m.NAME: i for i, m in enumerate(modules)}
    ts: graphlib.TopologicalSorter = graphlib.TopologicalSorter()
    for m in modules:
        needs = tuple(getattr(m, "NEEDS", ()))
        missing = [n for n in needs if n not in by]
        if missing:
            raise ValueError(f"detector {m.NAME!r} needs unknown detector(s) {missing}")
        ts.add(m.NAME, *needs)
    try:
        ts.prepare()
    except graphlib.CycleError as exc:
        raise ValueError(f"detector dependencies form a cycle: {exc.args[1]}") from exc
    out: list[ModuleType] = []
    ready: set[str] = set()
    while ts.is_active():
        # One at a time, the earliest listed first: the run order stays as close to the
        # listed order as the needs allow, and is stable between versions.
        ready.update(ts.get_ready())
        first = min(ready, key=rank.__getitem__)
        ready.discard(first)
        out.append(by[first])
        ts.done(first)
    return out


REGISTRY: list[ModuleType] = resolve_order(MODULES)

__all__ = ["REGISTRY", "SKIP_CODES", "Context", "UndeclaredResultError", "by_name",
           "resolve_order", "run_all"]


class Context(Mapping):
    """The results one detector may read: only its declared ``NEEDS``.

    Reading a name outside ``NEEDS`` raises :class:`UndeclaredResultError`; a declared
    detector that did not run (``only=``) reads as absent (``get`` gives None), and the
    detector says so in its notes.
    """

    def __init__(self, name: str, needs: Sequence[str],
                 results: Mapping[str, DetectorResult]) -> None:
        self._name = name
        self._needs = tuple(needs)
        self._results = results

    def _check(self, key: str) -> None:
        if key not in self._needs:
            raise UndeclaredResultError(
                f"detector {self._name!r} reads {key!r} without declaring it in NEEDS "
                f"{self._needs}")

    def __getitem__(self, key: str) -> DetectorResult:
        self._check(key)
        return self._results[key]

    def get(self, key: str, default: object = None):  # type: ignore[override]
        self._check(key)
        return self._results.get(key, default)

    def __contains__(self, key: object) -> bool:
        self._check(str(key))
        return key in self._results

    def __iter__(self) -> Iterator[str]:
        return (k for k in self._needs if k in self._results)

    def __len__(self) -> int:
        return sum(k in self._results for k in self._needs)


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
    registry: Sequence[ModuleType] | None = None,
) -> dict[str, DetectorResult]:
    """Run every detector in dependency order.

    Parameters
    ----------
    rec, hyp : Recording, Hypnogram
        The night and its stages.
    params_by_name : mapping, optional
        Detector name -> its ``Params`` instance (or a dict of field overrides).
    only : tuple of str, optional
        Run only these detectors (still in dependency order; what they need but was not
        asked for reads as absent).
    registry : sequence of modules, optional
        Detectors to run instead of :data:`REGISTRY` (ordered by their ``NEEDS`` here).

    Returns
    -------
    dict
        Detector name -> DetectorResult. A detector that raises is recorded as skipped
        with code ``error`` and the exception text; the others still run. A detector
        reading an undeclared result raises :class:`UndeclaredResultError` (a programming
        error, not a property of the night).
    """
    mods = REGISTRY if registry is None else resolve_order(registry)
    params_by_name = dict(params_by_name or {})
    unknown = set(params_by_name) - {m.NAME for m in mods}
    if unknown:
        raise KeyError(f"parameters for unknown detector(s) {sorted(unknown)}")
    results: dict[str, DetectorResult] = {}
    for mod in mods:
        if only is not None and mod.NAME not in only:
            continue
        p = params_by_name.get(mod.NAME)
        if isinstance(p, Mapping):
            p = mod.Params(**p)
        ctx = Context(mod.NAME, getattr(mod, "NEEDS", ()), results)
        try:
            results[mod.NAME] = mod.detect(rec, hyp, params=p, context=ctx)
        except UndeclaredResultError:
            raise
        except Exception as exc:  # one broken detector must not sink the night
            # Only the exception type and message: no signal values or personal data.
            log.warning("detector %s failed: %s", mod.NAME, type(exc).__name__)
            results[mod.NAME] = skipped(mod.NAME, "error", f"{type(exc).__name__}: {exc}", p)
    return results
