//! `collect --since PREVIOUS`: read again only what changed since a previous snapshot.
//!
//! Per subscription, the activity log's `Microsoft.ApiManagement` events since the
//! previous collection (less [`SAFETY_MARGIN`]) name the services that were written to;
//! those, and services that are new, are read in full. Every other service is carried
//! over from the previous snapshot, with what changes without an ARM write read again
//! (the service resource, its gateway load and APIM subscriptions; see
//! [`super::apim::refresh_service`]), and Defender posture is read again for the whole
//! subscription, as always. Deleted services are gone from the service list, so from the
//! snapshot.
//!
//! Fail closed: a part is read in full whenever the log cannot vouch for it — another
//! tool or schema version, source, cloud, endpoint or scope (everything); a collection
//! time that does not parse, lies in the future or is beyond the log's retention
//! (everything); a subscription whose log cannot be read, that is new, or has a gap, or an
//! event not about a service (that subscription); a service with the direct management
//! API enabled (or not known to be off), older than `--max-age`, with a gap, or whose
//! carried-over record is not valid (that service). Each such part is recorded with its
//! reason in the snapshot's `incremental.readInFull`, each service carried over in
//! `incremental.carriedOver` with when it was last read.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use serde_json::{Map, Value};

use super::activity_log;
use super::apim::offers_tenant_access;
use super::ids::is_within;
use super::Ctx;
use crate::azure::arm::names::shown;
use crate::azure::{Cloud, Reporter};
use crate::snapshot::{
    self, CarriedService, FullRead, Incremental, Service, Snapshot, SnapshotError, SourceKind,
    SCHEMA_MINOR,
};

/// How long before the previous collection the activity-log window starts: an event
/// reaches the log minutes after its write (Microsoft's ingestion-time figures for the
/// activity log are a few minutes, at worst about 20), and a write made while the previous
/// collection ran may not have been seen by it. 30 minutes covers both, at the cost of
/// re-reading what changed in those minutes twice.
pub const SAFETY_MARGIN: TimeDelta = TimeDelta::minutes(30);

/// How long the activity log keeps events: a window that starts earlier cannot be read.
pub const RETENTION: TimeDelta = TimeDelta::days(90);

/// How far in the future a previous collection time may lie (clocks differ a little).
const CLOCK_SKEW: TimeDelta = TimeDelta::minutes(5);

/// Kinds of gap whose data every run reads again anyway (Defender posture).
const ALWAYS_READ: [&str; 6] = [
    "defenderForApis",
    "apiCollections",
    "assessments",
    "assessmentMetadata",
    "alerts",
    "azureExemptions",
];

/// The previous snapshot of `collect --since` and how old its data may grow.
#[derive(Debug)]
pub struct Since {
    previous: Snapshot,
    max_age: Duration,
}

impl Since {
    /// Collect from `previous` (read with [`load_previous`]), reading in full every
    /// service whose data is older than `max_age`.
    pub fn new(previous: Snapshot, max_age: Duration) -> Since {
        Since { previous, max_age }
    }
}

/// Reads the previous snapshot of `collect --since` as `check` reads any snapshot:
/// within the size cap, validated against the schema, and redacted again.
pub fn load_previous(path: &Path) -> Result<Snapshot, SnapshotError> {
    let mut previous = snapshot::load(path)?.snapshot;
    crate::redact::snapshot(&mut previous);
    Ok(previous)
}

/// What one run may carry over, and the record of what it did.
pub(crate) struct Plan {
    now: DateTime<Utc>,
    max_age: Duration,
    /// The start of the activity-log window, or why everything is read.
    window: Result<DateTime<Utc>, String>,
    /// The previous snapshot's services, by lower-cased id.
    prior: Mutex<HashMap<String, Prior>>,
    /// The previous snapshot's subscriptions (lower-cased), each with why it is read in
    /// full (a gap in it), if so.
    subscriptions: HashMap<String, Option<String>>,
    record: Mutex<Incremental>,
}

