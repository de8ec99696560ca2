//! The subcommands, one file each (the xsv shape): its arguments with their help text and a
//! `run` function. `main.rs` only parses, dispatches and turns the outcome into an exit code.

pub mod check;
pub mod collect;
pub mod console;
pub mod forms;
pub mod help;
pub mod master;
pub mod remind;
pub mod run;
pub mod send;
pub mod status;
pub mod verify;
pub mod year;

use chrono::NaiveDate;
use duban::model::Month;

/// How a command that ran to the end went (exit code 0 or 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmdOutcome {
    /// Nothing wrong in the data (exit 0).
    Clean,
    /// Data errors were found and reported; output, if any, was written (exit 1).
    DataErrors,
}

impl CmdOutcome {
    /// `DataErrors` when `errors` is true.
    pub fn from_errors(errors: bool) -> CmdOutcome {
        if errors {
            CmdOutcome::DataErrors
        } else {
            CmdOutcome::Clean
        }
    }
}

/// A usage or configuration error: nothing was done (exit 2). Shown as “错误：…”.
pub type Failure = Box<dyn std::error::Error>;

/// `--month` values.
pub fn parse_month(s: &str) -> Result<Month, String> {
    Month::parse(s).ok_or_else(|| format!("“{s}”不是有效的月份，应写成 2026-11 这样的格式"))
}

/// `--year` values: a plan year 2000–2100.
pub fn parse_year(s: &str) -> Result<i32, String> {
    s.trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| format!("“{s}”不是有效的年度，应写成 2026 这样的四位年份"))
}

/// `--as-of` values.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("“{s}”不是有效的日期，应写成 2026-11-30 这样的格式"))
}
