//! Document numbers (文号) used once per year of issue.
//!
//! A number is used by one document only (a PDF and its OFD twin are one document). Each run
//! numbers its documents gap-free, starting after the highest number already used in its year
//! of issue by every archive under the output folder — the months (`<YYYY-MM>/run.json`) and
//! the year reports (`<YYYY>年度/year.json`), whatever their plan year: December's notices are
//! issued in January and share that year with January's. `number_start` is only the first
//! number of a year with nothing archived. A month rebuilt with `--force` keeps its own
//! numbers: every document it numbered before gets the same number again.
//!
//! Each archive records the numbers it used in its manifest (`document_numbers`); one written
//! before numbers were recorded counts as having used `number_start` … one per notice PDF.

use crate::archive::run_manifest::RunManifest;
use crate::archive::year_manifest::YearManifest;
use crate::archive::{self, YEAR_FILE};
pub use crate::model::{DocumentNumber, Numbering};
use std::path::Path;

/// What a manifest says about numbers: the numbers it records, or — written before numbers
/// were recorded — its date of issue and its files.
struct Used {
    document_numbers: Option<Vec<DocumentNumber>>,
    issued_on: Option<chrono::NaiveDate>,
    outputs: Vec<String>,
}

/// A month's run.json or a year folder's year.json, by its file name.
fn read_manifest(manifest: &Path) -> Option<Used> {
    if manifest.file_name().is_some_and(|n| n == YEAR_FILE) {
        let m = YearManifest::read_file(manifest)?;
        return Some(Used {
            document_numbers: m.document_numbers,
            issued_on: None,
            outputs: m.outputs.into_iter().map(|o| o.path).collect(),
        });
    }
    let m = RunManifest::read_file(manifest)?;
    Some(Used {
        issued_on: m.issued_on_date(),
        document_numbers: m.document_numbers,
        outputs: m.outputs.into_iter().map(|o| o.path).collect(),
    })
}

/// The numbers recorded in one archive's manifest (empty when it records none or cannot be
/// read).
pub fn recorded(manifest: &Path) -> Vec<DocumentNumber> {
    read_manifest(manifest)
        .and_then(|m| m.document_numbers)
        .unwrap_or_default()
}

/// The manifests of every archive under `output`: each month's run.json and each year
/// report's year.json (kept previous versions and temporary folders aside).
pub fn manifests(output: &Path) -> Vec<std::path::PathBuf> {
    let mut out: Vec<std::path::PathBuf> = std::fs::read_dir(output)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let dir = e.path();
            if crate::model::Month::parse(&name).is_some() {
                archive::is_archived(&dir).then(|| archive::run_file(&dir))
            } else if archive::parse_year_folder(&name).is_some() {
                archive::is_year_archived(&dir).then(|| archive::year_file(&dir))
            } else {
                None
            }
        })
        .collect();
    out.sort();
    out
}

/// The numbers of year of issue `year` one manifest used: those it records, or — written
/// before numbers were recorded — the highest such a run used (it numbered its notices from
/// `number_start` on, one per notice PDF).
fn used_in(m: &Used, year: i32, number_start: u32) -> Vec<u32> {
    if let Some(numbers) = &m.document_numbers {
        return numbers
            .iter()
            .filter(|n| n.year == year)
            .map(|n| n.number)
            .collect();
    }
    let Some(issued) = m.issued_on else {
        return Vec::new();
    };
    let notices = m
        .outputs
        .iter()
        .filter(|o| archive::in_dir(o, archive::NOTICE_DIR) && o.ends_with(".pdf"))
        .count();
    match u32::try_from(notices) {
        Ok(count) if count > 0 && chrono::Datelike::year(&issued) == year => {
            vec![number_start.saturating_add(count - 1)]
        }
        _ => Vec::new(),
    }
}

/// Planning reads the archives, so it lives here, beside the reading; the type and
/// [`Numbering::assign`] are `model`'s.
impl Numbering {
    /// The numbering of a run issuing in `year`, after every number used in that year under
    /// `output`; `own` is the manifest of the archive being rebuilt (its numbers are kept).
    pub fn plan(output: &Path, year: i32, number_start: u32, own: Option<&Path>) -> Numbering {
        let highest = manifests(output)
            .iter()
            .filter_map(|m| read_manifest(m))
            .flat_map(|m| used_in(&m, year, number_start))
            .max();
        let kept = own
            .map(recorded)
            .unwrap_or_default()
            .into_iter()
            .filter(|n| n.year == year)
            .map(|n| (n.document, n.number))
            .collect();
        Numbering {
            year,
            next: highest.map_or(number_start, |h| h.saturating_add(1)),
            kept,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, file: &str, numbers: &[(i32, u32)]) {
        let folder = dir.join(name);
        std::fs::create_dir_all(&folder).unwrap_or_else(|e| panic!("{e}"));
        let list: Vec<DocumentNumber> = numbers
            .iter()
            .enumerate()
            .map(|(i, (year, number))| DocumentNumber {
                document: format!("d{i}.pdf"),
                year: *year,
                number: *number,
                text: String::new(),
            })
            .collect();
        let json = serde_json::json!({ "month": name, "document_numbers": list });
        std::fs::write(folder.join(file), json.to_string()).unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    fn continues_after_the_highest_number_of_the_year_of_issue() {
        let dir = std::env::temp_dir().join(format!("duban-numbers-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let out = dir.as_path();
        let fresh = Numbering::plan(out, 2026, 5, None);
        assert_eq!(fresh.next, 5, "nothing archived: number_start");
        write(out, "2026-07", "run.json", &[(2026, 1), (2026, 2)]);
        write(out, "2026-11", "run.json", &[(2026, 40), (2026, 41)]);
        // December of plan year 2026 issued in January 2027
        write(
            out,
            "2026-12",
            "run.json",
            &[(2027, 1), (2027, 2), (2027, 3)],
        );
        write(out, "2026年度", "year.json", &[(2027, 4)]);
        // kept previous versions and unrelated folders are not archives
        write(out, "2026-11.previous-1", "run.json", &[(2026, 90)]);
        assert_eq!(Numbering::plan(out, 2026, 1, None).next, 42);
        assert_eq!(Numbering::plan(out, 2027, 1, None).next, 5);
        assert_eq!(Numbering::plan(out, 2028, 7, None).next, 7);
        // a rebuilt month keeps its own numbers, a new document gets the next free one
        let own = out.join("2026-07").join("run.json");
        let n = Numbering::plan(out, 2026, 1, Some(&own));
        assert_eq!(
            n.assign(["d1.pdf", "new.pdf", "d0.pdf", "new2.pdf"]),
            [2, 42, 1, 43]
        );
        // an archive from before numbers were recorded used number_start … one per notice
        let old = out.join("2029-03");
        std::fs::create_dir_all(&old).unwrap_or_else(|e| panic!("{e}"));
        let outputs: Vec<serde_json::Value> = [
            "督办单/领导/甲.pdf",
            "督办单/领导/甲.ofd",
            "督办单/单位/乙.pdf",
            "汇总表.xlsx",
        ]
        .iter()
        .map(|p| serde_json::json!({ "path": p }))
        .collect();
        let legacy = serde_json::json!({ "issued_on": "2029-04-02", "outputs": outputs });
        std::fs::write(old.join("run.json"), legacy.to_string()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(Numbering::plan(out, 2029, 10, None).next, 12);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
