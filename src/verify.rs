//! Is an archived month still what its run wrote? Every file is re-hashed against the SHA-256
//! that `run.json` records for it.
//!
//! `run.json` lists every output file but itself and `timings.json`; the send logs
//! (`邮件/发送记录.csv`, `templates/发送记录.csv`) are the only files allowed to change after the
//! run, so they are neither checked nor counted as extra.
//!
//! run.json itself is checked against the archive ledger `归档登记.csv` beside the month folders
//! ([`LEDGER`]): each run records there the SHA-256 of the run.json it archived, so an edit of
//! a file *and* of its hash in run.json shows as a run.json the ledger does not know. The
//! ledger is plain text too: whoever can rewrite both it and the month folder can still forge
//! an archive (the send's address check against units.toml is the last line for mail). Entries
//! that are not regular files (links, pipes) are never opened; a file that cannot be read is
//! listed and the check goes on.

use crate::deliver::sha256_hex;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// File name of the send log (in `邮件/` for notices, in `templates/` for templates).
pub const SEND_LOG: &str = "发送记录.csv";

/// What re-hashing a month found. Paths are relative to the month folder, `/`-separated, sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyReport {
    /// The month folder checked.
    pub dir: PathBuf,
    /// The manifest it was checked against: `run.json`, or `year.json` for a year folder.
    pub manifest: &'static str,
    /// Files whose bytes differ from run.json's hash (or size).
    pub changed: Vec<String>,
    /// Files run.json lists that are gone.
    pub missing: Vec<String>,
    /// Files present that run.json does not list.
    pub extra: Vec<String>,
    /// Entries that could not be read, or are no longer regular files, with the reason.
    pub unreadable: Vec<String>,
    /// The ledger holds lines for this month, none of them for this run.json.
    pub manifest_forged: bool,
    /// The ledger exists but has no line for this month.
    pub unregistered: bool,
    /// Files that matched.
    pub intact: usize,
}

impl VerifyReport {
    /// Nothing changed, missing or extra.
    pub fn is_intact(&self) -> bool {
        self.changed.is_empty()
            && self.missing.is_empty()
            && self.extra.is_empty()
            && self.unreadable.is_empty()
            && !self.manifest_forged
            && !self.unregistered
    }

    /// The findings in Chinese, one line each (empty when intact).
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.manifest_forged {
            out.push(format!(
                "{} 已被改动：其校验值与 {LEDGER} 中本月登记的不符（清单本身被改过，其中记录的校验值不可信）",
                self.manifest
            ));
        }
        if self.unregistered {
            out.push(format!(
                "{} 未在 {LEDGER} 中登记（登记行被删除，或本月不是由 duban run 归档的）",
                self.manifest
            ));
        }
        out.extend(self.unreadable.iter().map(|p| format!("无法核对：{p}")));
        out.extend(
            self.changed
                .iter()
                .map(|p| format!("已被改动：{p}（与 {} 记录的校验值不符）", self.manifest)),
        );
        out.extend(
            self.missing
                .iter()
                .map(|p| format!("已缺失：{p}（{} 中有记录，文件不存在）", self.manifest)),
        );
        out.extend(
            self.extra
                .iter()
                .map(|p| format!("多出文件：{p}（{} 中没有记录）", self.manifest)),
        );
        out
    }
}

/// The month folder cannot be checked at all.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("{dir} 不是已归档的月份：没有 run.json。请先运行 duban run 生成该月结果")]
    NotArchived { dir: String },
    #[error("无法读取 {path}：{source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} 已损坏，无法解析：{source}")]
    BadRunJson {
        path: String,
        #[source]
        source: serde_json::Error,
    },
}

#[derive(Deserialize)]
struct RunJson {
    outputs: Vec<Listed>,
}

#[derive(Deserialize)]
struct Listed {
    path: String,
    bytes: u64,
    sha256: String,
}

/// The size and SHA-256 that `dir/run.json` records for the file `rel` (`/`-separated), `None`
/// when run.json does not list it.
pub fn recorded_hash(dir: &Path, rel: &str) -> Result<Option<(u64, String)>, VerifyError> {
    let parsed = read_manifest(dir, "run.json")?;
    Ok(parsed
        .outputs
        .into_iter()
        .find(|l| l.path == rel)
        .map(|l| (l.bytes, l.sha256)))
}

fn read_manifest(dir: &Path, manifest: &str) -> Result<RunJson, VerifyError> {
    let run_json = dir.join(manifest);
    if !run_json.is_file() {
        return Err(VerifyError::NotArchived {
            dir: dir.display().to_string(),
        });
    }
    let text = std::fs::read(&run_json).map_err(|source| VerifyError::Read {
        path: run_json.display().to_string(),
        source,
    })?;
    serde_json::from_slice(&text).map_err(|source| VerifyError::BadRunJson {
        path: run_json.display().to_string(),
        source,
    })
}

/// Files never listed in run.json and allowed to be there.
fn unlisted(rel: &str) -> bool {
    crate::deliver::UNLISTED.contains(&rel) || is_send_log(rel)
}

/// The manifest of a year folder (`duban year`), in run.json's shape.
pub const YEAR_MANIFEST: &str = "year.json";

