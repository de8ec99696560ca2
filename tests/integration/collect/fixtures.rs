//! Replies as the units' mail clients write them (test fixtures, built byte by byte).

use super::*;

pub(super) fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub(super) fn base64_lines(bytes: &[u8]) -> String {
    let text = base64(bytes);
    text.as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).expect("ascii"))
        .collect::<Vec<_>>()
        .join("\r\n")
}

pub(super) fn pct(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub(super) fn utf8_word(s: &str) -> String {
    format!("=?UTF-8?B?{}?=", base64(s.as_bytes()))
}

/// How the reply's attachment name is written.
#[derive(Clone, Copy)]
pub(super) enum Client {
    /// Foxmail: GBK RFC 2047 in both name= and filename=.
    Foxmail,
    /// NetEase/QQ webmail: GB18030 RFC 2047.
    Webmail,
    /// A Hong Kong / Taiwan webmail: Big5 RFC 2047.
    Big5,
    /// Outlook: RFC 2231 UTF-8 filename*.
    Outlook,
    /// Apple Mail: RFC 2231 in Content-Disposition, quoted-printable text, multipart/alternative.
    AppleMail,
}

pub(super) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// `name`'s header parameters as `client` writes them; `gbk_b64` is the name in GBK (the same
/// bytes in GB18030 for these characters), base64.
pub(super) fn attachment_headers(client: Client, name: &str, gbk_b64: Option<&str>) -> String {
    match client {
        Client::Foxmail => {
            let w = format!("=?GBK?B?{}?=", gbk_b64.expect("GBK name"));
            format!(
                "Content-Type: application/octet-stream;\r\n\tname=\"{w}\"\r\nContent-Disposition: attachment;\r\n\tfilename=\"{w}\"\r\n"
            )
        }
        Client::Webmail => {
            let w = format!("=?gb18030?B?{}?=", gbk_b64.expect("GBK name"));
            format!(
                "Content-Type: application/vnd.ms-excel; name=\"{w}\"\r\nContent-Disposition: attachment; filename=\"{w}\"\r\n"
            )
        }
        Client::Big5 => {
            let w = format!("=?big5?B?{}?=", gbk_b64.expect("Big5 name"));
            format!(
                "Content-Type: application/vnd.ms-excel; name=\"{w}\"\r\nContent-Disposition: attachment; filename=\"{w}\"\r\n"
            )
        }
        Client::Outlook => format!(
            "Content-Type: {XLSX};\r\n\tname=\"{}\"\r\nContent-Disposition: attachment;\r\n\tfilename*=utf-8''{}\r\n",
            utf8_word(name),
            pct(name)
        ),
        // Apple Mail splits a long name into RFC 2231 continuations (filename*0*, filename*1* …)
        Client::AppleMail => {
            // whole characters per piece, as Apple Mail cuts (mail-parser 0.11 decodes each
            // piece on its own, so a cut inside a character would garble the name)
            let mut pieces: Vec<String> = vec![String::new()];
            for c in name.chars() {
                if pieces.last().is_some_and(|p| p.len() >= 40) {
                    pieces.push(String::new());
                }
                if let Some(last) = pieces.last_mut() {
                    last.push_str(&pct(&c.to_string()));
                }
            }
            let params: Vec<String> = pieces
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    if i == 0 {
                        format!("filename*0*=utf-8''{p}")
                    } else {
                        format!("filename*{i}*={p}")
                    }
                })
                .collect();
            format!(
                "Content-Type: {XLSX};\r\n\tx-unix-mode=0644;\r\n\tname=\"{}\"\r\nContent-Disposition: attachment;\r\n\t{}\r\n",
                utf8_word(name),
                params.join(";\r\n\t")
            )
        }
    }
}

/// A reply from `from` carrying `attachments` (headers, bytes), written by `client`.
pub(super) fn reply(
    client: Client,
    from: &str,
    subject: &str,
    id: &str,
    attachments: &[(String, Vec<u8>)],
) -> Vec<u8> {
    let sender = match client {
        Client::Foxmail => format!("\"=?GBK?B?zfW9qLuq?=\" <{from}>"),
        Client::Webmail | Client::Big5 => format!("=?gb18030?B?zfW9qLuq?= <{from}>"),
        _ => format!("{} <{from}>", utf8_word("王建华")),
    };
    let mut m = format!(
        "From: {sender}\r\nTo: duchashi@example.org\r\nSubject: {}\r\nDate: Wed, 25 Nov 2026 09:30:00 +0800\r\nMessage-ID: <{id}>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"=_b_{id}\"\r\n\r\n",
        utf8_word(subject)
    );
    let text = format!(
        "--=_b_{id}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
        base64("报送本月进展表，请查收。".as_bytes())
    );
    match client {
        Client::AppleMail => {
            m.push_str(&format!(
                "--=_b_{id}\r\nContent-Type: multipart/alternative; boundary=\"=_alt_{id}\"\r\n\r\n--=_alt_{id}\r\nContent-Transfer-Encoding: quoted-printable\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n=E8=AF=B7=E6=9F=A5=E6=94=B6\r\n--=_alt_{id}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body>=E8=AF=B7</body></html>\r\n--=_alt_{id}--\r\n"
            ));
        }
        _ => m.push_str(&text),
    }
    for (headers, bytes) in attachments {
        m.push_str(&format!(
            "--=_b_{id}\r\n{headers}Content-Transfer-Encoding: base64\r\n\r\n{}\r\n",
            base64_lines(bytes)
        ));
    }
    m.push_str(&format!("--=_b_{id}--\r\n"));
    m.into_bytes()
}

