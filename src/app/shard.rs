//! `check --shard K/N`: evaluating one shard's share of a whole snapshot.
//!
//! Each rule is evaluated where its verdicts are whole (docs/scale.md, Shards):
//!
//! - `service` rules on the shard's services ([`Shard::holds_service`]), and on the
//!   subscriptions without any service that the shard owns;
//! - `subscription` rules on the subscriptions the shard owns
//!   ([`Shard::owns_subscription`]), each with *all* its services, whichever shard
//!   holds them;
//! - `estate` rules on the whole snapshot, in shard 0 only.
//!
//! The pieces are picked before any rule runs, so a shard reads (validates and parses)
//! only what its rules see, however large the snapshot. The union of the shards'
//! findings is the unsharded run's. Each resource a rule checked is counted by one
//! shard: a resource inside a service by the service's shard (for `service` rules) or
//! by the owner of its subscription (for `subscription` rules); a resource outside
//! them (a subscription several shards' services are in, say) is listed by every
//! shard that checked it, so that `merge` counts it once.

use std::borrow::Cow;
use std::collections::HashMap;

use regorus::Value;
use rustc_hash::FxHashMap;
use serde::Deserialize;

use crate::engine::{
    Estate, EvalOptions, EvalStats, InputScope, PolicyError, PolicySet, Rule, RuleOutcome,
};
use crate::report::{Report, ReportShards};
use crate::snapshot::{Shard, Snapshot};

/// Which pieces of a snapshot one shard evaluates, and whose resources are whose.
pub(crate) struct Share {
    shard: Shard,
    /// Each service's shard, by subscription and index (document order).
    service_shards: Vec<Vec<u16>>,
    /// Each subscription's owner shard (document order).
    subscription_owners: Vec<u16>,
    /// The owner shard of every service, by lower-cased id.
    services_by_id: HashMap<String, u16>,
    /// The owner shard of every subscription, by lower-cased GUID.
    subscriptions_by_id: HashMap<String, u16>,
}

/// What a shard's evaluation gives.
pub(crate) struct Evaluation {
    /// One outcome per rule (empty for a rule with nothing to evaluate in the shard).
    pub(crate) outcomes: Vec<RuleOutcome>,
    /// Where the time went.
    pub(crate) stats: EvalStats,
    /// Per rule, the checked resources that are not the shard's own, sorted.
    pub(crate) shared: Vec<Vec<String>>,
}

/// Whose a checked resource is, for one rule.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Owner {
    /// This shard's: counted here only.
    Own,
    /// Not any one shard's: listed, so that merge counts it once.
    Shared,
    /// Another shard's: counted there.
    Other,
}

impl Share {
    /// The share of `shard` in a snapshot whose skeleton is `skeleton` and whose
    /// services' texts are `services`; `None` when a service has no readable `id`.
    pub(crate) fn new(shard: Shard, skeleton: &Snapshot, services: &[Vec<&str>]) -> Option<Self> {
        let mut services_by_id = HashMap::new();
        let mut service_shards = Vec::with_capacity(services.len());
        for texts in services {
            let mut shards = Vec::with_capacity(texts.len());
            for text in texts {
                let id = service_id(text)?.to_lowercase();
                let owner = Shard::of(&id, shard.count);
                services_by_id.insert(id, owner);
                shards.push(owner);
            }
            service_shards.push(shards);
        }
        let subscription_owners: Vec<u16> = skeleton
            .subscriptions
            .iter()
            .map(|s| {
                Shard::of(
                    &format!("/subscriptions/{}", s.subscription_id),
                    shard.count,
                )
            })
            .collect();
        let subscriptions_by_id = skeleton
            .subscriptions
            .iter()
            .zip(&subscription_owners)
            .map(|(s, &owner)| (s.subscription_id.to_lowercase(), owner))
            .collect();
        Some(Share {
            shard,
            service_shards,
            subscription_owners,
            services_by_id,
            subscriptions_by_id,
        })
    }

    /// Whether the service at `index` of the subscription at `sub` is this shard's.
    pub(crate) fn holds(&self, sub: usize, index: usize) -> bool {
        self.service_shards[sub][index] == self.shard.index
    }

