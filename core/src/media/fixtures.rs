//! Test images made at test time (no binary file is committed): a 12 MP camera JPEG with an
//! EXIF orientation and GPS position, smaller JPEG, PNG and WebP pictures, and the files the
//! pipeline must refuse (a truncated JPEG, a PNG decompression bomb, a HEIC header).

use std::io::{Cursor, Write};
use std::sync::OnceLock;

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageEncoder, ImageFormat, RgbImage};

/// A picture whose red rises left to right and green top to bottom, so every corner has its
/// own colour: top-left (0, 0, 64), top-right (255, 0, 64), bottom-left (0, 255, 64).
pub(crate) fn gradient(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        let r = (x * 255 / (width - 1).max(1)) as u8;
        let g = (y * 255 / (height - 1).max(1)) as u8;
        image::Rgb([r, g, 64])
    })
}

/// A JPEG of `pixels`, with `exif` (a TIFF block) in an APP1 segment when given.
pub(crate) fn jpeg(pixels: &RgbImage, exif: Option<Vec<u8>>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = JpegEncoder::new_with_quality(&mut out, 90);
    if let Some(exif) = exif {
        encoder.set_exif_metadata(exif).expect("JPEG carries EXIF");
    }
    encoder
        .write_image(
            pixels.as_raw(),
            pixels.width(),
            pixels.height(),
            image::ExtendedColorType::Rgb8,
        )
        .expect("encoding a picture in memory");
    out
}

/// A 4,000 × 3,000 camera JPEG stored sideways (EXIF orientation 6: turn 90° clockwise to
/// show) with a GPS position; made once per test run.
pub(crate) fn camera_jpeg() -> &'static [u8] {
    static JPEG: OnceLock<Vec<u8>> = OnceLock::new();
    JPEG.get_or_init(|| jpeg(&gradient(4000, 3000), Some(exif_with_gps(6))))
}

/// A PNG or WebP (lossless) of `pixels`.
pub(crate) fn encoded(pixels: &RgbImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(pixels.clone())
        .write_to(&mut out, format)
        .expect("encoding a picture in memory");
    out.into_inner()
}

/// The first half of a JPEG: what a copy cut short leaves.
pub(crate) fn truncated_jpeg() -> Vec<u8> {
    let whole = jpeg(&gradient(800, 600), None);
    whole[..whole.len() / 2].to_vec()
}

/// A few kilobytes of PNG whose header claims 30,000 × 30,000 pixels (2.7 GB decoded).
pub(crate) fn png_bomb() -> Vec<u8> {
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&30_000u32.to_be_bytes());
    ihdr.extend_from_slice(&30_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB, no interlace
    let mut zeros = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    zeros
        .write_all(&vec![0u8; 4 << 20])
        .expect("compressing in memory");
    let idat = zeros.finish().expect("compressing in memory");
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [
        (b"IHDR", &ihdr[..]),
        (b"IDAT", &idat[..]),
        (b"IEND", &[][..]),
    ] {
        png.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        png.extend_from_slice(kind);
        png.extend_from_slice(data);
        png.extend_from_slice(&crc.sum().to_be_bytes());
    }
    png
}

/// The start of an iPhone photo: an ISO media `ftyp` box of brand `heic`.
pub(crate) fn heic() -> Vec<u8> {
    let mut bytes = vec![0, 0, 0, 0x18];
    bytes.extend_from_slice(b"ftypheic\0\0\0\0mif1heic");
    bytes.extend_from_slice(&[0u8; 512]);
    bytes
}

/// A little-endian TIFF block as cameras write in EXIF: IFD0 with the orientation and a pointer
/// to a GPS IFD holding 31°13'N 121°28'E (Shanghai).
pub(crate) fn exif_with_gps(orientation: u16) -> Vec<u8> {
    let mut t = Vec::new();
    t.extend_from_slice(b"II*\0");
    t.extend_from_slice(&8u32.to_le_bytes());
    let entry = |t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]| {
        t.extend_from_slice(&tag.to_le_bytes());
        t.extend_from_slice(&kind.to_le_bytes());
        t.extend_from_slice(&count.to_le_bytes());
        t.extend_from_slice(&value);
    };
    const SHORT: u16 = 3;
    const LONG: u16 = 4;
    const ASCII: u16 = 2;
    const RATIONAL: u16 = 5;
    // IFD0 at 8: 2 entries (30 bytes); the GPS IFD at 38: 4 entries (54 bytes); the rationals
    // at 92 and 116.
    t.extend_from_slice(&2u16.to_le_bytes());
    let o = orientation.to_le_bytes();
    entry(&mut t, 0x0112, SHORT, 1, [o[0], o[1], 0, 0]);
    entry(&mut t, 0x8825, LONG, 1, 38u32.to_le_bytes());
    t.extend_from_slice(&0u32.to_le_bytes());
    t.extend_from_slice(&4u16.to_le_bytes());
    entry(&mut t, 0x0001, ASCII, 2, *b"N\0\0\0");
    entry(&mut t, 0x0002, RATIONAL, 3, 92u32.to_le_bytes());
    entry(&mut t, 0x0003, ASCII, 2, *b"E\0\0\0");
    entry(&mut t, 0x0004, RATIONAL, 3, 116u32.to_le_bytes());
    t.extend_from_slice(&0u32.to_le_bytes());
    for value in [31u32, 13, 0, 121, 28, 0] {
        t.extend_from_slice(&value.to_le_bytes());
        t.extend_from_slice(&1u32.to_le_bytes());
    }
    t
}
