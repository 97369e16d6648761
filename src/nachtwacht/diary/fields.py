"""The one definition of every diary field.

Each field of a night, an episode and the profile is described here once: its
name (which is also the CSV header / JSON key), its kind, unit, valid range,
choices, and its Dutch and English label and help text. Validation, CSV and JSON
interchange, the web forms and the GP report all read these specs, so a field is
never described twice.

Kinds
-----
``date``      ISO date ``YYYY-MM-DD``.
``clock``     a clock time ``HH:MM``; *anchor* says which calendar day it belongs to
              (``evening``: times from 12:00 belong to the evening before the
              morning date; ``morning``: the morning date itself).
``minutes``   a non-negative number of minutes.
``int``       an integer (scores, counts).
``float``     a real number (units, milligrams).
``bool``      yes/no; read from ``1/0``, ``yes/no``, ``ja/nee``, ``true/false``.
``choice``    one of ``choices``.
``list``      a free list of short strings, ``;``-separated in CSV.
``multichoice`` a list drawn from ``choices``, ``;``-separated in CSV.
``text``      free text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal[
    "date", "clock", "minutes", "int", "float", "bool", "choice", "list", "multichoice", "text"
]


@dataclass(frozen=True)
class Choice:
    """One allowed value of a ``choice`` field, with its labels."""

    code: str
    nl: str
    en: str


@dataclass(frozen=True)
class FieldSpec:
    """Everything the project knows about one diary field."""

    name: str
    kind: Kind
    label_nl: str
    label_en: str
    help_nl: str = ""
    help_en: str = ""
    unit: str = ""
    min: float | None = None
    max: float | None = None
    choices: tuple[Choice, ...] = ()
    required: bool = False
    anchor: Literal["evening", "morning", ""] = ""
    #: Factors are what the trigger analysis tests against outcomes.
    factor: bool = False
    #: Sensitive fields (sexual behaviour, drugs, free text) are never logged and
    #: can be hidden from a partner or clinician by the sleeper.
    sensitive: bool = False
    #: Group used by forms to show related fields together.
    group: str = ""
    max_length: int = 500
    choice_codes: tuple[str, ...] = field(init=False, repr=False, default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "choice_codes", tuple(c.code for c in self.choices))

    def label(self, lang: str = "nl") -> str:
        """Return the label in ``lang`` (``nl`` or ``en``)."""
        return self.label_en if lang == "en" else self.label_nl

    def help(self, lang: str = "nl") -> str:
        """Return the help text in ``lang`` (``nl`` or ``en``)."""
        return self.help_en if lang == "en" else self.help_nl

    def choice_label(self, code: str, lang: str = "nl") -> str:
        """Return the label of one choice code (the code itself if unknown)."""
        for c in self.choices:
            if c.code == code:
                return c.en if lang == "en" else c.nl
        return code


def _c(*triples: tuple[str, str, str]) -> tuple[Choice, ...]:
    return tuple(Choice(*t) for t in triples)


SHIFT_CHOICES = _c(
    ("none", "geen", "none"),
    ("day", "dagdienst", "day shift"),
    ("evening", "avonddienst", "evening shift"),
    ("night", "nachtdienst", "night shift"),
)
INTENSITY_CHOICES = _c(
    ("none", "geen", "none"),
    ("light", "licht", "light"),
    ("moderate", "matig", "moderate"),
    ("vigorous", "zwaar", "vigorous"),
)

# ---------------------------------------------------------------------------
# Night: Consensus Sleep Diary core, naps and factors. Dated by the morning.
# ---------------------------------------------------------------------------
NIGHT_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("date", "date", "Datum (ochtend)", "Date (morning)",
              "De datum van de ochtend waarop u wakker werd.",
              "The date of the morning you woke up.", required=True, group="sleep"),
    FieldSpec("bedtime", "clock", "Naar bed", "Into bed",
              "Hoe laat ging u in bed liggen?", "What time did you get into bed?",
              anchor="evening", group="sleep"),
    FieldSpec("lights_out", "clock", "Licht uit / proberen te slapen", "Lights out / tried to sleep",
              "Hoe laat deed u het licht uit om te gaan slapen?",
              "What time did you try to go to sleep?", anchor="evening", group="sleep"),
    FieldSpec("sol_min", "minutes", "Minuten tot in slaap", "Minutes to fall asleep",
              "Hoe lang duurde het voordat u in slaap viel?",
              "How long did it take you to fall asleep?", unit="min", min=0, max=720,
              group="sleep"),
    FieldSpec("awakenings", "int", "Aantal keer wakker", "Number of awakenings",
              "Hoe vaak werd u wakker, de laatste keer niet meegeteld?",
              "How many times did you wake up, not counting the final awakening?",
              min=0, max=50, group="sleep"),
    FieldSpec("waso_min", "minutes", "Minuten wakker in de nacht", "Minutes awake during the night",
              "Hoeveel minuten was u bij elkaar wakker tussen inslapen en de laatste keer wakker worden?",
              "In total, how long were you awake between falling asleep and your final awakening?",
              unit="min", min=0, max=720, group="sleep"),
    FieldSpec("final_wake", "clock", "Laatste keer wakker", "Final wake time",
              "Hoe laat werd u voor het laatst wakker?", "What time was your final awakening?",
              anchor="morning", group="sleep"),
    FieldSpec("out_of_bed", "clock", "Uit bed", "Out of bed",
              "Hoe laat stond u op?", "What time did you get out of bed?",
              anchor="morning", group="sleep"),
    FieldSpec("quality", "int", "Slaapkwaliteit", "Sleep quality",
              "1 = heel slecht, 5 = heel goed.", "1 = very poor, 5 = very good.",
              min=1, max=5, group="sleep"),
    FieldSpec("rested", "int", "Uitgerust", "Rested",
              "1 = helemaal niet, 5 = heel goed uitgerust.", "1 = not at all, 5 = very well rested.",
              min=1, max=5, group="sleep"),
    FieldSpec("nap_min", "minutes", "Dutjes (minuten)", "Naps (minutes)",
              "Hoeveel minuten sliep u overdag, de dag voor deze nacht?",
              "How many minutes did you nap during the day before this night?",
              unit="min", min=0, max=600, group="day", factor=True),
    FieldSpec("alcohol_units", "float", "Alcohol (glazen)", "Alcohol (units)",
              "Aantal standaardglazen alcohol op de dag en avond voor deze nacht.",
              "Standard drinks of alcohol during the day and evening before this night.",
              unit="units", min=0, max=60, group="substances", factor=True),
    FieldSpec("alcohol_last", "clock", "Laatste glas alcohol", "Last alcoholic drink",
              "Hoe laat dronk u het laatste glas?", "What time was your last drink?",
              anchor="evening", group="substances", factor=True),
    FieldSpec("caffeine_mg", "float", "Cafeïne (mg)", "Caffeine (mg)",
              "Ongeveer: een kop koffie 80-100 mg, thee 30-50 mg, energiedrank 80 mg per blikje.",
              "Roughly: a cup of coffee 80-100 mg, tea 30-50 mg, an energy drink 80 mg per can.",
              unit="mg", min=0, max=2000, group="substances", factor=True),
    FieldSpec("caffeine_last", "clock", "Laatste cafeïne", "Last caffeine",
              "Hoe laat had u voor het laatst koffie, thee, cola of energiedrank?",
              "What time did you last have coffee, tea, cola or an energy drink?",
              anchor="evening", group="substances", factor=True),
    FieldSpec("nicotine", "bool", "Nicotine", "Nicotine",
              "Rookte, vapete of snuste u op deze dag?", "Did you smoke, vape or use snus that day?",
              group="substances", factor=True),
    FieldSpec("substances", "list", "Andere middelen", "Other substances",
              "Bijvoorbeeld ketamine, cannabis, xtc. Gescheiden door ;",
              "For example ketamine, cannabis, MDMA. Separated by ;",
              group="substances", factor=True, sensitive=True),
    FieldSpec("medication", "list", "Medicatie ingenomen", "Medication taken",
              "Welke medicijnen nam u (ook slaapmiddelen)? Gescheiden door ;",
              "Which medicines did you take (sleeping pills too)? Separated by ;",
              group="substances", factor=True, sensitive=True),
    FieldSpec("stress", "int", "Stress", "Stress",
              "0 = geen, 10 = extreem.", "0 = none, 10 = extreme.",
              min=0, max=10, group="day", factor=True),
    FieldSpec("exercise_end", "clock", "Einde sporten", "Exercise ended",
              "Hoe laat was u klaar met sporten of zware inspanning?",
              "What time did your exercise or hard physical work end?",
              anchor="evening", group="day", factor=True),
    FieldSpec("exercise_intensity", "choice", "Zwaarte van het sporten", "Exercise intensity",
              choices=INTENSITY_CHOICES, group="day", factor=True),
    FieldSpec("screens_last_hour", "bool", "Schermen laatste uur", "Screens in the last hour",
              "Keek u in het laatste uur voor het slapen op een telefoon, tablet of scherm?",
              "Did you use a phone, tablet or screen in the hour before sleep?",
              group="evening", factor=True),
    FieldSpec("late_work", "bool", "Laat werk of ruzie", "Late work or an argument",
              "Werkte u 's avonds laat door of had u een ruzie of zwaar gesprek?",
              "Did you work late or have an argument or a difficult talk that evening?",
              group="evening", factor=True),
    FieldSpec("shift", "choice", "Dienst", "Shift", choices=SHIFT_CHOICES,
              group="day", factor=True),
    FieldSpec("travel", "bool", "Reizen of jetlag", "Travel or jet lag", group="day", factor=True),
    FieldSpec("wind_down", "bool", "Afbouwroutine gedaan", "Wind-down routine done",
              "Nam u 30-60 minuten rust voor het slapen, zonder werk of schermen?",
              "Did you take 30-60 quiet minutes before sleep, without work or screens?",
              group="evening", factor=True),
    FieldSpec("relaxation", "bool", "Ontspannings- of ademoefening", "Relaxation or breathing exercise",
              group="evening", factor=True),
    FieldSpec("slept_apart", "bool", "Apart geslapen", "Slept apart",
              "Sliep u apart van uw partner?", "Did you sleep apart from your partner?",
              group="evening", factor=True),
    FieldSpec("tension", "int", "Spierspanning bij wakker worden", "Muscle tension on waking",
              "Kaak, nek, schouders. 0 = geen, 10 = extreem.", "Jaw, neck, shoulders. 0 = none, 10 = extreme.",
              min=0, max=10, group="morning"),
    FieldSpec("pain", "int", "Pijn", "Pain", "0 = geen, 10 = ergst denkbare.",
              "0 = none, 10 = worst imaginable.", min=0, max=10, group="morning"),
    FieldSpec("notes", "text", "Opmerkingen", "Comments", group="morning", sensitive=True,
              max_length=2000),
)

EPISODE_TYPES = _c(
    ("sexsomnia", "seksueel gedrag in de slaap (sexsomnie)", "sexual behaviour in sleep (sexsomnia)"),
    ("sleepwalking", "slaapwandelen", "sleepwalking"),
    ("sleep_talking", "praten in de slaap", "sleep talking"),
    ("confusional_arousal", "verward wakker worden", "confusional arousal"),
    ("night_terror", "nachtelijke paniekaanval (pavor nocturnus)", "night terror"),
    ("nightmare", "nachtmerrie", "nightmare"),
    ("dream_enactment", "dromen naspelen", "dream enactment"),
    ("hypnic_jerk", "schok bij inslapen", "hypnic jerk"),
    ("restless_legs", "onrustige benen", "restless legs"),
    ("leg_movements", "beenbewegingen in de slaap", "leg movements in sleep"),
    ("muscle_tension", "spierspanning", "muscle tension"),
    ("bruxism", "tandenknarsen of kaakklemmen", "teeth grinding or jaw clenching"),
    ("breathing_pause", "adempauze", "breathing pause"),
    ("sleep_eating", "eten in de slaap", "sleep eating"),
    ("urge", "drang of voorval van dwangmatig seksueel gedrag", "urge or episode of compulsive sexual behaviour"),
    ("other", "anders", "other"),
)
REPORTER_CHOICES = _c(("self", "zelf", "self"), ("partner", "partner", "partner"))
RECALL_CHOICES = _c(
    ("none", "geen herinnering", "no recall"),
    ("vague", "vaag", "vague"),
    ("full", "volledig", "full"),
)

EPISODE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("date", "date", "Datum (ochtend)", "Date (morning)",
              "De ochtend na de nacht waarin het gebeurde.",
              "The morning after the night it happened.", required=True),
    FieldSpec("time", "clock", "Tijdstip (ongeveer)", "Time (approximately)",
              "Ongeveer hoe laat? Tijden vanaf 12:00 horen bij de avond ervoor.",
              "Roughly what time? Times from 12:00 belong to the evening before.",
              anchor="evening"),
    FieldSpec("type", "choice", "Soort", "Type", choices=EPISODE_TYPES, required=True),
    FieldSpec("reporter", "choice", "Gemeld door", "Reported by", choices=REPORTER_CHOICES,
              required=True),
    FieldSpec("count", "int", "Aantal keer", "Count", "Hoe vaak in deze nacht?",
              "How many times that night?", min=1, max=500),
    FieldSpec("duration_min", "minutes", "Duur (minuten)", "Duration (minutes)", unit="min",
              min=0, max=600),
    FieldSpec("behaviours", "list", "Wat gebeurde er", "Behaviours seen",
              "Wat deed of zei de slaper? Gescheiden door ;",
              "What did the sleeper do or say? Separated by ;", sensitive=True),
    FieldSpec("recall", "choice", "Herinnering", "Recall", "Weet de slaper het nog?",
              "Does the sleeper remember it?", choices=RECALL_CHOICES),
    FieldSpec("injury", "bool", "Letsel", "Injury", "Raakte iemand gewond?", "Was anyone hurt?"),
    FieldSpec("left_bedroom", "bool", "Slaapkamer verlaten", "Left the bedroom"),
    FieldSpec("partner_unsafe", "bool", "Partner voelde zich onveilig", "Partner felt unsafe"),
    FieldSpec("notes", "text", "Opmerkingen", "Notes", sensitive=True, max_length=2000),
)

PROFILE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("birth_year", "int", "Geboortejaar", "Birth year", min=1900, max=2100, group="about"),
    FieldSpec("bed_partner", "bool", "Bedpartner", "Bed partner", group="about"),
    FieldSpec("children_in_home", "bool", "Kinderen in huis", "Children in the home", group="about"),
    FieldSpec("drives", "bool", "Rijdt auto of ander voertuig", "Drives a vehicle", group="about"),
    FieldSpec("shift_work", "bool", "Werkt in ploegendienst", "Works shifts", group="about"),
    FieldSpec("known_conditions", "list", "Bekende aandoeningen", "Known conditions", group="about",
              sensitive=True),
    FieldSpec("regular_medication", "list", "Vaste medicatie", "Regular medication", group="about",
              sensitive=True),
    FieldSpec("snoring", "bool", "Snurken", "Snoring", group="checklist"),
    FieldSpec("witnessed_apneas", "bool", "Adempauzes gezien door partner", "Witnessed breathing pauses",
              group="checklist"),
    FieldSpec("daytime_sleepiness", "int", "Slaperig overdag", "Daytime sleepiness",
              "0 = nooit, 1 = soms, 2 = vaak, 3 = bijna altijd.",
              "0 = never, 1 = sometimes, 2 = often, 3 = almost always.", min=0, max=3,
              group="checklist"),
    FieldSpec("drowsy_driving", "bool", "In slaap vallen of bijna achter het stuur", "Drowsy or dozing while driving",
              group="checklist"),
    FieldSpec("cataplexy", "bool", "Plotselinge spierslapte bij lachen of schrik",
              "Sudden muscle weakness when laughing or startled", group="checklist"),
    FieldSpec("sleep_paralysis", "bool", "Slaapverlamming", "Sleep paralysis", group="checklist"),
    FieldSpec("hypnagogic_hallucinations", "bool", "Beelden of geluiden bij inslapen",
              "Hallucinations when falling asleep", group="checklist"),
    FieldSpec("rls_symptoms", "bool", "'s Avonds drang om de benen te bewegen",
              "Evening urge to move the legs", group="checklist"),
    FieldSpec("tingling_weakness", "bool", "Tintelingen of krachtverlies", "Tingling or loss of strength",
              group="checklist"),
    FieldSpec("severe_pain", "bool", "Hevige pijn", "Severe pain", group="checklist"),
    FieldSpec("breathing_problems", "bool", "Ademhalingsproblemen", "Breathing problems", group="checklist"),
    FieldSpec("chest_pain", "bool", "Pijn op de borst", "Chest pain", group="checklist"),
    FieldSpec("low_mood", "bool", "Somberheid", "Low mood", group="checklist", sensitive=True),
    FieldSpec("suicidal_thoughts", "bool", "Gedachten aan zelfdoding", "Thoughts of suicide",
              group="checklist", sensitive=True),
    FieldSpec("new_medication", "bool", "Onlangs nieuwe medicatie", "Recently started new medication",
              group="checklist"),
    FieldSpec("past_sleepwalking", "bool", "Vroeger geslaapwandeld", "Sleepwalking in the past",
              group="checklist"),
    FieldSpec("epilepsy", "bool", "Bekende epilepsie", "Known epilepsy", group="checklist"),
    FieldSpec("urinary_complaints", "bool", "Plasklachten 's nachts", "Urinary complaints at night",
              group="checklist"),
    FieldSpec("strong_shame", "bool", "Veel schaamte over wat er 's nachts gebeurt",
              "Strong shame about what happens at night", group="checklist", sensitive=True),
    FieldSpec("loss_of_control", "bool", "Controleverlies over seksueel gedrag ondanks nadelen",
              "Loss of control over sexual behaviour despite harm", group="checklist", sensitive=True),
    FieldSpec("child_turns_blue", "bool", "Kind wordt blauw bij schokken",
              "A child whose jerks come with turning blue", group="checklist"),
)

NIGHT_HEADERS: tuple[str, ...] = tuple(f.name for f in NIGHT_FIELDS)
EPISODE_HEADERS: tuple[str, ...] = tuple(f.name for f in EPISODE_FIELDS)
PROFILE_KEYS: tuple[str, ...] = tuple(f.name for f in PROFILE_FIELDS)

_BY_NAME = {
    "night": {f.name: f for f in NIGHT_FIELDS},
    "episode": {f.name: f for f in EPISODE_FIELDS},
    "profile": {f.name: f for f in PROFILE_FIELDS},
}


def spec(record: Literal["night", "episode", "profile"], name: str) -> FieldSpec:
    """Return the spec of field ``name`` of ``record`` (KeyError if unknown)."""
    return _BY_NAME[record][name]


def factor_fields() -> tuple[FieldSpec, ...]:
    """Night fields that the trigger analysis treats as possible triggers."""
    return tuple(f for f in NIGHT_FIELDS if f.factor)
