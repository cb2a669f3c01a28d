//! Reading a large snapshot service by service.
//!
//! A big estate is one JSON document of hundreds of megabytes; holding it whole, once
//! as typed structs and once more as the policy engine's values, costs many times its
//! size. [`split`] cuts the text, in one pass and without copying it, into a small
//! *skeleton* (the document with every subscription's `services` emptied) and the
//! text of each service. Each piece is then validated ([`read_skeleton`],
//! [`read_service`]) and handed to the engine on its own, and dropped after use.
//!
//! Validating the pieces is the same as validating the document: the skeleton is
//! checked as a whole [`Snapshot`] (every field but the services) and each service as
//! a [`Service`]. Only the error *location* needs the whole text, so when a piece is
//! refused the caller reads the whole document with [`super::load_str`], which
//! reports the first problem with its line, column and JSON path.

use std::collections::HashMap;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::{AzureExemption, DataKind, Gap, Origin, Service, Snapshot, SourceKind};

/// A snapshot's text cut into its skeleton and its services.
#[derive(Debug)]
pub struct Pieces<'a> {
    /// The document with every subscription's `services` emptied, as JSON text.
    pub skeleton: String,
    /// Each subscription's services (same order as `subscriptions`), as slices of the text.
    pub services: Vec<Vec<&'a str>>,
}

/// What a report needs to know about a snapshot, without holding the snapshot.
#[derive(Debug, Clone)]
pub struct Digest {
    /// When the data was collected.
    pub collected_at: String,
    /// Where the data came from.
    pub source: SourceKind,
    /// Whether the collector read everything.
    pub complete: bool,
    /// What could not be read.
    pub gaps: Vec<Gap>,
    /// Subscriptions in the snapshot.
    pub subscriptions: usize,
    /// APIM services.
    pub services: usize,
    /// APIs.
    pub apis: usize,
    /// Declared origins (IaC snapshots) by lower-cased resource id; the first
    /// declaration in document order wins.
    pub origins: HashMap<String, Origin>,
    /// Kinds of data the snapshot's source cannot have (`source.unavailable`).
    pub unavailable: Vec<DataKind>,
    /// The Azure Policy exemptions of every subscription (`azureExemptions`).
    pub azure_exemptions: Vec<AzureExemption>,
}

/// What one service contributes to a [`Digest`].
#[derive(Debug, Clone, Default)]
pub struct ServiceDigest {
    /// Its APIs.
    pub apis: usize,
    /// Its resources' declared origins, lower-cased id first, in document order.
    pub origins: Vec<(String, Origin)>,
}

impl ServiceDigest {
    /// The digest of a typed service.
    pub fn of(svc: &Service) -> Self {
        let mut origins = Vec::new();
        let mut add = |id: &str, origin: &Option<Origin>| {
            if let Some(o) = origin {
                origins.push((id.to_lowercase(), o.clone()));
            }
        };
        add(&svc.id, &svc.origin);
        for api in &svc.apis {
            add(&api.id, &api.origin);
            for op in &api.operations {
                add(&format!("{}/operations/{}", api.id, op.name), &op.origin);
            }
        }
        for g in &svc.gateways {
            add(&g.id, &g.origin);
        }
        for w in &svc.workspaces {
            add(&w.id, &w.origin);
        }
        for product in &svc.products {
            add(&product.id, &product.origin);
        }
        for r in svc
            .apim_subscriptions
            .iter()
            .chain(&svc.backends)
            .chain(&svc.named_values)
        {
            add(&r.id, &r.origin);
        }
        ServiceDigest {
            apis: svc.apis.len(),
            origins,
        }
    }
}

impl Digest {
    /// The digest of a whole typed snapshot.
    pub fn of(snapshot: &Snapshot) -> Self {
        let mut digest = Digest::of_skeleton(snapshot);
        for svc in snapshot.subscriptions.iter().flat_map(|s| &s.services) {
            digest.add_service(ServiceDigest::of(svc));
        }
        digest
    }

