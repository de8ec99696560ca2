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

use super::ledger::registered;
use super::run_manifest::{InputFile, ManifestError};
use super::year_manifest::YearManifest;
use super::{LEDGER, RUN_FILE, RunManifest, YEAR_FILE, is_send_log, sha256_hex, unlisted};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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

/// The month folder cannot be checked at all (no manifest, unreadable, not JSON).
pub type VerifyError = ManifestError;

/// Re-hashes every file of the archived month folder `dir` against its `run.json`.
pub fn verify_month(dir: &Path) -> Result<VerifyReport, VerifyError> {
    let outputs = RunManifest::read(dir)?.outputs;
    verify_folder(dir, RUN_FILE, outputs)
}

/// Re-hashes a year folder of `duban year` against its `year.json`.
pub fn verify_year(dir: &Path) -> Result<VerifyReport, VerifyError> {
    let outputs = YearManifest::read(dir)?.outputs;
    verify_folder(dir, YEAR_FILE, outputs)
}

fn verify_folder(
    dir: &Path,
    manifest: &'static str,
    outputs: Vec<InputFile>,
) -> Result<VerifyReport, VerifyError> {
    let listed: BTreeMap<String, InputFile> =
        outputs.into_iter().map(|l| (l.path.clone(), l)).collect();
    let mut report = VerifyReport {
        dir: dir.to_path_buf(),
        manifest,
        ..VerifyReport::default()
    };
    if manifest == RUN_FILE
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
                    if bytes.len() as u64 == entry.bytes_len
                        && sha256_hex(&bytes) == entry.sha256 =>
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
                .map(super::slash_path)
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
