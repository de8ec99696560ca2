//! The page model → an OFD package (GB/T 33190-2016), beside the PDF writer and fed by the
//! same [`Layout`], so both formats show the same thing.
//!
//! ```text
//! OFD.xml                         DocInfo (title, author, creation date, DocID) → DocRoot
//! Doc_0/Document.xml              page area (the page size, mm), public resources, pages
//! Doc_0/PublicRes.xml             one Font per used face, its file in Doc_0/Res/
//! Doc_0/Res/font_<id>.ttf|.otf    the same glyph subset the PDF embeds, plus cmap and OS/2
//! Doc_0/Res/image_<id>.png        images (MultiMedia resources in PublicRes.xml), as given
//! Doc_0/Pages/Page_<n>/Content.xml one layer: fills, rules (PathObject), text (TextObject),
//!                                 images (ImageObject)
//! ```
//!
//! Coordinates are millimetres from the top-left corner, as the layout's points are from the
//! top. Each run of glyphs on one baseline in one face, size and colour is a TextObject whose
//! TextCode places every glyph where the layout put it (`DeltaX`), so the text lands exactly
//! where the PDF has it. Zip entries come in a fixed order with a fixed timestamp (the
//! document date), and every ID is counted in that order: the same layout, fonts and meta give
//! the same bytes.

use super::embed::{EmbeddedFont, buffer_size, embed_fonts};
use super::error::WriteError;
use super::sfnt;
use super::zip::ZipOut;
use crate::deflate;
use crate::elements::{Color, Image, Meta};
use crate::fonts::FontSet;
use crate::fonts::face::Outlines;
use crate::layout::{Item, Layout, Page, StrokeLine, TextLine};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The OFD namespace.
pub const OFD_NS: &str = "http://www.ofdspec.org/2016";

/// Millimetres per point.
const MM_PER_PT: f32 = 25.4 / 72.0;

/// Serialises a layout into an OFD package with embedded subset fonts.
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
///     creator: String::new(),
///     creator_version: String::new(),
/// };
/// let laid = layout(&doc, &fonts);
/// let ofd = write_ofd(&laid, &fonts, &meta)?;
/// assert!(ofd.starts_with(b"PK"));
/// assert_eq!(ofd, write_ofd(&laid, &fonts, &meta)?); // deterministic
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`WriteError`] when a face the layout uses cannot be subset, or the package cannot be
/// assembled.
pub fn write_ofd(layout: &Layout, fonts: &FontSet, meta: &Meta) -> Result<Vec<u8>, WriteError> {
    write_ofd_with(layout, &embed_fonts(layout, fonts)?, meta)
}

