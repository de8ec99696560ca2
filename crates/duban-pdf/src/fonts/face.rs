//! One font face, read with `ttf-parser` and subset with typst's `subsetter`: the same path for
//! `.ttf`, `.otf`, `.ttc` and `.otc` files, TrueType (`glyf`) or CFF outlines.
//!
//! A face keeps its file's bytes and ttf-parser's parse of them together (`self_cell`), so a
//! character lookup during layout is a cmap search in the file itself. Large files are mapped
//! into memory rather than read: a 26 MB Noto CJK collection costs nothing until a table is
//! touched, and only the cmap, the metrics and the outlines a document uses ever are.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicU16, Ordering};
use ttf_parser::{Face, GlyphId, Tag, name_id};

/// A font file's bytes: mapped into memory, or read (small files, and where mapping fails).
pub(crate) enum FontBytes {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl std::ops::Deref for FontBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            FontBytes::Mapped(m) => m,
            FontBytes::Owned(v) => v,
        }
    }
}

/// Files from this size on are mapped rather than read.
const MAP_FROM_BYTES: u64 = 4 << 20;

impl FontBytes {
    /// The bytes of the font file at `path`.
    pub fn open(path: &std::path::Path) -> std::io::Result<FontBytes> {
        let file = std::fs::File::open(path)?;
        if file.metadata()?.len() >= MAP_FROM_BYTES {
            // SAFETY: the map is read-only and lives as long as the face. Font files are not
            // rewritten while a run reads them; if one were truncated under us, reading the
            // lost pages would fault — the same risk every program that maps fonts takes.
            #[allow(unsafe_code)]
            if let Ok(map) = unsafe { memmap2::Mmap::map(&file) } {
                return Ok(FontBytes::Mapped(map));
            }
        }
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut &file, &mut bytes)?;
        Ok(FontBytes::Owned(bytes))
    }
}

self_cell::self_cell!(
    /// The file's bytes and the face parsed from them.
    struct ParsedFace {
        owner: FontBytes,
        #[covariant]
        dependent: Face,
    }
);

/// What kind of outlines the face has; decides how the subset is embedded in a PDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outlines {
    /// `glyf`: embedded as a TrueType program (`/FontFile2`, CIDFontType2).
    TrueType,
    /// `CFF `: embedded as a bare CFF program (`/FontFile3 /CIDFontType0C`, CIDFontType0).
    Cff,
}

/// Why a file is not a usable face.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FaceProblem {
    /// Not an OpenType/TrueType font, or the collection has no such face.
    NotAFont,
    /// No `glyf` or `CFF ` outlines (bitmap-only, or CFF2 variable outlines).
    NoOutlines,
    /// The cmap maps no Unicode characters (a symbol font).
    NoUnicodeCmap,
}

/// Font-wide metrics for the PDF font descriptor, in 1/1000 em.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Metrics {
    pub ascent: f32,
    pub descent: f32,
    pub cap_height: f32,
    /// xMin, yMin, xMax, yMax.
    pub bbox: [f32; 4],
    pub stem_v: f32,
}

/// A subset of a face, ready to embed.
#[derive(Debug, Clone)]
pub(crate) struct Subset {
    /// The font program: a TrueType file, or a bare CFF table.
    pub program: Vec<u8>,
    /// For a CFF face, the whole OpenType file the CFF table was taken from (the OFD writer
    /// embeds files, not bare programs); `None` for TrueType, whose program is the file.
    pub sfnt: Option<Vec<u8>>,
    /// New glyph id (= CID) of every glyph asked for.
    pub new_ids: HashMap<u16, u16>,
}

/// A face's file and what is read from it once.
pub(crate) struct FaceData {
    face: ParsedFace,
    index: u32,
    units_per_em: u16,
    metrics: Metrics,
    postscript_name: Option<String>,
    family_name: Option<String>,
    outlines: Outlines,
    /// Glyphs of the Basic Multilingual Plane as looked up so far ([`UNKNOWN`]: not yet; 0:
    /// none). Measuring a month's text asks for the same few thousand characters millions
    /// of times, and a cmap lookup searches the subtable each time.
    bmp: Box<[AtomicU16]>,
}

/// A BMP character not looked up yet (no face has 65,536 glyphs, so no glyph has this id).
const UNKNOWN: u16 = u16::MAX;

impl std::fmt::Debug for FaceData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaceData")
            .field("index", &self.index)
            .field("glyphs", &self.face.borrow_dependent().number_of_glyphs())
            .field("outlines", &self.outlines)
            .finish()
    }
}

