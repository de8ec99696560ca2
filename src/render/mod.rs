pub mod notices;
pub mod template_xlsx;
pub mod xlsx;
