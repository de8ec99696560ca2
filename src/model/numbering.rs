//! Document numbers (文号) as the run plans and records them; `doc_numbers` plans them from
//! the archives.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One number used: by which document (its path in the archive), in which year of issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentNumber {
    /// Path of the document (the PDF) relative to its archive folder.
    pub document: String,
    /// Year of issue (the year in 〔〕).
    pub year: i32,
    /// The number.
    pub number: u32,
    /// The number as printed, `呼督〔2027〕3号`.
    pub text: String,
}

/// How a run numbers its documents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Numbering {
    /// Year of issue.
    pub year: i32,
    /// The number of the first document that has none yet.
    pub next: u32,
    /// Numbers kept by a rebuilt archive: document path → number.
    pub kept: BTreeMap<String, u32>,
}

impl Numbering {
    /// Numbers for `documents` in order: a kept number where the document had one, else the
    /// next free one (gap-free, in document order).
    pub fn assign<'a>(&self, documents: impl IntoIterator<Item = &'a str>) -> Vec<u32> {
        let mut next = self.next;
        documents
            .into_iter()
            .map(|d| match self.kept.get(d) {
                Some(n) => *n,
                None => {
                    let n = next;
                    next = next.saturating_add(1);
                    n
                }
            })
            .collect()
    }
}
