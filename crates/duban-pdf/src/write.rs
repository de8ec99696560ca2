//! The page model → PDF bytes, byte-identical for the same input.
//!
//! Documents whose faces all have TrueType outlines (the shipped fonts, and the usual office
//! `.ttf`/`.ttc` files) are written directly by [`super::emit`], which subsets the faces
//! itself and deflates at a fast level: printpdf re-read the whole `glyf` table of every
//! face for every document and compressed at the slowest level, which made PDF writing
//! most of the run's time. Documents using another face (CFF `.otf`) go through printpdf
//! as before.
//!
//! printpdf names fonts and the document ID from a process-wide counter, so two renders of
//! one document (or the same document on another rayon thread) would differ. Here the font
//! resource names — which also give the `ABCDEF+` subset tag — are derived from the face and
//! the glyphs used, the dates come from [`Meta::date`], and the trailer `/ID` is replaced by
//! a hash of the file.

use super::content::{Color, Meta, PT_PER_MM};
use super::fonts::FontSet;
use super::layout::{Item, Layout, Page, TextLine};
use printpdf::{
    Codepoint, FontId, Line, LinePoint, Mm, Op, PaintMode, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Point, Pt, Rect, Rgb, TextItem, TextMatrix,
};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// Serialises a layout into a PDF with subset, embedded fonts.
///
/// The same layout, fonts and meta always give the same bytes.
///
/// # Examples
///
/// ```
/// use duban_pdf::*;
/// # let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fonts");
/// let fonts = FontSet::load_dir(&dir)?;
/// let doc = Document {
///     page: PageSetup::a4_portrait(),
///     blocks: vec![Block::Paragraph(Paragraph::new(
///         vec![Span::text("请于12月5日前报送。", Style::new(FontRole::Body, 16.0))],
///         28.0,
///     ))],
/// };
/// let meta = Meta {
///     title: "示例".into(),
///     author: "督查室".into(),
///     subject: String::new(),
///     date: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
/// };
/// let pdf = write_pdf(&layout(&doc, &fonts), &fonts, &meta);
/// assert!(pdf.starts_with(b"%PDF-"));
/// # Ok::<(), FontError>(())
/// ```
pub fn write_pdf(layout: &Layout, fonts: &FontSet, meta: &Meta) -> Vec<u8> {
    let ids = font_ids(layout, fonts);
    let tags: BTreeMap<usize, String> = ids.iter().map(|(f, id)| (*f, id.0.clone())).collect();
    match super::emit::emit_pdf(layout, fonts, meta, &tags) {
        Some(bytes) => bytes,
        None => write_with_printpdf(layout, fonts, meta, &ids),
    }
}

/// The printpdf path, for documents using a face [`super::emit`] cannot subset.
fn write_with_printpdf(
    layout: &Layout,
    fonts: &FontSet,
    meta: &Meta,
    ids: &BTreeMap<usize, FontId>,
) -> Vec<u8> {
    let mut doc = PdfDocument::new(&meta.title);
    let info = &mut doc.metadata.info;
    info.author = meta.author.clone();
    info.subject = meta.subject.clone();
    info.creator = "duban".to_string();
    info.producer = "duban (printpdf 0.12)".to_string();
    let timestamp = meta
        .date
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp())
        .unwrap_or(0);
    if let Ok(date) = printpdf::OffsetDateTime::from_unix_timestamp(timestamp) {
        info.creation_date = date;
        info.modification_date = date;
        info.metadata_date = date;
    }

    for (face, id) in ids {
        if let Some(font) = fonts.parsed(*face) {
            doc.resources
                .fonts
                .map
                .insert(id.clone(), printpdf::PdfFont::new(font.clone()));
        }
    }

    let width = Mm(layout.setup.width / PT_PER_MM);
    let height = Mm(layout.setup.height / PT_PER_MM);
    doc.pages = layout
        .pages
        .iter()
        .map(|page| PdfPage::new(width, height, page_ops(page, layout.setup.height, ids)))
        .collect();

    let options = PdfSaveOptions {
        optimize: true,
        subset_fonts: true,
        secure: true,
        image_optimization: None,
    };
    let mut warnings = Vec::new();
    let mut bytes = doc.save(&options, &mut warnings);
    fix_document_id(&mut bytes);
    bytes
}

