//! The unit directory (`units.toml`) and the matching of the many ways people write a unit's name.
//!
//! Matching works on a normalised key: whitespace removed (including full-width and line
//! breaks), full-width ASCII folded, annotations in brackets dropped, the city prefix
//! “呼和浩特市…” folded to “市…”, and “人民政府” folded to “政府”.

use crate::model::{Unit, UnitKind};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

/// The city name used as a prefix in full official names.
const CITY: &str = "呼和浩特";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UnitsFile {
    #[serde(rename = "unit")]
    units: Vec<Unit>,
}

/// Loaded `units.toml` with a lookup index.
#[derive(Debug, Clone)]
pub struct Directory {
    units: Vec<Unit>,
    index: HashMap<String, usize>,
}

/// Error loading the directory; the message is Chinese and names the file.
#[derive(Debug, thiserror::Error)]
#[error("单位名录 {path} 有误：{message}")]
pub struct DirectoryError {
    pub path: String,
    pub message: String,
}

impl Directory {
    /// Reads `units.toml`.
    pub fn load(path: &Path) -> Result<Directory, DirectoryError> {
        let err = |message: String| DirectoryError {
            path: path.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(format!("无法读取（{e}）")))?;
        let file: UnitsFile = toml::from_str(&text).map_err(|e| err(e.message().to_string()))?;
        Directory::new(file.units).map_err(err)
    }

    /// Builds the index; two units claiming the same name or alias is an error.
    pub fn new(units: Vec<Unit>) -> Result<Directory, String> {
        let mut index: HashMap<String, usize> = HashMap::new();
        for (i, unit) in units.iter().enumerate() {
            if unit.name.trim().is_empty() {
                return Err(format!("第 {} 个单位的名称为空", i + 1));
            }
            for name in std::iter::once(&unit.name).chain(unit.aliases.iter()) {
                let key = normalise(name);
                if key.is_empty() {
                    continue;
                }
                if let Some(&other) = index.get(&key)
                    && other != i
                {
                    return Err(format!(
                        "名称“{name}”同时属于“{}”和“{}”",
                        units[other].name, unit.name
                    ));
                }
                index.insert(key, i);
            }
        }
        Ok(Directory { units, index })
    }

    pub fn units(&self) -> &[Unit] {
        &self.units
    }

    pub fn get(&self, name: &str) -> Option<&Unit> {
        self.units.iter().find(|u| u.name == name)
    }

    /// Resolves one unit name written any usual way.
    pub fn resolve(&self, raw: &str) -> Option<&Unit> {
        let key = normalise(raw);
        self.index.get(&key).map(|&i| &self.units[i])
    }

