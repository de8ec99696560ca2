//! What a finished run reports: counts for the console summary and the exit code.

use crate::model::{LightCounts, Month, MonthReport, Problem, Reconciliation, Severity};
use chrono::NaiveDate;
use std::path::PathBuf;

/// What a finished run reports to the console.
#[derive(Debug, Clone)]
pub struct RunSummary {
    pub month: Month,
    pub as_of: NaiveDate,
    pub output_dir: PathBuf,
    /// Where the month's earlier result was kept (`--force` over an archived month).
    pub kept_previous: Option<PathBuf>,
    pub files_read: usize,
    pub reconciliation: Reconciliation,
    /// Red, yellow, blue, green.
    pub lights: [u32; 4],
    pub red_list: usize,
    pub units_received: usize,
    /// Units whose files gave no readable row (报送无效), not counted as received.
    pub units_invalid: usize,
    pub units_total: usize,
    pub leader_pdfs: usize,
    pub unit_pdfs: usize,
    /// Every notice also has its OFD twin (`[output] ofd`).
    pub ofd: bool,
    pub emails: usize,
    pub units_without_email: Vec<String>,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Files with errors and how many each, in file-name order (for the console).
    pub error_files: Vec<(String, usize)>,
    pub previous_available: bool,
    /// Milliseconds per stage, and in all.
    pub timings: Vec<(String, f64)>,
    pub total_ms: f64,
    /// Messages the office should read first (missing last month, render failures …).
    pub notes: Vec<String>,
}

impl RunSummary {
    /// 0 ok, 1 data errors found (output written).
    pub fn exit_code(&self) -> u8 {
        if self.errors > 0 { 1 } else { 0 }
    }

    /// The closing summary in Chinese.
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let r = &self.reconciliation;
        let _ = writeln!(
            s,
            "\n{} 督办批处理完成（截至 {}）",
            self.month.label(),
            crate::model::chinese_date(self.as_of)
        );
        for note in &self.notes {
            let _ = writeln!(s, "注意：{note}");
        }
        let invalid = if self.units_invalid > 0 {
            format!("，{} 个单位报送无效", self.units_invalid)
        } else {
            String::new()
        };
        let _ = writeln!(
            s,
            "读取文件 {} 个，{}/{} 个单位已报送{invalid}；上月汇总表：{}",
            self.files_read,
            self.units_received,
            self.units_total,
            if self.previous_available {
                "已读取"
            } else {
                "无"
            }
        );
        let _ = writeln!(
            s,
            "核对：读取 {} 行 = 合并 {} 行 + 驳回 {} 行 + 被取代 {} 行 + 未填报 {} 行（{}）",
            r.rows_read,
            r.merged,
            r.rejected,
            r.superseded,
            r.not_reporting,
            if r.balances() {
                "相符"
            } else {
                "不相符！"
            }
        );
        let [red, yellow, blue, green] = self.lights;
        let _ = writeln!(
            s,
            "亮灯：红灯 {red} 项，黄灯 {yellow} 项，蓝灯 {blue} 项，绿灯 {green} 项；重点督办清单 {} 项",
            self.red_list
        );
        let _ = writeln!(
            s,
            "问题：错误 {} 个，警告 {} 个，提示 {} 个（详见汇总表“校验问题”）",
            self.errors, self.warnings, self.infos
        );
        if !self.error_files.is_empty() {
            const SHOWN: usize = 10;
            let mut list: Vec<String> = self
                .error_files
                .iter()
                .take(SHOWN)
                .map(|(file, n)| format!("{file}（{n} 个）"))
                .collect();
            if self.error_files.len() > SHOWN {
                list.push(format!("等共 {} 个文件", self.error_files.len()));
            }
            let _ = writeln!(s, "有错误的文件：{}", list.join("、"));
        }
        let _ = writeln!(
            s,
            "生成：汇总表 1 份，领导督办单 {} 份，单位督办通知单 {} 份{}，邮件 {} 封",
            self.leader_pdfs,
            self.unit_pdfs,
            if self.ofd {
                "（均另附 OFD 版）"
            } else {
                ""
            },
            self.emails
        );
        if !self.units_without_email.is_empty() {
            let _ = writeln!(
                s,
                "无邮箱、需另行送达：{}",
                self.units_without_email.join("、")
            );
        }
        let _ = writeln!(
            s,
            "用时 {:.2} 秒；输出位于 {}",
            self.total_ms / 1000.0,
            self.output_dir.display()
        );
        if let Some(kept) = &self.kept_previous {
            let _ = writeln!(s, "原有的本月结果已保留在 {}", kept.display());
        }
        s
    }
}

/// Counts per light over the month's outcomes: red, yellow, blue, green.
pub fn light_counts(report: &MonthReport) -> [u32; 4] {
    let lights: LightCounts = report
        .classification
        .outcomes
        .iter()
        .map(|o| o.light)
        .collect();
    lights.as_array()
}

/// Number of problems per severity: errors, warnings, infos.
pub fn severity_counts(problems: &[Problem]) -> (usize, usize, usize) {
    let count = |s: Severity| problems.iter().filter(|p| p.severity == s).count();
    (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
    )
}

/// Files named by error problems, with their error counts, sorted by file name.
pub fn error_files(problems: &[Problem]) -> Vec<(String, usize)> {
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for p in problems.iter().filter(|p| p.severity == Severity::Error) {
        if let Some(file) = p.file.as_deref() {
            *counts.entry(file).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .map(|(f, n)| (f.to_string(), n))
        .collect()
}
