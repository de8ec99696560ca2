//! Layout: blocks → measured units → pages of positioned text lines, fills and rules.
//!
//! The result ([`Layout`]) is a plain page model that tests can inspect without parsing PDF;
//! [`write_pdf`](crate::write_pdf) turns it into bytes. Coordinates are in points from the
//! top-left corner of the page, y growing downwards.

use crate::elements::{Block, Document, PageNumbers, PageSetup, Paragraph, Span, Style};
use crate::fonts::FontSet;
use table::measure_table;

mod chart;
mod page;
mod paginate;
mod table;
pub(crate) mod text;
pub use page::*;
use paginate::*;
pub use text::{
    MissingGlyph, PlacedGlyph, ShapedLine, break_lines, may_end_line, may_start_line, measure,
};

/// A measured, unbreakable slice of the flow: a line, a table row, a rule, a gap.
#[derive(Debug, Clone, Default)]
pub(crate) struct Unit {
    pub height: f32,
    /// Items with y relative to the unit's top.
    pub items: Vec<Item>,
    /// No page break between this unit and the next.
    pub glue_next: bool,
    /// Dropped at the top of a page (spacing).
    pub weak: bool,
    /// Starts a new page.
    pub page_break: bool,
    /// Header unit to repeat when this unit starts a page (index into the header list).
    pub header: Option<usize>,
}

/// Turns one broken line into a text line inside a line box of `pitch` at `top`.
pub(crate) fn place_line(
    line: ShapedLine,
    x: f32,
    top: f32,
    pitch: f32,
    fallback_size: f32,
    origin: Origin,
) -> TextLine {
    let size = if line.max_size > 0.0 {
        line.max_size
    } else {
        fallback_size
    };
    let baseline = top + (pitch - size) / 2.0 + EM_ASCENT * size;
    let glyphs: Vec<PlacedGlyph> = line
        .glyphs
        .into_iter()
        .map(|g| PlacedGlyph { x: g.x + x, ..g })
        .collect();
    let left = glyphs.first().map(|g| g.x).unwrap_or(x);
    TextLine {
        x: left,
        baseline,
        width: line.width,
        glyphs,
        origin,
    }
}

/// The first text size of some spans (for the height of an empty line).
pub(crate) fn first_size(spans: &[Span]) -> f32 {
    spans
        .iter()
        .find_map(|s| match s {
            Span::Text {
                style: Style { size, .. },
                ..
            } => Some(*size),
            Span::Gap(_) => None,
        })
        .unwrap_or(0.0)
}

struct Measurer<'a> {
    fonts: &'a FontSet,
    setup: PageSetup,
    units: Vec<Unit>,
    headers: Vec<Unit>,
    missing: Vec<MissingGlyph>,
    blocks: usize,
    tables: usize,
}

impl Measurer<'_> {
    fn block(&mut self, block: &Block) {
        match block {
            Block::Paragraph(p) => self.paragraph(p, p.keep_with_next),
            Block::Heading(p) => self.paragraph(p, true),
            Block::Spacer(height) => self.units.push(Unit {
                height: height.max(0.0),
                weak: true,
                ..Unit::default()
            }),
            Block::Rule(rule) => {
                let y = rule.space_before + rule.thickness / 2.0;
                self.units.push(Unit {
                    height: rule.space_before + rule.thickness + rule.space_after,
                    items: vec![Item::Stroke(StrokeLine {
                        x1: self.setup.margin_left,
                        y1: y,
                        x2: self.setup.margin_left + self.setup.text_width(),
                        y2: y,
                        thickness: rule.thickness,
                        color: rule.color,
                    })],
                    ..Unit::default()
                });
            }
            Block::Table(table) => {
                let index = self.tables;
                self.tables += 1;
                let (header, rows) = measure_table(
                    table,
                    index,
                    self.setup.margin_left,
                    self.setup.text_width(),
                    self.setup.text_height(),
                    self.fonts,
                    &mut self.missing,
                );
                let header_index = header.map(|h| {
                    self.headers.push(h.clone());
                    self.units.push(Unit {
                        glue_next: true,
                        ..h
                    });
                    self.headers.len() - 1
                });
                self.units.extend(rows.into_iter().map(|r| Unit {
                    header: header_index,
                    ..r
                }));
            }
            Block::KeepTogether(children) => {
                let from = self.units.len();
                for child in children {
                    self.block(child);
                }
                let to = self.units.len();
                if to > from {
                    for unit in &mut self.units[from..to - 1] {
                        unit.glue_next = true;
                    }
                }
            }
            Block::Chart(chart) => {
                let origin = Origin::Block(self.blocks);
                self.blocks += 1;
                let (items, height) = chart::layout_chart(
                    chart,
                    self.setup.margin_left,
                    self.setup.text_width(),
                    self.fonts,
                    &mut self.missing,
                    origin,
                );
                self.units.push(Unit {
                    height,
                    items,
                    ..Unit::default()
                });
            }
            Block::PageBreak => self.units.push(Unit {
                page_break: true,
                ..Unit::default()
            }),
        }
    }

    fn paragraph(&mut self, p: &Paragraph, keep_with_next: bool) {
        let origin = Origin::Block(self.blocks);
        self.blocks += 1;
        let width = (self.setup.text_width() - p.indent_left - p.indent_right).max(1.0);
        let first_width = (width - p.first_line_indent).max(1.0);
        let lines = break_lines(
            &p.spans,
            self.fonts,
            first_width,
            width,
            p.align,
            &mut self.missing,
        );
        let count = lines.len();
        let fallback = first_size(&p.spans);
        for (i, line) in lines.into_iter().enumerate() {
            let indent = if i == 0 { p.first_line_indent } else { 0.0 };
            let x = self.setup.margin_left + p.indent_left + indent;
            let text = place_line(line, x, 0.0, p.line_pitch, fallback, origin);
            // No orphan (first line alone at a page foot) and no widow (last line alone on top).
            let glue = (i == 0 && count > 1)
                || (count > 2 && i + 2 == count)
                || (i + 1 == count && keep_with_next);
            self.units.push(Unit {
                height: p.line_pitch,
                items: vec![Item::Text(text)],
                glue_next: glue,
                ..Unit::default()
            });
        }
    }
}

