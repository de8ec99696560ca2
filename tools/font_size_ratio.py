"""How big our embedded font program is beside a pyftsubset subset of the same glyphs.

Usage: python3 tools/font_size_ratio.py FILE.pdf FONT_FILE FACE_INDEX NAME_PART

Finds the embedded font whose /BaseFont contains NAME_PART, reads the characters it draws from
its /ToUnicode map, subsets FONT_FILE (face FACE_INDEX) to the same characters with fontTools'
pyftsubset defaults, and prints both sizes raw and deflated (zlib level 6) and their ratio, and
the size of our program as the PDF stores it (its own compression) against theirs deflated. For
CFF faces the comparison is with the subset's CFF table, which is what a PDF embeds.
Needs qpdf and fontTools.
"""
import base64
import io
import json
import re
import subprocess
import sys
import zlib

from fontTools import subset
from fontTools.ttLib import TTFont


def main(pdf, face_file, index, want):
    raw = subprocess.run(
        ["qpdf", "--json=2", "--json-stream-data=inline", "--decode-level=generalized", pdf, "-"],
        capture_output=True,
        check=True,
    ).stdout
    objects = json.loads(raw)["qpdf"][1]

    def get(ref):
        return objects["obj:" + ref]

    program = cmap = ref = None
    for o in objects.values():
        v = o.get("value")
        if isinstance(v, dict) and v.get("/Subtype") == "/Type0" and want in v["/BaseFont"]:
            cmap = base64.b64decode(get(v["/ToUnicode"])["stream"]["data"]).decode()
            cid = get(v["/DescendantFonts"][0])["value"]
            desc = get(cid["/FontDescriptor"])["value"]
            ref = desc.get("/FontFile2") or desc.get("/FontFile3")
            program = base64.b64decode(get(ref)["stream"]["data"])
    if program is None:
        sys.exit(f"no embedded font named like {want!r} in {pdf}")
    stored = subprocess.run(
        ["qpdf", f"--show-object={ref}", "--raw-stream-data", pdf],
        capture_output=True,
        check=True,
    ).stdout
    chars = [chr(int(m, 16)) for m in re.findall(r"<[0-9A-F]{4}> <([0-9A-F]{4,8})>", cmap)]
    options = subset.Options()
    options.font_number = index
    font = TTFont(face_file, fontNumber=index)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(chars))
    subsetter.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    theirs = buf.getvalue()
    if "CFF " in font:
        theirs = TTFont(io.BytesIO(theirs)).reader["CFF "]
    ours_z = len(zlib.compress(program, 6))
    theirs_z = len(zlib.compress(theirs, 6))
    print(
        f"{want}: {len(chars)} characters; ours {len(program)} B raw, {ours_z} B deflated; "
        f"pyftsubset {len(theirs)} B raw, {theirs_z} B deflated; ratio {ours_z / theirs_z:.2f}; "
        f"ours as stored in the PDF {len(stored)} B, ratio {len(stored) / theirs_z:.2f}"
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4])
