//! ARM template JSON (hand-written, or compiled from Bicep with `bicep build`).
//!
//! Read: `resources` as an array or, with `languageVersion: 2.0`, as an object keyed by
//! symbolic name; child resources nested in `resources` or at the top level with
//! path names (`service/api/policy`); `existing` resources; `condition`; resource,
//! property and variable `copy` loops with a count known offline; inline nested
//! deployments (`Microsoft.Resources/deployments` with `properties.template`, inner or
//! outer scope); parameters with their defaults, overridden by a parameters file.
//! Linked templates named by `templateLink.relativePath` (as `bicep build` and template
//! specs write them) are read from disk, relative to the linking template, and must stay
//! inside the IaC root ([`super::root`]); other links (`uri`, template spec `id`) are gaps.
//! Expressions are evaluated by [`super::expr`]; what cannot be evaluated is unknown.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

use super::error::{evaluation_cut, read_text, IacError};
use super::estate::{self, Declared, Estate, ReaderKind};
use super::expr::{self, Context};
use super::json::{pointer_segment, JsonDoc};
use super::lazy::Lazy;
use super::root::{At, IacRoot, Refusal, Want};
use super::unknown::unknown;
use crate::collect::gaps::Gaps;
use crate::diagnostic::Located;
use crate::policy_xml::REDACTED;
use crate::snapshot::Origin;

/// How many instances a `copy` loop may have before it is called unreadable.
const MAX_COPIES: i64 = 800;

/// Resource keys whose values the snapshot uses (others, like `dependsOn`, are skipped).
const BODY_KEYS: [&str; 5] = ["properties", "sku", "identity", "location", "zones"];

/// Reads a template and, optionally, a parameters file (paths as given, for origins);
/// the files it links to must be inside `root`.
pub(super) fn read(
    template: &Path,
    parameters: Option<&Path>,
    root: &IacRoot,
) -> Result<Estate, IacError> {
    let (file, text, doc) = load_template(template, template.display().to_string())?;
    let links = Links {
        root,
        template,
        file: &file,
        text: &text,
        doc: &doc,
    };
    links.check("", &doc.value)?;
    let given = parameters.map(GivenParameters::read).transpose()?;
    if let Some(given) = &given {
        let declared: HashSet<String> = doc
            .value
            .get("parameters")
            .and_then(Value::as_object)
            .map(|p| p.keys().map(|k| k.to_lowercase()).collect())
            .unwrap_or_default();
        given.check(&declared)?;
    }
    let linker = Linker {
        root,
        files: RefCell::new(vec![file.clone()]),
        count: Cell::new(0),
    };
    let reader = Reader {
        file: file.clone(),
        path: template,
        doc: &doc,
        text: &text,
        gaps: Gaps::default(),
        linker: Some(&linker),
        chain: vec![root
            .resolve(template, Want::File)
            .unwrap_or_else(|_| template.to_path_buf())],
    };
    let tables = Tables::new(
        &doc.value,
        given.as_ref().map(|g| g.values.clone()).unwrap_or_default(),
    );
    let mut resources = Vec::new();
    reader.template("", &tables, &mut resources)?;
    let mut files = linker.files.take();
    files.extend(given.map(|g| g.file));
    Ok(Estate {
        reader: ReaderKind::ArmTemplate,
        files,
        resources,
        gaps: reader.gaps,
        default_service: None,
    })
}

/// Reads the template at `path`: its path as shown, its text and its parsed JSON, its
/// expressions and shape checked.
/// Reads, parses and checks the template at `path`, shown as `file`.
fn load_template(path: &Path, file: String) -> Result<(String, String, JsonDoc), IacError> {
    let text = read_text(path, &file)?;
    parse_template(file, text)
}

/// Parses the template `text` of `file`, its expressions and shape checked.
fn parse_template(file: String, text: String) -> Result<(String, String, JsonDoc), IacError> {
    let doc = JsonDoc::parse(&file, &text)?;
    doc.check_expressions(&file, &text)?;
    check_template(&file, &text, &doc.value)?;
    Ok((file, text, doc))
}

/// The values of an ARM parameters file (for templates and Bicep files alike).
pub(super) struct GivenParameters {
    /// Values by lower-cased name (a Key Vault reference is unknown).
    pub values: HashMap<String, Value>,
    /// Each name as written, its line, and its lower-cased form.
    lines: Vec<(String, u32, String)>,
    /// The file, as given.
    pub file: String,
    text: String,
}

impl GivenParameters {
    /// Reads a parameters file.
    pub fn read(path: &Path) -> Result<GivenParameters, IacError> {
        let file = path.display().to_string();
        let text = read_text(path, &file)?;
        parameter_values(&file, &text)
    }

    /// Refuses values for parameters not in `declared` (lower-cased): ARM refuses them too.
    pub fn check(&self, declared: &HashSet<String>) -> Result<(), IacError> {
        match self.lines.iter().find(|(_, _, key)| !declared.contains(key)) {
            Some((name, line, _)) => Err(IacError::Located(Located::new(
                "apimguard::iac::parameters",
                "remove the value, or declare the parameter (ARM refuses a deployment with undeclared parameters)",
                &self.file,
                &self.text,
                *line as usize,
                1,
                format!("{}:{line}: the template has no parameter `{name}`", self.file),
            ))),
            None => Ok(()),
        }
    }
}

