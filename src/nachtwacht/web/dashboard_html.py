"""The dashboard's table of nights, episode calendar and findings as HTML, built in Python.

Why not template loops: the table (28 rows x 5 cells) and the calendar (up to two
months of 6 x 7 cells) were most of the dashboard body's rendering time, which is most
of a dashboard request after a save (issue #16 item 5): Django's template engine pays
a variable lookup, a filter call and a localisation step per cell. Here each value is
formatted once (dates once per language and day) and joined as strings. The findings
list is short, but its loop was still half of what remained.

The output is byte-identical to the former template loops, in every language
(tests/web/test_web_dashboard_html.py renders both): the same ``date`` formats through
:func:`django.utils.dateformat.format`, ``floatformat:0`` rounding (``ROUND_HALF_UP`` on
``Decimal(str(x))``), the same ``ngettext`` message ids as the template's
``{% blocktranslate %}``, and every value escaped with ``conditional_escape`` as the
template's autoescaping did. Anything unusual (a datetime, a number from 999 up,
``None`` where a date belongs) goes through Django's own filters, so it cannot differ.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat
from django.template.defaultfilters import time as time_filter
from django.utils.dateformat import format as date_format
from django.utils.formats import get_format, localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime
from django.utils.translation import get_language, gettext, ngettext

_ONE = Decimal(1)
_CENT = Decimal("0.01")
_DASH = "–"


@functools.lru_cache(maxsize=4096)
def _date_cached(language: str | None, value: dt.date, fmt: str) -> str:
    # ``language`` is only part of the key: day and month names follow the active one.
    return conditional_escape(date_format(value, fmt))


def fmt_date(value: object, fmt: str, language: str | None = "") -> str:
    """``{{ value|date:fmt }}``, escaped; a plain date is formatted once per language.

    ``language``: the active one (``get_language()``), when the caller has it already.
    """
    if type(value) is dt.date:
        return _date_cached(get_language() if language == "" else language, value, fmt)
    # A datetime is shown in the active time zone, as the filter's expects_localtime does.
    return conditional_escape(date_filter(template_localtime(value), fmt))


@functools.lru_cache(maxsize=512)
def _weekday2_cached(language: str | None, value: dt.date) -> str:
    return conditional_escape(date_format(value, "D")[:2])


def _weekday2(value: object, language: str | None = "") -> str:
    """``{{ value|date:"D"|slice:":2" }}``: the weekday's abbreviation cut to two letters."""
    if type(value) is dt.date:
        return _weekday2_cached(get_language() if language == "" else language, value)
    return conditional_escape(date_filter(template_localtime(value), "D")[:2])


def fmt_hm(value: object) -> str:
    """``{{ value|time:"H:i"|default:"–" }}``, escaped."""
    if type(value) is dt.time:
        return f"{value.hour:02d}:{value.minute:02d}"
    return conditional_escape(time_filter(template_localtime(value), "H:i") or _DASH)


def fmt_int(x: object) -> str:
    """``{{ x|floatformat:0 }}``: half up on the decimal text of ``x``.

    Numbers from 999 up go through the filter itself: rounded to 1000 or more, the
    locale's thousand separator could apply (``USE_THOUSAND_SEPARATOR``).
    """
    if type(x) in (float, int) and -999 < x < 999:
        try:
            return str(int(Decimal(str(x)).quantize(_ONE, rounding=ROUND_HALF_UP)))
        except (InvalidOperation, ValueError, OverflowError):  # nan, inf
            pass
    return conditional_escape(floatformat(x, 0))


def fmt_count(n: object) -> str:
    """``{{ n }}`` for a count (localised like the template would, beyond 999)."""
    if type(n) is int and -1000 < n < 1000:
        return str(n)
    return conditional_escape(localize(n))


def table_rows_html(table: list[dict]) -> SafeString:
    """The ``<tr>`` rows of the nights table (``dashboard_context``'s ``table``).

    Each row: the morning, in bed from-to, total sleep time, sleep efficiency and the
    episode labels (labels of unknown codes are the code itself: user data, escaped).
    """
    out = []
    language = get_language()
    for r in table:
        n, m = r["n"], r["m"]
        tst = f"{fmt_int(m.tst_min)} min" if m.tst_min is not None else _DASH
        se = f"{fmt_int(m.se_pct)}%" if m.se_pct is not None else _DASH
        eps = ", ".join([conditional_escape(x) for x in r["eps"]]) or _DASH
        out.append(f'<tr><th scope="row">{fmt_date(n.date, "D j M", language)}</th>'
                   f"<td>{fmt_hm(n.bedtime)}–{fmt_hm(n.out_of_bed)}</td><td>{tst}</td>"
                   f"<td>{se}</td><td>{eps}</td></tr>")
    return SafeString("".join(out))


