"""Checks every embedded font program of a PDF with fontTools, a reader that is not ours.

Usage: python3 pdf_fonts.py FILE.pdf...
Prints one line per CID font: `<file> <name> <kind> <glyphs in the program> <glyphs the PDF uses>
<max CID>`
and exits non-zero when a program does not parse or a CID the PDF uses is not in the program.
The streams are decoded by qpdf (`--json-stream-data=inline`).
"""
import base64
import io
import json
import subprocess
import sys

from fontTools.cffLib import CFFFontSet
from fontTools.ttLib import TTFont


def cids_of(widths):
    """The CIDs a /W array lists: `c [w w ...]` and `c_first c_last w`."""
    out, i = [], 0
    while i < len(widths):
        start, nxt = widths[i], widths[i + 1]
        if isinstance(nxt, list):
            out += range(start, start + len(nxt))
            i += 2
        else:
            out += range(start, nxt + 1)
            i += 3
    return out


def check(path):
    raw = subprocess.run(
        ["qpdf", "--json=2", "--json-stream-data=inline", "--decode-level=generalized", path, "-"],
        capture_output=True,
        check=True,
    ).stdout
    objects = json.loads(raw)["qpdf"][1]

    def get(ref):
        return objects["obj:" + ref]

    failures = 0
    for value in (o.get("value") for o in objects.values()):
        if not isinstance(value, dict) or value.get("/Subtype") not in ("/CIDFontType2", "/CIDFontType0"):
            continue
        name = value["/BaseFont"]
        desc = get(value["/FontDescriptor"])["value"]
        ref = desc.get("/FontFile2") or desc.get("/FontFile3")
        data = base64.b64decode(get(ref)["stream"]["data"])
        cids = cids_of(value.get("/W", []))
        try:
            if "/FontFile2" in desc:
                kind = "TrueType"
                font = TTFont(io.BytesIO(data))
                glyf = font["glyf"]
                order = font.getGlyphOrder()
                for glyph in order:
                    glyf[glyph].expand(glyf)  # decodes every outline
                count = font["maxp"].numGlyphs
                assert count == len(order)
            else:
                kind = "CFF"
                cff = CFFFontSet()
                cff.decompile(io.BytesIO(data), None)
                top = cff[cff.fontNames[0]]
                strings = top.CharStrings
                for glyph in top.charset:
                    strings[glyph].decompile()
                count = len(top.charset)
        except Exception as e:  # a reader's complaint is the finding
            print(f"{path} {name} does not parse: {e!r}")
            failures += 1
            continue
        top_cid = max(cids, default=0)
        print(f"{path} {name} {kind} {count} {len(cids)} {top_cid}")
        if top_cid >= count:
            print(f"{path} {name}: CID {top_cid} is not in a program of {count} glyphs")
            failures += 1
    return failures


if __name__ == "__main__":
    sys.exit(1 if sum(check(p) for p in sys.argv[1:]) else 0)
