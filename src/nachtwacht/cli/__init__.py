"""The ``nachtwacht`` command: a click group whose subcommands live in sibling modules.

Each area registers its commands in its own module (``cli/diary.py``,
``cli/insight.py``, ``cli/psg.py``, ``cli/report.py``, ``cli/web.py``, ...), so
helpers of different areas never edit the same file. Modules are imported here;
heavy imports (Django, MNE, YASA) happen inside the command functions, so
``nachtwacht --help`` stays fast.
"""

from __future__ import annotations

import importlib

import click

from nachtwacht import __version__

_SUBMODULES = ("diary", "insight", "triage", "report", "psg", "web", "ops", "device")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nachtwacht")
def main() -> None:
    """Nachtwacht: sleep diary, insight, triage, GP report and sleep-study analysis."""


for _name in _SUBMODULES:
    try:
        _mod = importlib.import_module(f"nachtwacht.cli.{_name}")
    except ModuleNotFoundError as exc:  # an area not written yet
        if exc.name != f"nachtwacht.cli.{_name}":
            raise
        continue
    _mod.register(main)
