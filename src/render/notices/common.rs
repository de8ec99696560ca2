//! What the three notices share: the typographic numbers of the mock-ups, table cells (lights,
//! percentages, issues), the counts behind the portfolio sentences, and the small line markup
//! that turns a rendered template into page blocks.
//!
//! A notice template renders to lines; each line is one block of the document:
//!
//! | line | block |
//! |---|---|
//! | `@mark 呼和浩特市人民政府督查室` | 发文机关标志 (30 pt bold, red, centred) |
//! | `@docno 呼督〔2026〕17号` | 文号 (centred) followed by the red rule |
//! | `@title …` | title (22 pt bold, centred, one blank line above and below; `\\n` breaks it); also the PDF title |
//! | `@subject …` | PDF subject only, not printed |
//! | `@to 刘继英副市长：` | addressee, flush left |
//! | `@h 一、…` | heading (bold sans, indented two characters), kept with what follows |
//! | `@p …` or a plain line | body paragraph (justified, first line indented two characters) |
//! | `@note …` | small note (10.5 pt) under a table |
//! | `@table name` | a table the document supplies (`attention`, `overview`, …) |
//! | `@signoff 机关名称` then `@date 2026年12月2日` | sign-off block with seal space, kept with the paragraph before it |

use crate::model::{Light, Month, Rates, Status, TaskOutcome};
use crate::trend::Trend;
use duban_pdf::{
    Align, Block, Cell, Color, Column, FontRole, FontSet, Paragraph, Row, Rule, Span, Style,
    measure, mm,
};

/// Body text size (三号).
pub const BODY_SIZE: f32 = 16.0;
/// Body tracking: 28 characters on the 156 mm line.
pub const TRACKING: f32 = -0.21;
/// Body line pitch: 22 lines in the 225 mm text block.
pub const PITCH: f32 = 28.99;
/// One character pitch of body text.
pub const CHAR: f32 = BODY_SIZE + TRACKING;
/// Table text size (五号).
pub const CELL_SIZE: f32 = 10.5;
/// The red of the 版头 (and of red lights).
pub const RED: Color = Color::hex(0xE60012);
/// Fill of the grey group rows.
pub const GROUP_FILL: Color = Color::hex(0xE8E8E8);

/// Body text style.
pub fn body() -> Style {
    Style::new(FontRole::Body, BODY_SIZE).tracking(TRACKING)
}

/// Table cell text style.
pub fn cell_style() -> Style {
    Style::new(FontRole::Body, CELL_SIZE)
}

/// Table header and group-row style (bold sans).
pub fn head_style() -> Style {
    Style::new(FontRole::Heading, CELL_SIZE)
}

/// The colour of a light.
pub fn light_color(light: Light) -> Color {
    Color::hex(light.rgb())
}

/// `●` at 0.82 em in the light's colour, a 0.12 em gap, then the word in `word_style`.
pub fn light_spans(light: Light, word: &str, word_style: Style) -> Vec<Span> {
    let size = word_style.size;
    vec![
        Span::text(
            "●",
            word_style
                .role(FontRole::Body)
                .size(0.82 * size)
                .color(light_color(light)),
        ),
        Span::gap(0.12 * size),
        Span::text(word, word_style),
    ]
}

/// The 状态 cell: coloured dot and the status word in black.
pub fn status_cell(outcome: &TaskOutcome) -> Cell {
    Cell::new(light_spans(
        outcome.light,
        outcome.status.label(),
        cell_style(),
    ))
}

/// Size of the history lines under a status (小五).
pub const HISTORY_SIZE: f32 = 9.0;

