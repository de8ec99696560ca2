//! The columns of a progress workbook: one table of header texts and their synonyms, used by
//! intake to find the columns, by `duban templates` to write them, and by the demo generator.

/// A column of a progress workbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Column {
    Number,
    TaskText,
    Deadline,
    ProgressText,
    Percent,
    Status,
    CompletedOn,
    Issues,
    NextSteps,
    Remark,
    /// 上月进度: last month's progress, pre-filled and locked in the form; intake never
    /// reads it (a header naming 上月 is skipped).
    Previous,
}

impl Column {
    /// The canonical header text: the form's, and the first of [`Column::synonyms`].
    pub const fn label(self) -> &'static str {
        match self {
            Column::Previous => "上月进度(%)",
            Column::Number => "序号",
            Column::TaskText => "任务目标",
            Column::Deadline => "完成时限",
            Column::ProgressText => "本月工作进展",
            Column::Percent => "完成进度(%)",
            Column::Status => "状态",
            Column::CompletedOn => "完成日期",
            Column::Issues => "存在问题",
            Column::NextSteps => "下步计划",
            Column::Remark => "备注",
        }
    }

    /// Header texts intake accepts for the column, compared after
    /// [`header_key`](crate::intake::header::header_key) (width folded, spaces and a trailing
    /// “(%)” dropped).
    pub fn synonyms(self) -> &'static [&'static str] {
        match self {
            Column::Previous => &["上月进度"],
            Column::Number => &["序号", "编号", "任务序号", "任务编号", "序列号"],
            Column::TaskText => &[
                "任务目标",
                "任务",
                "重点任务",
                "工作任务",
                "任务内容",
                "目标任务",
                "任务名称",
            ],
            Column::Deadline => &["完成时限", "时限", "完成时间节点", "时间节点"],
            Column::ProgressText => &[
                "本月工作进展",
                "工作进展",
                "进展情况",
                "推进情况",
                "完成情况",
                "本月进展",
                "工作进展情况",
                "本月工作进展情况",
                "工作推进情况",
                "进展",
            ],
            Column::Percent => &[
                "完成进度",
                "进度",
                "完成比例",
                "完成率",
                "完成百分比",
                "进度百分比",
            ],
            Column::Status => &["状态", "推进状态", "完成状态", "进度状态", "任务状态"],
            Column::CompletedOn => &["完成日期", "实际完成日期", "实际完成时间"],
            Column::Issues => &[
                "存在问题",
                "存在的问题",
                "困难和问题",
                "问题",
                "存在困难和问题",
            ],
            Column::NextSteps => &[
                "下步计划",
                "下一步计划",
                "下步工作打算",
                "下一步工作计划",
                "下步工作计划",
            ],
            Column::Remark => &["备注", "说明"],
        }
    }

    /// The columns intake reads, in the form's order.
    pub const READ: [Column; 10] = [
        Column::Number,
        Column::TaskText,
        Column::Deadline,
        Column::ProgressText,
        Column::Percent,
        Column::Status,
        Column::CompletedOn,
        Column::Issues,
        Column::NextSteps,
        Column::Remark,
    ];

    /// `text` as it stands in the synonym table of this column, or `None` when intake would not
    /// accept it as this column's header (for generators that write the variants units use).
    pub fn synonym(self, text: &str) -> Option<&'static str> {
        self.synonyms().iter().copied().find(|s| *s == text)
    }
}

#[cfg(test)]
mod tests {
    use super::Column;
    use crate::intake::header::header_key;

    #[test]
    fn every_label_is_its_own_first_synonym() {
        for c in Column::READ.into_iter().chain([Column::Previous]) {
            assert_eq!(header_key(c.label()), c.synonyms()[0], "{c:?}");
        }
        assert_eq!(Column::Percent.synonym("完成比例"), Some("完成比例"));
        assert_eq!(Column::Percent.synonym("责任科室"), None);
    }
}
