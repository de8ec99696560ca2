//! Generators for hostile and broken submissions, all made by code: zip containers written
//! byte by byte (so sizes in the directory can lie), a hand-assembled deflate bomb, minimal
//! xlsx packages from sheet XML, an encrypted OOXML package in a real CFB container, and
//! hand-assembled BIFF8 .xls files.
#![allow(dead_code)]

use std::io::{Cursor, Write};

/// CRC-32 (IEEE), as zip and PNG store it (flate2's, as `pattern_crc` uses).
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = flate2::Crc::new();
    crc.update(data);
    crc.sum()
}

/// One member of a hand-written zip.
#[derive(Clone, Debug)]
pub struct ZipEntry {
    pub name: String,
    /// 0 stored, 8 deflate.
    pub method: u16,
    /// The bytes as stored in the archive (compressed for deflate).
    pub raw: Vec<u8>,
    pub crc: u32,
    /// Declared uncompressed size (written in the local header and the central directory).
    pub size: u32,
}

/// A stored (uncompressed) entry with honest sizes.
pub fn stored(name: &str, data: &[u8]) -> ZipEntry {
    ZipEntry {
        name: name.into(),
        method: 0,
        raw: data.to_vec(),
        crc: crc32(data),
        size: data.len() as u32,
    }
}

