//! 年度督办总结 for the mayor (`duban year`): the template `year_summary.j2` with the tables of
//! the year report, laid out like the notices (same typography, same line markup).

use super::NoticeError;
use super::cells::{col, group_row, header_row, light_spans, text_cell};
use super::figures::progress_text;
use super::markup;
use super::name_column::NameColumn;
use super::style::{HISTORY_SIZE, cell_style, head_style};
use crate::config::Config;
use crate::model::Light;
use crate::numbers::round1;
use crate::numbers::{fixed_percent_text, percent_text};
use crate::templates::Templates;
use crate::year::{YearReport, month_ranges};
use duban_pdf::{
    Align, Block, Cell, Column, Document, FontSet, Layout, Meta, Row, Table, TableStyle,
};

/// Name of the template.
pub const TEMPLATE: &str = "year_summary.j2";

/// The document and its metadata.
pub fn document(
    year: &YearReport,
    cfg: &Config,
    fonts: &FontSet,
    templates: &Templates,
    number: &str,
) -> Result<(Document, Meta), NoticeError> {
    let mut ctx = context(year, cfg);
    ctx["number"] = serde_json::Value::from(number);
    let lines = templates.render_lines(TEMPLATE, &ctx)?;
    let layout_error = |source| NoticeError::Layout {
        template: TEMPLATE.to_string(),
        source,
    };
    let parsed = markup::parse_lines(&lines).map_err(layout_error)?;
    let tables = |name: &str| match name {
        "months" => Some(months_table(year)),
        "months_chart" => Some(super::mayor::months_chart(&year.trend)),
        "leaders" => Some(leaders_table(year)),
        "unfinished" => Some(unfinished_table(year, fonts)),
        "units" => Some(units_table(year)),
        _ => None,
    };
    let built = markup::build(&parsed, fonts, &tables).map_err(layout_error)?;
    Ok(built.into_document(&cfg.office.name, year.as_of))
}

/// Lays the document out like a notice (no lone note or tail line on a page).
pub fn lay_out(doc: &Document, fonts: &FontSet) -> Layout {
    super::fit::fit(doc, fonts)
}

fn context(year: &YearReport, cfg: &Config) -> serde_json::Value {
    let on_record = year.trend.on_record();
    let latest = year
        .trend
        .totals
        .last()
        .copied()
        .flatten()
        .unwrap_or_default();
    let first = year
        .trend
        .totals
        .first()
        .copied()
        .flatten()
        .unwrap_or_default();
    let office = &cfg.office;
    serde_json::json!({
        "office": {
            "name": office.name,
            "contact_person": office.contact_person,
            "contact_phone": office.contact_phone,
        },
        "year": year.year,
        "mayor": year.master.mayor.display(),
        "as_of": year.as_of,
        "issued_on": year.issued_on,
        "year_end": year.not_yet.is_empty(),
        "last_label": year.last.label(),
        "last_month": year.last.month,
        "covered": month_ranges(&on_record),
        "covered_count": on_record.len(),
        "missing": month_ranges(&year.missing),
        "not_yet": month_ranges(&year.not_yet),
        "city": {
            "total": latest.tasks,
            "done": latest.done,
            "completion_rate": percent_text(round1(latest.completion_rate())),
            "on_time_rate": percent_text(round1(latest.on_time_rate())),
            "report_rate": percent_text(round1(latest.report_rate())),
            "red": latest.lights.red,
            "yellow": latest.lights.yellow,
            "blue": latest.lights.blue,
            "green": latest.lights.green,
        },
        "first": {
            "label": year.trend.months.first().map(|m| m.label()).unwrap_or_default(),
            "red": first.lights.red,
            "completion_rate": percent_text(round1(first.completion_rate())),
        },
        "unfinished_count": year.unfinished.len(),
        "unfinished_due": year.unfinished.iter().filter(|u| u.due).count(),
        "units_count": year.units.len(),
        "top_units": crate::year::ranking_phrase(&year.units, true),
        "bottom_units": crate::year::ranking_phrase(&year.units, false),
    })
}

fn num(v: impl ToString) -> Cell {
    text_cell(v.to_string())
}

fn light_head(light: Light, word: &str) -> Cell {
    Cell::new(light_spans(light, word, head_style().size(10.0)))
}

