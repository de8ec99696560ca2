//! Intake, validation, merge and the check report on fixture workbooks made by code
//! (rust_xlsxwriter; see tests/integration/common). The .xls/.ods fixtures in tests/fixtures/ were made
//! from rust_xlsxwriter output with LibreOffice headless; see `xls_and_ods_fixtures`.

use crate::common;
use duban::model::ProblemCode;

use common::*;
use duban::check::render_check_report;
use duban::intake::{read_month, read_submission};
use duban::merge::merge;
use duban::model::{PreviousTask, ReportedStatus, Severity, Submission};
use std::collections::BTreeMap;
use std::path::Path;

fn codes(sub: &Submission) -> Vec<ProblemCode> {
    sub.problems.iter().map(|p| p.code).collect()
}

fn errors(sub: &Submission) -> Vec<&duban::model::Problem> {
    sub.problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .collect()
}

fn problem(sub: &Submission, code: ProblemCode) -> &duban::model::Problem {
    sub.problems
        .iter()
        .find(|p| p.code == code)
        .unwrap_or_else(|| panic!("no {code} in {:#?}", sub.problems))
}

fn percent_of(sub: &Submission, task: u32) -> Option<f64> {
    sub.rows
        .iter()
        .find(|r| r.task == task)
        .and_then(|r| r.percent)
}

fn one_file(name: &str, file: &str, sheets: &[SheetSpec]) -> Submission {
    let dir = temp_dir(name);
    let path = dir.join(file);
    write_xlsx(&path, sheets);
    read_submission(&path, &ctx())
}

fn keji(rows: Vec<[V; 5]>) -> Vec<SheetSpec> {
    vec![form_sheet("市科技局", "2026-11-25", rows)]
}

#[test]
fn clean_form_is_read_completely() {
    let dir = temp_dir("clean");
    let path = dir.join("市科技局.xlsx");
    clean_keji(&path);
    let sub = read_submission(&path, &ctx());
    assert_eq!(sub.unit.as_deref(), Some("市科技局"));
    assert_eq!(sub.reporter.as_deref(), Some("张三"));
    assert_eq!(sub.phone.as_deref(), Some("0471-1234567"));
    assert_eq!(
        sub.reported_on,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 25)
    );
    assert_eq!(
        (sub.rows_read, sub.rows_rejected, sub.rows.len()),
        (2, 0, 2)
    );
    assert!(sub.problems.is_empty(), "{:#?}", sub.problems);
    let r = &sub.rows[0];
    assert_eq!(
        (r.task, r.percent, r.status),
        (3, Some(80.0), Some(ReportedStatus::OnTrack))
    );
    assert_eq!(r.progress_text, "已实施重大项目8个。");
    assert_eq!((r.source.sheet.as_str(), r.source.row), ("进展情况", 3));
    assert_eq!(sub.sha256.len(), 64);
}

#[test]
fn percent_formatted_cells_75_and_a_true_1() {
    let sub = one_file(
        "percent",
        "市科技局.xlsx",
        &keji(vec![
            [
                V::N(3.0),
                s("实施科技创新重大项目10个以上"),
                s("进展"),
                V::Pct(0.75),
                V::Blank,
            ],
            [
                V::N(6.0),
                s("培育高新技术企业100家"),
                s("进展"),
                V::Pct(0.01),
                V::Blank,
            ],
        ]),
    );
    assert_eq!(percent_of(&sub, 3), Some(75.0));
    assert_eq!(percent_of(&sub, 6), Some(1.0));
    // a plain 1 in a cell without percent format is 1 point, not 100
    let plain = one_file(
        "percent_plain",
        "市科技局.xlsx",
        &keji(vec![[
            V::N(3.0),
            s("实施科技创新重大项目10个以上"),
            s("进展"),
            V::N(1.0),
            V::Blank,
        ]]),
    );
    assert_eq!(percent_of(&plain, 3), Some(1.0));
}

#[test]
fn progress_written_every_usual_way() {
    let forms = ["80", "80%", "８０％", "约80%"];
    for (i, form) in forms.iter().enumerate() {
        let sub = one_file(
            &format!("progress_{i}"),
            "市科技局.xlsx",
            &keji(vec![[
                V::N(3.0),
                s("实施科技创新重大项目10个以上"),
                s("进展"),
                s(form),
                V::Blank,
            ]]),
        );
        assert_eq!(percent_of(&sub, 3), Some(80.0), "{form}");
    }
    let done = one_file(
        "progress_done",
        "市科技局.xlsx",
        &keji(vec![[
            V::N(3.0),
            s("实施科技创新重大项目10个以上"),
            s("进展"),
            s("已完成"),
            V::Blank,
        ]]),
    );
    assert_eq!(percent_of(&done, 3), Some(100.0));
    assert_eq!(
        done.rows[0].status,
        Some(ReportedStatus::Done),
        "blank status derived from 100"
    );
}

