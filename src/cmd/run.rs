//! `duban run`: the monthly job — validate, merge, classify, render and archive a month.
//!
//! ```text
//! duban run [--month YYYY-MM] [--as-of YYYY-MM-DD] [--force]
//! ```
//! Exit 0 when the data had no errors, 1 when errors were found (the output is written and the
//! errors are listed in the 汇总表's 校验问题), 2 when nothing could be done.

use super::console::Bar;
use super::{Failure, Outcome, parse_date, parse_month};
use chrono::NaiveDate;
use duban::config::Config;
use duban::model::Month;
use duban::pipeline::{self, RunOptions, Stage};

/// 每月督办批处理：校验合并各单位报送表，生成汇总表、督办单、通知单和邮件
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 报告月份，如 2026-11（默认为 input/submissions 下最新的月份）
    #[arg(long, value_parser = parse_month)]
    pub month: Option<Month>,
    /// 截止日期，如 2026-11-30（默认为该月最后一天）
    #[arg(long = "as-of", value_parser = parse_date)]
    pub as_of: Option<NaiveDate>,
    /// 覆盖已存在的月份输出（旧结果保留为 <月份>.previous-N）
    #[arg(long)]
    pub force: bool,
}

/// Runs the month with progress on the console and prints the closing summary.
pub fn run(cfg: &Config, args: &Args) -> Result<Outcome, Failure> {
    let opts = RunOptions {
        month: args.month,
        as_of: args.as_of,
        force: args.force,
    };
    let summary = pipeline::run(cfg, &opts, &ConsoleProgress::new())?;
    print!("{}", summary.to_text());
    Ok(Outcome::from_errors(summary.errors > 0))
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
