//! The template expression language of ARM templates and Bicep: one syntax tree, the
//! ARM parser (`"[format('{0}/{1}', parameters('a'), 'b')]"`), and one evaluator with
//! the functions templates use in names and properties.
//!
//! Evaluation never fails. What cannot be worked out offline becomes an unknown
//! marker (see [`super::unknown`]): a parameter without a value, `reference()`,
//! `list*()`, a function not implemented here, an operation on an unknown operand.
//! Values fixed by the deployment but not named in the files (`resourceGroup()`,
//! `subscription()`, `uniqueString(…)`, `guid(…)`) are opaque placeholders such as
//! `{resourceGroupName}` or `{uniqueString(resourceGroup().id)}`: stable, readable,
//! and never mistaken for a real value.

use std::cell::Cell;

use serde_json::{json, Map, Number, Value};

use super::lambda;
use super::scope;
use super::unknown::{self, contains_unknown, is_unknown, map_known, unknown};

/// An expression with its source text (for markers and placeholders).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Expr {
    /// What it is.
    pub kind: Kind,
    /// Its source text, trimmed.
    pub text: String,
}

/// The kinds of expression.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Kind {
    /// A literal string, number, boolean or null.
    Lit(Value),
    /// A Bicep string with `${…}` holes: its parts, concatenated as text.
    Interp(Vec<Expr>),
    /// An array literal.
    Array(Vec<Expr>),
    /// An object literal.
    Object(Vec<Member>),
    /// A Bicep name: parameter, variable, resource, loop variable.
    Symbol(String),
    /// A function call (name lower-cased, `sys.`/`az.` dropped).
    Call(String, Vec<Expr>),
    /// `a.b` (`a.?b` when safe).
    Prop(Box<Expr>, String, bool),
    /// `a[b]` (`a[?b]` when safe).
    Index(Box<Expr>, Box<Expr>, bool),
    /// A prefix operator: `!` or `-`.
    Unary(char, Box<Expr>),
    /// An infix operator (`==`, `&&`, `+`, `??`, …).
    Binary(&'static str, Box<Expr>, Box<Expr>),
    /// `c ? a : b`.
    Ternary(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `[for item in source: body]`, `[for (item, index) in source: if (filter) body]`.
    For(Box<Loop>, Option<Box<Expr>>, Box<Expr>),
    /// A lambda: Bicep `(a, b) => body`, ARM `lambda('a', 'b', body)`. Only the functions
    /// that take one call it (see [`super::lambda`]); anywhere else it is unknown.
    Lambda(Vec<String>, Box<Expr>),
    /// `...x` in a Bicep array (its items in place) or object (a member whose value
    /// this is: its members in place, later ones winning).
    Spread(Box<Expr>),
}

/// `for item in source`, `for (item, index) in source`: a Bicep loop's head.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Loop {
    /// The name of the item.
    pub item: String,
    /// The name of the index, if the loop names one.
    pub index: Option<String>,
    /// The array (or `range(…)`) looped over.
    pub source: Expr,
}

/// How many items one loop may have: ARM's own limit for a copy loop.
pub(super) const MAX_LOOP_ITEMS: usize = 800;

/// How many steps one resource's evaluation may take: items `for` expressions make
/// (nested loops multiply), lambda calls, and items `range()` makes. Past it the
/// evaluation is cut, and the reader reports it (see [`evaluation_cut`]).
pub(super) const MAX_STEPS: usize = 100_000;

/// One `key: value` of an object literal.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Member {
    /// The key (a name or a string, possibly interpolated).
    pub key: Expr,
    /// The value.
    pub value: Expr,
    /// 1-based line of the key.
    pub line: u32,
}

impl Member {
    /// Whether this is a `...x` spread rather than a `key: value`.
    pub(super) fn is_spread(&self) -> bool {
        matches!(self.value.kind, Kind::Spread(_))
    }
}

impl Expr {
    /// An expression of `kind` written as `text`.
    pub fn new(kind: Kind, text: impl Into<String>) -> Expr {
        Expr {
            kind,
            text: text.into().trim().to_string(),
        }
    }
}

/// What an expression can refer to besides literals and functions.
pub(super) trait Context {
    /// The value of ARM `parameters('name')`.
    fn parameter(&self, _name: &str) -> Option<Value> {
        None
    }
    /// The value of ARM `variables('name')`.
    fn variable(&self, _name: &str) -> Option<Value> {
        None
    }
    /// The value of a Bicep name (a resource is `{id, name, type, properties, …}`).
    fn symbol(&self, _name: &str) -> Option<Value> {
        None
    }
    /// What ARM `reference(target)` reads of a nested deployment the same template
    /// declares (`{outputs: {x: {type, value}}}`), if it is known before deployment.
    fn reference(&self, _target: &str) -> Option<Value> {
        None
    }
    /// `copyIndex()` of the innermost loop, or of the loop named `name`.
    fn copy_index(&self, _name: Option<&str>) -> Option<i64> {
        None
    }
    /// The bytes of the file a Bicep `load*` function names by `path` (`call` is the call
    /// as written), or `None` when it is not read (the value is then unknown; a context
    /// that refuses a path reports why).
    fn load_file(&self, _call: &str, _path: &str) -> Option<Vec<u8>> {
        None
    }
    /// Checks the folder `loadDirectoryFileInfo` names (its value is unknown).
    fn check_folder(&self, _call: &str, _path: &str) {}
}

/// A context with nothing in it (literals and functions only).
pub(super) struct Empty;

impl Context for Empty {}

/// Deepest nesting read in a Bicep file or an ARM expression: brackets, calls,
/// operators, `${…}` holes and child resources. Real templates stay below 20; each
/// level costs the recursive readers stack, so deeper input is refused, located.
pub(super) const MAX_NESTING: usize = 32;

/// Evaluates a JSON string the way ARM reads template values: `[…]` is an expression,
/// `[[…` is the literal text `[…`, anything else is literal.
pub(super) fn eval_template_string(text: &str, cx: &dyn Context) -> Value {
    match arm_expression(text) {
        Some(source) => match parse_arm(source) {
            Ok(expr) => eval(&expr, cx),
            Err(_) => unknown(source),
        },
        None if text.starts_with("[[") => Value::String(text[1..].to_string()),
        None => Value::String(text.to_string()),
    }
}

/// The expression inside `[` `]` when `text` is an ARM template expression.
pub(super) fn arm_expression(text: &str) -> Option<&str> {
    let trimmed = text.trim();
    (trimmed.starts_with('[') && !trimmed.starts_with("[[") && trimmed.ends_with(']'))
        .then(|| &trimmed[1..trimmed.len() - 1])
}

