//! Where replies come from: the [`Inbox`] a collect reads (the office mailbox in
//! [`super::imap`], `.eml` files saved by hand in [`Files`]) and the dates the mailbox is
//! looked at for a month ([`since`], [`until`]).

use super::ReplyError;
use super::log::read_log_rows;
use crate::config::Config;
use crate::model::Month;
use chrono::{DateTime, FixedOffset};
use std::path::PathBuf;

/// A message as a mailbox or a file gives it.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub raw: Vec<u8>,
    /// When the mailbox received it (IMAP INTERNALDATE); `None` for a file.
    pub received: Option<DateTime<FixedOffset>>,
    /// Where it came from, for messages (`IMAP UID 12`, a file path).
    pub origin: String,
}

/// A message a source offers.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The source's handle (a UID, a path).
    pub key: String,
    /// Its Message-ID when the source knows it without fetching the body.
    pub message_id: Option<String>,
}

/// Where replies come from.
pub trait Inbox {
    /// The messages to look at, oldest first.
    ///
    /// # Errors
    /// [`ReplyError`] when the source cannot be read (connection, login, TLS).
    fn list(&mut self) -> Result<Vec<Candidate>, ReplyError>;
    /// One message's bytes.
    ///
    /// # Errors
    /// [`ReplyError`] when it cannot be fetched (the connection dropped).
    fn fetch(&mut self, candidate: &Candidate) -> Result<Fetched, ReplyError>;
}

/// `.eml` files, or folders of them, saved by hand (`--from`).
pub struct Files {
    pub paths: Vec<PathBuf>,
}

impl Inbox for Files {
    fn list(&mut self) -> Result<Vec<Candidate>, ReplyError> {
        let mut files = Vec::new();
        for path in &self.paths {
            if path.is_dir() {
                let entries = std::fs::read_dir(path).map_err(|e| ReplyError::From {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                })?;
                let mut found: Vec<PathBuf> = entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| {
                        p.is_file() && p.extension().is_some_and(|e| e.eq_ignore_ascii_case("eml"))
                    })
                    .collect();
                found.sort();
                files.extend(found);
            } else if path.is_file() {
                files.push(path.clone());
            } else {
                return Err(ReplyError::From {
                    path: path.display().to_string(),
                    reason: "文件或文件夹不存在".into(),
                });
            }
        }
        Ok(files
            .into_iter()
            .map(|p| Candidate {
                key: p.display().to_string(),
                message_id: None,
            })
            .collect())
    }

    fn fetch(&mut self, candidate: &Candidate) -> Result<Fetched, ReplyError> {
        let raw = std::fs::read(&candidate.key).map_err(|e| ReplyError::From {
            path: candidate.key.clone(),
            reason: e.to_string(),
        })?;
        Ok(Fetched {
            raw,
            received: None,
            origin: candidate.key.clone(),
        })
    }
}
/// Since when the mailbox is looked at: the first 已发送 of the month's forms (their send
/// log), else the first day of the month.
pub fn since(cfg: &Config, month: Month) -> chrono::NaiveDate {
    forms_sent(cfg, month).unwrap_or_else(|| month.first_day())
}

/// Until when (exclusive) the mailbox is looked at for `month`: the day the next month's
/// forms went out, when they did — replies after that belong to the next month.
pub fn until(cfg: &Config, month: Month) -> Option<chrono::NaiveDate> {
    forms_sent(cfg, month.next())
}

/// The day the month's forms first went out (their send log), if they did.
fn forms_sent(cfg: &Config, month: Month) -> Option<chrono::NaiveDate> {
    let log = cfg
        .paths
        .output
        .join(month.to_string())
        .join(crate::archive::FORMS_DIR)
        .join(crate::archive::SEND_LOG);
    read_log_rows(&log)
        .unwrap_or_default()
        .iter()
        .filter(|r| {
            r.get("结果")
                .and_then(|o| crate::mail::SendOutcome::from_label(o))
                == Some(crate::mail::SendOutcome::Sent)
        })
        .filter_map(|r| r.get("时间"))
        .filter_map(|t| t.get(..10))
        .filter_map(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .min()
}
