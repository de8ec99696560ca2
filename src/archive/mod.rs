//! The month-folder contract: what an archived month (`output/<YYYY-MM>/`) and a year folder
//! (`output/<YYYY>年度/`) hold, under which names, and how that is checked.
//!
//! - the names of the files and folders every stage agrees on ([`RUN_FILE`], [`RECORD_FILE`],
//!   [`YEAR_FILE`], [`MAIL_DIR`], [`FORMS_DIR`], [`SEND_LOG`], [`LEDGER`], …), each defined
//!   here once;
//! - the manifests, one type each, written and read back by the same code:
//!   [`run_manifest::RunManifest`] (`run.json`), [`record::Record`] (`record.json`) and
//!   [`year_manifest::YearManifest`] (`year.json`);
//! - the names of the notice folders ([`NOTICE_DIR`], …), of the 汇总表 ([`summary_file_name`]),
//!   of a year folder ([`year_folder`]) and of a replaced folder kept aside ([`previous_name`]);
//! - hashing ([`sha256_hex`], [`Sha256Hasher`]), “is this month archived” ([`is_archived`]) and
//!   “is this year archived” ([`is_year_archived`]);
//! - the ledger of archived run.json files beside the month folders ([`ledger`]) and the
//!   re-hashing of a folder against its manifest ([`verify`]).
//!
//! Writing a folder atomically is `deliver::publish`; reading the past back is `history`. This
//! module imports only `model` and `csv_format`, so every stage may use it.

pub mod ledger;
pub mod record;
pub mod run_manifest;
pub mod verify;
pub mod year_manifest;

pub use run_manifest::{InputFile, RunManifest, input_file};

use std::path::{Path, PathBuf};

/// The month's manifest: every output file with size and SHA-256, the run's counts and problems.
pub const RUN_FILE: &str = "run.json";
/// The run's stage timings (not reproducible, so not listed in run.json).
pub const TIMINGS_FILE: &str = "timings.json";
/// The 汇总表 as reading it back gives, beside it (see [`record::Record`]).
pub const RECORD_FILE: &str = "record.json";
/// The manifest of a year folder (`duban year`), in run.json's shape for its files.
pub const YEAR_FILE: &str = "year.json";
/// Folder of the month's messages, inside `output/<month>/`.
pub const MAIL_DIR: &str = "邮件";
/// Name of the folder (inside `output/<month>/`) the forms go to.
pub const FORMS_DIR: &str = "templates";
/// File name of the list of messages (in `邮件/` and in `templates/`).
pub const MANIFEST_FILE: &str = "清单.csv";
/// File name of the send log (in `邮件/` for notices, in `templates/` for forms).
pub const SEND_LOG: &str = "发送记录.csv";
/// File name of the archive ledger, in the output folder beside the month folders.
pub const LEDGER: &str = "归档登记.csv";
/// Folder of the month's notice PDFs and OFDs, inside `output/<month>/`.
pub const NOTICE_DIR: &str = "督办单";
/// Folder of the leaders' notices (the mayor's first), inside `output/<month>/`.
pub const LEADER_NOTICE_DIR: &str = "督办单/领导";
/// Folder of the units' notices, inside `output/<month>/`.
pub const UNIT_NOTICE_DIR: &str = "督办单/单位";

/// Files `run.json` does not list: itself and the non-reproducible timings.
pub const UNLISTED: [&str; 2] = [RUN_FILE, TIMINGS_FILE];

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let mut hasher = Sha256Hasher::new();
    hasher.update(bytes);
    hasher.finish()
}

/// SHA-256 fed piece by piece (a file read in chunks), giving [`sha256_hex`]'s lowercase hex.
#[derive(Default)]
pub struct Sha256Hasher(sha2::Sha256);

impl Sha256Hasher {
    /// A hasher that has seen nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `bytes` to what is hashed.
    pub fn update(&mut self, bytes: &[u8]) {
        sha2::Digest::update(&mut self.0, bytes);
    }

    /// The lowercase hex SHA-256 of everything added.
    pub fn finish(self) -> String {
        use std::fmt::Write;
        let digest = sha2::Digest::finalize(self.0);
        let mut out = String::with_capacity(64);
        for b in digest.iter() {
            let _ = write!(out, "{b:02x}");
        }
        out
    }
}

/// Whether the manifest path `rel` (slash-separated) lies inside the folder `dir` (one of the
/// constants above, e.g. [`LEADER_NOTICE_DIR`]).
pub fn in_dir(rel: &str, dir: &str) -> bool {
    rel.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
}

/// The 汇总表's file name: `汇总表_2026年11月.xlsx`.
pub fn summary_file_name(month: crate::model::Month) -> String {
    format!("汇总表_{}年{}月.xlsx", month.year, month.month)
}

/// The folder of a year report (`duban year`) under the output folder: `2026年度`.
pub fn year_folder(year: i32) -> String {
    format!("{year}年度")
}

/// The year of a folder named by [`year_folder`] (four digits), or `None`.
pub fn parse_year_folder(name: &str) -> Option<i32> {
    name.strip_suffix("年度")
        .filter(|y| y.len() == 4)
        .and_then(|y| y.parse().ok())
}

