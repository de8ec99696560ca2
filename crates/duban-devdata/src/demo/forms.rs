//! The workbooks units send: grids of cells in the form's shape and in the messy shapes
//! units really use (moved headers, synonyms, merged blocks, fractions, full-width digits),
//! written with rust_xlsxwriter.

use super::*;

/// A cell of a free-form sheet.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Value {
    Empty,
    /// A title line (bold, larger).
    Title(String),
    Text(String),
    Number(f64),
    /// A fraction in a percent-formatted cell (0.8 shown as 80%).
    Percent(f64),
    Date(NaiveDate),
    /// A formula whose cached result is an error value such as `#DIV/0!`.
    Error(String, &'static str),
}

/// One sheet: rows of cells, the header row (bordered), column widths.
pub(super) struct Grid {
    pub(super) name: String,
    pub(super) rows: Vec<Vec<Value>>,
    pub(super) header_row: Option<usize>,
    pub(super) widths: Vec<f64>,
}

/// A data column of a free-form sheet: one of the progress workbook's columns
/// ([`duban::columns::Column`]), or `None` for a column intake does not read (责任科室, 上月进度).
pub(super) type Field = Option<Column>;

/// The width a unit's own sheet gives a column (wider than the form's for some).
pub(super) fn field_width(field: Field) -> f64 {
    match field {
        Some(Column::Number) => 7.0,
        Some(Column::TaskText) => 34.0,
        Some(Column::Deadline) => 10.0,
        Some(Column::ProgressText) => 42.0,
        Some(Column::Percent) => 10.0,
        Some(Column::Status) => 10.0,
        Some(Column::CompletedOn) => 16.0,
        Some(Column::Issues | Column::NextSteps) => 24.0,
        Some(Column::Remark | Column::Previous) | None => 12.0,
    }
}

/// A form column as a field: 上月进度 is not read back.
pub(super) fn field_of(column: Column) -> Field {
    (column != Column::Previous).then_some(column)
}

/// The form's own columns as (header, field).
pub(super) fn canonical_columns() -> Vec<(String, Field)> {
    form_columns(false)
        .into_iter()
        .map(|c| (c.label().to_string(), field_of(c)))
        .collect()
}

/// How a free-form sheet writes its values.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Style {
    /// 序号 as “１２” / “第12项” (alternating).
    pub(super) odd_numbers: bool,
    pub(super) percent: PercentStyle,
    /// Dates as “2026年11月25日” text.
    pub(super) chinese_dates: bool,
    /// Status synonyms instead of the dropdown values.
    pub(super) status_synonyms: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) enum PercentStyle {
    #[default]
    Number,
    /// “80%”, now and then “约80%”.
    Text,
    /// “８０％”.
    FullWidth,
    /// 0.8 in a percent-formatted cell.
    Fraction,
}

pub(super) fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap_or(c),
            '%' => '％',
            _ => c,
        })
        .collect()
}

pub(super) fn chinese_date_text(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// A header variant from intake's synonym table: the demo writes only variants intake accepts,
/// and a variant dropped from the table fails here, not silently in the demo month.
pub(super) fn synonym(column: Column, text: &str) -> &'static str {
    column
        .synonym(text)
        .expect("demo header variant is in duban::columns' synonym table")
}

pub(super) fn status_synonym(s: ReportedStatus, i: usize) -> &'static str {
    match (s, i % 2) {
        (ReportedStatus::Done, 0) => "已办结",
        (ReportedStatus::Done, _) => "完成",
        (ReportedStatus::OnTrack, 0) => "正常推进",
        (ReportedStatus::OnTrack, _) => "按计划推进",
        (ReportedStatus::Lagging, _) => "进度滞后",
        (ReportedStatus::NotStarted, _) => "尚未启动",
    }
}

pub(super) fn percent_text(p: f64) -> String {
    format!("{p}%")
}

