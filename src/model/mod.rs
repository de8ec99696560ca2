//! The domain types shared by every stage of the pipeline.
//!
//! Stages pass these values forward (load → validate → merge → classify → render → deliver);
//! no stage reaches back. Rendering never computes a status, it only lays out [`TaskOutcome`]s.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

mod counts;
mod messages;
mod numbering;
mod problem;
mod record;
mod trend;
pub use counts::{Counts, LightCounts};
pub use numbering::{DocumentNumber, Numbering};
pub use problem::{Problem, ProblemCode, Severity, cell_order, cell_ref, sort_problems};
pub use record::{MonthRecord, PART_NOT_REPORTED, UnitReceipt, unit_part_heading};
pub use trend::{Point, Trend};

/// Task category as the master sheet groups it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
pub enum Category {
    /// 主要预期目标
    MainTarget,
    /// 其他经济社会发展任务
    Other,
}

impl Category {
    pub fn label(self) -> &'static str {
        match self {
            Category::MainTarget => "主要预期目标",
            Category::Other => "其他经济社会发展任务",
        }
    }
}

/// A 完成时限 as written in the master, with the date it stands for when it has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    /// The text exactly as the master sheet has it (“12月底”, “按自治区安排统筹推进”).
    pub raw: String,
    /// The last day the task may be completed on; `None` for free text (no fixed date).
    pub date: Option<NaiveDate>,
}

/// A leader (分管市领导) with the counts the section row declares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leader {
    /// Name only, e.g. “刘继英”.
    pub name: String,
    /// Title as written, e.g. “副市长”, “主任”, “市长”.
    pub title: String,
    /// “35项” on the section row, when declared.
    pub declared_count: Option<u32>,
    /// “含主要预期目标5项” on the section row, when declared.
    pub declared_main_targets: Option<u32>,
}

impl Leader {
    /// “刘继英副市长”.
    pub fn display(&self) -> String {
        format!("{}{}", self.name, self.title)
    }
}

/// One key task from the master sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    /// 序号, 1-based, unique.
    pub number: u32,
    /// 任务目标, verbatim.
    pub text: String,
    pub category: Category,
    /// Leader names (a main target belongs to the deputy mayor whose section counts it).
    pub leaders: Vec<String>,
    /// Canonical short names of the lead units (a compound “土左旗、托县政府” gives two).
    pub units: Vec<String>,
    /// The 牵头单位 cell verbatim.
    pub unit_raw: String,
    pub deadline: Deadline,
    /// 1-based row in the master sheet, for messages.
    pub source_row: u32,
}

/// Kind of a lead unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UnitKind {
    #[serde(rename = "市直部门")]
    CityDepartment,
    #[serde(rename = "旗县区政府")]
    CountyGovernment,
    #[serde(rename = "开发区")]
    DevelopmentZone,
    #[serde(rename = "其他")]
    Other,
}

/// A lead unit (牵头单位) from `units.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    /// Canonical short name (“市发改委”); used in file names and tables.
    pub name: String,
    /// Full official names and other spellings.
    #[serde(default)]
    pub aliases: Vec<String>,
    pub kind: UnitKind,
    #[serde(default, rename = "联系人")]
    pub contact: Option<String>,
    #[serde(default, rename = "电话")]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// Further addresses the unit replies from (a clerk's own mailbox); `duban collect`
    /// attributes mail from them to the unit. Receipts still go to `email`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reply_from: Vec<String>,
}

impl Unit {
    /// The unit's address as units.toml gives it, trimmed; `None` when blank or absent.
    pub fn address(&self) -> Option<&str> {
        self.email
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }
}

/// The parsed master sheet.
#[derive(Debug, Clone, Serialize)]
pub struct Master {
    /// The title row.
    pub title: String,
    /// 总负责人 (the mayor).
    pub mayor: Leader,
    /// Deputy mayors and directors in seed order.
    pub leaders: Vec<Leader>,
    /// Tasks in master order.
    pub tasks: Vec<Task>,
    /// Units in order of first appearance in the master (only units that lead a task).
    pub units: Vec<Unit>,
    /// Look-up tables by unit and leader name, built on first use (see [`MasterIndex`]).
    #[serde(skip)]
    pub index: MasterIndex,
}

/// Which tasks each unit and each leader has, and where each unit sits in [`Master::units`].
///
/// Built from the tasks the first time a look-up needs it, so that per-unit questions cost
/// O(own tasks) instead of a scan of the whole master (at ×100 the master has 18,000 tasks and
/// 4,300 units). A `Master` is not changed after it is loaded; code that builds one by hand
/// sets `index: Default::default()` and must not edit `tasks` or `units` after a look-up.
#[derive(Debug, Clone, Default)]
pub struct MasterIndex(std::sync::OnceLock<IndexTables>);

#[derive(Debug, Clone, Default)]
struct IndexTables {
    /// Unit name → positions in `tasks` (master order, no duplicates).
    unit_tasks: std::collections::HashMap<String, Vec<usize>>,
    /// Leader name → positions in `tasks`.
    leader_tasks: std::collections::HashMap<String, Vec<usize>>,
    /// Unit name → position in `units` (first one if a name repeats).
    unit_pos: std::collections::HashMap<String, usize>,
}