    /// The digest of a snapshot's skeleton (services are added with [`Digest::add_service`]).
    pub fn of_skeleton(skeleton: &Snapshot) -> Self {
        // The Defender plan is declared per subscription (in the skeleton); the
        // services' origins follow in document order.
        let mut origins = HashMap::new();
        for sub in &skeleton.subscriptions {
            let api_plan = sub
                .defender_for_apis
                .as_ref()
                .and_then(|p| p.origin.as_ref());
            let cspm = sub.defender_cspm.as_ref().and_then(|p| p.origin.as_ref());
            if let Some(o) = api_plan.or(cspm) {
                origins
                    .entry(format!("/subscriptions/{}", sub.subscription_id).to_lowercase())
                    .or_insert_with(|| o.clone());
            }
        }
        Digest {
            collected_at: skeleton.collected_at.clone(),
            source: skeleton.source.kind,
            complete: skeleton.complete,
            gaps: skeleton.gaps.clone(),
            subscriptions: skeleton.subscriptions.len(),
            services: 0,
            apis: 0,
            origins,
            unavailable: skeleton.source.unavailable.clone(),
            azure_exemptions: skeleton
                .subscriptions
                .iter()
                .flat_map(|s| s.azure_exemptions.iter().flatten())
                .cloned()
                .collect(),
        }
    }

    /// Adds the next service, in document order.
    pub fn add_service(&mut self, service: ServiceDigest) {
        self.services += 1;
        self.apis += service.apis;
        for (id, origin) in service.origins {
            self.origins.entry(id).or_insert(origin);
        }
    }
}

/// Cuts snapshot text into its skeleton and services, in one pass.
///
/// `None` when the text does not have the snapshot's outline: not JSON, not an object,
/// `subscriptions` or a `services` that is not an array of objects, a key given twice.
/// Read such a document whole ([`super::load_str`]): it reports what is wrong.
pub fn split(text: &str) -> Option<Pieces<'_>> {
    let mut de = serde_json::Deserializer::from_str(text);
    let outline = de.deserialize_map(document()).ok()?;
    de.end().ok()?;
    let mut skeleton = String::with_capacity(4096);
    push_object(&mut skeleton, &outline, |out, subscriptions| {
        out.push('[');
        for (j, sub) in subscriptions.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            push_object(out, sub, |out, _| out.push_str("[]"));
        }
        out.push(']');
    });
    let services = outline
        .cut
        .into_iter()
        .map(|s| s.cut.into_iter().map(RawValue::get).collect())
        .collect();
    Some(Pieces { skeleton, services })
}

/// Validates the skeleton as a snapshot (everything but the services); `None` when it is
/// refused (read the whole document for the located error).
pub fn read_skeleton(name: &str, pieces: &Pieces) -> Option<Snapshot> {
    let snapshot = super::load_str(name, &pieces.skeleton).ok()?;
    // The typed view must see exactly the subscriptions that were cut out.
    (snapshot.subscriptions.len() == pieces.services.len()
        && snapshot.subscriptions.iter().all(|s| s.services.is_empty()))
    .then_some(snapshot)
}

/// Validates one service's text; `None` when it is refused (read the whole document for
/// the located error).
pub fn read_service(text: &str) -> Option<ServiceDigest> {
    serde_json::from_str::<Service>(text)
        .ok()
        .map(|svc| ServiceDigest::of(&svc))
}

fn push_key(out: &mut String, key: &str) {
    out.push_str(&serde_json::to_string(key).expect("a string always serializes"));
    out.push(':');
}

/// Writes an object with its fields in order, the cut-out one written by `push_cut`.
fn push_object<T>(out: &mut String, object: &Cut<T>, push_cut: impl Fn(&mut String, &T)) {
    out.push('{');
    for (i, (key, raw)) in object.fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_key(out, key);
        match raw {
            Some(raw) => out.push_str(raw.get()),
            None => push_cut(out, &object.cut),
        }
    }
    out.push('}');
}

/// An object's fields in order, one of which (its value `None`) was cut out and read
/// into `cut`.
struct Cut<'a, T> {
    fields: Vec<(String, Option<&'a RawValue>)>,
    cut: T,
}

/// Reads the document: `subscriptions` cut out, each with its `services` cut out.
fn document() -> CutObject<Seq<CutObject<Services>>> {
    CutObject {
        what: "a snapshot object",
        key: "subscriptions",
        seed: Seq {
            what: "an array of subscriptions",
            item: CutObject {
                what: "a subscription object",
                key: "services",
                seed: Services,
            },
        },
    }
}

