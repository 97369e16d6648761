"""Review of the hand-written charts, the forked report build and the atomic PDF write."""

from __future__ import annotations

import os
import stat

import pytest

from nachtwacht.report import build, render_pdf


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_pdf_gets_the_usual_permissions(household, tmp_path, umask_022):
    # The atomic write must not change who can read the report: a PDF written by
    # `nachtwacht report --out` has the mode any new file gets (0o666 minus the umask),
    # as before the write went through a private temporary file.
    path = render_pdf(build(household, lang="nl"), tmp_path / "r.pdf")
    assert _mode(path) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["r.pdf"]  # no temporary file left


def test_overwriting_a_pdf_keeps_its_permissions(household, tmp_path, umask_022):
    target = tmp_path / "r.pdf"
    target.write_bytes(b"old")
    target.chmod(0o640)  # chosen by the user, e.g. readable by a group only
    render_pdf(build(household, lang="nl"), target)
    assert target.read_bytes().startswith(b"%PDF")
    assert _mode(target) == 0o640
