pub mod form_xlsx;
pub mod notices;
pub mod row_height;
pub mod xlsx;

/// The number format of a 上月进度 figure from an older month, naming that month beside the
/// number (`0"（9月）"`), so the cell stays a number; used by the 汇总表 and the forms.
pub(crate) fn previous_month_format(month: crate::model::Month) -> String {
    format!("0\"（{}月）\"", month.month)
}
