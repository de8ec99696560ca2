//! The 填表说明 sheet: how to fill in the form, in the office's words.

use super::*;

/// The 填表说明 sheet: one row per rule.
pub(super) fn write_instructions(
    ws: &mut Worksheet,
    s: &Styles,
    unit: &Unit,
    month: Month,
    cfg: &Config,
    with_previous: bool,
) -> Result<(), XlsxError> {
    ws.set_column_width(0, 16)?;
    ws.set_column_width(1, 96)?;
    ws.merge_range(
        0,
        0,
        0,
        1,
        &format!("填表说明（{}）", month.label()),
        &s.title,
    )?;
    ws.set_row_height(0, 32)?;
    ws.write_string_with_format(1, 0, "项目", &s.header)?;
    ws.write_string_with_format(1, 1, "填写要求", &s.header)?;
    ws.set_row_height(1, 22)?;
    for (i, (item, text)) in instruction_rows(unit, month, cfg, with_previous)
        .iter()
        .enumerate()
    {
        let row = 2 + i as u32;
        ws.write_string_with_format(row, 0, item, &s.note_label)?;
        ws.write_string_with_format(row, 1, text, &s.note_text)?;
        let lines = wrapped_lines(text, 96.0).max(wrapped_lines(item, 16.0));
        ws.set_row_height(row, row_height(lines, LINE_HEIGHT, 8.0))?;
    }
    ws.set_paper_size(9)
        .set_landscape()
        .set_print_fit_to_pages(1, 0)
        .set_print_center_horizontally(true);
    ws.protect();
    Ok(())
}

/// (item, rule) pairs of the 填表说明 sheet.
pub fn instruction_rows(
    unit: &Unit,
    month: Month,
    cfg: &Config,
    with_previous: bool,
) -> Vec<(String, String)> {
    let due = chinese_date(month.last_day());
    let office = &cfg.office;
    let mut rows: Vec<(&str, String)> = vec![
        (
            "填报单位",
            format!("已预填为“{}”，请勿修改。", unit.name),
        ),
        (
            "填报人、联系电话",
            "填写具体经办人姓名及手机或办公电话，便于核实情况。".into(),
        ),
        (
            "填报日期",
            format!("填写实际填报的日期，格式如 {}-25，应在{}内。", month_dash(month), month.label()),
        ),
        (
            "序号、任务目标、完成时限",
            "按市政府重点工作任务分解方案预填（灰色底纹），已锁定，请勿修改、删除或调换顺序。如认为任务内容有误，请在“备注”栏说明。".into(),
        ),
        (
            "本月工作进展",
            "写明截至本月底的具体进展：做了哪些工作、达到什么形象进度或指标值、关键节点是否完成。请勿照抄上月内容。一项任务包含多个子项的，可在该任务行下方插入行，“序号”留空，逐项续写。".into(),
        ),
        (
            "完成进度(%)",
            "填写 0 到 100 之间的数字，不带 % 号，表示任务整体完成的比例，例如 85；已完成的任务填 100。".into(),
        ),
        (
            "状态",
            "从下拉列表中选择：已完成 / 序时推进 / 滞后 / 未启动。序时推进：进度与时间进度基本同步；滞后：明显落后于时间进度或难以按期完成；未启动：尚未开始实施。".into(),
        ),
        (
            "完成日期",
            format!(
                "仅在任务已完成时填写实际完成日期，格式如 {}-20；未完成的任务请留空。以前月份已完成的任务已预填完成进度 100、状态“已完成”和完成日期，无新情况的不必改动。",
                month_dash(month)
            ),
        ),
        (
            "存在问题",
            "进度滞后或未启动的任务，须写明原因及需要协调解决的问题；没有问题的可留空或填“无”。".into(),
        ),
        (
            "下步计划",
            "写明下一步工作安排、关键节点和预计完成时间。".into(),
        ),
        ("备注", "其他需要说明的情况。".into()),
        (
            "报送要求",
            "每个单位报送一个文件，只填报本单位牵头的任务；多个单位共同牵头的任务，各单位分别填报本单位进展。如需更正已报送的内容，请重新报送完整文件并更新填报日期，以填报日期较晚的为准。".into(),
        ),
        (
            "文件命名",
            format!(
                "请保持文件名“{}”不变，文件格式保持 .xlsx（Excel 或 WPS 均可）。",
                form_file_name(&unit.name, month)
            ),
        ),
        (
            "报送时限",
            format!(
                "请于{due}前报送{}（邮箱 {}）。联系人：{}，电话：{}。",
                office.name, office.email, office.contact_person, office.contact_phone
            ),
        ),
        (
            "工作表保护",
            "为防止误改预填内容，“进展情况”工作表已设保护（未设密码），白色单元格可直接填写；如确需调整格式，可通过“审阅 → 撤销工作表保护”解除，但请勿改动灰色列。".into(),
        ),
    ];
    if with_previous {
        rows.insert(
            4,
            (
                "上月进度(%)",
                "本单位最近一次报送的完成进度，仅供对照，不可修改；不是上月报送的，数字后注明月份，如“83（10月）”。".into(),
            ),
        );
    }
    rows.into_iter().map(|(a, b)| (a.to_string(), b)).collect()
}

pub(super) fn month_dash(month: Month) -> String {
    format!("{}-{:02}", month.year, month.month)
}
