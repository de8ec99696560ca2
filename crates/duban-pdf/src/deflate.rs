//! Deflate for both writers, with one compression of each font program shared by the PDF and
//! the OFD of a document.
//!
//! A font program is deflated once into a *raw, fully flushed* stream ([`Packed`]): it ends on
//! a byte boundary and refers to nothing before it, so it can be placed between other raw
//! deflate segments. The PDF wraps it as a zlib stream (header, the segment, an empty final
//! block, Adler-32); the OFD package puts it, unchanged, between the deflated table directory
//! and the deflated extra tables of the font file ([`crate::zip`]).
//!
//! One compressor per thread and kind, reset between streams: setting one up costs more than
//! deflating a page. A reset compressor is in its initial state, so the output never depends
//! on what the thread deflated before.

use flate2::{Compress, Compression, FlushCompress, Status};
use std::cell::RefCell;

/// Deflate level for every stream. Measured on a 169 KB font subset: level 2 takes 70 % of
/// level 6's time for a 4 % larger result.
pub(crate) const LEVEL: u32 = 2;

/// Level of the OFD package's own parts (XML, a font's added tables): level 1 (zlib-rs's
/// quick strategy) takes about half of level 2's time, and markup this repetitive still
/// shrinks to a fifth or less.
pub(crate) const QUICK_LEVEL: u32 = 1;

thread_local! {
    static ZLIB: RefCell<Compress> = RefCell::new(Compress::new(Compression::new(LEVEL), true));
    static RAW: RefCell<Compress> = RefCell::new(Compress::new(Compression::new(LEVEL), false));
    static RAW_QUICK: RefCell<Compress> =
        RefCell::new(Compress::new(Compression::new(QUICK_LEVEL), false));
}

/// `data` as a zlib stream (PDF `FlateDecode`).
pub(crate) fn zlib(data: &[u8]) -> Option<Vec<u8>> {
    ZLIB.with(|cell| {
        run(
            &mut *cell.try_borrow_mut().ok()?,
            data,
            FlushCompress::Finish,
        )
    })
}

/// `data` as a raw deflate stream with its final block, at [`QUICK_LEVEL`].
pub(crate) fn raw_final_quick(data: &[u8]) -> Option<Vec<u8>> {
    RAW_QUICK.with(|cell| {
        run(
            &mut *cell.try_borrow_mut().ok()?,
            data,
            FlushCompress::Finish,
        )
    })
}

/// `data` as stored (uncompressed) deflate blocks, not final: a segment as [`raw_flushed`]
/// gives, without a compressor (resetting one costs more than a few hundred bytes are worth).
pub(crate) fn raw_stored(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 5 * (data.len() / 65535 + 1));
    for chunk in data.chunks(65535) {
        let len = chunk.len() as u16;
        out.push(0x00); // BFINAL=0, BTYPE=00 (stored), padded to the byte
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    out
}

/// `data` as a raw deflate segment ending in a full flush: byte-aligned, not final, no
/// reference to anything before it.
pub(crate) fn raw_flushed(data: &[u8]) -> Option<Vec<u8>> {
    RAW.with(|cell| run(&mut *cell.try_borrow_mut().ok()?, data, FlushCompress::Full))
}

fn run(z: &mut Compress, data: &[u8], flush: FlushCompress) -> Option<Vec<u8>> {
    z.reset();
    let mut out = Vec::with_capacity(data.len() / 2 + 64);
    loop {
        let read = usize::try_from(z.total_in()).ok()?;
        let status = z.compress_vec(data.get(read..)?, &mut out, flush).ok()?;
        let consumed = usize::try_from(z.total_in()).ok()? == data.len();
        match flush {
            FlushCompress::Finish if status == Status::StreamEnd => return Some(out),
            // A flush is complete once all input is in and the output was not cut short.
            FlushCompress::Full if consumed && out.len() < out.capacity() => return Some(out),
            _ => {}
        }
        out.reserve(out.capacity().max(1024));
    }
}

/// A font program deflated once for both writers.
#[derive(Debug)]
pub(crate) struct Packed {
    /// The raw, fully flushed deflate segment of the program.
    pub raw: Vec<u8>,
    /// Adler-32 of the program (the zlib trailer).
    pub adler: u32,
}

impl Packed {
    pub fn of(program: &[u8]) -> Option<Packed> {
        Some(Packed {
            raw: raw_flushed(program)?,
            adler: adler32(program),
        })
    }

    /// The program as a zlib stream: header, the segment, an empty final block, Adler-32.
    pub fn zlib(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.raw.len() + 8);
        // CMF 0x78 (deflate, 32 KB window), FLG 0x01 (fastest; 0x7801 is a multiple of 31)
        out.extend_from_slice(&[0x78, 0x01]);
        out.extend_from_slice(&self.raw);
        // BFINAL=1, BTYPE=01 (fixed Huffman), end-of-block: the bits 1 10 0000000
        out.extend_from_slice(&[0x03, 0x00]);
        out.extend_from_slice(&self.adler.to_be_bytes());
        out
    }
}

/// Adler-32 (RFC 1950).
pub(crate) fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65521;
    let (mut a, mut b) = (1u32, 0u32);
    // 5552 is the most bytes that cannot overflow b before the modulo.
    for chunk in data.chunks(5552) {
        for &byte in chunk {
            a += u32::from(byte);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

/// CRC-32 (the zip checksum).
pub(crate) fn crc32(data: &[u8]) -> u32 {
    let mut crc = flate2::Crc::new();
    crc.update(data);
    crc.sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn a_packed_program_inflates_as_zlib_and_as_a_middle_segment() {
        let program: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let packed = Packed::of(&program).expect("packs");
        let mut back = Vec::new();
        flate2::read::ZlibDecoder::new(&packed.zlib()[..])
            .read_to_end(&mut back)
            .expect("a valid zlib stream with the right Adler-32");
        assert_eq!(back, program);
        // head + program + tail as three raw segments make one raw deflate stream.
        let head = b"directory".to_vec();
        let tail = b"extra tables".to_vec();
        for mut stream in [raw_flushed(&head).expect("head"), raw_stored(&head)] {
            stream.extend_from_slice(&packed.raw);
            stream.extend(raw_final_quick(&tail).expect("tail"));
            let mut whole = Vec::new();
            flate2::read::DeflateDecoder::new(&stream[..])
                .read_to_end(&mut whole)
                .expect("a valid raw stream");
            assert_eq!(whole, [&head[..], &program, &tail].concat());
        }
    }

    #[test]
    fn checksums_match_known_values() {
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }
}
