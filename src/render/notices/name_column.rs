//! The 牵头单位 column of the notices' tables: its width and how a unit's name breaks in it.

use super::cells::text_cell;
use super::style::{CELL_SIZE, cell_style};
use duban_pdf::{Cell, FontSet, Span};

/// A 牵头单位 column: the mock-up's 17.5 mm holds four characters a line; a table that names a
/// unit of five characters (新城区政府, 市委金融办) gets room for five, so that no name of up to
/// five characters is ever broken. A longer name is broken into lines as even as the column
/// allows (市城市/管理局, 市大数据/管理局, 经济技术/开发区), a compound one (土左旗、托县政府)
/// after its 、 first (a part counts with its 、: 市发改委、 is five); no line of a name is a lone
/// character.
#[derive(Clone, Copy)]
pub struct NameColumn<'a> {
    /// Characters (ems of the cell size) a line holds.
    chars: usize,
    /// What names are measured with.
    fonts: &'a FontSet,
}

impl<'a> NameColumn<'a> {
    /// The mock-up's width, in characters.
    const NARROW: usize = 4;
    /// The most a column widens to, in characters.
    const WIDE: usize = 5;

    /// The column for a table showing `names`, set in `fonts`.
    pub fn of<'n>(names: impl IntoIterator<Item = &'n str>, fonts: &'a FontSet) -> NameColumn<'a> {
        let five = names
            .into_iter()
            .flat_map(|n| n.split_inclusive('、'))
            .map(|part| name_ems(part, fonts))
            .any(|w| w > Self::NARROW as f32 && w <= Self::WIDE as f32);
        let chars = if five { Self::WIDE } else { Self::NARROW };
        NameColumn { chars, fonts }
    }

    /// The column's width in mm: its characters, the cell insets and a little air.
    pub fn width(self) -> f32 {
        if self.chars == Self::NARROW {
            17.5
        } else {
            self.chars as f32 * CELL_SIZE * 25.4 / 72.0 + 2.0 + 0.5
        }
    }

    /// The cell showing `name`, broken into lines where the name allows.
    pub fn cell(self, name: &str) -> Cell {
        text_cell(self.lines(name))
    }

    /// `name` with a line break (`\n`) where each line should end.
    pub fn lines(self, name: &str) -> String {
        let (width, fonts) = (self.chars as f32, self.fonts);
        if name_ems(name, fonts) <= width {
            return name.to_string();
        }
        // A compound name: its parts packed into lines, a part too long broken on its own.
        let parts: Vec<String> = name.split_inclusive('、').map(str::to_string).collect();
        let mut lines: Vec<String> = Vec::new();
        for part in parts {
            match lines.last_mut() {
                Some(line) if name_ems(line, fonts) + name_ems(&part, fonts) <= width => {
                    line.push_str(&part)
                }
                _ => lines.extend(even_lines(&part, width, fonts)),
            }
        }
        lines.join("\n")
    }
}

/// How wide `text` sets in a table cell, in ems of the cell size ([`duban_pdf::measure`]).
fn name_ems(text: &str, fonts: &FontSet) -> f32 {
    duban_pdf::measure(&[Span::text(text, cell_style())], fonts) / CELL_SIZE
}

/// `text` in as few lines of at most `width` ems as it needs, as even as they can be (the
/// longer ones first), never inside an ASCII run nor where the line breaker would not break
/// (before a closing mark, after an opening one). A text that fits is one line.
fn even_lines(text: &str, width: f32, fonts: &FontSet) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let total = name_ems(text, fonts);
    if total <= width || chars.len() < 4 {
        return vec![text.to_string()];
    }
    let count = (total / width).ceil().max(2.0);
    let target = total / count;
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut ems = 0.0;
    for (i, &c) in chars.iter().enumerate() {
        let w = name_ems(c.encode_utf8(&mut [0; 4]), fonts);
        let rest = chars.len() - i;
        let inside_word = !line.is_empty()
            && (c.is_ascii_alphanumeric() && chars[i - 1].is_ascii_alphanumeric()
                || !duban_pdf::may_start_line(c)
                || !duban_pdf::may_end_line(chars[i - 1]));
        let breakable = !line.is_empty() && !inside_word && rest >= 2 && line.chars().count() >= 2;
        if breakable && (ems + w > width || ems >= target - 0.01) {
            lines.push(std::mem::take(&mut line));
            ems = 0.0;
        }
        line.push(c);
        ems += w;
    }
    lines.push(line);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_break_evenly_and_never_leave_a_lone_character() {
        let fonts =
            FontSet::load_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts"))
                .expect("shipped fonts");
        let narrow = NameColumn::of(["市教育局", "市城市管理局", "经济技术开发区"], &fonts);
        assert_eq!(narrow.width(), 17.5);
        for (name, lines) in [
            ("市教育局", "市教育局"),
            ("新城区政府", "新城区\n政府"),
            ("市城市管理局", "市城市\n管理局"),
            ("市大数据管理局", "市大数据\n管理局"),
            ("经济技术开发区", "经济技术\n开发区"),
            ("土左旗、托县政府", "土左旗、\n托县政府"),
            ("国家统计局呼和浩特调查队", "国家统计\n局呼和浩\n特调查队"),
        ] {
            assert_eq!(narrow.lines(name), lines, "{name}");
        }
        let wide = NameColumn::of(["市教育局", "新城区政府", "市大数据管理局"], &fonts);
        assert!(
            wide.width() > 20.5 && wide.width() < 22.0,
            "{}",
            wide.width()
        );
        assert_eq!(wide.lines("新城区政府"), "新城区政府");
        assert_eq!(wide.lines("市城市管理局"), "市城市\n管理局");
        // a part of a compound name with its 、 counts as five characters
        let compound = NameColumn::of(["市发改委、市财政局"], &fonts);
        assert_eq!(compound.width(), wide.width());
        assert_eq!(compound.lines("市发改委、市财政局"), "市发改委、\n市财政局");
        // names are measured as the engine sets them: “5G” is 1.3 em, not 1, so this name
        // does not fit four characters' room
        assert_eq!(narrow.lines("5G基站办"), "5G基\n站办");
        // no line is a lone character, whatever the name
        for name in [
            "呼和浩特供电公司",
            "和林格尔新区",
            "呼和浩特职业技术大学",
            "市委金融办",
            "5G基站建设办",
        ] {
            for column in [narrow, wide] {
                let lines = column.lines(name);
                assert!(
                    lines.split('\n').all(|l| l.chars().count() >= 2),
                    "{name}: {lines}"
                );
                assert_eq!(lines.replace('\n', ""), name);
            }
        }
    }
}
