pub mod form_xlsx;
pub mod notices;
pub mod row_height;
pub mod xlsx;