fn months_table(year: &YearReport) -> Block {
    let rows = year
        .trend
        .months
        .iter()
        .zip(&year.trend.totals)
        .map(|(m, t)| match t {
            Some(t) => Row::new(vec![
                text_cell(m.label()),
                num(t.tasks),
                num(t.done),
                text_cell(fixed_percent_text(round1(t.completion_rate()))),
                text_cell(fixed_percent_text(round1(t.on_time_rate()))),
                text_cell(fixed_percent_text(round1(t.report_rate()))),
                num(t.lights.red),
                num(t.lights.yellow),
                num(t.lights.blue),
                num(t.lights.green),
            ]),
            None => {
                let mut cells = vec![text_cell(m.label())];
                cells.extend((0..9).map(|_| text_cell("—")));
                Row::new(cells)
            }
        })
        .collect();
    // 24 + 14 + 14 + 3 × 16 + 3 × 13 + the rest (17) = the 156 mm text width
    let mut columns = vec![
        col(24.0, Align::Center),
        col(14.0, Align::Center),
        col(14.0, Align::Center),
    ];
    columns.extend([col(16.0, Align::Center); 3]);
    columns.extend([col(13.0, Align::Center); 3]);
    columns.push(Column::flex(Align::Center));
    let header = Row::new(vec![
        Cell::text("月份", head_style()),
        Cell::text("任务数", head_style()),
        Cell::text("已完成", head_style()),
        Cell::text("办结率", head_style()),
        Cell::text("按期\n办结率", head_style()),
        Cell::text("报送率", head_style()),
        light_head(Light::Red, "红灯"),
        light_head(Light::Yellow, "黄灯"),
        light_head(Light::Blue, "蓝灯"),
        light_head(Light::Green, "绿灯"),
    ]);
    Block::Table(Table {
        columns,
        header: Some(header),
        rows,
        style: TableStyle::default(),
    })
}

fn leaders_table(year: &YearReport) -> Block {
    let rows = year
        .leaders
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let path = l
                .red_by_month
                .iter()
                .map(|n| n.map_or("—".to_string(), |n| n.to_string()))
                .collect::<Vec<_>>()
                .join("→");
            Row::new(vec![
                num(i + 1),
                text_cell(l.display.as_str()),
                num(l.tasks),
                num(l.done),
                text_cell(fixed_percent_text(round1(l.completion_rate))),
                text_cell(path),
                num(l.red_task_months),
            ])
        })
        .collect();
    Block::Table(Table {
        columns: vec![
            col(8.0, Align::Center),
            col(26.0, Align::Left),
            col(14.0, Align::Center),
            col(14.0, Align::Center),
            col(15.0, Align::Center),
            Column::flex(Align::Center),
            col(14.0, Align::Center),
        ],
        header: Some(header_row(&[
            "序\n号",
            "分管市领导",
            "任务数",
            "已完成",
            "办结率",
            "各月红灯（项）",
            "红灯\n月次",
        ])),
        rows,
        style: TableStyle::default(),
    })
}

fn unfinished_table(year: &YearReport, fonts: &FontSet) -> Block {
    let mut rows = Vec::new();
    let due: Vec<_> = year.unfinished.iter().filter(|u| u.due).collect();
    let later: Vec<_> = year.unfinished.iter().filter(|u| !u.due).collect();
    let units = NameColumn::of(year.unfinished.iter().map(|u| u.units.as_str()), fonts);
    for (label, list) in [("已过完成时限", due), ("尚未到完成时限", later)] {
        if list.is_empty() {
            continue;
        }
        rows.push(group_row(format!("{label}（{}项）", list.len())));
        rows.extend(list.iter().map(|u| {
            let status = u
                .latest_status
                .map_or("—".to_string(), |s| s.label().to_string());
            Row::new(vec![
                num(u.task),
                text_cell(u.text.as_str()),
                units.cell(u.units.as_str()),
                text_cell(u.deadline.as_str()),
                Cell::text(
                    if u.path.is_empty() {
                        progress_text(u.latest_percent)
                    } else {
                        u.path.clone()
                    },
                    cell_style().size(HISTORY_SIZE),
                ),
                text_cell(status),
                num(u.red_months),
            ])
        }));
    }
    Block::Table(Table {
        columns: vec![
            col(8.0, Align::Center),
            Column::flex(Align::Left),
            col(units.width(), Align::Left),
            col(13.5, Align::Center),
            col(36.0, Align::Center),
            col(21.0, Align::Center),
            col(11.0, Align::Center),
        ],
        header: Some(header_row(&[
            "序\n号",
            "任务目标",
            "牵头\n单位",
            "完成\n时限",
            "各月进度（%）",
            "最新\n状态",
            "红灯\n月数",
        ])),
        rows,
        style: TableStyle::default(),
    })
}

fn units_table(year: &YearReport) -> Block {
    let rows = year
        .units
        .iter()
        .map(|u| {
            Row::new(vec![
                num(u.rank),
                text_cell(u.name.as_str()),
                num(u.tasks),
                text_cell(format!("{}/{}", u.on_time, u.months)),
                text_cell(fixed_percent_text(round1(u.on_time_rate))),
                text_cell(fixed_percent_text(round1(u.completion_rate))),
                num(u.red_task_months),
            ])
        })
        .collect();
    Block::Table(Table {
        columns: vec![
            col(12.0, Align::Center),
            Column::flex(Align::Left),
            col(14.0, Align::Center),
            col(18.0, Align::Center),
            col(18.0, Align::Center),
            col(16.0, Align::Center),
            col(14.0, Align::Center),
        ],
        header: Some(header_row(&[
            "名次",
            "牵头单位",
            "任务数",
            "按时报送\n（月）",
            "按时\n报送率",
            "办结率",
            "红灯\n月次",
        ])),
        rows,
        style: TableStyle::default(),
    })
}
