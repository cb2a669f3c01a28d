//! Bicep files, read without a Bicep CLI (none can be had offline): the declarative
//! subset that describes API Management estates.
//!
//! Read: `param` (with defaults, and values from an ARM parameters file; `@secure()`
//! values are never copied), `var`, `resource sym 'Type@version' [existing] = {…}` with
//! nested child resources, `parent:` and `scope:`, `if (…)` conditions, object and array
//! literals, strings with `${…}` holes and `'''` blocks, comments, property access on
//! parameters, variables and resources (`svc.id`, `svc.name`, `svc::child`), the
//! functions of [`super::expr`] and the file functions (`loadTextContent`,
//! `loadJsonContent`, `loadYamlContent`, `loadFileAsBase64`), whose files must be inside
//! the IaC root ([`super::root`]), as must every path the file names (modules, imports,
//! `loadDirectoryFileInfo`), evaluated or not.
//!
//! Not read, each reported as a gap at its file and line: `module` (build the file
//! with `bicep build` and use `--from-arm`, which reads the nested deployments a build
//! makes) and resource loops. Values the reader cannot evaluate (lambdas, `for`
//! expressions, runtime properties such as `svc.properties.gatewayUrl`) are unknown.

mod syntax;

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde_json::{json, Map, Value};

use self::syntax::{Reference, ResourceDecl, Statement, SyntaxError};
use super::arm_template::GivenParameters;
use super::error::{evaluation_too_deep, read_text, IacError};
use super::estate::{Declared, Estate};
use super::expr::{self, as_text, Context, Expr, Kind, Member};
use super::lazy::Lazy;
use super::root::{At, IacRoot, Refusal, Want};
use super::scope;
use super::unknown::unknown;
use crate::collect::gaps::Gaps;
use crate::diagnostic::Located;
use crate::policy_xml::REDACTED;
use crate::snapshot::Origin;

/// Resource members the snapshot uses (others, like `dependsOn`, are not evaluated).
const BODY_KEYS: [&str; 5] = ["properties", "sku", "identity", "location", "zones"];

/// Reads a Bicep file and, optionally, an ARM parameters file; the files it names must
/// be inside `root`.
pub(super) fn read(
    path: &Path,
    parameters: Option<&Path>,
    root: &IacRoot,
) -> Result<Estate, IacError> {
    let file = path.display().to_string();
    let text = read_text(path, &file)?;
    let statements = syntax::parse(&text).map_err(|e| syntax_error(&file, &text, e))?;
    let references = syntax::references(&text).map_err(|e| syntax_error(&file, &text, e))?;
    let at = |r: &Reference| At {
        file: &file,
        text: &text,
        line: r.line as usize,
        column: r.column as usize,
    };
    for r in &references {
        check_reference(root, path, r)
            .map_err(|refusal| root.refused_at(at(r), r.what, &r.path, refusal))?;
    }
    let given = parameters.map(GivenParameters::read).transpose()?;
    let mut files = vec![file.clone()];
    let mut program = Program {
        file: file.clone(),
        path,
        text: &text,
        root,
        refused: Default::default(),
        params: HashMap::new(),
        vars: HashMap::new(),
        resources: HashMap::new(),
        order: Vec::new(),
        values: Lazy::default(),
        loaded: Default::default(),
    };
    let gaps = Gaps::default();
    let mut given_values = given.as_ref().map(|g| g.values.clone()).unwrap_or_default();
    for statement in &statements {
        match statement {
            Statement::Param {
                name,
                default,
                secure,
                ..
            } => {
                let param = match (given_values.remove(&name.to_lowercase()), default) {
                    (Some(_), _) | (None, Some(_)) if *secure => {
                        Param::Given(Value::String(REDACTED.into()))
                    }
                    (Some(value), _) => Param::Given(value),
                    (None, Some(expr)) => Param::Default(expr),
                    (None, None) => Param::Given(unknown(&format!("parameters('{name}')"))),
                };
                program.params.insert(name.clone(), param);
            }
            Statement::Var { name, value } => {
                program.vars.insert(name.clone(), value);
            }
            Statement::Resource(decl) => program.declare(decl, None),
            Statement::Unsupported { line, kind, what } => {
                let module = references
                    .iter()
                    .find(|r| r.what == "module" && r.line == *line);
                let why = not_read(what, module.map(|m| m.path.as_str()));
                gaps.add(&format!("{file}:{line}"), kind, why)
            }
        }
    }
    if let Some(given) = &given {
        let declared: HashSet<String> = program.params.keys().map(|k| k.to_lowercase()).collect();
        given.check(&declared)?;
        files.push(given.file.clone());
    }
    let mut resources = Vec::new();
    expr::evaluation_cut();
    for symbol in program.order.clone() {
        if let Some(declared) = program.declared(&symbol, &gaps) {
            resources.push(declared);
        }
        if expr::evaluation_cut() {
            let line = program
                .resources
                .get(&symbol)
                .map_or(1, |r| r.decl.line as usize);
            return Err(evaluation_too_deep(&file, &text, line));
        }
    }
    if let Some(refused) = program.refused.into_inner() {
        return Err(refused);
    }
    files.extend(program.loaded.into_inner());
    Ok(Estate {
        reader: "bicep",
        files,
        resources,
        gaps,
        default_service: None,
    })
}

