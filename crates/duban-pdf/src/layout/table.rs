//! Table measurement: column widths, wrapped cells, vertically centred rows with rules.
//!
//! Each row becomes one unbreakable [`Unit`]; a row taller than a page is cut between lines
//! into several units as a last resort (its cells then start at the top).

use super::text::{MissingGlyph, ShapedLine, break_lines};
use super::{FillRect, Item, Origin, RowMark, RowRef, StrokeLine, Unit, first_size, place_line};
use crate::elements::{Align, Cell, CellContent, Color, ColumnWidth, Row, Table, TableStyle};
use crate::fonts::FontSet;

/// A cell after line breaking.
enum CellBody {
    /// Lines and the em size of the cell's text.
    Lines(Vec<ShapedLine>, f32),
    Bar {
        height: f32,
        segments: Vec<(f32, Color)>,
    },
}

/// Height of `n` lines: a 1 em box for each line, `pitch − em` of leading between them
/// (so a one-line cell is exactly 1 em tall plus its insets).
fn lines_height(n: usize, em: f32, pitch: f32) -> f32 {
    if n == 0 {
        0.0
    } else {
        (n - 1) as f32 * pitch + em
    }
}

impl CellBody {
    fn height(&self, pitch: f32) -> f32 {
        match self {
            CellBody::Lines(lines, em) => lines_height(lines.len(), *em, pitch),
            CellBody::Bar { height, .. } => *height,
        }
    }
}

/// A cell's place: left edge and width of the cell box.
struct Slot {
    x: f32,
    width: f32,
    column: usize,
    fill: Option<Color>,
}

struct Measured {
    slots: Vec<Slot>,
    bodies: Vec<CellBody>,
    fill: Option<Color>,
}

/// Measures a table into its header unit (if any) and one unit per body row.
pub(crate) fn measure_table(
    table: &Table,
    index: usize,
    left: f32,
    width: f32,
    page_height: f32,
    fonts: &FontSet,
    missing: &mut Vec<MissingGlyph>,
) -> (Option<Unit>, Vec<Unit>) {
    let widths = column_widths(table, width);
    let style = &table.style;
    let header = table.header.as_ref().map(|row| {
        let m = measure_row(table, row, &widths, left, true, fonts, missing);
        let fill = m.fill.or(style.header_fill);
        let measured = Measured { fill, ..m };
        let mut units = row_units(&measured, style, index, RowRef::Header, f32::INFINITY);
        units.swap_remove(0)
    });
    let header_height = header.as_ref().map_or(0.0, |h| h.height);
    let room = (page_height - header_height).max(style.line_pitch + 2.0 * style.inset_y);
    let mut rows = Vec::new();
    for (i, row) in table.rows.iter().enumerate() {
        let m = measure_row(table, row, &widths, left, false, fonts, missing);
        let mut units = row_units(&m, style, index, RowRef::Body(i), room);
        // A group row (full width, e.g. “市科技局（18项）”) is never left alone at a page foot.
        if row.full_width
            && i + 1 < table.rows.len()
            && let Some(last) = units.last_mut()
        {
            last.glue_next = true;
        }
        rows.extend(units);
    }
    (header, rows)
}

/// Widths of the columns: fixed ones as given, flex ones share the rest equally.
fn column_widths(table: &Table, width: f32) -> Vec<f32> {
    let fixed: f32 = table
        .columns
        .iter()
        .map(|c| match c.width {
            ColumnWidth::Fixed(w) => w,
            ColumnWidth::Flex => 0.0,
        })
        .sum();
    let flex_count = table
        .columns
        .iter()
        .filter(|c| c.width == ColumnWidth::Flex)
        .count();
    let flex = if flex_count > 0 {
        ((width - fixed) / flex_count as f32).max(0.0)
    } else {
        0.0
    };
    table
        .columns
        .iter()
        .map(|c| match c.width {
            ColumnWidth::Fixed(w) => w,
            ColumnWidth::Flex => flex,
        })
        .collect()
}

