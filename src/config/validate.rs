//! The checks of a parsed configuration: every setting that parses but cannot be used is
//! refused with its key and the reason.

use super::{Config, InvalidSetting};

impl Config {
    pub(super) fn validate(&self) -> Result<(), InvalidSetting> {
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
}