pub(super) fn cell_for(field: Field, task: &Task, r: &Report, style: Style, i: usize) -> Value {
    match field {
        Some(Column::Number) => {
            if !style.odd_numbers {
                Value::Number(f64::from(task.number))
            } else if i.is_multiple_of(2) {
                Value::Text(full_width(&task.number.to_string()))
            } else {
                Value::Text(format!("第{}项", task.number))
            }
        }
        Some(Column::TaskText) => Value::Text(task.text.clone()),
        Some(Column::Deadline) => Value::Text(task.deadline.raw.clone()),
        Some(Column::ProgressText) => text_value(&r.text),
        Some(Column::Percent) => match style.percent {
            PercentStyle::Number => Value::Number(r.percent),
            PercentStyle::Text if i % 4 == 2 && r.percent < 100.0 => {
                Value::Text(format!("约{}", percent_text(r.percent)))
            }
            PercentStyle::Text => Value::Text(percent_text(r.percent)),
            PercentStyle::FullWidth => Value::Text(full_width(&percent_text(r.percent))),
            PercentStyle::Fraction => Value::Percent(r.percent / 100.0),
        },
        Some(Column::Status) if style.status_synonyms => {
            Value::Text(status_synonym(r.status, i).to_string())
        }
        Some(Column::Status) => Value::Text(r.status.label().to_string()),
        Some(Column::CompletedOn) => match r.done_on {
            Some(d) if style.chinese_dates => Value::Text(chinese_date_text(d)),
            Some(d) => Value::Date(d),
            None => Value::Empty,
        },
        Some(Column::Issues) => text_value(&r.issues),
        Some(Column::NextSteps) => text_value(&r.next_steps),
        Some(Column::Remark | Column::Previous) | None => Value::Empty,
    }
}

pub(super) fn text_value(s: &str) -> Value {
    if s.is_empty() {
        Value::Empty
    } else {
        Value::Text(s.to_string())
    }
}

/// Everything a messy-file builder needs.
pub(super) struct GridContext<'a> {
    pub(super) master: &'a Master,
    pub(super) unit: &'a Unit,
    pub(super) month: Month,
    pub(super) cfg: &'a Config,
    pub(super) tasks: &'a [&'a Task],
    pub(super) reports: &'a [Report],
}

