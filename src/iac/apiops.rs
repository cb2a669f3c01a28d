//! APIOps extractor folders (Azure/apiops): one folder per resource, named after it,
//! holding `<kind>Information.json` (`{"properties": …}`) and raw `policy.xml` files.
//!
//! ```text
//! policy.xml                                  service (global) policy
//! apis/<api>[;rev=N]/apiInformation.json      + policy.xml, specification.{yaml,json,…}
//! apis/<api>/operations/<op>/policy.xml       operation policies
//! products/<p>/productInformation.json        + policy.xml, apis/<api>/productApiInformation.json (or apis.json)
//! backends/<b>/backendInformation.json
//! named values/<n>/namedValueInformation.json
//! policy fragments/<f>/policyFragmentInformation.json + policy.xml
//! gateways/<g>/gatewayInformation.json        + apis/<api>/gatewayApiInformation.json (or apis.json)
//! subscriptions/<s>/subscriptionInformation.json
//! workspaces/<w>/…                            the same layout, for the workspace's APIs
//! ```
//!
//! Other folders (loggers, diagnostics, tags, version sets, groups, …) are not part of
//! the snapshot and are skipped. A publisher configuration (`configuration.<env>.yaml`)
//! is merged into each resource as the publisher merges it: the entry whose `name` is
//! the resource's, deep-merged over its information file; `{#token#}` placeholders
//! (replaced by the pipeline at publish time) are unknown.
//!
//! Every file and folder read must resolve, links followed, inside the IaC root
//! ([`super::root`]); a file found by name that is not a regular file (a pipe, a
//! device, a folder) is refused, never skipped.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

use super::error::{read_text, IacError};
use super::estate::{Declared, Estate, ReaderKind, Spec};
use super::expr::merge_objects;
use super::json::JsonDoc;
use super::root::{IacRoot, Want};
use super::unknown::unknown;
use crate::collect::gaps::Gaps;
use crate::diagnostic::Located;
use crate::policy_xml;
use crate::snapshot::Origin;

/// The service name when neither the files nor the configuration give one.
const DEFAULT_SERVICE: &str = "{serviceName}";

/// Specification files APIM imports, and whether operations are read from them.
const SPECIFICATIONS: [(&str, bool); 6] = [
    ("specification.yaml", true),
    ("specification.yml", true),
    ("specification.json", true),
    ("specification.graphql", false),
    ("specification.wsdl", false),
    ("specification.wadl", false),
];

/// What an APIOps artifacts folder holds at its top level (read or skipped): a folder
/// with none of them is not one.
pub(crate) const ARTIFACTS: [&str; 15] = [
    "policy.xml",
    "apis",
    "products",
    "backends",
    "named values",
    "policy fragments",
    "gateways",
    "subscriptions",
    "workspaces",
    "loggers",
    "diagnostics",
    "tags",
    "version sets",
    "groups",
    "api version sets",
];

/// Reads an APIOps folder, with the overrides of `configuration`; every file read must
/// be inside `root`.
pub(super) fn read(
    folder: &Path,
    configuration: Option<&Path>,
    root: &IacRoot,
) -> Result<Estate, IacError> {
    check_folder(folder)?;
    check_artifacts(folder)?;
    let config = configuration.map(Config::read).transpose()?;
    let service = config
        .as_ref()
        .and_then(|c| c.value.get("apimServiceName"))
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .unwrap_or(DEFAULT_SERVICE)
        .to_string();
    let reader = Reader {
        root: root.clone(),
        service,
        config,
        resources: RefCell::new(Vec::new()),
        files: RefCell::new(Vec::new()),
        gaps: Gaps::default(),
    };
    let place = Place {
        service: &reader.service,
        workspace: None,
    };
    reader.scope(folder, &place, &Overrides::root(reader.config.as_ref()))?;
    let mut files = reader.files.into_inner();
    if let Some(path) = configuration {
        files.push(path.display().to_string());
    }
    Ok(Estate {
        reader: ReaderKind::Apiops,
        files,
        default_service: Some(reader.service),
        resources: reader.resources.into_inner(),
        gaps: reader.gaps,
    })
}

