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

mod content;
mod units;

use super::embed::{EmbeddedFont, buffer_size, embed_fonts};
use super::error::WriteError;
use super::sfnt;
use super::zip::ZipOut;
use crate::deflate;
use crate::elements::{Image, Meta};
use crate::fonts::FontSet;
use crate::fonts::face::Outlines;
use crate::layout::{Layout, Page};
use content::page_content;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use units::mm;

/// The OFD namespace.
pub const OFD_NS: &str = "http://www.ofdspec.org/2016";

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
