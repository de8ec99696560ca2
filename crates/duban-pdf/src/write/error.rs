//! Why a document cannot be written.

/// A document that cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WriteError {
    /// The subsetter refused a face the document uses.
    #[error("字体 {face} 无法裁剪嵌入（字体文件可能已损坏），请换用其他字体")]
    Subset {
        /// The face's file name.
        face: String,
    },
    /// A signature field that cannot be written or filled.
    #[error("无法签名：{0}")]
    Signature(String),
    /// The OFD package could not be assembled.
    #[error("无法生成 OFD 文件：{reason}")]
    Package {
        /// What the zip writer said.
        reason: String,
    },
}
