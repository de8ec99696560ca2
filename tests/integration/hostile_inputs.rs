//! Hostile and broken submissions: nothing crashes, nothing is lost, nothing escapes.
//!
//! The catalogue puts one hostile file at a time into a month folder beside good files of
//! other units, reads the folder with `read_month`, merges it, and asserts the exact problem
//! reported for the hostile file and that every good file still merged. Every fixture is made
//! by code (see `hostile/mod.rs`). A second part runs the whole `duban run` on a temporary
//! project with hostile unit names, formula-like texts and odd file names, and checks every
//! output path and the 汇总表 / 清单.csv contents.

use crate::common;
use crate::hostile;
use duban::model::ProblemCode;

use common::{V, s};
use duban::config::Limits;
use duban::intake::{IntakeContext, read_month};
use duban::merge::merge;
use duban::model::{Merged, Severity, Submission};
use hostile::*;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The catalogue's limits: the shipped defaults (duban.toml), except the inflated-size limit,
/// lowered to 32 MB so the bombs are refused quickly in debug builds. The limit is the same
/// code path at any size; `zip_bomb_memory_and_time_with_default_limits` uses the defaults.
fn catalogue_limits() -> Limits {
    Limits {
        max_inflated_bytes: 32 << 20,
        ..Limits::default()
    }
}

fn ctx(limits: Limits) -> IntakeContext<'static> {
    let mut c = common::ctx();
    c.limits = Box::leak(Box::new(limits));
    c
}

/// A clean 市发改委 submission (task 1).
fn clean_fagaiwei() -> Vec<u8> {
    xlsx_bytes(&[common::form_sheet(
        "市发改委",
        "2026-11-25",
        vec![[
            V::N(1.0),
            s("全市地区生产总值增长6%左右"),
            s("前三季度增长5.9%。"),
            V::N(75.0),
            s("序时推进"),
        ]],
    )])
}

/// A clean 市住建局 submission (task 4) with progress text `progress`.
fn zhujian_with(progress: &str, pct: V) -> Vec<u8> {
    xlsx_bytes(&[common::form_sheet(
        "市住建局",
        "2026-11-25",
        vec![[
            V::N(4.0),
            s("完成老旧小区改造50个"),
            s(progress),
            pct,
            s("序时推进"),
        ]],
    )])
}

/// One workbook's bytes, the same on every call: two separate writes of the same sheet differ
/// when a second ticks between them (the writer stamps the creation time into docProps), and
/// the byte-identical case then failed now and then.
fn identical_zhujian() -> Vec<u8> {
    static BYTES: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BYTES
        .get_or_init(|| zhujian_with("已开工48个。", V::N(90.0)))
        .clone()
}

