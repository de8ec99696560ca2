//! `duban.toml`: paths, the issuing office, thresholds, main-target assignment, limits and fonts.
//!
//! Every key has a default so a minimal file works; unknown keys are refused with their name,
//! because a misspelt threshold silently ignored is worse than an error.

use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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
pub struct InvalidSetting(String);

/// Paths, relative to the config file's folder in the file; absolute after [`Config::load`].
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Paths {
    pub master: PathBuf,
    pub units: PathBuf,
    pub submissions: PathBuf,
    pub output: PathBuf,
    pub templates: PathBuf,
    pub fonts: PathBuf,
}

impl Default for Paths {
    fn default() -> Self {
        Paths {
            master: "input/master.xlsx".into(),
            units: "input/units.toml".into(),
            submissions: "input/submissions".into(),
            output: "output".into(),
            templates: "templates".into(),
            fonts: "fonts".into(),
        }
    }
}

/// The issuing office and its document numbers.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Office {
    /// 呼和浩特市人民政府督查室
    pub name: String,
    /// Document-number prefix, `呼督` → `呼督〔2026〕17号`.
    pub number_prefix: String,
    /// First document number of a run.
    pub number_start: u32,
    /// Days after the as-of date that documents are dated (issue date).
    pub issue_after_days: u32,
    /// Days after the issue date that feedback is due.
    pub feedback_days: u32,
    /// Contact line printed on notices.
    pub contact_person: String,
    pub contact_phone: String,
    /// Sender address of the emails.
    pub email: String,
}

impl Default for Office {
    fn default() -> Self {
        Office {
            name: "呼和浩特市人民政府督查室".into(),
            number_prefix: "呼督".into(),
            number_start: 1,
            issue_after_days: 2,
            feedback_days: 8,
            contact_person: "王敏".into(),
            contact_phone: "0471-4600000".into(),
            email: "duchashi@example.org".into(),
        }
    }
}

/// Status-engine thresholds (the rules are stated in `classify`'s module doc).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    /// Start of the plan for 序时进度; default 1 January of the year.
    pub plan_start: Option<NaiveDate>,
    /// Points behind 序时进度 that count as 滞后 (and yellow).
    pub lag_tolerance: f64,
    /// Points behind 序时进度 beyond which the light is red.
    pub red_behind: f64,
    /// 临期: unfinished tasks due on or before the end of the month this many months after the
    /// as-of month (1 = end of next month).
    pub due_soon_months: u32,
    /// Months running unreported that turn the light red.
    pub not_reported_red_months: u32,
    /// Rows with progress at or above this count as 已完成 when the status is blank.
    pub done_percent: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            plan_start: None,
            lag_tolerance: 10.0,
            red_behind: 30.0,
            due_soon_months: 1,
            not_reported_red_months: 2,
            done_percent: 100.0,
        }
    }
}

/// Resource limits for reading submitted files.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    pub max_file_bytes: u64,
    pub max_inflated_bytes: u64,
    pub max_rows_per_sheet: u32,
    pub max_cells: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 20 * 1024 * 1024,
            max_inflated_bytes: 200 * 1024 * 1024,
            max_rows_per_sheet: 20_000,
            max_cells: 2_000_000,
        }
    }
}

/// One font file and face for a typographic role.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FontSpec {
    /// Path relative to `[paths] fonts` (or absolute).
    pub file: PathBuf,
    /// Face index inside a .ttc collection.
    #[serde(default)]
    pub face: u32,
}

/// Fonts per role; see `fonts/README.md`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Fonts {
    /// Bold Song for titles (stand-in for 方正小标宋).
    pub title: FontSpec,
    /// Song / FangSong for body text and tables.
    pub body: FontSpec,
    /// Hei for headings and table headers.
    pub heading: FontSpec,
}

impl Default for Fonts {
    fn default() -> Self {
        Fonts {
            title: FontSpec {
                file: "NotoSerifSC-Bold.ttf".into(),
                face: 0,
            },
            body: FontSpec {
                file: "NotoSerifSC-Regular.ttf".into(),
                face: 0,
            },
            heading: FontSpec {
                file: "NotoSansSC-Bold.ttf".into(),
                face: 0,
            },
        }
    }
}

/// `[output]`: which documents are written besides the PDFs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Output {
    /// An OFD twin (GB/T 33190) beside every notice PDF.
    pub ofd: bool,
}

impl Default for Output {
    fn default() -> Self {
        Output { ofd: true }
    }
}

