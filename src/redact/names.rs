//! Which names name a credential: header, query-parameter, variable, attribute and JSON
//! key names.
//!
//! A name is read as words, split at separators and at case changes, so that `x-api-key`,
//! `apiKey`, `API_KEY` and `XApiKey` read alike. It names a credential when its *last*
//! word does: `client_secret`, `db-password`, `accessToken`, `x-functions-key`, `pwd`.
//! When the last word is something else, the name is about a credential, not the
//! credential itself, and its value is kept: `password-policy`, `secretIdentifier`,
//! `tokenEndpoint`, `subscriptionKeyParameterNames`, `SharedAccessKeyName`, `keyVault`.
//!
//! Short words count only whole: `pass` names a password in `db-pass`, never in `bypass`
//! or `compass`; `pw`, `sas` likewise. Long ones also end compound words (`dbpassword`,
//! `clientsecret`, `accesstoken`). `key` needs a qualifier that makes it a credential
//! (`apiKey`, `instrumentationKey`, `primaryKey`), except in query strings and headers,
//! where `key` alone is one (`?key=`); `code` and `sig` count only there (Azure Functions
//! `?code=`, SAS `sig=`).

use std::cell::RefCell;

use rustc_hash::FxHashMap;

/// Where a name stands, which decides how `key`, `code` and `sig` read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Context {
    /// URL query parameters, form fields, connection-string parts and HTTP header names.
    Parameter = 0,
    /// JSON keys, ARM property names, policy attribute and variable names, C# identifiers.
    Key = 1,
}

/// Words that name a credential wherever they end the last word (`dbpassword`).
const ENDINGS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "credential",
    "creds",
    "signature",
    "cookie",
    "authorization",
    "connectionstring",
    "apikey",
    "pwd",
];

/// Qualifiers that make `token` a paging or concurrency marker, not a credential
/// (`$skipToken`, `continuationToken`, `nextPageToken`).
const PLAIN_TOKENS: &[&str] = &[
    "skip",
    "continuation",
    "page",
    "next",
    "nextpage",
    "sync",
    "cancellation",
    "resume",
    "paging",
];

/// Words that name a credential only as a whole word.
const WHOLE: &[&str] = &["pass", "pw", "sas", "cred"];

/// Qualifiers that make `key` a credential's name in any context (`api key`, `apikey`).
const SECRET_KEYS: &[&str] = &[
    "api",
    "subscription",
    "access",
    "account",
    "primary",
    "secondary",
    "instrumentation",
    "function",
    "functions",
    "host",
    "master",
    "private",
    "secret",
    "client",
    "signing",
    "encryption",
    "decryption",
    "sharedaccess",
    "storage",
    "app",
    "application",
    "auth",
    "admin",
    "sas",
    // The developer portal's delegation `validationKey` (signs delegated sign-ins).
    "validation",
];

/// Qualifiers that make `key` something else even in a query string or header
/// (`public-key`, `cache-key`, `Idempotency-Key`).
const PLAIN_KEYS: &[&str] = &[
    "public",
    "cache",
    "partition",
    "sort",
    "row",
    "routing",
    "idempotency",
    "lookup",
    "foreign",
    "counter",
    "correlation",
];

thread_local! {
    // Answers already worked out, per context: a snapshot repeats the same few hundred
    // names millions of times. Emptied when it grows past `REMEMBERED` names (a hostile
    // document may hold any number of distinct ones).
    static ANSWERS: RefCell<[FxHashMap<String, bool>; 2]> = RefCell::default();
}

/// How many names [`ANSWERS`] keeps per context.
const REMEMBERED: usize = 4096;

/// Whether `name` names a credential in `context`.
pub(crate) fn is_secret(name: &str, context: Context) -> bool {
    let slot = context as usize;
    if let Some(known) = ANSWERS.with(|a| a.borrow()[slot].get(name).copied()) {
        return known;
    }
    let answer = judge(name, context);
    ANSWERS.with(|a| {
        let map = &mut a.borrow_mut()[slot];
        if map.len() >= REMEMBERED {
            map.clear();
        }
        map.insert(name.to_string(), answer);
    });
    answer
}

/// Words that end the name of a stored value without saying what it holds: the stage,
/// version or generation it is for (`db-password-prod`, `api-key-v2`, `secret-old`).
const QUALIFIERS: &[&str] = &[
    "prod",
    "production",
    "prd",
    "dev",
    "development",
    "test",
    "tst",
    "qa",
    "uat",
    "stage",
    "staging",
    "stg",
    "preprod",
    "sandbox",
    "old",
    "new",
    "current",
    "previous",
    "backup",
    "temp",
    "tmp",
];

