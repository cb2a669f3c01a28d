//! The resources the catalogue's actions write, validated: no text from a snapshot, a
//! journal or the command line becomes part of a request path before it is taken apart
//! against its resource type's template, name by name ([`Name`]).
//!
//! | action | template |
//! |---|---|
//! | `defender.enable_plan` | `/subscriptions/{subscription}/providers/Microsoft.Security/pricings/Api` |
//! | `defender.onboard_api`, `defender.offboard_api` | `/subscriptions/{subscription}/resourceGroups/{resourceGroup}/providers/Microsoft.ApiManagement/service/{service}/providers/Microsoft.Security/apiCollections/{api}` |
//!
//! [`check`] also holds every other field of a planned action a request or a label is
//! made from (subscription, service, API, key) to its target, and [`url`] checks the
//! final URL once more, after percent-encoding, right before it is sent: it must decode
//! back to exactly the template's segments, on the ARM endpoint, with no other query
//! than the api-version.

use std::fmt;

use reqwest::Url;

use super::catalogue::Action;
use super::plan::PlannedAction;
use crate::azure::arm::names::{shown, Name};
use crate::azure::ArmClient;

/// The template of an API Management service's id; the others extend it.
macro_rules! service_template {
    () => {
        "/subscriptions/{subscription}/resourceGroups/{resourceGroup}/providers/Microsoft.ApiManagement/service/{service}"
    };
}

/// An API Management service.
const SERVICE: &str = service_template!();
/// An API of a service.
const API: &str = concat!(service_template!(), "/apis/{api}");
/// The Defender for APIs collection of an API.
const COLLECTION: &str = concat!(
    service_template!(),
    "/providers/Microsoft.Security/apiCollections/{api}"
);
/// The Defender for APIs plan of a subscription.
const PLAN: &str = "/subscriptions/{subscription}/providers/Microsoft.Security/pricings/Api";

/// The name a template's `{placeholder}` segment stands for (`None`: a fixed segment,
/// which ARM compares without regard to case).
fn placeholder(segment: &str) -> Option<Name> {
    match segment {
        "{subscription}" => Some(Name::Subscription),
        "{resourceGroup}" => Some(Name::ResourceGroup),
        "{service}" => Some(Name::Service),
        "{api}" => Some(Name::Api),
        _ => None,
    }
}

/// Why a target (or a field that must agree with it) is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(String);

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// An API Management service, by its validated names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceId {
    /// Its subscription id.
    pub subscription: String,
    /// Its resource group.
    pub resource_group: String,
    /// Its name.
    pub name: String,
}

impl ServiceId {
    /// Parses a service's ARM id (`/subscriptions/…/providers/Microsoft.ApiManagement/service/NAME`).
    pub fn parse(id: &str) -> Result<ServiceId, Refused> {
        let [subscription, resource_group, name] = names(SERVICE, id)?;
        Ok(ServiceId {
            subscription,
            resource_group,
            name,
        })
    }

    /// Its ARM id, with the template's spelling of the fixed segments.
    pub fn path(&self) -> String {
        render(
            SERVICE,
            &[&self.subscription, &self.resource_group, &self.name],
        )
    }

    /// Whether `other` names the same service (ARM names ignore case).
    fn same(&self, other: &ServiceId) -> bool {
        self.subscription.eq_ignore_ascii_case(&other.subscription)
            && self
                .resource_group
                .eq_ignore_ascii_case(&other.resource_group)
            && self.name.eq_ignore_ascii_case(&other.name)
    }
}

/// What an action writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A subscription's Defender for APIs plan.
    Plan {
        /// The subscription id.
        subscription: String,
    },
    /// An API's Defender for APIs collection.
    Collection {
        /// The API's service.
        service: ServiceId,
        /// The API's name.
        api: String,
    },
}

impl Target {
    /// The plan of `subscription`.
    #[cfg(test)]
    pub fn plan(subscription: &str) -> Result<Target, Refused> {
        Name::Subscription.check(subscription).map_err(refused)?;
        Ok(Target::Plan {
            subscription: subscription.to_string(),
        })
    }

    /// The collection of API `api` of the service whose ARM id is `service`.
    #[cfg(test)]
    pub fn collection(service: &str, api: &str) -> Result<Target, Refused> {
        let service = ServiceId::parse(service)?;
        Name::Api.check(api).map_err(refused)?;
        Ok(Target::Collection {
            service,
            api: api.to_string(),
        })
    }

    /// Parses the target of `action` against its template.
    pub fn parse(action: Action, text: &str) -> Result<Target, Refused> {
        match action {
            Action::EnablePlan => {
                let [subscription] = names(PLAN, text)?;
                Ok(Target::Plan { subscription })
            }
            Action::OnboardApi | Action::OffboardApi => {
                let [subscription, resource_group, name, api] = names(COLLECTION, text)?;
                Ok(Target::Collection {
                    service: ServiceId {
                        subscription,
                        resource_group,
                        name,
                    },
                    api,
                })
            }
        }
    }

    /// Its ARM id, with the template's spelling of the fixed segments.
    pub fn path(&self) -> String {
        match self {
            Target::Plan { subscription } => render(PLAN, &[subscription]),
            Target::Collection { service, api } => render(
                COLLECTION,
                &[
                    &service.subscription,
                    &service.resource_group,
                    &service.name,
                    api,
                ],
            ),
        }
    }

    /// The subscription it is in.
    pub fn subscription(&self) -> &str {
        match self {
            Target::Plan { subscription } => subscription,
            Target::Collection { service, .. } => &service.subscription,
        }
    }

    /// The Defender for APIs plan of its subscription.
    pub fn subscription_plan(&self) -> Target {
        Target::Plan {
            subscription: self.subscription().to_string(),
        }
    }
}

