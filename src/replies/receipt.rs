//! Receipts (回执): after `duban collect` saved a unit's file, the unit hears which file arrived
//! when, and the check of it — 未发现问题, or the problems exactly as its 督办通知单 will list
//! them (sheet, cell, value, what to fix) with the deadline the forms' messages announced.
//!
//! One receipt per saved file, to the unit's address in units.toml (whoever sent the file),
//! through `[mail]` under the month's send lock; `回执记录.csv` (the send log's columns, the
//! saved file's name in 邮件文件) keeps every attempt, and a file logged 已发送 never gets a
//! second receipt. Files saved by an earlier collect whose receipt did not go out are
//! receipted by the next one.

use super::log::read_log_rows;
use super::{COLLECT_LOG, RECEIPT_LOG, ReplyError};
use crate::config::Config;
use crate::deliver::{OfficeContext, UnitContext};
use crate::mail::{self, Batch, Outgoing, Plan, SendReport};
use crate::model::{Month, Problem, Severity};
use crate::pipeline::Loaded;
use crate::templates::Templates;
use lettre::message::{Mailbox, SinglePart};
use lettre::{Address, Message};
use serde::Serialize;
use std::collections::BTreeSet;

/// Subject template (in `templates/`).
pub const RECEIPT_SUBJECT_TEMPLATE: &str = "receipt_email_subject.j2";
/// Body template (in `templates/`).
pub const RECEIPT_BODY_TEMPLATE: &str = "receipt_email_body.j2";

/// One problem as the receipt lists it.
#[derive(Debug, Clone, Serialize)]
pub struct ProblemLine {
    pub number: usize,
    pub severity: &'static str,
    pub sheet: String,
    pub cell: String,
    pub raw: String,
    pub message: String,
}

/// What the receipt templates see.
#[derive(Debug, Clone, Serialize)]
pub struct ReceiptContext {
    pub unit: UnitContext,
    pub office: OfficeContext,
    pub month: String,
    pub month_label: String,
    pub due: String,
    pub file: String,
    pub original: String,
    pub received: String,
    pub valid: bool,
    pub invalid_reason: String,
    pub errors: usize,
    pub warnings: usize,
    pub problems: Vec<ProblemLine>,
}

/// A file saved by collect, as `收件记录.csv` has it.
#[derive(Debug, Clone)]
struct Logged {
    unit: String,
    file: String,
    received: String,
}

