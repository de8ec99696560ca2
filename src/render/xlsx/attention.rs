//! The 重点督办清单 sheet: the red, yellow and blue tasks.

use super::*;

/// 重点督办清单: red, then yellow, then blue, each in master order.
pub(super) fn attention_sheet(
    ws: &mut Worksheet,
    report: &MonthReport,
    s: &Styles,
) -> Result<(), XlsxError> {
    let mut sh = Sheet::new(ws);
    sh.ws.set_name("重点督办清单")?;
    let columns = [
        (COL_LIGHT, 5.0),
        (COL_NUMBER, 5.0),
        ("任务目标", 36.0),
        ("分管市领导", 8.0),
        ("牵头单位", 11.0),
        ("完成时限", 9.0),
        (COL_PERCENT, 7.5),
        ("序时进度(%)", 7.5),
        (COL_STATUS, 8.0),
        ("亮灯说明", 26.0),
        ("存在问题", 30.0),
    ];
    sh.header(0, &columns, s)?;
    let mut row = 1;
    for light in [Light::Red, Light::Yellow, Light::Blue] {
        for task in &report.master.tasks {
            let Some(o) = report
                .classification
                .outcome(task.number)
                .filter(|o| o.light == light)
            else {
                continue;
            };
            sh.text(row, 0, light.label(), &Styles::light(light))?;
            sh.number(row, 1, Some(f64::from(task.number)), &s.number)?;
            sh.text(row, 2, &task.text, &s.text)?;
            sh.text(row, 3, &task.leaders.join("、"), &s.center)?;
            sh.text(row, 4, &units_text(task), &s.center)?;
            sh.text(row, 5, &task.deadline.raw, &s.center)?;
            sh.number(row, 6, o.percent, &s.number)?;
            sh.number(row, 7, o.expected.map(round1), &s.decimal)?;
            sh.text(row, 8, o.status.label(), &s.center)?;
            sh.text(row, 9, &o.reason, &s.text)?;
            sh.text(
                row,
                10,
                &joined_texts(&o.reports, |r| r.row.issues.clone()),
                &s.text,
            )?;
            row += 1;
        }
    }
    if row == 1 {
        sh.ws.merge_range(
            1,
            0,
            1,
            columns.len() as u16 - 1,
            "本月无亮红、黄、蓝灯的任务。",
            &s.plain,
        )?;
    }
    sh.ws.set_freeze_panes(1, 0)?;
    sh.ws
        .autofilter(0, 0, row.saturating_sub(1).max(1), columns.len() as u16 - 1)?;
    light_conditional_fills(sh.ws, 1, row.max(2), 0)?;
    print_setup(sh.ws, report, 0)?;
    sh.fit_rows()?;
    Ok(())
}