/// Bytes of an xlsx written with the shared fixture writer.
fn xlsx_bytes(sheets: &[common::SheetSpec]) -> Vec<u8> {
    let dir = std::env::temp_dir().join(format!("duban-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{:?}.xlsx", std::thread::current().id()).replace(['(', ')'], ""));
    common::write_xlsx(&path, sheets);
    let bytes = std::fs::read(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    bytes
}

fn keji_bytes() -> Vec<u8> {
    let dir = std::env::temp_dir().join(format!("duban-hostile-k-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{:?}.xlsx", std::thread::current().id()).replace(['(', ')'], ""));
    common::clean_keji(&path);
    let bytes = std::fs::read(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    bytes
}

/// A 住建局 workbook whose 填报日期 cell holds `date`.
fn zhujian_dated(date: V) -> Vec<u8> {
    let mut sheet = common::zhujian_undated();
    sheet.set(1, 8, date);
    xlsx_bytes(&[sheet])
}

/// What the catalogue expects for the hostile file.
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// Refused or flagged: a problem with this code (and severity) whose message contains
    /// the fragment, or (`None`) no error at all; `rows` is how many of its rows must still
    /// merge.
    Problem {
        code: Option<ProblemCode>,
        severity: Severity,
        fragment: &'static str,
        rows: u32,
    },
}

/// Files as (name bytes, content).
type Files = Vec<(Vec<u8>, Vec<u8>)>;

struct Case {
    name: &'static str,
    /// File name as bytes (non-UTF-8 allowed).
    file: Vec<u8>,
    build: fn() -> Vec<u8>,
    expect: Expect,
    /// Extra files (name, bytes) in the folder, e.g. the second of two identical files.
    extra: fn() -> Files,
    /// A check on the merged 本月工作进展 of task 4, when the case's file is read.
    text: Option<fn(&str) -> bool>,
}

fn none() -> Files {
    Vec::new()
}

fn err(code: ProblemCode, fragment: &'static str) -> Expect {
    Expect::Problem {
        code: Some(code),
        severity: Severity::Error,
        fragment,
        rows: 0,
    }
}

fn flagged(code: ProblemCode, severity: Severity, fragment: &'static str, rows: u32) -> Expect {
    Expect::Problem {
        code: Some(code),
        severity,
        fragment,
        rows,
    }
}

/// Read fine: no error at all, and its one row merges.
fn read_fine() -> Expect {
    Expect::Problem {
        code: None,
        severity: Severity::Info,
        fragment: "",
        rows: 1,
    }
}

fn long_text() -> String {
    let mut t = "已开工48个，".repeat(32_767 / 7);
    while t.chars().count() < 32_767 {
        t.push('。');
    }
    t
}

/// 市科技局.xlsx in GBK.
const GBK_NAME: [u8; 13] = [
    0xca, 0xd0, 0xbf, 0xc6, 0xbc, 0xbc, 0xbe, 0xd6, b'.', b'x', b'l', b's', b'x',
];

fn catalogue() -> Vec<Case> {
    use Severity::*;
    let c = |name: &'static str, file: &str, build: fn() -> Vec<u8>, expect: Expect| Case {
        name,
        file: file.as_bytes().to_vec(),
        build,
        expect,
        extra: none,
        text: None,
    };
    vec![
        c(
            "truncated zip",
            "市住建局.xlsx",
            || {
                let b = zhujian_with("已开工48个。", V::N(90.0));
                b[..b.len() / 2].to_vec()
            },
            err(ProblemCode::CorruptFile, "文件已损坏（文件不完整）"),
        ),
        c(
            "zip bomb disguised as xlsx (honest directory)",
            "市住建局.xlsx",
            || bomb_xlsx(64 << 20, None),
            err(
                ProblemCode::InflatedTooLarge,
                "（按目录声明）超过上限 33554432",
            ),
        ),
        c(
            "zip bomb whose directory lies about the sizes",
            "市住建局.xlsx",
            || bomb_xlsx(64 << 20, Some(1_000)),
            err(
                ProblemCode::CorruptFile,
                "压缩包目录中声明的解压大小与实际内容不符",
            ),
        ),
        c(
            "shared strings declaring 10^15 strings",
            "市住建局.xlsx",
            || lying_shared_strings_xlsx("999999999999999"),
            err(ProblemCode::SheetTooLarge, "共享字符串（按声明）数超过上限"),
        ),
        c(
            "encrypted workbook (CFB with EncryptionInfo + EncryptedPackage)",
            "市住建局.xlsx",
            encrypted_xlsx,
            err(ProblemCode::PasswordProtected, "文件有密码保护"),
        ),
        c(
            "PDF renamed .xlsx",
            "市住建局.xlsx",
            pdf_bytes,
            err(ProblemCode::NotAWorkbook, "文件内容是PDF 文件"),
        ),
        c(
            "PNG renamed .xlsx",
            "市住建局.xlsx",
            png_bytes,
            err(ProblemCode::NotAWorkbook, "文件内容是图片"),
        ),
        c(
            "empty file",
            "市住建局.xlsx",
            Vec::new,
            err(ProblemCode::EmptyFile, "0 字节"),
        ),
        c(
            "no sheet with a header",
            "市住建局.xlsx",
            || {
                let mut a = common::SheetSpec::new("说明");
                a.set(0, 0, s("本表请于每月25日前报送"));
                let mut b = common::SheetSpec::new("Sheet2");
                b.set(3, 2, V::N(42.0));
                xlsx_bytes(&[a, b])
            },
            err(ProblemCode::NoHeader, "未找到表头"),
        ),
        c(
            "100,000 rows (default max_rows_per_sheet = 20000)",
            "市科技局_10万行.xlsx",
            || many_rows_xlsx(100_000),
            err(ProblemCode::SheetTooLarge, "行数超过上限 20000，"),
        ),
        with_text(
            c(
                "32,767-character cell is read whole",
                "市住建局.xlsx",
                || zhujian_with(&long_text(), V::N(90.0)),
                read_fine(),
            ),
            |t| t.chars().count() == 32_767,
        ),
        with_text(
            c(
                "control characters, emoji and right-to-left marks",
                "市住建局.xlsx",
                || {
                    zhujian_with(
                        "已开工\u{7}48个😀，\u{202E}xslx.exe\u{202C}\u{200F}完成",
                        V::N(90.0),
                    )
                },
                read_fine(),
            ),
            |t| t == "已开工48个😀，xslx.exe完成",
        ),
        with_text(
            c(
                "text beginning with = stays text",
                "市住建局.xlsx",
                || zhujian_with("=HYPERLINK(\"http://evil.example\",\"点击\")", V::N(90.0)),
                read_fine(),
            ),
            |t| t == "=HYPERLINK(\"http://evil.example\",\"点击\")",
        ),
        c(
            "formula error value in 完成进度",
            "市住建局.xlsx",
            || zhujian_with("已开工48个。", V::Err("#DIV/0!")),
            flagged(ProblemCode::FormulaError, Error, "#DIV/0!", 0),
        ),
        c(
            "report date serial 2958466 (past 9999-12-31)",
            "市住建局.xlsx",
            || zhujian_dated(V::N(2_958_466.0)),
            flagged(ProblemCode::ReportDateUnreadable, Warning, "", 1),
        ),
        c(
            "report date negative serial",
            "市住建局.xlsx",
            || zhujian_dated(V::N(-5.0)),
            flagged(ProblemCode::ReportDateUnreadable, Warning, "", 1),
        ),
        c(
            "report date in year 9999",
            "市住建局.xlsx",
            || zhujian_dated(s("9999-12-31")),
            flagged(ProblemCode::ReportDateFuture, Warning, "", 1),
        ),
        c(
            "report date 2026年13月45日",
            "市住建局.xlsx",
            || zhujian_dated(s("2026年13月45日")),
            flagged(
                ProblemCode::ReportDateUnreadable,
                Warning,
                "2026年13月45日",
                1,
            ),
        ),
        c(
            "duplicate sheets (same content twice)",
            "市住建局.xlsx",
            || {
                let sheet = |name: &str| {
                    let mut sh = common::form_sheet(
                        "市住建局",
                        "2026-11-25",
                        vec![[
                            V::N(4.0),
                            s("完成老旧小区改造50个"),
                            s("已开工48个。"),
                            V::N(90.0),
                            s("序时推进"),
                        ]],
                    );
                    sh.name = name.into();
                    sh
                };
                xlsx_bytes(&[sheet("进展情况"), sheet("进展情况 (2)")])
            },
            flagged(ProblemCode::DuplicateTask, Warning, "", 1),
        ),
        c(
            "填报单位 cell with path and reserved characters",
            "市住建局_进展.xlsx",
            || {
                let mut sh = common::form_sheet(
                    "../../..\\:*?\"<>|单位",
                    "2026-11-25",
                    vec![[
                        V::N(4.0),
                        s("完成老旧小区改造50个"),
                        s("已开工48个。"),
                        V::N(90.0),
                        s("序时推进"),
                    ]],
                );
                sh.name = "进展情况".into();
                xlsx_bytes(&[sh])
            },
            flagged(ProblemCode::UnitNameUnrecognised, Warning, "无法识别", 1),
        ),
        c(
            "xls whose DIMENSIONS record lies (rows 1000..0)",
            "市住建局.xls",
            || xls_with_cells((1000, 1, 0, 10), &[(0, 0, 1.0)]),
            err(
                ProblemCode::SheetTooLarge,
                "单元格数（按文件记录计算）超过上限",
            ),
        ),
        c(
            "xls with cells in A1 and IV20000 (far corner)",
            "市住建局.xls",
            || xls_with_cells((0, 20_000, 0, 256), &[(0, 0, 1.0), (19_999, 255, 2.0)]),
            err(
                ProblemCode::SheetTooLarge,
                "单元格数（按文件记录计算）超过上限 2000000",
            ),
        ),
        c(
            "xls with a cell in row 65536",
            "市住建局.xls",
            || xls_with_cells((0, 65_536, 0, 1), &[(0, 0, 1.0), (65_535, 0, 2.0)]),
            err(
                ProblemCode::SheetTooLarge,
                "行数（按文件记录计算）超过上限 20000",
            ),
        ),
        c(
            "xls whose sheet offset points past the stream (calamine panics; caught)",
            "市住建局.xls",
            xls_bad_sheet_offset,
            err(ProblemCode::CorruptFile, "表格解析器内部错误"),
        ),
        c(
            "xls with an empty CODEPAGE record (fuzz: calamine utils.rs:48 panics; caught)",
            "市住建局.xls",
            xls_short_record,
            err(ProblemCode::CorruptFile, "表格解析器内部错误"),
        ),
        c(
            "xls whose workbook BOF record is empty (fuzz: calamine xls.rs:772; caught)",
            "市住建局.xls",
            xls_empty_bof,
            err(ProblemCode::CorruptFile, "表格解析器内部错误"),
        ),
        c(
            "xls with a defined name longer than its record (fuzz: calamine xls.rs:850; caught)",
            "市住建局.xls",
            xls_bad_defined_name,
            err(ProblemCode::CorruptFile, "表格解析器内部错误"),
        ),
        Case {
            name: "file name in GBK (not UTF-8)",
            file: GBK_NAME.to_vec(),
            build: || zhujian_with("已开工48个。", V::N(90.0)),
            expect: flagged(ProblemCode::FileNameNotUtf8, Warning, "无法识别的字符", 1),
            extra: none,
            text: None,
        },
        Case {
            name: "two byte-identical files",
            file: "市住建局_副本.xlsx".as_bytes().to_vec(),
            build: identical_zhujian,
            // the original (first by name) is merged; the copy's row counts as superseded
            expect: flagged(ProblemCode::DuplicateFile, Warning, "内容完全相同", 0),
            extra: || vec![("市住建局.xlsx".as_bytes().to_vec(), identical_zhujian())],
            text: None,
        },
    ]
}