/// Refuses a path that is not a folder.
pub(super) fn check_folder(folder: &Path) -> Result<(), IacError> {
    if folder.is_dir() {
        return Ok(());
    }
    Err(IacError::io(
        &folder.display().to_string(),
        std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a folder"),
    ))
}

/// Refuses a folder that holds no APIOps artifacts (a repository root, a typo): reading
/// it would give an empty estate, which every rule passes.
fn check_artifacts(folder: &Path) -> Result<(), IacError> {
    let holds = |dir: &Path| ARTIFACTS.iter().any(|name| dir.join(name).exists());
    if holds(folder) {
        return Ok(());
    }
    let mut candidates: Vec<PathBuf> = std::fs::read_dir(folder)
        .map_err(|e| IacError::io(&folder.display().to_string(), e))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_dir() && holds(path))
        .collect();
    candidates.sort();
    let hint = match candidates.first() {
        Some(found) => format!("; did you mean {}?", found.display()),
        None => String::new(),
    };
    Err(IacError::NotApiops {
        folder: folder.display().to_string(),
        hint,
    })
}

/// The JSON type of a value, for messages.
fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A publisher configuration file.
struct Config {
    file: String,
    text: String,
    value: Value,
}

impl Config {
    fn read(path: &Path) -> Result<Config, IacError> {
        let file = path.display().to_string();
        let text = read_text(path, &file)?;
        if let Some(at) = crate::nesting::yaml_flow_too_deep(&text) {
            return Err(IacError::Located(Located::at_offset(
                "apimguard::iac::depth",
                "no publisher configuration nests brackets this deep (docs/limits.md)",
                &file,
                &text,
                at,
                |line, column| {
                    format!(
                        "{file}:{line}:{column}: `[`/`{{` nest more than {} levels deep",
                        crate::nesting::MAX_YAML_FLOW
                    )
                },
            )));
        }
        let value: Value = serde_yaml::from_str(&text).map_err(|e| {
            let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
            IacError::Located(Located::new(
                "apimguard::iac::yaml",
                "fix the YAML syntax at the marked spot (values with `: ` or a leading `[`/`{` need quotes)",
                &file,
                &text,
                line,
                column,
                format!("{file} is not valid YAML (line {line}, column {column}): {e}"),
            ))
        })?;
        Ok(Config { file, text, value })
    }

    /// 1-based line of the first line at or after `from` that contains `needle`.
    fn line_of(&self, from: u32, needle: &str) -> Option<u32> {
        self.text
            .lines()
            .enumerate()
            .skip(from.saturating_sub(1) as usize)
            .find(|(_, l)| l.contains(needle))
            .and_then(|(i, _)| u32::try_from(i + 1).ok())
    }
}

/// The configuration entries that apply below one resource (or at the top level).
#[derive(Clone, Default)]
struct Overrides<'a> {
    section: Option<&'a Map<String, Value>>,
    /// Line of the entry holding this section, to find child entries after it.
    line: u32,
}

impl<'a> Overrides<'a> {
    fn root(config: Option<&'a Config>) -> Overrides<'a> {
        Overrides {
            section: config.and_then(|c| c.value.as_object()),
            line: 1,
        }
    }

    /// The entry for resource `name` in the list `key` (`apis`, `namedValues`, …): its
    /// overrides, and those of the resources below it.
    fn entry(&self, config: Option<&Config>, key: &str, name: &str) -> Overrides<'a> {
        let found = self
            .section
            .and_then(|s| s.get(key))
            .and_then(Value::as_array)
            .and_then(|list| {
                list.iter()
                    .filter_map(Value::as_object)
                    .find(|e| e.get("name").and_then(Value::as_str) == Some(name))
            });
        let line = match (found, config) {
            (Some(_), Some(c)) => c
                .line_of(self.line, &format!("name: {name}"))
                .or_else(|| c.line_of(self.line, name))
                .unwrap_or(self.line),
            _ => self.line,
        };
        Overrides {
            section: found,
            line,
        }
    }
}

