//! The OFD package as a zip file: entries in the order given (deflated, or stored when tiny),
//! stamped with one date, no extra fields — the same entries give the same bytes.
//!
//! Written here rather than with the `zip` crate because an entry may arrive already
//! compressed: a font file is the deflated segments of its directory and added tables and of
//! the font program the PDF of the same document embeds (compressed once,
//! [`crate::deflate::Packed`]), and no zip writer takes compressed data from its caller.

use crate::deflate;
use chrono::Datelike as _;

/// A zip archive being written.
pub(crate) struct ZipOut {
    out: Vec<u8>,
    central: Vec<u8>,
    entries: u16,
    time: u16,
    date: u16,
}

impl ZipOut {
    /// An archive whose every entry is dated `date`, 00:00, with room for `capacity` bytes.
    pub fn new(date: chrono::NaiveDate, capacity: usize) -> ZipOut {
        let year = u16::try_from(date.year()).unwrap_or(1980).clamp(1980, 2107);
        ZipOut {
            out: Vec::with_capacity(capacity),
            central: Vec::new(),
            entries: 0,
            time: 0,
            date: ((year - 1980) << 9) | ((date.month() as u16) << 5) | date.day() as u16,
        }
    }

    /// Adds `data` (an XML part), deflated here; a part under a kilobyte is stored as it is
    /// (deflating it would save a few hundred bytes for the cost of resetting a compressor).
    /// `None` when deflating fails.
    pub fn add(&mut self, name: &str, data: &[u8]) -> Option<()> {
        let crc = deflate::crc32(data);
        if data.len() < 1024 {
            return self.entry(name, 0, &[data], crc, data.len());
        }
        let compressed = deflate::raw_final(data)?;
        self.add_compressed(name, &[&compressed], crc, data.len())
    }

    /// Adds `data` stored as it is (a file compressed already, like a PNG).
    pub fn add_stored(&mut self, name: &str, data: &[u8]) -> Option<()> {
        self.entry(name, 0, &[data], deflate::crc32(data), data.len())
    }

    /// Adds an entry given as raw deflate segments that together form one stream, with the
    /// CRC-32 and size of the uncompressed data.
    pub fn add_compressed(
        &mut self,
        name: &str,
        segments: &[&[u8]],
        crc: u32,
        size: usize,
    ) -> Option<()> {
        self.entry(name, 8, segments, crc, size)
    }

    /// An entry with compression `method` (0 stored, 8 deflate) whose data is `segments`.
    fn entry(
        &mut self,
        name: &str,
        method: u16,
        segments: &[&[u8]],
        crc: u32,
        size: usize,
    ) -> Option<()> {
        let offset = u32::try_from(self.out.len()).ok()?;
        let compressed: usize = segments.iter().map(|s| s.len()).sum();
        let (compressed, size) = (u32::try_from(compressed).ok()?, u32::try_from(size).ok()?);
        let name_len = u16::try_from(name.len()).ok()?;
        // local file header
        push32(&mut self.out, 0x0403_4b50);
        self.common(method, crc, compressed, size, name_len, Target::Local);
        self.out.extend_from_slice(name.as_bytes());
        for s in segments {
            self.out.extend_from_slice(s);
        }
        // central directory record
        push32(&mut self.central, 0x0201_4b50);
        push16(&mut self.central, (3 << 8) | 20); // made by: Unix, zip 2.0
        self.common(method, crc, compressed, size, name_len, Target::Central);
        push16(&mut self.central, 0); // comment length
        push16(&mut self.central, 0); // disk
        push16(&mut self.central, 0); // internal attributes
        push32(&mut self.central, 0o100_644 << 16); // a regular file, rw-r--r--
        push32(&mut self.central, offset);
        self.central.extend_from_slice(name.as_bytes());
        self.entries = self.entries.checked_add(1)?;
        Some(())
    }

    /// The fields local header and central record share, from “version needed” to “extra
    /// length”.
    fn common(
        &mut self,
        method: u16,
        crc: u32,
        compressed: u32,
        size: u32,
        name_len: u16,
        to: Target,
    ) {
        let buf = match to {
            Target::Local => &mut self.out,
            Target::Central => &mut self.central,
        };
        push16(buf, 20); // version needed: deflate
        push16(buf, 0x0800); // names are UTF-8
        push16(buf, method);
        push16(buf, self.time);
        push16(buf, self.date);
        push32(buf, crc);
        push32(buf, compressed);
        push32(buf, size);
        push16(buf, name_len);
        push16(buf, 0); // extra length
    }

    /// The finished archive.
    pub fn finish(mut self) -> Option<Vec<u8>> {
        let at = u32::try_from(self.out.len()).ok()?;
        let len = u32::try_from(self.central.len()).ok()?;
        self.out.extend_from_slice(&self.central);
        push32(&mut self.out, 0x0605_4b50);
        push16(&mut self.out, 0);
        push16(&mut self.out, 0);
        push16(&mut self.out, self.entries);
        push16(&mut self.out, self.entries);
        push32(&mut self.out, len);
        push32(&mut self.out, at);
        push16(&mut self.out, 0);
        Some(self.out)
    }
}

enum Target {
    Local,
    Central,
}

fn push16(buf: &mut Vec<u8>, v: u16) {
    buf.extend_from_slice(&v.to_le_bytes());
}

fn push32(buf: &mut Vec<u8>, v: u32) {
    buf.extend_from_slice(&v.to_le_bytes());
}
