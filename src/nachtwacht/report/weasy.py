"""Importing WeasyPrint quickly; kept apart so it loads nothing else of the report."""

from __future__ import annotations

import sys
from typing import Any


def import_weasyprint() -> Any:
    """Import WeasyPrint, without the external programs its library lookup starts.

    WeasyPrint tries several names per C library; on Linux each name that is not a
    file name makes ``ctypes.util.find_library`` run ``ldconfig``, ``gcc`` and ``ld``
    (about 0.13 s per cold start). Every list also holds the real ``lib*.so.N`` name,
    which is opened directly, so during this one import the lookup asks only the
    ``ldconfig`` cache. The same libraries are loaded.
    """
    if "weasyprint" in sys.modules:
        return sys.modules["weasyprint"]
    import ctypes.util

    quick = getattr(ctypes.util, "_findSoname_ldconfig", None)
    if not sys.platform.startswith("linux") or quick is None:
        import weasyprint

        return weasyprint
    slow = ctypes.util.find_library
    ctypes.util.find_library = quick
    try:
        import weasyprint
    finally:
        ctypes.util.find_library = slow
    return weasyprint
