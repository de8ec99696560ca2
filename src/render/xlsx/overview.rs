//! The 总览 sheet: status and light counts with native charts.

use super::*;

/// Status groups of the pie, with their colours.
pub(super) const STATUS_GROUPS: [(&str, &[Status], u32); 7] = [
    (
        "已完成",
        &[Status::DoneOnTime, Status::DoneLate, Status::Done],
        0x1A9A48,
    ),
    ("序时推进", &[Status::OnTrack], 0x8CC98F),
    ("未启动", &[Status::NotStarted], 0xA6A6A6),
    ("临期", &[Status::DueSoon], 0x1F6FD1),
    ("滞后", &[Status::Lagging], 0xF2A900),
    ("逾期未完成", &[Status::Overdue], 0xE60012),
    ("未报送", &[Status::NotReported], 0x7F3F98),
];

pub(super) fn overview_sheet(
    ws: &mut Worksheet,
    report: &MonthReport,
    cfg: &Config,
    s: &Styles,
) -> Result<(), XlsxError> {
    let mut sh = Sheet::new(ws);
    sh.ws.set_name("总览")?;
    let title = format!("{}重点工作任务推进情况汇总", report.month.label());
    sh.ws.merge_range(0, 0, 0, 11, &title, &s.title)?;
    let sub = format!("截至{}　{}", chinese_date(report.as_of), cfg.office.name);
    sh.ws.merge_range(1, 0, 1, 11, &sub, &s.subtitle)?;
    sh.ws.set_row_height(0, 28)?;
    let city = &report.classification.city;

    sh.ws
        .write_string_with_format(3, 0, "一、全市总体情况", &s.section)?;
    sh.header(4, &[("指标", 14.0), ("数值", RATE_COLUMNS[0].1)], s)?;
    let figures: [(&str, f64, &Format); 11] = [
        ("任务总数", f64::from(city.tasks), &s.number),
        ("已完成", f64::from(city.done), &s.number),
        ("其中按期完成", f64::from(city.done_on_time), &s.number),
        ("已报送", f64::from(city.reported), &s.number),
        ("红灯", f64::from(city.lights.red), &s.number),
        ("黄灯", f64::from(city.lights.yellow), &s.number),
        ("蓝灯", f64::from(city.lights.blue), &s.number),
        ("绿灯", f64::from(city.lights.green), &s.number),
        ("办结率", round1(city.completion_rate()), &s.rate),
        ("按期办结率", round1(city.on_time_rate()), &s.rate),
        ("报送率", round1(city.report_rate()), &s.rate),
    ];
    for (i, (name, v, f)) in figures.iter().enumerate() {
        let row = 5 + i as u32;
        sh.text(row, 0, name, &s.center)?;
        sh.number(row, 1, Some(*v), f)?;
    }

    // Status table beside the figures (its name merged over two columns so that the widths of
    // the leader table below fit it); it feeds the pie.
    let status_top = 4;
    sh.ws
        .merge_range(status_top, 3, status_top, 4, "状态", &s.header)?;
    sh.text(status_top, 5, "项数", &s.header)?;
    sh.text(status_top, 6, "占比", &s.header)?;
    let outcomes = &report.classification.outcomes;
    let mut pie_labels = Vec::new();
    for (i, (name, statuses, _)) in STATUS_GROUPS.iter().enumerate() {
        let row = status_top + 1 + i as u32;
        let n = outcomes
            .iter()
            .filter(|o| statuses.contains(&o.status))
            .count();
        sh.ws.merge_range(row, 3, row, 4, name, &s.center)?;
        sh.number(row, 5, Some(n as f64), &s.number)?;
        sh.number(
            row,
            6,
            Some(round1(percent(n as u32, outcomes.len() as u32))),
            &s.rate,
        )?;
        pie_labels.push(n > 0);
    }

    let leader_top = 18;
    sh.ws
        .write_string_with_format(leader_top - 1, 0, "二、分管市领导任务推进情况", &s.section)?;
    let rows: Vec<(String, &Counts)> = report
        .classification
        .leaders
        .iter()
        .map(|(name, r)| (leader_display(report, name), r))
        .collect();
    let end = rate_table(&mut sh, leader_top, ("分管市领导", 14.0), &rows, city, s)?;
    note(
        &mut sh,
        end,
        "注：主要预期目标同时计入对应分管市领导；办结率、按期办结率、报送率均以任务数为分母。",
    )?;

    let status_rows = (status_top + 1, status_top + STATUS_GROUPS.len() as u32);
    sh.ws
        .insert_chart_with_offset(3, 8, &status_pie(status_rows, &pie_labels), 10, 0)?;
    let mut months_top = end + 3;
    if !rows.is_empty() {
        let leader_rows = (leader_top + 1, leader_top + rows.len() as u32);
        let chart = lights_bar(leader_rows, rows.len());
        sh.ws.insert_chart(end + 3, 0, &chart)?;
        // rows of the default 20 px the chart covers, and two more
        months_top += (90 + 28 * rows.len() as u32).div_ceil(20) + 3;
    }
    months_table(&mut sh, months_top, report, s)?;
    // Sections 二 and 三 start printed pages so the chart is never cut.
    sh.ws.set_page_breaks(&[leader_top - 1, months_top - 1])?;
    sh.ws.set_paper_size(9);
    sh.ws.set_landscape();
    sh.ws.set_print_fit_to_pages(1, 0);
    sh.ws
        .set_footer(format!("&C&\"{FONT}\"&9第 &P 页，共 &N 页"));
    sh.fit_rows()?;
    Ok(())
}

