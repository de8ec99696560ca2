//! Layout: blocks → measured units → pages of positioned text lines, fills and rules.
//!
//! The result ([`Layout`]) is a plain page model that tests can inspect without parsing PDF;
//! [`write_pdf`](super::write_pdf) turns it into bytes. Coordinates are in points from the
//! top-left corner of the page, y growing downwards.

use super::content::{Block, Document, PageNumbers, PageSetup, Paragraph, Span, Style};
use super::fonts::FontSet;
use super::table::measure_table;
use super::text::{MissingGlyph, PlacedGlyph, ShapedLine, break_lines};

/// Ascent of the ideographic em box as a fraction of the font size; the baseline sits this far
/// below the top of a 1 em line box (0.88/0.12 is the CJK convention that Noto and the
/// common Windows fonts follow).
pub const EM_ASCENT: f32 = 0.88;

/// A laid-out document.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// The page setup used.
    pub setup: PageSetup,
    /// The pages, in order.
    pub pages: Vec<Page>,
    /// Characters no font has (drawn as □), with their context.
    pub missing: Vec<MissingGlyph>,
}

/// One page of the layout.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// Page number, from 1.
    pub number: usize,
    /// What is drawn, in painting order.
    pub items: Vec<Item>,
}

impl Page {
    /// The text lines of the page, top to bottom.
    pub fn lines(&self) -> impl Iterator<Item = &TextLine> {
        self.items.iter().filter_map(|i| match i {
            Item::Text(line) => Some(line),
            _ => None,
        })
    }

    /// The table rows placed on the page.
    pub fn rows(&self) -> impl Iterator<Item = &RowMark> {
        self.items.iter().filter_map(|i| match i {
            Item::Row(row) => Some(row),
            _ => None,
        })
    }

    /// All text of the page, one line per text line.
    pub fn text(&self) -> String {
        self.lines().map(|l| l.text() + "\n").collect()
    }
}

/// Something drawn on a page.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A line of text.
    Text(TextLine),
    /// A filled rectangle.
    Fill(FillRect),
    /// A straight rule.
    Stroke(StrokeLine),
    /// Where a table row sits (not drawn; for tests and diagnostics).
    Row(RowMark),
}

impl Item {
    fn shift(&mut self, dy: f32) {
        match self {
            Item::Text(t) => t.baseline += dy,
            Item::Fill(f) => f.y += dy,
            Item::Stroke(s) => {
                s.y1 += dy;
                s.y2 += dy;
            }
            Item::Row(r) => r.top += dy,
        }
    }
}

/// Which part of the document a text line comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A paragraph or heading: its number in document order (blocks inside
    /// [`Block::KeepTogether`] are counted too).
    Block(usize),
    /// A table cell: the table's number in document order, the row, the column.
    Cell {
        /// Table number, from 0.
        table: usize,
        /// The row.
        row: RowRef,
        /// Column index (0 for a full-width row).
        column: usize,
    },
    /// The page number.
    PageNumber,
}

/// A table row: the header or a body row by index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowRef {
    /// The (repeated) header row.
    Header,
    /// A body row, by index into [`Table::rows`](super::content::Table::rows).
    Body(usize),
}

/// A positioned line of text.
#[derive(Debug, Clone, PartialEq)]
pub struct TextLine {
    /// Left edge of the first glyph, in points from the left page edge.
    pub x: f32,
    /// Baseline, in points from the top page edge.
    pub baseline: f32,
    /// Width of the set text in points.
    pub width: f32,
    /// Glyphs with absolute `x`.
    pub glyphs: Vec<PlacedGlyph>,
    /// Where it comes from.
    pub origin: Origin,
}

impl TextLine {
    /// The characters of the line.
    pub fn text(&self) -> String {
        self.glyphs.iter().map(|g| g.ch).collect()
    }
}

/// A filled rectangle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FillRect {
    /// Left, points.
    pub x: f32,
    /// Top, points.
    pub y: f32,
    /// Width, points.
    pub width: f32,
    /// Height, points.
    pub height: f32,
    /// Colour.
    pub color: super::content::Color,
}

