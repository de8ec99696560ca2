#!/usr/bin/env python3
"""Independent checks of duban's OFD twins, by OFD readers that are not ours.

    check_ofd.py MONTH_DIR PNG_DIR [RENDER ...]

For every `督办单/**/<name>.ofd` in MONTH_DIR beside its `<name>.pdf`:
  * ofdkit opens it; its page count equals the PDF's (pdfinfo), and each page's text equals
    the PDF page's text as pdftotext extracts it, whitespace ignored (compared as the multiset
    of characters, since the two readers order table cells differently);
  * fontTools opens every embedded font, and its cmap maps every character that a TextCode
    in that font shows to a glyph other than .notdef;
For each RENDER (a path relative to MONTH_DIR, e.g. `督办单/单位/市发改委.ofd`), easyofd opens it
and finds the PDF's page count, and page 1 is drawn
by easyofd (OFD → PDF with reportlab, then pdftoppm) and compared with pdftoppm's rendering of
the PDF at the same pixel size: both greyscale, box-blurred (radius 2 px, so a hair's difference
in anti-aliasing or stroke weight does not count), then the mean absolute difference (0-255)
and the share of pixels differing by more than 64 levels. Both PNGs and their difference are
written to PNG_DIR for a person to look at.

easyofd draws every text in the font registered as "宋体"; the test registers the shipped Song
face under that name (as an office machine has SimSun), so bold titles and Hei headings come out
as regular Song: that is the reader, not the file, and the tolerance allows for it.

Prints one JSON object; exits 1 when a check fails.
"""

import glob
import io
import json
import xml.etree.ElementTree as ET
import zipfile
import os
import subprocess
import sys
from collections import Counter

import ofdkit
from PIL import Image, ImageChops, ImageFilter
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

HERE = os.path.dirname(os.path.abspath(__file__))
SONG = os.path.join(HERE, "..", "..", "fonts", "NotoSerifSC-Regular.ttf")


NS = {"ofd": "http://www.ofdspec.org/2016"}


def font_problems(ofd_path):
    """Embedded fonts that fontTools cannot open, or whose cmap misses a character shown."""
    from fontTools.ttLib import TTFont as FTFont

    problems = []
    with zipfile.ZipFile(ofd_path) as z:
        res = ET.fromstring(z.read("Doc_0/PublicRes.xml"))
        base = res.get("BaseLoc", "")
        fonts = {}
        for font in res.iterfind("ofd:Fonts/ofd:Font", NS):
            file = font.find("ofd:FontFile", NS).text
            try:
                fonts[font.get("ID")] = FTFont(io.BytesIO(z.read("Doc_0/%s/%s" % (base, file)))).getBestCmap()
            except Exception as e:  # noqa: BLE001 - any failure to open is the finding
                problems.append("font %s: fontTools cannot open it (%s)" % (file, e))
        for name in z.namelist():
            if not name.endswith("/Content.xml"):
                continue
            page = ET.fromstring(z.read(name))
            for obj in page.iter("{%s}TextObject" % NS["ofd"]):
                cmap = fonts.get(obj.get("Font"))
                if cmap is None:
                    continue
                for code in obj.iterfind("ofd:TextCode", NS):
                    missing = [c for c in (code.text or "") if ord(c) not in cmap]
                    if missing:
                        problems.append("%s: font %s has no glyph for %r" % (name, obj.get("Font"), "".join(missing)))
    return problems


def quiet_easyofd():
    from loguru import logger

    logger.remove()
    import easyofd

    return easyofd


def pdf_pages(pdf):
    out = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    raise SystemExit("pdfinfo gave no page count for %s" % pdf)


def pdf_page_texts(pdf):
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", pdf, "-"], capture_output=True, text=True, check=True
    ).stdout
    return [Counter("".join(page.split())) for page in out.split("\f")[:-1]]


def easyofd_pdf(easyofd, ofd_path):
    doc = easyofd.OFD()
    with open(ofd_path, "rb") as f:
        doc.read(f.read(), fmt="binary")
    pages = sum(len(d["page_info"]) for d in doc.data)
    pdf = doc.to_pdf()
    return pages, pdf


def render(pdf_path, png_prefix, width_px):
    """Page 1 of a PDF as a PNG exactly width_px wide."""
    subprocess.run(
        ["pdftoppm", "-png", "-f", "1", "-l", "1", "-scale-to-x", str(width_px),
         "-scale-to-y", "-1", "-singlefile", pdf_path, png_prefix],
        check=True,
    )
    return png_prefix + ".png"


def compare(a_path, b_path, diff_path):
    a = Image.open(a_path).convert("L")
    b = Image.open(b_path).convert("L")
    if a.size != b.size:
        b = b.resize(a.size)
    a = a.filter(ImageFilter.BoxBlur(2))
    b = b.filter(ImageFilter.BoxBlur(2))
    diff = ImageChops.difference(a, b)
    hist = diff.histogram()
    total = a.size[0] * a.size[1]
    mean = sum(i * n for i, n in enumerate(hist)) / total
    over = sum(hist[65:]) / total
    ImageChops.invert(diff).save(diff_path)
    return round(mean, 3), round(over, 5)


def main():
    month, png_dir = sys.argv[1], sys.argv[2]
    renders = sys.argv[3:]
    os.makedirs(png_dir, exist_ok=True)
    pdfmetrics.registerFont(TTFont("宋体", SONG))
    easyofd = quiet_easyofd()
    report = {"checked": 0, "failures": [], "renders": {}}
    for ofd in sorted(glob.glob(os.path.join(month, "督办单", "*", "*.ofd"))):
        pdf = ofd[:-4] + ".pdf"
        name = os.path.relpath(ofd, month)
        if not os.path.exists(pdf):
            report["failures"].append("%s: no PDF beside it" % name)
            continue
        with ofdkit.open(ofd) as doc:
            texts = [Counter("".join(p.text().split())) for p in doc.pages]
        n_pdf = pdf_pages(pdf)
        if len(texts) != n_pdf:
            report["failures"].append("%s: ofdkit %d pages, PDF %d" % (name, len(texts), n_pdf))
        for i, (o, p) in enumerate(zip(texts, pdf_page_texts(pdf))):
            if o != p:
                report["failures"].append(
                    "%s page %d: text differs (OFD only: %r; PDF only: %r)"
                    % (name, i + 1, "".join((o - p).elements())[:40], "".join((p - o).elements())[:40])
                )
        report["failures"].extend("%s: %s" % (name, p) for p in font_problems(ofd))
        report["checked"] += 1
    for rel in renders:
        ofd = os.path.join(month, rel)
        stem = os.path.join(png_dir, os.path.splitext(os.path.basename(rel))[0])
        pages, pdf_bytes = easyofd_pdf(easyofd, ofd)
        if pages != pdf_pages(ofd[:-4] + ".pdf"):
            report["failures"].append("%s: easyofd %d pages, PDF %d" % (rel, pages, pdf_pages(ofd[:-4] + ".pdf")))
        via = stem + "-easyofd.pdf"
        with open(via, "wb") as f:
            f.write(pdf_bytes)
        ours = render(ofd[:-4] + ".pdf", stem + "-pdf", 579)
        theirs = render(via, stem + "-ofd", 579)
        mean, over = compare(ours, theirs, stem + "-diff.png")
        report["renders"][rel] = {"mean_abs_diff": mean, "share_over_64": over}
    print(json.dumps(report, ensure_ascii=False))
    return 1 if report["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