/// The 状态 cell: coloured dot and the status word in black; for a red or yellow task also the
/// progress of the last three months (`40→55→58`) and, red two months or more running,
/// `连续N个月红灯` in red.
pub fn status_cell_with_history(outcome: &TaskOutcome, trend: &Trend, month: Month) -> Cell {
    let mut spans = light_spans(outcome.light, outcome.status.label(), cell_style());
    if matches!(outcome.light, Light::Red | Light::Yellow) {
        let path = trend.path(outcome.task, month, 3);
        if !path.is_empty() {
            spans.push(Span::text(
                format!("\n{path}"),
                cell_style().size(HISTORY_SIZE),
            ));
        }
        if outcome.red_months >= 2 {
            spans.push(Span::text(
                format!("\n连续{}个月红灯", outcome.red_months),
                cell_style().size(HISTORY_SIZE).color(RED),
            ));
        }
    }
    Cell::new(spans)
}

/// A plain text cell.
pub fn text_cell(text: impl Into<String>) -> Cell {
    Cell::text(text, cell_style())
}

/// A header row of bold centred labels (`\n` breaks a label).
pub fn header_row(labels: &[&str]) -> Row {
    Row::new(
        labels
            .iter()
            .map(|l| Cell::text(*l, head_style()))
            .collect(),
    )
}

/// A grey full-width group row such as “市科技局（18项）”.
pub fn group_row(text: impl Into<String>) -> Row {
    Row::full_width(Cell::text(text, head_style()).align(Align::Left)).fill(GROUP_FILL)
}

/// A column of `width` millimetres.
pub fn col(width: f32, align: Align) -> Column {
    Column::mm(width, align)
}

/// `92%`, `100%`, `—` when nothing was reported.
pub fn percent_text(percent: Option<f64>) -> String {
    match percent {
        Some(p) => format!("{}%", crate::classify::one_decimal(p)),
        None => "—".to_string(),
    }
}

/// A 牵头单位 column: the mock-up's 17.5 mm holds four characters a line; a table that names a
/// unit of five characters (新城区政府, 市委金融办) gets room for five, so that no name of up to
/// five characters is ever broken. A longer name is broken into lines as even as the column
/// allows (市城市/管理局, 市大数据/管理局, 经济技术/开发区), a compound one (土左旗、托县政府)
/// after its 、 first (a part counts with its 、: 市发改委、 is five); no line of a name is a lone
/// character.
#[derive(Clone, Copy)]
pub struct NameColumn<'a> {
    /// Characters (ems of the cell size) a line holds.
    chars: usize,
    /// What names are measured with.
    fonts: &'a FontSet,
}

impl<'a> NameColumn<'a> {
    /// The mock-up's width, in characters.
    const NARROW: usize = 4;
    /// The most a column widens to, in characters.
    const WIDE: usize = 5;

    /// The column for a table showing `names`, set in `fonts`.
    pub fn of<'n>(names: impl IntoIterator<Item = &'n str>, fonts: &'a FontSet) -> NameColumn<'a> {
        let five = names
            .into_iter()
            .flat_map(|n| n.split_inclusive('、'))
            .map(|part| name_ems(part, fonts))
            .any(|w| w > Self::NARROW as f32 && w <= Self::WIDE as f32);
        let chars = if five { Self::WIDE } else { Self::NARROW };
        NameColumn { chars, fonts }
    }

    /// The column's width in mm: its characters, the cell insets and a little air.
    pub fn width(self) -> f32 {
        if self.chars == Self::NARROW {
            17.5
        } else {
            self.chars as f32 * CELL_SIZE * 25.4 / 72.0 + 2.0 + 0.5
        }
    }

    /// The cell showing `name`, broken into lines where the name allows.
    pub fn cell(self, name: &str) -> Cell {
        text_cell(self.lines(name))
    }

    /// `name` with a line break (`\n`) where each line should end.
    pub fn lines(self, name: &str) -> String {
        let (width, fonts) = (self.chars as f32, self.fonts);
        if name_ems(name, fonts) <= width {
            return name.to_string();
        }
        // A compound name: its parts packed into lines, a part too long broken on its own.
        let parts: Vec<String> = name.split_inclusive('、').map(str::to_string).collect();
        let mut lines: Vec<String> = Vec::new();
        for part in parts {
            match lines.last_mut() {
                Some(line) if name_ems(line, fonts) + name_ems(&part, fonts) <= width => {
                    line.push_str(&part)
                }
                _ => lines.extend(even_lines(&part, width, fonts)),
            }
        }
        lines.join("\n")
    }
}

