//! `duban collect`: the units' replies, from the office mailbox ([`super::imap`]) or from `.eml`
//! files saved by hand (`--from`), into `input/submissions/<YYYY-MM>/`.
//!
//! For every message not collected before (its Message-ID, else its SHA-256, in
//! `收件记录.csv`): each workbook attachment is saved as `<unit>_<received time>_<original
//! name>` unless a file with the same bytes is already in the folder; the unit is the sender's
//! (its `email` or `reply_from` in units.toml), else the one the workbook names as intake
//! identifies it. Each file is written to a dot-file and renamed into place, and the message's
//! log row is appended and synced after its files, so an interrupted collect resumes: a message
//! whose row is missing is looked at again, and its files already saved are recognised by
//! their bytes, never saved twice.
use super::log::{CsvLog, read_log_rows};
use super::{COLLECT_LOG, ReplyError};
use crate::archive::sha256_hex;
use crate::config::Config;
use crate::intake::read::ContentKind;
use crate::intake::reply::{Reply, kind_label, parse};
use crate::intake::{IntakeContext, read_submission_bytes};
use crate::model::{Master, Month};
use crate::units::Directory;
use chrono::{DateTime, Local};
use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

pub use super::inbox::{Candidate, Fetched, Files, Inbox, since, until};

/// Header of `收件记录.csv`.
pub const COLLECT_LOG_HEADER: [&str; 8] = [
    "收到时间",
    "发件人",
    "主题",
    "单位",
    "保存的文件",
    "SHA-256",
    "结果",
    "邮件标识",
];
/// What became of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CollectOutcome {
    /// Its workbooks were saved.
    Saved,
    /// Its workbooks were already in the folder (same bytes).
    AlreadyThere,
    /// No workbook in it (listed with what it holds).
    NoWorkbook,
    /// Not a mail message.
    Unreadable,
}

impl CollectOutcome {
    /// The 结果 text.
    pub fn label(&self) -> &'static str {
        match self {
            CollectOutcome::Saved => "已保存",
            CollectOutcome::AlreadyThere => "文件此前已保存",
            CollectOutcome::NoWorkbook => "没有进展表",
            CollectOutcome::Unreadable => "无法解析",
        }
    }
}

/// One file saved (or, in a dry run, to be saved).
#[derive(Debug, Clone)]
pub struct SavedFile {
    /// The unit it was attributed to; `None` when neither sender nor workbook named one.
    pub unit: Option<String>,
    /// Its name in the month folder.
    pub file: String,
    /// The attachment's name in the message.
    pub original: String,
    pub sha256: String,
    /// When the message was received (local time).
    pub received: DateTime<Local>,
}

/// One message looked at.
#[derive(Debug, Clone)]
pub struct Collected {
    pub received: DateTime<Local>,
    pub sender: String,
    pub subject: String,
    /// The sender's unit, else the unit of its first saved workbook.
    pub unit: Option<String>,
    pub saved: Vec<SavedFile>,
    pub outcome: CollectOutcome,
    /// What it holds besides workbooks (for 没有进展表), else empty.
    pub note: String,
}

/// The account of one collect.
#[derive(Debug, Default)]
pub struct CollectReport {
    /// Messages looked at by this run, in order.
    pub messages: Vec<Collected>,
    /// Messages skipped because `收件记录.csv` has them.
    pub already_collected: usize,
    /// What stopped the run part-way (a dropped connection): what was done before is kept.
    pub interrupted: Option<ReplyError>,
}

impl CollectReport {
    /// Every file saved by this run.
    pub fn saved(&self) -> impl Iterator<Item = &SavedFile> {
        self.messages.iter().flat_map(|m| m.saved.iter())
    }
}

/// What a collect works with.
pub struct Collector<'a> {
    cfg: &'a Config,
    month: Month,
    units: &'a Directory,
    master: &'a Master,
    dir: PathBuf,
    dry_run: bool,
    known_ids: HashSet<String>,
    known_files: HashSet<String>,
    names: BTreeSet<String>,
    log: Option<CsvLog>,
}

