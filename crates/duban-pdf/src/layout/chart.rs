//! Laying out a stacked column chart ([`BarChart`]), drawn with the page's own vectors (fills, rules, text): one column
//! per category with its segments stacked bottom-up, a legend above, a value axis with
//! gridlines on the left, category labels below, and the value of each segment inside it when
//! it is tall enough. It is one unbreakable block.

use super::text::{MissingGlyph, break_lines, measure};
use super::{FillRect, Item, Origin, StrokeLine, place_line};
use crate::elements::{Align, BarChart, Color, Span, Style};
use crate::fonts::FontSet;

/// Colour of gridlines and axis ticks.
const GRID: Color = Color::hex(0xBFBFBF);
/// Colour of the axis line.
const AXIS: Color = Color::hex(0x404040);

/// The largest axis value and step: 1, 2, 2.5 or 5 × 10ⁿ, four to six steps.
pub fn nice_scale(max: f32) -> (f32, f32) {
    if max <= 0.0 || !max.is_finite() {
        return (5.0, 1.0);
    }
    let raw = max / 5.0;
    let mag = 10f32.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| s * 5.0 >= max)
        .unwrap_or(10.0 * mag);
    let step = step.max(1.0);
    ((max / step).ceil() * step, step)
}

/// Lays the chart out at `x0` in `text_width`: the items (y from the chart's top) and height.
pub(crate) fn layout_chart(
    chart: &BarChart,
    x0: f32,
    text_width: f32,
    fonts: &FontSet,
    missing: &mut Vec<MissingGlyph>,
    origin: Origin,
) -> (Vec<Item>, f32) {
    let size = chart.style.size;
    let pitch = size * 1.4;
    let width = chart.width.unwrap_or(text_width).min(text_width);
    let x0 = x0 + (text_width - width) / 2.0;
    let mut items = Vec::new();
    let mut text =
        |items: &mut Vec<Item>, s: &str, style: Style, x: f32, top: f32, align: Align| {
            let lines = break_lines(
                &[Span::text(s, style)],
                fonts,
                10_000.0,
                10_000.0,
                Align::Left,
                missing,
            );
            if let Some(line) = lines.into_iter().next() {
                let w = line.width;
                let left = match align {
                    Align::Center => x - w / 2.0,
                    Align::Right => x - w,
                    _ => x,
                };
                items.push(Item::Text(place_line(
                    line, left, top, pitch, style.size, origin,
                )));
            }
        };
    let measure = |s: &str, style: Style| -> f32 { measure(&[Span::text(s, style)], fonts) };

    // legend: a square and the name per series, centred on one line
    let swatch = size * 0.8;
    let gap = size * 0.35;
    let spacing = size * 1.4;
    let widths: Vec<f32> = chart
        .series
        .iter()
        .map(|s| swatch + gap + measure(&s.name, chart.style))
        .collect();
    let legend_width: f32 =
        widths.iter().sum::<f32>() + spacing * widths.len().saturating_sub(1) as f32;
    let mut x = x0 + (width - legend_width) / 2.0;
    for (s, w) in chart.series.iter().zip(&widths) {
        items.push(Item::Fill(FillRect {
            x,
            y: (pitch - swatch) / 2.0,
            width: swatch,
            height: swatch,
            color: s.fill,
        }));
        text(
            &mut items,
            &s.name,
            chart.style,
            x + swatch + gap,
            0.0,
            Align::Left,
        );
        x += w + spacing;
    }

    // value axis
    let totals: Vec<f32> = chart
        .values
        .iter()
        .map(|v| v.as_ref().map_or(0.0, |v| v.iter().sum()))
        .collect();
    let (max, step) = nice_scale(totals.iter().copied().fold(0.0, f32::max));
    let axis_top = pitch * 2.2;
    let plot_top = axis_top + pitch * 0.6;
    let plot_bottom = plot_top + chart.plot_height;
    let label_width = measure(&format_value(max), chart.style).max(measure("0", chart.style));
    let axis_x = x0 + label_width + size * 0.6;
    let plot_right = x0 + width;
    let y_of = |v: f32| plot_bottom - (v / max) * chart.plot_height;
    text(
        &mut items,
        &chart.axis_name,
        chart.style,
        axis_x,
        axis_top - pitch,
        Align::Center,
    );
    let steps = (max / step).round() as usize;
    for i in 0..=steps {
        let v = step * i as f32;
        let y = y_of(v);
        if i > 0 {
            items.push(Item::Stroke(StrokeLine {
                x1: axis_x,
                y1: y,
                x2: plot_right,
                y2: y,
                thickness: 0.4,
                color: GRID,
            }));
        }
        text(
            &mut items,
            &format_value(v),
            chart.style,
            axis_x - size * 0.4,
            y - pitch / 2.0,
            Align::Right,
        );
    }

    // columns
    let n = chart.categories.len().max(1);
    let band = (plot_right - axis_x) / n as f32;
    let bar = (band * 0.56).min(size * 5.0);
    for (i, category) in chart.categories.iter().enumerate() {
        let center = axis_x + band * (i as f32 + 0.5);
        let left = center - bar / 2.0;
        match chart.values.get(i).and_then(|v| v.as_ref()) {
            Some(values) => {
                let mut base = 0.0;
                for (value, series) in values.iter().zip(&chart.series) {
                    if *value <= 0.0 {
                        continue;
                    }
                    let top = y_of(base + value);
                    let bottom = y_of(base);
                    items.push(Item::Fill(FillRect {
                        x: left,
                        y: top,
                        width: bar,
                        height: bottom - top,
                        color: series.fill,
                    }));
                    if bottom - top >= size * 1.15 {
                        text(
                            &mut items,
                            &format_value(*value),
                            chart.style.color(series.label),
                            center,
                            (top + bottom) / 2.0 - pitch / 2.0,
                            Align::Center,
                        );
                    }
                    base += value;
                }
            }
            None => text(
                &mut items,
                &chart.note_missing,
                chart.style.color(AXIS),
                center,
                plot_bottom - pitch * 1.2,
                Align::Center,
            ),
        }
        text(
            &mut items,
            category,
            chart.style,
            center,
            plot_bottom + size * 0.3,
            Align::Center,
        );
    }
    // axis lines last, over the columns' feet
    items.push(Item::Stroke(StrokeLine {
        x1: axis_x,
        y1: plot_bottom,
        x2: plot_right,
        y2: plot_bottom,
        thickness: 0.75,
        color: AXIS,
    }));
    items.push(Item::Stroke(StrokeLine {
        x1: axis_x,
        y1: plot_top - pitch * 0.3,
        x2: axis_x,
        y2: plot_bottom,
        thickness: 0.75,
        color: AXIS,
    }));
    (items, plot_bottom + size * 0.3 + pitch)
}

/// `12`, `2.5`.
fn format_value(v: f32) -> String {
    if (v - v.round()).abs() < 0.05 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_are_round() {
        assert_eq!(nice_scale(189.0), (200.0, 50.0));
        assert_eq!(nice_scale(48.0), (50.0, 10.0));
        assert_eq!(nice_scale(7.0), (8.0, 2.0));
        assert_eq!(nice_scale(0.0), (5.0, 1.0));
        assert_eq!(nice_scale(3.0), (3.0, 1.0));
        assert_eq!(format_value(2.5), "2.5");
        assert_eq!(format_value(40.0), "40");
    }
}