fn parameter_values(file: &str, text: &str) -> Result<GivenParameters, IacError> {
    let doc = JsonDoc::parse(file, text)?;
    let Some(entries) = doc.value.get("parameters").and_then(Value::as_object) else {
        return Err(IacError::Located(Located::new(
            "apimguard::iac::parameters",
            "a parameters file is `{\"parameters\": {\"name\": {\"value\": …}}}` (a .bicepparam file must be built to JSON first: `bicep build-params`)",
            file,
            text,
            1,
            1,
            format!("{file} is not an ARM parameters file: it has no `parameters` object"),
        )));
    };
    let mut values = HashMap::new();
    let mut lines = Vec::new();
    for (name, entry) in entries {
        let value = match (entry.get("value"), entry.get("reference")) {
            (Some(v), _) => v.clone(),
            (None, Some(_)) => unknown(&format!("Key Vault reference of parameter {name}")),
            (None, None) => unknown(&format!("parameters('{name}')")),
        };
        values.insert(name.to_lowercase(), value);
        let line = doc
            .line(&format!("/parameters/{}", pointer_segment(name)))
            .unwrap_or(1);
        lines.push((name.clone(), line, name.to_lowercase()));
    }
    Ok(GivenParameters {
        values,
        lines,
        file: file.to_string(),
        text: text.to_string(),
    })
}

/// The `templateLink.relativePath`s of a template, checked against the IaC root.
struct Links<'a> {
    root: &'a IacRoot,
    template: &'a Path,
    file: &'a str,
    text: &'a str,
    doc: &'a JsonDoc,
}

impl Links<'_> {
    /// Refuses a `templateLink.relativePath` (anywhere below `pointer`, deployed or not)
    /// that leads out of the root or to something other than a file. A linked template
    /// is not read (a gap where it is deployed), so one that is not there is no error.
    fn check(&self, pointer: &str, value: &Value) -> Result<(), IacError> {
        let children: Box<dyn Iterator<Item = (String, &Value)>> = match value {
            Value::Object(map) => Box::new(map.iter().map(|(k, v)| (pointer_segment(k), v))),
            Value::Array(items) => {
                Box::new(items.iter().enumerate().map(|(i, v)| (i.to_string(), v)))
            }
            _ => return Ok(()),
        };
        for (key, child) in children {
            let below = format!("{pointer}/{key}");
            let written = child.get("relativePath").and_then(Value::as_str);
            if let (true, Some(written)) = (key == "templateLink", written) {
                if expr::arm_expression(written).is_none() {
                    self.check_path(&below, written)?;
                }
            }
            self.check(&below, child)?;
        }
        Ok(())
    }

    fn check_path(&self, link: &str, written: &str) -> Result<(), IacError> {
        match self.root.reference(self.template, written, Want::File) {
            Ok(_) | Err(Refusal::Missing) => Ok(()),
            Err(refusal) => {
                let at = At {
                    file: self.file,
                    text: self.text,
                    line: self.doc.line_or_parent(&format!("{link}/relativePath")) as usize,
                    column: 1,
                };
                Err(self
                    .root
                    .refused_at(at, "templateLink.relativePath", written, refusal))
            }
        }
    }
}

/// Refuses a file that is not a deployment template.
fn check_template(file: &str, text: &str, root: &Value) -> Result<(), IacError> {
    let schema = root
        .get("$schema")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let resources = root.get("resources");
    let message = if !root.is_object() {
        Some("a template is a JSON object")
    } else if schema.contains("deploymentParameters") {
        Some("this is a parameters file; pass the template, and this file with --parameters")
    } else if !matches!(resources, Some(Value::Array(_)) | Some(Value::Object(_))) {
        Some("a template has a `resources` array (or, with languageVersion 2.0, object)")
    } else {
        None
    };
    match message {
        Some(message) => Err(IacError::Located(Located::new(
            "apimguard::iac::template",
            "pass an ARM template (a `bicep build` output is one); see docs/iac.md",
            file,
            text,
            1,
            1,
            format!("{file} is not an ARM template: {message}"),
        ))),
        None => Ok(()),
    }
}

/// A template's parameters, variables and nested deployments, evaluated on first use.
struct Tables<'t> {
    parameters: Table,
    variables: Table,
    deployments: Deployments<'t>,
}

impl<'t> Tables<'t> {
    /// The tables of `template`, with `given` parameter values (lower-cased names).
    fn new(template: &'t Value, mut given: HashMap<String, Value>) -> Tables<'t> {
        let mut parameters = HashMap::new();
        if let Some(declared) = template.get("parameters").and_then(Value::as_object) {
            for (name, definition) in declared {
                let key = name.to_lowercase();
                let secure = definition
                    .get("type")
                    .and_then(Value::as_str)
                    .is_some_and(|t| t.to_ascii_lowercase().starts_with("secure"));
                let raw = given
                    .remove(&key)
                    .map(Raw::Given)
                    .or_else(|| definition.get("defaultValue").cloned().map(Raw::Expression));
                let nullable = definition.get("nullable") == Some(&Value::Bool(true));
                let slot = match raw {
                    // Secret values never enter the snapshot.
                    Some(_) if secure => Raw::Given(Value::String(REDACTED.into())),
                    Some(raw) => raw,
                    // `"nullable": true` (Bicep `param x T?`) not given: `null`.
                    None if nullable => Raw::Given(Value::Null),
                    None => Raw::Given(unknown(&format!("parameters('{name}')"))),
                };
                parameters.insert(key, slot);
            }
        }
        let mut variables = HashMap::new();
        if let Some(declared) = template.get("variables").and_then(Value::as_object) {
            for (name, value) in declared {
                if name == "copy" {
                    for (loop_name, input) in copy_entries(value) {
                        variables.insert(loop_name.to_lowercase(), Raw::Copy(input));
                    }
                } else {
                    variables.insert(name.to_lowercase(), Raw::Expression(value.clone()));
                }
            }
        }
        Tables {
            parameters: Table::new(parameters),
            variables: Table::new(variables),
            deployments: Deployments::new(template),
        }
    }
}

/// The inline nested deployments a template declares (not looped), whose outputs
/// `reference()` reads: `reference(resourceId('Microsoft.Resources/deployments', 'm'),
/// '2022-09-01').outputs.x.value`, as `bicep build` writes a module's output, or
/// `reference('m')` by symbolic name (`languageVersion` 2.0).
struct Deployments<'t> {
    /// Each deployment's symbolic name (object form) and declaration.
    list: Vec<(Option<&'t str>, &'t Map<String, Value>)>,
    /// What `reference()` reads of each, by index.
    values: Lazy,
}

