//! The master importer on the shipped sheet and on small hand-made fixtures.

use duban::config::Config;
use duban::model::ProblemCode;
use duban::model::{Category, Severity};
use duban::units::Directory;
use rust_xlsxwriter::Workbook;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn config() -> Config {
    Config::load(&root().join("duban.toml")).expect("duban.toml loads")
}

fn directory() -> Directory {
    Directory::load(&root().join("input/units.toml")).expect("units.toml loads")
}

/// Writes rows (strings; a cell that parses as an integer is written as a number) to an xlsx.
fn write_sheet(path: &Path, rows: &[&[&str]]) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if v.is_empty() {
                continue;
            }
            match v.parse::<f64>() {
                Ok(n) => ws.write_number(r as u32, c as u16, n).map(|_| ()),
                Err(_) => ws.write_string(r as u32, c as u16, *v).map(|_| ()),
            }
            .expect("write cell");
        }
    }
    wb.save(path).expect("save fixture");
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("duban-master-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn shipped_master_has_the_seed_structure() {
    let cfg = config();
    let (master, problems) = duban::load_master(&cfg).expect("master loads");
    let counts: Vec<(String, usize)> = master
        .leaders
        .iter()
        .map(|l| (l.name.clone(), master.tasks_of_leader(&l.name).count()))
        .collect();
    let expected = [
        ("刘继英", 35),
        ("王昆", 30),
        ("王心宇", 4),
        ("牛芳泽", 2),
        ("焦鸿", 28),
        ("塔拉", 27),
        ("付金在", 19),
        ("高涵", 25),
        ("朱建国", 10),
        ("伊德尔", 9),
    ];
    let expected: Vec<(String, usize)> =
        expected.iter().map(|(n, c)| (n.to_string(), *c)).collect();
    assert_eq!(counts, expected);
    assert_eq!(master.mayor.name, "贺海东");
    assert_eq!(master.tasks.len(), 189);
    assert_eq!(master.units.len(), 45);
    assert!(
        master
            .tasks
            .iter()
            .all(|t| !t.units.is_empty() && !t.leaders.is_empty())
    );
    let dated = master
        .tasks
        .iter()
        .filter(|t| t.deadline.date.is_some())
        .count();
    assert_eq!(dated, 188);
    let open = master
        .tasks
        .iter()
        .find(|t| t.deadline.date.is_none())
        .expect("one open deadline");
    assert_eq!(open.deadline.raw, "按自治区安排统筹推进");
    // Every problem is the one info note about that deadline: no count problem.
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].severity, Severity::Info);
    assert_eq!(problems[0].cell.as_deref(), Some("D141"));

    // Main targets: by unit where the sections allow, 5 and 9 from duban.toml.
    let leader_of = |n: u32| {
        master
            .task(n)
            .map(|t| t.leaders.clone())
            .unwrap_or_default()
    };
    for (n, who) in [
        (1, "刘继英"),
        (4, "刘继英"),
        (5, "刘继英"),
        (6, "塔拉"),
        (7, "王昆"),
        (8, "王昆"),
        (9, "塔拉"),
    ] {
        assert_eq!(leader_of(n), vec![who.to_string()], "task {n}");
        assert_eq!(
            master.task(n).map(|t| t.category),
            Some(Category::MainTarget)
        );
    }
    assert_eq!(master.task(10).map(|t| t.category), Some(Category::Other));
}

#[test]
fn seed_quirks_survive_and_normalise() {
    let (master, _) = duban::load_master(&config()).expect("master loads");
    let by_raw = |raw: &str| master.tasks.iter().find(|t| t.unit_raw == raw).expect(raw);
    assert_eq!(
        by_raw("呼和浩特 职业技术大学").units,
        ["呼和浩特职业技术大学"]
    );
    assert_eq!(by_raw("土左旗、托县政府").units, ["土左旗政府", "托县政府"]);
    assert_eq!(
        by_raw("国家统计局呼和浩特调查队（提供数据）").units,
        ["国家统计局呼和浩特调查队"]
    );
}

#[test]
fn committed_master_xlsx_is_the_generator_output() {
    let seed = std::fs::read_to_string(
        root().join("input/seed/2026-government-work-report-task-breakdown.txt"),
    )
    .expect("seed text");
    let generated = duban_devdata::seed::master_workbook(&seed, 2026).expect("generate");
    let committed = std::fs::read(root().join("input/master.xlsx")).expect("master.xlsx");
    assert!(
        generated == committed,
        "input/master.xlsx is stale: run `cargo run -p duban-devdata --example gen_master`"
    );
}

