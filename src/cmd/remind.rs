//! `duban remind` (催报): every unit without a valid reply (未报送 or 报送无效) gets a reminder
//! with the deadline and its form attached again, at most once a day per unit.
//!
//! ```text
//! duban remind [--month YYYY-MM] [--dry-run]
//! ```
//! Exit 0 when every reminder due went out, 1 when some did not (listed), 2 for a usage or
//! configuration error, a TLS or login failure.

use super::{CmdOutcome, Failure, parse_month};
use duban::config::Config;
use duban::mail;
use duban::model::Month;
use duban::pipeline;
use duban::replies::remind;
use duban::replies::status::month_status;

/// 催报：给尚未有效报送（未报送或报送无效）的单位发催报邮件，再次附上进展表模板；每个单位每天至多一次
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 月份，如 2026-12（默认：已生成模板的最新月份，没有则为本月）
    #[arg(long, value_parser = parse_month)]
    pub month: Option<Month>,
    /// 只列出将要催报的单位、收件人、主题和附件，不连接邮件服务器
    #[arg(long = "dry-run")]
    pub dry_run: bool,
}

/// Plans the reminders, then sends (or lists) them.
pub fn run(cfg: &Config, args: &Args) -> Result<CmdOutcome, Failure> {
    let month = args
        .month
        .unwrap_or_else(|| super::collect::default_month(cfg));
    // One send at a time per month: the lock is taken before the plan reads the logs.
    let _lock = if args.dry_run {
        None
    } else {
        Some(mail::lock::lock_month(cfg, month)?)
    };
    let today = chrono::Local::now().date_naive();
    let status = month_status(cfg, month, today)?;
    let planned = remind::plan(cfg, &status)?;
    let verb = if args.dry_run { "将催报" } else { "催报" };
    println!(
        "{} 催报（截止 {}，{}）：{verb} {} 个单位，今日已催报 {} 个（跳过），另行催报 {} 个。",
        month.label(),
        status.due.format("%Y-%m-%d"),
        status.days_text(),
        planned.plan.messages.len(),
        planned.reminded_today.len(),
        planned.no_address.len()
    );
    for m in &planned.plan.messages {
        println!(
            "  [{verb}] {}  收件人：{}  主题：{}  附件：{}",
            m.unit,
            m.addresses(),
            m.subject,
            m.attachment
        );
    }
    if !planned.reminded_today.is_empty() {
        println!("  今日已催报：{}", planned.reminded_today.join("、"));
    }
    if !planned.no_address.is_empty() {
        println!(
            "  另行催报（units.toml 中没有邮箱）：{}",
            planned.no_address.join("、")
        );
    }
    if args.dry_run || planned.plan.messages.is_empty() {
        return Ok(CmdOutcome::Clean);
    }
    let password = std::env::var(mail::PASSWORD_ENV).ok();
    let report = mail::send(cfg, &planned.plan, password.as_deref(), &mail::Quiet)?;
    super::console::print_deliveries(&report, ["已催报", "未送达", "状态不明"]);
    if !report.not_attempted.is_empty() {
        println!("  未发送：{}", report.not_attempted.join("、"));
    }
    println!(
        "催报记录：{}",
        pipeline::relative(cfg, &planned.plan.log_path)
    );
    if let Some(fatal) = report.fatal {
        return Err(Box::new(fatal));
    }
    Ok(CmdOutcome::from_errors(!report.complete()))
}
