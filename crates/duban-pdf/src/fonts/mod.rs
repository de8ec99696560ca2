//! The fonts of a document: one face per typographic role plus a fallback chain, parsed once per
//! process and shared (`Arc<FontSet>`) by every rendering thread.
//!
//! Loading maps or reads each file and parses its table directory (`face`, on
//! `ttf-parser`): no outline is decoded until a document subsets the face. Every face — `.ttf`, `.otf`, `.ttc`, `.otc`, TrueType or CFF outlines — takes the
//! same path.

pub(crate) mod face;

use face::{FaceData, FaceProblem, FontBytes, Stock, Subset};
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

/// Fallback faces shipped in `fonts/` beside the role faces: the rarer GBK hanzi (people's
/// and place names) in the body style. Kept apart so the common faces stay small and quick
/// to subset; see `fonts/README.md`.
pub const SHIPPED_FALLBACKS: &[&str] = &["NotoSerifSC-Regular-Ext.ttf"];

/// The typographic role, an element's choice; re-exported here, where each role gets a face.
pub use crate::elements::FontRole;

/// The role's slot in [`FontSet`]'s role faces (title, body, heading).
fn role_index(role: FontRole) -> usize {
    match role {
        FontRole::Title => 0,
        FontRole::Body => 1,
        FontRole::Heading => 2,
    }
}

/// Where to load one face from: a font file and, for `.ttc` collections, the face index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FontSource {
    /// Path of a `.ttf`, `.otf` or `.ttc` file.
    pub path: PathBuf,
    /// Face index inside a collection; 0 for a single-face file.
    pub face: u32,
}

impl FontSource {
    /// A face of a font file.
    pub fn new(path: impl Into<PathBuf>, face: u32) -> Self {
        FontSource {
            path: path.into(),
            face,
        }
    }
}

/// A font that could not be loaded; the message names the file.
#[derive(Debug, thiserror::Error)]
pub enum FontError {
    /// The file could not be read.
    #[error("无法读取字体文件 {path}：{source}")]
    Read {
        /// The font file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file was read but is not a usable TrueType/OpenType font (or lacks that face).
    #[error(
        "字体文件 {path} 无法解析（集合中第 {face} 号字体）：不是有效的 TrueType/OpenType 字体，或集合中没有该字体；请换用 .ttf/.otf/.ttc 文件"
    )]
    Parse {
        /// The font file.
        path: String,
        /// The face index asked for.
        face: u32,
    },
    /// The face has no outlines a PDF can embed (bitmap-only, or CFF2 variable outlines).
    #[error(
        "字体文件 {path}（集合中第 {face} 号字体）没有可嵌入的字形轮廓（仅有点阵或 CFF2 可变字形）；请换用普通的 .ttf/.otf/.ttc 字体"
    )]
    NoOutlines {
        /// The font file.
        path: String,
        /// The face index asked for.
        face: u32,
    },
    /// The face maps no Unicode characters (a symbol font such as Wingdings).
    #[error(
        "字体文件 {path}（集合中第 {face} 号字体）是符号字体，不含汉字和常用字符的编码；请换用宋体、仿宋、黑体等正文字体"
    )]
    SymbolOnly {
        /// The font file.
        path: String,
        /// The face index asked for.
        face: u32,
    },
}

/// A subset cut from a face and its deflated program, cached per glyph set.
#[derive(Debug)]
pub(crate) struct Cut {
    pub subset: Subset,
    /// The program deflated once, for the PDF and the OFD alike (`None`: deflating failed,
    /// embed it as it is).
    pub packed: Option<crate::deflate::Packed>,
}

/// One glyph chosen for a character: which face, which glyph, how wide.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Glyph {
    /// Index of the face in the [`FontSet`] (see [`FontSet::face_name`]).
    pub face: usize,
    /// Glyph id in that face.
    pub gid: u16,
    /// Advance width in em.
    pub advance: f32,
}

