"""Render :class:`~nachtwacht.report.data.ReportData` to HTML and to an A4 PDF.

Both come from the same Jinja2 template (``template.html`` + ``report.css``);
the PDF is the HTML printed by WeasyPrint with DejaVu Sans embedded, so text is
selectable and looks the same on every machine.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import IO, Any

from markupsafe import Markup

from .data import CHART_MAX_NIGHTS, ReportData
from .strings import date_str, num, t
from .weasy import import_weasyprint

HERE = Path(__file__).resolve().parent
_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"),)


def _font(name: str) -> Path | None:
    # Debian's fonts-dejavu-core first; matplotlib ships the same DejaVu files. Its
    # folder is found without importing it (that import alone costs a third of a second).
    for d in _FONT_DIRS:
        if (d / name).is_file():
            return d / name
    import importlib.util

    spec = importlib.util.find_spec("matplotlib")
    for root in (spec.submodule_search_locations or []) if spec else []:
        p = Path(root) / "mpl-data" / "fonts" / "ttf" / name
        if p.is_file():
            return p
    return None


@functools.lru_cache(maxsize=1)
def _env() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(HERE)),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        trim_blocks=False,
        lstrip_blocks=False,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["cssstr"] = _css_string
    return env


def warm() -> None:
    """Load what printing needs: WeasyPrint, the compiled template, the charts module.

    The CLI calls this while the report data are built in another process.
    """
    from . import figures  # noqa: F401

    import_weasyprint()
    _env().get_template("template.html")


def _css_string(s: str) -> Markup:
    # Text placed inside a CSS string in <style>: escape CSS, and "<" so that
    # nothing can close the style element.
    out = str(s).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3c ")
    return Markup(out)


def render_html(data: ReportData, figures: bool = True, embed_fonts: bool = True) -> str:
    """Return the report as one self-contained HTML document.

    Parameters
    ----------
    data : ReportData
        Built by :func:`nachtwacht.report.build`.
    figures : bool
        Draw the charts as inline SVG (default True).
    embed_fonts : bool
        Reference DejaVu Sans through ``file://`` URLs (right for the PDF; a web
        page may pass False and fall back to the browser's fonts).
    """
    from .figures import all_figures

    lang = data.lang
    figs = all_figures(data) if figures else {"sleep": None, "weekly": None, "hypnogram": None}
    regular, bold = (_font("DejaVuSans.ttf"), _font("DejaVuSans-Bold.ttf")) if embed_fonts else (
        None, None)
    from nachtwacht.diary.fields import spec

    def ep_label(name: str) -> str:
        return spec("episode", name).label(lang)

    tmpl = _env().get_template("template.html")
    return tmpl.render(
        d=data,
        figures=figs,
        css=Markup((HERE / "report.css").read_text(encoding="utf-8")),
        font_url=regular.as_uri() if regular else None,
        font_bold_url=bold.as_uri() if bold else None,
        max_nights=CHART_MAX_NIGHTS,
        t=lambda key, **kw: t(key, lang, **kw),
        num=lambda x, digits=1: num(x, lang, digits),
        date=lambda d: date_str(d, lang),
        ep_label=ep_label,
        short_dates=lambda ds: ", ".join(date_str(x, lang, year=False) for x in ds),
    )


def _create_beside(path: Path) -> tuple[int, str]:
    """Open a new temporary file next to ``path`` with the mode ``path`` will keep.

    ``tempfile.mkstemp`` makes files 0600; after the rename the report would then be
    readable by its owner only, unlike a file written directly. So the mode is that of
    the report being replaced, or what any new file gets (0666 minus the umask).
    """
    import secrets
    import stat

    try:
        keep: int | None = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        keep = None
    while True:
        name = str(path.parent / f".nw-{secrets.token_hex(6)}.pdf.part")
        try:
            fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:  # pragma: no cover - 48 random bits
            continue
        if keep is not None:
            os.fchmod(fd, keep)
        return fd, name


def render_pdf(
    data: ReportData, target: str | os.PathLike[str] | IO[bytes] | None = None,
    html: str | None = None,
) -> Path | bytes | None:
    """Write the report as an A4 PDF.

    Parameters
    ----------
    data : ReportData
        Built by :func:`nachtwacht.report.build`.
    target : path, directory, binary file object or None
        Where to write. A directory gets the default file name
        (``nachtwacht-report-<period>.pdf``, no personal data). None returns the bytes.
    html : str, optional
        ``render_html(data)`` when the caller has it already (e.g. it also writes the
        HTML file): the charts are then not drawn a second time. Must be made with the
        default arguments (figures and embedded fonts).

    Returns
    -------
    Path, bytes or None
        The path written, the PDF bytes (``target=None``) or None for a file object.
    """
    HTML = import_weasyprint().HTML  # noqa: N806 - the class, as WeasyPrint names it

    if html is None:
        html = render_html(data)
    doc = HTML(string=html, base_url=str(HERE)).render()
    # Stable identifier per content, so re-rendering the same report gives the same ID.
    ident = f"nachtwacht-{data.default_filename('')}".encode()
    # Tagged PDF: headings, tables and reading order for screen readers.
    opts: dict[str, Any] = {"pdf_identifier": ident, "uncompressed_pdf": False, "pdf_tags": True}
    if target is None:
        return doc.write_pdf(**opts)
    if hasattr(target, "write"):
        doc.write_pdf(target, **opts)
        return None
    path = Path(target)
    if path.is_dir():
        path = path / data.default_filename("pdf")
    # Write beside the target, then rename: a killed process never leaves half a PDF
    # under the target's name (an earlier report there stays whole).
    fd, tmp_name = _create_beside(path)
    try:
        with os.fdopen(fd, "wb") as tmp:
            doc.write_pdf(tmp, **opts)
            # On disk before the rename, so after a power cut the name holds the old
            # report or the whole new one, never an empty file.
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp_name, path)
    except BaseException:  # e.g. disk full: no temporary file left behind either
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return path