impl FaceData {
    /// Reads face `index` of `data` (0 for a single-face file).
    pub fn parse(data: FontBytes, index: u32) -> Result<FaceData, FaceProblem> {
        let parsed = ParsedFace::try_new(data, |bytes| Face::parse(bytes, index))
            .map_err(|_| FaceProblem::NotAFont)?;
        let face = parsed.borrow_dependent();
        let tables = face.tables();
        let outlines = if tables.glyf.is_some() {
            Outlines::TrueType
        } else if tables.cff.is_some() {
            Outlines::Cff
        } else {
            return Err(FaceProblem::NoOutlines);
        };
        let has_unicode = tables
            .cmap
            .is_some_and(|c| c.subtables.into_iter().any(|s| s.is_unicode()));
        if !has_unicode {
            return Err(FaceProblem::NoUnicodeCmap);
        }
        let units_per_em = face.units_per_em().max(1);
        let scale = |v: i16| f32::from(v) * 1000.0 / f32::from(units_per_em);
        let bbox = face.global_bounding_box();
        let weight = face.weight().to_number();
        let metrics = Metrics {
            ascent: scale(face.ascender()),
            descent: scale(face.descender()),
            cap_height: scale(face.capital_height().unwrap_or(face.ascender())),
            bbox: [
                scale(bbox.x_min),
                scale(bbox.y_min),
                scale(bbox.x_max),
                scale(bbox.y_max),
            ],
            // The usual estimate from the weight class (PDF readers use it for hinting only).
            stem_v: ((f32::from(weight) / 65.0).powi(2) + 50.0).round(),
        };
        let postscript_name = face
            .names()
            .into_iter()
            .filter(|n| n.name_id == name_id::POST_SCRIPT_NAME)
            .find_map(|n| n.to_string())
            .filter(|s| !s.is_empty());
        let family_name = face
            .names()
            .into_iter()
            .filter(|n| n.name_id == name_id::FAMILY && n.is_unicode())
            .find_map(|n| n.to_string())
            .filter(|s| !s.is_empty());
        Ok(FaceData {
            index,
            units_per_em,
            metrics,
            postscript_name,
            family_name,
            outlines,
            face: parsed,
            bmp: (0..=0xFFFF).map(|_| AtomicU16::new(UNKNOWN)).collect(),
        })
    }

    /// The glyph for a character, if the face has one.
    pub fn glyph_index(&self, ch: char) -> Option<u16> {
        let lookup = || {
            let face = self.face.borrow_dependent();
            face.glyph_index(ch).map_or(0, |g| g.0)
        };
        let gid = match self.bmp.get(ch as usize) {
            Some(slot) => match slot.load(Ordering::Relaxed) {
                UNKNOWN => {
                    let gid = lookup();
                    // every thread that races here stores the same value
                    slot.store(gid, Ordering::Relaxed);
                    gid
                }
                known => known,
            },
            None => lookup(),
        };
        Some(gid).filter(|g| *g != 0)
    }

    /// Advance width of a glyph in font units.
    pub fn advance(&self, gid: u16) -> u16 {
        let face = self.face.borrow_dependent();
        face.glyph_hor_advance(GlyphId(gid)).unwrap_or(0)
    }

    pub fn units_per_em(&self) -> u16 {
        self.units_per_em
    }

    /// Advance of a glyph as the PDF `/W` array gives it: 1/1000 em, truncated.
    pub fn pdf_width(&self, gid: u16) -> f32 {
        (f32::from(self.advance(gid)) * 1000.0 / f32::from(self.units_per_em)).trunc()
    }

    pub fn metrics(&self) -> Metrics {
        self.metrics
    }

    /// The PostScript name (name id 6), when the face has a usable one.
    pub fn postscript_name(&self) -> Option<&str> {
        self.postscript_name.as_deref()
    }

    /// The family name (name id 1), when the face has a usable one.
    pub fn family_name(&self) -> Option<&str> {
        self.family_name.as_deref()
    }

    /// The raw bytes of one of the face's tables (e.g. `OS/2`), as in the file.
    pub fn raw_table(&self, tag: &[u8; 4]) -> Option<&[u8]> {
        ttf_parser::RawFace::parse(self.face.borrow_owner(), self.index)
            .ok()?
            .table(Tag::from_bytes(tag))
    }

    pub fn outlines(&self) -> Outlines {
        self.outlines
    }

