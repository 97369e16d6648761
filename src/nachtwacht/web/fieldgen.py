"""Django model fields and form fields generated from the diary field registry.

:mod:`nachtwacht.diary.fields` is the single definition of every night, episode
and profile field; this module maps each spec's *kind* to a Django field so the
models, migrations and forms never describe a field a second time.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from nachtwacht.diary.fields import FieldSpec


def _validators(spec: FieldSpec) -> list:
    out = []
    if spec.min is not None:
        out.append(MinValueValidator(spec.min))
    if spec.max is not None:
        out.append(MaxValueValidator(spec.max))
    return out


def model_field(spec: FieldSpec) -> models.Field:
    """Return the Django model field for one registry spec."""
    common = {"verbose_name": spec.label_en, "help_text": spec.help_en}
    kind = spec.kind
    if kind == "date":
        return models.DateField(**common)
    if kind == "clock":
        return models.TimeField(null=True, blank=True, **common)
    if kind in ("minutes", "float"):
        return models.FloatField(null=True, blank=True, validators=_validators(spec), **common)
    if kind == "int":
        return models.IntegerField(null=True, blank=True, validators=_validators(spec), **common)
    if kind == "bool":
        return models.BooleanField(null=True, blank=True, **common)
    if kind == "choice":
        choices = [(c.code, c.en) for c in spec.choices]
        if spec.required:
            return models.CharField(max_length=40, choices=choices, **common)
        return models.CharField(max_length=40, choices=choices, null=True, blank=True, **common)
    if kind in ("list", "multichoice"):
        return models.JSONField(default=list, blank=True, **common)
    if kind == "text":
        return models.TextField(blank=True, default="", max_length=spec.max_length, **common)
    raise ValueError(f"no Django field for kind {kind!r} of field {spec.name!r}")


def abstract_model(name: str, specs: Iterable[FieldSpec], module: str) -> type[models.Model]:
    """Build an abstract model class holding one Django field per spec."""
    attrs: dict = {spec.name: model_field(spec) for spec in specs}
    attrs["__module__"] = module
    attrs["Meta"] = type("Meta", (), {"abstract": True})
    return type(name, (models.Model,), attrs)