/// Assembles a zip archive: local headers + data, central directory, end record.
pub fn zip(entries: &[ZipEntry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let offset = out.len() as u32;
        let name = e.name.as_bytes();
        // local file header
        out.extend(0x0403_4b50u32.to_le_bytes());
        out.extend(20u16.to_le_bytes()); // version needed
        out.extend(0x0800u16.to_le_bytes()); // flags: UTF-8 names
        out.extend(e.method.to_le_bytes());
        out.extend(0u16.to_le_bytes()); // time
        out.extend(0x5b21u16.to_le_bytes()); // date 2025-09-01
        out.extend(e.crc.to_le_bytes());
        out.extend((e.raw.len() as u32).to_le_bytes());
        out.extend(e.size.to_le_bytes());
        out.extend((name.len() as u16).to_le_bytes());
        out.extend(0u16.to_le_bytes());
        out.extend(name);
        out.extend(&e.raw);
        // central directory header
        central.extend(0x0201_4b50u32.to_le_bytes());
        central.extend(20u16.to_le_bytes()); // version made by
        central.extend(20u16.to_le_bytes());
        central.extend(0x0800u16.to_le_bytes());
        central.extend(e.method.to_le_bytes());
        central.extend(0u16.to_le_bytes());
        central.extend(0x5b21u16.to_le_bytes());
        central.extend(e.crc.to_le_bytes());
        central.extend((e.raw.len() as u32).to_le_bytes());
        central.extend(e.size.to_le_bytes());
        central.extend((name.len() as u16).to_le_bytes());
        central.extend([0u8; 8]); // extra len, comment len, disk, internal attrs
        central.extend(0u32.to_le_bytes()); // external attrs
        central.extend(offset.to_le_bytes());
        central.extend(name);
    }
    let cd_offset = out.len() as u32;
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(cd_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

/// LSB-first bit writer for deflate.
struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    fn put(&mut self, value: u32, bits: u32) {
        self.acc |= u64::from(value) << self.n;
        self.n += bits;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }
    /// A Huffman code, most significant bit first.
    fn code(&mut self, code: u32, bits: u32) {
        let reversed = code.reverse_bits() >> (32 - bits);
        self.put(reversed, bits);
    }
    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

/// A raw deflate stream (one fixed-Huffman block) that inflates to `prefix`, then `unit`
/// repeated `1 + 258 × repeats / unit.len()` times, then `suffix`: the repetition is coded as
/// matches of 258 bytes at distance `unit.len()` (13–14 bits each, a ratio near 150:1).
/// `unit.len()` must divide 258 (1, 2, 3, 6, 43, 86, 129, 258) and be at most 6; all bytes
/// must be ASCII below 0x90.
pub fn deflate_bomb(prefix: &[u8], unit: &[u8], repeats: u64, suffix: &[u8]) -> Vec<u8> {
    assert!(258 % unit.len() == 0 && unit.len() <= 6);
    let mut bits = Bits {
        out: Vec::new(),
        acc: 0,
        n: 0,
    };
    bits.put(1, 1); // BFINAL
    bits.put(1, 2); // BTYPE = fixed Huffman
    let literal = |bits: &mut Bits, b: u8| {
        assert!(b < 144);
        bits.code(0x30 + u32::from(b), 8);
    };
    for &b in prefix.iter().chain(unit) {
        literal(&mut bits, b);
    }
    // distance symbols 0–3 are distances 1–4; symbol 4 is 5–6 with one extra bit
    let (dist_code, extra) = match unit.len() {
        d @ 1..=4 => (d as u32 - 1, None),
        d => (4, Some(d as u32 - 5)),
    };
    for _ in 0..repeats {
        bits.code(0b1100_0101, 8); // length symbol 285 = 258
        bits.code(dist_code, 5);
        if let Some(e) = extra {
            bits.put(e, 1);
        }
    }
    for &b in suffix {
        literal(&mut bits, b);
    }
    bits.code(0, 7); // end of block
    bits.finish()
}

/// Minimal package parts around `sheets` (name, sheet XML); extra parts are appended.
pub fn xlsx_parts(sheets: &[(&str, String)]) -> Vec<ZipEntry> {
    let mut types = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#,
    );
    let mut book = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>"#,
    );
    let mut rels = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    );
    let mut parts = Vec::new();
    for (i, (name, xml)) in sheets.iter().enumerate() {
        let n = i + 1;
        types.push_str(&format!(r#"<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#));
        book.push_str(&format!(
            r#"<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>"#
        ));
        rels.push_str(&format!(r#"<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{n}.xml"/>"#));
        parts.push(stored(
            &format!("xl/worksheets/sheet{n}.xml"),
            xml.as_bytes(),
        ));
    }
    types.push_str("</Types>");
    book.push_str("</sheets></workbook>");
    rels.push_str("</Relationships>");
    let mut all = vec![
        stored("[Content_Types].xml", types.as_bytes()),
        stored(
            "_rels/.rels",
            br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        stored("xl/workbook.xml", book.as_bytes()),
        stored("xl/_rels/workbook.xml.rels", rels.as_bytes()),
    ];
    all.extend(parts);
    all
}

/// Escapes text for XML.
pub fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A1-style column letters of a 0-based column.
pub fn col_letters(mut col: u32) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// A cell written into sheet XML.
pub enum X {
    Str(String),
    Num(f64),
}

/// One `<row>` of sheet XML (0-based row).
pub fn row_xml(row: u32, cells: &[(u32, X)]) -> String {
    let r = row + 1;
    let mut s = format!(r#"<row r="{r}">"#);
    for (col, v) in cells {
        let at = format!("{}{r}", col_letters(*col));
        match v {
            X::Str(t) => s.push_str(&format!(
                r#"<c r="{at}" t="inlineStr"><is><t xml:space="preserve">{}</t></is></c>"#,
                xml_escape(t)
            )),
            X::Num(n) => s.push_str(&format!(r#"<c r="{at}"><v>{n}</v></c>"#)),
        }
    }
    s.push_str("</row>");
    s
}

/// A worksheet from rows of XML.
pub fn sheet_xml(rows: impl IntoIterator<Item = String>) -> String {
    let mut s = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for r in rows {
        s.push_str(&r);
    }
    s.push_str("</sheetData></worksheet>");
    s
}

/// The form's header rows (title, header block, column headers) for `unit`.
pub fn header_rows(unit: &str) -> Vec<String> {
    vec![
        row_xml(0, &[(0, X::Str("2026年重点任务推进情况表（11月）".into()))]),
        row_xml(
            1,
            &[
                (0, X::Str(format!("填报单位：{unit}"))),
                (7, X::Str("填报日期：".into())),
                (8, X::Str("2026-11-25".into())),
            ],
        ),
        row_xml(
            2,
            &crate::common::HEADERS
                .iter()
                .enumerate()
                .map(|(i, h)| (i as u32, X::Str((*h).into())))
                .collect::<Vec<_>>(),
        ),
    ]
}

/// An xlsx of 市科技局 with `data_rows` rows of task 3 (100,000 → far beyond the row limit).
pub fn many_rows_xlsx(data_rows: u32) -> Vec<u8> {
    let mut rows = header_rows("市科技局");
    rows.extend((0..data_rows).map(|i| {
        row_xml(
            3 + i,
            &[
                (0, X::Num(3.0)),
                (3, X::Str("已实施重大项目8个。".into())),
                (4, X::Num(80.0)),
            ],
        )
    }));
    zip(&xlsx_parts(&[("进展情况", sheet_xml(rows))]))
}

/// A zip bomb disguised as .xlsx: a valid package whose sheet XML is about `inflated` bytes
/// of empty rows (`<row/>` repeated, well-formed XML); `declared` is the uncompressed size
/// written in the zip directory (`None`: the truth).
pub fn bomb_xlsx(inflated: u64, declared: Option<u32>) -> Vec<u8> {
    let prefix = br#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
    let unit = b"<row/>";
    let suffix = b"</sheetData></worksheet>";
    let repeats = inflated / 258;
    let raw = deflate_bomb(prefix, unit, repeats, suffix);
    let body = unit.len() as u64 + repeats * 258;
    let true_size = prefix.len() as u64 + body + suffix.len() as u64;
    let mut parts = xlsx_parts(&[]);
    parts.retain(|p| p.name != "xl/workbook.xml" && p.name != "xl/_rels/workbook.xml.rels");
    parts.push(stored(
        "xl/workbook.xml",
        br#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
    ));
    parts.push(stored(
        "xl/_rels/workbook.xml.rels",
        br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
    ));
    parts.push(ZipEntry {
        name: "xl/worksheets/sheet1.xml".into(),
        method: 8,
        raw,
        crc: pattern_crc(prefix, unit, body, suffix),
        size: declared.unwrap_or(u32::try_from(true_size).unwrap_or(u32::MAX)),
    });
    zip(&parts)
}

/// CRC-32 of `prefix`, `unit` repeated to `body` bytes, `suffix` (flate2's fast CRC).
fn pattern_crc(prefix: &[u8], unit: &[u8], body: u64, suffix: &[u8]) -> u32 {
    let mut crc = flate2::Crc::new();
    crc.update(prefix);
    let chunk: Vec<u8> = unit
        .iter()
        .copied()
        .cycle()
        .take(unit.len() << 18)
        .collect();
    let mut left = body;
    while left > 0 {
        let k = left.min(chunk.len() as u64) as usize;
        crc.update(&chunk[..k]);
        left -= k as u64;
    }
    crc.update(suffix);
    crc.sum()
}

/// A small xlsx whose shared-string table declares `unique_count` strings (calamine reserves
/// that many up front).
pub fn lying_shared_strings_xlsx(unique_count: &str) -> Vec<u8> {
    let mut parts = xlsx_parts(&[(
        "Sheet1",
        sheet_xml([r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#.to_string()]),
    )]);
    let sst = format!(
        r#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="{unique_count}"><si><t>序号</t></si></sst>"#
    );
    parts.push(stored("xl/sharedStrings.xml", sst.as_bytes()));
    zip(&parts)
}

/// A password-protected workbook as Excel writes it: a CFB container with the
/// `EncryptionInfo` (agile encryption, version 4.4) and `EncryptedPackage` streams and the
/// `\u{6}DataSpaces` storage.
pub fn encrypted_xlsx() -> Vec<u8> {
    let mut file = cfb::CompoundFile::create(Cursor::new(Vec::new())).expect("create cfb");
    let mut info = vec![4u8, 0, 4, 0, 0x40, 0, 0, 0];
    info.extend_from_slice(
        br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption" xmlns:p="http://schemas.microsoft.com/office/2006/keyEncryptor/password"><keyData saltSize="16" blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" saltValue="AAAAAAAAAAAAAAAAAAAAAA=="/><keyEncryptors><keyEncryptor uri="http://schemas.microsoft.com/office/2006/keyEncryptor/password"><p:encryptedKey spinCount="100000" saltSize="16" blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" saltValue="AAAAAAAAAAAAAAAAAAAAAA=="/></keyEncryptor></keyEncryptors></encryption>"#,
    );
    let mut package = 4096u64.to_le_bytes().to_vec();
    package.extend((0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    file.create_storage("/\u{6}DataSpaces").expect("storage");
    for (path, data) in [
        ("/\u{6}DataSpaces/Version", &b"\x3c\0\0\0M\0i\0c\0r\0o\0s\0o\0f\0t\0.\0C\0o\0n\0t\0a\0i\0n\0e\0r\0.\0D\0a\0t\0a\0S\0p\0a\0c\0e\0s\0\x01\0\0\0\x01\0\0\0\x01\0\0\0"[..]),
        ("/EncryptionInfo", &info[..]),
        ("/EncryptedPackage", &package[..]),
    ] {
        let mut s = file.create_stream(path).expect("stream");
        s.write_all(data).expect("write");
    }
    file.flush().expect("flush");
    file.into_inner().into_inner()
}

/// One BIFF record.
fn record(typ: u16, data: &[u8]) -> Vec<u8> {
    let mut r = typ.to_le_bytes().to_vec();
    r.extend((data.len() as u16).to_le_bytes());
    r.extend(data);
    r
}

/// A BIFF8 .xls in a CFB container with one sheet: `dims` (first row, last row + 1, first col,
/// last col + 1) in its DIMENSIONS record and a NUMBER cell at each of `cells`.
pub fn xls_with_cells(dims: (u32, u32, u16, u16), cells: &[(u16, u16, f64)]) -> Vec<u8> {
    xls_file(dims, cells, None, false, &[], false)
}

/// A BIFF8 .xls whose CODEPAGE record has no data (calamine reads two bytes from it and
/// panics; found by the `intake` fuzz target).
pub fn xls_short_record() -> Vec<u8> {
    xls_file((0, 1, 0, 1), &[(0, 0, 1.0)], None, true, &[], false)
}

/// A BIFF8 .xls whose workbook globals start with an empty BOF record (calamine reads the
/// BIFF version from its first two bytes and panics, xls.rs:772; found by the `intake` fuzz
/// target).
pub fn xls_empty_bof() -> Vec<u8> {
    xls_file((0, 1, 0, 1), &[(0, 0, 1.0)], None, false, &[], true)
}

/// A BIFF8 .xls with a defined name (Lbl record) whose formula length is larger than the
/// record (calamine subtracts and slices, and panics; found by the `intake` fuzz target).
pub fn xls_bad_defined_name() -> Vec<u8> {
    let mut lbl = vec![0u8, 0, 0, 1]; // flags, shortcut key, name length 1
    lbl.extend(0xFFFFu16.to_le_bytes()); // formula length
    lbl.extend([0u8; 8]);
    lbl.extend([0u8, b'A']); // name, 8-bit characters
    xls_file(
        (0, 1, 0, 1),
        &[(0, 0, 1.0)],
        None,
        false,
        &record(0x0018, &lbl),
        false,
    )
}

/// A BIFF8 .xls whose BoundSheet record points past the end of the stream (calamine slices
/// the stream at that offset and panics).
pub fn xls_bad_sheet_offset() -> Vec<u8> {
    xls_file(
        (0, 1, 0, 1),
        &[(0, 0, 1.0)],
        Some(0x00FF_FFFF),
        false,
        &[],
        false,
    )
}

fn xls_file(
    dims: (u32, u32, u16, u16),
    cells: &[(u16, u16, f64)],
    sheet_pos: Option<u32>,
    empty_codepage: bool,
    extra_globals: &[u8],
    empty_globals_bof: bool,
) -> Vec<u8> {
    let bof = |dt: u16| {
        let mut d = 0x0600u16.to_le_bytes().to_vec();
        d.extend(dt.to_le_bytes());
        d.extend([0u8; 12]);
        record(0x0809, &d)
    };
    // globals: BOF, CODEPAGE, BOUNDSHEET (offset patched below), EOF
    let mut globals = if empty_globals_bof {
        record(0x0809, &[])
    } else {
        bof(0x0005)
    };
    let codepage = if empty_codepage {
        Vec::new()
    } else {
        1200u16.to_le_bytes().to_vec()
    };
    globals.extend(record(0x0042, &codepage));
    globals.extend(extra_globals);
    let bound_at = globals.len();
    let name = "Sheet1";
    let mut bound = vec![0u8; 4];
    bound.extend([0u8, 0u8, name.len() as u8, 0u8]);
    bound.extend(name.as_bytes());
    globals.extend(record(0x0085, &bound));
    globals.extend(record(0x000A, &[]));
    let sheet_pos = sheet_pos.unwrap_or(globals.len() as u32);
    globals[bound_at + 4..bound_at + 8].copy_from_slice(&sheet_pos.to_le_bytes());
    let mut sheet = bof(0x0010);
    let mut d = dims.0.to_le_bytes().to_vec();
    d.extend(dims.1.to_le_bytes());
    d.extend(dims.2.to_le_bytes());
    d.extend(dims.3.to_le_bytes());
    d.extend([0u8; 2]);
    sheet.extend(record(0x0200, &d));
    for &(row, col, v) in cells {
        let mut c = row.to_le_bytes().to_vec();
        c.extend(col.to_le_bytes());
        c.extend(0u16.to_le_bytes());
        c.extend(v.to_le_bytes());
        sheet.extend(record(0x0203, &c));
    }
    sheet.extend(record(0x000A, &[]));
    let mut stream = globals;
    stream.extend(sheet);
    // pad past the 4096-byte mini-stream cutoff so the stream lives in regular sectors
    while stream.len() < 4200 {
        stream.extend(record(0x003C, &[]));
    }
    // version 3 (512-byte sectors), as Excel writes .xls
    let mut file =
        cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new()))
            .expect("create cfb");
    let mut s = file.create_stream("/Workbook").expect("stream");
    s.write_all(&stream).expect("write");
    drop(s);
    file.flush().expect("flush");
    file.into_inner().into_inner()
}

/// A minimal PDF.
pub fn pdf_bytes() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n".to_vec()
}

/// A 1×1 PNG.
pub fn png_bytes() -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let chunk = |typ: &[u8], data: &[u8]| {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        let mut body = typ.to_vec();
        body.extend(data);
        c.extend(&body);
        c.extend(crc32(&body).to_be_bytes());
        c
    };
    png.extend(chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]));
    png.extend(chunk(
        b"IDAT",
        &[0x78, 0x9c, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01],
    ));
    png.extend(chunk(b"IEND", &[]));
    png
}