fn with_text(mut case: Case, check: fn(&str) -> bool) -> Case {
    case.text = Some(check);
    case
}

fn os_name(bytes: &[u8]) -> OsString {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::OsStr::from_bytes(bytes).to_os_string()
}

/// Writes the good files and the case's files into a fresh folder.
fn case_folder(i: usize, case: &Case) -> PathBuf {
    let dir = common::temp_dir(&format!("hostile_{i:02}"));
    std::fs::write(dir.join("good_市科技局.xlsx"), keji_bytes()).unwrap();
    std::fs::write(dir.join("good_市发改委.xlsx"), clean_fagaiwei()).unwrap();
    std::fs::write(dir.join(os_name(&case.file)), (case.build)()).unwrap();
    for (name, bytes) in (case.extra)() {
        std::fs::write(dir.join(os_name(&name)), bytes).unwrap();
    }
    // a sub-folder and a link: reported, never followed
    let sub = dir.join("市住建局_附件");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(
        sub.join("市住建局.xlsx"),
        zhujian_with("子文件夹中", V::N(1.0)),
    )
    .unwrap();
    std::os::unix::fs::symlink("/etc/hostname", dir.join("链接.xlsx")).unwrap();
    dir
}

/// The sub-folder and the link in every case folder are reported and not read.
fn assert_folder_and_link_reported(name: &str, subs: &[Submission]) {
    for (file, code) in [
        ("市住建局_附件", ProblemCode::SubfolderNotRead),
        ("链接.xlsx", ProblemCode::LinkNotRead),
    ] {
        let sub = subs.iter().find(|s| s.file == file);
        assert!(
            sub.is_some_and(|s| s.rows_read == 0 && s.problems.iter().any(|p| p.code == code)),
            "{name}: {file} not reported as {code}: {sub:?}"
        );
    }
}

