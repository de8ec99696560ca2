//! Text measuring and CJK line breaking.
//!
//! Rules (after GB/T 15834 practice and JIS X 4051 “kinsoku”):
//! - a line may break between any two CJK characters;
//! - a run of Latin letters, digits and ASCII punctuation (“1.1”, “10GW”, “2026”, “1+6+N”) is
//!   not broken, unless it is longer than the line, in which case it breaks where it must;
//! - a line never starts with closing punctuation (，。、；：？！）》」』”’% …) and never ends with
//!   opening punctuation (（《「『“‘ …); the character before is carried over instead;
//! - every punctuation mark keeps its full advance (no squeezing of `），`);
//! - justified lines get the leftover width as equal extra tracking between characters, except
//!   inside Latin words; the last line of a paragraph stays flush left.

use crate::elements::{Align, Color, Span, Style};
use crate::fonts::{FontRole, FontSet};

/// Characters that must not start a line.
const NO_START: &str = "，。、；：？！）》」』”’〕】〗〉｝］…‥·・%％‰℃°′″ー～—―々〻ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ,.;:?!)]}>";
/// Characters that must not end a line.
const NO_END: &str = "（《「『“‘〔【〖〈｛［([{<";

/// Whether a line may start with `ch`: not with closing punctuation, an iteration mark or a
/// small kana (the rule [`break_lines`] follows, for callers that break text themselves).
pub fn may_start_line(ch: char) -> bool {
    !NO_START.contains(ch)
}

/// Whether a line may end with `ch`: not with opening punctuation.
pub fn may_end_line(ch: char) -> bool {
    !NO_END.contains(ch)
}

/// A character the document asked for that no loaded font has. It is drawn as □.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MissingGlyph {
    /// The missing character.
    pub ch: char,
    /// The text around it, so the reader can find it.
    pub context: String,
}

/// A glyph placed on a line or page. On a [`TextLine`](super::TextLine) `x` is
/// absolute (points from the left page edge); inside the line breaker it is relative.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedGlyph {
    /// The character it stands for (□ for a missing one is drawn, but `ch` keeps the original).
    pub ch: char,
    /// Face index in the [`FontSet`].
    pub face: usize,
    /// Glyph id in that face.
    pub gid: u16,
    /// Left edge of the glyph, in points.
    pub x: f32,
    /// Font size in points.
    pub size: f32,
    /// Colour.
    pub color: Color,
    /// Baseline shift upwards, in points.
    pub rise: f32,
    /// Horizontal scale (1.0 = none); stretches a narrow dash to a full em.
    pub hscale: f32,
    /// Advance in points, including tracking and justification.
    pub advance: f32,
}

/// One broken line: glyphs with `x` relative to the start of the line box.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ShapedLine {
    /// The glyphs (spaces included, trailing spaces dropped).
    pub glyphs: Vec<PlacedGlyph>,
    /// Width of the set text, in points (after alignment and justification).
    pub width: f32,
    /// Largest font size on the line (0 for an empty line).
    pub max_size: f32,
}

