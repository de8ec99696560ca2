//! Just enough of TrueType/OpenType for the PDF engine: the table directory (single fonts and
//! `.ttc` collections), the Unicode `cmap` (formats 4 and 12), advances from `hmtx`, and a
//! subsetter for `glyf` outlines that writes a small standalone font per document.
//!
//! Reading a face is a table-directory walk over the file's bytes (no outline decoding), so
//! loading the fonts costs little more than reading the files; subsetting copies the outlines
//! of the used glyphs only, so its cost grows with the document and not with the face.
//! Every read is bounds-checked: a damaged font yields `None`, never a panic.

use std::collections::{BTreeMap, BTreeSet, HashMap};

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_be_bytes([s[0], s[1]]))
}

fn i16_at(b: &[u8], at: usize) -> Option<i16> {
    u16_at(b, at).map(|v| v as i16)
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

/// Where a table lies in the file.
#[derive(Debug, Clone, Copy)]
struct TableRef {
    offset: usize,
    len: usize,
}

/// The Unicode cmap subtable used for lookups.
#[derive(Debug, Clone, Copy)]
enum Cmap {
    /// Segment mapping to delta values (BMP only); offset of the subtable, segment count.
    Format4 { offset: usize, segments: usize },
    /// Segmented coverage; offset of the subtable, number of groups.
    Format12 { offset: usize, groups: usize },
}

/// One face of a font file, read but not decoded.
pub(crate) struct Sfnt {
    data: Vec<u8>,
    tables: BTreeMap<[u8; 4], TableRef>,
    units_per_em: u16,
    num_glyphs: u16,
    num_hmetrics: u16,
    cmap: Cmap,
    long_loca: bool,
}

impl std::fmt::Debug for Sfnt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sfnt")
            .field("bytes", &self.data.len())
            .field("glyphs", &self.num_glyphs)
            .finish()
    }
}

/// Font-wide numbers for the PDF font descriptor, in 1/1000 em.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Metrics {
    /// Typographic ascender (`hhea`).
    pub ascent: i64,
    /// Typographic descender (`hhea`), negative below the baseline.
    pub descent: i64,
    /// Font bounding box: x min, y min, x max, y max (`head`).
    pub bbox: [i64; 4],
    /// Dominant vertical stem width, estimated from the weight class.
    pub stem_v: i64,
}

/// A standalone font holding only some glyphs of a face, renumbered.
#[derive(Debug, Clone)]
pub(crate) struct Subset {
    /// The font program (TrueType).
    pub bytes: Vec<u8>,
    /// Old glyph id → new glyph id, for the glyphs asked for (and .notdef).
    pub new_ids: HashMap<u16, u16>,
}

/// A subset ready to embed: the font and its deflated program (`None` if deflating failed).
#[derive(Debug)]
pub(crate) struct Cut {
    /// The subset.
    pub subset: Subset,
    /// `subset.bytes`, deflated (zlib).
    pub deflated: Option<Vec<u8>>,
}

impl Sfnt {
    /// Reads face `face` of a `.ttf`, `.otf` or `.ttc` file. `None` when the bytes are not a
    /// usable font: no such face, a table out of bounds, no Unicode cmap, no metrics.
    pub fn parse(data: Vec<u8>, face: u32) -> Option<Sfnt> {
        let dir = if data.get(0..4)? == b"ttcf" {
            let count = u32_at(&data, 8)?;
            if face >= count {
                return None;
            }
            u32_at(&data, 12 + 4 * face as usize)? as usize
        } else if face == 0 {
            0
        } else {
            return None;
        };
        let version = u32_at(&data, dir)?;
        if !matches!(version, 0x0001_0000 | 0x7472_7565 | 0x4F54_544F) {
            return None;
        }
        let count = usize::from(u16_at(&data, dir + 4)?);
        let mut tables = BTreeMap::new();
        for i in 0..count {
            let rec = dir + 12 + 16 * i;
            let tag: [u8; 4] = data.get(rec..rec + 4)?.try_into().ok()?;
            let offset = u32_at(&data, rec + 8)? as usize;
            let len = u32_at(&data, rec + 12)? as usize;
            if offset.checked_add(len)? > data.len() {
                return None;
            }
            tables.insert(tag, TableRef { offset, len });
        }
        let head = tables.get(b"head")?;
        let units_per_em = u16_at(&data, head.offset + 18)?;
        let long_loca = i16_at(&data, head.offset + 50)? == 1;
        let num_glyphs = u16_at(&data, tables.get(b"maxp")?.offset + 4)?;
        let num_hmetrics = u16_at(&data, tables.get(b"hhea")?.offset + 34)?;
        let hmtx = tables.get(b"hmtx")?;
        if units_per_em == 0 || num_hmetrics == 0 || hmtx.len < 4 * usize::from(num_hmetrics) {
            return None;
        }
        let cmap = find_cmap(&data, *tables.get(b"cmap")?)?;
        Some(Sfnt {
            data,
            tables,
            units_per_em,
            num_glyphs,
            num_hmetrics,
            cmap,
            long_loca,
        })
    }

