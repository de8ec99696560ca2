//! Keeping the sign-off off a page of its own: when a notice's last page would hold little more
//! than the closing paragraph and the sign-off, the layout is tightened (tables first, then the
//! body grid) and kept when that saves the page, as GB/T 9704 asks.

use super::style::PITCH;
use duban_pdf::{Block, Document, FontSet, Item, Layout, Origin, layout, mm};

/// A last page filled to at most this share of the text block is worth saving.
const SHORT_TAIL: f32 = 0.45;

/// Table line pitch per tightening level (level 0 is the mock-up's).
const TABLE_PITCH: [f32; 4] = [1.3, 1.2, 1.15, 1.15];
/// The vertical cell inset at every tightening level: the mock-up's, so that text never comes
/// nearer the rules than there; tighter levels take their room from the line pitches instead.
const TABLE_INSET_MM: f32 = 0.9;
/// Body line pitch per level.
const BODY_PITCH: [f32; 4] = [PITCH, PITCH, 25.0, 24.0];

/// Lays out `doc`, tightening it when the last page would only carry the closing lines or
/// when a table's note would be cut off from its table onto the next page.
pub fn fit(doc: &Document, fonts: &FontSet) -> Layout {
    let notes = note_blocks(&doc.blocks);
    let first = layout(doc, fonts);
    let cut_note = |laid: &Layout| orphaned_note(laid, &notes);
    let first_cut = cut_note(&first);
    if !first_cut && !lonely_tail(&first) {
        return first;
    }
    for level in 1..TABLE_PITCH.len() {
        let tighter = layout(&tighten(doc, level), fonts);
        let pages = (tighter.pages.len(), first.pages.len());
        let mends_note = first_cut && !cut_note(&tighter) && pages.0 <= pages.1;
        let saves_page = !cut_note(&tighter) && pages.0 < pages.1;
        if mends_note || saves_page {
            return tighter;
        }
    }
    first
}

/// Paragraph numbers (as [`Origin::Block`] counts them) of paragraphs that directly follow a
/// table (spacing aside): a table's note “注：……”, or the line that closes a section.
fn note_blocks(blocks: &[Block]) -> Vec<usize> {
    fn walk(blocks: &[Block], count: &mut usize, after_table: &mut bool, out: &mut Vec<usize>) {
        for block in blocks {
            match block {
                Block::Paragraph(_) | Block::Heading(_) => {
                    if *after_table && matches!(block, Block::Paragraph(_)) {
                        out.push(*count);
                    }
                    *count += 1;
                    *after_table = false;
                }
                Block::Table(_) => *after_table = true,
                Block::Spacer(_) => {}
                Block::KeepTogether(children) => walk(children, count, after_table, out),
                _ => *after_table = false,
            }
        }
    }
    let mut out = Vec::new();
    walk(blocks, &mut 0, &mut false, &mut out);
    out
}

/// Whether some page starts with a paragraph that belongs under the table before it.
fn orphaned_note(laid: &Layout, notes: &[usize]) -> bool {
    laid.pages.iter().skip(1).any(|page| {
        page.items
            .iter()
            .filter_map(|i| match i {
                Item::Text(t) if t.origin != Origin::PageNumber => Some(t),
                _ => None,
            })
            .min_by(|a, b| a.baseline.total_cmp(&b.baseline))
            .is_some_and(|t| matches!(t.origin, Origin::Block(n) if notes.contains(&n)))
    })
}

/// Whether the last of several pages is filled less than [`SHORT_TAIL`] (it then carries
/// little more than the closing lines and the sign-off).
fn lonely_tail(laid: &Layout) -> bool {
    let Some(last) = laid.pages.last() else {
        return false;
    };
    if laid.pages.len() < 2 {
        return false;
    }
    let top = laid.setup.margin_top;
    let bottom = last
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Text(t) if t.origin != Origin::PageNumber => Some(t.baseline),
            Item::Row(r) => Some(r.top + r.height),
            _ => None,
        })
        .fold(top, f32::max);
    bottom - top <= SHORT_TAIL * laid.setup.text_height()
}