struct Reader {
    root: IacRoot,
    service: String,
    config: Option<Config>,
    resources: RefCell<Vec<Declared>>,
    files: RefCell<Vec<String>>,
    gaps: Gaps,
}

/// A resource kind of the layout: its folder, information file, type and config key.
struct Layout {
    folder: &'static str,
    information: &'static str,
    kind: &'static str,
    config_key: &'static str,
    /// Whether a folder without its information file is a gap and is not read (else: a
    /// resource without properties).
    required: bool,
}

const BACKENDS: Layout = Layout {
    folder: "backends",
    information: "backendInformation.json",
    kind: "backends",
    config_key: "backends",
    required: true,
};
const NAMED_VALUES: Layout = Layout {
    folder: "named values",
    information: "namedValueInformation.json",
    kind: "namedValues",
    config_key: "namedValues",
    required: true,
};
const SUBSCRIPTIONS: Layout = Layout {
    folder: "subscriptions",
    information: "subscriptionInformation.json",
    kind: "subscriptions",
    config_key: "subscriptions",
    required: true,
};
const PRODUCTS: Layout = Layout {
    folder: "products",
    information: "productInformation.json",
    kind: "products",
    config_key: "products",
    required: true,
};
const GATEWAYS: Layout = Layout {
    folder: "gateways",
    information: "gatewayInformation.json",
    kind: "gateways",
    config_key: "gateways",
    required: true,
};
const FRAGMENTS: Layout = Layout {
    folder: "policy fragments",
    information: "policyFragmentInformation.json",
    kind: "policyFragments",
    config_key: "policyFragments",
    required: false,
};
const APIS: Layout = Layout {
    folder: "apis",
    information: "apiInformation.json",
    kind: "apis",
    config_key: "apis",
    required: true,
};
const WORKSPACES: Layout = Layout {
    folder: "workspaces",
    information: "workspaceInformation.json",
    kind: "workspaces",
    config_key: "workspaces",
    required: false,
};

/// Where resources sit: the service, or one of its workspaces.
struct Place<'p> {
    service: &'p str,
    workspace: Option<&'p str>,
}

impl Place<'_> {
    /// The ARM type of `below` here: `Microsoft.ApiManagement/service[/workspaces]/<below>`.
    fn kind(&self, below: &[&str]) -> String {
        let mut segments = vec!["Microsoft.ApiManagement/service"];
        if self.workspace.is_some() {
            segments.push("workspaces");
        }
        segments.extend_from_slice(below);
        segments.join("/")
    }

    /// The name segments of a resource here: the service's, the workspace's, then `own`.
    fn names(&self, own: &[&str]) -> Vec<String> {
        std::iter::once(self.service)
            .chain(self.workspace)
            .chain(own.iter().copied())
            .map(str::to_string)
            .collect()
    }
}

impl Reader {
    /// The path of `path` as origins show it: the folder as given, then the rest.
    fn shown(&self, path: &Path) -> String {
        path.display().to_string().replace('\\', "/")
    }