pub(super) fn chart_font() -> rust_xlsxwriter::ChartFont {
    let mut font = rust_xlsxwriter::ChartFont::new();
    font.set_name(FONT).set_size(9);
    font
}

/// Pie of the status groups; labels only on the slices that are there.
pub(super) fn status_pie(rows: (u32, u32), shown: &[bool]) -> Chart {
    let mut chart = Chart::new(ChartType::Pie);
    let labels: Vec<ChartDataLabel> = shown
        .iter()
        .map(|&on| {
            let mut l = ChartDataLabel::new();
            if on {
                l.show_category_name()
                    .show_percentage()
                    .set_separator(' ')
                    .set_position(ChartDataLabelPosition::OutsideEnd)
                    .show_leader_lines()
                    .set_font(&chart_font());
            } else {
                l.set_hidden();
            }
            l
        })
        .collect();
    let colors: Vec<Color> = STATUS_GROUPS
        .iter()
        .map(|(_, _, c)| Color::RGB(*c))
        .collect();
    chart
        .add_series()
        .set_name("任务状态")
        .set_categories(("总览", rows.0, 3, rows.1, 3))
        .set_values(("总览", rows.0, 5, rows.1, 5))
        .set_point_colors(&colors)
        .set_custom_data_labels(&labels);
    chart
        .title()
        .set_name("任务状态分布")
        .set_font(&chart_font().set_bold().clone());
    chart
        .legend()
        .set_position(ChartLegendPosition::Right)
        .set_font(&chart_font());
    chart.set_width(420).set_height(290);
    chart
}

/// Stacked bar of lights per leader (red, yellow, blue, green).
pub(super) fn lights_bar(rows: (u32, u32), leaders: usize) -> Chart {
    let mut chart = Chart::new(ChartType::BarStacked);
    // Columns of 红灯..绿灯 in the leader table (after name, 任务数, 已完成, 按期完成, 已报送).
    for (i, light) in Light::all().into_iter().enumerate() {
        let col = 5 + i as u16;
        chart
            .add_series()
            .set_name(&format!("{}灯", light.label()))
            .set_categories(("总览", rows.0, 0, rows.1, 0))
            .set_values(("总览", rows.0, col, rows.1, col))
            .set_format(
                ChartFormat::new()
                    .set_solid_fill(ChartSolidFill::new().set_color(Color::RGB(light.rgb()))),
            )
            .set_gap(60);
    }
    chart
        .title()
        .set_name("各分管市领导任务亮灯情况")
        .set_font(&chart_font().set_bold().clone());
    // In a bar chart rust_xlsxwriter's y axis is the vertical category axis; it runs bottom-up,
    // so it is reversed to list the leaders in the table's order.
    chart.y_axis().set_reverse().set_font(&chart_font());
    chart
        .x_axis()
        .set_font(&chart_font())
        .set_major_gridlines(true);
    chart
        .legend()
        .set_position(ChartLegendPosition::Top)
        .set_font(&chart_font());
    chart.set_width(820).set_height(90 + 28 * leaders as u32);
    chart
}

/// Section 三: the city month by month (every month on record and this one).
fn months_table(
    sh: &mut Sheet,
    top: u32,
    report: &MonthReport,
    s: &Styles,
) -> Result<(), XlsxError> {
    let trend = &report.trend;
    sh.ws
        .write_string_with_format(top - 1, 0, "三、各月任务推进和亮灯情况", &s.section)?;
    let mut columns = vec![("月份", 14.0)];
    columns.extend(RATE_COLUMNS);
    sh.header(top, &columns, s)?;
    let mut row = top + 1;
    for (month, totals) in trend.months.iter().zip(&trend.totals) {
        sh.text(row, 0, &month.label(), &s.center)?;
        match totals {
            Some(t) => {
                rate_cells(sh, row, 1, t, false, s)?;
            }
            None => {
                sh.ws.merge_range(
                    row,
                    1,
                    row,
                    RATE_COLUMNS.len() as u16,
                    "该月无有效归档（缺失或已被改动）",
                    &s.center,
                )?;
            }
        }
        row += 1;
    }
    note(
        sh,
        row,
        "注：各月数据取自当月归档的汇总表（已按 run.json 核对）；本月为本次运行结果。月度趋势见工作表“月度趋势”。",
    )?;
    Ok(())
}