/// The files `收件记录.csv` lists as saved for a unit, in log order.
fn saved_files(cfg: &Config, month: Month) -> Result<Vec<Logged>, ReplyError> {
    let path = cfg
        .paths
        .submissions
        .join(month.to_string())
        .join(COLLECT_LOG);
    let rows = read_log_rows(&path).map_err(|source| ReplyError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let mut out = Vec::new();
    for row in rows {
        let cell = |k: &str| row.get(k).cloned().unwrap_or_default();
        if !cell("结果").starts_with("已保存") || cell("单位").is_empty() {
            continue;
        }
        for file in cell("保存的文件").split("; ").filter(|f| !f.is_empty()) {
            out.push(Logged {
                unit: cell("单位"),
                file: file.to_string(),
                received: received_text(&cell("收到时间")),
            });
        }
    }
    Ok(out)
}

/// `2026年12月3日 09:30` from the log's `2026-12-03 09:30:15 +08:00`.
fn received_text(logged: &str) -> String {
    chrono::NaiveDateTime::parse_from_str(logged.get(..19).unwrap_or(logged), "%Y-%m-%d %H:%M:%S")
        .map(|t| t.format("%Y年%-m月%-d日 %H:%M").to_string())
        .unwrap_or_else(|_| logged.to_string())
}

/// The original attachment name inside `<unit>_<time>_<original>`.
fn original_name(file: &str) -> &str {
    file.splitn(3, '_').nth(2).unwrap_or(file)
}

/// The problems of one file, as the unit's notice lists them (its own file's problems, then
/// the merge's about it), with the counts.
fn problems_of(loaded: &Loaded, file: &str) -> Vec<Problem> {
    let mut out: Vec<Problem> = loaded
        .submissions
        .iter()
        .filter(|s| s.file == file)
        .flat_map(|s| s.problems.iter().cloned())
        .collect();
    for p in &loaded.merged.problems {
        if p.file.as_deref() == Some(file) && !out.contains(p) {
            out.push(p.clone());
        }
    }
    out.sort_by_key(|p| p.severity);
    out
}

/// A log outcome after which the message is not sent again by itself: 已发送, and an attempt
/// whose body went out without a reply (状态不明, or 发送中 left by a run that died) — a second
/// receipt is worse than a missing one.
pub(crate) fn blocks_resend(outcome: mail::SendOutcome) -> bool {
    matches!(
        outcome,
        mail::SendOutcome::Sent | mail::SendOutcome::Unknown | mail::SendOutcome::Sending
    )
}

/// The receipts still to send: every saved file of the month not yet logged 已发送 (or
/// 状态不明) in `回执记录.csv`, built from the month's check. Units without an address are returned apart.
///
/// # Errors
/// [`ReplyError`] when the month cannot be loaded or a template fails.
pub fn plan(cfg: &Config, month: Month) -> Result<(Plan, Vec<String>), ReplyError> {
    let dir = cfg.paths.submissions.join(month.to_string());
    let log_path = dir.join(RECEIPT_LOG);
    let done: BTreeSet<String> = read_log_rows(&log_path)
        .map_err(|source| ReplyError::Io {
            path: log_path.display().to_string(),
            source,
        })?
        .into_iter()
        .filter(|r| {
            r.get("结果")
                .and_then(|o| mail::SendOutcome::from_label(o))
                .is_some_and(blocks_resend)
        })
        .filter_map(|r| r.get("邮件文件").cloned())
        .collect();
    let pending: Vec<Logged> = saved_files(cfg, month)?
        .into_iter()
        .filter(|l| !done.contains(&l.file))
        .collect();
    let mut no_address = Vec::new();
    let mut messages = Vec::new();
    if !pending.is_empty() {
        let loaded = super::load_month(cfg, month)?;
        let templates =
            Templates::load(&cfg.paths.templates).map_err(|e| ReplyError::Config(e.to_string()))?;
        for item in &pending {
            let Some(unit) = loaded.units.get(&item.unit) else {
                continue;
            };
            let Some(address) = unit.address().and_then(|a| a.parse::<Address>().ok()) else {
                no_address.push(format!("{}（{}）", unit.name, item.file));
                continue;
            };
            let ctx = context(cfg, &loaded, unit, item);
            let subject = one_line(&render(&templates, RECEIPT_SUBJECT_TEMPLATE, &ctx)?);
            let body = render(&templates, RECEIPT_BODY_TEMPLATE, &ctx)?;
            let bytes = plain_message(cfg, &unit.name, address.clone(), &subject, body)?;
            messages.push(Outgoing::fresh(
                unit.name.clone(),
                vec![address],
                item.file.clone(),
                subject,
                String::new(),
                bytes,
            ));
        }
    }
    Ok((
        Plan::of_messages(Batch::Receipts, month, dir, log_path, messages),
        no_address,
    ))
}

fn context(
    cfg: &Config,
    loaded: &Loaded,
    unit: &crate::model::Unit,
    item: &Logged,
) -> ReceiptContext {
    let problems = problems_of(loaded, &item.file);
    let sub = loaded.submissions.iter().find(|s| s.file == item.file);
    let valid = sub.is_some_and(|s| s.rows_read > 0);
    let invalid_reason = if valid {
        String::new()
    } else {
        problems
            .iter()
            .find(|p| p.severity == Severity::Error)
            .map(|p| p.message.clone())
            .unwrap_or_else(|| "文件中没有可读取的任务行".into())
    };
    ReceiptContext {
        unit: UnitContext::of(unit),
        office: OfficeContext::of(cfg),
        month: loaded.month.to_string(),
        month_label: loaded.month.label(),
        due: loaded.month.last_day().to_string(),
        file: item.file.clone(),
        original: original_name(&item.file).to_string(),
        received: item.received.clone(),
        valid,
        invalid_reason,
        errors: problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .count(),
        warnings: problems
            .iter()
            .filter(|p| p.severity != Severity::Error)
            .count(),
        problems: problems
            .iter()
            .enumerate()
            .map(|(i, p)| ProblemLine {
                number: i + 1,
                severity: p.severity.label(),
                sheet: p.sheet.clone().unwrap_or_default(),
                cell: p.cell.clone().unwrap_or_default(),
                raw: p.raw.clone().unwrap_or_default(),
                message: p.message.clone(),
            })
            .collect(),
    }
}

pub(crate) fn render<S: Serialize>(
    templates: &Templates,
    name: &str,
    ctx: &S,
) -> Result<String, ReplyError> {
    templates
        .render(name, ctx)
        .map_err(|e| ReplyError::Config(e.to_string()))
}

pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A plain-text message from the office to a unit, dated now.
fn plain_message(
    cfg: &Config,
    unit: &str,
    to: Address,
    subject: &str,
    body: String,
) -> Result<Vec<u8>, ReplyError> {
    let from_text = cfg
        .mail
        .as_ref()
        .and_then(|m| m.from.as_deref())
        .unwrap_or(&cfg.office.email)
        .trim();
    let from: Address = from_text.parse().map_err(|_| {
        ReplyError::Send(mail::SendError::BadSender {
            address: from_text.to_string(),
        })
    })?;
    let message = Message::builder()
        .from(Mailbox::new(Some(cfg.office.name.clone()), from))
        .to(Mailbox::new(Some(unit.to_string()), to))
        .subject(subject)
        .date_now()
        .singlepart(SinglePart::plain(body))
        .map_err(|e| ReplyError::Config(format!("无法生成发给 {unit} 的邮件（{e}）")))?;
    Ok(message.formatted())
}

/// Sends the planned receipts. The caller holds the month's send lock
/// ([`mail::lock::lock_month`]) from before [`plan`] read the log until this returns.
///
/// # Errors
/// [`ReplyError`] when `[mail]` is missing or the server refuses TLS/login.
pub fn send(cfg: &Config, plan: &Plan) -> Result<SendReport, ReplyError> {
    let password = std::env::var(mail::PASSWORD_ENV).ok();
    let report = mail::send(cfg, plan, password.as_deref(), &mail::Quiet)?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn original_name_is_after_unit_and_time() {
        assert_eq!(
            original_name("市发改委_20261203-093000_附件2_进展表.xlsx"),
            "附件2_进展表.xlsx"
        );
        assert_eq!(original_name("plain.xlsx"), "plain.xlsx");
    }
}