/// A service of the previous snapshot.
struct Prior {
    service: Service,
    /// When its data was read, or why its carried-over record is not trusted.
    read_at: Result<DateTime<Utc>, String>,
    /// A gap the previous snapshot records in it.
    gap: Option<String>,
}

/// What the activity log says of one subscription.
pub(crate) struct Changes {
    /// Why every service of the subscription is read, if so.
    whole: Option<String>,
    /// The services written to (lower-cased ids): how many events, and the first one's
    /// operation.
    touched: HashMap<String, (usize, String)>,
}

impl Plan {
    /// The plan of a run at `now` from `since`, for a collection whose source details
    /// (scope, endpoint, collector) are `details`.
    pub fn new(
        since: Since,
        now: DateTime<Utc>,
        details: &Map<String, Value>,
        cloud: Cloud,
        reporter: &Reporter,
    ) -> Plan {
        let Since { previous, max_age } = since;
        let mut plan = Plan {
            now,
            max_age,
            window: Err(String::new()),
            prior: Mutex::new(HashMap::new()),
            subscriptions: HashMap::new(),
            record: Mutex::new(Incremental {
                since: previous.collected_at.clone(),
                ..Incremental::default()
            }),
        };
        plan.window = plan.start(&previous, details, cloud);
        match &plan.window {
            Ok(from) => {
                plan.record_mut().activity_log_from = Some(time(*from));
                reporter.note(
                    1,
                    format_args!(
                        "collect --since: reading the activity log from {}",
                        time(*from)
                    ),
                );
            }
            Err(reason) => {
                reporter.note(
                    0,
                    format_args!("collect --since: reading everything: {reason}"),
                );
                plan.read_in_full("/", reason.clone());
                return plan;
            }
        }
        let mut prior = HashMap::new();
        for subscription in previous.subscriptions {
            // A gap of the subscription's own (not of one of its services) means the whole
            // subscription is read.
            let scope = subscription_scope(&subscription.subscription_id);
            let own = previous.gaps.iter().filter(|gap| {
                !subscription
                    .services
                    .iter()
                    .any(|s| is_within(&gap.scope, &s.id))
            });
            plan.subscriptions.insert(
                subscription.subscription_id.to_ascii_lowercase(),
                gap_reason(own, &scope),
            );
            for service in subscription.services {
                let read_at = read_at(&previous.incremental, &previous.collected_at, &service.id);
                let gap = gap_reason(previous.gaps.iter(), &service.id);
                prior.insert(
                    service.id.to_ascii_lowercase(),
                    Prior {
                        service,
                        read_at,
                        gap,
                    },
                );
            }
        }
        plan.prior = Mutex::new(prior);
        plan
    }

    /// The start of the activity-log window, or why nothing can be carried over.
    fn start(
        &self,
        previous: &Snapshot,
        details: &Map<String, Value>,
        cloud: Cloud,
    ) -> Result<DateTime<Utc>, String> {
        let source = &previous.source;
        if source.kind != SourceKind::Arm {
            return Err(format!(
                "the previous snapshot was not collected from Azure (source kind `{}`)",
                source.kind
            ));
        }
        if previous.schema_minor != SCHEMA_MINOR {
            return Err(format!(
                "the previous snapshot is of schema 1.{}, this apimguard writes 1.{SCHEMA_MINOR}",
                previous.schema_minor
            ));
        }
        let same = |key: &str| normalised(source.extra.get(key)) == normalised(details.get(key));
        if !same("collector") {
            return Err(
                "the previous snapshot was written by another version of apimguard".to_string(),
            );
        }
        if source.cloud.as_deref() != Some(cloud.name()) || !same("managementEndpoint") {
            return Err(
                "the previous snapshot was collected from another cloud or ARM endpoint"
                    .to_string(),
            );
        }
        if !same("scope") {
            return Err("the previous snapshot was collected for another scope (--subscription, --resource-group, --service)".to_string());
        }
        let collected = DateTime::parse_from_rfc3339(&previous.collected_at)
            .map_err(|_| {
                "the previous snapshot's `collectedAt` is not an RFC 3339 time".to_string()
            })?
            .with_timezone(&Utc);
        if collected > self.now + CLOCK_SKEW {
            return Err("the previous snapshot's `collectedAt` lies in the future".to_string());
        }
        let from = collected - SAFETY_MARGIN;
        if from < self.now - RETENTION {
            return Err(format!(
                "the previous snapshot is older than the {} days the activity log keeps",
                RETENTION.num_days()
            ));
        }
        if !previous.complete && previous.gaps.is_empty() {
            return Err("the previous snapshot says it is incomplete but names no gap".to_string());
        }
        let outside = previous.gaps.iter().find(|gap| {
            !ALWAYS_READ.contains(&gap.what.as_str())
                && !previous
                    .subscriptions
                    .iter()
                    .any(|s| is_within(&gap.scope, &subscription_scope(&s.subscription_id)))
        });
        if let Some(gap) = outside {
            return Err(format!(
                "the previous snapshot has a gap outside any subscription it holds ({})",
                gap_named(gap)
            ));
        }
        Ok(from)
    }

