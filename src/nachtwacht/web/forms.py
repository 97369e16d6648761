"""Forms built from the field registry, labelled in the active language."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy

from nachtwacht.diary.errors import FieldValueError
from nachtwacht.diary.fields import EPISODE_FIELDS, NIGHT_FIELDS, PROFILE_FIELDS, FieldSpec
from nachtwacht.diary.messages import render_body
from nachtwacht.diary.types import Episode, Night
from nachtwacht.diary.validate import validate_episode, validate_night
from nachtwacht.diary.values import parse_number


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


class DecimalCommaFloatField(forms.FloatField):
    """A number field that reads "1,5" like "1.5", as the CSV import does.

    Dutch keyboards and habits write a decimal comma; the core's
    :func:`~nachtwacht.diary.values.parse_number` is the one reader of numbers.
    The widget is a text input with ``inputmode="decimal"`` because a browser's
    ``type=number`` drops a comma in some locales before the server sees it.
    """

    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            try:
                value = str(parse_number(value))
            except FieldValueError:
                raise forms.ValidationError(
                    gettext_lazy("Write only a number, for example 15 or 1,5."), code="invalid") from None
        return super().to_python(value)


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
        num_attrs.pop("step")
        return DecimalCommaFloatField(min_value=spec.min, max_value=spec.max,
                                      widget=forms.TextInput(attrs=num_attrs), **kw)
    if k == "int":
        return forms.IntegerField(min_value=spec.min, max_value=spec.max,
                                  widget=forms.NumberInput(attrs=num_attrs), **kw)
    if k == "bool":
        return forms.NullBooleanField(widget=NullBoolRadio(choices=_BOOL_CHOICES), **kw)
    if k == "choice":
        # Always start empty: a preselected episode type would be logged by accident.
        choices = [("", "—"), *((c.code, c.en if language == "en" else c.nl) for c in spec.choices)]
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
    """The morning diary: sleep core plus the factors this person tracks.

    Cross-field rules (time order, minutes asleep within the night, no future
    dates) come from :func:`nachtwacht.diary.validate.validate_night`, so the
    form, the CSV import and the CLI refuse exactly the same nights.
    """

    specs = NIGHT_FIELDS

    def clean(self):
        data = super().clean()
        if self.errors or not data.get("date"):
            return data
        values = {k: (tuple(v) if isinstance(v, list) else v) for k, v in data.items()
                  if k in self.spec_by_name}
        values["notes"] = values.get("notes") or ""
        night = Night(**values)
        for err in validate_night(night, today=timezone.localdate(), check_fields=False):
            if err.code == "tib_over_16h":  # a form's time field takes no date: other advice
                err = err.with_(params={**err.params, "form": True})
            target = err.field if err.field in self.fields else None
            # Under the field's own label: only *what* is wrong, no field code.
            self.add_error(target, render_body(err, lang()))
        return data


class _EpisodeRules:
    """The core episode rules (future date, ranges) for the sleeper's and partner's forms."""

    def clean(self):
        data = super().clean()
        if self.errors or not data.get("date") or not data.get("type"):
            return data
        values = {k: (tuple(v) if isinstance(v, list) else v) for k, v in data.items()
                  if k in self.spec_by_name}
        values["notes"] = values.get("notes") or ""
        episode = Episode(reporter="self", **values)
        for err in validate_episode(episode, today=timezone.localdate(), check_fields=False):
            target = err.field if err.field in self.fields else None
            self.add_error(target, render_body(err, lang()))
        return data


class EpisodeForm(_EpisodeRules, RegistryForm):
    """One episode; ``reporter`` is set by the view, not typed."""

    specs = tuple(s for s in EPISODE_FIELDS if s.name != "reporter")
    private = forms.BooleanField(required=False, label=gettext_lazy(
        "Private: never show this to my partner or a clinician"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["private"] = self.fields.pop("private")  # last, next to the notes


class PartnerEpisodeForm(_EpisodeRules, RegistryForm):
    """What the partner saw ("Wat zag u vannacht?")."""

    specs = tuple(s for s in EPISODE_FIELDS if s.name != "reporter")


class ProfileForm(RegistryForm):
    specs = PROFILE_FIELDS
