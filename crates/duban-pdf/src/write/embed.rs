//! The fonts a document embeds, shared by the PDF and OFD writers: per used face its subset
//! (cut once per document, or taken from the [`FontSet`]'s cache), its subset tag and the
//! characters its glyphs stand for.

use super::error::WriteError;
use crate::deflate::Packed;
use crate::fonts::face::FaceData;
use crate::fonts::{Cut, FontSet};
use crate::layout::{Layout, Page};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Room to reserve for a document's file (PDF or OFD): its font programs as stored
/// (compressed where they are), which are most of it, and 16 KiB for the rest.
pub(crate) fn buffer_size(embedded: &[EmbeddedFont]) -> usize {
    let programs: usize = embedded
        .iter()
        .map(|f| match &f.cut.packed {
            Some(p) => p.zlib().len(),
            None => f.cut.subset.program.len(),
        })
        .sum();
    programs + 16 * 1024
}

/// One embedded face: its resource name (= subset tag), the face, its cut, and per original
/// glyph id the character it stands for (first use wins) for `/ToUnicode`.
pub(crate) struct EmbeddedFont<'a> {
    pub face: usize,
    pub tag: String,
    pub data: &'a FaceData,
    pub name: String,
    pub cut: Arc<Cut>,
    pub chars: BTreeMap<u16, char>,
}

impl EmbeddedFont<'_> {
    /// The CID a glyph is shown with (its id in the subset).
    pub fn cid(&self, gid: u16) -> u16 {
        self.cut.subset.new_ids.get(&gid).copied().unwrap_or(0)
    }
}

/// Cuts a subset of every used face; a face that cannot be cut is an error, never a document
/// without that face's text.
pub(crate) fn embed_fonts<'a>(
    layout: &Layout,
    fonts: &'a FontSet,
) -> Result<Vec<EmbeddedFont<'a>>, WriteError> {
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
    let tags = font_tags(fonts, &chars);
    chars
        .into_iter()
        .map(|(face, chars)| {
            let failed = || WriteError::Subset {
                face: fonts.face_name(face),
            };
            let data = fonts.data(face).ok_or_else(failed)?;
            let used: BTreeSet<u16> = chars.keys().copied().collect();
            let cut = fonts
                .cut(face, &used, || {
                    let subset = data.subset(&used, fonts.stock(face).as_deref())?;
                    let packed = Packed::of(&subset.program);
                    Some(Cut { subset, packed })
                })
                .ok_or_else(failed)?;
            Ok(EmbeddedFont {
                face,
                tag: tags.get(&face).cloned().ok_or_else(failed)?,
                data,
                name: postscript_name(fonts, data, face),
                cut,
                chars,
            })
        })
        .collect()
}

/// One resource name per used face: six capitals from a hash of the face's file name and
/// the glyphs it draws, so the subset tag changes exactly when the subset does.
fn font_tags(
    fonts: &FontSet,
    used: &BTreeMap<usize, BTreeMap<u16, char>>,
) -> BTreeMap<usize, String> {
    let mut taken = BTreeSet::new();
    used.iter()
        .map(|(face, gids)| {
            let mut hasher = Sha256::new();
            hasher.update(fonts.face_name(*face).as_bytes());
            hasher.update(face.to_le_bytes());
            for gid in gids.keys() {
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
            (*face, tag)
        })
        .collect()
}

/// The face's PostScript name (`NotoSerifSC-Regular`), else its file name's stem; only
/// characters allowed in a PDF name without escapes.
fn postscript_name(fonts: &FontSet, data: &FaceData, face: usize) -> String {
    let raw = match data.postscript_name() {
        Some(name) => name.to_string(),
        None => {
            let file = fonts.face_name(face);
            file.rsplit_once('.')
                .map_or(file.as_str(), |(stem, _)| stem)
                .to_string()
        }
    };
    let clean: String = raw
        .chars()
        .filter(|c| c.is_ascii_graphic() && !"()<>[]{}/%#".contains(*c))
        .collect();
    if clean.is_empty() {
        format!("Face{face}")
    } else {
        clean
    }
}