    /// How many subscriptions this shard owns (its share of the report's count).
    pub(crate) fn owned_subscriptions(&self) -> usize {
        self.subscription_owners
            .iter()
            .filter(|&&o| o == self.shard.index)
            .count()
    }

    /// The pieces a rule of `scope` is evaluated on in this shard: (subscription,
    /// services) by index; `None` for the whole snapshot.
    fn pieces(&self, scope: InputScope) -> Option<Vec<(usize, Vec<usize>)>> {
        let owned = |s: usize| self.subscription_owners[s] == self.shard.index;
        match scope {
            InputScope::Service => Some(
                self.service_shards
                    .iter()
                    .enumerate()
                    .filter_map(|(s, shards)| {
                        let mine: Vec<usize> =
                            (0..shards.len()).filter(|&k| self.holds(s, k)).collect();
                        (!mine.is_empty() || (shards.is_empty() && owned(s))).then_some((s, mine))
                    })
                    .collect(),
            ),
            InputScope::Subscription => Some(
                (0..self.subscription_owners.len())
                    .filter(|&s| owned(s))
                    .map(|s| (s, (0..self.service_shards[s].len()).collect()))
                    .collect(),
            ),
            InputScope::Estate => None,
        }
    }

    /// Evaluates every rule of `policies` on this shard's pieces of `estate`: one
    /// outcome per rule (empty for a rule with nothing to evaluate here), and the
    /// resources each rule checked that are not this shard's own.
    pub(crate) fn evaluate(
        &self,
        policies: &PolicySet,
        estate: &dyn Estate,
        options: &EvalOptions,
    ) -> Result<Evaluation, PolicyError> {
        let scope_of = |rule: &Rule| {
            if options.whole_input {
                InputScope::Estate
            } else {
                rule.meta.input
            }
        };
        let rules = policies.rules();
        let mut outcomes: Vec<RuleOutcome> = vec![RuleOutcome::default(); rules.len()];
        let mut stats = EvalStats::default();
        let mut shared = vec![Vec::new(); rules.len()];
        for scope in [
            InputScope::Service,
            InputScope::Subscription,
            InputScope::Estate,
        ] {
            let members: Vec<usize> = (0..rules.len())
                .filter(|&i| scope_of(&rules[i]) == scope)
                .collect();
            if members.is_empty() {
                continue;
            }
            let view;
            let target: &dyn Estate = match self.pieces(scope) {
                Some(pieces) if pieces.is_empty() => continue,
                Some(pieces) => {
                    view = View::new(estate, pieces);
                    &view
                }
                None if self.shard.owns_estate() => estate,
                None => continue,
            };
            let mut subset = policies.clone();
            subset.retain_rules(|r| scope_of(r) == scope);
            let (results, more) = subset.evaluate_estate(target, options)?;
            stats.workers = stats.workers.max(more.workers);
            stats.load += more.load;
            stats.evaluate += more.evaluate;
            let mut owners: FxHashMap<*const u8, Owner> = FxHashMap::default();
            for (i, mut outcome) in members.into_iter().zip(results) {
                if scope != InputScope::Estate {
                    shared[i] = self.sort_out(scope, &mut outcome, &mut owners);
                }
                outcomes[i] = outcome;
            }
        }
        Ok(Evaluation {
            outcomes,
            stats,
            shared,
        })
    }

    /// Sorts out the resources `outcome` checked: another shard's are dropped (that
    /// shard counts them), and the shared ones are returned, sorted. Findings are all
    /// kept: merge joins them, so no verdict depends on where it was reached.
    fn sort_out(
        &self,
        scope: InputScope,
        outcome: &mut RuleOutcome,
        owners: &mut FxHashMap<*const u8, Owner>,
    ) -> Vec<String> {
        let mut shared = Vec::new();
        outcome.checked.retain(|id| {
            let owner = *owners
                .entry(id.as_ptr())
                .or_insert_with(|| self.owner(scope, id));
            if owner == Owner::Shared {
                shared.push(id.to_string());
            }
            owner != Owner::Other
        });
        shared.sort_unstable();
        shared
    }

