"""The bed partner's page (``partner_log``): its lists and its form as HTML, built in Python.

Why: the page is shown after every save of a partner (POST, redirect, GET), and its
rendering was about half of the request's CPU (issue #16 item 5): the episode form
rendered field by field through Django's form templates (field, label, errors, widget,
option: a template per piece, ~45 % of the rendering) and three loops with a ``date``
filter and a ``{% url %}`` per row. Here the same markup is joined as strings, reusing
the dashboard's formatting helpers (:mod:`nachtwacht.web.dashboard_html`).

The output is byte-identical to what the templates gave (tests/web/test_web_partner_html.py
renders the old page template next to the new one, and ``form_html`` next to the live
``nachtwacht/_form.html`` for every registry form). Two parts:

- :class:`FastFormRenderer`, a form renderer that answers Django's own form templates
  (``django/forms/field.html``, ``label.html``, the error list and the usual widgets)
  in Python from the context Django builds, so labels, ids, ``aria-*`` attributes, values
  and errors still come from Django's form code; any other template (a custom widget)
  goes to the templates as before.
- :func:`form_html`, the project's ``nachtwacht/_form.html`` (with the error summary);
  when that template changes, change this function too (the test says so).
"""

from __future__ import annotations

import functools
from html import escape as html_escape

from django.conf import settings
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.template import Context
from django.template.base import render_value_in_context
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString
from django.utils.translation import get_language, gettext, ngettext

from nachtwacht.web.dashboard_html import fmt_count, fmt_date, fmt_hm

# Django's form templates render with a fresh context: autoescape on, default l10n/tz.
_CTX = Context(autoescape=True)
_W = "django/forms/widgets/"


class _NotMineError(Exception):
    """A template this module does not imitate (a custom option template): use Django's."""


def _val(x: object) -> str:
    """``{{ x }}`` in a form template: localised like Django does, escaped unless safe."""
    # Plain and safe strings directly: Django's escape() is html.escape behind a lazy
    # check that was a third of this module's time.
    t = type(x)
    if t is str:
        return html_escape(x)
    if t is SafeString:
        return x
    return render_value_in_context(x, _CTX)


def _sf(x: object) -> str:
    """``{{ x|stringformat:'s' }}``: the filter keeps a safe string safe (``is_safe``)."""
    try:
        s = "%s" % (str(x) if isinstance(x, tuple) else x)
    except (ValueError, TypeError):
        return ""
    return s if isinstance(x, SafeData) else html_escape(s)


def _attrs(attrs: dict) -> str:
    """``widgets/attrs.html`` (and ``django/forms/attrs.html``): True alone, False left out."""
    out = ""
    for name, value in attrs.items():
        if value is True:
            out += f" {_val(name)}"
        elif value is not False:
            out += f' {_val(name)}="{_sf(value)}"'
    return out


def _input(w: dict) -> str:
    """``widgets/input.html``, with its trailing newline (it counts inside an option)."""
    value = w.get("value")
    v = f' value="{_sf(value)}"' if value != None else ""  # noqa: E711 -- the template's "!= None"
    return f'<input type="{_val(w.get("type"))}" name="{_val(w.get("name"))}"{v}{_attrs(w.get("attrs") or {})}>\n'


def _option(o: dict) -> str:
    """An ``{% include option.template_name with widget=option %}``, unstripped."""
    name = o.get("template_name")
    if name == _W + "select_option.html":
        return f'<option value="{_sf(o.get("value"))}"{_attrs(o.get("attrs") or {})}>{_val(o.get("label"))}</option>\n'
    if name in (_W + "radio_option.html", _W + "checkbox_option.html"):
        # input_option.html included by radio/checkbox_option.html: two trailing newlines.
        if not o.get("wrap_label"):
            return _input(o) + "\n\n"
        oid = (o.get("attrs") or {}).get("id")
        head = f'<label for="{_val(oid)}">' if oid else "<label>"
        return f"{head}{_input(o)} {_val(o.get('label'))}</label>\n\n"
    raise _NotMineError(name)


