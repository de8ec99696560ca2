//! The 月度趋势 sheet: per task the progress of every month on record so far (filled with that
//! month's light), a sparkline, and the light of each month; below, the city's light counts
//! and 办结率 per month with a native chart (stacked columns of lights, 办结率 as a line on the
//! secondary axis).

use super::*;
use crate::trend::{light_index, month_label};
use rust_xlsxwriter::{ChartMarker, ChartMarkerType, Sparkline, SparklineType};

/// Name of the sheet.
pub const TREND_SHEET: &str = "月度趋势";

/// Columns before the months.
const LEAD_COLUMNS: [(&str, f64); 4] = [
    (COL_NUMBER, 5.0),
    ("任务目标", 30.0),
    ("牵头单位", 11.0),
    ("分管市领导", 8.0),
];

/// A progress cell filled with the month's light.
fn progress_format(light: Option<Light>) -> Format {
    let base = Format::new()
        .set_font_name(FONT)
        .set_font_size(10)
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_num_format("0");
    match light {
        Some(l) => base
            .set_background_color(Color::RGB(l.rgb()))
            .set_font_color(if l == Light::Yellow {
                Color::Black
            } else {
                Color::White
            }),
        None => base,
    }
}

pub(super) fn trend_sheet(
    ws: &mut Worksheet,
    report: &MonthReport,
    s: &Styles,
) -> Result<(), XlsxError> {
    let trend = &report.trend;
    let months = &trend.months;
    let n = months.len() as u16;
    let mut sh = Sheet::new(ws);
    sh.ws.set_name(TREND_SHEET)?;
    let first_col = LEAD_COLUMNS.len() as u16;
    let spark_col = first_col + n;
    let light_col = spark_col + 1;
    let streak_col = light_col + n;
    let last_col = streak_col;

    let span = match (months.first(), months.last()) {
        (Some(a), Some(b)) if a != b => format!("{}—{}", a.label(), month_label(*b, &[*a])),
        _ => report.month.label(),
    };
    sh.ws.merge_range(
        0,
        0,
        0,
        last_col,
        &format!("重点工作任务月度趋势（{span}）"),
        &s.title,
    )?;
    let missing = trend.missing();
    let mut sub = "各月完成进度(%)以当月亮灯为底色；空白为当月未报送。".to_string();
    if !missing.is_empty() {
        let list: Vec<String> = missing.iter().map(|m| m.label()).collect();
        sub.push_str(&format!(
            "{}无有效归档（缺失或已被改动），该月数据空缺。",
            list.join("、")
        ));
    }
    sh.ws.merge_range(1, 0, 1, last_col, &sub, &s.subtitle)?;
    sh.ws.set_row_height(0, 26)?;

    // header row
    let header = 3;
    sh.header(header, &LEAD_COLUMNS, s)?;
    for (i, m) in months.iter().enumerate() {
        let col = first_col + i as u16;
        sh.width(col, 6.5)?;
        let mut label = format!("{}\n进度", month_label(*m, months));
        if missing.contains(m) {
            label.push_str("（缺）");
        }
        sh.text(header, col, &label, &s.header)?;
        sh.width(light_col + i as u16, 5.5)?;
        sh.text(
            header,
            light_col + i as u16,
            &format!("{}\n亮灯", month_label(*m, months)),
            &s.header,
        )?;
    }
    sh.width(spark_col, 14.0)?;
    sh.text(header, spark_col, "进度趋势", &s.header)?;
    sh.width(streak_col, 8.0)?;
    sh.text(header, streak_col, "连续红灯\n月数", &s.header)?;

    let mut row = header + 1;
    for task in &report.master.tasks {
        let Some(o) = report.classification.outcome(task.number) else {
            continue;
        };
        sh.number(row, 0, Some(f64::from(task.number)), &s.number)?;
        // the whole text, wrapped (rows grow to fit): nothing a reader needs is cut
        sh.text(row, 1, &task.text, &s.text)?;
        sh.text(row, 2, &units_text(task), &s.center)?;
        sh.text(row, 3, &task.leaders.join("、"), &s.center)?;
        let points = trend.tasks.get(&task.number);
        for i in 0..months.len() {
            let p = points.and_then(|v| v.get(i).copied().flatten());
            let light = p.and_then(|p| p.light);
            let col = first_col + i as u16;
            sh.number(row, col, p.and_then(|p| p.percent), &progress_format(light))?;
            match light {
                Some(l) => sh.text(row, light_col + i as u16, l.label(), &Styles::light(l))?,
                None => {
                    sh.ws.write_blank(row, light_col + i as u16, &s.center)?;
                }
            }
        }
        sh.number(row, streak_col, Some(f64::from(o.red_months)), &s.number)?;
        row += 1;
    }
    let last_task_row = row.saturating_sub(1).max(header + 1);
    if n > 1 && row > header + 1 {
        let spark = Sparkline::new()
            .set_range((
                TREND_SHEET,
                header + 1,
                first_col,
                last_task_row,
                first_col + n - 1,
            ))
            .set_type(SparklineType::Line)
            .show_markers(true)
            .set_custom_min(0)
            .set_custom_max(100)
            .set_line_weight(1.5)
            .set_sparkline_color(Color::RGB(0x1F6FD1))
            .set_markers_color(Color::RGB(0x1F6FD1));
        sh.ws
            .add_sparkline_group(header + 1, spark_col, last_task_row, spark_col, &spark)?;
    }
    light_conditional_fills(sh.ws, header + 1, last_task_row, light_col)?;

    // the city per month, below the tasks
    let top = last_task_row + 3;
    sh.ws
        .write_string_with_format(top - 1, 0, "全市各月亮灯和办结情况", &s.section)?;
    sh.ws
        .merge_range(top, 0, top, first_col - 1, "项目", &s.header)?;
    for (i, m) in months.iter().enumerate() {
        sh.text(
            top,
            first_col + i as u16,
            &month_label(*m, months),
            &s.header,
        )?;
    }
    let labels = ["红灯", "黄灯", "蓝灯", "绿灯", "办结率(%)"];
    for (k, label) in labels.iter().enumerate() {
        let r = top + 1 + k as u32;
        sh.ws
            .merge_range(r, 0, r, first_col - 1, label, &s.center)?;
        for (i, t) in trend.totals.iter().enumerate() {
            let col = first_col + i as u16;
            let value = t.map(|t| match k {
                4 => round1(t.completion_rate()),
                _ => f64::from(t.lights.as_array()[k]),
            });
            let format = if k == 4 { &s.rate } else { &s.number };
            sh.number(r, col, value, format)?;
        }
    }
    if n > 0 {
        let chart = months_chart(top, first_col, n);
        sh.ws
            .insert_chart(top + labels.len() as u32 + 2, 1, &chart)?;
    }

    sh.ws.set_freeze_panes(header + 1, 2)?;
    sh.ws.autofilter(header, 0, last_task_row, last_col)?;
    print_setup(sh.ws, report, header)?;
    sh.fit_rows()?;
    Ok(())
}