/// [`write_ofd`] with the fonts already cut (shared with the PDF of the same layout).
pub(super) fn write_ofd_with(
    layout: &Layout,
    embedded: &[EmbeddedFont],
    meta: &Meta,
) -> Result<Vec<u8>, WriteError> {
    let mut ids = Ids::default();
    // Fonts first, then pages, then the objects of each page in order.
    let font_ids: BTreeMap<usize, u32> = embedded.iter().map(|f| (f.face, ids.next())).collect();
    // Distinct images (by content) in order of first use, each a MultiMedia resource.
    let mut images: Vec<(&Image, u32)> = Vec::new();
    for placed in layout.pages.iter().flat_map(Page::images) {
        if !images.iter().any(|(i, _)| i.digest == placed.image.digest) {
            images.push((&placed.image, ids.next()));
        }
    }
    let page_ids: Vec<u32> = layout.pages.iter().map(|_| ids.next()).collect();
    let by_face: BTreeMap<usize, &EmbeddedFont> = embedded.iter().map(|f| (f.face, f)).collect();
    let contents: Vec<String> = layout
        .pages
        .iter()
        .map(|page| page_content(page, &by_face, &font_ids, &images, &mut ids))
        .collect();

    // Per face, the characters shown and their glyphs in the subset (first glyph per character
    // wins), for the fonts' cmaps: one pass over the glyphs for all faces.
    let mut shown: BTreeMap<usize, BTreeMap<char, u16>> = BTreeMap::new();
    for g in layout
        .pages
        .iter()
        .flat_map(Page::lines)
        .flat_map(|l| &l.glyphs)
    {
        if let Some(font) = by_face.get(&g.face) {
            shown
                .entry(g.face)
                .or_default()
                .entry(g.ch)
                .or_insert_with(|| font.cid(g.gid));
        }
    }
    let mut font_files = Vec::new();
    let mut res = xml_head("Res");
    res.push_str(" BaseLoc=\"Res\"><ofd:Fonts>");
    for font in embedded {
        let id = font_ids[&font.face];
        let ext = match font.data.outlines() {
            Outlines::TrueType => "ttf",
            Outlines::Cff => "otf",
        };
        let file = format!("font_{id}.{ext}");
        let family = font.data.family_name().unwrap_or(&font.name);
        let _ = write!(
            res,
            "<ofd:Font ID=\"{id}\" FontName=\"{}\" FamilyName=\"{}\"><ofd:FontFile>{file}</ofd:FontFile></ofd:Font>",
            escape(&font.name),
            escape(family)
        );
        let cmap = shown.remove(&font.face).unwrap_or_default();
        font_files.push((format!("Doc_0/Res/{file}"), font_file(font, &cmap)?, font));
    }
    res.push_str("</ofd:Fonts>");
    if !images.is_empty() {
        res.push_str("<ofd:MultiMedias>");
        for (_, id) in &images {
            let _ = write!(
                res,
                "<ofd:MultiMedia ID=\"{id}\" Type=\"Image\" Format=\"PNG\"><ofd:MediaFile>image_{id}.png</ofd:MediaFile></ofd:MultiMedia>"
            );
        }
        res.push_str("</ofd:MultiMedias>");
    }
    res.push_str("</ofd:Res>");

    let (w, h) = (mm(layout.setup.width), mm(layout.setup.height));
    let mut document = xml_head("Document");
    let _ = write!(
        document,
        "><ofd:CommonData><ofd:MaxUnitID>{}</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 {w} {h}</ofd:PhysicalBox></ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData><ofd:Pages>",
        ids.last
    );
    for (i, id) in page_ids.iter().enumerate() {
        let _ = write!(
            document,
            "<ofd:Page ID=\"{id}\" BaseLoc=\"Pages/Page_{i}/Content.xml\"/>"
        );
    }
    document.push_str("</ofd:Pages></ofd:Document>");

    let mut hasher = Sha256::new();
    for part in contents.iter().chain([&res, &document]) {
        hasher.update(part.as_bytes());
    }
    for field in [&meta.title, &meta.author, &meta.subject] {
        hasher.update(field.as_bytes());
        hasher.update([0]);
    }
    hasher.update(meta.date.to_string().as_bytes());
    let doc_id: String = hasher.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut ofd = xml_head("OFD");
    let _ = write!(
        ofd,
        " Version=\"1.0\" DocType=\"OFD\"><ofd:DocBody><ofd:DocInfo><ofd:DocID>{doc_id}</ofd:DocID><ofd:Title>{}</ofd:Title><ofd:Author>{}</ofd:Author>",
        escape(&meta.title),
        escape(&meta.author)
    );
    if !meta.subject.is_empty() {
        let _ = write!(ofd, "<ofd:Subject>{}</ofd:Subject>", escape(&meta.subject));
    }
    let _ = write!(
        ofd,
        "<ofd:CreationDate>{}</ofd:CreationDate><ofd:ModDate>{}</ofd:ModDate>",
        meta.date.format("%Y-%m-%d"),
        meta.date.format("%Y-%m-%d"),
    );
    if !meta.creator.is_empty() {
        let _ = write!(ofd, "<ofd:Creator>{}</ofd:Creator>", escape(&meta.creator));
    }
    if !meta.creator_version.is_empty() {
        let _ = write!(
            ofd,
            "<ofd:CreatorVersion>{}</ofd:CreatorVersion>",
            escape(&meta.creator_version)
        );
    }
    ofd.push_str(
        "</ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
    );

    let mut zip = ZipOut::new(meta.date, buffer_size(embedded));
    let failed = || WriteError::Package {
        reason: "压缩失败".into(),
    };
    zip.add("OFD.xml", ofd.as_bytes()).ok_or_else(failed)?;
    zip.add("Doc_0/Document.xml", document.as_bytes())
        .ok_or_else(failed)?;
    zip.add("Doc_0/PublicRes.xml", res.as_bytes())
        .ok_or_else(failed)?;
    for (name, built, font) in &font_files {
        let program = &font.cut.subset.program;
        match &font.cut.packed {
            // The program's compression is the PDF's; only directory and added tables are new.
            Some(packed) => {
                let head = [&built.directory[..], &built.added].concat();
                let head = deflate::raw_flushed_quick(&head).ok_or_else(failed)?;
                zip.add_compressed(name, &[&head, packed.raw()], built.crc, built.size)
            }
            None => {
                let whole = [&built.directory[..], &built.added, program].concat();
                zip.add(name, &whole)
            }
        }
        .ok_or_else(failed)?;
    }
    for (image, id) in &images {
        // PNG data is compressed already.
        zip.add_stored(&format!("Doc_0/Res/image_{id}.png"), &image.png)
            .ok_or_else(failed)?;
    }
    for (i, content) in contents.iter().enumerate() {
        zip.add(
            &format!("Doc_0/Pages/Page_{i}/Content.xml"),
            content.as_bytes(),
        )
        .ok_or_else(failed)?;
    }
    zip.finish().ok_or_else(failed)
}

