//! A subset made into a font file that stands on its own, for OFD, which embeds files that a
//! reader maps characters through: the PDF's font program, unchanged, gains a `cmap` (the
//! characters the document shows → their glyphs in the subset) and the face's `OS/2`.
//!
//! The file is laid out as `directory ‖ added ‖ program`: the program is the very bytes the
//! PDF embeds (a TrueType file, whose own tables the new directory points into, or a bare CFF
//! table), last, so that its one compression, a complete deflate stream, serves both formats
//! ([`crate::deflate::Packed`]); `added` holds the new tables and a copy of `head` with the
//! file's checksum adjustment. The old directory inside a TrueType program is left in place,
//! unreferenced.

/// A font file for OFD as its three parts (see the module doc).
#[derive(Debug)]
pub(crate) struct OfdFont {
    pub directory: Vec<u8>,
    /// The added tables, each padded to four bytes, between directory and program.
    pub added: Vec<u8>,
    /// CRC-32 and size of the whole file.
    pub crc: u32,
    pub size: usize,
}

impl OfdFont {
    /// The whole file (tests; the writer streams the parts).
    #[cfg(test)]
    pub fn bytes(&self, program: &[u8]) -> Vec<u8> {
        [&self.directory[..], &self.added, program].concat()
    }
}

/// A table of the new file: where its bytes come from.
enum Source {
    /// `len` bytes at `offset` of the program.
    Program {
        offset: usize,
        len: usize,
        checksum: u32,
    },
    /// Bytes placed among the added tables.
    Added(Vec<u8>),
}

/// The OFD font file for `program` (the PDF's font program). `sfnt` is the whole OpenType file
/// a bare CFF program came from (`None` for TrueType); `extra` are tables to add (`cmap`,
/// `OS/2`), replacing any of the same tag. `None` when the program is not a readable font.
pub(crate) fn ofd_font(
    program: &[u8],
    sfnt: Option<&[u8]>,
    extra: Vec<([u8; 4], Vec<u8>)>,
) -> Option<OfdFont> {
    let mut tables: std::collections::BTreeMap<[u8; 4], Source> = Default::default();
    let version: [u8; 4] = match sfnt {
        None => {
            for (tag, offset, len, checksum) in directory(program)? {
                tables.insert(
                    tag,
                    Source::Program {
                        offset,
                        len,
                        checksum,
                    },
                );
            }
            program.get(0..4)?.try_into().ok()?
        }
        Some(otf) => {
            for (tag, offset, len, _) in directory(otf)? {
                if &tag != b"CFF " {
                    tables.insert(tag, Source::Added(otf.get(offset..offset + len)?.to_vec()));
                }
            }
            tables.insert(
                *b"CFF ",
                Source::Program {
                    offset: 0,
                    len: program.len(),
                    checksum: checksum(program),
                },
            );
            *b"OTTO"
        }
    };
    // head moves among the added tables, where its checksum adjustment can be set.
    let mut head = match tables.remove(b"head")? {
        Source::Program { offset, len, .. } => program.get(offset..offset + len)?.to_vec(),
        Source::Added(bytes) => bytes,
    };
    if head.len() < 12 {
        return None;
    }
    head[8..12].copy_from_slice(&[0; 4]);
    tables.insert(*b"head", Source::Added(head));
    for (tag, data) in extra {
        tables.insert(tag, Source::Added(data));
    }

    let n = tables.len();
    let dir_len = 12 + 16 * n;
    // The added tables first (each padded to four bytes), then the program: its tables keep
    // the alignment they have in it.
    let program_at = dir_len
        + tables
            .values()
            .map(|s| match s {
                Source::Added(bytes) => bytes.len().next_multiple_of(4),
                Source::Program { .. } => 0,
            })
            .sum::<usize>();
    let mut added = Vec::with_capacity(program_at - dir_len);
    let mut records = Vec::with_capacity(n);
    let mut head_at = None;
    for (tag, source) in &tables {
        match source {
            Source::Program {
                offset,
                len,
                checksum,
            } => records.push((*tag, *checksum, program_at + offset, *len)),
            Source::Added(bytes) => {
                if tag == b"head" {
                    head_at = Some(added.len());
                }
                records.push((*tag, checksum(bytes), dir_len + added.len(), bytes.len()));
                added.extend_from_slice(bytes);
                added.resize(added.len().next_multiple_of(4), 0);
            }
        }
    }
    let mut directory = Vec::with_capacity(dir_len);
    directory.extend_from_slice(&version);
    let count = u16::try_from(n).ok()?;
    let mut power = 1u16;
    let mut log = 0u16;
    while power * 2 <= count {
        power *= 2;
        log += 1;
    }
    for v in [count, power * 16, log, count * 16 - power * 16] {
        directory.extend_from_slice(&v.to_be_bytes());
    }
    for (tag, sum, offset, len) in records {
        directory.extend_from_slice(&tag);
        directory.extend_from_slice(&sum.to_be_bytes());
        directory.extend_from_slice(&u32::try_from(offset).ok()?.to_be_bytes());
        directory.extend_from_slice(&u32::try_from(len).ok()?.to_be_bytes());
    }
    // The whole file's words: directory and added tables end aligned, and the program's sum
    // is taken zero-padded, as the checksum is.
    let whole = checksum(&directory)
        .wrapping_add(checksum(&added))
        .wrapping_add(checksum(program));
    let head_at = head_at?;
    added[head_at + 8..head_at + 12]
        .copy_from_slice(&0xB1B0_AFBAu32.wrapping_sub(whole).to_be_bytes());
    let mut crc = flate2::Crc::new();
    crc.update(&directory);
    crc.update(&added);
    crc.update(program);
    Some(OfdFont {
        size: directory.len() + added.len() + program.len(),
        crc: crc.sum(),
        directory,
        added,
    })
}

