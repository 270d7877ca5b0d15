//! AutoMTLS as go-plugin does it: a fresh self-signed server certificate per
//! process, and a server that accepts exactly one client certificate.
//!
//! Terraform generates its own client certificate for every plugin it starts,
//! passes it in `PLUGIN_CLIENT_CERT`, and learns ours from the handshake line
//! ([`ServerCertificate::handshake_value`]). Each side then trusts exactly the
//! other's certificate. Terraform verifies us as `localhost` with our
//! certificate as its only root; Go accepts a leaf that is itself in the root
//! pool without walking a chain, so the certificate does not need the CA flag
//! (and must not have it: rustls-based clients reject CA certificates used as
//! end entities).

mod p521_verify;
mod pinned;

use std::sync::Arc;

use base64::Engine as _;
use rcgen::{
    CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose,
    PKCS_ECDSA_P256_SHA256,
};
use rustls::crypto::CryptoProvider;
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

pub use pinned::PinnedClientCertVerifier;

/// What can go wrong while setting up TLS.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("generating the server certificate: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("PLUGIN_CLIENT_CERT holds no PEM certificate: {0}")]
    ClientCertPem(String),
    #[error("building the TLS configuration: {0}")]
    Config(#[from] rustls::Error),
}

/// The per-process server certificate and its private key.
pub struct ServerCertificate {
    cert: CertificateDer<'static>,
    pem: String,
    key: PrivatePkcs8KeyDer<'static>,
}

impl std::fmt::Debug for ServerCertificate {
    // Never print the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerCertificate")
            .field("cert_len", &self.cert.len())
            .finish_non_exhaustive()
    }
}

impl ServerCertificate {
    /// A new ECDSA P-256 certificate for `localhost` and `127.0.0.1`, usable
    /// for server and client authentication, valid from a minute ago (clock
    /// skew between Terraform and us is impossible on one host, but cheap to
    /// allow) for ten years (it dies with the process anyway).
    pub fn generate() -> Result<Self, TlsError> {
        let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?;
        let mut params =
            CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])?;
        params
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        params
            .distinguished_name
            .push(DnType::OrganizationName, "terraform-provider-peering");
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ServerAuth,
            ExtendedKeyUsagePurpose::ClientAuth,
        ];
        let now = time::OffsetDateTime::now_utc();
        params.not_before = now - time::Duration::minutes(1);
        params.not_after = now + time::Duration::days(3650);

        let cert = params.self_signed(&key)?;
        Ok(Self {
            pem: cert.pem(),
            cert: cert.der().clone(),
            key: PrivatePkcs8KeyDer::from(key.serialize_der()),
        })
    }

    /// The certificate in DER.
    pub fn der(&self) -> &CertificateDer<'static> {
        &self.cert
    }

    /// The certificate in PEM, for clients that want to trust it.
    pub fn pem(&self) -> &str {
        &self.pem
    }

    /// The last field of the go-plugin handshake line: the DER certificate in
    /// standard base64 without padding (go-plugin decodes it with
    /// `base64.RawStdEncoding`).
    pub fn handshake_value(&self) -> String {
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(self.cert.as_ref())
    }

    /// A rustls server configuration (ring, TLS 1.2 and 1.3, ALPN `h2`) that
    /// requires a client certificate and accepts only `client_cert`.
    pub fn server_config(
        &self,
        client_cert: CertificateDer<'static>,
    ) -> Result<Arc<rustls::ServerConfig>, TlsError> {
        let provider = crypto_provider();
        let verifier = Arc::new(PinnedClientCertVerifier::new(client_cert, &provider));
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
            .with_client_cert_verifier(verifier)
            .with_single_cert(
                vec![self.cert.clone()],
                PrivateKeyDer::Pkcs8(self.key.clone_key()),
            )?;
        config.alpn_protocols = vec![b"h2".to_vec()];
        Ok(Arc::new(config))
    }
}

/// Parses the first certificate of a PEM text such as `PLUGIN_CLIENT_CERT`.
pub fn parse_client_cert_pem(pem: &str) -> Result<CertificateDer<'static>, TlsError> {
    CertificateDer::from_pem_slice(pem.as_bytes())
        .map_err(|e| TlsError::ClientCertPem(e.to_string()))
}

/// The crypto provider every TLS object here is built with.
pub fn crypto_provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handshake_value_is_unpadded_standard_base64_of_the_der() {
        let cert = ServerCertificate::generate().unwrap();
        let value = cert.handshake_value();
        assert!(!value.contains('='), "padding must be stripped: {value}");
        assert!(
            !value.contains('-') && !value.contains('_'),
            "standard alphabet"
        );
        let decoded = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(&value)
            .unwrap();
        assert_eq!(decoded, cert.der().as_ref());
    }

    #[test]
    fn each_process_gets_a_fresh_certificate() {
        let a = ServerCertificate::generate().unwrap();
        let b = ServerCertificate::generate().unwrap();
        assert_ne!(a.der().as_ref(), b.der().as_ref());
    }

    #[test]
    fn pem_and_der_are_the_same_certificate() {
        let cert = ServerCertificate::generate().unwrap();
        assert_eq!(&parse_client_cert_pem(cert.pem()).unwrap(), cert.der());
    }

    #[test]
    fn client_cert_pem_must_contain_a_certificate() {
        assert!(parse_client_cert_pem("not a pem").is_err());
        assert!(parse_client_cert_pem("").is_err());
    }

    #[test]
    fn server_config_offers_h2_and_builds() {
        let server = ServerCertificate::generate().unwrap();
        let client = ServerCertificate::generate().unwrap();
        let config = server.server_config(client.der().clone()).unwrap();
        assert_eq!(config.alpn_protocols, vec![b"h2".to_vec()]);
    }
}
