"""Forms built from the field registry, labelled in the active language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django import forms
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from nachtwacht.diary.fields import EPISODE_FIELDS, NIGHT_FIELDS, PROFILE_FIELDS, FieldSpec
from nachtwacht.web.clockfallback import resolve


def lang() -> str:
    """The active UI language as a registry language code."""
    return "en" if (get_language() or "nl").startswith("en") else "nl"


class ListField(forms.CharField):
    """A ``;``-separated list of short strings, as in the CSV files."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "; ".join(value)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        return [s.strip() for s in value.split(";") if s.strip()] if value else []


_BOOL_CHOICES = (("unknown", gettext_lazy("Not filled in")), ("true", gettext_lazy("Yes")),
                 ("false", gettext_lazy("No")))


class NullBoolRadio(forms.RadioSelect):
    """Three big radio buttons: not filled in / yes / no."""

    def format_value(self, value):
        return [{True: "true", False: "false"}.get(value, "true" if value in ("true", "True") else
                "false" if value in ("false", "False") else "unknown")]


def form_field(spec: FieldSpec, language: str) -> forms.Field:
    """Return a form field for a registry spec, labelled in ``language``."""
    kw = {"label": spec.label(language), "help_text": spec.help(language),
          "required": spec.required and spec.kind not in ("bool",)}
    k = spec.kind
    if k == "date":
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kw)
    if k == "clock":
        return forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), **kw)
    num_attrs = {"inputmode": "decimal" if k in ("float", "minutes") else "numeric"}
    if spec.min is not None:
        num_attrs["min"] = f"{spec.min:g}"
    if spec.max is not None:
        num_attrs["max"] = f"{spec.max:g}"
    if k in ("minutes", "float"):
        num_attrs["step"] = "any" if k == "float" else "1"
        return forms.FloatField(min_value=spec.min, max_value=spec.max,
                                widget=forms.NumberInput(attrs=num_attrs), **kw)
    if k == "int":
        return forms.IntegerField(min_value=spec.min, max_value=spec.max,
                                  widget=forms.NumberInput(attrs=num_attrs), **kw)
    if k == "bool":
        return forms.NullBooleanField(widget=NullBoolRadio(choices=_BOOL_CHOICES), **kw)
    if k == "choice":
        choices = [(c.code, c.en if language == "en" else c.nl) for c in spec.choices]
        if not spec.required:
            choices = [("", "—"), *choices]
        return forms.ChoiceField(choices=choices, **kw)
    if k == "multichoice":
        choices = [(c.code, c.en if language == "en" else c.nl) for c in spec.choices]
        return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **kw)
    if k == "list":
        return ListField(max_length=spec.max_length, **kw)
    if k == "text":
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=spec.max_length, **kw)
    raise ValueError(f"no form field for kind {k!r}")


class RegistryForm(forms.Form):
    """Base for forms whose fields come from the registry."""

    specs: Sequence[FieldSpec] = ()

    def __init__(self, *args, names: Sequence[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        language = lang()
        wanted = set(names) if names is not None else None
        for spec in self.specs:
            if wanted is None or spec.name in wanted:
                self.fields[spec.name] = form_field(spec, language)
        self.spec_by_name = {s.name: s for s in self.specs}

    def clean(self):
        data = super().clean()
        for name, value in list(data.items()):
            spec = self.spec_by_name.get(name)
            if spec is not None and spec.kind == "choice" and value == "":
                data[name] = None
        return data

    def groups(self) -> list[tuple[str, list]]:
        """Bound fields grouped by the registry's ``group`` for fieldsets."""
        out: dict[str, list] = {}
        for name in self.fields:
            spec = self.spec_by_name.get(name)
            out.setdefault(spec.group if spec else "", []).append(self[name])
        return list(out.items())


class NightForm(RegistryForm):
    """The morning diary: sleep core plus the factors this person tracks."""

    specs = NIGHT_FIELDS

    def clean(self):
        data = super().clean()
        d = data.get("date")
        if d and d > dt.date.today() + dt.timedelta(days=1):
            self.add_error("date", _("This date is in the future."))
        if d:
            self._check_order(d, data)
        return data

    def _check_order(self, day: dt.date, data: dict) -> None:
        # The diary times must follow each other through the night; a swapped
        # AM/PM is the most common typo on a phone.
        order = [n for n in ("bedtime", "lights_out", "final_wake", "out_of_bed") if data.get(n)]
        anchors = {s.name: s.anchor for s in NIGHT_FIELDS}
        prev = None
        for name in order:
            when = resolve(day, data[name], anchors[name])
            if prev is not None and when < prev[1]:
                self.add_error(name, _("This time lies before “%(other)s”.") % {
                    "other": self.spec_by_name[prev[0]].label(lang())})
            prev = (name, when)
        if data.get("bedtime") and data.get("out_of_bed"):
            span = resolve(day, data["out_of_bed"], "morning") - resolve(day, data["bedtime"], "evening")
            if span > dt.timedelta(hours=20):
                self.add_error("out_of_bed", _("More than 20 hours in bed: please check the times."))


class EpisodeForm(RegistryForm):
    """One episode; ``reporter`` is set by the view, not typed."""

    specs = tuple(s for s in EPISODE_FIELDS if s.name != "reporter")
    private = forms.BooleanField(required=False, label=gettext_lazy(
        "Private: never show this to my partner or a clinician"))


class PartnerEpisodeForm(RegistryForm):
    """What the partner saw ("Wat zag je vannacht?")."""

    specs = tuple(s for s in EPISODE_FIELDS if s.name != "reporter")


class ProfileForm(RegistryForm):
    specs = PROFILE_FIELDS
