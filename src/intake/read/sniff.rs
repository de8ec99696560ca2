//! What a file is, from its bytes: a workbook format duban reads, or the thing it actually is
//! (encrypted, damaged, Excel 95, Numbers, CSV, PDF, an image, a zip of other files …) with a
//! message a clerk can act on. The extension plays no part.
//!
//! Encryption is looked for first, before any size guard reads records that are ciphertext
//! (for BIFF8, at the start of the xls guard, which reads the workbook stream):
//! an OOXML package encrypted by Excel or WPS is a compound file with `EncryptionInfo` and
//! `EncryptedPackage` streams, an encrypted BIFF8 workbook has a `FILEPASS` record in its
//! globals, an encrypted ODF package declares `encryption-data` in its manifest.
//! When in doubt the file is handed to the parser: a pre-check refuses only for a reason it
//! can name truthfully.

use super::*;
use std::io::Read;

/// A workbook format duban reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Format {
    Xlsx,
    Xlsb,
    Ods,
    Xls,
}

pub(super) const CFB_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// The format of `bytes`, or why they are not a workbook duban can read.
pub(super) fn sniff(bytes: &[u8]) -> Result<Format, ReadError> {
    if bytes.is_empty() {
        return Err(ReadError::new(
            ProblemCode::EmptyFile,
            "文件是空的（0 字节），请重新导出后报送",
        ));
    }
    if bytes.starts_with(b"PK") {
        return sniff_zip(bytes);
    }
    if bytes.starts_with(&CFB_MAGIC) {
        return sniff_cfb(bytes);
    }
    Err(foreign(what_else(bytes)))
}

/// Something that is not a workbook: what it is called and what the sender should do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Foreign {
    pub what: &'static str,
    pub advice: &'static str,
}

const SAVE_AS_XLSX: &str = "请用 Excel 或 WPS 打开后另存为 .xlsx 再报送";

/// An Excel 5.0/95 or older workbook (BIFF2–BIFF5), which calamine does not read.
pub(super) const EXCEL95: Foreign = Foreign {
    what: "Excel 95 或更早的格式",
    advice: SAVE_AS_XLSX,
};
const FILL_FORM: &str =
    "PDF、图片等无法读取数据，请在 Excel 或 WPS 中按模板填写进展表，报送 .xlsx 文件";

fn what_else(bytes: &[u8]) -> Foreign {
    let head = &bytes[..bytes.len().min(4096)];
    let lower = String::from_utf8_lossy(head).to_lowercase();
    let f = |what, advice| Foreign { what, advice };
    if bytes.starts_with(b"%PDF") {
        f("PDF 文件", FILL_FORM)
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G'])
        || bytes.starts_with(&[0xFF, 0xD8, 0xFF])
        || bytes.starts_with(b"GIF8")
        || bytes.starts_with(b"BM")
        || bytes.starts_with(b"II*\0")
        || bytes.starts_with(b"MM\0*")
        || (bytes.starts_with(b"RIFF") && head.get(8..12) == Some(b"WEBP"))
    {
        f("图片", FILL_FORM)
    } else if bytes.starts_with(b"{\\rtf") {
        f("RTF 文档", FILL_FORM)
    } else if bytes.starts_with(&[0x1F, 0x8B])
        || bytes.starts_with(b"Rar!")
        || bytes.starts_with(&[b'7', b'z', 0xBC, 0xAF])
    {
        f("压缩包", "请解压后把其中的进展表（.xlsx）单独报送")
    } else if is_biff_stream(bytes) {
        EXCEL95
    } else if lower.contains("urn:schemas-microsoft-com:office:spreadsheet") {
        f("Excel 2003 XML 表格", SAVE_AS_XLSX)
    } else if lower.contains("<html") || lower.contains("<table") {
        f("网页（HTML）格式的表格", SAVE_AS_XLSX)
    } else if let Some(text) = as_text(bytes) {
        // CSV or tab-separated: one ASCII separator on every one of the first lines, twice on
        // at least one (prose with a comma is not a table).
        let lines: Vec<&str> = text
            .lines()
            .take(5)
            .filter(|l| !l.trim().is_empty())
            .collect();
        let separated = [',', '\t', ';'].iter().any(|sep| {
            !lines.is_empty()
                && lines.iter().all(|l| l.contains(*sep))
                && lines.iter().any(|l| l.matches(*sep).count() >= 2)
        });
        if separated {
            f("CSV 文本表格", SAVE_AS_XLSX)
        } else {
            f("文本文件", FILL_FORM)
        }
    } else {
        f(
            "无法识别的文件",
            "请确认发来的是进展表，用 Excel 或 WPS 打开后另存为 .xlsx 再报送",
        )
    }
}

/// The start of `bytes` as text (UTF-8, or UTF-16 with a byte-order mark), if it is text.
fn as_text(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(2048)];
    if let Some(rest) = head.strip_prefix(&[0xFF, 0xFE]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        return Some(String::from_utf16_lossy(&units));
    }
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        // a multi-byte character cut at the end of the sample
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&head[..e.valid_up_to()]).ok()?,
        Err(_) => return None,
    };
    (!text.contains('\0')).then(|| text.to_string())
}

