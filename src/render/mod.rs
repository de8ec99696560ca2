pub mod notices;
pub mod pdf;
pub mod template_xlsx;
pub mod xlsx;