/// One resource name per used face: six capitals from a hash of the face's file name and
/// the glyphs it draws, so the subset tag changes exactly when the subset does.
fn font_ids(layout: &Layout, fonts: &FontSet) -> BTreeMap<usize, FontId> {
    let mut used: BTreeMap<usize, BTreeSet<u16>> = BTreeMap::new();
    for page in &layout.pages {
        for line in page.lines() {
            for g in &line.glyphs {
                used.entry(g.face).or_default().insert(g.gid);
            }
        }
    }
    let mut taken = BTreeSet::new();
    used.into_iter()
        .map(|(face, gids)| {
            let mut hasher = Sha256::new();
            hasher.update(fonts.face_name(face).as_bytes());
            hasher.update(face.to_le_bytes());
            for gid in gids {
                hasher.update(gid.to_be_bytes());
            }
            let digest = hasher.finalize();
            let mut tag: String = digest
                .iter()
                .take(6)
                .map(|b| char::from(b'A' + b % 26))
                .collect();
            // Two faces with the same tag would share a resource name.
            let mut salt = 0u8;
            while !taken.insert(tag.clone()) {
                salt = salt.wrapping_add(1);
                tag = digest
                    .iter()
                    .skip(6)
                    .take(6)
                    .map(|b| char::from(b'A' + b.wrapping_add(salt) % 26))
                    .collect();
            }
            (face, FontId(tag))
        })
        .collect()
}

fn rgb(c: Color) -> printpdf::Color {
    printpdf::Color::Rgb(Rgb::new(
        f32::from(c.r) / 255.0,
        f32::from(c.g) / 255.0,
        f32::from(c.b) / 255.0,
        None,
    ))
}

/// Rounds to 1/1000 pt so the content stream does not carry float noise.
fn r(v: f32) -> f32 {
    (v * 1000.0).round() / 1000.0
}

fn page_ops(page: &Page, page_height: f32, ids: &BTreeMap<usize, FontId>) -> Vec<Op> {
    let mut ops = Vec::new();
    // Fills first, then rules, then text, so text is never hidden under a fill.
    for item in &page.items {
        if let Item::Fill(f) = item {
            ops.push(Op::SetFillColor { col: rgb(f.color) });
            ops.push(Op::DrawRectangle {
                rectangle: Rect {
                    x: Pt(r(f.x)),
                    y: Pt(r(page_height - f.y - f.height)),
                    width: Pt(r(f.width)),
                    height: Pt(r(f.height)),
                    mode: Some(PaintMode::Fill),
                    winding_order: None,
                },
            });
        }
    }
    let mut stroke: Option<(Color, f32)> = None;
    for item in &page.items {
        if let Item::Stroke(s) = item {
            if stroke != Some((s.color, s.thickness)) {
                ops.push(Op::SetOutlineColor { col: rgb(s.color) });
                ops.push(Op::SetOutlineThickness {
                    pt: Pt(s.thickness),
                });
                stroke = Some((s.color, s.thickness));
            }
            let point = |x: f32, y: f32| LinePoint {
                p: Point {
                    x: Pt(r(x)),
                    y: Pt(r(page_height - y)),
                },
                bezier: false,
            };
            ops.push(Op::DrawLine {
                line: Line {
                    points: vec![point(s.x1, s.y1), point(s.x2, s.y2)],
                    is_closed: false,
                },
            });
        }
    }
    let mut state = TextState::default();
    for item in &page.items {
        if let Item::Text(line) = item
            && !line.glyphs.is_empty()
        {
            ops.push(Op::StartTextSection);
            text_ops(&mut ops, line, page_height, ids, &mut state);
            ops.push(Op::EndTextSection);
        }
    }
    ops
}

#[derive(Default)]
struct TextState {
    color: Option<Color>,
    font: Option<(usize, u32)>,
}

