//! Bicep files, read without a Bicep CLI (none can be had offline): the declarative
//! subset that describes API Management estates.
//!
//! Read: `param` (with defaults, values from an ARM parameters file, and `null` for a
//! nullable `T?` parameter not given; `@secure()` values are never copied), `var`,
//! `resource sym 'Type@version' [existing] = {…}` with nested child resources,
//! `parent:` and `scope:`, `if (…)` conditions, resource loops (`[for x in xs: …]`,
//! `[for (x, i) in xs: if (…) …]`), local `module`s (their parameters in, their
//! `output`s out, with loops and conditions, nested up to [`MAX_MODULE_DEPTH`] levels),
//! object and array literals, strings with `${…}` holes and `'''` blocks, comments,
//! property access on parameters, variables, resources and modules (`svc.id`,
//! `svc.name`, `svc::child`, `mod.outputs.x`), the functions of [`super::expr`] and the
//! file functions (`loadTextContent`, `loadJsonContent`, `loadYamlContent`,
//! `loadFileAsBase64`). Every file a Bicep file names (modules, `load*` files, imports,
//! `loadDirectoryFileInfo`) must be inside the IaC root ([`super::root`]), evaluated or
//! not.
//!
//! Registry modules restored in the Bicep CLI's cache are read as ARM templates
//! ([`registry`]); `.bicepparam` files give values to the file they use ([`params`]).
//!
//! Not read, each reported as a gap at its file and line: registry modules not restored
//! and template specs (`br:`, `br/alias:`, `ts:`), a loop whose items are not known before deployment,
//! a loop inside a looped resource. Values the reader cannot evaluate (lambdas and `for`
//! expressions over open items, user-defined functions, runtime properties such as `svc.properties.gatewayUrl`, an output of a
//! looped module) are unknown.

mod params;
mod registry;
mod syntax;

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use serde_json::{json, Map, Value};

use self::syntax::{Loop, ModuleDecl, Reference, ResourceDecl, Statement, SyntaxError};
use super::arm_template::GivenParameters;
use super::error::{evaluation_cut, read_text, IacError};
use super::estate::{self, Declared, Estate, ReaderKind};
use super::expr::{self, as_text, Context, Expr, Kind, Member, MAX_LOOP_ITEMS};
use super::lazy::Lazy;
use super::root::{self as iac_root, At, IacRoot, Refusal, Want};
use super::scope;
use super::unknown::unknown;
use crate::collect::gaps::Gaps;
use crate::diagnostic::Located;
use crate::policy_xml::REDACTED;
use crate::snapshot::Origin;

/// Resource members the snapshot uses (others, like `dependsOn`, are not evaluated).
const BODY_KEYS: [&str; 5] = ["properties", "sku", "identity", "location", "zones"];

/// How many levels of modules a Bicep file may nest (the file given is level 0). Real
/// projects nest three or four; each level is a nested evaluation.
pub(super) const MAX_MODULE_DEPTH: usize = 10;

/// How many module instances one run reads (loops over modules multiply).
pub(super) const MAX_MODULE_INSTANCES: usize = 1_000;

/// What every file of one run shares.
struct Run<'r> {
    root: &'r IacRoot,
    gaps: Gaps,
    /// Every file read, as shown (the entry file first).
    files: RefCell<Vec<String>>,
    /// Module instances read so far.
    instances: Cell<usize>,
    /// The first error met while evaluating (evaluation itself never fails).
    error: RefCell<Option<IacError>>,
}

impl Run<'_> {
    fn read_file(&self, shown: String) {
        let mut files = self.files.borrow_mut();
        if !files.contains(&shown) {
            files.push(shown);
        }
    }

    /// Records the gap `what` at `scope`, unless it is recorded already.
    fn gap_once(&self, scope: &str, what: &str, error: String) {
        if !self.gaps.has(scope, what) {
            self.gaps.add(scope, what, error);
        }
    }

    fn fail(&self, error: IacError) {
        let mut first = self.error.borrow_mut();
        if first.is_none() {
            *first = Some(error);
        }
    }
}

/// One Bicep file, parsed, its references checked against the root.
struct Source {
    /// The path, as given or as its module reference names it.
    path: PathBuf,
    /// The path as shown in findings.
    file: String,
    text: String,
    statements: Vec<Statement>,
}

impl Source {
    fn parse(path: PathBuf, text: String, root: &IacRoot) -> Result<Source, IacError> {
        let file = path.display().to_string();
        let statements = syntax::parse(&text).map_err(|e| syntax_error(&file, &text, e))?;
        let references = syntax::references(&text).map_err(|e| syntax_error(&file, &text, e))?;
        for r in &references {
            check_reference(root, &path, r).map_err(|refusal| {
                let at = At {
                    file: &file,
                    text: &text,
                    line: r.line as usize,
                    column: r.column as usize,
                };
                root.refused_at(at, r.what, &r.path, refusal)
            })?;
        }
        Ok(Source {
            path,
            file,
            text,
            statements,
        })
    }

