//! `duban send`: the month's notices (or the month's templates) delivered through the office's
//! SMTP server, exactly once.
//!
//! - [`plan`] reads what there is to send: for notices, the archived month is first verified
//!   against its run.json ([`crate::verify::verify_month`]); the messages are the archived
//!   `.eml` files listed in `清单.csv`, sent byte for byte minus `X-Unsent`, to the addresses in
//!   their To and Cc; units already logged 已发送 in `发送记录.csv` are skipped.
//! - [`send`] delivers them over one connection ([`smtp::Session`]), at most `per_minute` a
//!   minute, appending and syncing a log row after every message. Temporary failures are
//!   retried with backoff and otherwise left for the next run; a 5xx is logged with the
//!   server's words and the others go on; a TLS or login failure stops the batch at once.
//!
//! The password comes only from the environment (`DUBAN_SMTP_PASSWORD`, read by the command)
//! and is never written anywhere.

mod eml;
pub mod lock;
mod log;
pub(crate) mod smtp;

pub use eml::{recipients, without_unsent};
pub use log::{LOG_HEADER, LogRow, Outcome, SendLog, read_csv, read_outcomes};

use crate::config::Config;
use crate::deliver::{MAIL_DIR, MANIFEST_FILE, sha256_hex};
use crate::model::Month;
use crate::pipeline::TEMPLATES_DIR;
use crate::verify::{SEND_LOG, VerifyError, verify_month};
use lettre::Address;
use lettre::address::Envelope;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The environment variable holding the SMTP password.
pub const PASSWORD_ENV: &str = "DUBAN_SMTP_PASSWORD";

/// What is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Batch {
    /// The archived month's 督办通知单 messages (`邮件/`).
    Notices,
    /// The month's progress-workbook messages (`templates/`).
    Templates,
    /// Receipts (回执) for the files `duban collect` saved.
    Receipts,
    /// Reminders (催报) to the units without a valid reply.
    Reminders,
}

impl Batch {
    /// `督办通知` / `进展表模板`.
    pub fn label(self) -> &'static str {
        match self {
            Batch::Notices => "督办通知",
            Batch::Templates => "进展表模板",
            Batch::Receipts => "报送回执",
            Batch::Reminders => "催报通知",
        }
    }
}

/// What the caller asked for.
#[derive(Debug, Clone)]
pub struct SendOptions {
    pub batch: Batch,
    pub month: Month,
    /// Only these units (their names as in `清单.csv`); empty: all.
    pub only: Vec<String>,
    /// Send again to units already logged 已发送 (with `only`).
    pub resend: bool,
}

/// One message of the batch.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub unit: String,
    pub recipients: Vec<Address>,
    /// The `.eml`, relative to the batch folder.
    pub file: String,
    pub subject: String,
    pub attachment: String,
    /// The bytes to send (the archived file minus `X-Unsent`).
    pub bytes: Vec<u8>,
    /// Already logged 已发送.
    pub already_sent: bool,
    /// To be sent by this run (not sent yet, or `--resend`); the plan holds only the units
    /// `--only` chose.
    pub selected: bool,
}

impl Outgoing {
    /// A message built elsewhere (a receipt, a reminder), to be sent by this run.
    pub fn fresh(
        unit: String,
        recipients: Vec<Address>,
        file: String,
        subject: String,
        attachment: String,
        bytes: Vec<u8>,
    ) -> Outgoing {
        Outgoing {
            unit,
            recipients,
            file,
            subject,
            attachment,
            bytes,
            already_sent: false,
            selected: true,
        }
    }

