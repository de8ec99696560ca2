//! One `.eml` per unit, built with lettre's message builder (nothing is sent).
//!
//! The bytes are deterministic: the `Date` is the issue date (09:00 Beijing time), the
//! `Message-ID` and the MIME boundary are derived from the month and the unit's name.

use super::{DeliverError, ManifestRow};
use crate::archive::sha256_hex;
use crate::config::Config;
use crate::model::{Light, LightCounts, Lookup, MonthReport, Severity, Unit};
use crate::templates::Templates;
use lettre::Address;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, Message, MultiPart, SinglePart};
use serde::Serialize;
use std::time::{Duration, SystemTime};

/// Template file for the subject line (rendered, then folded to one line).
pub const EMAIL_SUBJECT_TEMPLATE: &str = "email_subject.j2";
/// Template file for the plain-text body.
pub const EMAIL_BODY_TEMPLATE: &str = "email_body.j2";

/// What `email_subject.j2` and `email_body.j2` see.
///
/// Dates are `YYYY-MM-DD` strings (use the `cn_date` filter for `2026年11月30日`).
#[derive(Debug, Clone, Serialize)]
pub struct EmailContext {
    /// The addressee: `unit.name`, `unit.contact`, `unit.phone`, `unit.email` (the last three may be none).
    pub unit: UnitContext,
    /// The sender: `office.name`, `office.email`, `office.contact_person`, `office.contact_phone`.
    pub office: OfficeContext,
    /// `2026-11`.
    pub month: String,
    /// `2026年11月`.
    pub month_label: String,
    pub as_of: String,
    pub issued_on: String,
    pub feedback_due: String,
    /// Number of tasks the unit leads.
    pub tasks_total: u32,
    /// Light counts over the unit's tasks: `lights.red`, `.yellow`, `.blue`, `.green`.
    pub lights: LightCounts,
    /// The unit's red tasks, then its yellow ones, each in task order.
    pub attention: Vec<AttentionTask>,
    /// Errors plus warnings found in the unit's own submission.
    pub problems: u32,
    pub problem_errors: u32,
    pub problem_warnings: u32,
    /// File name of the attached PDF.
    pub attachment: String,
}

/// The unit as the templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct UnitContext {
    pub name: String,
    pub contact: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl UnitContext {
    /// The unit from units.toml.
    pub fn of(unit: &Unit) -> UnitContext {
        UnitContext {
            name: unit.name.clone(),
            contact: unit.contact.clone(),
            phone: unit.phone.clone(),
            email: unit.email.clone(),
        }
    }
}

impl OfficeContext {
    /// The office from duban.toml.
    pub fn of(cfg: &Config) -> OfficeContext {
        OfficeContext {
            name: cfg.office.name.clone(),
            email: cfg.office.email.clone(),
            contact_person: cfg.office.contact_person.clone(),
            contact_phone: cfg.office.contact_phone.clone(),
        }
    }
}

/// The issuing office as the templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct OfficeContext {
    pub name: String,
    pub email: String,
    pub contact_person: String,
    pub contact_phone: String,
}

/// A task needing attention, for the body's list.
#[derive(Debug, Clone, Serialize)]
pub struct AttentionTask {
    pub number: u32,
    pub text: String,
    /// `红` or `黄`.
    pub light: String,
    /// Status label, e.g. `滞后`.
    pub status: String,
    /// Short reason for the light (may be empty).
    pub reason: String,
    pub percent: Option<f64>,
    pub expected: Option<f64>,
}

/// Builds the template context for `unit` (also useful for the manifest's light counts).
pub fn email_context(
    report: &MonthReport,
    lookup: &Lookup,
    unit: &Unit,
    attachment_name: &str,
    cfg: &Config,
) -> EmailContext {
    let mut lights = LightCounts::default();
    let mut red = Vec::new();
    let mut yellow = Vec::new();
    let mut tasks_total = 0;
    for task in report.master.tasks_of_unit(&unit.name) {
        tasks_total += 1;
        let Some(outcome) = report.classification.outcome(task.number) else {
            continue;
        };
        let attention = || AttentionTask {
            number: task.number,
            text: task.text.clone(),
            light: outcome.light.label().to_string(),
            status: outcome.status.label().to_string(),
            reason: reason_beside_status(&outcome.reason, outcome.status.label()),
            percent: outcome.percent,
            expected: outcome.expected,
        };
        lights.add(outcome.light);
        match outcome.light {
            Light::Red => red.push(attention()),
            Light::Yellow => yellow.push(attention()),
            Light::Blue | Light::Green => {}
        }
    }
    red.extend(yellow);
    let own = |s: Severity| {
        lookup
            .problems_of(&unit.name)
            .iter()
            .filter(|p| p.severity == s)
            .count() as u32
    };
    let (errors, warnings) = (own(Severity::Error), own(Severity::Warning));
    EmailContext {
        unit: UnitContext::of(unit),
        office: OfficeContext::of(cfg),
        month: report.month.to_string(),
        month_label: report.month.label(),
        as_of: report.as_of.to_string(),
        issued_on: report.issued_on.to_string(),
        feedback_due: report.feedback_due.to_string(),
        tasks_total,
        lights,
        attention: red,
        problems: errors + warnings,
        problem_errors: errors,
        problem_warnings: warnings,
        attachment: attachment_name.to_string(),
    }
}

