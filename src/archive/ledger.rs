//! The archive ledger `归档登记.csv` ([`LEDGER`]) beside the month folders: one line per
//! archived run.json (month, SHA-256, size), appended and synced before the month folder moves
//! into place, so `verify` can tell a run.json the run wrote from one edited afterwards.

use super::{LEDGER, RUN_FILE, sha256_hex};
use crate::csv_format::{push_record, read_csv};
use std::path::Path;

/// Records in the ledger beside `month_dir` that `run_json` is that month's manifest (one CSV
/// line: month, SHA-256, size; appended and synced). Called before the month folder is moved
/// into place, so every archived run.json has its line.
///
/// # Errors
/// The I/O error of opening, writing or syncing the ledger.
pub fn register(output_root: &Path, folder_name: &str, run_json: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    std::fs::create_dir_all(output_root)?;
    let path = output_root.join(LEDGER);
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)?;
    let mut text = String::new();
    let line = |text: &mut String, name: &str, bytes: &[u8]| {
        let cells = [name.to_string(), sha256_hex(bytes), bytes.len().to_string()];
        push_record(text, cells.into_iter());
    };
    if file.metadata()?.len() == 0 {
        text.push('\u{FEFF}');
        let header = ["月份", "run.json 的 SHA-256", "字节数"];
        push_record(&mut text, header.into_iter().map(str::to_string));
        // A new ledger first takes in the months archived before it existed (as they are now),
        // so they are not reported as unregistered from then on.
        for (name, bytes) in archived_manifests(output_root) {
            line(&mut text, &name, &bytes);
        }
    }
    line(&mut text, folder_name, run_json);
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

/// `(YYYY-MM, run.json bytes)` of every archived month folder under `output_root`, by name.
fn archived_manifests(output_root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(output_root)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_string();
            crate::model::Month::parse(&name)?;
            let bytes = std::fs::read(e.path().join(RUN_FILE)).ok()?;
            Some((name, bytes))
        })
        .collect();
    out.sort();
    out
}

/// The SHA-256 values the ledger beside `dir` records for `dir`'s month; `None` when there is
/// no ledger at all (archives made before it existed).
pub(crate) fn registered(dir: &Path) -> Option<Vec<String>> {
    let name = dir.file_name()?.to_string_lossy().into_owned();
    let bytes = std::fs::read(dir.parent()?.join(LEDGER)).ok()?;
    let text = String::from_utf8_lossy(&bytes);
    Some(
        read_csv(&text)
            .into_iter()
            .filter(|record| record.first() == Some(&name))
            .filter_map(|record| record.get(1).cloned())
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_ledger_takes_in_the_months_archived_before_it() {
        let root = std::env::temp_dir().join(format!("duban-ledger-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let october = root.join("2026-10");
        std::fs::create_dir_all(&october).expect("dir");
        std::fs::write(october.join("run.json"), b"{\"old\": true}").expect("write");
        std::fs::create_dir_all(root.join("2026-10.previous-1")).expect("dir");
        assert_eq!(registered(&october), None, "no ledger yet");
        register(&root, "2026-11", b"{}").expect("register");
        assert_eq!(
            registered(&october),
            Some(vec![sha256_hex(b"{\"old\": true}")])
        );
        assert_eq!(
            registered(&root.join("2026-11")),
            Some(vec![sha256_hex(b"{}")])
        );
        register(&root, "2026-11", b"{ }").expect("register again");
        assert_eq!(
            registered(&root.join("2026-11")).map(|v| v.len()),
            Some(2),
            "a rebuild adds a line"
        );
        assert_eq!(registered(&root.join("2026-12")), Some(Vec::new()));
        std::fs::remove_dir_all(&root).ok();
    }
}