    /// The font file's bytes (the whole file, for a collection).
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// Units per em.
    pub fn units_per_em(&self) -> u16 {
        self.units_per_em
    }

    /// Whether the outlines are TrueType (`glyf`), which [`Sfnt::subset`] can cut.
    pub fn has_glyf(&self) -> bool {
        self.tables.contains_key(b"glyf") && self.tables.contains_key(b"loca")
    }

    fn table(&self, tag: &[u8; 4]) -> Option<&[u8]> {
        let t = self.tables.get(tag)?;
        self.data.get(t.offset..t.offset + t.len)
    }

    /// The glyph for a Unicode scalar value; `None` when the cmap has none (or maps it to
    /// .notdef or beyond the last glyph).
    pub fn glyph_index(&self, ch: u32) -> Option<u16> {
        let gid = match self.cmap {
            Cmap::Format4 { offset, segments } => format4(&self.data, offset, segments, ch),
            Cmap::Format12 { offset, groups } => format12(&self.data, offset, groups, ch),
        }?;
        (gid != 0 && gid < self.num_glyphs).then_some(gid)
    }

    /// Advance width of a glyph in font units (the last long metric for glyphs past it).
    pub fn advance(&self, gid: u16) -> u16 {
        let hmtx = self.tables.get(b"hmtx").map_or(0, |t| t.offset);
        let i = usize::from(gid.min(self.num_hmetrics - 1));
        u16_at(&self.data, hmtx + 4 * i).unwrap_or(0)
    }

    fn left_side_bearing(&self, gid: u16) -> i16 {
        let Some(hmtx) = self.tables.get(b"hmtx") else {
            return 0;
        };
        let nh = usize::from(self.num_hmetrics);
        let g = usize::from(gid);
        let at = if g < nh {
            4 * g + 2
        } else {
            4 * nh + 2 * (g - nh)
        };
        if at + 2 > hmtx.len {
            return 0;
        }
        i16_at(&self.data, hmtx.offset + at).unwrap_or(0)
    }

    /// Advance of a glyph as the PDF `/W` array gives it: 1/1000 em, truncated.
    pub fn pdf_width(&self, gid: u16) -> i64 {
        (f32::from(self.advance(gid)) * 1000.0 / f32::from(self.units_per_em)) as i64
    }

    /// The PostScript name (name id 6), when the `name` table has a usable one.
    pub fn postscript_name(&self) -> Option<String> {
        let name = self.table(b"name")?;
        let count = usize::from(u16_at(name, 2)?);
        let strings = usize::from(u16_at(name, 4)?);
        let mut mac = None;
        for i in 0..count {
            let rec = 6 + 12 * i;
            let (platform, encoding, id) = (
                u16_at(name, rec)?,
                u16_at(name, rec + 2)?,
                u16_at(name, rec + 6)?,
            );
            if id != 6 {
                continue;
            }
            let len = usize::from(u16_at(name, rec + 8)?);
            let at = strings + usize::from(u16_at(name, rec + 10)?);
            let raw = name.get(at..at + len)?;
            match (platform, encoding) {
                (3, 1) | (0, _) => {
                    let units: Vec<u16> = raw
                        .chunks_exact(2)
                        .map(|c| u16::from_be_bytes([c[0], c[1]]))
                        .collect();
                    let s = String::from_utf16(&units).ok()?;
                    return (!s.is_empty()).then_some(s);
                }
                (1, 0) if mac.is_none() => {
                    mac = Some(raw.iter().map(|b| char::from(*b)).collect::<String>());
                }
                _ => {}
            }
        }
        mac.filter(|s| !s.is_empty())
    }