impl IndexTables {
    fn build(master: &Master) -> IndexTables {
        let mut t = IndexTables::default();
        for (i, task) in master.tasks.iter().enumerate() {
            for unit in &task.units {
                let list = t.unit_tasks.entry(unit.clone()).or_default();
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
            for leader in &task.leaders {
                let list = t.leader_tasks.entry(leader.clone()).or_default();
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
        }
        for (i, unit) in master.units.iter().enumerate() {
            t.unit_pos.entry(unit.name.clone()).or_insert(i);
        }
        t
    }
}

impl Master {
    /// The task with that 序号. Tasks are normally in ascending order, so this is a binary
    /// search, with a linear scan as the fallback for a master sheet that is not sorted.
    pub fn task(&self, number: u32) -> Option<&Task> {
        match self.tasks.binary_search_by_key(&number, |t| t.number) {
            Ok(i) => self.tasks.get(i),
            Err(_) => self.tasks.iter().find(|t| t.number == number),
        }
    }
    pub fn unit(&self, name: &str) -> Option<&Unit> {
        let pos = *self.tables().unit_pos.get(name)?;
        self.units.get(pos)
    }
    /// Tasks led by `unit`, in master order.
    pub fn tasks_of_unit<'a>(&'a self, unit: &str) -> impl Iterator<Item = &'a Task> + 'a {
        self.indexed(self.tables().unit_tasks.get(unit))
    }
    /// Tasks under `leader`, in master order.
    pub fn tasks_of_leader<'a>(&'a self, leader: &str) -> impl Iterator<Item = &'a Task> + 'a {
        self.indexed(self.tables().leader_tasks.get(leader))
    }
    fn tables(&self) -> &IndexTables {
        self.index.0.get_or_init(|| IndexTables::build(self))
    }
    fn indexed<'a>(
        &'a self,
        positions: Option<&'a Vec<usize>>,
    ) -> impl Iterator<Item = &'a Task> + 'a {
        positions
            .into_iter()
            .flatten()
            .filter_map(|&i| self.tasks.get(i))
    }
}

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

/// A report month, `2026-11`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    /// Parses `YYYY-MM`.
    pub fn parse(s: &str) -> Option<Month> {
        let (y, m) = s.trim().split_once('-')?;
        if y.len() != 4 || m.is_empty() || m.len() > 2 {
            return None;
        }
        let month = Month {
            year: y.parse().ok()?,
            month: m.parse().ok()?,
        };
        (1..=12).contains(&month.month).then_some(month)
    }
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or_default()
    }
    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().unwrap_or_default()
    }
    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }
    pub fn prev(self) -> Month {
        if self.month == 1 {
            Month {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Month {
                year: self.year,
                month: self.month - 1,
            }
        }
    }
    pub fn of(date: NaiveDate) -> Month {
        use chrono::Datelike;
        Month {
            year: date.year(),
            month: date.month(),
        }
    }
    /// `2026年11月`.
    pub fn label(self) -> String {
        format!("{}年{}月", self.year, self.month)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// `2026年11月30日`.
pub fn chinese_date(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
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

/// Everything the renderers need for one month. Renderers only lay this out.
#[derive(Debug, Clone, Serialize)]
pub struct MonthReport {
    pub month: Month,
    pub as_of: NaiveDate,
    /// Date printed on the documents (as-of + office.issue_after_days).
    pub issued_on: NaiveDate,
    /// Feedback deadline printed on notices.
    pub feedback_due: NaiveDate,
    pub master: Master,
    pub merged: Merged,
    pub classification: Classification,
    /// Whether last month's 汇总表 was found and read.
    pub previous_available: bool,
    /// The months on record and this one side by side (the 月度趋势, the notices' progress
    /// paths, the mayor's chart).
    #[serde(skip)]
    pub trend: Trend,
    /// Every problem of the run (master, intake, merge, history, render), sorted.
    pub problems: Vec<Problem>,
    /// How the run numbers its documents (see `doc_numbers`).
    #[serde(skip)]
    pub numbering: Numbering,
    /// The numbers the run's documents used (filled by the render stage; run.json records them).
    pub document_numbers: Vec<DocumentNumber>,
}

/// A report's problems and receipts looked up by unit and task, built once where many
/// documents ask: each unit notice, email and 报送情况 row scanning every problem or receipt
/// of the run is quadratic at a hundred times the demo's size.
pub struct Lookup<'a> {
    /// Every problem naming a unit, per unit, in the run's order.
    unit_problems: std::collections::HashMap<&'a str, Vec<&'a Problem>>,
    receipts: std::collections::HashMap<&'a str, &'a Receipt>,
    /// (task, unit) of every error found in a unit's workbook about one of its tasks.
    rejected: std::collections::HashSet<(u32, &'a str)>,
}

impl MonthReport {
    /// The report's [`Lookup`].
    pub fn lookup(&self) -> Lookup<'_> {
        let mut unit_problems: std::collections::HashMap<&str, Vec<&Problem>> = Default::default();
        let mut rejected = std::collections::HashSet::new();
        for p in &self.problems {
            let Some(unit) = p.unit.as_deref() else {
                continue;
            };
            unit_problems.entry(unit).or_default().push(p);
            if let (Some(task), Some(_), Severity::Error) = (p.task, &p.file, p.severity) {
                rejected.insert((task, unit));
            }
        }
        let mut receipts = std::collections::HashMap::new();
        for r in &self.merged.receipts {
            receipts.entry(r.unit.as_str()).or_insert(r);
        }
        Lookup {
            unit_problems,
            receipts,
            rejected,
        }
    }
}

impl<'a> Lookup<'a> {
    /// The problems naming `unit`, in the run's order.
    pub fn problems_of(&self, unit: &str) -> &[&'a Problem] {
        self.unit_problems.get(unit).map_or(&[], Vec::as_slice)
    }

    /// The unit's 报送情况, if it has one.
    pub fn receipt(&self, unit: &str) -> Option<&'a Receipt> {
        self.receipts.get(unit).copied()
    }

    /// Whether an error in a lead unit's workbook is about `task` (its row was refused).
    pub fn rejected(&self, task: &Task) -> bool {
        task.units
            .iter()
            .any(|u| self.rejected.contains(&(task.number, u.as_str())))
    }
}
