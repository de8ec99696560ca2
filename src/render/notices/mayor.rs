//! The mayor's city overview: the city sentence, every leader's counts and rates with a
//! stacked light bar, and the list of red tasks.

use super::cells::{col, header_row, light_spans, status_cell_with_history, text_cell};
use super::figures::DECIMAL_RATE_MM;
use super::leader::lead_units_text;
use super::name_column::NameColumn;
use super::sentence::SentenceCounts;
use super::style::{cell_style, head_style, light_color};
use super::{Input, compose};
use crate::model::{Counts, Light, MonthReport, Task, TaskOutcome};
use crate::numbers::fixed_percent_text;
use duban_pdf::{
    Align, BarChart, Block, Cell, Column, Document, Meta, Row, Series, Table, TableStyle, mm,
};

/// Name of the template.
pub const TEMPLATE: &str = "notice_mayor.j2";

/// The overview document.
pub(crate) fn document(input: &Input) -> Result<(Document, Meta), super::NoticeError> {
    let report = input.report;
    let city = &report.classification.city;
    let counts = SentenceCounts::of(report.classification.outcomes.iter()).with_rates(Some(city));
    let red = red_tasks(report);
    let t = &input.cfg.thresholds;
    let trend = &input.report.trend;
    let first = trend.months.first().copied();
    let first_red = trend
        .totals
        .first()
        .copied()
        .flatten()
        .map(|t| t.lights.red);
    let missing: Vec<String> = trend.missing().iter().map(|m| m.label()).collect();
    let extra = serde_json::json!({
        "counts": counts,
        "leaders_count": report.classification.leaders.len(),
        "red_count": red.len(),
        "months": {
            "count": trend.months.len(),
            "first": first.map(|m| m.label()),
            "first_red": first_red,
            "missing": missing.join("、"),
        },
        "thresholds": {
            "lag_tolerance": crate::numbers::one_decimal(t.lag_tolerance),
            "red_behind": crate::numbers::one_decimal(t.red_behind),
            "not_reported_red_months": t.not_reported_red_months,
        },
    });
    compose(input, TEMPLATE, extra, &|name| match name {
        "leaders" => Some(leaders_table(report)),
        "red" => Some(red_table(&red, input)),
        "months" => Some(months_chart(&input.report.trend)),
        _ => None,
    })
}

/// Red tasks in master order.
fn red_tasks(report: &MonthReport) -> Vec<(&Task, &TaskOutcome)> {
    report
        .master
        .tasks
        .iter()
        .filter_map(|t| report.classification.outcome(t.number).map(|o| (t, o)))
        .filter(|(_, o)| o.light == Light::Red)
        .collect()
}

/// A number cell.
fn num(value: impl ToString) -> Cell {
    text_cell(value.to_string())
}

fn bar(rates: &Counts) -> Cell {
    let segments = [
        (rates.lights.red, Light::Red),
        (rates.lights.yellow, Light::Yellow),
        (rates.lights.blue, Light::Blue),
        (rates.lights.green, Light::Green),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, light)| (*n as f32, light_color(*light)))
    .collect();
    Cell::bar(mm(3.2), segments)
}

fn rate_cells(rates: &Counts) -> [Cell; 8] {
    [
        num(rates.tasks),
        num(rates.lights.red),
        num(rates.lights.yellow),
        num(rates.lights.blue),
        num(rates.lights.green),
        text_cell(fixed_percent_text(rates.completion_rate())),
        text_cell(fixed_percent_text(rates.report_rate())),
        bar(rates),
    ]
}

