//! File names made from unit and leader names: one sanitiser for every file duban writes
//! (notices, emails, forms), and the unique stems decided once per run, before rendering.

/// Longest file stem [`safe_file_stem`] returns, in characters (80 CJK characters are 240
/// bytes in UTF-8, well under the 255-byte limit of common file systems even with an extension).
pub const MAX_STEM_CHARS: usize = 80;

/// The stem used when nothing usable is left of a name.
pub const EMPTY_STEM: &str = "未命名";

/// Device names Windows reserves in any folder, with or without an extension.
const RESERVED: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// Sanitises a unit/leader name into a file stem safe on Windows and POSIX.
///
/// `/ \ : * ? " < > |` and control characters become `_`; bidirectional and zero-width
/// formatting marks are dropped (they can disguise an extension); runs of two or more dots
/// become `_` (so `..` never survives); leading/trailing dots and whitespace are stripped;
/// Windows device names (`CON`, `nul.txt`, `COM1` …) get a `_` appended to their base; the result
/// is capped at [`MAX_STEM_CHARS`] characters and never empty ([`EMPTY_STEM`]). The result is a
/// single normal path component: joined to a folder it stays inside that folder.
pub fn safe_file_stem(name: &str) -> String {
    let mut out = clean_chars(name);
    if out.chars().count() > MAX_STEM_CHARS {
        out = out.chars().take(MAX_STEM_CHARS).collect();
        out = trim_edges(&out).to_string();
    }
    if out.is_empty() {
        return EMPTY_STEM.to_string();
    }
    guard_reserved(out)
}

/// Longest path component [`is_safe_component`] accepts, in bytes (the common file-system limit).
const MAX_COMPONENT_BYTES: usize = 255;

/// Whether `part` is a file or folder name [`safe_file_stem`] would leave as it is (apart from
/// its length cap, so `<80-character stem>.pdf` passes): non-empty, at most 255 bytes, no
/// separators, reserved characters or names, control or invisible marks, no `..`, no leading or
/// trailing dots or spaces.
pub fn is_safe_component(part: &str) -> bool {
    !part.is_empty()
        && part.len() <= MAX_COMPONENT_BYTES
        && guard_reserved(clean_chars(part)) == part
}

/// The character-level cleaning of [`safe_file_stem`], without length cap or fallback.
fn clean_chars(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if is_invisible_mark(c) {
            continue;
        }
        if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
            out.push('_');
        } else {
            out.push(c);
        }
    }
    let out = collapse_dot_runs(trim_edges(&out));
    trim_edges(&out).to_string()
}

/// Makes stems unique (case-insensitively, as Windows and macOS compare names) by appending
/// `_2`, `_3` … to later duplicates; input order decides who keeps the plain stem.
pub fn unique_stems(names: &[&str]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let stem = safe_file_stem(name);
        let mut candidate = stem.clone();
        let mut n = 2u32;
        while !seen.insert(candidate.to_lowercase()) {
            candidate = format!("{stem}_{n}");
            n += 1;
        }
        out.push(candidate);
    }
    out
}

/// Bidi controls, zero-width characters and the BOM: invisible, and able to reorder what a
/// file name appears to say.
fn is_invisible_mark(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}' | '\u{061C}')
}

fn collapse_dot_runs(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut dots = 0usize;
    for c in s.chars() {
        if c == '.' {
            dots += 1;
            continue;
        }
        flush_dots(&mut out, dots);
        dots = 0;
        out.push(c);
    }
    flush_dots(&mut out, dots);
    out
}

fn flush_dots(out: &mut String, dots: usize) {
    match dots {
        0 => {}
        1 => out.push('.'),
        _ => out.push('_'),
    }
}

fn trim_edges(s: &str) -> &str {
    s.trim_matches(|c: char| c == '.' || c.is_whitespace())
}

/// `CON` → `CON_`, `nul.txt` → `nul_.txt`: Windows treats the part before the first dot (with
/// trailing spaces ignored) as the device name.
fn guard_reserved(stem: String) -> String {
    let (base, rest) = match stem.find('.') {
        Some(i) => stem.split_at(i),
        None => (stem.as_str(), ""),
    };
    let upper = base.trim_end().to_ascii_uppercase();
    if RESERVED.contains(&upper.as_str()) {
        format!("{}_{rest}", base.trim_end())
    } else {
        stem
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems() {
        assert_eq!(safe_file_stem("市科技局"), "市科技局");
        assert_eq!(
            safe_file_stem("a/b\\c:d*e?f\"g<h>i|j"),
            "a_b_c_d_e_f_g_h_i_j"
        );
        assert_eq!(safe_file_stem(".."), EMPTY_STEM);
        assert_eq!(safe_file_stem("../../etc/passwd"), "___etc_passwd");
        assert_eq!(safe_file_stem("  .hidden. "), "hidden");
        assert_eq!(safe_file_stem("con"), "con_");
        assert_eq!(safe_file_stem("NUL.txt"), "NUL_.txt");
        assert_eq!(safe_file_stem("COM1 "), "COM1_");
        assert_eq!(safe_file_stem("CONSOLE"), "CONSOLE");
        assert_eq!(safe_file_stem("a\u{202E}fdp.exe"), "afdp.exe");
        assert_eq!(safe_file_stem("tab\there\n"), "tab_here_");
        assert_eq!(safe_file_stem(""), EMPTY_STEM);
        assert_eq!(safe_file_stem("a..b"), "a_b");
        assert_eq!(
            safe_file_stem(&"局".repeat(300)).chars().count(),
            MAX_STEM_CHARS
        );
    }

    #[test]
    fn unique() {
        assert_eq!(
            unique_stems(&["a/b", "a:b", "A_B", "c"]),
            vec!["a_b", "a_b_2", "A_B_3", "c"]
        );
    }
}

/// The file stems of one run's notices, decided once before anything is rendered: the PDFs,
/// their emails and the manifest all use these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStems {
    /// The mayor's stem, then each leader's, in master order.
    pub people: Vec<String>,
    /// Each lead unit's stem, in master order.
    pub units: Vec<String>,
}

impl FileStems {
    /// Unique, safe stems for the master's mayor, leaders and units.
    pub fn of(master: &crate::model::Master) -> FileStems {
        let people: Vec<&str> = std::iter::once(master.mayor.name.as_str())
            .chain(master.leaders.iter().map(|l| l.name.as_str()))
            .collect();
        let units: Vec<&str> = master.units.iter().map(|u| u.name.as_str()).collect();
        FileStems {
            people: unique_stems(&people),
            units: unique_stems(&units),
        }
    }
}