#[test]
fn task_numbers_written_every_usual_way() {
    for (i, n) in [V::N(3.0), s("3"), s("３"), s("第3项"), s(" 3 ")]
        .into_iter()
        .enumerate()
    {
        let sub = one_file(
            &format!("number_{i}"),
            "市科技局.xlsx",
            &keji(vec![[
                n.clone(),
                s("实施科技创新重大项目10个以上"),
                s("进展"),
                V::N(50.0),
                V::Blank,
            ]]),
        );
        assert_eq!(
            sub.rows.first().map(|r| r.task),
            Some(3),
            "{n:?}: {:#?}",
            sub.problems
        );
    }
}

#[test]
fn status_synonyms_and_derived_status() {
    let sub = one_file(
        "status",
        "市科技局.xlsx",
        &keji(vec![
            [
                V::N(3.0),
                s("实施科技创新重大项目10个以上"),
                s("进展"),
                V::N(50.0),
                s("正常推进"),
            ],
            [
                V::N(6.0),
                s("培育高新技术企业100家"),
                s("进展"),
                V::N(0.0),
                V::Blank,
            ],
        ]),
    );
    assert_eq!(sub.rows[0].status, Some(ReportedStatus::OnTrack));
    assert_eq!(sub.rows[1].status, Some(ReportedStatus::NotStarted));
    let lag = one_file(
        "status_lag",
        "市科技局.xlsx",
        &keji(vec![[
            V::N(3.0),
            s("实施科技创新重大项目10个以上"),
            s("进展"),
            V::N(30.0),
            s("进度滞后"),
        ]]),
    );
    assert_eq!(lag.rows[0].status, Some(ReportedStatus::Lagging));
}

#[test]
fn header_anywhere_in_first_20_rows_reordered_renamed_with_extra_columns() {
    let mut sh = SheetSpec::new("Sheet1");
    sh.set(0, 0, s("附件2"));
    sh.set(5, 1, s("填报单位"));
    sh.set(5, 3, s("呼和浩特市科学技术局"));
    sh.set(6, 1, s("填报日期"));
    sh.set(6, 2, V::N(46351.0)); // 2026-11-25 as an Excel serial
    // header on row 16 (0-based 15): reordered, synonyms, line breaks and spaces, extra column
    let header = [
        "牵头领导",
        "完成\n比例（%）",
        "编 号",
        "推进情况",
        "任务目标",
        "完成状态",
        "存在的问题",
        "下步工作打算",
    ];
    sh.row(15, header.iter().map(|h| s(h)).collect());
    sh.row(
        16,
        vec![
            s("刘继英"),
            V::N(60.0),
            V::N(3.0),
            s("进展顺利"),
            s("实施科技创新重大项目10个以上"),
            s("推进中"),
            s("资金不足"),
            s("加快推进"),
        ],
    );
    sh.row(17, vec![V::Blank; 8]);
    let sub = one_file("header_moved", "进展表.xlsx", &[sh]);
    assert_eq!(sub.unit.as_deref(), Some("市科技局"));
    assert_eq!(
        sub.reported_on,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 25)
    );
    assert_eq!(sub.rows.len(), 1, "{:#?}", sub.problems);
    let r = &sub.rows[0];
    assert_eq!(
        (r.task, r.percent, r.status),
        (3, Some(60.0), Some(ReportedStatus::OnTrack))
    );
    assert_eq!(
        (r.issues.as_str(), r.next_steps.as_str()),
        ("资金不足", "加快推进")
    );
}

#[test]
fn header_below_row_20_is_not_found() {
    let mut sh = SheetSpec::new("Sheet1");
    sh.row(22, HEADERS.iter().map(|h| s(h)).collect());
    sh.row(23, vec![V::N(3.0), s("x"), s(""), s("进展"), V::N(10.0)]);
    let sub = one_file("header_too_low", "市科技局.xlsx", &[sh]);
    assert_eq!(codes(&sub), [ProblemCode::NoHeader]);
    assert_eq!(errors(&sub)[0].file.as_deref(), Some("市科技局.xlsx"));
}

#[test]
fn continuation_rows_join_their_task_and_a_different_progress_warns() {
    let mut sheets = keji(vec![
        [
            V::N(3.0),
            s("实施科技创新重大项目10个以上"),
            s("总体进展顺利。"),
            V::N(60.0),
            s("序时推进"),
        ],
        [
            V::Blank,
            s("（1）人工智能项目"),
            s("已签约。"),
            V::N(70.0),
            V::Blank,
        ],
        [
            V::Blank,
            V::Blank,
            s("另有两个项目在谈。"),
            V::Blank,
            V::Blank,
        ],
        [
            V::N(6.0),
            s("培育高新技术企业100家"),
            s("新认定95家。"),
            V::N(95.0),
            V::Blank,
        ],
    ]);
    sheets[0].set(4, 7, s("用地指标紧张"));
    let sub = one_file("continuation", "市科技局.xlsx", &sheets);
    assert_eq!(sub.rows_read, 2);
    let r = &sub.rows[0];
    assert_eq!(
        r.progress_text,
        "总体进展顺利。\n（1）人工智能项目：已签约。\n另有两个项目在谈。"
    );
    assert_eq!(r.percent, Some(60.0), "the task row's progress counts");
    assert_eq!(r.issues, "用地指标紧张");
    let p = problem(&sub, ProblemCode::SubRowProgressDiffers);
    assert_eq!(
        (p.cell.as_deref(), p.raw.as_deref(), p.severity),
        (Some("E5"), Some("70"), Severity::Warning)
    );
}