/// How wide `text` sets in a table cell, in ems of the cell size ([`duban_pdf::measure`]).
fn name_ems(text: &str, fonts: &FontSet) -> f32 {
    duban_pdf::measure(&[Span::text(text, cell_style())], fonts) / CELL_SIZE
}

/// `text` in as few lines of at most `width` ems as it needs, as even as they can be (the
/// longer ones first), never inside an ASCII run nor where the line breaker would not break
/// (before a closing mark, after an opening one). A text that fits is one line.
fn even_lines(text: &str, width: f32, fonts: &FontSet) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let total = name_ems(text, fonts);
    if total <= width || chars.len() < 4 {
        return vec![text.to_string()];
    }
    let count = (total / width).ceil().max(2.0);
    let target = total / count;
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut ems = 0.0;
    for (i, &c) in chars.iter().enumerate() {
        let w = name_ems(c.encode_utf8(&mut [0; 4]), fonts);
        let rest = chars.len() - i;
        let inside_word = !line.is_empty()
            && (c.is_ascii_alphanumeric() && chars[i - 1].is_ascii_alphanumeric()
                || !duban_pdf::may_start_line(c)
                || !duban_pdf::may_end_line(chars[i - 1]));
        let breakable = !line.is_empty() && !inside_word && rest >= 2 && line.chars().count() >= 2;
        if breakable && (ems + w > width || ems >= target - 0.01) {
            lines.push(std::mem::take(&mut line));
            ems = 0.0;
        }
        line.push(c);
        ems += w;
    }
    lines.push(line);
    lines
}

/// The format of one 完成进度 column: whole percents (`61%`) while every figure of the column
/// is whole, else one decimal for all of them (`61.0%` beside `61.5%`), so that a column never
/// mixes the two.
#[derive(Debug, Clone, Copy)]
pub struct PercentColumn {
    decimal: bool,
}

impl PercentColumn {
    /// The format for a column showing `values`.
    pub fn of(values: impl IntoIterator<Item = Option<f64>>) -> PercentColumn {
        let decimal = values
            .into_iter()
            .flatten()
            .any(|p| crate::classify::one_decimal(p).contains('.'));
        PercentColumn { decimal }
    }

    /// The column's width in mm: room for `100%`, or for `100.0%` with one decimal (the
    /// flexible 任务目标 column gives the difference).
    pub fn width(self) -> f32 {
        if self.decimal { DECIMAL_RATE_MM } else { 11.5 }
    }

    /// `p` in this column's format; `—` when there is none.
    pub fn text(self, percent: Option<f64>) -> String {
        match percent {
            Some(p) if self.decimal => column_rate_text(p),
            other => percent_text(other),
        }
    }
}

/// `64.3%`, `100%`, `0%` (in a sentence).
pub fn rate_text(rate: f64) -> String {
    format!("{}%", crate::classify::one_decimal(rate))
}

/// Width in mm of a table column of one-decimal figures: `100.0%` on one line.
pub const DECIMAL_RATE_MM: f32 = 16.0;

/// A rate in a table column, always with one decimal (`64.3%`, `90.0%`, `100.0%`, `0.0%`), so
/// that the figures of a column share one format and line up.
pub fn column_rate_text(rate: f64) -> String {
    format!("{rate:.1}%")
}

/// Whether a 存在问题 entry says nothing (“无”, “暂无”, blank).
fn is_blank_issue(text: &str) -> bool {
    matches!(
        text.trim().trim_end_matches(['。', '.']),
        "" | "无" | "暂无" | "没有" | "/" | "—" | "-"
    )
}

