//! The words of a report: progress texts built from the task's verb and object, indicator
//! sentences, issues and next steps.

use super::*;

/// Kinds of task wording, each with its own phrases.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Kind {
    Build,
    Start,
    Attract,
    Cultivate,
    Event,
    Indicator,
    Promote,
}

/// Leading verbs, longest first within a kind's family.
pub(super) const VERBS: [(&str, Kind); 58] = [
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
pub(super) fn analyse(task: &Task) -> (Kind, &'static str, String) {
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
pub(super) fn is_physical(object: &str) -> bool {
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
pub(super) fn is_linear(object: &str) -> bool {
    ["高速", "立交", "铁", "路", "管网", "绿道", "送"]
        .iter()
        .any(|w| object.contains(w))
}

/// “雅士利奶粉工厂” → “雅士利奶粉工厂项目”; an object already ending in 项目 stays.
pub(super) fn project(object: &str) -> String {
    if object.ends_with("项目") {
        object.to_string()
    } else {
        format!("{object}项目")
    }
}

/// Drops parenthetical notes and cuts a long object at a natural break so it reads well
/// inside a sentence.
pub(super) fn shorten(object: &str) -> String {
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
pub(super) fn target_rate(text: &str) -> Option<f64> {
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

pub(super) fn md(d: NaiveDate) -> String {
    format!("{}月{}日", d.month(), d.day())
}

/// What “finished” is called for a Build verb.
pub(super) fn finish_word(verb: &str) -> &'static str {
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
pub(super) fn progress_text(task: &Task, unit: &Unit, month: Month, st: &State) -> String {
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

pub(super) fn base_text(task: &Task, unit: &Unit, month: Month, st: &State) -> String {
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

pub(super) fn indicator_text(
    task: &Task,
    first: &str,
    month: Month,
    st: &State,
    rng: &mut Rng,
) -> String {
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

pub(super) fn issues_and_next(
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
    // weather as the month has it (Hohhot: cold from October to March, rainy in summer)
    let winter = matches!(month.month, 10..=12 | 1..=3);
    let (weather, site_work) = if winter {
        ("进入冬季，室外施工受低温天气影响较大。", "合理安排冬季施工")
    } else {
        ("汛期降雨较多，室外施工受到一定影响。", "合理安排汛期施工")
    };
    if lagging || st.percent <= 0.0 {
        let issue = rng.pick_str(&[
            "项目用地、规划等前置审批手续办理周期较长，影响实施进度。",
            "项目资金到位不及时，部分建设资金仍有缺口。",
            "关键设备采购周期较长，部分设备尚未到货。",
            weather,
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
                "督促施工单位增加作业面和人员投入，{site}。",
                "建立问题清单和责任清单，实行周调度、月通报，确保{n}月底前完成阶段目标。",
            ])
            .replace("{n}", &n.to_string())
            .replace("{site}", site_work);
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