/// `[seal]`: the office's seal, placed over the sign-off of every notice (GB/T 9704-2012
/// §7.3.5) and the year report.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealConfig {
    /// A PNG with a transparent background; relative to the config file's folder.
    pub image: PathBuf,
    /// The seal's diameter on paper, in millimetres (default 42).
    #[serde(default = "SealConfig::default_size_mm")]
    pub size_mm: f32,
}

impl SealConfig {
    fn default_size_mm() -> f32 {
        42.0
    }
}

/// `[signing]`: the certificate every notice PDF is signed with. Its password is never in this
/// file: it comes from the environment variable `DUBAN_SIGN_PASSWORD`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigningConfig {
    /// A PKCS#12 file (.p12/.pfx) with the private key and the certificate chain.
    pub certificate: PathBuf,
    /// A PEM file of the CA certificate(s) `duban verify` checks signers against.
    pub trust: Option<PathBuf>,
    /// Refused with a message: passwords do not belong in a file.
    #[serde(default)]
    password: Option<toml::Value>,
}

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

    fn validate(&self) -> Result<(), InvalidSetting> {
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

    fn validate(&self) -> Result<(), InvalidSetting> {
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

/// The whole configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// The plan year (deadlines “6月底” are in this year).
    pub year: i32,
    pub paths: Paths,
    pub office: Office,
    pub thresholds: Thresholds,
    /// Main-target number → deputy leader name, for targets the lead unit cannot place.
    pub main_targets: BTreeMap<String, String>,
    pub limits: Limits,
    pub fonts: Fonts,
    pub output: Output,
    /// The mail server for `duban send`; absent until the office configures it.
    pub mail: Option<Mail>,
    /// The office mailbox for `duban collect`; absent until the office configures it.
    pub collect: Option<Collect>,
    /// The seal over the sign-off; absent: notices carry no seal.
    pub seal: Option<SealConfig>,
    /// The signing certificate; absent: notices are not signed.
    pub signing: Option<SigningConfig>,
    /// Folder the config file lives in; paths are resolved against it.
    #[serde(skip)]
    pub base_dir: PathBuf,
}

impl Default for Config {
    fn default() -> Self {
        let mut main_targets = BTreeMap::new();
        main_targets.insert("5".to_string(), "刘继英".to_string());
        main_targets.insert("9".to_string(), "塔拉".to_string());
        Config {
            year: 2026,
            paths: Paths::default(),
            office: Office::default(),
            thresholds: Thresholds::default(),
            main_targets,
            limits: Limits::default(),
            fonts: Fonts::default(),
            output: Output::default(),
            mail: None,
            collect: None,
            seal: None,
            signing: None,
            base_dir: PathBuf::from("."),
        }
    }
}

impl Config {
    /// Reads and checks a config file; paths become absolute against its folder.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let base = path
            .parent()
            .map(|p| {
                if p.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    p.to_path_buf()
                }
            })
            .unwrap_or_else(|| PathBuf::from("."));
        Config::from_toml(&text, &path.display().to_string(), &base)
    }

    /// Parses config text; `origin` names the file in messages, `base` resolves relative paths.
    pub fn from_toml(text: &str, origin: &str, base: &Path) -> Result<Config, ConfigError> {
        let mut cfg: Config = toml::from_str(text).map_err(|source| ConfigError::Parse {
            path: origin.to_string(),
            message: translate_toml_error(&source),
            source: Box::new(source),
        })?;
        cfg.base_dir = base.to_path_buf();
        cfg.validate().map_err(|source| ConfigError::Invalid {
            path: origin.to_string(),
            source,
        })?;
        for ca in [
            cfg.mail.as_mut().and_then(|m| m.ca_file.as_mut()),
            cfg.collect.as_mut().and_then(|c| c.ca_file.as_mut()),
        ]
        .into_iter()
        .flatten()
        {
            if ca.is_relative() {
                *ca = base.join(&*ca);
            }
        }
        let seal = cfg.seal.as_mut().map(|s| &mut s.image);
        let signing = cfg
            .signing
            .as_mut()
            .map(|s| (&mut s.certificate, s.trust.as_mut()));
        let (certificate, trust) = match signing {
            Some((c, t)) => (Some(c), t),
            None => (None, None),
        };
        for path in [seal, certificate, trust].into_iter().flatten() {
            if path.is_relative() {
                *path = base.join(&*path);
            }
        }
        let p = &mut cfg.paths;
        for path in [
            &mut p.master,
            &mut p.units,
            &mut p.submissions,
            &mut p.output,
            &mut p.templates,
            &mut p.fonts,
        ] {
            if path.is_relative() {
                *path = base.join(&*path);
            }
        }
        Ok(cfg)
    }

    fn validate(&self) -> Result<(), InvalidSetting> {
        if !(2000..=2100).contains(&self.year) {
            return Err(InvalidSetting(format!(
                "键 year 的值 {} 不是合理的年份（应在 2000–2100 之间）",
                self.year
            )));
        }
        let t = &self.thresholds;
        for (key, v) in [
            ("thresholds.lag_tolerance", t.lag_tolerance),
            ("thresholds.red_behind", t.red_behind),
            ("thresholds.done_percent", t.done_percent),
        ] {
            if !(0.0..=100.0).contains(&v) {
                return Err(InvalidSetting(format!("键 {key} 的值 {v} 应在 0–100 之间")));
            }
        }
        if t.red_behind < t.lag_tolerance {
            return Err(InvalidSetting(format!(
                "键 thresholds.red_behind（{}）不能小于 thresholds.lag_tolerance（{}）",
                t.red_behind, t.lag_tolerance
            )));
        }
        if t.not_reported_red_months == 0 {
            return Err(InvalidSetting(
                "键 thresholds.not_reported_red_months 至少为 1".into(),
            ));
        }
        for (k, v) in &self.main_targets {
            if k.parse::<u32>().is_err() {
                return Err(InvalidSetting(format!(
                    "键 main_targets 中的“{k}”应为主要预期目标的序号（数字）"
                )));
            }
            if v.trim().is_empty() {
                return Err(InvalidSetting(format!(
                    "键 main_targets.{k} 的领导姓名为空"
                )));
            }
        }
        if self.office.number_prefix.trim().is_empty() {
            return Err(InvalidSetting(
                "键 office.number_prefix（文号前缀）不能为空".into(),
            ));
        }
        if let Some(mail) = &self.mail {
            mail.validate()?;
        }
        if let Some(collect) = &self.collect {
            collect.validate()?;
        }
        if let Some(seal) = &self.seal
            && !(10.0..=80.0).contains(&seal.size_mm)
        {
            return Err(InvalidSetting(format!(
                "键 seal.size_mm 的值 {} 应在 10–80（毫米）之间",
                seal.size_mm
            )));
        }
        if self.signing.as_ref().is_some_and(|s| s.password.is_some()) {
            return Err(InvalidSetting(
                "键 signing.password 不能写在配置文件中：请在运行前设置环境变量 DUBAN_SIGN_PASSWORD".into(),
            ));
        }
        let l = &self.limits;
        if l.max_file_bytes == 0 || l.max_inflated_bytes == 0 || l.max_rows_per_sheet == 0 {
            return Err(InvalidSetting("键 limits.* 的值必须大于 0".into()));
        }
        Ok(())
    }

    /// 1 January of the year unless configured.
    pub fn plan_start(&self) -> NaiveDate {
        self.thresholds
            .plan_start
            .or_else(|| NaiveDate::from_ymd_opt(self.year, 1, 1))
            .unwrap_or_default()
    }

    /// Main-target assignments as (task number, leader).
    pub fn main_target_assignments(&self) -> Vec<(u32, String)> {
        self.main_targets
            .iter()
            .filter_map(|(k, v)| k.parse().ok().map(|n| (n, v.clone())))
            .collect()
    }

    /// Resolves a font file against the fonts folder.
    pub fn font_path(&self, spec: &FontSpec) -> PathBuf {
        if spec.file.is_absolute() {
            spec.file.clone()
        } else {
            self.paths.fonts.join(&spec.file)
        }
    }
}

