//! Raster images as a page element: a PNG decoded once into 8-bit RGB and alpha planes, kept
//! with its original file for the OFD package (which stores PNG as it is).
//!
//! The engine knows nothing of what an image shows; the application places it with
//! [`Page::place_image`](crate::Page::place_image) after layout (an image drawn over text, like a seal over a
//! sign-off, is not part of the flow).

use sha2::{Digest, Sha256};
use std::sync::Arc;

/// A decoded raster image.
#[derive(Clone, PartialEq, Eq)]
pub struct Image {
    /// Pixels across.
    pub width: u32,
    /// Pixels down.
    pub height: u32,
    /// 8-bit RGB, row by row, `width × height × 3` bytes.
    pub rgb: Vec<u8>,
    /// 8-bit alpha, `width × height` bytes; `None` when the image is opaque.
    pub alpha: Option<Vec<u8>>,
    /// The PNG file it was decoded from.
    pub png: Vec<u8>,
    /// SHA-256 of the PNG file (names the image's resources, deterministically).
    pub digest: [u8; 32],
    /// `rgb` and `alpha` deflated for the PDF, once for every document that shows the image.
    pub(crate) packed: PackedPlanes,
}

/// An image's planes as zlib streams (`None`: stored as they are).
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct PackedPlanes {
    pub rgb: Option<Vec<u8>>,
    pub alpha: Option<Vec<u8>>,
}

impl std::fmt::Debug for Image {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Image")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("alpha", &self.alpha.is_some())
            .finish()
    }
}

/// A file that is not a PNG the engine can draw.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    /// Not a PNG file at all (by its signature).
    #[error("不是 PNG 图片（文件开头不是 PNG 标识）")]
    NotPng,
    /// A PNG that cannot be decoded.
    #[error("PNG 图片无法解码（文件可能已损坏）：{0}")]
    Damaged(String),
    /// A PNG without pixels, or one too large to hold.
    #[error("PNG 图片尺寸不可用：{width}×{height} 像素")]
    Size {
        /// Pixels across.
        width: u32,
        /// Pixels down.
        height: u32,
    },
}

/// Largest image accepted, in pixels (a 42 mm seal at 600 dpi is about 1000 × 1000).
const MAX_PIXELS: u64 = 64 * 1024 * 1024;

impl Image {
    /// Decodes a PNG of any colour type and bit depth (palette, grey, RGB, with or without
    /// alpha or a `tRNS` chunk, 16-bit) into 8-bit RGB and alpha.
    ///
    /// # Examples
    ///
    /// ```
    /// # let png = std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../input/seal/样章.png"))?;
    /// let seal = duban_pdf::Image::from_png(&png)?;
    /// assert!(seal.alpha.is_some() && seal.width > 100);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ImageError`] when the bytes are not a PNG, cannot be decoded, or hold no pixels.
    pub fn from_png(bytes: &[u8]) -> Result<Image, ImageError> {
        if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            return Err(ImageError::NotPng);
        }
        let damaged = |e: png::DecodingError| ImageError::Damaged(e.to_string());
        let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
        let mut reader = decoder.read_info().map_err(damaged)?;
        let (width, height) = (reader.info().width, reader.info().height);
        let pixels = u64::from(width) * u64::from(height);
        if pixels == 0 || pixels > MAX_PIXELS {
            return Err(ImageError::Size { width, height });
        }
        let size = reader
            .output_buffer_size()
            .ok_or(ImageError::Size { width, height })?;
        let mut buf = vec![0; size];
        let frame = reader.next_frame(&mut buf).map_err(damaged)?;
        let n = pixels as usize;
        let data = &buf[..frame.buffer_size()];
        let (rgb, alpha) = match frame.color_type {
            png::ColorType::Rgba => (
                data.chunks_exact(4)
                    .flat_map(|p| [p[0], p[1], p[2]])
                    .collect(),
                Some(data.chunks_exact(4).map(|p| p[3]).collect()),
            ),
            png::ColorType::Rgb => (data.to_vec(), None),
            png::ColorType::GrayscaleAlpha => (
                data.chunks_exact(2)
                    .flat_map(|p| [p[0], p[0], p[0]])
                    .collect(),
                Some(data.chunks_exact(2).map(|p| p[1]).collect()),
            ),
            png::ColorType::Grayscale => (data.iter().flat_map(|g| [*g, *g, *g]).collect(), None),
            png::ColorType::Indexed => {
                return Err(ImageError::Damaged("调色板未能展开".to_string()));
            }
        };
        let rgb: Vec<u8> = rgb;
        if rgb.len() != n * 3 {
            return Err(ImageError::Size { width, height });
        }
        // A fully opaque alpha plane is no alpha at all.
        let alpha = alpha.filter(|a: &Vec<u8>| a.iter().any(|v| *v != 255));
        let mut rgb = rgb;
        if let Some(alpha) = &alpha {
            fill_invisible(&mut rgb, alpha);
        }
        let packed = PackedPlanes {
            rgb: crate::deflate::zlib(&rgb),
            alpha: alpha.as_deref().and_then(crate::deflate::zlib),
        };
        Ok(Image {
            packed,
            width,
            height,
            rgb,
            alpha,
            png: bytes.to_vec(),
            digest: Sha256::digest(bytes).into(),
        })
    }
}

