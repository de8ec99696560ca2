//! Is an archived month still what its run wrote? Every file is re-hashed against the SHA-256
//! that `run.json` records for it.
//!
//! `run.json` lists every output file but itself and `timings.json`; the send logs
//! (`邮件/发送记录.csv`, `templates/发送记录.csv`) are the only files allowed to change after the
//! run, so they are neither checked nor counted as extra.

use crate::deliver::sha256_hex;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
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
    /// Files that matched.
    pub intact: usize,
}

impl VerifyReport {
    /// Nothing changed, missing or extra.
    pub fn is_intact(&self) -> bool {
        self.changed.is_empty() && self.missing.is_empty() && self.extra.is_empty()
    }

    /// The findings in Chinese, one line each (empty when intact).
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
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

/// `邮件/发送记录.csv` or `templates/发送记录.csv`.
fn is_send_log(rel: &str) -> bool {
    rel.rsplit('/').next() == Some(SEND_LOG) && rel.matches('/').count() == 1
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
    let on_disk = files_under(dir).map_err(|source| VerifyError::Read {
        path: dir.display().to_string(),
        source,
    })?;
    let mut report = VerifyReport {
        dir: dir.to_path_buf(),
        manifest,
        ..VerifyReport::default()
    };
    for (rel, entry) in &listed {
        if is_send_log(rel) {
            continue;
        }
        if !on_disk.contains(rel) {
            report.missing.push(rel.clone());
            continue;
        }
        let path = dir.join(rel);
        match std::fs::read(&path) {
            Ok(bytes)
                if bytes.len() as u64 == entry.bytes && sha256_hex(&bytes) == entry.sha256 =>
            {
                report.intact += 1;
            }
            Ok(_) => report.changed.push(rel.clone()),
            Err(source) => {
                return Err(VerifyError::Read {
                    path: path.display().to_string(),
                    source,
                });
            }
        }
    }
    report.extra = on_disk
        .iter()
        .filter(|rel| !listed.contains_key(*rel) && !unlisted(rel) && rel.as_str() != manifest)
        .cloned()
        .collect();
    Ok(report)
}

/// Every file under `dir` by `/`-separated relative path.
fn files_under(dir: &Path) -> std::io::Result<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let entry = entry?;
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(dir) {
                out.insert(crate::deliver::slash_path(rel));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn send_logs_are_the_only_files_allowed_to_change() {
        assert!(is_send_log("邮件/发送记录.csv"));
        assert!(is_send_log("templates/发送记录.csv"));
        assert!(!is_send_log("发送记录.csv"));
        assert!(!is_send_log("督办单/单位/发送记录.csv"));
        assert!(unlisted("timings.json"));
        assert!(!unlisted("邮件/清单.csv"));
    }
}
