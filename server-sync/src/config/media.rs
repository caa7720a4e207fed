//! The `[media]` section: where media blobs are kept, what one device may upload at once and
//! how many reads one user may make a minute
//! (see `crate::media`, which keeps them, and `http::media`, which serves them).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::parse;
use crate::error::{Error, Result};

/// Where blobs live.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum MediaBackend {
    /// A directory on this machine (`dir`, default `<data_dir>/media`).
    #[default]
    Local,
    /// An S3-compatible bucket shared by every instance; needs the `s3` cargo feature.
    /// Credentials come from the usual `AWS_*` environment variables.
    S3,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct MediaSettings {
    pub backend: MediaBackend,
    /// The local backend's directory; absent: `media` inside the data directory.
    pub dir: Option<PathBuf>,
    pub s3_bucket: Option<String>,
    /// An S3-compatible service's URL (MinIO, Ceph...); absent: AWS.
    pub s3_endpoint: Option<String>,
    pub s3_region: Option<String>,
    /// Allow a plain-HTTP endpoint (a bucket on the same private network).
    pub s3_allow_http: bool,
    /// Uploads (`PATCH`) one device may have in flight at once; beyond it, 429.
    pub max_uploads_per_device: usize,
    /// Media reads (`HEAD`, `GET`) one user may make per minute; beyond it, 429 until the
    /// minute's lock ends. A phone's sync reads at most a few hundred thumbnails.
    pub max_reads_per_user_per_minute: u32,
}

impl Default for MediaSettings {
    fn default() -> Self {
        MediaSettings {
            backend: MediaBackend::Local,
            dir: None,
            s3_bucket: None,
            s3_endpoint: None,
            s3_region: None,
            s3_allow_http: false,
            max_uploads_per_device: 2,
            max_reads_per_user_per_minute: 1_200,
        }
    }
}

impl MediaSettings {
    /// The local backend's directory.
    pub fn local_dir(&self, data_dir: &Path) -> PathBuf {
        self.dir.clone().unwrap_or_else(|| data_dir.join("media"))
    }

    pub(super) fn apply_env(&mut self, var: &impl Fn(&str) -> Option<String>) -> Result<()> {
        if let Some(v) = var("FIELDSALES_SERVER_MEDIA_BACKEND") {
            self.backend = match v.trim() {
                "local" => MediaBackend::Local,
                "s3" => MediaBackend::S3,
                _ => {
                    return Err(Error::Config(
                        "FIELDSALES_SERVER_MEDIA_BACKEND is not `local` or `s3`".into(),
                    ))
                }
            };
        }
        if let Some(v) = var("FIELDSALES_SERVER_MEDIA_DIR") {
            self.dir = Some(PathBuf::from(v));
        }
        let strings: [(&str, &mut Option<String>); 3] = [
            ("FIELDSALES_SERVER_MEDIA_S3_BUCKET", &mut self.s3_bucket),
            ("FIELDSALES_SERVER_MEDIA_S3_ENDPOINT", &mut self.s3_endpoint),
            ("FIELDSALES_SERVER_MEDIA_S3_REGION", &mut self.s3_region),
        ];
        for (key, slot) in strings {
            if let Some(v) = var(key) {
                *slot = Some(v);
            }
        }
        if let Some(v) = var("FIELDSALES_SERVER_MEDIA_S3_ALLOW_HTTP") {
            self.s3_allow_http = parse("FIELDSALES_SERVER_MEDIA_S3_ALLOW_HTTP", &v)?;
        }
        if let Some(v) = var("FIELDSALES_SERVER_MEDIA_MAX_UPLOADS_PER_DEVICE") {
            self.max_uploads_per_device =
                parse("FIELDSALES_SERVER_MEDIA_MAX_UPLOADS_PER_DEVICE", &v)?;
        }
        if let Some(v) = var("FIELDSALES_SERVER_MEDIA_MAX_READS_PER_USER_PER_MINUTE") {
            self.max_reads_per_user_per_minute =
                parse("FIELDSALES_SERVER_MEDIA_MAX_READS_PER_USER_PER_MINUTE", &v)?;
        }
        Ok(())
    }

    pub(super) fn check(&self) -> Result<()> {
        if self.max_uploads_per_device == 0 {
            return Err(Error::Config(
                "media.max_uploads_per_device must be > 0".into(),
            ));
        }
        if self.max_reads_per_user_per_minute == 0 {
            return Err(Error::Config(
                "media.max_reads_per_user_per_minute must be > 0".into(),
            ));
        }
        if self.backend == MediaBackend::S3 && self.s3_bucket.is_none() {
            return Err(Error::Config(
                "media.backend = \"s3\" needs media.s3_bucket".into(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ServerConfig;

    #[test]
    fn blobs_default_to_the_data_directory_and_s3_needs_a_bucket() {
        let config = ServerConfig::for_tests("/srv/fs");
        assert_eq!(
            config.media.local_dir(&config.data_dir),
            PathBuf::from("/srv/fs/media")
        );
        let mut s3: ServerConfig = toml::from_str("[media]\nbackend = \"s3\"\n").unwrap();
        assert!(s3.check().is_err(), "no bucket named");
        s3.apply_env(|key| {
            (key == "FIELDSALES_SERVER_MEDIA_S3_BUCKET").then(|| "fieldsales-media".into())
        })
        .unwrap();
        s3.check().unwrap();
        assert_eq!(s3.media.s3_bucket.as_deref(), Some("fieldsales-media"));
    }
}
