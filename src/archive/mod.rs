//! The month-folder contract: what an archived month (`output/<YYYY-MM>/`) and a year folder
//! (`output/<YYYY>年度/`) hold, under which names, and how that is checked.
//!
//! - the names of the files and folders every stage agrees on ([`RUN_FILE`], [`RECORD_FILE`],
//!   [`YEAR_FILE`], [`MAIL_DIR`], [`FORMS_DIR`], [`SEND_LOG`], [`LEDGER`], …), each defined
//!   here once;
//! - the manifests, one type each, written and read back by the same code:
//!   [`run_manifest::RunManifest`] (`run.json`), [`record::Record`] (`record.json`) and
//!   [`year_manifest::YearManifest`] (`year.json`);
//! - hashing ([`sha256_hex`]), “is this month archived” ([`is_archived`]);
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

/// Files `run.json` does not list: itself and the non-reproducible timings.
pub const UNLISTED: [&str; 2] = [RUN_FILE, TIMINGS_FILE];

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    use std::fmt::Write;
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest.iter() {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Joins a relative path's components with `/` (as the manifests record paths).
pub fn slash_path(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether the month folder `month_dir` is an archived month: it holds its [`RUN_FILE`].
pub fn is_archived(month_dir: &Path) -> bool {
    month_dir.join(RUN_FILE).is_file()
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
