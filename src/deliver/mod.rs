//! Deliver: the month's files made safe to archive and to send.
//!
//! - [`write_month`] writes every output file into a temporary folder beside `output/<month>/`,
//!   syncs it to disk and renames it into place only when everything succeeded, so an
//!   interrupted run never leaves a half-written month;
//! - [`unit_email`] builds one RFC 5322 message per unit (the unit's PDF attached), and
//!   [`manifest_csv`] the `清单.csv` listing every unit, with or without an address;
//! - [`form_email`] builds the message carrying a unit's blank progress workbook, and
//!   [`form_manifest_csv`] the forms folder's `清单.csv`;
//! - [`run_json`] writes the archive's reproducible checksum manifest
//!   ([`crate::archive::RunManifest`]), [`timings_json`] the run's (non-reproducible) stage
//!   timings.
//!
//! Every path written is built from [`crate::names::safe_file_stem`]-clean components, so a hostile unit name
//! cannot leave the output folder.

mod csv_log;
mod email;
mod form_email;
mod manifest;
mod publish;

pub use csv_log::CsvLog;
pub(crate) use email::OfficeMessage;
pub use email::{
    AttentionTask, EMAIL_BODY_TEMPLATE, EMAIL_SUBJECT_TEMPLATE, EmailContext, OfficeContext,
    UnitContext, email_context, manifest_row, unit_email,
};
pub(crate) use form_email::XLSX_TYPE;
pub use form_email::{
    FORM_BODY_TEMPLATE, FORM_SUBJECT_TEMPLATE, FormEmail, FormEmailContext, FormFile,
    FormManifestRow, form_email, form_manifest_csv,
};
pub use manifest::{ManifestRow, manifest_csv, run_json, run_json_of, timings_json};
pub(crate) use publish::io_err;
pub use publish::{Staging, validate_rel_path, write_month};

use std::path::PathBuf;

/// A file of the month's output, path relative to `output/<month>/`
/// (e.g. `督办单/单位/市科技局.pdf`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub rel_path: PathBuf,
    pub bytes: Vec<u8>,
}

impl OutputFile {
    /// Convenience constructor.
    pub fn new(rel_path: impl Into<PathBuf>, bytes: Vec<u8>) -> OutputFile {
        OutputFile {
            rel_path: rel_path.into(),
            bytes,
        }
    }

    /// The relative path with `/` separators on every platform (as run.json records it).
    pub fn rel_path_string(&self) -> String {
        crate::archive::slash_path(&self.rel_path)
    }
}

/// Delivering the month's output failed.
#[derive(Debug, thiserror::Error)]
pub enum DeliverError {
    #[error(
        "{month} 的输出已存在：{path}。如需重新生成，请加 --force（旧结果会保留为 {month}.previous-{next}）"
    )]
    MonthExists {
        month: String,
        path: String,
        /// The number the old folder would be kept under.
        next: u32,
    },
    #[error("输出文件路径“{path}”不安全：{reason}。为防止写到输出文件夹之外，已拒绝写入")]
    UnsafePath { path: String, reason: String },
    #[error("输出文件“{path}”重复出现了两次（可能是两个单位或领导的名称清理后相同），请检查名称")]
    DuplicatePath { path: String },
    #[error("写入 {path} 失败：{source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("单位“{unit}”的邮箱地址“{address}”格式不正确，请在 units.toml 中更正")]
    BadAddress { unit: String, address: String },
    #[error("发件邮箱“{address}”（duban.toml 的 office.email）格式不正确")]
    BadSender { address: String },
    #[error("生成单位“{unit}”的邮件失败：模板 {template} 生成的主题为空")]
    EmptySubject { unit: String, template: String },
    #[error("生成单位“{unit}”的邮件失败：附件类型无效（{source}）")]
    AttachmentType {
        unit: String,
        #[source]
        source: lettre::message::header::ContentTypeErr,
    },
    #[error("生成单位“{unit}”的邮件失败：{source}")]
    Email {
        unit: String,
        #[source]
        source: lettre::error::Error,
    },
    #[error(transparent)]
    Template(#[from] crate::templates::TemplateError),
}
