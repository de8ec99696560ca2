//! `duban templates`: one pre-filled progress workbook per lead unit for the coming month.
//!
//! ```text
//! duban templates [--month YYYY-MM]
//! ```
//! Writes `output/<month>/templates/`: the workbooks, one message per unit carrying its
//! workbook (sent by `duban send --templates`) and `清单.csv`. Last month's progress goes into a
//! read-only column when last month's 汇总表 exists.

use super::{CmdOutcome, Failure, parse_month};
use duban::config::Config;
use duban::model::{Month, Severity};
use duban::pipeline;

/// 为每个牵头单位生成预填好任务的进展表模板（及发送模板用的邮件），写入 output/<月份>/templates/
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 模板所属月份，如 2026-12（默认为 input/submissions 下最新月份的下一个月）
    #[arg(long, value_parser = parse_month)]
    pub month: Option<Month>,
}

/// The month `duban templates` (and `duban send --templates`) works on by default.
pub fn default_month(cfg: &Config) -> Month {
    pipeline::newest_month(&cfg.paths.submissions)
        .map(Month::next)
        .unwrap_or(Month {
            year: cfg.year,
            month: 1,
        })
}

/// Writes the forms and says where they are.
pub fn run(cfg: &Config, args: &Args) -> Result<CmdOutcome, Failure> {
    let month = args.month.unwrap_or_else(|| default_month(cfg));
    let (master, problems) = duban::load_master(cfg)?;
    for p in problems.iter().filter(|p| p.severity == Severity::Error) {
        eprintln!("{p}");
    }
    let history = duban::history::load(&cfg.paths.output, month, cfg.year);
    for p in &history.problems {
        eprintln!("{p}");
    }
    let past = duban::render::form_xlsx::FormPast::of(history.past(), month);
    let on_record = !past.figures.is_empty() || !past.finished.is_empty();
    let written = pipeline::write_forms(cfg, &master, month, on_record.then_some(&past))?;
    println!(
        "已为 {} 个单位生成 {} 进展表模板和 {} 封邮件，位于 {}",
        written.workbooks.len(),
        month.label(),
        written.emails,
        written.dir.display()
    );
    if history.found() {
        println!("模板中已带入上月（{}）进度。", month.prev().label());
    } else if on_record {
        println!(
            "未找到上月（{}）汇总表，模板中的“上月进度”为此前最近一次报送的进度（注明月份）。",
            month.prev().label()
        );
    } else {
        println!(
            "未找到上月（{}）汇总表，模板中不含“上月进度”列。",
            month.prev().label()
        );
    }
    if !past.finished.is_empty() {
        println!(
            "已完成的 {} 项任务已预填完成进度 100、状态“已完成”和完成日期。",
            past.finished.len()
        );
    }
    if !written.without_address.is_empty() {
        println!(
            "以下 {} 个单位在 units.toml 中没有邮箱，请另行送达模板：{}",
            written.without_address.len(),
            written.without_address.join("、")
        );
    }
    println!("发送模板：duban send --templates --month {month}（可先加 --dry-run 预览）");
    Ok(CmdOutcome::Clean)
}
