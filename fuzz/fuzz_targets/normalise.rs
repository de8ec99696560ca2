//! Fuzz target: the cell normalisers on arbitrary strings.
//!
//! The first byte picks the report month's year offset (so year-boundary arithmetic is
//! exercised); the rest, as lossy UTF-8, goes to every normaliser.
#![no_main]

use duban::deadline::parse_deadline;
use duban::intake::normalise::{parse_date, parse_percent, parse_status, parse_task_number};
use duban::model::Month;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (first, rest) = match data.split_first() {
        Some((f, r)) => (*f, r),
        None => (0, data),
    };
    let text = String::from_utf8_lossy(rest);
    let month = Month {
        year: 1990 + i32::from(first / 12),
        month: u32::from(first % 12) + 1,
    };
    let _ = parse_task_number(&text);
    let _ = parse_percent(&text);
    let _ = parse_status(&text);
    if let Some(d) = parse_date(&text, month) {
        assert!(d.to_string().len() >= 10);
    }
    let _ = parse_deadline(&text, month.year);
    let _ = duban::units::normalise(&text);
});
