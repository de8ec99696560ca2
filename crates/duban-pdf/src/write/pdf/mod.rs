//! The page model → PDF bytes, written with `pdf-writer`, byte-identical for the same input.
//!
//! Per used face a Type 0 font (Identity-H, `/W` widths, `/ToUnicode`) over a CID font whose
//! program is the face's subset from `subsetter` ([`crate::fonts::face`]): CIDFontType2 with a
//! TrueType program for `glyf` faces, CIDFontType0 with a bare CFF program for CFF faces. The
//! subset keeps glyph ids in their old order, so the CID of a glyph is its new glyph id.
//!
//! Glyphs of one baseline and font are shown by one `TJ` whose adjustments put every glyph at
//! its laid-out position against the `/W` widths. Everything written is a function of the
//! layout, the fonts and [`Meta`]: no clock, no counters. Resource names — which are also the
//! `ABCDEF+` subset tags — come from a hash of the face and the glyphs it draws, and the
//! trailer `/ID` is a hash of the page contents, the fonts' tags and the metadata.

mod content;
mod font;
mod images;

use super::embed::{EmbeddedFont, buffer_size, embed_fonts};
use super::error::WriteError;
use super::sign::SignatureField;
use crate::deflate;
use crate::elements::Meta;
use crate::fonts::FontSet;
use crate::layout::Layout;
use content::page_content;
use font::write_font;
use images::ImageRefs;
use pdf_writer::types::SigFlags;
use pdf_writer::{Filter, Finish, Name, Pdf, Rect, Ref, TextStr};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

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
///     creator: String::new(),
///     creator_version: String::new(),
/// };
/// let pdf = write_pdf(&layout(&doc, &fonts), &fonts, &meta)?;
/// assert!(pdf.starts_with(b"%PDF-"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`WriteError`] when a face the layout uses cannot be subset (a damaged font table): the
/// document is not written rather than written without that face's text.
pub fn write_pdf(layout: &Layout, fonts: &FontSet, meta: &Meta) -> Result<Vec<u8>, WriteError> {
    write_pdf_with(layout, &embed_fonts(layout, fonts)?, meta, None)
}

pub(super) fn write_pdf_with(
    layout: &Layout,
    embedded: &[EmbeddedFont],
    meta: &Meta,
    field: Option<&SignatureField>,
) -> Result<Vec<u8>, WriteError> {
    // sized up front, so the buffer is not grown (and copied) again and again
    let mut pdf = Pdf::with_capacity(buffer_size(embedded));
    let mut next = Ref::new(1);
    let mut alloc = || next.bump();
    let catalog = alloc();
    let tree = alloc();
    let info = alloc();
    let font_refs: Vec<Ref> = embedded.iter().map(|_| alloc()).collect();
    let pages: Vec<(Ref, Ref)> = layout.pages.iter().map(|_| (alloc(), alloc())).collect();
    let images = ImageRefs::collect(layout, field, &mut alloc);
    // The signature's objects: the field (also its widget), the signature dictionary, the
    // widget's appearance.
    let sig_refs = field.map(|_| (alloc(), alloc(), alloc()));

    let mut cat = pdf.catalog(catalog);
    cat.pages(tree);
    if let Some((field_ref, _, _)) = sig_refs {
        cat.form()
            .fields([field_ref])
            .sig_flags(SigFlags::SIGNATURES_EXIST | SigFlags::APPEND_ONLY);
    }
    cat.finish();
    pdf.pages(tree)
        .kids(pages.iter().map(|(page, _)| *page))
        .count(pages.len() as i32);

    let by_face: BTreeMap<usize, &EmbeddedFont> = embedded.iter().map(|f| (f.face, f)).collect();
    let mut id_hash = Sha256::new();
    let media = Rect::new(0.0, 0.0, layout.setup.width, layout.setup.height);
    for (index, (page, (page_ref, content_ref))) in layout.pages.iter().zip(&pages).enumerate() {
        let skip = field.filter(|f| f.page == index);
        let content = page_content(page, layout.setup.height, &by_face, &images, skip);
        id_hash.update(&content);
        let packed = deflate::zlib(&content);
        let mut p = pdf.page(*page_ref);
        p.parent(tree).media_box(media).contents(*content_ref);
        if let (Some(_), Some((field_ref, _, _))) = (skip, sig_refs) {
            p.annotations([field_ref]);
        }
        let mut resources = p.resources();
        let mut dict = resources.fonts();
        for (font, font_ref) in embedded.iter().zip(&font_refs) {
            dict.pair(Name(font.tag.as_bytes()), *font_ref);
        }
        dict.finish();
        let used = images.on_page(page, skip);
        if !used.is_empty() {
            let mut x = resources.x_objects();
            for (name, image_ref) in used {
                x.pair(Name(name.as_bytes()), image_ref);
            }
        }
        resources.finish();
        p.finish();
        match &packed {
            Some(data) => {
                pdf.stream(*content_ref, data).filter(Filter::FlateDecode);
            }
            None => {
                pdf.stream(*content_ref, &content);
            }
        }
    }
    for (font, font_ref) in embedded.iter().zip(&font_refs) {
        id_hash.update(font.tag.as_bytes());
        write_font(&mut pdf, *font_ref, &mut alloc, font);
    }
    images.write(&mut pdf, &mut id_hash);

    let date = crate::write::pdf_date(meta.date);
    let mut info = pdf.document_info(info);
    info.title(TextStr(&meta.title))
        .author(TextStr(&meta.author))
        .subject(TextStr(&meta.subject));
    if !meta.creator.is_empty() {
        info.creator(TextStr(&meta.creator))
            .producer(TextStr(&meta.creator));
    }
    info.creation_date(date).modified_date(date);
    drop(info);
    for field in [&meta.title, &meta.author, &meta.subject] {
        id_hash.update(field.as_bytes());
        id_hash.update([0]);
    }
    id_hash.update(meta.date.to_string().as_bytes());
    if let (Some(field), Some((field_ref, sig_ref, ap_ref))) = (field, sig_refs) {
        let (page_ref, _) = pages[field.page];
        super::sign::write_field(
            &mut pdf,
            field,
            [field_ref, sig_ref, ap_ref, page_ref],
            images.entry_of(field.appearance.as_deref()),
            layout.setup.height,
        );
        id_hash.update(field.name.as_bytes());
    }
    let id = id_hash.finalize()[..16].to_vec();
    pdf.set_file_id((id.clone(), id));
    Ok(pdf.finish())
}
