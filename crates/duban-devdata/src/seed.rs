//! The published task list (tab-separated text, as the city released it) → `master.xlsx`
//! in the office's layout. Used to build the shipped `input/master.xlsx`; an office can use it
//! for next year's list the same way (`cargo run -p duban-devdata --example gen_master`).

use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, XlsxError,
};

/// Builds the master workbook: one sheet row per line of the seed (blank lines kept, so the
/// header rows stay where the published document repeats them after its page breaks).
pub fn master_workbook(seed: &str, year: i32) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(year as u16, 1, 1)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title("重点工作任务分解方案")
            .set_author("呼和浩特市人民政府督查室")
            .set_creation_datetime(&created),
    );
    let title = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let lead = Format::new().set_bold().set_font_size(12);
    let section = Format::new().set_bold().set_font_size(12);
    let header = Format::new()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin)
        .set_background_color(0xD9D9D9);
    let cell = Format::new()
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin);
    let centred = cell.clone().set_align(FormatAlign::Center);

    let ws = wb.add_worksheet().set_name("任务分解")?;
    ws.set_column_width(0, 7)?;
    ws.set_column_width(1, 70)?;
    ws.set_column_width(2, 24)?;
    ws.set_column_width(3, 14)?;
    ws.set_paper_size(9)
        .set_portrait()
        .set_margins(0.6, 0.6, 0.8, 0.8, 0.3, 0.3);
    ws.set_print_fit_to_pages(1, 0);

    let mut first_title = true;
    for (r, line) in seed.lines().enumerate() {
        let r = r as u32;
        let cells: Vec<&str> = line.split('\t').collect();
        let filled: Vec<&str> = cells
            .iter()
            .copied()
            .filter(|c| !c.trim().is_empty())
            .collect();
        match filled.as_slice() {
            [] => continue,
            [only] => {
                let text = only.trim_end();
                if first_title {
                    ws.merge_range(r, 0, r, 3, text, &title)?;
                    ws.set_row_height(r, 30)?;
                    first_title = false;
                } else if text.contains("总负责") {
                    ws.merge_range(r, 0, r, 3, text, &lead)?;
                } else {
                    ws.merge_range(r, 0, r, 3, text, &section)?;
                }
            }
            _ => {
                let is_header = cells.first().is_some_and(|c| c.trim() == "序号");
                for (c, value) in cells.iter().enumerate().take(4) {
                    let c = c as u16;
                    if is_header {
                        ws.write_string_with_format(r, c, *value, &header)?;
                    } else if c == 0 {
                        match value.trim().parse::<u32>() {
                            Ok(n) => ws.write_number_with_format(r, c, n, &centred)?,
                            Err(_) => ws.write_string_with_format(r, c, *value, &centred)?,
                        };
                    } else if c == 1 {
                        ws.write_string_with_format(r, c, *value, &cell)?;
                    } else {
                        ws.write_string_with_format(r, c, *value, &centred)?;
                    }
                }
            }
        }
    }
    wb.save_to_buffer()
}
