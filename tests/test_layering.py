"""The core must not load Django or the CLI: it is used from scripts, batches and the report.

Imports run in a fresh interpreter (as MNE's test_import_nesting does), so modules loaded by
other tests cannot hide a violation.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

CORE = [
    "nachtwacht.diary.fields",
    "nachtwacht.diary.types",
    "nachtwacht.psg.types",
]
OPTIONAL_CORE = [
    "nachtwacht.diary.metrics",
    "nachtwacht.diary.csvio",
    "nachtwacht.insight",
    "nachtwacht.triage",
    "nachtwacht.knowledge",
    "nachtwacht.report",
    "nachtwacht.psg.pipeline",
    "nachtwacht.psg.events",
]
FORBIDDEN = ("django", "nachtwacht.web", "nachtwacht.cli")


def _loaded_after_import(module: str) -> set[str]:
    code = (
        f"import sys, importlib; importlib.import_module({module!r}); "
        "print('\\n'.join(sorted(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if out.returncode != 0:
        raise ImportError(out.stderr)
    return set(out.stdout.split())


@pytest.mark.parametrize("module", CORE + OPTIONAL_CORE)
def test_core_does_not_load_django_or_shells(module: str) -> None:
    try:
        loaded = _loaded_after_import(module)
    except ImportError as exc:
        if module in OPTIONAL_CORE and "No module named" in str(exc):
            pytest.skip(f"{module} not present")
        raise
    bad = sorted(m for m in loaded if m.split(".")[0] == "django" or m.startswith(FORBIDDEN[1:]))
    assert not bad, f"importing {module} loaded {bad[:5]}"


def test_cli_help_does_not_load_heavy_libraries() -> None:
    code = (
        "import sys; from click.testing import CliRunner; from nachtwacht.cli import main; "
        "r = CliRunner().invoke(main, ['--help']); assert r.exit_code == 0, r.output; "
        "print(' '.join(m for m in ('django', 'mne', 'yasa', 'matplotlib', 'weasyprint') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"`nachtwacht --help` imported {out.stdout.strip()}"
