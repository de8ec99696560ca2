//! Intake: one function from a submitted workbook's path to a typed [`Submission`], whatever
//! the format (.xlsx .xlsm .xls .ods), tolerant of the ways people edit the form.
//!
//! The steps: read the bytes within the limits ([`read`]), find the header row and the header
//! block ([`header`]), read the task rows with continuation rows folded in ([`rows`]),
//! identify the unit ([`identify`]), and check every row ([`validate`]).

pub mod header;
pub mod identify;
pub mod normalise;
pub mod read;
pub mod reply;
pub mod rows;
pub mod validate;

mod file;
mod fill;
mod folder;
mod submission;

use crate::config::Limits;
use crate::model::{Master, Month, PreviousTask};
use crate::units::Directory;
use chrono::NaiveDate;
use std::collections::BTreeMap;

pub use folder::{COLLECT_LOG, LOOP_FILES, RECEIPT_LOG, REMIND_LOG, STATUS_FILE, read_month};
pub use submission::{read_submission, read_submission_bytes};

/// Everything intake checks a submission against.
pub struct IntakeContext<'a> {
    pub master: &'a Master,
    pub units: &'a Directory,
    pub month: Month,
    pub as_of: NaiveDate,
    pub limits: &'a Limits,
    /// Last month's state per task, when last month's 汇总表 was read.
    pub previous: Option<&'a BTreeMap<u32, PreviousTask>>,
    /// Progress at or above which a blank status counts as 已完成.
    pub done_percent: f64,
}