impl<'t> Deployments<'t> {
    fn new(template: &'t Value) -> Deployments<'t> {
        let declared: Vec<(Option<&'t str>, &'t Value)> = match template.get("resources") {
            Some(Value::Array(list)) => list.iter().map(|r| (None, r)).collect(),
            Some(Value::Object(map)) => map.iter().map(|(k, r)| (Some(k.as_str()), r)).collect(),
            _ => Vec::new(),
        };
        let list = declared
            .into_iter()
            .filter_map(|(symbol, r)| Some((symbol, r.as_object()?)))
            .filter(|(_, r)| {
                r.get("copy").is_none()
                    && r.get("type")
                        .and_then(Value::as_str)
                        .is_some_and(|t| t.eq_ignore_ascii_case("Microsoft.Resources/deployments"))
            })
            .collect();
        Deployments {
            list,
            values: Lazy::default(),
        }
    }

    /// What `reference(target)` reads of the one deployment `target` names (its id, name or
    /// symbolic name): `{outputs: {x: {type, value}}}`; `None` (unknown) when no deployment
    /// or more than one is named, or the one named may not be deployed.
    fn reference(&self, target: &str, cx: &Cx<'_>) -> Option<Value> {
        const MARKER: &str = "/providers/microsoft.resources/deployments/";
        let lower = target.to_ascii_lowercase();
        let name = match lower.rfind(MARKER) {
            Some(at) => &target[at + MARKER.len()..],
            None => target,
        };
        let top = Cx {
            tables: cx.tables,
            loops: Vec::new(),
        };
        let named: Vec<usize> = (0..self.list.len())
            .filter(|&i| {
                let (symbol, r) = self.list[i];
                symbol == Some(name)
                    || eval_json(r.get("name").unwrap_or(&Value::Null), &top)
                        .as_str()
                        .is_some_and(|n| n.eq_ignore_ascii_case(name))
            })
            .collect();
        let [index] = named.as_slice() else {
            return None;
        };
        self.values
            .get(&index.to_string(), || outputs_of(self.list[*index].1, &top))
    }
}

/// The outputs of an inline nested deployment `r`, evaluated in its scope (`cx` is its
/// parent's): `None` when it may not be deployed or has no inline template.
fn outputs_of(r: &Map<String, Value>, cx: &Cx<'_>) -> Option<Value> {
    if let Some(condition) = r.get("condition") {
        if eval_json(condition, cx) != Value::Bool(true) {
            return None;
        }
    }
    let props = r.get("properties").and_then(Value::as_object)?;
    let template = props.get("template")?;
    let outputs = if inner_scope(props) {
        template_outputs(
            template,
            &Tables::new(template, given_parameters(props, cx)),
        )
    } else {
        template_outputs(template, cx.tables)
    };
    let outputs: Map<String, Value> = outputs
        .into_iter()
        .map(|(name, (kind, value))| (name, json!({"type": kind, "value": value})))
        .collect();
    Some(json!({"outputs": outputs}))
}

/// The `outputs` of `template` evaluated with `tables`: by name, its type and value (an
/// output made by a `copy` loop is unknown).
fn template_outputs(template: &Value, tables: &Tables<'_>) -> Vec<(String, (Value, Value))> {
    let cx = Cx {
        tables,
        loops: Vec::new(),
    };
    let Some(outputs) = template.get("outputs").and_then(Value::as_object) else {
        return Vec::new();
    };
    outputs
        .iter()
        .map(|(name, output)| {
            let value = match output.get("value") {
                Some(value) if output.get("copy").is_none() => eval_json(value, &cx),
                _ => unknown(&format!("the output `{name}`")),
            };
            let kind = output.get("type").cloned().unwrap_or(Value::Null);
            (name.clone(), (kind, value))
        })
        .collect()
}

/// An ARM template a Bicep `module` uses, deployed with `given` parameter values
/// (lower-cased names): what it declares, its outputs by name, and the gaps it has. For
/// a registry module (a template the Bicep CLI restored, not the repository's), each
/// resource is at the `module` line; a local JSON module keeps its own lines.
pub(super) struct CachedModule {
    pub resources: Vec<Declared>,
    pub outputs: Map<String, Value>,
    pub gaps: Vec<crate::snapshot::Gap>,
}

/// Reads the template `path` of a module (see [`CachedModule`]), shown as `file`; every
/// resource at `at` when given (a registry module).
pub(super) fn read_module_template(
    path: &Path,
    file: String,
    given: HashMap<String, Value>,
    at: Option<&Origin>,
) -> Result<CachedModule, IacError> {
    let (file, text, doc) = load_template(path, file)?;
    let reader = Reader {
        file,
        path,
        doc: &doc,
        text: &text,
        gaps: Gaps::default(),
        // The cache is not the repository's: its links are not followed.
        linker: None,
        chain: Vec::new(),
    };
    let tables = Tables::new(&doc.value, given);
    let mut resources = Vec::new();
    reader.template("", &tables, &mut resources)?;
    if let Some(at) = at {
        for resource in &mut resources {
            resource.origin = at.clone();
        }
    }
    let outputs = template_outputs(&doc.value, &tables)
        .into_iter()
        .map(|(name, (_, value))| (name, value))
        .collect();
    Ok(CachedModule {
        resources,
        outputs,
        gaps: reader.gaps.into_sorted(),
    })
}

/// Whether a nested deployment evaluates its template in its own scope
/// (`expressionEvaluationOptions.scope: inner`) rather than its parent's.
fn inner_scope(props: &Map<String, Value>) -> bool {
    props
        .get("expressionEvaluationOptions")
        .and_then(|o| o.get("scope"))
        .and_then(Value::as_str)
        .is_some_and(|s| s.eq_ignore_ascii_case("inner"))
}

/// The parameter values a nested deployment gives its template, evaluated in `cx`.
fn given_parameters(props: &Map<String, Value>, cx: &Cx<'_>) -> HashMap<String, Value> {
    let mut given = HashMap::new();
    if let Some(Value::Object(values)) = props.get("parameters") {
        for (name, entry) in values {
            let value = match entry.get("value") {
                Some(v) => eval_json(v, cx),
                None => unknown(&format!("parameters('{name}')")),
            };
            given.insert(name.to_lowercase(), value);
        }
    }
    given
}

/// A parameter or variable before evaluation.
enum Raw {
    /// A value given as is (parameters file, or a marker).
    Given(Value),
    /// A template value to evaluate.
    Expression(Value),
    /// A variable loop: `{name, count, input}`.
    Copy(Value),
}

/// Named template values (lower-cased names), evaluated once, on first use.
struct Table {
    raw: HashMap<String, Raw>,
    values: Lazy,
}

impl Table {
    fn new(raw: HashMap<String, Raw>) -> Table {
        Table {
            raw,
            values: Lazy::default(),
        }
    }

