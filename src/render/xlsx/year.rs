//! 年度督办总结 as a workbook (`duban year`): the tables of the PDF — 逐月情况 with its native
//! chart, 分管领导, 未完成任务, 单位排名 — deterministic like the 汇总表.

use super::*;
use crate::year::{YearReport, month_ranges};

/// The year workbook as bytes.
pub fn year_workbook(year: &YearReport, cfg: &Config) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let d = year.as_of;
    let created = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
    workbook.set_properties(
        &DocProperties::new()
            .set_title(format!("{}年重点工作任务督办总结", year.year))
            .set_subject(year.master.title.clone())
            .set_author(cfg.office.name.clone())
            .set_company(cfg.office.name.clone())
            .set_comment(format!("截至{}，由 duban 生成", chinese_date(d)))
            .set_creation_datetime(&created),
    );
    let s = Styles::new();
    months_sheet(workbook.add_worksheet(), year, cfg, &s)?;
    leaders_sheet(workbook.add_worksheet(), year, &s)?;
    unfinished_sheet(workbook.add_worksheet(), year, &s)?;
    units_sheet(workbook.add_worksheet(), year, &s)?;
    workbook.save_to_buffer()
}

fn year_print_setup(
    ws: &mut Worksheet,
    year: &YearReport,
    header_row: u32,
) -> Result<(), XlsxError> {
    let title = format!("{}年重点工作任务督办总结", year.year);
    print_setup_titled(ws, &title, year.as_of, header_row)
}

const MONTH_SHEET: &str = "逐月情况";

fn months_sheet(
    ws: &mut Worksheet,
    year: &YearReport,
    cfg: &Config,
    s: &Styles,
) -> Result<(), XlsxError> {
    let mut sh = Sheet::new(ws);
    sh.ws.set_name(MONTH_SHEET)?;
    let columns = [
        ("月份", 14.0),
        ("任务数", 8.0),
        ("已完成", 8.0),
        ("按期完成", 9.0),
        ("未报送", 8.0),
        ("红灯", 7.0),
        ("黄灯", 7.0),
        ("蓝灯", 7.0),
        ("绿灯", 7.0),
        ("办结率", 9.0),
        ("按期办结率", 11.0),
        ("报送率", 9.0),
    ];
    let last_col = columns.len() as u16 - 1;
    sh.ws.merge_range(
        0,
        0,
        0,
        last_col,
        &format!("{}年重点工作任务督办总结：全市逐月情况", year.year),
        &s.title,
    )?;
    let on_record = year.trend.on_record();
    let mut sub = format!(
        "截至{}　{}　依据{}的归档汇总表",
        chinese_date(year.as_of),
        cfg.office.name,
        month_ranges(&on_record)
    );
    if !year.missing.is_empty() {
        sub.push_str(&format!("；{}无有效归档", month_ranges(&year.missing)));
    }
    if !year.not_yet.is_empty() {
        sub.push_str(&format!("；{}尚未归档", month_ranges(&year.not_yet)));
    }
    sh.ws.merge_range(1, 0, 1, last_col, &sub, &s.subtitle)?;
    sh.ws.set_row_height(0, 26)?;
    let header = 3;
    sh.header(header, &columns, s)?;
    let mut row = header + 1;
    for (m, t) in year.trend.months.iter().zip(&year.trend.totals) {
        sh.text(row, 0, &m.label(), &s.center)?;
        match t {
            Some(t) => {
                let counts = [
                    t.tasks,
                    t.done,
                    t.done_on_time,
                    // not reported that month: 未报送 and completions carried forward
                    t.tasks - t.reported,
                    t.lights.red,
                    t.lights.yellow,
                    t.lights.blue,
                    t.lights.green,
                ];
                for (i, v) in counts.iter().enumerate() {
                    sh.number(row, 1 + i as u16, Some(f64::from(*v)), &s.number)?;
                }
                let rates = [t.completion_rate(), t.on_time_rate(), t.report_rate()];
                for (i, v) in rates.iter().enumerate() {
                    sh.number(row, 9 + i as u16, Some(round1(*v)), &s.rate)?;
                }
            }
            None => {
                sh.ws.merge_range(
                    row,
                    1,
                    row,
                    last_col,
                    "该月无有效归档（缺失或已被改动）",
                    &s.center,
                )?;
            }
        }
        row += 1;
    }
    let last_row = row - 1;
    if !year.trend.months.is_empty() {
        let rows = |c: u16| (MONTH_SHEET, header + 1, c, last_row, c);
        let chart = lights_and_rate_chart(
            rows(0),
            &|light| rows(5 + crate::trend::light_index(light) as u16),
            rows(9),
            720,
        );
        sh.ws.insert_chart(last_row + 3, 0, &chart)?;
    }
    year_print_setup(sh.ws, year, header)?;
    sh.fit_rows()?;
    Ok(())
}

