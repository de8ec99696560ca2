//! Reading `duban.toml`: parsing, checking, and resolving its paths against the file's folder.

use std::path::{Path, PathBuf};

use super::error::translate_toml_error;
use super::{Config, ConfigError};

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
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

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
}
