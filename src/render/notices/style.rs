//! The notices' typography: the sizes, pitches and colours of the mock-ups and the text styles
//! built from them.

use crate::model::Light;
use duban_pdf::{Color, FontRole, Style};

/// Body text size (三号).
pub const BODY_SIZE: f32 = 16.0;
/// Body tracking: 28 characters on the 156 mm line.
pub const TRACKING: f32 = -0.21;
/// Body line pitch: 22 lines in the 225 mm text block.
pub const PITCH: f32 = 28.99;
/// One character pitch of body text.
pub const CHAR: f32 = BODY_SIZE + TRACKING;
/// Table text size (五号).
pub const CELL_SIZE: f32 = 10.5;
/// The red of the 版头 (and of red lights).
pub const RED: Color = Color::hex(0xE60012);
/// Fill of the grey group rows.
pub const GROUP_FILL: Color = Color::hex(0xE8E8E8);

/// Body text style.
pub fn body() -> Style {
    Style::new(FontRole::Body, BODY_SIZE).tracking(TRACKING)
}

/// Table cell text style.
pub fn cell_style() -> Style {
    Style::new(FontRole::Body, CELL_SIZE)
}

/// Table header and group-row style (bold sans).
pub fn head_style() -> Style {
    Style::new(FontRole::Heading, CELL_SIZE)
}

/// The colour of a light.
pub fn light_color(light: Light) -> Color {
    Color::hex(light.rgb())
}

/// Size of the history lines under a status (小五).
pub const HISTORY_SIZE: f32 = 9.0;
