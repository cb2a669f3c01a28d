//! When to try an ARM request again, and how long to wait first.

use std::hash::BuildHasher;
use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;
use reqwest::StatusCode;

/// Longest wait between two tries when ARM gives no `Retry-After`.
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// Longest `Retry-After` honoured; a longer one fails the request (a gap) instead of
/// stalling the run.
pub(super) const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

/// Throttling (429), request timeouts (408) and server-side failures (5xx but 501/505).
pub(super) fn retryable(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 500 | 502 | 503 | 504)
}

/// The wait ARM asks for: `retry-after-ms`, `x-ms-retry-after-ms`, then `Retry-After`
/// in seconds or as an HTTP date.
pub(super) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    for name in ["retry-after-ms", "x-ms-retry-after-ms"] {
        if let Some(ms) = text(name).and_then(|v| v.parse::<u64>().ok()) {
            return Some(Duration::from_millis(ms));
        }
    }
    let value = text("retry-after")?;
    if let Ok(seconds) = value.parse::<f64>() {
        return (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = at.signed_duration_since(chrono::Utc::now());
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

/// The wait before retry number `retry` (0-based): the server's `Retry-After` plus a
/// little jitter, or exponential backoff from `base` with "equal jitter" (half fixed,
/// half random), so parallel requests do not retry in lockstep.
pub(super) fn delay(retry: u32, retry_after: Option<Duration>, base: Duration) -> Duration {
    match retry_after {
        Some(wait) => wait + wait.min(Duration::from_secs(1)).mul_f64(0.2 * jitter()),
        None => {
            let ceiling = base.saturating_mul(1u32 << retry.min(16)).min(MAX_BACKOFF);
            ceiling / 2 + (ceiling / 2).mul_f64(jitter())
        }
    }
}

/// A number in [0, 1) that differs between calls (not cryptographic).
fn jitter() -> f64 {
    let bits = std::collections::hash_map::RandomState::new().hash_one(Instant::now());
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        map
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(
            retry_after(&headers(&[("retry-after", "7")])),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            retry_after(&headers(&[("retry-after", "0.5")])),
            Some(Duration::from_millis(500))
        );
        assert_eq!(
            retry_after(&headers(&[
                ("retry-after", "3"),
                ("x-ms-retry-after-ms", "250")
            ])),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            retry_after(&headers(&[(
                "retry-after",
                "Wed, 21 Oct 2015 07:28:00 GMT"
            )])),
            Some(Duration::ZERO),
            "a date in the past means now"
        );
        let future = (chrono::Utc::now() + chrono::Duration::seconds(30)).to_rfc2822();
        let wait = retry_after(&headers(&[("retry-after", &future)])).unwrap();
        assert!(
            wait > Duration::from_secs(25) && wait <= Duration::from_secs(30),
            "{wait:?}"
        );
        assert_eq!(retry_after(&headers(&[("retry-after", "soon")])), None);
        assert_eq!(retry_after(&headers(&[])), None);
    }

    #[test]
    fn backoff_grows_with_jitter_and_is_capped() {
        let base = Duration::from_millis(100);
        for retry in 0..4 {
            let ceiling = base * (1 << retry);
            let d = delay(retry, None, base);
            assert!(d >= ceiling / 2 && d <= ceiling, "retry {retry}: {d:?}");
        }
        assert!(delay(30, None, base) <= MAX_BACKOFF);
        let honoured = delay(0, Some(Duration::from_secs(2)), base);
        assert!(
            honoured >= Duration::from_secs(2) && honoured <= Duration::from_millis(2200),
            "{honoured:?}"
        );
    }

    #[test]
    fn what_is_retried() {
        for code in [408, 429, 500, 502, 503, 504] {
            assert!(retryable(StatusCode::from_u16(code).unwrap()), "{code}");
        }
        for code in [400, 401, 403, 404, 409, 501] {
            assert!(!retryable(StatusCode::from_u16(code).unwrap()), "{code}");
        }
    }
}