    /// Recipients as `a@x; b@y`.
    pub fn addresses(&self) -> String {
        self.recipients
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Everything a send will do, read and checked before the first connection.
#[derive(Debug, Clone)]
pub struct Plan {
    pub batch: Batch,
    pub month: Month,
    /// `output/<month>/邮件/` or `output/<month>/templates/`.
    pub folder: PathBuf,
    /// `发送记录.csv` in that folder.
    pub log_path: PathBuf,
    /// Messages in `清单.csv` order.
    pub messages: Vec<Outgoing>,
    /// Units listed without an address (另行送达); with `--only`, those chosen.
    pub no_address: Vec<String>,
    /// Units of `no_address` already logged 未发送（无邮箱）.
    no_address_logged: Vec<String>,
    /// Archived files re-hashed against run.json before sending (notices only).
    pub verified_files: usize,
}

impl Plan {
    /// A plan of messages built elsewhere (receipts, reminders), logged to `log_path`; every
    /// message is sent.
    pub fn of_messages(
        batch: Batch,
        month: Month,
        folder: PathBuf,
        log_path: PathBuf,
        messages: Vec<Outgoing>,
    ) -> Plan {
        Plan {
            batch,
            month,
            folder,
            log_path,
            messages,
            no_address: Vec::new(),
            no_address_logged: Vec::new(),
            verified_files: 0,
        }
    }

    /// Messages this run sends.
    pub fn selected(&self) -> impl Iterator<Item = &Outgoing> {
        self.messages.iter().filter(|m| m.selected)
    }
}

/// A send that cannot start or must stop (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error(
        "没有找到 {month} 的输出（{dir}）。请先运行 duban run --month {key} 生成该月督办单和邮件"
    )]
    NoMonth {
        month: String,
        key: String,
        dir: String,
    },
    #[error(transparent)]
    Verify(#[from] VerifyError),
    #[error(
        "{dir} 与 run.json 记录不一致，为防止发出被改动的文件，本次未发送任何邮件：\n  {}\n如确需重新生成，请运行 duban run --month {month} --force",
        lines.join("\n  ")
    )]
    ArchiveChanged {
        dir: String,
        month: String,
        lines: Vec<String>,
    },
    #[error("没有找到 {month} 的进展表模板（{dir}）。请先运行 duban templates --month {key}")]
    NoTemplates {
        month: String,
        key: String,
        dir: String,
    },
    #[error("无法读取邮件清单 {path}：{reason}")]
    Manifest { path: String, reason: String },
    #[error("邮件 {path} 无法发送：{reason}")]
    Message { path: String, reason: String },
    #[error("--only 指定的单位“{name}”不在本批邮件清单中。清单中的单位：{known}")]
    UnknownUnit { name: String, known: String },
    #[error(
        "配置文件中没有 [mail] 设置，无法连接邮件服务器。请在 duban.toml 中加入 [mail] 一节（host、port、security、username，见 README“发送”），或先用 --dry-run 预览"
    )]
    NoMailConfig,
    #[error(
        "[mail] 设置了登录名 {username}，但没有找到密码：请在运行前设置环境变量 DUBAN_SMTP_PASSWORD（密码不写入任何文件）"
    )]
    NoPassword { username: String },
    #[error("发件地址“{address}”格式不正确（duban.toml 的 mail.from 或 office.email）")]
    BadSender { address: String },
    #[error("[mail] ca_file 指定的证书文件 {path} 不可用：{reason}")]
    CaFile { path: String, reason: String },
    #[error("无法与邮件服务器 {server} 建立安全连接：{detail}")]
    Tls { server: String, detail: String },
    #[error(
        "邮件服务器 {server} 拒绝登录：{detail}。请检查 [mail] username 和环境变量 DUBAN_SMTP_PASSWORD；本次未将任何邮件记为已发送"
    )]
    Auth { server: String, detail: String },
    #[error("邮件服务器 {server} 拒绝连接：{detail}")]
    Refused { server: String, detail: String },
    #[error(
        "{month} 的另一次发送（督办通知、模板、回执或催报）正在进行，本次未发送。请等它结束后再运行"
    )]
    Locked { month: String },
    #[error("无法写入发送记录 {path}：{source}")]
    Log {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// Reads and checks what the batch would send; connects to nothing.
///
/// # Errors
/// [`SendError`] when the month or templates are missing, the archive fails verification, the
/// manifest or a message cannot be read, or `--only` names a unit not in the batch.
pub fn plan(cfg: &Config, opts: &SendOptions) -> Result<Plan, SendError> {
    let month_dir = cfg.paths.output.join(opts.month.to_string());
    let mut verified_files = 0;
    let folder = match opts.batch {
        Batch::Notices => {
            if !month_dir.join("run.json").is_file() {
                return Err(SendError::NoMonth {
                    month: opts.month.label(),
                    key: opts.month.to_string(),
                    dir: month_dir.display().to_string(),
                });
            }
            let report = verify_month(&month_dir)?;
            if !report.is_intact() {
                return Err(SendError::ArchiveChanged {
                    dir: month_dir.display().to_string(),
                    month: opts.month.to_string(),
                    lines: report.lines(),
                });
            }
            verified_files = report.intact;
            month_dir.join(MAIL_DIR)
        }
        Batch::Receipts | Batch::Reminders => {
            return Err(SendError::Manifest {
                path: month_dir.display().to_string(),
                reason: "回执和催报由 duban collect / duban remind 发送".into(),
            });
        }
        Batch::Templates => {
            let dir = month_dir.join(TEMPLATES_DIR);
            if !dir.join(MANIFEST_FILE).is_file() {
                return Err(SendError::NoTemplates {
                    month: opts.month.label(),
                    key: opts.month.to_string(),
                    dir: dir.display().to_string(),
                });
            }
            dir
        }
    };
    let rows = read_manifest(&folder.join(MANIFEST_FILE))?;
    for name in &opts.only {
        if !rows.iter().any(|r| r.unit == name.trim()) {
            return Err(SendError::UnknownUnit {
                name: name.clone(),
                known: rows
                    .iter()
                    .map(|r| r.unit.as_str())
                    .collect::<Vec<_>>()
                    .join("、"),
            });
        }
    }
    let chosen = |unit: &str| opts.only.is_empty() || opts.only.iter().any(|n| n.trim() == unit);
    let log_path = folder.join(SEND_LOG);
    let logged = read_outcomes(&log_path).map_err(|source| SendError::Log {
        path: log_path.display().to_string(),
        source,
    })?;
    let logged_as = |unit: &str, outcome: Outcome| {
        logged
            .iter()
            .any(|(u, o)| u == unit && o == outcome.label())
    };
    let mut messages = Vec::new();
    let mut no_address = Vec::new();
    let mut no_address_logged = Vec::new();
    for row in rows.into_iter().filter(|r| chosen(&r.unit)) {
        let Some(file) = row.eml.filter(|f| !f.is_empty()) else {
            if logged_as(&row.unit, Outcome::NoAddress) {
                no_address_logged.push(row.unit.clone());
            }
            no_address.push(row.unit);
            continue;
        };
        let path = folder.join(&file);
        // the one sanitiser of output names: no separators, no leading dots, no device names
        if !crate::names::is_safe_component(&file) {
            return Err(SendError::Message {
                path: path.display().to_string(),
                reason: "清单中的邮件文件名不安全".into(),
            });
        }
        let archived = std::fs::read(&path).map_err(|e| SendError::Message {
            path: path.display().to_string(),
            reason: format!("无法读取（{e}）"),
        })?;
        let recipients = recipients(&archived).map_err(|reason| SendError::Message {
            path: path.display().to_string(),
            reason,
        })?;
        let already_sent = logged_as(&row.unit, Outcome::Sent);
        let selected = !already_sent || opts.resend;
        messages.push(Outgoing {
            unit: row.unit,
            recipients,
            file,
            subject: row.subject,
            attachment: row.attachment,
            bytes: without_unsent(&archived),
            already_sent,
            selected,
        });
    }
    Ok(Plan {
        batch: opts.batch,
        month: opts.month,
        folder,
        log_path,
        messages,
        no_address,
        no_address_logged,
        verified_files,
    })
}

/// A row of `清单.csv` as [`plan`] needs it.
struct ManifestEntry {
    unit: String,
    subject: String,
    attachment: String,
    eml: Option<String>,
}

fn read_manifest(path: &Path) -> Result<Vec<ManifestEntry>, SendError> {
    let err = |reason: String| SendError::Manifest {
        path: path.display().to_string(),
        reason,
    };
    let bytes = std::fs::read(path).map_err(|e| err(e.to_string()))?;
    let text = String::from_utf8(bytes).map_err(|_| err("不是 UTF-8 文本".into()))?;
    let table = read_csv(&text);
    let Some((header, rows)) = table.split_first() else {
        return Err(err("文件为空".into()));
    };
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| err(format!("缺少“{name}”列")))
    };
    let (unit, subject, attachment, eml) =
        (col("单位")?, col("主题")?, col("附件")?, col("邮件文件")?);
    let cell = |r: &[String], i: usize| r.get(i).cloned().unwrap_or_default();
    Ok(rows
        .iter()
        .filter(|r| r.iter().any(|c| !c.is_empty()))
        .map(|r| ManifestEntry {
            unit: cell(r, unit),
            subject: cell(r, subject),
            attachment: cell(r, attachment),
            eml: Some(cell(r, eml)).filter(|s| !s.is_empty()),
        })
        .collect())
}

