//! The page model → PDF bytes, written directly: a catalog, one content stream per page, and
//! per used face a Type 0 / CIDFontType2 font (Identity-H, `/W` widths, `/ToUnicode`) whose
//! program is a subset cut by [`super::sfnt`].
//!
//! This is the fast path of [`super::write_pdf`] for TrueType faces. The content stream is
//! the one printpdf 0.12 wrote for the same layout (glyphs of one baseline merged into a
//! single `TJ` whose kerns reproduce each glyph's absolute position against the `/W`
//! integers), so pages look the same; streams are deflated at a fast level. Everything
//! written is a function of the layout, the fonts and [`Meta`]: no clock, no counters, and the
//! trailer `/ID` is a hash of the file (font programs aside: their subset tags stand for them).

use super::content::{Color, Meta, PT_PER_MM};
use super::fonts::FontSet;
use super::layout::{Item, Layout, Page, TextLine};
use super::sfnt::{Cut, Sfnt};
use sha2::{Digest, Sha256};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::Arc;

/// Deflate level for every stream. Measured on a 169 KB font subset: level 2 takes 70 % of
/// level 6's time for a 4 % larger result (printpdf's lopdf used a slow level); level 1
/// would halve the time again but make the files about 15 % larger.
const DEFLATE_LEVEL: u32 = 2;

/// One embedded face: its resource name (= subset tag), the cut font, and per original glyph
/// id the character it stands for (first use wins) for `/ToUnicode`.
struct EmbeddedFont<'a> {
    face: usize,
    tag: String,
    sfnt: &'a Sfnt,
    name: String,
    cut: Arc<Cut>,
    chars: BTreeMap<u16, char>,
}

/// Writes `layout` as a PDF. `None` when a used face cannot be subset here (no TrueType
/// outlines); the caller then takes the printpdf path.
pub(crate) fn emit_pdf(
    layout: &Layout,
    fonts: &FontSet,
    meta: &Meta,
    tags: &BTreeMap<usize, String>,
) -> Option<Vec<u8>> {
    let embedded = embed_fonts(layout, fonts, tags)?;
    let mut pdf = PdfFile::new();

    // Object numbers: 1 catalog, 2 page tree, 3 info, 4 resources, then five per font
    // (Type0, CIDFont, descriptor, program, ToUnicode), then two per page.
    let font_base = 5;
    let page_base = font_base + 5 * embedded.len();
    let page_count = layout.pages.len();
    let kids: String = (0..page_count)
        .map(|i| format!("{} 0 R", page_base + 2 * i))
        .collect::<Vec<_>>()
        .join(" ");

    pdf.object(
        1,
        b"<< /Type /Catalog /Pages 2 0 R /PageLayout /OneColumn /PageMode /UseNone >>",
    );
    pdf.object(
        2,
        format!("<< /Type /Pages /Kids [{kids}] /Count {page_count} >>").as_bytes(),
    );
    pdf.object(3, info_dict(meta).as_bytes());
    let font_refs: String = embedded
        .iter()
        .enumerate()
        .map(|(i, f)| format!("/{} {} 0 R", f.tag, font_base + 5 * i))
        .collect::<Vec<_>>()
        .join(" ");
    pdf.object(4, format!("<< /Font << {font_refs} >> >>").as_bytes());
    for (i, font) in embedded.iter().enumerate() {
        write_font(&mut pdf, font_base + 5 * i, font);
    }

    // The page box as printpdf computed it (via millimetres), to the last bit.
    let page_dim = |v: f32| (v / PT_PER_MM) * 2.834_646_f32;
    let width = page_dim(layout.setup.width);
    let height = page_dim(layout.setup.height);
    let by_face: BTreeMap<usize, &EmbeddedFont> = embedded.iter().map(|f| (f.face, f)).collect();
    for (i, page) in layout.pages.iter().enumerate() {
        let id = page_base + 2 * i;
        pdf.object(
            id,
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {} {}] /Resources 4 0 R /Contents {} 0 R >>",
                num(width),
                num(height),
                id + 1
            )
            .as_bytes(),
        );
        let content = page_content(page, layout.setup.height, &by_face);
        pdf.stream(id + 1, "", &content, true);
    }
    Some(pdf.finish())
}