/// Deepest evaluation: nested expressions, and names whose values need other names
/// (`var a = b`, `var b = c`, …), together. Each level costs stack; a longer chain is
/// cut (its value unknown) and the reader reports it with [`evaluation_cut`].
pub(super) const MAX_EVALUATION_DEPTH: usize = 64;

thread_local! {
    /// Evaluations under way on this thread.
    static DEPTH: Cell<usize> = const { Cell::new(0) };
    /// Why an evaluation was cut since the last check, if it was.
    static CUT: Cell<Option<Cut>> = const { Cell::new(None) };
    /// Steps taken since the last check (see [`MAX_STEPS`]).
    static STEPS: Cell<usize> = const { Cell::new(0) };
}

/// Why an evaluation was cut short (its value then unknown; the reader reports it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cut {
    /// It went past [`MAX_EVALUATION_DEPTH`].
    Depth,
    /// It took more than [`MAX_STEPS`] steps.
    Steps,
}

/// Why an evaluation was cut since the last call, if it was (the call also starts a new
/// budget of [`MAX_STEPS`]).
pub(super) fn evaluation_cut() -> Option<Cut> {
    STEPS.with(|n| n.set(0));
    CUT.with(|cut| cut.replace(None))
}

/// Takes `steps` from the evaluation's budget; `false` (and the evaluation cut) when
/// the budget is spent.
pub(super) fn spend(steps: usize) -> bool {
    let taken = STEPS.with(|n| {
        let taken = n.get().saturating_add(steps);
        n.set(taken);
        taken
    });
    if taken > MAX_STEPS {
        cut(Cut::Steps);
        return false;
    }
    true
}

/// Cuts the evaluation for `why` (the first reason is kept).
pub(super) fn cut(why: Cut) {
    CUT.with(|cut| cut.set(Some(cut.get().unwrap_or(why))));
}

/// A context with names bound over `outer`: a loop's item and index, or a lambda's
/// parameters (Bicep names them as symbols, ARM with `lambdaVariables('x')`).
pub(super) struct Bound<'c> {
    /// The context the names are bound over.
    pub outer: &'c dyn Context,
    /// The names and their values (an empty name binds nothing).
    pub names: Vec<(&'c str, Value)>,
}

impl Context for Bound<'_> {
    fn parameter(&self, name: &str) -> Option<Value> {
        self.outer.parameter(name)
    }
    fn variable(&self, name: &str) -> Option<Value> {
        self.outer.variable(name)
    }
    fn symbol(&self, name: &str) -> Option<Value> {
        match self.names.iter().find(|(n, _)| *n == name) {
            Some((_, value)) => Some(value.clone()),
            None => self.outer.symbol(name),
        }
    }
    fn reference(&self, target: &str) -> Option<Value> {
        self.outer.reference(target)
    }
    fn copy_index(&self, name: Option<&str>) -> Option<i64> {
        self.outer.copy_index(name)
    }
    fn load_file(&self, call: &str, path: &str) -> Option<Vec<u8>> {
        self.outer.load_file(call, path)
    }
    fn check_folder(&self, call: &str, path: &str) {
        self.outer.check_folder(call, path)
    }
}

/// The array a `for` expression makes; unknown when its items, or a filter, are not
/// known, or past [`MAX_LOOP_ITEMS`] or the budget of [`MAX_STEPS`].
fn for_items(
    repeat: &Loop,
    filter: Option<&Expr>,
    body: &Expr,
    text: &str,
    cx: &dyn Context,
) -> Value {
    let items = match eval(&repeat.source, cx) {
        Value::Array(items) if items.len() <= MAX_LOOP_ITEMS => items,
        _ => return unknown(text),
    };
    let mut out = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        if !spend(1) {
            return unknown(text);
        }
        let bound = Bound {
            outer: cx,
            names: vec![
                (repeat.item.as_str(), item),
                (repeat.index.as_deref().unwrap_or_default(), Value::from(i)),
            ],
        };
        match filter.map(|f| eval(f, &bound)) {
            None | Some(Value::Bool(true)) => out.push(eval(body, &bound)),
            Some(Value::Bool(false)) => {}
            Some(_) => return unknown(text),
        }
    }
    Value::Array(out)
}

/// Evaluates an expression.
pub(super) fn eval(expr: &Expr, cx: &dyn Context) -> Value {
    let depth = DEPTH.with(Cell::get);
    if depth >= MAX_EVALUATION_DEPTH {
        cut(Cut::Depth);
        return unknown(&expr.text);
    }
    DEPTH.with(|d| d.set(depth + 1));
    let value = eval_here(expr, cx);
    DEPTH.with(|d| d.set(depth));
    value
}

fn eval_here(expr: &Expr, cx: &dyn Context) -> Value {
    match &expr.kind {
        Kind::Lit(v) => v.clone(),
        Kind::Interp(parts) => {
            let mut out = String::new();
            for part in parts {
                out.push_str(&as_text(&eval(part, cx)));
            }
            Value::String(out)
        }
        Kind::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                let Kind::Spread(inner) = &item.kind else {
                    out.push(eval(item, cx));
                    continue;
                };
                // A spread of null is not known to deploy: open, like any other value.
                match eval(inner, cx) {
                    Value::Array(spread) => out.extend(spread),
                    _ => return unknown(&expr.text),
                }
            }
            Value::Array(out)
        }
        Kind::Object(members) => {
            let mut map = Map::new();
            for m in members {
                let Kind::Spread(inner) = &m.value.kind else {
                    map.insert(as_text(&eval(&m.key, cx)), eval(&m.value, cx));
                    continue;
                };
                // What the spread value holds is not listed: the whole object is open.
                match eval(inner, cx) {
                    Value::Object(spread) => map.extend(spread),
                    _ => return unknown(&expr.text),
                }
            }
            Value::Object(map)
        }
        Kind::Symbol(name) => cx.symbol(name).unwrap_or_else(|| unknown(&expr.text)),
        Kind::Call(name, args) => call(expr, name, args, cx),
        Kind::Prop(target, name, safe) => {
            let target = eval(target, cx);
            member(&target, &Value::String(name.clone()), *safe, &expr.text)
        }
        Kind::Index(target, index, safe) => {
            let target = eval(target, cx);
            let index = eval(index, cx);
            member(&target, &index, *safe, &expr.text)
        }
        Kind::Unary(op, operand) => {
            let v = eval(operand, cx);
            match (op, &v) {
                ('!', Value::Bool(b)) => Value::Bool(!b),
                ('-', Value::Number(n)) => n
                    .as_i64()
                    .map_or_else(|| unknown(&expr.text), |n| json!(-n)),
                _ => unknown(&expr.text),
            }
        }
        Kind::Binary(op, left, right) => binary(op, left, right, &expr.text, cx),
        Kind::Ternary(cond, then, otherwise) => match eval(cond, cx) {
            Value::Bool(true) => eval(then, cx),
            Value::Bool(false) => eval(otherwise, cx),
            _ => either(eval(then, cx), eval(otherwise, cx), &expr.text),
        },
        Kind::For(repeat, filter, body) => {
            for_items(repeat, filter.as_deref(), body, &expr.text, cx)
        }
        Kind::Lambda(..) | Kind::Spread(_) => unknown(&expr.text),
    }
}