fn leaders_sheet(ws: &mut Worksheet, year: &YearReport, s: &Styles) -> Result<(), XlsxError> {
    let mut sh = Sheet::new(ws);
    sh.ws.set_name("分管领导")?;
    let mut columns: Vec<(String, f64)> = vec![
        ("分管市领导".to_string(), 14.0),
        ("任务数".to_string(), 8.0),
        ("已完成".to_string(), 8.0),
        ("办结率".to_string(), 9.0),
    ];
    for m in &year.trend.months {
        columns.push((format!("{}月红灯", m.month), 8.0));
    }
    columns.push(("红灯月次".to_string(), 9.0));
    let refs: Vec<(&str, f64)> = columns.iter().map(|(n, w)| (n.as_str(), *w)).collect();
    sh.header(0, &refs, s)?;
    for (i, l) in year.leaders.iter().enumerate() {
        let row = 1 + i as u32;
        sh.text(row, 0, &l.display, &s.center)?;
        sh.number(row, 1, Some(f64::from(l.tasks)), &s.number)?;
        sh.number(row, 2, Some(f64::from(l.done)), &s.number)?;
        sh.number(row, 3, Some(round1(l.completion_rate)), &s.rate)?;
        for (k, n) in l.red_by_month.iter().enumerate() {
            sh.number(row, 4 + k as u16, n.map(f64::from), &s.number)?;
        }
        let c = 4 + l.red_by_month.len() as u16;
        sh.number(row, c, Some(f64::from(l.red_task_months)), &s.number)?;
    }
    sh.ws.set_freeze_panes(1, 1)?;
    year_print_setup(sh.ws, year, 0)?;
    sh.fit_rows()?;
    Ok(())
}

fn unfinished_sheet(ws: &mut Worksheet, year: &YearReport, s: &Styles) -> Result<(), XlsxError> {
    let mut sh = Sheet::new(ws);
    sh.ws.set_name("未完成任务")?;
    let columns = [
        (COL_NUMBER, 5.0),
        ("任务目标", 40.0),
        ("牵头单位", 12.0),
        ("分管市领导", 9.0),
        ("完成时限", 9.0),
        ("是否已过时限", 8.0),
        ("最新进度(%)", 8.0),
        ("最新状态", 10.0),
        ("各月进度", 24.0),
        ("红灯月数", 7.0),
    ];
    sh.header(0, &columns, s)?;
    for (i, u) in year.unfinished.iter().enumerate() {
        let row = 1 + i as u32;
        sh.number(row, 0, Some(f64::from(u.task)), &s.number)?;
        sh.text(row, 1, &u.text, &s.text)?;
        sh.text(row, 2, &u.units, &s.center)?;
        sh.text(row, 3, &u.leaders, &s.center)?;
        sh.text(row, 4, &u.deadline, &s.center)?;
        sh.text(row, 5, if u.due { "是" } else { "否" }, &s.center)?;
        sh.number(row, 6, u.latest_percent, &s.number)?;
        sh.text(
            row,
            7,
            u.latest_status.map_or("—", |st| st.label()),
            &s.center,
        )?;
        sh.text(row, 8, &u.path, &s.center)?;
        sh.number(row, 9, Some(f64::from(u.red_months)), &s.number)?;
    }
    let last = (year.unfinished.len() as u32).max(1);
    sh.ws.set_freeze_panes(1, 2)?;
    sh.ws.autofilter(0, 0, last, columns.len() as u16 - 1)?;
    year_print_setup(sh.ws, year, 0)?;
    sh.fit_rows()?;
    Ok(())
}

fn units_sheet(ws: &mut Worksheet, year: &YearReport, s: &Styles) -> Result<(), XlsxError> {
    let mut sh = Sheet::new(ws);
    sh.ws.set_name("单位排名")?;
    let columns = [
        ("名次", 6.0),
        ("牵头单位", 18.0),
        ("任务数", 8.0),
        ("应报月数", 8.0),
        ("报送月数", 8.0),
        ("按时报送月数", 10.0),
        ("按时报送率", 10.0),
        ("办结率", 9.0),
        ("红灯月次", 9.0),
    ];
    sh.header(0, &columns, s)?;
    for (i, u) in year.units.iter().enumerate() {
        let row = 1 + i as u32;
        sh.number(row, 0, Some(f64::from(u.rank)), &s.number)?;
        sh.text(row, 1, &u.name, &s.center)?;
        let counts = [u.tasks, u.months, u.reported, u.on_time];
        for (k, v) in counts.iter().enumerate() {
            sh.number(row, 2 + k as u16, Some(f64::from(*v)), &s.number)?;
        }
        sh.number(row, 6, Some(round1(u.on_time_rate)), &s.rate)?;
        sh.number(row, 7, Some(round1(u.completion_rate)), &s.rate)?;
        sh.number(row, 8, Some(f64::from(u.red_task_months)), &s.number)?;
    }
    let last = (year.units.len() as u32).max(1);
    sh.ws.set_freeze_panes(1, 2)?;
    sh.ws.autofilter(0, 0, last, columns.len() as u16 - 1)?;
    year_print_setup(sh.ws, year, 0)?;
    sh.fit_rows()?;
    Ok(())
}
