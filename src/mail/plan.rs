//! What a send will do, read and checked before anything connects: [`plan`] verifies the
//! archive (notices), reads `清单.csv` and each message, checks every recipient against
//! units.toml, and reads the send log to decide, per unit, whether to send, skip (已发送,
//! 状态不明) or name an older build that went out (已发送旧版).

use super::{Batch, SendError, SendOptions, read_csv, read_records, recipients, without_unsent};
use crate::archive::verify::verify_month;
use crate::archive::{FORMS_DIR, MAIL_DIR, MANIFEST_FILE, SEND_LOG, sha256_hex};
use crate::config::Config;
use crate::model::Month;
use lettre::Address;
use std::path::{Path, PathBuf};

/// One message of the batch.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub unit: String,
    pub recipients: Vec<Address>,
    /// The `.eml`, relative to the batch folder.
    pub file: String,
    pub subject: String,
    pub attachment: String,
    /// The bytes to send (the archived file minus `X-Unsent`; dated when sent).
    pub bytes: Vec<u8>,
    /// SHA-256 of the archived `.eml`.
    pub archived_sha256: String,
    /// Already logged 已发送 (this message, or with [`Outgoing::sent_old`] an earlier build's).
    pub already_sent: bool,
    /// Logged 已发送 for a message that differs from today's archived one (the month was
    /// rebuilt with `--force` after sending): 已发送旧版.
    pub sent_old: bool,
    /// The last attempt went out without a reply (状态不明), or a run died while sending it.
    pub unknown: bool,
    /// A 发送中 row without its outcome (the run sending it died): closed with 状态不明.
    pub(super) dangling: bool,
    /// To be sent by this run (neither sent nor 状态不明, or `--resend`); the plan holds only the
    /// units `--only` chose.
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
            archived_sha256: sha256_hex(&bytes),
            bytes,
            already_sent: false,
            sent_old: false,
            unknown: false,
            dangling: false,
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
    pub(super) no_address_logged: Vec<String>,
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

/// Reads and checks what the batch would send; connects to nothing.
///
/// # Errors
/// [`SendError`] when the month or forms are missing, the archive fails verification, the
/// manifest or a message cannot be read, or `--only` names a unit not in the batch.
pub fn plan(cfg: &Config, opts: &SendOptions) -> Result<Plan, SendError> {
    let month_dir = cfg.paths.output.join(opts.month.to_string());
    let mut verified_files = 0;
    let folder = match opts.batch {
        Batch::Notices => {
            if !crate::archive::is_archived(&month_dir) {
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
        Batch::Forms => {
            let dir = month_dir.join(FORMS_DIR);
            if !dir.join(MANIFEST_FILE).is_file() {
                return Err(SendError::NoForms {
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
    let records = read_records(&log_path).map_err(|source| SendError::Log {
        path: log_path.display().to_string(),
        source,
    })?;
    let units = crate::units::Directory::load(&cfg.paths.units)?;
    let mut messages = Vec::new();
    let mut no_address = Vec::new();
    let mut no_address_logged = Vec::new();
    for row in rows.into_iter().filter(|r| chosen(&r.unit)) {
        let record = records.get(&row.unit).cloned().unwrap_or_default();
        let Some(file) = row.eml.filter(|f| !f.is_empty()) else {
            if record.no_address {
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
        check_addresses(&units, &row.unit, &recipients, &path, opts.month)?;
        let archived_sha256 = sha256_hex(&archived);
        let already_sent = record.sent.is_some();
        let sent_old = record
            .sent
            .as_deref()
            .is_some_and(|sha| !sha.is_empty() && sha != archived_sha256);
        let unknown = record.unknown && !already_sent;
        let selected = !record.settled() || opts.resend;
        messages.push(Outgoing {
            unit: row.unit,
            recipients,
            file,
            subject: row.subject,
            attachment: row.attachment,
            bytes: without_unsent(&archived),
            archived_sha256,
            already_sent,
            sent_old,
            unknown,
            dangling: record.dangling,
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

/// Every recipient of a unit's message must be an address units.toml gives that unit: a
/// message edited after the run (a `Cc:` added, its hash fixed in run.json) is refused.
fn check_addresses(
    units: &crate::units::Directory,
    unit: &str,
    recipients: &[Address],
    path: &Path,
    month: Month,
) -> Result<(), SendError> {
    let known: Vec<String> = units
        .get(unit)
        .and_then(|u| u.email.as_deref())
        .into_iter()
        .flat_map(|e| e.split([',', ';', '；', '，']))
        .map(|e| e.trim().to_ascii_lowercase())
        .filter(|e| !e.is_empty())
        .collect();
    for address in recipients {
        let text = address.to_string();
        if !known.contains(&text.to_ascii_lowercase()) {
            return Err(SendError::ForeignAddress {
                path: path.display().to_string(),
                unit: unit.to_string(),
                address: text,
                known: if known.is_empty() {
                    "units.toml 中没有该单位的邮箱".to_string()
                } else {
                    known.join("、")
                },
                month: month.to_string(),
            });
        }
    }
    Ok(())
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