/// The good files' tasks (1 by 市发改委, 3 and 6 by 市科技局) merged from the good files.
fn assert_good_files_merged(name: &str, subs: &[Submission], merged: &Merged) {
    for good in ["good_市科技局.xlsx", "good_市发改委.xlsx"] {
        let sub = subs.iter().find(|s| s.file == good).expect(good);
        let errors: Vec<_> = sub
            .problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .collect();
        assert!(errors.is_empty(), "{name}: {good} has errors {errors:?}");
    }
    for (task, unit, file) in [
        (1, "市发改委", "good_市发改委.xlsx"),
        (3, "市科技局", "good_市科技局.xlsx"),
        (6, "市科技局", "good_市科技局.xlsx"),
    ] {
        let reports = merged
            .reports
            .get(&task)
            .map(Vec::as_slice)
            .unwrap_or_default();
        assert!(
            reports
                .iter()
                .any(|r| r.unit == unit && r.row.source.file == file),
            "{name}: task {task} of {unit} not merged from {file}: {reports:?}"
        );
    }
    assert!(
        merged.reconciliation.balances(),
        "{name}: {:?}",
        merged.reconciliation
    );
}

fn rows_merged_from(merged: &Merged, file: &str) -> u32 {
    merged
        .reports
        .values()
        .flatten()
        .filter(|r| r.row.source.file == file)
        .count() as u32
}

