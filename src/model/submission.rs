//! What the units sent: progress rows as read, submitted workbooks, 报送情况 and the merged month.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Problem;

/// Status as a unit reports it in the 状态 column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReportedStatus {
    #[serde(rename = "已完成")]
    Done,
    #[serde(rename = "序时推进")]
    OnTrack,
    #[serde(rename = "滞后")]
    Lagging,
    #[serde(rename = "未启动")]
    NotStarted,
}

impl ReportedStatus {
    pub fn label(self) -> &'static str {
        match self {
            ReportedStatus::Done => "已完成",
            ReportedStatus::OnTrack => "序时推进",
            ReportedStatus::Lagging => "滞后",
            ReportedStatus::NotStarted => "未启动",
        }
    }
}

/// Where a value came from in a submitted workbook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowSource {
    /// File name (not full path).
    pub file: String,
    pub sheet: String,
    /// 0-based row of the task row in the sheet.
    pub row: u32,
    /// The task row is hidden in the sheet (read like the others; a visible row of the same
    /// task in the same file wins over it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
}

/// One task's progress as one unit reported it (continuation rows already folded in).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgressRow {
    pub task: u32,
    /// 任务目标 as written in the file (for the differs-from-master warning).
    pub task_text: Option<String>,
    /// 本月工作进展.
    pub progress_text: String,
    /// 完成进度 in percent 0–100 (already normalised).
    pub percent: Option<f64>,
    pub status: Option<ReportedStatus>,
    /// 完成日期.
    pub completed_on: Option<NaiveDate>,
    /// 存在问题.
    pub issues: String,
    /// 下步计划.
    pub next_steps: String,
    /// 备注.
    pub remark: String,
    pub source: RowSource,
}

/// A unit's record for one task after merging.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitReport {
    pub unit: String,
    pub row: ProgressRow,
    /// 填报日期 of the file it came from.
    pub reported_on: Option<NaiveDate>,
}

/// One submitted workbook after intake (reading, normalising, validating its rows).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Submission {
    /// File name (not the full path).
    pub file: String,
    /// SHA-256 of the file bytes, hex: of the very bytes intake read (streamed, for a file
    /// over the size limit); empty when the file was not opened (a link, a pipe, a folder).
    pub sha256: String,
    /// Size in bytes of what was hashed.
    pub size: u64,
    /// Canonical unit, when identified.
    pub unit: Option<String>,
    /// 填报人 / 联系电话 / 填报日期 from the header block.
    pub reporter: Option<String>,
    pub phone: Option<String>,
    pub reported_on: Option<NaiveDate>,
    /// Valid task rows (rows with an error are not here; they are in `problems`).
    pub rows: Vec<ProgressRow>,
    /// Task rows read from the file (continuation rows folded into their task row).
    pub rows_read: u32,
    /// Task rows rejected because of an error (each has at least one error Problem).
    pub rows_rejected: u32,
    /// Task rows that report nothing (neither 完成进度 nor 状态, or a finished task's
    /// pre-filled row returned unchanged), each named by a warning or 提示.
    pub rows_not_reporting: u32,
    pub problems: Vec<Problem>,
}

/// Rows read = merged + rejected + superseded + not reporting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Reconciliation {
    pub rows_read: u32,
    pub merged: u32,
    pub rejected: u32,
    pub superseded: u32,
    /// Rows that report nothing (see [`Submission::rows_not_reporting`]).
    pub not_reporting: u32,
}

impl Reconciliation {
    pub fn balances(&self) -> bool {
        self.rows_read == self.merged + self.rejected + self.superseded + self.not_reporting
    }
}

/// 报送情况 of one unit for the month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Receipt {
    pub unit: String,
    /// A file of the unit gave at least one readable row (已报送). A unit whose files gave none
    /// is 报送无效 ([`Receipt::invalid`]): not counted as reported.
    pub received: bool,
    /// Why the unit's files count for nothing (报送无效), when it sent some.
    pub invalid: Option<String>,
    /// Files attributed to this unit.
    pub files: Vec<String>,
    /// Latest 填报日期 among them.
    pub reported_on: Option<NaiveDate>,
    pub rows_read: u32,
    pub rows_merged: u32,
    pub errors: u32,
    pub warnings: u32,
}

impl Receipt {
    /// 已报送, 报送无效 or 未报送.
    pub fn status_label(&self) -> &'static str {
        if self.received {
            "已报送"
        } else if self.invalid.is_some() {
            "报送无效"
        } else {
            "未报送"
        }
    }
}

/// The merged month: one record per task per unit, with bookkeeping.
#[derive(Debug, Clone, Serialize)]
pub struct Merged {
    /// Task number → each lead unit's report (master order of units).
    pub reports: std::collections::BTreeMap<u32, Vec<UnitReport>>,
    /// Every unit of the master, in master order.
    pub receipts: Vec<Receipt>,
    pub reconciliation: Reconciliation,
    /// All problems of intake and merge (superseded rows, unidentified files …).
    pub problems: Vec<Problem>,
}
