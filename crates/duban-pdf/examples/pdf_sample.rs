//! Renders a sample two-page notice with the PDF layout engine to /tmp/sample.pdf
//! (or the path given as the first argument) and reports timing.
//!
//! ```text
//! cargo run --release -p duban-pdf --example pdf_sample [-- /tmp/sample.pdf]
//! pdftoppm -png -r 70 /tmp/sample.pdf /tmp/sample
//! ```

use chrono::NaiveDate;
use duban_pdf::*;
use std::path::Path;
use std::time::Instant;

const RED: Color = Color::hex(0xE60012);
const YELLOW: Color = Color::hex(0xF2A900);
const BLUE: Color = Color::hex(0x1F6FD1);
const GREEN: Color = Color::hex(0x1A9A48);
const GREY: Color = Color::hex(0xE6E6E6);
const OFFICE: &str = "呼和浩特市人民政府督查室";
const DATE: &str = "2026年12月2日";

/// Body grid: 16 pt Song tracked to 28 characters per 156 mm line, 22 lines per page.
const BODY_PITCH: f32 = 28.99;

fn body() -> Style {
    Style::new(FontRole::Body, 16.0).tracking(-0.21)
}

fn char_pitch() -> f32 {
    16.0 - 0.21
}

fn para(text: &str) -> Block {
    Block::Paragraph(
        Paragraph::new(vec![Span::text(text, body())], BODY_PITCH)
            .align(Align::Justify)
            .first_line_indent(2.0 * char_pitch()),
    )
}

fn heading(text: &str) -> Block {
    Block::Heading(
        Paragraph::new(
            vec![Span::text(text, Style::new(FontRole::Heading, 16.0))],
            BODY_PITCH,
        )
        .first_line_indent(2.0 * char_pitch()),
    )
}

fn cell_style() -> Style {
    Style::new(FontRole::Body, 10.5)
}

fn light(color: Color, word: &str) -> Cell {
    let size = 10.5;
    Cell::new(vec![
        Span::text("●", cell_style().size(0.82 * size).color(color)),
        Span::gap(0.12 * size),
        Span::text(word, cell_style()),
    ])
}

/// 任务目标, 完成时限, 完成进度, (light, 状态), 存在问题.
type Task<'a> = (&'a str, &'a str, &'a str, (Color, &'a str), &'a str);

