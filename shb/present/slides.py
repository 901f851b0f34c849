"""The bildspel (or one view) as a PowerPoint file and as a PDF, for the meeting's own slide tool.

One slide per view: the stating title, the chart as a high-resolution picture (vl-convert, as the
report's charts), the one caption line (direction, source or demo), a demo flag while the values are
demo, and speaker notes with the plain-Swedish sentence, the data version and the view's link. The
PDF is the same slides as a page each, printed by headless chromium (`shb.present.report.html_to_pdf`).
"""

from __future__ import annotations

import base64
import copy
import html
import io
import tempfile
from pathlib import Path

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt

from shb.present import charts, deck, text, views
from shb.store.db import Database

SLIDE_WIDTH, SLIDE_HEIGHT = Inches(13.333), Inches(7.5)  # 16:9
MARGIN = Inches(0.45)
CHART_WIDTH, CHART_HEIGHT = 1100, 470  # pixels before the 2× scale: type as large as on a screen
DEMO_COLOUR = RGBColor(0xA0, 0x40, 0x00)
MUTED = RGBColor(0x55, 0x55, 0x55)
DECK_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def build_slides(database: Database, urls: list[str]) -> list[deck.Slide]:
    """The slides of `urls` (a URL no page shows as a slide is left out)."""
    facts = views.facts(database)
    return [s for s in (deck.build_slide(database, url, facts) for url in urls) if s is not None]


def chart_png(spec: dict, scale: float = 2) -> bytes:
    """The slide's chart as PNG: width and height fixed for a 16:9 slide (maps and bars keep their shape)."""
    spec = copy.deepcopy(spec)
    spec["height"] = CHART_HEIGHT
    spec["autosize"] = {"type": "fit", "contains": "padding"}
    return charts.export_png(spec, scale=scale, width=CHART_WIDTH)


def notes_text(slide: deck.Slide, version: str) -> str:
    """The speaker notes: the sentence, the data version, demo or not, and the view's link."""
    lines = [slide.sentence, *slide.lines, f"Dataversion {version}."]
    if slide.demo:
        lines.append(f"{text.DEMO_TEXT}.")
    if slide.url:
        lines.append(f"Vyn i appen: {slide.url}")
    return "\n".join(line for line in dict.fromkeys(lines) if line)


def _text_box(slide, left, top, width, height, words: str, size: int, bold: bool = False,
              colour: RGBColor | None = None) -> None:
    frame = slide.shapes.add_textbox(left, top, width, height).text_frame
    frame.word_wrap = True
    run = frame.paragraphs[0].add_run()
    run.text = words
    run.font.size, run.font.bold = Pt(size), bold
    if colour is not None:
        run.font.color.rgb = colour


def _picture(slide, png: bytes, top: int) -> None:
    """The chart as large as fits below `top`, centred, in its own proportions."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as img:
        w, h = img.size
    box_w, box_h = SLIDE_WIDTH - 2 * MARGIN, SLIDE_HEIGHT - top - MARGIN
    scale = min(box_w / w, box_h / h)
    width, height = int(w * scale), int(h * scale)
    slide.shapes.add_picture(io.BytesIO(png), Emu(int((SLIDE_WIDTH - width) / 2)), Emu(int(top)),
                             Emu(width), Emu(height))


def to_pptx(slides: list[deck.Slide], version: str) -> bytes:
    """The slides as a PowerPoint file (16:9), one per view."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    layout = prs.slide_layouts[5]  # "Title Only": the title is the slide's title placeholder
    for s in slides:
        page = prs.slides.add_slide(layout)
        title = page.shapes.title
        title.left, title.top, title.width, title.height = MARGIN, Inches(0.25), SLIDE_WIDTH - 2 * MARGIN, Inches(1.2)
        title.text = s.title
        for paragraph in title.text_frame.paragraphs:
            paragraph.alignment = 1  # left
            for run in paragraph.runs:
                run.font.size, run.font.bold = Pt(26), True
        _text_box(page, MARGIN, Inches(1.45), SLIDE_WIDTH - 2 * MARGIN, Inches(0.35), s.caption, 12, colour=MUTED)
        if s.demo:
            _text_box(page, SLIDE_WIDTH - MARGIN - Inches(3.6), Inches(0.02), Inches(3.6), Inches(0.3),
                      text.DEMO_TEXT, 12, bold=True, colour=DEMO_COLOUR)
        if s.spec is not None:
            _picture(page, chart_png(s.spec), Inches(1.85))
        page.notes_slide.notes_text_frame.text = notes_text(s, version)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


PDF_CSS = """
@page { size: 13.333in 7.5in; margin: 0; }
body { margin: 0; font-family: "Source Sans 3", "Source Sans Pro", "DejaVu Sans", sans-serif; color: #222; }
section { width: 13.333in; height: 7.5in; box-sizing: border-box; padding: 0.3in 0.45in; page-break-after: always;
  display: flex; flex-direction: column; position: relative; }
h1 { font-size: 23pt; line-height: 1.15; margin: 0.1in 0 0.05in; }
p.caption { font-size: 11pt; color: #555; margin: 0 0 0.1in; }
p.demo { position: absolute; top: 0.05in; right: 0.45in; margin: 0; font-size: 11pt; font-weight: bold; color: #a04000; }
img { flex: 1; min-height: 0; object-fit: contain; width: 100%; }
"""


def to_html(slides: list[deck.Slide]) -> str:
    """The slides as one HTML page per slide (what the PDF prints)."""
    parts = []
    for s in slides:
        demo = f'<p class="demo">{html.escape(text.DEMO_TEXT)}</p>' if s.demo else ""
        img = (f'<img alt="{html.escape(s.title)}" src="data:image/png;base64,'
               f'{base64.b64encode(chart_png(s.spec)).decode()}">' if s.spec is not None else "")
        parts.append(f'<section>{demo}<h1>{html.escape(s.title)}</h1>'
                     f'<p class="caption">{html.escape(s.caption)}</p>{img}</section>')
    return (f'<!doctype html><html lang="sv"><head><meta charset="utf-8"><style>{PDF_CSS}</style></head>'
            f'<body>{"".join(parts)}</body></html>')


def to_pdf(slides: list[deck.Slide], pdf: Path) -> None:
    """The slides as a PDF, one page each (headless chromium; ShbError when it is missing)."""
    from shb.present import report

    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "bildspel.html"
        page.write_text(to_html(slides), encoding="utf-8")
        report.html_to_pdf(page, Path(pdf))


def pdf_bytes(slides: list[deck.Slide]) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "bildspel.pdf"
        to_pdf(slides, target)
        return target.read_bytes()
