"""Every fixed word of the GP report, in Dutch (default) and English.

Field labels are not here: they come from :mod:`nachtwacht.diary.fields`, so a
field is named the same way in the diary form and in the report.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal

LANGS = ("nl", "en")

STRINGS: dict[str, tuple[str, str]] = {
    # key: (nl, en)
    "title": ("Slaapverslag voor de huisarts", "Sleep report for the GP"),
    "disclaimer": (
        "Dit verslag is gemaakt uit het eigen slaapdagboek van deze persoon (en wat de partner "
        "noteerde). Het is informatie om samen te bespreken, geen diagnose.",
        "This report was made from the person's own sleep diary (and what the bed partner noted). "
        "It is information to discuss together, not a diagnosis.",
    ),
    "made_by": ("Gemaakt met Nachtwacht op {date}", "Made with Nachtwacht on {date}"),
    "page": ("pagina", "page"),
    "of": ("van", "of"),
    # section headings
    "h_who": ("Wie en welke periode", "Who and which period"),
    "h_complaint": ("Hoofdklacht", "Main complaint"),
    "h_frequency": ("Hoe vaak", "How often"),
    "h_when": ("Wanneer", "When"),
    "h_factors": ("Na welke factoren", "After which factors"),
    "h_partner": ("Wat de partner zag", "What the bed partner saw"),
    "h_checklist": ("Andere klachten", "Other complaints"),
    "h_metrics": ("Slaap volgens het dagboek", "Sleep according to the diary"),
    "h_experiments": ("Wat is geprobeerd", "What was tried"),
    "h_triage": ("Signalen en advies", "Warning signs and advice"),
    "h_questions": ("Om te bespreken met uw huisarts", "To discuss with your GP"),
    "h_tell": ("Om te vertellen", "Worth telling your GP"),
    "h_ask": ("Om te vragen", "Questions to ask"),
    "h_psg": ("Slaaponderzoek", "Sleep study"),
    "h_chart": ("Slaapdagboek per nacht (18:00 tot 18:00)", "Sleep diary per night (18:00 to 18:00)"),
    "h_weekly": ("Voorvallen per week", "Episodes per week"),
    # who
    "subject": ("Persoon", "Person"),
    "subject_default": ("Slaper (naam niet vermeld)", "Sleeper (name not shown)"),
    "period": ("Periode", "Period"),
    "period_fmt": ("{start} t/m {end} ({days} dagen)", "{start} to {end} ({days} days)"),
    "nights_recorded": ("Nachten ingevuld", "Nights recorded"),
    "episodes_recorded": ("Voorvallen genoteerd", "Episodes recorded"),
    "birth_year": ("Geboortejaar", "Birth year"),
    "about": ("Achtergrond", "Background"),
    "no_period": ("geen gegevens", "no data"),
    # empty states
    "empty_period": (
        "Er zijn in deze periode geen nachten en geen voorvallen genoteerd.",
        "No nights and no episodes were recorded in this period.",
    ),
    "no_nights": (
        "Er zijn in deze periode geen nachten ingevuld.",
        "No nights were recorded in this period.",
    ),
    "no_episodes": (
        "Er zijn in deze periode geen voorvallen genoteerd.",
        "No episodes were recorded in this period.",
    ),
    "no_partner": (
        "De partner heeft in deze periode niets genoteerd.",
        "The bed partner noted nothing in this period.",
    ),
    "no_findings": (
        "Nog geen duidelijke verbanden: daarvoor zijn meer nachten nodig, of er is geen verband.",
        "No clear links yet: this needs more nights, or there is no link.",
    ),
    "no_insight": (
        "De verbandanalyse is niet beschikbaar.",
        "The trigger analysis is not available.",
    ),
    "no_experiments": ("Er zijn geen proefperiodes vastgelegd.", "No experiments were recorded."),
    "no_triage": (
        "De beoordeling van signalen is niet beschikbaar.",
        "The assessment of warning signs is not available.",
    ),
    "no_flags": ("Geen alarmsignalen gevonden in dit dagboek.", "No red flags found in this diary."),
    "no_times": ("Geen tijdstippen genoteerd.", "No times noted."),
    # complaint sentences
    "complaint_episode": (
        "{label}: in {nights} van de {days} nachten genoteerd ({times}×, gemiddeld {per_week} per week){by}.",
        "{label}: noted on {nights} of {days} nights ({times}×, on average {per_week} per week){by}.",
    ),
    "by_partner": (", vooral gezien door de partner", ", mostly seen by the bed partner"),
    "by_self": ("", ""),
    "complaint_also": ("Verder: {rest}.", "Also: {rest}."),
    "complaint_no_metrics": (
        "Geen voorvallen genoteerd; {n} nachten ingevuld, maar zonder slaaptijden.",
        "No episodes noted; {n} nights recorded, but without sleep times.",
    ),
    "complaint_metric_se": (
        "Slecht doorslapen: gemiddeld {tst} uur slaap en een slaapefficiëntie van {se}% over {n} nachten.",
        "Poor sleep: on average {tst} hours of sleep and a sleep efficiency of {se}% over {n} nights.",
    ),
    "complaint_metric_sol": (
        "Moeilijk inslapen: gemiddeld {sol} minuten tot in slaap over {n} nachten.",
        "Trouble falling asleep: on average {sol} minutes to fall asleep over {n} nights.",
    ),
    "complaint_metric_ok": (
        "Geen voorvallen genoteerd; de slaap in het dagboek ziet er gemiddeld gewoon uit ({tst} uur, efficiëntie {se}%).",
        "No episodes noted; sleep in the diary looks ordinary on average ({tst} hours, efficiency {se}%).",
    ),
    # frequency table
    "col_type": ("Soort", "Type"),
    "col_nights": ("Nachten", "Nights"),
    "col_times": ("Keer", "Times"),
    "col_per_week": ("Per week", "Per week"),
    "col_trend": ("Verloop", "Trend"),
    "col_partner": ("Door partner", "By partner"),
    "trend_up": ("meer: {a} → {b} per week", "more: {a} → {b} per week"),
    "trend_down": ("minder: {a} → {b} per week", "fewer: {a} → {b} per week"),
    "trend_same": ("gelijk: {a} → {b} per week", "about the same: {a} → {b} per week"),
    "trend_short": ("te kort om te zeggen", "too short to tell"),
    "freq_note": (
        "Nachten = nachten met minstens één melding; per week = nachten / {weeks} weken; "
        "door partner = nachten met een melding van de partner.",
        "Nights = nights with at least one report; per week = nights / {weeks} weeks; "
        "by partner = nights with a report by the partner.",
    ),
    "clock_note": ("Meestal (klok): de middelste helft van de tijdstippen.",
                   "Mostly (clock): the middle half of the times."),
    "axis_clock": ("kloktijd", "clock time"),
    "axis_hours": ("uur na start", "hours from start"),
    "trend_note": (
        "Verloop: eerste helft van de periode vergeleken met de tweede helft.",
        "Trend: first half of the period compared with the second half.",
    ),
    # when
    "col_clock": ("Meestal (klok)", "Mostly (clock)"),
    "col_median": ("Mediaan", "Median"),
    "col_first": ("1e deel", "1st third"),
    "col_middle": ("midden", "middle"),
    "col_last": ("laatste deel", "last third"),
    "col_unknown": ("onbekend", "unknown"),
    "thirds_note": (
        "Deel van de nacht: tussen licht uit en de laatste keer wakker, in drie gelijke delen.",
        "Part of the night: between lights out and the final awakening, in three equal parts.",
    ),
    # factors
    "col_factor": ("Factor", "Factor"),
    "col_effect": ("Verschil", "Difference"),
    "col_certainty": ("Hoe zeker", "How certain"),
    "certain_clear": ("duidelijk verband in dit dagboek", "clear link in this diary"),
    "certain_possible": ("mogelijk verband, kan toeval zijn", "possible link, could be chance"),
    "certain_none": ("geen duidelijk verband", "no clear link"),
    "ci_fmt": ("{est} (95%-BI {lo} tot {hi})", "{est} (95% CI {lo} to {hi})"),
    "ci_pp": ("{est} procentpunt (95%-BI {lo} tot {hi})",
              "{est} percentage points (95% CI {lo} to {hi})"),
    "factors_more": ("Nog {n} zwakkere verbanden staan in de verbandanalyse.",
                     "{n} weaker links are listed in the trigger analysis."),
    "factors_note": (
        "Verbanden in één dagboek zeggen niets zeker over oorzaak en gevolg.",
        "Links in one diary do not prove cause and effect.",
    ),
    # compact factor table (report/factors.py): one short line per finding
    "col_factor_outcome": ("Factor → gevolg", "Factor → outcome"),
    "col_fx_nights": ("Nachten (met tegen zonder)", "Nights (with vs without)"),
    "col_estimate": ("Geschatte kans of verschil", "Estimated chance or difference"),
    "fx_counts": ("{a} van {n1} nachten tegen {c} van {n0}", "{a} of {n1} nights vs {c} of {n0}"),
    "fx_typical": ("meestal {x} ({n1} nachten) tegen {y} ({n0})",
                   "typically {x} ({n1} nights) vs {y} ({n0})"),
    "fx_risks": ("{r1}% tegen {r0}%", "{r1}% vs {r0}%"),
    "fx_difference": ("verschil", "difference"),
    "fx_rests": ("op {n} nachten", "on {n} nights"),
    "fx_rests_together": ("op {n} nachten samen in bed", "on {n} nights together in bed"),
    "certain_clear_short": ("duidelijk", "clear"),
    "certain_possible_short": ("mogelijk", "possible"),
    "fx_note": (
        "Duidelijk = waarschijnlijk geen toeval; mogelijk = kan nog toeval zijn. De schatting "
        "telt het toeval mee, dus is voorzichtiger dan de aantallen (BI = "
        "betrouwbaarheidsinterval).",
        "Clear = probably not chance; possible = may still be chance. The estimate allows for "
        "chance, so it is more cautious than the counts (CI = confidence interval).",
    ),
    "fx_together_note": (
        "Samen in bed: alleen die nachten tellen mee, want op de andere nachten kon uw partner "
        "niets zien.",
        "Together in bed: only those nights count, because on the other nights your partner "
        "could not see anything.",
    ),
    # partner
    "partner_entries": (
        # Number-neutral wording: "1 meldingen in 1 nachten" reads wrong.
        "Meldingen door de partner: {n} (in nachten: {nights}).",
        "Reports by the bed partner: {n} (nights: {nights}).",
    ),
    "behaviours": ("Gedrag (aantal meldingen)", "Behaviours (number of reports)"),
    "recall": ("Herinnering van de slaper", "Sleeper's recall"),
    "safety": ("Veiligheid", "Safety"),
    # Only what is known: "none reported" is true whether the questions were answered
    # "no" or left blank; "partner felt safe" was claimed for blank answers (issue #11).
    "safety_none": ("Letsel, de slaapkamer verlaten of een onveilig gevoel: niet gemeld.",
                    "Injury, leaving the bedroom or feeling unsafe: not reported."),
    "times_on": ("{n}x ({dates})", "{n}x ({dates})"),
    # checklist
    "yes": ("ja", "yes"),
    "no": ("nee", "no"),
    "unanswered": ("niet ingevuld", "not answered"),
    "answered_no": ("Beantwoord met nee", "Answered no"),
    "sleepiness_0": ("nooit", "never"),
    "sleepiness_1": ("soms", "sometimes"),
    "sleepiness_2": ("vaak", "often"),
    "sleepiness_3": ("bijna altijd", "almost always"),
    # metrics
    "col_measure": ("Maat", "Measure"),
    "col_mean": ("Gemiddeld", "Mean"),
    "col_sd": ("SD", "SD"),
    "col_range": ("Bereik", "Range"),
    "col_n": ("n", "n"),
    "m_tib_min": ("Tijd in bed", "Time in bed"),
    "m_sol_min": ("Tijd tot inslapen (SOL)", "Time to fall asleep (SOL)"),
    "m_waso_min": ("Wakker na inslapen (WASO)", "Awake after sleep onset (WASO)"),
    "m_nwak": ("Aantal keer wakker", "Number of awakenings"),
    "m_tst_min": ("Totale slaaptijd (TST)", "Total sleep time (TST)"),
    "m_se_pct": ("Slaapefficiëntie (SE)", "Sleep efficiency (SE)"),
    "m_terminal_wake_min": ("Vroeg wakker in bed", "Awake in bed before rising"),
    "m_quality": ("Slaapkwaliteit (1-5)", "Sleep quality (1-5)"),
    "m_tension": ("Spierspanning bij wakker worden (0-10)", "Muscle tension on waking (0-10)"),
    "regularity": ("Regelmaat", "Regularity"),
    "r_mean_bedtime": ("Gemiddelde bedtijd", "Average bedtime"),
    "r_mean_risetime": ("Gemiddeld opstaan", "Average rise time"),
    "r_sd_bedtime_min": ("Spreiding bedtijd", "Spread of bedtime"),
    "r_sd_risetime_min": ("Spreiding opstaan", "Spread of rise time"),
    "r_sd_midpoint_min": ("Spreiding midden van de slaap", "Spread of mid-sleep"),
    "r_sri": ("Slaapregelmaat-index (SRI, 0-100)", "Sleep Regularity Index (SRI, 0-100)"),
    "r_none": ("te weinig opeenvolgende nachten", "too few consecutive nights"),
    "unit_min": ("min", "min"),
    "unit_pct": ("%", "%"),
    "unit_h": ("uur", "h"),
    # experiments
    "col_experiment": ("Proef", "Experiment"),
    "col_result": ("Resultaat", "Result"),
    "exp_meta": ("{a} nachten met de proef tegen {b} nachten ervoor; volgehouden: {kept}%",
                 "{a} nights with the change against {b} nights before; kept up: {kept}%"),
    # triage
    "level": ("Advies", "Advice"),
    "level_self_care": ("Zelf aan de slag; bij twijfel naar de huisarts",
                        "Self-care; see the GP when in doubt"),
    "level_gp_routine": ("Bespreken met de huisarts (geen haast)",
                         "Discuss with the GP (no hurry)"),
    "level_gp_soon": ("Binnenkort naar de huisarts", "See the GP soon"),
    "level_urgent": ("Vandaag contact met huisarts of huisartsenpost",
                     "Contact the GP or out-of-hours service today"),
    "see_section": ("zie", "see"),
    "flags": ("Signalen", "Signs"),
    "and_more": ("en nog {n}", "and {n} more"),
    "n_nights": ("{n} nachten", "{n} nights"),
    "n_night_one": ("1 nacht", "1 night"),
    "span": ("{first} t/m {last}", "{first} to {last}"),
    "n_nights_span": ("{n} nachten, {first} t/m {last}", "{n} nights, {first} to {last}"),
    "ev_see_factors": ("verband: zie 4", "link: see 4"),
    "differentials": ("Om aan te denken", "To consider"),
    "plan": ("Zelfhulpplan", "Self-help plan"),
    # questions (generic, per episode type)
    "q_generic": ("Wat kan dit verklaren, en wat kan ik zelf doen?",
                  "What could explain this, and what can I do myself?"),
    "q_sexsomnia": ("Kan dit sexsomnie zijn, en is een slaaponderzoek zinvol?",
                    "Could this be sexsomnia, and would a sleep study help?"),
    "q_sleepwalking": ("Hoe maken we de slaapkamer en het huis veilig?",
                       "How can we make the bedroom and the house safe?"),
    "q_hypnic_jerk": ("Zijn deze schokken bij inslapen onschuldig, en helpt minder cafeïne?",
                      "Are these jerks at sleep onset harmless, and would less caffeine help?"),
    "q_bruxism": ("Is een bezoek aan de tandarts of een opbeetplaat zinvol?",
                  "Would a dentist visit or a night guard help?"),
    "q_muscle_tension": ("Wat kan ik doen tegen spierspanning in de nacht?",
                         "What can I do about muscle tension at night?"),
    "q_breathing_pause": ("Moet slaapapneu onderzocht worden?",
                          "Should sleep apnoea be checked?"),
    "q_restless_legs": ("Is het zinvol om ijzer (ferritine) te laten prikken?",
                        "Is it worth checking iron (ferritin)?"),
    "q_urge": ("Waar kan ik terecht voor hulp bij dwangmatig seksueel gedrag?",
               "Where can I get help for compulsive sexual behaviour?"),
    "q_dream_enactment": ("Is verwijzing naar een slaapcentrum nodig?",
                          "Is a referral to a sleep centre needed?"),
    "q_alcohol": ("Hoe hangt mijn alcoholgebruik samen met mijn nachten?",
                  "How does my drinking relate to my nights?"),
    # psg
    "psg_source": ("Bron", "Source"),
    "psg_skipped": ("Niet berekend", "Not computed"),
    "h_hypnogram": ("Hypnogram", "Hypnogram"),
    "private_excluded": (
        "Vrije notities en privé-meldingen zijn weggelaten.",
        "Free-text notes and private entries are left out.",
    ),
    "other_types": ("overige soorten", "other types"),
    "legend_in_bed": ("in bed", "in bed"),
    "legend_asleep": ("slaapperiode", "sleep period"),
    "axis_week": ("week vanaf", "week from"),
    "axis_count": ("aantal", "count"),
    "axis_night": ("nacht (ochtend)", "night (morning)"),
    "chart_more_nights": ("laatste {n} nachten getoond", "last {n} nights shown"),
}


def t(key: str, lang: str = "nl", **kw: object) -> str:
    """Return string ``key`` in ``lang``, formatted with ``kw``."""
    nl, en = STRINGS[key]
    s = en if lang == "en" else nl
    return s.format(**kw) if kw else s


def check_lang(lang: str) -> str:
    """Return ``lang`` if supported, else raise ValueError naming the options."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGS)}")
    return lang


def num(x: float | int | None, lang: str = "nl", digits: int = 1) -> str:
    """Format a number for reading: Dutch decimal comma, ``–`` when missing."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if isinstance(x, int) and not isinstance(x, bool):
        return str(x)
    # Round half up on the shortest decimal form, as a person checking by hand would
    # (17.25 -> 17.3, where binary floats and f-strings give 17.2).
    q = Decimal(1).scaleb(-digits)
    s = str(Decimal(repr(float(x))).quantize(q, rounding=ROUND_HALF_UP))
    if s.startswith("-") and Decimal(s) == 0:
        s = s[1:]
    return s.replace(".", ",") if lang == "nl" else s


_MONTHS_NL = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def date_str(d: dt.date | None, lang: str = "nl", year: bool = True) -> str:
    """Format a date as ``3 mrt 2026`` / ``3 Mar 2026`` (no locale needed)."""
    if d is None:
        return "–"
    m = (_MONTHS_EN if lang == "en" else _MONTHS_NL)[d.month - 1]
    return f"{d.day} {m} {d.year}" if year else f"{d.day} {m}"