/// Gives every fully transparent pixel the colour of the pixel before it: invisible either
/// way, and runs of one colour deflate to almost nothing (the background of a seal scan).
fn fill_invisible(rgb: &mut [u8], alpha: &[u8]) {
    let mut last = [0u8; 3];
    for (pixel, a) in rgb.chunks_exact_mut(3).zip(alpha) {
        if *a == 0 {
            pixel.copy_from_slice(&last);
        } else {
            last = [pixel[0], pixel[1], pixel[2]];
        }
    }
}

/// An image placed on a page.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedImage {
    /// Left, points from the left page edge.
    pub x: f32,
    /// Top, points from the top page edge.
    pub y: f32,
    /// Width, points.
    pub width: f32,
    /// Height, points.
    pub height: f32,
    /// The image.
    pub image: Arc<Image>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(width: u32, height: u32, color: png::ColorType, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(color);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().expect("header");
        writer.write_image_data(data).expect("data");
        writer.finish().expect("finish");
        out
    }

    #[test]
    fn rgba_grey_and_opaque_pngs_become_rgb_and_alpha_planes() {
        let rgba = encode(2, 1, png::ColorType::Rgba, &[200, 0, 10, 128, 1, 2, 3, 0]);
        let image = Image::from_png(&rgba).expect("decodes");
        assert_eq!((image.width, image.height), (2, 1));
        // the invisible pixel takes its neighbour's colour
        assert_eq!(image.rgb, vec![200, 0, 10, 200, 0, 10]);
        assert_eq!(image.alpha, Some(vec![128, 0]));

        let grey_alpha = encode(1, 1, png::ColorType::GrayscaleAlpha, &[50, 7]);
        let image = Image::from_png(&grey_alpha).expect("decodes");
        assert_eq!(image.rgb, vec![50, 50, 50]);
        assert_eq!(image.alpha, Some(vec![7]));

        // An alpha plane that is all 255 is dropped: no soft mask for an opaque image.
        let opaque = encode(1, 1, png::ColorType::Rgba, &[1, 2, 3, 255]);
        assert_eq!(Image::from_png(&opaque).expect("decodes").alpha, None);
        let rgb = encode(1, 1, png::ColorType::Rgb, &[9, 8, 7]);
        assert_eq!(Image::from_png(&rgb).expect("decodes").rgb, vec![9, 8, 7]);
    }

    #[test]
    fn the_shipped_sample_seal_is_red_on_transparent() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../input/seal/样章.png");
        let image = Image::from_png(&std::fs::read(path).expect("sample seal")).expect("decodes");
        let alpha = image.alpha.as_ref().expect("transparent background");
        assert_eq!(alpha[0], 0, "corner is transparent");
        let inked: Vec<usize> = (0..alpha.len()).filter(|i| alpha[*i] > 128).collect();
        assert!(inked.len() > 10_000);
        assert!(
            inked
                .iter()
                .all(|i| image.rgb[3 * i] > 150 && image.rgb[3 * i + 1] < 60)
        );
    }

    #[test]
    fn files_that_are_not_usable_pngs_are_told_apart() {
        assert_eq!(
            Image::from_png(b"GIF89a...").unwrap_err(),
            ImageError::NotPng
        );
        let rgba = encode(4, 4, png::ColorType::Rgba, &[0; 64]);
        let cut = &rgba[..rgba.len() - 20];
        assert!(matches!(Image::from_png(cut), Err(ImageError::Damaged(_))));
    }
}