/// Why a declaration is a gap: `what` (a module at `path`, a loop) is not read.
fn not_read(what: &str, path: Option<&str>) -> String {
    match path.and_then(|p| Some((p, registry(p)?))) {
        Some((path, registry)) => format!(
            "{what} from {registry} `{path}` is not a file: it cannot be read offline; build the file with `bicep build` (which restores it) and check the JSON with --from-arm"
        ),
        None => format!(
            "{what} is not read (the Bicep reader reads declarations only); build the file with `bicep build` and check the JSON with --from-arm"
        ),
    }
}

/// The registry a module path names (`br:`, `br/alias:`; template specs `ts:`), if any.
fn registry(path: &str) -> Option<&'static str> {
    match path.split([':', '/']).next() {
        Some("br") => Some("a registry"),
        Some("ts") => Some("a template spec"),
        _ => None,
    }
}

/// Refuses a path the file names that leads out of the root or to something other than a
/// regular file (a folder for `loadDirectoryFileInfo`). A module, import or extension is
/// not read: a missing one is no error here (a module is a gap), a registry one no file.
fn check_reference(root: &IacRoot, path: &Path, r: &Reference) -> Result<(), Refusal> {
    let read = r.what.starts_with("load");
    if !read && registry(&r.path).is_some() {
        return Ok(());
    }
    let want = match r.what {
        "loadDirectoryFileInfo" => Want::Folder,
        _ => Want::File,
    };
    match root.reference(path, &r.path, want) {
        Err(Refusal::Missing) if !read => Ok(()),
        result => result.map(drop),
    }
}

fn syntax_error(file: &str, text: &str, e: SyntaxError) -> IacError {
    IacError::Located(Located::new(
        "apimguard::iac::bicep",
        "fix the Bicep syntax at the marked spot (the reader reads the declarative subset of Bicep; see docs/iac.md)",
        file,
        text,
        e.line,
        e.column,
        format!("{file}:{}:{}: {}", e.line, e.column, e.message),
    ))
}

/// The member `key` of a resource body.
fn member<'d>(decl: &'d ResourceDecl, key: &str) -> Option<&'d Member> {
    decl.members
        .iter()
        .find(|m| matches!(&m.key.kind, Kind::Lit(Value::String(k)) if k == key))
}

/// A parameter's value before evaluation.
enum Param<'a> {
    Given(Value),
    Default(&'a Expr),
}

/// A resource declaration and the resource it is declared in.
struct Res<'a> {
    decl: &'a ResourceDecl,
    enclosing: Option<String>,
}

/// A resource's identity: its type and name segments.
#[derive(Clone)]
struct Identity {
    kind: String,
    names: Vec<String>,
    /// The `name` as declared (what `sym.name` reads).
    name: Value,
}

