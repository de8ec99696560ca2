//! `邮件/清单.csv`, `run.json` (the archive's [`RunManifest`]) and `timings.json`.

use super::OutputFile;
use crate::archive::{InputFile, RunManifest};
use crate::csv_format::push_record;
use crate::model::MonthReport;
use serde::Serialize;
use serde::ser::SerializeMap;

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

/// `run.json` (see [`RunManifest`]) of a month whose `outputs` are given with their bytes.
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
    RunManifest::of_report(report, inputs, outputs).to_bytes()
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
    crate::archive::run_manifest::pretty(&TimingsJson {
        stages_ms: StageMap(stages),
        total_ms: round_ms(total_ms),
    })
}
