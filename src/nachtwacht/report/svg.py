"""A few helpers to write the report's charts as SVG text directly.

Plotting libraries write every glyph, tick and bar as its own element, and that
size is what WeasyPrint pays for when it lays out and prints the report. These
charts are simple enough to write by hand: compound paths, presentation
attributes (no ``style=``), text kept as ``<text>`` in DejaVu Sans.
"""

from __future__ import annotations

import unicodedata
from html import escape

#: The report's own @font-face name first (the PDF then embeds DejaVu Sans once, not
#: again for the charts), then the system font of the same files (web page, no @font-face).
FONT = "Nachtwacht Sans, DejaVu Sans"

#: DejaVu Sans advance widths of " " .. "~" in 1/2048 em, to lay out labels and
#: legends without loading the font (other characters: their base letter, or 0.64 em).
_ADVANCE = (
    651, 821, 942, 1716, 1303, 1946, 1597, 563, 799, 799, 1024, 1716, 651, 739, 651, 690,
    1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 690, 690, 1716, 1716, 1716,
    1087, 2048, 1401, 1405, 1430, 1577, 1294, 1178, 1587, 1540, 604, 604, 1343, 1141, 1767,
    1532, 1612, 1235, 1612, 1423, 1300, 1251, 1499, 1401, 2025, 1403, 1251, 1403, 799, 690,
    799, 1716, 1024, 1024, 1255, 1300, 1126, 1300, 1260, 721, 1300, 1298, 569, 569, 1186,
    569, 1995, 1298, 1253, 1300, 1300, 842, 1067, 803, 1298, 1212, 1675, 1212, 1212, 1075,
    1303, 690, 1303, 1716,
)


def _advance(ch: str) -> int:
    code = ord(ch)
    if 32 <= code < 127:
        return _ADVANCE[code - 32]
    base = unicodedata.normalize("NFD", ch)[0]
    if base != ch and 32 <= ord(base) < 127:
        return _ADVANCE[ord(base) - 32]
    return 1303


def text_width(s: str, size: float) -> float:
    """Width of ``s`` in DejaVu Sans at ``size`` pt (no kerning: a hair too wide at most)."""
    return sum(_advance(c) for c in s) * size / 2048


def num(x: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros (small, stable output)."""
    s = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def attrs(**kw: object) -> str:
    """``name="value"`` pairs; ``_`` in a name becomes ``-``, ``None`` values are left out."""
    out = []
    for k, v in kw.items():
        if v is None:
            continue
        name = "class" if k == "cls" else k.replace("_", "-")
        val = num(v) if isinstance(v, float) else str(v)
        out.append(f' {name}="{escape(val, quote=True)}"')
    return "".join(out)


def rect_path(x0: float, y0: float, x1: float, y1: float) -> str:
    """One rectangle as a subpath of a compound path."""
    return f"M{num(x0)} {num(y0)}H{num(x1)}V{num(y1)}H{num(x0)}Z"


class Svg:
    """Collects the elements of one figure; ids get the figure's prefix.

    Several figures share one HTML document, so every id must be unique in it.
    """

    def __init__(self, prefix: str, width: float) -> None:
        self.prefix = prefix
        self.width = width
        self.defs: list[str] = []
        self.body: list[str] = []

    def id(self, name: str) -> str:
        return f"{self.prefix}-{name}"

    def text(self, x: float, y: float, s: str, **kw: object) -> None:
        self.body.append(f"<text{attrs(x=float(x), y=float(y), **kw)}>{escape(s, quote=False)}</text>")

    def path(self, d: str | list[str], **kw: object) -> None:
        d = "".join(d) if isinstance(d, list) else d
        if d:
            self.body.append(f'<path d="{d}"{attrs(**kw)}/>')

    def render(self, height: float) -> str:
        """The finished ``<svg>`` element (inline in HTML: no XML declaration)."""
        w, h = num(self.width), num(height)
        head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}pt" height="{h}pt" '
                f'viewBox="0 0 {w} {h}" id="{self.prefix}" font-family="{FONT}" font-size="7">')
        defs = f"<defs>{''.join(self.defs)}</defs>" if self.defs else ""
        return head + defs + "\n".join(self.body) + "</svg>\n"