    /// Whose the resource `id` is, for a rule of `scope` (not `estate`): a `service`
    /// rule's by the service it is in, a `subscription` rule's by its subscription.
    fn owner(&self, scope: InputScope, id: &str) -> Owner {
        let lower = id.to_ascii_lowercase();
        let owner = match scope {
            InputScope::Service => crate::report::service_of(&lower)
                .and_then(|service| self.services_by_id.get(service).copied()),
            _ => self.subscription_owner(&lower),
        };
        match owner {
            None => Owner::Shared,
            Some(owner) if owner == self.shard.index => Owner::Own,
            Some(_) => Owner::Other,
        }
    }

    /// The owner of the known subscription a (lower-cased) resource id is under.
    fn subscription_owner(&self, lower: &str) -> Option<u16> {
        let rest = lower.strip_prefix("/subscriptions/")?;
        let guid = rest.split('/').next()?;
        self.subscriptions_by_id.get(guid).copied()
    }

    /// Marks `report` as this shard's, with each rule's shared resources (`shared`, in
    /// the order of the rules the outcomes came from).
    pub(crate) fn annotate(&self, report: &mut Report, rules: &[Rule], shared: Vec<Vec<String>>) {
        let mut by_rule: HashMap<&str, Vec<String>> = rules
            .iter()
            .map(|r| r.meta.id.as_str())
            .zip(shared)
            .collect();
        for result in &mut report.results {
            if let Some(list) = by_rule.remove(result.rule_id.as_str()) {
                result.shared_checked = list;
            }
        }
        report.shards = Some(ReportShards {
            count: u32::from(self.shard.count),
            covered: vec![u32::from(self.shard.index)],
            missing: Vec::new(),
        });
    }
}

/// A service's `id`, read without reading the rest of it when it comes first (as
/// apimguard writes it); `None` when it has none or is not an object.
fn service_id(text: &str) -> Option<Cow<'_, str>> {
    #[derive(Deserialize)]
    struct IdOnly<'a> {
        #[serde(borrow)]
        id: Cow<'a, str>,
    }
    let rest = text.trim_start().strip_prefix('{')?.trim_start();
    if let Some(value) = rest
        .strip_prefix("\"id\"")
        .and_then(|r| r.trim_start().strip_prefix(':'))
    {
        let mut de = serde_json::Deserializer::from_str(value);
        if let Ok(id) = <Cow<'_, str>>::deserialize(&mut de) {
            return Some(id);
        }
    }
    serde_json::from_str::<IdOnly>(text).ok().map(|s| s.id)
}

/// Some subscriptions of an estate, each with some of its services.
struct View<'a> {
    inner: &'a dyn Estate,
    skeleton: Value,
    pieces: Vec<(usize, Vec<usize>)>,
}

impl<'a> View<'a> {
    fn new(inner: &'a dyn Estate, pieces: Vec<(usize, Vec<usize>)>) -> Self {
        let whole = inner.skeleton();
        let subscriptions: Vec<Value> = pieces
            .iter()
            .map(|(s, _)| whole["subscriptions"][*s].clone())
            .collect();
        let mut skeleton = whole.clone();
        if let Ok(fields) = skeleton.as_object_mut() {
            fields.insert(Value::from("subscriptions"), Value::from(subscriptions));
        }
        View {
            inner,
            skeleton,
            pieces,
        }
    }
}

impl Estate for View<'_> {
    fn skeleton(&self) -> &Value {
        &self.skeleton
    }

    fn service_count(&self, subscription: usize) -> usize {
        self.pieces[subscription].1.len()
    }

    fn service(&self, subscription: usize, index: usize) -> Result<Value, String> {
        let (s, services) = &self.pieces[subscription];
        self.inner.service(*s, services[index])
    }

    fn json_bytes(&self) -> usize {
        self.inner.json_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_is_read_first_or_found_anywhere() {
        assert_eq!(
            service_id(r#" { "id" : "/a\/b", "x": [1]}"#).as_deref(),
            Some("/a/b")
        );
        assert_eq!(
            service_id(r#"{"name": "n", "id": "/x"}"#).as_deref(),
            Some("/x")
        );
        assert_eq!(service_id(r#"{"name": "n"}"#), None);
        assert_eq!(service_id(r#"{"id": 3}"#), None);
    }
}
