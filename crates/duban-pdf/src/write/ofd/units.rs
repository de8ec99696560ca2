//! The OFD's number encoding: points as millimetres, numbers in thousandths (at most three
//! decimals, no trailing zeros), colours, and `DeltaX` compression.

use crate::elements::Color;
use std::fmt::Write as _;

/// Millimetres per point.
pub(super) const MM_PER_PT: f32 = 25.4 / 72.0;

/// Points shown as millimetres: at most three decimals, no trailing zeros.
#[derive(Debug, Clone, Copy)]
pub(super) struct Mm(f32);

impl std::fmt::Display for Mm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        Milli::of(self.0 * MM_PER_PT).fmt(f)
    }
}

pub(super) fn mm(pt: f32) -> Mm {
    Mm(pt)
}

/// A number in thousandths, shown with at most three decimals and no trailing zeros (written
/// straight into the output: the content of a page has thousands of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Milli(i64);

impl Milli {
    pub(super) fn of(v: f32) -> Milli {
        Milli((f64::from(v) * 1000.0).round() as i64)
    }
}

impl std::fmt::Display for Milli {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Digits into a stack buffer, right to left: `-`, the integer part, `.`, up to three
        // decimals without trailing zeros.
        let mut buf = [0u8; 24];
        let mut at = buf.len();
        let a = self.0.unsigned_abs();
        let mut frac = a % 1000;
        if frac != 0 {
            let mut digits = 3;
            while frac.is_multiple_of(10) {
                frac /= 10;
                digits -= 1;
            }
            for _ in 0..digits {
                at -= 1;
                buf[at] = b'0' + (frac % 10) as u8;
                frac /= 10;
            }
            at -= 1;
            buf[at] = b'.';
        }
        let mut int = a / 1000;
        loop {
            at -= 1;
            buf[at] = b'0' + (int % 10) as u8;
            int /= 10;
            if int == 0 {
                break;
            }
        }
        if self.0 < 0 {
            at -= 1;
            buf[at] = b'-';
        }
        f.write_str(std::str::from_utf8(&buf[at..]).map_err(|_| std::fmt::Error)?)
    }
}

pub(super) fn num(v: f32) -> Milli {
    Milli::of(v)
}

pub(super) fn color(c: Color) -> String {
    format!("{} {} {}", c.r, c.g, c.b)
}

/// `DeltaX` with repeats written as `g N value` (GB/T 33190 §11.3).
pub(super) fn compress(out: &mut String, deltas: &[Milli]) {
    let mut i = 0;
    while i < deltas.len() {
        let mut j = i + 1;
        while j < deltas.len() && deltas[j] == deltas[i] {
            j += 1;
        }
        if i > 0 {
            out.push(' ');
        }
        if j - i > 1 {
            let _ = write!(out, "g {} {}", j - i, deltas[i]);
        } else {
            let _ = write!(out, "{}", deltas[i]);
        }
        i = j;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_deltas() {
        assert_eq!(num(1.0).to_string(), "1");
        assert_eq!(num(0.35278).to_string(), "0.353");
        assert_eq!(num(0.05).to_string(), "0.05");
        assert_eq!(num(-0.0001).to_string(), "0");
        assert_eq!(num(-2.5).to_string(), "-2.5");
        assert_eq!(num(12.007).to_string(), "12.007");
        assert_eq!(mm(595.276).to_string(), "210");
        let d: Vec<Milli> = [5.6, 5.6, 5.6, 2.0, 5.6].map(num).to_vec();
        let mut out = String::new();
        compress(&mut out, &d);
        assert_eq!(out, "g 3 5.6 2 5.6");
    }
}
