//! `duban send`: the month's notices (or the month's forms) delivered through the office's
//! SMTP server, exactly once.
//!
//! - [`lock_month`] takes the month's send lock, held across plan and send (one send at a time
//!   per month, for every kind of send).
//! - [`plan`] reads what there is to send: for notices, the archived month is first verified
//!   against its run.json ([`crate::archive::verify::verify_month`]); the messages are the archived
//!   `.eml` files listed in `清单.csv`, sent byte for byte minus `X-Unsent` and dated when sent,
//!   to the addresses in their To and Cc — each of which must be the unit's address in
//!   units.toml; units logged 已发送 (or 状态不明) in `发送记录.csv` are skipped, and a unit whose
//!   archived message changed since it was sent (a month rebuilt with `--force`) is listed as
//!   已发送旧版.
//! - [`send`] delivers them over one connection ([`smtp::Session`]), at most `per_minute` a
//!   minute. A row 发送中 is appended and synced before each body goes out, and the outcome
//!   after the server's answer. Temporary failures before the body (and a 4xx to its end) are
//!   retried with backoff and otherwise left for the next run; no reply after the body is
//!   状态不明 and never retried by itself; a 5xx is logged with the server's words and the others
//!   go on; a TLS or login failure stops the batch at once.
//!
//! The password comes only from the environment (`DUBAN_SMTP_PASSWORD`, read by the command)
//! and is never written anywhere.

mod eml;
pub mod lock;
mod log;
mod plan;
pub(crate) mod smtp;

pub use eml::{dated, recipients, without_unsent};
pub use lock::{LOCK_FILE, MonthLock, lock_month};
pub use log::{LOG_HEADER, LogRow, SendLog, SendOutcome, UnitRecord, read_csv, read_records};
pub use plan::{Outgoing, Plan, plan};
pub use smtp::DATA_REPLY_WAIT;

use crate::archive::sha256_hex;
use crate::archive::verify::VerifyError;
use crate::config::{Config, Security};
use crate::model::Month;
use lettre::Address;
use lettre::address::Envelope;
use std::time::{Duration, Instant};

/// The environment variable holding the SMTP password.
pub const PASSWORD_ENV: &str = "DUBAN_SMTP_PASSWORD";

/// What is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Batch {
    /// The archived month's 督办通知单 messages (`邮件/`).
    Notices,
    /// The month's progress-workbook messages (`templates/`).
    Forms,
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
            Batch::Forms => "进展表模板",
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
    NoForms {
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
    #[error("无法写入发送记录 {path}：{source}")]
    Log {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{month} 的另一次发送（督办通知、模板、回执或催报）正在进行（{path} 已被锁定）。为防止同一单位收到两份，本次未发送任何邮件；请等那次发送结束后再运行"
    )]
    Locked { month: String, path: String },
    #[error("无法建立发送锁 {path}：{source}")]
    LockFile {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "[mail] security = \"none\" 时不能设置 username：密码会以明文发给邮件服务器 {host}。请改用 security = \"starttls\"（端口 587）或 \"tls\"（端口 465）；本次未连接邮件服务器"
    )]
    PasswordInClear { host: String },
    #[error(
        "邮件 {path} 的收件人 {address} 不是 units.toml 中“{unit}”的邮箱（{known}）。为防止发给他人，本次未发送任何邮件；如地址有变，请更正 units.toml 后重新运行 duban run --month {month} --force"
    )]
    ForeignAddress {
        path: String,
        unit: String,
        address: String,
        known: String,
        month: String,
    },
    #[error(transparent)]
    Units(#[from] crate::units::DirectoryError),
}

/// `[mail] security = "none"` with a login sends the password in clear text: refused before
/// any connection, unless the server is this machine (a loopback address or `localhost`).
///
/// # Errors
/// [`SendError::PasswordInClear`].
pub fn check_clear_text_login(mail: &crate::config::Mail) -> Result<(), SendError> {
    if mail.security != Security::None || mail.username.is_none() {
        return Ok(());
    }
    let host = mail.host.trim();
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = bare.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if loopback {
        Ok(())
    } else {
        Err(SendError::PasswordInClear {
            host: host.to_string(),
        })
    }
}

/// What happened to one message of this run.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub unit: String,
    pub address: String,
    pub outcome: SendOutcome,
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
    /// Skipped: logged 已发送 for an earlier build of the message (已发送旧版); `--resend`
    /// decides. Also in `already_sent`.
    pub sent_old: Vec<String>,
    /// Skipped: an earlier run's attempt has no known outcome (状态不明); `--resend` decides.
    pub unknown_before: Vec<String>,
    /// Refused (5xx) or still failing after the retries.
    pub failed: Vec<Delivery>,
    /// The body went out and no reply came (状态不明): not retried; `--resend` decides.
    pub unknown: Vec<Delivery>,
    /// Not tried because the server could not be reached (or the batch stopped).
    pub not_attempted: Vec<String>,
    /// Units without an address (另行送达).
    pub no_address: Vec<String>,
    /// What stopped the batch (TLS, login): exit 2. Messages sent before it are in `sent`.
    pub fatal: Option<SendError>,
}