/// One table record: tag, offset, length, checksum.
type Record = ([u8; 4], usize, usize, u32);

/// The table records of an sfnt.
fn directory(font: &[u8]) -> Option<Vec<Record>> {
    let count = usize::from(u16::from_be_bytes(font.get(4..6)?.try_into().ok()?));
    (0..count)
        .map(|i| {
            let rec = font.get(12 + 16 * i..12 + 16 * (i + 1))?;
            let word = |at: usize| -> Option<u32> {
                Some(u32::from_be_bytes(rec.get(at..at + 4)?.try_into().ok()?))
            };
            let tag: [u8; 4] = rec.get(0..4)?.try_into().ok()?;
            let (offset, len) = (word(8)? as usize, word(12)? as usize);
            font.get(offset..offset.checked_add(len)?)?;
            Some((tag, offset, len, word(4)?))
        })
        .collect()
}

/// The OpenType table checksum: the sum of big-endian u32 words, zero-padded.
fn checksum(data: &[u8]) -> u32 {
    // Whole words first (the compiler vectorises this loop; the chunk-by-chunk copy it replaces
    // took 8× as long, most of the time of building an OFD font file), then the zero-padded tail.
    let mut words = data.chunks_exact(4);
    let sum = words.by_ref().fold(0u32, |sum, w| {
        sum.wrapping_add(u32::from_be_bytes([w[0], w[1], w[2], w[3]]))
    });
    let rest = words.remainder();
    let mut tail = [0u8; 4];
    tail[..rest.len()].copy_from_slice(rest);
    sum.wrapping_add(u32::from_be_bytes(tail))
}

/// A `cmap` table for `map` (character → glyph id): a format 4 subtable (Windows, BMP) for
/// readers that know only that, and a format 12 subtable (Windows, full Unicode).
pub(crate) fn cmap(map: &std::collections::BTreeMap<char, u16>) -> Vec<u8> {
    // Runs of consecutive characters with consecutive glyphs.
    let mut groups: Vec<(u32, u32, u16)> = Vec::new();
    for (&ch, &gid) in map {
        let code = u32::from(ch);
        match groups.last_mut() {
            Some((start, end, first))
                if *end + 1 == code && u32::from(*first) + (code - *start) == u32::from(gid) =>
            {
                *end = code;
            }
            _ => groups.push((code, code, gid)),
        }
    }
    let format4 = format4(&groups);
    let format12 = format12(&groups);
    let mut out = Vec::new();
    out.extend_from_slice(&0u16.to_be_bytes()); // version
    out.extend_from_slice(&2u16.to_be_bytes()); // subtables
    let first = 4 + 2 * 8;
    for (encoding, offset) in [(1u16, first), (10u16, first + format4.len())] {
        out.extend_from_slice(&3u16.to_be_bytes());
        out.extend_from_slice(&encoding.to_be_bytes());
        out.extend_from_slice(&(offset as u32).to_be_bytes());
    }
    out.extend_from_slice(&format4);
    out.extend_from_slice(&format12);
    out
}