/// The word that makes the name of a stored value (an APIM named value, by its name or
/// display name) name a credential, if it does: its words are judged as a key's once
/// the words that only number, identify or qualify it are dropped from its end
/// (`Logger-Credentials-592f1174cc83`, `ClientSecret2`, `db-password-prod`, `api-key-v2`).
/// `bypass`, `passport` and `password-policy` name no credential.
pub(crate) fn credential_word(name: &str) -> Option<String> {
    if !maybe_secret(name) {
        return None;
    }
    let mut words = words(name);
    while words.len() > 1 && words.last().is_some_and(|w| is_qualifier(w)) {
        words.pop();
    }
    let last = words.last_mut()?;
    let stem = last.trim_end_matches(|c: char| c.is_ascii_digit());
    if !stem.is_empty() {
        last.truncate(stem.len());
    }
    judge_words(&words, Context::Key).then(|| words.last().cloned().unwrap_or_default())
}

/// Whether a word only numbers, identifies or qualifies what a name names: a number, a
/// version (`v2`), a hexadecimal id with a digit (`592f1174`), or a [`QUALIFIERS`] word.
fn is_qualifier(word: &str) -> bool {
    let stem = word.trim_end_matches(|c: char| c.is_ascii_digit());
    let hex_id =
        word.chars().all(|c| c.is_ascii_hexdigit()) && word.contains(|c: char| c.is_ascii_digit());
    stem.is_empty()
        || (stem == "v" && stem.len() < word.len())
        || hex_id
        || QUALIFIERS.contains(&word)
}

/// Whether `name` names a credential in `context`, worked out.
fn judge(name: &str, context: Context) -> bool {
    maybe_secret(name) && judge_words(&words(name), context)
}

/// Whether a name of `words` names a credential in `context`.
fn judge_words(words: &[String], context: Context) -> bool {
    let Some(last) = words.last() else {
        return false;
    };
    // Lists of credentials (`secrets`, `apiKeys`); `tokens` is more often a count or a
    // setting (`tokens-per-minute`, `require-signed-tokens`) than a list of tokens.
    let last = match last.strip_suffix('s') {
        Some(one) if !one.ends_with("token") && !one.ends_with('s') && one.len() >= 3 => one,
        _ => last,
    };
    let before = words.len().checked_sub(2).map(|i| words[i].as_str());
    if let Some(qualifier) = last.strip_suffix("token") {
        let qualifier = if qualifier.is_empty() {
            before.unwrap_or_default()
        } else {
            qualifier
        };
        if PLAIN_TOKENS.contains(&qualifier) {
            return false;
        }
    }
    if WHOLE.contains(&last) || ENDINGS.iter().any(|e| last.ends_with(e)) {
        return true;
    }
    if last == "string" && before == Some("connection") {
        return true;
    }
    if let Some(qualifier) = last.strip_suffix("key") {
        if !qualifier.is_empty() {
            return SECRET_KEYS.contains(&qualifier);
        }
        return match (before, context) {
            (Some(q), _) if SECRET_KEYS.contains(&q) => true,
            (Some(q), Context::Parameter) => !PLAIN_KEYS.contains(&q),
            (None, Context::Parameter) => true,
            _ => false,
        };
    }
    context == Context::Parameter && words.len() == 1 && matches!(last, "code" | "sig")
}

/// A cheap test that rules out most names before they are split into words.
fn maybe_secret(name: &str) -> bool {
    const STEMS: &[&str] = &[
        "pass", "pw", "secret", "token", "cred", "sas", "sig", "cookie", "auth", "conn", "key",
        "code",
    ];
    let lower = name.to_ascii_lowercase();
    STEMS.iter().any(|s| lower.contains(s))
}

