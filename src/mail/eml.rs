//! The few things `duban send` reads from an archived `.eml`: its recipients (To and Cc), and
//! the bytes to send — the file as archived, minus the `X-Unsent` header that makes Outlook open
//! it as a draft, with its `Date` set to the moment it is sent ([`dated`]; the archived file
//! keeps the fixed date of the run). Nothing else of the message is touched.

use lettre::Address;

/// The message's bytes without any `X-Unsent` header (with its folded continuation lines);
/// every other byte is kept as it is.
pub fn without_unsent(bytes: &[u8]) -> Vec<u8> {
    let header_end = header_end(bytes);
    let mut out = Vec::with_capacity(bytes.len());
    let mut dropping = false;
    for line in lines(&bytes[..header_end]) {
        let continuation = line.first().is_some_and(|b| *b == b' ' || *b == b'\t');
        if !continuation {
            dropping = header_name(line).is_some_and(|n| n.eq_ignore_ascii_case(b"X-Unsent"));
        }
        if !dropping {
            out.extend_from_slice(line);
        }
    }
    out.extend_from_slice(&bytes[header_end..]);
    out
}

/// The message with its `Date` header (folded lines included) replaced by `date` (an RFC 5322
/// date-time, e.g. `Tue, 1 Dec 2026 09:30:05 +0800`), or given one first when it has none;
/// every other byte is kept. The line ending follows the message's own.
pub fn dated(bytes: &[u8], date: &str) -> Vec<u8> {
    let header_end = header_end(bytes);
    let eol: &[u8] = if bytes[..header_end].windows(2).any(|w| w == b"\r\n") || header_end == 0 {
        b"\r\n"
    } else {
        b"\n"
    };
    let mut line_out = Vec::with_capacity(date.len() + 8);
    line_out.extend_from_slice(b"Date: ");
    line_out.extend_from_slice(date.as_bytes());
    line_out.extend_from_slice(eol);
    let mut out = Vec::with_capacity(bytes.len() + line_out.len());
    let mut dropping = false;
    let mut replaced = false;
    for line in lines(&bytes[..header_end]) {
        let continuation = line.first().is_some_and(|b| *b == b' ' || *b == b'\t');
        if !continuation {
            dropping = header_name(line).is_some_and(|n| n.eq_ignore_ascii_case(b"Date"));
            if dropping && !replaced {
                out.extend_from_slice(&line_out);
                replaced = true;
            }
        }
        if !dropping {
            out.extend_from_slice(line);
        }
    }
    if !replaced {
        let mut with_date = line_out;
        with_date.extend_from_slice(&out);
        out = with_date;
    }
    out.extend_from_slice(&bytes[header_end..]);
    out
}

/// Every address in the To and Cc headers, in order, without duplicates.
///
/// # Errors
/// A Chinese reason when there is no recipient or an address is malformed.
pub fn recipients(bytes: &[u8]) -> Result<Vec<Address>, String> {
    let mut out: Vec<Address> = Vec::new();
    for (name, value) in headers(&bytes[..header_end(bytes)]) {
        if !(name.eq_ignore_ascii_case("to") || name.eq_ignore_ascii_case("cc")) {
            continue;
        }
        for raw in address_list(&value) {
            let address: Address = raw
                .parse()
                .map_err(|_| format!("收件人地址“{raw}”格式不正确"))?;
            if !out.contains(&address) {
                out.push(address);
            }
        }
    }
    if out.is_empty() {
        return Err("邮件没有收件人（To/Cc 为空）".to_string());
    }
    Ok(out)
}

/// Offset just past the blank line that ends the header block (the whole message when none).
fn header_end(bytes: &[u8]) -> usize {
    let mut at = 0;
    for line in lines(bytes) {
        at += line.len();
        if line == b"\r\n" || line == b"\n" {
            return at;
        }
    }
    bytes.len()
}

/// Lines with their terminators.
fn lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    bytes.split_inclusive(|b| *b == b'\n')
}

/// The name of a header line (`To` of `To: …`).
fn header_name(line: &[u8]) -> Option<&[u8]> {
    let colon = line.iter().position(|b| *b == b':')?;
    let name = &line[..colon];
    (!name.is_empty() && name.iter().all(|b| b.is_ascii_graphic())).then_some(name)
}

