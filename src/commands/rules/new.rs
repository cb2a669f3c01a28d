//! `apimguard rules new NAME`: scaffold a rule and its tests.

use crate::cli::NewArgs;
use crate::engine::{LoadOptions, PolicySet};
use crate::scaffold::{NewRule, ScaffoldError};

/// Writes `DIR/<family>/<name>.rego` and its `_test.rego`, then says what to do next.
pub fn run(args: &NewArgs) -> miette::Result<u8> {
    let request = NewRule::new(
        &args.name,
        args.family.as_deref(),
        args.id.as_deref(),
        args.severity,
    )?;
    refuse_builtin_clash(&request)?;
    let files = request.render(&args.dir);
    files.write()?;
    crate::commands::output::print(&format!(
        "created {}\ncreated {}\n\nnext: edit the METADATA and the condition, then run\n  apimguard rules test {}\n",
        files.rule_path.display(),
        files.test_path.display(),
        args.dir.display()
    ))?;
    Ok(0)
}

/// A new rule may not reuse a built-in rule's id or package.
fn refuse_builtin_clash(request: &NewRule) -> miette::Result<()> {
    let builtin = PolicySet::load(&LoadOptions::default())?;
    let package = format!("data.{}", request.package());
    for rule in builtin.rules() {
        let clash = if rule.meta.id.eq_ignore_ascii_case(&request.id) {
            Some(("id", request.id.clone()))
        } else if rule.package == package {
            Some(("package", request.package()))
        } else {
            None
        };
        if let Some((what, value)) = clash {
            return Err(ScaffoldError::Taken {
                what,
                value,
                rule: rule.meta.id.clone(),
            }
            .into());
        }
    }
    Ok(())
}