/// The 存在问题 cell of a task: what the lead unit(s) wrote, else — for tasks that are
/// behind or unreported — the reason for the light. `rejected` means a row of the unit's
/// workbook was refused (see 报送数据问题), so “not reported” is really “reported wrongly”.
pub fn issue_text(outcome: &TaskOutcome, rejected: bool) -> String {
    let written: Vec<String> = outcome
        .reports
        .iter()
        .filter(|r| !is_blank_issue(&r.row.issues))
        .map(|r| {
            if outcome.reports.len() > 1 {
                format!("{}：{}", r.unit, r.row.issues.trim())
            } else {
                r.row.issues.trim().to_string()
            }
        })
        .collect();
    if !written.is_empty() {
        return written.join("；");
    }
    if rejected && outcome.status == Status::NotReported {
        return "填报有误未采用".to_string();
    }
    if outcome.reports.is_empty()
        && let Some(m) = outcome.carried_from
    {
        return format!("（{}）", crate::classify::carried_note(m));
    }
    match outcome.status {
        Status::Lagging => outcome.reason.clone(),
        // unreported for months, or one lead unit's part missing (the reason names the unit)
        Status::NotReported
            if outcome.months_not_reported > 1
                || outcome.escalated
                || !outcome.reports.is_empty() =>
        {
            outcome.reason.clone()
        }
        _ if outcome.reason.contains("未报送") && outcome.status != Status::NotReported => {
            outcome.reason.clone()
        }
        _ => String::new(),
    }
}

/// One line of a rendered notice template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    Mark(String),
    DocNo(String),
    Title(String),
    Subject(String),
    To(String),
    Heading(String),
    Para(String),
    Note(String),
    Table(String),
    Signoff(String),
    Date(String),
}

/// Parses the lines of a rendered template; an unknown `@word` is an error naming it.
pub fn parse_lines(lines: &[String]) -> Result<Vec<Line>, TemplateLineError> {
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| parse_line(line).ok_or_else(|| unknown_directive(i, line)))
        .collect()
}

fn unknown_directive(i: usize, line: &str) -> TemplateLineError {
    let word: String = line.chars().take_while(|c| !c.is_whitespace()).collect();
    TemplateLineError(format!(
        "输出的第 {} 个段落以未知指令“{word}”开头（可用：@mark @docno @title @subject @to @h @p @note @table @signoff @date）",
        i + 1
    ))
}

/// A notice template's output that cannot be laid out: an unknown `@word`, a table the
/// document does not have. The message says which line and what is possible.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TemplateLineError(String);

fn parse_line(line: &str) -> Option<Line> {
    let Some(rest) = line.strip_prefix('@') else {
        return Some(Line::Para(line.to_string()));
    };
    let (word, text) = match rest.split_once(char::is_whitespace) {
        Some((w, t)) => (w, t.trim().to_string()),
        None => (rest, String::new()),
    };
    Some(match word {
        "mark" => Line::Mark(text),
        "docno" => Line::DocNo(text),
        "title" => Line::Title(text),
        "subject" => Line::Subject(text),
        "to" => Line::To(text),
        "h" => Line::Heading(text),
        "p" => Line::Para(text),
        "note" => Line::Note(text),
        "table" => Line::Table(text),
        "signoff" => Line::Signoff(text),
        "date" => Line::Date(text),
        _ => return None,
    })
}

/// Blocks built from template lines, plus the PDF title and subject they name.
pub struct Built {
    pub blocks: Vec<Block>,
    pub title: String,
    pub subject: String,
}

impl Built {
    /// The A4 document and its metadata (the subject falls back to the title).
    pub fn into_document(
        self,
        author: &str,
        date: chrono::NaiveDate,
    ) -> (duban_pdf::Document, duban_pdf::Meta) {
        let meta = duban_pdf::Meta {
            subject: if self.subject.is_empty() {
                self.title.clone()
            } else {
                self.subject
            },
            title: self.title,
            author: author.to_string(),
            date,
            creator: "duban".into(),
            creator_version: env!("CARGO_PKG_VERSION").into(),
        };
        let doc = duban_pdf::Document {
            page: duban_pdf::PageSetup::a4_portrait(),
            blocks: self.blocks,
        };
        (doc, meta)
    }
}

