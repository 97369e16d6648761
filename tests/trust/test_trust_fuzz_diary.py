"""Bad input at scale for the diary importer: only DiaryImportError may escape.

Hypothesis feeds ``read_nights``/``read_episodes``/``read_profile`` random bytes,
random text and mutated valid files (headers dropped, duplicated or misspelled,
cells replaced, huge cells, many rows, BOM, ``;`` delimiter). Whatever goes in, a
person must get either data or a list of errors that each say, in Dutch and in
English, where the problem is. ``bench/fuzz_inputs.py`` runs the same mutators
for tens of thousands of inputs.
"""

from __future__ import annotations

import io
import json
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nachtwacht.diary import csvio
from nachtwacht.diary.errors import DiaryImportError

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _csvsamples import END, samples  # noqa: E402
from _mutate import mutate_csv, mutate_json  # noqa: E402

#: Most CPU time a single import may take (s; CPU, not wall time, so a busy CI machine
#: does not fail it). The biggest generated input is ~1 MB.
BOUND_S = 5.0
#: Longest message a person gets about one error: a huge cell must not be echoed whole.
MAX_MESSAGE = 2000

READERS = {
    "nights": lambda src: csvio.read_nights(src, today=END),
    "episodes": lambda src: csvio.read_episodes(src, today=END),
    "profile": lambda src: csvio.read_profile(src),
}

FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def check_import(kind: str, source) -> object:
    """Run one import; fail on any exception but DiaryImportError or a vague error."""
    t0 = time.process_time()
    try:
        result = READERS[kind](source)
    except DiaryImportError as exc:
        elapsed = time.process_time() - t0
        assert exc.errors, "a rejected file must say why"
        for err in exc.errors[:300]:
            for lang in ("nl", "en"):
                msg = err.text(lang)
                assert msg.strip(), f"empty {lang} message for {err.code}"
                assert len(msg) <= MAX_MESSAGE, f"{err.code}: {lang} message is {len(msg)} chars"
                if err.row is not None:
                    assert str(err.row) in msg, f"{err.code}: row {err.row} not named: {msg}"
                if err.field is not None and err.code not in ("unknown_header",):
                    assert err.field.lower()[:20] in msg.lower() or err.field in msg, msg
        result = exc
    else:
        elapsed = time.process_time() - t0
    assert elapsed < BOUND_S, f"{kind} import took {elapsed:.1f} s"
    return result


def as_source(data: str | bytes, how: str):
    """The same content as bytes, a binary file, a text file or CSV text."""
    if how == "bytes":
        return data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")
    if how == "binfile":
        return io.BytesIO(as_source(data, "bytes"))
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    if how == "textfile":
        return io.StringIO(text)
    # Plain text is only taken as CSV content (not a path) when it has a line break.
    return text + "\n"


HOW = st.sampled_from(["bytes", "binfile", "textfile", "text"])


@FUZZ
@given(kind=st.sampled_from(sorted(READERS)), data=st.binary(max_size=4000), how=HOW)
def test_random_bytes(kind, data, how):
    check_import(kind, as_source(data, how))


@FUZZ
@given(kind=st.sampled_from(sorted(READERS)), data=st.text(max_size=2000), how=HOW)
def test_random_text(kind, data, how):
    check_import(kind, as_source(data, how))


@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(kind=st.sampled_from(["nights", "episodes"]), seed=st.integers(0, 2**32 - 1), how=HOW)
def test_mutated_csv(kind, seed, how):
    import random

    data = mutate_csv(samples()[kind], random.Random(seed))
    check_import(kind, as_source(data, how))


@FUZZ
@given(seed=st.integers(0, 2**32 - 1), how=HOW)
def test_mutated_profile(seed, how):
    import random

    data = mutate_json(samples()["profile"], random.Random(seed))
    check_import("profile", as_source(data, how))


@pytest.mark.parametrize("kind", ["nights", "episodes"])
def test_valid_samples_still_read(kind):
    # The mutators start from files the importer accepts; otherwise the fuzz proves little.
    rows = check_import(kind, samples()[kind])
    assert isinstance(rows, list) and len(rows) > 5


@pytest.mark.parametrize("kind", ["nights", "episodes"])
def test_semicolon_and_bom_are_read(kind):
    text = samples()[kind]
    plain = check_import(kind, text)
    excel = "\ufeff" + text.replace(",", ";")
    # Only rows whose cells held no comma survive the blunt swap; they must match.
    got = check_import(kind, excel.encode("utf-8"))
    if isinstance(got, list):
        assert got == plain


def test_huge_cell_gives_short_message():
    text = samples()["nights"]
    header, first, *rest = text.splitlines()
    cells = first.split(",")
    cells[3] = "9" * 100_000  # sol_min: a long number, named in a short message
    err = check_import("nights", "\n".join([header, ",".join(cells), *rest]) + "\n")
    assert isinstance(err, DiaryImportError)
    assert any(e.row == 2 and e.field == "sol_min" for e in err.errors)
    # Past the csv module's cell limit the whole file is refused, saying why.
    cells[3] = "9" * 500_000
    err = check_import("nights", "\n".join([header, ",".join(cells), *rest]) + "\n")
    assert [e.code for e in err.errors] == ["not_csv"]
    assert "100,000" in err.errors[0].text("en") and "binary" not in err.errors[0].text("en")


def test_many_rows_within_bound():
    text = samples()["nights"]
    header, *rows = text.splitlines()
    # 20,000 rows of repeated dates: every one past the first copy is a duplicate.
    big = "\n".join([header] + rows * (20_000 // len(rows))) + "\n"
    err = check_import("nights", big)
    assert isinstance(err, DiaryImportError)
    assert any(e.code == "duplicate_night" for e in err.errors)


def test_profile_deeply_nested_json():
    check_import("profile", "[" * 100_000 + "]" * 100_000)
    check_import("profile", json.dumps({"birth_year": {"a": [1] * 10}}))
