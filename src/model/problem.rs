//! Problems: what is wrong with the input, where, and how bad; and the one order they are
//! listed in everywhere (console, 汇总表, run.json).

use serde::{Deserialize, Serialize};
use std::fmt;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Severity {
    /// The row or file is rejected.
    #[serde(rename = "错误")]
    Error,
    /// Merged, but someone should look.
    #[serde(rename = "警告")]
    Warning,
    /// For the record.
    #[serde(rename = "提示")]
    Info,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "错误",
            Severity::Warning => "警告",
            Severity::Info => "提示",
        }
    }
}

/// One finding about the input, located as precisely as the input allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub severity: Severity,
    /// Stable machine code, e.g. `unknown_task`, `progress_out_of_range`.
    pub code: String,
    /// Unit the problem belongs to (canonical name), if known.
    pub unit: Option<String>,
    /// File name (not the full path), if the problem is in a file.
    pub file: Option<String>,
    pub sheet: Option<String>,
    /// A1 reference like `F7`.
    pub cell: Option<String>,
    /// The raw cell value as found.
    pub raw: Option<String>,
    /// Task number concerned, if any.
    pub task: Option<u32>,
    /// Chinese message saying what is wrong and what to do.
    pub message: String,
}

impl Problem {
    pub fn new(severity: Severity, code: &str, message: impl Into<String>) -> Self {
        Problem {
            severity,
            code: code.to_string(),
            unit: None,
            file: None,
            sheet: None,
            cell: None,
            raw: None,
            task: None,
            message: message.into(),
        }
    }
    pub fn error(code: &str, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }
    pub fn warning(code: &str, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }
    pub fn info(code: &str, message: impl Into<String>) -> Self {
        Self::new(Severity::Info, code, message)
    }
    pub fn unit(mut self, unit: impl Into<String>) -> Self {
        self.unit = Some(unit.into());
        self
    }
    pub fn file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }
    pub fn sheet(mut self, sheet: impl Into<String>) -> Self {
        self.sheet = Some(sheet.into());
        self
    }
    pub fn cell(mut self, cell: impl Into<String>) -> Self {
        self.cell = Some(cell.into());
        self
    }
    pub fn raw(mut self, raw: impl Into<String>) -> Self {
        self.raw = Some(raw.into());
        self
    }
    pub fn task(mut self, task: u32) -> Self {
        self.task = Some(task);
        self
    }
    /// Where the problem is, in Chinese: “文件 X，工作表 Y，单元格 F7”.
    pub fn location(&self) -> String {
        let mut parts = Vec::new();
        if let Some(f) = &self.file {
            parts.push(format!("文件“{f}”"));
        }
        if let Some(s) = &self.sheet {
            parts.push(format!("工作表“{s}”"));
        }
        if let Some(c) = &self.cell {
            parts.push(format!("单元格 {c}"));
        }
        parts.join("，")
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}]", self.severity.label())?;
        let loc = self.location();
        if !loc.is_empty() {
            write!(f, " {loc}：")?;
        } else {
            write!(f, " ")?;
        }
        write!(f, "{}", self.message)?;
        if let Some(raw) = &self.raw {
            write!(f, "（原值：“{raw}”）")?;
        }
        Ok(())
    }
}

/// A1 reference for 0-based row and column (`cell_ref(6, 5)` = `F7`).
pub fn cell_ref(row: u32, col: u32) -> String {
    let mut col_name = String::new();
    let mut c = u64::from(col) + 1;
    while c > 0 {
        let rem = (c - 1) % 26;
        col_name.insert(0, char::from(b'A' + rem as u8));
        c = (c - 1) / 26;
    }
    format!("{col_name}{}", row as u64 + 1)
}

/// Row-major order of an A1 reference: (row, column); `None` sorts first.
pub fn cell_order(cell: Option<&str>) -> (u32, u32) {
    let Some(cell) = cell else { return (0, 0) };
    let letters: String = cell.chars().take_while(char::is_ascii_alphabetic).collect();
    let col = letters.chars().fold(0u32, |acc, c| {
        acc.saturating_mul(26)
            .saturating_add(u32::from(c.to_ascii_uppercase() as u8 - b'A' + 1))
    });
    let row = cell
        .get(letters.len()..)
        .and_then(|r| r.parse().ok())
        .unwrap_or(0);
    (row, col)
}

/// Problems by file, sheet, cell (row-major), severity, code.
pub fn sort_problems(problems: &mut [Problem]) {
    problems.sort_by(|a, b| {
        (
            &a.file,
            &a.sheet,
            cell_order(a.cell.as_deref()),
            a.severity,
            &a.code,
            &a.message,
        )
            .cmp(&(
                &b.file,
                &b.sheet,
                cell_order(b.cell.as_deref()),
                b.severity,
                &b.code,
                &b.message,
            ))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_sort_row_major() {
        let mut cells = vec!["A10", "B2", "A2", "AA1", "C1"];
        cells.sort_by_key(|c| cell_order(Some(c)));
        assert_eq!(cells, ["C1", "AA1", "A2", "B2", "A10"]);
    }
}
