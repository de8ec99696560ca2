//! What a document says, before layout: styled spans, paragraphs, tables, page setup.
//!
//! Documents build these values and hand them to [`layout`](crate::layout()) or
//! [`render`](crate::render()); nothing here knows where a line ends or a page breaks.
//! All lengths are in PostScript points (1/72 inch); use [`mm`] to convert.

use chrono::NaiveDate;

/// The typographic role a run of text is set in (the font set gives each role its face).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FontRole {
    /// Bold Song for titles and the issuing-office mark (stand-in for 小标宋).
    Title,
    /// Song / FangSong for body text and table cells.
    Body,
    /// Hei (bold sans) for headings and table headers.
    Heading,
}

/// Points per millimetre.
pub const PT_PER_MM: f32 = 72.0 / 25.4;

/// Millimetres to points.
pub fn mm(millimetres: f32) -> f32 {
    millimetres * PT_PER_MM
}

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Color {
    /// Red, 0–255.
    pub r: u8,
    /// Green, 0–255.
    pub g: u8,
    /// Blue, 0–255.
    pub b: u8,
}

impl Color {
    /// Black.
    pub const BLACK: Color = Color::hex(0x000000);
    /// White.
    pub const WHITE: Color = Color::hex(0xFFFFFF);

    /// A colour from its components.
    pub const fn rgb(r: u8, g: u8, b: u8) -> Color {
        Color { r, g, b }
    }

    /// A colour from `0xRRGGBB`, e.g. `Color::hex(0xE60012)`.
    pub const fn hex(rgb: u32) -> Color {
        Color {
            r: ((rgb >> 16) & 0xFF) as u8,
            g: ((rgb >> 8) & 0xFF) as u8,
            b: (rgb & 0xFF) as u8,
        }
    }
}

/// How a run of text is set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Style {
    /// Which face.
    pub role: FontRole,
    /// Font size in points.
    pub size: f32,
    /// Text colour.
    pub color: Color,
    /// Extra space after every character, in points (negative tightens).
    pub tracking: f32,
    /// Baseline shift upwards, in points.
    pub rise: f32,
}

impl Style {
    /// Black text of a role and size, no tracking.
    pub fn new(role: FontRole, size: f32) -> Style {
        Style {
            role,
            size,
            color: Color::BLACK,
            tracking: 0.0,
            rise: 0.0,
        }
    }

    /// The same style in another colour.
    pub fn color(self, color: Color) -> Style {
        Style { color, ..self }
    }

    /// The same style with tracking (points after each character).
    pub fn tracking(self, tracking: f32) -> Style {
        Style { tracking, ..self }
    }

    /// The same style at another size.
    pub fn size(self, size: f32) -> Style {
        Style { size, ..self }
    }

    /// The same style with the baseline raised by `rise` points.
    pub fn rise(self, rise: f32) -> Style {
        Style { rise, ..self }
    }

    /// The same style in another face.
    pub fn role(self, role: FontRole) -> Style {
        Style { role, ..self }
    }
}

/// A piece of inline content.
#[derive(Debug, Clone, PartialEq)]
pub enum Span {
    /// Text in one style. `\n` forces a line break.
    Text {
        /// The characters.
        text: String,
        /// Their style.
        style: Style,
    },
    /// A fixed, unbreakable horizontal gap in points (e.g. between a ● and its word).
    Gap(f32),
}

impl Span {
    /// A text span.
    pub fn text(text: impl Into<String>, style: Style) -> Span {
        Span::Text {
            text: text.into(),
            style,
        }
    }

    /// A fixed gap of `points`; no line break happens next to it.
    pub fn gap(points: f32) -> Span {
        Span::Gap(points)
    }
}

/// Horizontal alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    /// Flush left, ragged right.
    #[default]
    Left,
    /// Centred.
    Center,
    /// Flush right.
    Right,
    /// Both edges flush (extra tracking between characters); the last line is flush left.
    Justify,
}

/// A paragraph: spans broken into lines of equal pitch.
#[derive(Debug, Clone, PartialEq)]
pub struct Paragraph {
    /// The content.
    pub spans: Vec<Span>,
    /// Alignment of its lines.
    pub align: Align,
    /// Extra indent of the first line, in points (two characters for body text).
    pub first_line_indent: f32,
    /// Indent from the left edge of the text block, in points.
    pub indent_left: f32,
    /// Indent from the right edge of the text block, in points.
    pub indent_right: f32,
    /// Distance from baseline to baseline, in points; the text sits centred in it.
    pub line_pitch: f32,
    /// Never separate this paragraph's last line from the next block by a page break.
    pub keep_with_next: bool,
}

impl Paragraph {
    /// A left-aligned paragraph with the given line pitch and no indent.
    pub fn new(spans: Vec<Span>, line_pitch: f32) -> Paragraph {
        Paragraph {
            spans,
            align: Align::Left,
            first_line_indent: 0.0,
            indent_left: 0.0,
            indent_right: 0.0,
            line_pitch,
            keep_with_next: false,
        }
    }