def _select(ctx: dict) -> str:
    w = ctx["widget"]
    out = [f'<select name="{_val(w.get("name"))}"{_attrs(w.get("attrs") or {})}>']
    for group, options, _index in w["optgroups"]:
        if group:
            out.append(f'\n  <optgroup label="{_val(group)}">')
        for o in options:
            out.append("\n  " + _option(o))
        if group:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out).strip()


def _multiple_input(ctx: dict) -> str:
    """``radio.html`` / ``checkbox_select.html`` (both include ``multiple_input.html``)."""
    w = ctx["widget"]
    attrs = w.get("attrs") or {}
    wid, cls = attrs.get("id"), attrs.get("class")
    out = ["<div", f' id="{_val(wid)}"' if wid else "", f' class="{_val(cls)}"' if cls else "", ">"]
    for group, options, _index in w["optgroups"]:
        if group:
            out.append(f"\n  <div><label>{_val(group)}</label>")
        for o in options:
            out.append("<div>\n    " + _option(o) + "</div>")
        if group:
            out.append("\n  </div>")
    out.append("\n</div>")
    return "".join(out).strip()


def _textarea(ctx: dict) -> str:
    w = ctx["widget"]
    value = w.get("value")
    return (f'<textarea name="{_val(w.get("name"))}"{_attrs(w.get("attrs") or {})}>\n'
            f'{_val(value) if value else ""}</textarea>')


def _label(ctx: dict) -> str:
    """``django/forms/label.html``: ``label_tag`` / ``legend_tag`` with Django's context."""
    if not ctx.get("use_tag"):
        return _val(ctx.get("label")).strip()
    tag = _val(ctx.get("tag"))
    return f"<{tag}{_attrs(ctx.get('attrs') or {})}>{_val(ctx.get('label'))}</{tag}>".strip()


def _errors(ctx: dict) -> str:
    """``errors/list/default.html`` = ``ul.html``."""
    errors = ctx.get("errors")
    if not errors:
        return ""
    fid = getattr(errors, "field_id", None)
    items = "".join([f"<li>{_val(e)}</li>" for e in errors])
    return (f'<ul class="{_val(ctx.get("error_class"))}"{f" id={chr(34)}{_val(fid)}_error{chr(34)}" if fid else ""}>'
            f"{items}</ul>").strip()


def _field(ctx: dict) -> str:
    """``django/forms/field.html``: label or legend, help text, errors, widget."""
    f = ctx["field"]
    if f.use_fieldset:
        ad = f.aria_describedby
        head = (f'\n  <fieldset{f" aria-describedby={chr(34)}{_val(ad)}{chr(34)}" if ad else ""}>\n  '
                f'{_val(f.legend_tag()) if f.label else ""}\n')
        tail = "</fieldset>"
    else:
        head, tail = f'\n  {_val(f.label_tag()) if f.label else ""}\n', ""
    helptext = ""
    if f.help_text:
        hid = f' id="{_val(f.auto_id)}_helptext"' if f.auto_id else ""
        helptext = f'<div class="helptext"{hid}>{f.help_text}</div>'  # |safe: the app's own text
    return f"{head}\n{helptext}\n{_val(f.errors)}\n{_val(f)}{tail}\n".strip()


def _one_input(ctx: dict) -> str:
    return _input(ctx["widget"]).strip()


_FAST = {
    "django/forms/field.html": _field,
    "django/forms/label.html": _label,
    "django/forms/errors/list/default.html": _errors,
    "django/forms/errors/list/ul.html": _errors,
    _W + "select.html": _select,
    _W + "radio.html": _multiple_input,
    _W + "checkbox_select.html": _multiple_input,
    _W + "textarea.html": _textarea,
    **{f"{_W}{k}.html": _one_input for k in (
        "text", "number", "email", "url", "password", "hidden", "date", "time", "datetime",
        "search", "tel", "color", "checkbox", "file")},
}


class FastFormRenderer(DjangoTemplates):
    """Django's default form renderer, with its common templates answered in Python."""

    def render(self, template_name, context, request=None):
        fn = _FAST.get(template_name)
        if fn is not None:
            try:
                return fn(context)
            except _NotMineError:
                pass
        return super().render(template_name, context, request=request)


