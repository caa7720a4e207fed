//! What can go wrong with a photo or a document handed to the core, or with media bytes that
//! came back from the server.
//!
//! Messages say which rule the image broke (format, size, damage) and never carry the file's
//! path or anything read out of its metadata: both may be personal (a user name in a path, GPS
//! in an EXIF block).

use super::Remedy;

/// An image refused, or media bytes that are not what they claim to be. Nothing was stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaError {
    /// The file is not a JPEG, PNG or WebP (HEIC and AVIF, what iPhones and recent Android
    /// cameras shoot by default, are among these). The app converts it, or asks the camera or
    /// picker for JPEG, and hands that over.
    #[error("images in {format} format are not accepted: hand over a JPEG (or PNG, WebP)")]
    UnsupportedFormat { format: String },

    /// The file is damaged or incomplete (a truncated JPEG, a copy cut short).
    #[error("the image is damaged or incomplete: {reason}")]
    Unreadable { reason: String },

    /// The file or its pixels exceed the limits in `MediaConfig` (a decompression bomb: a small
    /// file whose header claims a huge image). Refused before the pixels are allocated.
    #[error("the image is too large: {reason}")]
    TooLarge { reason: String },

    /// Bytes given as media `hash` do not hash to it (a broken or tampered download). Fetch
    /// them again.
    #[error("the bytes given for media {hash} do not match its hash")]
    HashMismatch { hash: String },

    /// No record in this store references media `hash`, so it is not kept.
    #[error("no record references media {hash}")]
    Unreferenced { hash: String },
}

impl MediaError {
    /// What to do about it (the media half of [`super::Error::remedy`]): the user picks or
    /// converts another image, or the downloader fetches again.
    pub fn remedy(&self) -> Remedy {
        match self {
            MediaError::UnsupportedFormat { .. }
            | MediaError::Unreadable { .. }
            | MediaError::TooLarge { .. } => Remedy::FixInput,
            MediaError::HashMismatch { .. } => Remedy::RetryLater,
            MediaError::Unreferenced { .. } => Remedy::Reload,
        }
    }
}