/// The value both branches agree on, else unknown (a condition that cannot be decided).
fn either(a: Value, b: Value, text: &str) -> Value {
    if a == b {
        a
    } else {
        unknown(text)
    }
}

/// `target.key` / `target[key]`: unknown when the target is, or when the member is missing.
fn member(target: &Value, key: &Value, safe: bool, text: &str) -> Value {
    let found = match (target, key) {
        (Value::Object(map), Value::String(k)) => map
            .get(k)
            .or_else(|| {
                map.iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case(k))
                    .map(|(_, v)| v)
            })
            .cloned(),
        (Value::Array(items), Value::Number(n)) => {
            n.as_u64().and_then(|i| items.get(i as usize)).cloned()
        }
        (Value::Null, _) if safe => Some(Value::Null),
        _ => None,
    };
    match found {
        Some(v) => v,
        None if safe && !is_unknown(target) => Value::Null,
        None => unknown(text),
    }
}

fn binary(op: &str, left: &Expr, right: &Expr, text: &str, cx: &dyn Context) -> Value {
    let l = eval(left, cx);
    // Short circuits decide even when the other side is unknown.
    match (op, &l) {
        ("&&", Value::Bool(false)) => return Value::Bool(false),
        ("||", Value::Bool(true)) => return Value::Bool(true),
        ("??", v) if !v.is_null() && !is_unknown(v) => return l,
        _ => {}
    }
    let r = eval(right, cx);
    if op == "??" {
        return if l.is_null() { r } else { unknown(text) };
    }
    if any_unknown_text(&l) || any_unknown_text(&r) {
        return match (op, &r) {
            ("&&", Value::Bool(false)) => Value::Bool(false),
            ("||", Value::Bool(true)) => Value::Bool(true),
            _ => unknown(text),
        };
    }
    let ints = l.as_i64().zip(r.as_i64());
    let result = match op {
        "==" => Some(Value::Bool(l == r)),
        "!=" => Some(Value::Bool(l != r)),
        "=~" | "!~" => l
            .as_str()
            .zip(r.as_str())
            .map(|(a, b)| Value::Bool(a.eq_ignore_ascii_case(b) == (op == "=~"))),
        "&&" | "||" => l
            .as_bool()
            .zip(r.as_bool())
            .map(|(a, b)| Value::Bool(if op == "&&" { a && b } else { a || b })),
        "<" | "<=" | ">" | ">=" => compare(&l, &r).map(|o| {
            Value::Bool(match op {
                "<" => o.is_lt(),
                "<=" => o.is_le(),
                ">" => o.is_gt(),
                _ => o.is_ge(),
            })
        }),
        "+" => ints.and_then(|(a, b)| a.checked_add(b)).map(Value::from),
        "-" => ints.and_then(|(a, b)| a.checked_sub(b)).map(Value::from),
        "*" => ints.and_then(|(a, b)| a.checked_mul(b)).map(Value::from),
        "/" => ints.and_then(|(a, b)| a.checked_div(b)).map(Value::from),
        "%" => ints.and_then(|(a, b)| a.checked_rem(b)).map(Value::from),
        _ => None,
    };
    result.unwrap_or_else(|| unknown(text))
}