#[test]
fn merged_cells_trailing_blank_rows_and_whitespace() {
    let mut sh = form_sheet(
        "市科技局",
        "2026-11-25",
        vec![
            [
                V::Blank,
                s("实施科技创新重大项目\n10个以上"),
                s("  完成两项。\r\n\r\n  推进中  "),
                V::N(40.0),
                V::Blank,
            ],
            [
                V::Blank,
                V::Blank,
                s("第二个分项已开工"),
                V::Blank,
                V::Blank,
            ],
            [
                V::N(6.0),
                s("培育高新技术企业100家 "),
                s("\t新认定95家"),
                V::N(95.0),
                V::Blank,
            ],
        ],
    );
    // 序号 merged over the task row and its sub-row; a merged title; blank rows after the table
    sh.merges.push((3, 0, 4, 0, "3".into()));
    sh.merges
        .push((0, 0, 0, 9, "2026年重点任务推进情况表".into()));
    sh.set(40, 0, s(" "));
    let sub = one_file("merged", "市科技局.xlsx", &[sh]);
    assert!(errors(&sub).is_empty(), "{:#?}", sub.problems);
    assert_eq!(sub.rows_read, 2);
    assert_eq!(sub.rows[0].task, 3);
    assert_eq!(
        sub.rows[0].progress_text,
        "完成两项。\n推进中\n第二个分项已开工"
    );
    assert_eq!(sub.rows[1].progress_text, "新认定95家");
    assert!(
        !codes(&sub).contains(&ProblemCode::TaskTextDiffers),
        "{:#?}",
        sub.problems
    );
}

#[test]
fn missing_number_resolved_from_task_text() {
    let sub = one_file(
        "no_number",
        "市科技局.xlsx",
        &keji(vec![
            [
                V::N(3.0),
                s("实施科技创新重大项目10个以上"),
                s("进展"),
                V::N(40.0),
                V::Blank,
            ],
            [
                V::Blank,
                s("培育高新技术企业100家"),
                s("新认定95家"),
                V::N(95.0),
                V::Blank,
            ],
        ]),
    );
    assert_eq!(sub.rows.iter().map(|r| r.task).collect::<Vec<_>>(), [3, 6]);
    let p = problem(&sub, ProblemCode::TaskNumberFromText);
    assert_eq!(
        (p.severity, p.cell.as_deref(), p.task),
        (Severity::Warning, Some("A5"), Some(6))
    );
}

#[test]
fn several_sheets_instructions_ignored_and_block_label_then_value() {
    let mut notes = SheetSpec::new("填表说明");
    notes.set(0, 0, s("1. 序号、任务目标不得修改。"));
    notes.set(1, 0, s("2. 完成进度填 0–100 的数字。"));
    let mut a = SheetSpec::new("一季度任务");
    a.set(0, 0, s("填报单位"));
    a.set(0, 2, s("市科技局"));
    a.set(0, 4, s("填报日期"));
    a.set(0, 5, s("2026年11月25日"));
    a.row(1, HEADERS.iter().map(|h| s(h)).collect());
    a.row(
        2,
        vec![
            V::N(3.0),
            s("实施科技创新重大项目10个以上"),
            s(""),
            s("进展"),
            V::N(50.0),
        ],
    );
    let mut b = SheetSpec::new("其他任务");
    b.row(0, HEADERS.iter().map(|h| s(h)).collect());
    b.row(
        1,
        vec![
            V::N(6.0),
            s("培育高新技术企业100家"),
            s(""),
            s("进展"),
            V::N(90.0),
        ],
    );
    let sub = one_file("sheets", "报表.xlsx", &[notes, a, b]);
    assert_eq!(sub.unit.as_deref(), Some("市科技局"));
    assert_eq!(
        sub.reported_on,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 25)
    );
    assert_eq!(
        sub.rows
            .iter()
            .map(|r| (r.task, r.source.sheet.as_str()))
            .collect::<Vec<_>>(),
        [(3, "一季度任务"), (6, "其他任务")]
    );
}

#[test]
fn report_date_forms() {
    for (i, form) in [
        s("2026/11/25"),
        s("11月25日"),
        s("2026-11-25"),
        V::N(46351.0),
    ]
    .into_iter()
    .enumerate()
    {
        let mut sh = form_sheet(
            "市科技局",
            "",
            vec![[
                V::N(3.0),
                s("实施科技创新重大项目10个以上"),
                s("进展"),
                V::N(50.0),
                V::Blank,
            ]],
        );
        sh.set(1, 8, form.clone());
        let sub = one_file(&format!("date_{i}"), "市科技局.xlsx", &[sh]);
        assert_eq!(
            sub.reported_on,
            chrono::NaiveDate::from_ymd_opt(2026, 11, 25),
            "{form:?}"
        );
    }
}