/// Reads an object (`what`, for errors) and the value of its field `key` with `seed`; a
/// key given twice is refused.
#[derive(Clone, Copy)]
struct CutObject<S> {
    what: &'static str,
    key: &'static str,
    seed: S,
}

impl<'de, S> DeserializeSeed<'de> for CutObject<S>
where
    S: DeserializeSeed<'de> + Copy,
    S::Value: Default,
{
    type Value = Cut<'de, S::Value>;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Self::Value, D::Error> {
        de.deserialize_map(self)
    }
}

impl<'de, S> Visitor<'de> for CutObject<S>
where
    S: DeserializeSeed<'de> + Copy,
    S::Value: Default,
{
    type Value = Cut<'de, S::Value>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.what)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields: Vec<(String, Option<&'de RawValue>)> = Vec::new();
        let mut cut = S::Value::default();
        while let Some(key) = map.next_key::<String>()? {
            if fields.iter().any(|(k, _)| *k == key) {
                return Err(A::Error::custom("duplicate key"));
            }
            if key == self.key {
                cut = map.next_value_seed(self.seed)?;
                fields.push((key, None));
            } else {
                fields.push((key, Some(map.next_value()?)));
            }
        }
        Ok(Cut { fields, cut })
    }
}

/// Reads an array (`what`, for errors) whose items `item` reads.
#[derive(Clone, Copy)]
struct Seq<S> {
    what: &'static str,
    item: S,
}

impl<'de, S: DeserializeSeed<'de> + Copy> DeserializeSeed<'de> for Seq<S> {
    type Value = Vec<S::Value>;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Self::Value, D::Error> {
        de.deserialize_seq(self)
    }
}

impl<'de, S: DeserializeSeed<'de> + Copy> Visitor<'de> for Seq<S> {
    type Value = Vec<S::Value>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.what)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self.item)? {
            items.push(item);
        }
        Ok(items)
    }
}

/// A subscription's `services`: the raw text of each, which must be an object.
#[derive(Clone, Copy)]
struct Services;

impl<'de> DeserializeSeed<'de> for Services {
    type Value = Vec<&'de RawValue>;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Self::Value, D::Error> {
        let services = Vec::<&'de RawValue>::deserialize(de)?;
        if services.iter().all(|s| s.get().starts_with('{')) {
            Ok(services)
        } else {
            Err(D::Error::custom("a service is not an object"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skeleton_keeps_every_field_but_the_services() {
        let text = r#"{"a": 1, "subscriptions": [{"x": {"y": [1, 2]}, "services": [{"id": "s1"}, {"id": "s2"}], "z": null}, {"services": []}], "b\"": "c"}"#;
        let pieces = split(text).unwrap();
        assert_eq!(
            pieces.skeleton,
            r#"{"a":1,"subscriptions":[{"x":{"y": [1, 2]},"services":[],"z":null},{"services":[]}],"b\"":"c"}"#
        );
        assert_eq!(
            pieces.services,
            vec![vec![r#"{"id": "s1"}"#, r#"{"id": "s2"}"#], vec![]]
        );
    }

    #[test]
    fn documents_without_the_outline_are_not_split() {
        for text in [
            "[]",
            "{",
            r#"{"subscriptions": {}}"#,
            r#"{"subscriptions": [1]}"#,
            r#"{"subscriptions": [{"services": {}}]}"#,
            r#"{"subscriptions": [{"services": [1]}]}"#,
            r#"{"subscriptions": [], "subscriptions": []}"#,
            r#"{"subscriptions": [{"services": [], "services": []}]}"#,
            r#"{"a": 1} trailing"#,
        ] {
            assert!(split(text).is_none(), "{text}");
        }
    }

    #[test]
    fn pieces_validate_like_the_whole_document() {
        let snapshot = crate::synthetic::estate(120, 5);
        let text = serde_json::to_string(&snapshot).unwrap();
        let pieces = split(&text).unwrap();
        let skeleton = read_skeleton("s.json", &pieces).unwrap();
        let mut digest = Digest::of_skeleton(&skeleton);
        for svc in pieces.services.iter().flatten() {
            digest.add_service(read_service(svc).unwrap());
        }
        let whole = Digest::of(&snapshot);
        assert_eq!(
            (digest.subscriptions, digest.services, digest.apis),
            (whole.subscriptions, whole.services, whole.apis)
        );
        assert!(read_service(r#"{"id": "x"}"#).is_none());
    }
}
