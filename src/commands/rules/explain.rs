//! `apimguard rules explain ID`: one rule's page in the terminal.

use miette::Diagnostic;
use thiserror::Error;

use crate::cli::ExplainArgs;
use crate::engine::{LoadOptions, PolicySet, Rule};
use crate::ruledoc::{render_terminal, Page};

/// No loaded rule has the requested id.
#[derive(Debug, Error, Diagnostic)]
#[error("no rule has the id `{id}`{scope}")]
#[diagnostic(code(apimguard::rules::unknown_id))]
pub struct UnknownRule {
    id: String,
    scope: String,
    #[help]
    help: String,
}

/// Prints the page of the rule with `args.id`; an unknown id is an error naming the closest one.
pub fn run(args: &ExplainArgs) -> miette::Result<u8> {
    let set = PolicySet::load(&args.policy.browse_options())?;
    let Some(rule) = find(set.rules(), &args.id) else {
        let help = match args.policy.profile {
            // The rule may exist outside the profile asked for.
            Some(profile) => {
                let every = PolicySet::load(&LoadOptions {
                    profile: None,
                    ..args.policy.load_options()
                })?;
                match find(every.rules(), &args.id) {
                    Some(r) => format!(
                        "{} is not in profile {}: drop --profile to see it (docs/profiles.md)",
                        r.meta.id, profile.name
                    ),
                    None => suggestion(every.rules(), &args.id),
                }
            }
            None => suggestion(set.rules(), &args.id),
        };
        return Err(UnknownRule {
            id: args.id.clone(),
            scope: args
                .policy
                .profile
                .map(|p| format!(" in profile {}", p.name))
                .unwrap_or_default(),
            help,
        }
        .into());
    };
    crate::commands::output::print(&render_terminal(
        &Page::for_rule(rule, None),
        crate::commands::color_stdout(),
    ))?;
    Ok(0)
}

/// The rule with `id`, compared without case.
fn find<'a>(rules: &'a [Rule], id: &str) -> Option<&'a Rule> {
    rules.iter().find(|r| r.meta.id.eq_ignore_ascii_case(id))
}

/// "did you mean …?" with the closest id, and where to see them all.
fn suggestion(rules: &[Rule], id: &str) -> String {
    let wanted = id.to_ascii_uppercase();
    let closest = rules
        .iter()
        .map(|r| {
            (
                edit_distance(&wanted, &r.meta.id.to_ascii_uppercase()),
                &r.meta.id,
            )
        })
        .min();
    match closest {
        // Only a near miss (a typo) is worth suggesting.
        Some((distance, best)) if distance <= 3 => {
            format!("did you mean {best}? `apimguard rules list` shows every rule")
        }
        Some(_) => "`apimguard rules list` shows every rule".to_string(),
        None => "no rules are loaded; `apimguard rules list` shows the rules".to_string(),
    }
}

/// Levenshtein distance: the fewest single-character edits turning `a` into `b`.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::edit_distance;

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("APIM-DEF-001", "APIM-DEF-001"), 0);
        assert_eq!(edit_distance("APIM-DEF-01", "APIM-DEF-001"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