fn task_table() -> Table {
    let header_style = Style::new(FontRole::Heading, 10.5);
    let head = |t: &str| Cell::text(t, header_style);
    let tasks: [Task; 18] = [
        (
            "加快创建呼包鄂国家自主创新示范区",
            "10月底",
            "100%",
            (GREEN, "已完成"),
            "",
        ),
        (
            "推进建设国家乳业技术创新中心二期项目",
            "12月底",
            "92%",
            (BLUE, "临期"),
            "设备联调中",
        ),
        (
            "开展乳铁蛋白提取、特色功能菌株开发等核心技术攻关",
            "12月底",
            "100%",
            (GREEN, "已完成"),
            "",
        ),
        (
            "加快推进非洲猪瘟疫苗临床实验",
            "12月底",
            "70%",
            (YELLOW, "滞后"),
            "临床批件待审批",
        ),
        (
            "开展猫三联、犬四联疫苗研发",
            "12月底",
            "100%",
            (GREEN, "已完成"),
            "",
        ),
        (
            "建成投用空天计量基准大科学装置",
            "12月底",
            "55%",
            (RED, "滞后"),
            "核心设备未到货",
        ),
        (
            "落地崖州湾国家实验室呼和浩特创新平台",
            "12月底",
            "100%",
            (GREEN, "已完成"),
            "",
        ),
        (
            "保障怀柔国家实验室内蒙古基地建设",
            "12月底",
            "90%",
            (BLUE, "临期"),
            "配套工程收尾",
        ),
        (
            "争创自治区级乳酸菌、生物制造、算电融合等技术创新中心",
            "12月底",
            "—",
            (YELLOW, "未报送"),
            "进度填报无效（见第三部分）",
        ),
        (
            "实施“种芯”工程",
            "10月底",
            "85%",
            (RED, "逾期未完成"),
            "品种审定未公布",
        ),
        (
            "推进国家草业技术创新中心挂牌运行",
            "12月底",
            "100%",
            (GREEN, "已完成"),
            "",
        ),
        (
            "开展生态修复、草业装备制造、高产优质牧草等领域研发",
            "12月底",
            "100%",
            (GREEN, "已完成"),
            "",
        ),
        (
            "培育中试平台和概念验证中心5个以上，实施重大科技攻关项目15项以上",
            "12月底",
            "75%",
            (YELLOW, "滞后"),
            "已培育4个，攻关立项12项",
        ),
        (
            "推进与中科院深圳先进研究院“1+6+N”合作项目",
            "10月底",
            "100%",
            (GREEN, "已完成"),
            "逾期完成（11月18日）",
        ),
        (
            "转化落地前沿颠覆性成果5项以上，技术合同成交额突破40亿元",
            "12月底",
            "100%",
            (GREEN, "已完成"),
            "",
        ),
        (
            "打造双向人才科创飞地，引育高层次人才100名以上",
            "12月底",
            "88%",
            (BLUE, "临期"),
            "已引育高层次人才88名",
        ),
        (
            "国家科技型企业数量增长10%以上",
            "12月底",
            "100%",
            (GREEN, "已完成"),
            "",
        ),
        (
            "全面推进科技创新体制改革，进一步优化完善“研究院+公司+基金”运行机制",
            "12月底",
            "100%",
            (GREEN, "已完成"),
            "",
        ),
    ];
    let rows = tasks
        .iter()
        .enumerate()
        .map(|(i, (task, due, progress, (color, status), problem))| {
            Row::new(vec![
                Cell::text((74 + i).to_string(), cell_style()),
                Cell::text(*task, cell_style()),
                Cell::text(*due, cell_style()),
                Cell::text(*progress, cell_style()),
                light(*color, status),
                Cell::text(*problem, cell_style()),
            ])
        })
        .collect();
    Table {
        columns: vec![
            Column::mm(8.0, Align::Center),
            Column::flex(Align::Left),
            Column::mm(13.5, Align::Center),
            Column::mm(11.5, Align::Center),
            Column::mm(24.5, Align::Left),
            Column::mm(28.0, Align::Left),
        ],
        header: Some(Row::new(vec![
            head("序\n号"),
            head("任务目标"),
            head("完成\n时限"),
            head("完成\n进度"),
            head("状态"),
            head("存在问题"),
        ])),
        rows,
        style: TableStyle::default(),
    }
}

fn problem_table() -> Table {
    let header_style = Style::new(FontRole::Heading, 10.5);
    let head = |t: &str| Cell::text(t, header_style);
    let c = |t: &str| Cell::text(t, cell_style());
    Table {
        columns: vec![
            Column::mm(8.0, Align::Center),
            Column::mm(10.0, Align::Center),
            Column::mm(20.0, Align::Center),
            Column::mm(10.0, Align::Center),
            Column::mm(40.0, Align::Left),
            Column::flex(Align::Left),
        ],
        header: Some(Row::new(vec![
            head("序\n号"),
            head("类别"),
            head("工作表"),
            head("单元\n格"),
            head("填报内容"),
            head("问题及修改要求"),
        ])),
        rows: vec![
            Row::full_width(Cell::text(
                "文件：市科技局-2026年重点工作任务推进情况（11月）.xlsx",
                cell_style(),
            ))
            .fill(GREY),
            Row::new(vec![
                c("1"),
                c("错误"),
                c("11月进展"),
                c("E13"),
                c("约八成"),
                c("须填0—100的数字（如80）；该行未采用，第82项按未报送计，请补报"),
            ]),
            Row::new(vec![
                c("2"),
                c("提示"),
                c("11月进展"),
                c("D17"),
                c("已培育中试平台和概念验证中心4个……"),
                c("与10月填报内容完全相同，请填写11月新进展"),
            ]),
        ],
        style: TableStyle::default(),
    }
}

