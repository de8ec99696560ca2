//! `邮件/清单.csv`, `run.json` and `timings.json`.

use super::{OutputFile, slash_path};
use crate::model::{Light, MonthReport, Problem, Reconciliation, Severity, Status};
use serde::Serialize;
use serde::ser::SerializeMap;
use sha2::{Digest, Sha256};
use std::path::Path;

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest.iter() {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// One row of `清单.csv`: a unit and how its notice is delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestRow {
    pub unit: String,
    /// The unit's address; `None` when units.toml has none (the row says to deliver otherwise).
    pub email: Option<String>,
    pub subject: String,
    /// File name of the attached PDF.
    pub attachment: String,
    /// Light counts: red, yellow, blue, green.
    pub lights: [u32; 4],
    /// File name of the `.eml` (relative to `邮件/`), `None` when no message was made.
    pub eml: Option<String>,
}

/// Header of `清单.csv`.
const MANIFEST_HEADER: [&str; 10] = [
    "单位",
    "邮箱",
    "主题",
    "附件",
    "红灯",
    "黄灯",
    "蓝灯",
    "绿灯",
    "状态",
    "邮件文件",
];

/// `清单.csv`: UTF-8 with BOM (so Excel detects the encoding), CRLF lines, RFC 4180 quoting,
/// every cell guarded against formula injection. Columns: 单位, 邮箱 (or
/// “无邮箱地址，请另行送达”), 主题, 附件, 红灯, 黄灯, 蓝灯, 绿灯, 状态 (已生成邮件/无邮箱), 邮件文件.
pub fn manifest_csv(rows: &[ManifestRow]) -> Vec<u8> {
    let mut out = String::from("\u{FEFF}");
    push_record(&mut out, MANIFEST_HEADER.iter().map(|s| s.to_string()));
    for row in rows {
        let [red, yellow, blue, green] = row.lights;
        let (email, status) = delivery_cells(row.email.as_deref(), row.eml.is_some());
        let cells = [
            row.unit.clone(),
            email,
            row.subject.clone(),
            row.attachment.clone(),
            red.to_string(),
            yellow.to_string(),
            blue.to_string(),
            green.to_string(),
            status,
            row.eml.clone().unwrap_or_default(),
        ];
        push_record(&mut out, cells.into_iter());
    }
    out.into_bytes()
}

/// The 邮箱 and 状态 cells of a 清单 row: the address (or the note to deliver otherwise) and
/// whether a message was made.
pub(crate) fn delivery_cells(email: Option<&str>, has_message: bool) -> (String, String) {
    (
        email.map_or_else(|| "无邮箱地址，请另行送达".to_string(), str::to_string),
        if has_message {
            "已生成邮件"
        } else {
            "无邮箱"
        }
        .to_string(),
    )
}

