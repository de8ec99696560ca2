//! A stacked column chart as a document describes it: categories, series and values. How it is
//! drawn is the layout's business (`layout::chart`).

use super::content::{Color, Style};

/// A series of a stacked column chart: its legend name, fill and the colour of its values.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend name.
    pub name: String,
    /// Segment fill.
    pub fill: Color,
    /// Colour of the value printed inside a segment.
    pub label: Color,
}

/// A stacked column chart.
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    /// Height of the plot area in points (legend and labels come on top of it).
    pub plot_height: f32,
    /// Width of the chart in points (`None`: the text width).
    pub width: Option<f32>,
    /// Category labels, one per column, under the axis.
    pub categories: Vec<String>,
    /// The series, bottom of the stack first.
    pub series: Vec<Series>,
    /// `values[category][series]`; a category without data (`None`) leaves its place empty
    /// and prints `note_missing` there.
    pub values: Vec<Option<Vec<f32>>>,
    /// Text style of labels (size, face, colour of axis text).
    pub style: Style,
    /// Name of the value axis, printed above it (`项`).
    pub axis_name: String,
    /// Printed in the place of a category without data.
    pub note_missing: String,
}
