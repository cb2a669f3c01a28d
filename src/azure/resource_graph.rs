//! Azure Resource Graph queries (`POST /providers/Microsoft.ResourceGraph/resources`):
//! the rows of one KQL query over many subscriptions, in batches of at most
//! [`MAX_SUBSCRIPTIONS_PER_QUERY`], every page (`$skipToken`), waiting when the
//! per-user quota (`x-ms-user-quota-remaining`) is spent until it resets
//! (`x-ms-user-quota-resets-after`).
//!
//! Rows are untrusted like any ARM answer: the caller checks every id it uses. A
//! truncated answer without a way on, a paging loop, a list longer than `--max-pages`,
//! or counts that contradict the rows (`count`, `totalRecords`) is an error, never a
//! shortened result.

use std::collections::HashSet;
use std::time::Duration;

use reqwest::header::HeaderMap;
use serde_json::{json, Value};

use super::arm::{ArmClient, ArmError};
use super::progress::Reporter;

/// The Resource Graph api-version.
pub const API_VERSION: &str = "2024-04-01";

/// Subscriptions named in one query (Resource Graph's documented batch).
pub const MAX_SUBSCRIPTIONS_PER_QUERY: usize = 1000;

/// Rows asked for per page (Resource Graph's largest `$top`).
const ROWS_PER_PAGE: u64 = 1000;

/// Longest wait for the query quota to reset; a longer `resets-after` waits this
/// long, and the query that follows is retried like any throttled request.
const MAX_QUOTA_WAIT: Duration = Duration::from_secs(300);

/// Every row `kql` finds in `subscriptions`.
pub async fn query(
    client: &ArmClient,
    subscriptions: &[String],
    kql: &str,
    reporter: &Reporter,
) -> Result<Vec<Value>, ArmError> {
    let url = client.url(
        "/providers/Microsoft.ResourceGraph/resources",
        API_VERSION,
        &[],
    )?;
    let max_pages = client.limits().max_pages;
    let mut rows = Vec::new();
    for batch in subscriptions.chunks(MAX_SUBSCRIPTIONS_PER_QUERY) {
        let mut skip_token: Option<String> = None;
        let mut seen = HashSet::new();
        let mut total: Option<u64> = None;
        let mut read: u64 = 0;
        for page in 1.. {
            if page > max_pages {
                return Err(ArmError::EndlessList { pages: max_pages });
            }
            let mut options = json!({"$top": ROWS_PER_PAGE, "resultFormat": "objectArray"});
            if let Some(token) = &skip_token {
                options["$skipToken"] = json!(token);
            }
            let body = json!({"subscriptions": batch, "query": kql, "options": options});
            let (mut answer, headers) = client.query(&url, &body).await?;
            let data = match answer.get_mut("data").map(Value::take) {
                Some(Value::Array(data)) => data,
                _ => return Err(malformed("a Resource Graph answer has no `data` array")),
            };
            let page_total = counted(&answer, &data, total)?;
            total = Some(page_total);
            read += data.len() as u64;
            if read > page_total {
                return Err(malformed(&format!(
                    "Resource Graph answered more rows ({read}) than its `totalRecords` ({page_total})"
                )));
            }
            let empty = data.is_empty();
            rows.extend(data);
            if let Some(wait) = quota_spent(&headers) {
                reporter.note(
                    1,
                    format_args!(
                        "Resource Graph query quota spent; waiting {:.1} s for it to reset",
                        wait.as_secs_f64()
                    ),
                );
                tokio::time::sleep(wait).await;
            }
            skip_token = match answer.get("$skipToken") {
                Some(Value::String(token)) if !token.is_empty() => {
                    if empty {
                        return Err(malformed(
                            "a Resource Graph answer gives a $skipToken with no rows (a paging loop)",
                        ));
                    }
                    if !seen.insert(token.clone()) {
                        return Err(malformed(
                            "a Resource Graph answer's $skipToken repeats an earlier one (a paging loop)",
                        ));
                    }
                    Some(token.clone())
                }
                _ if truncated(&answer) => {
                    return Err(malformed(
                        "a Resource Graph answer is truncated and gives no $skipToken to read on",
                    ))
                }
                _ if read < page_total => {
                    return Err(malformed(&format!(
                        "Resource Graph answered {read} rows of the {page_total} its `totalRecords` announces, and no $skipToken to read on"
                    )))
                }
                _ => None,
            };
            if skip_token.is_none() {
                break;
            }
        }
    }
    Ok(rows)
}