    /// A located error at `line` of this file.
    fn error(&self, code: &'static str, help: &'static str, line: u32, message: &str) -> IacError {
        IacError::Located(Located::new(
            code,
            help,
            &self.file,
            &self.text,
            line as usize,
            1,
            format!("{}:{line}: {message}", self.file),
        ))
    }
}

/// What a file (or one instance of a module) declares: its resources and outputs.
struct Instance {
    resources: Vec<Declared>,
    outputs: Map<String, Value>,
}

/// Parameter values given to a file: by the parameters file or a module's `params`
/// (lower-cased names), or not known at all (a `params` the reader cannot list).
enum Given {
    Values(HashMap<String, Value>),
    Open(String),
}

/// Reads a Bicep file and, optionally, an ARM parameters file, or a `.bicepparam` file
/// and the Bicep file it is for; the files they name must be inside `root`.
pub(super) fn read(
    path: &Path,
    parameters: Option<&Path>,
    root: &IacRoot,
) -> Result<Estate, IacError> {
    let run = Run {
        root,
        gaps: Gaps::default(),
        files: RefCell::new(Vec::new()),
        instances: Cell::new(0),
        error: RefCell::new(None),
    };
    let instance = if params::is_param_file(path) {
        params::read(path, parameters, &run)?
    } else {
        let given = parameters.map(GivenParameters::read).transpose()?;
        let values = given.as_ref().map(|g| g.values.clone()).unwrap_or_default();
        let shown = path.display().to_string();
        let text = read_text(path, &shown)?;
        read_entry(path.to_path_buf(), text, &run, values, |declared| {
            if let Some(given) = &given {
                given.check(declared)?;
                run.read_file(given.file.clone());
            }
            Ok(())
        })?
    };
    if let Some(error) = run.error.into_inner() {
        return Err(error);
    }
    Ok(Estate {
        reader: ReaderKind::Bicep,
        files: run.files.into_inner(),
        resources: instance.resources,
        gaps: run.gaps,
        default_service: None,
    })
}

/// Reads the Bicep file at `path` (as shown; its `text`) with parameter `values`
/// (lower-cased names); `check` first sees the parameters it declares.
fn read_entry(
    path: PathBuf,
    text: String,
    run: &Run<'_>,
    values: HashMap<String, Value>,
    check: impl FnOnce(&HashSet<String>) -> Result<(), IacError>,
) -> Result<Instance, IacError> {
    run.read_file(path.display().to_string());
    let chain = vec![run
        .root
        .resolve(&path, Want::File)
        .unwrap_or_else(|_| path.clone())];
    let source = Source::parse(path, text, run.root)?;
    let program = Program::new(&source, Given::Values(values), run, chain);
    check(&program.declared_parameters())?;
    expr::evaluation_cut();
    Ok(program.instance())
}

/// The registry a module path names (`br:`, `br/alias:`; template specs `ts:`), if any.
/// Whether a local module is an ARM template (`'./nested.json'`) rather than Bicep.
fn is_json(path: &str) -> bool {
    Path::new(path)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

fn registry(path: &str) -> Option<&'static str> {
    match path.split([':', '/']).next() {
        Some("br") => Some("a registry"),
        Some("ts") => Some("a template spec"),
        _ => None,
    }
}

/// Refuses a path the file names that leads out of the root or to something other than a
/// regular file (a folder for `loadDirectoryFileInfo`). An import or extension is not
/// read: a missing one is no error here; a missing module is an error where it is read.
fn check_reference(root: &IacRoot, path: &Path, r: &Reference) -> Result<(), Refusal> {
    let read = r.what.starts_with("load");
    if registry(&r.path).is_some() {
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

/// The member `key` of a body.
fn member<'d>(members: &'d [Member], key: &str) -> Option<&'d Member> {
    members
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
    source: &'a Source,
    run: &'a Run<'a>,
    /// The real paths of this file and of the files whose modules led to it.
    chain: Vec<PathBuf>,
    params: HashMap<String, Param<'a>>,
    vars: HashMap<String, &'a Expr>,
    resources: HashMap<String, Res<'a>>,
    modules: HashMap<String, &'a ModuleDecl>,
    outputs: Vec<(&'a str, &'a Expr)>,
    /// Resource and module symbols in file order (nested resources after their parent).
    order: Vec<String>,
    values: Lazy,
    /// The loop variables of the item being read.
    locals: RefCell<HashMap<String, Value>>,
    /// Module instances read, by symbol (`None`: not deployed or not readable).
    instances: RefCell<HashMap<String, Option<Rc<Instance>>>>,
    busy: RefCell<HashSet<String>>,
}