/// Turns template lines into page blocks; `table` supplies the named tables.
pub fn build(
    lines: &[Line],
    fonts: &FontSet,
    table: &dyn Fn(&str) -> Option<Block>,
) -> Result<Built, TemplateLineError> {
    let mut out = Built {
        blocks: Vec::new(),
        title: String::new(),
        subject: String::new(),
    };
    let mut i = 0;
    while let Some(line) = lines.get(i) {
        i += 1;
        match line {
            Line::Mark(t) => out.blocks.push(mark(t)),
            Line::DocNo(t) => out.blocks.extend(doc_number(t)),
            Line::Title(t) => {
                let text = t.replace("\\n", "\n");
                out.blocks.extend(title(&text));
                out.title = text.replace('\n', "");
            }
            Line::Subject(t) => out.subject = t.clone(),
            Line::To(t) => out.blocks.push(Block::Paragraph(Paragraph::new(
                vec![Span::text(t.as_str(), body())],
                PITCH,
            ))),
            Line::Heading(t) => out.blocks.push(Block::Heading(
                Paragraph::new(
                    vec![Span::text(
                        t.as_str(),
                        Style::new(FontRole::Heading, BODY_SIZE).tracking(TRACKING),
                    )],
                    PITCH,
                )
                .first_line_indent(2.0 * CHAR),
            )),
            Line::Para(t) => out.blocks.push(paragraph(t)),
            Line::Note(t) => out.blocks.push(note(t)),
            Line::Table(name) => {
                let block = table(name).ok_or_else(|| {
                    TemplateLineError(format!("“@table {name}”：本文档没有名为“{name}”的表格"))
                })?;
                out.blocks.push(block);
                out.blocks.push(Block::Spacer(4.0));
            }
            Line::Signoff(office) => {
                let date = match lines.get(i) {
                    Some(Line::Date(d)) => {
                        i += 1;
                        d.clone()
                    }
                    _ => String::new(),
                };
                glue_last_paragraph(&mut out.blocks);
                out.blocks.push(signoff(office, &date, fonts));
            }
            Line::Date(d) => {
                glue_last_paragraph(&mut out.blocks);
                out.blocks.push(signoff("", d, fonts));
            }
        }
    }
    Ok(out)
}

/// A justified body paragraph with the first line indented two characters.
pub fn paragraph(text: &str) -> Block {
    Block::Paragraph(
        Paragraph::new(vec![Span::text(text, body())], PITCH)
            .align(Align::Justify)
            .first_line_indent(2.0 * CHAR),
    )
}

fn note(text: &str) -> Block {
    Block::Paragraph(
        Paragraph::new(vec![Span::text(text, cell_style())], CELL_SIZE * 1.6).align(Align::Justify),
    )
}

fn mark(text: &str) -> Block {
    let style = Style::new(FontRole::Title, 30.0).tracking(1.5).color(RED);
    Block::Paragraph(Paragraph::new(vec![Span::text(text, style)], 30.0).align(Align::Center))
}

/// 文号 one blank line below the mark, then the red rule 4 mm below it.
fn doc_number(text: &str) -> Vec<Block> {
    vec![
        Block::Spacer(PITCH),
        Block::Paragraph(
            Paragraph::new(vec![Span::text(text, body())], PITCH).align(Align::Center),
        ),
        Block::Rule(Rule {
            thickness: 1.5,
            color: RED,
            space_before: mm(4.0) - (PITCH - BODY_SIZE) / 2.0,
            space_after: 0.0,
        }),
    ]
}

/// The title with one blank line above and below.
fn title(text: &str) -> Vec<Block> {
    let style = Style::new(FontRole::Title, 22.0);
    vec![
        Block::Spacer(PITCH),
        Block::Paragraph(Paragraph::new(vec![Span::text(text, style)], 36.0).align(Align::Center)),
        Block::Spacer(PITCH),
    ]
}