    /// Sets the alignment.
    pub fn align(self, align: Align) -> Paragraph {
        Paragraph { align, ..self }
    }

    /// Sets the first-line indent in points.
    pub fn first_line_indent(self, points: f32) -> Paragraph {
        Paragraph {
            first_line_indent: points,
            ..self
        }
    }

    /// Sets left and right indents in points.
    pub fn indent(self, left: f32, right: f32) -> Paragraph {
        Paragraph {
            indent_left: left,
            indent_right: right,
            ..self
        }
    }

    /// Keeps the paragraph on the same page as the next block.
    pub fn keep_with_next(self) -> Paragraph {
        Paragraph {
            keep_with_next: true,
            ..self
        }
    }
}

/// A horizontal rule across the text block.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    /// Line thickness in points.
    pub thickness: f32,
    /// Line colour.
    pub color: Color,
    /// Space above the line, in points.
    pub space_before: f32,
    /// Space below the line, in points.
    pub space_after: f32,
}

/// Width of a table column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ColumnWidth {
    /// A fixed width in points.
    Fixed(f32),
    /// An equal share of what the fixed columns leave of the table width.
    Flex,
}

/// A table column: width and the alignment of its body cells.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Column {
    /// Its width.
    pub width: ColumnWidth,
    /// Alignment of body cells (header cells are centred).
    pub align: Align,
}

impl Column {
    /// A fixed column, width in millimetres.
    pub fn mm(width: f32, align: Align) -> Column {
        Column {
            width: ColumnWidth::Fixed(mm(width)),
            align,
        }
    }

    /// The flexible column that takes the remaining width.
    pub fn flex(align: Align) -> Column {
        Column {
            width: ColumnWidth::Flex,
            align,
        }
    }
}

/// What a table cell holds.
#[derive(Debug, Clone, PartialEq)]
pub enum CellContent {
    /// Wrapped text.
    Text(Vec<Span>),
    /// A horizontal stacked bar across the cell: segments `(weight, colour)` left to right,
    /// each as wide as its share of the sum of weights; `height` in points.
    Bar {
        /// Bar height in points.
        height: f32,
        /// Segments left to right.
        segments: Vec<(f32, Color)>,
    },
}

/// A table cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// The content.
    pub content: CellContent,
    /// Alignment; `None` uses the column's (or centre in the header).
    pub align: Option<Align>,
    /// Background fill.
    pub fill: Option<Color>,
}

impl Cell {
    /// A text cell.
    pub fn new(spans: Vec<Span>) -> Cell {
        Cell {
            content: CellContent::Text(spans),
            align: None,
            fill: None,
        }
    }

    /// A text cell with one span.
    pub fn text(text: impl Into<String>, style: Style) -> Cell {
        Cell::new(vec![Span::text(text, style)])
    }

    /// An empty cell.
    pub fn empty() -> Cell {
        Cell::new(Vec::new())
    }

    /// A stacked bar cell.
    pub fn bar(height: f32, segments: Vec<(f32, Color)>) -> Cell {
        Cell {
            content: CellContent::Bar { height, segments },
            align: None,
            fill: None,
        }
    }

    /// Overrides the alignment.
    pub fn align(self, align: Align) -> Cell {
        Cell {
            align: Some(align),
            ..self
        }
    }

    /// Fills the background.
    pub fn fill(self, color: Color) -> Cell {
        Cell {
            fill: Some(color),
            ..self
        }
    }
}

/// A table row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// One cell per column, or one cell for a full-width row.
    pub cells: Vec<Cell>,
    /// Background of the whole row.
    pub fill: Option<Color>,
    /// The single cell spans all columns (a group row such as “市科技局（18项）”).
    pub full_width: bool,
}

impl Row {
    /// A row of cells, one per column (missing cells are empty, extra ones are dropped).
    pub fn new(cells: Vec<Cell>) -> Row {
        Row {
            cells,
            fill: None,
            full_width: false,
        }
    }

    /// A row whose single cell spans all columns, left-aligned.
    pub fn full_width(cell: Cell) -> Row {
        Row {
            cells: vec![cell],
            fill: None,
            full_width: true,
        }
    }

    /// Fills the row's background.
    pub fn fill(self, color: Color) -> Row {
        Row {
            fill: Some(color),
            ..self
        }
    }
}

/// Rules and spacing of a table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TableStyle {
    /// Baseline-to-baseline distance inside cells, in points (1.3 em of 10.5 pt = 13.65).
    pub line_pitch: f32,
    /// Horizontal cell inset in points.
    pub inset_x: f32,
    /// Vertical cell inset in points.
    pub inset_y: f32,
    /// Border thickness in points.
    pub border: f32,
    /// Border colour.
    pub border_color: Color,
    /// Background of the header row.
    pub header_fill: Option<Color>,
}

