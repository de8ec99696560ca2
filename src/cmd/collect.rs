//! `duban collect`: the units' replies fetched from the office mailbox (IMAP, read-only) or read
//! from `.eml` files saved by hand, their workbooks saved into the month's submissions.
//!
//! ```text
//! duban collect [--month YYYY-MM] [--dry-run] [--from FILE_OR_DIR]…
//! ```
//! Exit 0 when every message was looked at, 1 when the connection dropped part-way (what was
//! saved stays saved; run again for the rest), 2 for a usage or configuration error, a TLS or
//! login failure (nothing saved).

use super::{CmdOutcome, Failure, parse_month};
use duban::config::Config;
use duban::mail;
use duban::model::Month;
use duban::pipeline;
use duban::replies::collect::{CollectOutcome, CollectReport, Collector, Files, since, until};
use duban::replies::{ReplyError, imap, receipt};
use std::path::PathBuf;

/// 从本单位收件邮箱（IMAP，只读）收取各单位的报送邮件，把进展表附件保存到本月报送文件夹，并给每个保存的文件发回执
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 月份，如 2026-12（默认：已生成模板的最新月份，没有则为本月）
    #[arg(long, value_parser = parse_month)]
    pub month: Option<Month>,
    /// 只列出将要保存的文件，不保存、不记录、不发回执
    #[arg(long = "dry-run")]
    pub dry_run: bool,
    /// 不连接邮箱，改为读取手工保存的 .eml 文件或存放 .eml 的文件夹（可重复使用）
    #[arg(long = "from", value_name = "文件或文件夹")]
    pub from: Vec<PathBuf>,
}

/// The month `collect`, `status` and `remind` work on by default: the newest month whose
/// forms were made, else the current month.
pub fn default_month(cfg: &Config) -> Month {
    pipeline::submission_months(&cfg.paths.output)
        .into_iter()
        .filter(|m| {
            cfg.paths
                .output
                .join(m.to_string())
                .join(duban::archive::FORMS_DIR)
                .is_dir()
        })
        .max()
        .unwrap_or_else(|| {
            let today = chrono::Local::now().date_naive();
            Month::parse(&today.format("%Y-%m").to_string()).unwrap_or(Month {
                year: cfg.year,
                month: 1,
            })
        })
}

/// Collects, then prints what was saved.
pub fn run(cfg: &Config, args: &Args) -> Result<CmdOutcome, Failure> {
    let month = args.month.unwrap_or_else(|| default_month(cfg));
    let units =
        duban::units::Directory::load(&cfg.paths.units).map_err(|e| ReplyError::Load(e.into()))?;
    let (master, _) = duban::load_master(cfg).map_err(ReplyError::Load)?;
    let mut collector = Collector::new(cfg, month, &units, &master, args.dry_run)?;
    let report = if args.from.is_empty() {
        let settings = cfg.collect.as_ref().ok_or(ReplyError::NoCollectConfig)?;
        let password = std::env::var(imap::PASSWORD_ENV)
            .ok()
            .filter(|p| !p.is_empty())
            .ok_or(ReplyError::NoPassword)?;
        let since = since(cfg, month);
        let until = until(cfg, month);
        let span = match until {
            Some(u) => format!(
                "{} 至 {}（下月模板发出）之前",
                since.format("%Y-%m-%d"),
                u.format("%Y-%m-%d")
            ),
            None => format!("{} 以来", since.format("%Y-%m-%d")),
        };
        println!(
            "连接收件邮箱 {}:{}（{}，只读），查看 {span}的邮件……",
            settings.host.trim(),
            settings.port(),
            settings.mailbox,
        );
        let mut mailbox = imap::Mailbox::open(settings, &password, since, until)?;
        let report = collector.collect(&mut mailbox);
        mailbox.close();
        report?
    } else {
        collector.collect(&mut Files {
            paths: args.from.clone(),
        })?
    };
    print_report(cfg, month, collector.dir(), &report, args.dry_run);
    let mut outcome = CmdOutcome::Clean;
    if !args.dry_run {
        outcome = send_receipts(cfg, month)?;
    }
    if let Some(e) = &report.interrupted {
        println!("收取中断：{e}。已保存的文件和记录保留，请再次运行 duban collect 收取其余邮件。");
        return Ok(CmdOutcome::DataErrors);
    }
    Ok(outcome)
}