#[test]
fn wrong_declared_count_is_reported_not_fatal() {
    let dir = temp_dir("count");
    let path = dir.join("master.xlsx");
    write_sheet(
        &path,
        &[
            &["测试任务分解方案"],
            &["贺海东市长为总负责人"],
            &["(二) 其他经济社会发展任务"],
            &["刘继英副市长分管领域3项"],
            &["序号", "任 务 目 标", "牵头单位", "完成时限"],
            &["1", "建立碳排放预算管理制度", "市发改委", "6月底"],
            &["2", "科技投入实现“翻番”", "市财政局", "12月底"],
            &["王昆副市长分管领域1项"],
            &["3", "开展主题促消费活动", "市商务局", "10月底"],
            &["4", "某项任务", "市农牧局", "11月中旬"],
            &["5", "某项任务二", "不存在的局", "乱写的时限"],
        ],
    );
    let mut cfg = config();
    cfg.main_targets.clear();
    let (master, problems) = duban::master::load(&path, &directory(), &cfg).expect("loads");
    assert_eq!(master.tasks.len(), 5);
    let liu = problems
        .iter()
        .find(|p| p.code == ProblemCode::MasterCountMismatch && p.message.contains("刘继英"))
        .expect("刘继英 mismatch");
    assert!(
        liu.message.contains("声明 3 项") && liu.message.contains("实际找到 2 项"),
        "{}",
        liu.message
    );
    assert!(
        problems
            .iter()
            .any(|p| p.code == ProblemCode::MasterCountMismatch && p.message.contains("王昆"))
    );
    let unknown = problems
        .iter()
        .find(|p| p.code == ProblemCode::MasterUnknownUnit)
        .expect("unknown unit");
    assert_eq!(unknown.cell.as_deref(), Some("C11"));
    assert_eq!(unknown.raw.as_deref(), Some("不存在的局"));
    let open = problems
        .iter()
        .find(|p| p.code == ProblemCode::MasterOpenDeadline)
        .expect("free-text deadline");
    assert_eq!(open.raw.as_deref(), Some("乱写的时限"));
    assert_eq!(
        master
            .task(4)
            .and_then(|t| t.deadline.date)
            .map(|d| d.to_string())
            .as_deref(),
        Some("2026-11-20")
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn flat_sheet_with_leader_column_loads() {
    let dir = temp_dir("flat");
    let path = dir.join("flat.xlsx");
    write_sheet(
        &path,
        &[
            &["任务清单"],
            &[
                "序号",
                "任务目标",
                "类别",
                "分管市领导",
                "牵头单位",
                "完成时限",
            ],
            &[
                "1",
                "地区生产总值增长5.5%左右",
                "主要预期目标",
                "刘继英副市长",
                "市发改委",
                "12月底",
            ],
            &[
                "2",
                "建成投产远景新型储能电站",
                "其他经济社会发展任务",
                "王昆",
                "武川县政府",
                "10月底",
            ],
            &[
                "3",
                "两个领导共管的任务",
                "其他",
                "刘继英、王昆",
                "呼和浩特市科学技术局",
                "2026年9月15日",
            ],
        ],
    );
    let (master, problems) = duban::master::load(&path, &directory(), &config()).expect("loads");
    assert!(
        problems.iter().all(|p| p.severity != Severity::Error),
        "{problems:#?}"
    );
    let names: Vec<&str> = master.leaders.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["刘继英", "王昆"]);
    assert_eq!(master.leaders[0].title, "副市长");
    assert_eq!(
        master.task(1).map(|t| t.category),
        Some(Category::MainTarget)
    );
    assert_eq!(master.task(3).map(|t| t.leaders.len()), Some(2));
    assert_eq!(
        master.task(3).map(|t| t.units.clone()),
        Some(vec!["市科技局".to_string()])
    );
    assert_eq!(master.tasks_of_leader("王昆").count(), 2);
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn config_error_names_the_key_and_exits_2() {
    let dir = temp_dir("cfg");
    let cfg = dir.join("bad.toml");
    std::fs::write(&cfg, "year = 2026\n[thresholds]\nlag_tolerence = 5\n").expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_duban"))
        .args(["--config", cfg.to_str().expect("utf8"), "master"])
        .output()
        .expect("run duban");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("lag_tolerence"), "{err}");
    std::fs::remove_dir_all(dir).ok();
}