impl<'a> Program<'a> {
    fn new(source: &'a Source, given: Given, run: &'a Run<'a>, chain: Vec<PathBuf>) -> Self {
        let mut program = Program {
            source,
            run,
            chain,
            params: HashMap::new(),
            vars: HashMap::new(),
            resources: HashMap::new(),
            modules: HashMap::new(),
            outputs: Vec::new(),
            order: Vec::new(),
            values: Lazy::default(),
            locals: RefCell::default(),
            instances: RefCell::default(),
            busy: RefCell::default(),
        };
        let (mut values, open) = match given {
            Given::Values(values) => (values, None),
            Given::Open(what) => (HashMap::new(), Some(what)),
        };
        for statement in &source.statements {
            match statement {
                Statement::Param {
                    name,
                    default,
                    secure,
                    nullable,
                    ..
                } => {
                    let param = match (values.remove(&name.to_lowercase()), default) {
                        (Some(_), _) | (None, Some(_)) if *secure => {
                            Param::Given(Value::String(REDACTED.into()))
                        }
                        (Some(value), _) => Param::Given(value),
                        (None, _) if open.is_some() => Param::Given(unknown(&format!(
                            "{}.{name}",
                            open.as_deref().unwrap_or_default()
                        ))),
                        (None, Some(expr)) => Param::Default(expr),
                        (None, None) if *nullable => Param::Given(Value::Null),
                        (None, None) => Param::Given(unknown(&format!("parameters('{name}')"))),
                    };
                    program.params.insert(name.clone(), param);
                }
                Statement::Var { name, value } => {
                    program.vars.insert(name.clone(), value);
                }
                Statement::Resource(decl) => program.declare(decl, None),
                Statement::Module(decl) => {
                    program.order.push(decl.symbol.clone());
                    program.modules.insert(decl.symbol.clone(), decl);
                }
                Statement::Output { name, value } => program.outputs.push((name, value)),
                Statement::Using { .. } => {}
            }
        }
        program
    }

    /// The parameters the file declares, lower-cased.
    fn declared_parameters(&self) -> HashSet<String> {
        self.params.keys().map(|k| k.to_lowercase()).collect()
    }

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

    /// Every resource the file declares and its modules deploy, and its outputs.
    fn instance(&self) -> Instance {
        let mut resources = Vec::new();
        for symbol in &self.order {
            let line = match self.modules.get(symbol) {
                Some(decl) => {
                    for instance in self.module_instances(decl) {
                        resources.extend(instance.resources.iter().cloned());
                    }
                    decl.line
                }
                None => {
                    resources.extend(self.declared_all(symbol));
                    self.resources[symbol].decl.line
                }
            };
            if let Some(cut) = expr::evaluation_cut() {
                let source = self.source;
                self.run.fail(evaluation_cut(
                    cut,
                    &source.file,
                    &source.text,
                    line as usize,
                ));
                break;
            }
        }
        let outputs = self
            .outputs
            .iter()
            .map(|(name, value)| (name.to_string(), expr::eval(value, self)))
            .collect();
        Instance { resources, outputs }
    }

    /// Runs `f` with the loop variables of `repeat` bound to `item` (at `index`).
    fn with_item<T>(&self, repeat: &Loop, item: &Value, index: usize, f: impl FnOnce() -> T) -> T {
        let mut bound = HashMap::from([(repeat.item.clone(), item.clone())]);
        if let Some(name) = &repeat.index {
            bound.insert(name.clone(), Value::from(index));
        }
        let saved = self.locals.replace(bound);
        let result = f();
        self.locals.replace(saved);
        result
    }

    /// Runs `f` with no loop variable bound (file-level names cannot see them).
    fn outside_loops<T>(&self, f: impl FnOnce() -> T) -> T {
        let saved = self.locals.take();
        let result = f();
        self.locals.replace(saved);
        result
    }

    /// The items of a loop declared at `line`; when they are not known, none, and a gap
    /// if what the loop declares is `judged` (see [`estate::judged`]).
    fn items(&self, repeat: &Loop, line: u32, what: &str, judged: bool) -> Option<Vec<Value>> {
        let why = match expr::eval(&repeat.source, self) {
            Value::Array(items) if items.len() <= MAX_LOOP_ITEMS => return Some(items),
            Value::Array(items) => format!(
                "the loop over {what} has {} items, more than the {MAX_LOOP_ITEMS} a deployment allows",
                items.len()
            ),
            value => format!(
                "the items of the loop over {what} are not known before deployment ({}); what it declares is not read",
                as_text(&value)
            ),
        };
        if judged {
            self.run
                .gaps
                .add(&format!("{}:{line}", self.source.file), "loop", why);
        }
        None
    }

