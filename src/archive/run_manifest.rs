//! `run.json`, the month's manifest: one type, [`RunManifest`], written by the run and read back
//! by verify, the record of the past and the document numbering.
//!
//! Written pretty-printed with a fixed key order and no clock, so the same run gives the same
//! bytes. Read back leniently: a run.json of an older version that lacks a field, or holds a
//! count or problem in an older shape, still gives its files and numbers (a manifest without
//! `outputs` lists no file: verify then finds every file extra).

use super::{MAIL_DIR, MANIFEST_FILE, RECORD_FILE, RUN_FILE, UNLISTED, sha256_hex, slash_path};
use crate::model::{DocumentNumber, Light, MonthReport, Problem, Reconciliation, Severity, Status};
use serde::de::DeserializeOwned;
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize};
use std::path::Path;

/// A file as run.json (and year.json) records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputFile {
    /// Relative to the project (config) folder or the archive folder, `/`-separated.
    pub path: String,
    #[serde(rename = "bytes", default)]
    pub bytes_len: u64,
    #[serde(default)]
    pub sha256: String,
}

impl InputFile {
    /// `bytes` described under `path`: size and SHA-256.
    pub fn describe(path: String, bytes: &[u8]) -> InputFile {
        InputFile {
            path,
            bytes_len: bytes.len() as u64,
            sha256: sha256_hex(bytes),
        }
    }
}

/// Reads `path` and describes it relative to `base` (the config file's folder); a path outside
/// `base` is recorded as given.
pub fn input_file(path: &Path, base: &Path) -> std::io::Result<InputFile> {
    let bytes = std::fs::read(path)?;
    let rel = path
        .strip_prefix(base)
        .map(slash_path)
        .unwrap_or_else(|_| path.display().to_string());
    Ok(InputFile::describe(rel, &bytes))
}

/// Counts under labels, in a fixed key order (a JSON object whose keys keep their order both ways).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelCounts(pub Vec<(String, u32)>);

impl Serialize for LabelCounts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// Read back leniently in order: an entry whose value is not a count is skipped, anything
/// but an object reads as no counts (a JSON value would sort the keys).
impl<'de> Deserialize<'de> for LabelCounts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = LabelCounts;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of counts")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<LabelCounts, A::Error> {
                let mut out = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    let value: serde_json::Value = map.next_value()?;
                    if let Some(n) = value.as_u64().and_then(|n| u32::try_from(n).ok()) {
                        out.push((key, n));
                    }
                }
                Ok(LabelCounts(out))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<LabelCounts, A::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(LabelCounts::default())
            }
            fn visit_unit<E>(self) -> Result<LabelCounts, E> {
                Ok(LabelCounts::default())
            }
            fn visit_bool<E>(self, _: bool) -> Result<LabelCounts, E> {
                Ok(LabelCounts::default())
            }
            fn visit_i64<E>(self, _: i64) -> Result<LabelCounts, E> {
                Ok(LabelCounts::default())
            }
            fn visit_u64<E>(self, _: u64) -> Result<LabelCounts, E> {
                Ok(LabelCounts::default())
            }
            fn visit_f64<E>(self, _: f64) -> Result<LabelCounts, E> {
                Ok(LabelCounts::default())
            }
            fn visit_str<E>(self, _: &str) -> Result<LabelCounts, E> {
                Ok(LabelCounts::default())
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// Units of the month: written to, reported, reported nothing that counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitCounts {
    pub total: usize,
    pub reported: usize,
    /// Sent files of which no row could be read (报送无效); also in `not_reported`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub invalid: usize,
    pub not_reported: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The reconciliation of rows read, and whether it balances.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReconciliationJson {
    #[serde(flatten)]
    pub counts: Reconciliation,
    pub balances: bool,
}

/// `run.json`: tool version, month and dates, inputs and outputs with sizes and SHA-256 (both
/// sorted by path; outputs exclude `run.json` and `timings.json`), counts per status and per
/// light, units reported, reconciliation, problem counts per severity, documents per kind, the
/// document numbers used and the full problem list — in this key order.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RunManifest {
    #[serde(default)]
    pub tool: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub month: String,
    #[serde(default)]
    pub as_of: String,
    /// The date printed on the documents (`YYYY-MM-DD`).
    #[serde(default)]
    pub issued_on: String,
    #[serde(default)]
    pub feedback_due: String,
    #[serde(default)]
    pub previous_month_available: bool,
    #[serde(default, deserialize_with = "lenient")]
    pub inputs: Vec<InputFile>,
    #[serde(default)]
    pub outputs: Vec<InputFile>,
    #[serde(default)]
    pub tasks: usize,
    #[serde(default)]
    pub status_counts: LabelCounts,
    #[serde(default)]
    pub light_counts: LabelCounts,
    #[serde(default, deserialize_with = "lenient")]
    pub units: UnitCounts,
    #[serde(default, deserialize_with = "lenient")]
    pub reconciliation: ReconciliationJson,
    #[serde(default)]
    pub problems_by_severity: LabelCounts,
    #[serde(default)]
    pub documents: LabelCounts,
    /// The document numbers used (see `doc_numbers`); `None` in an archive written before
    /// numbers were recorded.
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub document_numbers: Option<Vec<DocumentNumber>>,
    #[serde(default, deserialize_with = "lenient")]
    pub problems: Vec<Problem>,
}