/// `inner` forwarded as an attachment (message/rfc822) by `from`.
pub(super) fn forward(from: &str, id: &str, inner: &[u8]) -> Vec<u8> {
    let mut m = format!(
        "From: {from}\r\nSubject: {}\r\nDate: Thu, 26 Nov 2026 10:00:00 +0800\r\nMessage-ID: <{id}>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"fw{id}\"\r\n\r\n--fw{id}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nFYI\r\n--fw{id}\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename=\"fwd.eml\"\r\n\r\n",
        utf8_word("转发：进展表")
    )
    .into_bytes();
    m.extend_from_slice(inner);
    m.extend_from_slice(format!("\r\n--fw{id}--\r\n").as_bytes());
    m
}

pub(super) fn xlsx_attachment(
    client: Client,
    name: &str,
    gbk: Option<&str>,
    bytes: Vec<u8>,
) -> (String, Vec<u8>) {
    (attachment_headers(client, name, gbk), bytes)
}

/// The fixture mailbox: every November workbook of the demo as its unit's reply, each unit's
/// client in turn, plus the odd ones (forward in a forward, no attachment, a zip, an unknown
/// sender). Returns (raw message, what the test expects saved) pairs.
pub(super) fn november_replies() -> Vec<Vec<u8>> {
    let units = duban::units::Directory::load(&root().join("input/units.toml")).expect("units");
    let mut names: Vec<String> = std::fs::read_dir(november())
        .expect("november")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".xlsx"))
        .collect();
    names.sort();
    let clients = [Client::Outlook, Client::AppleMail, Client::Outlook];
    let mut out = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let stem = name.trim_end_matches(".xlsx");
        let unit = duban::intake::identify::unit_from_file_name(stem, &units).expect("unit");
        let from = units
            .get(&unit)
            .and_then(|u| u.email.clone())
            .expect("address");
        let bytes = workbook(name);
        let raw = match unit.as_str() {
            // Foxmail, GBK name
            "市发改委" if !name.contains("更正") => reply(
                Client::Foxmail,
                &from,
                "回复：11月进展表",
                "fox-fgw@hhht",
                &[xlsx_attachment(
                    Client::Foxmail,
                    "",
                    Some("ytC3orjEzq8xMdTCvfjVubHtLnhsc3g="),
                    bytes,
                )],
            ),
            // a sender not in units.toml (a clerk's own 163 mailbox): the workbook names its unit
            "市财政局" => reply(
                Client::Webmail,
                "clerk.liu@163.example.com",
                "财政局报送",
                "web-czj@163",
                &[xlsx_attachment(
                    Client::Webmail,
                    "",
                    Some("ytCyxtX+vtaxqMvNLnhsc3g="),
                    bytes,
                )],
            ),
            // Big5 name (“市民委進展表.xlsx”)
            "市民委" => reply(
                Client::Big5,
                &from,
                "進展表",
                "big5-mw@hhht",
                &[xlsx_attachment(
                    Client::Big5,
                    "",
                    Some("paulwalltmmuaartLnhsc3g="),
                    bytes,
                )],
            ),
            // forwarded inside a forward
            "市教育局" => {
                let original = reply(
                    Client::Outlook,
                    "teacher@edu.example.org",
                    "进展表",
                    "inner-jyj@edu",
                    &[xlsx_attachment(Client::Outlook, name, None, bytes)],
                );
                forward(
                    &from,
                    "fwd2-jyj@hhht",
                    &forward("office@edu.example.org", "fwd1-jyj@edu", &original),
                )
            }
            _ => {
                let client = clients[i % clients.len()];
                reply(
                    client,
                    &from,
                    &format!("{unit}11月进展表"),
                    &format!("m{i}@hhht"),
                    &[xlsx_attachment(client, name, None, bytes)],
                )
            }
        };
        out.push(raw);
    }
    // no attachment, and a zip
    out.push(reply(
        Client::Outlook,
        "sfj@hhht.example.org",
        "进展表稍后报送",
        "noatt@hhht",
        &[],
    ));
    let zip = workbook_zip();
    out.push(reply(
        Client::Outlook,
        "sfj@hhht.example.org",
        "进展表（压缩包）",
        "zip@hhht",
        &[(attachment_headers(Client::Outlook, "材料.zip", None), zip)],
    ));
    out
}

/// A .zip holding a text file (not a workbook).
pub(super) fn workbook_zip() -> Vec<u8> {
    use std::io::Write;
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut buf);
    zip.start_file("说明.txt", zip::write::SimpleFileOptions::default())
        .expect("zip");
    zip.write_all("见附件".as_bytes()).expect("zip");
    zip.finish().expect("zip");
    buf.into_inner()
}
