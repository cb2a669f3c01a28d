//! ARM's naming rules for the names apimguard puts into request paths (subscription
//! ids, resource groups, API Management services, APIs), as Microsoft documents them
//! (<https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules>),
//! kept narrow where a wider rule could carry a path separator: no `/`, `\`, `%`, `?`,
//! `#`, no `.` or `..` segment, no control or whitespace character but an inner space,
//! and no non-ASCII character that is not a letter or a digit (a full-width solidus or
//! dot, say). A name that passes can be percent-encoded into one path segment and
//! decoded back to itself, and never to a separator.

use std::fmt;

/// A kind of name in an ARM path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Name {
    /// A subscription id: a GUID.
    Subscription,
    /// A resource group: 1–90 letters, digits, `-_.()`, not ending with `.`.
    ResourceGroup,
    /// An API Management service: 1–50 ASCII letters, digits and hyphens, starting
    /// with a letter and ending with a letter or digit.
    Service,
    /// An API (its id in the service): 1–256 letters, digits, spaces and `-_.~!$'(),=@`,
    /// neither starting nor ending with `.` or a space, then optionally a revision
    /// `;rev=N`.
    Api,
    /// A management group id: 1–90 ASCII letters, digits and `-_.()`, not ending with `.`.
    ManagementGroup,
}

impl Name {
    /// What the name is, in words.
    pub fn what(self) -> &'static str {
        match self {
            Name::Subscription => "subscription id",
            Name::ResourceGroup => "resource group name",
            Name::Service => "API Management service name",
            Name::Api => "API name",
            Name::ManagementGroup => "management group id",
        }
    }

    /// The rule, in words (for help texts and errors).
    pub fn rule(self) -> &'static str {
        match self {
            Name::Subscription => "a GUID such as 00000000-0000-0000-0000-000000000000",
            Name::ResourceGroup => "1 to 90 letters, digits and - _ . ( ), not ending with .",
            Name::Service => "1 to 50 ASCII letters, digits and hyphens, starting with a letter and ending with a letter or digit",
            Name::Api => "1 to 256 letters, digits, inner spaces and - _ . ~ ! $ ' ( ) , = @, not starting or ending with . or a space, optionally followed by ;rev=N",
            Name::ManagementGroup => "1 to 90 ASCII letters, digits and - _ . ( ), not ending with .",
        }
    }

    /// Checks `value` against the rule; the error says what is wrong.
    pub fn check(self, value: &str) -> Result<(), BadName> {
        let verdict = match self {
            Name::Subscription => subscription(value),
            Name::ResourceGroup => resource_group(value),
            Name::Service => service(value),
            Name::Api => api(value),
            Name::ManagementGroup => management_group(value),
        };
        verdict.map_err(|problem| BadName {
            name: self,
            value: shown(value),
            problem,
        })
    }
}

/// A name that breaks its rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadName {
    /// The kind of name.
    pub name: Name,
    /// The value, escaped and clipped for display.
    pub value: String,
    /// What is wrong with it.
    pub problem: String,
}

impl fmt::Display for BadName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a valid {}: {} (allowed: {})",
            self.value,
            self.name.what(),
            self.problem,
            self.name.rule()
        )
    }
}

impl std::error::Error for BadName {}

/// `text` as an error may show it: control characters and quotes escaped, at most
/// 300 characters (an ARM id of the catalogue is shown whole).
pub fn shown(text: &str) -> String {
    const MAX: usize = 300;
    let mut out: String = text
        .chars()
        .take(MAX)
        .flat_map(char::escape_debug)
        .collect();
    if text.chars().nth(MAX).is_some() {
        out.push('…');
    }
    out
}

/// Checks every segment of a request path (`/subscriptions/…/apis/echo`) that apimguard
/// builds from ARM's answers: none may be empty, `.` or `..`, or hold a character no ARM
/// name of the kinds read has (a separator, `%`, `?`, `#`, a control character, a
/// look-alike of `/` or `.`), so that the path reaches exactly the resource named.
pub fn check_path(path: &str) -> Result<(), String> {
    let Some(rest) = path.strip_prefix('/') else {
        return Err(format!("`{}` does not start with `/`", shown(path)));
    };
    for segment in rest.split('/') {
        let problem = match segment {
            "" => Err("it is empty".to_string()),
            "." | ".." => Err("it climbs out of its place".to_string()),
            _ => length(segment, 260).and_then(|()| {
                first_refused(segment, |c| {
                    c.is_ascii_alphanumeric()
                        || "-_.~!$'(),=@; ".contains(c)
                        || (!c.is_ascii() && c.is_alphanumeric())
                })
            }),
        };
        if let Err(problem) = problem {
            return Err(format!(
                "has a segment `{}` that no ARM name can be: {problem}",
                shown(segment)
            ));
        }
        if segment.starts_with(' ') || segment.ends_with(' ') {
            return Err(format!(
                "has a segment `{}` that starts or ends with a space",
                shown(segment)
            ));
        }
    }
    Ok(())
}