#[test]
fn catalogue_of_hostile_files() {
    let ctx = ctx(catalogue_limits());
    let master = common::master();
    let mut failures = Vec::new();
    for (i, case) in catalogue().iter().enumerate() {
        let dir = case_folder(i, case);
        let started = Instant::now();
        let subs = read_month(&dir, &ctx);
        let took = started.elapsed();
        let merged = merge(&master, &subs);
        assert_good_files_merged(case.name, &subs, &merged);
        assert_folder_and_link_reported(case.name, &subs);
        for sub in &subs {
            crate::intake_corpus::check_no_english(sub, &mut failures);
        }
        assert!(
            took < Duration::from_secs(20),
            "{}: took {took:?}",
            case.name
        );
        let file = String::from_utf8_lossy(&case.file).into_owned();
        let sub = subs
            .iter()
            .find(|s| s.file == file)
            .unwrap_or_else(|| panic!("{}: no submission for {file}", case.name));
        let Expect::Problem {
            code,
            severity,
            fragment,
            rows,
        } = case.expect;
        let all: Vec<String> = sub
            .problems
            .iter()
            .map(|p| {
                format!(
                    "{:?} {} {} [{}]",
                    p.severity,
                    p.code,
                    p.message,
                    p.raw.clone().unwrap_or_default()
                )
            })
            .chain(
                merged
                    .problems
                    .iter()
                    .filter(|p| {
                        p.file.as_deref() == Some(&file) && p.code == ProblemCode::DuplicateFile
                    })
                    .map(|p| format!("{:?} {} {}", p.severity, p.code, p.message)),
            )
            .collect();
        let hit = if let Some(code) = code {
            let mut problems = sub.problems.iter().chain(
                merged
                    .problems
                    .iter()
                    .filter(|p| p.code == ProblemCode::DuplicateFile),
            );
            problems.any(|p| {
                p.code == code
                    && p.severity == severity
                    && p.file.as_deref() == Some(file.as_str())
                    && (p.message.contains(fragment)
                        || p.raw.as_deref().is_some_and(|r| r.contains(fragment))
                        || p.detail.as_deref().is_some_and(|d| d.contains(fragment)))
            })
        } else {
            // read fine: no error at all
            !sub.problems.iter().any(|p| p.severity == Severity::Error)
        };
        if let Some(check) = case.text {
            let text = merged
                .reports
                .get(&4)
                .and_then(|r| r.iter().find(|r| r.row.source.file == file))
                .map(|r| r.row.progress_text.clone())
                .unwrap_or_default();
            if !check(&text) {
                failures.push(format!(
                    "{}: merged text {:?}…",
                    case.name,
                    text.chars().take(80).collect::<String>()
                ));
            }
        }
        // even a file that could not be read belongs to the unit its name gives
        if file.starts_with("市住建局") && sub.unit.as_deref() != Some("市住建局") {
            failures.push(format!("{}: unit {:?} for {file}", case.name, sub.unit));
        }
        let merged_rows = rows_merged_from(&merged, &file);
        if !hit || merged_rows != rows {
            failures.push(format!(
                "{}: expected {code:?}/{fragment:?} and {rows} merged rows; got {merged_rows} merged rows, problems {all:#?}",
                case.name
            ));
        }
        println!(
            "{:<70} {:>8.1} ms  {}",
            case.name,
            took.as_secs_f64() * 1000.0,
            all.first().map(String::as_str).unwrap_or("(no problem)")
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A byte-identical copy is one submission: the original's row is merged, the copy's findings
/// are not repeated (they would be blamed on the unit twice), the copy's row is superseded
/// without a per-row note, and one warning names the copy.
#[test]
fn identical_copy_is_counted_once() {
    let dir = common::temp_dir("identical_copy");
    // an empty 本月工作进展 gives the file a warning of its own
    let bytes = zhujian_with("", V::N(90.0));
    std::fs::write(dir.join("市住建局.xlsx"), &bytes).unwrap();
    std::fs::write(dir.join("市住建局 - 副本.xlsx"), &bytes).unwrap();
    let subs = read_month(&dir, &ctx(catalogue_limits()));
    let merged = merge(&common::master(), &subs);
    let of = |file: &str| -> Vec<ProblemCode> {
        merged
            .problems
            .iter()
            .filter(|p| p.file.as_deref() == Some(file))
            .map(|p| p.code)
            .collect()
    };
    assert_eq!(of("市住建局 - 副本.xlsx"), [ProblemCode::DuplicateFile]);
    assert_eq!(of("市住建局.xlsx"), [ProblemCode::ProgressTextEmpty]);
    let reports = merged.reports.get(&4).expect("task 4 merged");
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].row.source.file, "市住建局.xlsx");
    let r = merged.reconciliation;
    assert_eq!(
        (r.rows_read, r.merged, r.rejected, r.superseded),
        (2, 1, 0, 1)
    );
    let receipt = merged
        .receipts
        .iter()
        .find(|r| r.unit == "市住建局")
        .unwrap();
    assert_eq!((receipt.errors, receipt.warnings), (0, 2), "{receipt:?}");
}

/// Every file under `dir`, relative, with `/` separators.
fn tree(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap();
                out.push(
                    rel.components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect::<Vec<_>>()
                        .join("/"),
                );
            }
        }
    }
    out.sort();
    out
}