/// The declarations of a file, evaluated on demand.
struct Program<'a> {
    file: String,
    /// The file, as given.
    path: &'a Path,
    text: &'a str,
    root: &'a IacRoot,
    /// The first file a `load*` function named that was refused (evaluation never fails).
    refused: RefCell<Option<IacError>>,
    params: HashMap<String, Param<'a>>,
    vars: HashMap<String, &'a Expr>,
    resources: HashMap<String, Res<'a>>,
    /// Resource symbols in file order (nested ones after their parent).
    order: Vec<String>,
    values: Lazy,
    loaded: std::cell::RefCell<Vec<String>>,
}

impl<'a> Program<'a> {
    /// Registers a resource (and those nested in it) under its symbol, and `parent::child`.
    fn declare(&mut self, decl: &'a ResourceDecl, enclosing: Option<&str>) {
        let symbol = match enclosing {
            Some(parent) => format!("{parent}::{}", decl.symbol),
            None => decl.symbol.clone(),
        };
        self.order.push(symbol.clone());
        self.resources.insert(
            symbol.clone(),
            Res {
                decl,
                enclosing: enclosing.map(str::to_string),
            },
        );
        for child in &decl.nested {
            self.declare(child, Some(&symbol));
        }
    }

    /// The type and names of the resource `symbol`.
    fn identity(&self, symbol: &str) -> Option<Identity> {
        let res = self.resources.get(symbol)?;
        let type_name = res.decl.type_name.split('@').next().unwrap_or_default();
        let name = member(res.decl, "name").map_or_else(
            || unknown(&format!("{symbol}.name")),
            |m| expr::eval(&m.value, self),
        );
        let own = as_text(&name);
        let parent = match member(res.decl, "parent") {
            Some(m) => match &m.value.kind {
                Kind::Symbol(parent) => Some(parent.clone()),
                _ => None,
            },
            None => res.enclosing.clone(),
        };
        let (kind, names) = match parent.and_then(|p| self.identity(&p)) {
            Some(parent) => {
                let kind = if type_name.contains('/') {
                    type_name.to_string()
                } else {
                    format!("{}/{type_name}", parent.kind)
                };
                (kind, parent.names.into_iter().chain([own]).collect())
            }
            None => (
                type_name.to_string(),
                own.split('/').map(str::to_string).collect(),
            ),
        };
        Some(Identity { kind, names, name })
    }

    /// What `symbol` reads as in an expression: `{id, name, type, properties, …}`.
    fn resource_value(&self, symbol: &str) -> Option<Value> {
        self.values.get(&format!("resource {symbol}"), || {
            let res = self.resources.get(symbol)?;
            let identity = self.identity(symbol)?;
            let mut value = json!({
                "id": self.id_of(res.decl, &identity),
                "name": identity.name,
                "type": identity.kind,
                "apiVersion": res.decl.type_name.split_once('@').map(|(_, v)| v).unwrap_or_default(),
            });
            if !res.decl.existing {
                for key in BODY_KEYS {
                    if let Some(m) = member(res.decl, key) {
                        value[key] = expr::eval(&m.value, self);
                    }
                }
            }
            Some(value)
        })
    }

    /// The ARM id of a resource: under the resource group, or under what it extends.
    fn id_of(&self, decl: &ResourceDecl, identity: &Identity) -> String {
        let parent = match self.scope_of(decl) {
            Some(extended) => extended,
            None => scope::resource_group_id(),
        };
        scope::resource_id(&parent, &identity.kind, &identity.names)
    }

    /// The id of the resource an extension resource extends (`scope:`).
    fn scope_of(&self, decl: &ResourceDecl) -> Option<String> {
        let m = member(decl, "scope")?;
        let value = expr::eval(&m.value, self);
        Some(match value.get("id") {
            Some(id) => as_text(id),
            None => as_text(&value),
        })
    }