#[test]
fn unit_from_block_file_name_or_tasks_and_conflicts() {
    let row = || {
        vec![[
            V::N(3.0),
            s("实施科技创新重大项目10个以上"),
            s("进展"),
            V::N(50.0),
            V::Blank,
        ]]
    };
    // file name only (block blank), with surrounding words
    let by_name = one_file(
        "unit_name",
        "附件2-呼和浩特市科学技术局-重点任务进展（11月）.xlsx",
        &[form_sheet("", "2026-11-25", row())],
    );
    assert_eq!(by_name.unit.as_deref(), Some("市科技局"));
    // tasks only
    let by_tasks = one_file(
        "unit_tasks",
        "11月进展.xlsx",
        &[form_sheet("", "2026-11-25", row())],
    );
    assert_eq!(by_tasks.unit.as_deref(), Some("市科技局"));
    // conflict: block says 市发改委, file name says 市科技局 → error, nothing merged
    let conflict = one_file(
        "unit_conflict",
        "市科技局.xlsx",
        &[form_sheet("市发改委", "2026-11-25", row())],
    );
    assert_eq!(conflict.unit, None);
    let p = problem(&conflict, ProblemCode::UnitConflict);
    assert_eq!(
        (p.severity, p.cell.as_deref(), p.raw.as_deref()),
        (Severity::Error, Some("A2"), Some("市发改委"))
    );
    assert_eq!((conflict.rows.len(), conflict.rows_rejected), (0, 1));
    // nothing to go on: task 5 has two units
    let unknown = one_file(
        "unit_unknown",
        "11月进展.xlsx",
        &[form_sheet(
            "",
            "2026-11-25",
            vec![[
                V::N(5.0),
                s("推进黄河流域生态保护和高质量发展"),
                s("进展"),
                V::N(50.0),
                V::Blank,
            ]],
        )],
    );
    assert_eq!(
        problem(&unknown, ProblemCode::UnitUnknown).severity,
        Severity::Error
    );
    assert_eq!(unknown.rows_rejected, 1);
}

#[test]
fn row_errors_reject_the_row_with_cell_and_raw_value() {
    let sub = one_file(
        "row_errors",
        "市科技局.xlsx",
        &keji(vec![
            [
                V::N(99.0),
                s("不存在的任务"),
                s("进展"),
                V::N(50.0),
                V::Blank,
            ],
            [
                V::N(2.0),
                s("新建5G基站2000个，推进千兆光网城市建设"),
                s("进展"),
                V::N(50.0),
                V::Blank,
            ],
            [
                V::N(3.0),
                s("实施科技创新重大项目10个以上"),
                s("进展"),
                s("过半"),
                V::Blank,
            ],
            [
                V::N(6.0),
                s("培育高新技术企业100家"),
                s("进展"),
                V::N(120.0),
                V::Blank,
            ],
            [
                V::N(3.0),
                s("实施科技创新重大项目10个以上"),
                s("进展"),
                V::Err("#DIV/0!"),
                V::Blank,
            ],
        ]),
    );
    let want = [
        (ProblemCode::UnknownTask, "A4", "99"),
        (ProblemCode::TaskNotAssigned, "A5", "2"),
        (ProblemCode::ProgressNotNumber, "E6", "过半"),
        (ProblemCode::ProgressOutOfRange, "E7", "120"),
        (ProblemCode::FormulaError, "E8", "#DIV/0!"),
    ];
    for (code, cell, raw) in want {
        let p = problem(&sub, code);
        assert_eq!(
            (p.severity, p.cell.as_deref(), p.raw.as_deref()),
            (Severity::Error, Some(cell), Some(raw)),
            "{code}"
        );
        assert_eq!(p.file.as_deref(), Some("市科技局.xlsx"));
        assert_eq!(p.sheet.as_deref(), Some("进展情况"));
        assert_eq!(p.unit.as_deref(), Some("市科技局"));
        assert!(
            p.message.contains("请"),
            "{code}: message says what to do: {}",
            p.message
        );
    }
    assert_eq!(
        (sub.rows_read, sub.rows_rejected, sub.rows.len()),
        (5, 5, 0)
    );
}

