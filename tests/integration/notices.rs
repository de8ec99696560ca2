//! The PDF notices of the 2026-11 demo month, checked with independent tools when installed
//! (`pdftotext`, `pdffonts`, `pdfinfo` from poppler-utils and `qpdf`; `.ci/run` installs them).

use crate::checker;
use duban::model::ProblemCode;

use duban::config::Config;
use duban::model::{Light, Month, MonthReport};
use duban::pipeline::{self, RunOptions};
use duban::render::notices::{DocKind, Notices, RenderedDoc, render_all};
use duban::templates::Templates;
use duban_pdf::FontSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

struct Demo {
    cfg: Config,
    report: MonthReport,
    fonts: FontSet,
    templates: Templates,
    notices: Notices,
    ticks: usize,
}

fn demo() -> &'static Demo {
    static DEMO: OnceLock<Demo> = OnceLock::new();
    DEMO.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut cfg = Config::load(&root.join("duban.toml")).expect("duban.toml loads");
        // An empty output folder: no history, the same month on every machine whatever
        // `output/` holds there.
        cfg.paths.output =
            std::env::temp_dir().join(format!("duban-notices-{}-no-history", std::process::id()));
        let opts = RunOptions {
            month: Month::parse("2026-11"),
            ..Default::default()
        };
        let loaded =
            pipeline::load_month(&cfg, &opts, &pipeline::Silent).expect("demo month loads");
        let report = pipeline::build_report(&cfg, &loaded);
        let fonts = FontSet::load_dir(&cfg.paths.fonts).expect("shipped fonts load");
        let templates = Templates::load(&cfg.paths.templates).expect("templates load");
        let ticks = AtomicUsize::new(0);
        let notices = render_all(&report, &cfg, &fonts, &templates, &|| {
            ticks.fetch_add(1, Ordering::Relaxed);
        });
        Demo {
            cfg,
            report,
            fonts,
            templates,
            notices,
            ticks: ticks.into_inner(),
        }
    })
}

fn tool(name: &str) -> bool {
    let found = Command::new(name).arg("-v").output().is_ok();
    if !found {
        checker::missing(name);
    }
    found
}

