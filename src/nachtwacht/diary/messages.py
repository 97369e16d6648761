"""Dutch and English messages for every diary error code.

Each message starts with *where*: the spreadsheet row (header = row 1) and the field,
named by its label in the chosen language plus its column name, so a person can find
the cell in Excel or LibreOffice. The Dutch is written for a tired adult: say what is
wrong and how to fix it.
"""

from __future__ import annotations

from typing import Any

from .errors import RowError
from .fields import _BY_NAME

#: code -> (Dutch template, English template). ``{...}`` are RowError.params.
TEMPLATES: dict[str, tuple[str, str]] = {
    "required": (
        "dit veld is verplicht maar is leeg.",
        "this field is required but is empty.",
    ),
    "bad_date": (
        "'{value}' is geen geldige datum. Schrijf de datum als JJJJ-MM-DD, bijvoorbeeld 2026-03-29.",
        "'{value}' is not a valid date. Write the date as YYYY-MM-DD, for example 2026-03-29.",
    ),
    "bad_time": (
        "'{value}' is geen geldige tijd. Schrijf de tijd als UU:MM, bijvoorbeeld 23:15 "
        "(of met datum: 2026-03-28 23:15).",
        "'{value}' is not a valid time. Write the time as HH:MM, for example 23:15 "
        "(or with a date: 2026-03-28 23:15).",
    ),
    "bad_number": (
        "'{value}' is geen getal. Schrijf alleen het getal, bijvoorbeeld 15 of 1,5.",
        "'{value}' is not a number. Write only the number, for example 15 or 1.5.",
    ),
    "bad_integer": (
        "'{value}' is geen heel getal. Schrijf een heel getal, bijvoorbeeld 3.",
        "'{value}' is not a whole number. Write a whole number, for example 3.",
    ),
    "bad_bool": (
        "'{value}' is geen ja of nee. Schrijf ja of nee (of 1 of 0).",
        "'{value}' is not yes or no. Write yes or no (or 1 or 0).",
    ),
    "negative": (
        "{value} is negatief. Minuten en aantallen kunnen niet onder 0 liggen.",
        "{value} is negative. Minutes and amounts cannot be below 0.",
    ),
    "out_of_range": (
        "{value} ligt buiten het toegestane bereik van {min} tot en met {max}{unit}.",
        "{value} is outside the allowed range of {min} to {max}{unit}.",
    ),
    "unknown_choice": (
        "'{value}' is geen bekende keuze.{hint} Mogelijke keuzes: {choices}.",
        "'{value}' is not a known choice.{hint} Possible choices: {choices}.",
    ),
    "too_long": (
        "de tekst is {length} tekens lang; het maximum is {max} tekens.",
        "the text is {length} characters long; the maximum is {max} characters.",
    ),
    "future_date": (
        "de datum {value} ligt in de toekomst. Een nacht kunt u pas invullen op de ochtend erna.",
        "the date {value} is in the future. You can only fill in a night on the morning after.",
    ),
    # Used for ``future_date`` on an episode (see :func:`_template`).
    "future_date_episode": (
        "de datum {value} ligt in de toekomst. Een voorval kunt u pas invullen als het gebeurd is.",
        "the date {value} is in the future. You can only log an episode after it happened.",
    ),
    "duplicate_night": (
        "er staat al een nacht met datum {value} in rij {first_row}. Elke nacht mag maar één keer voorkomen.",
        "there is already a night dated {value} in row {first_row}. Each night may appear only once.",
    ),
    "wake_before_bed": (
        "{value} ligt vóór de tijd waarop u naar bed ging ({other}). Klopt de tijd of de datum?",
        "{value} is before the time you went to bed ({other}). Is the time or the date right?",
    ),
    "out_of_bed_before_final_wake": (
        "uit bed ({value}) ligt vóór de laatste keer wakker worden ({other}).",
        "out of bed ({value}) is before your final awakening ({other}).",
    ),
    "lights_out_before_bed": (
        "licht uit ({value}) ligt vóór de tijd waarop u naar bed ging ({other}).",
        "lights out ({value}) is before the time you went to bed ({other}).",
    ),
    "final_wake_before_lights_out": (
        "de laatste keer wakker ({value}) ligt vóór of op het moment van licht uit ({other}).",
        "the final awakening ({value}) is before or at lights out ({other}).",
    ),
    "tib_over_16h": (
        "van naar bed ({other}) tot {value} is {hours} uur. Dat is meer dan {limit} uur; "
        "klopt de tijd? Lag u echt zo lang in bed, schrijf de tijden dan met datum: "
        "JJJJ-MM-DD UU:MM.",
        "from into bed ({other}) to {value} is {hours} hours. That is more than {limit} hours; "
        "is the time right? If you really stayed in bed that long, write the times with the "
        "date: YYYY-MM-DD HH:MM.",
    ),
    # ``tib_over_16h`` in a web form, where a time cannot carry a date (see :func:`_template`).
    "tib_over_16h_form": (
        "van naar bed ({other}) tot {value} is {hours} uur. Dat is meer dan {limit} uur; klopt de "
        "tijd? Lag u echt zo lang in bed, vul dan de tijd in waarop u voor het eerst opstond en "
        "schrijf de rest in de notities.",
        "from into bed ({other}) to {value} is {hours} hours. That is more than {limit} hours; is "
        "the time right? If you really stayed in bed that long, fill in the time you first got up "
        "and write the rest in the notes.",
    ),
    "empty_night": (
        "er is niets over uw slaap ingevuld voor {value}. Vul ten minste de tijden of het "
        "cijfer voor uw slaap in. Een lege nacht telt anders mee in de gemiddelden.",
        "nothing about your sleep is filled in for {value}. Fill in at least the times or the "
        "score for your sleep. An empty night would otherwise count in the averages.",
    ),
    "tib_over_48h": (
        "van naar bed ({other}) tot uit bed ({value}) is {hours} uur. Dat is meer dan 48 uur; "
        "klopt de datum?",
        "from into bed ({other}) to out of bed ({value}) is {hours} hours. That is more than 48 "
        "hours; is the date right?",
    ),
    "sol_longer_than_tib": (
        "{value} minuten tot in slaap is langer dan de hele tijd van licht uit tot de laatste keer "
        "wakker ({window} minuten).",
        "{value} minutes to fall asleep is longer than the whole time from lights out to the final "
        "awakening ({window} minutes).",
    ),
    "waso_plus_sol_exceeds_window": (
        "minuten tot in slaap ({sol}) plus minuten wakker in de nacht ({value}) is samen meer dan de "
        "tijd van licht uit tot de laatste keer wakker ({window} minuten).",
        "minutes to fall asleep ({sol}) plus minutes awake during the night ({value}) add up to more "
        "than the time from lights out to the final awakening ({window} minutes).",
    ),
    "not_csv": (
        "dit bestand is geen CSV-bestand: {reason}. Sla het op als CSV (UTF-8) en probeer het opnieuw.",
        "this file is not a CSV file: {reason}. Save it as CSV (UTF-8) and try again.",
    ),
    "missing_header": (
        "de kolom '{value}' ontbreekt in de eerste rij.{hint}",
        "the column '{value}' is missing from the first row.{hint}",
    ),
    "unknown_header": (
        "de kolom '{value}' is onbekend.{hint}",
        "the column '{value}' is not known.{hint}",
    ),
    "duplicate_header": (
        "de kolom '{value}' staat twee keer in de eerste rij.",
        "the column '{value}' appears twice in the first row.",
    ),
    "extra_cells": (
        "deze rij heeft {cells} cellen, maar de eerste rij heeft maar {columns} kolommen. "
        "Staat er een komma of puntkomma te veel in?",
        "this row has {cells} cells but the first row has only {columns} columns. "
        "Is there an extra comma or semicolon?",
    ),
    "unnamed_column": (
        "deze rij heeft een waarde in kolom {column}, maar die kolom heeft geen naam in de eerste rij.",
        "this row has a value in column {column}, but that column has no name in the first row.",
    ),
    "not_json": (
        "dit is geen geldig profielbestand (JSON-object verwacht): {reason}.",
        "this is not a valid profile file (a JSON object was expected): {reason}.",
    ),
    "unknown_key": (
        "'{value}' is geen bekend onderdeel van het profiel.{hint}",
        "'{value}' is not a known profile key.{hint}",
    ),
    "bad_type": (
        "verwacht {expected}, maar gevonden: {value}.",
        "expected {expected}, but found: {value}.",
    ),
}