impl<'a> Collector<'a> {
    /// Reads the month folder and its log.
    ///
    /// # Errors
    /// [`ReplyError::Io`] when the folder or the log cannot be read or made.
    pub fn new(
        cfg: &'a Config,
        month: Month,
        units: &'a Directory,
        master: &'a Master,
        dry_run: bool,
    ) -> Result<Collector<'a>, ReplyError> {
        let dir = cfg.paths.submissions.join(month.to_string());
        let log_path = dir.join(COLLECT_LOG);
        let io = |path: &Path| {
            let path = path.display().to_string();
            move |source| ReplyError::Io { path, source }
        };
        let known_ids = read_log_rows(&log_path)
            .map_err(io(&log_path))?
            .into_iter()
            .filter_map(|r| r.get("邮件标识").cloned())
            .filter(|id| !id.is_empty())
            .collect();
        let mut known_files = HashSet::new();
        let mut names = BTreeSet::new();
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for entry in entries.filter_map(Result::ok) {
                let name = entry.file_name().to_string_lossy().into_owned();
                if !entry.file_type().is_ok_and(|t| t.is_file()) {
                    continue;
                }
                names.insert(name.to_lowercase());
                if name.starts_with('.') || super::LOOP_FILES.contains(&name.as_str()) {
                    continue;
                }
                let bytes = std::fs::read(entry.path()).map_err(io(&entry.path()))?;
                known_files.insert(sha256_hex(&bytes));
            }
        }
        let log = if dry_run {
            None
        } else {
            std::fs::create_dir_all(&dir).map_err(io(&dir))?;
            Some(CsvLog::open(&log_path, &COLLECT_LOG_HEADER).map_err(io(&log_path))?)
        };
        Ok(Collector {
            cfg,
            month,
            units,
            master,
            dir,
            dry_run,
            known_ids,
            known_files,
            names,
            log,
        })
    }

    /// The month folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Collects every new message of `inbox`.
    ///
    /// # Errors
    /// [`ReplyError`] when the inbox cannot be listed (login, TLS: nothing saved) or a file or
    /// the log cannot be written. A message that cannot be fetched ends the run with
    /// [`CollectReport::interrupted`] set; what was saved before stays saved and logged.
    pub fn collect(&mut self, inbox: &mut dyn Inbox) -> Result<CollectReport, ReplyError> {
        let mut report = CollectReport::default();
        for candidate in inbox.list()? {
            if candidate
                .message_id
                .as_ref()
                .is_some_and(|id| self.known_ids.contains(id))
            {
                report.already_collected += 1;
                continue;
            }
            let fetched = match inbox.fetch(&candidate) {
                Ok(f) => f,
                Err(e) => {
                    report.interrupted = Some(e);
                    break;
                }
            };
            let Some(reply) = parse(&fetched.raw) else {
                let id = format!("sha256:{}", sha256_hex(&fetched.raw));
                if self.known_ids.contains(&id) {
                    report.already_collected += 1;
                    continue;
                }
                let collected = Collected {
                    received: fetched
                        .received
                        .map_or_else(Local::now, |d| d.with_timezone(&Local)),
                    sender: String::new(),
                    subject: fetched.origin.clone(),
                    unit: None,
                    saved: Vec::new(),
                    outcome: CollectOutcome::Unreadable,
                    note: "不是邮件格式".into(),
                };
                self.log_message(&collected, &id)?;
                report.messages.push(collected);
                continue;
            };
            if self.known_ids.contains(&reply.id) {
                report.already_collected += 1;
                continue;
            }
            let received = fetched
                .received
                .or(reply.date)
                .map_or_else(Local::now, |d| d.with_timezone(&Local));
            let collected = self.take(&reply, received)?;
            self.log_message(&collected, &reply.id)?;
            report.messages.push(collected);
        }
        Ok(report)
    }

    fn take(&mut self, reply: &Reply, received: DateTime<Local>) -> Result<Collected, ReplyError> {
        let sender_unit = self.units.by_address(&reply.sender).map(|u| u.name.clone());
        let mut saved = Vec::new();
        let mut any_workbook = false;
        let mut already = false;
        for attachment in reply.workbooks() {
            any_workbook = true;
            let sha = sha256_hex(&attachment.bytes);
            if self.known_files.contains(&sha) {
                already = true;
                continue;
            }
            let unit = sender_unit
                .clone()
                .or_else(|| self.unit_of_workbook(&attachment.name, &attachment.bytes));
            let file = self.file_name(unit.as_deref(), received, &attachment.name);
            if !self.dry_run {
                write_atomically(&self.dir, &file, &attachment.bytes)?;
            }
            self.known_files.insert(sha.clone());
            self.names.insert(file.to_lowercase());
            saved.push(SavedFile {
                unit,
                file,
                original: attachment.name.clone(),
                sha256: sha,
                received,
            });
        }
        let outcome = if !saved.is_empty() {
            CollectOutcome::Saved
        } else if already {
            CollectOutcome::AlreadyThere
        } else {
            CollectOutcome::NoWorkbook
        };
        let note = if any_workbook {
            let others: Vec<String> = reply
                .attachments
                .iter()
                .filter(|a| a.kind != ContentKind::Workbook)
                .map(|a| format!("{} {}", kind_label(&a.kind), a.name))
                .collect();
            others.join("、")
        } else {
            reply.holds()
        };
        Ok(Collected {
            received,
            sender: reply.sender.clone(),
            subject: reply.subject.clone(),
            unit: sender_unit.or_else(|| saved.iter().find_map(|s| s.unit.clone())),
            saved,
            outcome,
            note,
        })
    }

    /// The unit a workbook names (填报单位, its file name, its tasks), as intake identifies it.
    fn unit_of_workbook(&self, name: &str, bytes: &[u8]) -> Option<String> {
        let ctx = IntakeContext {
            master: self.master,
            units: self.units,
            month: self.month,
            as_of: self.month.last_day(),
            limits: &self.cfg.limits,
            previous: None,
            done_percent: self.cfg.thresholds.done_percent,
        };
        read_submission_bytes(name, bytes, None, &ctx).unit
    }

    /// `<unit>_<YYYYMMDD-HHMMSS>_<original name>`, made safe and unique in the folder.
    fn file_name(&self, unit: Option<&str>, received: DateTime<Local>, original: &str) -> String {
        let path = Path::new(original);
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let ext = path
            .extension()
            .map(|e| format!(".{}", crate::names::safe_file_stem(&e.to_string_lossy())))
            .unwrap_or_default();
        let prefix = match unit {
            Some(u) => format!("{u}_{}", received.format("%Y%m%d-%H%M%S")),
            None => format!("未识别单位_{}", received.format("%Y%m%d-%H%M%S")),
        };
        let base = crate::names::safe_file_stem(&format!("{prefix}_{stem}"));
        let mut candidate = format!("{base}{ext}");
        let mut n = 2;
        while self.names.contains(&candidate.to_lowercase()) {
            candidate = format!("{base}_{n}{ext}");
            n += 1;
        }
        candidate
    }

    fn log_message(&mut self, m: &Collected, id: &str) -> Result<(), ReplyError> {
        self.known_ids.insert(id.to_string());
        let Some(log) = self.log.as_mut() else {
            return Ok(());
        };
        let outcome = if m.note.is_empty() {
            m.outcome.label().to_string()
        } else {
            format!("{}（{}）", m.outcome.label(), m.note)
        };
        log.append(&[
            m.received.format("%Y-%m-%d %H:%M:%S %:z").to_string(),
            m.sender.clone(),
            m.subject.clone(),
            m.unit.clone().unwrap_or_default(),
            m.saved
                .iter()
                .map(|s| s.file.as_str())
                .collect::<Vec<_>>()
                .join("; "),
            m.saved
                .iter()
                .map(|s| s.sha256.as_str())
                .collect::<Vec<_>>()
                .join("; "),
            outcome,
            id.to_string(),
        ])
        .map_err(|source| ReplyError::Io {
            path: self.dir.join(COLLECT_LOG).display().to_string(),
            source,
        })
    }
}

/// Writes `name` in `dir` through a dot-file renamed into place (intake skips dot-files, so a
/// crash never leaves half a workbook under a real name).
fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), ReplyError> {
    use std::io::Write;
    let tmp = dir.join(format!(".收件中-{}", std::process::id()));
    let target = dir.join(name);
    let io = |source| ReplyError::Io {
        path: target.display().to_string(),
        source,
    };
    let mut f = std::fs::File::create(&tmp).map_err(io)?;
    f.write_all(bytes).map_err(io)?;
    f.sync_all().map_err(io)?;
    drop(f);
    std::fs::rename(&tmp, &target).map_err(io)?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}
