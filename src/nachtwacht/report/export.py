"""The report's content as JSON (same content as the PDF), and back.

``to_json`` gives a JSON-ready dict: ISO dates, tuples as lists. ``from_json``
rebuilds the :class:`~nachtwacht.report.data.ReportData`, so a stored report can be
rendered again without the diary.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from typing import Any

from .data import ReportData

FORMAT = "nachtwacht.report/1"


def to_json(data: ReportData) -> dict[str, Any]:
    """Return the report as a JSON-ready dict (``format`` names the layout version)."""
    return {"format": FORMAT, **_plain(dataclasses.asdict(data))}


def _plain(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def from_json(d: dict[str, Any]) -> ReportData:
    """Rebuild a :class:`ReportData` from :func:`to_json` output.

    Raises
    ------
    ValueError
        When ``d`` is not a Nachtwacht report of a known format.
    """
    if not isinstance(d, dict) or d.get("format") != FORMAT:
        raise ValueError(f"not a Nachtwacht report (expected format {FORMAT!r})")
    body = {k: v for k, v in d.items() if k != "format"}
    return _load(ReportData, body)


def _load(tp: Any, v: Any) -> Any:
    if v is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _load(args[0], v) if len(args) == 1 else v
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        names = {f.name for f in dataclasses.fields(tp) if f.init}
        return tp(**{k: _load(hints[k], x) for k, x in v.items() if k in names})
    if tp is dt.date:
        return dt.date.fromisoformat(v)
    if origin is list:
        (arg,) = typing.get_args(tp) or (Any,)
        return [_load(arg, x) for x in v]
    if origin is tuple:
        args = typing.get_args(tp)
        return tuple(_load(a, x) for a, x in zip(args, v, strict=True))
    if origin is dict:
        _, val = typing.get_args(tp) or (Any, Any)
        return {k: _load(val, x) for k, x in v.items()}
    return v
