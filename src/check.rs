//! The text `duban check` prints: per file the unit, rows read and merged, every problem of the
//! file sorted by sheet and cell; then problems outside any file, the units that sent nothing,
//! and the reconciliation line.

use crate::model::sort_problems;
use crate::model::{Merged, Problem, Severity, Submission};
use std::fmt::Write;

/// Renders the check report (Chinese, plain text, deterministic).
pub fn render_check_report(submissions: &[Submission], merged: &Merged) -> String {
    render_check(&[], submissions, merged)
}

/// The check report headed by the run's own problems (master sheet, archived months, notes
/// about the run), each printed on its own line and counted in the totals with the others, so
/// the closing count agrees with every line printed.
pub fn render_check(
    run_problems: &[Problem],
    submissions: &[Submission],
    merged: &Merged,
) -> String {
    let mut out = String::new();
    for p in run_problems {
        let _ = writeln!(out, "{p}");
    }
    let mut problems: Vec<Problem> = merged.problems.clone();
    sort_problems(&mut problems);
    let _ = writeln!(out, "收到文件 {} 个", submissions.len());
    for sub in submissions {
        render_file(&mut out, sub, merged, &problems);
    }
    let orphans: Vec<&Problem> = problems
        .iter()
        .filter(|p| {
            p.file
                .as_ref()
                .is_none_or(|f| !submissions.iter().any(|s| &s.file == f))
        })
        .collect();
    if !orphans.is_empty() {
        let _ = writeln!(out, "\n其他问题：");
        for p in orphans {
            let _ = writeln!(out, "  {p}");
        }
    }
    let invalid: Vec<String> = merged
        .receipts
        .iter()
        .filter_map(|r| Some(format!("{}（{}）", r.unit, r.invalid.as_deref()?)))
        .collect();
    if !invalid.is_empty() {
        let _ = writeln!(
            out,
            "\n报送无效单位（{} 个，文件中没有可读取的任务行）：",
            invalid.len()
        );
        for line in &invalid {
            let _ = writeln!(out, "  {line}");
        }
    }
    let missing: Vec<&str> = merged
        .receipts
        .iter()
        .filter(|r| !r.received && r.invalid.is_none())
        .map(|r| r.unit.as_str())
        .collect();
    if !missing.is_empty() {
        let _ = writeln!(
            out,
            "\n未报送单位（{} 个）：{}",
            missing.len(),
            missing.join("、")
        );
    }
    let count = |s: Severity| {
        problems
            .iter()
            .chain(run_problems)
            .filter(|p| p.severity == s)
            .count()
    };
    let _ = writeln!(
        out,
        "\n问题合计：错误 {} 个，警告 {} 个，提示 {} 个",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    );
    let r = &merged.reconciliation;
    let _ = writeln!(
        out,
        "核对：读取 {} 行 = 合并 {} 行 + 驳回 {} 行 + 被取代 {} 行 + 未填报 {} 行{}",
        r.rows_read,
        r.merged,
        r.rejected,
        r.superseded,
        r.not_reporting,
        if r.balances() {
            "（相符）"
        } else {
            "（不相符，请报告开发人员）"
        }
    );
    out
}

fn render_file(out: &mut String, sub: &Submission, merged: &Merged, problems: &[Problem]) {
    let merged_rows = merged
        .reports
        .values()
        .flatten()
        .filter(|r| r.row.source.file == sub.file)
        .count();
    let unit = sub.unit.as_deref().unwrap_or("（未能确定）");
    let _ = writeln!(out, "\n文件：{}", sub.file);
    let _ = writeln!(
        out,
        "  单位：{unit}；读取 {} 行，合并 {merged_rows} 行，驳回 {} 行，未填报 {} 行",
        sub.rows_read, sub.rows_rejected, sub.rows_not_reporting
    );
    for p in problems
        .iter()
        .filter(|p| p.file.as_deref() == Some(sub.file.as_str()))
    {
        let _ = writeln!(out, "  {}", line(p));
    }
}

/// One problem without the file name (the file heads the group).
fn line(p: &Problem) -> String {
    let mut loc = Vec::new();
    if let Some(s) = &p.sheet {
        loc.push(format!("工作表“{s}”"));
    }
    if let Some(c) = &p.cell {
        loc.push(format!("单元格 {c}"));
    }
    let mut s = format!("[{}]", p.severity.label());
    if !loc.is_empty() {
        let _ = write!(s, " {}：", loc.join("，"));
    } else {
        s.push(' ');
    }
    s.push_str(&p.message);
    if let Some(raw) = p.raw.as_ref().filter(|r| !r.is_empty()) {
        let shown: String = raw.chars().take(60).collect();
        let more = if raw.chars().count() > 60 { "…" } else { "" };
        let _ = write!(s, "（原值：“{}{more}”）", shown.replace('\n', "⏎"));
    }
    s
}