/// A temporary folder removed when dropped.
struct TempDir(PathBuf);

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn temp_dir(name: &str) -> TempDir {
    let dir = std::env::temp_dir().join(format!("duban-notices-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    TempDir(dir)
}

/// Writes a document to a temp file for the command-line tools.
fn write(doc: &RenderedDoc, dir: &Path, i: usize) -> PathBuf {
    let path = dir.join(format!("{i:02}.pdf"));
    std::fs::write(&path, &doc.bytes).expect("write pdf");
    path
}

/// The text of a PDF as `pdftotext` extracts it, whitespace removed.
fn pdf_text(path: &Path) -> String {
    pdftotext(path, &[])
}

/// `pdftotext` with extra options, whitespace removed.
fn pdftotext(path: &Path, options: &[&str]) -> String {
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .args(options)
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    assert!(out.status.success(), "pdftotext {}", path.display());
    squeeze(&String::from_utf8_lossy(&out.stdout))
}

fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn run(cmd: &str, args: &[&str], path: &Path) -> String {
    let out = Command::new(cmd)
        .args(args)
        .arg(path)
        .output()
        .unwrap_or_else(|e| panic!("{cmd}: {e}"));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The task texts a document must contain.
fn expected_tasks(d: &Demo, doc: &RenderedDoc) -> Vec<String> {
    let master = &d.report.master;
    let outcomes = &d.report.classification;
    match doc.kind {
        DocKind::Mayor => master
            .tasks
            .iter()
            .filter(|t| {
                outcomes
                    .outcome(t.number)
                    .is_some_and(|o| o.light == Light::Red)
            })
            .map(|t| t.text.clone())
            .collect(),
        DocKind::Leader => master
            .tasks_of_leader(&doc.owner)
            .map(|t| t.text.clone())
            .collect(),
        DocKind::Unit => master
            .tasks_of_unit(&doc.owner)
            .map(|t| t.text.clone())
            .collect(),
    }
}

#[test]
fn every_document_renders_in_order_with_gap_free_numbers() {
    let d = demo();
    assert!(d.notices.failures.is_empty(), "{:?}", d.notices.failures);
    let master = &d.report.master;
    let docs = &d.notices.documents;
    assert_eq!(docs.len(), 1 + master.leaders.len() + master.units.len());
    assert_eq!(d.ticks, docs.len(), "tick once per document");
    assert_eq!(docs[0].kind, DocKind::Mayor);
    assert_eq!(docs[0].owner, master.mayor.name);
    for (doc, leader) in docs[1..].iter().zip(&master.leaders) {
        assert_eq!(doc.kind, DocKind::Leader);
        assert_eq!(doc.owner, leader.name);
        assert_eq!(
            doc.rel_path,
            Path::new("督办单/领导").join(format!("{}.pdf", leader.name))
        );
    }
    for (doc, unit) in docs[1 + master.leaders.len()..].iter().zip(&master.units) {
        assert_eq!(doc.kind, DocKind::Unit);
        assert_eq!(doc.owner, unit.name);
        assert!(
            doc.rel_path.starts_with("督办单/单位"),
            "{}",
            doc.rel_path.display()
        );
    }
    let year = chrono::Datelike::year(&d.report.issued_on);
    for (i, doc) in docs.iter().enumerate() {
        let n = d.cfg.office.number_start + i as u32;
        assert_eq!(
            doc.number,
            format!("{}〔{year}〕{n}号", d.cfg.office.number_prefix)
        );
        assert!(doc.bytes.starts_with(b"%PDF-"));
    }
    let missing: Vec<_> = d
        .notices
        .problems
        .iter()
        .filter(|p| p.code == ProblemCode::PdfMissingGlyph)
        .collect();
    assert!(missing.is_empty(), "{missing:?}");
}

#[test]
fn pdftotext_returns_every_task_text() {
    let d = demo();
    if !tool("pdftotext") {
        return;
    }
    let dir = temp_dir("text");
    for (i, doc) in d.notices.documents.iter().enumerate() {
        let path = write(doc, &dir, i);
        // poppler's default reading order can interleave a multi-line cell with the
        // vertically centred single-line cells beside it; `-raw` keeps the content-stream
        // order, in which each cell's lines are consecutive. Either must hold the whole text.
        let text = pdf_text(&path);
        let raw = pdftotext(&path, &["-raw"]);
        let tasks = expected_tasks(d, doc);
        assert!(
            !tasks.is_empty() || doc.kind == DocKind::Mayor,
            "{}",
            doc.owner
        );
        for task in tasks {
            assert!(
                text.contains(&squeeze(&task)) || raw.contains(&squeeze(&task)),
                "{}: 缺少任务文字“{task}”",
                doc.rel_path.display()
            );
        }
        assert!(
            text.contains(&squeeze(&doc.number)),
            "{}",
            doc.rel_path.display()
        );
        assert!(text.contains(&squeeze(&d.cfg.office.name)));
    }
}

#[test]
fn fonts_are_embedded_subsets_and_qpdf_is_clean() {
    let d = demo();
    let dir = temp_dir("check");
    let have_pdffonts = tool("pdffonts");
    let have_qpdf = tool("qpdf");
    for (i, doc) in d.notices.documents.iter().enumerate() {
        let path = write(doc, &dir, i);
        if have_pdffonts {
            let out = run("pdffonts", &[], &path);
            let fonts: Vec<&str> = out
                .lines()
                .skip(2)
                .filter(|l| !l.trim().is_empty())
                .collect();
            assert!(!fonts.is_empty(), "{}: no fonts", doc.rel_path.display());
            for line in fonts {
                let cols: Vec<&str> = line.split_whitespace().collect();
                let n = cols.len();
                assert!(n >= 7, "{line}");
                assert_eq!(
                    &cols[n - 5..n - 3],
                    &["yes", "yes"],
                    "emb/sub in {}: {line}",
                    doc.rel_path.display()
                );
                assert!(cols[0].chars().nth(6) == Some('+'), "subset tag: {line}");
            }
        }
        if have_qpdf {
            let out = Command::new("qpdf")
                .arg("--check")
                .arg(&path)
                .output()
                .expect("qpdf");
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(out.status.success(), "{}: {text}", doc.rel_path.display());
            assert!(
                text.contains("No syntax or stream encoding errors"),
                "{text}"
            );
        }
    }
}

#[test]
fn sizes_stay_small() {
    let d = demo();
    let largest_leader = d
        .notices
        .documents
        .iter()
        .filter(|doc| doc.kind != DocKind::Unit)
        .map(|doc| doc.bytes.len())
        .max()
        .unwrap_or(0);
    assert!(
        largest_leader <= 400_000,
        "largest leader notice {largest_leader} B"
    );
    if !tool("pdfinfo") {
        return;
    }
    let dir = temp_dir("size");
    let mut one_page = 0;
    for (i, doc) in d.notices.documents.iter().enumerate() {
        let path = write(doc, &dir, i);
        let info = run("pdfinfo", &[], &path);
        let pages: usize = info
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        assert!(pages >= 1);
        if doc.kind == DocKind::Unit && pages == 1 {
            one_page += 1;
            assert!(
                doc.bytes.len() <= 80_000,
                "{}: {} B",
                doc.rel_path.display(),
                doc.bytes.len()
            );
        }
        assert!(
            info.contains(&d.cfg.office.name),
            "author in the info dictionary: {info}"
        );
    }
    assert!(one_page > 0, "the demo has one-page unit notices");
}

#[test]
fn rendering_twice_gives_identical_bytes() {
    let d = demo();
    let again = render_all(&d.report, &d.cfg, &d.fonts, &d.templates, &|| {});
    assert_eq!(again.documents.len(), d.notices.documents.len());
    for (a, b) in again.documents.iter().zip(&d.notices.documents) {
        assert!(
            a.bytes == b.bytes,
            "{} differs between runs",
            a.rel_path.display()
        );
        assert_eq!(a.number, b.number);
    }
}

/// The shipped templates as in-memory sources, with `edit` applied to one of them.
fn sources_with(name: &str, edit: impl Fn(&str) -> String) -> Vec<(String, String)> {
    let dir = &demo().cfg.paths.templates;
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("templates folder") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|x| x == "j2") {
            let file = path
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            let text = std::fs::read_to_string(&path).expect("template");
            let text = if file == name { edit(&text) } else { text };
            out.push((file, text));
        }
    }
    out
}

fn templates_from(sources: &[(String, String)]) -> Templates {
    let refs: Vec<(&str, &str)> = sources
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    Templates::from_sources(&refs).expect("templates parse")
}

#[test]
fn a_template_change_changes_the_pdf() {
    let d = demo();
    let sources = sources_with("notice_unit.j2", |t| {
        t.replace(
            "@title 重点工作任务督办通知单",
            "@title 重点工作任务督办通知单（测试修改）",
        )
    });
    let changed = render_all(
        &d.report,
        &d.cfg,
        &d.fonts,
        &templates_from(&sources),
        &|| {},
    );
    assert!(changed.failures.is_empty(), "{:?}", changed.failures);
    let unit = changed
        .documents
        .iter()
        .zip(&d.notices.documents)
        .find(|(doc, _)| doc.kind == DocKind::Unit)
        .expect("a unit notice");
    assert!(unit.0.bytes != unit.1.bytes);
    let leader_same = changed.documents[1].bytes == d.notices.documents[1].bytes;
    assert!(leader_same, "leader notices do not use the unit template");
    if tool("pdftotext") {
        let dir = temp_dir("tmpl");
        let path = write(unit.0, &dir, 0);
        let text = pdf_text(&path);
        assert!(
            text.contains("重点工作任务督办通知单（测试修改）"),
            "{text}"
        );
    }
}

#[test]
fn a_template_error_fails_those_documents_only() {
    let d = demo();
    let sources = sources_with("notice_unit.j2", |t| {
        format!("{t}\n{{{{ no_such_variable }}}}\n")
    });
    let broken = render_all(
        &d.report,
        &d.cfg,
        &d.fonts,
        &templates_from(&sources),
        &|| {},
    );
    let units = d.report.master.units.len();
    assert_eq!(broken.failures.len(), units);
    assert_eq!(broken.documents.len(), 1 + d.report.master.leaders.len());
    assert!(
        broken.failures[0].contains("notice_unit.j2"),
        "{}",
        broken.failures[0]
    );
    assert!(
        broken.failures[0].contains("未定义"),
        "{}",
        broken.failures[0]
    );
    let errors = broken
        .problems
        .iter()
        .filter(|p| p.code == ProblemCode::NoticeFailed)
        .count();
    assert_eq!(errors, units);
    let sources = sources_with("notice_mayor.j2", |t| t.replace("@table red", "@tabel red"));
    let broken = render_all(
        &d.report,
        &d.cfg,
        &d.fonts,
        &templates_from(&sources),
        &|| {},
    );
    assert_eq!(broken.failures.len(), 1);
    assert!(
        broken.failures[0].contains("@tabel"),
        "{}",
        broken.failures[0]
    );
}

/// Text of one page, as lines (`pdftotext -raw`).
fn page_lines(path: &Path, page: usize) -> Vec<String> {
    let p = page.to_string();
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8", "-raw", "-f", &p, "-l", &p])
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

fn page_count(path: &Path) -> usize {
    run("pdfinfo", &[], path)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

#[test]
fn no_line_starts_with_closing_punctuation_and_the_sign_off_is_never_alone() {
    let d = demo();
    if !tool("pdftotext") || !tool("pdfinfo") {
        return;
    }
    let dir = temp_dir("typo");
    let date = duban::model::chinese_date(d.report.issued_on);
    for (i, doc) in d.notices.documents.iter().enumerate() {
        let path = write(doc, &dir, i);
        let pages = page_count(&path);
        assert!(pages >= 1);
        for page in 1..=pages {
            for line in page_lines(&path, page) {
                let first = line.chars().next().unwrap_or(' ');
                assert!(
                    !"，。、；：？！）》」』”’".contains(first),
                    "{} 第{page}页：行首标点“{line}”",
                    doc.rel_path.display()
                );
            }
        }
        let last = page_lines(&path, pages);
        let others: Vec<&String> = last
            .iter()
            .filter(|l| **l != d.cfg.office.name && **l != date && !l.starts_with('—'))
            .collect();
        assert!(
            last.contains(&date) && !others.is_empty(),
            "{}: 落款单独成页 {last:?}",
            doc.rel_path.display()
        );
    }
}

/// Whether Python with fontTools can run the font checker; under CI its absence fails.
fn font_tools() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import fontTools"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        checker::missing("python3 + fontTools");
    }
    ok
}

/// Runs `pdf_fonts.py` (fontTools reads every embedded font program) over `files` and returns,
/// per CID font, (glyphs in the program, glyphs the PDF's `/W` lists, the largest CID shown).
fn font_programs(files: &[PathBuf]) -> Vec<(String, usize, usize, usize)> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration/pdf_fonts.py");
    let out = Command::new("python3")
        .arg(&script)
        .args(files)
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "fontTools refuses a font program:\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
        .lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split(' ').collect();
            let n = |i: usize| f.get(i).and_then(|v| v.parse::<usize>().ok());
            Some((f.get(1)?.to_string(), n(3)?, n(4)?, n(5)?))
        })
        .collect()
}