/// Lays out a document: breaks lines, measures tables, fills pages, adds page numbers.
///
/// # Examples
///
/// ```
/// use duban_pdf::*;
/// # let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fonts");
/// let fonts = FontSet::load_dir(&dir)?;
/// let style = Style::new(FontRole::Body, 16.0);
/// let long = "各牵头单位要对照年度目标，逐项细化措施、压实责任，按月报送进展。".repeat(60);
/// let doc = Document {
///     page: PageSetup::a4_portrait(),
///     blocks: vec![Block::Paragraph(Paragraph::new(vec![Span::text(long, style)], 28.0))],
/// };
/// let laid = layout(&doc, &fonts);
/// assert!(laid.pages.len() >= 2); // the paragraph flows onto a second page
/// # Ok::<(), FontError>(())
/// ```
pub fn layout(doc: &Document, fonts: &FontSet) -> Layout {
    let mut m = Measurer {
        fonts,
        setup: doc.page,
        units: Vec::new(),
        headers: Vec::new(),
        missing: Vec::new(),
        blocks: 0,
        tables: 0,
    };
    for block in &doc.blocks {
        m.block(block);
    }
    let mut pages = paginate(&m.units, &m.headers, &doc.page);
    if let Some(numbers) = doc.page.page_numbers {
        for page in &mut pages {
            let line = page_number(page.number, &numbers, &doc.page, fonts, &mut m.missing);
            page.items.push(Item::Text(line));
        }
    }
    Layout {
        setup: doc.page,
        pages,
        missing: m.missing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::elements::{Align, Cell, Column, Row, Table, TableStyle, mm};
    use crate::fonts::FontRole;
    use crate::fonts::tests::shipped;

    fn body() -> Style {
        Style::new(FontRole::Body, 16.0).tracking(-0.21)
    }

    fn para(text: &str) -> Block {
        Block::Paragraph(
            Paragraph::new(vec![Span::text(text, body())], 28.99).align(Align::Justify),
        )
    }

    fn long_table(rows: usize) -> Table {
        let cell = Style::new(FontRole::Body, 10.5);
        let head = Style::new(FontRole::Heading, 10.5);
        Table {
            columns: vec![
                Column::mm(8.0, Align::Center),
                Column::flex(Align::Left),
                Column::mm(24.5, Align::Left),
            ],
            header: Some(Row::new(vec![
                Cell::text("序\n号", head),
                Cell::text("任务目标", head),
                Cell::text("状态", head),
            ])),
            rows: (0..rows)
                .map(|i| {
                    let text = "推进建设国家乳业技术创新中心二期项目".repeat(1 + i % 3);
                    Row::new(vec![
                        Cell::text(i.to_string(), cell),
                        Cell::text(text, cell),
                        Cell::text("序时推进", cell),
                    ])
                })
                .collect(),
            style: TableStyle::default(),
        }
    }

    fn doc(blocks: Vec<Block>) -> Document {
        Document {
            page: PageSetup::a4_portrait(),
            blocks,
        }
    }

    #[test]
    fn body_grid_holds_22_lines_of_28_characters() {
        let text = "督".repeat(28 * 30);
        let laid = layout(&doc(vec![para(&text)]), &shipped());
        let first = &laid.pages[0];
        let body: Vec<&TextLine> = first
            .lines()
            .filter(|l| l.origin == Origin::Block(0))
            .collect();
        assert_eq!(body.len(), 22);
        assert!(
            body.iter().all(|l| l.glyphs.len() == 28),
            "28 characters per line"
        );
        assert!((body[1].baseline - body[0].baseline - 28.99).abs() < 1e-3);
        let last = body[21];
        assert!(last.baseline < mm(297.0 - 35.0));
    }

    #[test]
    fn long_table_repeats_its_header_and_never_splits_a_row() {
        let laid = layout(
            &doc(vec![para("一、督办事项"), Block::Table(long_table(60))]),
            &shipped(),
        );
        assert!(laid.pages.len() >= 3, "{} pages", laid.pages.len());
        let bottom = mm(297.0 - 35.0) + 0.01;
        let mut seen = Vec::new();
        for page in &laid.pages {
            let rows: Vec<&RowMark> = page.rows().collect();
            assert_eq!(
                rows.first().map(|r| r.row),
                Some(RowRef::Header),
                "page {} starts without header",
                page.number
            );
            assert_eq!(rows.iter().filter(|r| r.row == RowRef::Header).count(), 1);
            for r in &rows {
                assert!(
                    r.top + r.height <= bottom,
                    "row {:?} runs off page {}",
                    r.row,
                    page.number
                );
                assert_eq!(r.part, 0);
                if let RowRef::Body(i) = r.row {
                    seen.push(i);
                }
            }
            let header_text: String = page
                .lines()
                .filter(|l| {
                    matches!(
                        l.origin,
                        Origin::Cell {
                            row: RowRef::Header,
                            ..
                        }
                    )
                })
                .map(|l| l.text())
                .collect();
            assert!(header_text.contains("任务目标"));
        }
        assert_eq!(
            seen,
            (0..60).collect::<Vec<_>>(),
            "every row once, in order"
        );
    }

    #[test]
    fn a_group_row_is_not_left_alone_at_the_foot_of_a_page() {
        let cell = Style::new(FontRole::Body, 10.5);
        for filler_rows in 20..40 {
            let mut table = long_table(filler_rows);
            for g in 0..6 {
                table
                    .rows
                    .push(Row::full_width(Cell::text(format!("第{g}组"), cell)));
                table.rows.push(Row::new(vec![
                    Cell::text("1", cell),
                    Cell::text("任务", cell),
                    Cell::empty(),
                ]));
            }
            let laid = layout(&doc(vec![Block::Table(table)]), &shipped());
            for page in &laid.pages {
                let last = page.rows().last().map(|r| r.row);
                if let Some(RowRef::Body(i)) = last {
                    let is_group = i >= filler_rows && (i - filler_rows) % 2 == 0;
                    assert!(!is_group, "group row {i} ends page {}", page.number);
                }
            }
        }
    }

    #[test]
    fn a_row_taller_than_a_page_is_cut_as_a_last_resort() {
        let cell = Style::new(FontRole::Body, 10.5);
        let mut table = long_table(1);
        table.rows.push(Row::new(vec![
            Cell::text("2", cell),
            Cell::text("很长的内容".repeat(400), cell),
            Cell::empty(),
        ]));
        let laid = layout(&doc(vec![Block::Table(table)]), &shipped());
        let parts: Vec<usize> = laid
            .pages
            .iter()
            .flat_map(|p| p.rows())
            .filter(|r| r.row == RowRef::Body(1))
            .map(|r| r.part)
            .collect();
        assert!(parts.len() >= 2, "{parts:?}");
        for page in &laid.pages {
            for r in page.rows() {
                assert!(r.top + r.height <= mm(297.0 - 35.0) + 0.01);
            }
        }
    }

    #[test]
    fn heading_stays_with_the_next_block_and_groups_stay_together() {
        // 20 full lines, then a heading, a small gap and text that no longer fits: the heading
        // must move to page 2 with its text.
        let filler = "督".repeat(28 * 20);
        let laid = layout(
            &doc(vec![
                para(&filler),
                Block::Heading(Paragraph::new(
                    vec![Span::text("二、督办要求", body())],
                    28.99,
                )),
                Block::Spacer(5.0),
                para("正文第一行"),
            ]),
            &shipped(),
        );
        assert_eq!(laid.pages.len(), 2);
        assert!(laid.pages[1].text().starts_with("二、督办要求"));

        let filler = "督".repeat(28 * 19);
        let group = Block::KeepTogether(vec![
            para("联系人：李晓东"),
            Block::Spacer(58.0),
            para("督查室"),
            para("2026年12月2日"),
        ]);
        let laid = layout(&doc(vec![para(&filler), group]), &shipped());
        assert_eq!(laid.pages.len(), 2);
        assert!(
            laid.pages[1].text().starts_with("联系人"),
            "{}",
            laid.pages[1].text()
        );
    }

    #[test]
    fn page_numbers_sit_on_the_outer_side() {
        let laid = layout(
            &doc(vec![para("第一页"), Block::PageBreak, para("第二页")]),
            &shipped(),
        );
        assert_eq!(laid.pages.len(), 2);
        let setup = PageSetup::a4_portrait();
        for page in &laid.pages {
            let number = page
                .lines()
                .find(|l| l.origin == Origin::PageNumber)
                .expect("page number");
            assert_eq!(number.text(), format!("— {} —", page.number));
            let right = number.x + number.width;
            if page.number % 2 == 1 {
                assert!((right - (setup.width - setup.margin_right - 14.0)).abs() < 0.01);
            } else {
                assert!((number.x - (setup.margin_left + 14.0)).abs() < 0.01);
            }
            // Top of the number's em box 7 mm below the text block.
            let top = number.baseline - EM_ASCENT * 14.0;
            assert!((top - mm(297.0 - 35.0 + 7.0)).abs() < 0.01);
        }
    }
}
