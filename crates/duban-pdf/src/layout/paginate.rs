//! Filling pages: measured units placed top to bottom, table headers repeated, keep-together
//! groups moved whole, page numbers “— N —” added.

use super::*;

/// The page being filled.
pub(super) struct Pager {
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
pub(super) fn paginate(units: &[Unit], headers: &[Unit], setup: &PageSetup) -> Vec<Page> {
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
pub(super) fn page_number(
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
        crate::elements::Align::Right
    } else {
        crate::elements::Align::Left
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
