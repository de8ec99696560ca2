//! Writing the grids of a demo submission as an .xlsx workbook (rust_xlsxwriter): cell formats,
//! merged title rows, column widths and row heights from the shared estimate.

use super::*;

/// Writes free-form sheets with plain bordered formats (what a hand-made workbook looks like).
pub(super) fn write_grids(
    grids: &[Grid],
    month: Month,
    cfg: &Config,
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let first = month.first_day();
    let created = ExcelDateTime::from_ymd(first.year() as u16, first.month() as u8, 2)?;
    wb.set_properties(
        &DocProperties::new()
            .set_author(&cfg.office.name)
            .set_creation_datetime(&created),
    );
    let base = Format::new().set_font_name("宋体").set_font_size(11);
    let title = base.clone().set_bold().set_font_size(14);
    let header = base
        .clone()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let cell = base
        .clone()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter);
    let percent = cell.clone().set_num_format("0%");
    let date = cell.clone().set_num_format("yyyy-mm-dd");
    let plain_date = base.clone().set_num_format("yyyy-mm-dd");
    for grid in grids {
        let ws = wb.add_worksheet().set_name(&grid.name)?;
        for (c, w) in grid.widths.iter().enumerate() {
            ws.set_column_width(c as u16, *w)?;
        }
        for (r, row) in grid.rows.iter().enumerate() {
            let r32 = r as u32;
            let in_table = grid.header_row.is_some_and(|h| r >= h);
            let is_header = grid.header_row == Some(r);
            let plain = if is_header {
                &header
            } else if in_table {
                &cell
            } else {
                &base
            };
            for (c, v) in row.iter().enumerate() {
                let c16 = c as u16;
                match v {
                    Value::Empty if in_table => {
                        ws.write_blank(r32, c16, plain)?;
                    }
                    Value::Empty => {}
                    Value::Title(t) => {
                        ws.write_string_with_format(r32, c16, t, &title)?;
                    }
                    Value::Text(t) => {
                        ws.write_string_with_format(r32, c16, t, plain)?;
                    }
                    Value::Number(n) => {
                        ws.write_number_with_format(r32, c16, *n, plain)?;
                    }
                    Value::Percent(f) => {
                        ws.write_number_with_format(r32, c16, *f, &percent)?;
                    }
                    Value::Date(d) => {
                        let dt = ExcelDateTime::from_ymd(
                            d.year() as u16,
                            d.month() as u8,
                            d.day() as u8,
                        )?;
                        ws.write_datetime_with_format(
                            r32,
                            c16,
                            dt,
                            if in_table { &date } else { &plain_date },
                        )?;
                    }
                    Value::Error(f, result) => {
                        ws.write_formula_with_format(
                            r32,
                            c16,
                            Formula::new(f).set_result(*result),
                            plain,
                        )?;
                    }
                }
            }
            if in_table && !is_header {
                ws.set_row_height(r32, grid_row_height(row, &grid.widths))?;
            }
        }
        ws.set_paper_size(9)
            .set_landscape()
            .set_print_fit_to_pages(1, 0);
    }
    wb.save_to_buffer()
}

pub(super) fn grid_row_height(row: &[Value], widths: &[f64]) -> f64 {
    let lines = row
        .iter()
        .zip(widths)
        .map(|(v, w)| match v {
            Value::Text(t) => wrapped_lines(t, *w),
            _ => 1,
        })
        .max()
        .unwrap_or(1)
        .max(2);
    row_height(lines, duban::render::form_xlsx::LINE_HEIGHT, 6.0)
}
