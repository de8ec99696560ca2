//! The months side by side as data: each task's [`Point`] per month and the city's [`Counts`](super::Counts)
//! per month, in one [`Trend`]. Built and read by `trend` (its methods live there); carried by
//! the [`super::MonthReport`] to the renderers.

use super::{Counts, Light, Month, Status};
use std::collections::BTreeMap;

/// One task in one month.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// 完成进度 (`None`: not reported that month).
    pub percent: Option<f64>,
    pub status: Option<Status>,
    pub light: Option<Light>,
}

/// Consecutive months from the first on record to the last, with what each holds.
#[derive(Debug, Clone, Default)]
pub struct Trend {
    /// Every month from the first on record to the last, oldest first.
    pub months: Vec<Month>,
    /// Per month: on record (`Some`) or missing (`None`: no usable archive).
    pub totals: Vec<Option<Counts>>,
    /// Task number → one entry per month (`None`: month missing or task absent that month).
    pub tasks: BTreeMap<u32, Vec<Option<Point>>>,
}
