//! From an image file the user picked to the two JPEGs that are stored and shared: the photo
//! (longest edge [`MediaConfig::max_edge_px`]) and its thumbnail, each named by the SHA-256 of
//! its bytes.
//!
//! Owns decoding under limits, orientation, resizing, encoding and hashing; must not touch the
//! database or the media folder (the caller stores what this returns), and runs before any write
//! transaction because it takes tens of milliseconds.
//!
//! - **Refusing early.** The file's size is checked before it is read, its format by its first
//!   bytes (HEIC and AVIF are named so the app knows to hand over JPEG), and its dimensions from
//!   the header under [`image::Limits`], so a decompression bomb fails before its pixels are
//!   allocated.
//! - **Metadata stripped.** The outputs are encoded from pixels alone: EXIF (GPS, device,
//!   owner), XMP and ICC blocks of the input never reach them. The EXIF orientation is applied
//!   to the pixels first, so the picture stays upright without it.
//! - **Shrink, then turn.** The picture is resized in the orientation it was stored in and the
//!   small result turned, which moves a tenth of the pixels a turn of the full picture would.
//! - Resizing is `fast_image_resize` (SIMD convolution, Lanczos3); encoding is `image`'s JPEG
//!   encoder.

pub use crate::protocol::media::{content_hash, is_content_hash};
use std::fs::File;
use std::io::{Cursor, Read};
use std::path::Path;

use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::codecs::jpeg::JpegEncoder;
use image::error::{ImageError, LimitErrorKind};
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbImage};

use crate::error::{Error, MediaError, Result};
use crate::media::config::MediaConfig;
use crate::media::watermark::{self, Stamp};

/// One encoded JPEG and its content address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded {
    /// SHA-256 of `bytes`, 64 lowercase hex digits.
    pub hash: String,
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// The photo and its thumbnail made from one input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shrunk {
    pub image: Encoded,
    pub thumbnail: Encoded,
}

/// Decodes the JPEG, PNG or WebP at `path`, turns it upright, shrinks it and its thumbnail, and
/// encodes both without metadata.
pub fn shrink(path: &Path, config: &MediaConfig) -> Result<Shrunk> {
    shrink_stamped(path, config, None)
}

/// [`shrink`], with `stamp` burned into the shrunk image's corner before its thumbnail is made
/// from it (see [`super::watermark`]).
pub fn shrink_stamped(path: &Path, config: &MediaConfig, stamp: Option<&Stamp>) -> Result<Shrunk> {
    let (pixels, orientation) = decode(path, config)?;
    let image = fit(&pixels, config.max_edge_px)?;
    drop(pixels);
    let mut image = DynamicImage::ImageRgb8(image);
    image.apply_orientation(orientation);
    let mut image = image.into_rgb8();
    if let Some(stamp) = stamp {
        watermark::burn(&mut image, stamp);
    }
    let thumbnail = fit(&image, config.thumbnail_edge_px)?;
    Ok(Shrunk {
        image: encode(&image, config.jpeg_quality)?,
        thumbnail: encode(&thumbnail, config.jpeg_quality)?,
    })
}

/// The width and height an encoded image's header gives (downloaded media is our own JPEG).
pub(crate) fn dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .ok()?
        .into_dimensions()
        .ok()
}

/// The pixels of the file at `path` as RGB, and the orientation its metadata asks for.
fn decode(path: &Path, config: &MediaConfig) -> Result<(RgbImage, Orientation)> {
    let file = File::open(path)?;
    let size = file.metadata()?.len();
    if size > config.max_input_bytes {
        return Err(MediaError::TooLarge {
            reason: format!(
                "the file is {size} bytes, more than {} accepted",
                config.max_input_bytes
            ),
        }
        .into());
    }
    // Read whole: the JPEG decoder holds the whole file anyway, and the checks below need it.
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(config.max_input_bytes).read_to_end(&mut bytes)?;
    let format = accepted_format(&bytes)?;
    if format == ImageFormat::Jpeg && !jpeg_is_complete(&bytes) {
        return Err(MediaError::Unreadable {
            reason: "the JPEG ends before its last scan does".into(),
        }
        .into());
    }

    let mut limits = Limits::default();
    limits.max_image_width = Some(config.max_input_edge_px);
    limits.max_image_height = Some(config.max_input_edge_px);
    limits.max_alloc = Some(config.max_decode_bytes);
    let mut reader = ImageReader::with_format(Cursor::new(&bytes[..]), format);
    reader.limits(limits.clone());
    let mut decoder = reader.into_decoder().map_err(refusal)?;
    // Checked here too: not every decoder applies the limits before reading the header.
    let (width, height) = decoder.dimensions();
    limits.check_dimensions(width, height).map_err(refusal)?;
    limits.reserve(decoder.total_bytes()).map_err(refusal)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let pixels = DynamicImage::from_decoder(decoder).map_err(refusal)?;
    Ok((pixels.into_rgb8(), orientation))
}

