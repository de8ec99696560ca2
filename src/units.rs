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
    /// Length in chars of the longest key, bounding the substrings `find_in_text` looks up.
    max_key_chars: usize,
}

/// Error loading the directory; the message is Chinese and names the file.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    #[error("单位名录 {path} 有误：无法读取（{source}）")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("单位名录 {path} 有误：{}", .source.message())]
    Parse {
        path: String,
        #[source]
        source: Box<toml::de::Error>,
    },
    #[error("单位名录 {path} 有误：{source}")]
    Invalid {
        path: String,
        #[source]
        source: DirectoryProblem,
    },
}

/// A directory that parses but cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DirectoryProblem {
    #[error("第 {position} 个单位的名称为空")]
    EmptyName { position: usize },
    #[error("名称“{name}”同时属于“{first}”和“{second}”")]
    NameClash {
        name: String,
        first: String,
        second: String,
    },
}

impl Directory {
    /// Reads `units.toml`.
    ///
    /// # Errors
    ///
    /// [`DirectoryError`] when the file cannot be read or parsed, or two units claim one name.
    pub fn load(path: &Path) -> Result<Directory, DirectoryError> {
        let path_text = || path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| DirectoryError::Read {
            path: path_text(),
            source,
        })?;
        let file: UnitsFile = toml::from_str(&text).map_err(|source| DirectoryError::Parse {
            path: path_text(),
            source: Box::new(source),
        })?;
        Directory::new(file.units).map_err(|source| DirectoryError::Invalid {
            path: path_text(),
            source,
        })
    }

    /// Builds the index; two units claiming the same name or alias is an error.
    pub fn new(units: Vec<Unit>) -> Result<Directory, DirectoryProblem> {
        let mut index: HashMap<String, usize> = HashMap::new();
        for (i, unit) in units.iter().enumerate() {
            if unit.name.trim().is_empty() {
                return Err(DirectoryProblem::EmptyName { position: i + 1 });
            }
            for name in std::iter::once(&unit.name).chain(unit.aliases.iter()) {
                let key = normalise(name);
                if key.is_empty() {
                    continue;
                }
                if let Some(&other) = index.get(&key)
                    && other != i
                {
                    return Err(DirectoryProblem::NameClash {
                        name: name.clone(),
                        first: units[other].name.clone(),
                        second: unit.name.clone(),
                    });
                }
                index.insert(key, i);
            }
        }
        let max_key_chars = index.keys().map(|k| k.chars().count()).max().unwrap_or(0);
        Ok(Directory {
            units,
            index,
            max_key_chars,
        })
    }

    pub fn units(&self) -> &[Unit] {
        &self.units
    }

    pub fn get(&self, name: &str) -> Option<&Unit> {
        self.units.iter().find(|u| u.name == name)
    }

    /// The unit whose `email` or `reply_from` is `address` (case-insensitive).
    pub fn by_address(&self, address: &str) -> Option<&Unit> {
        let wanted = address.trim();
        if wanted.is_empty() {
            return None;
        }
        self.units.iter().find(|u| {
            u.address()
                .into_iter()
                .chain(u.reply_from.iter().map(|a| a.trim()))
                .any(|a| a.eq_ignore_ascii_case(wanted))
        })
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
    /// (“附件2-呼和浩特市科技局-重点任务进展（11月）”). The longest matching name wins; a
    /// match of another unit that does not lie inside one of the winner's matches (“市科技局1”
    /// inside “市科技局12”) makes the text ambiguous → `None`, as do two different units
    /// matched with names of the same length.
    ///
    /// Every substring of the text is looked up in the name index, so the cost depends on the
    /// text's length, not on the size of the directory.
    pub fn find_in_text(&self, text: &str) -> Option<&Unit> {
        let hay = fold(text);
        let bounds: Vec<usize> = hay
            .char_indices()
            .map(|(b, _)| b)
            .chain(std::iter::once(hay.len()))
            .collect();
        let chars = bounds.len() - 1;
        // (start, end) in chars, unit index
        let mut matches: Vec<(usize, usize, usize)> = Vec::new();
        for start in 0..chars {
            let longest = (start + self.max_key_chars).min(chars);
            for end in (start + 2)..=longest {
                let (Some(&sb), Some(&eb)) = (bounds.get(start), bounds.get(end)) else {
                    continue;
                };
                if let Some(&i) = hay.get(sb..eb).and_then(|k| self.index.get(k)) {
                    matches.push((start, end, i));
                }
            }
        }
        let &(best_start, best_end, best) = matches.iter().max_by(|a, b| {
            (a.1 - a.0)
                .cmp(&(b.1 - b.0))
                // the first of equally long matches, for a stable answer
                .then(b.0.cmp(&a.0))
        })?;
        let best_len = best_end - best_start;
        let spans: Vec<(usize, usize)> = matches
            .iter()
            .filter(|m| m.2 == best)
            .map(|m| (m.0, m.1))
            .collect();
        let ambiguous = matches.iter().any(|&(s, e, i)| {
            i != best && (e - s == best_len || !spans.iter().any(|&(bs, be)| bs <= s && e <= be))
        });
        if ambiguous {
            return None;
        }
        self.units.get(best)
    }
}

/// Whitespace removed, width folded ([`crate::width`]), city prefix folded, 人民政府 → 政府.
/// Brackets are kept (a file name may put the unit in brackets).
fn fold(s: &str) -> String {
    let mut out: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{200b}' && *c != '\u{feff}')
        .map(crate::width::fold_width_char)
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
            reply_from: Vec::new(),
        }
    }

    #[test]
    fn by_address_finds_email_and_reply_from() {
        let mut fgw = unit("市发改委", &[], UnitKind::CityDepartment);
        fgw.email = Some(" fgw@hhht.example.org ".into());
        fgw.reply_from = vec!["WangJH@163.example.com".into()];
        let d = Directory::new(vec![fgw, unit("市财政局", &[], UnitKind::CityDepartment)])
            .expect("directory");
        let name = |a: &str| d.by_address(a).map(|u| u.name.clone());
        assert_eq!(name("fgw@hhht.example.org").as_deref(), Some("市发改委"));
        assert_eq!(name("wangjh@163.example.com").as_deref(), Some("市发改委"));
        assert_eq!(name("someone@163.example.com"), None);
        assert_eq!(name(""), None);
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
        // a shorter name inside the longer one is not a second unit
        assert_eq!(
            d.find_in_text("呼和浩特职业技术大学11月").unwrap().name,
            "呼和浩特职业技术大学"
        );
        assert!(d.find_in_text("").is_none());
        assert!(d.find_in_text("市").is_none());
    }

    #[test]
    fn nested_names_in_file_names() {
        let d = Directory::new(vec![
            unit("市科技局1", &[], UnitKind::CityDepartment),
            unit("市科技局12", &[], UnitKind::CityDepartment),
        ])
        .unwrap();
        let found = |t: &str| d.find_in_text(t).map(|u| u.name.clone());
        assert_eq!(found("市科技局12进展").as_deref(), Some("市科技局12"));
        assert_eq!(found("附件 市科技局1 进展").as_deref(), Some("市科技局1"));
        assert_eq!(
            found("市科技局12（市科技局12）").as_deref(),
            Some("市科技局12")
        );
        assert_eq!(found("市科技局12与市科技局1"), None);
    }

    #[test]
    fn duplicate_alias_is_refused() {
        let err = Directory::new(vec![
            unit("市科技局", &["科技局"], UnitKind::CityDepartment),
            unit("市科协", &["科技局"], UnitKind::Other),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("科技局"));
    }
}