    /// Reads the service root or a workspace folder.
    fn scope(
        &self,
        dir: &Path,
        place: &Place<'_>,
        overrides: &Overrides<'_>,
    ) -> Result<(), IacError> {
        self.policy(&dir.join("policy.xml"), place, &[], overrides)?;
        for layout in [BACKENDS, NAMED_VALUES, SUBSCRIPTIONS] {
            self.each(dir, &layout, place, overrides, |_, _| Ok(()))?;
        }
        self.each(dir, &FRAGMENTS, place, overrides, |path, declared| {
            let policy = path.join("policy.xml");
            if let Some(text) = self.optional_text(&policy)? {
                validate_fragment(&self.shown(&policy), &text)?;
                let props = properties_mut(&mut declared.body);
                props.insert("format".into(), json!("rawxml"));
                props.insert("value".into(), Value::String(text));
            }
            Ok(())
        })?;
        for (name, path, below) in self.each(dir, &PRODUCTS, place, overrides, |_, _| Ok(()))? {
            self.policy(
                &path.join("policy.xml"),
                place,
                &["products", &name],
                &below,
            )?;
            self.links(
                &path,
                "productApiInformation.json",
                place,
                &["products", &name],
            )?;
        }
        for (name, path, _) in self.each(dir, &GATEWAYS, place, overrides, |_, _| Ok(()))? {
            self.links(
                &path,
                "gatewayApiInformation.json",
                place,
                &["gateways", &name],
            )?;
        }
        let apis = self.each(dir, &APIS, place, overrides, |path, declared| {
            declared.spec = Some(self.specification(path)?);
            Ok(())
        })?;
        for (name, path, below) in apis {
            self.policy(&path.join("policy.xml"), place, &["apis", &name], &below)?;
            for (operation, op_path) in self.subfolders(&path.join("operations"))? {
                self.resources.borrow_mut().push(Declared::new(
                    &place.kind(&["apis", "operations"]),
                    place.names(&[&name, &operation]),
                    Map::from_iter([("properties".to_string(), json!({}))]),
                    Origin::at(self.shown(&op_path), 1),
                ));
                let op_overrides = below.entry(self.config.as_ref(), "operations", &operation);
                self.policy(
                    &op_path.join("policy.xml"),
                    place,
                    &["apis", &name, "operations", &operation],
                    &op_overrides,
                )?;
            }
        }
        if place.workspace.is_none() {
            for (name, path, below) in
                self.each(dir, &WORKSPACES, place, overrides, |_, _| Ok(()))?
            {
                let workspace = Place {
                    service: place.service,
                    workspace: Some(&name),
                };
                self.scope(&path, &workspace, &below)?;
            }
        }
        Ok(())
    }

