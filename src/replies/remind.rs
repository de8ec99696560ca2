//! `duban remind` (催报): every unit without a valid reply (未报送 or 报送无效) gets a reminder
//! with the deadline and its form attached again, at most once a day: `催报记录.csv`
//! (the send log's columns) says who was reminded when. Sent through `[mail]` under the month's
//! send lock; wording in `templates/`.

use super::log::read_log_rows;
use super::receipt::{one_line, render};
use super::status::{MonthStatus, UnitStatus};
use super::{REMIND_LOG, ReplyError};
use crate::archive::{FORMS_DIR, MANIFEST_FILE};
use crate::config::Config;
use crate::deliver::{OfficeContext, OfficeMessage, UnitContext, XLSX_TYPE};
use crate::mail::{Batch, Outgoing, Plan, without_unsent};
use crate::model::Month;
use crate::templates::Templates;
use chrono::NaiveDate;
use lettre::Address;
use serde::Serialize;
use std::collections::BTreeSet;

/// Subject template (in `templates/`).
pub const REMIND_SUBJECT_TEMPLATE: &str = "remind_email_subject.j2";
/// Body template (in `templates/`).
pub const REMIND_BODY_TEMPLATE: &str = "remind_email_body.j2";

/// What the reminder templates see.
#[derive(Debug, Clone, Serialize)]
pub struct RemindContext {
    pub unit: UnitContext,
    pub office: OfficeContext,
    pub month: String,
    pub month_label: String,
    pub due: String,
    pub days_left: i64,
    pub state: String,
    pub invalid_reason: String,
    pub attachment: String,
}

/// Who is reminded, who was already today, who cannot be reached by mail.
#[derive(Debug)]
pub struct RemindPlan {
    pub plan: Plan,
    /// Reminded today already (skipped).
    pub reminded_today: Vec<String>,
    /// Units without an address (另行催报).
    pub no_address: Vec<String>,
}

/// Units logged 已发送 in `催报记录.csv` on `today` (the log's time starts with the date).
fn reminded_on(path: &std::path::Path, today: NaiveDate) -> Result<BTreeSet<String>, ReplyError> {
    let day = today.format("%Y-%m-%d").to_string();
    Ok(read_log_rows(path)
        .map_err(|source| ReplyError::Io {
            path: path.display().to_string(),
            source,
        })?
        .into_iter()
        .filter(|r| {
            r.get("结果")
                .and_then(|o| crate::mail::SendOutcome::from_label(o))
                .is_some_and(super::receipt::blocks_resend)
        })
        .filter(|r| r.get("时间").is_some_and(|t| t.starts_with(&day)))
        .filter_map(|r| r.get("单位").cloned())
        .collect())
}

/// The reminders for the units of `status` without a valid reply.
///
/// # Errors
/// [`ReplyError`] when the month's forms are missing (the attachment) or a template fails.
pub fn plan(cfg: &Config, status: &MonthStatus) -> Result<RemindPlan, ReplyError> {
    let month = status.month;
    let dir = cfg.paths.submissions.join(month.to_string());
    let log_path = dir.join(REMIND_LOG);
    let already = reminded_on(&log_path, status.today)?;
    let folder = cfg.paths.output.join(month.to_string()).join(FORMS_DIR);
    let manifest = read_log_rows(&folder.join(MANIFEST_FILE)).unwrap_or_default();
    let templates =
        Templates::load(&cfg.paths.templates).map_err(|e| ReplyError::Config(e.to_string()))?;
    let units =
        crate::units::Directory::load(&cfg.paths.units).map_err(|e| ReplyError::Load(e.into()))?;
    let mut messages = Vec::new();
    let mut reminded_today = Vec::new();
    let mut no_address = Vec::new();
    for u in status.units.iter().filter(|u| u.needs_reminder()) {
        if already.contains(&u.unit) {
            reminded_today.push(u.unit.clone());
            continue;
        }
        let Some(address) = u.email.as_deref().and_then(|a| a.parse::<Address>().ok()) else {
            no_address.push(u.unit.clone());
            continue;
        };
        let attachment = manifest
            .iter()
            .find(|r| r.get("单位") == Some(&u.unit))
            .and_then(|r| r.get("附件").cloned())
            .filter(|a| !a.is_empty())
            .ok_or_else(|| no_forms(month, &folder))?;
        let bytes =
            std::fs::read(folder.join(&attachment)).map_err(|_| no_forms(month, &folder))?;
        let Some(unit) = units.get(&u.unit) else {
            continue;
        };
        messages.push(message(
            cfg,
            status,
            u,
            unit,
            address,
            &attachment,
            &bytes,
            &templates,
        )?);
    }
    Ok(RemindPlan {
        plan: Plan::of_messages(Batch::Reminders, month, dir, log_path, messages),
        reminded_today,
        no_address,
    })
}

fn no_forms(month: Month, folder: &std::path::Path) -> ReplyError {
    ReplyError::Config(format!(
        "没有找到 {} 的进展表模板（{}），催报需要附上模板。请先运行 duban templates --month {month}",
        month.label(),
        folder.display()
    ))
}

#[allow(clippy::too_many_arguments)]
fn message(
    cfg: &Config,
    status: &MonthStatus,
    u: &UnitStatus,
    unit: &crate::model::Unit,
    address: Address,
    attachment: &str,
    bytes: &[u8],
    templates: &Templates,
) -> Result<Outgoing, ReplyError> {
    let ctx = RemindContext {
        unit: UnitContext::of(unit),
        office: OfficeContext::of(cfg),
        month: status.month.to_string(),
        month_label: status.month.label(),
        due: status.due.to_string(),
        days_left: status.days_left(),
        state: u.state.to_string(),
        invalid_reason: u.why.clone(),
        attachment: attachment.to_string(),
    };
    let subject = one_line(&render(templates, REMIND_SUBJECT_TEMPLATE, &ctx)?);
    let body = render(templates, REMIND_BODY_TEMPLATE, &ctx)?;
    let eml = OfficeMessage {
        unit: &u.unit,
        to: address.clone(),
        subject: subject.clone(),
        body,
        date: std::time::SystemTime::now(),
        id_seed: format!(
            "remind\u{0}{}\u{0}{}\u{0}{}",
            status.month, u.unit, status.today
        ),
        id_tag: format!("remind-{}", status.month),
        attachment_name: attachment,
        attachment_type: XLSX_TYPE,
        attachment: bytes,
    }
    .build(cfg)
    .map_err(|e| ReplyError::Config(e.to_string()))?;
    Ok(Outgoing::fresh(
        u.unit.clone(),
        vec![address],
        attachment.to_string(),
        subject,
        attachment.to_string(),
        without_unsent(&eml),
    ))
}