/// One `Tm` + glyph per character; printpdf merges same-baseline runs into one `TJ`.
fn text_ops(
    ops: &mut Vec<Op>,
    line: &TextLine,
    page_height: f32,
    ids: &BTreeMap<usize, FontId>,
    state: &mut TextState,
) {
    for g in &line.glyphs {
        let Some(id) = ids.get(&g.face) else { continue };
        if state.color != Some(g.color) {
            ops.push(Op::SetFillColor { col: rgb(g.color) });
            state.color = Some(g.color);
        }
        let size_key = (g.size * 1000.0).round() as u32;
        if state.font != Some((g.face, size_key)) {
            ops.push(Op::SetFont {
                font: PdfFontHandle::External(id.clone()),
                size: Pt(g.size),
            });
            state.font = Some((g.face, size_key));
        }
        let y = r(page_height - line.baseline + g.rise);
        ops.push(Op::SetTextMatrix {
            matrix: TextMatrix::Raw([r(g.hscale), 0.0, 0.0, 1.0, r(g.x), y]),
        });
        ops.push(Op::ShowText {
            items: vec![TextItem::GlyphIds(vec![Codepoint {
                gid: g.gid,
                offset: 0.0,
                cid: Some(g.ch.to_string()),
            }])],
        });
    }
    // The font and colour survive ET, but be explicit per text object for robustness.
    state.font = None;
    state.color = None;
}

/// Replaces the random trailer `/ID` strings with a hash of the file (same length, so the
/// cross-reference offsets stay valid).
fn fix_document_id(bytes: &mut [u8]) {
    let Some(trailer) = find_last(bytes, b"trailer") else {
        return;
    };
    let Some(id_at) = find_from(bytes, trailer, b"/ID") else {
        return;
    };
    let mut spans = Vec::new();
    let mut i = id_at;
    while spans.len() < 2 && i < bytes.len() {
        if bytes[i] == b'(' {
            let start = i + 1;
            let Some(len) = bytes[start..].iter().position(|b| *b == b')') else {
                return;
            };
            spans.push((start, start + len));
            i = start + len;
        }
        i += 1;
    }
    for &(a, b) in &spans {
        bytes[a..b].fill(b'0');
    }
    let digest = Sha256::digest(&*bytes);
    let hex: Vec<u8> = digest
        .iter()
        .flat_map(|b| format!("{b:02x}").into_bytes())
        .collect();
    for &(a, b) in &spans {
        for (k, slot) in bytes[a..b].iter_mut().enumerate() {
            *slot = hex[k % hex.len()];
        }
    }
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

fn find_from(haystack: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

#[cfg(test)]
mod tests {
    use super::super::fonts::tests::shipped;
    use super::super::layout::layout;
    use super::super::tests::{meta, notice};
    use super::*;
    use std::io::Read;

    /// The page content streams of a PDF, inflated and split into tokens (the two writers
    /// space their operands differently).
    fn content_streams(pdf: &[u8]) -> Vec<Vec<String>> {
        let mut pages = Vec::new();
        let mut at = 0;
        while let Some(p) = find_from(pdf, at, b"stream\n") {
            let start = p + 7;
            let Some(end) = find_from(pdf, start, b"endstream") else {
                break;
            };
            let mut text = Vec::new();
            let _ = flate2::read::ZlibDecoder::new(&pdf[start..end]).read_to_end(&mut text);
            let page = text.starts_with(b"BT\n") || text.windows(4).any(|w| w == b"\nBT\n");
            if text.is_ascii() && page {
                let text = String::from_utf8_lossy(&text)
                    .replace('<', " <")
                    .replace('[', " [")
                    .replace(']', " ]");
                pages.push(text.split_whitespace().map(str::to_string).collect());
            }
            at = end + 9;
        }
        pages
    }

    #[test]
    fn direct_writer_draws_exactly_what_printpdf_drew() {
        let fonts = shipped();
        let mut doc = notice("市科技局");
        for block in &mut doc.blocks {
            if let super::super::Block::Table(t) = block {
                t.style.header_fill = Some(Color::hex(0xE6E6E6));
            }
        }
        let laid = layout(&doc, &fonts);
        assert!(laid.pages.len() >= 2);
        let direct = write_pdf(&laid, &fonts, &meta());
        let ids = font_ids(&laid, &fonts);
        let via_printpdf = write_with_printpdf(&laid, &fonts, &meta(), &ids);
        assert!(direct != via_printpdf);
        let ours = content_streams(&direct);
        assert_eq!(ours.len(), laid.pages.len());
        assert!(ours.iter().flatten().any(|t| t == "TJ"));
        assert!(
            ours.iter().flatten().any(|t| t == "re"),
            "the shaded header"
        );
        assert_eq!(ours, content_streams(&via_printpdf));
    }
}
