//! `photo`: a 12 MP camera JPEG through the core's media pipeline — decoded, shrunk to the
//! 1,920 px photo and its 320 px thumbnail, encoded without metadata, hashed
//! (`fieldsales_core::media::shrink`) — timed over [`RUNS`] runs, with the memory it takes above
//! idle, and compared in the same run with libvips' `vipsthumbnail` making the 1,920 px JPEG of
//! the same file (timed the same way: wall time per run, the tool's process start included).
//!
//! The picture is made here: smooth gradients with fine noise, which a JPEG encoder keeps at
//! about the size of a phone photo (a plain gradient would compress to nothing and flatter
//! both sides). The comparison favours vips: it makes one output (and may decode at a fraction
//! of the size, "shrink on load"), the core two. `vipsthumbnail` comes from Debian's
//! `libvips-tools`, installed by `crate::system` when missing; when it cannot be had the figure
//! is reported missing with the reason.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use fieldsales_core::media::shrink::shrink;
use fieldsales_core::media::MediaConfig;
use image::codecs::jpeg::JpegEncoder;
use image::RgbImage;
use rand::{Rng, SeedableRng};
use serde_json::{json, Map};

use super::{round, status_kb, Outcome, PeakRss, Samples};
use crate::Result;

const RUNS: usize = 20;
const WIDTH: u32 = 4000;
const HEIGHT: u32 = 3000;

pub(crate) fn run(dir: &Path) -> Result<Outcome> {
    let work = dir.join("photo");
    std::fs::create_dir_all(&work)?;
    let input = work.join("in.jpg");
    camera_jpeg(&input, WIDTH, HEIGHT, 12)?;
    let bytes_in = std::fs::metadata(&input)?.len();
    let config = MediaConfig::default();

    // One run first, so the first timed run pays no page faults of a cold allocator.
    shrink(&input, &config)?;
    let (mut core, peak_mb, out) = measure_core(&input, &config)?;
    let core_p50 = core.ms(50.0);

    let mut figures = Map::new();
    figures.insert("input_px".into(), json!(format!("{WIDTH}x{HEIGHT}")));
    figures.insert("bytes_before".into(), json!(bytes_in));
    figures.insert("bytes_after_image".into(), json!(out.image.bytes.len()));
    figures.insert(
        "bytes_after_thumbnail".into(),
        json!(out.thumbnail.bytes.len()),
    );
    figures.insert(
        "output_px".into(),
        json!(format!("{}x{}", out.image.width, out.image.height)),
    );
    figures.insert("runs".into(), json!(RUNS));
    figures.insert("p50_ms".into(), json!(round(core_p50)));
    figures.insert("p99_ms".into(), json!(round(core.ms(99.0))));
    figures.insert("peak_mb_above_idle".into(), json!(round(peak_mb)));
    let mut targets = BTreeMap::new();
    targets.insert("peak ≤ 120 MB above idle".to_string(), peak_mb <= 120.0);

    match crate::system::ensure_tool("vipsthumbnail", "libvips-tools") {
        Ok(vips) => {
            let (mut samples, bytes_out) = measure_vips(&vips, &input, &work)?;
            let vips_p50 = samples.ms(50.0);
            let ratio = core_p50 / vips_p50;
            figures.insert("vips_p50_ms".into(), json!(round(vips_p50)));
            figures.insert("vips_p99_ms".into(), json!(round(samples.ms(99.0))));
            figures.insert("vips_bytes_after".into(), json!(bytes_out));
            figures.insert("ratio_to_vips".into(), json!(round(ratio)));
            targets.insert("p50 ≤ 2× vipsthumbnail".to_string(), ratio <= 2.0);
        }
        Err(reason) => {
            eprintln!("bench: photo: no vips comparison: {reason}");
            figures.insert("ratio_to_vips".into(), json!(null));
            figures.insert("vips_missing".into(), json!(reason));
            targets.insert("p50 ≤ 2× vipsthumbnail".to_string(), false);
        }
    }
    Ok(Outcome { figures, targets })
}

/// The core pipeline [`RUNS`] times: latencies, the peak resident set above idle (MB), and the
/// last output.
fn measure_core(
    input: &Path,
    config: &MediaConfig,
) -> Result<(Samples, f64, fieldsales_core::media::Shrunk)> {
    // The kernel's high-water mark, reset here, catches a peak between two samples.
    let hwm_reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let rss = PeakRss::start(Duration::from_millis(2))?;
    let idle_kb = rss.idle_kb;
    let mut samples = Samples::new();
    let mut last = None;
    for _ in 0..RUNS {
        let start = Instant::now();
        let out = shrink(input, config)?;
        samples.push(start.elapsed());
        last = Some(out);
    }
    let peak_kb = rss.stop();
    let mut peak = peak_kb;
    if hwm_reset {
        peak = peak.max(status_kb("VmHWM:")?);
    }
    let above_idle_mb = peak.saturating_sub(idle_kb) as f64 / 1024.0;
    Ok((samples, above_idle_mb, last.expect("RUNS > 0")))
}

/// `vipsthumbnail` making the 1,920 px JPEG (quality 80, metadata stripped) [`RUNS`] times.
fn measure_vips(vips: &Path, input: &Path, work: &Path) -> Result<(Samples, u64)> {
    let output = work.join("vips.jpg");
    let target = format!("{}[Q=80,strip]", output.display());
    let once = || -> Result<Duration> {
        let start = Instant::now();
        let status = Command::new(vips)
            .arg(input)
            .args(["--size", "1920"])
            .arg("-o")
            .arg(&target)
            .status()?;
        let took = start.elapsed();
        if !status.success() {
            return Err(format!("vipsthumbnail failed with {status}").into());
        }
        Ok(took)
    };
    once()?;
    let mut samples = Samples::new();
    for _ in 0..RUNS {
        samples.push(once()?);
    }
    Ok((samples, std::fs::metadata(&output)?.len()))
}

/// Writes a `width` × `height` camera-like JPEG (quality 92, as phones save) to `path`:
/// smooth colour with fine noise, different per `seed`. Also the demo's and `photo_sync`'s
/// photos.
pub(crate) fn camera_jpeg(path: &Path, width: u32, height: u32, seed: u64) -> Result<PathBuf> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let pixels = RgbImage::from_fn(width, height, |x, y| {
        let fx = x as f32 / width as f32;
        let fy = y as f32 / height as f32;
        let wave = ((fx * 37.0).sin() * (fy * 23.0).cos() * 40.0) as i32;
        let noise = rng.gen_range(-12..=12);
        let c = |base: f32| (base * 200.0) as i32 + wave + noise;
        image::Rgb([
            c(fx).clamp(0, 255) as u8,
            c(fy).clamp(0, 255) as u8,
            c(1.0 - fx * fy).clamp(0, 255) as u8,
        ])
    });
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 92).encode_image(&pixels)?;
    std::fs::write(path, out)?;
    Ok(path.to_path_buf())
}
