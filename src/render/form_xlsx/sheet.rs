//! The 进展情况 sheet of a form: the header block, one row per task (locked office columns,
//! unlocked unit columns), the dropdown and range rules, page setup.

use super::*;

/// What the sheet writers share.
pub(super) struct SheetContext<'a> {
    pub(super) cols: &'a [Column],
    pub(super) styles: &'a Styles,
    pub(super) month: Month,
    pub(super) cfg: &'a Config,
}

impl SheetContext<'_> {
    /// 0-based index of a column kind (every kind but 上月进度 is always present).
    fn col(&self, kind: Column) -> u16 {
        self.cols.iter().position(|c| *c == kind).unwrap_or(0) as u16
    }
    fn last_col(&self) -> u16 {
        self.cols.len().saturating_sub(1) as u16
    }
}

pub(super) fn write_progress_sheet(
    ws: &mut Worksheet,
    ctx: &SheetContext,
    unit: &Unit,
    tasks: &[&Task],
    previous: Option<&BTreeMap<u32, f64>>,
    filling: &Filling,
) -> Result<(), XlsxError> {
    for (i, col) in ctx.cols.iter().enumerate() {
        ws.set_column_width(i as u16, col.width())?;
    }
    let title = form_title(ctx.cfg, ctx.month);
    ws.merge_range(0, 0, 0, ctx.last_col(), &title, &ctx.styles.title)?;
    ws.set_row_height(0, 36)?;
    write_header_block(ws, ctx, unit, filling)?;
    for (i, col) in ctx.cols.iter().enumerate() {
        ws.write_string_with_format(HEADER_ROW, i as u16, col.label(), &ctx.styles.header)?;
    }
    ws.set_row_height(HEADER_ROW, 32)?;
    for (i, task) in tasks.iter().enumerate() {
        let row = FIRST_TASK_ROW + i as u32;
        let prev = previous.and_then(|p| p.get(&task.number)).copied();
        let prev = prev.map(|p| (p, filling.previous_months.get(&task.number).copied()));
        write_task_row(ws, ctx, row, task, prev, filling.entries.get(&task.number))?;
    }
    if !tasks.is_empty() {
        let last = FIRST_TASK_ROW + tasks.len() as u32 - 1;
        add_validations(ws, ctx, FIRST_TASK_ROW, last)?;
    }
    page_setup(ws, ctx)?;
    ws.set_freeze_panes(FIRST_TASK_ROW, 2)?;
    let mut options = ProtectionOptions::new();
    options.format_rows = true;
    options.format_columns = true;
    options.insert_rows = true;
    ws.protect_with_options(&options);
    Ok(())
}

/// Row 2: 填报单位 (filled) and the three fields the unit fills in.
pub(super) fn write_header_block(
    ws: &mut Worksheet,
    ctx: &SheetContext,
    unit: &Unit,
    filling: &Filling,
) -> Result<(), XlsxError> {
    use Column::*;
    let s = ctx.styles;
    let r = BLOCK_ROW;
    let deadline_col = ctx.col(Deadline);
    ws.merge_range(
        r,
        0,
        r,
        deadline_col - 1,
        &format!("填报单位：{}", unit.name),
        &s.block_value,
    )?;
    ws.write_string_with_format(r, deadline_col, "填报人：", &s.block_label)?;
    ws.write_string_with_format(r, ctx.col(ProgressText), &filling.reporter, &s.block_input)?;
    ws.merge_range(
        r,
        ctx.col(Percent),
        r,
        ctx.col(Status),
        "联系电话：",
        &s.block_label,
    )?;
    ws.merge_range(
        r,
        ctx.col(CompletedOn),
        r,
        ctx.col(Issues),
        &filling.phone,
        &s.block_input,
    )?;
    ws.write_string_with_format(r, ctx.col(NextSteps), "填报日期：", &s.block_label)?;
    let date_col = ctx.col(Remark);
    match filling.reported_on {
        Some(d) => {
            ws.write_datetime_with_format(r, date_col, excel_date(d)?, &s.block_date)?;
        }
        None => {
            ws.write_blank(r, date_col, &s.block_date)?;
        }
    }
    let reported = DataValidation::new()
        .allow_date(DataValidationRule::Between(
            excel_date(ctx.month.first_day())?,
            excel_date(ctx.month.last_day())?,
        ))
        .set_input_title("填报日期")?
        .set_input_message(format!(
            "填写实际填报日期，格式如 {}-25。",
            month_dash(ctx.month)
        ))?
        .set_error_title("填报日期有误")?
        .set_error_message(format!(
            "请填写{}内的日期，格式如 {}-25。",
            ctx.month.label(),
            month_dash(ctx.month)
        ))?
        .set_error_style(DataValidationErrorStyle::Warning);
    ws.add_data_validation(r, date_col, r, date_col, &reported)?;
    ws.set_row_height(r, 24)?;
    Ok(())
}

pub(super) fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
}