impl ShapedLine {
    /// The line's characters.
    pub fn text(&self) -> String {
        self.glyphs.iter().map(|g| g.ch).collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// CJK and everything else that breaks freely.
    Free,
    /// Latin letters, digits, ASCII punctuation: no break inside a run.
    Word,
    /// A breakable space; dropped at the end of a line.
    Space,
    /// A forced line break.
    Newline,
    /// A fixed unbreakable gap (from [`Span::Gap`]).
    Gap,
}

#[derive(Debug, Clone)]
struct Atom {
    ch: char,
    class: Class,
    face: usize,
    gid: u16,
    /// Advance in points including tracking.
    advance: f32,
    size: f32,
    color: Color,
    rise: f32,
    hscale: f32,
}

fn classify(ch: char) -> Class {
    match ch {
        '\n' => Class::Newline,
        ' ' | '\t' => Class::Space,
        '(' | ')' | '[' | ']' | '{' | '}' | '<' | '>' => Class::Free,
        c if c.is_ascii_graphic() => Class::Word,
        // Latin-1 letters and other alphabetic scripts outside CJK stay with their word.
        c if c.is_alphanumeric() && (c as u32) < 0x2E80 => Class::Word,
        _ => Class::Free,
    }
}

/// Characters that are dropped: carriage returns, zero-width marks, controls.
fn is_invisible(ch: char) -> bool {
    matches!(
        ch,
        '\r' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
    ) || (ch.is_control() && ch != '\n' && ch != '\t')
}

/// Turns spans into atoms: one per visible character (glyph chosen, with fallback) or gap.
fn shape(spans: &[Span], fonts: &FontSet, missing: &mut Vec<MissingGlyph>) -> Vec<Atom> {
    let plain: Vec<char> = spans
        .iter()
        .flat_map(|s| match s {
            Span::Text { text, .. } => text.chars().collect::<Vec<_>>(),
            Span::Gap(_) => vec![' '],
        })
        .collect();
    let mut atoms = Vec::with_capacity(plain.len());
    let mut pos = 0usize;
    for span in spans {
        match span {
            Span::Gap(width) => {
                pos += 1;
                atoms.push(Atom {
                    ch: ' ',
                    class: Class::Gap,
                    face: 0,
                    gid: 0,
                    advance: width.max(0.0),
                    size: 0.0,
                    color: Color::BLACK,
                    rise: 0.0,
                    hscale: 1.0,
                });
            }
            Span::Text { text, style } => {
                for ch in text.chars() {
                    let here = pos;
                    pos += 1;
                    if is_invisible(ch) {
                        continue;
                    }
                    atoms.push(shape_char(
                        ch,
                        style,
                        fonts,
                        || {
                            let from = here.saturating_sub(10);
                            let to = (here + 11).min(plain.len());
                            plain[from..to].iter().collect::<String>()
                        },
                        missing,
                    ));
                }
            }
        }
    }
    atoms
}

fn shape_char(
    ch: char,
    style: &Style,
    fonts: &FontSet,
    context: impl FnOnce() -> String,
    missing: &mut Vec<MissingGlyph>,
) -> Atom {
    let class = classify(ch);
    let lookup = match ch {
        '\n' => None,
        '\t' => fonts.glyph(style.role, ' '),
        '\u{00A0}' => fonts.glyph(style.role, ' '),
        _ => fonts.glyph(style.role, ch),
    };
    let (face, gid, mut advance_em) = match lookup {
        Some(g) => (g.face, g.gid, g.advance),
        None if ch == '\n' => (fonts.role_face(style.role), 0, 0.0),
        None => {
            let report = MissingGlyph {
                ch,
                context: context(),
            };
            if !missing.contains(&report) {
                missing.push(report);
            }
            match fonts.glyph(style.role, '□') {
                Some(g) => (g.face, g.gid, g.advance),
                None => (fonts.role_face(FontRole::Body), 0, 1.0),
            }
        }
    };
    // A Chinese dash (一字线, 破折号) is a full em; CJK fonts often draw U+2014 narrower.
    let mut hscale = 1.0;
    if ch == '—' && advance_em > 0.5 && advance_em < 1.0 {
        hscale = 1.0 / advance_em;
        advance_em = 1.0;
    }
    let advance = if class == Class::Newline {
        0.0
    } else {
        advance_em * style.size + style.tracking
    };
    Atom {
        ch,
        class: if ch == '\u{00A0}' { Class::Gap } else { class },
        face,
        gid,
        advance,
        size: style.size,
        color: style.color,
        rise: style.rise,
        hscale,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Break {
    No,
    Allowed,
    Forced,
}

/// May the line break between `a` and `b`?
fn break_between(a: &Atom, b: &Atom) -> Break {
    use Class::*;
    match (a.class, b.class) {
        (Newline, _) => Break::Forced,
        (Gap, _) | (_, Gap) | (_, Space) | (_, Newline) => Break::No,
        (Word, Word) => Break::No,
        _ if NO_START.contains(b.ch) || NO_END.contains(a.ch) => Break::No,
        (Space, _) => Break::Allowed,
        // Keep “——” and “……” whole.
        _ if a.ch == b.ch && matches!(a.ch, '—' | '…' | '―') => Break::No,
        _ => Break::Allowed,
    }
}

const EPSILON: f32 = 0.01;

/// Splits atoms into lines: each entry is `(start, end, forced)` over the atom slice;
/// leading spaces of a line that follows a soft break are skipped.
fn line_ranges(atoms: &[Atom], first_width: f32, width: f32) -> Vec<(usize, usize, bool)> {
    let n = atoms.len();
    let mut ranges = Vec::new();
    let mut start = 0;
    while start < n {
        let limit = if ranges.is_empty() {
            first_width
        } else {
            width
        };
        let mut x = 0.0;
        let mut last_break: Option<usize> = None;
        let mut i = start;
        let mut end: Option<(usize, bool)> = None;
        while i < n {
            let a = &atoms[i];
            if a.class != Class::Space && x + a.advance > limit + EPSILON && i > start {
                // Overflow at atom i.
                end = Some(match last_break {
                    Some(b) if b > start => (b, false),
                    _ => (emergency_break(atoms, start, i), false),
                });
                break;
            }
            x += a.advance;
            if i + 1 < n {
                match break_between(a, &atoms[i + 1]) {
                    Break::Forced => {
                        end = Some((i + 1, true));
                        break;
                    }
                    Break::Allowed => last_break = Some(i + 1),
                    Break::No => {}
                }
            }
            i += 1;
        }
        let (stop, forced) = end.unwrap_or((n, true));
        ranges.push((start, stop, forced));
        start = stop;
        if !forced {
            while start < n && atoms[start].class == Class::Space {
                start += 1;
            }
        }
    }
    ranges
}

/// Where to cut a run that has no break opportunity before it overflows at `overflow`:
/// as late as possible, but not before closing punctuation.
fn emergency_break(atoms: &[Atom], start: usize, overflow: usize) -> usize {
    let mut cut = overflow;
    while cut > start + 1 && NO_START.contains(atoms[cut].ch) {
        cut -= 1;
    }
    cut
}

/// Breaks spans into lines.
///
/// `first_width` is the measure of the first line (less its indent), `width` that of the
/// others. Glyph `x` is relative to the line box, alignment applied. Characters no font
/// has are drawn as □ and appended to `missing` (once per character and context).
/// Always returns at least one line (an empty paragraph is one empty line).
///
/// # Examples
///
/// ```
/// use duban_pdf::*;
/// # let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fonts");
/// let fonts = FontSet::load_dir(&dir)?;
/// let style = Style::new(FontRole::Body, 16.0);
/// let spans = [Span::text("完成率达到100%，提前完成。", style)];
/// let mut missing = Vec::new();
/// // Room for about eight characters per line: “100%” is never split and no line starts with “，”.
/// let lines = break_lines(&spans, &fonts, 8.0 * 16.0, 8.0 * 16.0, Align::Left, &mut missing);
/// assert!(lines.len() >= 2);
/// assert!(missing.is_empty());
/// # Ok::<(), FontError>(())
/// ```
pub fn break_lines(
    spans: &[Span],
    fonts: &FontSet,
    first_width: f32,
    width: f32,
    align: Align,
    missing: &mut Vec<MissingGlyph>,
) -> Vec<ShapedLine> {
    let atoms = shape(spans, fonts, missing);
    let ranges = line_ranges(&atoms, first_width, width);
    if ranges.is_empty() {
        return vec![ShapedLine::default()];
    }
    let count = ranges.len();
    ranges
        .into_iter()
        .enumerate()
        .map(|(i, (start, end, forced))| {
            let limit = if i == 0 { first_width } else { width };
            let last = i + 1 == count || forced;
            set_line(&atoms[start..end], limit, align, last)
        })
        .collect()
}

/// Positions the atoms of one line inside a box `limit` wide.
fn set_line(atoms: &[Atom], limit: f32, align: Align, last: bool) -> ShapedLine {
    // Trailing spaces and the newline hang outside the measure.
    let mut visible = atoms.len();
    while visible > 0 && matches!(atoms[visible - 1].class, Class::Space | Class::Newline) {
        visible -= 1;
    }
    let atoms = &atoms[..visible];
    let natural: f32 = atoms.iter().map(|a| a.advance).sum();
    let slack = (limit - natural).max(0.0);

    let stretchable: Vec<bool> = atoms
        .windows(2)
        .map(|w| {
            !(w[0].class == Class::Word && w[1].class == Class::Word)
                && w[0].class != Class::Gap
                && w[1].class != Class::Gap
        })
        .collect();
    let gaps = stretchable.iter().filter(|s| **s).count();
    let max_size = atoms.iter().map(|a| a.size).fold(0.0_f32, f32::max);
    let per_gap = if align == Align::Justify && !last && gaps > 0 {
        let extra = slack / gaps as f32;
        // Beyond a full em per gap the line would look broken; leave it ragged.
        if extra <= max_size { extra } else { 0.0 }
    } else {
        0.0
    };
    let width = natural + per_gap * gaps as f32;
    let offset = match align {
        Align::Left | Align::Justify => 0.0,
        Align::Center => (limit - width) / 2.0,
        Align::Right => limit - width,
    };

    let mut x = offset;
    let mut glyphs = Vec::with_capacity(atoms.len());
    for (i, a) in atoms.iter().enumerate() {
        let extra = if stretchable.get(i).copied().unwrap_or(false) {
            per_gap
        } else {
            0.0
        };
        if a.class != Class::Gap {
            glyphs.push(PlacedGlyph {
                ch: a.ch,
                face: a.face,
                gid: a.gid,
                x,
                size: a.size,
                color: a.color,
                rise: a.rise,
                hscale: a.hscale,
                advance: a.advance + extra,
            });
        }
        x += a.advance + extra;
    }
    ShapedLine {
        glyphs,
        width,
        max_size,
    }
}

/// Natural width of spans set on one line, in points (no breaking).
///
/// # Examples
///
/// ```
/// use duban_pdf::*;
/// # let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fonts");
/// let fonts = FontSet::load_dir(&dir)?;
/// let w = measure(&[Span::text("督办", Style::new(FontRole::Body, 16.0))], &fonts);
/// assert!((w - 32.0).abs() < 0.5); // two full-width hanzi of 16 pt
/// # Ok::<(), FontError>(())
/// ```
pub fn measure(spans: &[Span], fonts: &FontSet) -> f32 {
    let mut ignored = Vec::new();
    shape(spans, fonts, &mut ignored)
        .iter()
        .filter(|a| a.class != Class::Newline)
        .map(|a| a.advance)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fonts::tests::shipped;

    fn body(size: f32) -> Style {
        Style::new(FontRole::Body, size)
    }

    fn lines(text: &str, chars_per_line: f32, align: Align) -> Vec<ShapedLine> {
        let fonts = shipped();
        let width = 16.0 * chars_per_line;
        let mut missing = Vec::new();
        break_lines(
            &[Span::text(text, body(16.0))],
            &fonts,
            width,
            width,
            align,
            &mut missing,
        )
    }

    #[test]
    fn breaks_between_cjk_characters_and_fills_lines() {
        let ls = lines("一二三四五六七八九十一二三四五六七八九十", 8.0, Align::Left);
        let texts: Vec<String> = ls.iter().map(|l| l.text()).collect();
        assert_eq!(texts, ["一二三四五六七八", "九十一二三四五六", "七八九十"]);
    }

    #[test]
    fn no_line_starts_with_closing_punctuation() {
        let text = "甲乙丙丁戊己庚，辛壬癸子丑寅卯。辰巳午未申酉戌）、亥天地玄黄宇宙洪荒：日月盈昃“辰宿列张”，寒来暑往》秋收冬藏！";
        for width in 3..12 {
            for l in lines(text, width as f32, Align::Justify) {
                let t = l.text();
                let first = t.chars().next().unwrap_or(' ');
                assert!(!NO_START.contains(first), "line starts with {first}: {t}");
                let last = t.chars().last().unwrap_or(' ');
                assert!(!NO_END.contains(last), "line ends with {last}: {t}");
            }
        }
    }

    #[test]
    fn no_line_exceeds_the_width() {
        let text = "截至2026年11月30日，你单位牵头的《政府工作报告》重点工作任务18项中，已完成10项，序时推进3项（其中临期3项），滞后3项，逾期未完成1项，未报送1项。现通知如下。";
        for width in [5.0_f32, 7.5, 10.0, 28.0] {
            for l in lines(text, width, Align::Justify) {
                let right = l.glyphs.last().map(|g| g.x + g.advance).unwrap_or(0.0);
                assert!(
                    right <= 16.0 * width + EPSILON,
                    "{right} > {}: {}",
                    16.0 * width,
                    l.text()
                );
                assert!(l.width <= 16.0 * width + EPSILON);
            }
        }
    }

    #[test]
    fn number_runs_stay_whole() {
        // At 5.5 em per line the numbers would split if breaking were per character.
        let text = "规模达到1.1万亿元，装机10GW以上，2026年底前完成";
        for width in [4.0_f32, 5.5, 6.5, 7.0] {
            let ls = lines(text, width, Align::Left);
            let texts: Vec<String> = ls.iter().map(|l| l.text()).collect();
            for word in ["1.1", "10GW", "2026"] {
                assert!(
                    texts.iter().any(|t| t.contains(word)),
                    "{word} split at {width}: {texts:?}"
                );
            }
        }
    }

    #[test]
    fn a_run_longer_than_the_line_is_broken() {
        let ls = lines(
            "见附件ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZ.xlsx",
            6.0,
            Align::Left,
        );
        assert!(
            ls.len() >= 4,
            "{:?}",
            ls.iter().map(|l| l.text()).collect::<Vec<_>>()
        );
        for l in &ls {
            assert!(l.width <= 96.0 + EPSILON, "{}", l.text());
        }
        let joined: String = ls.iter().map(|l| l.text()).collect();
        assert!(joined.contains("ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZ.xlsx"));
    }

    #[test]
    fn punctuation_keeps_its_full_cell() {
        let ls = lines("（其中临期3项），滞后", 40.0, Align::Left);
        let g = &ls[0].glyphs;
        let close = g.iter().position(|g| g.ch == '）').expect("）");
        assert!(
            (g[close + 1].x - g[close].x - 16.0).abs() < 1e-3,
            "）， squeezed"
        );
    }

    #[test]
    fn justified_lines_fill_the_measure_and_the_last_does_not() {
        let text = "红灯任务请主要负责同志专题研究整改，黄灯任务请说明原因和追赶措施，并于2026年12月10日前书面反馈。";
        let ls = lines(text, 10.5, Align::Justify);
        assert!(ls.len() > 2);
        for l in &ls[..ls.len() - 1] {
            assert!((l.width - 168.0).abs() < 0.05, "{} {}", l.width, l.text());
        }
        assert!(ls.last().is_some_and(|l| l.width < 168.0));
    }

    #[test]
    fn forced_breaks_and_alignment() {
        let ls = lines("完成\n时限", 10.0, Align::Center);
        assert_eq!(ls.len(), 2);
        assert_eq!(ls[0].text(), "完成");
        assert!((ls[0].glyphs[0].x - 64.0).abs() < 1e-3);
        let ls = lines("2026年12月2日", 10.0, Align::Right);
        let end = ls[0].glyphs.last().map(|g| g.x + g.advance).unwrap_or(0.0);
        assert!((end - 160.0).abs() < 1e-3);
    }

    #[test]
    fn missing_glyph_becomes_a_box_and_is_reported() {
        let fonts = shipped();
        let mut missing = Vec::new();
        let ls = break_lines(
            &[Span::text("负责人：王\u{2A6A5}明", body(16.0))],
            &fonts,
            400.0,
            400.0,
            Align::Left,
            &mut missing,
        );
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].ch, '\u{2A6A5}');
        assert!(missing[0].context.contains("王"));
        let boxed = fonts.glyph(FontRole::Body, '□').expect("□");
        let g = ls[0]
            .glyphs
            .iter()
            .find(|g| g.ch == '\u{2A6A5}')
            .expect("placed");
        assert_eq!(g.gid, boxed.gid);
    }

    #[test]
    fn em_dash_is_a_full_em() {
        let ls = lines("— 1 —", 10.0, Align::Left);
        let dash = &ls[0].glyphs[0];
        assert!((dash.advance - 16.0).abs() < 1e-3);
        assert!(dash.hscale > 1.05);
    }
}