    /// The subset holding `used` (and `.notdef`), new glyph ids in the order of the old ones.
    /// Cut from `stock` when it holds every glyph of `used` (the same bytes, sooner; see
    /// [`Stock`]), else from the face itself. `None` when the subsetter refuses the face (a
    /// damaged table).
    pub fn subset(&self, used: &BTreeSet<u16>, stock: Option<&Stock>) -> Option<Subset> {
        let glyphs: Vec<u16> = used.iter().copied().collect();
        let from_stock = stock.and_then(|s| {
            let ids = glyphs
                .iter()
                .map(|g| s.ids.get(g).copied())
                .collect::<Option<Vec<u16>>>()?;
            Some((s, ids))
        });
        let (source, index, ids): (&[u8], u32, Vec<u16>) = match from_stock {
            Some((s, ids)) => (&s.font, 0, ids),
            None => (self.face.borrow_owner(), self.index, glyphs.clone()),
        };
        // Stock ids keep the order of the face's ids, so the cut numbers glyphs the same.
        let remapper = subsetter::GlyphRemapper::new_from_glyphs_sorted(&ids);
        let font = subsetter::subset(source, index, &remapper).ok()?;
        let (program, sfnt) = match self.outlines {
            Outlines::TrueType => (font, None),
            Outlines::Cff => {
                let cff = ttf_parser::RawFace::parse(&font, 0)
                    .ok()?
                    .table(Tag::from_bytes(b"CFF "))?
                    .to_vec();
                (cff, Some(font))
            }
        };
        let new_ids = glyphs
            .iter()
            .zip(&ids)
            .filter_map(|(g, id)| Some((*g, remapper.get(*id)?)))
            .collect();
        Some(Subset {
            program,
            sfnt,
            new_ids,
        })
    }

    /// A stock of `glyphs` for cutting many documents' subsets of a CFF face (`None` for
    /// TrueType faces, whose cuts are cheap, and when the cut would not be the same bytes).
    ///
    /// The stock is checked on a sample of its glyphs: a subset cut from it must be the very
    /// bytes of the same subset cut from the face, so using it never changes a document.
    pub fn stock(&self, glyphs: &BTreeSet<u16>) -> Option<Stock> {
        if self.outlines != Outlines::Cff || glyphs.is_empty() {
            return None;
        }
        let list: Vec<u16> = glyphs.iter().copied().collect();
        let remapper = subsetter::GlyphRemapper::new_from_glyphs_sorted(&list);
        let font = subsetter::subset(self.face.borrow_owner(), self.index, &remapper).ok()?;
        let ids = list
            .iter()
            .filter_map(|g| Some((*g, remapper.get(*g)?)))
            .collect::<HashMap<u16, u16>>();
        let stock = Stock {
            font,
            ids,
            glyphs: glyphs.clone(),
        };
        let step = (list.len() / STOCK_SAMPLE).max(1);
        let sample: BTreeSet<u16> = list.iter().step_by(step).copied().collect();
        let direct = self.subset(&sample, None)?;
        let cut = self.subset(&sample, Some(&stock))?;
        (direct.program == cut.program && direct.sfnt == cut.sfnt && direct.new_ids == cut.new_ids)
            .then_some(stock)
    }
}

/// Glyphs of a stock cut both ways when it is made, to check that the two agree.
const STOCK_SAMPLE: usize = 24;

/// A CFF face cut once to the glyphs a batch of documents uses, for cutting each document's
/// subset from it.
///
/// `subsetter` reads every subroutine of the face for each cut and expands the ones each
/// glyph calls; a Noto CJK face has thousands, so a cut of a few hundred glyphs takes
/// milliseconds. A stock is already expanded and holds no subroutines, and a subset of it
/// is byte for byte the subset of the face ([`FaceData::stock`] checks this), at a fraction
/// of the cost.
#[derive(Debug)]
pub(crate) struct Stock {
    /// The stock font file (OpenType with a CFF table).
    font: Vec<u8>,
    /// Glyph id in the face → glyph id in the stock.
    ids: HashMap<u16, u16>,
    /// The face's glyphs the stock holds.
    pub glyphs: BTreeSet<u16>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn load(name: &str) -> FaceData {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fonts")
            .join(name);
        FaceData::parse(FontBytes::open(&path).expect("shipped font"), 0).expect("parses")
    }

    #[test]
    fn cmap_and_advances() {
        let face = load("NotoSerifSC-Regular.ttf");
        let g = face.glyph_index('督').expect("has 督");
        assert_eq!(face.pdf_width(g), 1000.0);
        assert!(face.glyph_index('\u{10FFFD}').is_none());
        assert_eq!(face.outlines(), Outlines::TrueType);
        assert!(face.postscript_name().is_some());
    }

