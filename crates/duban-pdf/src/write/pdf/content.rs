//! One page's content stream: fills, rules, text lines (glyph runs shown by `TJ`) and images.

use super::images::ImageRefs;
use crate::elements::Color;
use crate::layout::{Item, Page, TextLine};
use crate::write::embed::EmbeddedFont;
use crate::write::sign::SignatureField;
use pdf_writer::{Content, Name, Str};
use std::collections::BTreeMap;

/// A colour's three components, 0–1.
fn rgb(c: Color) -> [f32; 3] {
    [
        f32::from(c.r) / 255.0,
        f32::from(c.g) / 255.0,
        f32::from(c.b) / 255.0,
    ]
}

/// Rounds to 1/1000 pt: positions are written with at most three decimals' meaning.
fn r(v: f32) -> f32 {
    (v * 1000.0).round() / 1000.0
}

/// Fills, then rules, then text (text is never hidden under a fill), then images (a seal
/// presses on the text beneath it). `skip` is a signature field on this page: an image it
/// shows as its own appearance is not drawn twice.
pub(super) fn page_content(
    page: &Page,
    page_height: f32,
    fonts: &BTreeMap<usize, &EmbeddedFont>,
    images: &ImageRefs,
    skip: Option<&SignatureField>,
) -> Vec<u8> {
    let mut c = Content::new();
    for item in &page.items {
        if let Item::Fill(f) = item {
            let [red, green, blue] = rgb(f.color);
            c.set_fill_rgb(red, green, blue);
            c.rect(
                r(f.x),
                r(page_height - f.y - f.height),
                r(f.width),
                r(f.height),
            );
            c.fill_nonzero();
        }
    }
    let mut stroke: Option<(Color, f32)> = None;
    for item in &page.items {
        if let Item::Stroke(s) = item {
            if stroke != Some((s.color, s.thickness)) {
                let [red, green, blue] = rgb(s.color);
                c.set_stroke_rgb(red, green, blue);
                c.set_line_width(s.thickness);
                stroke = Some((s.color, s.thickness));
            }
            c.move_to(r(s.x1), r(page_height - s.y1));
            c.line_to(r(s.x2), r(page_height - s.y2));
            c.stroke();
        }
    }
    for item in &page.items {
        if let Item::Text(line) = item
            && !line.glyphs.is_empty()
        {
            c.begin_text();
            text_line(&mut c, line, page_height, fonts);
            c.end_text();
        }
    }
    for placed in page.images() {
        if skip.is_some_and(|f| f.shows(placed)) {
            continue;
        }
        if let Some(name) = images.name_of(Some(&placed.image)) {
            c.save_state();
            c.transform([
                r(placed.width),
                0.0,
                0.0,
                r(placed.height),
                r(placed.x),
                r(page_height - placed.y - placed.height),
            ]);
            c.x_object(Name(name.as_bytes()));
            c.restore_state();
        }
    }
    c.finish().into_vec()
}

/// A run of glyphs on one baseline in one font, shown by one `TJ`.
struct Run {
    x: f32,
    y: f32,
    size: f32,
    /// Where the reader's pen is, relative to `x`, in 1/1000 em.
    pen: f32,
    /// Glyph codes (big-endian CIDs) and adjustments, in order.
    items: Vec<RunItem>,
}

enum RunItem {
    Glyph(u16),
    Adjust(f32),
}

impl Run {
    fn flush(run: &mut Option<Run>, c: &mut Content) {
        if let Some(run) = run.take() {
            c.set_text_matrix([1.0, 0.0, 0.0, 1.0, run.x, run.y]);
            let mut shown = c.show_positioned();
            let mut items = shown.items();
            for item in &run.items {
                match item {
                    RunItem::Glyph(cid) => {
                        items.show(Str(&cid.to_be_bytes()));
                    }
                    RunItem::Adjust(a) => {
                        items.adjust(*a);
                    }
                }
            }
        }
    }
}

fn text_line(
    c: &mut Content,
    line: &TextLine,
    page_height: f32,
    fonts: &BTreeMap<usize, &EmbeddedFont>,
) {
    let mut color: Option<Color> = None;
    let mut font: Option<(usize, u32)> = None;
    let mut run: Option<Run> = None;
    for g in &line.glyphs {
        let Some(embedded) = fonts.get(&g.face) else {
            continue;
        };
        let cid = embedded.cid(g.gid);
        if color != Some(g.color) {
            Run::flush(&mut run, c);
            let [red, green, blue] = rgb(g.color);
            c.set_fill_rgb(red, green, blue);
            color = Some(g.color);
        }
        let size_key = (g.size * 1000.0).round() as u32;
        if font != Some((g.face, size_key)) {
            Run::flush(&mut run, c);
            c.set_font(Name(embedded.tag.as_bytes()), g.size);
            font = Some((g.face, size_key));
        }
        let x = r(g.x);
        let y = r(page_height - line.baseline + g.rise);
        let hscale = r(g.hscale);
        if hscale != 1.0 || g.size <= 0.0 {
            Run::flush(&mut run, c);
            c.set_text_matrix([hscale, 0.0, 0.0, 1.0, x, y]);
            c.show(Str(&cid.to_be_bytes()));
            continue;
        }
        match run.as_mut() {
            Some(open) if open.y == y => {
                // An adjustment moves the pen from where the last glyph left it to this x.
                let dx_em = (x - open.x) * 1000.0 / open.size;
                let kern = r(open.pen - dx_em);
                if kern != 0.0 {
                    open.items.push(RunItem::Adjust(kern));
                    open.pen -= kern;
                }
            }
            _ => {
                Run::flush(&mut run, c);
                run = Some(Run {
                    x,
                    y,
                    size: g.size,
                    pen: 0.0,
                    items: Vec::new(),
                });
            }
        }
        if let Some(open) = run.as_mut() {
            open.items.push(RunItem::Glyph(cid));
            open.pen += embedded.data.pdf_width(g.gid);
        }
    }
    Run::flush(&mut run, c);
}
