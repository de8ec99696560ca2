//! `year.json`, the manifest of a year folder (`duban year`): one type, [`YearManifest`],
//! written by the year report and read back by verify and the document numbering.
//!
//! Its keys are sorted at every level (it has been written so since its first version, through
//! a JSON value), so the same archives give the same bytes.

use super::InputFile;
use super::run_manifest::{ManifestError, pretty, read_json};
use crate::model::DocumentNumber;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// `year.json`: the year, the months covered and missing, the archives read and the files
/// written with SHA-256 (sorted by path), and the document number used.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearManifest {
    #[serde(default)]
    pub tool: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub year: i32,
    #[serde(default)]
    pub as_of: String,
    #[serde(default)]
    pub months_covered: Vec<String>,
    #[serde(default)]
    pub months_missing: Vec<String>,
    #[serde(default)]
    pub months_not_yet: Vec<String>,
    #[serde(default)]
    pub inputs: Vec<InputFile>,
    #[serde(default)]
    pub outputs: Vec<InputFile>,
    #[serde(default)]
    pub document_numbers: Option<Vec<DocumentNumber>>,
}

impl YearManifest {
    /// The bytes of year.json: keys sorted at every level, pretty-printed, a final newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        // through a JSON value, whose objects keep their keys sorted
        let value = serde_json::to_value(self).unwrap_or_default();
        pretty(&value)
    }

    /// The year.json of the year folder `dir`.
    pub fn read(dir: &Path) -> Result<YearManifest, ManifestError> {
        read_json(dir, super::YEAR_FILE)
    }

    /// The manifest at `path`, `None` when it cannot be read or parsed.
    pub fn read_file(path: &Path) -> Option<YearManifest> {
        serde_json::from_slice(&std::fs::read(path).ok()?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_sorted_at_every_level() {
        let m = YearManifest {
            tool: "duban".into(),
            year: 2026,
            outputs: vec![InputFile::describe("a.pdf".into(), b"x")],
            document_numbers: Some(Vec::new()),
            ..YearManifest::default()
        };
        let text = String::from_utf8(m.to_bytes()).expect("utf-8");
        let keys: Vec<usize> = [
            "\"as_of\"",
            "\"document_numbers\"",
            "\"inputs\"",
            "\"outputs\"",
            "\"bytes\"",
            "\"path\"",
            "\"sha256\"",
            "\"tool\"",
            "\"year\"",
        ]
        .iter()
        .map(|k| text.find(k).unwrap_or_else(|| panic!("{k} in {text}")))
        .collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "{text}");
        assert!(text.ends_with("}\n"));
        let back: YearManifest = serde_json::from_str(&text).expect("read");
        assert_eq!(back, m);
    }
}