/// Cuts a subset of every used face; `None` if one of them has no `glyf` outlines.
fn embed_fonts<'a>(
    layout: &Layout,
    fonts: &'a FontSet,
    tags: &BTreeMap<usize, String>,
) -> Option<Vec<EmbeddedFont<'a>>> {
    let mut chars: BTreeMap<usize, BTreeMap<u16, char>> = BTreeMap::new();
    for line in layout.pages.iter().flat_map(Page::lines) {
        for g in &line.glyphs {
            chars
                .entry(g.face)
                .or_default()
                .entry(g.gid)
                .or_insert(g.ch);
        }
    }
    tags.iter()
        .map(|(face, tag)| {
            let sfnt = fonts.sfnt(*face)?;
            let chars = chars.remove(face).unwrap_or_default();
            let used: BTreeSet<u16> = chars.keys().copied().collect();
            let cut = fonts.cut(*face, &used, || {
                let subset = sfnt.subset(&used)?;
                let deflated = deflate(&subset.bytes);
                Some(Cut { subset, deflated })
            })?;
            Some(EmbeddedFont {
                face: *face,
                tag: tag.clone(),
                sfnt,
                name: pdf_name(&postscript_name(fonts, sfnt, *face)),
                cut,
                chars,
            })
        })
        .collect()
}

/// The face's PostScript name (`NotoSerifSC-Regular`), else its file name's stem.
fn postscript_name(fonts: &FontSet, sfnt: &Sfnt, face: usize) -> String {
    if let Some(name) = sfnt.postscript_name() {
        return name;
    }
    let file = fonts.face_name(face);
    let stem = file
        .rsplit_once('.')
        .map_or(file.as_str(), |(stem, _)| stem)
        .to_string();
    if stem.is_empty() {
        format!("Face{face}")
    } else {
        stem
    }
}

/// A PDF name token's characters: printable ASCII except delimiters, others `#xx`.
fn pdf_name(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_graphic() && !b"()<>[]{}/%#".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "#{b:02X}");
        }
    }
    out
}

fn write_font(pdf: &mut PdfFile, id: usize, font: &EmbeddedFont) {
    let base = format!("{}+{}", font.tag, font.name);
    let m = font.sfnt.metrics();
    pdf.object(
        id,
        format!(
            "<< /Type /Font /Subtype /Type0 /BaseFont /{base} /Encoding /Identity-H /DescendantFonts [{} 0 R] /ToUnicode {} 0 R >>",
            id + 1,
            id + 4
        )
        .as_bytes(),
    );
    pdf.object(
        id + 1,
        format!(
            "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{base} /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor {} 0 R /CIDToGIDMap /Identity /DW 1000 /W {} >>",
            id + 2,
            widths(font)
        )
        .as_bytes(),
    );
    pdf.object(
        id + 2,
        format!(
            "<< /Type /FontDescriptor /FontName /{base} /Flags 32 /FontBBox [{} {} {} {}] /ItalicAngle 0 /Ascent {} /Descent {} /CapHeight {} /StemV {} /FontFile2 {} 0 R >>",
            m.bbox[0], m.bbox[1], m.bbox[2], m.bbox[3], m.ascent, m.descent, m.ascent, m.stem_v,
            id + 3
        )
        .as_bytes(),
    );
    let program = &font.cut.subset.bytes;
    pdf.stream_deflated(
        id + 3,
        &format!("/Length1 {} ", program.len()),
        program,
        font.cut.deflated.as_deref(),
        false,
    );
    pdf.stream(id + 4, "", to_unicode(font).as_bytes(), true);
}

