//! `duban status` (报送进度): per unit 已报送 / 报送无效 (why) / 未报送, its files and problems,
//! and the days left to the reply deadline; also written to `报送进度.csv` beside the
//! submissions.
//!
//! ```text
//! duban status [--month YYYY-MM]
//! ```
//! Exit 0 when every unit has a valid reply, 1 when some have not, 2 for a usage or
//! configuration error.

use super::{CmdOutcome, Failure, parse_month};
use duban::config::Config;
use duban::model::Month;
use duban::pipeline;
use duban::replies::status::{month_status, write_csv};

/// 报送进度：列出各单位已报送、报送无效（原因）或未报送，文件、问题和距截止日期的天数
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 月份，如 2026-12（默认：已生成模板的最新月份，没有则为本月）
    #[arg(long, value_parser = parse_month)]
    pub month: Option<Month>,
}

/// Prints the table and writes `报送进度.csv`.
pub fn run(cfg: &Config, args: &Args) -> Result<CmdOutcome, Failure> {
    let month = args
        .month
        .unwrap_or_else(|| super::collect::default_month(cfg));
    let today = chrono::Local::now().date_naive();
    let status = month_status(cfg, month, today)?;
    let (ok, invalid, silent) = status.counts();
    println!(
        "{} 报送进度（截止 {}，{}）：已报送 {ok} 个单位，报送无效 {invalid} 个，未报送 {silent} 个。",
        month.label(),
        status.due.format("%Y-%m-%d"),
        status.days_text()
    );
    let width = status
        .units
        .iter()
        .map(|u| u.unit.chars().count())
        .max()
        .unwrap_or(4);
    for u in &status.units {
        let pad = " ".repeat((width - u.unit.chars().count()) * 2);
        let detail = match u.state {
            "已报送" => {
                let mut d = u.files.join("、");
                if u.errors > 0 || u.warnings > 0 {
                    d.push_str(&format!("（错误 {}，警告 {}）", u.errors, u.warnings));
                }
                d
            }
            "报送无效" => format!("{}：{}", u.files.join("、"), u.why),
            _ => status.days_text(),
        };
        println!("  {}{pad}  {}  {detail}", u.unit, u.state);
        for p in &u.main_problems {
            println!("      · {p}");
        }
    }
    let path = write_csv(cfg, &status)?;
    println!("报送进度表：{}", pipeline::relative(cfg, &path));
    Ok(CmdOutcome::from_errors(invalid + silent > 0))
}