/// Whether a JPEG's last scan is followed by its end marker. The decoder fills a picture cut
/// short with grey instead of failing; a copy cut short lacks the end marker after its last
/// scan. (In entropy-coded data a marker byte `FF` is only ever followed by `00` or a restart
/// marker, so `FF DA` and `FF D9` there are real markers; an EXIF thumbnail's markers come before
/// the main picture's scans, and pictures appended after the main one end with their own.)
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let last_scan = bytes.windows(2).rposition(|w| w == [0xFF, 0xDA]);
    match last_scan {
        Some(at) => bytes[at..].windows(2).any(|w| w == [0xFF, 0xD9]),
        None => false,
    }
}

/// The format named by the file's first bytes, if it is one the core accepts.
fn accepted_format(head: &[u8]) -> Result<ImageFormat> {
    match image::guess_format(head) {
        Ok(format @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)) => Ok(format),
        Ok(other) => Err(unsupported(
            other.extensions_str().first().copied().unwrap_or("unknown"),
        )),
        Err(_) => Err(unsupported(iso_brand(head).unwrap_or("unknown"))),
    }
}

/// The family of an ISO media file (`....ftypheic`): HEIC/HEIF and AVIF, what phone cameras
/// shoot when not asked for JPEG.
fn iso_brand(head: &[u8]) -> Option<&'static str> {
    if head.get(4..8) != Some(b"ftyp") {
        return None;
    }
    match head.get(8..12)? {
        b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" => Some("heic"),
        b"mif1" | b"msf1" => Some("heif"),
        b"avif" | b"avis" => Some("avif"),
        _ => Some("iso media"),
    }
}

fn unsupported(format: &str) -> Error {
    MediaError::UnsupportedFormat {
        format: format.to_string(),
    }
    .into()
}

/// An `image` failure as the core's refusal.
fn refusal(e: ImageError) -> Error {
    let reason = e.to_string();
    match e {
        ImageError::Limits(limit) => match limit.kind() {
            LimitErrorKind::DimensionError | LimitErrorKind::InsufficientMemory => {
                MediaError::TooLarge { reason }.into()
            }
            _ => MediaError::Unreadable { reason }.into(),
        },
        ImageError::Unsupported(_) => unsupported("unsupported"),
        ImageError::IoError(io) if io.kind() != std::io::ErrorKind::UnexpectedEof => Error::Io(io),
        _ => MediaError::Unreadable { reason }.into(),
    }
}

/// `pixels` shrunk so its longest edge is at most `edge` (never enlarged).
fn fit(pixels: &RgbImage, edge: u32) -> Result<RgbImage> {
    let (width, height) = pixels.dimensions();
    let longest = width.max(height);
    if longest <= edge {
        return Ok(pixels.clone());
    }
    let scale = |side: u32| {
        ((u64::from(side) * u64::from(edge) + u64::from(longest) / 2) / u64::from(longest)).max(1)
            as u32
    };
    let mut out = RgbImage::new(scale(width), scale(height));
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    Resizer::new()
        .resize(pixels, &mut out, &options)
        .map_err(|e| MediaError::Unreadable {
            reason: e.to_string(),
        })?;
    Ok(out)
}

/// `pixels` as a baseline JPEG with no metadata segment.
fn encode(pixels: &RgbImage, quality: u8) -> Result<Encoded> {
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(&mut bytes, quality.clamp(1, 100))
        .encode_image(pixels)
        .map_err(|e| MediaError::Unreadable {
            reason: e.to_string(),
        })?;
    Ok(Encoded {
        hash: content_hash(&bytes),
        width: pixels.width(),
        height: pixels.height(),
        bytes,
    })
}