const HOSTILE_UNIT: &str = "市科技局/../..\\:*?\"<>|";
const FORMULA_UNIT: &str = "=市发改委+1";
const FORMULA_TEXTS: [&str; 4] = [
    "=HYPERLINK(\"http://evil.example\",\"点击查看\")",
    "+86 138 0000 0000 已联系",
    "-1 项未完成",
    "@SUM(A1:A9) 已核对",
];

/// A temporary project (repo duban.toml, templates, fonts; demo master, units and November
/// submissions) with hostile unit names, a formula-text submission, a GBK-named file that is a
/// byte copy of another submission.
fn hostile_project() -> (PathBuf, duban::config::Config) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile_project");
    let _ = std::fs::remove_dir_all(&dir);
    let cfg_path = duban_devdata::synthetic::write_project(repo, &dir, 1, &[common::NOV]).unwrap();
    // hostile names in units.toml: the master's “市科技局” / “市发改委” resolve through aliases
    let units_path = dir.join("input/units.toml");
    let mut units = std::fs::read_to_string(&units_path).unwrap();
    for (old, new) in [("市科技局", HOSTILE_UNIT), ("市发改委", FORMULA_UNIT)] {
        let from = format!("name = {old:?}\naliases = [");
        assert!(units.contains(&from), "{from}");
        units = units.replace(&from, &format!("name = {new:?}\naliases = [{old:?}, "));
    }
    std::fs::write(&units_path, units).unwrap();
    let cfg = duban::config::Config::load(&cfg_path).unwrap();
    let (master, _) = duban::load_master(&cfg).unwrap();
    let month_dir = cfg.paths.submissions.join("2026-11");
    // a later submission of the formula unit whose texts start with = + - @
    let tasks: Vec<_> = master.tasks_of_unit(FORMULA_UNIT).take(4).collect();
    assert!(!tasks.is_empty());
    let rows = tasks
        .iter()
        .zip(FORMULA_TEXTS)
        .map(|(t, text)| {
            [
                V::N(f64::from(t.number)),
                s(&t.text),
                s(text),
                V::N(50.0),
                s("序时推进"),
            ]
        })
        .collect();
    common::write_xlsx(
        &month_dir.join("市发改委_补报.xlsx"),
        &[common::form_sheet("市发改委", "2026-11-30", rows)],
    );
    // a GBK-named byte copy of another unit's submission
    let mut names: Vec<PathBuf> = std::fs::read_dir(&month_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("市住建局"))
        .collect();
    names.sort();
    let original = names.first().expect("a 市住建局 demo file");
    let mut gbk = b"\xca\xd0\xd7\xa1\xbd\xa8\xbe\xd6".to_vec(); // 市住建局 in GBK
    gbk.extend(b"_copy.xlsx");
    std::fs::copy(original, month_dir.join(os_name(&gbk))).unwrap();
    (dir, cfg)
}