#[test]
fn row_warnings_keep_the_row() {
    let sub = one_file(
        "row_warnings",
        "市科技局.xlsx",
        &keji(vec![
            [
                V::N(3.0),
                s("实施科技创新重大项目10个以上"),
                s("进展"),
                V::N(60.0),
                s("已完成"),
            ],
            [
                V::N(6.0),
                s("培育高新技术企业 ２００ 家"),
                V::Blank,
                V::N(40.0),
                s("未启动"),
            ],
        ]),
    );
    assert_eq!(sub.rows.len(), 2);
    let p = problem(&sub, ProblemCode::StatusContradictsProgress);
    assert_eq!(
        (p.severity, p.cell.as_deref(), p.raw.as_deref()),
        (Severity::Warning, Some("F4"), Some("已完成"))
    );
    assert_eq!(
        sub.problems
            .iter()
            .filter(|p| p.code == ProblemCode::StatusContradictsProgress)
            .count(),
        2
    );
    assert_eq!(
        problem(&sub, ProblemCode::ProgressTextEmpty)
            .cell
            .as_deref(),
        Some("D5")
    );
    let t = problem(&sub, ProblemCode::TaskTextDiffers);
    assert_eq!((t.cell.as_deref(), t.task), (Some("B5"), Some(6)));
    assert!(errors(&sub).is_empty());
}

#[test]
fn report_date_outside_month_or_in_future() {
    for (date, code) in [
        ("2026-10-20", ProblemCode::ReportDateOutsideMonth),
        ("2026-12-05", ProblemCode::ReportDateFuture),
    ] {
        let dir = temp_dir(code.as_str());
        let path = dir.join("市科技局.xlsx");
        write_xlsx(
            &path,
            &[form_sheet(
                "市科技局",
                date,
                vec![[
                    V::N(3.0),
                    s("实施科技创新重大项目10个以上"),
                    s("进展"),
                    V::N(50.0),
                    V::Blank,
                ]],
            )],
        );
        let sub = read_submission(&path, &ctx());
        let p = problem(&sub, code);
        assert_eq!(
            (p.severity, p.cell.as_deref(), p.raw.as_deref()),
            (Severity::Warning, Some("I2"), Some(date))
        );
        assert_eq!(sub.rows.len(), 1);
    }
}

#[test]
fn last_month_regression_and_copied_text() {
    let dir = temp_dir("previous");
    let path = dir.join("市科技局.xlsx");
    clean_keji(&path);
    let mut prev = BTreeMap::new();
    prev.insert(
        3,
        PreviousTask {
            percent: Some(85.0),
            progress_text: "上月进展".into(),
            ..Default::default()
        },
    );
    prev.insert(
        6,
        PreviousTask {
            percent: Some(50.0),
            progress_text: "新认定高新技术企业95家".into(),
            ..Default::default()
        },
    );
    let sub = read_submission(&path, &ctx_with(Some(prev)));
    let r = problem(&sub, ProblemCode::ProgressRegressed);
    assert_eq!(
        (r.task, r.cell.as_deref(), r.raw.as_deref()),
        (Some(3), Some("E4"), Some("80"))
    );
    let c = problem(&sub, ProblemCode::ProgressCopied);
    assert_eq!((c.task, c.cell.as_deref()), (Some(6), Some("D5")));
    assert_eq!(sub.rows.len(), 2);
}

/// A row for another unit's task is rejected; last month's figures of that task belong to the
/// other unit and must not produce month-over-month warnings for this one.
#[test]
fn other_units_task_gets_no_month_over_month_warnings() {
    let dir = temp_dir("previous_other");
    let path = dir.join("市科技局.xlsx");
    write_xlsx(
        &path,
        &keji(vec![[
            V::N(1.0),
            s("全市地区生产总值增长6%左右"),
            s("上月进展"),
            V::N(40.0),
            V::Blank,
        ]]),
    );
    let mut prev = BTreeMap::new();
    prev.insert(
        1,
        PreviousTask {
            percent: Some(100.0),
            progress_text: "上月进展".into(),
            ..Default::default()
        },
    );
    let sub = read_submission(&path, &ctx_with(Some(prev)));
    let codes: Vec<ProblemCode> = sub.problems.iter().map(|p| p.code).collect();
    assert!(codes.contains(&ProblemCode::TaskNotAssigned), "{codes:?}");
    assert!(
        !codes.contains(&ProblemCode::ProgressRegressed),
        "{codes:?}"
    );
    assert!(!codes.contains(&ProblemCode::ProgressCopied), "{codes:?}");
    assert!(sub.rows.is_empty());
}

#[test]
fn same_task_twice_in_a_file_counts_once() {
    let dir = temp_dir("dup");
    let path = dir.join("市科技局.xlsx");
    write_xlsx(
        &path,
        &keji(vec![
            [
                V::N(3.0),
                s("实施科技创新重大项目10个以上"),
                s("旧"),
                V::N(50.0),
                V::Blank,
            ],
            [
                V::N(6.0),
                s("培育高新技术企业100家"),
                s("进展"),
                V::N(50.0),
                V::Blank,
            ],
            [
                V::N(3.0),
                s("实施科技创新重大项目10个以上"),
                s("新"),
                V::N(60.0),
                V::Blank,
            ],
        ]),
    );
    let sub = read_submission(&path, &ctx());
    // The warning sits on the row not used (A4) and names the one used (row 6).
    let dup = problem(&sub, ProblemCode::DuplicateTask);
    assert_eq!(dup.cell.as_deref(), Some("A4"));
    assert!(
        dup.message.contains("第 6 行") && dup.message.contains("以后一行为准"),
        "{}",
        dup.message
    );
    let c = ctx();
    let merged = merge(c.master, std::slice::from_ref(&sub));
    let r = merged.reconciliation;
    assert_eq!(
        (r.rows_read, r.merged, r.rejected, r.superseded),
        (3, 2, 0, 1)
    );
    assert_eq!(merged.reports[&3][0].row.progress_text, "新");
    assert!(
        merged
            .problems
            .iter()
            .any(|p| p.code == ProblemCode::Superseded && p.cell.as_deref() == Some("A4"))
    );
}

