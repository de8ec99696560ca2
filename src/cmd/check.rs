//! `duban check`: reads and validates the month's submissions without writing anything.
//!
//! ```text
//! duban check [--month YYYY-MM] [--as-of YYYY-MM-DD]
//! ```
//! Lists every file's problems and the units still missing; exit 1 when there are errors.

use super::{CmdOutcome, Failure, parse_date, parse_month};
use chrono::NaiveDate;
use duban::config::Config;
use duban::model::{Month, Severity, chinese_date};
use duban::pipeline::{self, RunOptions};

/// 只读取并校验本月各单位报送的进展表，列出每个文件的问题（有错误时退出码为 1）
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 报告月份，如 2026-11（默认为 input/submissions 下最新的月份）
    #[arg(long, value_parser = parse_month)]
    pub month: Option<Month>,
    /// 截止日期，如 2026-11-30（默认为该月最后一天）
    #[arg(long = "as-of", value_parser = parse_date)]
    pub as_of: Option<NaiveDate>,
}

/// Loads, validates and merges the month, and prints the check report.
pub fn run(cfg: &Config, args: &Args) -> Result<CmdOutcome, Failure> {
    let opts = RunOptions {
        month: args.month,
        as_of: args.as_of,
        force: false,
    };
    let loaded = pipeline::load_month(cfg, &opts, &pipeline::Silent)?;
    println!(
        "{} 报送情况校验（截至 {}）",
        loaded.month.label(),
        chinese_date(loaded.as_of)
    );
    // file names and cell values come from outside: printed with control characters escaped
    print!(
        "{}",
        super::console::printable(&duban::check::render_check(
            &loaded.problems,
            &loaded.submissions,
            &loaded.merged
        ))
    );
    Ok(CmdOutcome::from_errors(
        loaded
            .problems
            .iter()
            .chain(loaded.merged.problems.iter())
            .any(|p| p.severity == Severity::Error),
    ))
}