/// One face of the set: read at load (role faces) or on first use (fallback faces).
struct Face {
    source: FontSource,
    /// Cut programs by glyph set, for sets that come back (titles and headings use the same
    /// few glyphs in many documents). A cached cut is the very bytes a fresh cut gives, so
    /// output does not depend on which document came first.
    cuts: Mutex<CutCache>,
    /// The face cut to the glyphs of the documents being written, when it is a CFF face
    /// ([`FontSet::prepare`]).
    stock: RwLock<Option<Arc<Stock>>>,
    /// `None` inside when a fallback face turned out unreadable on first use: it then has
    /// no characters, and those are reported missing like any other.
    loaded: OnceLock<Option<FaceData>>,
}

/// Glyph sets seen (by hash) and the cuts kept for the sets seen more than once.
#[derive(Default)]
struct CutCache {
    seen: HashMap<u64, u32>,
    kept: HashMap<Vec<u16>, Arc<Cut>>,
}

/// A stock grows up to this many glyphs; past it a new one holds only the glyphs of the
/// documents at hand (a stock of a CJK face costs about 25 µs a glyph to make).
const STOCK_MAX_GLYPHS: usize = 6000;

/// At most this many cuts are kept per face (a cut is tens of kilobytes).
const KEPT_CUTS: usize = 128;

/// Reads and parses a face's file.
fn read_face(source: &FontSource) -> Result<FaceData, FontError> {
    let bytes = FontBytes::open(&source.path).map_err(|e| FontError::Read {
        path: source.path.display().to_string(),
        source: e,
    })?;
    let path = source.path.display().to_string();
    let face = source.face;
    FaceData::parse(bytes, face).map_err(|problem| match problem {
        FaceProblem::NotAFont => FontError::Parse { path, face },
        FaceProblem::NoOutlines => FontError::NoOutlines { path, face },
        FaceProblem::NoUnicodeCmap => FontError::SymbolOnly { path, face },
    })
}

impl Face {
    /// A face read now.
    fn read(source: FontSource) -> Result<Face, FontError> {
        let loaded = OnceLock::new();
        let _ = loaded.set(Some(read_face(&source)?));
        Ok(Face {
            source,
            cuts: Mutex::default(),
            stock: RwLock::default(),
            loaded,
        })
    }

    /// A face read on first use; only its readability is checked now.
    fn deferred(source: FontSource) -> Result<Face, FontError> {
        std::fs::File::open(&source.path).map_err(|e| FontError::Read {
            path: source.path.display().to_string(),
            source: e,
        })?;
        Ok(Face {
            source,
            cuts: Mutex::default(),
            stock: RwLock::default(),
            loaded: OnceLock::new(),
        })
    }

    fn get(&self) -> Option<&FaceData> {
        self.loaded
            .get_or_init(|| read_face(&self.source).ok())
            .as_ref()
    }

    fn lookup(&self, ch: char) -> Option<(u16, f32)> {
        let data = self.get()?;
        let gid = data.glyph_index(ch)?;
        let advance = f32::from(data.advance(gid)) / f32::from(data.units_per_em());
        Some((gid, advance))
    }
}

/// The faces of a document, by role, with a fallback chain.
///
/// Load once per process and share it (by reference or `Arc`) across rendering threads.
/// `FontSet` is `Send + Sync` and immutable after loading, so output never depends on
/// which thread rendered what.
pub struct FontSet {
    faces: Vec<Face>,
    /// Face index per [`FontRole`] (title, body, heading).
    roles: [usize; 3],
}

impl std::fmt::Debug for FontSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FontSet")
            .field(
                "faces",
                &self.faces.iter().map(|x| &x.source).collect::<Vec<_>>(),
            )
            .field("roles", &self.roles)
            .finish()
    }
}

