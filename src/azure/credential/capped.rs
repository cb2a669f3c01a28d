//! Identity answers read under a small cap.
//!
//! A token answer (IMDS, Entra ID, an OIDC exchange) is a few kilobytes; an identity
//! endpoint that answers with an endless or huge body must not fill the memory. Every
//! answer the identity library reads comes through [`CappedTransport`], and the GitHub
//! OIDC answer through [`read_capped`]: past [`MAX_IDENTITY_ANSWER`] bytes the read
//! stops with a credential error (no token), announced or not.

use std::pin::Pin;
use std::task::{Context, Poll};

use azure_core::error::ErrorKind;
use azure_core::http::headers::CONTENT_LENGTH;
use azure_core::http::{AsyncRawResponse, AsyncResponseBody, HttpClient, Request};
use futures::Stream;

/// The most bytes of one identity answer read: a token answer is a few kilobytes.
pub const MAX_IDENTITY_ANSWER: u64 = 1 << 20;

/// What a larger answer is refused as.
fn too_large(endpoint: &str) -> String {
    format!(
        "the answer of {endpoint} is larger than {} KiB, far more than any token answer, so it was not read",
        MAX_IDENTITY_ANSWER >> 10
    )
}

/// The identity library's transport: our HTTP client, with every answer capped.
#[derive(Debug)]
pub(super) struct CappedTransport(pub reqwest::Client);

#[async_trait::async_trait]
impl HttpClient for CappedTransport {
    async fn execute_request(&self, request: &Request) -> azure_core::Result<AsyncRawResponse> {
        let host = request.url().host_str().unwrap_or("?").to_string();
        let response = self.0.execute_request(request).await?;
        let (status, headers, body) = response.deconstruct();
        let announced = headers
            .get_optional_str(&CONTENT_LENGTH)
            .and_then(|n| n.trim().parse::<u64>().ok());
        if announced.is_some_and(|n| n > MAX_IDENTITY_ANSWER) {
            return Err(azure_core::Error::with_message(
                ErrorKind::Credential,
                too_large(&host),
            ));
        }
        let capped = Capped {
            body,
            read: 0,
            host,
        };
        Ok(AsyncRawResponse::new(status, headers, Box::pin(capped)))
    }
}

/// A body that ends with an error once it passes the cap.
struct Capped {
    body: AsyncResponseBody,
    read: u64,
    host: String,
}

impl Stream for Capped {
    type Item = azure_core::Result<azure_core::Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.read > MAX_IDENTITY_ANSWER {
            return Poll::Ready(None);
        }
        let polled = Pin::new(&mut self.body).poll_next(cx);
        match polled {
            Poll::Ready(Some(Ok(chunk))) => {
                self.read += chunk.len() as u64;
                if self.read > MAX_IDENTITY_ANSWER {
                    let message = too_large(&self.host);
                    return Poll::Ready(Some(Err(azure_core::Error::with_message(
                        ErrorKind::Credential,
                        message,
                    ))));
                }
                Poll::Ready(Some(Ok(chunk)))
            }
            other => other,
        }
    }
}

/// Reads an answer's body, at most [`MAX_IDENTITY_ANSWER`] bytes; `endpoint` names it
/// in the error.
pub(super) async fn read_capped(
    mut response: reqwest::Response,
    endpoint: &str,
) -> Result<Vec<u8>, String> {
    if response
        .content_length()
        .is_some_and(|n| n > MAX_IDENTITY_ANSWER)
    {
        return Err(too_large(endpoint));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| format!("cannot read the answer of {endpoint}: {e}"))?
    {
        if (body.len() + chunk.len()) as u64 > MAX_IDENTITY_ANSWER {
            return Err(too_large(endpoint));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
