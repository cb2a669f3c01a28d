//! The one HTTP client (and TLS stack) of a run.
//!
//! reqwest is built with rustls on the `ring` provider only (no aws-lc), and the
//! identity library is handed the same client, so a run has one connection pool and
//! one TLS configuration (with the operating system's trust store).
//!
//! The client follows no redirect and sends no `Referer`: ARM data comes only from the
//! management endpoint and tokens only from the identity endpoints a run was pointed
//! at. A 3xx answer reaches the caller as it is, which treats it as a failure (a gap in
//! `collect`, an error in `remediate` and in the credential chain).

use std::time::Duration;

/// Builds the HTTP client shared by ARM calls and the identity library.
pub fn client() -> Result<reqwest::Client, reqwest::Error> {
    install_tls_provider();
    reqwest::Client::builder()
        .user_agent(concat!("apimguard/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(10))
        // Identity endpoints get this; ARM requests set their own (--timeout).
        .timeout(Duration::from_secs(60))
        .pool_idle_timeout(Duration::from_secs(60))
        .redirect(reqwest::redirect::Policy::none())
        .referer(false)
        .build()
}

/// Installs rustls' `ring` provider as the process default (once; later calls are no-ops).
pub fn install_tls_provider() {
    // Err means a provider is installed already, which is what we want.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// `text` followed by each cause of `error` that it does not already say, each after `: `.
pub(crate) fn with_causes(mut text: String, error: &(dyn std::error::Error + 'static)) -> String {
    let mut source = error.source();
    while let Some(inner) = source {
        let piece = inner.to_string();
        if !text.contains(&piece) {
            text.push_str(": ");
            text.push_str(&piece);
        }
        source = inner.source();
    }
    text
}