    fn get(&self, name: &str, cx: &Cx<'_>) -> Option<Value> {
        let key = name.to_lowercase();
        self.values.get(&key, || {
            Some(match self.raw.get(&key)? {
                Raw::Given(v) => v.clone(),
                Raw::Expression(v) => eval_json(v, cx),
                Raw::Copy(entry) => copy_array(entry, cx),
            })
        })
    }
}

/// The evaluation context of one template: its tables and the loops being expanded.
struct Cx<'a> {
    tables: &'a Tables<'a>,
    loops: Vec<(Option<String>, i64)>,
}

impl Context for Cx<'_> {
    fn parameter(&self, name: &str) -> Option<Value> {
        self.tables.parameters.get(name, self)
    }

    fn variable(&self, name: &str) -> Option<Value> {
        self.tables.variables.get(name, self)
    }

    fn reference(&self, target: &str) -> Option<Value> {
        self.tables.deployments.reference(target, self)
    }

    fn copy_index(&self, name: Option<&str>) -> Option<i64> {
        match name {
            None => self
                .loops
                .iter()
                .rev()
                .find(|(n, _)| n.is_none())
                .or(self.loops.last()),
            Some(name) => self
                .loops
                .iter()
                .rev()
                .find(|(n, _)| n.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(name))),
        }
        .map(|(_, i)| *i)
    }
}

/// Evaluates a template value: expressions in strings, property `copy` loops in objects.
fn eval_json(value: &Value, cx: &Cx<'_>) -> Value {
    match value {
        Value::String(s) => expr::eval_template_string(s, cx),
        Value::Array(items) => Value::Array(items.iter().map(|i| eval_json(i, cx)).collect()),
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, item) in map {
                let loops = if key == "copy" {
                    copy_entries(item)
                } else {
                    Vec::new()
                };
                if loops.is_empty() {
                    out.insert(key.clone(), eval_json(item, cx));
                } else {
                    for (name, entry) in loops {
                        out.insert(name, copy_array(&entry, cx));
                    }
                }
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// The `{name, count, input}` entries of a property or variable `copy` array.
fn copy_entries(value: &Value) -> Vec<(String, Value)> {
    let Some(entries) = value.as_array() else {
        return Vec::new();
    };
    let loops: Vec<(String, Value)> = entries
        .iter()
        .filter_map(|e| {
            let name = e.get("name")?.as_str()?;
            (e.get("count").is_some() && e.get("input").is_some())
                .then(|| (name.to_string(), e.clone()))
        })
        .collect();
    if loops.len() == entries.len() {
        loops
    } else {
        Vec::new()
    }
}

/// The array a `copy` entry makes, or unknown when its count is.
fn copy_array(entry: &Value, cx: &Cx<'_>) -> Value {
    let name = entry
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let count = eval_json(entry.get("count").unwrap_or(&Value::Null), cx);
    match count.as_i64().filter(|n| (0..=MAX_COPIES).contains(n)) {
        Some(n) => Value::Array(
            (0..n)
                .map(|i| {
                    let mut inner = Cx {
                        tables: cx.tables,
                        loops: cx.loops.clone(),
                    };
                    inner.loops.push((Some(name.to_string()), i));
                    eval_json(entry.get("input").unwrap_or(&Value::Null), &inner)
                })
                .collect(),
        ),
        None => unknown(&format!("copy loop `{name}`")),
    }
}

/// How deep linked templates may link templates (the file given is level 0), as for
/// Bicep modules.
const MAX_LINK_DEPTH: usize = 10;

/// How many linked templates one run may read (a `copy` loop over a linked deployment
/// reads its template once per instance).
const MAX_LINKED: usize = 1_000;

/// What the templates of one run share to follow `templateLink.relativePath`.
struct Linker<'a> {
    root: &'a IacRoot,
    /// The files read, as shown.
    files: RefCell<Vec<String>>,
    /// Linked templates read so far.
    count: Cell<usize>,
}

/// Walks a template's resources into [`Declared`] ones.
struct Reader<'a> {
    file: String,
    /// The template's path as shown (links are relative to it).
    path: &'a Path,
    doc: &'a JsonDoc,
    text: &'a str,
    gaps: Gaps,
    /// Follows relative links; `None` where they are not followed (a restored module).
    linker: Option<&'a Linker<'a>>,
    /// The real paths of this template and of those that link to it.
    chain: Vec<PathBuf>,
}

