"""What people read about background jobs, in Dutch (formal "u", B1) and English.

Kept here as pairs rather than in the shared .po catalogue so the job texts stay in one
place with the code that picks them; :func:`text` returns the one for a language.
"""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "timeout": (
        "Dit duurde te lang. Daarom heeft de server het werk gestopt. Er is niets veranderd. "
        "Gaat het om een slaaponderzoek? Dan is het bestand misschien veel langer of groter dan "
        "één nacht. Zet het opnieuw over vanuit het programma van de slaapmeting.",
        "This took too long, so the server stopped the work. Nothing was changed. If it is a "
        "sleep study, the file may be much longer or larger than one night; export it again "
        "from the recording software."),
    "memory": (
        "Hiervoor was meer werkgeheugen nodig dan de server toestaat. Daarom is het gestopt. Er "
        "is niets veranderd. Het bestand is misschien beschadigd, of veel groter dan één nacht.",
        "This needed more working memory than the server allows, so it was stopped. Nothing "
        "was changed. The file may be damaged or much larger than one night."),
    # A device file (watch, ring, actigraph) is not a sleep study: its own wording.
    "timeout_device": (
        "Het inlezen duurde te lang. Daarom heeft de server het gestopt. Er is niets bewaard. "
        "Bevat het bestand veel meer dan een paar weken? Zet dan een kortere periode over "
        "vanuit het programma van uw horloge of actigraaf.",
        "Reading the file took too long, so the server stopped it. Nothing was saved. Does the "
        "file hold much more than a few weeks? Then export a shorter period from the software "
        "of your watch or actigraph."),
    "memory_device": (
        "Voor dit bestand was meer werkgeheugen nodig dan de server toestaat. Daarom is het "
        "inlezen gestopt. Er is niets bewaard. Het bestand is misschien beschadigd, of het "
        "beslaat een veel langere periode dan een paar weken.",
        "This file needed more working memory than the server allows, so reading it was "
        "stopped. Nothing was saved. The file may be damaged, or cover a much longer period "
        "than a few weeks."),
    "unexpected_device": (
        "Er ging onverwacht iets mis bij het lezen van dit bestand. Het is misschien beschadigd. "
        "Zet het opnieuw over vanuit het programma van uw horloge of actigraaf.",
        "Something unexpected went wrong while reading this file. It may be damaged. Export it "
        "again from the software of your watch or actigraph."),
    "interrupted": (
        "De server is een paar keer gestopt terwijl hij hiermee bezig was. Er is niets mis met "
        "uw bestand: probeer het later opnieuw.",
        "The server stopped several times while working on this. Nothing is wrong with your "
        "file: please try again later."),
    "crash": (
        "Het programma dat dit deed, stopte een paar keer onverwacht. Probeer het later "
        "opnieuw. Blijft het gebeuren? Meld het dan aan de beheerder van deze Nachtwacht.",
        "The process doing this stopped unexpectedly several times. Please try again later; if "
        "it keeps happening, tell whoever runs this Nachtwacht."),
    "unexpected": (
        "Er ging onverwacht iets mis bij het lezen van dit bestand. Het is misschien beschadigd "
        "of in een vorm die wij niet kennen. Zet het opnieuw over vanuit het programma van de "
        "slaapmeting.",
        "Something unexpected went wrong while reading this file. It may be damaged or in a form "
        "we do not know. Try exporting it again from the recording software."),
    "export_failed": (
        "Het klaarmaken is niet gelukt. Probeer het later opnieuw. Blijft het "
        "gebeuren? Meld het dan aan de beheerder van deze Nachtwacht.",
        "Preparing this did not work. Please try again later; if it keeps happening, tell "
        "whoever runs this Nachtwacht."),
    # Page texts
    "queued": ("In de wachtrij. Uw plaats: %(position)d.", "In the queue. Your place: %(position)d."),
    "running": ("Bezig: %(progress)d%% klaar.", "Working: %(progress)d%% done."),
    "done": ("Klaar.", "Done."),
    "one_at_a_time": (
        "Er wacht of loopt al een analyse van een slaaponderzoek van u. Wacht tot die klaar is "
        "en stuur dan het volgende bestand.",
        "One of your sleep studies is already waiting or being analysed. Wait until it is "
        "finished, then send the next file."),
    "device_one_at_a_time": (
        "Er wacht of loopt al een bestand van een slaaphorloge of actigraaf van u. Hieronder ziet "
        "u hoe ver dat is. Is het klaar, stuur dan het volgende bestand.",
        "One of your sleep tracker or actigraph files is already waiting or being read. Below you "
        "see how far it is. When it is done, send the next file."),
    "report_one_at_a_time": (
        "Er wacht of loopt al een rapport van u. Hieronder ziet u hoe ver dat is. Is het klaar, "
        "vraag dan het volgende rapport aan.",
        "One of your reports is already waiting or being made. Below you see how far it is. "
        "When it is done, ask for the next report."),
    "csv_too_large": ("Dit bestand is groter dan %(max)s. Zo groot mag een dagboek-CSV hier niet zijn. "
                      "Er is niets opgeslagen.",
                      "This file is larger than %(max)s, the limit for a diary CSV. Nothing was saved."),
    "edf_too_large": ("Dit bestand is groter dan %(max)s. Zo groot mag een slaaponderzoek hier niet "
                      "zijn. Er is niets opgeslagen.",
                      "This file is larger than %(max)s, the limit for a sleep study. Nothing was saved."),
    "export_title": ("Al mijn gegevens downloaden", "Download all my data"),
    "export_intro": (
        "U krijgt een zip-bestand met alles wat Nachtwacht over u bewaart: uw dagboek (CSV), de "
        "andere gegevens (JSON), het huisartsverslag (HTML en PDF) en uw slaaponderzoeken. Bij een "
        "lang dagboek duurt het klaarzetten even; deze pagina laat zien hoe ver het is.",
        "You get a zip file with everything Nachtwacht keeps about you: your diary (CSV), the "
        "other data (JSON), the GP report (HTML and PDF) and your sleep studies. For a long "
        "diary preparing it takes a while; this page shows how far it is."),
    "export_start": ("Zet mijn gegevens klaar", "Prepare my data"),
    "export_ready": ("Uw gegevens staan klaar (gemaakt op %(when)s). Ze blijven %(hours)d uur staan.",
                     "Your data is ready (made on %(when)s). It stays available for %(hours)d hours."),
    "export_download": ("Download het zip-bestand", "Download the zip file"),
    "export_again": ("Opnieuw klaarzetten", "Prepare again"),
    "progress_label": ("Voortgang", "Progress"),
    "report_title": ("Rapport als PDF", "Report as PDF"),
    "report_intro": (
        "Dit rapport beslaat een lange periode. Daarom maakt de server de PDF op de achtergrond. "
        "Deze pagina laat zien hoe ver het is; daarna kunt u de PDF hier downloaden.",
        "This report covers a long period, so the server makes the PDF in the background. "
        "This page shows how far it is; then you can download the PDF here."),
    "report_download": ("Download de PDF", "Download the PDF"),
    "report_back": ("Terug naar de keuzes voor het rapport", "Back to the report choices"),
}


