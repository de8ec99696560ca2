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

use super::embed::{EmbeddedFont, buffer_size, embed_fonts};
use super::error::WriteError;
use super::sign::SignatureField;
use crate::deflate::{self, Packed};
use crate::elements::{Color, Image, Meta};
use crate::fonts::FontSet;
use crate::fonts::face::Outlines;
use crate::layout::{Item, Layout, Page, TextLine};
use chrono::Datelike as _;
use pdf_writer::types::{CidFontType, FontFlags, SigFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Date, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
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

    let date = Date::new(meta.date.year_ce().1 as u16)
        .month(meta.date.month() as u8)
        .day(meta.date.day() as u8)
        .hour(0)
        .minute(0)
        .second(0)
        .utc_offset_hour(0)
        .utc_offset_minute(0);
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

fn write_font(pdf: &mut Pdf, type0: Ref, alloc: &mut impl FnMut() -> Ref, font: &EmbeddedFont) {
    let cid_ref = alloc();
    let descriptor = alloc();
    let program_ref = alloc();
    let cmap_ref = alloc();
    let base = format!("{}+{}", font.tag, font.name);
    let base = Name(base.as_bytes());
    let system_info = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };

    pdf.type0_font(type0)
        .base_font(base)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid_ref)
        .to_unicode(cmap_ref);

    let mut cid = pdf.cid_font(cid_ref);
    cid.subtype(match font.data.outlines() {
        Outlines::TrueType => CidFontType::Type2,
        Outlines::Cff => CidFontType::Type0,
    })
    .base_font(base)
    .system_info(system_info)
    .font_descriptor(descriptor)
    .default_width(1000.0);
    if font.data.outlines() == Outlines::TrueType {
        cid.cid_to_gid_map_predefined(Name(b"Identity"));
    }
    let mut coded: Vec<(u16, f32)> = font
        .chars
        .keys()
        .map(|gid| (font.cid(*gid), font.data.pdf_width(*gid)))
        .collect();
    coded.sort_by_key(|(cid, _)| *cid);
    let mut widths = cid.widths();
    let mut i = 0;
    while i < coded.len() {
        let start = i;
        while i + 1 < coded.len() && coded[i + 1].0 == coded[i].0 + 1 {
            i += 1;
        }
        widths.consecutive(coded[start].0, coded[start..=i].iter().map(|(_, w)| *w));
        i += 1;
    }
    widths.finish();
    cid.finish();

    let m = font.data.metrics();
    let mut d = pdf.font_descriptor(descriptor);
    d.name(base)
        .flags(FontFlags::SYMBOLIC)
        .bbox(Rect::new(m.bbox[0], m.bbox[1], m.bbox[2], m.bbox[3]))
        .italic_angle(0.0)
        .ascent(m.ascent)
        .descent(m.descent)
        .cap_height(m.cap_height)
        .stem_v(m.stem_v);
    match font.data.outlines() {
        Outlines::TrueType => d.font_file2(program_ref),
        Outlines::Cff => d.font_file3(program_ref),
    };
    d.finish();

    let program = &font.cut.subset.program;
    let packed = font.cut.packed.as_ref().map(Packed::zlib);
    let mut stream = match packed {
        Some(packed) => {
            let mut s = pdf.stream(program_ref, packed);
            s.filter(Filter::FlateDecode);
            s
        }
        None => pdf.stream(program_ref, program),
    };
    match font.data.outlines() {
        Outlines::TrueType => {
            stream.pair(Name(b"Length1"), program.len() as i32);
        }
        Outlines::Cff => {
            stream.pair(Name(b"Subtype"), Name(b"CIDFontType0C"));
        }
    }
    stream.finish();

    let mut cmap = UnicodeCmap::new(
        Name(b"Adobe-Identity-UCS"),
        SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"UCS"),
            supplement: 0,
        },
    );
    let mut pairs: Vec<(u16, char)> = font
        .chars
        .iter()
        .map(|(gid, ch)| (font.cid(*gid), *ch))
        .collect();
    pairs.sort_unstable();
    for (cid, ch) in pairs {
        cmap.pair(cid, ch);
    }
    let cmap = cmap.finish();
    match deflate::zlib(&cmap) {
        Some(packed) => {
            pdf.cmap(cmap_ref, &packed).filter(Filter::FlateDecode);
        }
        None => {
            pdf.cmap(cmap_ref, &cmap);
        }
    }
}

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
fn page_content(
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

/// The document's distinct images (by content), in order of first use, each an image
/// XObject `/Im<n>` with its alpha as a soft mask.
struct ImageRefs<'a> {
    /// (image, its XObject, its soft mask)
    list: Vec<(&'a Image, Ref, Option<Ref>)>,
}

impl<'a> ImageRefs<'a> {
    fn collect(
        layout: &'a Layout,
        field: Option<&'a SignatureField>,
        alloc: &mut impl FnMut() -> Ref,
    ) -> ImageRefs<'a> {
        let mut list: Vec<(&Image, Ref, Option<Ref>)> = Vec::new();
        let placed = layout.pages.iter().flat_map(Page::images);
        let shown = placed
            .map(|p| &*p.image)
            .chain(field.and_then(|f| f.appearance.as_deref()));
        for image in shown {
            if !list
                .iter()
                .any(|(known, _, _)| known.digest == image.digest)
            {
                let mask = image.alpha.as_ref().map(|_| ());
                let xobject = alloc();
                list.push((image, xobject, mask.map(|()| alloc())));
            }
        }
        ImageRefs { list }
    }

    fn entry_of(&self, image: Option<&Image>) -> Option<(String, Ref)> {
        let image = image?;
        self.list
            .iter()
            .position(|(known, _, _)| known.digest == image.digest)
            .map(|i| (format!("Im{i}"), self.list[i].1))
    }

    fn name_of(&self, image: Option<&Image>) -> Option<String> {
        let image = image?;
        self.list
            .iter()
            .position(|(known, _, _)| known.digest == image.digest)
            .map(|i| format!("Im{i}"))
    }

    /// The images a page draws itself, by resource name.
    fn on_page(&self, page: &Page, skip: Option<&SignatureField>) -> Vec<(String, Ref)> {
        let mut used: Vec<(String, Ref)> = Vec::new();
        for placed in page.images() {
            if skip.is_some_and(|f| f.shows(placed)) {
                continue;
            }
            if let Some(i) = self
                .list
                .iter()
                .position(|(known, _, _)| known.digest == placed.image.digest)
                && !used.iter().any(|(_, r)| *r == self.list[i].1)
            {
                used.push((format!("Im{i}"), self.list[i].1));
            }
        }
        used.sort();
        used
    }

    fn write(&self, pdf: &mut Pdf, id_hash: &mut Sha256) {
        for (image, xobject, mask) in &self.list {
            id_hash.update(image.digest);
            let width = image.width as i32;
            let height = image.height as i32;
            let mut x = match &image.packed.rgb {
                Some(packed) => {
                    let mut x = pdf.image_xobject(*xobject, packed);
                    x.filter(Filter::FlateDecode);
                    x
                }
                None => pdf.image_xobject(*xobject, &image.rgb),
            };
            x.width(width).height(height).bits_per_component(8);
            x.color_space().device_rgb();
            x.interpolate(true);
            if let Some(mask) = mask {
                x.s_mask(*mask);
            }
            x.finish();
            if let (Some(mask), Some(alpha)) = (mask, &image.alpha) {
                let mut m = match &image.packed.alpha {
                    Some(packed) => {
                        let mut m = pdf.image_xobject(*mask, packed);
                        m.filter(Filter::FlateDecode);
                        m
                    }
                    None => pdf.image_xobject(*mask, alpha),
                };
                m.width(width).height(height).bits_per_component(8);
                m.color_space().device_gray();
                m.interpolate(true);
            }
        }
    }
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
