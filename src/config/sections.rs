//! The sections of `duban.toml` that describe the run and its documents ([paths], [office],
//! [thresholds], [limits], [fonts], [output], [seal], [signing]) and their defaults.

use chrono::NaiveDate;
use serde::Deserialize;
use std::path::PathBuf;

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
    pub(super) password: Option<toml::Value>,
}