def text(key: str, language: str, **params) -> str:
    nl, en = TEXTS[key]
    out = en if language == "en" else nl
    return out % params if params else out


def failure_text(code: str, language: str, kind: str = "") -> str:
    """The sentence for failure ``code`` (timeout/memory/crash/interrupted/unexpected);
    a job ``kind`` with its own wording (``timeout_device``) gets that one."""
    code = code if code in TEXTS else "unexpected"
    if kind and f"{code}_{kind}" in TEXTS:
        return text(f"{code}_{kind}", language)
    return text(code, language)


def exception_text(exc: BaseException, language: str, names: tuple[str, str] | None = None) -> str:
    """A PSGError's (or DeviceFormatError's) own NL/EN message; a plain sentence otherwise.

    ``names`` is (stored, original): the reader names the file it opened, which is the
    server's own ``<id>-<hex>.edf``; the person knows it by the name they uploaded.
    """
    own = getattr(exc, "text", None)
    if callable(own) and hasattr(exc, "code"):
        out = str(own(language))
        if names and names[0]:
            out = out.replace(names[0], f"'{names[1]}'" if names[1] else "")
        return out[:500]
    own = getattr(exc, "message", None)
    if callable(own) and hasattr(exc, "nl"):  # a DeviceFormatError: names the file as 'name'
        out = str(own(language))
        if names and names[0]:
            out = out.replace(repr(names[0]), repr(names[1]) if names[1] else "").replace(
                names[0], names[1])
        return out[:500]
    return failure_text("unexpected", language)
