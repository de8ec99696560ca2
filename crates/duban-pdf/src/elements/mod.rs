//! Elements: what a document says, before layout — styled spans, paragraphs, tables, charts,
//! images, the page setup and the metadata. Documents build these values and hand them to
//! [`layout()`](crate::layout()); nothing here knows where a line ends or a page breaks.

mod chart;
mod content;
mod image;

pub use chart::{BarChart, Series};
pub use content::*;
pub use image::{Image, ImageError, PlacedImage};
