//! The year on record: every archived month of the plan year before the run's month, each
//! 汇总表 read back after checking it against its month's run.json.
//!
//! Last month's state gives last month's light (escalation) and status; the whole record gives
//! the count of consecutive months not reported, the count of consecutive red months, the 月度趋势
//! sheet, the progress paths of the notices, and — in [`History::past`], the one view of the
//! record the month's rules read — the completion on record (carried forward) and the last
//! known figure and text (上月进度, 进度倒退, copied text). A 汇总表 whose bytes differ
//! from the SHA-256 its run.json records (or without a run.json) is a warning naming the file,
//! and its month counts as missing.
//!
//! The archive is read by header names in the sheet 任务总表, not by column positions, so a
//! workbook written by another version of duban with other columns is still read. The count of
//! months not reported is also stored in the archive's own column 连续未报送月数 (written by
//! `render::xlsx`); it is used where the record before that month is missing.
//!
//! Each run also leaves [`archive::RECORD_FILE`](crate::archive::RECORD_FILE) beside its 汇总表: the workbook as this module reads it,
//! bound to the workbook's SHA-256 and listed in run.json. A later month reads that instead of
//! parsing the workbook again when run.json vouches for both; otherwise it reads the workbook.
//!
//! The parts: `workbook` reads one archived 汇总表 (its sheets 任务总表 and 报送情况, by header
//! names); `load` finds the months of the plan year on record and checks each against its
//! run.json; `carry` works out what the record carries into the run's month (the past of
//! every task, the streaks).

mod carry;
mod load;
mod workbook;

pub use load::{load, months_before, record_bytes, summary_path};
pub use workbook::{
    COL_COMPLETED_ON, COL_LIGHT, COL_MONTHS_NOT_REPORTED, COL_NUMBER, COL_PERCENT, COL_STATUS,
    COL_TEXT, RECEIPT_SHEET, SummaryReadBack, TASK_SHEET, is_carried_text, read_summary,
};

use crate::model::{Month, MonthRecord, PreviousTask, Problem};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The record of the plan year before the run's month, and where it came from.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// The month of the run (the record holds the months before it).
    pub month: Option<Month>,
    /// Last month's 汇总表 (present or not).
    pub file: Option<PathBuf>,
    /// Every month on record, oldest first (last month included when found); only last
    /// month's record keeps the progress texts.
    pub months: Vec<MonthRecord>,
    /// Months whose archive exists but was changed, damaged or unreadable (counted as missing).
    pub rejected: Vec<Month>,
    /// Warnings about changed, unreadable or odd archives.
    pub problems: Vec<Problem>,
    /// The past as the run's month sees it (see [`History::past`]).
    past: BTreeMap<u32, PreviousTask>,
}

/// What [`History::tasks`] gives when last month is not on record.
static NO_TASKS: BTreeMap<u32, PreviousTask> = BTreeMap::new();

impl History {
    /// Last month's state of every task, if last month is on record.
    pub fn last_month(&self) -> Option<&BTreeMap<u32, PreviousTask>> {
        let prev = self.month?.prev();
        self.record(prev).map(|r| &r.tasks)
    }

    /// Whether last month's 汇总表 was found, checked and read.
    pub fn found(&self) -> bool {
        self.last_month().is_some()
    }

    /// Last month's state of every task (empty when last month is not on record).
    pub fn tasks(&self) -> &BTreeMap<u32, PreviousTask> {
        self.last_month().unwrap_or(&NO_TASKS)
    }

    /// The past of every task on record as the run's month sees it — the one place the record
    /// of the year is read for the month's rules: last month's state (blank when last month is
    /// not on record), with [`PreviousTask::completion`] (complete on record: carried forward,
    /// its date fixed) and [`PreviousTask::last_known`] (the last figure, however many months
    /// back) worked out from every month on record.
    pub fn past(&self) -> &BTreeMap<u32, PreviousTask> {
        &self.past
    }

    /// The record of `month`, if on record.
    pub fn record(&self, month: Month) -> Option<&MonthRecord> {
        self.months.iter().find(|r| r.month == month)
    }

    /// A task's state in `month`, if that month is on record.
    pub fn task_in(&self, month: Month, task: u32) -> Option<&PreviousTask> {
        self.record(month).and_then(|r| r.tasks.get(&task))
    }
}