/// A straight line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StrokeLine {
    /// Start x.
    pub x1: f32,
    /// Start y.
    pub y1: f32,
    /// End x.
    pub x2: f32,
    /// End y.
    pub y2: f32,
    /// Thickness in points.
    pub thickness: f32,
    /// Colour.
    pub color: super::content::Color,
}

/// Where a table row was placed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RowMark {
    /// Table number in document order.
    pub table: usize,
    /// The row.
    pub row: RowRef,
    /// Top edge, points from the top of the page.
    pub top: f32,
    /// Height in points.
    pub height: f32,
    /// Part number when a row taller than a page had to be cut (0 otherwise).
    pub part: usize,
}

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

/// The page being filled.
struct Pager {
    pages: Vec<Page>,
    items: Vec<Item>,
    y: f32,
    top: f32,
    empty: bool,
}

impl Pager {
    fn finish_page(&mut self) {
        self.pages.push(Page {
            number: self.pages.len() + 1,
            items: std::mem::take(&mut self.items),
        });
        self.y = self.top;
        self.empty = true;
    }

    fn place(&mut self, unit: &Unit) {
        for item in &unit.items {
            let mut item = item.clone();
            item.shift(self.y);
            self.items.push(item);
        }
        self.y += unit.height;
        self.empty = false;
    }
}

/// Fills pages with units, honouring glue, weak space, forced breaks and repeated headers.
fn paginate(units: &[Unit], headers: &[Unit], setup: &PageSetup) -> Vec<Page> {
    const EPS: f32 = 0.01;
    let bottom = setup.margin_top + setup.text_height();
    let body = setup.text_height();
    let mut pager = Pager {
        pages: Vec::new(),
        items: Vec::new(),
        y: setup.margin_top,
        top: setup.margin_top,
        empty: true,
    };
    for (i, unit) in units.iter().enumerate() {
        if unit.page_break {
            if !pager.empty {
                pager.finish_page();
            }
            continue;
        }
        if unit.weak {
            if !pager.empty && pager.y + unit.height <= bottom + EPS {
                pager.y += unit.height;
            }
            continue;
        }
        // The chain of glued units starting here goes to the next page whole, if a page
        // can hold it at all.
        let mut chain = 0.0;
        for u in &units[i..] {
            chain += u.height;
            // Weak space between glued blocks (a heading, a gap, its text) does not cut the chain.
            if (!u.glue_next && !u.weak) || u.page_break {
                break;
            }
        }
        let y = pager.y;
        let overflows =
            (y + chain > bottom + EPS && chain <= body + EPS) || y + unit.height > bottom + EPS;
        if !pager.empty && overflows {
            pager.finish_page();
        }
        if pager.empty
            && i > 0
            && units[i - 1].header == unit.header
            && let Some(header) = unit.header.and_then(|h| headers.get(h))
        {
            // A table continues on a new page: repeat its header row.
            pager.place(header);
        }
        pager.place(unit);
    }
    if !pager.empty || pager.pages.is_empty() {
        pager.finish_page();
    }
    pager.pages
}

/// “— N —” on the outer side: right on odd pages, left on even ones.
fn page_number(
    number: usize,
    style: &PageNumbers,
    setup: &PageSetup,
    fonts: &FontSet,
    missing: &mut Vec<MissingGlyph>,
) -> TextLine {
    let text_style = Style::new(style.role, style.size);
    let spans = [Span::text(format!("— {number} —"), text_style)];
    let width = setup.text_width() - style.inset;
    let align = if number % 2 == 1 {
        super::content::Align::Right
    } else {
        super::content::Align::Left
    };
    let x = if number % 2 == 1 {
        setup.margin_left
    } else {
        setup.margin_left + style.inset
    };
    let mut lines = break_lines(&spans, fonts, width, width, align, missing);
    let line = lines.swap_remove(0);
    let top = setup.margin_top + setup.text_height() + style.below_text;
    place_line(line, x, top, style.size, style.size, Origin::PageNumber)
}

#[cfg(test)]
mod tests {
    use super::super::content::{Align, Cell, Column, Row, Table, TableStyle, mm};
    use super::super::fonts::FontRole;
    use super::super::fonts::tests::shipped;
    use super::*;

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