/// `邮件/发送记录.csv` or `templates/发送记录.csv` (those two only).
pub fn is_send_log(rel: &str) -> bool {
    [crate::deliver::MAIL_DIR, crate::pipeline::TEMPLATES_DIR]
        .iter()
        .any(|dir| rel.strip_prefix(dir).and_then(|r| r.strip_prefix('/')) == Some(SEND_LOG))
}

/// File name of the archive ledger, in the output folder beside the month folders.
pub const LEDGER: &str = "归档登记.csv";

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
        crate::deliver::push_record(text, cells.into_iter());
    };
    if file.metadata()?.len() == 0 {
        text.push('\u{FEFF}');
        let header = ["月份", "run.json 的 SHA-256", "字节数"];
        crate::deliver::push_record(&mut text, header.into_iter().map(str::to_string));
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
            let bytes = std::fs::read(e.path().join("run.json")).ok()?;
            Some((name, bytes))
        })
        .collect();
    out.sort();
    out
}

/// The SHA-256 values the ledger beside `dir` records for `dir`'s month; `None` when there is
/// no ledger at all (archives made before it existed).
fn registered(dir: &Path) -> Option<Vec<String>> {
    let name = dir.file_name()?.to_string_lossy().into_owned();
    let bytes = std::fs::read(dir.parent()?.join(LEDGER)).ok()?;
    let text = String::from_utf8_lossy(&bytes);
    Some(
        crate::deliver::read_csv(&text)
            .into_iter()
            .filter(|record| record.first() == Some(&name))
            .filter_map(|record| record.get(1).cloned())
            .collect(),
    )
}

/// Re-hashes every file of the archived month folder `dir` against its `run.json`.
pub fn verify_month(dir: &Path) -> Result<VerifyReport, VerifyError> {
    verify_folder(dir, "run.json")
}

/// Re-hashes a year folder of `duban year` against its `year.json`.
pub fn verify_year(dir: &Path) -> Result<VerifyReport, VerifyError> {
    verify_folder(dir, YEAR_MANIFEST)
}

fn verify_folder(dir: &Path, manifest: &'static str) -> Result<VerifyReport, VerifyError> {
    let parsed = read_manifest(dir, manifest)?;
    let listed: BTreeMap<String, Listed> = parsed
        .outputs
        .into_iter()
        .map(|l| (l.path.clone(), l))
        .collect();
    let mut report = VerifyReport {
        dir: dir.to_path_buf(),
        manifest,
        ..VerifyReport::default()
    };
    if manifest == "run.json"
        && let Some(known) = registered(dir)
    {
        let bytes = std::fs::read(dir.join(manifest)).map_err(|source| VerifyError::Read {
            path: dir.join(manifest).display().to_string(),
            source,
        })?;
        if known.is_empty() {
            report.unregistered = true;
        } else if !known.contains(&sha256_hex(&bytes)) {
            report.manifest_forged = true;
        }
    }
    let on_disk = entries_under(dir, &mut report.unreadable);
    for (rel, entry) in &listed {
        if is_send_log(rel) {
            continue;
        }
        match on_disk.get(rel) {
            None => report.missing.push(rel.clone()),
            Some(false) => report.unreadable.push(format!(
                "{rel}（已不是普通文件，而是链接、文件夹或其他特殊文件）"
            )),
            Some(true) => match std::fs::read(dir.join(rel)) {
                Ok(bytes)
                    if bytes.len() as u64 == entry.bytes && sha256_hex(&bytes) == entry.sha256 =>
                {
                    report.intact += 1;
                }
                Ok(_) => report.changed.push(rel.clone()),
                Err(e) => report.unreadable.push(format!("{rel}（{e}）")),
            },
        }
    }
    report.extra = on_disk
        .keys()
        .filter(|rel| !listed.contains_key(*rel) && !unlisted(rel) && rel.as_str() != manifest)
        .cloned()
        .collect();
    Ok(report)
}

/// Every entry under `dir` by `/`-separated relative path: `true` for a regular file, `false`
/// for anything else that is not a folder (a link — never followed —, a pipe, a device).
/// Folders that cannot be listed are noted in `unreadable` and skipped.
fn entries_under(dir: &Path, unreadable: &mut Vec<String>) -> BTreeMap<String, bool> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let rel_of = |p: &Path| {
            p.strip_prefix(dir)
                .map(crate::deliver::slash_path)
                .unwrap_or_else(|_| p.display().to_string())
        };
        let entries = match std::fs::read_dir(&d) {
            Ok(entries) => entries,
            Err(e) => {
                unreadable.push(format!("{}/（{e}）", rel_of(&d)));
                continue;
            }
        };
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    unreadable.push(format!("{}/（{e}）", rel_of(&d)));
                    continue;
                }
            };
            let path = entry.path();
            match entry.file_type() {
                Ok(t) if t.is_dir() => stack.push(path),
                Ok(t) => {
                    out.insert(rel_of(&path), t.is_file());
                }
                Err(e) => unreadable.push(format!("{}（{e}）", rel_of(&path))),
            }
        }
    }
    out
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
/// only templates.
pub fn unarchived(dir: &Path) -> Unarchived {
    let built = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .any(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name != crate::pipeline::TEMPLATES_DIR && !name.starts_with('.')
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
}
