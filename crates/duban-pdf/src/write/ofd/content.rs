//! One page's Content.xml: fills, rules, text lines (one TextObject per run of glyphs) and
//! images.

use super::units::{MM_PER_PT, Milli, color, compress, mm, num};
use super::{Ids, push_escaped, xml_head};
use crate::elements::{Color, Image};
use crate::layout::{Item, Page, StrokeLine, TextLine};
use crate::write::embed::EmbeddedFont;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// One page's Content.xml: one layer with fills, then rules, then text (text on top, as in
/// the PDF).
pub(super) fn page_content(
    page: &Page,
    fonts: &BTreeMap<usize, &EmbeddedFont>,
    font_ids: &BTreeMap<usize, u32>,
    images: &[(&Image, u32)],
    ids: &mut Ids,
) -> String {
    let mut out = xml_head("Page");
    out.push_str("><ofd:Content>");
    let _ = write!(out, "<ofd:Layer ID=\"{}\" Type=\"Body\">", ids.next());
    for item in &page.items {
        if let Item::Fill(f) = item {
            let (w, h) = (mm(f.width), mm(f.height));
            let _ = write!(
                out,
                "<ofd:PathObject ID=\"{}\" Boundary=\"{} {} {w} {h}\" Stroke=\"false\" Fill=\"true\"><ofd:FillColor Value=\"{}\"/><ofd:AbbreviatedData>M 0 0 L {w} 0 L {w} {h} L 0 {h} C</ofd:AbbreviatedData></ofd:PathObject>",
                ids.next(),
                mm(f.x),
                mm(f.y),
                color(f.color)
            );
        }
    }
    // Rules of one colour and width become one PathObject with a subpath per rule (a table's
    // grid is hundreds of rules), in the order the layout drew them.
    let mut groups: Vec<(Color, f32, Vec<&StrokeLine>)> = Vec::new();
    for item in &page.items {
        if let Item::Stroke(s) = item {
            match groups
                .iter_mut()
                .find(|(c, t, _)| *c == s.color && *t == s.thickness)
            {
                Some((_, _, lines)) => lines.push(s),
                None => groups.push((s.color, s.thickness, vec![s])),
            }
        }
    }
    for (c, thickness, lines) in groups {
        // The boundary holds every line and half the width on every side. The fill colour is
        // unused (Fill is false by default) but repeats the stroke colour for readers that take
        // a line's colour from FillColor (easyofd does).
        let pad = thickness / 2.0;
        let left = lines
            .iter()
            .map(|s| s.x1.min(s.x2))
            .fold(f32::MAX, f32::min)
            - pad;
        let top = lines
            .iter()
            .map(|s| s.y1.min(s.y2))
            .fold(f32::MAX, f32::min)
            - pad;
        let right = lines
            .iter()
            .map(|s| s.x1.max(s.x2))
            .fold(f32::MIN, f32::max)
            + pad;
        let bottom = lines
            .iter()
            .map(|s| s.y1.max(s.y2))
            .fold(f32::MIN, f32::max)
            + pad;
        let c = color(c);
        let _ = write!(
            out,
            "<ofd:PathObject ID=\"{}\" Boundary=\"{} {} {} {}\" LineWidth=\"{}\"><ofd:StrokeColor Value=\"{c}\"/><ofd:FillColor Value=\"{c}\"/><ofd:AbbreviatedData>",
            ids.next(),
            mm(left),
            mm(top),
            mm(right - left),
            mm(bottom - top),
            mm(thickness),
        );
        for (i, s) in lines.iter().enumerate() {
            let _ = write!(
                out,
                "{}M {} {} L {} {}",
                if i == 0 { "" } else { " " },
                mm(s.x1 - left),
                mm(s.y1 - top),
                mm(s.x2 - left),
                mm(s.y2 - top)
            );
        }
        out.push_str("</ofd:AbbreviatedData></ofd:PathObject>");
    }
    for item in &page.items {
        if let Item::Text(line) = item {
            text_line(&mut out, line, fonts, font_ids, ids);
        }
    }
    // Images last, over the text, as in the PDF.
    for placed in page.images() {
        if let Some((_, resource)) = images.iter().find(|(i, _)| i.digest == placed.image.digest) {
            let (w, h) = (mm(placed.width), mm(placed.height));
            let _ = write!(
                out,
                "<ofd:ImageObject ID=\"{}\" Boundary=\"{} {} {w} {h}\" CTM=\"{w} 0 0 {h} 0 0\" ResourceID=\"{resource}\"/>",
                ids.next(),
                mm(placed.x),
                mm(placed.y),
            );
        }
    }
    out.push_str("</ofd:Layer></ofd:Content></ofd:Page>");
    out
}

/// Glyphs that share a baseline, face, size, colour and scale: one TextObject.
struct Run {
    face: usize,
    size: f32,
    color: Color,
    y: f32,
    hscale: f32,
    /// (character, left edge in points, advance in points)
    glyphs: Vec<(char, f32, f32)>,
}

fn text_line(
    out: &mut String,
    line: &TextLine,
    fonts: &BTreeMap<usize, &EmbeddedFont>,
    font_ids: &BTreeMap<usize, u32>,
    ids: &mut Ids,
) {
    let mut runs: Vec<Run> = Vec::new();
    for g in &line.glyphs {
        if g.ch.is_whitespace() || !fonts.contains_key(&g.face) || g.size <= 0.0 {
            continue;
        }
        let y = line.baseline - g.rise;
        let same = runs.last().is_some_and(|r| {
            r.face == g.face
                && r.size == g.size
                && r.color == g.color
                && r.y == y
                && r.hscale == 1.0
                && g.hscale == 1.0
        });
        if !same {
            runs.push(Run {
                face: g.face,
                size: g.size,
                color: g.color,
                y,
                hscale: g.hscale,
                glyphs: Vec::new(),
            });
        }
        if let Some(run) = runs.last_mut() {
            run.glyphs.push((g.ch, g.x, g.advance));
        }
    }
    for run in runs {
        let (Some(first), Some(last)) = (run.glyphs.first(), run.glyphs.last()) else {
            continue;
        };
        let x0 = first.1;
        let width = (last.1 + last.2 * run.hscale - x0).max(run.size);
        // The boundary spans the em box and the descent below the baseline.
        let top = run.y - run.size;
        let deltas: Vec<Milli> = run
            .glyphs
            .windows(2)
            .map(|w| Milli::of((w[1].1 - w[0].1) * MM_PER_PT))
            .collect();
        let ctm = if run.hscale == 1.0 {
            String::new()
        } else {
            format!(" CTM=\"{} 0 0 1 0 0\"", num(run.hscale))
        };
        let _ = write!(
            out,
            "<ofd:TextObject ID=\"{}\" Boundary=\"{} {} {} {}\" Font=\"{}\" Size=\"{}\"{ctm}><ofd:FillColor Value=\"{}\"/><ofd:TextCode X=\"0\" Y=\"{}\"",
            ids.next(),
            mm(x0),
            mm(top),
            mm(width),
            mm(run.size * 1.3),
            font_ids[&run.face],
            mm(run.size),
            color(run.color),
            mm(run.size)
        );
        if !deltas.is_empty() {
            out.push_str(" DeltaX=\"");
            compress(out, &deltas);
            out.push('"');
        }
        out.push('>');
        for g in &run.glyphs {
            let mut buf = [0u8; 4];
            push_escaped(out, g.0.encode_utf8(&mut buf));
        }
        out.push_str("</ofd:TextCode></ofd:TextObject>");
    }
}
