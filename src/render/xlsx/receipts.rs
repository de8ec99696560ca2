//! The 报送情况 sheet: who reported, when, and with how many problems.

use super::*;

/// 报送情况: every unit of the master, received or not.
pub(super) fn receipt_sheet(
    ws: &mut Worksheet,
    report: &MonthReport,
    s: &Styles,
) -> Result<(), XlsxError> {
    let mut sh = Sheet::new(ws);
    sh.ws.set_name("报送情况")?;
    let columns = [
        ("牵头单位", 18.0),
        ("是否报送", 8.0),
        ("文件", 36.0),
        ("填报日期", 16.0),
        ("牵头任务数", 8.0),
        ("读取行数", 8.0),
        ("合并行数", 8.0),
        ("错误", 6.0),
        ("警告", 6.0),
        ("联系人", 10.0),
        ("电话", 16.0),
    ];
    sh.header(0, &columns, s)?;
    let not_received = s
        .center
        .clone()
        .set_font_color(Color::RGB(Light::Red.rgb()))
        .set_bold();
    let mut row = 1;
    let lookup = report.lookup();
    for unit in &report.master.units {
        let receipt = lookup.receipt(&unit.name);
        let received = receipt.is_some_and(|r| r.received);
        sh.text(row, 0, &unit.name, &s.center)?;
        let label = receipt.map_or("未报送", crate::model::Receipt::status_label);
        sh.text(
            row,
            1,
            label,
            if received { &s.center } else { &not_received },
        )?;
        let mut files = receipt.map(|r| r.files.join("\n")).unwrap_or_default();
        if let Some(reason) = receipt.and_then(|r| r.invalid.as_deref()) {
            files.push_str(&format!("\n（报送无效：{reason}）"));
        }
        sh.text(row, 2, &files, &s.plain)?;
        let date = receipt
            .and_then(|r| r.reported_on)
            .map(chinese_date)
            .unwrap_or_default();
        sh.text(row, 3, &date, &s.center)?;
        let tasks = report.master.tasks_of_unit(&unit.name).count() as f64;
        sh.number(row, 4, Some(tasks), &s.number)?;
        let counts = receipt.map_or([0; 4], |r| {
            [r.rows_read, r.rows_merged, r.errors, r.warnings]
        });
        for (i, v) in counts.iter().enumerate() {
            sh.number(row, 5 + i as u16, Some(f64::from(*v)), &s.number)?;
        }
        sh.text(row, 9, unit.contact.as_deref().unwrap_or(""), &s.center)?;
        sh.text(row, 10, unit.phone.as_deref().unwrap_or(""), &s.center)?;
        row += 1;
    }
    sh.ws.set_freeze_panes(1, 1)?;
    sh.ws
        .autofilter(0, 0, row.saturating_sub(1).max(1), columns.len() as u16 - 1)?;
    print_setup(sh.ws, report, 0)?;
    sh.fit_rows()?;
    Ok(())
}