/// The name an archived folder `name` (a month or a year folder) is kept under when replaced
/// with `--force`: `<name>.previous-<n>`.
pub fn previous_name(name: &str, n: u32) -> String {
    format!("{name}{PREVIOUS_INFIX}{n}")
}

/// The `n` of a folder named by [`previous_name`] for `name`, or `None`.
pub fn parse_previous_name(folder: &str, name: &str) -> Option<u32> {
    folder
        .strip_prefix(name)?
        .strip_prefix(PREVIOUS_INFIX)?
        .parse()
        .ok()
}

/// What separates a replaced folder's name from its number.
const PREVIOUS_INFIX: &str = ".previous-";

/// Joins a relative path's components with `/` (as the manifests record paths).
pub fn slash_path(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether the month folder `month_dir` is an archived month: it holds its [`RUN_FILE`].
pub fn is_archived(month_dir: &Path) -> bool {
    run_file(month_dir).is_file()
}

/// Whether the year folder `year_dir` (`output/<YYYY>年度/`) is an archived year report: it
/// holds its [`YEAR_FILE`].
pub fn is_year_archived(year_dir: &Path) -> bool {
    year_file(year_dir).is_file()
}

/// The year.json of the year folder `year_dir`.
pub fn year_file(year_dir: &Path) -> PathBuf {
    year_dir.join(YEAR_FILE)
}

/// The run.json of the month folder `month_dir`.
pub fn run_file(month_dir: &Path) -> PathBuf {
    month_dir.join(RUN_FILE)
}

/// `邮件/发送记录.csv` or `templates/发送记录.csv` (those two only).
pub fn is_send_log(rel: &str) -> bool {
    [MAIL_DIR, FORMS_DIR]
        .iter()
        .any(|dir| rel.strip_prefix(dir).and_then(|r| r.strip_prefix('/')) == Some(SEND_LOG))
}

/// Files never listed in run.json and allowed to be there.
pub(crate) fn unlisted(rel: &str) -> bool {
    UNLISTED.contains(&rel) || is_send_log(rel)
}

/// What an output folder that has no run.json holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unarchived {
    /// Only what `duban templates` writes (or nothing): not built yet.
    NotBuilt,
    /// A 汇总表, notices or messages without run.json: the manifest was lost or removed.
    ManifestMissing,
}

/// For a month folder without run.json: whether it was built (and lost its manifest) or holds
/// only forms.
pub fn unarchived(dir: &Path) -> Unarchived {
    let built = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .any(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name != FORMS_DIR && !name.starts_with('.')
        });
    if built {
        Unarchived::ManifestMissing
    } else {
        Unarchived::NotBuilt
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn folder_names_round_trip() {
        assert_eq!(year_folder(2026), "2026年度");
        assert_eq!(parse_year_folder("2026年度"), Some(2026));
        assert_eq!(parse_year_folder("2026年度.previous-1"), None);
        assert_eq!(parse_year_folder("26年度"), None);
        assert_eq!(previous_name("2026-11", 2), "2026-11.previous-2");
        assert_eq!(
            parse_previous_name("2026-11.previous-2", "2026-11"),
            Some(2)
        );
        assert_eq!(parse_previous_name("2026-11.previous-x", "2026-11"), None);
        assert_eq!(parse_previous_name("2026-12.previous-1", "2026-11"), None);
        assert!(in_dir("督办单/领导/a.pdf", LEADER_NOTICE_DIR));
        assert!(in_dir("督办单/单位/a.pdf", NOTICE_DIR));
        assert!(!in_dir("督办单/单位x/a.pdf", UNIT_NOTICE_DIR));
        let month = crate::model::Month {
            year: 2026,
            month: 3,
        };
        assert_eq!(summary_file_name(month), "汇总表_2026年3月.xlsx");
    }

    #[test]
    fn send_logs_are_the_only_files_allowed_to_change() {
        assert!(is_send_log("邮件/发送记录.csv"));
        assert!(is_send_log("templates/发送记录.csv"));
        assert!(!is_send_log("发送记录.csv"));
        assert!(!is_send_log("督办单/单位/发送记录.csv"));
        assert!(!is_send_log("督办单/发送记录.csv"));
        assert!(!is_send_log("邮件x/发送记录.csv"));
        assert!(unlisted("timings.json"));
        assert!(!unlisted("邮件/清单.csv"));
    }

    #[test]
    fn a_month_is_archived_by_its_run_json_file() {
        let dir = std::env::temp_dir().join(format!("duban-archived-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join(FORMS_DIR)).expect("dir");
        assert!(!is_archived(&dir));
        assert_eq!(unarchived(&dir), Unarchived::NotBuilt);
        std::fs::create_dir_all(dir.join(RUN_FILE)).expect("a folder named run.json");
        assert!(!is_archived(&dir), "a folder is not a manifest");
        std::fs::remove_dir(dir.join(RUN_FILE)).expect("rm");
        std::fs::write(dir.join(RUN_FILE), b"{}").expect("write");
        assert!(is_archived(&dir));
        std::fs::remove_dir_all(&dir).ok();
    }
}
