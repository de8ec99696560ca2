//! `duban.toml`: paths, the issuing office, thresholds, main-target assignment, limits and fonts.
//!
//! Every key has a default so a minimal file works; unknown keys are refused with their name,
//! because a misspelt threshold silently ignored is worse than an error.
//!
//! Here the whole [`Config`], its defaults and what it derives (plan start, main-target
//! assignments, font paths); the sections in `sections.rs` and `mail.rs`, reading in `load.rs`,
//! the checks in `validate.rs`, the errors in `error.rs`.

use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

mod error;
mod load;
mod mail;
mod sections;
mod validate;
pub use error::{ConfigError, InvalidSetting};
pub use mail::{Collect, Mail, Security};
pub use sections::{
    FontSpec, Fonts, Limits, Office, Output, Paths, SealConfig, SigningConfig, Thresholds,
};

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
