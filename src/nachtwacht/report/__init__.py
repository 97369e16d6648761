"""The GP report: one data builder, one template, HTML, PDF, JSON and FHIR R4.

>>> from nachtwacht.report import build, render_html, render_pdf, to_json, to_fhir
>>> data = build(diary, period=(start, end), lang="nl")    # doctest: +SKIP
>>> render_pdf(data, "out/")                                # doctest: +SKIP

Names are loaded lazily, so importing the package does not pull in matplotlib,
Jinja2 or WeasyPrint.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ReportData", "build", "render_html", "render_pdf", "to_json", "to_fhir"]

_WHERE = {
    "ReportData": "data",
    "build": "data",
    "render_html": "render",
    "render_pdf": "render",
    "to_json": "export",
    "to_fhir": "fhir",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