fn sample(fonts: &FontSet) -> Document {
    let office = Style::new(FontRole::Title, 30.0).color(RED).tracking(1.5);
    let title = Style::new(FontRole::Title, 22.0);
    let blank = || Block::Spacer(BODY_PITCH);
    // The date ends 4 characters from the right; the office name is centred over it.
    let date_indent = 4.0 * char_pitch();
    let office_indent = date_indent
        + (measure(&[Span::text(DATE, body())], fonts)
            - measure(&[Span::text(OFFICE, body())], fonts))
            / 2.0;
    Document {
        page: PageSetup::a4_portrait(),
        blocks: vec![
            Block::Paragraph(
                Paragraph::new(vec![Span::text("呼和浩特市人民政府督查室", office)], 30.0)
                    .align(Align::Center),
            ),
            blank(),
            Block::Paragraph(
                Paragraph::new(vec![Span::text("呼督〔2026〕138号", body())], BODY_PITCH)
                    .align(Align::Center),
            ),
            Block::Rule(Rule {
                thickness: 1.5,
                color: RED,
                space_before: mm(4.0) - (BODY_PITCH - 16.0) / 2.0,
                space_after: 0.0,
            }),
            blank(),
            Block::Paragraph(
                Paragraph::new(
                    vec![Span::text("重点工作任务督办通知单", title)],
                    BODY_PITCH * 1.2,
                )
                .align(Align::Center),
            ),
            blank(),
            Block::Paragraph(Paragraph::new(
                vec![Span::text("承办单位：市科技局", body())],
                BODY_PITCH,
            )),
            para(
                "截至2026年11月30日，你单位牵头的《政府工作报告》重点工作任务18项中，已完成10项，序时推进3项（其中临期3项），滞后3项，逾期未完成1项，未报送1项。现通知如下。",
            ),
            heading("一、督办事项"),
            Block::Table(task_table()),
            heading("二、督办要求"),
            para(
                "红灯任务（第79、83项）请主要负责同志专题研究整改，黄灯任务（第77、82、86项）请说明原因和追赶措施，并于2026年12月10日前书面反馈市政府督查室。蓝灯任务（第75、81、89项）12月底到期，请确保按期完成。",
            ),
            heading("三、报送数据问题"),
            para("你单位报送的工作簿存在以下问题，请在下月报送时更正："),
            Block::Table(problem_table()),
            Block::KeepTogether(vec![
                para("联系人：李晓东，联系电话：0471-6609317。"),
                blank(),
                blank(),
                Block::Paragraph(
                    Paragraph::new(vec![Span::text(OFFICE, body())], BODY_PITCH)
                        .align(Align::Right)
                        .indent(0.0, office_indent),
                ),
                Block::Paragraph(
                    Paragraph::new(vec![Span::text(DATE, body())], BODY_PITCH)
                        .align(Align::Right)
                        .indent(0.0, date_indent),
                ),
            ]),
        ],
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/tmp/sample.pdf".to_string());
    let fonts_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fonts");
    let started = Instant::now();
    let fonts = FontSet::load_dir(&fonts_dir)?;
    println!(
        "fonts loaded in {:.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );

    let doc = sample(&fonts);
    let meta = Meta {
        title: "重点工作任务督办通知单（市科技局）".into(),
        author: "呼和浩特市人民政府督查室".into(),
        subject: "督办通知单".into(),
        date: NaiveDate::from_ymd_opt(2026, 12, 2).ok_or("bad date")?,
        creator: "pdf_sample".into(),
        creator_version: env!("CARGO_PKG_VERSION").into(),
    };
    let mut times = Vec::new();
    let mut rendered = render(&doc, &fonts, &meta)?;
    for _ in 0..20 {
        let t = Instant::now();
        rendered = render(&doc, &fonts, &meta)?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    let t = Instant::now();
    let laid = layout(&doc, &fonts);
    let layout_ms = t.elapsed().as_secs_f64() * 1e3;
    std::fs::write(&out, &rendered.pdf)?;
    println!(
        "{out}: {} pages, {} bytes; render median {:.1} ms (layout {:.1} ms) over {} runs",
        rendered.pages,
        rendered.pdf.len(),
        times[times.len() / 2],
        layout_ms,
        times.len()
    );
    for page in &laid.pages {
        println!("page {}: {} lines", page.number, page.lines().count());
    }
    // The OFD twin of the same layout, beside the PDF.
    let ofd_path = std::path::Path::new(&out).with_extension("ofd");
    std::fs::write(&ofd_path, write_ofd(&laid, &fonts, &meta)?)?;
    println!("{}: its OFD twin", ofd_path.display());
    for m in &rendered.missing {
        println!("缺字 {} 于“{}”", m.ch, m.context);
    }
    Ok(())
}