    /// Reads what changed in `subscription` since the previous snapshot.
    pub async fn changes(&self, ctx: &Ctx<'_>, subscription: &str) -> Changes {
        let mut changes = Changes {
            whole: None,
            touched: HashMap::new(),
        };
        let Ok(from) = self.window else {
            return changes;
        };
        let scope = subscription_scope(subscription);
        changes.whole = match self.subscriptions.get(&subscription.to_ascii_lowercase()) {
            None => Some("the subscription is not in the previous snapshot".to_string()),
            Some(Some(gap)) => Some(gap.clone()),
            Some(None) => match activity_log::events(ctx, subscription, from, self.now).await {
                Err(e) => {
                    ctx.reporter.warn(format_args!(
                        "could not read the activity log of {scope}, so it is read in full: {e}"
                    ));
                    Some(format!("its activity log could not be read: {e}"))
                }
                Ok(events) => self.attribute(&mut changes.touched, events),
            },
        };
        if let Some(reason) = &changes.whole {
            self.read_in_full(&scope, reason.clone());
        }
        changes
    }

    /// Counts `events` per service in `touched`; why the whole subscription is read when
    /// one is about no service.
    fn attribute(
        &self,
        touched: &mut HashMap<String, (usize, String)>,
        events: Vec<activity_log::Event>,
    ) -> Option<String> {
        for event in events {
            let Some(service) = activity_log::service_of(&event.resource) else {
                return Some(format!(
                    "its activity log has an event about no single service (`{}`)",
                    shown(&event.operation)
                ));
            };
            let entry = touched.entry(service).or_insert((0, event.operation));
            entry.0 += 1;
        }
        None
    }

    /// The previous snapshot's record of the listed service `id` when it may be carried
    /// over; `None` when the service is read in full (the reason is recorded).
    pub fn carry(&self, changes: &Changes, id: &str) -> Option<Service> {
        if self.window.is_err() || changes.whole.is_some() {
            return None;
        }
        let key = id.to_ascii_lowercase();
        let prior = self
            .prior
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(&key);
        let reason = match prior {
            None => Err("the service is new since the previous snapshot".to_string()),
            Some(prior) => self.judge(changes, &key, prior),
        };
        match reason {
            Ok((service, read_at)) => {
                self.record_mut().carried_over.push(CarriedService {
                    service: id.to_string(),
                    read_at: time(read_at),
                });
                Some(service)
            }
            Err(reason) => {
                self.read_in_full(id, reason);
                None
            }
        }
    }