impl FontSet {
    /// Loads the three role faces; a file used for several roles is parsed once.
    ///
    /// ```no_run
    /// use duban_pdf::{FontSet, FontSource};
    /// let fonts = FontSet::load(
    ///     &FontSource::new("fonts/NotoSerifSC-Bold.ttf", 0),
    ///     &FontSource::new("fonts/NotoSerifSC-Regular.ttf", 0),
    ///     &FontSource::new("fonts/NotoSansSC-Bold.ttf", 0),
    ///     &[],
    /// )?;
    /// # Ok::<(), duban_pdf::FontError>(())
    /// ```
    ///
    /// `fallbacks` are tried, in order, for characters that none of the role faces has. They
    /// are read when first needed (a fallback that cannot be parsed then has no characters,
    /// which are reported missing); an unreadable role face or fallback file is an error now.
    pub fn load(
        title: &FontSource,
        body: &FontSource,
        heading: &FontSource,
        fallbacks: &[FontSource],
    ) -> Result<FontSet, FontError> {
        fn index_of(sources: &mut Vec<FontSource>, source: &FontSource) -> usize {
            sources.iter().position(|s| s == source).unwrap_or_else(|| {
                sources.push(source.clone());
                sources.len() - 1
            })
        }
        let mut sources: Vec<FontSource> = Vec::new();
        let roles = [title, body, heading].map(|s| index_of(&mut sources, s));
        let role_count = sources.len();
        for source in fallbacks {
            index_of(&mut sources, source);
        }
        // The role faces are read in parallel; the fallbacks (the rare-hanzi face is the
        // largest file) only when a document needs a character the role faces lack.
        let faces = sources
            .into_par_iter()
            .enumerate()
            .map(|(i, source)| {
                if i < role_count {
                    Face::read(source)
                } else {
                    Face::deferred(source)
                }
            })
            .collect::<Result<Vec<Face>, FontError>>()?;
        Ok(FontSet { faces, roles })
    }

    /// Loads the shipped fonts from `dir`: `NotoSerifSC-Bold.ttf` (title),
    /// `NotoSerifSC-Regular.ttf` (body), `NotoSansSC-Bold.ttf` (heading) and the
    /// [`SHIPPED_FALLBACKS`] found there.
    ///
    /// # Errors
    ///
    /// [`FontError`] when a role face is missing or cannot be parsed.
    ///
    /// # Examples
    ///
    /// ```
    /// # let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fonts");
    /// let fonts = duban_pdf::FontSet::load_dir(&dir)?;
    /// assert!(duban_pdf::FontSet::load_dir(std::path::Path::new("/nonexistent")).is_err());
    /// # Ok::<(), duban_pdf::FontError>(())
    /// ```
    pub fn load_dir(dir: &Path) -> Result<FontSet, FontError> {
        FontSet::load(
            &FontSource::new(dir.join("NotoSerifSC-Bold.ttf"), 0),
            &FontSource::new(dir.join("NotoSerifSC-Regular.ttf"), 0),
            &FontSource::new(dir.join("NotoSansSC-Bold.ttf"), 0),
            &FontSet::shipped_fallbacks(dir),
        )
    }

    /// The [`SHIPPED_FALLBACKS`] that exist in `dir`, for [`FontSet::load`].
    pub fn shipped_fallbacks(dir: &Path) -> Vec<FontSource> {
        SHIPPED_FALLBACKS
            .iter()
            .map(|name| dir.join(name))
            .filter(|path| path.is_file())
            .map(|path| FontSource::new(path, 0))
            .collect()
    }

    /// The glyph for `ch` in the face of `role`, else in the body face, else in any other
    /// loaded face (in load order). `None` when no face has the character.
    pub fn glyph(&self, role: FontRole, ch: char) -> Option<Glyph> {
        let first = self.roles[role_index(role)];
        let body = self.roles[role_index(FontRole::Body)];
        std::iter::once(first)
            .chain(std::iter::once(body))
            .chain(0..self.faces.len())
            .find_map(|face| {
                self.faces
                    .get(face)
                    .and_then(|f| f.lookup(ch))
                    .map(|(gid, advance)| Glyph { face, gid, advance })
            })
    }

    /// The face index used for `role`.
    pub fn role_face(&self, role: FontRole) -> usize {
        self.roles[role_index(role)]
    }

    /// Number of loaded faces.
    pub fn face_count(&self) -> usize {
        self.faces.len()
    }

    /// The file name of a face, for messages.
    pub fn face_name(&self, face: usize) -> String {
        self.faces
            .get(face)
            .map(|f| {
                f.source
                    .path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            })
            .unwrap_or_default()
    }