fn leaders_table(report: &MonthReport) -> Block {
    let master = &report.master;
    let mut rows: Vec<Row> = report
        .classification
        .leaders
        .iter()
        .enumerate()
        .map(|(i, (name, rates))| {
            let display = master
                .leaders
                .iter()
                .find(|l| l.name == *name)
                .map(|l| l.display())
                .unwrap_or_else(|| name.clone());
            let mut cells = vec![num(i + 1), text_cell(display)];
            cells.extend(rate_cells(rates));
            Row::new(cells)
        })
        .collect();
    let city = &report.classification.city;
    let bold = |text: String| Cell::text(text, head_style());
    let mut total = vec![Cell::empty(), bold("合计".to_string()).align(Align::Center)];
    total.extend([
        bold(city.tasks.to_string()),
        bold(city.lights.red.to_string()),
        bold(city.lights.yellow.to_string()),
        bold(city.lights.blue.to_string()),
        bold(city.lights.green.to_string()),
        bold(fixed_percent_text(city.completion_rate())),
        bold(fixed_percent_text(city.report_rate())),
        bar(city),
    ]);
    rows.push(Row::new(total));
    // 10 pt so that “●红灯” stays on one line in the 12.5 mm column.
    let light_head =
        |light: Light, word: &str| Cell::new(light_spans(light, word, head_style().size(10.0)));
    let header = Row::new(vec![
        Cell::text("序\n号", head_style()),
        Cell::text("分管市领导", head_style()),
        Cell::text("任务\n数", head_style()),
        light_head(Light::Red, "红灯"),
        light_head(Light::Yellow, "黄灯"),
        light_head(Light::Blue, "蓝灯"),
        light_head(Light::Green, "绿灯"),
        Cell::text("办结率", head_style()),
        Cell::text("报送率", head_style()),
        Cell::text("亮灯分布", head_style()),
    ]);
    let mut columns = vec![
        col(8.0, Align::Center),
        col(25.5, Align::Left),
        col(11.0, Align::Center),
    ];
    columns.extend([col(12.5, Align::Center); 4]);
    // room for “100.0%” on one line; the bars take what is left
    columns.extend([
        col(DECIMAL_RATE_MM, Align::Center),
        col(DECIMAL_RATE_MM, Align::Center),
        Column::flex(Align::Left),
    ]);
    Block::Table(Table {
        columns,
        header: Some(header),
        rows,
        style: TableStyle {
            inset_y: mm(1.1),
            ..TableStyle::default()
        },
    })
}

fn red_table(tasks: &[(&Task, &TaskOutcome)], input: &Input) -> Block {
    let units = NameColumn::of(
        tasks.iter().map(|(task, _)| lead_units_text(task)),
        input.fonts,
    );
    let rows = tasks
        .iter()
        .map(|(task, o)| {
            Row::new(vec![
                num(task.number),
                text_cell(task.text.as_str()),
                text_cell(task.leaders.join("、")),
                units.cell(lead_units_text(task)),
                status_cell_with_history(o, &input.report.trend, input.report.month),
                text_cell(&o.reason),
            ])
        })
        .collect();
    Block::Table(Table {
        columns: vec![
            col(8.0, Align::Center),
            Column::flex(Align::Left),
            col(14.0, Align::Center),
            col(units.width(), Align::Left),
            col(24.5, Align::Left),
            col(33.0, Align::Left),
        ],
        header: Some(header_row(&[
            "序\n号",
            "任务目标",
            "分管\n市领导",
            "牵头\n单位",
            "状态",
            "亮灯原因",
        ])),
        rows,
        style: TableStyle::default(),
    })
}

/// The lights of every month on record and this one as stacked columns (red at the foot).
pub(crate) fn months_chart(trend: &crate::trend::Trend) -> Block {
    let lights = [Light::Red, Light::Yellow, Light::Blue, Light::Green];
    let series = lights
        .iter()
        .map(|l| Series {
            name: format!("{}灯", l.label()),
            fill: light_color(*l),
            label: if *l == Light::Yellow {
                duban_pdf::Color::hex(0x000000)
            } else {
                duban_pdf::Color::hex(0xFFFFFF)
            },
        })
        .collect();
    Block::Chart(BarChart {
        plot_height: mm(52.0),
        width: None,
        categories: trend
            .months
            .iter()
            .map(|m| crate::trend::month_label(*m, &trend.months))
            .collect(),
        series,
        values: trend
            .totals
            .iter()
            .map(|t| t.map(|t| lights.iter().map(|l| t.lights.get(*l) as f32).collect()))
            .collect(),
        style: cell_style(),
        axis_name: "项".to_string(),
        note_missing: "无归档".to_string(),
    })
}
