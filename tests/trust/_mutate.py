"""Mutators that turn a valid diary file into a plausible broken one.

Shared by the hypothesis tests and ``bench/fuzz_inputs.py``. Every mutator takes the
text and a ``random.Random`` and returns text or bytes, so a seed replays an input.
"""

from __future__ import annotations

import random

JUNK = ["", " ", "x", "-1", "1e309", "nan", "inf", "25:61", "2026-02-30", "99999999999999999999",
        "ja", "nee", "\u00e9\u00e8", "\u202e", "\"", "\"\"", ";", ",", "\t", "\r", "=cmd|' /C calc'!A0",
        "0x10", "１２", "٣", "None", "null", "{}", "[]", "1,5", "1.5", "12:30:45", "2026-13-01",
        "0000-00-00", "24:00", "-0", "+5", "\x00", "\ufeff", "a" * 5000]


def _lines(text: str) -> list[str]:
    return text.splitlines()


def drop_header(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    cols = lines[0].split(",")
    i = rng.randrange(len(cols))
    out = []
    for line in lines:
        cells = line.split(",")
        if i < len(cells):
            del cells[i]
        out.append(",".join(cells))
    return "\n".join(out)


def duplicate_header(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    cols = lines[0].split(",")
    cols.append(rng.choice(cols))
    return "\n".join([",".join(cols), *lines[1:]])


def misspell_header(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    cols = lines[0].split(",")
    i = rng.randrange(len(cols))
    name = list(cols[i]) or ["x"]
    j = rng.randrange(len(name))
    op = rng.choice(["swap", "drop", "upper", "space", "insert"])
    if op == "swap" and len(name) > 1:
        k = min(j + 1, len(name) - 1)
        name[j], name[k] = name[k], name[j]
    elif op == "drop":
        del name[j]
    elif op == "upper":
        name = [c.upper() for c in name]
    elif op == "space":
        name = [" ", *name, " "]
    else:
        name.insert(j, rng.choice("xyz_-é"))
    cols[i] = "".join(name)
    return "\n".join([",".join(cols), *lines[1:]])


def replace_cell(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    for _ in range(rng.randint(1, 5)):
        r = rng.randrange(1, len(lines)) if len(lines) > 1 else 0
        cells = lines[r].split(",")
        c = rng.randrange(len(cells))
        cells[c] = rng.choice(JUNK) if rng.random() < 0.7 else "".join(
            chr(rng.randint(1, 0x2FFF)) for _ in range(rng.randint(1, 12)))
        lines[r] = ",".join(cells)
    return "\n".join(lines)


def huge_cell(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    r = rng.randrange(1, len(lines))
    cells = lines[r].split(",")
    cells[rng.randrange(len(cells))] = rng.choice("9a;\"") * rng.randint(10_000, 300_000)
    lines[r] = ",".join(cells)
    return "\n".join(lines)


def many_rows(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    k = rng.randint(20, 200)
    return "\n".join([lines[0], *(lines[1:] * k)])


def extra_cells(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    r = rng.randrange(1, len(lines))
    lines[r] += "," * rng.randint(1, 5) + rng.choice(JUNK)
    return "\n".join(lines)


def short_rows(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    r = rng.randrange(1, len(lines))
    lines[r] = lines[r][: rng.randrange(len(lines[r]) + 1)]
    return "\n".join(lines)


def semicolons(text: str, rng: random.Random) -> str:
    return text.replace(",", ";")


def bom(text: str, rng: random.Random) -> str:
    return "\ufeff" + text


def crlf(text: str, rng: random.Random) -> str:
    return text.replace("\n", "\r\n")


def stray_quote(text: str, rng: random.Random) -> str:
    i = rng.randrange(len(text))
    return text[:i] + '"' + text[i:]


def truncate(text: str, rng: random.Random) -> str:
    return text[: rng.randrange(len(text) + 1)]


def cp1252(text: str, rng: random.Random) -> bytes:
    return ("Caf\u00e9 " + text).encode("cp1252", "replace")


def byte_flips(text: str, rng: random.Random) -> bytes:
    b = bytearray(text.encode("utf-8"))
    for _ in range(rng.randint(1, 20)):
        b[rng.randrange(len(b))] = rng.randrange(256)
    return bytes(b)


def swap_lines(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines)


CSV_MUTATORS = [drop_header, duplicate_header, misspell_header, replace_cell, huge_cell, many_rows,
                extra_cells, short_rows, semicolons, bom, crlf, stray_quote, truncate, cp1252,
                byte_flips, swap_lines]
#: Mutators that make big inputs: used at most once per input so one stays < ~1 MB.
_BIG = {huge_cell, many_rows}


def mutate_csv(text: str, rng: random.Random) -> str | bytes:
    """Apply 1-4 random mutators (bytes-producing ones last)."""
    out: str | bytes = text
    picks = [rng.choice(CSV_MUTATORS) for _ in range(rng.randint(1, 4))]
    big_done = False
    for m in sorted(picks, key=lambda f: f in (cp1252, byte_flips)):
        if m in _BIG:
            if big_done:
                continue
            big_done = True
        if isinstance(out, bytes):
            break
        if not out.strip() or len(_lines(out)) < 2:
            break
        out = m(out, rng)
    return out


def mutate_json(text: str, rng: random.Random) -> str | bytes:
    """Break a profile JSON: wrong types, unknown keys, truncation, byte flips."""
    import json

    data = json.loads(text)
    op = rng.choice(["type", "unknown", "truncate", "flip", "drop", "nest", "list"])
    if op in ("type", "drop", "nest") and data:
        key = rng.choice(sorted(data))
        if op == "type":
            data[key] = rng.choice([None, 1, -5, 2.5, True, "x", [], ["??"], {}, "9" * 10_000, 10**30])
        elif op == "drop":
            del data[key]
        else:
            data[key] = {"a": [{"b": 1}]}
    elif op == "unknown":
        data[rng.choice(["birth_yaer", "x", "", "ß", "snoring "])] = 1
    elif op == "list":
        data = [data]
    out = json.dumps(data)
    if op == "truncate":
        return out[: rng.randrange(len(out))]
    if op == "flip":
        b = bytearray(out.encode())
        for _ in range(rng.randint(1, 8)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        return bytes(b)
    return out
