//! The fonts of a document: one face per typographic role plus a fallback chain, parsed once per
//! process and shared (`Arc<FontSet>`) by every rendering thread.
//!
//! Glyph lookups go through a per-face cache: the cmap of a CJK font (format 12) is slow to
//! search, and a batch run asks for the same few thousand characters again and again.

use printpdf::ParsedFont;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::RwLock;

/// Fallback faces shipped in `fonts/` beside the role faces: the rarer GBK hanzi (people's
/// and place names) in the body style. Kept apart so the common faces stay small and quick
/// to subset; see `fonts/README.md`.
pub const SHIPPED_FALLBACKS: &[&str] = &["NotoSerifSC-Regular-Ext.ttf"];

/// The typographic role a run of text is set in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FontRole {
    /// Bold Song for titles and the issuing-office mark (stand-in for 小标宋).
    Title,
    /// Song / FangSong for body text and table cells.
    Body,
    /// Hei (bold sans) for headings and table headers.
    Heading,
}

impl FontRole {
    fn index(self) -> usize {
        match self {
            FontRole::Title => 0,
            FontRole::Body => 1,
            FontRole::Heading => 2,
        }
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
    #[error("无法读取字体文件 {path}：{source}；请检查 duban.toml 的 [fonts] 设置和 fonts 文件夹")]
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

/// One loaded face.
struct Face {
    source: FontSource,
    font: ParsedFont,
    units_per_em: f32,
    /// char → (glyph id, advance in em), `None` when the face lacks the character.
    cache: RwLock<HashMap<char, Option<(u16, f32)>>>,
}

impl Face {
    fn load(source: &FontSource) -> Result<Face, FontError> {
        let bytes = std::fs::read(&source.path).map_err(|e| FontError::Read {
            path: source.path.display().to_string(),
            source: e,
        })?;
        let mut warnings = Vec::new();
        let font = ParsedFont::from_bytes(&bytes, source.face as usize, &mut warnings).ok_or_else(
            || FontError::Parse {
                path: source.path.display().to_string(),
                face: source.face,
            },
        )?;
        let upm = font.pdf_font_metrics.units_per_em;
        if upm == 0 {
            return Err(FontError::Parse {
                path: source.path.display().to_string(),
                face: source.face,
            });
        }
        Ok(Face {
            source: source.clone(),
            units_per_em: f32::from(upm),
            font,
            cache: RwLock::new(HashMap::new()),
        })
    }

    fn lookup(&self, ch: char) -> Option<(u16, f32)> {
        if let Ok(cache) = self.cache.read()
            && let Some(hit) = cache.get(&ch)
        {
            return *hit;
        }
        let found = self
            .font
            .lookup_glyph_index(ch as u32)
            .filter(|gid| *gid != 0)
            .map(|gid| {
                let advance = f32::from(self.font.get_horizontal_advance(gid)) / self.units_per_em;
                (gid, advance)
            });
        if let Ok(mut cache) = self.cache.write() {
            cache.insert(ch, found);
        }
        found
    }
}

/// The faces of a document, by role, with a fallback chain.
///
/// Load once per process and share it behind an `Arc`: parsing a CJK font takes tens of
/// milliseconds and the glyph cache is shared. `FontSet` is `Send + Sync`.
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
    /// use duban::render::pdf::{FontSet, FontSource};
    /// let fonts = FontSet::load(
    ///     &FontSource::new("fonts/NotoSerifSC-Bold.ttf", 0),
    ///     &FontSource::new("fonts/NotoSerifSC-Regular.ttf", 0),
    ///     &FontSource::new("fonts/NotoSansSC-Bold.ttf", 0),
    ///     &[],
    /// )?;
    /// # Ok::<(), duban::render::pdf::FontError>(())
    /// ```
    ///
    /// `fallbacks` are tried, in order, for characters that none of the role faces has.
    pub fn load(
        title: &FontSource,
        body: &FontSource,
        heading: &FontSource,
        fallbacks: &[FontSource],
    ) -> Result<FontSet, FontError> {
        let mut faces: Vec<Face> = Vec::new();
        let mut index_of = |source: &FontSource| -> Result<usize, FontError> {
            if let Some(i) = faces.iter().position(|f| f.source == *source) {
                return Ok(i);
            }
            faces.push(Face::load(source)?);
            Ok(faces.len() - 1)
        };
        let roles = [index_of(title)?, index_of(body)?, index_of(heading)?];
        for source in fallbacks {
            index_of(source)?;
        }
        Ok(FontSet { faces, roles })
    }

    /// Loads the shipped fonts from `dir`: `NotoSerifSC-Bold.ttf` (title),
    /// `NotoSerifSC-Regular.ttf` (body), `NotoSansSC-Bold.ttf` (heading) and the
    /// [`SHIPPED_FALLBACKS`] found there.
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
        let first = self.roles[role.index()];
        let body = self.roles[FontRole::Body.index()];
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
        self.roles[role.index()]
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

    /// The parsed font of a face, for embedding.
    pub(crate) fn parsed(&self, face: usize) -> Option<&ParsedFont> {
        self.faces.get(face).map(|f| &f.font)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::sync::{Arc, OnceLock};

    /// The shipped fonts, loaded once for all tests of the PDF engine.
    pub(crate) fn shipped() -> Arc<FontSet> {
        static FONTS: OnceLock<Arc<FontSet>> = OnceLock::new();
        FONTS
            .get_or_init(|| {
                let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts");
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