    /// The cut of `face` holding the glyphs `used`: made by `make`, or the kept one when the
    /// same set was cut before (sets are kept from their second use on).
    pub(crate) fn cut(
        &self,
        face: usize,
        used: &BTreeSet<u16>,
        make: impl FnOnce() -> Option<Cut>,
    ) -> Option<Arc<Cut>> {
        let Some(cache) = self.faces.get(face).map(|f| &f.cuts) else {
            return make().map(Arc::new);
        };
        let key: Vec<u16> = used.iter().copied().collect();
        let hash = {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            key.hash(&mut h);
            h.finish()
        };
        let keep = match cache.lock() {
            Ok(mut c) => {
                if let Some(hit) = c.kept.get(&key) {
                    return Some(hit.clone());
                }
                let seen = c.seen.entry(hash).or_insert(0);
                *seen += 1;
                *seen > 1 && c.kept.len() < KEPT_CUTS
            }
            Err(_) => false,
        };
        let cut = Arc::new(make()?);
        if keep && let Ok(mut c) = cache.lock() {
            c.kept.entry(key).or_insert_with(|| cut.clone());
        }
        Some(cut)
    }

    /// Readies the faces for writing `documents`, each given by the glyphs it shows (face
    /// index, glyph id; see `Layout::glyph_ids`): each CFF face that two or more of them use
    /// is cut once to a stock of the glyphs they use (together with the glyphs of the
    /// stock before, so a stock only grows), and their subsets are cut from it. A subset
    /// cut from a stock is byte for byte the one cut from the face, only sooner (see
    /// `face::Stock`), so calling this never changes a document, only how long writing the
    /// batch takes: for a month of notices in Noto CJK, about a third of the subsetting.
    /// TrueType faces are left as they are; their cuts are quick already.
    pub fn prepare<D, G>(&self, documents: D)
    where
        D: IntoIterator<Item = G>,
        G: IntoIterator<Item = (usize, u16)>,
    {
        // Per face: the glyphs used (a bit per glyph id) and how many layouts use any.
        let mut bits: Vec<(Vec<u64>, usize)> = vec![(Vec::new(), 0); self.faces.len()];
        let mut seen = vec![false; self.faces.len()];
        for glyphs in documents {
            seen.fill(false);
            for (face, gid) in glyphs {
                let Some((words, docs)) = bits.get_mut(face) else {
                    continue;
                };
                if words.is_empty() {
                    words.resize(1 << 10, 0);
                }
                words[usize::from(gid >> 6)] |= 1 << (gid & 63);
                if !seen[face] {
                    seen[face] = true;
                    *docs += 1;
                }
            }
        }
        let used: Vec<(BTreeSet<u16>, usize)> = bits
            .into_iter()
            .map(|(words, docs)| {
                let glyphs: BTreeSet<u16> = words
                    .iter()
                    .enumerate()
                    .filter(|(_, w)| **w != 0)
                    .flat_map(|(i, w)| {
                        (0..64u16)
                            .filter(move |b| w >> b & 1 == 1)
                            .map(move |b| (i as u16) << 6 | b)
                    })
                    .collect();
                (glyphs, docs)
            })
            .collect();
        self.faces
            .par_iter()
            .zip(used)
            .filter(|(_, (glyphs, docs))| *docs >= 2 && !glyphs.is_empty())
            .for_each(|(face, (mut glyphs, _))| {
                let Some(data) = face.get() else { return };
                let old = face.stock.read().ok().and_then(|s| s.clone());
                if let Some(old) = &old {
                    if glyphs.is_subset(&old.glyphs) {
                        return;
                    }
                    if old.glyphs.len() + glyphs.len() <= STOCK_MAX_GLYPHS {
                        glyphs.extend(old.glyphs.iter().copied());
                    }
                }
                let stock = data.stock(&glyphs).map(Arc::new);
                if let Ok(mut slot) = face.stock.write() {
                    *slot = stock;
                }
            });
    }

    /// Whether [`FontSet::prepare`] can make a stock for a role face (one has CFF outlines):
    /// when not, there is no point in laying out a batch before writing it.
    pub fn stocks_pay(&self) -> bool {
        self.roles.iter().any(|&face| {
            self.data(face)
                .is_some_and(|d| d.outlines() == face::Outlines::Cff)
        })
    }

    /// How many glyphs the stock of `face` holds, if [`FontSet::prepare`] made one.
    pub fn stocked(&self, face: usize) -> Option<usize> {
        self.stock(face).map(|s| s.glyphs.len())
    }