/// Turns toml/serde's English message into a Chinese one that still names the key.
fn translate_toml_error(e: &toml::de::Error) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_relative_paths() {
        let cfg = Config::from_toml("year = 2026\n", "t.toml", Path::new("/x")).unwrap();
        assert_eq!(cfg.paths.master, PathBuf::from("/x/input/master.xlsx"));
        assert_eq!(
            cfg.plan_start(),
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
        );
        assert_eq!(
            cfg.main_target_assignments(),
            vec![(5, "刘继英".to_string()), (9, "塔拉".to_string())]
        );
    }

    #[test]
    fn unknown_key_is_named() {
        let err = Config::from_toml(
            "[thresholds]\nlag_tolerence = 5\n",
            "duban.toml",
            Path::new("."),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("lag_tolerence"), "{err}");
        assert!(err.contains("duban.toml"), "{err}");
    }

    #[test]
    fn bad_value_is_named() {
        let err = Config::from_toml(
            "[thresholds]\nred_behind = 130\n",
            "duban.toml",
            Path::new("."),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("thresholds.red_behind"), "{err}");
        let err = Config::from_toml("year = \"二〇二六\"\n", "duban.toml", Path::new("."))
            .unwrap_err()
            .to_string();
        assert!(err.contains("类型"), "{err}");
    }

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