/// What happened to one message of this run.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub unit: String,
    pub address: String,
    pub outcome: Outcome,
    /// The server's reply or the reason.
    pub reply: String,
}

/// The closing account of a send.
#[derive(Debug, Default)]
pub struct SendReport {
    /// Delivered by this run.
    pub sent: Vec<Delivery>,
    /// Skipped: logged 已发送 by an earlier run.
    pub already_sent: Vec<String>,
    /// Refused (5xx) or still failing after the retries.
    pub failed: Vec<Delivery>,
    /// Not tried because the server could not be reached (or the batch stopped).
    pub not_attempted: Vec<String>,
    /// Units without an address (另行送达).
    pub no_address: Vec<String>,
    /// What stopped the batch (TLS, login): exit 2. Messages sent before it are in `sent`.
    pub fatal: Option<SendError>,
}

impl SendReport {
    /// Everything selected was delivered (no failures, nothing left, nothing fatal).
    pub fn complete(&self) -> bool {
        self.failed.is_empty() && self.not_attempted.is_empty() && self.fatal.is_none()
    }
}

/// Hears about the batch as it goes (the console's progress bar).
pub trait SendProgress: Sync {
    /// The batch starts with `total` messages to send.
    fn start(&self, _total: u64) {}
    /// A message is done (delivered, refused or given up).
    fn done(&self, _delivery: &Delivery) {}
    /// A temporary failure; the next try is after `wait`.
    fn retry(&self, _unit: &str, _attempt: u32, _wait: Duration, _why: &str) {}
    /// The batch is over.
    fn finish(&self) {}
}