fn unzip_texts(xlsx: &[u8]) -> Vec<(String, String)> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut out = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().map(|n| n.into_owned()).unwrap_or_default();
        if name.ends_with(".xml") {
            let mut s = String::new();
            f.read_to_string(&mut s).unwrap();
            out.push((name, s));
        }
    }
    out
}

#[test]
fn whole_run_with_hostile_names_stays_inside_and_keeps_text() {
    let (dir, cfg) = hostile_project();
    let before: Vec<String> = tree(&dir)
        .into_iter()
        .filter(|p| !p.starts_with("output/"))
        .collect();
    let opts = duban::pipeline::RunOptions {
        month: Some(common::NOV),
        as_of: None,
        force: false,
    };
    let summary = duban::pipeline::run(&cfg, &opts, &duban::pipeline::Silent).unwrap();
    assert!(
        summary.reconciliation.balances(),
        "{:?}",
        summary.reconciliation
    );

    // nothing written outside output/2026-11/
    let after = tree(&dir);
    let outside: Vec<&String> = after
        .iter()
        .filter(|p| !p.starts_with("output/2026-11/") && !before.contains(p))
        // the archive ledger beside the month folders
        .filter(|p| p.as_str() != format!("output/{}", duban::archive::LEDGER))
        .collect();
    assert!(
        outside.is_empty(),
        "files outside the month folder: {outside:?}"
    );
    let month_files: Vec<&str> = after
        .iter()
        .filter_map(|p| p.strip_prefix("output/2026-11/"))
        .collect();
    for f in &month_files {
        for bad in ["..", ":", "*", "?", "\"", "<", ">", "|", "\\"] {
            assert!(!f.contains(bad), "unsafe output name {f:?}");
        }
    }
    // the hostile units still got their notice and email, under sanitised names
    for stem in ["市科技局_", "=市发改委+1"] {
        assert!(
            month_files
                .iter()
                .any(|f| f.contains(stem) && f.ends_with(".pdf")),
            "no PDF for {stem}: {month_files:#?}"
        );
        assert!(
            month_files
                .iter()
                .any(|f| f.contains(stem) && f.ends_with(".eml")),
            "no email for {stem}"
        );
    }

    // the 汇总表: texts starting with = + - @ are strings, never formulas
    let out = dir.join("output/2026-11");
    let xlsx_name = month_files.iter().find(|f| f.ends_with(".xlsx")).unwrap();
    let parts = unzip_texts(&std::fs::read(out.join(xlsx_name)).unwrap());
    let all_xml: String = parts.iter().map(|(_, x)| x.as_str()).collect();
    for text in FORMULA_TEXTS {
        let escaped = text
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        assert!(all_xml.contains(&escaped), "{text} missing from the 汇总表");
    }
    for (name, xml) in &parts {
        for f in xml.split("<f>").skip(1).chain(xml.split("<f ").skip(1)) {
            let formula = f.split("</f>").next().unwrap_or("");
            assert!(
                !formula.contains("HYPERLINK")
                    && !formula.contains("SUM(A1:A9)")
                    && !formula.contains("市发改委"),
                "{name} has a formula from input: {formula}"
            );
        }
    }

    // 清单.csv: cells starting with = + - @ are guarded
    let csv = std::fs::read_to_string(out.join("邮件/清单.csv")).unwrap();
    assert!(csv.contains("'=市发改委+1"), "{csv}");
    // read as CSV (quoted cells may hold commas and line breaks), the cells as written
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let cells: Vec<String> = reader
        .records()
        .map(|r| r.expect("清单.csv is CSV"))
        .flat_map(|r| r.iter().map(str::to_string).collect::<Vec<_>>())
        .collect();
    assert!(cells.iter().any(|c| c == "'=市发改委+1"), "{cells:?}");
    for cell in &cells {
        assert!(
            !cell.starts_with(['=', '+', '-', '@']),
            "unguarded CSV cell {cell:?}"
        );
    }

    // run.json lists every submission, the GBK-named one included
    let run_json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
    let inputs = run_json["inputs"].as_array().unwrap();
    let submitted = std::fs::read_dir(cfg.paths.submissions.join("2026-11"))
        .unwrap()
        .count();
    let listed = inputs
        .iter()
        .filter(|i| {
            i["path"]
                .as_str()
                .unwrap_or("")
                .contains("submissions/2026-11/")
        })
        .count();
    assert_eq!(listed, submitted, "{inputs:#?}");
    // the copy is reported as identical and its rows merged once
    let problems_xml = parts
        .iter()
        .find(|(_, x)| x.contains("duplicate_file") || x.contains("内容完全相同"));
    assert!(problems_xml.is_some(), "duplicate_file not in the 汇总表");
}

