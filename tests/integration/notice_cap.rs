//! A unit whose files gave thousands of problems (2,000 versions of one workbook) gets a notice
//! of a few pages: it lists the first [`MAX_LISTED_PROBLEMS`] and counts the rest, which are
//! all in the 汇总表's 校验问题 sheet.

use duban::config::Config;
use duban::model::{Month, Problem, ProblemCode};
use duban::pipeline::{self, RunOptions};
use duban::render::notices::{MAX_LISTED_PROBLEMS, render_all};
use duban::templates::Templates;
use duban_pdf::FontSet;
use std::path::Path;
use std::process::Command;

#[test]
fn a_notice_lists_at_most_the_cap_and_counts_the_rest() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cfg = Config::load(&root.join("duban.toml")).expect("duban.toml");
    cfg.paths.output = Path::new(env!("CARGO_TARGET_TMPDIR")).join("notice-cap-no-history");
    let opts = RunOptions {
        month: Month::parse("2026-11"),
        ..Default::default()
    };
    let loaded = pipeline::load_month(&cfg, &opts, &pipeline::Silent).expect("demo month");
    let mut report = pipeline::build_report(&cfg, &loaded);
    let before = report
        .problems
        .iter()
        // the notice lists what asks something of the unit: not the 提示 notes for the record
        .filter(|p| {
            p.unit.as_deref() == Some("市科技局")
                && p.file.is_some()
                && p.severity != duban::model::Severity::Info
        })
        .count();
    const ADDED: usize = 2000;
    for i in 0..ADDED {
        report.problems.push(
            Problem::warning(
                ProblemCode::DuplicateTask,
                format!("第 {i} 个版本与另一版本重复报送同一任务"),
            )
            .unit("市科技局")
            .file(format!("市科技局_第{i}版.xlsx"))
            .cell("A5")
            .raw("12"),
        );
    }
    let fonts = FontSet::load_dir(&cfg.paths.fonts).expect("fonts");
    let templates = Templates::load(&cfg.paths.templates).expect("templates");
    let notices = render_all(&report, &cfg, &fonts, &templates, &|| {});
    let doc = notices
        .documents
        .iter()
        .find(|d| d.owner == "市科技局" && d.rel_path.starts_with("督办单/单位"))
        .expect("the unit's notice");
    let total = before + ADDED;
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("notice-cap");
    std::fs::create_dir_all(&dir).expect("dir");
    let pdf = dir.join("市科技局.pdf");
    std::fs::write(&pdf, &doc.bytes).expect("write");
    let Ok(out) = Command::new("pdftotext").arg(&pdf).arg("-").output() else {
        crate::checker::missing("pdftotext（poppler-utils）");
        return;
    };
    let text: String = String::from_utf8_lossy(&out.stdout)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let expected = format!(
        "以上列出前{MAX_LISTED_PROBLEMS}处，另有{}处问题未在此列出（共{total}处）",
        total - MAX_LISTED_PROBLEMS
    );
    assert!(text.contains(&expected), "{expected} not in the notice");
    assert!(text.contains("第98个版本"), "the first ones are listed");
    assert!(
        !text.contains("第1500个版本"),
        "the rest are counted, not listed"
    );
    let info = Command::new("pdfinfo").arg(&pdf).output().expect("pdfinfo");
    let pages: usize = String::from_utf8_lossy(&info.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("page count");
    assert!(pages < 30, "{pages} pages");
}