#[test]
fn merge_later_date_wins_two_lead_units_receipts_and_missing_tasks() {
    let dir = temp_dir("merge");
    let row3 = |text: &str, pct: f64| {
        [
            V::N(3.0),
            s("实施科技创新重大项目10个以上"),
            s(text),
            V::N(pct),
            V::Blank,
        ]
    };
    // two files from 市科技局: the one dated later wins even though its name sorts first
    write_xlsx(
        &dir.join("a-市科技局-更正.xlsx"),
        &[form_sheet(
            "市科技局",
            "2026-11-28",
            vec![row3("更正后", 70.0)],
        )],
    );
    write_xlsx(
        &dir.join("b-市科技局.xlsx"),
        &[form_sheet(
            "市科技局",
            "2026-11-20",
            vec![row3("初报", 60.0)],
        )],
    );
    // the two-lead-unit task 5, from both units
    let row5 = |t: &str| {
        vec![[
            V::N(5.0),
            s("推进黄河流域生态保护和高质量发展"),
            s(t),
            V::N(50.0),
            V::Blank,
        ]]
    };
    write_xlsx(
        &dir.join("土左旗.xlsx"),
        &[form_sheet(
            "土默特左旗人民政府",
            "2026-11-25",
            row5("土左旗进展"),
        )],
    );
    write_xlsx(
        &dir.join("托县.xlsx"),
        &[form_sheet(
            "托克托县人民政府",
            "2026-11-25",
            row5("托县进展"),
        )],
    );
    let c = ctx();
    let subs = read_month(&dir, &c);
    let merged = merge(c.master, &subs);
    assert_eq!(merged.reports[&3].len(), 1);
    assert_eq!(merged.reports[&3][0].row.progress_text, "更正后");
    let units5: Vec<&str> = merged.reports[&5].iter().map(|r| r.unit.as_str()).collect();
    assert_eq!(units5, ["土左旗政府", "托县政府"]);
    let r = merged.reconciliation;
    assert_eq!(
        (r.rows_read, r.merged, r.rejected, r.superseded),
        (4, 3, 0, 1)
    );
    let sup = merged
        .problems
        .iter()
        .find(|p| p.code == ProblemCode::Superseded)
        .unwrap();
    assert_eq!(sup.file.as_deref(), Some("b-市科技局.xlsx"));
    // receipts for every unit of the master, in master order
    let names: Vec<&str> = merged.receipts.iter().map(|r| r.unit.as_str()).collect();
    assert_eq!(
        names,
        [
            "市发改委",
            "市科技局",
            "市工信局",
            "市住建局",
            "土左旗政府",
            "托县政府"
        ]
    );
    let keji = &merged.receipts[1];
    assert!(keji.received && keji.files.len() == 2 && keji.rows_read == 2 && keji.rows_merged == 1);
    assert!(!merged.receipts[0].received);
    // 市科技局 did not report task 6
    let missing = merged
        .problems
        .iter()
        .find(|p| p.code == ProblemCode::TasksMissing)
        .unwrap();
    assert_eq!(
        (missing.unit.as_deref(), missing.severity),
        (Some("市科技局"), Severity::Warning)
    );
    assert!(missing.message.contains('6'));
    let report = render_check_report(&subs, &merged);
    assert!(
        report.contains(
            "核对：读取 4 行 = 合并 3 行 + 驳回 0 行 + 被取代 1 行 + 未填报 0 行（相符）"
        ),
        "{report}"
    );
    assert!(
        report.contains("未报送单位（3 个）：市发改委、市工信局、市住建局"),
        "{report}"
    );
}