    /// The declared resource of `symbol`, unless a condition leaves it out. A condition
    /// not known before deployment is a gap (the resource is read as if deployed).
    fn declared(&self, symbol: &str, gaps: &Gaps) -> Option<Declared> {
        let res = self.resources.get(symbol)?;
        let mut enclosing = res.enclosing.as_deref();
        let mut conditions = vec![res.decl];
        while let Some(parent) = enclosing.and_then(|p| self.resources.get(p)) {
            conditions.push(parent.decl);
            enclosing = parent.enclosing.as_deref();
        }
        let mut open = Vec::new();
        for decl in conditions {
            if let Some(c) = &decl.condition {
                match expr::eval(c, self) {
                    Value::Bool(false) => return None,
                    Value::Bool(true) => {}
                    value => open.push((decl.line, value)),
                }
            }
        }
        for (line, value) in open {
            let scope = format!("{}:{line}", self.file);
            if gaps.has(&scope, "condition") {
                continue;
            }
            gaps.add(
                &scope,
                "condition",
                format!(
                    "the condition is not known before deployment ({}); the resource is read as if it were deployed",
                    as_text(&value)
                ),
            );
        }
        let identity = self.identity(symbol)?;
        let mut body = Map::new();
        if !res.decl.existing {
            for key in BODY_KEYS {
                if let Some(m) = member(res.decl, key) {
                    body.insert(key.to_string(), expr::eval(&m.value, self));
                }
            }
        }
        let mut declared =
            Declared::new(&identity.kind, identity.names, body, self.origin(res.decl));
        declared.scope = self.scope_of(res.decl);
        declared.existing = res.decl.existing;
        Some(declared)
    }

    /// Where a resource and its settings are written.
    fn origin(&self, decl: &ResourceDecl) -> Origin {
        let mut origin = Origin::at(self.file.clone(), decl.line);
        origin.add_settings(&self.file, "", member_lines(&decl.members, 1));
        if let Some(Kind::Object(props)) = member(decl, "properties").map(|m| &m.value.kind) {
            origin.add_settings(&self.file, "properties", member_lines(props, 2));
        }
        origin
    }
}

impl Program<'_> {
    /// Keeps the first refusal of a file a `load*` call names, located at the call.
    fn refuse(&self, call: &str, written: &str, refusal: Refusal) {
        if self.refused.borrow().is_some() {
            return;
        }
        let offset = self
            .text
            .find(call)
            .or_else(|| self.text.find(written))
            .unwrap_or(0);
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before.len() - before.rfind('\n').map_or(0, |n| n + 1) + 1;
        let at = At {
            file: &self.file,
            text: self.text,
            line,
            column,
        };
        let function = call.split('(').next().unwrap_or(call).trim();
        *self.refused.borrow_mut() = Some(self.root.refused_at(at, function, written, refusal));
    }
}

/// The lines of object members, `depth` levels down, as paths (`tls/validateCertificateChain`).
fn member_lines(members: &[Member], depth: usize) -> Vec<(String, u32)> {
    let mut found = Vec::new();
    if depth == 0 {
        return found;
    }
    for m in members {
        let key = as_text(&expr::eval(&m.key, &expr::Empty));
        found.push((key.clone(), m.line));
        if let Kind::Object(inner) = &m.value.kind {
            for (sub, line) in member_lines(inner, depth - 1) {
                found.push((format!("{key}/{sub}"), line));
            }
        }
    }
    found
}