/// One RFC 5322 message (`.eml` bytes) for `unit`, with `pdf` attached as `attachment_name`.
///
/// From is `cfg.office.email` (display name the office), To is the unit's address; a unit
/// without an address gives `Ok(None)` (the manifest lists it for delivery by other means).
/// Subject and body come from `email_subject.j2` / `email_body.j2` with an [`EmailContext`].
/// The attachment's name is encoded per RFC 2231 in `Content-Disposition` (lettre) and, for
/// older clients, as an RFC 2047 word in the `Content-Type` `name` parameter.
pub fn unit_email(
    report: &MonthReport,
    lookup: &Lookup,
    unit: &Unit,
    attachment_name: &str,
    pdf: &[u8],
    templates: &Templates,
    cfg: &Config,
) -> Result<Option<Vec<u8>>, DeliverError> {
    let Some(to) = unit_address(unit)? else {
        return Ok(None);
    };
    let ctx = email_context(report, lookup, unit, attachment_name, cfg);
    let message = OfficeMessage {
        unit: &unit.name,
        to,
        subject: render_subject(templates, EMAIL_SUBJECT_TEMPLATE, &ctx, &unit.name)?,
        body: templates.render(EMAIL_BODY_TEMPLATE, &ctx)?,
        date: nine_am_beijing(report.issued_on),
        id_seed: format!("{}\u{0}{}", report.month, unit.name),
        id_tag: report.month.to_string(),
        attachment_name,
        attachment_type: "application/pdf",
        attachment: pdf,
    };
    message.build(cfg).map(Some)
}

/// The unit's address from units.toml: `None` when it has none, an error when it is malformed.
pub(crate) fn unit_address(unit: &Unit) -> Result<Option<Address>, DeliverError> {
    let Some(raw) = unit.address() else {
        return Ok(None);
    };
    raw.parse().map(Some).map_err(|_| DeliverError::BadAddress {
        unit: unit.name.clone(),
        address: raw.to_string(),
    })
}

/// A subject template rendered and folded to one line; an empty subject is an error.
pub(crate) fn render_subject<C: Serialize>(
    templates: &Templates,
    template: &str,
    ctx: &C,
    unit: &str,
) -> Result<String, DeliverError> {
    let subject = one_line(&templates.render(template, ctx)?);
    if subject.is_empty() {
        return Err(DeliverError::EmptySubject {
            unit: unit.to_string(),
            template: template.to_string(),
        });
    }
    Ok(subject)
}

/// A message from the office to one unit with one attachment, built deterministically: the
/// `Message-ID` and the MIME boundary derive from `id_seed`, the date is given.
pub(crate) struct OfficeMessage<'a> {
    /// The unit's name (display name of the recipient, and named in errors).
    pub unit: &'a str,
    pub to: Address,
    pub subject: String,
    pub body: String,
    pub date: SystemTime,
    /// Hashed into the `Message-ID` and the boundary.
    pub id_seed: String,
    /// Readable part of the `Message-ID` (`2026-11`, `templates-2026-12`).
    pub id_tag: String,
    pub attachment_name: &'a str,
    pub attachment_type: &'a str,
    pub attachment: &'a [u8],
}