/// Checks that `id`, read from the list `{parent}/{collection}`, names a direct child
/// of it (`{parent}/{collection}/{name}`, fixed parts in any case): the reads that follow
/// use it as a path, and an answer must not steer them to another resource.
pub fn check_child(parent: &str, collection: &str, id: &str) -> Result<(), String> {
    let under = format!("{parent}/{collection}/");
    let name = id
        .get(..under.len())
        .filter(|head| head.eq_ignore_ascii_case(&under))
        .map(|_| &id[under.len()..]);
    match name {
        Some(name) if !name.is_empty() && !name.contains('/') => Ok(()),
        _ => Err(format!(
            "its id `{}` is not that of an item of {under}…, so it was not read",
            shown(id)
        )),
    }
}

/// Checks that `id`, read from a list of API Management services of `subscription`, is
/// `/subscriptions/{subscription}/resourceGroups/{rg}/providers/Microsoft.ApiManagement/service/{name}`
/// with valid names (fixed parts in any case): every read of the service starts there.
pub fn check_service_id(subscription: &str, id: &str) -> Result<(), String> {
    let parts: Vec<&str> = id.split('/').collect();
    let fixed = [
        (1, "subscriptions"),
        (2, subscription),
        (3, "resourceGroups"),
        (5, "providers"),
        (6, "Microsoft.ApiManagement"),
        (7, "service"),
    ];
    let shaped = parts.len() == 9
        && parts[0].is_empty()
        && fixed
            .iter()
            .all(|(at, part)| parts[*at].eq_ignore_ascii_case(part));
    if !shaped {
        return Err(format!(
            "its id `{}` is not that of a service of subscription {subscription}, so it was not read",
            shown(id)
        ));
    }
    Name::ResourceGroup
        .check(parts[4])
        .and_then(|()| Name::Service.check(parts[8]))
        .map_err(|bad| format!("its id `{}` holds {bad}, so it was not read", shown(id)))
}

/// The first character of `value` that `allowed` refuses, as a problem.
fn first_refused(value: &str, allowed: impl Fn(char) -> bool) -> Result<(), String> {
    match value.chars().enumerate().find(|(_, c)| !allowed(*c)) {
        None => Ok(()),
        Some((at, c)) => Err(format!(
            "character {} (`{}`) is not allowed",
            at + 1,
            c.escape_debug()
        )),
    }
}

fn length(value: &str, max: usize) -> Result<(), String> {
    match value.chars().count() {
        0 => Err("it is empty".to_string()),
        n if n > max => Err(format!("it is {n} characters long, more than {max}")),
        _ => Ok(()),
    }
}

fn subscription(value: &str) -> Result<(), String> {
    let groups: Vec<&str> = value.split('-').collect();
    let shape = groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()));
    if shape {
        Ok(())
    } else {
        Err("it is not a GUID".to_string())
    }
}

fn resource_group(value: &str) -> Result<(), String> {
    length(value, 90)?;
    first_refused(value, |c| c.is_alphanumeric() || "-_.()".contains(c))?;
    if value.ends_with('.') {
        return Err("it ends with `.`".to_string());
    }
    Ok(())
}

fn management_group(value: &str) -> Result<(), String> {
    length(value, 90)?;
    first_refused(value, |c| c.is_ascii_alphanumeric() || "-_.()".contains(c))?;
    if value.ends_with('.') {
        return Err("it ends with `.`".to_string());
    }
    Ok(())
}

fn service(value: &str) -> Result<(), String> {
    length(value, 50)?;
    first_refused(value, |c| c.is_ascii_alphanumeric() || c == '-')?;
    if !value.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Err("it does not start with a letter".to_string());
    }
    if value.ends_with('-') {
        return Err("it ends with `-`".to_string());
    }
    Ok(())
}