    /// A prior service and when it was read, if it may be carried over; else why not.
    fn judge(
        &self,
        changes: &Changes,
        key: &str,
        prior: Prior,
    ) -> Result<(Service, DateTime<Utc>), String> {
        if let Some((count, operation)) = changes.touched.get(key) {
            return Err(format!(
                "the activity log has {count} event(s) about it, the first `{}`",
                shown(operation)
            ));
        }
        if let Some(gap) = prior.gap {
            return Err(gap);
        }
        if let Some(foreign) = foreign_record(&prior.service) {
            return Err(foreign);
        }
        match &prior.service.tenant_access {
            Some(access) if access.enabled => {
                return Err("its direct management API is enabled: changes made through it do not reach the activity log".to_string())
            }
            None if offers_tenant_access(&prior.service.sku.name) => {
                return Err("whether its direct management API is enabled is not known".to_string())
            }
            _ => {}
        }
        let read_at = prior.read_at?;
        let age = (self.now - read_at).to_std().unwrap_or_default();
        if age > self.max_age {
            return Err(format!(
                "its data was read at {}, longer ago than --max-age ({})",
                time(read_at),
                duration(self.max_age)
            ));
        }
        Ok((prior.service, read_at))
    }

    fn read_in_full(&self, scope: &str, reason: String) {
        self.record_mut().read_in_full.push(FullRead {
            scope: scope.to_string(),
            reason,
        });
    }

    fn record_mut(&self) -> std::sync::MutexGuard<'_, Incremental> {
        self.record
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The snapshot's record of the run, in a stable order (and in one line on stderr).
    pub fn into_record(self, reporter: &Reporter) -> Incremental {
        let mut record = self
            .record
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        reporter.note(
            0,
            format_args!(
                "collect --since: {} service(s) carried over, {} part(s) read in full (see `incremental` in the snapshot)",
                record.carried_over.len(),
                record.read_in_full.len()
            ),
        );
        record
            .carried_over
            .sort_by(|a, b| a.service.cmp(&b.service));
        record.read_in_full.sort_by(|a, b| a.scope.cmp(&b.scope));
        record
    }
}

/// Why the part at `scope` is read in full because of a gap of the previous snapshot in
/// it (gaps of data read again anyway aside).
fn gap_reason<'g>(
    mut gaps: impl Iterator<Item = &'g snapshot::Gap>,
    scope: &str,
) -> Option<String> {
    gaps.find(|gap| !ALWAYS_READ.contains(&gap.what.as_str()) && is_within(&gap.scope, scope))
        .map(|gap| format!("the previous snapshot has a gap here ({})", gap_named(gap)))
}

/// A gap of the previous snapshot as a reason names it: its text comes from the file,
/// so it is clipped and its control characters escaped.
fn gap_named(gap: &snapshot::Gap) -> String {
    format!("{} of {}", shown(&gap.what), shown(&gap.scope))
}

/// Why a prior service's records cannot be its own: an API, product, APIM subscription,
/// backend, named value, gateway or workspace whose id is not under the service's.
fn foreign_record(service: &Service) -> Option<String> {
    let ids = service
        .apis
        .iter()
        .map(|a| &a.id)
        .chain(service.products.iter().map(|p| &p.id))
        .chain(
            [
                &service.apim_subscriptions,
                &service.backends,
                &service.named_values,
            ]
            .into_iter()
            .flatten()
            .map(|r| &r.id),
        )
        .chain(service.gateways.iter().map(|g| &g.id))
        .chain(service.workspaces.iter().map(|w| &w.id));
    for id in ids {
        if !is_within(id, &service.id) || id.eq_ignore_ascii_case(&service.id) {
            return Some(format!(
                "its record in the previous snapshot holds `{}`, which is not under the service",
                shown(id)
            ));
        }
    }
    None
}