/// `/W` in runs of consecutive codes: `[c [w w …] c [w …]]`, widths of the original face.
fn widths(font: &EmbeddedFont) -> String {
    let mut coded: Vec<(u16, i64)> = font
        .chars
        .keys()
        .filter_map(|gid| {
            let code = *font.cut.subset.new_ids.get(gid)?;
            Some((code, font.sfnt.pdf_width(*gid)))
        })
        .collect();
    coded.sort_unstable();
    let mut out = String::from("[");
    let mut prev: Option<u16> = None;
    for (code, w) in coded {
        if prev.is_some_and(|p| p + 1 == code) {
            let _ = write!(out, " {w}");
        } else {
            if prev.is_some() {
                out.push(']');
            }
            let _ = write!(out, " {code} [{w}");
        }
        prev = Some(code);
    }
    if prev.is_some() {
        out.push(']');
    }
    out.push_str(" ]");
    out
}

/// The `/ToUnicode` CMap: code → the character the glyph stands for.
fn to_unicode(font: &EmbeddedFont) -> String {
    let mut pairs: Vec<(u16, char)> = font
        .chars
        .iter()
        .filter_map(|(gid, ch)| Some((*font.cut.subset.new_ids.get(gid)?, *ch)))
        .collect();
    pairs.sort_unstable();
    let mut out = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    for chunk in pairs.chunks(100) {
        let _ = writeln!(out, "{} beginbfchar", chunk.len());
        for (code, ch) in chunk {
            let _ = write!(out, "<{code:04X}> <");
            let mut units = [0u16; 2];
            for unit in ch.encode_utf16(&mut units).iter() {
                let _ = write!(out, "{unit:04X}");
            }
            out.push_str(">\n");
        }
        out.push_str("endbfchar\n");
    }
    out.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    out
}

fn info_dict(meta: &Meta) -> String {
    let date = format!("D:{}000000+00'00'", meta.date.format("%Y%m%d"));
    format!(
        "<< /Title {} /Author {} /Subject {} /Creator {} /Producer {} /CreationDate ({date}) /ModDate ({date}) >>",
        text_string(&meta.title),
        text_string(&meta.author),
        text_string(&meta.subject),
        text_string("duban"),
        text_string("duban"),
    )
}

/// A PDF text string in UTF-16BE with byte-order mark, as a hex string.
fn text_string(s: &str) -> String {
    let mut out = String::from("<FEFF");
    for unit in s.encode_utf16() {
        let _ = write!(out, "{unit:04X}");
    }
    out.push('>');
    out
}

/// A number as printpdf 0.12 (through lopdf) wrote it: the shortest decimal that reads back
/// as the same `f32`. Writing the very numbers printpdf wrote keeps every glyph on the same
/// device pixel as before (a rasteriser snaps positions, so even 10⁻⁵ pt can move a glyph).
fn num(v: f32) -> Num {
    Num(v)
}

/// A number written as [`num`] describes, without allocating.
struct Num(f32);

impl std::fmt::Display for Num {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.is_finite() {
            write!(f, "{}", self.0)
        } else {
            f.write_str("0")
        }
    }
}

/// A colour's three components (0–1) as printpdf wrote them.
fn rgb(c: Color) -> impl std::fmt::Display {
    let part = |v: u8| num(f32::from(v) / 255.0);
    RgbText([part(c.r), part(c.g), part(c.b)])
}

struct RgbText([Num; 3]);

impl std::fmt::Display for RgbText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} {}", self.0[0], self.0[1], self.0[2])
    }
}

/// Rounds to 1/1000 pt, as the printpdf path did, so positions are the same.
fn r(v: f32) -> f32 {
    (v * 1000.0).round() / 1000.0
}

/// Fills, then rules, then text (text is never hidden under a fill).
fn page_content(page: &Page, page_height: f32, fonts: &BTreeMap<usize, &EmbeddedFont>) -> Vec<u8> {
    let mut out = String::with_capacity(16 * 1024);
    for item in &page.items {
        if let Item::Fill(f) = item {
            let _ = writeln!(
                out,
                "{} rg\n{} {} {} {} re\nf",
                rgb(f.color),
                num(r(f.x)),
                num(r(page_height - f.y - f.height)),
                num(r(f.width)),
                num(r(f.height))
            );
        }
    }
    let mut stroke: Option<(Color, f32)> = None;
    for item in &page.items {
        if let Item::Stroke(s) = item {
            if stroke != Some((s.color, s.thickness)) {
                let _ = writeln!(out, "{} RG\n{} w", rgb(s.color), num(s.thickness));
                stroke = Some((s.color, s.thickness));
            }
            let _ = writeln!(
                out,
                "{} {} m\n{} {} l\nS",
                num(r(s.x1)),
                num(r(page_height - s.y1)),
                num(r(s.x2)),
                num(r(page_height - s.y2))
            );
        }
    }
    for item in &page.items {
        if let Item::Text(line) = item
            && !line.glyphs.is_empty()
        {
            out.push_str("BT\n");
            text_line(&mut out, line, page_height, fonts);
            out.push_str("ET\n");
        }
    }
    out.into_bytes()
}

