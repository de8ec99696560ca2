//! The 校验问题 sheet: every problem with file, sheet, cell and raw value.

use super::*;

/// 校验问题: every problem of the run with its location and raw value.
pub(super) fn problem_sheet(
    ws: &mut Worksheet,
    report: &MonthReport,
    s: &Styles,
) -> Result<(), XlsxError> {
    let mut sh = Sheet::new(ws);
    sh.ws.set_name("校验问题")?;
    let columns = [
        (COL_NUMBER, 5.0),
        ("级别", 6.0),
        ("单位", 12.0),
        ("文件", 28.0),
        ("工作表", 10.0),
        ("单元格", 7.0),
        ("原值", 16.0),
        ("任务序号", 7.0),
        ("问题说明", 56.0),
        ("问题类型", 18.0),
        ("技术细节", 30.0),
    ];
    sh.header(0, &columns, s)?;
    let error = s
        .center
        .clone()
        .set_font_color(Color::RGB(Light::Red.rgb()))
        .set_bold();
    for (i, p) in report.problems.iter().enumerate() {
        let row = i as u32 + 1;
        sh.number(row, 0, Some(f64::from(row)), &s.number)?;
        let sev = if p.severity == crate::model::Severity::Error {
            &error
        } else {
            &s.center
        };
        sh.text(row, 1, p.severity.label(), sev)?;
        sh.text(row, 2, p.unit.as_deref().unwrap_or(""), &s.center)?;
        sh.text(row, 3, p.file.as_deref().unwrap_or(""), &s.plain)?;
        sh.text(row, 4, p.sheet.as_deref().unwrap_or(""), &s.center)?;
        sh.text(row, 5, p.cell.as_deref().unwrap_or(""), &s.center)?;
        sh.text(row, 6, p.raw.as_deref().unwrap_or(""), &s.plain)?;
        sh.number(row, 7, p.task.map(f64::from), &s.number)?;
        sh.text(row, 8, &p.message, &s.plain)?;
        sh.text(row, 9, p.code.label(), &s.center)?;
        sh.text(row, 10, p.detail.as_deref().unwrap_or(""), &s.plain)?;
    }
    if report.problems.is_empty() {
        sh.ws.merge_range(
            1,
            0,
            1,
            columns.len() as u16 - 1,
            "本月未发现数据问题。",
            &s.plain,
        )?;
    }
    let last = (report.problems.len() as u32).max(1);
    sh.ws.set_freeze_panes(1, 0)?;
    sh.ws.autofilter(0, 0, last, columns.len() as u16 - 1)?;
    print_setup(sh.ws, report, 0)?;
    sh.fit_rows()?;
    Ok(())
}