fn measure_row(
    table: &Table,
    row: &Row,
    widths: &[f32],
    left: f32,
    header: bool,
    fonts: &FontSet,
    missing: &mut Vec<MissingGlyph>,
) -> Measured {
    let style = &table.style;
    let mut slots = Vec::new();
    let mut bodies = Vec::new();
    let empty = Cell::empty();
    if row.full_width {
        let cell = row.cells.first().unwrap_or(&empty);
        let total: f32 = widths.iter().sum();
        let align = cell.align.unwrap_or(Align::Left);
        bodies.push(measure_cell(cell, total, align, style, fonts, missing));
        slots.push(Slot {
            x: left,
            width: total,
            column: 0,
            fill: cell.fill,
        });
    } else {
        let mut x = left;
        for (column, (&w, spec)) in widths.iter().zip(&table.columns).enumerate() {
            let cell = row.cells.get(column).unwrap_or(&empty);
            let default = if header { Align::Center } else { spec.align };
            let align = cell.align.unwrap_or(default);
            bodies.push(measure_cell(cell, w, align, style, fonts, missing));
            slots.push(Slot {
                x,
                width: w,
                column,
                fill: cell.fill,
            });
            x += w;
        }
    }
    Measured {
        slots,
        bodies,
        fill: row.fill,
    }
}

fn measure_cell(
    cell: &Cell,
    width: f32,
    align: Align,
    style: &TableStyle,
    fonts: &FontSet,
    missing: &mut Vec<MissingGlyph>,
) -> CellBody {
    let inner = (width - 2.0 * style.inset_x).max(1.0);
    match &cell.content {
        CellContent::Text(spans) => {
            // Cells are ragged: justification would open gaps in narrow columns.
            let align = if align == Align::Justify {
                Align::Left
            } else {
                align
            };
            let lines = break_lines(spans, fonts, inner, inner, align, missing);
            let em = lines
                .iter()
                .map(|l| l.max_size)
                .fold(first_size(spans), f32::max);
            // An empty cell still counts as one line of the table's text.
            let em = if em > 0.0 { em } else { style.line_pitch / 1.3 };
            CellBody::Lines(lines, em)
        }
        CellContent::Bar { height, segments } => CellBody::Bar {
            height: *height,
            segments: segments.clone(),
        },
    }
}