/// The lower-case words of a name: split at every character that is not a letter or a
/// digit, before an upper-case letter that follows a lower-case one (`apiKey`), and
/// before the last of a run of capitals followed by a lower-case letter (`APIKey`).
fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut word = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            continue;
        }
        let previous = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1);
        let boundary = c.is_uppercase()
            && previous.is_some_and(|p| {
                p.is_lowercase()
                    || p.is_numeric()
                    || (p.is_uppercase() && next.is_some_and(|n| n.is_lowercase()))
            });
        if boundary && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        word.extend(c.to_lowercase());
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_into_words_whatever_their_style() {
        assert_eq!(words("x-api-key"), ["x", "api", "key"]);
        assert_eq!(words("apiKey"), ["api", "key"]);
        assert_eq!(words("APIKey"), ["api", "key"]);
        assert_eq!(words("API_KEY"), ["api", "key"]);
        assert_eq!(
            words("SharedAccessKeyName"),
            ["shared", "access", "key", "name"]
        );
        assert_eq!(
            words("Ocp-Apim-Subscription-Key"),
            ["ocp", "apim", "subscription", "key"]
        );
    }

    #[test]
    fn credentials_by_their_last_word() {
        for name in [
            "password",
            "Password",
            "db-password",
            "dbPassword",
            "passwd",
            "pwd",
            "user_pwd",
            "pass",
            "db-pass",
            "pw",
            "client_secret",
            "clientSecret",
            "client-secret",
            "x-ms-client-secret",
            "secret",
            "secrets",
            "apikey",
            "apiKey",
            "api_key",
            "x-api-key",
            "X-API-KEY",
            "XApiKey",
            "Ocp-Apim-Subscription-Key",
            "subscription-key",
            "x-functions-key",
            "instrumentationKey",
            "InstrumentationKey",
            "primaryKey",
            "AccountKey",
            "SharedAccessKey",
            "SharedAccessSignature",
            "access_token",
            "refresh_token",
            "accessToken",
            "sasToken",
            "token",
            "creds",
            "credentials",
            "sas",
            "connectionString",
            "ConnectionString",
            "Authorization",
            "Proxy-Authorization",
            "Cookie",
            "passphrase",
            "apiKeys",
        ] {
            assert!(is_secret(name, Context::Key), "{name}");
            assert!(is_secret(name, Context::Parameter), "{name}");
        }
    }

    #[test]
    fn names_about_credentials_are_not_credentials() {
        for name in [
            "password-policy",
            "passwordPolicy",
            "bypass",
            "compass",
            "passport",
            "secretIdentifier",
            "keyVault",
            "keyVaultId",
            "tokenEndpoint",
            "token_type",
            "subscriptionKeyParameterNames",
            "subscriptionKeyRequired",
            "SharedAccessKeyName",
            "IngestionEndpoint",
            "authorizationServerId",
            "api-version",
            "correlationid",
            "public-key",
            "partition-key",
            "counter-key",
            "monkey",
            "Idempotency-Key",
            "canvas",
            "kansas",
            "sv",
            "se",
            "name",
            "require-signed-tokens",
            "tokens-per-minute",
            "$skipToken",
            "continuationToken",
            "nextPageToken",
            "skiptoken",
        ] {
            assert!(!is_secret(name, Context::Key), "{name}");
            assert!(!is_secret(name, Context::Parameter), "{name}");
        }
    }

    #[test]
    fn stored_values_are_judged_without_their_ids_and_qualifiers() {
        for (name, word) in [
            ("password", "password"),
            ("api-key", "key"),
            ("ClientSecret2", "secret"),
            ("Logger-Credentials-592f1174cc83890dc4f32687", "credentials"),
            ("db-password-prod", "password"),
            ("orders-api-key-v2", "key"),
            ("backend-token-01", "token"),
            ("storage-account-key-1", "key"),
            ("clientkey", "clientkey"),
            ("sas", "sas"),
            ("pw2", "pw"),
        ] {
            assert_eq!(credential_word(name).as_deref(), Some(word), "{name}");
        }
        for name in [
            "bypass",
            "passport",
            "compass",
            "password-policy",
            "token-endpoint",
            "secret-name",
            "kansas",
            "environment",
            "592f1174cc83890dc4f32686",
            "key-vault-uri-2",
            "",
        ] {
            assert_eq!(credential_word(name), None, "{name}");
        }
    }

    #[test]
    fn key_code_and_sig_alone_are_credentials_only_as_parameters() {
        for name in ["key", "code", "sig", "Key", "SIG"] {
            assert!(is_secret(name, Context::Parameter), "{name}");
            assert!(!is_secret(name, Context::Key), "{name}");
        }
        assert!(is_secret("my-key", Context::Parameter));
        assert!(!is_secret("cacheKey", Context::Key));
        assert!(
            !is_secret("keys", Context::Key),
            "a JSON Web Key Set's public keys"
        );
        assert!(!is_secret("authorization_code", Context::Parameter));
        assert!(!is_secret("error-code", Context::Parameter));
    }
}