fn compare(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64()?.partial_cmp(&y.as_f64()?),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// Whether a value is, or holds in a string anywhere, an unknown marker.
fn any_unknown_text(value: &Value) -> bool {
    unknown::any_unknown(value)
}

/// A value as text, the way `concat`, `format` and interpolation write it.
pub(super) fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The placeholder of a value fixed by the deployment: `{expression}`.
fn opaque(text: &str) -> Value {
    Value::String(format!("{{{text}}}"))
}

fn call(expr: &Expr, name: &str, args: &[Expr], cx: &dyn Context) -> Value {
    let text = expr.text.as_str();
    // Functions that decide with unknown arguments, or that look at them lazily.
    match name {
        "if" => {
            return match args {
                [cond, then, otherwise] => match eval(cond, cx) {
                    Value::Bool(true) => eval(then, cx),
                    Value::Bool(false) => eval(otherwise, cx),
                    _ => either(eval(then, cx), eval(otherwise, cx), text),
                },
                _ => unknown(text),
            }
        }
        "coalesce" => {
            for arg in args {
                let v = eval(arg, cx);
                if is_unknown(&v) {
                    return unknown(text);
                }
                if !v.is_null() {
                    return v;
                }
            }
            return Value::Null;
        }
        "uniquestring" | "guid" | "newguid" | "utcnow" => return opaque(text),
        "resourcegroup" => {
            return json!({
                "id": scope::resource_group_id(),
                "name": scope::RESOURCE_GROUP,
                "type": "Microsoft.Resources/resourceGroups",
                "location": "{resourceGroup().location}",
                "tags": {},
                "properties": {"provisioningState": "Succeeded"},
            })
        }
        "subscription" => {
            return json!({
                "id": scope::subscription_id(),
                "subscriptionId": scope::SUBSCRIPTION,
                "tenantId": scope::TENANT,
                "displayName": "{subscription().displayName}",
            })
        }
        "tenant" => {
            return json!({"tenantId": scope::TENANT, "displayName": "{tenant().displayName}"})
        }
        _ => {}
    }
    if let Some(value) = lambda::call(name, args, text, cx) {
        return value;
    }
    let values: Vec<Value> = args.iter().map(|a| eval(a, cx)).collect();
    match name {
        // A known text with an open replacement: known but where the token stood.
        // Chained replacements (`replace(replace(xml, '{a}', a), '{b}', b)`) replace in
        // the known text only.
        "replace" if open_replacement(&values) => {
            let (old, new) = (as_text(&values[1]), as_text(&values[2]));
            Value::String(map_known(&as_text(&values[0]), |part| {
                part.replace(&old, &new)
            }))
        }
        "parameters" => text_arg(&values, 0)
            .and_then(|n| cx.parameter(&n))
            .unwrap_or_else(|| unknown(text)),
        "variables" => text_arg(&values, 0)
            .and_then(|n| cx.variable(&n))
            .unwrap_or_else(|| unknown(text)),
        // A lambda's parameter, as ARM names it.
        "lambdavariables" => text_arg(&values, 0)
            .and_then(|n| cx.symbol(&n))
            .unwrap_or_else(|| unknown(text)),
        // `'Full'` puts what the deployment reports under `properties`.
        "reference" => text_arg(&values, 0)
            .and_then(|target| cx.reference(&target))
            .map(|found| match text_arg(&values, 2) {
                Some(full) if full.eq_ignore_ascii_case("full") => json!({"properties": found}),
                _ => found,
            })
            .unwrap_or_else(|| unknown(text)),
        "copyindex" => {
            let (loop_name, offset) = match values.as_slice() {
                [] => (None, 0),
                [Value::String(n)] => (Some(n.as_str()), 0),
                [offset] => (None, offset.as_i64().unwrap_or(0)),
                [Value::String(n), offset, ..] => (Some(n.as_str()), offset.as_i64().unwrap_or(0)),
                _ => (None, 0),
            };
            cx.copy_index(loop_name)
                .map_or_else(|| unknown(text), |i| json!(i + offset))
        }
        "concat" => concat(&values, text),
        "format" => format_text(&values).unwrap_or_else(|| unknown(text)),
        "string" => match values.first() {
            Some(v) => Value::String(as_text(v)),
            None => unknown(text),
        },
        "tolower" | "toupper" => match values.first() {
            Some(Value::String(s)) => Value::String(map_known(s, |t| {
                if name == "tolower" {
                    t.to_lowercase()
                } else {
                    t.to_uppercase()
                }
            })),
            _ => unknown(text),
        },
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        "null" => Value::Null,
        "resourceid" | "subscriptionresourceid" | "tenantresourceid" | "extensionresourceid" => {
            resource_id_call(name, &values).unwrap_or_else(|| unknown(text))
        }
        "loadtextcontent"
        | "loadjsoncontent"
        | "loadyamlcontent"
        | "loadfileasbase64"
        | "loaddirectoryfileinfo" => load(name, &values, cx, text).unwrap_or_else(|| unknown(text)),
        // Structural functions keep unknown items where they stand.
        "createarray" | "array" => Value::Array(values),
        "createobject" => create_object(&values).unwrap_or_else(|| unknown(text)),
        "union" => union(&values).unwrap_or_else(|| unknown(text)),
        "shallowmerge" => shallow_merge(&values).unwrap_or_else(|| unknown(text)),
        _ if values.iter().any(any_unknown_text) => unknown(text),
        _ if cuts_placeholder(name, &values) => opaque(text),
        _ => pure(name, &values).unwrap_or_else(|| unknown(text)),
    }
}

/// What a placeholder's text starts with (after its `{`): the values the deployment
/// fixes ([`opaque`] calls, the scope's names) and the cuts of them made below.
const PLACEHOLDERS: &[&str] = &[
    "uniquestring(",
    "guid(",
    "newguid(",
    "utcnow(",
    "substring(",
    "take(",
    "skip(",
    "first(",
    "last(",
    "subscriptionid}",
    "resourcegroupname}",
    "tenantid}",
    "resourcegroup()",
    "subscription()",
    "tenant()",
];

/// Whether `substring`, `take`, `skip`, `first` or `last` of a string would cut through a
/// placeholder (`{uniqueString(…)}`) as if its text were the value it stands for:
/// `substring(uniqueString(…), 0, 4)` is not `{uni`, whose unbalanced `{` would swallow
/// every later `/` of a name. Such a cut is a placeholder of its own (a stable name). A
/// cut that keeps each placeholder whole or leaves it out (`last(split(id, '/'))`,
/// `substring(name, 0, 5)` of `apim-{uniqueString(…)}`) is read as written.
fn cuts_placeholder(name: &str, values: &[Value]) -> bool {
    let Some(text) = values.first().and_then(Value::as_str) else {
        return false;
    };
    let length = text.chars().count();
    let number = |i: usize| {
        values
            .get(i)
            .and_then(Value::as_i64)
            .map(|n| usize::try_from(n.max(0)).unwrap_or(0).min(length))
    };
    let (start, end) = match name {
        "substring" => {
            let start = number(1).unwrap_or(0);
            let end = number(2).map_or(length, |n| start.saturating_add(n).min(length));
            (start, end)
        }
        "take" => (0, number(1).unwrap_or(0)),
        "skip" => (number(1).unwrap_or(0), length),
        "first" => (0, length.min(1)),
        "last" => (length.saturating_sub(1), length),
        _ => return false,
    };
    placeholder_spans(text)
        .iter()
        .any(|&(from, to)| (start > from && start < to) || (end > from && end < to))
}

/// The placeholders made by this evaluator in `text` (see [`PLACEHOLDERS`]), as
/// character ranges from their `{` to past their matching `}` (or the end).
fn placeholder_spans(text: &str) -> Vec<(usize, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let mut spans = Vec::new();
    let mut at = 0;
    while at < chars.len() {
        let rest: String = chars[at..].iter().skip(1).take(24).collect();
        let rest = rest.to_ascii_lowercase();
        if chars[at] != '{' || !PLACEHOLDERS.iter().any(|p| rest.starts_with(p)) {
            at += 1;
            continue;
        }
        let mut depth = 0usize;
        let mut end = chars.len();
        for (i, c) in chars.iter().enumerate().skip(at) {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        spans.push((at, end));
        at = end;
    }
    spans
}

/// Bicep's file functions: the file is read through the context (which keeps it inside
/// the IaC root); `None` (unknown) when it is not read, is not UTF-8 text (or declares
/// another encoding), does not parse, or a JSONPath filter is not a plain path.
fn load(name: &str, values: &[Value], cx: &dyn Context, call: &str) -> Option<Value> {
    let path = text_arg(values, 0)?;
    if name == "loaddirectoryfileinfo" {
        cx.check_folder(call, &path);
        return None;
    }
    let bytes = cx.load_file(call, &path)?;
    if name == "loadfileasbase64" {
        use base64::Engine;
        return Some(Value::String(
            base64::engine::general_purpose::STANDARD.encode(bytes),
        ));
    }
    let (filter, encoding) = match name {
        "loadtextcontent" => (None, values.get(1)),
        _ => (values.get(1), values.get(2)),
    };
    if encoding.is_some_and(|e| !e.as_str().is_some_and(|e| e.eq_ignore_ascii_case("utf-8"))) {
        return None;
    }
    let text = String::from_utf8(bytes).ok()?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let value = match name {
        "loadtextcontent" => return Some(Value::String(text.to_string())),
        "loadjsoncontent" => serde_json::from_str(text).ok()?,
        _ => serde_yaml::from_str(text).ok()?,
    };
    match filter {
        None => Some(value),
        Some(Value::String(path)) => json_path(value, path),
        Some(_) => None,
    }
}

/// The part of `value` a plain JSONPath names (`$.a.b[0]`, `a.b`, `$['a b']`); `None` for
/// other JSONPath (wildcards, filters, recursive descent) or a part that is not there.
fn json_path(mut value: Value, path: &str) -> Option<Value> {
    let mut rest = path.trim();
    rest = rest.strip_prefix('$').unwrap_or(rest);
    while !rest.is_empty() {
        let (key, after) = if let Some(r) = rest.strip_prefix("['") {
            let end = r.find("']")?;
            (&r[..end], &r[end + 2..])
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            let index: usize = r[..end].trim().parse().ok()?;
            value = value.get_mut(index)?.take();
            rest = &r[end + 1..];
            continue;
        } else {
            let r = rest.strip_prefix('.').unwrap_or(rest);
            let end = r.find(['.', '[']).unwrap_or(r.len());
            (&r[..end], &r[end..])
        };
        if key.is_empty() || key.contains(['*', '?', '(', '@']) {
            return None;
        }
        value = value.get_mut(key)?.take();
        rest = after;
    }
    Some(value)
}

fn text_arg(values: &[Value], i: usize) -> Option<String> {
    values
        .get(i)
        .and_then(Value::as_str)
        .filter(|s| !contains_unknown(s))
        .map(str::to_string)
}

fn concat(values: &[Value], text: &str) -> Value {
    if values.iter().any(is_unknown) && !values.iter().all(Value::is_string) {
        return unknown(text);
    }
    if !values.is_empty() && values.iter().all(Value::is_array) {
        let items = values
            .iter()
            .flat_map(|v| v.as_array().cloned().unwrap_or_default())
            .collect();
        return Value::Array(items);
    }
    Value::String(values.iter().map(as_text).collect())
}

/// .NET composite formatting: `{0}`, `{1:D2}` (the format part is ignored), `{{`, `}}`.
fn format_text(values: &[Value]) -> Option<Value> {
    let template = values.first()?.as_str()?;
    let args = &values[1..];
    let mut out = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut spec = String::new();
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                    spec.push(c);
                }
                let index: usize = spec.split([':', ',']).next()?.trim().parse().ok()?;
                out.push_str(&as_text(args.get(index)?));
            }
            c => out.push(c),
        }
    }
    Some(Value::String(out))
}

