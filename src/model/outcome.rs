//! What the status engine decides: status, light, last month's state, completions on record,
//! each task's outcome and the month's classification.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Counts, Month, UnitReport};

/// What the status engine decided for one task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Status {
    /// 已完成 on or before the deadline (or no deadline).
    #[serde(rename = "按期完成")]
    DoneOnTime,
    /// 已完成 after the deadline.
    #[serde(rename = "逾期完成")]
    DoneLate,
    /// 已完成, completion date unknown.
    #[serde(rename = "已完成")]
    Done,
    #[serde(rename = "序时推进")]
    OnTrack,
    #[serde(rename = "未启动")]
    NotStarted,
    #[serde(rename = "临期")]
    DueSoon,
    #[serde(rename = "滞后")]
    Lagging,
    #[serde(rename = "逾期未完成")]
    Overdue,
    #[serde(rename = "未报送")]
    NotReported,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::DoneOnTime => "按期完成",
            Status::DoneLate => "逾期完成",
            Status::Done => "已完成",
            Status::OnTrack => "序时推进",
            Status::NotStarted => "未启动",
            Status::DueSoon => "临期",
            Status::Lagging => "滞后",
            Status::Overdue => "逾期未完成",
            Status::NotReported => "未报送",
        }
    }
    pub fn is_done(self) -> bool {
        matches!(self, Status::DoneOnTime | Status::DoneLate | Status::Done)
    }
    pub fn all() -> [Status; 9] {
        [
            Status::DoneOnTime,
            Status::DoneLate,
            Status::Done,
            Status::OnTrack,
            Status::NotStarted,
            Status::DueSoon,
            Status::Lagging,
            Status::Overdue,
            Status::NotReported,
        ]
    }
    pub fn from_label(s: &str) -> Option<Status> {
        Status::all().into_iter().find(|x| x.label() == s)
    }
}

/// The three-colour (plus green) light of supervision practice. Ordered from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Light {
    #[serde(rename = "绿")]
    Green,
    #[serde(rename = "蓝")]
    Blue,
    #[serde(rename = "黄")]
    Yellow,
    #[serde(rename = "红")]
    Red,
}

impl Light {
    pub fn label(self) -> &'static str {
        match self {
            Light::Green => "绿",
            Light::Blue => "蓝",
            Light::Yellow => "黄",
            Light::Red => "红",
        }
    }
    /// RGB colour used in PDFs and the workbook.
    pub fn rgb(self) -> u32 {
        match self {
            Light::Red => 0xE60012,
            Light::Yellow => 0xF2A900,
            Light::Blue => 0x1F6FD1,
            Light::Green => 0x1A9A48,
        }
    }
    pub fn all() -> [Light; 4] {
        [Light::Red, Light::Yellow, Light::Blue, Light::Green]
    }
    pub fn from_label(s: &str) -> Option<Light> {
        Light::all().into_iter().find(|x| x.label() == s)
    }
}

/// Last month's archived state of one task (read from the previous 汇总表).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct PreviousTask {
    pub percent: Option<f64>,
    pub light: Option<Light>,
    pub status: Option<Status>,
    pub progress_text: String,
    /// Consecutive months not reported up to and including last month.
    pub months_not_reported: u32,
    /// The completion date on record for a completed task (archived column 完成日期).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_on: Option<NaiveDate>,
    /// The month carried an earlier completion forward: nobody reported the task (it counts as
    /// not reported in the month's 报送率). Read back from the archived text
    /// “（10月已完成，本月未报送）”.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub carried: bool,
    /// The completion the record of the year holds for the task (see
    /// `history::History::past`); not stored, worked out from every month on record.
    #[serde(skip)]
    pub completion: Option<Completion>,
    /// The last figure the record holds for the task, however many months back (see
    /// `history::History::past`); not stored.
    #[serde(skip)]
    pub last_known: Option<LastKnown>,
}

/// A completion on record: the task was first reported complete in `month`, its completion
/// date fixed then (the 完成日期 given, else that month's as-of date); 按期完成 or 逾期完成
/// follows from that date alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Completion {
    pub month: Month,
    pub date: NaiveDate,
    /// The verdict archived then (按期完成 / 逾期完成), when the record holds no completion date
    /// (an archive written before 完成日期 was kept): it stands rather than one guessed from
    /// `date`, which is then only that month's last day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archived: Option<Status>,
}

impl Completion {
    /// 按期完成 or 逾期完成 of the completion: the archived verdict of an undated archive, else by
    /// its date against `deadline` (no fixed date: on time).
    pub fn status(&self, deadline: Option<NaiveDate>) -> Status {
        match (self.archived, deadline) {
            (Some(s @ (Status::DoneOnTime | Status::DoneLate)), _) => s,
            (_, Some(d)) if self.date > d => Status::DoneLate,
            _ => Status::DoneOnTime,
        }
    }
}

/// The last figure reported for a task: its month, 完成进度 and 本月工作进展.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LastKnown {
    pub month: Month,
    pub percent: f64,
    pub progress_text: String,
}

/// The classified state of one task at the as-of date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskOutcome {
    pub task: u32,
    pub status: Status,
    pub light: Light,
    /// Reported progress (the lower one for two lead units); `None` when not reported.
    pub percent: Option<f64>,
    /// 序时进度, `None` for tasks without a fixed date.
    pub expected: Option<f64>,
    /// 上月进度: the last figure on record, however many months back.
    pub previous_percent: Option<f64>,
    /// The month of `previous_percent` when it is older than last month (“83（10月）”).
    pub previous_month: Option<Month>,
    /// The month the task was completed in, when this month carries that completion forward
    /// (no report this month: “（10月已完成，本月未报送）”).
    pub carried_from: Option<Month>,
    /// The completion date the status 按期完成 / 逾期完成 was decided by.
    pub completed_on: Option<NaiveDate>,
    /// Light escalated because of last month (yellow → red, or unreported twice).
    pub escalated: bool,
    /// Each lead unit's report (absent for a unit that did not report this task).
    pub reports: Vec<UnitReport>,
    /// Consecutive months not reported including this one (0 if reported).
    pub months_not_reported: u32,
    /// Consecutive months red including this one (0 if not red now); a month not on record
    /// ends the run.
    pub red_months: u32,
    /// Short Chinese reason for the light, e.g. “低于序时进度35个百分点”.
    pub reason: String,
}

/// The status engine's result for the month.
#[derive(Debug, Clone, Serialize)]
pub struct Classification {
    /// One per task, master order.
    pub outcomes: Vec<TaskOutcome>,
    pub city: Counts,
    /// Leader name → counts and rates, seed order of leaders.
    pub leaders: Vec<(String, Counts)>,
    /// Unit name → counts and rates, master order of units.
    pub units: Vec<(String, Counts)>,
}

impl Classification {
    /// The outcome of a task (binary search in master order, linear fallback).
    pub fn outcome(&self, task: u32) -> Option<&TaskOutcome> {
        match self.outcomes.binary_search_by_key(&task, |o| o.task) {
            Ok(i) => self.outcomes.get(i),
            Err(_) => self.outcomes.iter().find(|o| o.task == task),
        }
    }
}