    /// Reads every resource of `layout` under `dir` (its information file, its
    /// overrides, then `finish`), and returns each one's name, folder and overrides.
    fn each<'o>(
        &self,
        dir: &Path,
        layout: &Layout,
        place: &Place<'_>,
        overrides: &Overrides<'o>,
        mut finish: impl FnMut(&Path, &mut Declared) -> Result<(), IacError>,
    ) -> Result<Vec<(String, PathBuf, Overrides<'o>)>, IacError> {
        let mut found = Vec::new();
        for (name, path) in self.subfolders(&dir.join(layout.folder))? {
            let below = overrides.entry(self.config.as_ref(), layout.config_key, &name);
            let Some(mut declared) = self.information(&path, layout, place, &name, &below)? else {
                continue;
            };
            finish(&path, &mut declared)?;
            self.resources.borrow_mut().push(declared);
            found.push((name, path, below));
        }
        Ok(found)
    }

    /// Reads an information file with its overrides merged. Without the file: empty
    /// properties, or, when the kind needs one, `None` and a gap.
    fn information(
        &self,
        dir: &Path,
        layout: &Layout,
        place: &Place<'_>,
        name: &str,
        overrides: &Overrides<'_>,
    ) -> Result<Option<Declared>, IacError> {
        let path = dir.join(layout.information);
        let file = self.shown(&path);
        let mut body = Map::new();
        body.insert("properties".into(), json!({}));
        let mut origin = Origin::at(self.shown(dir), 1);
        if let Some(text) = self.optional_text(&path)? {
            let doc = JsonDoc::parse(&file, &text)?;
            match doc.value.get("properties") {
                Some(props @ Value::Object(_)) => {
                    body.insert("properties".into(), props.clone());
                }
                // Settings outside `properties` are not what the publisher deploys:
                // reading the resource with APIM's defaults would hide them.
                other => {
                    let line = doc.line("/properties").unwrap_or(1) as usize;
                    let found = match other {
                        None => "it has none".to_string(),
                        Some(v) => format!("`properties` is {}", json_kind(v)),
                    };
                    return Err(IacError::Located(Located::new(
                        "apimguard::iac::apiops",
                        "an APIOps information file is {\"properties\": {…}}, as the extractor writes it",
                        &file,
                        &text,
                        line,
                        1,
                        format!("{file}:{line}: an information file holds its settings in a `properties` object, but {found}"),
                    )));
                }
            }
            origin = Origin::at(file.clone(), doc.line("/properties").unwrap_or(1));
            origin.add_settings(&file, "properties", doc.lines_below("/properties", 2));
        } else if layout.required {
            self.gaps.add(
                &self.shown(dir),
                layout.kind,
                format!(
                    "the folder has no {}; the resource is not read",
                    layout.information
                ),
            );
            return Ok(None);
        }
        self.apply(&mut body, &mut origin, overrides);
        Ok(Some(Declared::new(
            &place.kind(&[layout.kind]),
            place.names(&[name]),
            body,
            origin,
        )))
    }

    /// Merges the configuration entry of `overrides` over a resource, as the publisher does.
    fn apply(&self, body: &mut Map<String, Value>, origin: &mut Origin, overrides: &Overrides<'_>) {
        let (Some(config), Some(entry)) = (&self.config, overrides.section) else {
            return;
        };
        let mut entry = entry.clone();
        // Nested resource lists (operations, policies, …) are entries of their own.
        entry.retain(|_, v| {
            !v.is_array()
                || v.as_array()
                    .is_some_and(|a| a.iter().all(|i| !i.is_object()))
        });
        entry.remove("name");
        let entry = tokens_unknown(Value::Object(entry));
        if let Some(Value::Object(props)) = entry.get("properties") {
            for key in props.keys() {
                let at = config
                    .line_of(overrides.line, &format!("{key}:"))
                    .unwrap_or(overrides.line);
                origin.settings.insert(
                    format!("properties/{key}"),
                    Origin::at(config.file.clone(), at),
                );
            }
        }
        if let Value::Object(entry) = entry {
            merge_objects(body, &entry);
        }
    }

    /// The policy file of the scope `owner` (`[]` for the service or workspace itself,
    /// else `["apis", name, …]`), as the ARM policy resource it publishes to.
    fn policy(
        &self,
        path: &Path,
        place: &Place<'_>,
        owner: &[&str],
        overrides: &Overrides<'_>,
    ) -> Result<(), IacError> {
        let Some(text) = self.optional_text(path)? else {
            return Ok(());
        };
        let file = self.shown(path);
        policy_xml::parse_policy(&text)
            .map_err(|e| IacError::Policy(Box::new(e.with_name(&file))))?;
        let mut body = Map::new();
        body.insert(
            "properties".into(),
            json!({"format": "rawxml", "value": text}),
        );
        let mut origin = Origin::at(file, 1);
        self.apply(
            &mut body,
            &mut origin,
            &overrides.entry(self.config.as_ref(), "policies", "policy"),
        );
        let kinds: Vec<&str> = owner
            .iter()
            .step_by(2)
            .copied()
            .chain(["policies"])
            .collect();
        let names: Vec<&str> = owner
            .iter()
            .skip(1)
            .step_by(2)
            .copied()
            .chain(["policy"])
            .collect();
        self.resources.borrow_mut().push(Declared::new(
            &place.kind(&kinds),
            place.names(&names),
            body,
            origin,
        ));
        Ok(())
    }

    /// Where an API's operations are described: its specification file, if any.
    fn specification(&self, dir: &Path) -> Result<Spec, IacError> {
        for (file, readable) in SPECIFICATIONS {
            let path = dir.join(file);
            if let Some(text) = self.optional_text(&path)? {
                return Ok(if readable {
                    Spec::File {
                        text,
                        file: self.shown(&path),
                    }
                } else {
                    Spec::Unread(format!(
                        "its operations are described in {file}, which is not read"
                    ))
                });
            }
        }
        Ok(Spec::Missing)
    }

    /// Link resources (product APIs, gateway APIs): `apis/<api>/<file>` folders, or the
    /// older `apis.json` list of `{"name": …}`.
    fn links(
        &self,
        dir: &Path,
        file: &str,
        place: &Place<'_>,
        owner: &[&str],
    ) -> Result<(), IacError> {
        let mut found: Vec<(String, Origin)> = Vec::new();
        for (api, path) in self.subfolders(&dir.join("apis"))? {
            let info = path.join(file);
            let shown = self.shown(&info);
            if let Some(text) = self.optional_text(&info)? {
                JsonDoc::parse(&shown, &text)?;
            }
            found.push((api, Origin::at(shown, 1)));
        }
        let list = dir.join("apis.json");
        if let Some(text) = self.optional_text(&list)? {
            let shown = self.shown(&list);
            let doc = JsonDoc::parse(&shown, &text)?;
            for (i, item) in doc.value.as_array().into_iter().flatten().enumerate() {
                if let Some(api) = item.get("name").and_then(Value::as_str) {
                    let line = doc.line(&format!("/{i}")).unwrap_or(1);
                    found.push((api.to_string(), Origin::at(shown.clone(), line)));
                }
            }
        }
        for (api, origin) in found {
            self.resources.borrow_mut().push(Declared::new(
                &place.kind(&[owner[0], "apis"]),
                place.names(&[owner[1], &api]),
                Map::new(),
                origin,
            ));
        }
        Ok(())
    }

    /// The text of a file, `None` when there is nothing at `path`. Anything there must be
    /// a regular file inside the root.
    fn optional_text(&self, path: &Path) -> Result<Option<String>, IacError> {
        let shown = self.shown(path);
        let Some(real) = self.resolve(path, Want::File)? else {
            return Ok(None);
        };
        let bytes = self
            .root
            .read(&real)
            .map_err(|r| self.root.refused(&shown, r))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            IacError::io(
                &shown,
                std::io::Error::new(std::io::ErrorKind::InvalidData, e.utf8_error()),
            )
        })?;
        self.files.borrow_mut().push(shown);
        Ok(Some(
            text.strip_prefix('\u{feff}')
                .map(str::to_string)
                .unwrap_or(text),
        ))
    }

    /// Where `path` leads, when there is something there: refused unless it is a `want`
    /// inside the root.
    fn resolve(&self, path: &Path, want: Want) -> Result<Option<PathBuf>, IacError> {
        match path.symlink_metadata() {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(IacError::io(&self.shown(path), e)),
            Ok(_) => {}
        }
        self.root
            .resolve(path, want)
            .map(Some)
            .map_err(|r| self.root.refused(&self.shown(path), r))
    }

    /// The subfolders of `dir` (name, path), sorted by name; none when `dir` does not
    /// exist. A link among them must lead to a folder inside the root; other entries
    /// (files) are not resources and are skipped.
    fn subfolders(&self, dir: &Path) -> Result<Vec<(String, PathBuf)>, IacError> {
        if self.resolve(dir, Want::Folder)?.is_none() {
            return Ok(Vec::new());
        }
        let shown = self.shown(dir);
        let entries = std::fs::read_dir(dir).map_err(|e| IacError::io(&shown, e))?;
        let mut found = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| IacError::io(&shown, e))?;
            let path = entry.path();
            let kind = entry.file_type().map_err(|e| IacError::io(&shown, e))?;
            let folder = if kind.is_symlink() {
                let (_, meta) = self
                    .root
                    .locate(&path)
                    .map_err(|r| self.root.refused(&self.shown(&path), r))?;
                meta.is_dir()
            } else {
                kind.is_dir()
            };
            if folder {
                found.push((entry.file_name().to_string_lossy().into_owned(), path));
            }
        }
        found.sort();
        Ok(found)
    }
}

