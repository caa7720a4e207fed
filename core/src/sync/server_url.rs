//! The sync server's address, checked before any byte is sent to it.
//!
//! Session tokens and passwords travel in requests, so plain `http://` is refused unless the
//! server is this device itself (loopback: tests, demos, a server on the same machine) or the
//! configuration says so explicitly ([`super::SyncConfig::allow_insecure_http`]). Credentials
//! in the URL are refused too: they would end up in logs.

use std::net::IpAddr;

use url::Url;

use crate::error::{Error, Result};

/// A validated base URL of a sync server (`https://sync.example.com`, `http://127.0.0.1:8080`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerUrl {
    url: Url,
}

impl ServerUrl {
    /// Checks `text` as a server base URL.
    ///
    /// ```
    /// use fieldsales_core::sync::ServerUrl;
    /// assert!(ServerUrl::parse("https://sync.example.com", false).is_ok());
    /// assert!(ServerUrl::parse("http://127.0.0.1:8080", false).is_ok());
    /// assert!(ServerUrl::parse("http://sync.example.com", false).is_err());
    /// assert!(ServerUrl::parse("http://sync.example.com", true).is_ok());
    /// ```
    pub fn parse(text: &str, allow_insecure_http: bool) -> Result<ServerUrl> {
        let invalid = |reason: &str| Error::invalid("server_url", reason);
        let mut url = Url::parse(text.trim()).map_err(|_| invalid("not a URL"))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid("must not carry credentials"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(invalid("must not have a query or fragment"));
        }
        match url.scheme() {
            "https" => {}
            "http" if allow_insecure_http || is_loopback(&url) => {}
            "http" => {
                return Err(invalid(
                    "plain http is only allowed to this device (loopback); use https",
                ))
            }
            _ => return Err(invalid("must be an https:// URL")),
        }
        if url.host().is_none() {
            return Err(invalid("has no host"));
        }
        // A base URL with a path ("https://h/api") must keep it when endpoints are joined.
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        Ok(ServerUrl { url })
    }

    /// The URL as given (normalised), for display and storage.
    pub fn as_str(&self) -> &str {
        self.url.as_str()
    }

    /// The full URL of `endpoint` (`v1/sync`), for the HTTPS transport.
    #[cfg(feature = "http")]
    pub(crate) fn endpoint(&self, endpoint: &str) -> Url {
        self.url
            .join(endpoint)
            .expect("joining a relative path onto a base URL cannot fail")
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_is_accepted_anywhere() {
        let url = ServerUrl::parse("https://sync.example.com/api", false).unwrap();
        assert_eq!(
            url.endpoint("v1/sync").as_str(),
            "https://sync.example.com/api/v1/sync"
        );
    }

    #[test]
    fn plain_http_is_refused_except_to_loopback() {
        for ok in [
            "http://127.0.0.1:9000",
            "http://localhost:1",
            "http://[::1]:80",
            "http://127.8.9.1",
        ] {
            assert!(ServerUrl::parse(ok, false).is_ok(), "{ok}");
        }
        for refused in [
            "http://10.0.0.2",
            "http://sync.example.com",
            "http://127.0.0.1.example.com",
        ] {
            let err = ServerUrl::parse(refused, false).unwrap_err();
            assert!(
                matches!(err, Error::Validation { ref field, .. } if field == "server_url"),
                "{refused}"
            );
        }
    }

    #[test]
    fn plain_http_elsewhere_needs_explicit_permission() {
        assert!(ServerUrl::parse("http://sync.internal", true).is_ok());
    }

    #[test]
    fn credentials_and_other_schemes_are_refused() {
        assert!(ServerUrl::parse("https://user:pw@sync.example.com", false).is_err());
        assert!(ServerUrl::parse("ftp://sync.example.com", false).is_err());
        assert!(ServerUrl::parse("https://sync.example.com/?token=x", false).is_err());
        assert!(ServerUrl::parse("not a url", false).is_err());
    }
}