#: Words used inside messages (reasons, expected kinds, hints).
WORDS: dict[str, tuple[str, str]] = {
    "empty": ("het bestand is leeg", "the file is empty"),
    "binary": ("het bevat binaire gegevens (bijvoorbeeld een Excel-bestand)",
               "it contains binary data (for example an Excel workbook)"),
    "json": ("het lijkt een JSON-bestand", "it looks like a JSON file"),
    "too_deep": ("het bevat duizenden geneste haakjes", "it holds thousands of nested brackets"),
    "huge_cell": ("één cel bevat meer dan 100.000 tekens", "one cell holds more than 100,000 characters"),
    "encoding": ("de tekens zijn niet te lezen als UTF-8", "its characters cannot be read as UTF-8"),
    "no_rows": ("er staan geen kolomnamen in", "it has no column names"),
    "not_object": ("het bestand bevat geen object met sleutels", "the file holds no object with keys"),
    "kind_bool": ("true of false", "true or false"),
    "kind_int": ("een heel getal", "a whole number"),
    "kind_float": ("een getal", "a number"),
    "kind_minutes": ("een aantal minuten", "a number of minutes"),
    "kind_list": ("een lijst met teksten", "a list of texts"),
    "kind_multichoice": ("een lijst met keuzes", "a list of choices"),
    "kind_text": ("tekst", "text"),
    "kind_choice": ("een keuze", "a choice"),
    "kind_date": ("een datum JJJJ-MM-DD", "a date YYYY-MM-DD"),
    "kind_clock": ("een tijd UU:MM", "a time HH:MM"),
    "did_you_mean": (" Bedoelt u '{suggestion}'?", " Did you mean '{suggestion}'?"),
    "remove_column": (" Verwijder deze kolom, of lees het bestand in zonder strenge controle.",
                      " Remove this column, or import the file without strict checking."),
    "add_column": (" Zet deze kolom in de eerste rij (kolomnamen zoals in het sjabloon).",
                   " Add this column to the first row (column names as in the template)."),
    "row": ("Rij", "Row"),
    "field": ("veld", "field"),
}