    /// Resolves a 牵头单位 cell that may name several units (“土左旗、托县政府”).
    ///
    /// Returns the resolved units and the parts that could not be resolved. A part that fails
    /// alone is retried with the suffix its last sibling carries (“土左旗” + “政府”).
    pub fn resolve_compound(&self, raw: &str) -> (Vec<&Unit>, Vec<String>) {
        if let Some(u) = self.resolve(raw) {
            return (vec![u], Vec::new());
        }
        let parts: Vec<&str> = raw
            .split(['、', '，', ',', '；', ';', '/', '／'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        let last = parts.last().map(|p| normalise(p)).unwrap_or_default();
        let mut found = Vec::new();
        let mut missing = Vec::new();
        for part in &parts {
            let direct = self.resolve(part);
            let via_suffix = || {
                ["人民政府", "政府", "局", "委"]
                    .iter()
                    .filter(|s| last.ends_with(*s))
                    .find_map(|s| self.resolve(&format!("{part}{s}")))
            };
            match direct.or_else(via_suffix) {
                Some(u) => {
                    if !found.iter().any(|f: &&Unit| f.name == u.name) {
                        found.push(u);
                    }
                }
                None => missing.push(part.to_string()),
            }
        }
        (found, missing)
    }

    /// Finds the unit named inside a longer text such as a file name
    /// (“附件2-呼和浩特市科技局-重点任务进展（11月）”). The longest matching name wins;
    /// two different units matched without one containing the other is ambiguous → `None`.
    pub fn find_in_text(&self, text: &str) -> Option<&Unit> {
        let hay = fold(text);
        let mut best: Option<(usize, usize)> = None; // (key length, unit index)
        let mut ambiguous = false;
        for (key, &i) in &self.index {
            let key_len = key.chars().count();
            if key_len < 2 || !hay.contains(key.as_str()) {
                continue;
            }
            match best {
                None => best = Some((key_len, i)),
                Some((len, j)) if j != i => {
                    let other_key_contains = |a: usize, b: usize| {
                        // the longer name containing the shorter one is not a conflict
                        self.keys_of(a)
                            .any(|ka| self.keys_of(b).any(|kb| ka.contains(&kb)))
                    };
                    if key_len > len {
                        ambiguous = !other_key_contains(i, j);
                        best = Some((key_len, i));
                    } else if !other_key_contains(j, i) {
                        ambiguous = true;
                    }
                }
                Some((len, _)) if key_len > len => best = Some((key_len, i)),
                _ => {}
            }
        }
        if ambiguous {
            return None;
        }
        best.map(|(_, i)| &self.units[i])
    }

    fn keys_of(&self, i: usize) -> impl Iterator<Item = String> + '_ {
        let u = &self.units[i];
        std::iter::once(&u.name)
            .chain(u.aliases.iter())
            .map(|n| normalise(n))
    }
}

/// Whitespace removed, full-width ASCII folded, city prefix folded, 人民政府 → 政府.
/// Brackets are kept (a file name may put the unit in brackets).
fn fold(s: &str) -> String {
    let mut out: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{200b}' && *c != '\u{feff}')
        .map(fold_width)
        .collect();
    out = out.replace("人民政府", "政府");
    out = out.replace(&format!("{CITY}市"), "市");
    out
}

/// The matching key of a unit name: [`fold`] plus annotations in brackets removed.
pub fn normalise(s: &str) -> String {
    let folded = fold(s);
    let mut out = String::with_capacity(folded.len());
    let mut depth = 0u32;
    for c in folded.chars() {
        match c {
            '(' | '（' | '[' | '【' => depth += 1,
            ')' | '）' | ']' | '】' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    // “呼和浩特新城区政府” without 市: fold the bare city prefix for district names too.
    if let Some(rest) = out.strip_prefix(CITY)
        && !rest.is_empty()
        && !rest.starts_with('市')
    {
        return rest.to_string();
    }
    out
}

/// Full-width ASCII (Ａ, １, （ is kept) folded to half-width.
fn fold_width(c: char) -> char {
    match c {
        '\u{ff01}'..='\u{ff5e}' if !matches!(c, '（' | '）') => {
            char::from_u32(c as u32 - 0xfee0).unwrap_or(c)
        }
        '\u{3000}' => ' ',
        _ => c,
    }
}

impl UnitKind {
    pub fn label(self) -> &'static str {
        match self {
            UnitKind::CityDepartment => "市直部门",
            UnitKind::CountyGovernment => "旗县区政府",
            UnitKind::DevelopmentZone => "开发区",
            UnitKind::Other => "其他",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(name: &str, aliases: &[&str], kind: UnitKind) -> Unit {
        Unit {
            name: name.into(),
            aliases: aliases.iter().map(|s| s.to_string()).collect(),
            kind,
            contact: None,
            phone: None,
            email: None,
        }
    }

    fn dir() -> Directory {
        Directory::new(vec![
            unit(
                "市科技局",
                &["呼和浩特市科学技术局"],
                UnitKind::CityDepartment,
            ),
            unit(
                "市发改委",
                &["呼和浩特市发展和改革委员会"],
                UnitKind::CityDepartment,
            ),
            unit(
                "新城区政府",
                &["呼和浩特市新城区人民政府"],
                UnitKind::CountyGovernment,
            ),
            unit(
                "土左旗政府",
                &["土默特左旗人民政府"],
                UnitKind::CountyGovernment,
            ),
            unit(
                "托县政府",
                &["托克托县人民政府"],
                UnitKind::CountyGovernment,
            ),
            unit("呼和浩特职业技术大学", &[], UnitKind::Other),
            unit("国家统计局呼和浩特调查队", &[], UnitKind::Other),
        ])
        .unwrap()
    }

    #[test]
    fn the_three_seed_quirks() {
        let d = dir();
        assert_eq!(
            d.resolve("呼和浩特 职业技术大学").unwrap().name,
            "呼和浩特职业技术大学"
        );
        assert_eq!(
            d.resolve("国家统计局呼和浩特调查队（提供数据）")
                .unwrap()
                .name,
            "国家统计局呼和浩特调查队"
        );
        let (found, missing) = d.resolve_compound("土左旗、托县政府");
        let names: Vec<_> = found.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(names, ["土左旗政府", "托县政府"]);
        assert!(missing.is_empty());
    }

    #[test]
    fn official_names_prefixes_and_spaces() {
        let d = dir();
        assert_eq!(d.resolve("呼和浩特市科技局").unwrap().name, "市科技局");
        assert_eq!(
            d.resolve(" 呼和浩特市发展和改革委员会 ").unwrap().name,
            "市发改委"
        );
        assert_eq!(
            d.resolve("呼和浩特市新城区人民政府").unwrap().name,
            "新城区政府"
        );
        assert_eq!(d.resolve("新城区人民政府").unwrap().name, "新城区政府");
        assert_eq!(d.resolve("市科\n技局").unwrap().name, "市科技局");
        assert!(d.resolve("市教育局").is_none());
        let (found, missing) = d.resolve_compound("市科技局、市教育局");
        assert_eq!(found.len(), 1);
        assert_eq!(missing, ["市教育局"]);
    }

    #[test]
    fn unit_inside_file_names() {
        let d = dir();
        assert_eq!(
            d.find_in_text("附件2-呼和浩特市科学技术局-重点任务进展（11月）")
                .unwrap()
                .name,
            "市科技局"
        );
        assert_eq!(
            d.find_in_text("市发改委 11月进展").unwrap().name,
            "市发改委"
        );
        assert!(d.find_in_text("11月进展表").is_none());
        assert!(d.find_in_text("市发改委和市科技局联合报送").is_none());
    }

    #[test]
    fn duplicate_alias_is_refused() {
        let err = Directory::new(vec![
            unit("市科技局", &["科技局"], UnitKind::CityDepartment),
            unit("市科协", &["科技局"], UnitKind::Other),
        ])
        .unwrap_err();
        assert!(err.contains("科技局"));
    }
}
