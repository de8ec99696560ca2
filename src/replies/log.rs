//! The loop's CSV logs beside the submissions (`收件记录.csv`, `回执记录.csv`, `催报记录.csv`):
//! UTF-8 with BOM, CRLF, one row appended and synced at a time, so a crash loses at most the
//! row in flight; a row cut short by a crash is not read back.

use crate::csv_format::read_csv;
pub use crate::deliver::CsvLog;
use std::path::Path;

/// The complete rows of the log at `path` as maps from column name to cell (none when there is
/// no log).
pub fn read_log_rows(
    path: &Path,
) -> std::io::Result<Vec<std::collections::BTreeMap<String, String>>> {
    let text = match std::fs::read(path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let table = read_csv(&text);
    let Some((header, rows)) = table.split_first() else {
        return Ok(Vec::new());
    };
    Ok(rows
        .iter()
        .filter(|r| r.len() == header.len())
        .map(|r| header.iter().cloned().zip(r.iter().cloned()).collect())
        .collect())
}
