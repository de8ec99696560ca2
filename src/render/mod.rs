pub mod notices;
pub mod row_height;
pub mod template_xlsx;
pub mod xlsx;
