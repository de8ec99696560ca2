//! `duban year`: the 年度督办总结 of a plan year from its archived months.
//!
//! ```text
//! duban year [--year YYYY] [--force]
//! ```
//! Writes `output/<YYYY>年度/` (PDF for the mayor, its OFD twin, the workbook, year.json)
//! atomically. Mid-year it covers the months on record and names the missing ones. Exit 0 when
//! written, 2 when no month of the year is archived or the folder exists without `--force`.

use super::{CmdOutcome, Failure};
use duban::config::Config;
use duban::pipeline::{self, YearOptions};
use duban::year::month_ranges;

/// 根据已归档的各月汇总表生成年度（或截至目前的）督办总结：PDF（报市长）和 Excel
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 年度，如 2026（默认为 duban.toml 中的 year）
    #[arg(long, value_parser = super::parse_year)]
    pub year: Option<i32>,
    /// 覆盖已存在的年度输出（旧结果保留为 <年度>.previous-N）
    #[arg(long)]
    pub force: bool,
}

/// Writes the year report and says what it covers.
pub fn run(cfg: &Config, args: &Args) -> Result<CmdOutcome, Failure> {
    let opts = YearOptions {
        year: args.year,
        force: args.force,
    };
    let summary = pipeline::year(cfg, &opts)?;
    for p in &summary.problems {
        eprintln!("{p}");
    }
    println!(
        "{} 年督办总结已生成，依据 {} 共 {} 个月的归档汇总表。",
        summary.year,
        month_ranges(&summary.months),
        summary.months.len()
    );
    if !summary.missing.is_empty() {
        println!(
            "注意：{} 没有有效归档，未纳入统计（如有报送文件，可先用 duban run 补建）。",
            month_ranges(&summary.missing)
        );
    }
    if !summary.not_yet.is_empty() {
        println!(
            "{} 尚未归档：本总结为截至 {} 月的阶段性总结。",
            month_ranges(&summary.not_yet),
            summary.months.last().map_or(0, |m| m.month)
        );
    }
    println!("文件：{}", summary.files.join("、"));
    println!("输出位于 {}", summary.dir.display());
    if let Some(kept) = &summary.kept_previous {
        println!("原有的年度结果已保留在 {}", kept.display());
    }
    Ok(CmdOutcome::Clean)
}
