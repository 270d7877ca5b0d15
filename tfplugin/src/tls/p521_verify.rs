//! ECDSA P-521 / SHA-512 handshake signatures, which the ring provider lacks
//! and go-plugin's client certificates need.

use p521::ecdsa::signature::Verifier as _;
use p521::ecdsa::{Signature, VerifyingKey};
use p521::pkcs8::DecodePublicKey as _;
use rustls::client::danger::HandshakeSignatureValid;
use rustls::server::ParsedCertificate;
use rustls::{CertificateError, DigitallySignedStruct};
use rustls_pki_types::CertificateDer;

/// Verifies an `ecdsa_secp521r1_sha512` signature (DER-encoded, as TLS sends
/// it) over `message` with the public key of `cert`.
pub(super) fn verify(
    message: &[u8],
    cert: &CertificateDer<'_>,
    dss: &DigitallySignedStruct,
) -> Result<HandshakeSignatureValid, rustls::Error> {
    let bad_encoding = || rustls::Error::InvalidCertificate(CertificateError::BadEncoding);
    let spki = ParsedCertificate::try_from(cert)?.subject_public_key_info();
    let public_key =
        p521::PublicKey::from_public_key_der(spki.as_ref()).map_err(|_| bad_encoding())?;
    let key = VerifyingKey::from_affine(*public_key.as_affine()).map_err(|_| bad_encoding())?;
    let signature = Signature::from_der(dss.signature())
        .map_err(|_| rustls::Error::InvalidCertificate(CertificateError::BadSignature))?;
    key.verify(message, &signature)
        .map(|()| HandshakeSignatureValid::assertion())
        .map_err(|_| rustls::Error::InvalidCertificate(CertificateError::BadSignature))
}