    /// The stock subsets of `face` are cut from, if [`FontSet::prepare`] made one.
    pub(crate) fn stock(&self, face: usize) -> Option<Arc<Stock>> {
        self.faces.get(face)?.stock.read().ok()?.clone()
    }

    /// The face's font file, read (cmap, metrics, subsetting).
    pub(crate) fn data(&self, face: usize) -> Option<&FaceData> {
        self.faces.get(face).and_then(Face::get)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The shipped fonts, loaded once for all tests of the PDF engine.
    pub(crate) fn shipped() -> Arc<FontSet> {
        static FONTS: OnceLock<Arc<FontSet>> = OnceLock::new();
        FONTS
            .get_or_init(|| {
                let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fonts");
                Arc::new(FontSet::load_dir(&dir).expect("shipped fonts load"))
            })
            .clone()
    }

    #[test]
    fn font_set_is_shareable() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<FontSet>();
    }

    #[test]
    fn roles_and_fallback() {
        let fonts = shipped();
        let g = fonts.glyph(FontRole::Body, '督').expect("body has 督");
        assert_eq!(g.face, fonts.role_face(FontRole::Body));
        assert!((g.advance - 1.0).abs() < 1e-3);
        // 堃 is in GBK but not GB 2312: only the extension face has it.
        let g = fonts
            .glyph(FontRole::Heading, '堃')
            .expect("fallback has 堃");
        assert_eq!(fonts.face_name(g.face), "NotoSerifSC-Regular-Ext.ttf");
        // A heading character the heading face lacks comes from the body face first.
        assert!(fonts.glyph(FontRole::Heading, '●').is_some());
        assert!(fonts.glyph(FontRole::Body, '\u{10FFFD}').is_none());
    }

    #[test]
    fn fallback_face_is_read_on_first_use_only() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fonts");
        let fonts = FontSet::load_dir(&dir).expect("shipped fonts load");
        let ext = fonts.face_count() - 1;
        assert_eq!(fonts.face_name(ext), "NotoSerifSC-Regular-Ext.ttf");
        assert!(fonts.faces[ext].loaded.get().is_none(), "not read at load");
        assert!(fonts.glyph(FontRole::Body, '督').is_some());
        assert!(
            fonts.faces[ext].loaded.get().is_none(),
            "role faces suffice for 督"
        );
        let g = fonts.glyph(FontRole::Body, '堃').expect("fallback has 堃");
        assert_eq!(g.face, ext);
        assert!(fonts.data(ext).is_some());
    }

    #[test]
    fn a_missing_fallback_file_is_an_error_at_load() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fonts");
        let err = FontSet::load(
            &FontSource::new(dir.join("NotoSerifSC-Bold.ttf"), 0),
            &FontSource::new(dir.join("NotoSerifSC-Regular.ttf"), 0),
            &FontSource::new(dir.join("NotoSansSC-Bold.ttf"), 0),
            &[FontSource::new("/nonexistent/ext.ttf", 0)],
        )
        .unwrap_err();
        assert!(err.to_string().contains("ext.ttf"), "{err}");
    }

    /// `cargo test --release --lib load_time -- --ignored --nocapture`: how long loading the
    /// shipped fonts takes (median of 9; the page cache is warm after the first).
    #[test]
    #[ignore = "timing, run by hand in release"]
    fn load_time() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fonts");
        let mut ms: Vec<f64> = (0..9)
            .map(|_| {
                let t = std::time::Instant::now();
                let fonts = FontSet::load_dir(&dir).expect("shipped fonts load");
                assert!(fonts.glyph(FontRole::Body, '督').is_some());
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        ms.sort_by(f64::total_cmp);
        eprintln!(
            "FontSet::load_dir: median {:.1} ms, min {:.1} ms",
            ms[4], ms[0]
        );
    }

    #[test]
    fn unreadable_file_is_named_in_chinese() {
        let missing = FontSource::new("/nonexistent/simfang.ttf", 0);
        let err = FontSet::load(&missing, &missing, &missing, &[]).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("simfang.ttf") && msg.contains("无法读取"),
            "{msg}"
        );
    }
}