def _episodes_word(n: int) -> str:
    # The template's {% blocktranslate count %} message; like the tag, it formats the
    # translation with its (empty) variables, so a translator's "%%" prints as "%".
    # Translations are trusted text: the tag inserted them unescaped too.
    return ngettext("episode", "episodes", n) % {}


def calendar_html(months: list[dict]) -> SafeString:
    """The episode calendar: one table per month (``dashboard_context``'s ``calendar``).

    ``months``: ``{"title": date, "weeks": [[{"day", "in_month", "n"}, ...], ...]}``.
    """
    words: dict[object, str] = {}
    language = get_language()
    out = ['<div class="calendars">']
    for month in months:
        weeks = month["weeks"]
        out.append(f'<table class="cal"><caption>{fmt_date(month["title"], "F Y", language)}</caption>\n<thead><tr>')
        for d in weeks[0] if weeks else ():
            day = d["day"]
            out.append(f'<th scope="col" abbr="{fmt_date(day, "l", language)}">{_weekday2(day, language)}</th>')
        out.append("</tr></thead>\n<tbody>")
        for week in weeks:
            out.append("<tr>")
            for d in week:
                n, inside = d["n"], d["in_month"]
                cls = ("" if inside else "out") + (" has" if n else "")
                if not inside:
                    out.append(f'<td class="{cls}"></td>')
                    continue
                cell = f'<span class="d">{fmt_count(d["day"].day)}</span>'
                if n:
                    if n not in words:
                        words[n] = _episodes_word(n)
                    cell += f'<span class="n">{fmt_count(n)}<span class="sr-only"> {words[n]}</span></span>'
                out.append(f'<td class="{cls}">{cell}</td>')
            out.append("</tr>")
        out.append("</tbody></table>")
    out.append("</div>")
    return SafeString("".join(out))


def findings_html(findings: list[dict]) -> SafeString:
    """The ``<ul class="findings">`` list (``dashboard_context``'s ``findings``).

    Each finding: its text, and with an estimate its interval chart and caption (ratio or
    difference with two decimals in the language's notation, and the 95% interval).
    """
    out = ['<ul class="findings">']
    sep = get_format("DECIMAL_SEPARATOR")
    for x in findings:
        f = x["f"]
        out.append(f'<li class="{"sig" if getattr(f, "significant", None) else ""}"><p>{conditional_escape(x["text"])}</p>')
        if x["svg"]:
            # The app's own SVG (chart.interval_svg escapes its title), printed as is like |safe did.
            kind = conditional_escape(gettext("ratio" if x["ratio"] else "difference"))
            out.append(f'{x["svg"]}<p class="interval-caption">{kind} {fmt_2(x["estimate"], sep)}')
            low = getattr(f, "ci_low", None)
            if low is not None:
                out.append(f" (95%: {fmt_2(low, sep)} – {fmt_2(getattr(f, 'ci_high', None), sep)})")
            out.append("</p>")
        out.append("</li>")
    out.append("</ul>")
    return SafeString("".join(out))


def fmt_2(x: object, sep: str | None = None) -> str:
    """``{{ x|floatformat:2 }}``: half up, two decimals, the language's decimal sign.

    ``sep``: ``get_format("DECIMAL_SEPARATOR")``, when the caller has it already.
    Numbers from 999 up go through the filter, as in :func:`fmt_int`.
    """
    if type(x) in (float, int) and -999 < x < 999:
        try:
            d = Decimal(str(x)).quantize(_CENT, rounding=ROUND_HALF_UP)
        except (InvalidOperation, ValueError, OverflowError):  # nan, inf
            return conditional_escape(floatformat(x, 2))
        whole, cents = f"{abs(d):f}".split(".")
        # The filter drops the sign of a value that rounds to zero ("-0.001" -> "0.00").
        return f"{'-' if d < 0 else ''}{whole}{get_format('DECIMAL_SEPARATOR') if sep is None else sep}{cents}"
    return conditional_escape(floatformat(x, 2))

