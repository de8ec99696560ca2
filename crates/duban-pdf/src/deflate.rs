//! Deflate for both writers, with one compression of each font program shared by the PDF and
//! the OFD of a document.
//!
//! Whole streams are made by libdeflate (`libdeflater`): on the font programs that make up
//! most of the bytes (glyf and CFF data) its level 1 is about 2½ times as fast as zlib's
//! level 2 and a little smaller (a 128 KB subset: 1.1 ms and 87.4 KB against 2.8 ms and
//! 88.4 KB). It only writes complete streams, so a font program is deflated once into a zlib
//! stream ([`Packed`]) that the PDF embeds; the raw stream inside it is, unchanged, the *last*
//! segment of the font file's entry in the OFD package, after the table directory and the
//! added tables ([`crate::sfnt`]), which zlib-rs deflates into a byte-aligned, non-final
//! segment ([`raw_flushed_quick`]).
//!
//! One compressor per thread and kind: setting one up costs more than deflating a page.
//! Neither keeps anything from one stream to the next, so the output never depends on what
//! the thread deflated before.

use flate2::{Compress, Compression, FlushCompress};
use libdeflater::{CompressionLvl, Compressor};
use std::cell::RefCell;

/// libdeflate's level for every whole stream: page contents, font programs, maps, OFD parts.
/// Level 1 (its fastest) already deflates a font subset smaller than zlib's level 2 did;
/// level 6 would take twice the time for 2–3 % less.
pub(crate) const LEVEL: i32 = 1;

/// zlib-rs's level for the flushed segment before a font program in the OFD (a few KB of
/// directory and tables): level 1 is its quick strategy.
const FLUSHED_LEVEL: u32 = 1;

thread_local! {
    static WHOLE: RefCell<Option<Compressor>> = const { RefCell::new(None) };
    static FLUSHED: RefCell<Compress> =
        RefCell::new(Compress::new(Compression::new(FLUSHED_LEVEL), false));
}

/// Which framing [`whole`] writes.
#[derive(Clone, Copy)]
enum Frame {
    Raw,
    Zlib,
}

/// Runs `f` with this thread's libdeflate compressor (made on first use).
fn with_compressor<T>(f: impl FnOnce(&mut Compressor) -> Option<T>) -> Option<T> {
    WHOLE.with(|cell| {
        let mut slot = cell.try_borrow_mut().ok()?;
        let z = match &mut *slot {
            Some(z) => z,
            None => slot.insert(Compressor::new(CompressionLvl::new(LEVEL).ok()?)),
        };
        f(z)
    })
}

/// `data` deflated as one complete stream.
fn whole(data: &[u8], frame: Frame) -> Option<Vec<u8>> {
    with_compressor(|z| {
        let bound = match frame {
            Frame::Raw => z.deflate_compress_bound(data.len()),
            Frame::Zlib => z.zlib_compress_bound(data.len()),
        };
        let mut out = vec![0u8; bound];
        let len = match frame {
            Frame::Raw => z.deflate_compress(data, &mut out),
            Frame::Zlib => z.zlib_compress(data, &mut out),
        }
        .ok()?;
        out.truncate(len);
        Some(out)
    })
}

/// `data` as a zlib stream (PDF `FlateDecode`).
pub(crate) fn zlib(data: &[u8]) -> Option<Vec<u8>> {
    whole(data, Frame::Zlib)
}

/// `data` as a raw deflate stream with its final block.
pub(crate) fn raw_final(data: &[u8]) -> Option<Vec<u8>> {
    whole(data, Frame::Raw)
}

/// `data` as a raw deflate segment ending in a full flush: byte-aligned, not final, no
/// reference to anything before it, so a stream can follow it.
pub(crate) fn raw_flushed_quick(data: &[u8]) -> Option<Vec<u8>> {
    FLUSHED.with(|cell| {
        let z = &mut *cell.try_borrow_mut().ok()?;
        z.reset();
        let mut out = Vec::with_capacity(data.len() / 2 + 64);
        loop {
            let read = usize::try_from(z.total_in()).ok()?;
            z.compress_vec(data.get(read..)?, &mut out, FlushCompress::Full)
                .ok()?;
            let consumed = usize::try_from(z.total_in()).ok()? == data.len();
            // A flush is complete once all input is in and the output was not cut short.
            if consumed && out.len() < out.capacity() {
                return Some(out);
            }
            out.reserve(out.capacity().max(1024));
        }
    })
}

/// A font program deflated once for both writers, kept as the zlib stream the PDF embeds;
/// the OFD takes the raw deflate stream inside it ([`Packed::raw`]).
#[derive(Debug)]
pub(crate) struct Packed {
    zlib: Vec<u8>,
}

impl Packed {
    pub fn of(program: &[u8]) -> Option<Packed> {
        zlib(program).map(|zlib| Packed { zlib })
    }

    /// The program as a zlib stream: a 2-byte header, the raw stream, Adler-32.
    pub fn zlib(&self) -> &[u8] {
        &self.zlib
    }

    /// The raw deflate stream of the program, final block included: the zlib stream without
    /// its header and its Adler-32 (libdeflate's zlib framing adds nothing else).
    pub fn raw(&self) -> &[u8] {
        &self.zlib[2..self.zlib.len() - 4]
    }
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
    fn a_packed_program_inflates_as_zlib_and_as_the_last_segment() {
        let program: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let packed = Packed::of(&program).expect("packs");
        let mut back = Vec::new();
        flate2::read::ZlibDecoder::new(packed.zlib())
            .read_to_end(&mut back)
            .expect("a valid zlib stream with the right Adler-32");
        assert_eq!(back, program);
        // directory and tables, flushed, then the program make one raw deflate stream
        let head: Vec<u8> = b"directory and added tables ".repeat(200);
        let mut stream = raw_flushed_quick(&head).expect("head");
        stream.extend_from_slice(packed.raw());
        let mut whole = Vec::new();
        flate2::read::DeflateDecoder::new(&stream[..])
            .read_to_end(&mut whole)
            .expect("a valid raw stream");
        assert_eq!(whole, [&head[..], &program].concat());
    }

    #[test]
    fn whole_streams_inflate_and_do_not_depend_on_the_stream_before() {
        let a: Vec<u8> = b"BT /F1 12 Tf (text) Tj ET\n".repeat(500);
        let b: Vec<u8> = (0..70_000u32).map(|i| (i % 13) as u8).collect();
        let first = zlib(&a).expect("deflates");
        let _ = raw_final(&b).expect("deflates");
        assert_eq!(zlib(&a).expect("deflates"), first);
        let mut back = Vec::new();
        flate2::read::ZlibDecoder::new(&first[..])
            .read_to_end(&mut back)
            .expect("valid zlib");
        assert_eq!(back, a);
    }

    #[test]
    fn checksums_match_known_values() {
        // the Adler-32 that ends a packed program's zlib stream
        let packed = Packed::of(b"Wikipedia").expect("packs");
        assert_eq!(
            packed.zlib()[packed.zlib().len() - 4..],
            0x11E6_0398u32.to_be_bytes()
        );
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }
}
