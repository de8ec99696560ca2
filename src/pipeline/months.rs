//! Which months there are (the `YYYY-MM` folders), which are archived or pending, and which
//! month (and as-of date) a run builds.

use super::{RunError, RunOptions};
use crate::config::Config;
use crate::model::Month;
use chrono::NaiveDate;
use std::path::Path;

/// Newest `YYYY-MM` folder under the submissions folder.
pub fn newest_month(submissions: &Path) -> Option<Month> {
    submission_months(submissions).last().copied()
}

/// Every `YYYY-MM` folder under the submissions folder, oldest first.
pub fn submission_months(submissions: &Path) -> Vec<Month> {
    let mut months: Vec<Month> = std::fs::read_dir(submissions)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .filter_map(|e| Month::parse(&e.file_name().to_string_lossy()))
        .collect();
    months.sort();
    months.dedup();
    months
}

/// Whether `month` has an archive (its output folder holds a run.json).
pub fn is_archived(cfg: &Config, month: Month) -> bool {
    crate::archive::is_archived(&cfg.paths.output.join(month.to_string()))
}

/// The months a catch-up run builds: every month under the submissions folder without an
/// archive yet, oldest first.
pub fn pending_months(cfg: &Config) -> Vec<Month> {
    submission_months(&cfg.paths.submissions)
        .into_iter()
        .filter(|m| !is_archived(cfg, *m))
        .collect()
}

/// Resolves month and as-of date from the options.
pub fn resolve_month(cfg: &Config, opts: &RunOptions) -> Result<(Month, NaiveDate), RunError> {
    let month = match opts.month {
        Some(m) => m,
        None => newest_month(&cfg.paths.submissions).ok_or_else(|| {
            RunError::Usage(format!(
                "在 {} 下没有找到月份文件夹（形如 2026-11）。请把各单位报送的文件放入 {}/<年-月>/，或用 --month 指定月份。",
                cfg.paths.submissions.display(),
                cfg.paths.submissions.display()
            ))
        })?,
    };
    // The master sheet is one plan year's tasks: a month of another year is a slip of the
    // keyboard (2027-01 for 2026-12), and would archive a month of notices all 未报送 under
    // the next year's document numbers.
    if month.year != cfg.year {
        return Err(RunError::Usage(format!(
            "{} 不在计划年度 {} 年内（duban.toml 的 year）：任务分解表只含该年度的任务，本次未生成任何文件。请检查 --month；新的一年请先换用新年度的任务分解表并修改 year。",
            month.label(),
            cfg.year
        )));
    }
    let as_of = opts.as_of.unwrap_or_else(|| month.last_day());
    Ok((month, as_of))
}