/// Appends one CSV record (RFC 4180, CRLF), each cell guarded against formula injection.
pub(crate) fn push_record(out: &mut String, cells: impl Iterator<Item = String>) {
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
pub(crate) fn guard(raw: &str) -> std::borrow::Cow<'_, str> {
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

/// An input file as run.json records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputFile {
    /// Relative to the project (config) folder, `/`-separated.
    pub path: String,
    #[serde(rename = "bytes")]
    pub bytes_len: u64,
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

/// Counts in a fixed key order (serialised as a JSON object).
struct Counts(Vec<(&'static str, u32)>);

impl Serialize for Counts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct RunJson<'a> {
    tool: &'static str,
    version: &'static str,
    month: String,
    as_of: String,
    issued_on: String,
    feedback_due: String,
    previous_month_available: bool,
    inputs: Vec<&'a InputFile>,
    outputs: Vec<InputFile>,
    tasks: usize,
    status_counts: Counts,
    light_counts: Counts,
    units: UnitCounts,
    reconciliation: ReconciliationJson,
    problems_by_severity: Counts,
    documents: Counts,
    /// The document numbers used (see `doc_numbers`).
    document_numbers: &'a [crate::doc_numbers::DocumentNumber],
    problems: &'a [Problem],
}

#[derive(Serialize)]
struct UnitCounts {
    total: usize,
    reported: usize,
    /// Sent files of which no row could be read (报送无效); also in `not_reported`.
    #[serde(skip_serializing_if = "is_zero")]
    invalid: usize,
    not_reported: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Serialize)]
struct ReconciliationJson {
    #[serde(flatten)]
    counts: Reconciliation,
    balances: bool,
}

/// Files `run.json` does not list: itself and the non-reproducible timings.
pub(crate) const UNLISTED: [&str; 2] = ["run.json", "timings.json"];

/// `run.json`: tool version, month and dates, inputs and outputs with sizes and SHA-256 (both
/// sorted by path; outputs exclude `run.json` and `timings.json`), counts per status and per
/// light, units reported, reconciliation, problem counts per severity, documents per kind, and
/// the full problem list. Pretty-printed with a fixed key order and no clock, so the same run
/// gives the same bytes.
pub fn run_json(report: &MonthReport, inputs: &[InputFile], outputs: &[OutputFile]) -> Vec<u8> {
    let listed: Vec<InputFile> = outputs
        .iter()
        .map(|f| InputFile::describe(f.rel_path_string(), &f.bytes))
        .collect();
    run_json_of(report, inputs, listed)
}

/// [`run_json`] from the outputs' descriptions (as [`super::Staging::written`] gives them)
/// instead of their bytes.
pub fn run_json_of(report: &MonthReport, inputs: &[InputFile], outputs: Vec<InputFile>) -> Vec<u8> {
    let mut inputs: Vec<&InputFile> = inputs.iter().collect();
    inputs.sort_by(|a, b| a.path.cmp(&b.path));
    let mut listed: Vec<InputFile> = outputs
        .into_iter()
        .filter(|f| !UNLISTED.contains(&f.path.as_str()))
        .collect();
    listed.sort_by(|a, b| a.path.cmp(&b.path));
    let outcomes = &report.classification.outcomes;
    let receipts = &report.merged.receipts;
    let reported = receipts.iter().filter(|r| r.received).count();
    let invalid = receipts.iter().filter(|r| r.invalid.is_some()).count();
    let doc = RunJson {
        tool: "duban",
        version: env!("CARGO_PKG_VERSION"),
        month: report.month.to_string(),
        as_of: report.as_of.to_string(),
        issued_on: report.issued_on.to_string(),
        feedback_due: report.feedback_due.to_string(),
        previous_month_available: report.previous_available,
        inputs,
        documents: document_counts(&listed),
        outputs: listed,
        tasks: outcomes.len(),
        status_counts: Counts(
            Status::all()
                .into_iter()
                .map(|s| {
                    (
                        s.label(),
                        outcomes.iter().filter(|o| o.status == s).count() as u32,
                    )
                })
                .collect(),
        ),
        light_counts: Counts(
            Light::all()
                .into_iter()
                .map(|l| {
                    (
                        l.label(),
                        outcomes.iter().filter(|o| o.light == l).count() as u32,
                    )
                })
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
        problems_by_severity: Counts(
            [Severity::Error, Severity::Warning, Severity::Info]
                .into_iter()
                .map(|s| {
                    (
                        s.label(),
                        report.problems.iter().filter(|p| p.severity == s).count() as u32,
                    )
                })
                .collect(),
        ),
        document_numbers: &report.document_numbers,
        problems: &report.problems,
    };
    pretty(&doc)
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
    if path.ends_with(".xlsx") {
        "汇总表"
    } else if path == crate::history::RECORD_FILE {
        "汇总表记录"
    } else if path.starts_with("督办单/领导/") && path.ends_with(".pdf") {
        "领导督办单"
    } else if path.starts_with("督办单/单位/") && path.ends_with(".pdf") {
        "单位督办通知单"
    } else if path.starts_with("督办单/领导/") && path.ends_with(".ofd") {
        "领导督办单OFD"
    } else if path.starts_with("督办单/单位/") && path.ends_with(".ofd") {
        "单位督办通知单OFD"
    } else if path == "邮件/清单.csv" {
        "邮件清单"
    } else if path.starts_with("邮件/") && path.ends_with(".eml") {
        "邮件"
    } else {
        "其他"
    }
}

/// Documents per kind, every kind present (zero when none).
fn document_counts(outputs: &[InputFile]) -> Counts {
    Counts(
        DOCUMENT_KINDS
            .iter()
            .map(|kind| {
                let n = outputs
                    .iter()
                    .filter(|f| document_kind(&f.path) == *kind)
                    .count();
                (*kind, n as u32)
            })
            .collect(),
    )
}

#[derive(Serialize)]
struct TimingsJson<'a> {
    stages_ms: StageMap<'a>,
    total_ms: f64,
}

struct StageMap<'a>(&'a [(String, f64)]);

impl Serialize for StageMap<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            map.serialize_entry(k, &round_ms(*v))?;
        }
        map.end()
    }
}

fn round_ms(ms: f64) -> f64 {
    if ms.is_finite() {
        (ms * 1000.0).round() / 1000.0
    } else {
        0.0
    }
}

/// `timings.json`: milliseconds per stage in the order given, and the total.
pub fn timings_json(stages: &[(String, f64)], total_ms: f64) -> Vec<u8> {
    pretty(&TimingsJson {
        stages_ms: StageMap(stages),
        total_ms: round_ms(total_ms),
    })
}

fn pretty<T: Serialize>(value: &T) -> Vec<u8> {
    // Serialising plain structs of strings and numbers cannot fail; an empty object is the
    // harmless answer if it ever did.
    let mut out = serde_json::to_vec_pretty(value).unwrap_or_else(|_| b"{}".to_vec());
    out.push(b'\n');
    out
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

    #[test]
    fn sha() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
