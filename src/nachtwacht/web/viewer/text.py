"""What the viewer says: event names, index explanations and published cut-offs, NL and EN.

The two languages stand side by side here (as in ``nachtwacht.diary.fields``) so a
reviewer checks that they say the same; plain B1 Dutch in formal "u", each medical
term explained once. Numbers are formatted for the reader's language
(:func:`number`: "15,3" in Dutch).

Cut-offs (published, per index):

- AHI: 5, 15 and 30 per hour of sleep for mild, moderate and severe sleep apnoea
  (AASM, ICSD-3).
- ODI: no own criterion in the AASM manual; commonly read on the AHI's 5/15/30 scale.
- PLMS index: above 15 per hour is raised in adults (ICSD-3; above 5 in children).
- Arousal index: no fixed limit; healthy adults mostly stay below 10-15 per hour,
  rising with age (Bonnet & Arand 2007).
- RSWA: SINBAR "any" chin activity in 3-s mini-epochs >= 18 % of REM (Frauscher 2012);
  Montreal tonic >= 30 % of 20-s epochs, phasic >= 15 % of 2-s mini-epochs
  (Montplaisir 2010).
- RMMA index: >= 2 episodes per hour of sleep for sleep bruxism, > 4 per hour high
  frequency (Lavigne 1996 research criteria; audio/video is needed to be sure).
- SpO2: staying at or above 90 % through sleep is usual; T90 is the share below 90 %.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import formats, translation

Pair = tuple[str, str]

KINDS: dict[str, Pair] = {
    "apnea": ("Ademstop (apneu)", "Breathing pause (apnoea)"),
    "hypopnea": ("Ondiepe ademhaling (hypopneu)", "Shallow breathing (hypopnoea)"),
    "desaturation": ("Daling van het zuurstofgehalte", "Drop in blood oxygen"),
    "lm": ("Beenbeweging", "Leg movement"),
    "plm": ("Beenbeweging in een reeks (PLM)", "Leg movement in a series (PLM)"),
    "lm_respiratory": ("Beenbeweging bij een ademstop", "Leg movement with a breathing pause"),
    "arousal": ("Korte ontwaking (arousal)", "Brief awakening (arousal)"),
    "rswa_tonic": ("Kinspier gespannen in de droomslaap", "Chin muscle tense in dream sleep"),
    "rswa_phasic": ("Trekking van de kinspier in de droomslaap", "Chin muscle twitch in dream sleep"),
    "rmma": ("Kauwspieren ritmisch actief (RMMA)", "Rhythmic chewing-muscle activity (RMMA)"),
    "sleep_start": ("Schok bij het inslapen", "Jerk while falling asleep"),
}
TYPES: dict[str, Pair] = {
    "obstructive": ("obstructief: de keel zit dicht", "obstructive: the throat is closed"),
    "central": ("centraal: geen ademprikkel", "central: no drive to breathe"),
    "mixed": ("gemengd", "mixed"),
    "phasic": ("korte trekkingen", "short bursts"),
    "tonic": ("aanhoudend", "sustained"),
}

#: Rows of the overview: (detector, label). Kinds of one detector share a row.
ROWS: tuple[tuple[str, Pair], ...] = (
    ("respiratory", ("Ademstops", "Breathing pauses")),
    ("desaturation", ("Zuurstofdalingen", "Oxygen drops")),
    ("arousal", ("Korte ontwakingen", "Brief awakenings")),
    ("leg_movements", ("Beenbewegingen", "Leg movements")),
    ("rswa", ("Spieren in droomslaap", "Muscles in dream sleep")),
    ("bruxism", ("Tandenknarsen", "Teeth grinding")),
    ("sleep_starts", ("Inslaapschokken", "Sleep starts")),
)

#: Words the drawing script needs, in the reader's language.
UI: dict[str, Pair] = {
    "hypnogram": ("Slaapfasen", "Sleep stages"),
    "confidence": ("Zekerheid van de automatische indeling", "Certainty of the automatic staging"),
    "technician": ("Slaapfasen ingedeeld door de laborant", "Sleep stages scored by the technician"),
    "automatic": ("Slaapfasen automatisch ingedeeld (grijs: hoe zeker)",
                  "Sleep stages scored automatically (grey: how certain)"),
    "diary": ("Uit het dagboek", "From the diary"),
    "certainty": ("Zekerheid", "Certainty"),
    "epoch": ("Tijdvak", "Epoch"),
    "of": ("van", "of"),
    "stage": ("Fase", "Stage"),
    "loading": ("Signalen laden…", "Loading signals…"),
    "failed": ("De signalen konden niet worden geladen.", "The signals could not be loaded."),
    "no_signal": ("Het bestand staat niet meer op de server; alleen het overzicht is er nog.",
                  "The file is no longer on the server; only the overview is left."),
    "events_here": ("Gebeurtenissen in dit venster", "Events in this window"),
    "none_here": ("Geen gevonden gebeurtenissen in dit venster.", "No events found in this window."),
    "W": ("Wakker", "Awake"), "R": ("REM", "REM"), "N1": ("N1", "N1"), "N2": ("N2", "N2"),
    "N3": ("N3", "N3"), "?": ("?", "?"),
}


def pick(pair: Pair, language: str) -> str:
    return pair[1] if language == "en" else pair[0]


def kind_label(row: Mapping[str, Any], language: str) -> str:
    """An event named for a person: "Ademstop (apneu), obstructief: de keel zit dicht"."""
    kind = str(row.get("kind") or "")
    text = pick(KINDS[kind], language) if kind in KINDS else kind.replace("_", " ")
    typ = str(row.get("type") or "")
    if typ:
        text += ", " + (pick(TYPES[typ], language) if typ in TYPES else typ)
    return text


def number(value: float, decimals: int, language: str) -> str:
    """``value`` with the decimal separator of ``language``."""
    with translation.override(language):
        return formats.number_format(round(float(value), decimals), decimal_pos=decimals, use_l10n=True)


def _get(result: Mapping[str, Any], det: str, key: str) -> Any:
    r = (result.get("events") or {}).get(det) or {}
    v = (r.get("summary") or {}).get(key)
    return v if isinstance(v, int | float) and not isinstance(v, bool) else None


def _ahi_band(v: float) -> str:
    return "normal" if v < 5 else "mild" if v < 15 else "moderate" if v < 30 else "severe"


_BANDS: dict[str, Pair] = {
    "normal": ("binnen de grens", "within the limit"),
    "above": ("boven de grens", "above the limit"),
    "mild": ("licht verhoogd", "mildly raised"),
    "moderate": ("matig verhoogd", "moderately raised"),
    "severe": ("sterk verhoogd", "severely raised"),
    "none": ("geen vaste grens", "no fixed limit"),
}

PER_H: Pair = ("per uur slaap", "per hour of sleep")

#: (detector, summary key, name, unit, explanation, cut-off, verdict function).
INDICES: tuple[tuple[str, str, Pair, Pair, Pair, Pair, Any], ...] = (
    ("respiratory", "ahi", ("Apneu-hypopneu-index (AHI)", "Apnoea-hypopnoea index (AHI)"), PER_H,
     ("Hoe vaak per uur slaap uw ademhaling stopte (apneu) of veel te ondiep was (hypopneu), "
      "10 seconden of langer.",
      "How often per hour of sleep your breathing stopped (apnoea) or was far too shallow "
      "(hypopnoea), for 10 seconds or longer."),
     ("Onder 5 is normaal; 5 tot 15 licht, 15 tot 30 matig, 30 of meer ernstig (AASM, ICSD-3).",
      "Below 5 is normal; 5 to 15 mild, 15 to 30 moderate, 30 or more severe (AASM, ICSD-3)."),
     _ahi_band),
    ("desaturation", "odi3", ("Zuurstofdaling-index (ODI)", "Oxygen desaturation index (ODI)"), PER_H,
     ("Hoe vaak per uur slaap het zuurstofgehalte in uw bloed 3 procentpunt of meer daalde.",
      "How often per hour of sleep the oxygen level in your blood dropped by 3 percentage "
      "points or more."),
     ("Geen eigen grens; meestal gelezen met de grenzen van de AHI: 5, 15 en 30.",
      "No limit of its own; usually read on the AHI's limits: 5, 15 and 30."),
     _ahi_band),
    ("desaturation", "spo2_nadir", ("Laagste zuurstofgehalte (SpO2)", "Lowest blood oxygen (SpO2)"), ("%", "%"),
     ("Het laagste zuurstofgehalte in uw bloed, gemeten met een knijper op de vinger.",
      "The lowest oxygen level in your blood, measured with a clip on the finger."),
     ("In de slaap blijft het meestal op 90 % of hoger.", "During sleep it usually stays at 90 % or higher."),
     lambda v: "normal" if v >= 90 else "above"),
    ("desaturation", "t90_pct", ("Tijd onder 90 % zuurstof (T90)", "Time below 90 % oxygen (T90)"),
     ("% van de slaap", "% of sleep"),
     ("Welk deel van uw slaap het zuurstofgehalte onder 90 % lag.",
      "Which part of your sleep the oxygen level was below 90 %."),
     ("Geen vaste grens; meer dan enkele procenten is opvallend.",
      "No fixed limit; more than a few percent stands out."),
     lambda v: "none"),
    ("leg_movements", "plms_index", ("Periodieke beenbewegingen (PLMS-index)", "Periodic limb movements (PLMS index)"),
     PER_H,
     ("Beenbewegingen in de slaap die in een reeks komen: minstens 4 na elkaar, 5 tot 90 seconden uit "
      "elkaar. Geteld per uur slaap.",
      "Leg movements during sleep that come in a series: at least 4 in a row, 5 to 90 seconds apart. "
      "Counted per hour of sleep."),
     ("Bij volwassenen is meer dan 15 verhoogd (ICSD-3); bij kinderen meer dan 5.",
      "In adults more than 15 is raised (ICSD-3); in children more than 5."),
     lambda v: "above" if v > 15 else "normal"),
    ("arousal", "arousal_index", ("Korte ontwakingen (arousal-index)", "Brief awakenings (arousal index)"), PER_H,
     ("Hoe vaak per uur slaap uw hersenen 3 seconden of langer wakker werden, meestal zonder dat u "
      "het merkt.",
      "How often per hour of sleep your brain woke up for 3 seconds or longer, mostly without "
      "you noticing."),
     ("Geen vaste grens; bij gezonde volwassenen meestal onder 10 tot 15, hoger op oudere leeftijd.",
      "No fixed limit; in healthy adults mostly below 10 to 15, higher at older age."),
     lambda v: "none"),
    ("rswa", "rswa_any_pct", ("Spierspanning in de droomslaap (RSWA, SINBAR)",
                              "Muscle tone in dream sleep (RSWA, SINBAR)"), ("% van de REM-slaap", "% of REM sleep"),
     ("In de droomslaap (REM-slaap) is de kinspier normaal slap. Dit is het deel van de REM-slaap in "
      "stukjes van 3 seconden waarin de kinspier toch actief was.",
      "In dream sleep (REM sleep) the chin muscle is normally slack. This is the part of REM sleep, "
      "in pieces of 3 seconds, in which the chin muscle was active anyway."),
     ("18 % of meer past bij REM-slaapgedragsstoornis (SINBAR, Frauscher 2012).",
      "18 % or more fits REM sleep behaviour disorder (SINBAR, Frauscher 2012)."),
     lambda v: "above" if v >= 18 else "normal"),
    ("rswa", "montreal_tonic_pct", ("Aanhoudende spierspanning in REM (Montreal)", "Sustained muscle tone in REM (Montreal)"),
     ("% van de REM-slaap", "% of REM sleep"),
     ("Het deel van de REM-slaap, in stukjes van 20 seconden, waarin de kinspier de hele tijd gespannen was.",
      "The part of REM sleep, in pieces of 20 seconds, in which the chin muscle was tense throughout."),
     ("30 % of meer is verhoogd (Montreal, Montplaisir 2010).", "30 % or more is raised (Montreal, Montplaisir 2010)."),
     lambda v: "above" if v >= 30 else "normal"),
    ("rswa", "montreal_phasic_pct", ("Korte spiertrekkingen in REM (Montreal)", "Short muscle twitches in REM (Montreal)"),
     ("% van de REM-slaap", "% of REM sleep"),
     ("Het deel van de REM-slaap, in stukjes van 2 seconden, met een korte trekking van de kinspier.",
      "The part of REM sleep, in pieces of 2 seconds, with a short twitch of the chin muscle."),
     ("15 % of meer is verhoogd (Montreal, Montplaisir 2010).", "15 % or more is raised (Montreal, Montplaisir 2010)."),
     lambda v: "above" if v >= 15 else "normal"),
    ("bruxism", "rmma_index", ("Kauwspieractiviteit (RMMA-index)", "Chewing-muscle activity (RMMA index)"), PER_H,
     ("Hoe vaak per uur slaap uw kauwspieren ritmisch aanspanden, zoals bij tandenknarsen of klemmen.",
      "How often per hour of sleep your chewing muscles tensed rhythmically, as in grinding or "
      "clenching the teeth."),
     ("2 of meer past bij slaapbruxisme, meer dan 4 is veel (onderzoekscriteria, Lavigne). "
      "Zeker weten vraagt ook geluid of video.",
      "2 or more fits sleep bruxism, more than 4 is a lot (research criteria, Lavigne). "
      "To be sure, sound or video is needed too."),
     lambda v: "normal" if v < 2 else "mild" if v <= 4 else "above"),
    ("sleep_starts", "sleep_start_count", ("Schokken bij het inslapen", "Jerks while falling asleep"),
     ("keer", "times"),
     ("Korte schokken van veel spieren tegelijk op het moment van inslapen (hypnagoge schokken).",
      "Short jerks of many muscles at once at the moment of falling asleep (hypnic jerks)."),
     ("Geen grens: deze schokken zijn normaal; alleen als ze u wakker houden zijn ze een probleem.",
      "No limit: these jerks are normal; they are only a problem when they keep you awake."),
     lambda v: "none"),
)


def indices(result: Mapping[str, Any], language: str) -> list[dict[str, str]]:
    """The indices this night has, each with value, explanation, cut-off and verdict."""
    out = []
    for det, key, name, unit, explain, cutoff, verdict in INDICES:
        v = _get(result, det, key)
        if v is None:
            continue
        decimals = 0 if key.endswith("_count") or key == "spo2_nadir" else 1
        band = verdict(v)
        out.append({"key": key, "name": pick(name, language), "value": number(v, decimals, language),
                    "unit": pick(unit, language), "explain": pick(explain, language),
                    "cutoff": pick(cutoff, language), "verdict": pick(_BANDS[band], language),
                    "band": band})
    return out


def ui(language: str) -> dict[str, str]:
    return {k: pick(v, language) for k, v in UI.items()}