impl Reader<'_> {
    /// Reads the template at JSON pointer `base` (`""`, or a nested deployment's template).
    fn template(
        &self,
        base: &str,
        tables: &Tables<'_>,
        out: &mut Vec<Declared>,
    ) -> Result<(), IacError> {
        let cx = Cx {
            tables,
            loops: Vec::new(),
        };
        let resources = self.doc.value.pointer(&format!("{base}/resources"));
        match resources {
            Some(Value::Array(list)) => {
                for i in 0..list.len() {
                    self.top_resource(&format!("{base}/resources/{i}"), &cx, out)?;
                }
            }
            Some(Value::Object(map)) => {
                for symbol in map.keys() {
                    let pointer = format!("{base}/resources/{}", pointer_segment(symbol));
                    self.top_resource(&pointer, &cx, out)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Reads a resource of the template's list; an evaluation cut short is an error at its line.
    fn top_resource(
        &self,
        pointer: &str,
        cx: &Cx<'_>,
        out: &mut Vec<Declared>,
    ) -> Result<(), IacError> {
        expr::evaluation_cut();
        self.resource(pointer, None, cx, out)?;
        if let Some(cut) = expr::evaluation_cut() {
            return Err(evaluation_cut(
                cut,
                &self.file,
                self.text,
                self.line(pointer) as usize,
            ));
        }
        Ok(())
    }

    fn line(&self, pointer: &str) -> u32 {
        self.doc.line_or_parent(pointer)
    }

    fn at(&self, pointer: &str) -> String {
        format!("{}:{}", self.file, self.line(pointer))
    }

    /// Reads the resource at `pointer` (and its nested children), once per loop instance.
    fn resource(
        &self,
        pointer: &str,
        parent: Option<(&str, &[String])>,
        cx: &Cx<'_>,
        out: &mut Vec<Declared>,
    ) -> Result<(), IacError> {
        let Some(r) = self.doc.value.pointer(pointer).and_then(Value::as_object) else {
            return Err(self.shape(pointer, "a resource must be a JSON object"));
        };
        let Some(copy) = r.get("copy") else {
            return self.instance(pointer, r, parent, cx, out);
        };
        let name = copy.get("name").and_then(Value::as_str).map(str::to_string);
        let count = eval_json(copy.get("count").unwrap_or(&Value::Null), cx);
        let Some(n) = count.as_i64().filter(|n| (0..=MAX_COPIES).contains(n)) else {
            if !self.judged(r, parent, cx) {
                return Ok(());
            }
            self.gaps.add(
                &self.at(pointer),
                "copy",
                format!(
                    "the loop count is not known before deployment ({}); the resources of this loop are not read",
                    expr::as_text(&count)
                ),
            );
            return Ok(());
        };
        for i in 0..n {
            let mut inner = Cx {
                tables: cx.tables,
                loops: cx.loops.clone(),
            };
            inner.loops.push((name.clone(), i));
            self.instance(pointer, r, parent, &inner, out)?;
        }
        Ok(())
    }

    fn instance(
        &self,
        pointer: &str,
        r: &Map<String, Value>,
        parent: Option<(&str, &[String])>,
        cx: &Cx<'_>,
        out: &mut Vec<Declared>,
    ) -> Result<(), IacError> {
        if let Some(condition) = r.get("condition") {
            match eval_json(condition, cx) {
                Value::Bool(false) => return Ok(()),
                Value::Bool(true) => {}
                // Never guessed in the compliant direction: the resource may or may not
                // be deployed (a policy that authenticates an API, for instance).
                open => {
                    let scope = self.at(&format!("{pointer}/condition"));
                    if self.judged(r, parent, cx) && !self.gaps.has(&scope, "condition") {
                        self.gaps.add(
                            &scope,
                            "condition",
                            format!(
                                "the condition is not known before deployment ({}); the resource is read as if it were deployed",
                                expr::as_text(&open)
                            ),
                        );
                    }
                }
            }
        }
        let text = |key: &str| eval_json(r.get(key).unwrap_or(&Value::Null), cx);
        let (Value::String(kind), name) = (text("type"), text("name")) else {
            return Err(self.shape(pointer, "a resource needs a `type` string"));
        };
        let Value::String(name) = name else {
            return Err(self.shape(pointer, "a resource needs a `name` string"));
        };
        if kind.eq_ignore_ascii_case("Microsoft.Resources/deployments") {
            return self.deployment(pointer, r, cx, out);
        }
        let own = super::scope::name_parts(&name);
        let (kind, names) = match parent {
            Some((parent_kind, parent_names)) if !kind.contains('/') => (
                format!("{parent_kind}/{kind}"),
                parent_names.iter().cloned().chain(own).collect::<Vec<_>>(),
            ),
            _ => (kind, own),
        };
        let scope = r.get("scope").map(|s| expr::as_text(&eval_json(s, cx)));
        let expected = super::scope::name_segments(&kind);
        if names.len() != expected {
            self.gaps.add(
                &self.at(pointer),
                "resource",
                format!("`{name}` has {} name segment(s) but type {kind} needs {expected}; the resource is not read", names.len()),
            );
            return Ok(());
        }
        let mut body = Map::new();
        for key in BODY_KEYS {
            if let Some(value) = r.get(key) {
                body.insert(key.to_string(), eval_json(value, cx));
            }
        }
        let mut declared = Declared::new(&kind, names.clone(), body, self.origin(pointer));
        declared.scope = scope;
        declared.existing = r.get("existing").and_then(Value::as_bool).unwrap_or(false);
        out.push(declared);
        if let Some(Value::Array(children)) = r.get("resources") {
            for i in 0..children.len() {
                self.resource(
                    &format!("{pointer}/resources/{i}"),
                    Some((&kind, &names)),
                    cx,
                    out,
                )?;
            }
        }
        Ok(())
    }

    /// Whether the snapshot reads the resource `r` ([`estate::judged`]); a nested
    /// deployment may declare anything.
    fn judged(
        &self,
        r: &Map<String, Value>,
        parent: Option<(&str, &[String])>,
        cx: &Cx<'_>,
    ) -> bool {
        let kind = expr::as_text(&eval_json(r.get("type").unwrap_or(&Value::Null), cx));
        let kind = match parent {
            Some((parent_kind, _)) if !kind.contains('/') => format!("{parent_kind}/{kind}"),
            _ => kind,
        };
        kind.eq_ignore_ascii_case("Microsoft.Resources/deployments") || estate::judged(&kind)
    }

    /// Where a resource and its settings are written.
    fn origin(&self, pointer: &str) -> Origin {
        let mut origin = Origin::at(self.file.clone(), self.line(pointer));
        let top = self
            .doc
            .lines_below(pointer, 1)
            .into_iter()
            .filter(|(key, _)| key != "properties" && key != "resources")
            .collect();
        origin.add_settings(&self.file, "", top);
        let properties = self.doc.lines_below(&format!("{pointer}/properties"), 2);
        origin.add_settings(&self.file, "properties", properties);
        origin
    }

    /// An inline nested deployment: its template, with its own parameters (inner scope)
    /// or its parent's (outer scope).
    fn deployment(
        &self,
        pointer: &str,
        r: &Map<String, Value>,
        cx: &Cx<'_>,
        out: &mut Vec<Declared>,
    ) -> Result<(), IacError> {
        let props = r.get("properties").and_then(Value::as_object);
        let Some((props, template)) = props.and_then(|p| Some((p, p.get("template")?))) else {
            let link = props.and_then(|p| p.get("templateLink"));
            if let (Some(props), Some(path)) = (props, link.and_then(|l| l.get("relativePath"))) {
                return self.linked(pointer, props, path, cx, out);
            }
            let why = match (link.and_then(|l| l.get("id")), link.and_then(|l| l.get("uri"))) {
                (Some(_), _) => "a template spec (templateLink.id) is not a file: it cannot be read offline; check the template spec's template on its own".to_string(),
                (None, Some(uri)) => format!(
                    "the linked template at `{}` is not read (a URL is not read offline); link it by templateLink.relativePath, inline it, or check it on its own",
                    shown_uri(&expr::as_text(&eval_json(uri, cx)))
                ),
                _ => "a linked template (templateLink) is not read; inline it, or check the linked template on its own".to_string(),
            };
            self.gaps.add(&self.at(pointer), "deployment", why);
            return Ok(());
        };
        let base = format!("{pointer}/properties/template");
        if !inner_scope(props) {
            // Outer scope: the nested template's expressions see its parent's values.
            return self.template(&base, cx.tables, out);
        }
        self.template(
            &base,
            &Tables::new(template, given_parameters(props, cx)),
            out,
        )
    }

    /// A deployment linked by `templateLink.relativePath` (`written`): the template it
    /// names, read from disk relative to this one and inside the IaC root, with the
    /// parameters the deployment gives it (a linked template has its own scope).
    fn linked(
        &self,
        pointer: &str,
        props: &Map<String, Value>,
        written: &Value,
        cx: &Cx<'_>,
        out: &mut Vec<Declared>,
    ) -> Result<(), IacError> {
        let gap = |why: String| {
            self.gaps.add(&self.at(pointer), "deployment", why);
            Ok(())
        };
        let Some(linker) = self.linker else {
            return gap("a linked template inside a restored registry module is not read; check the module's source on its own".into());
        };
        let written = match eval_json(written, cx) {
            Value::String(path) if !super::unknown::contains_unknown(&path) => path,
            open => {
                return gap(format!(
                    "the linked template's relativePath is not known before deployment ({}); the template is not read",
                    expr::as_text(&open)
                ))
            }
        };
        if props.get("parametersLink").is_some() {
            return gap(format!("the linked template `{written}` takes its parameters from a parametersLink, which is not read offline; give them in `parameters`"));
        }
        let link_pointer = format!("{pointer}/properties/templateLink/relativePath");
        let line = self.line(&link_pointer);
        let at = At {
            file: &self.file,
            text: self.text,
            line: line as usize,
            column: 1,
        };
        let refused = |refusal| {
            linker
                .root
                .refused_at(at, "templateLink.relativePath", &written, refusal)
        };
        let real = match linker.root.reference(self.path, &written, Want::File) {
            Ok(real) => real,
            Err(Refusal::Missing) => {
                return gap(format!(
                    "the linked template `{written}` is not there; the deployment is not read"
                ))
            }
            Err(refusal) => return Err(refused(refusal)),
        };
        let limit = if self.chain.contains(&real) {
            Some((
                "apimguard::iac::link_cycle",
                "a template cannot link to itself, directly or through other linked templates: ARM would deploy it forever",
                format!("`{written}` leads back to a template that links to it"),
            ))
        } else if self.chain.len() > MAX_LINK_DEPTH {
            Some((
                "apimguard::iac::link_depth",
                "no real deployment nests linked templates this deep; flatten the chain (docs/limits.md)",
                format!("linked templates nest more than {MAX_LINK_DEPTH} levels deep here"),
            ))
        } else if linker.count.get() >= MAX_LINKED {
            Some((
                "apimguard::iac::link_count",
                "loops over linked deployments multiply: check the copy counts, or split the deployment (docs/limits.md)",
                format!("the templates link more than {MAX_LINKED} templates"),
            ))
        } else {
            None
        };
        if let Some((code, help, message)) = limit {
            return Err(IacError::Located(Located::new(
                code,
                help,
                &self.file,
                self.text,
                line as usize,
                1,
                format!("{}:{line}: {message}", self.file),
            )));
        }
        linker.count.set(linker.count.get() + 1);
        let bytes = linker.root.read(&real).map_err(refused)?;
        let shown = super::root::shown_beside(self.path, &written);
        let text = String::from_utf8(bytes).map_err(|_| {
            self.shape(
                &link_pointer,
                &format!("the linked template `{written}` is not UTF-8 text"),
            )
        })?;
        let (file, text, doc) = parse_template(shown.display().to_string(), text)?;
        Links {
            root: linker.root,
            template: &shown,
            file: &file,
            text: &text,
            doc: &doc,
        }
        .check("", &doc.value)?;
        let mut files = linker.files.borrow_mut();
        if !files.contains(&file) {
            files.push(file.clone());
        }
        drop(files);
        let mut chain = self.chain.clone();
        chain.push(real);
        let reader = Reader {
            file,
            path: &shown,
            doc: &doc,
            text: &text,
            gaps: Gaps::default(),
            linker: Some(linker),
            chain,
        };
        let tables = Tables::new(&doc.value, given_parameters(props, cx));
        reader.template("", &tables, out)?;
        for gap in reader.gaps.into_sorted() {
            self.gaps.add(&gap.scope, &gap.what, gap.error);
        }
        Ok(())
    }

    fn shape(&self, pointer: &str, message: &str) -> IacError {
        let line = self.line(pointer);
        IacError::Located(Located::new(
            "apimguard::iac::template",
            "fix the resource: every resource is an object with `type` and `name` (see docs/iac.md)",
            &self.file,
            self.text,
            line as usize,
            1,
            format!("{}:{line}: {message}", self.file),
        ))
    }
}

/// A linked template's URL as a gap names it: without its query (a SAS token) or fragment.
fn shown_uri(uri: &str) -> &str {
    uri.split(['?', '#']).next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iac::unknown::is_unknown;
    use std::io::Write;

    fn read_str(template: &str, parameters: Option<&str>) -> Result<Estate, IacError> {
        let dir = tempfile::tempdir().unwrap();
        let t = dir.path().join("t.json");
        std::fs::File::create(&t)
            .unwrap()
            .write_all(template.as_bytes())
            .unwrap();
        let p = parameters.map(|text| {
            let p = dir.path().join("p.json");
            std::fs::write(&p, text).unwrap();
            p
        });
        read(&t, p.as_deref(), &IacRoot::find(None, dir.path()).unwrap())
    }

    #[test]
    fn nested_and_path_named_children() {
        let template = r#"{
  "parameters": {"svc": {"type": "string", "defaultValue": "contoso"}, "proto": {"type": "array"}},
  "variables": {"api": "[concat('echo', '-api')]"},
  "resources": [
    {"type": "Microsoft.ApiManagement/service", "name": "[parameters('svc')]",
     "properties": {"publisherEmail": "a@b.c"},
     "resources": [
       {"type": "apis", "name": "[variables('api')]", "properties": {"path": "echo", "protocols": "[parameters('proto')]"}}
     ]},
    {"type": "Microsoft.ApiManagement/service/apis/policies", "name": "[format('{0}/{1}/policy', parameters('svc'), variables('api'))]",
     "properties": {"value": "<policies/>"}}
  ]
}"#;
        let estate = read_str(template, None).unwrap();
        let kinds = estate.kinds_and_names();
        assert_eq!(
            kinds[1],
            (
                "Microsoft.ApiManagement/service/apis".into(),
                vec!["contoso".into(), "echo-api".into()]
            )
        );
        assert_eq!(kinds[2].1, vec!["contoso", "echo-api", "policy"]);
        let api = &estate.resources[1];
        assert!(is_unknown(&api.body["properties"]["protocols"]));
        assert_eq!(api.origin.line, 8);
        assert_eq!(api.origin.of_setting("properties/protocols").line, 8);
    }

    #[test]
    fn parameters_file_and_object_form() {
        let template = r#"{"languageVersion": "2.0", "parameters": {"svc": {"type": "string"}, "key": {"type": "securestring"}},
 "resources": {"svc": {"type": "Microsoft.ApiManagement/service", "name": "[parameters('svc')]", "existing": true},
   "nv": {"type": "Microsoft.ApiManagement/service/namedValues", "name": "[format('{0}/k', parameters('svc'))]", "properties": {"value": "[parameters('key')]"}}}}"#;
        let estate = read_str(
            template,
            Some(r#"{"parameters": {"svc": {"value": "prod"}, "key": {"value": "s3cret"}}}"#),
        )
        .unwrap();
        assert!(estate.resources[0].existing);
        assert_eq!(estate.resources[1].names, vec!["prod", "k"]);
        assert_eq!(estate.resources[1].body["properties"]["value"], REDACTED);
        let err = read_str(template, Some(r#"{"parameters": {"other": {"value": 1}}}"#))
            .err()
            .unwrap();
        assert!(
            err.to_string()
                .contains("the template has no parameter `other`"),
            "{err}"
        );
    }

    #[test]
    fn nested_deployments_inner_and_outer() {
        let template = r#"{"parameters": {"svc": {"type": "string", "defaultValue": "outer-svc"}},
  "variables": {"suffix": "-x"},
  "resources": [
    {"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "module",
     "properties": {"expressionEvaluationOptions": {"scope": "inner"}, "mode": "Incremental",
       "parameters": {"name": {"value": "[concat(parameters('svc'), variables('suffix'))]"}},
       "template": {"parameters": {"name": {"type": "string"}},
         "resources": [{"type": "Microsoft.ApiManagement/service/apis", "apiVersion": "2022-08-01",
                        "name": "[format('{0}/inner', parameters('name'))]"}]}}},
    {"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "outer",
     "properties": {"mode": "Incremental",
       "template": {"resources": [{"type": "Microsoft.ApiManagement/service/apis", "apiVersion": "2022-08-01",
                                   "name": "[format('{0}/outer', parameters('svc'))]"}]}}},
    {"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "linked",
     "properties": {"templateLink": {"uri": "https://example.com/t.json"}}}
  ]}"#;
        let estate = read_str(template, None).unwrap();
        let names: Vec<Vec<String>> = estate
            .kinds_and_names()
            .into_iter()
            .map(|(_, n)| n)
            .collect();
        assert_eq!(
            names,
            vec![vec!["outer-svc-x", "inner"], vec!["outer-svc", "outer"]]
        );
        let gaps = estate.gaps.into_sorted();
        assert_eq!((gaps.len(), gaps[0].what.as_str()), (1, "deployment"));
    }

    #[test]
    fn loops_conditions_and_unknown_counts() {
        let template = r#"{"parameters": {"n": {"type": "int"}}, "resources": [
  {"type": "Microsoft.ApiManagement/service/apis", "name": "[format('s/api{0}', copyIndex())]", "copy": {"name": "l", "count": 2}},
  {"type": "Microsoft.ApiManagement/service/apis", "name": "s/never", "condition": "[equals(1, 2)]"},
  {"type": "Microsoft.ApiManagement/service/apis", "name": "[format('s/x{0}', copyIndex())]", "copy": {"name": "m", "count": "[parameters('n')]"}}
]}"#;
        let estate = read_str(template, None).unwrap();
        let names: Vec<&str> = estate
            .resources
            .iter()
            .map(|d| d.names[1].as_str())
            .collect();
        assert_eq!(names, vec!["api0", "api1"]);
        let gaps = estate.gaps.into_sorted();
        assert_eq!(gaps.len(), 1);
        assert!(gaps[0].scope.ends_with("t.json:4"), "{gaps:?}");
        assert!(
            gaps[0].error.contains("(<unknown: parameters('n')>)"),
            "{gaps:?}"
        );
    }

    #[test]
    fn deep_expressions_and_variable_chains_are_located_errors() {
        let template = |variables: String, email: &str| {
            format!(
                r#"{{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "variables": {{{variables}}},
  "resources": [
    {{"type": "Microsoft.ApiManagement/service", "apiVersion": "2023-05-01-preview", "name": "contoso",
      "properties": {{"publisherEmail": "{email}"}}}}
  ]
}}"#
            )
        };
        let deep = |n: usize| format!("[{}'a'{}]", "concat(".repeat(n), ")".repeat(n));
        assert!(read_str(&template(String::new(), &deep(expr::MAX_NESTING)), None).is_ok());
        for n in [expr::MAX_NESTING + 1, 100_000] {
            let err = read_str(&template(String::new(), &deep(n)), None)
                .err()
                .unwrap();
            assert!(
                err.to_string().contains(
                    "t.json:6: the expression nests calls and indexes more than 32 levels deep"
                ),
                "{err}"
            );
        }
        let chain: Vec<String> = (0..100_000)
            .map(|i| format!(r#""v{i}": "[variables('v{}')]""#, i + 1))
            .collect();
        let err = read_str(&template(chain.join(","), "[variables('v0')]"), None)
            .err()
            .unwrap();
        assert!(
            err.to_string()
                .contains("t.json:5: evaluating this resource goes more than 64 levels deep"),
            "{err}"
        );
    }
}
