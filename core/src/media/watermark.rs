//! The watermark a tenant may ask for: when and where a visit photo was taken, burned into its
//! bottom-right corner as light text on a dark translucent box, so it reads on any picture.
//!
//! Owns the text ([`Stamp`]: the local time in the tenant's UTC offset, the check-in position
//! as `N 31.23040 E 121.47370`), the glyphs and the drawing; must not decide whether a photo is
//! stamped (the tenant's setting, read by the media area) nor touch files or the database.
//!
//! It is burned into the 1,920 px image before the thumbnail is made from it, so the stored
//! photo, what the manager opens and the list's thumbnail all carry it and no copy without it
//! is kept or shared. (On a 320 px thumbnail the text is a few pixels tall: it marks the photo
//! as stamped rather than being read there.)
//!
//! The font is ours, a 5 × 7 bitmap of the few characters a stamp writes (`glyphs.txt`, read
//! once). No font crate fits: they rasterise outline fonts that would have to be shipped (and
//! licensed) for fourteen characters, and an outline renders worse than a bitmap at the scale
//! a watermark uses.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{DateTime, FixedOffset, Utc};
use image::{Rgb, RgbImage};

/// Glyph cells, across and down.
const GLYPH_W: u32 = 5;
const GLYPH_H: u32 = 7;
/// Cells from one character to the next, and from one line to the next.
const ADVANCE: u32 = GLYPH_W + 1;
const LINE: u32 = GLYPH_H + 3;
/// Cells of dark box around the text.
const PAD: u32 = 3;
/// The text colour, and how much of the picture shows through the box (out of 256).
const INK: Rgb<u8> = Rgb([245, 245, 245]);
const SHOW_THROUGH: u16 = 90;

/// The lines a watermark writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    lines: Vec<String>,
}

impl Stamp {
    /// The stamp of a photo taken at `at`, written in the local time `utc_offset_minutes` east
    /// of UTC, with the position (`lat`, `lon`, degrees) when there is one.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use fieldsales_core::media::watermark::Stamp;
    /// let at = Utc.with_ymd_and_hms(2026, 3, 2, 1, 5, 0).unwrap();
    /// let stamp = Stamp::new(at, 480, Some((31.2304, 121.4737)));
    /// assert_eq!(stamp.lines(), ["2026-03-02 09:05 +08:00", "N 31.23040 E 121.47370"]);
    /// ```
    pub fn new(at: DateTime<Utc>, utc_offset_minutes: i32, position: Option<(f64, f64)>) -> Stamp {
        // An offset out of range (±24 h) falls back to UTC rather than failing the attach.
        let zone = FixedOffset::east_opt(utc_offset_minutes * 60)
            .unwrap_or_else(|| FixedOffset::east_opt(0).expect("UTC is an offset"));
        let local = at.with_timezone(&zone);
        let mut lines = vec![local.format("%Y-%m-%d %H:%M %:z").to_string()];
        if let Some((lat, lon)) = position.filter(|(lat, lon)| lat.is_finite() && lon.is_finite()) {
            let ns = if lat < 0.0 { 'S' } else { 'N' };
            let ew = if lon < 0.0 { 'W' } else { 'E' };
            // Five decimals: about a metre, the most a phone's fix is worth.
            lines.push(format!("{ns} {:.5} {ew} {:.5}", lat.abs(), lon.abs()));
        }
        Stamp { lines }
    }

    pub fn lines(&self) -> &[String] {
        &self.lines
    }
}

/// Where a stamp goes on a picture: the box, and the size of one glyph cell in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Placement {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
    pub cell: u32,
}

/// The placement of `stamp` on a `width` × `height` picture: the bottom-right corner, the text
/// about a fortieth of the short edge tall (28 px on a 1,920 × 1,440 photo), clipped to the
/// picture when it is tiny.
pub(crate) fn placement(width: u32, height: u32, stamp: &Stamp) -> Placement {
    let cell = (width.min(height) / 270).max(1);
    let columns = stamp
        .lines
        .iter()
        .map(|l| l.chars().count() as u32)
        .max()
        .unwrap_or(0);
    let text_w = (columns * ADVANCE).saturating_sub(1);
    let text_h = (stamp.lines.len() as u32 * LINE).saturating_sub(LINE - GLYPH_H);
    let box_w = ((text_w + 2 * PAD) * cell).min(width);
    let box_h = ((text_h + 2 * PAD) * cell).min(height);
    Placement {
        x: width - box_w,
        y: height - box_h,
        width: box_w,
        height: box_h,
        cell,
    }
}