/// A bare BIFF2–BIFF5 worksheet or workbook stream (Excel 2.x–95 `.xls`, not inside a
/// compound file): a BOF record first.
fn is_biff_stream(bytes: &[u8]) -> bool {
    let typ = u16::from_le_bytes([bytes[0], *bytes.get(1).unwrap_or(&0)]);
    matches!(typ, 0x0009 | 0x0209 | 0x0409 | 0x0809)
        && bytes.get(2..4).is_some_and(|len| {
            let len = u16::from_le_bytes([len[0], len[1]]);
            (4..=20).contains(&len)
        })
}

pub(super) fn foreign(what: Foreign) -> ReadError {
    let code = if what == EXCEL95 {
        ProblemCode::OldExcelFormat
    } else {
        ProblemCode::NotAWorkbook
    };
    ReadError::new(
        code,
        format!(
            "文件内容是{}，不是 Excel/WPS 表格，无法读取；{}",
            what.what, what.advice
        ),
    )
}

pub(super) fn password_error() -> ReadError {
    ReadError::new(
        ProblemCode::PasswordProtected,
        "文件有密码保护（已加密），无法读取；请去掉密码后重新报送（Excel：文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码；WPS：文件 → 文档加密 → 密码加密，清空密码）",
    )
}

/// A damaged file; `detail` (a parser's words) goes to the problem's technical detail.
pub(super) fn corrupt(detail: impl std::fmt::Display) -> ReadError {
    let detail = detail.to_string();
    // the zip reader stops at the size the directory declares: a lying directory
    let detail = if detail.contains("declared uncompressed size") {
        format!("压缩包目录中声明的解压大小与实际内容不符（{detail}）")
    } else {
        detail
    };
    ReadError::new(
        ProblemCode::CorruptFile,
        "文件已损坏（文件不完整），无法读取；请用 Excel 或 WPS 打开后另存为 .xlsx 再报送，打不开时请重新填报",
    )
    .with_detail(detail)
}

/// Zip containers: xlsx/xlsm, xlsb, ods, or something else zipped.
fn sniff_zip(bytes: &[u8]) -> Result<Format, ReadError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(corrupt)?;
    // Part names compared as Excel does: case-insensitive, either slash.
    let names: Vec<String> = zip
        .file_names()
        .filter_map(Result::ok)
        .map(|n| n.replace('\\', "/").to_ascii_lowercase())
        .collect();
    let has = |suffix: &str| {
        names
            .iter()
            .any(|n| n == suffix.trim_start_matches('/') || n.ends_with(suffix))
    };
    if has("/workbook.bin") {
        return Ok(Format::Xlsb);
    }
    if has("/workbook.xml")
        || (has("[content_types].xml")
            && !has("word/document.xml")
            && content_types_say_spreadsheet(&mut zip))
    {
        return Ok(Format::Xlsx);
    }
    if names.iter().any(|n| n == "content.xml") {
        let mut mime = String::new();
        if let Ok(f) = zip.by_name("mimetype") {
            let _ = f.take(200).read_to_string(&mut mime);
        }
        if mime.is_empty() || mime.contains("spreadsheet") {
            if odf_encrypted(&mut zip) {
                return Err(password_error());
            }
            return Ok(Format::Ods);
        }
        return Err(foreign(Foreign {
            what: if mime.contains("text") {
                "文字文档（ODT）"
            } else if mime.contains("presentation") {
                "演示文稿（ODP）"
            } else {
                "OpenDocument 文档"
            },
            advice: FILL_FORM,
        }));
    }
    let what = if names
        .iter()
        .any(|n| n.starts_with("index/") || n == "index.zip")
    {
        Foreign {
            what: "Apple Numbers 表格",
            advice: "请在 Numbers 中选择“文件 → 导出为 → Excel”，导出 .xlsx 后报送",
        }
    } else if has("word/document.xml") {
        Foreign {
            what: "Word 文档",
            advice: FILL_FORM,
        }
    } else if names.iter().any(|n| n.starts_with("ppt/")) {
        Foreign {
            what: "PowerPoint 演示文稿",
            advice: FILL_FORM,
        }
    } else {
        Foreign {
            what: "压缩包",
            advice: "请解压后把其中的进展表（.xlsx）单独报送",
        }
    };
    Err(foreign(what))
}