/// IDs in order of first use, from 1.
#[derive(Default)]
struct Ids {
    last: u32,
}

impl Ids {
    fn next(&mut self) -> u32 {
        self.last += 1;
        self.last
    }
}

/// `<?xml …?><ofd:NAME xmlns:ofd="…"` (the caller closes the start tag).
fn xml_head(name: &str) -> String {
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ofd:{name} xmlns:ofd=\"{OFD_NS}\"")
}

/// The face's subset as a file a reader can map characters through: the PDF's font program
/// plus a cmap of `shown` (character → glyph in the subset) and the face's OS/2.
fn font_file(
    font: &EmbeddedFont,
    shown: &BTreeMap<char, u16>,
) -> Result<sfnt::OfdFont, WriteError> {
    let mut extra = vec![(*b"cmap", sfnt::cmap(shown))];
    if let Some(os2) = font.data.raw_table(b"OS/2") {
        extra.push((*b"OS/2", os2.to_vec()));
    }
    let subset = &font.cut.subset;
    sfnt::ofd_font(&subset.program, subset.sfnt.as_deref(), extra).ok_or_else(|| {
        WriteError::Subset {
            face: font.name.clone(),
        }
    })
}

/// Points shown as millimetres: at most three decimals, no trailing zeros.
#[derive(Debug, Clone, Copy)]
struct Mm(f32);

impl std::fmt::Display for Mm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        Milli::of(self.0 * MM_PER_PT).fmt(f)
    }
}

fn mm(pt: f32) -> Mm {
    Mm(pt)
}

/// A number in thousandths, shown with at most three decimals and no trailing zeros (written
/// straight into the output: the content of a page has thousands of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Milli(i64);

impl Milli {
    fn of(v: f32) -> Milli {
        Milli((f64::from(v) * 1000.0).round() as i64)
    }
}

impl std::fmt::Display for Milli {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Digits into a stack buffer, right to left: `-`, the integer part, `.`, up to three
        // decimals without trailing zeros.
        let mut buf = [0u8; 24];
        let mut at = buf.len();
        let a = self.0.unsigned_abs();
        let mut frac = a % 1000;
        if frac != 0 {
            let mut digits = 3;
            while frac.is_multiple_of(10) {
                frac /= 10;
                digits -= 1;
            }
            for _ in 0..digits {
                at -= 1;
                buf[at] = b'0' + (frac % 10) as u8;
                frac /= 10;
            }
            at -= 1;
            buf[at] = b'.';
        }
        let mut int = a / 1000;
        loop {
            at -= 1;
            buf[at] = b'0' + (int % 10) as u8;
            int /= 10;
            if int == 0 {
                break;
            }
        }
        if self.0 < 0 {
            at -= 1;
            buf[at] = b'-';
        }
        f.write_str(std::str::from_utf8(&buf[at..]).map_err(|_| std::fmt::Error)?)
    }
}

fn num(v: f32) -> Milli {
    Milli::of(v)
}

fn color(c: Color) -> String {
    format!("{} {} {}", c.r, c.g, c.b)
}

/// XML text and attribute escaping; characters XML 1.0 cannot hold are dropped.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_escaped(&mut out, s);
    out
}

fn push_escaped(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
}

/// One page's Content.xml: one layer with fills, then rules, then text (text on top, as in
/// the PDF).
fn page_content(
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

/// `DeltaX` with repeats written as `g N value` (GB/T 33190 §11.3).
fn compress(out: &mut String, deltas: &[Milli]) {
    let mut i = 0;
    while i < deltas.len() {
        let mut j = i + 1;
        while j < deltas.len() && deltas[j] == deltas[i] {
            j += 1;
        }
        if i > 0 {
            out.push(' ');
        }
        if j - i > 1 {
            let _ = write!(out, "g {} {}", j - i, deltas[i]);
        } else {
            let _ = write!(out, "{}", deltas[i]);
        }
        i = j;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_deltas() {
        assert_eq!(num(1.0).to_string(), "1");
        assert_eq!(num(0.35278).to_string(), "0.353");
        assert_eq!(num(0.05).to_string(), "0.05");
        assert_eq!(num(-0.0001).to_string(), "0");
        assert_eq!(num(-2.5).to_string(), "-2.5");
        assert_eq!(num(12.007).to_string(), "12.007");
        assert_eq!(mm(595.276).to_string(), "210");
        let d: Vec<Milli> = [5.6, 5.6, 5.6, 2.0, 5.6].map(num).to_vec();
        let mut out = String::new();
        compress(&mut out, &d);
        assert_eq!(out, "g 3 5.6 2 5.6");
    }
}
