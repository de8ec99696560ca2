//! Keeping the sign-off off a page of its own: when a notice's last page would hold little more
//! than the closing paragraph and the sign-off, the layout is tightened (tables first, then the
//! body grid) and kept when that saves the page, as GB/T 9704 asks.

use super::common::PITCH;
use crate::render::pdf::{Block, Document, FontSet, Item, Layout, Origin, layout, mm};

/// A last page filled to at most this share of the text block is worth saving.
const SHORT_TAIL: f32 = 0.45;

/// Table line pitch and vertical inset per tightening level (level 0 is the mock-up's).
const TABLE_PITCH: [f32; 3] = [1.3, 1.2, 1.15];
const TABLE_INSET_MM: [f32; 3] = [0.9, 0.6, 0.5];
/// Body line pitch per level.
const BODY_PITCH: [f32; 3] = [PITCH, PITCH, 25.0];

/// Lays out `doc`, tightening it when the last page would only carry the closing lines.
pub fn fit(doc: &Document, fonts: &FontSet) -> Layout {
    let first = layout(doc, fonts);
    if !lonely_tail(&first) {
        return first;
    }
    for level in 1..TABLE_PITCH.len() {
        let tighter = layout(&tighten(doc, level), fonts);
        if tighter.pages.len() < first.pages.len() {
            return tighter;
        }
    }
    first
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
