//! `.bicepparam` files: the parameter values of a Bicep deployment, read as the Bicep CLI
//! reads them. `using './main.bicep'` names the file the values are for (read with them),
//! `param name = value` gives a value (any Bicep expression over the file's `var`s and
//! other params; `readEnvironmentVariable(…)`, set only where the deployment runs, is an
//! unknown value), and `extends './base.bicepparam'` starts from a base file's values,
//! which the file's own then override. Every path must be inside the IaC root.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde_json::Value;

use super::syntax::Statement;
use super::{read_entry, registry, Given, Instance, Program, Run, Source};
use crate::diagnostic::Located;
use crate::iac::error::{read_text, IacError};
use crate::iac::expr::{self, Context};
use crate::iac::root::{self as iac_root, At, Want};
use crate::iac::unknown::unknown;

/// How many `extends` one parameters file may chain (Bicep itself allows one).
const MAX_EXTENDS: usize = 4;

/// Whether `path` names a `.bicepparam` file.
pub(super) fn is_param_file(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("bicepparam"))
}

/// Reads a `.bicepparam` file and the Bicep file its `using` names, with its values.
pub(super) fn read(
    path: &Path,
    parameters: Option<&Path>,
    run: &Run<'_>,
) -> Result<Instance, IacError> {
    let shown = path.display().to_string();
    let text = read_text(path, &shown)?;
    run.read_file(shown);
    let source = Source::parse(path.to_path_buf(), text, run.root)?;
    if parameters.is_some() {
        return Err(source.error(
            CODE,
            "a .bicepparam file gives the parameter values itself: drop --parameters, or pass the .bicep file with --parameters",
            1,
            "--parameters cannot be used with a .bicepparam file",
        ));
    }
    let file = ParamFile::read(source, run, 0)?;
    let Some((written, line)) = file.using.clone() else {
        return Err(file.source.error(
            CODE,
            "name the Bicep file the values are for: `using './main.bicep'` (a file with `using none` is only a base for others to extend)",
            1,
            "this .bicepparam file has no `using './FILE.bicep'`",
        ));
    };
    if let Some(from) = registry(&written) {
        return Err(file.source.error(
            CODE,
            "build the parameters with the Bicep CLI (`bicep build-params FILE`) and check the template it uses with --from-arm",
            line,
            &format!("`using '{written}'` names {from}, which is not a file"),
        ));
    }
    if !written.to_ascii_lowercase().ends_with(".bicep") {
        return Err(file.source.error(
            CODE,
            "for an ARM template, build the parameters (`bicep build-params FILE`) and pass --from-arm TEMPLATE --parameters FILE.json",
            line,
            &format!("`using '{written}'` does not name a .bicep file"),
        ));
    }
    let main = referenced_by(&file.source, &written, line, run)?;
    let values = file.values();
    read_entry(main.0, main.1, run, values, |declared| file.check(declared))
}

/// The code of every error about a `.bicepparam` file's shape.
const CODE: &str = "apimguard::iac::bicepparam";

/// One parameters file, its values evaluated, and the base file it extends.
struct ParamFile {
    source: Source,
    /// Each `param`: its name, line and value.
    params: Vec<(String, u32, Value)>,
    using: Option<(String, u32)>,
    base: Option<Box<ParamFile>>,
}

