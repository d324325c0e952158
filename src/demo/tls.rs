//! HTTPS for the demo provider (`--tls`): a self-signed certificate for
//! `127.0.0.1` and `localhost`, made at start, and a listener that completes
//! TLS handshakes before axum sees the connection — the `curl -k` situation
//! the WAPI document shows in every example.
//!
//! The server asks for a client certificate without requiring one, and
//! takes any (self-signed included) once the handshake proves the client
//! holds its key; whether a certificate authenticates a client is decided
//! per client by `mtls`, from the certificate handed to the handlers.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::serve::IncomingStream;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::client::danger::HandshakeSignatureValid;
use tokio_rustls::rustls::crypto::{
    CryptoProvider, verify_tls12_signature, verify_tls13_signature,
};
use tokio_rustls::rustls::pki_types::{
    CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime,
};
use tokio_rustls::rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use tokio_rustls::rustls::{
    DigitallySignedStruct, DistinguishedName, ServerConfig, SignatureScheme,
};
use tokio_rustls::server::TlsStream;

/// A client that has not finished its handshake by then is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Handshakes in progress at once; more connections wait to be accepted.
const MAX_HANDSHAKES: usize = 64;

/// Connections that finished their handshake and wait for axum.
const READY_QUEUE: usize = 32;

/// A TLS server configuration with a fresh self-signed certificate, and
/// that certificate as PEM (for clients told to trust it).
pub fn self_signed_config() -> Result<(Arc<ServerConfig>, String), String> {
    let made =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .map_err(|e| format!("cannot make a self-signed certificate: {e}"))?;
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(made.signing_key.serialize_der()));
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_client_cert_verifier(Arc::new(AnyClientCertificate { provider }))
        .with_single_cert(vec![made.cert.der().clone()], key)
        .map_err(|e| format!("cannot use the certificate: {e}"))?;
    // axum is built for HTTP/1 only here.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok((Arc::new(config), pem(made.cert.der())))
}

/// A DER certificate as PEM text.
fn pem(der: &[u8]) -> String {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in encoded.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

/// Asks for a client certificate, does not require one, and accepts any
/// chain; the handshake signatures are still verified, so the client holds
/// the key of the certificate it sent.
#[derive(Debug)]
struct AnyClientCertificate {
    provider: Arc<CryptoProvider>,
}

impl ClientCertVerifier for AnyClientCertificate {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        false
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, tokio_rustls::rustls::Error> {
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, tokio_rustls::rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, tokio_rustls::rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// The end-entity certificate a TLS client presented, DER.
#[derive(Debug, Clone)]
pub struct PeerCertificate(Arc<Vec<u8>>);

impl PeerCertificate {
    /// Wraps a DER certificate.
    pub fn new(der: Vec<u8>) -> Self {
        Self(Arc::new(der))
    }

    /// The certificate, DER.
    pub fn der(&self) -> &[u8] {
        &self.0
    }
}

/// Who is on the other end of a TLS connection: the address and the
/// certificate it presented. Handed to axum as the connection's info.
// `addr` is read through `Debug`, in axum's connection logs.
#[allow(dead_code)]
#[derive(Debug, Clone)]
pub struct TlsPeer {
    /// The client's address.
    pub addr: SocketAddr,
    /// Its certificate, if it sent one.
    pub certificate: Option<PeerCertificate>,
}

impl axum::extract::connect_info::Connected<IncomingStream<'_, TlsListener>> for TlsPeer {
    fn connect_info(stream: IncomingStream<'_, TlsListener>) -> Self {
        stream.remote_addr().clone()
    }
}

/// Extracts the client certificate of the request's connection: `None`
/// over plain HTTP or when the client sent none.
pub struct ClientCertificate(pub Option<PeerCertificate>);

impl<S: Send + Sync> FromRequestParts<S> for ClientCertificate {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .extensions
                .get::<ConnectInfo<TlsPeer>>()
                .and_then(|info| info.0.certificate.clone()),
        ))
    }
}

/// An [`axum::serve::Listener`] that hands over connections once their TLS
/// handshake is done. Handshakes run in their own tasks, so one slow client
/// cannot hold up the others.
pub struct TlsListener {
    addr: SocketAddr,
    ready: mpsc::Receiver<(TlsStream<TcpStream>, TlsPeer)>,
    acceptor: JoinHandle<()>,
}

impl TlsListener {
    /// Starts accepting TCP connections on `listener` and shaking hands.
    pub fn new(listener: TcpListener, config: Arc<ServerConfig>) -> std::io::Result<Self> {
        let addr = listener.local_addr()?;
        let (tx, ready) = mpsc::channel(READY_QUEUE);
        let acceptor = tokio::spawn(accept_loop(listener, TlsAcceptor::from(config), tx));
        Ok(Self {
            addr,
            ready,
            acceptor,
        })
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        // Closes the TCP listener with the task that owns it.
        self.acceptor.abort();
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = TlsPeer;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(connection) => connection,
            // The accept loop only ends when this listener is dropped.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(TlsPeer {
            addr: self.addr,
            certificate: None,
        })
    }
}

async fn accept_loop(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    ready: mpsc::Sender<(TlsStream<TcpStream>, TlsPeer)>,
) {
    let handshakes = Arc::new(Semaphore::new(MAX_HANDSHAKES));
    loop {
        let Ok(permit) = handshakes.clone().acquire_owned().await else {
            return;
        };
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(err) => {
                // Out of file descriptors and the like: wait, then go on.
                tracing::warn!("demo provider: cannot accept a connection: {err}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let acceptor = acceptor.clone();
        let ready = ready.clone();
        tokio::spawn(async move {
            let _permit = permit;
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                Ok(Ok(tls)) => {
                    let certificate = tls
                        .get_ref()
                        .1
                        .peer_certificates()
                        .and_then(|chain| chain.first())
                        .map(|cert| PeerCertificate::new(cert.to_vec()));
                    let peer = TlsPeer {
                        addr: peer,
                        certificate,
                    };
                    let _ = ready.send((tls, peer)).await;
                }
                Ok(Err(err)) => tracing::debug!("demo provider: TLS handshake with {peer}: {err}"),
                Err(_) => tracing::debug!("demo provider: TLS handshake with {peer} timed out"),
            }
        });
    }
}
