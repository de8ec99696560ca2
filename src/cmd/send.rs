//! `duban send`: the month's notices (or, with `--templates`, the month's progress workbooks)
//! sent through the office's mail server, exactly once.
//!
//! ```text
//! duban send [--month YYYY-MM] [--templates] [--only UNIT]… [--dry-run] [--resend]
//! ```
//! Exit 0 when everything was sent or had been sent (an older build of a notice included), 1
//! when some messages were not delivered or their fate is unknown (状态不明; listed by unit), 2
//! for a usage or configuration error, another send of the month running, a TLS or login
//! failure, a recipient units.toml does not give the unit, or an archive that fails
//! verification.

use super::console::Bar;
use super::{CmdOutcome, Failure, parse_month};
use duban::config::Config;
use duban::mail::{self, Batch, Delivery, Plan, SendOptions, SendProgress, SendReport};
use duban::model::Month;
use duban::pipeline;
use std::time::Duration;

/// 通过本单位邮件服务器发送本月督办通知（或 --templates 发送进展表模板），每个单位只发一次
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 月份，如 2026-11（默认：督办通知为 input/submissions 下最新的月份，模板为其下一个月）
    #[arg(long, value_parser = parse_month)]
    pub month: Option<Month>,
    /// 发送 duban templates 生成的进展表模板，而不是督办通知
    #[arg(long = "templates")]
    pub forms: bool,
    /// 只发送给这个单位（可重复使用，如 --only 市发改委 --only 市财政局）
    #[arg(long = "only", value_name = "单位")]
    pub only: Vec<String>,
    /// 只列出将要发送的邮件（收件人、主题、附件、大小），不连接邮件服务器
    #[arg(long = "dry-run")]
    pub dry_run: bool,
    /// 对已发送过的单位再发一次（须同时用 --only 指明单位）
    #[arg(long, requires = "only")]
    pub resend: bool,
}

/// Plans, then sends (or lists, with `--dry-run`), then prints the closing summary.
pub fn run(cfg: &Config, args: &Args) -> Result<CmdOutcome, Failure> {
    let batch = if args.forms {
        Batch::Forms
    } else {
        Batch::Notices
    };
    let month = args.month.unwrap_or_else(|| match batch {
        Batch::Forms => super::forms::default_month(cfg),
        Batch::Notices | Batch::Receipts | Batch::Reminders => {
            pipeline::newest_month(&cfg.paths.submissions).unwrap_or(Month {
                year: cfg.year,
                month: 1,
            })
        }
    });
    let opts = SendOptions {
        batch,
        month,
        only: args.only.clone(),
        resend: args.resend,
    };
    // Held across plan and send: a second send of the month stops here (exit 2).
    let _lock = if args.dry_run {
        None
    } else {
        Some(mail::lock_month(cfg, month)?)
    };
    let plan = mail::plan(cfg, &opts)?;
    if plan.batch == Batch::Notices {
        println!(
            "已核对 {} 的归档：{} 个文件与 run.json 一致。",
            month.label(),
            plan.verified_files
        );
    }
    if args.dry_run {
        print_dry_run(&plan);
        return Ok(CmdOutcome::Clean);
    }
    let password = std::env::var(mail::PASSWORD_ENV).ok();
    let progress = ConsoleProgress::new();
    let report = mail::send(cfg, &plan, password.as_deref(), &progress)?;
    print_summary(cfg, &plan, &report);
    if let Some(fatal) = report.fatal {
        return Err(Box::new(fatal));
    }
    Ok(CmdOutcome::from_errors(!report.complete()))
}

fn print_dry_run(plan: &Plan) {
    println!(
        "预览（未连接邮件服务器）：{} {}，共 {} 封邮件，本次将发送 {} 封。",
        plan.month.label(),
        plan.batch.label(),
        plan.messages.len(),
        plan.selected().count()
    );
    for m in &plan.messages {
        let what = match (m.selected, m.already_sent || m.unknown) {
            (true, true) => "将重新发送",
            (true, false) => "将发送",
            (false, _) if m.sent_old => {
                "已发送旧版，跳过（本月重新生成后邮件有变，如需发送新版请用 --resend --only）"
            }
            (false, _) if m.unknown => {
                "状态不明，跳过（上次发出后未收到服务器答复，请向该单位核实，必要时用 --resend --only 重发）"
            }
            (false, _) => "已发送过，跳过",
        };
        println!(
            "  [{what}] {}  收件人：{}  主题：{}  附件：{}  大小：{}",
            m.unit,
            m.addresses(),
            m.subject,
            m.attachment,
            size_text(m.bytes.len())
        );
    }
    if !plan.no_address.is_empty() {
        println!(
            "  另行送达（units.toml 中没有邮箱）：{}",
            plan.no_address.join("、")
        );
    }
}