/// The page's `totalRecords`, checked: present, the same on every page of a batch
/// (`before`), and its `count` that of its rows, within the rows asked for.
fn counted(answer: &Value, data: &[Value], before: Option<u64>) -> Result<u64, ArmError> {
    let (Some(total), Some(count)) = (
        answer.get("totalRecords").and_then(Value::as_u64),
        answer.get("count").and_then(Value::as_u64),
    ) else {
        return Err(malformed(
            "a Resource Graph answer has no `totalRecords` or `count` (both always given)",
        ));
    };
    if count != data.len() as u64 || count > ROWS_PER_PAGE {
        return Err(malformed(&format!(
            "a Resource Graph answer's `count` ({count}) is not its number of rows ({}), or more than the {ROWS_PER_PAGE} asked for",
            data.len()
        )));
    }
    if before.is_some_and(|before| before != total) {
        return Err(malformed(
            "a Resource Graph answer's `totalRecords` changed from one page to the next",
        ));
    }
    Ok(total)
}

fn malformed(detail: &str) -> ArmError {
    ArmError::Malformed {
        detail: detail.to_string(),
    }
}

/// Whether the answer says it holds only part of the rows.
fn truncated(answer: &Value) -> bool {
    match answer.get("resultTruncated") {
        Some(Value::String(flag)) => flag.eq_ignore_ascii_case("true"),
        Some(Value::Bool(flag)) => *flag,
        _ => false,
    }
}

/// How long to wait when the answer says the user's query quota is spent.
fn quota_spent(headers: &HeaderMap) -> Option<Duration> {
    let text = |name: &str| headers.get(name)?.to_str().ok().map(str::trim);
    let remaining: u64 = text("x-ms-user-quota-remaining")?.parse().ok()?;
    if remaining > 0 {
        return None;
    }
    let reset = text("x-ms-user-quota-resets-after")
        .and_then(parse_hms)
        .unwrap_or(Duration::from_secs(1));
    Some(reset.min(MAX_QUOTA_WAIT))
}

/// `hh:mm:ss` (seconds may have a fraction), as Resource Graph writes `resets-after`.
fn parse_hms(text: &str) -> Option<Duration> {
    let mut parts = text.split(':');
    let (h, m, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let seconds = h.parse::<u64>().ok()? as f64 * 3600.0
        + m.parse::<u64>().ok()? as f64 * 60.0
        + s.parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s >= 0.0)?;
    Some(Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(remaining: &'static str, reset: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-ms-user-quota-remaining",
            HeaderValue::from_static(remaining),
        );
        headers.insert(
            "x-ms-user-quota-resets-after",
            HeaderValue::from_static(reset),
        );
        headers
    }

    #[test]
    fn a_spent_quota_waits_until_it_resets() {
        assert_eq!(quota_spent(&headers("3", "00:00:05")), None);
        assert_eq!(
            quota_spent(&headers("0", "00:00:05")),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            quota_spent(&headers("0", "00:01:02.5")),
            Some(Duration::from_millis(62_500))
        );
        assert_eq!(
            quota_spent(&headers("0", "99:00:00")),
            Some(MAX_QUOTA_WAIT),
            "capped"
        );
        assert_eq!(
            quota_spent(&headers("0", "soon")),
            Some(Duration::from_secs(1)),
            "an unreadable reset waits a little"
        );
        assert_eq!(quota_spent(&HeaderMap::new()), None);
    }

    #[test]
    fn truncation_is_read_in_both_spellings() {
        assert!(truncated(&json!({"resultTruncated": "true"})));
        assert!(truncated(&json!({"resultTruncated": true})));
        assert!(!truncated(&json!({"resultTruncated": "false"})));
        assert!(!truncated(&json!({})));
    }
}