/// A field read back as its type when it has that shape, else as its default (an older
/// version's problem must not make the whole manifest unreadable). Through a JSON value, whose
/// objects sort their keys: only for fields read into structs ([`LabelCounts`] keeps its order
/// itself).
fn lenient<'de, D: Deserializer<'de>, T: DeserializeOwned + Default>(d: D) -> Result<T, D::Error> {
    let value = serde_json::Value::deserialize(d)?;
    Ok(T::deserialize(value).unwrap_or_default())
}

/// Reading a manifest failed.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
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

/// Reads the manifest `name` (run.json or year.json) of the folder `dir`.
pub(crate) fn read_json<T: DeserializeOwned>(dir: &Path, name: &str) -> Result<T, ManifestError> {
    let path = dir.join(name);
    if !path.is_file() {
        return Err(ManifestError::NotArchived {
            dir: dir.display().to_string(),
        });
    }
    let text = std::fs::read(&path).map_err(|source| ManifestError::Read {
        path: path.display().to_string(),
        source,
    })?;
    serde_json::from_slice(&text).map_err(|source| ManifestError::BadRunJson {
        path: path.display().to_string(),
        source,
    })
}

impl RunManifest {
    /// The manifest of a month's run: `report`, the run's `inputs` and the `outputs` written
    /// (as [`crate::deliver::Staging::written`] gives them; run.json and timings.json are left
    /// out). Inputs and outputs are sorted by path.
    pub fn of_report(
        report: &MonthReport,
        inputs: &[InputFile],
        outputs: Vec<InputFile>,
    ) -> RunManifest {
        let mut inputs = inputs.to_vec();
        inputs.sort_by(|a, b| a.path.cmp(&b.path));
        let mut listed: Vec<InputFile> = outputs
            .into_iter()
            .filter(|f| !UNLISTED.contains(&f.path.as_str()))
            .collect();
        listed.sort_by(|a, b| a.path.cmp(&b.path));
        let outcomes = &report.classification.outcomes;
        // counted once by classify, over the master's tasks (one outcome each)
        let city = &report.classification.city;
        let receipts = &report.merged.receipts;
        let reported = receipts.iter().filter(|r| r.received).count();
        let invalid = receipts.iter().filter(|r| r.invalid.is_some()).count();
        let count = |label: &str, n: usize| (label.to_string(), n as u32);
        RunManifest {
            tool: "duban".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            month: report.month.to_string(),
            as_of: report.as_of.to_string(),
            issued_on: report.issued_on.to_string(),
            feedback_due: report.feedback_due.to_string(),
            previous_month_available: report.previous_available,
            inputs,
            documents: document_counts(&listed),
            outputs: listed,
            tasks: outcomes.len(),
            status_counts: LabelCounts(
                Status::all()
                    .into_iter()
                    .map(|s| (s.label().to_string(), city.of_status(s)))
                    .collect(),
            ),
            light_counts: LabelCounts(
                Light::all()
                    .into_iter()
                    .map(|l| (l.label().to_string(), city.lights.get(l)))
                    .collect(),
            ),
            units: UnitCounts {
                total: receipts.len(),
                reported,
                invalid,
                not_reported: receipts.len() - reported,
            },
            reconciliation: ReconciliationJson {
                counts: report.merged.reconciliation,
                balances: report.merged.reconciliation.balances(),
            },
            problems_by_severity: LabelCounts(
                [Severity::Error, Severity::Warning, Severity::Info]
                    .into_iter()
                    .map(|s| {
                        let n = report.problems.iter().filter(|p| p.severity == s).count();
                        count(s.label(), n)
                    })
                    .collect(),
            ),
            document_numbers: Some(report.document_numbers.clone()),
            problems: report.problems.clone(),
        }
    }