fn size_text(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{:.0} KB", (bytes as f64 / 1024.0).ceil())
    }
}

fn print_summary(cfg: &Config, plan: &Plan, report: &SendReport) {
    let unknown = report.unknown.len() + report.unknown_before.len();
    println!(
        "{} {}：本次发送 {} 封，此前已发送 {} 封（跳过），未送达 {} 封，{}另行送达 {} 个单位。",
        plan.month.label(),
        plan.batch.label(),
        report.sent.len(),
        report.already_sent.len(),
        report.failed.len() + report.not_attempted.len(),
        if unknown > 0 {
            format!("状态不明 {unknown} 封（未重发），")
        } else {
            String::new()
        },
        report.no_address.len()
    );
    for d in &report.unknown {
        println!(
            "  状态不明：{}（{}）{}，可能已送达。为免重复，不会自动重发；请向该单位核实，必要时用 duban send --resend --only {} 重发",
            d.unit, d.address, d.reply, d.unit
        );
    }
    if !report.unknown_before.is_empty() {
        println!(
            "  状态不明（此前发送时未收到服务器答复，未重发）：{}。请向这些单位核实，必要时用 --resend --only 重发",
            report.unknown_before.join("、")
        );
    }
    if !report.sent_old.is_empty() {
        println!(
            "  已发送旧版（本月重新生成后邮件有变，新版未发送）：{}。如需发送新版，请用 --resend --only 单位",
            report.sent_old.join("、")
        );
    }
    for d in &report.failed {
        let what = match d.outcome {
            mail::SendOutcome::Rejected => "被拒收，请核对地址后用 --resend --only 重发",
            _ => "暂时失败，下次运行 duban send 时会再发",
        };
        println!("  未送达：{}（{}）{}：{}", d.unit, d.address, what, d.reply);
    }
    if !report.not_attempted.is_empty() {
        println!(
            "  未发送（下次运行 duban send 时发送）：{}",
            report.not_attempted.join("、")
        );
    }
    if !report.no_address.is_empty() {
        println!("  另行送达：{}", report.no_address.join("、"));
    }
    println!("发送记录：{}", pipeline::relative(cfg, &plan.log_path));
}

/// A progress bar on a terminal, one line per message otherwise; results always get a line.
struct ConsoleProgress {
    bar: Bar,
}

impl ConsoleProgress {
    fn new() -> ConsoleProgress {
        ConsoleProgress { bar: Bar::new() }
    }
}

impl SendProgress for ConsoleProgress {
    fn start(&self, total: u64) {
        if !self.bar.tty {
            eprintln!("… 发送 {total} 封邮件");
            return;
        }
        self.bar.start(
            Some(total),
            "{spinner} 发送邮件 [{bar:30}] {pos}/{len} {msg}",
            "",
        );
    }

    fn done(&self, d: &Delivery) {
        let mark = match d.outcome {
            mail::SendOutcome::Sent => "✓ 已发送",
            mail::SendOutcome::Rejected => "✗ 被拒收",
            mail::SendOutcome::Temporary => "… 暂时失败",
            mail::SendOutcome::Unknown => "? 状态不明",
            mail::SendOutcome::Sending => "… 发送中",
            mail::SendOutcome::NoAddress => "- 无邮箱",
        };
        self.bar
            .line(&format!("{mark} {}（{}）", d.unit, d.address));
        self.bar.with(|bar| {
            bar.inc(1);
            bar.set_message(d.unit.clone());
        });
    }

    fn retry(&self, unit: &str, attempt: u32, wait: Duration, why: &str) {
        self.bar.line(&format!(
            "  {unit}：{why}，{:.0} 秒后第 {attempt} 次重试",
            wait.as_secs_f64()
        ));
    }

    fn finish(&self) {
        self.bar.finish();
    }
}
