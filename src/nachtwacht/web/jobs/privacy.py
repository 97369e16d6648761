"""Data at rest readable by the app's own user only (0600 files, 0700 folders).

New files are private through the umask set in the settings (077) and explicit modes
where a file is created; :func:`tighten` brings an older installation in line (its
database, uploads and exports may have been created 0644). Run by the worker at start
and by ``nachtwacht serve``.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from django.conf import settings


def _private(path: Path, mode: int) -> None:
    with contextlib.suppress(OSError):  # not ours, or gone: nothing to do here
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            os.chmod(path, mode)


def tighten(data_dir: Path | None = None) -> None:
    """Remove group/other permissions from the data folder and everything in it."""
    root = Path(data_dir or settings.DATA_DIR)
    if not root.is_dir():
        return
    # Collected static files are public and read by the web server (another user): when
    # they live inside, the folder may be passed through (0711) but not listed.
    public = Path(settings.STATIC_ROOT).resolve()
    with contextlib.suppress(OSError):
        os.chmod(root, 0o711 if public.is_relative_to(root.resolve()) and public.is_dir() else 0o700)
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if (Path(folder) / d).resolve() != public]
        for d in dirs:
            _private(Path(folder) / d, 0o700)
        for f in files:
            _private(Path(folder) / f, 0o600)
