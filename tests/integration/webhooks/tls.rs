//! https endpoints are delivered over TLS: against a receiver whose certificate no public
//! root vouches for (self-signed), the attempt fails with the certificate error in the
//! delivery log — it reaches the handshake, and nothing panics.

use std::sync::Arc;

use tokio_rustls::rustls::crypto::ring::default_provider;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;

use super::{contact_event, create_endpoint, fast, wait_deliveries};
use crate::support::TestApp;

/// A TLS listener on 127.0.0.1 with a fresh self-signed certificate; returns its https URL.
async fn self_signed_receiver() -> String {
    let generated = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(generated.key_pair.serialize_der()));
    let config = ServerConfig::builder_with_provider(Arc::new(default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![generated.cert.der().clone()], key)
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            // The client gives up during the handshake; there is nothing to answer.
            let acceptor = acceptor.clone();
            tokio::spawn(async move { acceptor.accept(stream).await.ok() });
        }
    });
    url
}

#[tokio::test]
async fn an_https_receiver_with_an_untrusted_certificate_fails_with_the_tls_error_logged() {
    let app = TestApp::spawn_with(fast).await;
    let url = self_signed_receiver().await;
    let (endpoint, _) = create_endpoint(&app, &url, &["contact.created"]).await;
    contact_event(&app, "Ann").await;

    let found = wait_deliveries(&app, &endpoint, |found| {
        found
            .first()
            .is_some_and(|d| d["attempts"].as_array().is_some_and(|a| !a.is_empty()))
    })
    .await;
    let attempt = &found[0]["attempts"][0];
    assert_eq!(attempt["succeeded"], false);
    assert!(attempt["statusCode"].is_null(), "{attempt}");
    let error = attempt["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("certificate") && error.contains("UnknownIssuer"),
        "not a certificate error: {error}"
    );
}