impl OfficeMessage<'_> {
    /// The `.eml` bytes, marked `X-Unsent: 1` (sent messages drop that header).
    pub fn build(self, cfg: &Config) -> Result<Vec<u8>, DeliverError> {
        let from: Address =
            cfg.office
                .email
                .trim()
                .parse()
                .map_err(|_| DeliverError::BadSender {
                    address: cfg.office.email.clone(),
                })?;
        let digest = sha256_hex(self.id_seed.as_bytes());
        let digest = digest.get(..32).unwrap_or(&digest);
        let attachment_type = ContentType::parse(&format!(
            "{}; name=\"{}\"",
            self.attachment_type,
            rfc2047_b(self.attachment_name)
        ))
        .map_err(|source| DeliverError::AttachmentType {
            unit: self.unit.to_string(),
            source,
        })?;
        let message = Message::builder()
            .from(Mailbox::new(
                Some(display_name(&cfg.office.name)),
                from.clone(),
            ))
            .to(Mailbox::new(Some(display_name(self.unit)), self.to))
            .subject(self.subject)
            .date(self.date)
            // Outlook opens a message marked unsent as a draft with a Send button, not as a
            // received mail; other clients ignore the field.
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("X-Unsent"),
                "1".to_string(),
            ))
            .message_id(Some(format!(
                "<{digest}.{}@{}>",
                self.id_tag,
                from.domain()
            )))
            .multipart(
                MultiPart::mixed()
                    .boundary(format!("=_duban_{digest}"))
                    .singlepart(SinglePart::plain(self.body))
                    .singlepart(
                        Attachment::new(self.attachment_name.to_string())
                            .body(self.attachment.to_vec(), attachment_type),
                    ),
            )
            .map_err(|source| DeliverError::Email {
                unit: self.unit.to_string(),
                source,
            })?;
        Ok(message.formatted())
    }
}

/// The unit's row of `清单.csv`: subject rendered as in its email, light counts, and the
/// `.eml` file name when a message was made (`None` for a unit without address).
pub fn manifest_row(
    report: &MonthReport,
    lookup: &Lookup,
    unit: &Unit,
    attachment_name: &str,
    eml_file: Option<String>,
    templates: &Templates,
    cfg: &Config,
) -> Result<ManifestRow, DeliverError> {
    let ctx = email_context(report, lookup, unit, attachment_name, cfg);
    let subject = render_subject(templates, EMAIL_SUBJECT_TEMPLATE, &ctx, &unit.name)?;
    Ok(ManifestRow {
        unit: unit.name.clone(),
        email: unit.address().map(str::to_string),
        subject,
        attachment: attachment_name.to_string(),
        lights: ctx.lights.as_array(),
        eml: eml_file,
    })
}

/// 09:00 Beijing time (01:00 UTC) on `date`.
pub(crate) fn nine_am_beijing(date: chrono::NaiveDate) -> SystemTime {
    let secs = date
        .and_hms_opt(1, 0, 0)
        .map(|t| t.and_utc().timestamp())
        .unwrap_or(0);
    SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).unwrap_or(0))
}

/// Subject lines are one line: every run of whitespace (newlines included) becomes one space.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Display names without control characters (no header injection through a unit's name).
fn display_name(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    one_line(&cleaned)
}

/// `=?utf-8?B?…?=` encoded words, split so each holds at most 45 bytes of whole characters.
fn rfc2047_b(s: &str) -> String {
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in s.chars() {
        if chunk.len() + c.len_utf8() > 45 {
            words.push(format!("=?utf-8?B?{}?=", base64(chunk.as_bytes())));
            chunk.clear();
        }
        chunk.push(c);
    }
    if !chunk.is_empty() || words.is_empty() {
        words.push(format!("=?utf-8?B?{}?=", base64(chunk.as_bytes())));
    }
    words.join(" ")
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The reason as the message shows it after the status: without a leading “本月未报送” that
/// only repeats the status 未报送 (“（未报送，本月未报送）” read as a stutter); the rest of it
/// (“连续5个月未报送”, “已过时限（10月底）”) stays.
fn reason_beside_status(reason: &str, status: &str) -> String {
    let repeated = format!("本月{status}");
    match reason.strip_prefix(&repeated) {
        Some(rest) => rest.trim_start_matches('，').to_string(),
        None => reason.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_does_not_repeat_the_status() {
        assert_eq!(reason_beside_status("本月未报送", "未报送"), "");
        assert_eq!(
            reason_beside_status("本月未报送，已过时限（10月底）", "未报送"),
            "已过时限（10月底）"
        );
        assert_eq!(
            reason_beside_status("连续5个月未报送", "未报送"),
            "连续5个月未报送"
        );
        assert_eq!(
            reason_beside_status("低于序时进度 15 个百分点", "滞后"),
            "低于序时进度 15 个百分点"
        );
    }

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected);
        }
    }

    #[test]
    fn encoded_words_split_on_characters() {
        let words = rfc2047_b(&"局".repeat(20));
        assert_eq!(words.split(' ').count(), 2);
        assert!(words.starts_with("=?utf-8?B?"));
    }
}