/// Builds the unit(s) of a measured row; a row taller than `room` is cut between lines.
fn row_units(m: &Measured, style: &TableStyle, table: usize, row: RowRef, room: f32) -> Vec<Unit> {
    let pitch = style.line_pitch;
    let content = m.bodies.iter().map(|b| b.height(pitch)).fold(0.0, f32::max);
    let height = content + 2.0 * style.inset_y;
    if height <= room {
        let lines: Vec<(usize, usize)> = m
            .bodies
            .iter()
            .map(|b| match b {
                CellBody::Lines(l, _) => (0, l.len()),
                CellBody::Bar { .. } => (0, 0),
            })
            .collect();
        return vec![row_unit(m, style, table, row, height, &lines, true, 0)];
    }
    // Last resort: cut the row into parts of at most `per_part` lines per cell.
    let per_part = (((room - 2.0 * style.inset_y) / pitch).floor() as usize).max(1);
    let most = m
        .bodies
        .iter()
        .map(|b| match b {
            CellBody::Lines(l, _) => l.len(),
            CellBody::Bar { .. } => 1,
        })
        .max()
        .unwrap_or(1);
    let parts = most.div_ceil(per_part);
    (0..parts)
        .map(|part| {
            let from = part * per_part;
            let ranges: Vec<(usize, usize)> = m
                .bodies
                .iter()
                .map(|b| match b {
                    CellBody::Lines(l, _) => (from.min(l.len()), (from + per_part).min(l.len())),
                    CellBody::Bar { .. } => (0, 0),
                })
                .collect();
            let content = m
                .bodies
                .iter()
                .zip(&ranges)
                .map(|(b, (from, to))| match b {
                    CellBody::Lines(_, em) => lines_height(to - from, *em, pitch),
                    CellBody::Bar { .. } => 0.0,
                })
                .fold(0.0, f32::max);
            let height = content + 2.0 * style.inset_y;
            row_unit(m, style, table, row, height, &ranges, false, part)
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn row_unit(
    m: &Measured,
    style: &TableStyle,
    table: usize,
    row: RowRef,
    height: f32,
    lines: &[(usize, usize)],
    centre: bool,
    part: usize,
) -> Unit {
    let pitch = style.line_pitch;
    let mut items = Vec::new();
    let left = m.slots.first().map_or(0.0, |s| s.x);
    let right = m.slots.last().map_or(0.0, |s| s.x + s.width);
    items.push(Item::Row(RowMark {
        table,
        row,
        top: 0.0,
        height,
        part,
    }));
    if let Some(color) = m.fill {
        items.push(Item::Fill(FillRect {
            x: left,
            y: 0.0,
            width: right - left,
            height,
            color,
        }));
    }
    for slot in &m.slots {
        if let Some(color) = slot.fill {
            items.push(Item::Fill(FillRect {
                x: slot.x,
                y: 0.0,
                width: slot.width,
                height,
                color,
            }));
        }
    }
    for ((slot, body), &(from, to)) in m.slots.iter().zip(&m.bodies).zip(lines) {
        let origin = Origin::Cell {
            table,
            row,
            column: slot.column,
        };
        match body {
            CellBody::Lines(all, em) => {
                let shown = &all[from..to];
                let block = lines_height(shown.len(), *em, pitch);
                let top = if centre {
                    (height - block) / 2.0
                } else {
                    style.inset_y
                };
                for (k, line) in shown.iter().enumerate() {
                    // A 1 em line box with no half-leading: pitch = em.
                    let text = place_line(
                        line.clone(),
                        slot.x + style.inset_x,
                        top + k as f32 * pitch,
                        *em,
                        *em,
                        origin,
                    );
                    items.push(Item::Text(text));
                }
            }
            CellBody::Bar {
                height: bar,
                segments,
            } => {
                if part == 0 {
                    bar_items(
                        &mut items,
                        slot,
                        style,
                        (height - bar) / 2.0,
                        *bar,
                        segments,
                    );
                }
            }
        }
    }
    // Rules: top and bottom across the row, verticals at every cell edge.
    let rule = |x1: f32, y1: f32, x2: f32, y2: f32| {
        Item::Stroke(StrokeLine {
            x1,
            y1,
            x2,
            y2,
            thickness: style.border,
            color: style.border_color,
        })
    };
    if style.border > 0.0 {
        items.push(rule(left, 0.0, right, 0.0));
        items.push(rule(left, height, right, height));
        items.push(rule(left, 0.0, left, height));
        for slot in &m.slots {
            let x = slot.x + slot.width;
            items.push(rule(x, 0.0, x, height));
        }
    }
    Unit {
        height,
        items,
        ..Unit::default()
    }
}

fn bar_items(
    items: &mut Vec<Item>,
    slot: &Slot,
    style: &TableStyle,
    top: f32,
    height: f32,
    segments: &[(f32, Color)],
) {
    let total: f32 = segments.iter().map(|(w, _)| w.max(0.0)).sum();
    if total <= 0.0 {
        return;
    }
    let width = (slot.width - 2.0 * style.inset_x).max(0.0);
    let mut x = slot.x + style.inset_x;
    for (weight, color) in segments {
        let w = width * weight.max(0.0) / total;
        if w > 0.0 {
            items.push(Item::Fill(FillRect {
                x,
                y: top,
                width: w,
                height,
                color: *color,
            }));
        }
        x += w;
    }
}
