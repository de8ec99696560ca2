//! The small line markup of the notice templates, and the page blocks it turns into.
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

use super::style::{BODY_SIZE, CELL_SIZE, CHAR, PITCH, RED, TRACKING, body, cell_style};
use duban_pdf::{Align, Block, FontRole, FontSet, Paragraph, Rule, Span, Style, measure, mm};

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
}