fn validate_fragment(file: &str, text: &str) -> Result<(), IacError> {
    policy_xml::parse_fragment(text)
        .map(drop)
        .map_err(|e| IacError::Policy(Box::new(e.with_name(file))))
}

fn properties_mut(body: &mut Map<String, Value>) -> &mut Map<String, Value> {
    let props = body.entry("properties").or_insert_with(|| json!({}));
    if !props.is_object() {
        *props = json!({});
    }
    props.as_object_mut().expect("made an object above")
}

/// Configuration values with `{#token#}` placeholders (replaced at publish time) as unknown.
fn tokens_unknown(value: Value) -> Value {
    match value {
        Value::String(s) if s.contains("{#") && s.contains("#}") => unknown(&s),
        Value::Array(items) => Value::Array(items.into_iter().map(tokens_unknown).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, tokens_unknown(v)))
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, file: &str, text: &str) {
        let path = root.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn workspaces_link_lists_and_overrides() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("artifacts");
        let policy = "<policies><inbound><base /></inbound></policies>";
        for (file, text) in [
            (
                "products/p/productInformation.json",
                r#"{"properties": {"displayName": "P"}}"#,
            ),
            ("products/p/apis.json", "[\n  {\"name\": \"a\"}\n]"),
            (
                "workspaces/team/apis/w/apiInformation.json",
                r#"{"properties": {"path": "w"}}"#,
            ),
            ("workspaces/team/policy.xml", policy),
            (
                "backends/b/backendInformation.json",
                r#"{"properties": {"url": "https://b"}}"#,
            ),
            (
                "apis/a/apiInformation.json",
                r#"{"properties": {"path": "a"}}"#,
            ),
            ("apis/a/operations/op/policy.xml", policy),
            ("apis/orphan/policy.xml", "<policies />"),
        ] {
            write(&root, file, text);
        }
        let config = dir.path().join("configuration.dev.yaml");
        std::fs::write(&config, "apimServiceName: svc\nbackends:\n  - name: b\n    properties:\n      url: \"{#url#}\"\n").unwrap();
        let estate = read(
            &root,
            Some(&config),
            &IacRoot::find(None, dir.path()).unwrap(),
        )
        .unwrap();
        let kinds = estate.kinds_and_names();
        let has = |kind: &str, names: &[&str]| {
            kinds
                .iter()
                .any(|(k, n)| k == kind && n.iter().map(String::as_str).eq(names.iter().copied()))
        };
        assert!(has(
            "Microsoft.ApiManagement/service/products/apis",
            &["svc", "p", "a"]
        ));
        assert!(has(
            "Microsoft.ApiManagement/service/workspaces/apis",
            &["svc", "team", "w"]
        ));
        assert!(has(
            "Microsoft.ApiManagement/service/workspaces/policies",
            &["svc", "team", "policy"]
        ));
        assert!(has(
            "Microsoft.ApiManagement/service/apis/operations/policies",
            &["svc", "a", "op", "policy"]
        ));
        let backend = estate
            .resources
            .iter()
            .find(|d| d.kind.ends_with("/backends"))
            .unwrap();
        assert_eq!(backend.body["properties"]["url"], "<unknown: {#url#}>");
        assert_eq!(backend.origin.of_setting("properties/url").line, 5);
        // The API folder without apiInformation.json is a gap, not a silent skip.
        let gaps = estate.gaps.into_sorted();
        assert_eq!(gaps.len(), 1, "{gaps:?}");
        assert!(
            gaps[0].scope.ends_with("apis/orphan") && gaps[0].error.contains("apiInformation.json")
        );
        assert!(!kinds.iter().any(|(_, n)| n.contains(&"orphan".to_string())));
    }
}
