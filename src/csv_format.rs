//! The one shape of every CSV duban writes and reads (清单.csv, the send and reply logs, the
//! archive ledger): UTF-8 with BOM, CRLF, RFC 4180 quoting by the `csv` crate, and every cell
//! guarded against formula injection. Below every stage that writes a CSV, so the archive's
//! ledger and the deliver stage share it without depending on each other.

/// Appends one CSV record (RFC 4180, CRLF), each cell guarded against formula injection.
pub fn push_record(out: &mut String, cells: impl Iterator<Item = String>) {
    let mut writer = csv_writer();
    // Writing into a Vec cannot fail, and csv writes UTF-8 as it was given.
    let _ = writer.write_record(cells.map(|c| guard(&c).into_owned()));
    if let Ok(bytes) = writer.into_inner() {
        out.push_str(&String::from_utf8_lossy(&bytes));
    }
}

/// The one shape of every CSV duban writes: `,`, `"` quoting where needed, CRLF.
fn csv_writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .flexible(true)
        .from_writer(Vec::new())
}

/// A cell starting with `= + - @`, their full-width forms, a tab or CR is prefixed with `'`
/// so spreadsheets show it as text (the CSV itself is the `csv` crate's).
fn guard(raw: &str) -> std::borrow::Cow<'_, str> {
    match raw.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '＝' | '＋' | '－' | '＠') => {
            format!("'{raw}").into()
        }
        _ => raw.into(),
    }
}

/// One cell as [`push_record`] writes it: guarded, then quoted where RFC 4180 needs it.
#[cfg(test)]
fn csv_cell(raw: &str) -> String {
    let mut record = String::new();
    push_record(&mut record, std::iter::once(raw.to_string()));
    record.truncate(record.len() - "\r\n".len());
    record
}

/// Records of a CSV text as duban writes it (RFC 4180 by the `csv` crate; a leading BOM), with
/// the `'` guard that [`guard`] puts before a cell that a
/// spreadsheet would read as a formula taken off again.
pub fn read_csv(text: &str) -> Vec<Vec<String>> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .into_records()
        // a record csv cannot read (invalid UTF-8 cannot occur in a &str) ends the table
        .map_while(Result::ok)
        .map(|record| {
            record
                .iter()
                .map(|cell| unguard(cell.to_string()))
                .collect()
        })
        .collect()
}

/// Takes off the formula guard `'` that [`guard`] adds.
fn unguard(cell: String) -> String {
    let mut chars = cell.chars();
    if chars.next() == Some('\'')
        && let Some(next) = chars.next()
        && guard(&next.to_string()).starts_with('\'')
    {
        return cell['\''.len_utf8()..].to_string();
    }
    cell
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells() {
        assert_eq!(csv_cell("市科技局"), "市科技局");
        assert_eq!(csv_cell("=1+1"), "'=1+1");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(
            csv_cell("=HYPERLINK(\"x\",\"y\")"),
            "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\""
        );
        assert_eq!(csv_cell("\r\n"), "\"'\r\n\"");
    }
}
