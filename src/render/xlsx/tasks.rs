//! The 任务总表 sheet: one row per task with its light, status and the units' texts (read back next month as history).

use super::*;

/// 任务总表 columns: header and width (Excel character units; a CJK character is about 2).
pub(super) const TASK_COLUMNS: [(&str, f64); 18] = [
    (COL_NUMBER, 5.0),
    ("任务目标", 32.0),
    ("类别", 8.0),
    ("分管市领导", 8.0),
    ("牵头单位", 11.0),
    ("完成时限", 9.0),
    (COL_TEXT, 40.0),
    (COL_PERCENT, 7.5),
    ("上月进度(%)", 7.5),
    (COL_STATUS, 8.0),
    (COL_LIGHT, 5.0),
    ("存在问题", 20.0),
    ("下步计划", 20.0),
    ("来源文件", 18.0),
    ("序时进度(%)", 7.5),
    ("亮灯说明", 24.0),
    (COL_MONTHS_NOT_REPORTED, 8.0),
    (crate::history::COL_COMPLETED_ON, 11.0),
];

/// Columns of 任务总表 that are printed (the specified 14).
pub(super) const TASK_PRINTED_COLUMNS: u16 = 14;

pub(super) fn task_sheet(
    ws: &mut Worksheet,
    report: &MonthReport,
    s: &Styles,
) -> Result<(), XlsxError> {
    let mut sh = Sheet::new(ws);
    sh.ws.set_name(TASK_SHEET)?;
    sh.header(0, &TASK_COLUMNS, s)?;
    let mut row = 1;
    for task in &report.master.tasks {
        let Some(o) = report.classification.outcome(task.number) else {
            continue;
        };
        task_row(&mut sh, row, task, o, s)?;
        row += 1;
    }
    let last = row.saturating_sub(1).max(1);
    let last_col = TASK_COLUMNS.len() as u16 - 1;
    sh.ws.set_freeze_panes(1, 2)?;
    sh.ws.autofilter(0, 0, last, last_col)?;
    light_conditional_fills(sh.ws, 1, last, 10)?;
    let bar = ConditionalFormatDataBar::new()
        .set_minimum(ConditionalFormatType::Number, 0)
        .set_maximum(ConditionalFormatType::Number, 100)
        .set_fill_color(Color::RGB(0x5B9BD5))
        .set_solid_fill(true);
    sh.ws.add_conditional_format(1, 7, last, 7, &bar)?;
    print_setup(sh.ws, report, 0)?;
    sh.ws.set_print_area(0, 0, last, TASK_PRINTED_COLUMNS - 1)?;
    sh.fit_rows()?;
    Ok(())
}

pub(super) fn task_row(
    sh: &mut Sheet,
    row: u32,
    task: &Task,
    o: &TaskOutcome,
    s: &Styles,
) -> Result<(), XlsxError> {
    let joined = |f: fn(&UnitReport) -> String| joined_texts(&o.reports, f);
    sh.number(row, 0, Some(f64::from(task.number)), &s.number)?;
    sh.text(row, 1, &task.text, &s.text)?;
    sh.text(row, 2, task.category.label(), &s.center)?;
    sh.text(row, 3, &task.leaders.join("、"), &s.center)?;
    sh.text(row, 4, &units_text(task), &s.center)?;
    sh.text(row, 5, &task.deadline.raw, &s.center)?;
    sh.text(row, 6, &part_texts(task, o), &s.text)?;
    sh.number(row, 7, o.percent, &s.number)?;
    match o.previous_month {
        // an older figure names its month in the number format; the cell stays a number
        Some(m) => {
            let format = s
                .number
                .clone()
                .set_num_format(crate::render::previous_month_format(m));
            sh.number(row, 8, o.previous_percent, &format)?;
        }
        None => sh.number(row, 8, o.previous_percent, &s.number)?,
    }
    sh.text(row, 9, o.status.label(), &s.center)?;
    sh.text(row, 10, o.light.label(), &Styles::light(o.light))?;
    sh.text(row, 11, &joined(|r| r.row.issues.clone()), &s.text)?;
    sh.text(row, 12, &joined(|r| r.row.next_steps.clone()), &s.text)?;
    sh.text(row, 13, &source_files(&o.reports), &s.text)?;
    sh.number(row, 14, o.expected.map(round1), &s.decimal)?;
    sh.text(row, 15, &o.reason, &s.text)?;
    sh.number(row, 16, Some(f64::from(o.months_not_reported)), &s.number)?;
    let completed_on = o
        .completed_on
        .filter(|_| o.status.is_done())
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    sh.text(row, 17, &completed_on, &s.center)?;
    Ok(())
}

/// The text of a completion carried forward: “（10月已完成，本月未报送）”.
pub(super) fn carried_text(o: &TaskOutcome) -> Option<String> {
    o.carried_from
        .map(|m| format!("（{}）", crate::classify::carried_note(m)))
}

/// Conditional fills for a 亮灯 column, so a light edited by hand recolours itself.
pub(super) fn light_conditional_fills(
    ws: &mut Worksheet,
    first: u32,
    last: u32,
    col: u16,
) -> Result<(), XlsxError> {
    for light in Light::all() {
        let rule = ConditionalFormatCell::new()
            .set_rule(ConditionalFormatCellRule::EqualTo(format!(
                "\"{}\"",
                light.label()
            )))
            .set_format(Styles::light(light));
        ws.add_conditional_format(first, col, last, col, &rule)?;
    }
    Ok(())
}

pub(super) fn units_text(task: &Task) -> String {
    if task.units.is_empty() {
        task.unit_raw.clone()
    } else {
        task.units.join("、")
    }
}

/// One text per reporting unit; with several units each part starts with its unit label.
pub(super) fn joined_texts(reports: &[UnitReport], text: fn(&UnitReport) -> String) -> String {
    match reports {
        [only] => text(only),
        many => many
            .iter()
            .map(|r| format!("{}{}", unit_part_heading(&r.unit), text(r).trim()))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

/// The progress text: one part per lead unit when the task has several, each after its unit
/// label, a part not reported written as such (read back next month, see
/// `history::unit_reported`).
pub(super) fn part_texts(task: &Task, o: &TaskOutcome) -> String {
    if o.reports.is_empty()
        && let Some(text) = carried_text(o)
    {
        return text;
    }
    if task.units.len() < 2 {
        return joined_texts(&o.reports, |r| r.row.progress_text.clone());
    }
    let mut parts: Vec<String> = task
        .units
        .iter()
        .map(|unit| match o.reports.iter().find(|r| &r.unit == unit) {
            Some(r) => format!("{}{}", unit_part_heading(unit), r.row.progress_text.trim()),
            None => match carried_text(o) {
                Some(text) => format!("{}{text}", unit_part_heading(unit)),
                None => format!("{}{}", unit_part_heading(unit), PART_NOT_REPORTED),
            },
        })
        .collect();
    parts.extend(
        o.reports
            .iter()
            .filter(|r| !task.units.contains(&r.unit))
            .map(|r| {
                format!(
                    "{}{}",
                    unit_part_heading(&r.unit),
                    r.row.progress_text.trim()
                )
            }),
    );
    parts.join("\n")
}

/// Source files with the row of the task: `市科技局.xlsx 第7行`.
pub(super) fn source_files(reports: &[UnitReport]) -> String {
    reports
        .iter()
        .map(|r| format!("{} 第{}行", r.row.source.file, r.row.source.row + 1))
        .collect::<Vec<_>>()
        .join("\n")
}