/// Burns `stamp` into `pixels`: darkens its box, then draws the text in light ink.
pub fn burn(pixels: &mut RgbImage, stamp: &Stamp) {
    let (width, height) = pixels.dimensions();
    let at = placement(width, height, stamp);
    for y in at.y..at.y + at.height {
        for x in at.x..at.x + at.width {
            let Rgb(c) = *pixels.get_pixel(x, y);
            let dim = |v: u8| ((u16::from(v) * SHOW_THROUGH) >> 8) as u8;
            pixels.put_pixel(x, y, Rgb([dim(c[0]), dim(c[1]), dim(c[2])]));
        }
    }
    let font = font();
    for (row, line) in stamp.lines.iter().enumerate() {
        for (column, ch) in line.chars().enumerate() {
            let Some(glyph) = font.get(&ch) else { continue };
            let left = at.x + (PAD + column as u32 * ADVANCE) * at.cell;
            let top = at.y + (PAD + row as u32 * LINE) * at.cell;
            for (gy, bits) in glyph.iter().enumerate() {
                for gx in 0..GLYPH_W {
                    if bits & (1 << (GLYPH_W - 1 - gx)) != 0 {
                        fill(
                            pixels,
                            left + gx * at.cell,
                            top + gy as u32 * at.cell,
                            at.cell,
                        );
                    }
                }
            }
        }
    }
}

/// Paints one glyph cell, clipped to the picture.
fn fill(pixels: &mut RgbImage, x: u32, y: u32, cell: u32) {
    let (width, height) = pixels.dimensions();
    for py in y..(y + cell).min(height) {
        for px in x..(x + cell).min(width) {
            pixels.put_pixel(px, py, INK);
        }
    }
}

/// The glyphs of `glyphs.txt`: each character's seven rows, the leftmost cell the highest of
/// five bits.
fn font() -> &'static HashMap<char, [u8; GLYPH_H as usize]> {
    static FONT: OnceLock<HashMap<char, [u8; GLYPH_H as usize]>> = OnceLock::new();
    FONT.get_or_init(|| parse_font(include_str!("glyphs.txt")))
}

fn parse_font(text: &str) -> HashMap<char, [u8; GLYPH_H as usize]> {
    let mut font = HashMap::new();
    let mut lines = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//"));
    while let Some(header) = lines.next() {
        let name = header.strip_prefix("glyph ").unwrap_or_default();
        let ch = match name {
            "space" => ' ',
            _ => name.chars().next().unwrap_or(' '),
        };
        let mut rows = [0u8; GLYPH_H as usize];
        for row in rows.iter_mut() {
            let cells = lines.next().unwrap_or_default();
            *row = cells
                .bytes()
                .take(GLYPH_W as usize)
                .fold(0, |acc, b| (acc << 1) | u8::from(b == b'#'));
        }
        font.insert(ch, rows);
    }
    font
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn stamp() -> Stamp {
        let at = Utc.with_ymd_and_hms(2026, 12, 31, 17, 30, 0).unwrap();
        Stamp::new(at, 480, Some((-33.8688, -151.2093)))
    }

    #[test]
    fn the_time_is_local_to_the_tenant_and_the_position_names_its_hemispheres() {
        assert_eq!(
            stamp().lines(),
            ["2027-01-01 01:30 +08:00", "S 33.86880 W 151.20930"],
            "17:30 UTC on New Year's Eve is already the next day in Shanghai"
        );
        let at = Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap();
        assert_eq!(
            Stamp::new(at, -210, None).lines(),
            ["2026-06-01 08:30 -03:30"]
        );
        assert_eq!(
            Stamp::new(at, 480, Some((f64::NAN, 1.0))).lines().len(),
            1,
            "a position that is no number is left out"
        );
    }

    #[test]
    fn every_character_a_stamp_writes_has_a_glyph_with_ink() {
        let font = font();
        for ch in "0123456789-:.+NSEW".chars() {
            let glyph = font
                .get(&ch)
                .unwrap_or_else(|| panic!("no glyph for {ch:?}"));
            assert!(glyph.iter().any(|row| *row != 0), "{ch:?} is blank");
        }
        assert_eq!(font.get(&' '), Some(&[0; 7]));
        let distinct: std::collections::HashSet<_> = font.values().collect();
        assert_eq!(distinct.len(), font.len(), "no two glyphs look the same");
    }

    #[test]
    fn the_text_is_light_on_a_dark_box_in_the_corner_and_the_rest_is_untouched() {
        let bright = RgbImage::from_pixel(1920, 1440, Rgb([250, 230, 200]));
        let mut stamped = bright.clone();
        burn(&mut stamped, &stamp());
        let at = placement(1920, 1440, &stamp());
        assert_eq!((at.x + at.width, at.y + at.height), (1920, 1440));
        assert!(at.width < 1920 / 2 && at.height < 1440 / 8, "{at:?}");
        let (mut ink, mut dark) = (0, 0);
        for (x, y, p) in stamped.enumerate_pixels() {
            let inside = x >= at.x && y >= at.y;
            match (inside, p.0) {
                (false, c) => assert_eq!(c, bright.get_pixel(x, y).0, "({x}, {y})"),
                (true, c) if c == INK.0 => ink += 1,
                (true, c) => {
                    assert!(c.iter().all(|v| *v < 100), "({x}, {y}) is {c:?}");
                    dark += 1;
                }
            }
        }
        assert!(ink > 1000 && dark > ink, "ink {ink}, dark {dark}");
    }

    #[test]
    fn a_tiny_picture_is_stamped_within_its_bounds() {
        let mut tiny = RgbImage::from_pixel(40, 30, Rgb([255, 255, 255]));
        burn(&mut tiny, &stamp());
        assert!(tiny.pixels().any(|p| p.0 != [255, 255, 255]));
    }
}
