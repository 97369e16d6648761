"""The GP report's period form: dates, quick choices, report language and sleep study."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nachtwacht.web.forms import lang

#: Longest period one report may cover (5 years): longer ones only make a slow,
#: unreadable report, and are almost always a typing error in the year.
MAX_DAYS = 5 * 365 + 1
#: Default span: the last 8 weeks of the diary (or the whole diary if shorter).
DEFAULT_DAYS = 56
#: Value of the sleep-study field that means "pick one by the rule in docs/web.md".
AUTO, NONE = "auto", "none"

DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"]


class _DateField(forms.DateField):
    """A date field whose errors name the date and the expected form, in the UI language."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError:
            raise ValidationError(
                _("'%(value)s' is not a date. Use the form YYYY-MM-DD, for example 2026-10-05.")
                % {"value": str(value)[:40]}, code="invalid") from None


def _date_field(label: str, required_msg: str) -> _DateField:
    return _DateField(label=label, input_formats=DATE_FORMATS,
                      error_messages={"required": required_msg},
                      widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class ReportForm(forms.Form):
    """Which period, in which language and with which sleep study the report is made.

    Submitted with GET (``?van=&tot=&taal=&onderzoek=``) so a report URL can be
    bookmarked; the dates are never swapped silently.
    """

    van = _date_field(gettext_lazy("From (first morning)"),
                      gettext_lazy("Fill in the first date of the period."))
    tot = _date_field(gettext_lazy("To (last morning)"),
                      gettext_lazy("Fill in the last date of the period."))
    taal = forms.ChoiceField(label=gettext_lazy("Language of the report"), required=False,
                             choices=[("nl", "Nederlands"), ("en", "English")])
    onderzoek = forms.ChoiceField(label=gettext_lazy("Sleep study in the report"), required=False)

    def __init__(self, *args, studies: list[tuple[str, str]] | None = None, **kwargs):
        """``studies``: (upload id, label) of the sleep studies that may be chosen; None hides the field."""
        super().__init__(*args, **kwargs)
        if not studies:
            del self.fields["onderzoek"]
        else:
            self.fields["onderzoek"].choices = [
                (AUTO, _("Automatic: the most recent study in the period (else the most recent one)")),
                (NONE, _("No sleep study")), *studies]

    def clean(self):
        data = super().clean()
        start, end = data.get("van"), data.get("tot")
        if start and end:
            if start > end:
                raise ValidationError(
                    _("The period starts (%(start)s) after it ends (%(end)s). Put the earlier date "
                      "under “From”.") % {"start": date_format(start, "j F Y"),
                                          "end": date_format(end, "j F Y")},
                    code="reversed")
            days = (end - start).days + 1
            if days > MAX_DAYS:
                raise ValidationError(
                    _("The period is %(days)d days long; a report covers at most 5 years "
                      "(%(max)d days). Choose a shorter period.") % {"days": days, "max": MAX_DAYS},
                    code="too_long")
        if not data.get("taal"):  # an older link with only the dates: the UI language
            data["taal"] = lang()
        if not data.get("onderzoek"):
            data["onderzoek"] = AUTO
        return data


def months_back(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months earlier (clamped to the month's end)."""
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    m += 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(y, m, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def default_period(first: dt.date | None, last: dt.date | None, today: dt.date) -> tuple[dt.date, dt.date]:
    """The last 8 weeks of the diary, or the whole diary if shorter; 8 weeks to today if empty."""
    end = last or today
    start = end - dt.timedelta(days=DEFAULT_DAYS - 1)
    if first is not None and first > start:
        start = first
    return start, end


def quick_periods(first: dt.date | None, last: dt.date | None,
                  today: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """Quick choices (label, from, to), counted back from the diary's last date."""
    end = last or today
    out = [(_("Last 4 weeks"), end - dt.timedelta(days=27), end),
           (_("Last 8 weeks"), end - dt.timedelta(days=DEFAULT_DAYS - 1), end),
           (_("Last 3 months"), months_back(end, 3) + dt.timedelta(days=1), end)]
    if first is not None:
        # Capped at the longest allowed period, so this choice never ends in an error.
        out.append((_("Whole diary"), max(first, end - dt.timedelta(days=MAX_DAYS - 1)), end))
    return out