    /// Font-wide metrics for the font descriptor.
    pub fn metrics(&self) -> Metrics {
        let scale = |v: i16| i64::from(v) * 1000 / i64::from(self.units_per_em);
        let hhea = self.tables.get(b"hhea").map_or(0, |t| t.offset);
        let head = self.tables.get(b"head").map_or(0, |t| t.offset);
        let at = |base: usize, off: usize| i16_at(&self.data, base + off).unwrap_or(0);
        let weight = self
            .tables
            .get(b"OS/2")
            .and_then(|t| u16_at(&self.data, t.offset + 4))
            .unwrap_or(400);
        let stem_v = (f64::from(weight) / 65.0).powi(2) + 50.0;
        Metrics {
            ascent: scale(at(hhea, 4)),
            descent: scale(at(hhea, 6)),
            bbox: [
                scale(at(head, 36)),
                scale(at(head, 38)),
                scale(at(head, 40)),
                scale(at(head, 42)),
            ],
            stem_v: stem_v.round() as i64,
        }
    }

    /// The outline bytes of a glyph (empty for a blank glyph or a damaged `loca`).
    fn glyph_data(&self, gid: u16) -> &[u8] {
        let (Some(loca), Some(glyf)) = (self.table(b"loca"), self.table(b"glyf")) else {
            return &[];
        };
        let g = usize::from(gid);
        let range = if self.long_loca {
            u32_at(loca, 4 * g)
                .zip(u32_at(loca, 4 * g + 4))
                .map(|(a, b)| (a as usize, b as usize))
        } else {
            u16_at(loca, 2 * g)
                .zip(u16_at(loca, 2 * g + 2))
                .map(|(a, b)| (2 * usize::from(a), 2 * usize::from(b)))
        };
        match range {
            Some((a, b)) if a < b => glyf.get(a..b).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// A standalone TrueType font with .notdef, the glyphs `used` (in ascending order) and
    /// the components of composite glyphs (appended), numbered in that order. `None` for a
    /// face without `glyf` outlines.
    pub fn subset(&self, used: &BTreeSet<u16>) -> Option<Subset> {
        if !self.has_glyf() {
            return None;
        }
        let mut order: Vec<u16> = std::iter::once(0)
            .chain(
                used.iter()
                    .copied()
                    .filter(|g| *g != 0 && *g < self.num_glyphs),
            )
            .collect();
        let mut new_ids: HashMap<u16, u16> = HashMap::with_capacity(order.len());
        for (i, g) in order.iter().enumerate() {
            new_ids.insert(*g, i as u16);
        }
        // Composite glyphs pull in their components (which may be composite themselves).
        let mut i = 0;
        while i < order.len() {
            for (_, component) in components(self.glyph_data(order[i])) {
                if component < self.num_glyphs && !new_ids.contains_key(&component) {
                    new_ids.insert(component, order.len() as u16);
                    order.push(component);
                }
            }
            i += 1;
        }
        let count = u16::try_from(order.len()).ok()?;

        let glyf_len: usize = order
            .iter()
            .map(|g| self.glyph_data(*g).len().div_ceil(4) * 4)
            .sum();
        let mut glyf = Vec::with_capacity(glyf_len);
        let mut loca = Vec::with_capacity(4 * (order.len() + 1));
        let mut hmtx = Vec::with_capacity(4 * order.len());
        for gid in &order {
            loca.extend_from_slice(&(glyf.len() as u32).to_be_bytes());
            let data = self.glyph_data(*gid);
            let start = glyf.len();
            glyf.extend_from_slice(data);
            for (at, component) in components(data) {
                let new = new_ids.get(&component).copied().unwrap_or(0);
                glyf[start + at..start + at + 2].copy_from_slice(&new.to_be_bytes());
            }
            while glyf.len() % 4 != 0 {
                glyf.push(0);
            }
            hmtx.extend_from_slice(&self.advance(*gid).to_be_bytes());
            hmtx.extend_from_slice(&self.left_side_bearing(*gid).to_be_bytes());
        }
        loca.extend_from_slice(&(glyf.len() as u32).to_be_bytes());

        let mut head = self.table(b"head")?.get(..54)?.to_vec();
        head[8..12].fill(0);
        head[50..52].copy_from_slice(&1i16.to_be_bytes());
        let mut hhea = self.table(b"hhea")?.get(..36)?.to_vec();
        hhea[34..36].copy_from_slice(&count.to_be_bytes());
        let mut maxp = self.table(b"maxp")?.to_vec();
        maxp.get_mut(4..6)?.copy_from_slice(&count.to_be_bytes());
        let mut post = self
            .table(b"post")
            .and_then(|p| p.get(..32))
            .map_or_else(|| vec![0; 32], <[u8]>::to_vec);
        post[0..4].copy_from_slice(&0x0003_0000u32.to_be_bytes());

        let mut out: BTreeMap<[u8; 4], Vec<u8>> = BTreeMap::new();
        out.insert(*b"cmap", EMPTY_CMAP.to_vec());
        out.insert(*b"glyf", glyf);
        out.insert(*b"head", head);
        out.insert(*b"hhea", hhea);
        out.insert(*b"hmtx", hmtx);
        out.insert(*b"loca", loca);
        out.insert(*b"maxp", maxp);
        out.insert(*b"post", post);
        // Hinting programs (office fonts such as simfang.ttf are hinted) and naming.
        for tag in [b"cvt ", b"fpgm", b"prep", b"name", b"OS/2"] {
            if let Some(t) = self.table(tag) {
                out.insert(*tag, t.to_vec());
            }
        }
        new_ids.retain(|old, _| *old == 0 || used.contains(old));
        Some(Subset {
            bytes: assemble(&out),
            new_ids,
        })
    }
}

/// A cmap with one empty (3,1) format-4 subtable: PDF readers address the glyphs by id.
const EMPTY_CMAP: [u8; 36] = [
    0, 0, 0, 1, // version, one subtable
    0, 3, 0, 1, 0, 0, 0, 12, // Windows Unicode BMP at offset 12
    0, 4, 0, 24, 0, 0, // format 4, length, language
    0, 2, 0, 2, 0, 0, 0, 0, // segCountX2, searchRange, entrySelector, rangeShift
    0xFF, 0xFF, 0, 0, // endCode, reservedPad
    0xFF, 0xFF, 0, 1, 0, 0, // startCode, idDelta, idRangeOffset
];

/// Component references of a composite glyph: (byte offset of the glyph index, glyph id).
fn components(glyph: &[u8]) -> Vec<(usize, u16)> {
    const WORDS: u16 = 0x0001;
    const SCALE: u16 = 0x0008;
    const MORE: u16 = 0x0020;
    const XY_SCALE: u16 = 0x0040;
    const TWO_BY_TWO: u16 = 0x0080;
    let mut found = Vec::new();
    if i16_at(glyph, 0).is_none_or(|contours| contours >= 0) {
        return found;
    }
    let mut at = 10;
    while let (Some(flags), Some(gid)) = (u16_at(glyph, at), u16_at(glyph, at + 2)) {
        found.push((at + 2, gid));
        at += 4 + if flags & WORDS != 0 { 4 } else { 2 };
        at += if flags & SCALE != 0 {
            2
        } else if flags & XY_SCALE != 0 {
            4
        } else if flags & TWO_BY_TWO != 0 {
            8
        } else {
            0
        };
        if flags & MORE == 0 {
            break;
        }
    }
    found
}

/// Writes an sfnt from its tables (sorted by tag), with checksums and `checkSumAdjustment`.
fn assemble(tables: &BTreeMap<[u8; 4], Vec<u8>>) -> Vec<u8> {
    let n = tables.len() as u16;
    let mut pow = 1u16;
    let mut selector = 0u16;
    while pow * 2 <= n {
        pow *= 2;
        selector += 1;
    }
    let body: usize = tables.values().map(|t| t.len().div_ceil(4) * 4).sum();
    let mut out = Vec::with_capacity(12 + 16 * tables.len() + body);
    out.extend_from_slice(&0x0001_0000u32.to_be_bytes());
    for v in [n, pow * 16, selector, n * 16 - pow * 16] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    let mut offset = 12 + 16 * tables.len();
    let mut head_at = None;
    for (tag, data) in tables {
        out.extend_from_slice(tag);
        out.extend_from_slice(&checksum(data).to_be_bytes());
        out.extend_from_slice(&(offset as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        if tag == b"head" {
            head_at = Some(offset);
        }
        offset += data.len().div_ceil(4) * 4;
    }
    for data in tables.values() {
        out.extend_from_slice(data);
        while out.len() % 4 != 0 {
            out.push(0);
        }
    }
    if let Some(at) = head_at {
        let adjust = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
        out[at + 8..at + 12].copy_from_slice(&adjust.to_be_bytes());
    }
    out
}

fn checksum(data: &[u8]) -> u32 {
    data.chunks(4).fold(0u32, |sum, c| {
        let mut word = [0u8; 4];
        word[..c.len()].copy_from_slice(c);
        sum.wrapping_add(u32::from_be_bytes(word))
    })
}

/// Picks the Unicode subtable: full repertoire (format 12) first, then BMP (format 4).
fn find_cmap(data: &[u8], table: TableRef) -> Option<Cmap> {
    let base = table.offset;
    let count = usize::from(u16_at(data, base + 2)?);
    let mut best: Option<(u8, Cmap)> = None;
    for i in 0..count {
        let rec = base + 4 + 8 * i;
        let platform = u16_at(data, rec)?;
        let encoding = u16_at(data, rec + 2)?;
        let offset = base + u32_at(data, rec + 4)? as usize;
        let format = u16_at(data, offset)?;
        let rank = match (platform, encoding, format) {
            (3, 10, 12) => 0,
            (0, 4 | 6, 12) => 1,
            (3, 1, 4) => 2,
            (0, 0..=3, 4) => 3,
            _ => continue,
        };
        let cmap = if format == 12 {
            let groups = u32_at(data, offset + 12)? as usize;
            data.get(offset + 16..offset + 16 + 12 * groups)?;
            Cmap::Format12 { offset, groups }
        } else {
            let segments = usize::from(u16_at(data, offset + 6)? / 2);
            data.get(offset..offset + 16 + 8 * segments)?;
            Cmap::Format4 { offset, segments }
        };
        if best.as_ref().is_none_or(|(r, _)| rank < *r) {
            best = Some((rank, cmap));
        }
    }
    best.map(|(_, c)| c)
}

fn format4(data: &[u8], offset: usize, segments: usize, ch: u32) -> Option<u16> {
    let c = u16::try_from(ch).ok()?;
    let ends = offset + 14;
    let starts = ends + 2 * segments + 2;
    let deltas = starts + 2 * segments;
    let range_offsets = deltas + 2 * segments;
    // The first segment whose end code is ≥ c.
    let (mut lo, mut hi) = (0, segments);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if u16_at(data, ends + 2 * mid)? < c {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if lo == segments {
        return None;
    }
    let start = u16_at(data, starts + 2 * lo)?;
    if start > c {
        return None;
    }
    let delta = u16_at(data, deltas + 2 * lo)?;
    let ro_at = range_offsets + 2 * lo;
    let ro = usize::from(u16_at(data, ro_at)?);
    if ro == 0 {
        return Some(c.wrapping_add(delta));
    }
    let glyph = u16_at(data, ro_at + ro + 2 * usize::from(c - start))?;
    (glyph != 0).then(|| glyph.wrapping_add(delta))
}

fn format12(data: &[u8], offset: usize, groups: usize, ch: u32) -> Option<u16> {
    let base = offset + 16;
    let (mut lo, mut hi) = (0, groups);
    while lo < hi {
        let mid = (lo + hi) / 2;
        let at = base + 12 * mid;
        let start = u32_at(data, at)?;
        let end = u32_at(data, at + 4)?;
        if ch < start {
            hi = mid;
        } else if ch > end {
            lo = mid + 1;
        } else {
            let first = u32_at(data, at + 8)?;
            return u16::try_from(first.checked_add(ch - start)?).ok();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn load(name: &str) -> (Vec<u8>, Sfnt) {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fonts")
            .join(name);
        let bytes = std::fs::read(path).expect("shipped font");
        (bytes.clone(), Sfnt::parse(bytes, 0).expect("parses"))
    }

    #[test]
    fn cmap_and_advances_agree_with_printpdf() {
        for name in ["NotoSerifSC-Regular.ttf", "NotoSansSC-Bold.ttf"] {
            let (bytes, sfnt) = load(name);
            let mut warnings = Vec::new();
            let parsed = printpdf::ParsedFont::from_bytes(&bytes, 0, &mut warnings).expect("font");
            let mut found = 0;
            for ch in (0x20u32..0xFFFF).chain(0x20000..0x20100) {
                let theirs = parsed.lookup_glyph_index(ch).filter(|g| *g != 0);
                let ours = sfnt.glyph_index(ch);
                assert_eq!(ours, theirs, "{name} U+{ch:04X}");
                if let Some(g) = ours {
                    assert_eq!(
                        sfnt.advance(g),
                        parsed.get_horizontal_advance(g),
                        "{name} {g}"
                    );
                    found += 1;
                }
            }
            assert!(found > 7000, "{name}: {found}");
        }
    }

    #[test]
    fn subset_keeps_outlines_and_metrics_of_the_used_glyphs() {
        let (_, sfnt) = load("NotoSerifSC-Regular.ttf");
        let used: BTreeSet<u16> = "督办通知单，2026年A"
            .chars()
            .filter_map(|c| sfnt.glyph_index(c as u32))
            .collect();
        let subset = sfnt.subset(&used).expect("glyf font");
        assert_eq!(subset.new_ids.len(), used.len() + 1);
        assert_eq!(subset.new_ids.get(&0), Some(&0));
        let small = Sfnt::parse(subset.bytes.clone(), 0).expect("subset parses");
        assert_eq!(usize::from(small.num_glyphs), used.len() + 1);
        for old in &used {
            let new = subset.new_ids[old];
            assert!(new > 0);
            // Outlines are copied as they are, padded to four bytes.
            let (cut, original) = (small.glyph_data(new), sfnt.glyph_data(*old));
            assert!(!original.is_empty());
            assert_eq!(&cut[..original.len()], original);
            assert!(cut.len() - original.len() < 4 && cut.len() % 4 == 0);
            assert_eq!(small.advance(new), sfnt.advance(*old));
            assert_eq!(small.left_side_bearing(new), sfnt.left_side_bearing(*old));
        }
        assert_eq!(checksum(&subset.bytes), 0xB1B0_AFBA, "checkSumAdjustment");
        assert!(subset.bytes.len() < 20_000, "{}", subset.bytes.len());
        // allsorts (printpdf's font reader) accepts it too.
        let mut warnings = Vec::new();
        assert!(printpdf::ParsedFont::from_bytes(&subset.bytes, 0, &mut warnings).is_some());
    }

    #[test]
    fn composite_glyphs_bring_their_components() {
        // A composite glyph of two components, the second with 16-bit arguments and a scale.
        let mut glyph = vec![0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0];
        glyph.extend_from_slice(&[0x00, 0x20, 0x00, 0x07, 1, 2]);
        glyph.extend_from_slice(&[0x00, 0x09, 0x01, 0x02, 0, 1, 0, 2, 0x40, 0]);
        assert_eq!(components(&glyph), vec![(12, 7), (18, 0x102)]);
        assert!(components(&[0, 1, 0, 0]).is_empty());
        assert!(components(&[0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0x00]).is_empty());
    }

    /// A one-face collection wrapping `ttf`: the `ttcf` header, then the font with its table
    /// offsets moved by the header's length.
    fn as_collection(ttf: &[u8]) -> Vec<u8> {
        let shift = 16u32;
        let mut out = b"ttcf".to_vec();
        out.extend_from_slice(&0x0001_0000u32.to_be_bytes());
        out.extend_from_slice(&1u32.to_be_bytes());
        out.extend_from_slice(&shift.to_be_bytes());
        let mut font = ttf.to_vec();
        let count = usize::from(u16_at(ttf, 4).unwrap());
        for i in 0..count {
            let at = 12 + 16 * i + 8;
            let moved = u32_at(ttf, at).unwrap() + shift;
            font[at..at + 4].copy_from_slice(&moved.to_be_bytes());
        }
        out.extend_from_slice(&font);
        out
    }

    #[test]
    fn collections_are_read_by_face_index() {
        let (bytes, single) = load("NotoSansSC-Bold.ttf");
        let ttc = as_collection(&bytes);
        assert!(Sfnt::parse(ttc.clone(), 1).is_none(), "only face 0");
        let face = Sfnt::parse(ttc, 0).expect("face 0 of the collection");
        for ch in "督办通知单ABC123，。".chars() {
            let gid = face.glyph_index(ch as u32);
            assert_eq!(gid, single.glyph_index(ch as u32));
            assert_eq!(face.advance(gid.unwrap()), single.advance(gid.unwrap()));
        }
        let used: BTreeSet<u16> = [face.glyph_index('督' as u32).unwrap()].into();
        let a = face.subset(&used).expect("subset");
        let b = single.subset(&used).expect("subset");
        assert_eq!(a.bytes, b.bytes, "the same standalone font either way");
        assert_eq!(face.postscript_name().as_deref(), Some("NotoSansSC-Bold"));
    }

    #[test]
    fn damaged_fonts_are_refused_not_panicking() {
        let (bytes, _) = load("NotoSansSC-Bold.ttf");
        assert!(
            Sfnt::parse(bytes.clone(), 1).is_none(),
            "no face 1 in a .ttf"
        );
        assert!(Sfnt::parse(b"not a font".to_vec(), 0).is_none());
        for cut in [0, 11, 100, 4000, bytes.len() / 2] {
            assert!(
                Sfnt::parse(bytes[..cut].to_vec(), 0).is_none(),
                "cut at {cut}"
            );
        }
    }
}