/// Checks a planned action before anything is sent for it: its target against its
/// action's template, and every other field a request or a label is made from against
/// the target (subscription, service, API, key).
pub fn check(action: &PlannedAction) -> Result<Target, Refused> {
    let target = Target::parse(action.action, &action.target)?;
    if !action
        .subscription
        .eq_ignore_ascii_case(target.subscription())
    {
        return Err(Refused(format!(
            "its subscription `{}` is not the one of its target",
            shown(&action.subscription)
        )));
    }
    if action.key != PlannedAction::key_of(action.action, &action.target) {
        return Err(Refused(
            "its key is not the one its action and target make".to_string(),
        ));
    }
    match (&target, &action.service, &action.api) {
        (Target::Plan { .. }, None, None) => {}
        (Target::Plan { .. }, _, _) => {
            return Err(Refused(
                "it enables a subscription's plan, but names a service or an API".to_string(),
            ))
        }
        (Target::Collection { service, api }, Some(service_ref), Some(api_ref)) => {
            let named = ServiceId::parse(&service_ref.id)?;
            if !named.same(service) || !service_ref.name.eq_ignore_ascii_case(&service.name) {
                return Err(Refused(format!(
                    "its service `{}` ({}) is not the service of its target",
                    shown(&service_ref.id),
                    shown(&service_ref.name)
                )));
            }
            let [subscription, resource_group, name, api_name] = names(API, &api_ref.id)?;
            let same_api = api_ref.name == *api
                && api_name == *api
                && named.same(&ServiceId {
                    subscription,
                    resource_group,
                    name,
                });
            if !same_api {
                return Err(Refused(format!(
                    "its API `{}` ({}) is not the API of its target",
                    shown(&api_ref.id),
                    shown(&api_ref.name)
                )));
            }
        }
        (Target::Collection { .. }, _, _) => {
            return Err(Refused(
                "it acts on an API's collection, but does not name both the service and the API"
                    .to_string(),
            ))
        }
    }
    Ok(target)
}

/// The URL of `target` on `client`'s endpoint, checked after encoding: on the
/// endpoint, without user info or fragment, with no query but `api-version`, and a path
/// whose segments decode back to exactly the target's.
pub fn url(client: &ArmClient, target: &Target, api_version: &str) -> Result<Url, Refused> {
    let path = target.path();
    let url = client
        .url(&path, api_version, &[])
        .map_err(|e| Refused(format!("{e}, so it is not sent")))?;
    let endpoint = client.endpoint();
    let off = |what: &str| Refused(format!("its URL {what}, so it is not sent"));
    if url.scheme() != endpoint.scheme()
        || url.host_str() != endpoint.host_str()
        || url.port_or_known_default() != endpoint.port_or_known_default()
        || !url.username().is_empty()
        || url.password().is_some()
        || url.fragment().is_some()
    {
        return Err(off("leaves the ARM endpoint"));
    }
    if url.query_pairs().any(|(key, _)| key != "api-version") {
        return Err(off("carries another query than the api-version"));
    }
    let base = endpoint.path().trim_end_matches('/');
    let sent = url
        .path()
        .strip_prefix(base)
        .ok_or_else(|| off("is not under the endpoint's path"))?;
    let decoded = sent
        .split('/')
        .skip(1)
        .map(percent_decode)
        .collect::<Option<Vec<String>>>()
        .ok_or_else(|| off("has a segment that does not decode"))?;
    let expected: Vec<&str> = path.split('/').skip(1).collect();
    if !sent.starts_with('/') || decoded != expected {
        return Err(off("does not decode back to its target"));
    }
    Ok(url)
}

/// The names in `text` in the order of `template`'s placeholders, each checked.
fn names<const N: usize>(template: &str, text: &str) -> Result<[String; N], Refused> {
    let shape = || Refused(format!("`{}` is not {template}", shown(text)));
    let segments: Vec<&str> = match text.strip_prefix('/') {
        Some(rest) => rest.split('/').collect(),
        None => return Err(shape()),
    };
    if let Some(odd) = segments.iter().find(|s| matches!(**s, "" | "." | "..")) {
        return Err(Refused(format!(
            "`{}` has a{} segment, which would move the request elsewhere",
            shown(text),
            match *odd {
                "" => "n empty",
                "." => " `.`",
                _ => " `..`",
            }
        )));
    }
    let parts: Vec<&str> = template.split('/').skip(1).collect();
    if segments.len() != parts.len() {
        return Err(shape());
    }
    let mut found = Vec::with_capacity(N);
    for (part, segment) in parts.iter().zip(&segments) {
        match placeholder(part) {
            Some(name) => {
                name.check(segment).map_err(refused)?;
                found.push(segment.to_string());
            }
            None if part.eq_ignore_ascii_case(segment) => {}
            None => return Err(shape()),
        }
    }
    Ok(found.try_into().expect("the template has N placeholders"))
}

/// `template` with `names` in its placeholders, in order.
fn render(template: &str, names: &[&str]) -> String {
    let mut names = names.iter();
    let mut path = String::new();
    for part in template.split('/').skip(1) {
        path.push('/');
        match placeholder(part) {
            Some(_) => path.push_str(names.next().expect("a name per placeholder")),
            None => path.push_str(part),
        }
    }
    path
}

fn refused(error: impl fmt::Display) -> Refused {
    Refused(error.to_string())
}

/// A percent-encoded path segment, decoded (`None`: a broken escape or not UTF-8).
fn percent_decode(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'%' {
            let hex = segment
                .get(at + 1..at + 3)
                .filter(|h| h.chars().all(|c| c.is_ascii_hexdigit()))?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            at += 3;
        } else {
            out.push(bytes[at]);
            at += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests;
