//! `[mail]` and `[collect]`: the office's mail servers for `duban send` and `duban collect`,
//! their defaults and their checks.

use serde::Deserialize;
use std::path::PathBuf;

use super::InvalidSetting;

/// How `duban send` reaches the mail server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain connection upgraded with STARTTLS (port 587); the upgrade is required.
    Starttls,
    /// TLS from the first byte (implicit TLS, port 465).
    Tls,
    /// No encryption, for a relay on the same machine or network.
    None,
}

/// `[mail]`: the office's SMTP server for `duban send`. The password is never in this file:
/// it comes from the environment variable `DUBAN_SMTP_PASSWORD`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mail {
    pub host: String,
    /// Default 587 for `starttls`, 465 for `tls`, 25 for `none`.
    pub port: Option<u16>,
    #[serde(default = "Mail::default_security")]
    pub security: Security,
    /// Login name; without it duban does not authenticate.
    pub username: Option<String>,
    /// Envelope sender; default `[office].email`.
    pub from: Option<String>,
    /// Messages per minute at most; 0 means no limit.
    #[serde(default = "Mail::default_per_minute")]
    pub per_minute: u32,
    /// Seconds to wait for the server before a try counts as failed.
    #[serde(default = "Mail::default_timeout_s")]
    pub timeout_s: u64,
    /// Further tries after a temporary failure (4xx, dropped connection, timeout).
    #[serde(default = "Mail::default_retries")]
    pub retries: u32,
    /// PEM file of an extra certificate authority to trust (an office's internal CA); relative
    /// to the config file's folder. The server's certificate is always verified.
    pub ca_file: Option<PathBuf>,
    /// Refused with a message: passwords do not belong in a file.
    #[serde(default)]
    password: Option<toml::Value>,
}

impl Mail {
    fn default_security() -> Security {
        Security::Starttls
    }
    fn default_per_minute() -> u32 {
        30
    }
    fn default_timeout_s() -> u64 {
        30
    }
    fn default_retries() -> u32 {
        3
    }

    /// The configured port, or the usual one for the security mode.
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.security {
            Security::Starttls => 587,
            Security::Tls => 465,
            Security::None => 25,
        })
    }

    /// A `[mail]` for `host:port` with the defaults (tests, benchmarks).
    pub fn new(host: &str, port: u16, security: Security) -> Mail {
        Mail {
            host: host.to_string(),
            port: Some(port),
            security,
            username: None,
            from: None,
            per_minute: Mail::default_per_minute(),
            timeout_s: Mail::default_timeout_s(),
            retries: Mail::default_retries(),
            ca_file: None,
            password: None,
        }
    }

    pub(super) fn validate(&self) -> Result<(), InvalidSetting> {
        if self.password.is_some() {
            return Err(InvalidSetting(
                "[mail] 中不能写密码（password）：配置文件会被复制和归档。请删除该行，改为在运行前设置环境变量 DUBAN_SMTP_PASSWORD".into(),
            ));
        }
        if self.host.trim().is_empty() {
            return Err(InvalidSetting(
                "键 mail.host（邮件服务器地址）不能为空".into(),
            ));
        }
        if self.port == Some(0) {
            return Err(InvalidSetting("键 mail.port 不能为 0".into()));
        }
        if self.timeout_s == 0 {
            return Err(InvalidSetting("键 mail.timeout_s 至少为 1 秒".into()));
        }
        if self
            .username
            .as_deref()
            .is_some_and(|u| u.trim().is_empty())
        {
            return Err(InvalidSetting(
                "键 mail.username 为空；不需要登录时请删除该行".into(),
            ));
        }
        Ok(())
    }
}

/// `[collect]`: the office mailbox `duban collect` reads the units' replies from (IMAP,
/// read-only). The password is never in this file: it comes from `DUBAN_IMAP_PASSWORD`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Collect {
    pub host: String,
    /// Default 993 for `tls`, 143 for `starttls`.
    pub port: Option<u16>,
    /// `tls` (993) or `starttls` (143); `none` is refused: a password never travels in clear.
    #[serde(default = "Collect::default_security")]
    pub security: Security,
    /// Login name of the mailbox.
    pub username: String,
    /// The folder the replies arrive in.
    #[serde(default = "Collect::default_mailbox")]
    pub mailbox: String,
    /// PEM file of the office's CA, or of the server's own self-signed certificate; relative
    /// to the config file's folder.
    pub ca_file: Option<PathBuf>,
    /// Seconds to wait for the server.
    #[serde(default = "Mail::default_timeout_s")]
    pub timeout_s: u64,
    /// Refused with a message: passwords do not belong in a file.
    #[serde(default)]
    password: Option<toml::Value>,
}