impl SendReport {
    /// Everything selected was delivered (no failures, nothing unknown or left, nothing fatal).
    pub fn complete(&self) -> bool {
        self.failed.is_empty()
            && self.unknown.is_empty()
            && self.unknown_before.is_empty()
            && self.not_attempted.is_empty()
            && self.fatal.is_none()
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

/// The current local time as a message's `Date` (RFC 5322).
fn date_header_now() -> String {
    chrono::Local::now()
        .format("%a, %-d %b %Y %H:%M:%S %z")
        .to_string()
}

/// Delivers the plan's selected messages through `[mail]`, logging each.
///
/// `password` is the value of [`PASSWORD_ENV`] (needed when `[mail] username` is set). The
/// caller holds the month's [`MonthLock`] from before [`plan`] until this returns.
///
/// # Errors
/// [`SendError`] before anything is sent: no `[mail]`, a login without TLS, no password, a bad
/// sender or CA file, an unwritable log. A TLS or login failure during the batch ends it with
/// [`SendReport::fatal`] set instead, so the messages sent before are still reported.
pub fn send(
    cfg: &Config,
    plan: &Plan,
    password: Option<&str>,
    progress: &dyn SendProgress,
) -> Result<SendReport, SendError> {
    let skipped = || plan.messages.iter().filter(|m| !m.selected);
    let mut report = SendReport {
        already_sent: skipped()
            .filter(|m| m.already_sent)
            .map(|m| m.unit.clone())
            .collect(),
        sent_old: skipped()
            .filter(|m| m.sent_old)
            .map(|m| m.unit.clone())
            .collect(),
        unknown_before: skipped()
            .filter(|m| m.unknown)
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
    let dangling: Vec<&Outgoing> = skipped().filter(|m| m.dangling).collect();
    if to_send.is_empty() && new_no_address.is_empty() && dangling.is_empty() {
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
        check_clear_text_login(mail)?;
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
    // A run that died between 发送中 and the server's answer: its outcome is not known.
    for message in dangling {
        log.append(&LogRow {
            time: now(),
            unit: message.unit.clone(),
            address: message.addresses(),
            file: message.file.clone(),
            archived_sha256: message.archived_sha256.clone(),
            sent_sha256: String::new(),
            outcome: SendOutcome::Unknown,
            reply: "上次发送在邮件正文发出后中断，无法确认是否送达；如需重发请用 --resend --only"
                .into(),
        })
        .map_err(log_err)?;
    }
    for unit in new_no_address {
        log.append(&LogRow {
            time: now(),
            unit: unit.clone(),
            address: String::new(),
            file: String::new(),
            archived_sha256: String::new(),
            sent_sha256: String::new(),
            outcome: SendOutcome::NoAddress,
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
        let row = |outcome: SendOutcome, sent_sha256: &str, reply: &str| LogRow {
            time: now(),
            unit: message.unit.clone(),
            address: message.addresses(),
            file: message.file.clone(),
            archived_sha256: message.archived_sha256.clone(),
            sent_sha256: sent_sha256.to_string(),
            outcome,
            reply: reply.to_string(),
        };
        let mut attempt = 0u32;
        let mut sent_sha256 = String::new();
        let (outcome, reply, stop) = loop {
            if let (Some(every), Some(at)) = (interval, last_start) {
                let since = at.elapsed();
                if since < every {
                    std::thread::sleep(every - since);
                }
            }
            last_start = Some(Instant::now());
            // Dated when sent; the archived .eml keeps the run's date.
            let bytes = dated(&message.bytes, &date_header_now());
            let sha = sha256_hex(&bytes);
            let mut body_started = false;
            let mut before_body = || {
                body_started = true;
                log.append(&row(SendOutcome::Sending, &sha, ""))
                    .map_err(log_err)
            };
            let result = session.send(&envelope, &bytes, &mut before_body);
            if body_started {
                sent_sha256 = sha.clone();
            }
            match result {
                Ok(reply) => break (SendOutcome::Sent, reply, false),
                Err(smtp::Fault::Fatal(e)) => {
                    session.close();
                    if body_started {
                        // the 发送中 row stands; say what became of it
                        let _ =
                            log.append(&row(SendOutcome::Temporary, &sent_sha256, &e.to_string()));
                    }
                    report.not_attempted.push(message.unit.clone());
                    report.not_attempted.extend(pending.map(|m| m.unit.clone()));
                    report.fatal = Some(e);
                    progress.finish();
                    return Ok(report);
                }
                Err(smtp::Fault::Permanent(words)) => break (SendOutcome::Rejected, words, false),
                Err(smtp::Fault::Unknown(words)) => break (SendOutcome::Unknown, words, false),
                Err(smtp::Fault::Temporary { words, stage }) => {
                    if attempt >= mail.retries {
                        break (
                            SendOutcome::Temporary,
                            words,
                            stage == smtp::SmtpStep::Connect,
                        );
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
        log.append(&row(outcome, &sent_sha256, &delivery.reply))
            .map_err(log_err)?;
        progress.done(&delivery);
        match outcome {
            SendOutcome::Sent => report.sent.push(delivery),
            SendOutcome::Unknown => report.unknown.push(delivery),
            _ => report.failed.push(delivery),
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
fn backoff(attempt: u32, stage: smtp::SmtpStep) -> Duration {
    if attempt == 1 && stage == smtp::SmtpStep::Dropped {
        return Duration::ZERO;
    }
    Duration::from_secs(1u64 << attempt.saturating_sub(1).min(5)).min(Duration::from_secs(30))
}