pub(super) fn write_task_row(
    ws: &mut Worksheet,
    ctx: &SheetContext,
    row: u32,
    task: &Task,
    previous: Option<(f64, Option<Month>)>,
    entry: Option<&Entry>,
) -> Result<(), XlsxError> {
    let s = ctx.styles;
    let empty = Entry::default();
    let e = entry.unwrap_or(&empty);
    for (i, col) in ctx.cols.iter().enumerate() {
        let c = i as u16;
        match col {
            Column::Number => {
                ws.write_number_with_format(row, c, task.number, &s.locked_centre)?;
            }
            Column::TaskText => {
                ws.write_string_with_format(row, c, &task.text, &s.locked_text)?;
            }
            Column::Deadline => {
                ws.write_string_with_format(row, c, &task.deadline.raw, &s.locked_centre)?;
            }
            Column::Previous => match previous {
                Some((p, None)) => {
                    ws.write_number_with_format(row, c, p, &s.locked_centre)?;
                }
                // an older figure names its month in the number format, the cell stays a number
                Some((p, Some(m))) => {
                    let format = s
                        .locked_centre
                        .clone()
                        .set_num_format(crate::render::previous_month_format(m));
                    ws.write_number_with_format(row, c, p, &format)?;
                }
                None => {
                    ws.write_blank(row, c, &s.locked_centre)?;
                }
            },
            Column::ProgressText => text_cell(ws, row, c, &e.progress_text, &s.input_text)?,
            Column::Percent => match e.percent {
                Some(p) => {
                    ws.write_number_with_format(row, c, p, &s.input_centre)?;
                }
                None => {
                    ws.write_blank(row, c, &s.input_centre)?;
                }
            },
            Column::Status => text_cell(
                ws,
                row,
                c,
                e.status.as_deref().unwrap_or(""),
                &s.input_centre,
            )?,
            Column::CompletedOn => match e.completed_on {
                Some(d) => {
                    ws.write_datetime_with_format(row, c, excel_date(d)?, &s.input_date)?;
                }
                None => {
                    ws.write_blank(row, c, &s.input_date)?;
                }
            },
            Column::Issues => text_cell(ws, row, c, &e.issues, &s.input_text)?,
            Column::NextSteps => text_cell(ws, row, c, &e.next_steps, &s.input_text)?,
            Column::Remark => text_cell(ws, row, c, &e.remark, &s.input_text)?,
        }
    }
    ws.set_row_height(row, task_row_height(ctx.cols, task, e))?;
    Ok(())
}

/// Writes `text`, or a formatted blank when it is empty.
pub(super) fn text_cell(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    text: &str,
    format: &Format,
) -> Result<(), XlsxError> {
    if text.is_empty() {
        ws.write_blank(row, col, format)?;
    } else {
        ws.write_string_with_format(row, col, text, format)?;
    }
    Ok(())
}

/// Row height fitting the longest wrapped text, with room for at least three lines of input.
pub(super) fn task_row_height(cols: &[Column], task: &Task, e: &Entry) -> f64 {
    let lines = cols
        .iter()
        .map(|c| {
            let text = match c {
                Column::TaskText => task.text.as_str(),
                Column::ProgressText => e.progress_text.as_str(),
                Column::Issues => e.issues.as_str(),
                Column::NextSteps => e.next_steps.as_str(),
                Column::Remark => e.remark.as_str(),
                _ => "",
            };
            wrapped_lines(text, c.width())
        })
        .max()
        .unwrap_or(1)
        .max(3);
    row_height(lines, LINE_HEIGHT, 6.0)
}

/// Dropdown on 状态, 0–100 on 完成进度, a date rule on 完成日期.
pub(super) fn add_validations(
    ws: &mut Worksheet,
    ctx: &SheetContext,
    first: u32,
    last: u32,
) -> Result<(), XlsxError> {
    let status_col = ctx.col(Column::Status);
    let status = DataValidation::new()
        .allow_list_strings(&STATUS_CHOICES)?
        .set_input_title("状态")?
        .set_input_message("请从下拉列表中选择：已完成 / 序时推进 / 滞后 / 未启动。")?
        .set_error_title("状态有误")?
        .set_error_message("状态只能是：已完成、序时推进、滞后、未启动，请从下拉列表中选择。")?;
    ws.add_data_validation(first, status_col, last, status_col, &status)?;

    let percent_col = ctx.col(Column::Percent);
    let percent = DataValidation::new()
        .allow_decimal_number(DataValidationRule::Between(0.0, 100.0))
        .set_input_title("完成进度(%)")?
        .set_input_message("填写 0 到 100 之间的数字，不带 % 号，例如 85；已完成填 100。")?
        .set_error_title("完成进度有误")?
        .set_error_message("完成进度须为 0 到 100 之间的数字（不带 % 号），例如 85。")?;
    ws.add_data_validation(first, percent_col, last, percent_col, &percent)?;

    let date_col = ctx.col(Column::CompletedOn);
    let year = ctx.cfg.year;
    let from = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
    let to = NaiveDate::from_ymd_opt(year + 1, 12, 31).unwrap_or_default();
    let date = DataValidation::new()
        .allow_date(DataValidationRule::Between(
            excel_date(from)?,
            excel_date(to)?,
        ))
        .set_input_title("完成日期")?
        .set_input_message(format!(
            "仅在任务已完成时填写实际完成日期，格式如 {}-20；未完成请留空。",
            month_dash(ctx.month)
        ))?
        .set_error_title("完成日期有误")?
        .set_error_message(format!(
            "请填写日期，格式如 {}-20；未完成的任务请留空。",
            month_dash(ctx.month)
        ))?;
    ws.add_data_validation(first, date_col, last, date_col, &date)?;
    Ok(())
}

/// A4 landscape, one page wide, header row repeated, page numbers in the footer.
pub(super) fn page_setup(ws: &mut Worksheet, ctx: &SheetContext) -> Result<(), XlsxError> {
    ws.set_paper_size(9)
        .set_landscape()
        .set_margins(0.4, 0.4, 0.5, 0.6, 0.3, 0.3)
        .set_print_fit_to_pages(1, 0)
        .set_print_center_horizontally(true)
        .set_footer("&C第 &P 页，共 &N 页");
    ws.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
    let _ = ctx;
    Ok(())
}