/// A copy of `doc` set tighter at `level` (1 to 3).
fn tighten(doc: &Document, level: usize) -> Document {
    let level = level.min(TABLE_PITCH.len() - 1);
    Document {
        page: doc.page,
        blocks: doc.blocks.iter().map(|b| tighten_block(b, level)).collect(),
    }
}

fn tighten_block(block: &Block, level: usize) -> Block {
    let body = BODY_PITCH[level];
    let scale = |v: f32| {
        if (v - PITCH).abs() < 0.01 {
            body
        } else if (v - 2.0 * PITCH).abs() < 0.01 {
            2.0 * body
        } else {
            v
        }
    };
    match block {
        Block::Table(t) => {
            let mut t = t.clone();
            t.style.line_pitch = 10.5 * TABLE_PITCH[level];
            t.style.inset_y = mm(TABLE_INSET_MM);
            Block::Table(t)
        }
        Block::Paragraph(p) => {
            let mut p = p.clone();
            p.line_pitch = scale(p.line_pitch);
            Block::Paragraph(p)
        }
        Block::Heading(p) => {
            let mut p = p.clone();
            p.line_pitch = scale(p.line_pitch);
            Block::Heading(p)
        }
        Block::Spacer(h) => Block::Spacer(scale(*h)),
        Block::KeepTogether(children) => {
            Block::KeepTogether(children.iter().map(|c| tighten_block(c, level)).collect())
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::notices::{cells::text_cell, markup::paragraph};
    use duban_pdf::{Align, Column, Row, Table, TableStyle};

    /// A notice: a paragraph, a table of `rows` one-line rows, a closing paragraph.
    fn notice(rows: usize) -> Document {
        let table = Table {
            columns: vec![Column::mm(8.0, Align::Center), Column::flex(Align::Left)],
            header: Some(Row::new(vec![text_cell("序号"), text_cell("任务目标")])),
            rows: (1..=rows)
                .map(|i| {
                    Row::new(vec![
                        text_cell(i.to_string()),
                        text_cell("建立碳排放预算管理制度"),
                    ])
                })
                .collect(),
            style: TableStyle::default(),
        };
        Document {
            page: duban_pdf::PageSetup::a4_portrait(),
            blocks: vec![
                paragraph("截至2026年11月30日，你单位牵头的重点工作任务推进情况如下。"),
                Block::Table(table),
                paragraph("请于2026年12月10日前书面反馈整改措施和完成时限。"),
                paragraph("联系人：王敏，联系电话：0471-4600000。"),
            ],
        }
    }

    /// Tightening takes its room from the line pitches: at every level the text of a table
    /// cell keeps the mock-up's 0.9 mm from the rules above and below it.
    #[test]
    fn tightening_keeps_the_cell_inset() {
        let fonts =
            FontSet::load_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts"))
                .expect("shipped fonts");
        let mut tightened = 0;
        for rows in 20..90 {
            let doc = notice(rows);
            let laid = fit(&doc, &fonts);
            if laid != layout(&doc, &fonts) {
                tightened += 1;
            }
            for page in &laid.pages {
                for row in page.rows() {
                    let bottom = row.top + row.height;
                    for line in page.lines() {
                        if line.baseline <= row.top || line.baseline >= bottom {
                            continue;
                        }
                        let size = line.glyphs.iter().map(|g| g.size).fold(0.0, f32::max);
                        let above = line.baseline - duban_pdf::EM_ASCENT * size - row.top;
                        let below = bottom - (line.baseline + (1.0 - duban_pdf::EM_ASCENT) * size);
                        assert!(
                            above >= mm(0.9) - 0.01 && below >= mm(0.9) - 0.01,
                            "{rows} rows: {:.2} mm above, {:.2} mm below “{}”",
                            above / mm(1.0),
                            below / mm(1.0),
                            line.text()
                        );
                    }
                }
            }
        }
        assert!(tightened > 0, "no notice needed tightening");
    }
}
