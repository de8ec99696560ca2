//! A unit's reply as duban needs it: who sent it, when, and its attachments, each judged by its
//! content (a workbook, an archive, a picture, something else).
//!
//! MIME, RFC 2047 encoded words, RFC 2231 parameters and the Chinese charsets mail clients
//! write (GBK/GB18030, Big5, UTF-8) are mail-parser's work (`full_encoding`); attachments of a
//! forwarded message (also a forward inside a forward) count as the reply's own.

use super::read::{ContentKind, content_kind, is_readable_format};
use crate::archive::sha256_hex;
use chrono::{DateTime, FixedOffset, TimeZone};
use mail_parser::{MessageParser, MimeHeaders, PartType};

/// One attachment.
#[derive(Debug, Clone)]
pub struct Attachment {
    /// The file name as the sender's client wrote it (decoded); `附件N` when it gave none.
    pub name: String,
    pub bytes: Vec<u8>,
    pub kind: ContentKind,
}

/// One reply.
#[derive(Debug, Clone)]
pub struct Reply {
    /// `Message-ID` (without `<>`), else `sha256:<hex of the raw message>`.
    pub id: String,
    /// SHA-256 of the raw message.
    pub sha256: String,
    /// The sender's address, lower-case (`From`, else `Sender`).
    pub sender: String,
    pub subject: String,
    /// The `Date` header.
    pub date: Option<DateTime<FixedOffset>>,
    pub attachments: Vec<Attachment>,
}

impl Reply {
    /// What the message holds besides workbooks, for a listing: `压缩包 材料.zip、图片 表.jpg`,
    /// or `没有附件`.
    pub fn holds(&self) -> String {
        if self.attachments.is_empty() {
            return "没有附件".into();
        }
        self.attachments
            .iter()
            .map(|a| format!("{} {}", kind_label(&a.kind), a.name))
            .collect::<Vec<_>>()
            .join("、")
    }

    /// The workbook attachments.
    pub fn workbooks(&self) -> impl Iterator<Item = &Attachment> {
        self.attachments
            .iter()
            .filter(|a| a.kind == ContentKind::Workbook)
    }
}

/// `进展表` / `压缩包` / `图片` / what it is.
pub fn kind_label(kind: &ContentKind) -> String {
    match kind {
        ContentKind::Workbook => "进展表".into(),
        ContentKind::Archive => "压缩包".into(),
        ContentKind::Picture => "图片".into(),
        ContentKind::Other(what) => what.clone(),
    }
}

/// Parses a raw RFC 5322 message; `None` when it is not one (no header at all).
pub fn parse(raw: &[u8]) -> Option<Reply> {
    let message = MessageParser::default().parse(raw)?;
    if message.headers().is_empty() {
        return None;
    }
    let sha256 = sha256_hex(raw);
    let id = message
        .message_id()
        .map(|m| {
            m.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string()
        })
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| format!("sha256:{sha256}"));
    let sender = message
        .from()
        .and_then(|a| a.first())
        .or_else(|| message.sender().and_then(|a| a.first()))
        .and_then(|a| a.address())
        .map(|a| a.trim().to_lowercase())
        .unwrap_or_default();
    let subject = message.subject().unwrap_or_default().trim().to_string();
    let date = message.date().and_then(to_chrono);
    let mut attachments = Vec::new();
    collect_attachments(&message, &mut attachments, 0);
    Some(Reply {
        id,
        sha256,
        sender,
        subject,
        date,
        attachments,
    })
}

/// Forwards nest rarely more than a few deep; deeper parts are not looked at.
const MAX_DEPTH: usize = 8;

fn collect_attachments(
    message: &mail_parser::Message<'_>,
    out: &mut Vec<Attachment>,
    depth: usize,
) {
    for part in message.attachments() {
        if let PartType::Message(inner) = &part.body {
            if depth < MAX_DEPTH {
                collect_attachments(inner, out, depth + 1);
            }
            continue;
        }
        let bytes = part.contents().to_vec();
        let name = part
            .attachment_name()
            .map(clean_name)
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| format!("附件{}", out.len() + 1));
        let mut kind = content_kind(&bytes);
        // A damaged file is saved for intake to name as such, unless it is named as an archive
        // (a broken .zip is no workbook).
        if kind == ContentKind::Workbook && is_archive_name(&name) && !is_readable_format(&bytes) {
            kind = ContentKind::Archive;
        }
        out.push(Attachment { name, bytes, kind });
    }
}

fn is_archive_name(name: &str) -> bool {
    let lower = name.to_lowercase();
    [".zip", ".rar", ".7z", ".gz", ".tar", ".tgz"]
        .iter()
        .any(|e| lower.ends_with(e))
}

/// A file name safe to use inside a folder: no path, no control characters.
fn clean_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name);
    last.chars()
        .filter(|c| !c.is_control())
        .map(|c| match c {
            ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c => c,
        })
        .collect::<String>()
        .trim()
        .trim_start_matches('.')
        .to_string()
}

fn to_chrono(d: &mail_parser::DateTime) -> Option<DateTime<FixedOffset>> {
    let offset = i32::from(d.tz_hour) * 3600 + i32::from(d.tz_minute) * 60;
    let offset = FixedOffset::east_opt(if d.tz_before_gmt { -offset } else { offset })?;
    offset
        .with_ymd_and_hms(
            i32::from(d.year),
            u32::from(d.month),
            u32::from(d.day),
            u32::from(d.hour),
            u32::from(d.minute),
            u32::from(d.second),
        )
        .single()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cleaned() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("C:\\Users\\a\\市发改委.xlsx"), "市发改委.xlsx");
        assert_eq!(clean_name(".hidden.xlsx"), "hidden.xlsx");
        assert_eq!(clean_name("a:b?.xlsx"), "a_b_.xlsx");
    }

    #[test]
    fn gbk_rfc2047_name_and_missing_message_id() {
        // “市发改委.xlsx” in GBK, base64 encoded word, as Foxmail writes it
        let name = "=?GBK?B?ytC3orjEzq8ueGxzeA==?=";
        let raw = format!(
            "From: a@b.org\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\nContent-Type: application/octet-stream; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\nContent-Transfer-Encoding: base64\r\n\r\nUEsDBA==\r\n--b--\r\n"
        );
        let reply = parse(raw.as_bytes()).expect("parses");
        assert_eq!(reply.attachments.len(), 1);
        assert_eq!(reply.attachments[0].name, "市发改委.xlsx");
        assert!(reply.id.starts_with("sha256:"));
        assert_eq!(reply.sender, "a@b.org");
    }
}