/// `resourceId`, `subscriptionResourceId`, `tenantResourceId`, `extensionResourceId`.
fn resource_id_call(name: &str, values: &[Value]) -> Option<Value> {
    let texts: Vec<String> = values.iter().map(as_text).collect();
    let type_at = match name {
        "extensionresourceid" => 1,
        _ => texts.iter().position(|t| t.contains('/'))?,
    };
    let kind = texts.get(type_at)?;
    let names = &texts[type_at + 1..];
    let before = &texts[..type_at];
    let parent = match (name, before) {
        ("extensionresourceid", [scope_id]) => scope_id.trim_end_matches('/').to_string(),
        ("tenantresourceid", []) => String::new(),
        ("subscriptionresourceid", []) => scope::subscription_id(),
        ("subscriptionresourceid", [sub]) => format!("/subscriptions/{sub}"),
        ("resourceid", []) => scope::resource_group_id(),
        ("resourceid", [rg]) => format!("{}/resourceGroups/{rg}", scope::subscription_id()),
        ("resourceid", [sub, rg]) => format!("/subscriptions/{sub}/resourceGroups/{rg}"),
        _ => return None,
    };
    Some(Value::String(scope::resource_id(&parent, kind, names)))
}

/// Whether `replace(text, old, new)` has a known token and a text or a `new` string
/// that is open in places (whole or in part): the token is replaced where the text is known.
fn open_replacement(values: &[Value]) -> bool {
    match values {
        [Value::String(t), Value::String(old), Value::String(new)] => {
            !old.is_empty()
                && !contains_unknown(old)
                && (contains_unknown(t) || contains_unknown(new))
        }
        _ => false,
    }
}