/// Makes the last paragraph before the sign-off stay on its page.
fn glue_last_paragraph(blocks: &mut [Block]) {
    if let Some(Block::Paragraph(p)) = blocks.last_mut() {
        p.keep_with_next = true;
    }
}

/// Two blank lines of seal space, the office name centred over the date, the date four
/// characters in from the right; all on one page.
fn signoff(office: &str, date: &str, fonts: &FontSet) -> Block {
    let date_right = 4.0 * CHAR;
    let date_width = measure(&[Span::text(date, body())], fonts);
    let office_width = measure(&[Span::text(office, body())], fonts);
    let office_right = (date_right + (date_width - office_width) / 2.0).max(0.0);
    let right = |text: &str, inset: f32| {
        Block::Paragraph(
            Paragraph::new(vec![Span::text(text, body())], PITCH)
                .align(Align::Right)
                .indent(0.0, inset),
        )
    };
    let mut blocks = vec![Block::Spacer(2.0 * PITCH)];
    if !office.is_empty() {
        blocks.push(right(office, office_right));
    }
    if !date.is_empty() {
        blocks.push(right(date, date_right));
    }
    Block::KeepTogether(blocks)
}

/// Counts behind the portfolio sentences; the five main buckets add up to `total`.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Counts {
    pub total: u32,
    /// 已完成, of which `done_late` 逾期完成.
    pub done: u32,
    pub done_late: u32,
    /// 序时推进 including 临期 (`due_soon`) and 未启动 (`not_started`).
    pub on_track: u32,
    pub due_soon: u32,
    pub not_started: u32,
    pub lagging: u32,
    pub overdue: u32,
    pub not_reported: u32,
    pub red: u32,
    pub yellow: u32,
    pub blue: u32,
    pub green: u32,
    /// 办结率 and 报送率 as printed (“64.3%”).
    pub completion_rate: String,
    pub report_rate: String,
}

impl Counts {
    /// Counts over some outcomes; rates are done ÷ total and reported ÷ total.
    pub fn of<'a>(outcomes: impl IntoIterator<Item = &'a TaskOutcome>) -> Counts {
        let mut c = Counts::default();
        for o in outcomes {
            c.total += 1;
            match o.status {
                Status::DoneOnTime | Status::Done => c.done += 1,
                Status::DoneLate => {
                    c.done += 1;
                    c.done_late += 1;
                }
                Status::OnTrack => c.on_track += 1,
                Status::DueSoon => {
                    c.on_track += 1;
                    c.due_soon += 1;
                }
                Status::NotStarted => {
                    c.on_track += 1;
                    c.not_started += 1;
                }
                Status::Lagging => c.lagging += 1,
                Status::Overdue => c.overdue += 1,
                Status::NotReported => c.not_reported += 1,
            }
            match o.light {
                Light::Red => c.red += 1,
                Light::Yellow => c.yellow += 1,
                Light::Blue => c.blue += 1,
                Light::Green => c.green += 1,
            }
        }
        c.completion_rate = rate_text(ratio(c.done, c.total));
        c.report_rate = rate_text(ratio(c.total - c.not_reported, c.total));
        c
    }

    /// Takes 办结率 and 报送率 from the status engine's rates (as the 汇总表 prints them).
    pub fn with_rates(self, rates: Option<&Rates>) -> Counts {
        match rates {
            Some(r) => Counts {
                completion_rate: rate_text(r.completion_rate),
                report_rate: rate_text(r.report_rate),
                ..self
            },
            None => self,
        }
    }
}

fn ratio(part: u32, whole: u32) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (f64::from(part) * 1000.0 / f64::from(whole)).round() / 10.0
    }
}

