//! A CSV log that only grows (send log, the reply loop's logs): UTF-8 with BOM, CRLF, one row
//! appended and synced at a time, so a crash loses at most the row in flight.

use crate::csv_format::push_record;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

/// A log opened for appending.
#[derive(Debug)]
pub struct CsvLog {
    file: File,
}

impl CsvLog {
    /// Opens the log at `path`, creating it with `header` when missing; a last row cut short
    /// by a crash is closed so the next row starts on its own line.
    pub fn open(path: &Path, header: &[&str]) -> std::io::Result<CsvLog> {
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)?;
        let len = file.metadata()?.len();
        if len == 0 {
            let mut text = String::from("\u{FEFF}");
            push_record(&mut text, header.iter().map(|s| s.to_string()));
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
            if let Some(dir) = path.parent().and_then(|p| File::open(p).ok()) {
                let _ = dir.sync_all();
            }
        } else {
            let mut last = [0u8; 1];
            file.seek(SeekFrom::Start(len - 1))?;
            file.read_exact(&mut last)?;
            if last[0] != b'\n' {
                file.write_all(b"\r\n")?;
            }
        }
        Ok(CsvLog { file })
    }

    /// Appends one row and syncs it before returning.
    pub fn append(&mut self, cells: &[String]) -> std::io::Result<()> {
        let mut line = String::new();
        push_record(&mut line, cells.iter().cloned());
        self.file.write_all(line.as_bytes())?;
        self.file.sync_data()
    }
}