/// A run of glyphs on one baseline in one font, shown by one `TJ`.
struct Run {
    x: f64,
    y: f32,
    size: f64,
    /// Where the reader's pen is, relative to `x`, in 1/1000 em.
    pen: f64,
    items: String,
}

impl Run {
    fn flush(run: &mut Option<Run>, out: &mut String) {
        if let Some(run) = run.take() {
            let _ = writeln!(
                out,
                "1 0 0 1 {} {} Tm\n[{}] TJ",
                num(run.x as f32),
                num(run.y),
                run.items
            );
        }
    }
}

fn text_line(
    out: &mut String,
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
        let code = embedded
            .cut
            .subset
            .new_ids
            .get(&g.gid)
            .copied()
            .unwrap_or(0);
        if color != Some(g.color) {
            Run::flush(&mut run, out);
            let _ = writeln!(out, "{} rg", rgb(g.color));
            color = Some(g.color);
        }
        let size_key = (g.size * 1000.0).round() as u32;
        if font != Some((g.face, size_key)) {
            Run::flush(&mut run, out);
            let _ = writeln!(out, "/{} {} Tf", embedded.tag, num(g.size));
            font = Some((g.face, size_key));
        }
        let x = r(g.x);
        let y = r(page_height - line.baseline + g.rise);
        let hscale = r(g.hscale);
        if hscale != 1.0 || g.size <= 0.0 {
            Run::flush(&mut run, out);
            let _ = writeln!(
                out,
                "{} 0 0 1 {} {} Tm\n[<{code:04X}>] TJ",
                num(hscale),
                num(x),
                num(y)
            );
            continue;
        }
        match run.as_mut() {
            Some(open) if open.y == y => {
                // A kern moves the pen from where the last glyph left it to this x.
                // Computed exactly as printpdf did (f64, then f32), for the same output.
                let dx_em = (f64::from(x) - open.x) * 1000.0 / open.size;
                let kern = (open.pen - dx_em) as f32;
                if kern != 0.0 {
                    let _ = write!(open.items, " {} ", num(kern));
                    open.pen -= f64::from(kern);
                }
            }
            _ => {
                Run::flush(&mut run, out);
                run = Some(Run {
                    x: f64::from(x),
                    y,
                    size: f64::from(g.size),
                    pen: 0.0,
                    items: String::new(),
                });
            }
        }
        if let Some(open) = run.as_mut() {
            let _ = write!(open.items, "<{code:04X}>");
            open.pen += embedded.sfnt.pdf_width(g.gid) as f64;
        }
    }
    Run::flush(&mut run, out);
}

/// A PDF file being written: objects in order of their numbers, then xref and trailer.
struct PdfFile {
    bytes: Vec<u8>,
    offsets: Vec<usize>,
    /// Byte ranges left out of the document ID hash.
    unhashed: Vec<std::ops::Range<usize>>,
}

impl PdfFile {
    fn new() -> PdfFile {
        PdfFile {
            bytes: b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec(),
            offsets: Vec::new(),
            unhashed: Vec::new(),
        }
    }

    fn begin(&mut self, id: usize) {
        debug_assert_eq!(id, self.offsets.len() + 1, "objects in order");
        self.offsets.push(self.bytes.len());
        let _ = writeln!(self.bytes, "{id} 0 obj");
    }

    fn object(&mut self, id: usize, body: &[u8]) {
        self.begin(id);
        self.bytes.extend_from_slice(body);
        self.bytes.extend_from_slice(b"\nendobj\n");
    }

