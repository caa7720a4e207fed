//! How photos and documents are shrunk, what input is refused, and how much downloaded media a
//! device keeps: plain settings that [`crate::Config`] holds.

/// Media settings. The defaults suit a phone: a 1,920 px photo is sharp on any screen and weighs
/// a few hundred kilobytes; a 320 px thumbnail fills a list row.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaConfig {
    /// The stored image's longest edge, pixels. A smaller image is never enlarged.
    pub max_edge_px: u32,
    /// The thumbnail's longest edge, pixels.
    pub thumbnail_edge_px: u32,
    /// JPEG quality of both outputs, 1–100.
    pub jpeg_quality: u8,
    /// A file larger than this is refused unread, bytes.
    pub max_input_bytes: u64,
    /// An image whose header claims a wider or taller picture is refused before any pixel is
    /// allocated (a decompression bomb), pixels.
    pub max_input_edge_px: u32,
    /// The most memory the decoder may allocate for one image, bytes.
    pub max_decode_bytes: u64,
    /// Bytes of media the server already holds (downloaded, or captured and uploaded) that this
    /// device keeps; past it the least recently used go. Media only this device holds is never
    /// evicted.
    pub cache_budget_bytes: u64,
}

impl Default for MediaConfig {
    fn default() -> Self {
        MediaConfig {
            max_edge_px: 1920,
            thumbnail_edge_px: 320,
            jpeg_quality: 80,
            max_input_bytes: 50 << 20,
            // A 200 MP phone sensor is 16,320 × 12,240.
            max_input_edge_px: 16_384,
            // An 85 MP RGB picture; a bomb claiming 30,000 × 30,000 would need 2.7 GB.
            max_decode_bytes: 256 << 20,
            cache_budget_bytes: 256 << 20,
        }
    }
}
