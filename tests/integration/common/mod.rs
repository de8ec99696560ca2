//! Test helpers: a small in-memory master and unit directory, and progress workbooks made by
//! code with rust_xlsxwriter (the fixtures are rebuilt on every run).
#![allow(dead_code)]

use chrono::NaiveDate;
use duban::columns::Column;
use duban::config::Limits;
use duban::intake::IntakeContext;
use duban::model::{Category, Deadline, Leader, Master, Month, PreviousTask, Task, Unit, UnitKind};
use duban::units::Directory;
use rust_xlsxwriter::{Format, Formula, Workbook};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const NOV: Month = Month {
    year: 2026,
    month: 11,
};

pub fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
}

fn unit(name: &str, aliases: &[&str], kind: UnitKind) -> Unit {
    Unit {
        name: name.into(),
        aliases: aliases.iter().map(|s| s.to_string()).collect(),
        kind,
        contact: None,
        phone: None,
        email: None,
        reply_from: Vec::new(),
    }
}

pub fn directory() -> Directory {
    Directory::new(vec![
        unit(
            "市发改委",
            &["呼和浩特市发展和改革委员会"],
            UnitKind::CityDepartment,
        ),
        unit(
            "市科技局",
            &["呼和浩特市科学技术局"],
            UnitKind::CityDepartment,
        ),
        unit(
            "市工信局",
            &["呼和浩特市工业和信息化局"],
            UnitKind::CityDepartment,
        ),
        unit(
            "市住建局",
            &["呼和浩特市住房和城乡建设局"],
            UnitKind::CityDepartment,
        ),
        unit(
            "土左旗政府",
            &["土默特左旗人民政府"],
            UnitKind::CountyGovernment,
        ),
        unit(
            "托县政府",
            &["托克托县人民政府"],
            UnitKind::CountyGovernment,
        ),
    ])
    .unwrap()
}

fn task(number: u32, text: &str, units: &[&str], deadline: &str) -> Task {
    Task {
        number,
        text: text.into(),
        category: Category::Other,
        leaders: vec!["刘继英".into()],
        units: units.iter().map(|s| s.to_string()).collect(),
        unit_raw: units.join("、"),
        deadline: Deadline {
            raw: deadline.into(),
            date: NaiveDate::from_ymd_opt(2026, 12, 31),
        },
        source_row: number + 3,
    }
}

/// Tasks: 1 市发改委; 2 市工信局; 3, 6 市科技局; 4 市住建局; 5 土左旗政府 + 托县政府.
pub fn master() -> Master {
    let leader = |name: &str, title: &str| Leader {
        name: name.into(),
        title: title.into(),
        declared_count: None,
        declared_main_targets: None,
    };
    let dir = directory();
    Master {
        title: "测试任务分解方案".into(),
        mayor: leader("贺海东", "市长"),
        leaders: vec![leader("刘继英", "副市长")],
        tasks: vec![
            task(1, "全市地区生产总值增长6%左右", &["市发改委"], "12月底"),
            task(
                2,
                "新建5G基站2000个，推进千兆光网城市建设",
                &["市工信局"],
                "12月底",
            ),
            task(3, "实施科技创新重大项目10个以上", &["市科技局"], "12月底"),
            task(4, "完成老旧小区改造50个", &["市住建局"], "12月底"),
            task(
                5,
                "推进黄河流域生态保护和高质量发展",
                &["土左旗政府", "托县政府"],
                "12月底",
            ),
            task(6, "培育高新技术企业100家", &["市科技局"], "12月底"),
        ],
        units: dir.units().to_vec(),
        index: Default::default(),
    }
}

/// A leaked context (tests are short-lived processes).
pub fn ctx_with(previous: Option<BTreeMap<u32, PreviousTask>>) -> IntakeContext<'static> {
    let master: &'static Master = Box::leak(Box::new(master()));
    let units: &'static Directory = Box::leak(Box::new(directory()));
    let limits: &'static Limits = Box::leak(Box::new(Limits::default()));
    let previous: Option<&'static BTreeMap<u32, PreviousTask>> =
        previous.map(|p| &*Box::leak(Box::new(p)));
    IntakeContext {
        master,
        units,
        month: NOV,
        as_of: as_of(),
        limits,
        previous,
        done_percent: 100.0,
    }
}

pub fn ctx() -> IntakeContext<'static> {
    ctx_with(None)
}

/// Where a test project's config points (relative entries of the repo's duban.toml are made
/// absolute against the repository; the ones given here replace them).
#[derive(Default)]
pub struct ConfigPaths<'a> {
    pub output: Option<&'a Path>,
    pub submissions: Option<&'a Path>,
    pub units: Option<&'a Path>,
}

/// The repository's duban.toml with every path absolute (for the binary run elsewhere).
pub fn config_text(paths: &ConfigPaths) -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let quoted = |p: &Path| format!("{:?}", p.display().to_string());
    let abs = |p: &str| quoted(&root.join(p));
    let or_abs = |given: Option<&Path>, default: &str| given.map_or_else(|| abs(default), quoted);
    std::fs::read_to_string(root.join("duban.toml"))
        .expect("duban.toml")
        .replace("\"input/master.xlsx\"", &abs("input/master.xlsx"))
        .replace(
            "\"input/units.toml\"",
            &or_abs(paths.units, "input/units.toml"),
        )
        .replace(
            "\"input/submissions\"",
            &or_abs(paths.submissions, "input/submissions"),
        )
        .replace(
            "output = \"output\"",
            &format!("output = {}", or_abs(paths.output, "output")),
        )
        .replace("\"templates\"", &abs("templates"))
        .replace("fonts = \"fonts\"", &format!("fonts = {}", abs("fonts")))
        .replace("\"input/seal/样章.png\"", &abs("input/seal/样章.png"))
}

