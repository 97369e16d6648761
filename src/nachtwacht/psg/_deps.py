"""Lazy imports of the heavy optional sleep-study libraries (the ``psg`` extra)."""

from __future__ import annotations

import importlib
from types import ModuleType

INSTALL_HINT = "pip install 'nachtwacht[psg]'"


class MissingExtraError(ImportError):
    """A library of the ``psg`` extra is not installed."""

    def __init__(self, module: str) -> None:
        self.module = module
        super().__init__(
            f"Sleep-study analysis needs the psg extra ({module} is missing): {INSTALL_HINT}"
        )


def require(module: str) -> ModuleType:
    """Import ``module`` or raise :class:`MissingExtraError` naming the install command."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and module.split(".")[0] != exc.name.split(".")[0]:
            raise
        raise MissingExtraError(module) from exc