def word(key: str, lang: str = "nl") -> str:
    """One of :data:`WORDS` in ``lang``."""
    nl, en = WORDS[key]
    return en if lang == "en" else nl


#: Longest user value quoted in a message (characters).
MAX_ECHO = 80


class _Defaults(dict):
    def __missing__(self, key: str) -> str:
        return ""


def _where(err: RowError, lang: str) -> str:
    parts = []
    if err.row is not None:
        parts.append(f"{word('row', lang)} {err.row}")
    if err.field:
        spec = _BY_NAME.get(err.record, {}).get(err.field)
        if spec is not None:
            parts.append(f"'{spec.label(lang)}' ({err.field})")
        elif err.code not in ("unknown_header", "unknown_key", "missing_header", "duplicate_header"):
            parts.append(f"'{err.field}'")
    return ", ".join(parts)


def _params(err: RowError, lang: str) -> dict[str, Any]:
    p: dict[str, Any] = _Defaults(err.params)
    if "suggestion" in p and p["suggestion"] and "hint" not in err.params:
        p["hint"] = word("did_you_mean", lang).format(suggestion=p["suggestion"])
    elif err.code == "unknown_header" and "hint" not in err.params:
        p["hint"] = word("remove_column", lang)
    elif err.code == "missing_header" and "hint" not in err.params:
        p["hint"] = word("add_column", lang)
    for key in ("reason", "expected"):
        if key in p and p[key] in WORDS:
            p[key] = word(p[key], lang)
    if p.get("unit"):
        p["unit"] = f" {p['unit']}"
    if isinstance(p.get("choices"), list | tuple):
        # Show each code with its label, so a Dutch reader sees "night (nachtdienst)".
        spec = _BY_NAME.get(err.record, {}).get(err.field or "")
        shown = []
        for code in p["choices"]:
            label = spec.choice_label(code, lang) if spec else code
            shown.append(code if label == code else f"{code} ({label})")
        p["choices"] = ", ".join(shown)
    for key, v in list(p.items()):
        # A pasted essay or a corrupted cell must not be echoed whole: show its start.
        if isinstance(v, str) and len(v) > MAX_ECHO:
            p[key] = v[:MAX_ECHO] + "…"
    for key in ("value", "min", "max", "sol", "window"):
        v = p.get(key)
        if isinstance(v, float) and v.is_integer():
            p[key] = int(v)
    if lang != "en":
        for key in ("value", "min", "max", "sol", "window", "hours"):
            if isinstance(p.get(key), float):
                p[key] = str(p[key]).replace(".", ",")
    return p


def _template(err: RowError) -> tuple[str, str]:
    code = err.code
    if code == "future_date" and err.record == "episode":
        code = "future_date_episode"
    elif code == "tib_over_16h" and err.params.get("form"):
        code = "tib_over_16h_form"
    return TEMPLATES.get(code, ("{value}", "{value}"))


def render_body(err: RowError, lang: str = "nl") -> str:
    """Return only *what* is wrong, without the row and field (for a form, where the
    message already sits under the field's own label)."""
    nl, en = _template(err)
    body = (en if lang == "en" else nl).format_map(_params(err, lang))
    return body[:1].upper() + body[1:]


def render(err: RowError, lang: str = "nl") -> str:
    """Return the whole message of ``err`` in ``lang``: where, then what."""
    nl, en = _template(err)
    body = (en if lang == "en" else nl).format_map(_params(err, lang))
    where = _where(err, lang)
    if where:
        return f"{where}: {body}"
    return body[:1].upper() + body[1:]
