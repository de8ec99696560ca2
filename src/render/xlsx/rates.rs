//! The 分管领导 and 牵头单位 sheets: counts and rates per leader and per unit.

use super::*;

/// Columns of the rate tables (分管领导, 牵头单位, 总览).
pub(super) const RATE_COLUMNS: [(&str, f64); 11] = [
    ("任务数", 8.0),
    ("已完成", 8.0),
    ("按期完成", 9.0),
    ("已报送", 8.0),
    ("红灯", 7.0),
    ("黄灯", 7.0),
    ("蓝灯", 7.0),
    ("绿灯", 7.0),
    ("办结率", 9.0),
    ("按期办结率", 11.0),
    ("报送率", 9.0),
];

/// Writes `r` from column `col`; `total` uses the bold total formats.
pub(super) fn rate_cells(
    sh: &mut Sheet,
    row: u32,
    col: u16,
    r: &Counts,
    total: bool,
    s: &Styles,
) -> Result<(), XlsxError> {
    let (n, p) = if total {
        (&s.total_number, &s.total_rate)
    } else {
        (&s.number, &s.rate)
    };
    let counts = [
        r.tasks,
        r.done,
        r.done_on_time,
        r.reported,
        r.lights.red,
        r.lights.yellow,
        r.lights.blue,
        r.lights.green,
    ];
    for (i, v) in counts.iter().enumerate() {
        sh.number(row, col + i as u16, Some(f64::from(*v)), n)?;
    }
    let rates = [r.completion_rate(), r.on_time_rate(), r.report_rate()];
    for (i, v) in rates.iter().enumerate() {
        sh.number(row, col + 8 + i as u16, Some(round1(*v)), p)?;
    }
    Ok(())
}

/// A table of named rate rows with a 合计 row; returns the row after it.
pub(super) fn rate_table(
    sh: &mut Sheet,
    top: u32,
    first: (&str, f64),
    rows: &[(String, &Counts)],
    total: &Counts,
    s: &Styles,
) -> Result<u32, XlsxError> {
    let mut columns = vec![first];
    columns.extend(RATE_COLUMNS);
    sh.header(top, &columns, s)?;
    let mut row = top + 1;
    for (name, r) in rows {
        sh.text(row, 0, name, &s.center)?;
        rate_cells(sh, row, 1, r, false, s)?;
        row += 1;
    }
    sh.text(row, 0, "合计", &s.total_text)?;
    rate_cells(sh, row, 1, total, true, s)?;
    Ok(row + 1)
}

pub(super) fn leader_sheet(
    ws: &mut Worksheet,
    report: &MonthReport,
    s: &Styles,
) -> Result<(), XlsxError> {
    let mut sh = Sheet::new(ws);
    sh.ws.set_name("分管领导")?;
    let rows: Vec<(String, &Counts)> = report
        .classification
        .leaders
        .iter()
        .map(|(name, r)| (leader_display(report, name), r))
        .collect();
    // Main targets count for the mayor's deputies too, so 合计 is the city, not a column sum.
    let end = rate_table(
        &mut sh,
        0,
        ("分管市领导", 14.0),
        &rows,
        &report.classification.city,
        s,
    )?;
    note(
        &mut sh,
        end,
        "注：主要预期目标同时计入对应分管市领导，故各行之和可能大于合计；办结率、按期办结率、报送率均以任务数为分母。",
    )?;
    sh.ws.set_freeze_panes(1, 1)?;
    print_setup(sh.ws, report, 0)?;
    sh.fit_rows()?;
    Ok(())
}

pub(super) fn unit_sheet(
    ws: &mut Worksheet,
    report: &MonthReport,
    s: &Styles,
) -> Result<(), XlsxError> {
    let mut sh = Sheet::new(ws);
    sh.ws.set_name("牵头单位")?;
    let rows: Vec<(String, &Counts)> = report
        .classification
        .units
        .iter()
        .map(|(name, r)| (name.clone(), r))
        .collect();
    let end = rate_table(
        &mut sh,
        0,
        ("牵头单位", 18.0),
        &rows,
        &report.classification.city,
        s,
    )?;
    note(
        &mut sh,
        end,
        "注：两个单位共同牵头的任务分别计入两个单位；“已报送”指本单位报送了该任务。",
    )?;
    sh.ws.set_freeze_panes(1, 1)?;
    sh.ws.autofilter(
        0,
        0,
        end.saturating_sub(2).max(1),
        RATE_COLUMNS.len() as u16,
    )?;
    print_setup(sh.ws, report, 0)?;
    sh.fit_rows()?;
    Ok(())
}

pub(super) fn note(sh: &mut Sheet, row: u32, text: &str) -> Result<(), XlsxError> {
    let f = Format::new().set_font_name(FONT).set_font_size(9);
    sh.ws.write_string_with_format(row + 1, 0, text, &f)?;
    Ok(())
}

pub(super) fn leader_display(report: &MonthReport, name: &str) -> String {
    report
        .master
        .leaders
        .iter()
        .find(|l| l.name == name)
        .map_or_else(|| name.to_string(), |l| l.display())
}
