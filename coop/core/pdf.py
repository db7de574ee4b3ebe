"""PDF documents rendered with WeasyPrint from Jinja templates that extend ``pdf/base.html``.

``render_pdf("pdf/share_statement.html", member=…, coop=…)`` returns the PDF as bytes, in the
language that Flask-Babel selects for the current request (wrap the call in
``flask_babel.force_locale(...)`` to choose another, e.g. from a CLI command).

Nothing is fetched from the network and nothing from the file system outside the app's own
``coop/static`` folder: the :class:`StaticOnlyFetcher` refuses every other URL (``http(s)``,
``data:``, ``file://`` paths elsewhere, ``..`` tricks), so a name or note that a user typed and
that ends up in a document cannot make the server fetch or read anything. Relative URLs in a
document (``<img src="favicon.svg">``) resolve against the static folder.

The page layout (A4, margins, running header with the cooperative's name, "page X of Y",
fonts available offline, table rows that do not split) is in :data:`BASE_CSS`; templates cannot
carry ``<style>`` (the strict CSP test forbids it in every template), so a document that needs
more layout passes ``extra_css=["…"]``, or links a stylesheet from the static folder with
``<link rel="stylesheet" href="css/….css">`` in its ``head`` block.

Blocks of ``pdf/base.html``: ``title``, ``head``, ``running_header`` (default: the
cooperative's name), ``running_footer`` (default: empty) and ``content``.
"""
from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import render_template
from flask_babel import gettext as _

#: The folder whose files a document may use (stylesheets, images, fonts).
STATIC_ROOT = Path(__file__).resolve().parent.parent / "static"

#: Fonts that are on the server (Debian: fonts-dejavu-core), so no font is ever downloaded.
FONT_STACK = '"DejaVu Sans", "Liberation Sans", "Noto Sans", "Helvetica", "Arial", sans-serif'

BASE_CSS = """
@page {
  size: A4;
  margin: 24mm 18mm 20mm 18mm;
  @top-left { content: element(running-header); vertical-align: bottom; padding-bottom: 3mm; }
  @top-right { content: element(running-footer); vertical-align: bottom; padding-bottom: 3mm; }
  @bottom-right { font-size: 8pt; color: #444; }
}
html { font-family: %(fonts)s; font-size: 10pt; line-height: 1.4; color: #111; }
body { margin: 0; }
.running-header { position: running(running-header); font-size: 8.5pt; font-weight: bold;
                  color: #0b5d3b; }
.running-footer { position: running(running-footer); font-size: 8pt; color: #444; }
h1 { font-size: 16pt; margin: 0 0 4mm; }
h2 { font-size: 12pt; margin: 6mm 0 2mm; break-after: avoid; }
h3 { font-size: 10.5pt; margin: 4mm 0 1.5mm; break-after: avoid; }
p { margin: 0 0 2.5mm; orphans: 3; widows: 3; }
.muted { color: #444; }
.small { font-size: 8.5pt; }
.address { margin: 6mm 0 8mm; line-height: 1.35; }
.address p { margin: 0; }
table { width: 100%%; border-collapse: collapse; margin: 2mm 0 5mm; }
thead { display: table-header-group; }
tfoot { display: table-footer-group; }
tr, td, th { break-inside: avoid; page-break-inside: avoid; }
th, td { text-align: left; padding: 1.4mm 2mm; border-bottom: 0.4pt solid #999;
         vertical-align: top; }
thead th { border-bottom: 1pt solid #111; font-weight: bold; }
tfoot td, tfoot th { border-top: 1pt solid #111; border-bottom: 0; font-weight: bold; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.facts { display: table; margin: 0 0 4mm; }
.facts > div { display: table-row; }
.facts dt, .facts dd { display: table-cell; padding: 0.6mm 6mm 0.6mm 0; margin: 0; }
.facts dt { font-weight: bold; }
.keep-together { break-inside: avoid; }
.page-break { break-before: page; }
""" % {"fonts": FONT_STACK}


class ResourceRefused(ValueError):
    """A document asked for a resource outside the app's static folder."""


def static_url_fetcher():
    """A WeasyPrint URL fetcher that serves only files inside ``coop/static``."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def __init__(self):
            super().__init__(allowed_protocols=("file",), allow_redirects=False)

        def fetch(self, url, headers=None):
            path = static_path_for(url)
            mime, _encoding = mimetypes.guess_type(path.name)
            return URLFetcherResponse(url=path.as_uri(), body=path.read_bytes(),
                                      headers={"Content-Type": mime or "application/octet-stream"})

    return StaticOnlyFetcher()


def static_path_for(url: str) -> Path:
    """The file in the static folder that ``url`` names; :class:`ResourceRefused` otherwise."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        raise ResourceRefused(f"only the app's static files may be used in a PDF, not {url!r}")
    root = STATIC_ROOT.resolve()
    path = Path(unquote(parts.path)).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise ResourceRefused(f"not a static file of the app: {url!r}")
    return path


def page_label_css() -> str:
    """A CSS ``content`` value for "page X of Y" in the current language."""
    text = _("page %(page)s of %(pages)s", page="\x00page\x00", pages="\x00pages\x00")
    out = []
    for i, piece in enumerate(text.split("\x00")):
        if i % 2 and piece in ("page", "pages"):
            out.append(f"counter({piece})")
        elif piece:
            out.append(css_string(piece))
    return " ".join(out) or '""'


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string (no way to break out of it)."""
    escaped = "".join(c if c.isalnum() or c in " .,:;-_()/'" else f"\\{ord(c):x} " for c in text)
    return f'"{escaped}"'


def render_html(template_name: str, **context) -> str:
    return render_template(template_name, **context)


def render_pdf(template_name: str, *, extra_css: list[str] | tuple[str, ...] = (), **context) -> bytes:
    """Render a template that extends ``pdf/base.html`` to PDF bytes (nothing from the network)."""
    import weasyprint  # imported on first use: it takes a moment to load

    html = render_html(template_name, **context)
    fetcher, base_url = static_url_fetcher(), STATIC_ROOT.as_uri() + "/"
    page_css = "@page { @bottom-right { content: %s; } }" % page_label_css()
    stylesheets = [weasyprint.CSS(string=css, base_url=base_url, url_fetcher=fetcher)
                   for css in (BASE_CSS, page_css, *extra_css)]
    document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=stylesheets)