    /// A deflated stream; `extra` holds further dictionary entries (with a trailing space).
    /// `hashed`: whether the data counts for the document ID (font programs need not: their
    /// subset tag, which is hashed, already names the glyphs they hold).
    fn stream(&mut self, id: usize, extra: &str, data: &[u8], hashed: bool) {
        let packed = deflate(data);
        self.stream_deflated(id, extra, data, packed.as_deref(), hashed);
    }

    /// A stream whose data was deflated already (`packed`; `None`: write `data` as it is).
    fn stream_deflated(
        &mut self,
        id: usize,
        extra: &str,
        data: &[u8],
        packed: Option<&[u8]>,
        hashed: bool,
    ) {
        self.begin(id);
        let filter = if packed.is_some() {
            "/Filter /FlateDecode "
        } else {
            ""
        };
        let body = packed.unwrap_or(data);
        let _ = write!(
            self.bytes,
            "<< {extra}{filter}/Length {} >>\nstream\n",
            body.len()
        );
        let start = self.bytes.len();
        self.bytes.extend_from_slice(body);
        if !hashed {
            self.unhashed.push(start..self.bytes.len());
        }
        self.bytes.extend_from_slice(b"\nendstream\nendobj\n");
    }

    /// Appends the cross-reference table and the trailer. The `/ID` is a hash of the file.
    fn finish(mut self) -> Vec<u8> {
        let mut hasher = Sha256::new();
        let mut at = 0;
        for skip in &self.unhashed {
            hasher.update(&self.bytes[at..skip.start]);
            at = skip.end;
        }
        hasher.update(&self.bytes[at..]);
        let id = hex(&hasher.finalize()[..16]);
        let xref = self.bytes.len();
        let _ = write!(
            self.bytes,
            "xref\n0 {}\n0000000000 65535 f \n",
            self.offsets.len() + 1
        );
        for offset in &self.offsets {
            let _ = writeln!(self.bytes, "{offset:010} 00000 n ");
        }
        let _ = write!(
            self.bytes,
            "trailer\n<< /Size {} /Root 1 0 R /Info 3 0 R /ID [<{id}> <{id}>] >>\nstartxref\n{xref}\n%%EOF\n",
            self.offsets.len() + 1
        );
        self.bytes
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Deflates `data` (zlib format). One compressor per thread, reset between streams: setting
/// one up costs more than deflating a page's content stream. A reset compressor is in its
/// initial state, so the output does not depend on what the thread deflated before.
fn deflate(data: &[u8]) -> Option<Vec<u8>> {
    use flate2::{Compress, Compression, FlushCompress, Status};
    thread_local! {
        static DEFLATER: RefCell<Compress> =
            RefCell::new(Compress::new(Compression::new(DEFLATE_LEVEL), true));
    }
    DEFLATER.with(|cell| {
        let mut z = cell.try_borrow_mut().ok()?;
        z.reset();
        let mut out = Vec::with_capacity(data.len() / 2 + 64);
        loop {
            let read = usize::try_from(z.total_in()).ok()?;
            let status = z
                .compress_vec(data.get(read..)?, &mut out, FlushCompress::Finish)
                .ok()?;
            if status == Status::StreamEnd {
                return Some(out);
            }
            out.reserve(out.capacity().max(1024));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_as_printpdf_wrote_them() {
        assert_eq!(num(12.0).to_string(), "12");
        assert_eq!(num(10.5).to_string(), "10.5");
        assert_eq!(num(8.61).to_string(), "8.61");
        assert_eq!(num(79.37).to_string(), "79.37");
        assert_eq!(num(2.091_837_8e-11).to_string(), "0.000000000020918378");
        assert_eq!(num(f32::NAN).to_string(), "0");
        assert_eq!(
            rgb(Color::hex(0xE60012)).to_string(),
            "0.9019608 0 0.07058824"
        );
    }

    #[test]
    fn text_strings_and_names_are_escaped() {
        assert_eq!(text_string("督A"), "<FEFF7763 0041>".replace(' ', ""));
        assert_eq!(pdf_name("Noto Serif(SC)"), "Noto#20Serif#28SC#29");
    }
}