#[test]
fn broken_files_are_reported_and_the_others_still_merge() {
    let dir = temp_dir("broken");
    clean_keji(&dir.join("市科技局.xlsx"));
    write_xlsx(
        &dir.join("市住建局.xlsx"),
        &[form_sheet(
            "市住建局",
            "2026-11-25",
            vec![[
                V::N(4.0),
                s("完成老旧小区改造50个"),
                s("已开工40个"),
                V::N(80.0),
                V::Blank,
            ]],
        )],
    );
    // corrupt: a good workbook cut in half
    let mut good = Vec::new();
    clean_keji(&dir.join("tmp.xlsx"));
    good.extend(std::fs::read(dir.join("tmp.xlsx")).unwrap());
    std::fs::remove_file(dir.join("tmp.xlsx")).unwrap();
    std::fs::write(dir.join("市发改委.xlsx"), &good[..good.len() / 2]).unwrap();
    // a text file renamed .xlsx, an empty workbook, an empty file, a lock file, a PDF
    std::fs::write(dir.join("市工信局.xlsx"), "这是一封邮件的正文，不是表格。").unwrap();
    write_xlsx(&dir.join("空白.xlsx"), &[SheetSpec::new("Sheet1")]);
    std::fs::write(dir.join("零字节.xlsx"), b"").unwrap();
    std::fs::write(dir.join("~$市科技局.xlsx"), b"lock").unwrap();
    std::fs::write(dir.join("扫描件.pdf"), b"%PDF-1.4").unwrap();
    let c = ctx();
    let subs = read_month(&dir, &c);
    let files: Vec<&str> = subs.iter().map(|s| s.file.as_str()).collect();
    assert_eq!(
        files,
        [
            "市住建局.xlsx",
            "市发改委.xlsx",
            "市工信局.xlsx",
            "市科技局.xlsx",
            "扫描件.pdf",
            "空白.xlsx",
            "零字节.xlsx"
        ]
    );
    let code_of = |f: &str| subs.iter().find(|s| s.file == f).map(codes).unwrap();
    assert_eq!(code_of("市发改委.xlsx"), [ProblemCode::CorruptFile]);
    assert_eq!(code_of("市工信局.xlsx"), [ProblemCode::NotAWorkbook]);
    assert_eq!(code_of("空白.xlsx"), [ProblemCode::NoHeader]);
    assert_eq!(code_of("零字节.xlsx"), [ProblemCode::EmptyFile]);
    assert_eq!(code_of("扫描件.pdf"), [ProblemCode::NotAWorkbookFile]);
    let merged = merge(c.master, &subs);
    assert_eq!(merged.reconciliation.merged, 3);
    assert!(merged.reconciliation.balances());
    let report = render_check_report(&subs, &merged);
    assert!(report.contains("文件：市工信局.xlsx"), "{report}");
    assert!(report.contains("文本文件"), "{report}");
}

#[test]
fn check_report_groups_by_file_and_sorts_cells_row_major() {
    let dir = temp_dir("report");
    let mut rows = Vec::new();
    for i in 0..8 {
        let pct = if i == 0 || i == 7 {
            s("abc")
        } else {
            V::N(50.0)
        };
        rows.push([
            V::N(3.0 + f64::from(i % 2) * 3.0),
            s("实施科技创新重大项目10个以上"),
            s("进展"),
            pct,
            V::Blank,
        ]);
    }
    write_xlsx(&dir.join("市科技局.xlsx"), &keji(rows));
    let c = ctx();
    let subs = read_month(&dir, &c);
    let merged = merge(c.master, &subs);
    let report = render_check_report(&subs, &merged);
    let e4 = report.find("单元格 E4").unwrap();
    let a5 = report.find("单元格 A5").unwrap();
    let e11 = report.find("单元格 E11").unwrap();
    assert!(e4 < a5 && a5 < e11, "{report}");
    assert!(
        report.contains("单位：市科技局；读取 8 行，合并 2 行，驳回 2 行"),
        "{report}"
    );
}

#[test]
fn zip_bomb_and_row_limits_are_refused() {
    use std::io::Write;
    let dir = temp_dir("limits");
    // an xlsx whose sheet inflates beyond the limit (1 MB here, so the test stays fast)
    let path = dir.join("市科技局.xlsx");
    clean_keji(&path);
    let src = std::fs::read(&path).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(src)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut data).unwrap();
        if name == "xl/worksheets/sheet1.xml" {
            let text = String::from_utf8(data).unwrap();
            let padded = text.replacen(
                "<sheetData>",
                &format!("<sheetData>{}", " ".repeat(3 << 20)),
                1,
            );
            data = padded.into_bytes();
        }
        out.start_file(name, opts).unwrap();
        out.write_all(&data).unwrap();
    }
    let bomb = out.finish().unwrap().into_inner();
    assert!(bomb.len() < 100_000);
    std::fs::write(&path, &bomb).unwrap();
    let mut c = ctx();
    let limits: &'static duban::config::Limits = Box::leak(Box::new(duban::config::Limits {
        max_inflated_bytes: 1 << 20,
        ..Default::default()
    }));
    c.limits = limits;
    let sub = read_submission(&path, &c);
    let p = problem(&sub, ProblemCode::InflatedTooLarge);
    // the setting that decided is technical detail: the unit reads only what to do
    assert!(!p.message.contains("max_inflated_bytes"), "{}", p.message);
    assert!(
        p.detail
            .as_deref()
            .is_some_and(|d| d.contains("max_inflated_bytes")),
        "{:?}",
        p.detail
    );

    // too many rows
    let rows: Vec<[V; 5]> = (0..60)
        .map(|_| [V::N(3.0), s("x"), s("y"), V::N(1.0), V::Blank])
        .collect();
    write_xlsx(&path, &keji(rows));
    let limits: &'static duban::config::Limits = Box::leak(Box::new(duban::config::Limits {
        max_rows_per_sheet: 50,
        ..Default::default()
    }));
    c.limits = limits;
    let sub = read_submission(&path, &c);
    let p = problem(&sub, ProblemCode::SheetTooLarge);
    assert!(!p.message.contains("max_rows_per_sheet"), "{}", p.message);
    assert!(
        p.detail
            .as_deref()
            .is_some_and(|d| d.contains("max_rows_per_sheet")),
        "{:?}",
        p.detail
    );
    // too big a file
    let limits: &'static duban::config::Limits = Box::leak(Box::new(duban::config::Limits {
        max_file_bytes: 100,
        ..Default::default()
    }));
    c.limits = limits;
    assert_eq!(
        codes(&read_submission(&path, &c)),
        [ProblemCode::FileTooLarge]
    );
}