fn api(value: &str) -> Result<(), String> {
    let base = match value.split_once(';') {
        Some((base, revision)) => {
            let number = revision.strip_prefix("rev=").unwrap_or_default();
            if !(1..=9).contains(&number.len()) || !number.chars().all(|c| c.is_ascii_digit()) {
                return Err("`;` may only start a revision suffix `;rev=N`".to_string());
            }
            base
        }
        None => value,
    };
    length(base, 256)?;
    first_refused(base, |c| {
        c.is_ascii_alphanumeric()
            || "-_.~!$'(),=@ ".contains(c)
            || (!c.is_ascii() && c.is_alphanumeric())
    })?;
    for edge in ['.', ' '] {
        if base.starts_with(edge) || base.ends_with(edge) {
            return Err(format!("it starts or ends with `{edge}`"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_pass() {
        for (name, value) in [
            (Name::Subscription, "11111111-1111-4111-8111-111111111111"),
            (Name::Subscription, "ABCDEF01-2345-6789-abcd-ef0123456789"),
            (Name::ResourceGroup, "rg-apim"),
            (Name::ResourceGroup, "My_RG.(prod)"),
            (Name::ResourceGroup, "..rg"),
            (Name::ResourceGroup, "ресурсы"),
            (Name::Service, "contoso"),
            (Name::Service, "a"),
            (Name::Service, "apim-prod-01"),
            (Name::Api, "echo-api"),
            (Name::Api, "5a7390baa5816a110435aee0"),
            (Name::Api, "echo-api;rev=2"),
            (Name::Api, "a b"),
            (Name::Api, "v1.0"),
            (Name::Api, "Ünïcödé-api"),
        ] {
            assert_eq!(name.check(value), Ok(()), "{name:?} {value}");
        }
    }

    #[test]
    fn listed_ids_must_be_children_of_their_list() {
        let service =
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/a";
        assert_eq!(
            check_child(service, "apis", &format!("{service}/apis/echo")),
            Ok(())
        );
        let lower = format!("{service}/APIS/echo").to_lowercase();
        assert_eq!(check_child(service, "apis", &lower), Ok(()));
        for bad in [
            format!("{service}/apis/"),
            format!("{service}/apis/echo/operations/x"),
            format!("{service}/apis"),
            service.replace("/a", "/b") + "/apis/echo",
            "/subscriptions/other/apis/echo".to_string(),
            "é".repeat(200),
            String::new(),
        ] {
            assert!(check_child(service, "apis", &bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn request_paths_keep_every_segment_in_its_place() {
        for good in [
            "/subscriptions",
            "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/My_RG.(prod)/providers/Microsoft.ApiManagement/service/contoso/apis/echo-api;rev=2/operations/get-x/policies/policy",
            "/x/Ünïcödé api",
        ] {
            assert_eq!(check_path(good), Ok(()), "{good}");
        }
        for bad in [
            "subscriptions",
            "/subscriptions/",
            "/a//b",
            "/a/../../rg-x",
            "/a/./b",
            "/a/%2e%2e/b",
            "/a/..%2Fb",
            "/a/b?c",
            "/a/b#c",
            "/a/b\\c",
            "/a/b\u{0}",
            "/a/\u{ff0e}\u{ff0e}/b",
            "/a/b\u{2215}c",
            "/a/ b",
            "/a/b:c",
        ] {
            let bad = bad.replace("\\u{0}", "\u{0}");
            assert!(check_path(&bad).is_err(), "{bad:?} passed");
        }
    }

    #[test]
    fn names_that_could_leave_their_segment_are_refused() {
        let api = [
            "../../../../../../../../rg-x",
            "..",
            ".",
            "..;rev=1",
            "a/b",
            "a\\b",
            "%2e%2e",
            "%2E%2E%2Frg-x",
            "..%2Frg-x",
            "a%252Fb",
            "a?b",
            "a#b",
            "a;b",
            "a;rev=",
            "a;rev=1/..",
            "a;rev=x",
            "a\u{0}b",
            "a\nb",
            "a\tb",
            " a",
            "a ",
            "a.",
            ".a",
            "a\u{ff0f}b",
            "\u{ff0e}\u{ff0e}",
            "a\u{2215}b",
            "a*b",
            "a&b",
            "a+b",
            "a:b",
            "a<b",
            "",
        ];
        for value in api {
            assert!(Name::Api.check(value).is_err(), "API {value:?} passed");
        }
        assert!(Name::Api.check(&"a".repeat(257)).is_err());
        for value in ["..", ".", "rg/x", "rg%2Fx", "rg.", "", "r g", "rg\\x"] {
            assert!(
                Name::ResourceGroup.check(value).is_err(),
                "resource group {value:?} passed"
            );
        }
        assert!(Name::ResourceGroup.check(&"r".repeat(91)).is_err());
        for value in [
            "1contoso", "contoso-", "con.toso", "con_toso", "..", "", "c/x",
        ] {
            assert!(
                Name::Service.check(value).is_err(),
                "service {value:?} passed"
            );
        }
        for value in [
            "s",
            "..",
            "11111111-1111-4111-8111-11111111111g",
            "11111111111141118111111111111111",
        ] {
            assert!(
                Name::Subscription.check(value).is_err(),
                "subscription {value:?} passed"
            );
        }
    }

    #[test]
    fn errors_escape_and_clip_what_they_show() {
        let error = Name::Api.check("a\u{1b}[31mb").unwrap_err().to_string();
        assert!(!error.contains('\u{1b}'), "{error}");
        assert!(error.contains("character 2"), "{error}");
        let long = Name::Api.check(&"x/".repeat(1000)).unwrap_err().to_string();
        assert!(long.len() < 900, "{long}");
    }
}
