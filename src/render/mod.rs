pub mod pdf;
pub mod xlsx;
pub mod template_xlsx;
pub mod notices;