/// `tests/fixtures/percent_fraction.{xls,ods}` were made from `percent_fraction.xlsx` (written
/// by `write_fraction_source` below) with
/// `soffice --headless --convert-to xls percent_fraction.xlsx` (and `--convert-to ods`),
/// LibreOffice 7.x. calamine does not expose their number formats, so the column-level rule
/// applies: every number in 0–1 and one non-integer → fractions.
#[test]
fn xls_and_ods_fixtures() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    if std::env::var_os("DUBAN_REGEN_FIXTURES").is_some() {
        write_fraction_source(&fixtures.join("percent_fraction.xlsx"));
    }
    for ext in ["xls", "ods"] {
        let sub = read_submission(&fixtures.join(format!("percent_fraction.{ext}")), &ctx());
        assert_eq!(
            sub.unit.as_deref(),
            Some("市科技局"),
            "{ext}: {:#?}",
            sub.problems
        );
        assert_eq!(percent_of(&sub, 3), Some(75.0), "{ext}");
        assert_eq!(percent_of(&sub, 6), Some(1.0), "{ext}");
        assert_eq!(
            sub.reported_on,
            chrono::NaiveDate::from_ymd_opt(2026, 11, 25),
            "{ext}"
        );
        assert_eq!(sub.rows[0].status, Some(ReportedStatus::OnTrack), "{ext}");
    }
}

fn write_fraction_source(path: &Path) {
    write_xlsx(
        path,
        &keji(vec![
            [
                V::N(3.0),
                s("实施科技创新重大项目10个以上"),
                s("已实施重大项目8个。"),
                V::Pct(0.75),
                s("正常推进"),
            ],
            [
                V::N(6.0),
                s("培育高新技术企业100家"),
                s("启动申报。"),
                V::Pct(0.01),
                V::Blank,
            ],
        ]),
    );
}

/// `cargo test --release --test intake -- --ignored --nocapture read_month_speed`
/// reads 45 workbooks of 10 rows each and prints the time.
#[test]
#[ignore]
fn read_month_speed() {
    let dir = temp_dir("speed");
    for i in 0..45 {
        let rows: Vec<[V; 5]> = (0..10)
            .map(|j| {
                let n = if j % 2 == 0 { 3.0 } else { 6.0 };
                [
                    V::N(n),
                    s("实施科技创新重大项目10个以上"),
                    s("本月推进顺利，完成阶段目标。"),
                    V::N(50.0 + f64::from(j)),
                    s("序时推进"),
                ]
            })
            .collect();
        write_xlsx(&dir.join(format!("{i:02}-市科技局.xlsx")), &keji(rows));
    }
    let c = ctx();
    let start = std::time::Instant::now();
    let subs = read_month(&dir, &c);
    let merged = merge(c.master, &subs);
    let elapsed = start.elapsed();
    println!("read_month + merge of {} files: {elapsed:?}", subs.len());
    assert_eq!(merged.reconciliation.rows_read, 450);
    assert!(elapsed.as_secs_f64() < 1.0);
}

/// A tiny .ods whose repeated rows and columns would expand to a billion cells in calamine's
/// dense sheet is refused before calamine reads it.
#[test]
fn ods_repeat_bomb_is_refused() {
    use std::io::Write;
    let content = r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="S"><table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="1000" office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    out.start_file("mimetype", stored).unwrap();
    out.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    out.start_file("content.xml", stored).unwrap();
    out.write_all(content.as_bytes()).unwrap();
    let bytes = out.finish().unwrap().into_inner();
    let dir = temp_dir("ods_bomb");
    let path = dir.join("市科技局.ods");
    std::fs::write(&path, bytes).unwrap();
    let start = std::time::Instant::now();
    let sub = read_submission(&path, &ctx());
    assert_eq!(codes(&sub), [ProblemCode::SheetTooLarge]);
    assert!(start.elapsed().as_secs() < 5);
}
