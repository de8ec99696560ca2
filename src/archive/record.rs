//! `record.json`, beside a month's 汇总表: the workbook as reading it back gives, bound to the
//! workbook's bytes by their SHA-256 and listed in run.json. One type, [`Record`], written by
//! the run and read back by `history` (which falls back to the workbook whenever run.json does
//! not vouch for both files).

use super::{RECORD_FILE, RunManifest, sha256_hex};
use crate::model::{PreviousTask, UnitReceipt};
use std::collections::BTreeMap;
use std::path::Path;

/// What reading a 汇总表 back gives, stored beside it as [`RECORD_FILE`].
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Record {
    /// The 汇总表's file name.
    pub source: String,
    /// SHA-256 of the 汇总表's bytes.
    pub source_sha256: String,
    pub tasks: BTreeMap<u32, PreviousTask>,
    pub receipts: BTreeMap<String, UnitReceipt>,
}

impl Record {
    /// The record of the 汇总表 `xlsx` named `name`.
    pub fn of(
        xlsx: &[u8],
        name: &str,
        tasks: BTreeMap<u32, PreviousTask>,
        receipts: BTreeMap<String, UnitReceipt>,
    ) -> Record {
        Record {
            source: name.to_string(),
            source_sha256: sha256_hex(xlsx),
            tasks,
            receipts,
        }
    }

    /// The bytes of record.json (compact JSON).
    pub fn to_bytes(&self) -> Option<Vec<u8>> {
        serde_json::to_vec(self).ok()
    }

    /// The record of the month folder `dir`, when `manifest` (its run.json) lists it, its bytes
    /// are the ones listed and it was made from the 汇总表 `name` whose SHA-256 is `sha`.
    pub fn read_vouched(
        dir: &Path,
        manifest: &RunManifest,
        name: &str,
        sha: &str,
    ) -> Option<Record> {
        let (size, listed) = manifest.listed(RECORD_FILE)?;
        let bytes = std::fs::read(dir.join(RECORD_FILE)).ok()?;
        if size != bytes.len() as u64 || listed != sha256_hex(&bytes) {
            return None;
        }
        let record: Record = serde_json::from_slice(&bytes).ok()?;
        (record.source == name && record.source_sha256 == sha).then_some(record)
    }
}
