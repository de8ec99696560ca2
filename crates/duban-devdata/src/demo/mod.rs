//! Deterministic demo submissions: the workbooks the 45 lead units “send back” for a month.
//!
//! Used by `examples/gen_demo.rs` to write `input/submissions/<month>/`, and by benchmarks.
//! No randomness source but a splitmix64 generator seeded from text keys (month, unit, task),
//! so the same master and month always give the same files, byte for byte.
//!
//! The demo covers five months, [`DEMO_MONTHS`] (2026-07 … 2026-11). The story the data tells:
//! - every (unit, task) has a fixed plan drawn once (finishes on time, finishes late, lags by
//!   10–30 points, lags by more than 30), so a task's figures rise from one month to the next;
//!   tasks due by the end of June are mostly done, with a 完成日期;
//! - a few year-end tasks stall after July: their figure stays where it was, so they fall behind
//!   序时进度 month by month — green, then yellow, then red (see `story::stalls`);
//! - a few units skip a month; 市外事办 never reports (→ red, 连续N个月未报送);
//! - in the newest demo month (2026-11) the set includes the messy forms intake must tolerate
//!   (see [`messy_units`]) and a few genuine errors and warnings, two figures that fall back from
//!   last month (one unit's task regresses), three progress texts copied from last month, and a
//!   correction that arrives late in the month (市发改委's second file).

use chrono::{Datelike, Duration, NaiveDate};
use duban::columns::Column;
use duban::config::Config;
use duban::model::{Category, Master, Month, ReportedStatus, Task, Unit};
use duban::render::form_xlsx::{
    Entry, Filling, filled_form, form_columns, form_file_name, form_title,
};
use duban::render::row_height::{row_height, wrapped_lines};
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Formula, Workbook, XlsxError,
};

/// The months the demo ships, oldest first.
pub const DEMO_MONTHS: [Month; 5] = [
    Month {
        year: 2026,
        month: 7,
    },
    Month {
        year: 2026,
        month: 8,
    },
    Month {
        year: 2026,
        month: 9,
    },
    Month {
        year: 2026,
        month: 10,
    },
    Month {
        year: 2026,
        month: 11,
    },
];

/// The first month whose set carries the messy forms, regressions and copied texts; the
/// months before it are clean.
pub const MESSY_FROM: Month = Month {
    year: 2026,
    month: 11,
};

mod forms;
mod story;
mod texts;
mod workbook;
use forms::*;
use story::*;
use texts::*;
use workbook::*;

/// Units that send nothing for `month`.
pub fn missing_units(master: &Master, month: Month) -> Vec<String> {
    let fixed: &[&str] = match (month.year, month.month) {
        (2026, 7) => &["市外事办", "托县政府"],
        (2026, 8) => &["市外事办", "市民委"],
        (2026, 9) => &["市外事办", "市司法局", "武川县政府"],
        (2026, 10) => &["市外事办", "市民委", "呼和浩特供电公司"],
        (2026, 11) => &[
            "市外事办",
            "清水河县政府",
            "市园林建设服务中心",
            "国家统计局呼和浩特调查队",
        ],
        _ => &["市外事办"],
    };
    let mut out: Vec<String> = fixed
        .iter()
        .filter(|n| master.unit(n).is_some())
        .map(|n| n.to_string())
        .collect();
    if !DEMO_MONTHS.contains(&month) {
        let mut rng = Rng::new(&format!("missing|{month}"));
        for _ in 0..2 {
            if let Some(u) = rng.pick(&master.units)
                && !out.contains(&u.name)
            {
                out.push(u.name.clone());
            }
        }
    }
    out
}

/// Units whose workbook comes in a messy form from [`MESSY_FROM`] on, with the quirk each shows.
pub fn messy_units() -> &'static [(&'static str, &'static str)] {
    &[
        (
            "市科技局",
            "“附件2-…（11月）”文件名，填报单位写全称，进度写成“80%”“约80%”文本",
        ),
        (
            "市住建局",
            "表头下移、列顺序调整并改用同义列名，进度为百分比格式的小数",
        ),
        (
            "市文旅广电局",
            "全角序号和“第N项”，全角“８０％”，日期写成“2026年11月25日”文本",
        ),
        ("市农牧局", "状态用同义词（正常推进、已办结、进度滞后）"),
        ("和林格尔新区", "续行：子项写在任务行下方、序号留空"),
        ("经济技术开发区", "第一张工作表是封面，数据在第二张工作表"),
        ("市发改委", "报送两个文件，更正件填报日期较晚"),
        ("市交通局", "多出一行不属于本单位的任务（错误）"),
        ("市卫健委", "完成进度单元格为公式错误值 #DIV/0!（错误）"),
        ("市商务局", "完成进度填 120（错误）"),
        ("赛罕区政府", "填报日期晚于报告月，且有一项进展为空（警告）"),
        ("市教育局", "状态“已完成”但进度 60%（警告）"),
    ]
}

/// Texts copied unchanged from last month (unit, task).
const COPIED: [(&str, u32); 3] = [("市民政局", 68), ("市水务局", 167), ("市人社局", 93)];
/// Figures that fall back 10 points from last month (unit, task).
const REGRESSED: [(&str, u32); 2] = [("市城市管理局", 143), ("市林草局", 161)];

/// Deterministic demo submissions for `month`: (file name, bytes) pairs, sorted by file name.
pub fn demo_submissions(master: &Master, month: Month, cfg: &Config) -> Vec<(String, Vec<u8>)> {
    let missing = missing_units(master, month);
    let messy = month >= MESSY_FROM;
    let mut files = Vec::new();
    for unit in &master.units {
        if missing.contains(&unit.name) {
            continue;
        }
        let reports: Vec<Report> = master
            .tasks_of_unit(&unit.name)
            .map(|t| report(t, unit, month, cfg))
            .collect();
        let produced = if messy {
            messy_files(master, unit, month, cfg, &reports)
        } else {
            None
        };
        match produced {
            Some(list) => files.extend(list),
            None => files.extend(clean_file(master, unit, month, cfg, &reports)),
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files
}

fn reported_on(unit: &Unit, month: Month) -> NaiveDate {
    let mut rng = Rng::new(&format!("date|{month}|{}", unit.name));
    let last = month.last_day().day() as i64;
    let day = rng.range(20, last - 1) as u32;
    NaiveDate::from_ymd_opt(month.year, month.month, day).unwrap_or(month.last_day())
}

fn filling(unit: &Unit, month: Month, reports: &[Report]) -> Filling {
    Filling {
        reporter: unit.contact.clone().unwrap_or_default(),
        phone: unit.phone.clone().unwrap_or_default(),
        reported_on: Some(reported_on(unit, month)),
        entries: reports
            .iter()
            .map(|r| {
                let entry = Entry {
                    progress_text: r.text.clone(),
                    percent: Some(r.percent),
                    status: Some(r.status.label().to_string()),
                    completed_on: r.done_on,
                    issues: r.issues.clone(),
                    next_steps: r.next_steps.clone(),
                    remark: String::new(),
                };
                (r.task, entry)
            })
            .collect(),
        ..Filling::default()
    }
}

fn clean_file(
    master: &Master,
    unit: &Unit,
    month: Month,
    cfg: &Config,
    reports: &[Report],
) -> Option<(String, Vec<u8>)> {
    let bytes = filled_form(
        master,
        unit,
        month,
        cfg,
        None,
        &filling(unit, month, reports),
    )
    .ok()?;
    Some((form_file_name(&unit.name, month), bytes))
}

/// The messy variant of `unit`'s file(s), if the unit is one of [`messy_units`].
fn messy_files(
    master: &Master,
    unit: &Unit,
    month: Month,
    cfg: &Config,
    reports: &[Report],
) -> Option<Vec<(String, Vec<u8>)>> {
    let tasks: Vec<&Task> = master.tasks_of_unit(&unit.name).collect();
    let ctx = GridContext {
        master,
        unit,
        month,
        cfg,
        tasks: &tasks,
        reports,
    };
    let as_form = |f: &Filling, name: String| -> Option<(String, Vec<u8>)> {
        Some((name, filled_form(master, unit, month, cfg, None, f).ok()?))
    };
    let base = filling(unit, month, reports);
    let canonical = form_file_name(&unit.name, month);
    let files = match unit.name.as_str() {
        "市科技局" => vec![ctx.science()?],
        "市住建局" => vec![ctx.housing()?],
        "市文旅广电局" => vec![ctx.culture()?],
        "市农牧局" => vec![ctx.synonyms()?],
        "和林格尔新区" => vec![ctx.continuation()?],
        "经济技术开发区" => vec![ctx.second_sheet()?],
        "市交通局" => vec![ctx.foreign_task()?],
        "市卫健委" => vec![ctx.formula_error()?],
        "市发改委" => {
            let mut first = base.clone();
            first.reported_on = NaiveDate::from_ymd_opt(month.year, month.month, 18);
            let mut second = base;
            second.reported_on = NaiveDate::from_ymd_opt(month.year, month.month, 27);
            for (i, entry) in second.entries.values_mut().enumerate() {
                if i % 3 == 1 && entry.percent.is_some_and(|p| p < 95.0) {
                    entry.percent = entry.percent.map(|p| p + 5.0);
                    entry.progress_text.push_str("（更正：补充本月下旬进展）");
                }
            }
            let corrected = canonical.replace(".xlsx", "（更正）.xlsx");
            vec![as_form(&first, canonical)?, as_form(&second, corrected)?]
        }
        "市商务局" => {
            let mut f = base;
            if let Some(e) = f.entries.values_mut().find(|e| e.completed_on.is_none()) {
                e.percent = Some(120.0);
            }
            vec![as_form(&f, canonical)?]
        }
        "赛罕区政府" => {
            let mut f = base;
            f.reported_on = Some(month.last_day() + Duration::days(5));
            if let Some(e) = f.entries.values_mut().last() {
                e.progress_text.clear();
            }
            vec![as_form(&f, canonical)?]
        }
        "市教育局" => {
            let mut f = base;
            if let Some(e) = f.entries.values_mut().find(|e| e.completed_on.is_none()) {
                e.status = Some("已完成".into());
                e.percent = Some(60.0);
            }
            vec![as_form(&f, canonical)?]
        }
        _ => return None,
    };
    Some(files)
}