    /// The looped declarations among a resource and the resources it is declared in.
    fn loops_of(&self, symbol: &str) -> Vec<&'a ResourceDecl> {
        let mut found = Vec::new();
        let mut at = self.resources.get(symbol);
        while let Some(res) = at {
            if res.decl.repeat.is_some() {
                found.push(res.decl);
            }
            at = res.enclosing.as_deref().and_then(|p| self.resources.get(p));
        }
        found
    }

    /// The resources a declaration makes: one, none, or one per item of its loop.
    fn declared_all(&self, symbol: &str) -> Vec<Declared> {
        let loops = self.loops_of(symbol);
        let Some(repeat) = loops.first().and_then(|l| l.repeat.as_ref()) else {
            return self.declared(symbol).into_iter().collect();
        };
        let looped = loops[0];
        if loops.len() > 1 {
            let line = self.resources[symbol].decl.line;
            self.run.gaps.add(
                &format!("{}:{line}", self.source.file),
                "loop",
                format!("resource `{symbol}` is in a loop inside a loop, which is not read"),
            );
            return Vec::new();
        }
        let what = format!("resource `{}`", looped.symbol);
        let judged = self.kind_of(symbol).is_none_or(|k| estate::judged(&k));
        let Some(items) = self.items(repeat, looped.line, &what, judged) else {
            return Vec::new();
        };
        items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| self.with_item(repeat, item, i, || self.declared(symbol)))
            .collect()
    }

    /// The instances a module declaration makes: one, none, or one per item.
    fn module_instances(&self, decl: &ModuleDecl) -> Vec<Rc<Instance>> {
        let Some(repeat) = &decl.repeat else {
            return self.single_module(&decl.symbol).into_iter().collect();
        };
        let what = format!("module `{}`", decl.symbol);
        let Some(items) = self.items(repeat, decl.line, &what, true) else {
            return Vec::new();
        };
        items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| self.with_item(repeat, item, i, || self.module(decl)))
            .map(Rc::new)
            .collect()
    }

    /// The instance of a module that is not looped, read once.
    fn single_module(&self, symbol: &str) -> Option<Rc<Instance>> {
        if let Some(done) = self.instances.borrow().get(symbol) {
            return done.clone();
        }
        if !self.busy.borrow_mut().insert(symbol.to_string()) {
            return None;
        }
        let decl = self.modules.get(symbol)?;
        let instance = self.outside_loops(|| self.module(decl)).map(Rc::new);
        self.instances
            .borrow_mut()
            .insert(symbol.to_string(), instance.clone());
        instance
    }

    /// One instance of a module (for the loop item bound, if any): `None` when its
    /// condition leaves it out or it cannot be read (a gap or an error, recorded).
    fn module(&self, decl: &ModuleDecl) -> Option<Instance> {
        let open = match self.condition(decl.condition.as_ref()) {
            Ok(false) => return None,
            Ok(true) => None,
            Err(value) => Some(value),
        };
        let given = match &decl.members {
            None => Given::Open(decl.symbol.clone()),
            Some(members) => match member(members, "params").map(|m| expr::eval(&m.value, self)) {
                None => Given::Values(HashMap::new()),
                Some(Value::Object(values)) => Given::Values(
                    values
                        .into_iter()
                        .map(|(k, v)| (k.to_lowercase(), v))
                        .collect(),
                ),
                Some(_) => Given::Open(format!("{}.params", decl.symbol)),
            },
        };
        let read = match registry(&decl.path) {
            Some(from) => self.registry_module(decl, from, given)?,
            None if is_json(&decl.path) => self.json_module(decl, given)?,
            None => self.read_module(decl, given),
        };
        match read {
            Ok(instance) => {
                if let Some(value) =
                    open.filter(|_| instance.resources.iter().any(|d| estate::judged(&d.kind)))
                {
                    self.open_condition(decl.line, &value);
                }
                Some(instance)
            }
            Err(error) => {
                self.run.fail(error);
                None
            }
        }
    }

    /// A registry module, read from the Bicep CLI's restore cache when it holds it with
    /// parameters the reader knows; `None` (a gap) otherwise.
    fn registry_module(
        &self,
        decl: &ModuleDecl,
        from: &str,
        given: Given,
    ) -> Option<Result<Instance, IacError>> {
        let at = format!("{}:{}", self.source.file, decl.line);
        let cached = registry::cached_template(&decl.path, &self.source.path, self.run.root);
        let (Some(path), Given::Values(values)) = (cached, given) else {
            let why = match from {
                "a registry" => format!(
                    "is not in the Bicep CLI's restore cache (~/.bicep/br), or its `params` cannot be listed; run `bicep restore {}` and check again",
                    self.source.file
                ),
                _ => "is not read offline; run `bicep build` (which restores it) and check the JSON with --from-arm".to_string(),
            };
            self.run.gap_once(
                &at,
                "module",
                format!(
                    "module `{}` from {from} (`{}`) {why}",
                    decl.symbol, decl.path
                ),
            );
            return None;
        };
        let origin = Origin::at(self.source.file.clone(), decl.line);
        let shown = registry::shown(&path);
        Some(
            super::arm_template::read_module_template(&path, shown, values, Some(&origin)).map(
                |module| {
                    self.run.read_file(registry::shown(&path));
                    for gap in module.gaps {
                        self.run.gaps.add(
                            &at,
                            &gap.what,
                            format!(
                                "in module `{}` (`{}`): {}",
                                decl.symbol, decl.path, gap.error
                            ),
                        );
                    }
                    Instance {
                        resources: module.resources,
                        outputs: module.outputs,
                    }
                },
            ),
        )
    }

    /// A local ARM template used as a module (`module m './nested.json' = {…}`), read
    /// with the parameters `given`: its resources, findings and gaps keep the template's
    /// own lines. `None` (a gap) when its `params` cannot be listed.
    fn json_module(&self, decl: &ModuleDecl, given: Given) -> Option<Result<Instance, IacError>> {
        let Given::Values(values) = given else {
            self.run.gap_once(
                &format!("{}:{}", self.source.file, decl.line),
                "module",
                format!(
                    "module `{}` (`{}`): its `params` cannot be listed, so the template is not read",
                    decl.symbol, decl.path
                ),
            );
            return None;
        };
        let read = self.local_module(decl).and_then(|(real, shown)| {
            let shown = shown.display().to_string();
            self.run.read_file(shown.clone());
            super::arm_template::read_module_template(&real, shown, values, None)
        });
        Some(read.map(|module| {
            for gap in module.gaps {
                self.run.gap_once(&gap.scope, &gap.what, gap.error);
            }
            Instance {
                resources: module.resources,
                outputs: module.outputs,
            }
        }))
    }

    /// The file of a local module (where it is, and its path as shown), refused at the
    /// `module` line when it leads out of the IaC root or is not there.
    fn local_module(&self, decl: &ModuleDecl) -> Result<(PathBuf, PathBuf), IacError> {
        let source = self.source;
        let real = self
            .run
            .root
            .reference(&source.path, &decl.path, Want::File)
            .map_err(|refusal| self.module_refused(decl, refusal))?;
        Ok((real, iac_root::shown_beside(&source.path, &decl.path)))
    }

    /// A refusal of the file a `module` names, located at its line.
    fn module_refused(&self, decl: &ModuleDecl, refusal: Refusal) -> IacError {
        let at = At {
            file: &self.source.file,
            text: &self.source.text,
            line: decl.line as usize,
            column: 1,
        };
        self.run.root.refused_at(at, "module", &decl.path, refusal)
    }

    /// Reads the file of a local module with the parameters `given`.
    fn read_module(&self, decl: &ModuleDecl, given: Given) -> Result<Instance, IacError> {
        let source = self.source;
        let refused = |refusal| self.module_refused(decl, refusal);
        let (real, shown) = self.local_module(decl)?;
        if self.chain.contains(&real) {
            return Err(source.error(
                "apimguard::iac::module_cycle",
                "a Bicep file cannot use itself as a module, directly or through other modules; Bicep refuses it too",
                decl.line,
                &format!(
                    "module `{}` leads back to a file it is part of (`{}`)",
                    decl.symbol, decl.path
                ),
            ));
        }
        if self.chain.len() > MAX_MODULE_DEPTH {
            return Err(source.error(
                "apimguard::iac::module_depth",
                "no real project nests modules this deep; flatten the module chain (docs/limits.md)",
                decl.line,
                &format!("modules nest more than {MAX_MODULE_DEPTH} levels deep here"),
            ));
        }
        let count = self.run.instances.get() + 1;
        if count > MAX_MODULE_INSTANCES {
            return Err(source.error(
                "apimguard::iac::module_instances",
                "loops over modules multiply: check the loop counts, or split the deployment (docs/limits.md)",
                decl.line,
                &format!("the files make more than {MAX_MODULE_INSTANCES} module instances"),
            ));
        }
        self.run.instances.set(count);
        let bytes = self.run.root.read(&real).map_err(refused)?;
        let text = String::from_utf8(bytes).map_err(|_| {
            source.error(
                "apimguard::iac::module_text",
                "a Bicep file is UTF-8 text; check the path",
                decl.line,
                &format!(
                    "module `{}` (`{}`) is not UTF-8 text",
                    decl.symbol, decl.path
                ),
            )
        })?;
        let module = Source::parse(shown, text, self.run.root)?;
        self.run.read_file(module.file.clone());
        let mut chain = self.chain.clone();
        chain.push(real);
        let program = Program::new(&module, given, self.run, chain);
        Ok(program.instance())
    }

    /// Whether a declaration with `condition` is deployed: `Err` with the value of a
    /// condition not known before deployment.
    fn condition(&self, condition: Option<&Expr>) -> Result<bool, Value> {
        match condition.map(|c| expr::eval(c, self)) {
            None => Ok(true),
            Some(Value::Bool(deployed)) => Ok(deployed),
            Some(open) => Err(open),
        }
    }

    /// The gap of a condition at `line` not known before deployment (what it declares is
    /// read as if deployed).
    fn open_condition(&self, line: u32, value: &Value) {
        self.run.gap_once(
            &format!("{}:{line}", self.source.file),
            "condition",
            format!(
                "the condition is not known before deployment ({}); what it declares is read as if it were deployed",
                as_text(value)
            ),
        );
    }

    /// The type of the resource `symbol` (`Microsoft.ApiManagement/service/apis`).
    fn kind_of(&self, symbol: &str) -> Option<String> {
        let res = self.resources.get(symbol)?;
        let type_name = res.decl.type_name.split('@').next().unwrap_or_default();
        if type_name.contains('/') {
            return Some(type_name.to_string());
        }
        let parent = match member(&res.decl.members, "parent").map(|m| &m.value.kind) {
            Some(Kind::Symbol(parent)) => Some(parent.as_str()),
            Some(_) => None,
            None => res.enclosing.as_deref(),
        };
        Some(format!("{}/{type_name}", self.kind_of(parent?)?))
    }

    /// The type and names of the resource `symbol`.
    fn identity(&self, symbol: &str) -> Option<Identity> {
        let res = self.resources.get(symbol)?;
        let type_name = res.decl.type_name.split('@').next().unwrap_or_default();
        let name = member(&res.decl.members, "name").map_or_else(
            || unknown(&format!("{symbol}.name")),
            |m| expr::eval(&m.value, self),
        );
        let own = as_text(&name);
        let parent = match member(&res.decl.members, "parent") {
            Some(m) => match &m.value.kind {
                Kind::Symbol(parent) => Some(parent.clone()),
                _ => None,
            },
            None => res.enclosing.clone(),
        };
        let kind = self
            .kind_of(symbol)
            .unwrap_or_else(|| type_name.to_string());
        let names = match parent.and_then(|p| self.identity(&p)) {
            Some(parent) => parent.names.into_iter().chain([own]).collect(),
            None => scope::name_parts(&own),
        };
        Some(Identity { kind, names, name })
    }

    /// What `symbol` reads as in an expression: `{id, name, type, properties, …}`. A
    /// looped resource (or one inside a looped resource) has no one value.
    fn resource_value(&self, symbol: &str) -> Option<Value> {
        if !self.loops_of(symbol).is_empty() {
            return None;
        }
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
                    if let Some(m) = member(&res.decl.members, key) {
                        value[key] = expr::eval(&m.value, self);
                    }
                }
            }
            Some(value)
        })
    }

    /// What a module symbol reads as: `{name, outputs}`; a looped module has no one value.
    fn module_value(&self, decl: &ModuleDecl) -> Option<Value> {
        if decl.repeat.is_some() {
            return None;
        }
        let name = decl
            .members
            .as_deref()
            .and_then(|m| member(m, "name"))
            .map_or_else(
                || unknown(&format!("{}.name", decl.symbol)),
                |m| expr::eval(&m.value, self),
            );
        let instance = self.single_module(&decl.symbol)?;
        Some(json!({"name": name, "outputs": instance.outputs}))
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
        let m = member(&decl.members, "scope")?;
        let value = expr::eval(&m.value, self);
        Some(match value.get("id") {
            Some(id) => as_text(id),
            None => as_text(&value),
        })
    }

    /// The declared resource of `symbol` (for the loop item bound, if any), unless a
    /// condition leaves it out. A condition not known before deployment is a gap (the
    /// resource is read as if deployed).
    fn declared(&self, symbol: &str) -> Option<Declared> {
        let res = self.resources.get(symbol)?;
        let mut enclosing = res.enclosing.as_deref();
        let mut conditions = vec![res.decl];
        while let Some(parent) = enclosing.and_then(|p| self.resources.get(p)) {
            conditions.push(parent.decl);
            enclosing = parent.enclosing.as_deref();
        }
        let judged = self.kind_of(symbol).is_none_or(|k| estate::judged(&k));
        let mut open = Vec::new();
        for decl in conditions {
            match self.condition(decl.condition.as_ref()) {
                Ok(false) => return None,
                Ok(true) => {}
                Err(value) => open.push((decl.line, value)),
            }
        }
        for (line, value) in open.iter().filter(|_| judged) {
            self.open_condition(*line, value);
        }
        let identity = self.identity(symbol)?;
        let mut body = Map::new();
        if !res.decl.existing {
            for key in BODY_KEYS {
                if let Some(m) = member(&res.decl.members, key) {
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
        let file = &self.source.file;
        let mut origin = Origin::at(file.clone(), decl.line);
        origin.add_settings(file, "", member_lines(&decl.members, 1));
        if let Some(Kind::Object(props)) =
            member(&decl.members, "properties").map(|m| &m.value.kind)
        {
            origin.add_settings(file, "properties", member_lines(props, 2));
        }
        origin
    }
}

impl Program<'_> {
    /// Keeps the first refusal of a file a `load*` call names, located at the call.
    fn refuse(&self, call: &str, written: &str, refusal: Refusal) {
        let text = &self.source.text;
        let offset = text.find(call).or_else(|| text.find(written)).unwrap_or(0);
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before.len() - before.rfind('\n').map_or(0, |n| n + 1) + 1;
        let at = At {
            file: &self.source.file,
            text,
            line,
            column,
        };
        let function = call.split('(').next().unwrap_or(call).trim();
        self.run
            .fail(self.run.root.refused_at(at, function, written, refusal));
    }
}

/// The lines of object members, `depth` levels down, as paths (`tls/validateCertificateChain`).
fn member_lines(members: &[Member], depth: usize) -> Vec<(String, u32)> {
    let mut found = Vec::new();
    if depth == 0 {
        return found;
    }
    for m in members.iter().filter(|m| !m.is_spread()) {
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
        if let Some(value) = self.locals.borrow().get(name) {
            return Some(value.clone());
        }
        if let Some(param) = self.params.get(name) {
            return self.values.get(&format!("param {name}"), || {
                Some(match param {
                    Param::Given(v) => v.clone(),
                    Param::Default(e) => self.outside_loops(|| expr::eval(e, self)),
                })
            });
        }
        if let Some(value) = self.vars.get(name) {
            return self.values.get(&format!("var {name}"), || {
                Some(self.outside_loops(|| expr::eval(value, self)))
            });
        }
        if let Some(decl) = self.modules.get(name) {
            return self.module_value(decl);
        }
        self.outside_loops(|| self.resource_value(name))
    }

    fn load_file(&self, call: &str, written: &str) -> Option<Vec<u8>> {
        let source = self.source;
        let read = self
            .run
            .root
            .reference(&source.path, written, Want::File)
            .and_then(|real| self.run.root.read(&real));
        match read {
            Ok(bytes) => {
                let shown = iac_root::shown_beside(&source.path, written);
                self.run.read_file(shown.display().to_string());
                Some(bytes)
            }
            Err(refusal) => {
                self.refuse(call, written, refusal);
                None
            }
        }
    }

    fn check_folder(&self, call: &str, written: &str) {
        if let Err(refusal) = self
            .run
            .root
            .reference(&self.source.path, written, Want::Folder)
        {
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
            &format!("{ESTATE}\nmodule m 'br/public:avm/res/m:1.0.0' = {{\n  name: 'm'\n}}\n"),
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
        assert_eq!(estate.resources[1].names, vec!["contoso", "a"]);
        let one = &estate.resources[2].body["properties"];
        assert_eq!(one["displayName"], "ONE");
        assert_eq!(one["path"], "fallback");
        assert_eq!(one["protocols"], json!(["https", "http"]));
        // `map` over known items is read: one name.
        assert_eq!(one["subscriptionRequired"], false);
        assert!(estate.gaps.into_sorted().is_empty());
    }

    /// Writes `files` (path, text) into a fresh folder and reads `main.bicep` there.
    fn read_files(files: &[(&str, &str)]) -> Result<Estate, IacError> {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let main = dir.path().join("main.bicep");
        read(&main, None, &IacRoot::find(None, dir.path()).unwrap())
    }

    const API_MODULE: &str = "param apimName string
param apiName string
param subscriptionRequired bool = true
param tags object?

resource apim 'Microsoft.ApiManagement/service@2023-05-01-preview' existing = {
  name: apimName
}

resource api 'Microsoft.ApiManagement/service/apis@2023-05-01-preview' = {
  parent: apim
  name: apiName
  properties: {
    path: apiName
    subscriptionRequired: subscriptionRequired
    displayName: tags == null ? 'untagged' : 'tagged'
  }
}

output apiId string = api.id
output apiName string = api.name
";

    #[test]
    fn local_modules_take_parameters_and_give_outputs_through_loops_and_conditions() {
        let main = "param open bool = true
var apis = [
  { name: 'a', open: false }
  { name: 'b', open: true }
]

module svc 'modules/service.bicep' = {
  name: 'svc'
  params: { name: 'contoso' }
}

module perApi 'modules/api.bicep' = [for (api, i) in apis: if (i < 5) {
  name: 'api-${i}'
  params: {
    apimName: svc.outputs.name
    apiName: api.name
    subscriptionRequired: !api.open
  }
}]

module skipped 'modules/api.bicep' = if (!open) {
  name: 'skipped'
  params: { apimName: 'contoso', apiName: 'never' }
}

resource looped 'Microsoft.ApiManagement/service/namedValues@2023-05-01-preview' = [for n in range(0, 2): {
  name: '${svc.outputs.name}/nv${n}'
  properties: { displayName: 'nv${n}', value: 'v' }
}]
";
        let service = "param name string
resource svc 'Microsoft.ApiManagement/service@2023-05-01-preview' = {
  name: name
  properties: {}
}
module policy 'nested/policy.bicep' = {
  name: 'p'
  params: { apim: svc.name }
}
output name string = svc.name
";
        let policy = "param apim string
resource p 'Microsoft.ApiManagement/service/policies@2023-05-01-preview' = {
  name: '${apim}/policy'
  properties: { value: '<policies><inbound /></policies>', format: 'rawxml' }
}
";
        let estate = read_files(&[
            ("main.bicep", main),
            ("modules/service.bicep", service),
            ("modules/nested/policy.bicep", policy),
            ("modules/api.bicep", API_MODULE),
        ])
        .unwrap();
        let names: Vec<_> = estate
            .kinds_and_names()
            .into_iter()
            .map(|(k, n)| format!("{} {}", k.rsplit('/').next().unwrap(), n.join("/")))
            .collect();
        assert_eq!(
            names,
            [
                "service contoso",
                "policies contoso/policy",
                "service contoso",
                "apis contoso/a",
                "service contoso",
                "apis contoso/b",
                "namedValues contoso/nv0",
                "namedValues contoso/nv1",
            ]
        );
        let a = &estate.resources[3];
        assert_eq!(a.body["properties"]["subscriptionRequired"], true);
        assert_eq!(a.body["properties"]["displayName"], "untagged");
        assert_eq!(
            estate.resources[5].body["properties"]["subscriptionRequired"],
            false
        );
        assert!(
            a.origin.file.ends_with("modules/api.bicep"),
            "{}",
            a.origin.file
        );
        assert_eq!(a.origin.line, 10);
        assert!(estate.resources[1]
            .origin
            .file
            .ends_with("modules/nested/policy.bicep"));
        assert!(estate.gaps.into_sorted().is_empty());
    }

    #[test]
    fn for_expressions_and_nullable_parameters_are_evaluated() {
        let estate = read_files(&[(
            "main.bicep",
            "param configs array = [\n  { name: 'a', open: true }\n  { name: 'b', open: false }\n]\nparam extra object?\n\
var names = [for (c, i) in configs: if (c.open) '${c.name}${i}']\n\
resource svc 'Microsoft.ApiManagement/service@2023-05-01-preview' = {\n  name: 'contoso'\n  properties: {\n    publisherName: names[0]\n    publisherEmail: extra == null ? 'none' : 'some'\n  }\n}\n",
        )])
        .unwrap();
        let props = &estate.resources[0].body["properties"];
        assert_eq!(props["publisherName"], "a0");
        assert_eq!(props["publisherEmail"], "none");
    }

    #[test]
    fn modules_that_cannot_be_read_are_gaps_or_errors() {
        let estate = read_files(&[(
            "main.bicep",
            "module r 'br/public:avm/res/api-management/service:0.9.0' = {\n  name: 'r'\n}\n",
        )])
        .unwrap();
        let gaps = estate.gaps.into_sorted();
        assert_eq!(gaps[0].what, "module");
        assert!(gaps[0]
            .error
            .contains("br/public:avm/res/api-management/service:0.9.0"));
        assert!(gaps[0].error.contains("bicep restore"));

        let missing = read_files(&[("main.bicep", "module m 'nope.bicep' = {\n  name: 'm'\n}\n")])
            .err()
            .unwrap()
            .to_string();
        assert!(
            missing.contains("main.bicep:1: module names `nope.bicep`"),
            "{missing}"
        );

        let cycle = read_files(&[
            ("main.bicep", "module a 'a.bicep' = {\n  name: 'a'\n}\n"),
            ("a.bicep", "module m 'main.bicep' = {\n  name: 'm'\n}\n"),
        ])
        .err()
        .unwrap()
        .to_string();
        assert!(
            cycle.contains("a.bicep:1: module `m` leads back"),
            "{cycle}"
        );

        let open = read_files(&[
            (
                "main.bicep",
                "param names array\nmodule m 'a.bicep' = [for n in names: {\n  name: n\n}]\n",
            ),
            ("a.bicep", ""),
        ])
        .unwrap();
        let gaps = open.gaps.into_sorted();
        assert_eq!((gaps[0].what.as_str(), gaps.len()), ("loop", 1));
        assert!(gaps[0].scope.ends_with("main.bicep:2"), "{gaps:?}");
    }

    #[test]
    fn module_chains_past_the_depth_limit_are_located_errors() {
        let files: Vec<(String, String)> = (0..=MAX_MODULE_DEPTH + 1)
            .map(|i| {
                let path = if i == 0 {
                    "main.bicep".to_string()
                } else {
                    format!("m{i}.bicep")
                };
                (
                    path,
                    format!("module m 'm{}.bicep' = {{\n  name: 'm'\n}}\n", i + 1),
                )
            })
            .chain([(format!("m{}.bicep", MAX_MODULE_DEPTH + 2), String::new())])
            .collect();
        let borrowed: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        let err = read_files(&borrowed).err().unwrap().to_string();
        assert!(
            err.contains(&format!(
                "m{MAX_MODULE_DEPTH}.bicep:1: modules nest more than {MAX_MODULE_DEPTH} levels"
            )),
            "{err}"
        );
        assert!(read_files(&borrowed[1..]).is_err(), "no main.bicep");
        let within: Vec<(&str, &str)> = borrowed[..MAX_MODULE_DEPTH]
            .iter()
            .copied()
            .chain([(files[MAX_MODULE_DEPTH].0.as_str(), "")])
            .collect();
        assert!(read_files(&within).is_ok());
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
