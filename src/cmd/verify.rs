//! `duban verify`: re-hashes archived months against their run.json.
//!
//! ```text
//! duban verify [--month YYYY-MM | --all]
//! ```
//! Lists changed, missing and extra files (the send logs aside). Exit 0 when every month checked
//! is intact, 1 otherwise, 2 when a month is not archived at all.

use super::{Failure, Outcome, parse_month};
use duban::config::Config;
use duban::model::Month;
use duban::pipeline;
use duban::verify::verify_month;

/// 按 run.json 重新核对已归档月份的每个文件（发送记录除外），列出被改动、缺失和多出的文件
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 核对的月份，如 2026-11（默认为 input/submissions 下最新的月份）
    #[arg(long, value_parser = parse_month, conflicts_with = "all")]
    pub month: Option<Month>,
    /// 核对 output 下所有已归档的月份
    #[arg(long)]
    pub all: bool,
}

/// Verifies the chosen months and prints one verdict per month.
pub fn run(cfg: &Config, args: &Args) -> Result<Outcome, Failure> {
    let months: Vec<Month> = if args.all {
        archived_months(cfg)
    } else {
        vec![args.month.unwrap_or_else(|| {
            pipeline::newest_month(&cfg.paths.submissions).unwrap_or(Month {
                year: cfg.year,
                month: 1,
            })
        })]
    };
    if months.is_empty() {
        println!(
            "{} 下没有已归档的月份。",
            pipeline::relative(cfg, &cfg.paths.output)
        );
        return Ok(Outcome::Clean);
    }
    let mut damaged = false;
    for month in months {
        let dir = cfg.paths.output.join(month.to_string());
        let report = verify_month(&dir)?;
        if report.is_intact() {
            println!(
                "✓ {}：{} 个文件与 run.json 一致。",
                month.label(),
                report.intact
            );
        } else {
            damaged = true;
            println!(
                "✗ {}：{} 个文件一致，{} 个被改动，{} 个缺失，{} 个多出：",
                month.label(),
                report.intact,
                report.changed.len(),
                report.missing.len(),
                report.extra.len()
            );
            for line in report.lines() {
                println!("  {line}");
            }
        }
    }
    Ok(Outcome::from_errors(damaged))
}

/// Every `YYYY-MM` folder under the output folder that holds a run.json, oldest first.
fn archived_months(cfg: &Config) -> Vec<Month> {
    let mut months: Vec<Month> = std::fs::read_dir(&cfg.paths.output)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|e| e.path().join("run.json").is_file())
        .filter_map(|e| Month::parse(&e.file_name().to_string_lossy()))
        .collect();
    months.sort();
    months
}