/// The functions of known arguments only.
fn pure(name: &str, v: &[Value]) -> Option<Value> {
    let s = |i: usize| v.get(i).and_then(Value::as_str);
    let n = |i: usize| v.get(i).and_then(Value::as_i64);
    Some(match name {
        "equals" => Value::Bool(v.first()? == v.get(1)?),
        "not" => Value::Bool(!v.first()?.as_bool()?),
        "and" => Value::Bool(
            v.iter()
                .map(Value::as_bool)
                .collect::<Option<Vec<_>>>()?
                .iter()
                .all(|b| *b),
        ),
        "or" => Value::Bool(
            v.iter()
                .map(Value::as_bool)
                .collect::<Option<Vec<_>>>()?
                .iter()
                .any(|b| *b),
        ),
        // Arithmetic as `bicep build` writes `+ - * / %`.
        "add" => Value::from(n(0)?.checked_add(n(1)?)?),
        "sub" => Value::from(n(0)?.checked_sub(n(1)?)?),
        "mul" => Value::from(n(0)?.checked_mul(n(1)?)?),
        "div" => Value::from(n(0)?.checked_div(n(1)?)?),
        "mod" => Value::from(n(0)?.checked_rem(n(1)?)?),
        // `tryGet(object, key, …)` / `tryGet(array, index)`: null where a step is missing.
        "tryget" => {
            let mut at = v.first()?.clone();
            for key in &v[1..] {
                at = member(&at, key, true, name);
            }
            at
        }
        "greater" => Value::Bool(compare(v.first()?, v.get(1)?)?.is_gt()),
        "greaterorequals" => Value::Bool(compare(v.first()?, v.get(1)?)?.is_ge()),
        "less" => Value::Bool(compare(v.first()?, v.get(1)?)?.is_lt()),
        "lessorequals" => Value::Bool(compare(v.first()?, v.get(1)?)?.is_le()),
        "bool" => match v.first()? {
            Value::Bool(b) => Value::Bool(*b),
            Value::String(t) => Value::Bool(t.eq_ignore_ascii_case("true")),
            Value::Number(x) => Value::Bool(x.as_i64()? != 0),
            _ => return None,
        },
        "int" => match v.first()? {
            Value::Number(x) => Value::from(x.as_i64()?),
            Value::String(t) => Value::from(t.trim().parse::<i64>().ok()?),
            _ => return None,
        },
        "json" => serde_json::from_str(s(0)?).ok()?,
        "any" => v.first()?.clone(),
        "length" => Value::from(match v.first()? {
            Value::String(t) => t.chars().count(),
            Value::Array(a) => a.len(),
            Value::Object(o) => o.len(),
            _ => return None,
        }),
        "empty" => Value::Bool(match v.first()? {
            Value::String(t) => t.is_empty(),
            Value::Array(a) => a.is_empty(),
            Value::Object(o) => o.is_empty(),
            Value::Null => true,
            _ => return None,
        }),
        "contains" => Value::Bool(match (v.first()?, v.get(1)?) {
            (Value::String(t), item) => t.to_lowercase().contains(&as_text(item).to_lowercase()),
            (Value::Array(a), item) => a.contains(item),
            (Value::Object(o), Value::String(k)) => o.keys().any(|key| key.eq_ignore_ascii_case(k)),
            _ => return None,
        }),
        "first" | "last" => match v.first()? {
            Value::Array(a) => (if name == "first" { a.first() } else { a.last() }).cloned()?,
            Value::String(t) => Value::String(
                (if name == "first" {
                    t.chars().next()
                } else {
                    t.chars().last()
                })?
                .to_string(),
            ),
            _ => return None,
        },
        "trim" => Value::String(s(0)?.trim().to_string()),
        "replace" => Value::String(s(0)?.replace(s(1)?, s(2)?)),
        "split" => Value::Array(
            s(0)?
                .split(s(1)?)
                .map(|p| Value::String(p.to_string()))
                .collect(),
        ),
        "join" => Value::String(
            v.first()?
                .as_array()?
                .iter()
                .map(as_text)
                .collect::<Vec<_>>()
                .join(s(1)?),
        ),
        "startswith" => Value::Bool(s(0)?.to_lowercase().starts_with(&s(1)?.to_lowercase())),
        "endswith" => Value::Bool(s(0)?.to_lowercase().ends_with(&s(1)?.to_lowercase())),
        "substring" => {
            let chars: Vec<char> = s(0)?.chars().collect();
            let start = usize::try_from(n(1)?).ok()?;
            let len = match n(2) {
                Some(l) => usize::try_from(l).ok()?,
                None => chars.len().checked_sub(start)?,
            };
            Value::String(chars.get(start..start.checked_add(len)?)?.iter().collect())
        }
        "take" | "skip" => {
            let count = usize::try_from(n(1)?.max(0)).ok()?;
            match v.first()? {
                Value::Array(a) => Value::Array(if name == "take" {
                    a.iter().take(count).cloned().collect()
                } else {
                    a.iter().skip(count).cloned().collect()
                }),
                Value::String(t) => Value::String(if name == "take" {
                    t.chars().take(count).collect()
                } else {
                    t.chars().skip(count).collect()
                }),
                _ => return None,
            }
        }
        // ARM refuses a count over 10,000; each item is a step of the evaluation.
        "range" if n(1)? > 10_000 || !spend(usize::try_from(n(1)?).unwrap_or(0)) => return None,
        "range" => Value::Array(
            (n(0)?..n(0)?.checked_add(n(1)?)?)
                .map(Value::from)
                .collect(),
        ),
        "min" | "max" => {
            let items: Vec<i64> = match v {
                [Value::Array(a)] => a.iter().map(Value::as_i64).collect::<Option<_>>()?,
                _ => v.iter().map(Value::as_i64).collect::<Option<_>>()?,
            };
            Value::from(if name == "min" {
                items.into_iter().min()?
            } else {
                items.into_iter().max()?
            })
        }
        "uri" => {
            let base = s(0)?;
            let relative = s(1)?;
            let cut = base.rfind('/').map_or(base.len(), |i| i + 1);
            Value::String(format!(
                "{}{}",
                &base[..cut],
                relative.trim_start_matches('/')
            ))
        }
        "objectkeys" => Value::Array(v.first()?.as_object()?.keys().map(|k| json!(k)).collect()),
        "items" => Value::Array(
            v.first()?
                .as_object()?
                .iter()
                .map(|(k, val)| json!({"key": k, "value": val}))
                .collect(),
        ),
        "float" => Value::Number(Number::from_f64(match v.first()? {
            Value::Number(x) => x.as_f64()?,
            Value::String(t) => t.trim().parse().ok()?,
            _ => return None,
        })?),
        _ => return None,
    })
}

fn create_object(values: &[Value]) -> Option<Value> {
    let mut map = Map::new();
    for pair in values.chunks(2) {
        map.insert(pair.first()?.as_str()?.to_string(), pair.get(1)?.clone());
    }
    Some(Value::Object(map))
}

fn union(values: &[Value]) -> Option<Value> {
    if values.iter().all(Value::is_object) {
        let mut merged = Map::new();
        for v in values {
            merge_objects(&mut merged, v.as_object()?);
        }
        return Some(Value::Object(merged));
    }
    let mut items: Vec<Value> = Vec::new();
    for v in values {
        for item in v.as_array()? {
            if !items.contains(item) {
                items.push(item.clone());
            }
        }
    }
    Some(Value::Array(items))
}

/// `shallowMerge([a, b, …])` (what `bicep build` makes of an object spread): the
/// objects' members, later ones winning; `None` unless every item is a known object.
fn shallow_merge(values: &[Value]) -> Option<Value> {
    let [Value::Array(items)] = values else {
        return None;
    };
    let mut merged = Map::new();
    for item in items {
        merged.extend(item.as_object()?.clone());
    }
    Some(Value::Object(merged))
}

/// Deep merge: objects merge key by key, anything else in `other` replaces.
pub(super) fn merge_objects(into: &mut Map<String, Value>, other: &Map<String, Value>) {
    for (key, value) in other {
        match (into.get_mut(key), value) {
            (Some(Value::Object(existing)), Value::Object(more)) => merge_objects(existing, more),
            _ => {
                into.insert(key.clone(), value.clone());
            }
        }
    }
}