    #[test]
    fn subset_maps_every_used_glyph() {
        let face = load("NotoSerifSC-Regular.ttf");
        let used: BTreeSet<u16> = "督办通知单"
            .chars()
            .filter_map(|c| face.glyph_index(c))
            .collect();
        let sub = face.subset(&used, None).expect("subsets");
        assert_eq!(sub.new_ids.len(), used.len());
        let parsed = ttf_parser::Face::parse(&sub.program, 0).expect("a valid font");
        // .notdef is glyph 0; the used glyphs follow in their old order
        assert_eq!(usize::from(parsed.number_of_glyphs()), used.len() + 1);
        let mut new: Vec<u16> = used.iter().map(|g| sub.new_ids[g]).collect();
        let sorted = new.clone();
        new.sort_unstable();
        assert_eq!(new, sorted);
        assert_eq!(new.first(), Some(&1));
    }

    /// Records a glyph's outline as ttf-parser reads it: a reader that is not the subsetter.
    #[derive(Default, PartialEq, Debug)]
    struct Outline(Vec<(char, [i32; 6])>);

    impl ttf_parser::OutlineBuilder for Outline {
        fn move_to(&mut self, x: f32, y: f32) {
            self.0.push(('M', [x as i32, y as i32, 0, 0, 0, 0]));
        }
        fn line_to(&mut self, x: f32, y: f32) {
            self.0.push(('L', [x as i32, y as i32, 0, 0, 0, 0]));
        }
        fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
            self.0
                .push(('Q', [x1 as i32, y1 as i32, x as i32, y as i32, 0, 0]));
        }
        fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
            let p = [x1, y1, x2, y2, x, y].map(|v| v as i32);
            self.0.push(('C', p));
        }
        fn close(&mut self) {
            self.0.push(('Z', [0; 6]));
        }
    }

    fn outline(font: &[u8], index: u32, gid: u16) -> Outline {
        let face = ttf_parser::Face::parse(font, index).expect("parses");
        let mut out = Outline::default();
        face.outline_glyph(ttf_parser::GlyphId(gid), &mut out);
        out
    }

    /// The vendored subsetter copies charstrings without subroutine calls instead of
    /// re-encoding them (vendor/README.md): every glyph of a CFF cut, straight from a Noto CJK
    /// face (subroutines expanded) and from a stock (copied), draws as in the face.
    #[test]
    fn cff_cuts_draw_every_glyph_as_the_face() {
        let faces = [
            ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
            ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
        ];
        for (path, index) in faces {
            let path = Path::new(path);
            if !path.is_file() {
                // `.ci/run` installs fonts-noto-cjk; elsewhere the check is skipped.
                assert!(
                    std::env::var("CI").is_err(),
                    "{} is missing",
                    path.display()
                );
                continue;
            }
            let face = FaceData::parse(FontBytes::open(path).expect("reads"), index).expect("face");
            let text =
                "督查室关于重点任务推进情况的通知，请各牵头单位于12月8日前反馈（市大数据管理局）。";
            let all: BTreeSet<u16> = text
                .chars()
                .chain('\u{4e00}'..'\u{4f00}')
                .filter_map(|c| face.glyph_index(c))
                .collect();
            let used: BTreeSet<u16> = text.chars().filter_map(|c| face.glyph_index(c)).collect();
            let stock = face.stock(&all).expect("a stock of a CFF face");
            let direct = face.subset(&used, None).expect("cut");
            let cut = face
                .subset(&used, Some(&stock))
                .expect("cut from the stock");
            assert_eq!(direct.program, cut.program, "{}", path.display());
            let original = face.face.borrow_owner();
            for (old, new) in &direct.new_ids {
                let want = outline(original, index, *old);
                assert!(!want.0.is_empty(), "glyph {old} draws something");
                for font in [&direct, &cut] {
                    let sfnt = font.sfnt.as_deref().expect("CFF cut is a whole file");
                    assert_eq!(outline(sfnt, 0, *new), want, "glyph {old} → {new}");
                }
            }
        }
    }

    #[test]
    fn damaged_fonts_are_refused_not_panicking() {
        let data = std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fonts/NotoSansSC-Bold.ttf"),
        )
        .expect("shipped font");
        for cut in [0, 4, 12, 100, 1000, data.len() / 2] {
            let _ = FaceData::parse(FontBytes::Owned(data[..cut].to_vec()), 0);
        }
        assert_eq!(
            FaceData::parse(FontBytes::Owned(b"not a font".to_vec()), 0).unwrap_err(),
            FaceProblem::NotAFont
        );
    }
}
