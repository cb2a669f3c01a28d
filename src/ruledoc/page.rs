//! The content of a rule's page, independent of where it is shown.
//!
//! [`Page::for_rule`] decides what a page says (facts, then sections in a fixed
//! order, empty ones left out); `markdown.rs` and `terminal.rs` only lay it out.

use crate::engine::{Example, Examples, Profile, Rule};

/// A rule's page: its title, a few facts and the sections below them.
#[derive(Debug, Clone)]
pub struct Page {
    /// The rule's title, the page's heading.
    pub title: String,
    /// The first sentence of the description (empty without one), for readers who
    /// stop at the top of a long page.
    pub synopsis: String,
    /// Short labelled values: id, severity, family, profiles, needs, remediation, source.
    pub facts: Vec<(&'static str, String)>,
    /// The body, in reading order.
    pub sections: Vec<Section>,
}

/// A titled part of a page.
#[derive(Debug, Clone)]
pub struct Section {
    /// Its heading.
    pub title: &'static str,
    /// Its content.
    pub blocks: Vec<Block>,
}

/// One piece of content.
#[derive(Debug, Clone)]
pub enum Block {
    /// A paragraph.
    Text(String),
    /// A table with a header row.
    Table {
        /// Column names.
        header: Vec<&'static str>,
        /// Cells, one row per entry.
        rows: Vec<Vec<String>>,
    },
    /// A JSON document.
    Json(String),
    /// A list of links.
    Links(Vec<String>),
}

impl Page {
    /// The page of `rule`; `examples` (from its tests) add an Examples section.
    pub fn for_rule(rule: &Rule, examples: Option<&Examples>) -> Page {
        let meta = &rule.meta;
        let mut facts = vec![
            ("Id", meta.id.clone()),
            ("Severity", meta.severity.to_string()),
            ("Family", meta.family.clone()),
            ("Profiles", Profile::names_including(rule).join(", ")),
        ];
        if !meta.needs.is_empty() {
            let needs: Vec<&str> = meta.needs.iter().map(|k| k.as_str()).collect();
            facts.push((
                "Needs",
                format!(
                    "{} (not applicable to snapshots without it, such as IaC ones; see docs/iac.md)",
                    needs.join(", ")
                ),
            ));
        }
        if let Some(action) = &meta.remediation {
            facts.push(("Remediation", action.to_string()));
        }
        let origin = if rule.builtin { "built-in" } else { "user" };
        facts.push(("Source", format!("{} ({origin})", rule.path)));

        let text = |s: &str| (!s.is_empty()).then(|| vec![Block::Text(s.to_string())]);
        let parameters = (!meta.parameters.is_empty()).then(|| {
            vec![
                Block::Text(
                    "Set them in `data.apimguard.config` (your configuration file).".into(),
                ),
                Block::Table {
                    header: vec!["Name", "Default", "Description"],
                    rows: meta
                        .parameters
                        .iter()
                        .map(|(name, p)| {
                            vec![name.clone(), p.default.to_string(), p.description.clone()]
                        })
                        .collect(),
                },
            ]
        });
        let frameworks = (!meta.frameworks.is_empty() || !meta.unmapped.is_empty()).then(|| {
            let mapped = meta
                .frameworks
                .iter()
                .map(|(name, controls)| vec![name.clone(), controls.join(", ")]);
            let unmapped = meta
                .unmapped
                .iter()
                .map(|(name, reason)| vec![name.clone(), format!("none: {reason}")]);
            vec![Block::Table {
                header: vec!["Framework", "Controls"],
                rows: mapped.chain(unmapped).collect(),
            }]
        });
        let references =
            (!meta.references.is_empty()).then(|| vec![Block::Links(meta.references.clone())]);
        let sections = [
            ("Rationale", text(&meta.description)),
            (
                "Recommendation",
                meta.recommendation.as_deref().and_then(text),
            ),
            ("Examples", examples.and_then(example_blocks)),
            ("Parameters", parameters),
            ("Frameworks", frameworks),
            ("References", references),
        ];
        Page {
            title: meta.title.clone(),
            synopsis: first_sentence(&meta.description).to_string(),
            facts,
            sections: sections
                .into_iter()
                .filter_map(|(title, blocks)| blocks.map(|blocks| Section { title, blocks }))
                .collect(),
        }
    }
}

/// The failing and passing examples, each introduced by where it comes from.
fn example_blocks(examples: &Examples) -> Option<Vec<Block>> {
    let mut blocks = Vec::new();
    let origin = |e: &Example| format!("`{}` in `{}`", e.test, e.file);
    if let Some(e) = &examples.failing {
        blocks.push(Block::Text(format!(
            "Failing — this input, from {}:",
            origin(e)
        )));
        blocks.push(Block::Json(pretty(&e.input)));
        let messages: Vec<String> = e.messages.iter().map(|m| format!("“{m}”")).collect();
        blocks.push(Block::Text(format!(
            "is reported as: {}",
            messages.join("; ")
        )));
    }
    if let Some(e) = &examples.passing {
        blocks.push(Block::Text(format!(
            "Passing — this input, from {}, raises no finding:",
            origin(e)
        )));
        blocks.push(Block::Json(pretty(&e.input)));
    }
    (!blocks.is_empty()).then_some(blocks)
}

/// Up to the first `. ` that starts a new sentence (capital letter next), or all of it.
fn first_sentence(text: &str) -> &str {
    text.match_indices(". ")
        .find(|(i, _)| text[i + 2..].starts_with(|c: char| c.is_uppercase()))
        .map_or(text, |(i, _)| &text[..=i])
}

fn pretty(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value).expect("JSON values serialize")
}

#[cfg(test)]
mod tests {
    use super::first_sentence;

    #[test]
    fn synopsis_is_the_first_sentence() {
        assert_eq!(
            first_sentence("One thing, e.g. this. Then more."),
            "One thing, e.g. this."
        );
        assert_eq!(first_sentence("Only one."), "Only one.");
        assert_eq!(first_sentence(""), "");
    }
}