/// Parses an ARM template expression (the text inside `[` `]`).
pub(super) fn parse_arm(source: &str) -> Result<Expr, String> {
    let mut parser = ArmParser {
        text: source,
        at: 0,
        depth: 0,
    };
    let expr = parser.expression()?;
    parser.space();
    if parser.at < source.len() {
        return Err(format!("unexpected `{}`", &source[parser.at..]));
    }
    Ok(expr)
}

/// How deep the calls and indexes of an ARM expression nest (outside its strings),
/// without parsing it: templates are checked with it before anything is evaluated.
pub(super) fn arm_nesting(source: &str) -> usize {
    let (mut depth, mut deepest, mut quoted) = (0usize, 0usize, false);
    for b in source.bytes() {
        match b {
            // `''` inside a string closes and reopens it: the same state after both.
            b'\'' => quoted = !quoted,
            b'(' | b'[' if !quoted => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b')' | b']' if !quoted => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// The message of an ARM expression nested past [`MAX_NESTING`].
pub(super) fn arm_too_deep() -> String {
    format!("the expression nests calls and indexes more than {MAX_NESTING} levels deep")
}

struct ArmParser<'a> {
    text: &'a str,
    at: usize,
    /// Calls and indexes open around the current spot.
    depth: usize,
}

impl ArmParser<'_> {
    fn space(&mut self) {
        while self.text[self.at..].starts_with(char::is_whitespace) {
            self.at += self.text[self.at..]
                .chars()
                .next()
                .map_or(1, char::len_utf8);
        }
    }

    fn peek(&self) -> Option<char> {
        self.text[self.at..].chars().next()
    }

    fn eat(&mut self, c: char) -> bool {
        self.space();
        if self.peek() == Some(c) {
            self.at += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn identifier(&mut self) -> Option<String> {
        self.space();
        let start = self.at;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        {
            self.at += 1;
        }
        (self.at > start).then(|| self.text[start..self.at].to_string())
    }

    fn expression(&mut self) -> Result<Expr, String> {
        if self.depth > MAX_NESTING {
            return Err(arm_too_deep());
        }
        self.depth += 1;
        let expr = self.expression_here();
        self.depth -= 1;
        expr
    }

    fn expression_here(&mut self) -> Result<Expr, String> {
        self.space();
        let start = self.at;
        let mut expr = self.primary()?;
        loop {
            if self.eat('.') {
                let name = self.identifier().ok_or("a name must follow `.`")?;
                expr = Expr::new(
                    Kind::Prop(Box::new(expr), name, false),
                    &self.text[start..self.at],
                );
            } else if self.eat('[') {
                let index = self.expression()?;
                if !self.eat(']') {
                    return Err("`]` expected".into());
                }
                expr = Expr::new(
                    Kind::Index(Box::new(expr), Box::new(index), false),
                    &self.text[start..self.at],
                );
            } else {
                return Ok(expr);
            }
        }
    }

    fn primary(&mut self) -> Result<Expr, String> {
        self.space();
        let start = self.at;
        match self.peek() {
            Some('\'') => {
                self.at += 1;
                let mut value = String::new();
                loop {
                    let c = self.peek().ok_or("unterminated string")?;
                    self.at += c.len_utf8();
                    if c == '\'' {
                        if self.peek() == Some('\'') {
                            self.at += 1;
                            value.push('\'');
                            continue;
                        }
                        break;
                    }
                    value.push(c);
                }
                Ok(Expr::new(
                    Kind::Lit(Value::String(value)),
                    &self.text[start..self.at],
                ))
            }
            Some(c) if c.is_ascii_digit() || c == '-' => {
                self.at += 1;
                while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    self.at += 1;
                }
                let text = &self.text[start..self.at];
                let n: i64 = text
                    .parse()
                    .map_err(|_| format!("`{text}` is not a number"))?;
                Ok(Expr::new(Kind::Lit(Value::from(n)), text))
            }
            _ => {
                let mut name = self.identifier().ok_or("a function call expected")?;
                // A user-defined function: `namespace.name(…)`.
                let save = self.at;
                if self.eat('.') {
                    if let Some(member) = self.identifier() {
                        if self.eat('(') {
                            self.at -= 1;
                            name = format!("{name}.{member}");
                        } else {
                            self.at = save;
                        }
                    } else {
                        self.at = save;
                    }
                }
                if !self.eat('(') {
                    return match name.as_str() {
                        "true" | "false" | "null" => Ok(Expr::new(
                            Kind::Lit(serde_json::from_str(&name).unwrap_or(Value::Null)),
                            name,
                        )),
                        _ => Err(format!("`{name}` is not a function call")),
                    };
                }
                let mut args = Vec::new();
                if !self.eat(')') {
                    loop {
                        args.push(self.expression()?);
                        if self.eat(')') {
                            break;
                        }
                        if !self.eat(',') {
                            return Err("`,` or `)` expected".into());
                        }
                    }
                }
                let text = &self.text[start..self.at];
                let name = name.to_ascii_lowercase();
                Ok(match lambda::arm_lambda(&name, &mut args) {
                    Some(lambda) => Expr::new(lambda, text),
                    None => Expr::new(Kind::Call(name, args), text),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Params(HashMap<&'static str, Value>);

    impl Context for Params {
        fn parameter(&self, name: &str) -> Option<Value> {
            self.0.get(name).cloned()
        }
    }

    fn eval_with(text: &str, params: &[(&'static str, Value)]) -> Value {
        eval_template_string(text, &Params(params.iter().cloned().collect()))
    }

    #[test]
    fn shallow_merges_keep_their_open_members() {
        // As `bicep build` writes an AVM backend's `...(type == 'Single' ? {…} : {})`.
        let merged = eval_with(
            "[shallowMerge(createArray(createObject('title', parameters('title'), 'type', 'Single'), if(equals('Single', 'Single'), createObject('url', 'https://b'), createObject())))]",
            &[],
        );
        assert_eq!(
            merged,
            json!({"title": "<unknown: parameters('title')>", "type": "Single", "url": "https://b"})
        );
        assert!(is_unknown(&eval_with(
            "[shallowMerge(createArray(createObject('a', 1), parameters('more')))]",
            &[]
        )));
    }

    #[test]
    fn cuts_of_placeholders_stay_placeholders() {
        // As `bicep build` writes `substring(uniqueString(resourceGroup().id), 0, 4)`
        // into a name (AI-Gateway's foundry-e2e-private): two segments, not one.
        let name = eval_with(
            "[toLower(format('{0}{1}apim/{2}', 'aiservices', substring(uniqueString(resourceGroup().id), 0, 4), 'azure-openai'))]",
            &[],
        );
        assert_eq!(
            name,
            "aiservices{substring(uniquestring(resourcegroup().id), 0, 4)}apim/azure-openai"
        );
        assert_eq!(scope::name_parts(name.as_str().unwrap()).len(), 2);
        for cut in ["take", "skip"] {
            let v = eval_with(&format!("[{cut}(guid('a/b'), 3)]"), &[]);
            assert_eq!(v, json!(format!("{{{cut}(guid('a/b'), 3)}}")));
        }
        // A cut that keeps placeholders whole, or leaves them out, is read as written.
        assert_eq!(
            eval_with("[last(split(resourceId('Microsoft.ApiManagement/service', format('apim-{0}', uniqueString('a'))), '/'))]", &[]),
            "apim-{uniqueString('a')}"
        );
        assert_eq!(
            eval_with("[take(format('apim-{0}', guid('x')), 4)]", &[]),
            "apim"
        );
        assert_eq!(eval_with("[length(subscription().id)]", &[]), 31);
        // Literal braces are text: `{0}` is no placeholder.
        assert_eq!(eval_with("[substring('{0}/x', 0, 3)]", &[]), "{0}");
    }

    #[test]
    fn partial_replacements_keep_the_known_text() {
        let p = [("xml", json!("<a id=\"{id}\" />"))];
        assert_eq!(
            eval_with(
                "[replace(parameters('xml'), '{id}', parameters('open'))]",
                &p
            ),
            "<a id=\"<unknown: parameters('open')>\" />"
        );
        assert!(is_unknown(&eval_with(
            "[replace(parameters('open'), '{id}', 'x')]",
            &p
        )));
        // Chained: each token replaced where the text is known.
        let p = [("xml", json!("<a id=\"{id}\" aud=\"{aud}\" />"))];
        assert_eq!(
            eval_with(
                "[replace(replace(parameters('xml'), '{id}', parameters('open')), '{aud}', concat('api://', parameters('app')))]",
                &p
            ),
            "<a id=\"<unknown: parameters('open')>\" aud=\"api://<unknown: parameters('app')>\" />"
        );
        assert!(is_unknown(&eval_with("[range(0, 100000)]", &p)));
    }

    #[test]
    fn common_functions() {
        let p = [("name", json!("Contoso")), ("n", json!(2))];
        assert_eq!(
            eval_with("[format('{0}/{1}', parameters('name'), 'echo')]", &p),
            "Contoso/echo"
        );
        assert_eq!(
            eval_with("[toLower(concat(parameters('name'), '-API'))]", &p),
            "contoso-api"
        );
        assert_eq!(
            eval_with("[if(equals(parameters('n'), 2), 'two', 'other')]", &p),
            "two"
        );
        assert_eq!(eval_with("[string(parameters('n'))]", &p), "2");
        assert_eq!(eval_with("[[not an expression]", &p), "[not an expression]");
        assert_eq!(eval_with("plain", &p), "plain");
        assert_eq!(
            eval_with("[createArray('https', 'http')]", &p),
            json!(["https", "http"])
        );
        assert_eq!(eval_with("[json('null')]", &p), Value::Null);
        assert_eq!(eval_with("[length(createArray(1, 2))]", &p), 2);
    }

    #[test]
    fn deployment_values_are_placeholders() {
        assert_eq!(
            eval_with(
                "[format('apiservice{0}', uniqueString(resourceGroup().id))]",
                &[]
            ),
            "apiservice{uniqueString(resourceGroup().id)}"
        );
        assert_eq!(
            eval_with("[resourceGroup().location]", &[]),
            "{resourceGroup().location}"
        );
        assert_eq!(
            eval_with("[resourceId('Microsoft.ApiManagement/service/apis', 'svc', 'echo')]", &[]),
            "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ApiManagement/service/svc/apis/echo"
        );
    }

    #[test]
    fn unknowns_propagate_but_keep_what_is_known() {
        assert_eq!(
            eval_with("[parameters('missing')]", &[]),
            "<unknown: parameters('missing')>"
        );
        assert_eq!(
            eval_with("[concat('https://', parameters('host'), '/api')]", &[]),
            "https://<unknown: parameters('host')>/api"
        );
        assert_eq!(
            eval_with("[reference('x').outputs.url.value]", &[]),
            "<unknown: reference('x').outputs.url.value>"
        );
        assert_eq!(
            eval_with("[if(parameters('flag'), 'a', 'b')]", &[]),
            "<unknown: if(parameters('flag'), 'a', 'b')>"
        );
        assert_eq!(eval_with("[if(parameters('flag'), 'a', 'a')]", &[]), "a");
        assert_eq!(
            eval_with("[equals(parameters('x'), 'y')]", &[]),
            "<unknown: equals(parameters('x'), 'y')>"
        );
        assert_eq!(
            eval_with("[contoso.helper(1)]", &[]),
            "<unknown: contoso.helper(1)>"
        );
    }

    #[test]
    fn parse_errors() {
        assert!(parse_arm("concat('a'").is_err());
        assert!(parse_arm("concat('a') extra").is_err());
        assert_eq!(eval_with("[concat('a']", &[]), "<unknown: concat('a'>");
    }

    #[test]
    fn nesting_is_read_to_the_limit_and_refused_past_it() {
        let calls = |n: usize| format!("{}'a'{}", "concat(".repeat(n), ")".repeat(n));
        let indexes = |n: usize| {
            format!(
                "variables('v'){}",
                "[variables('i')".repeat(n) + &"]".repeat(n)
            )
        };
        for n in [MAX_NESTING - 1, MAX_NESTING] {
            assert_eq!(arm_nesting(&calls(n)), n);
            assert!(parse_arm(&calls(n)).is_ok(), "{n}");
        }
        assert_eq!(arm_nesting(&indexes(10)), 11);
        assert_eq!(arm_nesting("concat('(((', ']]')"), 1);
        for n in [MAX_NESTING + 1, 100_000] {
            assert_eq!(parse_arm(&calls(n)).unwrap_err(), arm_too_deep(), "{n}");
            assert_eq!(parse_arm(&indexes(n)).unwrap_err(), arm_too_deep(), "{n}");
        }
    }
}
