//! TLS in the server itself, for companies that run no proxy in front of it: the certificate
//! chain and key come from the PEM files named in `[tls]`, and [`TlsCerts::reload`] reads them
//! again (the binary calls it on SIGHUP) without dropping a connection.
//!
//! The certificate is chosen per handshake by [`TlsCerts`] itself (a rustls certificate
//! resolver), so a reload swaps what the *next* handshake presents while connections already
//! open keep theirs. A reload that fails (a missing file, a key that does not match) keeps the
//! certificate in use and reports why. This module must not log key material or file contents.

use std::fs::File;
use std::io::BufReader;
use std::sync::{Arc, RwLock};

use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use tokio_rustls::TlsAcceptor;

use crate::config::TlsSettings;
use crate::error::{Error, Result};

/// The certificate the server presents, reloadable.
#[derive(Debug)]
pub struct TlsCerts {
    settings: TlsSettings,
    provider: Arc<CryptoProvider>,
    current: RwLock<Arc<CertifiedKey>>,
}

impl TlsCerts {
    /// Reads the certificate chain and key named in `settings`.
    pub fn load(settings: &TlsSettings) -> Result<Arc<TlsCerts>> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let current = read_certified_key(settings, &provider)?;
        Ok(Arc::new(TlsCerts {
            settings: settings.clone(),
            provider,
            current: RwLock::new(Arc::new(current)),
        }))
    }

    /// Reads the files again; new handshakes present what they hold from now on. On error the
    /// certificate in use stays.
    pub fn reload(&self) -> Result<()> {
        let fresh = read_certified_key(&self.settings, &self.provider)?;
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(fresh);
        tracing::info!("TLS certificate reloaded");
        Ok(())
    }

    /// A TLS acceptor that asks this store for the certificate on every handshake.
    pub(crate) fn acceptor(self: &Arc<Self>) -> Result<TlsAcceptor> {
        let mut config = rustls::ServerConfig::builder_with_provider(self.provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::Config(format!("tls: {e}")))?
            .with_no_client_auth()
            .with_cert_resolver(self.clone());
        // The server speaks HTTP/1.1 only (see `connection`).
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(TlsAcceptor::from(Arc::new(config)))
    }
}

impl ResolvesServerCert for TlsCerts {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(
            self.current
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .clone(),
        )
    }
}

fn read_certified_key(settings: &TlsSettings, provider: &CryptoProvider) -> Result<CertifiedKey> {
    let failed = |what: &str, e: &dyn std::fmt::Display| Error::Config(format!("tls: {what}: {e}"));
    let cert_file = File::open(&settings.cert_path)
        .map_err(|e| failed(&format!("{}", settings.cert_path.display()), &e))?;
    let chain = CertificateDer::pem_reader_iter(BufReader::new(cert_file))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| failed("the certificate file is not PEM", &e))?;
    if chain.is_empty() {
        return Err(Error::Config(
            "tls: the certificate file holds no certificate".into(),
        ));
    }
    let key_file = File::open(&settings.key_path)
        .map_err(|e| failed(&format!("{}", settings.key_path.display()), &e))?;
    let key = PrivateKeyDer::from_pem_reader(BufReader::new(key_file))
        .map_err(|e| failed("the key file holds no PEM private key", &e))?;
    CertifiedKey::from_der(chain, key, provider)
        .map_err(|e| failed("the key does not fit the certificate", &e))
}