/// The city table's ranges on 月度趋势 (`top` its header row, months from `first_col`, one row
/// per light, then 办结率) as a chart.
fn months_chart(top: u32, first_col: u16, n: u16) -> Chart {
    let last_col = first_col + n - 1;
    lights_and_rate_chart(
        (TREND_SHEET, top, first_col, top, last_col),
        &|light| {
            let r = top + 1 + light_index(light) as u32;
            (TREND_SHEET, r, first_col, r, last_col)
        },
        (TREND_SHEET, top + 5, first_col, top + 5, last_col),
        640,
    )
}

/// A range of cells: sheet, first row, first column, last row, last column.
pub(super) type Cells = (&'static str, u32, u16, u32, u16);

/// Stacked columns of lights per month (red at the foot), 办结率 as a line on a secondary axis
/// from 0 to 100: `categories` the months, `lights` each light's counts, `rate` the 办结率.
pub(super) fn lights_and_rate_chart(
    categories: Cells,
    lights: &dyn Fn(Light) -> Cells,
    rate: Cells,
    width: u32,
) -> Chart {
    let mut chart = Chart::new(ChartType::ColumnStacked);
    for light in Light::all() {
        chart
            .add_series()
            .set_name(&format!("{}灯", light.label()))
            .set_categories(categories)
            .set_values(lights(light))
            .set_format(
                ChartFormat::new()
                    .set_solid_fill(ChartSolidFill::new().set_color(Color::RGB(light.rgb()))),
            )
            .set_gap(80);
    }
    let mut line = Chart::new(ChartType::Line);
    line.add_series()
        .set_name("办结率(%)")
        .set_categories(categories)
        .set_values(rate)
        .set_format(
            ChartFormat::new().set_line(
                rust_xlsxwriter::ChartLine::new()
                    .set_color(Color::RGB(0x333333))
                    .set_width(2.0),
            ),
        )
        .set_marker(
            ChartMarker::new()
                .set_type(ChartMarkerType::Circle)
                .set_size(6),
        )
        .set_secondary_axis(true);
    chart.combine(&line);
    chart
        .y2_axis()
        .set_min(0)
        .set_max(100)
        .set_name("办结率(%)")
        .set_font(&chart_font())
        .set_name_font(&chart_font());
    chart
        .title()
        .set_name("全市各月亮灯情况和办结率")
        .set_font(&chart_font().set_bold().clone());
    chart
        .y_axis()
        .set_name("任务数（项）")
        .set_font(&chart_font())
        .set_name_font(&chart_font())
        .set_major_gridlines(true);
    chart.x_axis().set_font(&chart_font());
    chart
        .legend()
        .set_position(ChartLegendPosition::Top)
        .set_font(&chart_font());
    chart.set_width(width).set_height(340);
    chart
}