/// `[Content_Types].xml` names a spreadsheet main part.
fn content_types_say_spreadsheet(zip: &mut zip::ZipArchive<Cursor<&[u8]>>) -> bool {
    let Some(index) = (0..zip.len()).find(|i| {
        zip.name_for_index(*i)
            .and_then(Result::ok)
            .is_some_and(|n| n.eq_ignore_ascii_case("[Content_Types].xml"))
    }) else {
        return false;
    };
    let mut text = String::new();
    if let Ok(f) = zip.by_index(index) {
        let _ = f.take(1 << 20).read_to_string(&mut text);
    }
    text.contains("spreadsheetml.sheet.main") || text.contains("ms-excel.sheet.macroEnabled.main")
}

/// The ODF manifest declares encrypted parts.
fn odf_encrypted(zip: &mut zip::ZipArchive<Cursor<&[u8]>>) -> bool {
    let mut text = String::new();
    if let Ok(f) = zip.by_name("META-INF/manifest.xml") {
        let _ = f.take(1 << 20).read_to_string(&mut text);
    }
    text.contains("encryption-data")
}

/// Compound files: an encrypted OOXML package, a BIFF8 workbook (Excel 97–2003, WPS `.et`),
/// an Excel 95 workbook, or another Office document.
fn sniff_cfb(bytes: &[u8]) -> Result<Format, ReadError> {
    let file = match cfb::CompoundFile::open(Cursor::new(bytes)) {
        Ok(f) => f,
        // Unreadable as a compound file: a string search still finds an encrypted package's
        // stream names, and the message must say “password” when it is one.
        Err(e) => {
            if contains_utf16(bytes, "EncryptedPackage") || contains_utf16(bytes, "EncryptionInfo")
            {
                return Err(password_error());
            }
            return Err(corrupt(e));
        }
    };
    let streams: Vec<String> = file
        .walk()
        .filter(|e| e.is_stream())
        .map(|e| e.name().to_string())
        .collect();
    let has = |name: &str| streams.iter().any(|s| s.eq_ignore_ascii_case(name));
    if has("EncryptionInfo") || has("EncryptedPackage") {
        return Err(password_error());
    }
    // A BIFF workbook: its globals (version, FILEPASS) are read by the xls guard, which reads
    // the stream anyway, before anything else looks at its records.
    if has("Workbook") {
        return Ok(Format::Xls);
    }
    if has("Book") {
        return Err(foreign(EXCEL95));
    }
    let what = if has("WordDocument") {
        "Word 文档（.doc）"
    } else if has("PowerPoint Document") {
        "PowerPoint 演示文稿（.ppt）"
    } else {
        "其他 Office 文档"
    };
    Err(foreign(Foreign {
        what,
        advice: FILL_FORM,
    }))
}

/// What the start of a BIFF workbook stream says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Globals {
    Biff8,
    Encrypted,
    Older,
    Unknown,
}

/// Reads the globals substream's records up to its EOF: the BOF's version, and whether a
/// FILEPASS record (encryption) is among them.
pub(super) fn biff_globals(stream: &[u8]) -> Globals {
    let mut records = xls_guard::biff_records(stream);
    let Some((typ, data)) = records.next() else {
        return Globals::Unknown;
    };
    if typ != 0x0809 {
        return if matches!(typ, 0x0009 | 0x0209 | 0x0409) {
            Globals::Older
        } else {
            Globals::Unknown
        };
    }
    let version = data
        .get(0..2)
        .map(|v| u16::from_le_bytes([v[0], v[1]]))
        .unwrap_or(0);
    if version != 0 && version < 0x0600 {
        return Globals::Older;
    }
    for (typ, _) in records {
        match typ {
            0x002F => return Globals::Encrypted,
            0x000A => break,
            _ => {}
        }
    }
    Globals::Biff8
}

pub(super) fn contains_utf16(bytes: &[u8], needle: &str) -> bool {
    let pattern: Vec<u8> = needle.encode_utf16().flat_map(u16::to_le_bytes).collect();
    bytes
        .windows(pattern.len())
        .any(|w| w == pattern.as_slice())
}