/// Unfolded `(name, value)` pairs of a header block.
fn headers(block: &[u8]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in lines(block) {
        let text = String::from_utf8_lossy(line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            break;
        }
        if text.starts_with([' ', '\t']) {
            if let Some((_, value)) = out.last_mut() {
                value.push(' ');
                value.push_str(text.trim());
            }
        } else if let Some((name, value)) = text.split_once(':') {
            out.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    out
}

/// The addresses of an address-list header value: the part in `<…>` of each mailbox, or the
/// bare address; commas inside quotes, comments or angle brackets do not split.
fn address_list(value: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let (mut quoted, mut comment, mut angle) = (false, 0u32, false);
    let mut escaped = false;
    for c in value.chars() {
        if escaped {
            escaped = false;
            current.push(c);
            continue;
        }
        match c {
            '\\' if quoted => escaped = true,
            '"' if comment == 0 && !angle => quoted = !quoted,
            '(' if !quoted && !angle => comment += 1,
            ')' if !quoted && comment > 0 => comment -= 1,
            '<' if !quoted && comment == 0 => angle = true,
            '>' if !quoted && comment == 0 => angle = false,
            ',' if !quoted && comment == 0 && !angle => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    parts.push(current);
    parts
        .iter()
        .filter_map(|part| {
            let inner = match (part.rfind('<'), part.rfind('>')) {
                (Some(open), Some(close)) if open < close => &part[open + 1..close],
                _ => part.as_str(),
            };
            let inner = inner.trim();
            (!inner.is_empty()).then(|| inner.to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MESSAGE: &[u8] = b"From: =?utf-8?b?5biC?= <a@example.org>\r\n\
To: \"Li, Ming\" <li@example.org>, =?utf-8?b?5biC?=\r\n <wang@example.org>\r\n\
Cc: zhao@example.org\r\n\
X-Unsent: 1\r\n\
Subject: x\r\n\
\r\n\
X-Unsent: 1 stays in the body\r\n";

    #[test]
    fn drops_only_the_unsent_header() {
        let sent = without_unsent(MESSAGE);
        let text = String::from_utf8(sent).expect("utf-8");
        assert!(!text.contains("X-Unsent: 1\r\nSubject"));
        assert!(text.contains("Subject: x\r\n\r\nX-Unsent: 1 stays in the body\r\n"));
        assert_eq!(text.len(), MESSAGE.len() - "X-Unsent: 1\r\n".len());
    }

    #[test]
    fn folded_unsent_header_goes_whole() {
        let m = b"X-Unsent:\r\n 1\r\nTo: a@example.org\r\n\r\nbody";
        assert_eq!(without_unsent(m), b"To: a@example.org\r\n\r\nbody".to_vec());
    }

    #[test]
    fn the_date_is_replaced_and_nothing_else() {
        let m = b"Date: Mon, 30 Nov 2026 00:00:00 +0800\r\n (old)\r\nTo: a@example.org\r\n\r\nDate: body\r\n";
        let sent = dated(m, "Tue, 1 Dec 2026 09:30:05 +0800");
        assert_eq!(
            sent,
            b"Date: Tue, 1 Dec 2026 09:30:05 +0800\r\nTo: a@example.org\r\n\r\nDate: body\r\n"
                .to_vec()
        );
        let undated = dated(
            b"To: a@example.org\r\n\r\nx",
            "Tue, 1 Dec 2026 09:30:05 +0800",
        );
        assert_eq!(
            undated,
            b"Date: Tue, 1 Dec 2026 09:30:05 +0800\r\nTo: a@example.org\r\n\r\nx".to_vec()
        );
    }

    #[test]
    fn recipients_from_to_and_cc() {
        let list: Vec<String> = recipients(MESSAGE)
            .expect("recipients")
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            list,
            ["li@example.org", "wang@example.org", "zhao@example.org"]
        );
        assert!(recipients(b"Subject: none\r\n\r\n").is_err());
        assert!(recipients(b"To: not an address\r\n\r\n").is_err());
    }
}
