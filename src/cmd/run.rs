//! `duban run`: the monthly job — validate, merge, classify, render and archive a month.
//!
//! ```text
//! duban run [--month YYYY-MM] [--as-of YYYY-MM-DD] [--force]
//! ```
//! Without `--month` it catches up: every month under `input/submissions/` without an archive
//! is built, oldest first, so each month reads the ones before it. `--month` builds that month
//! alone; `--as-of` alone builds the month of that date; `--force` without `--month` rebuilds
//! the newest month.
//!
//! Exit 0 when the data had no errors, 1 when errors were found (the output is written and the
//! errors are listed in the 汇总表's 校验问题), 2 when nothing could be done.

use super::console::Bar;
use super::{CmdOutcome, Failure, parse_date, parse_month};
use chrono::NaiveDate;
use duban::config::Config;
use duban::model::Month;
use duban::pipeline::{self, RunOptions, Stage};

/// 每月督办批处理：校验合并各单位报送表，生成汇总表、督办单、通知单和邮件
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 报告月份，如 2026-11（默认：依次生成 input/submissions 下所有尚未归档的月份，最早的先生成）
    #[arg(long, value_parser = parse_month)]
    pub month: Option<Month>,
    /// 截止日期，如 2026-11-30（默认为该月最后一天）
    #[arg(long = "as-of", value_parser = parse_date)]
    pub as_of: Option<NaiveDate>,
    /// 覆盖已存在的月份输出（旧结果保留为 <月份>.previous-N）；未指定 --month 时重新生成最新月份
    #[arg(long)]
    pub force: bool,
}

/// Runs the month (or catches up on every month not yet archived) with progress on the
/// console and prints the closing summary of each.
pub fn run(cfg: &Config, args: &Args) -> Result<CmdOutcome, Failure> {
    let single = args.month.or(args.as_of.map(Month::of));
    if single.is_some() || args.force {
        let opts = RunOptions {
            month: single,
            as_of: args.as_of,
            force: args.force,
        };
        let summary = pipeline::run(cfg, &opts, &ConsoleProgress::new())?;
        print!("{}", super::console::printable(&summary.to_text()));
        return Ok(CmdOutcome::from_errors(summary.errors > 0));
    }
    let pending = pipeline::pending_months(cfg);
    let Some(newest) = pipeline::newest_month(&cfg.paths.submissions) else {
        // no month folder at all: the usual message
        pipeline::resolve_month(cfg, &RunOptions::default())?;
        return Ok(CmdOutcome::Clean);
    };
    if pending.is_empty() {
        println!(
            "{} 下的所有月份均已生成并归档（最新为 {}），本次未生成任何文件。\n\
             如需重新生成某个月份，请用 --month 指定月份并加 --force（旧结果会保留为 <月份>.previous-N）。",
            pipeline::relative(cfg, &cfg.paths.submissions),
            newest.label()
        );
        return Ok(CmdOutcome::Clean);
    }
    if pending.len() > 1 {
        println!(
            "将依次生成 {} 个尚未归档的月份（最早的先生成）：{}",
            pending.len(),
            month_list(&pending)
        );
    }
    let mut errors = false;
    let mut built = Vec::new();
    for month in &pending {
        let opts = RunOptions {
            month: Some(*month),
            as_of: None,
            force: false,
        };
        let summary = match pipeline::run(cfg, &opts, &ConsoleProgress::new()) {
            Ok(s) => s,
            Err(e) => {
                if !built.is_empty() {
                    eprintln!(
                        "已生成：{}；{} 未能生成。",
                        month_list(&built),
                        month.label()
                    );
                }
                return Err(e.into());
            }
        };
        print!("{}", super::console::printable(&summary.to_text()));
        errors |= summary.errors > 0;
        built.push(*month);
    }
    if built.len() > 1 {
        println!(
            "\n本次共生成 {} 个月份：{}",
            built.len(),
            month_list(&built)
        );
    }
    Ok(CmdOutcome::from_errors(errors))
}

/// `2026年7月、2026年8月`.
fn month_list(months: &[Month]) -> String {
    months
        .iter()
        .map(|m| m.label())
        .collect::<Vec<_>>()
        .join("、")
}

/// Progress on a terminal: one indicatif bar per stage; plain lines otherwise (CI, pipes).
struct ConsoleProgress {
    bar: Bar,
}

impl ConsoleProgress {
    fn new() -> ConsoleProgress {
        ConsoleProgress { bar: Bar::new() }
    }
}

impl pipeline::Progress for ConsoleProgress {
    fn start(&self, stage: Stage, total: Option<u64>) {
        if !self.bar.tty {
            eprintln!("… {}", stage.label());
            return;
        }
        self.bar.start(
            total,
            "{spinner} {msg} [{bar:30}] {pos}/{len}",
            stage.label(),
        );
    }
    fn tick(&self) {
        self.bar.with(|bar| bar.inc(1));
    }
    fn finish(&self, stage: Stage, millis: f64) {
        self.bar.finish();
        eprintln!("✓ {}（{:.0} 毫秒）", stage.label(), millis);
    }
}