/// Progress that shows nothing (tests, benchmarks).
pub struct Quiet;
impl SendProgress for Quiet {}

/// The current local time for the log.
fn now() -> String {
    chrono::Local::now()
        .format("%Y-%m-%d %H:%M:%S %:z")
        .to_string()
}

/// Delivers the plan's selected messages through `[mail]`, logging each.
///
/// `password` is the value of [`PASSWORD_ENV`] (needed when `[mail] username` is set).
///
/// # Errors
/// [`SendError`] before anything is sent: no `[mail]`, no password, a bad sender or CA file,
/// an unwritable log. A TLS or login failure during the batch ends it with
/// [`SendReport::fatal`] set instead, so the messages sent before are still reported.
pub fn send(
    cfg: &Config,
    plan: &Plan,
    password: Option<&str>,
    progress: &dyn SendProgress,
) -> Result<SendReport, SendError> {
    let mut report = SendReport {
        already_sent: plan
            .messages
            .iter()
            .filter(|m| m.already_sent && !m.selected)
            .map(|m| m.unit.clone())
            .collect(),
        no_address: plan.no_address.clone(),
        ..SendReport::default()
    };
    let to_send: Vec<&Outgoing> = plan.selected().collect();
    let new_no_address: Vec<&String> = plan
        .no_address
        .iter()
        .filter(|u| !plan.no_address_logged.contains(u))
        .collect();
    if to_send.is_empty() && new_no_address.is_empty() {
        return Ok(report);
    }
    let log_err = |source| SendError::Log {
        path: plan.log_path.display().to_string(),
        source,
    };
    // Everything that can fail before the first message is checked before the log is touched.
    let connection = if to_send.is_empty() {
        None
    } else {
        let mail = cfg.mail.as_ref().ok_or(SendError::NoMailConfig)?;
        let password =
            match &mail.username {
                Some(user) => Some(password.filter(|p| !p.is_empty()).ok_or_else(|| {
                    SendError::NoPassword {
                        username: user.clone(),
                    }
                })?),
                None => None,
            };
        let from_text = mail.from.as_deref().unwrap_or(&cfg.office.email).trim();
        let from: Address = from_text.parse().map_err(|_| SendError::BadSender {
            address: from_text.to_string(),
        })?;
        Some((
            smtp::Session::new(mail, from.domain(), password)?,
            from,
            mail,
        ))
    };
    let mut log = SendLog::open(&plan.log_path).map_err(log_err)?;
    for unit in new_no_address {
        log.append(&LogRow {
            time: now(),
            unit: unit.clone(),
            address: String::new(),
            file: String::new(),
            sha256: String::new(),
            outcome: Outcome::NoAddress,
            reply: "units.toml 中没有邮箱，请另行送达".into(),
        })
        .map_err(log_err)?;
    }
    let Some((mut session, from, mail)) = connection else {
        return Ok(report);
    };
    progress.start(to_send.len() as u64);
    let interval = (mail.per_minute > 0).then(|| Duration::from_secs(60) / mail.per_minute);
    let mut last_start: Option<Instant> = None;
    let mut pending = to_send.into_iter();
    while let Some(message) = pending.next() {
        let envelope =
            Envelope::new(Some(from.clone()), message.recipients.clone()).map_err(|e| {
                SendError::Message {
                    path: plan.folder.join(&message.file).display().to_string(),
                    reason: format!("收件人无效（{e}）"),
                }
            })?;
        let mut attempt = 0u32;
        let (outcome, reply, stop) = loop {
            if let (Some(every), Some(at)) = (interval, last_start) {
                let since = at.elapsed();
                if since < every {
                    std::thread::sleep(every - since);
                }
            }
            last_start = Some(Instant::now());
            match session.send(&envelope, &message.bytes) {
                Ok(reply) => break (Outcome::Sent, reply, false),
                Err(smtp::Fault::Fatal(e)) => {
                    session.close();
                    report.not_attempted.push(message.unit.clone());
                    report.not_attempted.extend(pending.map(|m| m.unit.clone()));
                    report.fatal = Some(e);
                    progress.finish();
                    return Ok(report);
                }
                Err(smtp::Fault::Permanent(words)) => break (Outcome::Rejected, words, false),
                Err(smtp::Fault::Temporary { words, stage }) => {
                    if attempt >= mail.retries {
                        break (Outcome::Temporary, words, stage == smtp::Stage::Connect);
                    }
                    attempt += 1;
                    let wait = backoff(attempt, stage);
                    progress.retry(&message.unit, attempt, wait, &words);
                    std::thread::sleep(wait);
                }
            }
        };
        let delivery = Delivery {
            unit: message.unit.clone(),
            address: message.addresses(),
            outcome,
            reply,
        };
        log.append(&LogRow {
            time: now(),
            unit: delivery.unit.clone(),
            address: delivery.address.clone(),
            file: message.file.clone(),
            sha256: sha256_hex(&message.bytes),
            outcome,
            reply: delivery.reply.clone(),
        })
        .map_err(log_err)?;
        progress.done(&delivery);
        if outcome == Outcome::Sent {
            report.sent.push(delivery);
        } else {
            report.failed.push(delivery);
        }
        if stop {
            // The server cannot be reached at all: the rest wait for the next run.
            report
                .not_attempted
                .extend(pending.by_ref().map(|m| m.unit.clone()));
        }
    }
    session.close();
    progress.finish();
    Ok(report)
}

/// Wait before try `attempt` (1-based): a dropped connection is reopened at once the first
/// time (servers close idle connections); otherwise 1 s, 2 s, 4 s … up to 30 s.
fn backoff(attempt: u32, stage: smtp::Stage) -> Duration {
    if attempt == 1 && stage == smtp::Stage::Dropped {
        return Duration::ZERO;
    }
    Duration::from_secs(1u64 << attempt.saturating_sub(1).min(5)).min(Duration::from_secs(30))
}
