//! `apimguard rules list`: the rules, filtered, as a table or JSON.

use serde_json::Value as Json;

use crate::cli::{ListArgs, ListFormat};
use crate::engine::{PolicySet, Profile, Rule, RuleFilter};

/// Prints the rules that pass the filters, sorted by id.
pub fn run(args: &ListArgs) -> miette::Result<u8> {
    let set = PolicySet::load(&args.policy.browse_options())?;
    let filter = RuleFilter {
        min_severity: args.severity,
        families: args.family.clone(),
        framework: args.framework.clone(),
        profile: args.policy.profile,
    };
    let mut rules: Vec<&Rule> = set.rules().iter().filter(|r| filter.matches(r)).collect();
    rules.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));
    let text = match args.format {
        ListFormat::Json => {
            let items: Vec<Json> = rules.iter().map(|r| to_json(r)).collect();
            serde_json::to_string_pretty(&items).expect("rule metadata serializes") + "\n"
        }
        ListFormat::Table => table(&rules),
    };
    crate::commands::output::print(&text)?;
    Ok(0)
}

/// A rule's full metadata plus where it comes from and which profiles run it.
fn to_json(rule: &Rule) -> Json {
    let mut value = serde_json::to_value(&rule.meta).expect("rule metadata serializes");
    value["package"] = rule.package.trim_start_matches("data.").into();
    value["source"] = rule.path.clone().into();
    value["builtin"] = rule.builtin.into();
    value["profiles"] = Profile::names_including(rule).into();
    value
}

/// Aligned columns; strict rules say so after their title.
fn table(rules: &[&Rule]) -> String {
    let id_width = rules
        .iter()
        .map(|r| r.meta.id.len())
        .max()
        .unwrap_or(0)
        .max(2);
    let family_width = rules
        .iter()
        .map(|r| r.meta.family.len())
        .max()
        .unwrap_or(0)
        .max(6);
    let mut out = format!(
        "{:<id_width$}  {:<8}  {:<family_width$}  TITLE\n",
        "ID", "SEVERITY", "FAMILY"
    );
    for r in rules {
        let strict = if r.meta.strict { "  [strict]" } else { "" };
        out.push_str(&format!(
            "{:<id_width$}  {:<8}  {:<family_width$}  {}{strict}\n",
            r.meta.id,
            r.meta.severity.as_str(),
            r.meta.family,
            r.meta.title
        ));
    }
    out
}
