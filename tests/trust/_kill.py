"""SIGKILL a child process at a point it announces, as the fault tests need it."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Callable


def kill_at(cmd: list[str], line: str, env: dict | None = None,
            before: Callable[[], None] | None = None) -> None:
    """Start ``cmd``, wait for it to print ``line``, run ``before()``, then SIGKILL it.

    The child prints ``line`` and hangs at the moment under test (inside a transaction,
    while writing a file...), so the kill lands exactly there and not by timing luck.
    """
    child = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        got = child.stdout.readline()
        assert got.strip() == line, child.stderr.read()
        if before is not None:
            before()
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL
