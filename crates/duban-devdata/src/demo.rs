//! Deterministic demo submissions: the workbooks the 45 lead units “send back” for a month.
//!
//! Used by `examples/gen_demo.rs` to write `input/submissions/<month>/`, and by benchmarks.
//! No randomness source but a splitmix64 generator seeded from text keys (month, unit, task),
//! so the same master and month always give the same files, byte for byte.
//!
//! The story the data tells:
//! - every (unit, task) has a fixed plan drawn once (finishes on time, finishes late, lags by
//!   10–30 points, lags by more than 30), so a task's figures rise from one month to the next;
//!   tasks due by the end of June are mostly done, with a 完成日期;
//! - a few units do not submit: 市外事办 misses both October and November (→ red for two
//!   unreported months), others miss one month;
//! - in every month after the first demo month (2026-10) the set includes the messy forms intake
//!   must tolerate (see [`messy_units`]) and a few genuine errors and warnings, two figures that
//!   fall back from last month and three progress texts copied from last month.

use chrono::{Datelike, Duration, NaiveDate};
use duban::columns::Column;
use duban::config::Config;
use duban::model::{Category, Master, Month, ReportedStatus, Task, Unit};
use duban::render::row_height::wrapped_lines;
use duban::render::template_xlsx::{
    Entry, Filling, filled_template, template_columns, template_file_name, template_title,
};
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Formula, Workbook, XlsxError,
};

/// The first demo month; it is clean, later months carry the messy forms.
pub const FIRST_DEMO_MONTH: Month = Month {
    year: 2026,
    month: 10,
};

/// Units that send nothing for `month`.
pub fn missing_units(master: &Master, month: Month) -> Vec<String> {
    let fixed: &[&str] = match (month.year, month.month) {
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
    if !matches!((month.year, month.month), (2026, 10) | (2026, 11)) {
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

/// Units whose workbook comes in a messy form in months after [`FIRST_DEMO_MONTH`], with the
/// quirk each shows.
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
    let messy = month > FIRST_DEMO_MONTH;
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

// ---------------------------------------------------------------------------------------------
// Deterministic pseudo-random numbers.

/// splitmix64 seeded with an FNV-1a hash of a text key.
struct Rng(u64);

impl Rng {
    fn new(key: &str) -> Rng {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in key.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        Rng(h)
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform integer in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + (self.next_u64() % (hi - lo + 1) as u64) as i64
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            return None;
        }
        items.get((self.next_u64() % items.len() as u64) as usize)
    }
    fn pick_str<'a>(&mut self, items: &[&'a str]) -> &'a str {
        self.pick(items).copied().unwrap_or("")
    }
}

// ---------------------------------------------------------------------------------------------
// Progress model.

/// How a (unit, task) pair goes over the year; drawn once, independent of the month.
#[derive(Debug, Clone, Copy)]
enum Plan {
    /// Finishes on the given date (on or before the deadline, or after it when late).
    Finishes(NaiveDate),
    /// Stays the given number of points behind 序时进度.
    Lags(f64),
    /// No fixed deadline: advances steadily at this share of the year.
    Open(f64),
}

fn plan(task: &Task, unit: &Unit, cfg: &Config) -> Plan {
    let mut rng = Rng::new(&format!("plan|{}|{}", unit.name, task.number));
    let start = cfg.plan_start();
    let Some(deadline) = task.deadline.date else {
        return Plan::Open(0.55 + 0.2 * rng.unit());
    };
    let early = deadline <= NaiveDate::from_ymd_opt(cfg.year, 6, 30).unwrap_or(deadline);
    let (on_time, late, lag) = if early {
        (0.80, 0.93, 0.98)
    } else {
        (0.72, 0.84, 0.95)
    };
    let u = rng.unit();
    if u < on_time {
        let ahead = if task.category == Category::MainTarget {
            rng.range(0, 2)
        } else {
            rng.range(2, 40)
        };
        let done = deadline - Duration::days(ahead);
        Plan::Finishes(done.max(start + Duration::days(45)))
    } else if u < late {
        Plan::Finishes(deadline + Duration::days(rng.range(7, 60)))
    } else if u < lag {
        Plan::Lags(rng.range(12, 28) as f64)
    } else {
        Plan::Lags(rng.range(32, 60) as f64)
    }
}

/// Elapsed share of `start..=end` at `at`, in percent 0–100.
fn elapsed(start: NaiveDate, end: NaiveDate, at: NaiveDate) -> f64 {
    if at < start {
        return 0.0;
    }
    let total = (end - start).num_days() + 1;
    if total <= 0 || at >= end {
        return 100.0;
    }
    let done = (at - start).num_days() + 1;
    100.0 * done as f64 / total as f64
}

/// A task's state at a month's end.
#[derive(Debug, Clone, Copy)]
struct State {
    percent: f64,
    done_on: Option<NaiveDate>,
    /// 序时进度 (None without a fixed deadline).
    expected: Option<f64>,
    overdue: bool,
}

fn state(task: &Task, unit: &Unit, month: Month, cfg: &Config) -> State {
    let as_of = month.last_day();
    let start = cfg.plan_start();
    let expected = task.deadline.date.map(|d| elapsed(start, d, as_of));
    let overdue = task.deadline.date.is_some_and(|d| d < as_of);
    let round5 = Rng::new(&format!("round|{}", unit.name)).unit() < 0.5;
    let round = |p: f64| -> f64 {
        let p = p.clamp(0.0, 95.0);
        if round5 {
            (p / 5.0).floor() * 5.0
        } else {
            p.floor()
        }
    };
    let (percent, done_on) = match plan(task, unit, cfg) {
        Plan::Finishes(done) if done <= as_of => (100.0, Some(done)),
        Plan::Finishes(done) => (round(elapsed(start, done, as_of)), None),
        Plan::Lags(lag) => {
            let base = expected.unwrap_or(0.0);
            let months_over = task
                .deadline
                .date
                .map_or(0, |d| (as_of - d).num_days().max(0) / 30);
            let p = base - lag + 4.0 * months_over as f64;
            (if p < 5.0 { 0.0 } else { round(p) }, None)
        }
        Plan::Open(share) => {
            let year_end = NaiveDate::from_ymd_opt(cfg.year, 12, 31).unwrap_or(as_of);
            (round(share * elapsed(start, year_end, as_of)), None)
        }
    };
    State {
        percent,
        done_on,
        expected,
        overdue,
    }
}

/// One task row as the unit fills it in.
#[derive(Debug, Clone, PartialEq)]
struct Report {
    task: u32,
    percent: f64,
    status: ReportedStatus,
    done_on: Option<NaiveDate>,
    text: String,
    issues: String,
    next_steps: String,
}

fn report(task: &Task, unit: &Unit, month: Month, cfg: &Config) -> Report {
    let mut st = state(task, unit, month, cfg);
    let key = (unit.name.as_str(), task.number);
    if month > FIRST_DEMO_MONTH && REGRESSED.contains(&key) {
        let prev = state(task, unit, month.prev(), cfg);
        if prev.done_on.is_none() && prev.percent >= 20.0 {
            st.percent = prev.percent - 10.0;
            st.done_on = None;
        }
    }
    let mut rng = Rng::new(&format!("report|{month}|{}|{}", unit.name, task.number));
    let lagging = st.done_on.is_none()
        && (st.overdue
            || st
                .expected
                .is_some_and(|e| e - st.percent > cfg.thresholds.lag_tolerance));
    let status = if st.done_on.is_some() {
        ReportedStatus::Done
    } else if st.percent <= 0.0 {
        ReportedStatus::NotStarted
    } else if lagging && (st.overdue || rng.unit() < 0.75) {
        ReportedStatus::Lagging
    } else {
        ReportedStatus::OnTrack
    };
    let copied = month > FIRST_DEMO_MONTH && COPIED.contains(&key);
    let text_month = if copied { month.prev() } else { month };
    let text_state = if copied {
        state(task, unit, text_month, cfg)
    } else {
        st
    };
    let text = progress_text(task, unit, text_month, &text_state);
    let (issues, next_steps) = issues_and_next(task, month, &st, lagging, &mut rng);
    Report {
        task: task.number,
        percent: st.percent,
        status,
        done_on: st.done_on,
        text,
        issues,
        next_steps,
    }
}

// ---------------------------------------------------------------------------------------------
// Progress texts.

/// Kinds of task wording, each with its own phrases.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Build,
    Start,
    Attract,
    Cultivate,
    Event,
    Indicator,
    Promote,
}

/// Leading verbs, longest first within a kind's family.
const VERBS: [(&str, Kind); 58] = [
    ("建成投产", Kind::Build),
    ("建成投用", Kind::Build),
    ("建成运行", Kind::Build),
    ("建成", Kind::Build),
    ("投用", Kind::Build),
    ("加快建设", Kind::Build),
    ("推进建设", Kind::Build),
    ("重点建设", Kind::Build),
    ("高标准建设", Kind::Build),
    ("规划建设", Kind::Build),
    ("建设提升", Kind::Build),
    ("新建", Kind::Build),
    ("开工建设", Kind::Start),
    ("启动建设", Kind::Start),
    ("引进落地", Kind::Attract),
    ("积极引进", Kind::Attract),
    ("引进", Kind::Attract),
    ("落地", Kind::Attract),
    ("转化落地", Kind::Attract),
    ("培育创建", Kind::Cultivate),
    ("加快培育", Kind::Cultivate),
    ("培育", Kind::Cultivate),
    ("加快创建", Kind::Cultivate),
    ("创建", Kind::Cultivate),
    ("争创", Kind::Cultivate),
    ("申报", Kind::Cultivate),
    ("打造", Kind::Promote),
    ("改造", Kind::Promote),
    ("承办好", Kind::Event),
    ("承办", Kind::Event),
    ("高标准办好", Kind::Event),
    ("办好", Kind::Event),
    ("举办", Kind::Event),
    ("全面实施", Kind::Promote),
    ("深入实施", Kind::Promote),
    ("加快实施", Kind::Promote),
    ("实施", Kind::Promote),
    ("全面推进", Kind::Promote),
    ("加快推进", Kind::Promote),
    ("推进", Kind::Promote),
    ("推动", Kind::Promote),
    ("全面启动", Kind::Promote),
    ("启动", Kind::Promote),
    ("深化", Kind::Promote),
    ("全面推开", Kind::Promote),
    ("开展", Kind::Promote),
    ("完成", Kind::Promote),
    ("高标准完成", Kind::Promote),
    ("加快", Kind::Promote),
    ("构建", Kind::Promote),
    ("重构", Kind::Promote),
    ("建立", Kind::Promote),
    ("拓展", Kind::Promote),
    ("全面提升", Kind::Promote),
    ("大力", Kind::Promote),
    ("持续", Kind::Promote),
    ("保障", Kind::Promote),
    ("抓好", Kind::Promote),
];

/// (kind, verb, object) of a task text: “建成投产远景新型储能电站” → (Build, 建成投产, 远景新型储能电站).
fn analyse(task: &Task) -> (Kind, &'static str, String) {
    let first = task
        .text
        .split(['，', '；', ',', ';'])
        .next()
        .unwrap_or(&task.text)
        .trim();
    let best = VERBS
        .iter()
        .filter(|(v, _)| first.starts_with(v))
        .max_by_key(|(v, _)| v.len());
    let indicator = ["增长", "突破", "达到", "超过", "稳定在", "翻番", "提升至"]
        .iter()
        .any(|w| first.contains(w));
    let verb = best.map_or("", |(v, _)| *v);
    let object = first.get(verb.len()..).unwrap_or(first).trim();
    let object = if object.is_empty() { first } else { object };
    if task.category == Category::MainTarget || (best.is_none() && indicator) {
        return (Kind::Indicator, verb, first.to_string());
    }
    let kind = match best {
        Some((_, Kind::Build)) if !is_physical(object) => Kind::Promote,
        Some((_, kind)) => *kind,
        None => Kind::Promote,
    };
    (kind, verb, shorten(object))
}

/// Whether an object is something built (a project, plant, centre …) rather than a policy.
fn is_physical(object: &str) -> bool {
    [
        "项目",
        "电站",
        "工厂",
        "车间",
        "生产线",
        "医院",
        "中心",
        "基地",
        "装置",
        "实验室",
        "园区",
        "产业园",
        "工程",
        "公寓",
        "立交",
        "高速",
        "平台",
        "大学",
        "学校",
        "电厂",
        "蒙园",
        "新院",
    ]
    .iter()
    .any(|w| object.contains(w))
}

/// Roads, rail and other linear works (no “主体结构封顶”).
fn is_linear(object: &str) -> bool {
    ["高速", "立交", "铁", "路", "管网", "绿道", "送"]
        .iter()
        .any(|w| object.contains(w))
}

/// “雅士利奶粉工厂” → “雅士利奶粉工厂项目”; an object already ending in 项目 stays.
fn project(object: &str) -> String {
    if object.ends_with("项目") {
        object.to_string()
    } else {
        format!("{object}项目")
    }
}

/// Drops parenthetical notes and cuts a long object at a natural break so it reads well
/// inside a sentence.
fn shorten(object: &str) -> String {
    let mut plain = String::new();
    let mut depth = 0u32;
    for c in object.chars() {
        match c {
            '（' | '(' => depth += 1,
            '）' | ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => plain.push(c),
            _ => {}
        }
    }
    let chars: Vec<char> = plain.chars().collect();
    if chars.len() <= 26 {
        return plain;
    }
    let cut = chars
        .iter()
        .take(26)
        .rposition(|c| *c == '、')
        .filter(|&p| p >= 8)
        .unwrap_or(24);
    let head: String = chars.iter().take(cut).collect();
    format!("{head}等")
}

/// The first number in the text followed by “%” (the target growth rate), if any.
fn target_rate(text: &str) -> Option<f64> {
    let pos = text.find('%')?;
    let head = text.get(..pos)?;
    let digits: String = head
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    digits.parse().ok()
}

fn md(d: NaiveDate) -> String {
    format!("{}月{}日", d.month(), d.day())
}

/// What “finished” is called for a Build verb.
fn finish_word(verb: &str) -> &'static str {
    if verb.contains("投产") {
        "建成投产"
    } else if verb.contains("投用") || verb == "投用" {
        "建成投用"
    } else if verb.contains("运行") {
        "建成运行"
    } else {
        "建成"
    }
}

/// The progress text for `month`, always naming the month so that a text repeated word for word
/// from last month is a real copy (the demo copies a few on purpose).
fn progress_text(task: &Task, unit: &Unit, month: Month, st: &State) -> String {
    let text = base_text(task, unit, month, st);
    let m = month.month;
    match st.done_on {
        Some(d) if d < month.first_day() => {
            let mut rng = Rng::new(&format!("after|{month}|{}|{}", unit.name, task.number));
            let follow = match analyse(task).0 {
                Kind::Start => rng.pick_str(&[
                    "{m}月项目建设持续推进，主体工程按计划施工。",
                    "{m}月项目加快施工，累计完成投资稳步增长。",
                ]),
                Kind::Event => rng.pick_str(&[
                    "{m}月完成活动总结和成果转化工作。",
                    "{m}月持续跟进活动签约项目落地。",
                ]),
                _ => rng.pick_str(&[
                    "{m}月持续做好后续运营管理和跟踪服务。",
                    "{m}月开展运行情况跟踪评估，巩固工作成效。",
                    "{m}月组织开展成效总结，建立长效工作机制。",
                ]),
            };
            format!("{text}{}", follow.replace("{m}", &m.to_string()))
        }
        _ if text.contains(&format!("{m}月")) => text,
        _ => format!("截至{m}月底，{text}"),
    }
}

fn base_text(task: &Task, unit: &Unit, month: Month, st: &State) -> String {
    let mut rng = Rng::new(&format!("text|{month}|{}|{}", unit.name, task.number));
    let (kind, verb, obj) = analyse(task);
    let p = st.percent;
    let m = month.month;
    let n = month.next().month;
    let q = (p + rng.range(3, 12) as f64).min(98.0);
    let inv = format!("{:.1}", 0.8 + 12.0 * rng.unit() * p / 100.0);
    let times = rng.range(2, 6);
    let phase = match (st.done_on, p) {
        (Some(_), _) => 4,
        (None, x) if x <= 0.0 => 0,
        (None, x) if x < 40.0 => 1,
        (None, x) if x < 80.0 => 2,
        _ => 3,
    };
    let done = st.done_on.map(md).unwrap_or_default();
    match (kind, phase) {
        (Kind::Indicator, _) => indicator_text(task, &obj, month, st, &mut rng),
        (_, 0) => rng
            .pick_str(&[
                "{obj}相关工作尚未实质性启动，正在研究制定实施方案，对接争取上级支持。",
                "{obj}受前置条件制约暂未启动，已梳理制约因素并提请市级层面协调。",
            ])
            .replace("{obj}", &obj),
        (Kind::Build, 1) => rng
            .pick_str(&[
                "{proj}已完成可研批复和用地预审，正在开展施工图设计，累计完成投资约{inv}亿元。",
                "{proj}前期手续基本办结，施工单位已进场，正在进行场地平整和基础施工。",
                "{obj}建设方案已报批，正在办理规划许可和施工许可，同步推进设备招标采购。",
            ])
            .replace("{obj}", &obj)
            .replace("{proj}", &project(&obj))
            .replace("{inv}", &inv),
        (Kind::Build, 2) if is_linear(&obj) => format!(
            "{obj}正在加紧施工，路基、桥涵等主体工程完成{q}%，累计完成投资{inv}亿元。"
        ),
        (Kind::Build, 2) => rng
            .pick_str(&[
                "{obj}主体工程施工中，已完成土建工程量的{q}%，累计完成投资{inv}亿元。",
                "{obj}主体结构已封顶，正在进行设备安装和配套工程建设，完成总工程量的{p}%。",
                "{proj}正在加紧施工，{m}月新增完成投资{inv}亿元，累计完成总工程量的{p}%。",
            ])
            .replace("{obj}", &obj)
            .replace("{proj}", &project(&obj))
            .replace("{inv}", &inv)
            .replace("{q}", &q.to_string())
            .replace("{p}", &p.to_string())
            .replace("{m}", &m.to_string()),
        (Kind::Build, 3) if is_linear(&obj) => format!(
            "{obj}主体工程基本完工，正在进行附属设施施工和交工验收准备，计划{n}月底{}。",
            finish_word(verb)
        ),
        (Kind::Build, 3) => rng
            .pick_str(&[
                "{proj}主体工程已完工，设备安装调试完成{q}%，计划{n}月底{finish}。",
                "{obj}已进入设备联调联试阶段，配套设施基本完工，正在组织竣工验收准备，计划{n}月底{finish}。",
            ])
            .replace("{obj}", &obj)
            .replace("{proj}", &project(&obj))
            .replace("{q}", &q.to_string())
            .replace("{n}", &n.to_string())
            .replace("{finish}", finish_word(verb)),
        (Kind::Build, _) => rng
            .pick_str(&[
                "{obj}已于{d}{finish}，目前运行平稳。",
                "{obj}已于{d}{finish}，各项指标达到设计要求，已组织竣工验收。",
            ])
            .replace("{obj}", &obj)
            .replace("{d}", &done)
            .replace("{finish}", finish_word(verb)),
        (Kind::Start, 1) => format!("{}正在开展可研编制和前期要件办理，已完成项目备案。", project(&obj)),
        (Kind::Start, 2) => {
            format!("{}已完成用地、规划、环评等手续，正在进行施工招标，计划{n}月开工。", project(&obj))
        }
        (Kind::Start, 3) => {
            format!("{obj}施工图设计已通过审查，施工单位已确定，计划{n}月上旬正式开工。")
        }
        (Kind::Start, _) => rng
            .pick_str(&[
                "{obj}已于{d}正式开工建设，目前正在进行基础施工。",
                "{obj}已于{d}开工，桩基施工已完成，正在进行主体结构施工。",
            ])
            .replace("{obj}", &obj)
            .replace("{d}", &done),
        (Kind::Attract, 1) => {
            format!("围绕{obj}，已与相关企业开展{times}轮对接洽谈，达成初步合作意向。")
        }
        (Kind::Attract, 2) => {
            format!("{obj}已签订投资合作协议，正在办理项目公司注册和用地等落地手续。")
        }
        (Kind::Attract, 3) => {
            format!("{obj}已完成项目公司注册，正在推进场地改造和设备入驻，计划{n}月正式运营。")
        }
        (Kind::Attract, _) => format!("{obj}已于{done}正式签约落地，完成工商注册并投入运营。"),
        (Kind::Cultivate, 1) => {
            format!("已制定{obj}工作方案，梳理筛选培育对象，建立工作台账，召开推进会{times}次。")
        }
        (Kind::Cultivate, 2) => format!(
            "{obj}相关工作有序推进，已完成{times}项申报材料的编制，正在组织专家论证，完成年度任务的{p}%。"
        ),
        (Kind::Cultivate, 3) => {
            format!("{obj}申报材料已报送上级主管部门，正在配合开展评审和现场核查。")
        }
        (Kind::Cultivate, _) => format!("{obj}已通过评审认定，相关工作于{done}全部完成。"),
        (Kind::Event, 1) => format!("已成立{obj}筹备工作专班，制定总体工作方案并报市政府审定。"),
        (Kind::Event, 2) => format!(
            "{obj}筹备工作有序推进，场馆保障、嘉宾邀请、宣传推介等工作同步开展。"
        ),
        (Kind::Event, 3) => format!("{obj}各项筹备工作基本就绪，已完成全流程演练。"),
        (Kind::Event, _) => rng
            .pick_str(&["{obj}已于{d}圆满举办，社会反响良好。", "{obj}已于{d}顺利举办，活动期间安全有序。"])
            .replace("{obj}", &obj)
            .replace("{d}", &done),
        (Kind::Promote, 1) => rng
            .pick_str(&[
                "已印发{obj}实施方案，明确责任分工和时间节点，各项工作陆续启动。",
                "{obj}工作方案已起草完成，正在征求相关部门意见，同步开展前期调研。",
            ])
            .replace("{obj}", &obj),
        (Kind::Promote, 2) => {
            let detail = rng.pick_str(&[
                "已召开专题推进会{t}次",
                "建立周调度、月通报工作机制",
                "重点事项已分解到各责任单位",
            ]);
            format!(
                "{obj}各项工作有序推进，累计完成年度任务的{p}%，{}。",
                detail.replace("{t}", &times.to_string())
            )
        }
        (Kind::Promote, 3) => format!(
            "{obj}主要任务已基本完成，累计完成年度任务的{p}%，正在查漏补缺、总结评估，确保按期全面完成。"
        ),
        (Kind::Promote, _) if verb.contains("启动") => {
            format!("已于{done}正式启动{obj}，各项工作有序开展。")
        }
        (Kind::Promote, _) => rng
            .pick_str(&[
                "{obj}各项任务已全部完成，已于{d}报送总结材料。",
                "{obj}已按期完成，于{d}通过验收评估。",
            ])
            .replace("{obj}", &obj)
            .replace("{d}", &done),
    }
}

fn indicator_text(task: &Task, first: &str, month: Month, st: &State, rng: &mut Rng) -> String {
    let m = month.month;
    let p = st.percent;
    let behind = st.expected.is_some_and(|e| e - p > 10.0);
    let outlook = if behind {
        "与年度目标仍有差距，正在加大调度力度"
    } else {
        rng.pick_str(&["预计可完成全年目标", "总体运行平稳", "保持稳中有进态势"])
    };
    let rate_name = ["增长", "超过"]
        .iter()
        .filter_map(|w| first.find(w))
        .min()
        .and_then(|cut| first.get(..cut))
        .map(|n| n.trim_end_matches(['，', ',']))
        .filter(|n| !n.is_empty());
    match (target_rate(&task.text), rate_name) {
        (Some(target), Some(name)) if first.contains("增长") => {
            let factor = if behind {
                0.6 + 0.2 * rng.unit()
            } else {
                0.92 + 0.16 * rng.unit()
            };
            format!(
                "1—{m}月，{name}同比增长{:.1}%（年度目标{target}%），{outlook}。",
                target * factor
            )
        }
        _ => format!("截至{m}月底，“{first}”目标完成{p}%，{outlook}。"),
    }
}

fn issues_and_next(
    task: &Task,
    month: Month,
    st: &State,
    lagging: bool,
    rng: &mut Rng,
) -> (String, String) {
    let n = month.next().month;
    if st.done_on.is_some() {
        let next = rng.pick_str(&[
            "巩固工作成效，做好后续运营管理。",
            "做好总结评估，建立长效机制。",
            "",
        ]);
        return (String::new(), next.to_string());
    }
    if lagging || st.percent <= 0.0 {
        let issue = rng.pick_str(&[
            "项目用地、规划等前置审批手续办理周期较长，影响实施进度。",
            "项目资金到位不及时，部分建设资金仍有缺口。",
            "关键设备采购周期较长，部分设备尚未到货。",
            "进入冬季，室外施工受低温天气影响较大。",
            "涉及自治区层面审批事项，目前尚未取得批复。",
            "企业投资意愿减弱，项目推进节奏放缓。",
            "涉及部门较多，协调推进难度较大。",
            "前期方案论证耗时较长，实施进度滞后于计划。",
        ]);
        let next = rng
            .pick_str(&[
                "倒排工期、挂图作战，加强与相关部门对接，力争{n}月底前取得实质性进展。",
                "召开专题调度会，协调解决用地、资金等问题，全力追赶进度。",
                "主动向上对接，加快审批事项办理，确保尽快取得批复。",
                "督促施工单位增加作业面和人员投入，合理安排冬季施工。",
                "建立问题清单和责任清单，实行周调度、月通报，确保{n}月底前完成阶段目标。",
            ])
            .replace("{n}", &n.to_string());
        return (issue.to_string(), next);
    }
    let issue = rng.pick_str(&["", "无", ""]);
    let deadline = &task.deadline.raw;
    let next = rng
        .pick_str(&[
            "按计划持续推进，确保{dl}前完成。",
            "加强跟踪调度，及时协调解决推进中遇到的问题。",
            "做好{n}月各项工作安排，确保年度目标如期实现。",
            "持续跟踪项目进展，做好要素保障。",
        ])
        .replace("{n}", &n.to_string())
        .replace("{dl}", deadline);
    (issue.to_string(), next)
}

// ---------------------------------------------------------------------------------------------
// Clean files: the real template, filled in.

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
    }
}

fn clean_file(
    master: &Master,
    unit: &Unit,
    month: Month,
    cfg: &Config,
    reports: &[Report],
) -> Option<(String, Vec<u8>)> {
    let bytes = filled_template(
        master,
        unit,
        month,
        cfg,
        None,
        &filling(unit, month, reports),
    )
    .ok()?;
    Some((template_file_name(&unit.name, month), bytes))
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
    let templated = |f: &Filling, name: String| -> Option<(String, Vec<u8>)> {
        Some((
            name,
            filled_template(master, unit, month, cfg, None, f).ok()?,
        ))
    };
    let base = filling(unit, month, reports);
    let canonical = template_file_name(&unit.name, month);
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
            vec![
                templated(&first, canonical)?,
                templated(&second, corrected)?,
            ]
        }
        "市商务局" => {
            let mut f = base;
            if let Some(e) = f.entries.values_mut().find(|e| e.completed_on.is_none()) {
                e.percent = Some(120.0);
            }
            vec![templated(&f, canonical)?]
        }
        "赛罕区政府" => {
            let mut f = base;
            f.reported_on = Some(month.last_day() + Duration::days(5));
            if let Some(e) = f.entries.values_mut().last() {
                e.progress_text.clear();
            }
            vec![templated(&f, canonical)?]
        }
        "市教育局" => {
            let mut f = base;
            if let Some(e) = f.entries.values_mut().find(|e| e.completed_on.is_none()) {
                e.status = Some("已完成".into());
                e.percent = Some(60.0);
            }
            vec![templated(&f, canonical)?]
        }
        _ => return None,
    };
    Some(files)
}

// ---------------------------------------------------------------------------------------------
// Messy files: free-form grids written cell by cell.

/// A cell of a free-form sheet.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Empty,
    /// A title line (bold, larger).
    Title(String),
    Text(String),
    Number(f64),
    /// A fraction in a percent-formatted cell (0.8 shown as 80%).
    Percent(f64),
    Date(NaiveDate),
    /// A formula whose cached result is an error value such as `#DIV/0!`.
    Error(String, &'static str),
}

/// One sheet: rows of cells, the header row (bordered), column widths.
struct Grid {
    name: String,
    rows: Vec<Vec<Value>>,
    header_row: Option<usize>,
    widths: Vec<f64>,
}

/// A data column of a free-form sheet.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Field {
    Number,
    TaskText,
    Deadline,
    ProgressText,
    Percent,
    Status,
    CompletedOn,
    Issues,
    NextSteps,
    Remark,
    Extra,
}

impl Field {
    fn width(self) -> f64 {
        match self {
            Field::Number => 7.0,
            Field::TaskText => 34.0,
            Field::Deadline => 10.0,
            Field::ProgressText => 42.0,
            Field::Percent => 10.0,
            Field::Status => 10.0,
            Field::CompletedOn => 16.0,
            Field::Issues | Field::NextSteps => 24.0,
            Field::Remark | Field::Extra => 12.0,
        }
    }
    fn from_template(c: Column) -> Field {
        match c {
            Column::Number => Field::Number,
            Column::TaskText => Field::TaskText,
            Column::Deadline => Field::Deadline,
            Column::Previous => Field::Extra,
            Column::ProgressText => Field::ProgressText,
            Column::Percent => Field::Percent,
            Column::Status => Field::Status,
            Column::CompletedOn => Field::CompletedOn,
            Column::Issues => Field::Issues,
            Column::NextSteps => Field::NextSteps,
            Column::Remark => Field::Remark,
        }
    }
}

/// The template's own columns as (header, field).
fn canonical_columns() -> Vec<(String, Field)> {
    template_columns(false)
        .into_iter()
        .map(|c| (c.label().to_string(), Field::from_template(c)))
        .collect()
}

/// How a free-form sheet writes its values.
#[derive(Debug, Clone, Copy, Default)]
struct Style {
    /// 序号 as “１２” / “第12项” (alternating).
    odd_numbers: bool,
    percent: PercentStyle,
    /// Dates as “2026年11月25日” text.
    chinese_dates: bool,
    /// Status synonyms instead of the dropdown values.
    status_synonyms: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
enum PercentStyle {
    #[default]
    Number,
    /// “80%”, now and then “约80%”.
    Text,
    /// “８０％”.
    FullWidth,
    /// 0.8 in a percent-formatted cell.
    Fraction,
}

fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap_or(c),
            '%' => '％',
            _ => c,
        })
        .collect()
}

fn chinese_date_text(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// A header variant from intake's synonym table: the demo writes only variants intake accepts,
/// and a variant dropped from the table fails here, not silently in the demo month.
fn synonym(column: Column, text: &str) -> &'static str {
    column
        .synonym(text)
        .expect("demo header variant is in duban::columns' synonym table")
}

fn status_synonym(s: ReportedStatus, i: usize) -> &'static str {
    match (s, i % 2) {
        (ReportedStatus::Done, 0) => "已办结",
        (ReportedStatus::Done, _) => "完成",
        (ReportedStatus::OnTrack, 0) => "正常推进",
        (ReportedStatus::OnTrack, _) => "按计划推进",
        (ReportedStatus::Lagging, _) => "进度滞后",
        (ReportedStatus::NotStarted, _) => "尚未启动",
    }
}

fn percent_text(p: f64) -> String {
    format!("{p}%")
}

fn cell_for(field: Field, task: &Task, r: &Report, style: Style, i: usize) -> Value {
    match field {
        Field::Number => {
            if !style.odd_numbers {
                Value::Number(f64::from(task.number))
            } else if i.is_multiple_of(2) {
                Value::Text(full_width(&task.number.to_string()))
            } else {
                Value::Text(format!("第{}项", task.number))
            }
        }
        Field::TaskText => Value::Text(task.text.clone()),
        Field::Deadline => Value::Text(task.deadline.raw.clone()),
        Field::ProgressText => text_value(&r.text),
        Field::Percent => match style.percent {
            PercentStyle::Number => Value::Number(r.percent),
            PercentStyle::Text if i % 4 == 2 && r.percent < 100.0 => {
                Value::Text(format!("约{}", percent_text(r.percent)))
            }
            PercentStyle::Text => Value::Text(percent_text(r.percent)),
            PercentStyle::FullWidth => Value::Text(full_width(&percent_text(r.percent))),
            PercentStyle::Fraction => Value::Percent(r.percent / 100.0),
        },
        Field::Status if style.status_synonyms => {
            Value::Text(status_synonym(r.status, i).to_string())
        }
        Field::Status => Value::Text(r.status.label().to_string()),
        Field::CompletedOn => match r.done_on {
            Some(d) if style.chinese_dates => Value::Text(chinese_date_text(d)),
            Some(d) => Value::Date(d),
            None => Value::Empty,
        },
        Field::Issues => text_value(&r.issues),
        Field::NextSteps => text_value(&r.next_steps),
        Field::Remark | Field::Extra => Value::Empty,
    }
}

fn text_value(s: &str) -> Value {
    if s.is_empty() {
        Value::Empty
    } else {
        Value::Text(s.to_string())
    }
}

/// Everything a messy-file builder needs.
struct GridContext<'a> {
    master: &'a Master,
    unit: &'a Unit,
    month: Month,
    cfg: &'a Config,
    tasks: &'a [&'a Task],
    reports: &'a [Report],
}

impl GridContext<'_> {
    fn rows_for(&self, columns: &[(String, Field)], style: Style) -> Vec<Vec<Value>> {
        self.tasks
            .iter()
            .zip(self.reports)
            .enumerate()
            .map(|(i, (t, r))| {
                columns
                    .iter()
                    .map(|(_, f)| cell_for(*f, t, r, style, i))
                    .collect()
            })
            .collect()
    }

    fn date(&self) -> NaiveDate {
        reported_on(self.unit, self.month)
    }

    fn title(&self) -> String {
        template_title(self.cfg, self.month)
    }

    /// The template's header block as separate cells, laid over `columns` (12+ columns wide).
    fn block_row(&self, unit_label: &str, date: Value, width: usize) -> Vec<Value> {
        let mut row = vec![Value::Empty; width.max(10)];
        let mut set = |i: usize, v: Value| {
            if let Some(slot) = row.get_mut(i) {
                *slot = v;
            }
        };
        set(0, Value::Text(format!("填报单位：{unit_label}")));
        set(2, Value::Text("填报人：".into()));
        set(
            3,
            Value::Text(self.unit.contact.clone().unwrap_or_default()),
        );
        set(4, Value::Text("联系电话：".into()));
        set(6, Value::Text(self.unit.phone.clone().unwrap_or_default()));
        set(8, Value::Text("填报日期：".into()));
        set(9, date);
        row
    }

    /// A sheet in the template's shape: title, block, header, rows.
    fn canonical_grid(&self, name: &str, style: Style) -> Grid {
        let columns = canonical_columns();
        let mut rows = vec![
            vec![Value::Title(self.title())],
            self.block_row(&self.unit.name, Value::Date(self.date()), columns.len()),
            columns
                .iter()
                .map(|(h, _)| Value::Text(h.clone()))
                .collect(),
        ];
        rows.extend(self.rows_for(&columns, style));
        Grid {
            name: name.to_string(),
            rows,
            header_row: Some(2),
            widths: columns.iter().map(|(_, f)| f.width()).collect(),
        }
    }

    fn workbook(&self, file: String, grids: &[Grid]) -> Option<(String, Vec<u8>)> {
        Some((file, write_grids(grids, self.month, self.cfg).ok()?))
    }

    /// 附件2-呼和浩特市科学技术局-重点任务进展（11月）.xlsx: one-cell header block with the full
    /// name, an extra “附件2” line, percents as text.
    fn science(&self) -> Option<(String, Vec<u8>)> {
        let columns = canonical_columns();
        let full = self
            .unit
            .aliases
            .first()
            .cloned()
            .unwrap_or(self.unit.name.clone());
        let style = Style {
            percent: PercentStyle::Text,
            ..Style::default()
        };
        let block = format!(
            "填报单位（盖章）：{full}      填报人：{}      联系电话：{}      填报日期：{}",
            self.unit.contact.clone().unwrap_or_default(),
            self.unit.phone.clone().unwrap_or_default(),
            duban::model::chinese_date(self.date())
        );
        let mut rows = vec![
            vec![Value::Text("附件2".into())],
            vec![Value::Title(self.title())],
            vec![Value::Text(block)],
            columns
                .iter()
                .map(|(h, _)| Value::Text(h.clone()))
                .collect(),
        ];
        rows.extend(self.rows_for(&columns, style));
        let grid = Grid {
            name: "Sheet1".into(),
            rows,
            header_row: Some(3),
            widths: columns.iter().map(|(_, f)| f.width()).collect(),
        };
        let file = format!("附件2-{full}-重点任务进展（{}月）.xlsx", self.month.month);
        self.workbook(file, &[grid])
    }

    /// Header row moved down under extra title lines; columns reordered and renamed with
    /// synonyms, an extra column; percents as fractions in percent-formatted cells.
    fn housing(&self) -> Option<(String, Vec<u8>)> {
        let columns: Vec<(String, Field)> = [
            (synonym(Column::Number, "编号"), Field::Number),
            (Column::TaskText.label(), Field::TaskText),
            (Column::Deadline.label(), Field::Deadline),
            (synonym(Column::Percent, "完成比例"), Field::Percent),
            (synonym(Column::Status, "推进状态"), Field::Status),
            (
                synonym(Column::ProgressText, "进展情况"),
                Field::ProgressText,
            ),
            (synonym(Column::Issues, "存在的问题"), Field::Issues),
            (synonym(Column::NextSteps, "下一步计划"), Field::NextSteps),
            ("责任科室", Field::Extra),
            (Column::CompletedOn.label(), Field::CompletedOn),
        ]
        .into_iter()
        .map(|(h, f)| (h.to_string(), f))
        .collect();
        let full = self
            .unit
            .aliases
            .first()
            .cloned()
            .unwrap_or(self.unit.name.clone());
        let style = Style {
            percent: PercentStyle::Fraction,
            ..Style::default()
        };
        let mut rows = vec![
            vec![Value::Text("附件".into())],
            vec![Value::Title(format!("{}重点工作任务推进情况", full))],
            vec![Value::Text(format!("（{}）", self.month.label()))],
            vec![],
            self.block_row(&full, Value::Date(self.date()), columns.len()),
            vec![],
            columns
                .iter()
                .map(|(h, _)| Value::Text(h.clone()))
                .collect(),
        ];
        let mut data = self.rows_for(&columns, style);
        let offices = ["城建科", "房产科", "物业科", "规划科"];
        for (i, row) in data.iter_mut().enumerate() {
            if let Some(cell) = row.get_mut(8) {
                *cell = Value::Text(offices.get(i % offices.len()).copied().unwrap_or("").into());
            }
        }
        rows.extend(data);
        let grid = Grid {
            name: "推进情况".into(),
            rows,
            header_row: Some(6),
            widths: columns.iter().map(|(_, f)| f.width()).collect(),
        };
        let file = format!("市住建局{}重点任务进展情况.xlsx", self.month.label());
        self.workbook(file, &[grid])
    }

    /// Full-width and “第N项” task numbers, “８０％”, dates as Chinese text.
    fn culture(&self) -> Option<(String, Vec<u8>)> {
        let style = Style {
            odd_numbers: true,
            percent: PercentStyle::FullWidth,
            chinese_dates: true,
            ..Style::default()
        };
        let mut grid = self.canonical_grid("进展情况", style);
        if let Some(cell) = grid.rows.get_mut(1).and_then(|row| row.get_mut(9)) {
            *cell = Value::Text(chinese_date_text(self.date()));
        }
        let file = format!(
            "市文旅广电局重点任务推进情况表（{}月）.xlsx",
            self.month.month
        );
        self.workbook(file, &[grid])
    }

    /// Status written with synonyms.
    fn synonyms(&self) -> Option<(String, Vec<u8>)> {
        let style = Style {
            status_synonyms: true,
            ..Style::default()
        };
        let grid = self.canonical_grid("进展情况", style);
        self.workbook(template_file_name(&self.unit.name, self.month), &[grid])
    }

    /// Sub-items written on continuation rows (blank 序号) under tasks listing several projects.
    fn continuation(&self) -> Option<(String, Vec<u8>)> {
        let mut grid = self.canonical_grid("进展情况", Style::default());
        let header = grid.header_row.unwrap_or(2);
        let mut out: Vec<Vec<Value>> = grid.rows.drain(..=header).collect();
        let data: Vec<Vec<Value>> = grid.rows.drain(..).collect();
        for ((task, report), mut row) in self.tasks.iter().zip(self.reports).zip(data) {
            let items = sub_items(task);
            if items.len() < 3 || report.done_on.is_some() {
                out.push(row);
                continue;
            }
            let mut subs = Vec::new();
            for (k, item) in items.iter().enumerate().take(4) {
                let mut rng = Rng::new(&format!("sub|{}|{}|{item}", self.month, task.number));
                let text = format!(
                    "（{}）{item}：{}",
                    k + 1,
                    rng.pick_str(&[
                        "已完成主体施工，正在进行机电安装。",
                        "土建工程完成约七成，设备已订货。",
                        "已取得施工许可，正在进行基础施工。",
                        "正在办理用地和规划手续。",
                    ])
                );
                if k == 0 {
                    if let Some(cell) = row.get_mut(3) {
                        *cell = Value::Text(format!("分项推进情况：{text}"));
                    }
                    continue;
                }
                let mut sub = vec![Value::Empty; 10];
                if let Some(cell) = sub.get_mut(3) {
                    *cell = Value::Text(text);
                }
                subs.push(sub);
            }
            out.push(row);
            out.extend(subs);
        }
        grid.rows = out;
        self.workbook(template_file_name(&self.unit.name, self.month), &[grid])
    }

    /// A cover sheet first; the data on the second sheet.
    fn second_sheet(&self) -> Option<(String, Vec<u8>)> {
        let full = self
            .unit
            .aliases
            .first()
            .cloned()
            .unwrap_or(self.unit.name.clone());
        let cover = Grid {
            name: "封面".into(),
            rows: vec![
                vec![],
                vec![Value::Title(full.clone())],
                vec![Value::Title("重点工作任务推进情况报告".into())],
                vec![Value::Text(format!("（{}）", self.month.label()))],
                vec![],
                vec![Value::Text(format!(
                    "{}管理委员会　{}",
                    full.trim_end_matches("管理委员会"),
                    duban::model::chinese_date(self.date())
                ))],
            ],
            header_row: None,
            widths: vec![60.0],
        };
        let data = self.canonical_grid("重点任务进展", Style::default());
        let file = format!("{}（{}月）.xlsx", full, self.month.month);
        self.workbook(file, &[cover, data])
    }

    /// An extra row for a task that belongs to another unit (copied from another table).
    fn foreign_task(&self) -> Option<(String, Vec<u8>)> {
        let mut grid = self.canonical_grid("进展情况", Style::default());
        let foreign = self
            .master
            .tasks
            .iter()
            .find(|t| t.number == 132 && !t.units.contains(&self.unit.name))?;
        let mut row = vec![Value::Empty; 10];
        let cells = [
            (0, Value::Number(f64::from(foreign.number))),
            (1, Value::Text(foreign.text.clone())),
            (2, Value::Text(foreign.deadline.raw.clone())),
            (
                3,
                Value::Text("配合市住建局做好交通组织保障，互通立交主线已通车。".into()),
            ),
            (4, Value::Number(90.0)),
            (5, Value::Text("序时推进".into())),
        ];
        for (i, v) in cells {
            if let Some(slot) = row.get_mut(i) {
                *slot = v;
            }
        }
        grid.rows.push(row);
        self.workbook(template_file_name(&self.unit.name, self.month), &[grid])
    }

    /// One 完成进度 cell holds a formula whose cached result is #DIV/0!.
    fn formula_error(&self) -> Option<(String, Vec<u8>)> {
        let mut grid = self.canonical_grid("进展情况", Style::default());
        let target = self
            .reports
            .iter()
            .position(|r| r.done_on.is_none())
            .unwrap_or(0);
        let row_index = grid.header_row.unwrap_or(2) + 1 + target;
        if let Some(cell) = grid.rows.get_mut(row_index).and_then(|r| r.get_mut(4)) {
            *cell = Value::Error("=K4/0".into(), "#DIV/0!");
        }
        self.workbook(template_file_name(&self.unit.name, self.month), &[grid])
    }
}

/// “开工建设中国移动十万卡集群、中石油数据中心、…等项目” → the listed projects.
fn sub_items(task: &Task) -> Vec<String> {
    let (_, verb, _) = analyse(task);
    let body = task.text.get(verb.len()..).unwrap_or(&task.text);
    let body = body.split(['，', '；']).next().unwrap_or(body);
    let body = body.trim_end_matches("项目").trim_end_matches('等');
    body.split('、')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Writes free-form sheets with plain bordered formats (what a hand-made workbook looks like).
fn write_grids(grids: &[Grid], month: Month, cfg: &Config) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let first = month.first_day();
    let created = ExcelDateTime::from_ymd(first.year() as u16, first.month() as u8, 2)?;
    wb.set_properties(
        &DocProperties::new()
            .set_author(&cfg.office.name)
            .set_creation_datetime(&created),
    );
    let base = Format::new().set_font_name("宋体").set_font_size(11);
    let title = base.clone().set_bold().set_font_size(14);
    let header = base
        .clone()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let cell = base
        .clone()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter);
    let percent = cell.clone().set_num_format("0%");
    let date = cell.clone().set_num_format("yyyy-mm-dd");
    let plain_date = base.clone().set_num_format("yyyy-mm-dd");
    for grid in grids {
        let ws = wb.add_worksheet().set_name(&grid.name)?;
        for (c, w) in grid.widths.iter().enumerate() {
            ws.set_column_width(c as u16, *w)?;
        }
        for (r, row) in grid.rows.iter().enumerate() {
            let r32 = r as u32;
            let in_table = grid.header_row.is_some_and(|h| r >= h);
            let is_header = grid.header_row == Some(r);
            let plain = if is_header {
                &header
            } else if in_table {
                &cell
            } else {
                &base
            };
            for (c, v) in row.iter().enumerate() {
                let c16 = c as u16;
                match v {
                    Value::Empty if in_table => {
                        ws.write_blank(r32, c16, plain)?;
                    }
                    Value::Empty => {}
                    Value::Title(t) => {
                        ws.write_string_with_format(r32, c16, t, &title)?;
                    }
                    Value::Text(t) => {
                        ws.write_string_with_format(r32, c16, t, plain)?;
                    }
                    Value::Number(n) => {
                        ws.write_number_with_format(r32, c16, *n, plain)?;
                    }
                    Value::Percent(f) => {
                        ws.write_number_with_format(r32, c16, *f, &percent)?;
                    }
                    Value::Date(d) => {
                        let dt = ExcelDateTime::from_ymd(
                            d.year() as u16,
                            d.month() as u8,
                            d.day() as u8,
                        )?;
                        ws.write_datetime_with_format(
                            r32,
                            c16,
                            dt,
                            if in_table { &date } else { &plain_date },
                        )?;
                    }
                    Value::Error(f, result) => {
                        ws.write_formula_with_format(
                            r32,
                            c16,
                            Formula::new(f).set_result(*result),
                            plain,
                        )?;
                    }
                }
            }
            if in_table && !is_header {
                ws.set_row_height(r32, grid_row_height(row, &grid.widths))?;
            }
        }
        ws.set_paper_size(9)
            .set_landscape()
            .set_print_fit_to_pages(1, 0);
    }
    wb.save_to_buffer()
}

fn grid_row_height(row: &[Value], widths: &[f64]) -> f64 {
    let lines = row
        .iter()
        .zip(widths)
        .map(|(v, w)| match v {
            Value::Text(t) => wrapped_lines(t, *w),
            _ => 1,
        })
        .max()
        .unwrap_or(1)
        .max(2);
    (lines as f64 * 15.0 + 6.0).min(409.0)
}