/// Task numbers joined for a sentence: “79、83”.
pub fn number_list<'a>(outcomes: impl IntoIterator<Item = &'a TaskOutcome>) -> String {
    outcomes
        .into_iter()
        .map(|o| o.task.to_string())
        .collect::<Vec<_>>()
        .join("、")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_parse_and_unknown_ones_are_named() {
        let lines = vec![
            "@title 督办单".to_string(),
            "截至……".to_string(),
            "@table attention".to_string(),
        ];
        let parsed = parse_lines(&lines).unwrap_or_default();
        assert_eq!(
            parsed,
            vec![
                Line::Title("督办单".into()),
                Line::Para("截至……".into()),
                Line::Table("attention".into())
            ]
        );
        let err = parse_lines(&["@titel 督办单".to_string()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("@titel") && err.contains("第 1 个"), "{err}");
    }

    #[test]
    fn rates() {
        assert_eq!(rate_text(ratio(18, 28)), "64.3%");
        assert_eq!(rate_text(ratio(0, 0)), "0%");
        assert_eq!(rate_text(ratio(4, 4)), "100%");
        assert_eq!(column_rate_text(ratio(18, 28)), "64.3%");
        assert_eq!(column_rate_text(ratio(9, 10)), "90.0%");
        assert_eq!(column_rate_text(ratio(4, 4)), "100.0%");
        assert_eq!(column_rate_text(ratio(0, 0)), "0.0%");
        assert_eq!(percent_text(None), "—");
        let fonts =
            FontSet::load_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts"))
                .expect("shipped fonts");
        let narrow = NameColumn::of(["市教育局", "市城市管理局", "经济技术开发区"], &fonts);
        assert_eq!(narrow.width(), 17.5);
        for (name, lines) in [
            ("市教育局", "市教育局"),
            ("新城区政府", "新城区\n政府"),
            ("市城市管理局", "市城市\n管理局"),
            ("市大数据管理局", "市大数据\n管理局"),
            ("经济技术开发区", "经济技术\n开发区"),
            ("土左旗、托县政府", "土左旗、\n托县政府"),
            ("国家统计局呼和浩特调查队", "国家统计\n局呼和浩\n特调查队"),
        ] {
            assert_eq!(narrow.lines(name), lines, "{name}");
        }
        let wide = NameColumn::of(["市教育局", "新城区政府", "市大数据管理局"], &fonts);
        assert!(
            wide.width() > 20.5 && wide.width() < 22.0,
            "{}",
            wide.width()
        );
        assert_eq!(wide.lines("新城区政府"), "新城区政府");
        assert_eq!(wide.lines("市城市管理局"), "市城市\n管理局");
        // a part of a compound name with its 、 counts as five characters
        let compound = NameColumn::of(["市发改委、市财政局"], &fonts);
        assert_eq!(compound.width(), wide.width());
        assert_eq!(compound.lines("市发改委、市财政局"), "市发改委、\n市财政局");
        // names are measured as the engine sets them: “5G” is 1.3 em, not 1, so this name
        // does not fit four characters' room
        assert_eq!(narrow.lines("5G基站办"), "5G基\n站办");
        // no line is a lone character, whatever the name
        for name in [
            "呼和浩特供电公司",
            "和林格尔新区",
            "呼和浩特职业技术大学",
            "市委金融办",
            "5G基站建设办",
        ] {
            for column in [narrow, wide] {
                let lines = column.lines(name);
                assert!(
                    lines.split('\n').all(|l| l.chars().count() >= 2),
                    "{name}: {lines}"
                );
                assert_eq!(lines.replace('\n', ""), name);
            }
        }
        let whole = PercentColumn::of([Some(61.0), None, Some(100.0)]);
        assert_eq!(whole.text(Some(61.0)), "61%");
        assert_eq!(whole.text(None), "—");
        let mixed = PercentColumn::of([Some(61.0), Some(61.5), None]);
        assert_eq!(mixed.text(Some(61.0)), "61.0%");
        assert_eq!(mixed.text(Some(61.5)), "61.5%");
        assert_eq!(mixed.text(Some(100.0)), "100.0%");
        assert_eq!(mixed.text(None), "—");
        // a figure that rounds to a whole percent keeps the column whole
        assert_eq!(
            PercentColumn::of([Some(61.96), Some(7.0)]).text(Some(61.96)),
            "62%"
        );
        assert_eq!(percent_text(Some(92.0)), "92%");
    }
}