    /// The bytes of run.json: pretty-printed, a final newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        pretty(self)
    }

    /// The run.json of the month folder `dir`.
    pub fn read(dir: &Path) -> Result<RunManifest, ManifestError> {
        read_json(dir, RUN_FILE)
    }

    /// The manifest at `path`, `None` when it cannot be read or parsed.
    pub fn read_file(path: &Path) -> Option<RunManifest> {
        serde_json::from_slice(&std::fs::read(path).ok()?).ok()
    }

    /// The size and SHA-256 recorded for the file `rel` (`/`-separated), `None` when not listed.
    pub fn listed(&self, rel: &str) -> Option<(u64, &str)> {
        self.outputs
            .iter()
            .find(|l| l.path == rel)
            .map(|l| (l.bytes_len, l.sha256.as_str()))
    }

    /// The date of issue, when recorded.
    pub fn issued_on_date(&self) -> Option<chrono::NaiveDate> {
        self.issued_on.parse().ok()
    }
}

/// `value` pretty-printed with a final newline (serialising plain data cannot fail; an empty
/// object is the harmless answer if it ever did).
pub(crate) fn pretty<T: Serialize>(value: &T) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(value).unwrap_or_else(|_| b"{}".to_vec());
    out.push(b'\n');
    out
}

/// Kinds of documents, in run.json's order.
const DOCUMENT_KINDS: [&str; 9] = [
    "汇总表",
    "汇总表记录",
    "领导督办单",
    "单位督办通知单",
    "领导督办单OFD",
    "单位督办通知单OFD",
    "邮件",
    "邮件清单",
    "其他",
];

/// The kind of an output file, judged by where it sits in the month folder.
fn document_kind(path: &str) -> &'static str {
    let in_mail = path
        .strip_prefix(MAIL_DIR)
        .and_then(|r| r.strip_prefix('/'));
    if path.ends_with(".xlsx") {
        "汇总表"
    } else if path == RECORD_FILE {
        "汇总表记录"
    } else if super::in_dir(path, super::LEADER_NOTICE_DIR) && path.ends_with(".pdf") {
        "领导督办单"
    } else if super::in_dir(path, super::UNIT_NOTICE_DIR) && path.ends_with(".pdf") {
        "单位督办通知单"
    } else if super::in_dir(path, super::LEADER_NOTICE_DIR) && path.ends_with(".ofd") {
        "领导督办单OFD"
    } else if super::in_dir(path, super::UNIT_NOTICE_DIR) && path.ends_with(".ofd") {
        "单位督办通知单OFD"
    } else if in_mail == Some(MANIFEST_FILE) {
        "邮件清单"
    } else if in_mail.is_some() && path.ends_with(".eml") {
        "邮件"
    } else {
        "其他"
    }
}

/// Documents per kind, every kind present (zero when none).
fn document_counts(outputs: &[InputFile]) -> LabelCounts {
    LabelCounts(
        DOCUMENT_KINDS
            .iter()
            .map(|kind| {
                let n = outputs
                    .iter()
                    .filter(|f| document_kind(&f.path) == *kind)
                    .count();
                (kind.to_string(), n as u32)
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_keep_their_order_both_ways() {
        let counts = LabelCounts(vec![
            ("红灯".into(), 2),
            ("黄灯".into(), 0),
            ("蓝灯".into(), 1),
        ]);
        let text = serde_json::to_string(&counts).expect("json");
        assert_eq!(text, r#"{"红灯":2,"黄灯":0,"蓝灯":1}"#);
        assert_eq!(
            serde_json::from_str::<LabelCounts>(&text).expect("read"),
            counts
        );
    }

    #[test]
    fn an_older_manifest_is_read_for_its_files_and_dates() {
        let text = r#"{"issued_on":"2029-04-02","outputs":[{"path":"a.pdf"}],
            "problems":[{"shape":"of an older version"}],"status_counts":[1,2],
            "light_counts":{"红":"x","黄":3}}"#;
        let m: RunManifest = serde_json::from_str(text).expect("read");
        assert_eq!(m.outputs[0].path, "a.pdf");
        assert_eq!(
            m.issued_on_date(),
            chrono::NaiveDate::from_ymd_opt(2029, 4, 2)
        );
        assert!(m.problems.is_empty() && m.status_counts.0.is_empty());
        assert_eq!(m.light_counts, LabelCounts(vec![("黄".into(), 3)]));
        assert_eq!(m.document_numbers, None);
        assert!(serde_json::from_str::<RunManifest>("[1]").is_err());
    }

    #[test]
    fn document_kinds_follow_the_folder_names() {
        assert_eq!(document_kind("邮件/清单.csv"), "邮件清单");
        assert_eq!(document_kind("邮件/市科技局.eml"), "邮件");
        assert_eq!(document_kind("record.json"), "汇总表记录");
        assert_eq!(document_kind("templates/清单.csv"), "其他");
    }
}