/// A fresh, empty folder for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("intake")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A cell value in a fixture.
#[derive(Clone, Debug)]
pub enum V {
    S(String),
    N(f64),
    /// A number shown with the percent format `0%`.
    Pct(f64),
    /// A formula with a cached error result, e.g. `#DIV/0!`.
    Err(&'static str),
    Blank,
}

pub fn s(text: &str) -> V {
    V::S(text.to_string())
}

/// One sheet: cells and merged ranges (r1, c1, r2, c2, text).
#[derive(Clone, Debug, Default)]
pub struct SheetSpec {
    pub name: String,
    pub cells: Vec<(u32, u16, V)>,
    pub merges: Vec<(u32, u16, u32, u16, String)>,
    /// 0-based rows to hide.
    pub hidden_rows: Vec<u32>,
}

impl SheetSpec {
    pub fn new(name: &str) -> Self {
        SheetSpec {
            name: name.into(),
            ..Default::default()
        }
    }
    pub fn set(&mut self, row: u32, col: u16, v: V) -> &mut Self {
        self.cells.push((row, col, v));
        self
    }
    /// Writes `values` from (row, 0) rightwards.
    pub fn row(&mut self, row: u32, values: Vec<V>) -> &mut Self {
        for (c, v) in values.into_iter().enumerate() {
            self.cells.push((row, c as u16, v));
        }
        self
    }
}

pub const HEADERS: [&str; 10] = [
    Column::Number.label(),
    Column::TaskText.label(),
    Column::Deadline.label(),
    Column::ProgressText.label(),
    Column::Percent.label(),
    Column::Status.label(),
    Column::CompletedOn.label(),
    Column::Issues.label(),
    Column::NextSteps.label(),
    Column::Remark.label(),
];

/// The canonical form layout: title (row 1), header block (row 2), header (row 3), data
/// from row 4. Each data row: 序号, 任务目标, 本月工作进展, 完成进度, 状态 (other columns blank).
pub fn form_sheet(unit: &str, date: &str, rows: Vec<[V; 5]>) -> SheetSpec {
    let mut sh = SheetSpec::new("进展情况");
    sh.set(0, 0, s("2026年重点任务推进情况表（11月）"));
    sh.set(1, 0, s(&format!("填报单位：{unit}")));
    sh.set(1, 3, s("填报人：张三"));
    sh.set(1, 5, s("联系电话：0471-1234567"));
    sh.set(1, 7, s("填报日期："));
    sh.set(1, 8, s(date));
    sh.row(2, HEADERS.iter().map(|h| s(h)).collect());
    for (i, [n, text, progress, pct, status]) in rows.into_iter().enumerate() {
        let r = 3 + i as u32;
        sh.set(r, 0, n)
            .set(r, 1, text)
            .set(r, 3, progress)
            .set(r, 4, pct)
            .set(r, 5, status);
    }
    sh
}

/// Writes sheets to an .xlsx file.
pub fn write_xlsx(path: &Path, sheets: &[SheetSpec]) {
    let mut wb = Workbook::new();
    let pct = Format::new().set_num_format("0%");
    for spec in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(&spec.name).unwrap();
        for r in &spec.hidden_rows {
            ws.set_row_hidden(*r).unwrap();
        }
        for (r1, c1, r2, c2, text) in &spec.merges {
            ws.merge_range(*r1, *c1, *r2, *c2, text, &Format::new())
                .unwrap();
        }
        for (r, c, v) in &spec.cells {
            match v {
                V::S(t) => {
                    ws.write_string(*r, *c, t).unwrap();
                }
                V::N(n) => {
                    ws.write_number(*r, *c, *n).unwrap();
                }
                V::Pct(n) => {
                    ws.write_number_with_format(*r, *c, *n, &pct).unwrap();
                }
                V::Err(e) => {
                    ws.write_formula(*r, *c, Formula::new("=1/0").set_result(*e))
                        .unwrap();
                }
                V::Blank => {}
            }
        }
    }
    wb.save(path).unwrap();
}

/// 市科技局's two task rows (tasks 3 and 6, 80 % and 95 %, 序时推进).
pub fn keji_rows() -> Vec<[V; 5]> {
    vec![
        [
            V::N(3.0),
            s("实施科技创新重大项目10个以上"),
            s("已实施重大项目8个。"),
            V::N(80.0),
            s("序时推进"),
        ],
        [
            V::N(6.0),
            s("培育高新技术企业100家"),
            s("新认定高新技术企业95家。"),
            V::N(95.0),
            s("序时推进"),
        ],
    ]
}

/// A standard, clean submission of 市科技局 (tasks 3 and 6).
pub fn clean_keji(path: &Path) {
    write_xlsx(path, &[form_sheet("市科技局", "2026-11-25", keji_rows())]);
}

/// A 市住建局 form sheet (task 4 at 90 %) whose 填报日期 value cell (I2) is left empty.
pub fn zhujian_undated() -> SheetSpec {
    let mut sheet = form_sheet(
        "市住建局",
        "",
        vec![[
            V::N(4.0),
            s("完成老旧小区改造50个"),
            s("已开工48个。"),
            V::N(90.0),
            s("序时推进"),
        ]],
    );
    sheet.cells.retain(|(r, c, _)| !(*r == 1 && *c == 8));
    sheet
}
