//! Keeping the sign-off off a page of its own: when a notice's last page would hold little more
//! than the closing paragraph and the sign-off, the layout is tightened (tables first, then the
//! body grid) and kept when that saves the page, as GB/T 9704 asks.

use super::common::PITCH;
use duban_pdf::{Block, Document, FontSet, Item, Layout, Origin, layout, mm};

/// A last page filled to at most this share of the text block is worth saving.
const SHORT_TAIL: f32 = 0.45;

/// Table line pitch and vertical inset per tightening level (level 0 is the mock-up's).
const TABLE_PITCH: [f32; 3] = [1.3, 1.2, 1.15];
const TABLE_INSET_MM: [f32; 3] = [0.9, 0.6, 0.5];
/// Body line pitch per level.
const BODY_PITCH: [f32; 3] = [PITCH, PITCH, 25.0];

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

/// A copy of `doc` set tighter at `level` (1 or 2).
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
            t.style.inset_y = mm(TABLE_INSET_MM[level]);
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