impl GridContext<'_> {
    pub(super) fn rows_for(&self, columns: &[(String, Field)], style: Style) -> Vec<Vec<Value>> {
        self.tasks
            .iter()
            .zip(self.reports)
            .enumerate()
            .map(|(i, (t, r))| {
                columns
                    .iter()
                    .map(|(_, f)| cell_for(*f, t, r, style, i))
                    .collect()
            })
            .collect()
    }

    pub(super) fn date(&self) -> NaiveDate {
        reported_on(self.unit, self.month)
    }

    pub(super) fn title(&self) -> String {
        form_title(self.cfg, self.month)
    }

    /// The form's header block as separate cells, laid over `columns` (12+ columns wide).
    pub(super) fn block_row(&self, unit_label: &str, date: Value, width: usize) -> Vec<Value> {
        let mut row = vec![Value::Empty; width.max(10)];
        let mut set = |i: usize, v: Value| {
            if let Some(slot) = row.get_mut(i) {
                *slot = v;
            }
        };
        set(0, Value::Text(format!("填报单位：{unit_label}")));
        set(2, Value::Text("填报人：".into()));
        set(
            3,
            Value::Text(self.unit.contact.clone().unwrap_or_default()),
        );
        set(4, Value::Text("联系电话：".into()));
        set(6, Value::Text(self.unit.phone.clone().unwrap_or_default()));
        set(8, Value::Text("填报日期：".into()));
        set(9, date);
        row
    }

    /// A sheet in the form's shape: title, block, header, rows.
    pub(super) fn canonical_grid(&self, name: &str, style: Style) -> Grid {
        let columns = canonical_columns();
        let mut rows = vec![
            vec![Value::Title(self.title())],
            self.block_row(&self.unit.name, Value::Date(self.date()), columns.len()),
            columns
                .iter()
                .map(|(h, _)| Value::Text(h.clone()))
                .collect(),
        ];
        rows.extend(self.rows_for(&columns, style));
        Grid {
            name: name.to_string(),
            rows,
            header_row: Some(2),
            widths: columns.iter().map(|(_, f)| field_width(*f)).collect(),
        }
    }

    pub(super) fn workbook(&self, file: String, grids: &[Grid]) -> Option<(String, Vec<u8>)> {
        Some((file, write_grids(grids, self.month, self.cfg).ok()?))
    }

    /// 附件2-呼和浩特市科学技术局-重点任务进展（11月）.xlsx: one-cell header block with the full
    /// name, an extra “附件2” line, percents as text.
    pub(super) fn science(&self) -> Option<(String, Vec<u8>)> {
        let columns = canonical_columns();
        let full = self
            .unit
            .aliases
            .first()
            .cloned()
            .unwrap_or(self.unit.name.clone());
        let style = Style {
            percent: PercentStyle::Text,
            ..Style::default()
        };
        let block = format!(
            "填报单位（盖章）：{full}      填报人：{}      联系电话：{}      填报日期：{}",
            self.unit.contact.clone().unwrap_or_default(),
            self.unit.phone.clone().unwrap_or_default(),
            duban::model::chinese_date(self.date())
        );
        let mut rows = vec![
            vec![Value::Text("附件2".into())],
            vec![Value::Title(self.title())],
            vec![Value::Text(block)],
            columns
                .iter()
                .map(|(h, _)| Value::Text(h.clone()))
                .collect(),
        ];
        rows.extend(self.rows_for(&columns, style));
        let grid = Grid {
            name: "Sheet1".into(),
            rows,
            header_row: Some(3),
            widths: columns.iter().map(|(_, f)| field_width(*f)).collect(),
        };
        let file = format!("附件2-{full}-重点任务进展（{}月）.xlsx", self.month.month);
        self.workbook(file, &[grid])
    }

    /// Header row moved down under extra title lines; columns reordered and renamed with
    /// synonyms, an extra column; percents as fractions in percent-formatted cells.
    pub(super) fn housing(&self) -> Option<(String, Vec<u8>)> {
        let columns: Vec<(String, Field)> = [
            (synonym(Column::Number, "编号"), Some(Column::Number)),
            (Column::TaskText.label(), Some(Column::TaskText)),
            (Column::Deadline.label(), Some(Column::Deadline)),
            (synonym(Column::Percent, "完成比例"), Some(Column::Percent)),
            (synonym(Column::Status, "推进状态"), Some(Column::Status)),
            (
                synonym(Column::ProgressText, "进展情况"),
                Some(Column::ProgressText),
            ),
            (synonym(Column::Issues, "存在的问题"), Some(Column::Issues)),
            (
                synonym(Column::NextSteps, "下一步计划"),
                Some(Column::NextSteps),
            ),
            ("责任科室", None),
            (Column::CompletedOn.label(), Some(Column::CompletedOn)),
        ]
        .into_iter()
        .map(|(h, f)| (h.to_string(), f))
        .collect();
        let full = self
            .unit
            .aliases
            .first()
            .cloned()
            .unwrap_or(self.unit.name.clone());
        let style = Style {
            percent: PercentStyle::Fraction,
            ..Style::default()
        };
        let mut rows = vec![
            vec![Value::Text("附件".into())],
            vec![Value::Title(format!("{}重点工作任务推进情况", full))],
            vec![Value::Text(format!("（{}）", self.month.label()))],
            vec![],
            self.block_row(&full, Value::Date(self.date()), columns.len()),
            vec![],
            columns
                .iter()
                .map(|(h, _)| Value::Text(h.clone()))
                .collect(),
        ];
        let mut data = self.rows_for(&columns, style);
        let offices = ["城建科", "房产科", "物业科", "规划科"];
        for (i, row) in data.iter_mut().enumerate() {
            if let Some(cell) = row.get_mut(8) {
                *cell = Value::Text(offices.get(i % offices.len()).copied().unwrap_or("").into());
            }
        }
        rows.extend(data);
        let grid = Grid {
            name: "推进情况".into(),
            rows,
            header_row: Some(6),
            widths: columns.iter().map(|(_, f)| field_width(*f)).collect(),
        };
        let file = format!("市住建局{}重点任务进展情况.xlsx", self.month.label());
        self.workbook(file, &[grid])
    }

    /// Full-width and “第N项” task numbers, “８０％”, dates as Chinese text.
    pub(super) fn culture(&self) -> Option<(String, Vec<u8>)> {
        let style = Style {
            odd_numbers: true,
            percent: PercentStyle::FullWidth,
            chinese_dates: true,
            ..Style::default()
        };
        let mut grid = self.canonical_grid("进展情况", style);
        if let Some(cell) = grid.rows.get_mut(1).and_then(|row| row.get_mut(9)) {
            *cell = Value::Text(chinese_date_text(self.date()));
        }
        let file = format!(
            "市文旅广电局重点任务推进情况表（{}月）.xlsx",
            self.month.month
        );
        self.workbook(file, &[grid])
    }

    /// Status written with synonyms.
    pub(super) fn synonyms(&self) -> Option<(String, Vec<u8>)> {
        let style = Style {
            status_synonyms: true,
            ..Style::default()
        };
        let grid = self.canonical_grid("进展情况", style);
        self.workbook(form_file_name(&self.unit.name, self.month), &[grid])
    }

    /// Sub-items written on continuation rows (blank 序号) under tasks listing several projects.
    pub(super) fn continuation(&self) -> Option<(String, Vec<u8>)> {
        let mut grid = self.canonical_grid("进展情况", Style::default());
        let header = grid.header_row.unwrap_or(2);
        let mut out: Vec<Vec<Value>> = grid.rows.drain(..=header).collect();
        let data: Vec<Vec<Value>> = grid.rows.drain(..).collect();
        for ((task, report), mut row) in self.tasks.iter().zip(self.reports).zip(data) {
            let items = sub_items(task);
            if items.len() < 3 || report.done_on.is_some() {
                out.push(row);
                continue;
            }
            let mut subs = Vec::new();
            for (k, item) in items.iter().enumerate().take(4) {
                let mut rng = Rng::new(&format!("sub|{}|{}|{item}", self.month, task.number));
                let text = format!(
                    "（{}）{item}：{}",
                    k + 1,
                    rng.pick_str(&[
                        "已完成主体施工，正在进行机电安装。",
                        "土建工程完成约七成，设备已订货。",
                        "已取得施工许可，正在进行基础施工。",
                        "正在办理用地和规划手续。",
                    ])
                );
                if k == 0 {
                    if let Some(cell) = row.get_mut(3) {
                        *cell = Value::Text(format!("分项推进情况：{text}"));
                    }
                    continue;
                }
                let mut sub = vec![Value::Empty; 10];
                if let Some(cell) = sub.get_mut(3) {
                    *cell = Value::Text(text);
                }
                subs.push(sub);
            }
            out.push(row);
            out.extend(subs);
        }
        grid.rows = out;
        self.workbook(form_file_name(&self.unit.name, self.month), &[grid])
    }

    /// A cover sheet first; the data on the second sheet.
    pub(super) fn second_sheet(&self) -> Option<(String, Vec<u8>)> {
        let full = self
            .unit
            .aliases
            .first()
            .cloned()
            .unwrap_or(self.unit.name.clone());
        let cover = Grid {
            name: "封面".into(),
            rows: vec![
                vec![],
                vec![Value::Title(full.clone())],
                vec![Value::Title("重点工作任务推进情况报告".into())],
                vec![Value::Text(format!("（{}）", self.month.label()))],
                vec![],
                vec![Value::Text(format!(
                    "{}管理委员会　{}",
                    full.trim_end_matches("管理委员会"),
                    duban::model::chinese_date(self.date())
                ))],
            ],
            header_row: None,
            widths: vec![60.0],
        };
        let data = self.canonical_grid("重点任务进展", Style::default());
        let file = format!("{}（{}月）.xlsx", full, self.month.month);
        self.workbook(file, &[cover, data])
    }

    /// An extra row for a task that belongs to another unit (copied from another table).
    pub(super) fn foreign_task(&self) -> Option<(String, Vec<u8>)> {
        let mut grid = self.canonical_grid("进展情况", Style::default());
        let foreign = self
            .master
            .tasks
            .iter()
            .find(|t| t.number == 132 && !t.units.contains(&self.unit.name))?;
        let mut row = vec![Value::Empty; 10];
        let cells = [
            (0, Value::Number(f64::from(foreign.number))),
            (1, Value::Text(foreign.text.clone())),
            (2, Value::Text(foreign.deadline.raw.clone())),
            (
                3,
                Value::Text("配合市住建局做好交通组织保障，互通立交主线已通车。".into()),
            ),
            (4, Value::Number(90.0)),
            (5, Value::Text("序时推进".into())),
        ];
        for (i, v) in cells {
            if let Some(slot) = row.get_mut(i) {
                *slot = v;
            }
        }
        grid.rows.push(row);
        self.workbook(form_file_name(&self.unit.name, self.month), &[grid])
    }

    /// One 完成进度 cell holds a formula whose cached result is #DIV/0!.
    pub(super) fn formula_error(&self) -> Option<(String, Vec<u8>)> {
        let mut grid = self.canonical_grid("进展情况", Style::default());
        let target = self
            .reports
            .iter()
            .position(|r| r.done_on.is_none())
            .unwrap_or(0);
        let row_index = grid.header_row.unwrap_or(2) + 1 + target;
        if let Some(cell) = grid.rows.get_mut(row_index).and_then(|r| r.get_mut(4)) {
            *cell = Value::Error("=K4/0".into(), "#DIV/0!");
        }
        self.workbook(form_file_name(&self.unit.name, self.month), &[grid])
    }
}

/// “开工建设中国移动十万卡集群、中石油数据中心、…等项目” → the listed projects.
pub(super) fn sub_items(task: &Task) -> Vec<String> {
    let (_, verb, _) = analyse(task);
    let body = task.text.get(verb.len()..).unwrap_or(&task.text);
    let body = body.split(['，', '；']).next().unwrap_or(body);
    let body = body.trim_end_matches("项目").trim_end_matches('等');
    body.split('、')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}