fn format4(groups: &[(u32, u32, u16)]) -> Vec<u8> {
    let mut segments: Vec<(u16, u16, i16)> = groups
        .iter()
        .filter(|(start, _, _)| *start < 0xFFFF)
        .map(|&(start, end, gid)| {
            let end = end.min(0xFFFE);
            // idDelta is added modulo 65536
            let delta = (u32::from(gid).wrapping_sub(start) & 0xFFFF) as u16 as i16;
            (start as u16, end as u16, delta)
        })
        .collect();
    segments.push((0xFFFF, 0xFFFF, 1));
    let seg_count = segments.len() as u16;
    let mut power = 1u16;
    let mut log = 0u16;
    while power * 2 <= seg_count {
        power *= 2;
        log += 1;
    }
    let length = 16 + 8 * segments.len();
    let mut out = Vec::with_capacity(length);
    for v in [
        4u16,
        length.min(0xFFFF) as u16,
        0,
        seg_count * 2,
        power * 2,
        log,
        seg_count * 2 - power * 2,
    ] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    for s in &segments {
        out.extend_from_slice(&s.1.to_be_bytes());
    }
    out.extend_from_slice(&0u16.to_be_bytes()); // reservedPad
    for s in &segments {
        out.extend_from_slice(&s.0.to_be_bytes());
    }
    for s in &segments {
        out.extend_from_slice(&s.2.to_be_bytes());
    }
    for _ in &segments {
        out.extend_from_slice(&0u16.to_be_bytes()); // idRangeOffset
    }
    out
}

fn format12(groups: &[(u32, u32, u16)]) -> Vec<u8> {
    let length = 16 + 12 * groups.len();
    let mut out = Vec::with_capacity(length);
    out.extend_from_slice(&12u16.to_be_bytes());
    out.extend_from_slice(&0u16.to_be_bytes());
    out.extend_from_slice(&(length as u32).to_be_bytes());
    out.extend_from_slice(&0u32.to_be_bytes()); // language
    out.extend_from_slice(&(groups.len() as u32).to_be_bytes());
    for &(start, end, gid) in groups {
        out.extend_from_slice(&start.to_be_bytes());
        out.extend_from_slice(&end.to_be_bytes());
        out.extend_from_slice(&u32::from(gid).to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fonts::face::{FaceData, FontBytes};
    use std::collections::{BTreeMap, BTreeSet};

    #[test]
    fn a_subset_with_cmap_maps_its_characters() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fonts/NotoSerifSC-Regular.ttf");
        let face = FaceData::parse(FontBytes::open(&path).expect("font"), 0).expect("parses");
        let text = "督办通知单 2026年ABC，。";
        let used: BTreeSet<u16> = text.chars().filter_map(|c| face.glyph_index(c)).collect();
        let sub = face.subset(&used, None).expect("subset");
        let map: BTreeMap<char, u16> = text
            .chars()
            .filter_map(|c| Some((c, sub.new_ids[&face.glyph_index(c)?])))
            .collect();
        let os2 = face.raw_table(b"OS/2").expect("OS/2").to_vec();
        let built = ofd_font(
            &sub.program,
            None,
            vec![(*b"cmap", cmap(&map)), (*b"OS/2", os2)],
        )
        .expect("built");
        let file = built.bytes(&sub.program);
        assert_eq!(file.len(), built.size);
        assert_eq!(crate::deflate::crc32(&file), built.crc);
        let parsed = ttf_parser::Face::parse(&file, 0).expect("a valid font");
        for (ch, gid) in &map {
            assert_eq!(parsed.glyph_index(*ch).map(|g| g.0), Some(*gid), "{ch}");
        }
        assert!(parsed.tables().os2.is_some());
        assert_eq!(
            parsed.number_of_glyphs(),
            ttf_parser::Face::parse(&sub.program, 0)
                .expect("subset")
                .number_of_glyphs()
        );
        assert_eq!(checksum(&file), 0xB1B0_AFBA, "whole-file checksum");
    }
}
