//! `duban status` (报送进度): per unit 已报送 / 报送无效 (why) / 未报送, its files, their
//! problems, and the days left to the reply deadline the forms' messages announced — the same
//! judgement as the month's run (intake and merge), written to `报送进度.csv` beside the
//! submissions as well as shown.

use super::log::CsvLog;
use super::{ReplyError, STATUS_FILE};
use crate::config::Config;
use crate::model::{Month, Severity};
use crate::pipeline::Loaded;
use chrono::NaiveDate;

/// Header of `报送进度.csv`.
pub const STATUS_HEADER: [&str; 10] = [
    "单位",
    "报送状态",
    "原因",
    "文件",
    "错误",
    "警告",
    "主要问题",
    "截止日期",
    "距截止",
    "邮箱",
];

/// One unit's state.
#[derive(Debug, Clone)]
pub struct UnitStatus {
    pub unit: String,
    /// 已报送 / 报送无效 / 未报送.
    pub state: &'static str,
    /// Why 报送无效.
    pub why: String,
    pub files: Vec<String>,
    pub errors: u32,
    pub warnings: u32,
    /// The first errors' messages (at most three), for the table.
    pub main_problems: Vec<String>,
    pub email: Option<String>,
}

impl UnitStatus {
    /// Without a valid reply (未报送 or 报送无效): reminded by `duban remind`.
    pub fn needs_reminder(&self) -> bool {
        self.state != "已报送"
    }
}

/// The month's state.
#[derive(Debug, Clone)]
pub struct MonthStatus {
    pub month: Month,
    /// The reply deadline the forms' messages announced.
    pub due: NaiveDate,
    pub today: NaiveDate,
    /// Master order of units.
    pub units: Vec<UnitStatus>,
}

impl MonthStatus {
    /// Days from today to the deadline (negative when past).
    pub fn days_left(&self) -> i64 {
        (self.due - self.today).num_days()
    }

    /// `(已报送, 报送无效, 未报送)`.
    pub fn counts(&self) -> (usize, usize, usize) {
        let n = |s: &str| self.units.iter().filter(|u| u.state == s).count();
        (n("已报送"), n("报送无效"), n("未报送"))
    }

    /// `还有 3 天` / `今日截止` / `已逾期 2 天`.
    pub fn days_text(&self) -> String {
        days_text(self.days_left())
    }
}

/// `还有 3 天` / `今日截止` / `已逾期 2 天`.
pub fn days_text(days: i64) -> String {
    match days {
        d if d > 0 => format!("还有 {d} 天"),
        0 => "今日截止".into(),
        d => format!("已逾期 {} 天", -d),
    }
}

/// The month's state as of `today`.
///
/// # Errors
/// [`ReplyError`] when the month cannot be loaded (master, units).
pub fn month_status(
    cfg: &Config,
    month: Month,
    today: NaiveDate,
) -> Result<MonthStatus, ReplyError> {
    let loaded = super::load_month(cfg, month)?;
    Ok(of_loaded(&loaded, today))
}

/// The state of a loaded month.
pub fn of_loaded(loaded: &Loaded, today: NaiveDate) -> MonthStatus {
    let units = loaded
        .merged
        .receipts
        .iter()
        .map(|r| {
            let main_problems = loaded
                .submissions
                .iter()
                .filter(|s| s.unit.as_deref() == Some(r.unit.as_str()))
                .flat_map(|s| s.problems.iter())
                .filter(|p| p.severity == Severity::Error)
                .map(|p| match &p.cell {
                    Some(cell) => format!("{cell}：{}", p.message),
                    None => p.message.clone(),
                })
                .take(3)
                .collect();
            UnitStatus {
                unit: r.unit.clone(),
                state: r.status_label(),
                why: r.invalid.clone().unwrap_or_default(),
                files: r.files.clone(),
                errors: r.errors,
                warnings: r.warnings,
                main_problems,
                email: loaded
                    .units
                    .get(&r.unit)
                    .and_then(|u| u.address())
                    .map(str::to_string),
            }
        })
        .collect();
    MonthStatus {
        month: loaded.month,
        due: loaded.month.last_day(),
        today,
        units,
    }
}

/// Writes `报送进度.csv` (replaced as a whole, through a dot-file renamed into place).
///
/// # Errors
/// [`ReplyError::Io`] when it cannot be written.
pub fn write_csv(cfg: &Config, status: &MonthStatus) -> Result<std::path::PathBuf, ReplyError> {
    let dir = cfg.paths.submissions.join(status.month.to_string());
    let path = dir.join(STATUS_FILE);
    let tmp = dir.join(format!(".{STATUS_FILE}.tmp"));
    let io = |source| ReplyError::Io {
        path: path.display().to_string(),
        source,
    };
    std::fs::create_dir_all(&dir).map_err(io)?;
    let _ = std::fs::remove_file(&tmp);
    let mut log = CsvLog::open(&tmp, &STATUS_HEADER).map_err(io)?;
    let days = status.days_text();
    for u in &status.units {
        log.append(&[
            u.unit.clone(),
            u.state.to_string(),
            u.why.clone(),
            u.files.join("; "),
            u.errors.to_string(),
            u.warnings.to_string(),
            u.main_problems.join("；"),
            status.due.to_string(),
            if u.needs_reminder() {
                days.clone()
            } else {
                String::new()
            },
            u.email.clone().unwrap_or_default(),
        ])
        .map_err(io)?;
    }
    drop(log);
    std::fs::rename(&tmp, &path).map_err(io)?;
    Ok(path)
}
