#!/usr/bin/env python3
"""Draws the demo's sample seal: input/seal/样章.svg (the vector source) and input/seal/样章.png
(the raster duban embeds, transparent background).

The seal says what it is — 样章 · 仅供演示 (sample, for demonstration only) — and names no
office: it must never be mistaken for, or used as, a real office's seal. Both files come from
the same geometry below: a ring, a five-pointed star, the words along the upper arc and one
line under the star, in the seal red of GB/T 9704 documents.

    python3 tools/seal/make_sample_seal.py          # needs Pillow
"""
import math
import pathlib

from PIL import Image, ImageDraw, ImageFont

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "input" / "seal"
FONT = ROOT / "fonts" / "NotoSansSC-Bold.ttf"

RED = (215, 0, 15)
SIZE = 42.0  # mm, the seal's diameter; every length below is in mm
RING = 1.2  # ring width
ARC_TEXT = "样章·仅供演示"
ARC_SIZE = 6.2  # character height along the arc
ARC_RADIUS = 14.6  # radius of the characters' centres
ARC_SPAN = 200.0  # degrees the arc text covers, centred on the top
STAR_RADIUS = 7.0
LINE_TEXT = "演示样章"
LINE_SIZE = 4.4
LINE_Y = 11.5  # below the centre
PX_PER_MM = 600 / SIZE  # 600 px across


def star_points(cx, cy, r):
    pts = []
    for i in range(10):
        rr = r if i % 2 == 0 else r * 0.382
        a = math.radians(-90 + 36 * i)
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    return pts


def arc_positions():
    """(character, x, y, rotation in degrees clockwise) in mm from the centre."""
    n = len(ARC_TEXT)
    out = []
    for i, ch in enumerate(ARC_TEXT):
        angle = -ARC_SPAN / 2 + ARC_SPAN * i / (n - 1)  # 0 = straight up
        a = math.radians(angle - 90)
        out.append((ch, ARC_RADIUS * math.cos(a), ARC_RADIUS * math.sin(a), angle))
    return out


def svg():
    c = SIZE / 2
    red = "#%02X%02X%02X" % RED
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}mm" height="{SIZE}mm" '
        f'viewBox="0 0 {SIZE} {SIZE}">',
        "<!-- 样章 · 仅供演示: a sample seal for the demo, not any office's seal -->",
        f'<circle cx="{c}" cy="{c}" r="{c - RING / 2 - 0.3}" fill="none" stroke="{red}" '
        f'stroke-width="{RING}"/>',
        '<polygon fill="%s" points="%s"/>'
        % (red, " ".join(f"{x + c:.3f},{y + c:.3f}" for x, y in star_points(0, 0, STAR_RADIUS))),
    ]
    for ch, x, y, rot in arc_positions():
        parts.append(
            f'<text x="0" y="0" transform="translate({x + c:.3f} {y + c:.3f}) rotate({rot:.2f})" '
            f'font-family="Noto Sans SC" font-weight="bold" font-size="{ARC_SIZE}" '
            f'fill="{red}" text-anchor="middle" dominant-baseline="central">{ch}</text>'
        )
    parts.append(
        f'<text x="{c}" y="{c + LINE_Y}" font-family="Noto Sans SC" font-weight="bold" '
        f'font-size="{LINE_SIZE}" fill="{red}" text-anchor="middle" '
        f'dominant-baseline="central">{LINE_TEXT}</text>'
    )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def png():
    px = round(SIZE * PX_PER_MM)
    s = PX_PER_MM
    img = Image.new("RGBA", (px, px), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    c = px / 2
    r = (SIZE / 2 - 0.3) * s
    d.ellipse((c - r, c - r, c + r, c + r), outline=RED + (255,), width=round(RING * s))
    d.polygon([(c + x * s, c + y * s) for x, y in star_points(0, 0, STAR_RADIUS)], fill=RED + (255,))
    arc_font = ImageFont.truetype(str(FONT), round(ARC_SIZE * s))
    for ch, x, y, rot in arc_positions():
        box = round(ARC_SIZE * s * 1.6)
        glyph = Image.new("RGBA", (box, box), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((box / 2, box / 2), ch, font=arc_font, fill=RED + (255,), anchor="mm")
        glyph = glyph.rotate(-rot, resample=Image.BICUBIC)
        img.alpha_composite(glyph, (round(c + x * s - box / 2), round(c + y * s - box / 2)))
    line_font = ImageFont.truetype(str(FONT), round(LINE_SIZE * s))
    d.text((c, c + LINE_Y * s), LINE_TEXT, font=line_font, fill=RED + (255,), anchor="mm")
    # Ink is never quite opaque: the text under the seal stays readable. One colour throughout,
    # the shape in the alpha alone (smaller in the PNG and in every PDF that embeds it).
    alpha = img.getchannel("A").point(lambda a: a * 225 // 255)
    seal = Image.new("RGBA", img.size, RED + (0,))
    seal.putalpha(alpha)
    return seal


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "样章.svg").write_text(svg(), encoding="utf-8")
    png().save(OUT / "样章.png", optimize=True)
    print("wrote", OUT / "样章.svg", "and", OUT / "样章.png")


if __name__ == "__main__":
    main()
