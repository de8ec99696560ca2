//! The console's one progress bar, shared by the commands that show one (`run`, `send`): an
//! indicatif bar on a terminal, nothing on a pipe (where the commands print plain lines).

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;

/// The bar currently shown, if any.
pub struct Bar {
    slot: Mutex<Option<ProgressBar>>,
    /// stderr is a terminal (bars are drawn only then).
    pub tty: bool,
}

impl Bar {
    pub fn new() -> Bar {
        Bar {
            slot: Mutex::new(None),
            tty: std::io::stderr().is_terminal(),
        }
    }

    /// Shows a bar of `total` steps (a spinner when `None`) drawn with `template`.
    pub fn start(&self, total: Option<u64>, template: &str, message: &str) {
        let bar = match total {
            Some(n) => ProgressBar::new(n).with_style(
                ProgressStyle::with_template(template)
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            ),
            None => ProgressBar::new_spinner(),
        };
        bar.set_message(message.to_string());
        bar.enable_steady_tick(Duration::from_millis(100));
        if let Ok(mut slot) = self.slot.lock() {
            *slot = Some(bar);
        }
    }

    /// Runs `f` on the bar, when one is shown.
    pub fn with(&self, f: impl FnOnce(&ProgressBar)) {
        if let Ok(slot) = self.slot.lock()
            && let Some(bar) = slot.as_ref()
        {
            f(bar);
        }
    }

    /// A line above the bar (or on stderr when none is shown).
    pub fn line(&self, text: &str) {
        match self.slot.lock().ok().as_ref().and_then(|b| b.as_ref()) {
            Some(bar) => bar.println(text),
            None => eprintln!("{text}"),
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Ok(mut slot) = self.slot.lock()
            && let Some(bar) = slot.take()
        {
            bar.finish_and_clear();
        }
    }
}

/// One line per message of a receipt or reminder batch, headed by `labels` (delivered, not
/// delivered, 状态不明): the unit, its address and, when not delivered, the server's words.
pub fn print_deliveries(report: &duban::mail::SendReport, labels: [&str; 3]) {
    let [sent, failed, unknown] = labels;
    for d in &report.sent {
        println!("  ✓ {sent} {}（{}）", d.unit, d.address);
    }
    for d in &report.failed {
        println!("  ✗ {failed} {}（{}）：{}", d.unit, d.address, d.reply);
    }
    for d in &report.unknown {
        println!(
            "  ? {unknown} {}（{}）：{}（不会自动重发，请向该单位核实）",
            d.unit, d.address, d.reply
        );
    }
}

/// `text` safe to print on a terminal: control characters (an escape sequence in a file name
/// could clear the screen or rewrite what is shown) and invisible bidi marks are written as
/// `\u{1b}`; line breaks and tabs stay.
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let bidi = matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{061C}');
        if (c.is_control() && c != '\n' && c != '\t') || bidi {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn control_characters_are_escaped_line_breaks_kept() {
        assert_eq!(
            super::printable("a\u{1b}[2Jb\u{202E}c\n\td\r"),
            "a\\u{1b}[2Jb\\u{202e}c\n\td\\u{d}"
        );
        assert_eq!(super::printable("市科技局.xlsx"), "市科技局.xlsx");
    }
}
