//! What a file is by its content (for `duban collect`, which saves workbooks and lists the
//! rest).

use super::ReadError;
use super::sniff::sniff;
use crate::model::ProblemCode;

/// What a file is, judged by its content as intake would judge it (for `duban collect`, which
/// saves workbooks and lists the rest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContentKind {
    /// A workbook intake reads, or one it will name as broken, encrypted or too old: saved.
    Workbook,
    /// A .zip/.rar/.7z/.gz archive.
    Archive,
    /// A picture (a photo or scan of the table).
    Picture,
    /// Anything else, with what it is (“PDF 文件”, “Word 文档”).
    Other(String),
}

/// Whether `bytes` are a workbook format intake reads (not damaged, not encrypted).
pub fn is_readable_format(bytes: &[u8]) -> bool {
    sniff(bytes).is_ok()
}

/// The kind of `bytes` (see [`ContentKind`]).
pub fn content_kind(bytes: &[u8]) -> ContentKind {
    match sniff(bytes) {
        Ok(_) => ContentKind::Workbook,
        Err(ReadError::Refused { code, message, .. }) => match code {
            ProblemCode::NotAWorkbook | ProblemCode::EmptyFile => {
                let what = message
                    .strip_prefix("文件内容是")
                    .and_then(|m| m.split('，').next())
                    .unwrap_or("无法识别的文件");
                match what {
                    "压缩包" => ContentKind::Archive,
                    "图片" => ContentKind::Picture,
                    _ if code == ProblemCode::EmptyFile => ContentKind::Other("空文件".into()),
                    _ => ContentKind::Other(what.to_string()),
                }
            }
            _ => ContentKind::Workbook,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intake::read::sniff::CFB_MAGIC;

    #[test]
    fn content_kinds_for_collect() {
        assert_eq!(content_kind(b"Rar!\x1a\x07\x00"), ContentKind::Archive);
        assert_eq!(
            content_kind(&[0x89, b'P', b'N', b'G', 0, 0, 0, 0]),
            ContentKind::Picture
        );
        assert_eq!(
            content_kind(b"%PDF-1.7"),
            ContentKind::Other("PDF 文件".into())
        );
        assert_eq!(content_kind(b""), ContentKind::Other("空文件".into()));
        // a damaged compound file (xls/et) is still saved: intake names what is wrong
        let mut cfb = CFB_MAGIC.to_vec();
        cfb.resize(512, 0);
        assert_eq!(content_kind(&cfb), ContentKind::Workbook);
    }
}