impl ParamFile {
    /// Evaluates the values of `source` (`depth` files extend it).
    fn read(source: Source, run: &Run<'_>, depth: usize) -> Result<ParamFile, IacError> {
        let mut using = None;
        let mut extends = None;
        for statement in &source.statements {
            match statement {
                Statement::Using {
                    extends: false,
                    path,
                    line,
                } => using = Some((path.clone(), *line)),
                Statement::Using {
                    extends: true,
                    path,
                    line,
                } => extends = Some((path.clone(), *line)),
                Statement::Resource(_) | Statement::Module(_) | Statement::Output { .. } => {
                    return Err(source.error(
                        CODE,
                        "a .bicepparam file holds `using`, `extends`, `param` and `var` only",
                        1,
                        "this .bicepparam file declares resources, modules or outputs",
                    ))
                }
                _ => {}
            }
        }
        let base = match extends {
            None => None,
            Some((_, line)) if depth >= MAX_EXTENDS => return Err(source.error(
                CODE,
                "a parameters file extends one base file; a longer chain (or a cycle) is refused",
                line,
                &format!("`extends` chains more than {MAX_EXTENDS} parameters files"),
            )),
            Some((written, line)) => {
                let (shown, text) = referenced_by(&source, &written, line, run)?;
                run.read_file(shown.display().to_string());
                let base = Source::parse(shown, text, run.root)?;
                Some(Box::new(ParamFile::read(base, run, depth + 1)?))
            }
        };
        let params = {
            let chain = vec![run
                .root
                .resolve(&source.path, Want::File)
                .unwrap_or_else(|_| source.path.clone())];
            let program = Program::new(&source, Given::Values(HashMap::new()), run, chain);
            expr::evaluation_cut();
            let params = source
                .statements
                .iter()
                .filter_map(|s| match s {
                    Statement::Param { name, line, .. } => Some((name.clone(), *line)),
                    _ => None,
                })
                .map(|(name, line)| {
                    let value = program
                        .symbol(&name)
                        .unwrap_or_else(|| unknown(&format!("parameters('{name}')")));
                    (name, line, value)
                })
                .collect();
            if let Some(cut) = expr::evaluation_cut() {
                return Err(crate::iac::error::evaluation_cut(
                    cut,
                    &source.file,
                    &source.text,
                    1,
                ));
            }
            params
        };
        Ok(ParamFile {
            source,
            params,
            using,
            base,
        })
    }

    /// The values by lower-cased name: the base's, overridden by this file's.
    fn values(&self) -> HashMap<String, Value> {
        let mut values = self.base.as_ref().map(|b| b.values()).unwrap_or_default();
        for (name, _, value) in &self.params {
            values.insert(name.to_lowercase(), value.clone());
        }
        values
    }

    /// Refuses a value for a parameter the Bicep file does not declare (`declared`,
    /// lower-cased), as the Bicep CLI does.
    fn check(&self, declared: &HashSet<String>) -> Result<(), IacError> {
        if let Some((name, line, _)) = self
            .params
            .iter()
            .find(|(name, _, _)| !declared.contains(&name.to_lowercase()))
        {
            return Err(IacError::Located(Located::new(
                "apimguard::iac::parameters",
                "remove the value, or declare the parameter in the Bicep file (the Bicep CLI refuses it too)",
                &self.source.file,
                &self.source.text,
                *line as usize,
                1,
                format!(
                    "{}:{line}: the Bicep file has no parameter `{name}`",
                    self.source.file
                ),
            )));
        }
        match &self.base {
            Some(base) => base.check(declared),
            None => Ok(()),
        }
    }
}

/// The file `written` (at `line` of `source`) names, inside the IaC root: its path as
/// shown (beside `source`) and its text.
fn referenced_by(
    source: &Source,
    written: &str,
    line: u32,
    run: &Run<'_>,
) -> Result<(std::path::PathBuf, String), IacError> {
    let refused = |refusal| {
        let at = At {
            file: &source.file,
            text: &source.text,
            line: line as usize,
            column: 1,
        };
        run.root.refused_at(at, "using", written, refusal)
    };
    let real = run
        .root
        .reference(&source.path, written, Want::File)
        .map_err(refused)?;
    let bytes = run.root.read(&real).map_err(refused)?;
    let text = String::from_utf8(bytes).map_err(|_| {
        source.error(
            CODE,
            "a Bicep file is UTF-8 text; check the path",
            line,
            &format!("`{written}` is not UTF-8 text"),
        )
    })?;
    let shown = iac_root::lexical(&source.path.parent().unwrap_or(Path::new("")).join(written));
    Ok((shown, text))
}