/// When the data of service `id` was read: its carried-over record's `readAt` in the
/// previous snapshot, else that snapshot's collection time. A record that is not valid
/// (not a time, later than the snapshot itself, or one of several for the service) is
/// not trusted.
fn read_at(
    incremental: &Option<Incremental>,
    collected_at: &str,
    id: &str,
) -> Result<DateTime<Utc>, String> {
    let parse = |t: &str| {
        DateTime::parse_from_rfc3339(t)
            .map(|t| t.with_timezone(&Utc))
            .ok()
    };
    let collected = parse(collected_at)
        .ok_or_else(|| "the previous snapshot's `collectedAt` is not a time".to_string())?;
    let records: Vec<&CarriedService> = incremental
        .iter()
        .flat_map(|i| &i.carried_over)
        .filter(|c| c.service.eq_ignore_ascii_case(id))
        .collect();
    let invalid = |why: &str| Err(format!("its carried-over record is not valid: {why}"));
    match records.as_slice() {
        [] => Ok(collected),
        [one] => match parse(&one.read_at) {
            None => invalid("`readAt` is not an RFC 3339 time"),
            Some(t) if t > collected => invalid("`readAt` is later than the snapshot"),
            Some(t) => Ok(t),
        },
        _ => invalid("the service is carried over more than once"),
    }
}

/// `/subscriptions/{id}`.
fn subscription_scope(id: &str) -> String {
    format!("/subscriptions/{id}")
}

/// A value for comparison: strings lower-cased, lists of strings sorted (ARM names and
/// GUIDs compare without case, and the order of `--subscription` flags does not matter).
fn normalised(value: Option<&Value>) -> Value {
    fn walk(value: &Value) -> Value {
        match value {
            Value::String(s) => Value::String(s.to_ascii_lowercase()),
            Value::Array(items) => {
                let mut items: Vec<Value> = items.iter().map(walk).collect();
                items.sort_by_key(|v| v.to_string());
                Value::Array(items)
            }
            Value::Object(map) => {
                Value::Object(map.iter().map(|(k, v)| (k.clone(), walk(v))).collect())
            }
            other => other.clone(),
        }
    }
    value.map(walk).unwrap_or(Value::Null)
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A duration as `--max-age` takes it (`7d`, `12h`, `90m`, `45s`).
fn duration(d: Duration) -> String {
    let s = d.as_secs();
    [(86_400, "d"), (3_600, "h"), (60, "m")]
        .into_iter()
        .find(|(unit, _)| s.is_multiple_of(*unit))
        .map_or_else(
            || format!("{s}s"),
            |(unit, name)| format!("{}{name}", s / unit),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn carried(service: &str, read_at: &str) -> CarriedService {
        CarriedService {
            service: service.into(),
            read_at: read_at.into(),
        }
    }

    #[test]
    fn forged_carried_records_are_not_trusted() {
        let at = "2026-12-01T02:00:00Z";
        let record = |list: Vec<CarriedService>| {
            Some(Incremental {
                carried_over: list,
                ..Incremental::default()
            })
        };
        assert_eq!(time(read_at(&None, at, "/s/a").unwrap()), at);
        let older = record(vec![carried("/S/A", "2026-11-28T02:00:00Z")]);
        assert_eq!(
            time(read_at(&older, at, "/s/a").unwrap()),
            "2026-11-28T02:00:00Z"
        );
        for forged in [
            vec![carried("/s/a", "2027-01-01T00:00:00Z")],
            vec![carried("/s/a", "yesterday")],
            vec![
                carried("/s/a", "2026-11-28T02:00:00Z"),
                carried("/s/a", "2026-11-30T02:00:00Z"),
            ],
        ] {
            let err = read_at(&record(forged.clone()), at, "/s/a").unwrap_err();
            assert!(err.contains("not valid"), "{forged:?}: {err}");
        }
    }

    #[test]
    fn scopes_compare_without_case_or_order() {
        let a = serde_json::json!({"subscriptions": ["A", "b"], "resourceGroup": null});
        let b = serde_json::json!({"subscriptions": ["B", "a"], "resourceGroup": null});
        assert_eq!(normalised(Some(&a)), normalised(Some(&b)));
        let c = serde_json::json!({"subscriptions": ["a"], "resourceGroup": null});
        assert_ne!(normalised(Some(&a)), normalised(Some(&c)));
    }

    #[test]
    fn durations_read_as_given() {
        assert_eq!(duration(Duration::from_secs(7 * 86_400)), "7d");
        assert_eq!(duration(Duration::from_secs(7_200)), "2h");
        assert_eq!(duration(Duration::from_secs(90)), "90s");
    }
}
