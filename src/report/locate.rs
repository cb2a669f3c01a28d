//! Where a finding's resource is declared: its IaC origin when the snapshot
//! records one, else the line of its `"id"` in the snapshot file.

use std::collections::HashMap;

use regex::Regex;

use crate::snapshot::{LoadedSnapshot, Origin, SourceKind};

/// Looks resource ids up in one snapshot; the maps are built on first use.
pub(super) struct Locator<'a> {
    loaded: &'a LoadedSnapshot,
    maps: Option<Maps>,
}

struct Maps {
    /// Lower-cased id → declared origin.
    origins: HashMap<String, Origin>,
    /// Lower-cased id → 1-based line of its first `"id": "…"` in the snapshot text.
    lines: HashMap<String, u32>,
}

impl<'a> Locator<'a> {
    /// A locator over a loaded snapshot.
    pub(super) fn new(loaded: &'a LoadedSnapshot) -> Self {
        Locator { loaded, maps: None }
    }

    /// The location of a resource, or of one of its settings (`properties/protocols`)
    /// when the snapshot records where that is written, if the snapshot knows it.
    pub(super) fn locate(&mut self, resource: &str, setting: Option<&str>) -> Option<Origin> {
        let loaded = self.loaded;
        let maps = self.maps.get_or_insert_with(|| Maps::build(loaded));
        let key = resource.to_lowercase();
        if let Some(origin) = maps.origins.get(&key) {
            return Some(match setting {
                Some(path) => origin.of_setting(path),
                None => Origin::at(origin.file.clone(), origin.line),
            });
        }
        let path = loaded.path.display().to_string();
        // IaC snapshots locate by origin only: their text is not the files they were read from.
        if path == "-" || loaded.snapshot.source.kind == SourceKind::Iac {
            return None;
        }
        maps.lines.get(&key).map(|&line| Origin::at(path, line))
    }
}

impl Maps {
    fn build(loaded: &LoadedSnapshot) -> Maps {
        let mut origins = HashMap::new();
        let mut add = |id: &str, origin: &Option<Origin>| {
            if let Some(o) = origin {
                origins
                    .entry(id.to_lowercase())
                    .or_insert_with(|| o.clone());
            }
        };
        for sub in &loaded.snapshot.subscriptions {
            if let Some(plan) = &sub.defender_for_apis {
                add(
                    &format!("/subscriptions/{}", sub.subscription_id),
                    &plan.origin,
                );
            }
        }
        for svc in loaded
            .snapshot
            .subscriptions
            .iter()
            .flat_map(|s| &s.services)
        {
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
        }
        Maps {
            origins,
            lines: id_lines(&loaded.text),
        }
    }
}

/// Every `"id": "…"` of a JSON text, lower-cased, with the line it first appears on.
fn id_lines(text: &str) -> HashMap<String, u32> {
    let re = Regex::new(r#""id"\s*:\s*"((?:[^"\\]|\\.)*)""#).expect("a valid regex");
    let mut lines = HashMap::new();
    let (mut line, mut last) = (1u32, 0usize);
    for caps in re.captures_iter(text) {
        let whole = caps.get(0).expect("group 0 always matches");
        line += text.as_bytes()[last..whole.start()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u32;
        last = whole.start();
        let raw = &caps[1];
        let id = if raw.contains('\\') {
            serde_json::from_str::<String>(&format!("\"{raw}\""))
                .unwrap_or_else(|_| raw.to_string())
        } else {
            raw.to_string()
        };
        lines.entry(id.to_lowercase()).or_insert(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_of_ids() {
        let text = "{\n  \"id\": \"/A\",\n  \"x\": {\"id\" : \"/b\\/c\"},\n  \"id\": \"/a\"\n}";
        let lines = id_lines(text);
        assert_eq!(lines["/a"], 2);
        assert_eq!(lines["/b/c"], 3);
    }
}
