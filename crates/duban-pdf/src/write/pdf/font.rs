//! One face's font objects: the Type 0 font, its CID font, descriptor, program and `/ToUnicode`.

use crate::deflate::{self, Packed};
use crate::fonts::face::Outlines;
use crate::write::embed::EmbeddedFont;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Filter, Finish, Name, Pdf, Rect, Ref, Str};

pub(super) fn write_font(
    pdf: &mut Pdf,
    type0: Ref,
    alloc: &mut impl FnMut() -> Ref,
    font: &EmbeddedFont,
) {
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
