//! The message that carries a unit's blank progress workbook at the start of the month
//! (`duban templates`, sent with `duban send --templates`), and the folder's `清单.csv`.

use super::DeliverError;
use super::email::{
    OfficeContext, OfficeMessage, UnitContext, nine_am_beijing, render_subject, unit_address,
};
use super::manifest::delivery_cells;
use crate::config::Config;
use crate::csv_format::push_record;
use crate::model::{Month, Unit};
use crate::templates::Templates;
use serde::Serialize;

/// Template file for the subject of the form message.
pub const FORM_SUBJECT_TEMPLATE: &str = "template_email_subject.j2";
/// Template file for the plain-text body of the form message.
pub const FORM_BODY_TEMPLATE: &str = "template_email_body.j2";

/// MIME type of an `.xlsx` workbook.
pub(crate) const XLSX_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// What `template_email_subject.j2` and `template_email_body.j2` see.
#[derive(Debug, Clone, Serialize)]
pub struct FormEmailContext {
    pub unit: UnitContext,
    pub office: OfficeContext,
    /// `2026-12`.
    pub month: String,
    /// `2026年12月`.
    pub month_label: String,
    /// Last day to send the filled workbook back, `YYYY-MM-DD` (use `cn_date`).
    pub due: String,
    /// Number of tasks pre-filled in the workbook.
    pub tasks_total: u32,
    /// Whether the workbook carries last month's progress (上月进度).
    pub with_previous: bool,
    /// File name of the attached workbook.
    pub attachment: String,
}

/// One unit's form message, as built by [`form_email`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormEmail {
    pub subject: String,
    /// The `.eml` bytes (`X-Unsent: 1`, like the notices).
    pub eml: Vec<u8>,
}

/// The facts of one unit's form a message needs.
#[derive(Debug, Clone, Copy)]
pub struct FormFile<'a> {
    pub month: Month,
    pub tasks_total: u32,
    pub with_previous: bool,
    /// File name of the workbook.
    pub name: &'a str,
    pub bytes: &'a [u8],
}

/// The message carrying `file` to `unit`, dated the first day of the month at 09:00 Beijing
/// time; `Ok(None)` for a unit without an address.
pub fn form_email(
    unit: &Unit,
    file: FormFile<'_>,
    templates: &Templates,
    cfg: &Config,
) -> Result<Option<FormEmail>, DeliverError> {
    let Some(to) = unit_address(unit)? else {
        return Ok(None);
    };
    let ctx = FormEmailContext {
        unit: UnitContext::of(unit),
        office: OfficeContext::of(cfg),
        month: file.month.to_string(),
        month_label: file.month.label(),
        due: file.month.last_day().to_string(),
        tasks_total: file.tasks_total,
        with_previous: file.with_previous,
        attachment: file.name.to_string(),
    };
    let subject = render_subject(templates, FORM_SUBJECT_TEMPLATE, &ctx, &unit.name)?;
    let eml = OfficeMessage {
        unit: &unit.name,
        to,
        subject: subject.clone(),
        body: templates.render(FORM_BODY_TEMPLATE, &ctx)?,
        date: nine_am_beijing(file.month.first_day()),
        id_seed: format!("templates\u{0}{}\u{0}{}", file.month, unit.name),
        id_tag: format!("templates-{}", file.month),
        attachment_name: file.name,
        attachment_type: XLSX_TYPE,
        attachment: file.bytes,
    }
    .build(cfg)?;
    Ok(Some(FormEmail { subject, eml }))
}

/// One row of the forms folder's `清单.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormManifestRow {
    pub unit: String,
    pub email: Option<String>,
    pub subject: String,
    /// The workbook's file name.
    pub attachment: String,
    /// The `.eml` file name, `None` for a unit without an address.
    pub eml: Option<String>,
}

/// The forms folder's `清单.csv` (UTF-8 with BOM, CRLF, guarded cells): 单位, 邮箱, 主题,
/// 附件, 状态, 邮件文件 — the columns `duban send` reads, as in the notices' 清单.
pub fn form_manifest_csv(rows: &[FormManifestRow]) -> Vec<u8> {
    let mut out = String::from("\u{FEFF}");
    push_record(
        &mut out,
        ["单位", "邮箱", "主题", "附件", "状态", "邮件文件"]
            .iter()
            .map(|s| s.to_string()),
    );
    for row in rows {
        let (email, status) = delivery_cells(row.email.as_deref(), row.eml.is_some());
        let cells = [
            row.unit.clone(),
            email,
            row.subject.clone(),
            row.attachment.clone(),
            status,
            row.eml.clone().unwrap_or_default(),
        ];
        push_record(&mut out, cells.into_iter());
    }
    out.into_bytes()
}