/// Peak resident memory of this process, in KiB.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

/// Run by `zip_bomb_memory_and_time_with_default_limits` in a fresh process: reads bombs with
/// the shipped limits and prints one line per bomb (code, milliseconds) and the peak RSS.
#[test]
#[ignore = "child process of zip_bomb_memory_and_time_with_default_limits"]
fn zz_bomb_child() {
    if std::env::var_os("DUBAN_BOMB_CHILD").is_none() {
        return;
    }
    let ctx = ctx(Limits::default());
    let dir = common::temp_dir("bomb_child");
    let bombs: [(&str, Vec<u8>); 4] = [
        ("declared-1GiB", bomb_xlsx(1 << 30, None)),
        ("lying-1GiB", bomb_xlsx(1 << 30, Some(1_000))),
        ("lying-zero-1GiB", bomb_xlsx(1 << 30, Some(0))),
        // under the 200 MB limit, but 33 million empty rows: refused by the XML tag count
        ("empty-rows-190MB", bomb_xlsx(190 << 20, None)),
    ];
    for (name, bytes) in bombs {
        let path = dir.join("市住建局.xlsx");
        std::fs::write(&path, &bytes).unwrap();
        let started = Instant::now();
        let sub = duban::intake::read_submission(&path, &ctx);
        let ms = started.elapsed().as_millis();
        let code = sub.problems.first().map_or("none", |p| p.code.as_str());
        println!("BOMB {name} {} {code} {ms}", bytes.len());
    }
    println!("PEAK {}", peak_rss_kib());
}

#[test]
fn zip_bomb_memory_and_time_with_default_limits() {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "hostile_inputs::zz_bomb_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("DUBAN_BOMB_CHILD", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<Vec<&str>> = stdout
        .lines()
        .filter_map(|l| l.find("BOMB ").or_else(|| l.find("PEAK ")).map(|i| &l[i..]))
        .map(|l| l.split(' ').collect())
        .collect();
    println!("{stdout}");
    let expect = [
        ("declared-1GiB", ProblemCode::InflatedTooLarge),
        ("lying-1GiB", ProblemCode::CorruptFile),
        ("lying-zero-1GiB", ProblemCode::CorruptFile),
        ("empty-rows-190MB", ProblemCode::SheetTooLarge),
    ];
    for (name, code) in expect {
        let line = lines
            .iter()
            .find(|l| l.get(1) == Some(&name))
            .unwrap_or_else(|| panic!("{name} missing: {stdout}"));
        let bytes: u64 = line[2].parse().unwrap();
        assert!(
            bytes < 8 << 20,
            "{name}: the bomb file is small ({bytes} bytes)"
        );
        assert_eq!(line[3], code.as_str(), "{name}");
        let ms: u64 = line[4].parse().unwrap();
        // generous: debug build, and the machine may be busy (release: well under a second)
        assert!(ms < 30_000, "{name}: {ms} ms");
    }
    let peak: u64 = lines
        .iter()
        .find(|l| l[0] == "PEAK")
        .and_then(|l| l[1].parse().ok())
        .unwrap();
    // the bombs inflate to 1 GiB; the process (fixtures included) stays far below that
    assert!(peak < 256 * 1024, "peak RSS {peak} KiB");
}