impl Default for TableStyle {
    /// 10.5 pt text at 1.3 em, insets 1 mm × 0.9 mm, 0.5 pt black rules, no header fill.
    fn default() -> Self {
        TableStyle {
            line_pitch: 10.5 * 1.3,
            inset_x: mm(1.0),
            inset_y: mm(0.9),
            border: 0.5,
            border_color: Color::BLACK,
            header_fill: None,
        }
    }
}

/// A table with an optional header row that repeats on every page it runs onto.
///
/// Rows never split across pages, except a row taller than a whole page, which is cut
/// between lines as a last resort.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The columns; the flex column takes what the fixed ones leave of the text block.
    pub columns: Vec<Column>,
    /// The header row, repeated after each page break.
    pub header: Option<Row>,
    /// The body rows.
    pub rows: Vec<Row>,
    /// Rules, insets, pitch.
    pub style: TableStyle,
}

/// A block of the page flow.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// Text broken into lines; may split across pages between lines (no orphan or widow line).
    Paragraph(Paragraph),
    /// A heading: a paragraph kept with the block after it.
    Heading(Paragraph),
    /// Vertical space in points; dropped at the top of a page.
    Spacer(f32),
    /// A horizontal rule.
    Rule(Rule),
    /// A table.
    Table(Table),
    /// Blocks that go on one page together (moved to a new page if need be).
    KeepTogether(Vec<Block>),
    /// A stacked column chart drawn with the page's vectors (one unbreakable block).
    Chart(super::chart::BarChart),
    /// Starts a new page.
    PageBreak,
}

/// Where page numbers go and how they look.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageNumbers {
    /// Face of the number.
    pub role: FontRole,
    /// Size in points (14 pt for 4号).
    pub size: f32,
    /// Distance from the bottom of the text block to the top of the number, in points.
    pub below_text: f32,
    /// Distance of the number from the outer edge of the text block, in points.
    pub inset: f32,
}

impl Default for PageNumbers {
    /// GB/T 9704: “— N —” in 14 pt, 7 mm below the text block, one character in.
    fn default() -> Self {
        PageNumbers {
            role: FontRole::Body,
            size: 14.0,
            below_text: mm(7.0),
            inset: 14.0,
        }
    }
}

/// Page size, margins and page numbering.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageSetup {
    /// Page width in points.
    pub width: f32,
    /// Page height in points.
    pub height: f32,
    /// Top margin in points.
    pub margin_top: f32,
    /// Bottom margin in points.
    pub margin_bottom: f32,
    /// Left margin in points.
    pub margin_left: f32,
    /// Right margin in points.
    pub margin_right: f32,
    /// “— N —” page numbers on the outer side, or none.
    pub page_numbers: Option<PageNumbers>,
}

impl PageSetup {
    /// A4 portrait with GB/T 9704 margins (top 37, bottom 35, left 28, right 26 mm):
    /// a 156 × 225 mm text block, page numbers on.
    pub fn a4_portrait() -> PageSetup {
        PageSetup {
            width: mm(210.0),
            height: mm(297.0),
            margin_top: mm(37.0),
            margin_bottom: mm(35.0),
            margin_left: mm(28.0),
            margin_right: mm(26.0),
            page_numbers: Some(PageNumbers::default()),
        }
    }

    /// A4 landscape with the portrait text block turned a quarter (left 37, right 35,
    /// top 26, bottom 28 mm): a 225 × 156 mm text block, page numbers on.
    pub fn a4_landscape() -> PageSetup {
        PageSetup {
            width: mm(297.0),
            height: mm(210.0),
            margin_top: mm(26.0),
            margin_bottom: mm(28.0),
            margin_left: mm(37.0),
            margin_right: mm(35.0),
            page_numbers: Some(PageNumbers::default()),
        }
    }

    /// Width of the text block in points.
    pub fn text_width(&self) -> f32 {
        self.width - self.margin_left - self.margin_right
    }

    /// Height of the text block in points.
    pub fn text_height(&self) -> f32 {
        self.height - self.margin_top - self.margin_bottom
    }
}

/// A document: page setup and the flow of blocks.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Page size and margins.
    pub page: PageSetup,
    /// The content, top to bottom.
    pub blocks: Vec<Block>,
}

/// The PDF's document information. The date is supplied by the caller (the as-of or issue
/// date), never read from the clock, so the same input gives the same bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    /// Title shown by PDF readers.
    pub title: String,
    /// Author (the issuing office).
    pub author: String,
    /// Subject.
    pub subject: String,
    /// Creation and modification date (midnight, UTC).
    pub date: NaiveDate,
    /// The program that made the document (PDF Creator and Producer, OFD Creator); the engine
    /// names none of its own. Empty: not written.
    pub creator: String,
    /// Its version (OFD CreatorVersion). Empty: not written.
    pub creator_version: String,
}