/// Every font program is exactly the subset the PDF says it is: `.notdef` plus one glyph per
/// CID listed in `/W`, shown as CIDs 1…n.
fn assert_programs_match(programs: &[(String, usize, usize, usize)]) {
    assert!(!programs.is_empty());
    for (name, count, used, top) in programs {
        assert!(*count > *used, "{name}: {count} glyphs for {used} used");
        assert_eq!(top, used, "{name}: CIDs run 1…{used}");
    }
}

#[test]
fn embedded_font_programs_parse_in_fonttools_and_pages_render_cleanly() {
    let d = demo();
    if !font_tools() || !tool("pdftoppm") || !tool("qpdf") {
        return;
    }
    let dir = temp_dir("fonttools");
    let files: Vec<PathBuf> = d
        .notices
        .documents
        .iter()
        .enumerate()
        .map(|(i, doc)| write(doc, &dir, i))
        .collect();
    let programs = font_programs(&files);
    assert!(programs.len() >= files.len(), "{programs:?}");
    assert_programs_match(&programs);
    for file in &files {
        let out = Command::new("pdftoppm")
            .args(["-r", "20", "-png"])
            .arg(file)
            .arg(dir.join("page"))
            .output()
            .expect("pdftoppm runs");
        assert!(out.status.success(), "{}", file.display());
        assert!(
            out.stderr.is_empty(),
            "pdftoppm warns on {}: {}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The characters of the notices' table headers (序号, 任务目标, 牵头单位, 分管市领导, 完成时限,
/// 完成进度, 状态, 存在问题, 亮灯原因, 各月进度, 最新状态, 红灯月数 …).
const HEADER_CHARS: &str =
    "序号任务目标牵头单位分管市领导完成时限进度状态存在问题亮灯原因各月（%）最新红数";

/// Faces an office may configure, from Debian packages (`.ci/run` installs them): a CFF
/// collection, a TrueType collection with composite glyphs, and another TrueType collection.
const DEBIAN_FACES: [(&str, &str, u32); 3] = [
    (
        "fonts-noto-cjk",
        "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
        2,
    ),
    (
        "fonts-arphic-uming",
        "/usr/share/fonts/truetype/arphic/uming.ttc",
        0,
    ),
    (
        "fonts-wqy-zenhei",
        "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
        0,
    ),
];

#[test]
fn debian_faces_set_whole_notices_with_the_same_text() {
    let d = demo();
    if !font_tools() || !tool("pdftotext") || !tool("qpdf") || !tool("pdfinfo") {
        return;
    }
    let dir = temp_dir("debian");
    let docs = &d.notices.documents;
    let shipped: Vec<(usize, String)> = docs
        .iter()
        .enumerate()
        .map(|(i, doc)| {
            let file = write(doc, &dir, i);
            (page_count(&file), pdf_text(&file))
        })
        .collect();
    for (package, path, face) in DEBIAN_FACES {
        if !Path::new(path).is_file() {
            checker::missing(package);
            continue;
        }
        let source = duban_pdf::FontSource::new(path, face);
        let fonts = FontSet::load(&source, &source, &source, &[])
            .unwrap_or_else(|e| panic!("{package}: {e}"));
        let notices = render_all(&d.report, &d.cfg, &fonts, &d.templates, &|| {});
        assert!(
            notices.failures.is_empty(),
            "{package}: {:?}",
            notices.failures
        );
        assert!(
            !notices
                .problems
                .iter()
                .any(|p| p.code == ProblemCode::PdfMissingGlyph),
            "{package} lacks a character of the demo month"
        );
        let mut files = Vec::new();
        let mut compared = 0;
        for (i, (doc, (pages, text))) in notices.documents.iter().zip(&shipped).enumerate() {
            let file = dir.join(format!("{package}-{i:02}.pdf"));
            std::fs::write(&file, &doc.bytes).expect("write");
            let qpdf = run("qpdf", &["--check"], &file);
            assert!(
                qpdf.contains("No syntax or stream encoding errors"),
                "{package}: {qpdf}"
            );
            // Other widths break lines and pages elsewhere, so tables repeat their header
            // rows on other pages: every character of the shipped text must be there as often,
            // and nothing may appear that the shipped text does not have.
            let got = char_counts(&pdf_text(&file));
            let want = char_counts(text);
            let same_pages = page_count(&file) == *pages;
            for (ch, n) in &want {
                // page numbers “— N —” change with the page count
                if !same_pages && (ch.is_ascii_digit() || *ch == '—') {
                    continue;
                }
                let have = got.get(ch).copied().unwrap_or(0);
                // a table header repeats on each page its table runs onto, and where a table
                // breaks depends on the face (and on whether the notice was set tighter)
                if HEADER_CHARS.contains(*ch) && have > 0 {
                    continue;
                }
                assert!(
                    have >= *n,
                    "{package}: {} has {have}×“{ch}”, not {n}",
                    doc.rel_path.display()
                );
            }
            let strange: Vec<&char> = got.keys().filter(|c| !want.contains_key(c)).collect();
            assert!(
                strange.is_empty(),
                "{package}: {} shows {strange:?}",
                doc.rel_path.display()
            );
            if same_pages {
                compared += 1;
            }
            files.push(file);
        }
        assert!(
            compared * 2 > docs.len(),
            "{package}: only {compared} documents kept their pages"
        );
        assert_programs_match(&font_programs(&files));
    }
}

/// A stock (`FontSet::prepare`) is only a quicker way to the same subsets: documents written
/// after it are byte for byte the ones written without it, PDF and OFD, and it is made for a
/// CFF face only.
#[test]
fn a_stock_of_the_face_changes_no_document() {
    let d = demo();
    let texts: Vec<String> = d
        .report
        .master
        .tasks
        .chunks(12)
        .map(|tasks| {
            tasks
                .iter()
                .map(|t| t.text.as_str())
                .collect::<Vec<_>>()
                .join("。")
        })
        .collect();
    let docs: Vec<duban_pdf::Document> = texts
        .iter()
        .map(|text| duban_pdf::Document {
            page: duban_pdf::PageSetup::a4_portrait(),
            blocks: vec![
                duban_pdf::Block::Paragraph(duban_pdf::Paragraph::new(
                    vec![duban_pdf::Span::text(
                        "督办通知单",
                        duban_pdf::Style::new(duban_pdf::FontRole::Title, 22.0),
                    )],
                    30.0,
                )),
                duban_pdf::Block::Paragraph(duban_pdf::Paragraph::new(
                    vec![duban_pdf::Span::text(
                        text,
                        duban_pdf::Style::new(duban_pdf::FontRole::Body, 16.0),
                    )],
                    29.0,
                )),
            ],
        })
        .collect();
    let meta = duban_pdf::Meta {
        title: "督办通知单".into(),
        author: "督查室".into(),
        subject: String::new(),
        date: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).expect("date"),
        creator: "duban".into(),
        creator_version: env!("CARGO_PKG_VERSION").into(),
    };
    let faces = [
        (
            "fonts-noto-cjk",
            "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
            2,
            true,
        ),
        (
            "fonts-noto-cjk",
            "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
            2,
            true,
        ),
        (
            "fonts-arphic-uming",
            "/usr/share/fonts/truetype/arphic/uming.ttc",
            0,
            false,
        ),
    ];
    for (package, path, face, cff) in faces {
        if !Path::new(path).is_file() {
            checker::missing(package);
            continue;
        }
        let source = duban_pdf::FontSource::new(path, face);
        let load = || FontSet::load(&source, &source, &source, &[]).expect("face loads");
        let write_all =
            |fonts: &FontSet, layouts: &[duban_pdf::Layout]| -> Vec<(Vec<u8>, Vec<u8>)> {
                layouts
                    .iter()
                    .map(|l| duban_pdf::write_pdf_and_ofd(l, fonts, &meta).expect("writes"))
                    .collect()
            };
        let plain = load();
        assert_eq!(plain.stocks_pay(), cff, "{path}");
        let plain_layouts: Vec<_> = docs
            .iter()
            .map(|doc| duban_pdf::layout(doc, &plain))
            .collect();
        let without = write_all(&plain, &plain_layouts);
        assert_eq!(plain.stocked(0), None);

        let stocked = load();
        let layouts: Vec<_> = docs
            .iter()
            .map(|doc| duban_pdf::layout(doc, &stocked))
            .collect();
        stocked.prepare(layouts.iter().map(duban_pdf::Layout::glyph_ids));
        let glyphs = stocked.stocked(0);
        if cff {
            assert!(
                glyphs.is_some_and(|n| n > 500),
                "{path}: stock of {glyphs:?} glyphs"
            );
        } else {
            assert_eq!(glyphs, None, "{path}: a TrueType face needs no stock");
        }
        let with = write_all(&stocked, &layouts);
        assert_eq!(without.len(), with.len());
        for (i, (a, b)) in without.iter().zip(&with).enumerate() {
            assert!(a.0 == b.0, "{path}: PDF {i} differs with the stock");
            assert!(a.1 == b.1, "{path}: OFD {i} differs with the stock");
        }
        // A second batch with a glyph the stock lacks is cut from the face, the same bytes.
        let extra = duban_pdf::Document {
            page: duban_pdf::PageSetup::a4_portrait(),
            blocks: vec![duban_pdf::Block::Paragraph(duban_pdf::Paragraph::new(
                vec![duban_pdf::Span::text(
                    "鼋鼍蠡测",
                    duban_pdf::Style::new(duban_pdf::FontRole::Body, 16.0),
                )],
                29.0,
            ))],
        };
        let a = duban_pdf::write_pdf(&duban_pdf::layout(&extra, &plain), &plain, &meta)
            .expect("writes");
        let b = duban_pdf::write_pdf(&duban_pdf::layout(&extra, &stocked), &stocked, &meta)
            .expect("writes");
        assert!(a == b, "{path}: a glyph outside the stock changes the PDF");
    }
}

fn char_counts(text: &str) -> std::collections::BTreeMap<char, usize> {
    let mut counts = std::collections::BTreeMap::new();
    for ch in text.chars() {
        *counts.entry(ch).or_default() += 1;
    }
    counts
}

/// 完成进度 keeps one format per column: a unit reporting 61.5 % turns the other figures of its
/// table to one decimal (`80.0%`), and a table of whole figures stays whole (`80%`).
#[test]
fn a_progress_column_has_one_number_format() {
    let d = demo();
    if !tool("pdftotext") {
        return;
    }
    let master = &d.report.master;
    // a unit with two or more reported tasks of whole percents
    let (unit, tasks) = master
        .units
        .iter()
        .find_map(|u| {
            let tasks: Vec<u32> = master
                .tasks_of_unit(&u.name)
                .map(|t| t.number)
                .filter(|n| {
                    d.report
                        .classification
                        .outcome(*n)
                        .and_then(|o| o.percent)
                        .is_some_and(|p| p.fract() == 0.0 && p < 100.0)
                })
                .collect();
            (tasks.len() >= 2).then(|| (u.name.clone(), tasks))
        })
        .expect("a unit with two reported tasks");
    let mut report = d.report.clone();
    let first = report
        .classification
        .outcomes
        .iter_mut()
        .find(|o| o.task == tasks[0])
        .expect("outcome");
    first.percent = Some(61.5);
    let other = d
        .report
        .classification
        .outcome(tasks[1])
        .and_then(|o| o.percent);
    let other = other.expect("reported");
    let fonts = FontSet::load_dir(&d.cfg.paths.fonts).expect("fonts");
    let notices = render_all(&report, &d.cfg, &fonts, &d.templates, &|| {});
    let dir = temp_dir("progress-format");
    let text_of = |docs: &[RenderedDoc]| {
        let (i, doc) = docs
            .iter()
            .enumerate()
            .find(|(_, doc)| doc.kind == DocKind::Unit && doc.owner == unit)
            .expect("the unit's notice");
        pdf_text(&write(doc, &dir, i))
    };
    let changed = text_of(&notices.documents);
    assert!(changed.contains("61.5%"), "{changed}");
    assert!(
        changed.contains(&format!("{other:.1}%")),
        "{unit}: {other:.1}% in {changed}"
    );
    let unchanged = text_of(&d.notices.documents);
    assert!(!unchanged.contains(&format!("{other:.1}%")), "{unchanged}");
    assert!(unchanged.contains(&format!("{other:.0}%")), "{unchanged}");
}

/// A unit name in a table is never broken so that one character stands alone (新城区政/府), and
/// a name of up to five characters is never broken at all (the 牵头单位 column widens for one).
#[test]
fn unit_names_in_tables_keep_together() {
    let d = demo();
    if !tool("pdftotext") {
        return;
    }
    let dir = temp_dir("unit-names");
    let names: Vec<Vec<char>> = d
        .report
        .master
        .units
        .iter()
        .map(|u| u.name.chars().collect())
        .collect();
    let mut seen = 0;
    for (i, doc) in d.notices.documents.iter().enumerate() {
        if doc.kind == DocKind::Unit {
            continue; // a unit's own notice has no 牵头单位 column
        }
        let file = write(doc, &dir, i);
        let out = Command::new("pdftotext")
            .args(["-enc", "UTF-8", "-raw"])
            .arg(&file)
            .arg("-")
            .output()
            .expect("pdftotext runs");
        let raw = String::from_utf8_lossy(&out.stdout);
        // A table row comes out as one line with its cells apart by spaces; a cell's second
        // line starts the next line. Running text (a sentence listing units) is not a cell.
        let lines: Vec<Vec<&str>> = raw
            .lines()
            .map(|l| l.split_whitespace().collect())
            .collect();
        for pair in lines.windows(2) {
            let (Some(last), Some(first)) = (pair[0].last(), pair[1].first()) else {
                continue;
            };
            for name in &names {
                let whole: String = name.iter().collect();
                if pair[0].contains(&whole.as_str()) {
                    seen += 1;
                }
                for cut in 1..name.len() {
                    let head: String = name[..cut].iter().collect();
                    let tail: String = name[cut..].iter().collect();
                    let broken = last.ends_with(&head) && *first == tail;
                    let lone = cut == 1 || name.len() - cut == 1 || name.len() <= 5;
                    assert!(
                        !(broken && lone),
                        "{}: “{head}/{tail}” ({} / {})",
                        doc.owner,
                        pair[0].join(" "),
                        pair[1].join(" ")
                    );
                }
            }
        }
    }
    assert!(
        seen > 0,
        "no unit name found in the leaders' and mayor's notices"
    );
}
