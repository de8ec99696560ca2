//! What goes wrong reading `duban.toml`, told in Chinese: the error types and the translation
//! of the parser's English.

/// Why a file could not be read, in words the office understands (the system's own text,
/// English, is not shown).
pub(crate) fn io_reason(e: &std::io::Error) -> &'static str {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => "文件不存在，请检查路径（--config）",
        K::PermissionDenied => "没有读取权限",
        K::IsADirectory => "这是一个文件夹，不是文件",
        K::InvalidData => "文件不是 UTF-8 编码的文本，请用记事本等另存为 UTF-8",
        _ => "读取失败（文件可能被占用或已损坏）",
    }
}

/// A configuration error, with a Chinese message naming the file and key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("无法读取配置文件 {path}：{}", io_reason(source))]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("配置文件 {path} 有误：{message}")]
    Parse {
        path: String,
        /// The parser's complaint, in Chinese.
        message: String,
        #[source]
        source: Box<toml::de::Error>,
    },
    #[error("配置文件 {path} 有误：{source}")]
    Invalid {
        path: String,
        #[source]
        source: InvalidSetting,
    },
}

/// A setting that parses but cannot be used; the message names the key and says why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidSetting(pub(super) String);

/// Turns toml/serde's English message into a Chinese one that still names the key.
pub(super) fn translate_toml_error(e: &toml::de::Error) -> String {
    let msg = e.message().to_string();
    let at = e
        .span()
        .map(|s| format!("（位置：第 {} 个字符附近）", s.start))
        .unwrap_or_default();
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        let key = rest.split('`').next().unwrap_or(rest);
        return format!("未知的键“{key}”{at}；请检查拼写，可用的键见 README");
    }
    if let Some(rest) = msg.strip_prefix("unknown variant `") {
        let value = rest.split('`').next().unwrap_or(rest);
        let choices: Vec<&str> = rest
            .split_once("expected")
            .map(|(_, tail)| tail.split('`').skip(1).step_by(2).collect())
            .unwrap_or_default();
        return format!("值“{value}”不是可选的值{at}；可选：{}", choices.join("、"));
    }
    if msg.starts_with("invalid type") || msg.starts_with("invalid value") {
        return format!("值的类型不对{at}：{msg}");
    }
    format!("{msg}{at}")
}