impl Context for Program<'_> {
    fn symbol(&self, name: &str) -> Option<Value> {
        if let Some(param) = self.params.get(name) {
            return self.values.get(&format!("param {name}"), || {
                Some(match param {
                    Param::Given(v) => v.clone(),
                    Param::Default(e) => expr::eval(e, self),
                })
            });
        }
        if let Some(value) = self.vars.get(name) {
            return self
                .values
                .get(&format!("var {name}"), || Some(expr::eval(value, self)));
        }
        self.resource_value(name)
    }

    fn load_file(&self, call: &str, written: &str) -> Option<Vec<u8>> {
        let read = self
            .root
            .reference(self.path, written, Want::File)
            .and_then(|real| self.root.read(&real));
        match read {
            Ok(bytes) => {
                let shown = self.path.parent().unwrap_or(Path::new("")).join(written);
                let shown = shown.display().to_string();
                let mut loaded = self.loaded.borrow_mut();
                if !loaded.contains(&shown) {
                    loaded.push(shown);
                }
                Some(bytes)
            }
            Err(refusal) => {
                self.refuse(call, written, refusal);
                None
            }
        }
    }

    fn check_folder(&self, call: &str, written: &str) {
        if let Err(refusal) = self.root.reference(self.path, written, Want::Folder) {
            self.refuse(call, written, refusal);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(text: &str, parameters: Option<&str>) -> Result<Estate, IacError> {
        let dir = tempfile::tempdir().unwrap();
        let main = dir.path().join("main.bicep");
        std::fs::write(&main, text).unwrap();
        std::fs::write(
            dir.path().join("api.xml"),
            "<policies><inbound><base /></inbound></policies>",
        )
        .unwrap();
        let p = parameters.map(|t| {
            let p = dir.path().join("p.json");
            std::fs::write(&p, t).unwrap();
            p
        });
        read(
            &main,
            p.as_deref(),
            &IacRoot::find(None, dir.path()).unwrap(),
        )
    }

    const ESTATE: &str = "param name string = 'contoso'
param proto array
@secure()
param key string = 'hunter2'
var host = 'backend.${toLower(name)}.net'

resource svc 'Microsoft.ApiManagement/service@2022-08-01' = {
  name: name
  sku: { name: 'Developer', capacity: 1 }
  properties: {
    virtualNetworkType: 'None'
  }
  resource api 'apis' = {
    name: 'echo'
    properties: {
      serviceUrl: 'http://${host}'
      protocols: proto
    }
    resource policy 'policies' = {
      name: 'policy'
      properties: { value: loadTextContent('api.xml'), format: 'rawxml' }
    }
  }
}

resource nv 'Microsoft.ApiManagement/service/namedValues@2022-08-01' = if (name != 'x') {
  parent: svc
  name: 'k'
  properties: { value: key, secret: true, displayName: svc::api.name }
}

resource col 'Microsoft.Security/apiCollections@2023-11-15' = {
  scope: svc
  name: 'echo'
}
";

    #[test]
    fn resources_names_and_values() {
        let estate = read_str(ESTATE, None).unwrap();
        let summary = estate.kinds_and_names();
        assert_eq!(
            summary[1],
            (
                "Microsoft.ApiManagement/service/apis".into(),
                vec!["contoso".into(), "echo".into()]
            )
        );
        assert_eq!(summary[2].1, vec!["contoso", "echo", "policy"]);
        assert_eq!(summary[3].1, vec!["contoso", "k"]);
        let api = &estate.resources[1];
        assert_eq!(
            api.body["properties"]["serviceUrl"],
            "http://backend.contoso.net"
        );
        assert_eq!(
            api.body["properties"]["protocols"],
            "<unknown: parameters('proto')>"
        );
        assert_eq!(api.origin.line, 13);
        assert_eq!(api.origin.of_setting("properties/serviceUrl").line, 16);
        assert_eq!(
            estate.resources[2].body["properties"]["value"],
            "<policies><inbound><base /></inbound></policies>"
        );
        assert_eq!(estate.resources[3].body["properties"]["value"], REDACTED);
        assert_eq!(
            estate.resources[3].body["properties"]["displayName"],
            "echo"
        );
        let col = &estate.resources[4];
        assert_eq!(
            col.scope.as_deref(),
            Some("/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ApiManagement/service/contoso")
        );
    }

    #[test]
    fn conditions_parameters_and_unsupported_declarations() {
        let estate = read_str(
            &format!("{ESTATE}\nmodule m './m.bicep' = {{\n  name: 'm'\n}}\n"),
            Some(r#"{"parameters": {"name": {"value": "x"}, "proto": {"value": ["https"]}}}"#),
        )
        .unwrap();
        assert!(estate
            .resources
            .iter()
            .all(|d| !d.kind.ends_with("namedValues")));
        assert_eq!(
            estate.resources[1].body["properties"]["protocols"],
            json!(["https"])
        );
        let gaps = estate.gaps.into_sorted();
        assert_eq!(gaps.len(), 1);
        assert!(gaps[0].scope.ends_with("main.bicep:37"), "{gaps:?}");
        assert_eq!(gaps[0].what, "module");
        let err = read_str(ESTATE, Some(r#"{"parameters": {"nope": {"value": 1}}}"#))
            .err()
            .unwrap();
        assert!(err.to_string().contains("no parameter `nope`"), "{err}");
    }

    #[test]
    fn newer_syntax_is_read_or_reported() {
        let text = "import { tags } from 'shared.bicep'
@export()
type apiConfig = {
  path: string?
  protocols: ('http' | 'https')[]
}
param apis apiConfig[] = [
  { path: 'a', protocols: ['https'] }
]
param settings object = {}
var names = map(apis, a => a.path)
var maybe = settings.?missing ?? 'fallback'
func prefix(name string) string => 'p-${name}'

resource apim 'Microsoft.ApiManagement/service@2023-05-01-preview' existing = {
  name: 'contoso'
}

resource looped 'Microsoft.ApiManagement/service/apis@2023-05-01-preview' = [for api in apis: {
  parent: apim
  name: api.path
}]

resource one 'Microsoft.ApiManagement/service/apis@2023-05-01-preview' = {
  parent: apim
  name: 'one'
  properties: {
    displayName: sys.toUpper('one')
    path: maybe
    protocols: [ 'https', 'http' ]
    subscriptionRequired: length(names) > 1
  }
}
";
        let estate = read_str(text, None).unwrap();
        let one = &estate.resources[1].body["properties"];
        assert_eq!(one["displayName"], "ONE");
        assert_eq!(one["path"], "fallback");
        assert_eq!(one["protocols"], json!(["https", "http"]));
        assert_eq!(
            one["subscriptionRequired"],
            "<unknown: length(names) &gt; 1>"
        );
        let gaps = estate.gaps.into_sorted();
        assert_eq!(gaps.len(), 1);
        assert_eq!(gaps[0].what, "loop");
        assert!(gaps[0].scope.ends_with("main.bicep:19"), "{gaps:?}");
    }

    #[test]
    fn syntax_errors_name_file_line_and_column() {
        let err = read_str("resource x 'T@1' = {\n  name: 'a'\n  oops\n}\n", None)
            .err()
            .unwrap();
        let text = err.to_string();
        assert!(text.contains("main.bicep:3:7: `:` expected"), "{text}");
    }

    /// Names whose values need the next name, 100,000 long, each value nested
    /// `nesting` levels deep around the next name.
    fn chain(n: usize, nesting: usize) -> String {
        let (open, close) = ("[".repeat(nesting), "]".repeat(nesting));
        let mut text: String = (0..n)
            .map(|i| format!("var v{i} = {open}v{}{close}\n", i + 1))
            .collect();
        text.push_str(&format!("var v{n} = 'api@contoso.com'\n"));
        text.push_str("\nresource svc 'Microsoft.ApiManagement/service@2023-05-01-preview' = {\n  name: 'contoso'\n  properties: {\n    publisherEmail: v0\n  }\n}\n");
        text
    }

    /// Chains of names are cut at the evaluation depth, on a test thread's ordinary
    /// stack (2 MiB), and reported at the resource that needed them.
    #[test]
    fn value_chains_past_the_evaluation_depth_are_located_errors() {
        for (n, nesting) in [(100_000, 0), (2_000, 31)] {
            let text = chain(n, nesting);
            let err = read_str(&text, None).err().unwrap().to_string();
            let line = text.lines().count() - 5;
            assert!(
                err.contains(&format!(
                    "main.bicep:{line}: evaluating this resource goes more than 64 levels deep"
                )),
                "{err}"
            );
        }
        assert!(read_str(&chain(30, 0), None).is_ok());
    }
}
