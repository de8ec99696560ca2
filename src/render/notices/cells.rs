//! Table cells the notices share: lights and statuses, plain text, header and group rows, and
//! the 存在问题 text of a task.

use super::style::{GROUP_FILL, HISTORY_SIZE, RED, cell_style, head_style, light_color};
use crate::model::{Light, Month, Status, TaskOutcome};
use crate::trend::Trend;
use duban_pdf::{Align, Cell, Column, FontRole, Row, Span, Style};

/// `●` at 0.82 em in the light's colour, a 0.12 em gap, then the word in `word_style`.
pub fn light_spans(light: Light, word: &str, word_style: Style) -> Vec<Span> {
    let size = word_style.size;
    vec![
        Span::text(
            "●",
            word_style
                .role(FontRole::Body)
                .size(0.82 * size)
                .color(light_color(light)),
        ),
        Span::gap(0.12 * size),
        Span::text(word, word_style),
    ]
}

/// The 状态 cell: coloured dot and the status word in black.
pub fn status_cell(outcome: &TaskOutcome) -> Cell {
    Cell::new(light_spans(
        outcome.light,
        outcome.status.label(),
        cell_style(),
    ))
}

/// The 状态 cell: coloured dot and the status word in black; for a red or yellow task also the
/// progress of the last three months (`40→55→58`) and, red two months or more running,
/// `连续N个月红灯` in red.
pub fn status_cell_with_history(outcome: &TaskOutcome, trend: &Trend, month: Month) -> Cell {
    let mut spans = light_spans(outcome.light, outcome.status.label(), cell_style());
    if matches!(outcome.light, Light::Red | Light::Yellow) {
        let path = trend.path(outcome.task, month, 3);
        if !path.is_empty() {
            spans.push(Span::text(
                format!("\n{path}"),
                cell_style().size(HISTORY_SIZE),
            ));
        }
        if outcome.red_months >= 2 {
            spans.push(Span::text(
                format!("\n连续{}个月红灯", outcome.red_months),
                cell_style().size(HISTORY_SIZE).color(RED),
            ));
        }
    }
    Cell::new(spans)
}

/// A plain text cell.
pub fn text_cell(text: impl Into<String>) -> Cell {
    Cell::text(text, cell_style())
}

/// A header row of bold centred labels (`\n` breaks a label).
pub fn header_row(labels: &[&str]) -> Row {
    Row::new(
        labels
            .iter()
            .map(|l| Cell::text(*l, head_style()))
            .collect(),
    )
}

/// A grey full-width group row such as “市科技局（18项）”.
pub fn group_row(text: impl Into<String>) -> Row {
    Row::full_width(Cell::text(text, head_style()).align(Align::Left)).fill(GROUP_FILL)
}

/// A column of `width` millimetres.
pub fn col(width: f32, align: Align) -> Column {
    Column::mm(width, align)
}

/// Whether a 存在问题 entry says nothing (“无”, “暂无”, blank).
fn is_blank_issue(text: &str) -> bool {
    matches!(
        text.trim().trim_end_matches(['。', '.']),
        "" | "无" | "暂无" | "没有" | "/" | "—" | "-"
    )
}

/// The 存在问题 cell of a task: what the lead unit(s) wrote, else — for tasks that are
/// behind or unreported — the reason for the light. `rejected` means a row of the unit's
/// workbook was refused (see 报送数据问题), so “not reported” is really “reported wrongly”.
pub fn issue_text(outcome: &TaskOutcome, rejected: bool) -> String {
    let written: Vec<String> = outcome
        .reports
        .iter()
        .filter(|r| !is_blank_issue(&r.row.issues))
        .map(|r| {
            if outcome.reports.len() > 1 {
                format!("{}：{}", r.unit, r.row.issues.trim())
            } else {
                r.row.issues.trim().to_string()
            }
        })
        .collect();
    if !written.is_empty() {
        return written.join("；");
    }
    if rejected && outcome.status == Status::NotReported {
        return "填报有误未采用".to_string();
    }
    if outcome.reports.is_empty()
        && let Some(m) = outcome.carried_from
    {
        return format!("（{}）", crate::classify::carried_note(m));
    }
    match outcome.status {
        Status::Lagging => outcome.reason.clone(),
        // unreported for months, or one lead unit's part missing (the reason names the unit)
        Status::NotReported
            if outcome.months_not_reported > 1
                || outcome.escalated
                || !outcome.reports.is_empty() =>
        {
            outcome.reason.clone()
        }
        _ if outcome.reason.contains("未报送") && outcome.status != Status::NotReported => {
            outcome.reason.clone()
        }
        _ => String::new(),
    }
}