@functools.lru_cache(maxsize=1)
def form_renderer():
    """The renderer for the page's form: the fast one unless the site chose another."""
    if settings.FORM_RENDERER != "django.forms.renderers.DjangoTemplates":
        return get_default_renderer()
    return FastFormRenderer()


_OPTION_WIDGETS = ("radioselect", "nullboolradio", "checkboxselectmultiple")


def form_html(form) -> SafeString:
    """``{% include "nachtwacht/_form.html" %}`` for ``form`` (error summary included)."""
    out = []
    visible = form.visible_fields()
    if form.errors:
        n = len(form.errors)
        title = ngettext("Please check this answer", "Please check these %(n)s answers", n) % {"n": fmt_count(n)}
        out.append('<div class="errors error-summary" id="error-summary" tabindex="-1" role="alert" '
                   f'aria-labelledby="error-summary-title">\n<h2 id="error-summary-title">{title}</h2>\n<ul>')
        out.extend([f"<li>{_val(e)}</li>" for e in form.non_field_errors()])
        for f in visible:
            if f.errors:
                suffix = "_0" if f.widget_type in _OPTION_WIDGETS else ""
                out.append(f'<li><a href="#{_val(f.auto_id)}{suffix}">{_val(f.label)}: {_val(f.errors[0])}</a></li>')
        out.append("</ul>\n</div>")
    out.append("\n\n")  # the summary template's last line end, then _form.html's
    out.extend([_val(f) for f in form.hidden_fields()])
    out.append("\n")
    for f in visible:
        err = " has-error" if f.errors else ""
        out.append(f'<div class="field{err} kind-{_val(f.widget_type)}">{_val(f.as_field_group())}</div>')
    out.append("\n")
    return SafeString("".join(out))


def _text(msgid: str) -> str:
    # {% translate "..." %}: a trusted translation, printed unescaped, "%%" back to "%".
    return gettext(msgid).replace("%%", "%")


_SENTINEL = 987654321987


def _edit_url(link_pk: int):
    """A function pk -> escaped URL of ``partner_episode_edit`` for this link.

    One ``reverse`` per page instead of one per row: the URL is reversed with a number no
    real pk has and that number is replaced; if it appears other than once, per row.
    """
    base = reverse("partner_episode_edit", args=[link_pk, _SENTINEL])
    if base.count(str(_SENTINEL)) == 1:
        head, tail = (conditional_escape(s) for s in base.split(str(_SENTINEL)))
        return lambda pk: f"{head}{int(pk)}{tail}"
    return lambda pk: conditional_escape(reverse("partner_episode_edit", args=[link_pk, pk]))


def mine_html(link_pk: int, mine: list[tuple]) -> SafeString:
    """The partner's own episodes: ``<ul>`` of edit links, or "" when there are none."""
    if not mine:
        return SafeString("")
    url = _edit_url(link_pk)
    language = get_language()
    change = _text("change or delete")
    out = ['<ul class="list">']
    for e, label in mine:
        when = fmt_date(e.date, "D j M", language)
        if e.time:
            when += f" {fmt_hm(e.time)}"
        out.append(f'<li><a href="{url(e.pk)}">{when}: {conditional_escape(label)}'
                   f'<span class="sr-only"> ({change})</span></a></li>')
    out.append("</ul>")
    return SafeString("".join(out))


def shared_episodes_html(shared: list[tuple]) -> SafeString:
    """Episodes the sleeper shares: ``<ul>`` of date and label, or "" when there are none."""
    if not shared:
        return SafeString("")
    language = get_language()
    items = "".join([f'<li>{fmt_date(e.date, "D j M", language)}: {conditional_escape(label)}</li>'
                     for e, label in shared])
    return SafeString(f'<ul class="list">{items}</ul>')


def night_rows_html(nights) -> SafeString:
    """The ``<tr>`` rows of the shared nights: morning, into bed, out of bed."""
    language = get_language()
    return SafeString("".join([
        f'<tr><th scope="row">{fmt_date(n.date, "D j M", language)}</th>'
        f"<td>{fmt_hm(n.bedtime)}</td><td>{fmt_hm(n.out_of_bed)}</td></tr>" for n in nights]))