/// Sends the receipts still owed for the month's saved files (this run's and any an earlier
/// run could not send).
fn send_receipts(cfg: &Config, month: Month) -> Result<CmdOutcome, Failure> {
    if cfg.mail.is_none() {
        let (plan, _) = receipt::plan(cfg, month)?;
        if !plan.messages.is_empty() {
            println!(
                "未配置 [mail]，{} 份回执未发送（配置后再次运行 duban collect 即补发）。",
                plan.messages.len()
            );
        }
        return Ok(CmdOutcome::Clean);
    }
    // One send at a time per month: held from reading the receipts' log to the last receipt.
    let _lock = mail::lock::lock_month(cfg, month)?;
    let (plan, no_address) = receipt::plan(cfg, month)?;
    if plan.messages.is_empty() && no_address.is_empty() {
        return Ok(CmdOutcome::Clean);
    }
    let report = receipt::send(cfg, &plan)?;
    super::console::print_deliveries(&report, ["回执已发送", "回执未送达", "回执状态不明"]);
    if !report.not_attempted.is_empty() {
        println!(
            "  回执未发送（下次运行 duban collect 时补发）：{}",
            report.not_attempted.join("、")
        );
    }
    if !no_address.is_empty() {
        println!(
            "  units.toml 中没有邮箱，回执请另行告知：{}",
            no_address.join("、")
        );
    }
    println!(
        "回执：本次发送 {} 份。回执记录：{}",
        report.sent.len(),
        pipeline::relative(cfg, &plan.log_path)
    );
    if let Some(fatal) = report.fatal {
        return Err(Box::new(fatal));
    }
    Ok(CmdOutcome::from_errors(!report.complete()))
}

fn print_report(
    cfg: &Config,
    month: Month,
    dir: &std::path::Path,
    report: &CollectReport,
    dry_run: bool,
) {
    let saved = report.saved().count();
    let verb = if dry_run { "将保存" } else { "已保存" };
    for m in &report.messages {
        let unit = m.unit.as_deref().unwrap_or("单位未识别");
        match m.outcome {
            CollectOutcome::Saved => {
                for f in &m.saved {
                    println!(
                        "  [{verb}] {}  ←  {}（{}，{}）",
                        f.file,
                        f.original,
                        m.sender,
                        m.received.format("%m-%d %H:%M")
                    );
                }
                if !m.note.is_empty() {
                    println!("      同一邮件中另有：{}（未保存）", m.note);
                }
            }
            CollectOutcome::AlreadyThere => println!(
                "  [此前已保存] {unit}（{}）“{}”的附件已在文件夹中",
                m.sender, m.subject
            ),
            CollectOutcome::NoWorkbook => println!(
                "  [没有进展表] {unit}（{}）“{}”：{}，请联系该单位按模板报送 .xlsx",
                m.sender, m.subject, m.note
            ),
            CollectOutcome::Unreadable => println!("  [无法解析] {}：不是邮件格式", m.subject),
        }
    }
    println!(
        "{} 收取报送：查看新邮件 {} 封，{} {} 个文件，此前已收取 {} 封（跳过）。",
        month.label(),
        report.messages.len(),
        verb,
        saved,
        report.already_collected
    );
    if !dry_run {
        println!(
            "报送文件夹：{}  收件记录：{}",
            pipeline::relative(cfg, dir),
            pipeline::relative(cfg, &dir.join(duban::replies::COLLECT_LOG))
        );
    }
}
