#!/usr/bin/env bash
# Rebuilds fonts/*.ttf from the upstream Noto SC fonts, reproducibly.
#
# Source: the npm packages @expo-google-fonts/noto-serif-sc and @expo-google-fonts/noto-sans-sc,
# version 0.4.3 (Google Fonts builds of Noto Serif SC 2.003 / Noto Sans SC 2.004, TrueType
# outlines, SIL Open Font License 1.1).
#
# Coverage:
#   body (NotoSerifSC-Regular), title (NotoSerifSC-Bold), heading (NotoSansSC-Bold): GB 2312
#       (6 763 hanzi + its symbols) plus the ranges below.
#   NotoSerifSC-Regular-Ext: the rest of GBK (about 14 000 rarer hanzi, e.g. 堃 喆 玥 of
#       people's names), regular weight, loaded as a fallback face. It is a separate file
#       because the PDF subsetter's time grows with the glyph count of the face it cuts from:
#       a 22 000-glyph body face cost ~11 ms per document, a 7 500-glyph one ~2 ms.
#   all but Ext: ASCII, Latin-1, general punctuation, letter-like symbols, arrows, maths,
#       enclosed numbers, box drawing, geometric shapes (● □), CJK symbols (〔〕 etc.),
#       full-width forms.
# Hinting and OpenType layout features are dropped: duban positions glyphs itself.
#
# Needs: npm, python3 with fonttools (pip install fonttools==4.*).
# Usage: tools/subset_fonts.sh            (writes into fonts/ next to this script's parent)
set -euo pipefail

VERSION=0.4.3
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/fonts"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
npm pack --silent "@expo-google-fonts/noto-serif-sc@$VERSION" "@expo-google-fonts/noto-sans-sc@$VERSION" >/dev/null
mkdir serif sans
tar xzf "expo-google-fonts-noto-serif-sc-$VERSION.tgz" -C serif
tar xzf "expo-google-fonts-noto-sans-sc-$VERSION.tgz" -C sans

# Character lists derived from Python's codecs, so no list is downloaded or vendored.
python3 - <<'PY'
def table(codec, lead, trail):
    out = set()
    for b1 in lead:
        for b2 in trail:
            try:
                out.add(bytes([b1, b2]).decode(codec))
            except UnicodeDecodeError:
                pass
    return "".join(sorted(out))

gb2312 = table("gb2312", range(0xA1, 0xF8), range(0xA1, 0xFF))
gbk = table("gbk", range(0x81, 0xFF), range(0x40, 0xFF))
open("gb2312.txt", "w", encoding="utf-8").write(gb2312)
open("gbk-ext.txt", "w", encoding="utf-8").write("".join(sorted(set(gbk) - set(gb2312))))
PY

EXTRA="U+0020-007E,U+00A0-00FF,U+2000-206F,U+2100-218F,U+2190-21FF,U+2200-22FF,U+2460-24FF,\
U+2500-257F,U+25A0-25FF,U+2600-26FF,U+3000-303F,U+3200-32FF,U+FE30-FE4F,U+FF00-FFEF"

subset() { # source, char list, output, extra code points
    pyftsubset "$1" --text-file="$2" --unicodes="$4" --no-hinting --layout-features='' \
        --name-IDs='*' --name-languages='*' --drop-tables+=DSIG,BASE,STAT --output-file="$OUT/$3"
    echo "$3: $(stat -c %s "$OUT/$3") bytes"
}

mkdir -p "$OUT"
subset serif/package/400Regular/NotoSerifSC_400Regular.ttf gb2312.txt NotoSerifSC-Regular.ttf "$EXTRA"
subset serif/package/400Regular/NotoSerifSC_400Regular.ttf gbk-ext.txt NotoSerifSC-Regular-Ext.ttf ""
# Give the extension face its own PostScript name, so PDF font lists tell it from the body face.
python3 - "$OUT/NotoSerifSC-Regular-Ext.ttf" <<'PY'
import sys
from fontTools.ttLib import TTFont
path = sys.argv[1]
font = TTFont(path, recalcTimestamp=False)
for record in font["name"].names:
    if record.nameID in (3, 6):
        record.string = "NotoSerifSC-Regular-Ext"
    elif record.nameID == 4:
        record.string = "Noto Serif SC Regular Ext"
font.save(path)
PY
subset serif/package/700Bold/NotoSerifSC_700Bold.ttf gb2312.txt NotoSerifSC-Bold.ttf "$EXTRA"
subset sans/package/700Bold/NotoSansSC_700Bold.ttf gb2312.txt NotoSansSC-Bold.ttf "$EXTRA"
cp serif/package/LICENSE_FONT "$OUT/OFL.txt"
cp sans/package/LICENSE_FONT "$OUT/OFL-NotoSansSC.txt"