impl Collect {
    fn default_security() -> Security {
        Security::Tls
    }
    fn default_mailbox() -> String {
        "INBOX".into()
    }

    /// The configured port, or the usual one for the security mode.
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.security {
            Security::Starttls => 143,
            Security::Tls | Security::None => 993,
        })
    }

    /// A `[collect]` for `host:port` with the defaults (tests, benchmarks).
    pub fn new(host: &str, port: u16, security: Security, username: &str) -> Collect {
        Collect {
            host: host.to_string(),
            port: Some(port),
            security,
            username: username.to_string(),
            mailbox: Collect::default_mailbox(),
            ca_file: None,
            timeout_s: Mail::default_timeout_s(),
            password: None,
        }
    }

    pub(super) fn validate(&self) -> Result<(), InvalidSetting> {
        if self.password.is_some() {
            return Err(InvalidSetting(
                "[collect] 中不能写密码（password）：配置文件会被复制和归档。请删除该行，改为在运行前设置环境变量 DUBAN_IMAP_PASSWORD".into(),
            ));
        }
        if self.host.trim().is_empty() {
            return Err(InvalidSetting(
                "键 collect.host（收件服务器地址）不能为空".into(),
            ));
        }
        if self.username.trim().is_empty() {
            return Err(InvalidSetting(
                "键 collect.username（邮箱登录名）不能为空".into(),
            ));
        }
        if self.security == Security::None {
            return Err(InvalidSetting(
                "键 collect.security 只能是 \"tls\"（端口 993）或 \"starttls\"（端口 143）：邮箱密码不能明文传送".into(),
            ));
        }
        if self.port == Some(0) {
            return Err(InvalidSetting("键 collect.port 不能为 0".into()));
        }
        if self.timeout_s == 0 {
            return Err(InvalidSetting("键 collect.timeout_s 至少为 1 秒".into()));
        }
        if self.mailbox.trim().is_empty() {
            return Err(InvalidSetting(
                "键 collect.mailbox 为空；不设时默认为 INBOX".into(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use std::path::Path;

    #[test]
    fn mail_section_defaults_and_refuses_a_password() {
        let cfg = Config::from_toml(
            "[mail]\nhost = \"mail.example.org\"\nsecurity = \"tls\"\nca_file = \"ca.pem\"\n",
            "duban.toml",
            Path::new("/etc/duban"),
        )
        .expect("valid");
        let mail = cfg.mail.expect("mail section");
        assert_eq!(mail.port(), 465);
        assert_eq!(mail.per_minute, 30);
        assert_eq!(mail.retries, 3);
        assert_eq!(mail.ca_file, Some(PathBuf::from("/etc/duban/ca.pem")));
        let err = Config::from_toml(
            "[mail]\nhost = \"mail.example.org\"\npassword = \"secret123\"\n",
            "duban.toml",
            Path::new("."),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("DUBAN_SMTP_PASSWORD"), "{err}");
        assert!(!err.contains("secret123"), "{err}");
        let err = Config::from_toml(
            "[mail]\nhost = \"h\"\nsecurity = \"ssl\"\n",
            "duban.toml",
            Path::new("."),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("“ssl”") && err.contains("starttls、tls、none"),
            "{err}"
        );
    }

    #[test]
    fn collect_section_defaults_and_refuses_a_password_or_plain_text() {
        let cfg = Config::from_toml(
            "[collect]\nhost = \"imap.example.org\"\nusername = \"duchashi\"\nca_file = \"self.pem\"\n",
            "duban.toml",
            Path::new("/etc/duban"),
        )
        .expect("valid");
        let collect = cfg.collect.expect("collect section");
        assert_eq!(collect.security, Security::Tls);
        assert_eq!(collect.port(), 993);
        assert_eq!(collect.mailbox, "INBOX");
        assert_eq!(collect.ca_file, Some(PathBuf::from("/etc/duban/self.pem")));
        let refused = |extra: &str| {
            Config::from_toml(
                &format!("[collect]\nhost = \"h\"\nusername = \"u\"\n{extra}\n"),
                "duban.toml",
                Path::new("."),
            )
            .unwrap_err()
            .to_string()
        };
        let err = refused("password = \"secret123\"");
        assert!(
            err.contains("DUBAN_IMAP_PASSWORD") && !err.contains("secret123"),
            "{err}"
        );
        let err = refused("security = \"none\"");
        assert!(err.contains("明文"), "{err}");
        let starttls = Config::from_toml(
            "[collect]\nhost = \"h\"\nusername = \"u\"\nsecurity = \"starttls\"\n",
            "duban.toml",
            Path::new("."),
        )
        .expect("valid");
        assert_eq!(starttls.collect.expect("collect").port(), 143);
    }
}
