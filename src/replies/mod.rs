//! The middle of the month: the units' replies (`duban collect`), the receipts that answer
//! them, the state of the month (`duban status`) and the reminders to the silent units
//! (`duban remind`). See PRODUCT.md “Replies, receipts and reminders”.
//!
//! Their logs live beside the submissions in `input/submissions/<YYYY-MM>/`, never in the
//! archived month folder; intake skips them ([`LOOP_FILES`]).

pub mod collect;
pub mod imap;
pub mod inbox;
pub mod log;
pub mod receipt;
pub mod remind;
pub mod status;

pub use crate::intake::{COLLECT_LOG, LOOP_FILES, RECEIPT_LOG, REMIND_LOG, STATUS_FILE};

/// The month's master, units and submissions as `duban run` reads them (quietly): what receipts
/// answer and `status` reports on.
fn load_month(
    cfg: &crate::config::Config,
    month: crate::model::Month,
) -> Result<crate::pipeline::Loaded, ReplyError> {
    let opts = crate::pipeline::RunOptions {
        month: Some(month),
        ..crate::pipeline::RunOptions::default()
    };
    Ok(crate::pipeline::load_month(
        cfg,
        &opts,
        &crate::pipeline::Silent,
    )?)
}

/// Why collect, receipts, status or remind cannot go on (exit 2), in Chinese.
#[derive(Debug, thiserror::Error)]
pub enum ReplyError {
    #[error(
        "配置文件中没有 [collect] 设置，无法连接收件邮箱。请在 duban.toml 中加入 [collect] 一节（host、port、security、username，见 README“收取报送”），或用 --from 读取手工保存的 .eml 文件"
    )]
    NoCollectConfig,
    #[error(
        "没有找到收件邮箱的密码：请在运行前设置环境变量 DUBAN_IMAP_PASSWORD（密码不写入任何文件）"
    )]
    NoPassword,
    #[error("{0}")]
    Config(String),
    #[error("无法与收件服务器 {server} 建立安全连接：{detail}。未读取任何邮件")]
    Tls { server: String, detail: String },
    #[error(
        "收件服务器 {server} 拒绝登录。请检查 [collect] username 和环境变量 DUBAN_IMAP_PASSWORD；未读取任何邮件"
    )]
    Auth { server: String },
    #[error("无法连接收件服务器 {server}：{reason}")]
    Connect { server: String, reason: String },
    #[error("收件服务器 {server} 上没有邮件夹“{mailbox}”（{detail}）。请核对 [collect] mailbox")]
    NoMailbox {
        server: String,
        mailbox: String,
        detail: String,
    },
    #[error("无法读取 --from 指定的 {path}：{reason}")]
    From { path: String, reason: String },
    #[error("无法写入 {path}：{source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Load(#[from] crate::LoadError),
    #[error(transparent)]
    Send(#[from] crate::mail::SendError),
    #[error(transparent)]
    Run(#[from] crate::pipeline::RunError),
}
