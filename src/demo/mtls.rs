//! Mutual-TLS client authentication (RFC 8705 §2): `tls_client_auth`, a
//! certificate issued by the demo CA (`assets/demo-keys/demo-ca.pem`) whose
//! subject CN is the registered one, and `self_signed_tls_client_auth`, a
//! certificate equal to one registered in the client's JWKS (`x5c`). The TLS
//! layer accepts any certificate; the checks are made here, per client.

use std::sync::{Arc, OnceLock};

use base64::Engine as _;
use serde_json::Value;
use tokio_rustls::rustls::RootCertStore;
use tokio_rustls::rustls::pki_types::{CertificateDer, UnixTime};
use tokio_rustls::rustls::server::WebPkiClientVerifier;
use tokio_rustls::rustls::server::danger::ClientCertVerifier;

use super::store::Client;
use super::tls::PeerCertificate;

/// The demo CA that issues `tls_client_auth` certificates (its private key
/// is not shipped).
pub const DEMO_CA_PEM: &str = include_str!("../../assets/demo-keys/demo-ca.pem");

/// `tls_client_auth`: the connection's certificate chains to the demo CA and
/// its subject CN is the client's registered one. The error is an
/// `error_description`.
pub fn tls_client_auth(client: &Client, peer: Option<&PeerCertificate>) -> Result<(), String> {
    let id = client.id;
    let Some(cert) = peer else {
        return Err(format!(
            "client '{id}' authenticates with tls_client_auth: connect over TLS presenting its certificate (issued by the demo CA)"
        ));
    };
    let verifier = demo_ca_verifier()?;
    verifier
        .verify_client_cert(&CertificateDer::from(cert.der()), &[], UnixTime::now())
        .map_err(|e| {
            format!(
                "the client certificate is not one the demo CA issued (or is not valid now): {e}"
            )
        })?;
    let expected = client.tls_client_auth_subject_cn.unwrap_or(id);
    match subject_cn(cert.der()) {
        Some(cn) if cn == expected => Ok(()),
        Some(cn) => Err(format!(
            "the client certificate's subject CN is '{cn}'; client '{id}' is registered with CN '{expected}'"
        )),
        None => Err(format!(
            "the client certificate has no subject CN; client '{id}' is registered with CN '{expected}'"
        )),
    }
}

/// Whether a JWKS holds a key with an `x5c` certificate chain.
pub fn has_x5c(jwks: &Value) -> bool {
    jwks["keys"]
        .as_array()
        .is_some_and(|keys| keys.iter().any(|k| k["x5c"][0].is_string()))
}

/// `self_signed_tls_client_auth`: the connection's certificate is, byte for
/// byte, the first `x5c` certificate of a key the client registered.
pub fn self_signed_tls_client_auth(
    client: &Client,
    jwks: &Value,
    peer: Option<&PeerCertificate>,
) -> Result<(), String> {
    let id = client.id;
    let Some(cert) = peer else {
        return Err(format!(
            "client '{id}' registered certificates (x5c) and authenticates with self_signed_tls_client_auth: connect over TLS presenting one of them"
        ));
    };
    let registered = jwks["keys"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|k| k["x5c"][0].as_str())
        .filter_map(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok());
    for der in registered {
        if der == cert.der() {
            return Ok(());
        }
    }
    Err(format!(
        "the client certificate is none of the certificates (x5c) registered for client '{id}'"
    ))
}

/// A verifier of certificate chains up to the demo CA, made once.
fn demo_ca_verifier() -> Result<Arc<dyn ClientCertVerifier>, String> {
    static VERIFIER: OnceLock<Result<Arc<dyn ClientCertVerifier>, String>> = OnceLock::new();
    VERIFIER
        .get_or_init(|| {
            let ca = pem::parse(DEMO_CA_PEM).map_err(|e| format!("the demo CA: {e}"))?;
            let mut roots = RootCertStore::empty();
            roots
                .add(CertificateDer::from(ca.contents().to_vec()))
                .map_err(|e| format!("the demo CA: {e}"))?;
            let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
            WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(|e| format!("the demo CA: {e}"))
        })
        .clone()
}

/// One DER element: its tag, its contents and what follows it.
fn der_element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let tag = *input.first()?;
    let first = *input.get(1)? as usize;
    let (len, header) = if first < 0x80 {
        (first, 2)
    } else {
        let count = first & 0x7f;
        if count == 0 || count > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..count {
            len = (len << 8) | *input.get(2 + i)? as usize;
        }
        (len, 2 + count)
    };
    let end = header.checked_add(len)?;
    (end <= input.len()).then(|| (tag, &input[header..end], &input[end..]))
}

/// The subject's common name (OID 2.5.4.3) of an X.509 certificate
/// (RFC 5280 §4.1).
pub fn subject_cn(der: &[u8]) -> Option<String> {
    const SEQUENCE: u8 = 0x30;
    let (SEQUENCE, certificate, _) = der_element(der)? else {
        return None;
    };
    let (SEQUENCE, tbs, _) = der_element(certificate)? else {
        return None;
    };
    let (tag, _, mut rest) = der_element(tbs)?;
    if tag != 0xa0 {
        // No explicit version: that element was the serial number.
        rest = tbs;
    }
    // serialNumber, signature, issuer, validity; then subject.
    for _ in 0..4 {
        rest = der_element(rest)?.2;
    }
    let (SEQUENCE, mut rdns, _) = der_element(rest)? else {
        return None;
    };
    while !rdns.is_empty() {
        let (_, mut set, next) = der_element(rdns)?;
        rdns = next;
        while !set.is_empty() {
            let (_, pair, next) = der_element(set)?;
            set = next;
            let (0x06, oid, value) = der_element(pair)? else {
                return None;
            };
            if oid == [0x55, 0x04, 0x03] {
                let (_, text, _) = der_element(value)?;
                return String::from_utf8(text.to_vec()).ok();
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLIENT_PEM: &str = include_str!("../../assets/demo-keys/demo-mtls-client.pem");

    #[test]
    fn the_shipped_client_certificate_is_demo_mtls_from_the_demo_ca() {
        let der = pem::parse(CLIENT_PEM).expect("PEM").contents().to_vec();
        assert_eq!(subject_cn(&der).as_deref(), Some("demo-mtls"));
        let client = super::super::store::client("demo-mtls").expect("client");
        let cert = PeerCertificate::new(der);
        tls_client_auth(client, Some(&cert)).expect("chains to the demo CA");
    }

    #[test]
    fn a_demo_ca_certificate_with_another_cn_is_refused() {
        let der = pem::parse(CLIENT_PEM).expect("PEM").contents().to_vec();
        let client = Client {
            id: "another",
            tls_client_auth_subject_cn: Some("another"),
            ..super::super::store::client("demo-mtls")
                .expect("client")
                .clone()
        };
        let err = tls_client_auth(&client, Some(&PeerCertificate::new(der))).expect_err("refused");
        assert!(err.contains("subject CN is 'demo-mtls'"), "{err}");
    }

    #[test]
    fn a_certificate_from_another_ca_is_refused() {
        let made = rcgen::generate_simple_self_signed(vec!["demo-mtls".to_string()]).expect("cert");
        let cert = PeerCertificate::new(made.cert.der().to_vec());
        let client = super::super::store::client("demo-mtls").expect("client");
        let err = tls_client_auth(client, Some(&cert)).expect_err("refused");
        assert!(err.contains("demo CA"), "{err}");
    }
}
