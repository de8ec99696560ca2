//! The page model: what layout produces and the writers consume — pages of positioned text
//! lines, fills and rules, with marks of where each table row landed.

use super::*;

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

impl Layout {
    /// Every glyph the document shows, as (face index, glyph id): what
    /// [`FontSet::prepare`] is given for it.
    pub fn glyph_ids(&self) -> impl Iterator<Item = (usize, u16)> + '_ {
        self.pages
            .iter()
            .flat_map(Page::lines)
            .flat_map(|l| l.glyphs.iter().map(|g| (g.face, g.gid)))
    }
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

    /// The images placed on the page.
    pub fn images(&self) -> impl Iterator<Item = &crate::elements::PlacedImage> {
        self.items.iter().filter_map(|i| match i {
            Item::Image(image) => Some(image),
            _ => None,
        })
    }

    /// Puts an image on the page after layout, over the text and rules beneath it (the
    /// writers draw images last): for marks that press on laid-out text, like a seal.
    pub fn place_image(&mut self, image: crate::elements::PlacedImage) {
        self.items.push(Item::Image(image));
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
    /// A raster image, drawn over everything else on the page (see [`Page::place_image`]).
    Image(crate::elements::PlacedImage),
}

impl Item {
    pub(super) fn shift(&mut self, dy: f32) {
        match self {
            Item::Text(t) => t.baseline += dy,
            Item::Fill(f) => f.y += dy,
            Item::Stroke(s) => {
                s.y1 += dy;
                s.y2 += dy;
            }
            Item::Row(r) => r.top += dy,
            Item::Image(i) => i.y += dy,
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
    /// A body row, by index into [`Table::rows`](crate::elements::Table::rows).
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
    pub color: crate::elements::Color,
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
    pub color: crate::elements::Color,
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
