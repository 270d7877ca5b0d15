//! Client authentication by exact certificate: the one Terraform handed us.

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, SignatureScheme};
use rustls_pki_types::{CertificateDer, UnixTime};

use super::p521_verify;

/// Accepts exactly one client certificate, byte for byte.
///
/// Terraform's client certificate is self-signed with the CA flag set, which
/// webpki refuses as an end entity, and there is no chain to walk anyway:
/// pinning the DER is the whole trust decision. The handshake signature is
/// still verified, so only the holder of the pinned key gets in.
///
/// go-plugin's certificates use ECDSA P-521, which the ring provider cannot
/// verify; those signatures are checked with the `p521` crate, and
/// `ecdsa_secp521r1_sha512` is advertised first so that TLS 1.2 clients with
/// such a key pick it (Go picks in the server's preference order).
#[derive(Debug)]
pub struct PinnedClientCertVerifier {
    pinned: CertificateDer<'static>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl PinnedClientCertVerifier {
    pub fn new(pinned: CertificateDer<'static>, provider: &CryptoProvider) -> Self {
        Self {
            pinned,
            algorithms: provider.signature_verification_algorithms,
        }
    }
}

impl ClientCertVerifier for PinnedClientCertVerifier {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        true
    }

    // No CA hints: Go sends its only certificate when the list is empty, and
    // would withhold it if the list named some other issuer.
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.pinned.as_ref() {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        if dss.scheme == SignatureScheme::ECDSA_NISTP521_SHA512 {
            return p521_verify::verify(message, cert, dss);
        }
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        if dss.scheme == SignatureScheme::ECDSA_NISTP521_SHA512 {
            return p521_verify::verify(message, cert, dss);
        }
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        let mut schemes = vec![SignatureScheme::ECDSA_NISTP521_SHA512];
        schemes.extend(
            self.algorithms
                .supported_schemes()
                .into_iter()
                .filter(|s| *s != SignatureScheme::ECDSA_NISTP521_SHA512),
        );
        schemes
    }
}
