//! A strict lint for Rego modules, over regorus's syntax tree: what OPA's
//! `check --strict` and `opa fmt` would refuse or change, and the shadowing that Regal
//! warns about.
//!
//! - `unused-import`: an import whose name no expression uses (`import rego.v1` aside),
//! - `unused-variable`: a local variable (`:=`, `some`, `every`, a function argument, in
//!   a rule body or a comprehension) that nothing reads.
//! - `shadowed-name`: a local variable or rule named like `input`, `data`, a builtin
//!   (`count`, `object`, …), an import, a rule of the module, or a variable of an
//!   enclosing body: the reader cannot tell which one a later line means.
//! - `layout`: indentation by spaces, trailing whitespace, two blank lines in a row, or
//!   a file that does not end with exactly one newline (`opa fmt` would change it).
//!
//! The built-in pack must lint clean (a test fails on any finding); users' rules get the
//! findings as warnings under `rules test` and as the verdict of `rules lint`.

use std::collections::HashSet;
use std::fmt;

use regorus::unstable::{Expr, Literal, Module, Query, Ref, Rule, RuleHead, Span};

use super::ast_walk::{children, comprehension_query, each_expr, each_expr_in_query};
use super::sources::PolicySource;

/// The root names of OPA's builtins (`object` for `object.get`): a local variable or a
/// rule of that name hides the builtin from every line in its scope.
const BUILTIN_ROOTS: &[&str] = &[
    "abs",
    "all",
    "any",
    "array",
    "base64",
    "base64url",
    "bits",
    "cast_array",
    "cast_boolean",
    "cast_null",
    "cast_object",
    "cast_set",
    "cast_string",
    "ceil",
    "concat",
    "contains",
    "count",
    "crypto",
    "endswith",
    "floor",
    "format_int",
    "glob",
    "graph",
    "hex",
    "http",
    "indexof",
    "indexof_n",
    "intersection",
    "io",
    "is_array",
    "is_boolean",
    "is_null",
    "is_number",
    "is_object",
    "is_set",
    "is_string",
    "json",
    "lower",
    "max",
    "min",
    "net",
    "numbers",
    "object",
    "opa",
    "print",
    "product",
    "providers",
    "rand",
    "re_match",
    "regex",
    "rego",
    "replace",
    "round",
    "semver",
    "sort",
    "split",
    "sprintf",
    "startswith",
    "strings",
    "substring",
    "sum",
    "time",
    "to_number",
    "trace",
    "trim",
    "trim_left",
    "trim_prefix",
    "trim_right",
    "trim_space",
    "trim_suffix",
    "type_name",
    "union",
    "units",
    "upper",
    "urlquery",
    "uuid",
    "walk",
    "yaml",
];

/// What a finding is about; its name is the one printed (Regal's style).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LintRule {
    /// An import nothing uses.
    UnusedImport,
    /// A local variable nothing reads.
    UnusedVariable,
    /// A name that hides another one.
    ShadowedName,
    /// Whitespace `opa fmt` would change.
    Layout,
}

impl LintRule {
    /// The name printed beside a finding, e.g. `unused-variable`.
    pub fn name(self) -> &'static str {
        match self {
            LintRule::UnusedImport => "unused-import",
            LintRule::UnusedVariable => "unused-variable",
            LintRule::ShadowedName => "shadowed-name",
            LintRule::Layout => "layout",
        }
    }
}

/// One lint finding, located in a policy file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct LintFinding {
    /// The policy file.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// Which lint rule.
    pub rule: LintRule,
    /// What is wrong, naming the variable or import.
    pub message: String,
}

impl fmt::Display for LintFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {} [{}]",
            self.file,
            self.line,
            self.column,
            self.message,
            self.rule.name()
        )
    }
}

/// Lints every module whose file is one of `sources`, in file and line order.
pub fn lint(modules: &[Ref<Module>], sources: &[&PolicySource]) -> Vec<LintFinding> {
    let mut findings = Vec::new();
    for source in sources {
        findings.extend(layout(source));
    }
    for module in modules {
        let file = module.package.span.source.get_path();
        if sources.iter().any(|s| &s.path == file) {
            findings.extend(ModuleLint::new(module).run());
        }
    }
    findings.sort();
    findings
}

/// The `layout` findings of one file, from its text.
fn layout(source: &PolicySource) -> Vec<LintFinding> {
    let mut findings = Vec::new();
    let mut finding = |line: usize, column: usize, message: &str| {
        findings.push(LintFinding {
            file: source.path.clone(),
            line,
            column,
            rule: LintRule::Layout,
            message: message.to_string(),
        });
    };
    let mut blank_before = false;
    let mut in_raw_string = false;
    for (i, line) in source.text.lines().enumerate() {
        let number = i + 1;
        // A raw string's lines are its value, not layout.
        let starts_in_raw_string = in_raw_string;
        in_raw_string ^= line.matches('`').count() % 2 == 1;
        if starts_in_raw_string {
            continue;
        }
        let trimmed = line.trim_end();
        if trimmed.len() != line.len() {
            finding(number, trimmed.len() + 1, "trailing whitespace");
        }
        let indent = &line[..line.len() - line.trim_start().len()];
        if indent.contains(' ') {
            finding(number, 1, "indent with tabs, as `opa fmt` does");
        }
        let blank = trimmed.is_empty();
        if blank && blank_before {
            finding(number, 1, "two blank lines in a row; one separates");
        }
        blank_before = blank;
    }
    let lines = source.text.lines().count().max(1);
    if !source.text.ends_with('\n') {
        finding(lines, 1, "the file must end with a newline");
    } else if source.text.ends_with("\n\n") {
        finding(lines, 1, "blank lines at the end of the file");
    }
    findings
}

/// A variable declared in a body, an argument list or a comprehension.
struct Local {
    name: String,
    line: usize,
    column: usize,
    used: bool,
}

/// The lint of one module's names.
struct ModuleLint<'m> {
    module: &'m Module,
    file: String,
    /// Names of the module's rules and functions (first component of each head).
    rules: HashSet<String>,
    /// Import names (alias or last component).
    imports: HashSet<String>,
    /// Innermost last.
    scopes: Vec<Vec<Local>>,
    findings: Vec<LintFinding>,
}

impl<'m> ModuleLint<'m> {
    fn new(module: &'m Module) -> Self {
        let rules = module
            .policy
            .iter()
            .filter_map(|rule| head_name(rule))
            .collect();
        let imports = module
            .imports
            .iter()
            .filter_map(|import| import_name(import).map(|(name, _)| name))
            .collect();
        ModuleLint {
            module,
            file: module.package.span.source.get_path().clone(),
            rules,
            imports,
            scopes: Vec::new(),
            findings: Vec::new(),
        }
    }

    fn run(mut self) -> Vec<LintFinding> {
        self.imports();
        for rule in &self.module.policy {
            self.rule(rule);
        }
        self.findings
    }

    fn finding(&mut self, line: usize, column: usize, rule: LintRule, message: String) {
        self.findings.push(LintFinding {
            file: self.file.clone(),
            line,
            column,
            rule,
            message,
        });
    }

    /// Unused imports (regorus refuses one name imported twice).
    fn imports(&mut self) {
        let mut used = HashSet::new();
        for rule in &self.module.policy {
            rule_vars(rule, &mut used);
        }
        for import in &self.module.imports {
            let Some((name, path)) = import_name(import) else {
                continue;
            };
            let (line, column) = position(&import.span);
            if !used.contains(&name) {
                self.finding(
                    line,
                    column,
                    LintRule::UnusedImport,
                    format!("import `{path}` is not used"),
                );
            }
        }
    }

    fn rule(&mut self, rule: &Rule) {
        let Rule::Spec { head, bodies, .. } = rule else {
            return;
        };
        if let Some(name) = head_name(rule) {
            if let Some(what) = reserved(&name) {
                let (line, column) = position(rule.span());
                self.finding(
                    line,
                    column,
                    LintRule::ShadowedName,
                    format!("rule `{name}` shadows {what}"),
                );
            }
        }
        // Function arguments are visible in every body and in the head.
        self.scopes.push(Vec::new());
        if let RuleHead::Func { args, .. } = head {
            for arg in args {
                self.declare_pattern(arg);
            }
        }
        let head_exprs = head_uses(head);
        if bodies.is_empty() {
            head_exprs.iter().for_each(|e| self.uses(e));
        }
        for body in bodies {
            self.scopes.push(Vec::new());
            self.stmts(&body.query);
            head_exprs.iter().for_each(|e| self.uses(e));
            if let Some(assign) = &body.assign {
                self.uses(&assign.value);
            }
            self.pop();
        }
        self.pop();
    }

    /// Closes the innermost scope, reporting the variables nothing read.
    fn pop(&mut self) {
        for local in self.scopes.pop().unwrap_or_default() {
            if !local.used {
                self.finding(
                    local.line,
                    local.column,
                    LintRule::UnusedVariable,
                    format!(
                        "`{}` is declared but never used (remove it, or write `_`)",
                        local.name
                    ),
                );
            }
        }
    }

    /// A query in a scope of its own (comprehension, `every`).
    fn query(&mut self, query: &Query, term: &[&Ref<Expr>]) {
        self.scopes.push(Vec::new());
        self.stmts(query);
        term.iter().for_each(|t| self.uses(t));
        self.pop();
    }

    /// The statements of a query, in the innermost scope.
    fn stmts(&mut self, query: &Query) {
        for stmt in &query.stmts {
            match &stmt.literal {
                Literal::SomeVars { vars, .. } => {
                    for var in vars {
                        self.declare(var);
                    }
                }
                Literal::SomeIn {
                    key,
                    value,
                    collection,
                    ..
                } => {
                    self.uses(collection);
                    key.iter().for_each(|k| self.declare_pattern(k));
                    self.declare_pattern(value);
                }
                Literal::Expr { expr, .. } => match expr.as_ref() {
                    Expr::AssignExpr {
                        op: regorus::unstable::AssignOp::ColEq,
                        lhs,
                        rhs,
                        ..
                    } => {
                        self.uses(rhs);
                        self.declare_pattern(lhs);
                    }
                    _ => self.uses(expr),
                },
                Literal::NotExpr { expr, .. } => self.uses(expr),
                Literal::Every {
                    key,
                    value,
                    domain,
                    query,
                    ..
                } => {
                    self.uses(domain);
                    self.scopes.push(Vec::new());
                    for var in key.iter().chain(std::iter::once(value)) {
                        self.declare(var);
                    }
                    self.query(query, &[]);
                    self.pop();
                }
            }
            for with in &stmt.with_mods {
                self.uses(&with.refr);
                self.uses(&with.r#as);
            }
        }
    }

    /// Declares the variables of an assignment's left side, `some` pattern or argument;
    /// anything else in it (a constant, a reference) is read.
    fn declare_pattern(&mut self, pattern: &Expr) {
        match pattern {
            Expr::Var { span, .. } => self.declare(span),
            Expr::Array { items, .. } => items.iter().for_each(|i| self.declare_pattern(i)),
            Expr::Object { fields, .. } => {
                for (_, key, value) in fields {
                    self.uses(key);
                    self.declare_pattern(value);
                }
            }
            other => self.uses(other),
        }
    }

    fn declare(&mut self, var: &Span) {
        let name = var.text();
        let (line, column) = position(var);
        if name == "_" {
            return;
        }
        let shadowed = if let Some(what) = reserved(name) {
            Some(what.to_string())
        } else if self.rules.contains(name) {
            Some(format!("the rule `{name}` of this package"))
        } else if self.imports.contains(name) {
            Some(format!("the import `{name}`"))
        } else if self.scopes.iter().flatten().any(|l| l.name == name) {
            Some(format!("`{name}` of an enclosing body"))
        } else {
            None
        };
        if let Some(what) = shadowed {
            self.finding(
                line,
                column,
                LintRule::ShadowedName,
                format!("variable `{name}` shadows {what}"),
            );
        }
        if let Some(scope) = self.scopes.last_mut() {
            scope.push(Local {
                name: name.to_string(),
                line,
                column,
                used: false,
            });
        }
    }

    /// Marks the variables an expression reads, walking into comprehensions.
    fn uses(&mut self, expr: &Expr) {
        match expr {
            Expr::Var { span, .. } => {
                let name = span.text();
                if let Some(local) = self
                    .scopes
                    .iter_mut()
                    .rev()
                    .flat_map(|scope| scope.iter_mut().rev())
                    .find(|l| l.name == name)
                {
                    local.used = true;
                }
            }
            other => match comprehension_query(other) {
                // The term is read in the comprehension's own scope.
                Some(query) => self.query(query, &children(other)),
                None => children(other).into_iter().for_each(|c| self.uses(c)),
            },
        }
    }
}

/// The parts of a rule's head evaluated after its body: the key of a set rule, the
/// value, and the brackets of a reference head (`t[k] := v`).
fn head_uses(head: &RuleHead) -> Vec<&Ref<Expr>> {
    let (refr, mut exprs) = match head {
        RuleHead::Compr { refr, assign, .. } | RuleHead::Func { refr, assign, .. } => {
            (refr, assign.iter().map(|a| &a.value).collect::<Vec<_>>())
        }
        RuleHead::Set { refr, key, .. } => (refr, key.iter().collect()),
    };
    let mut head = refr;
    loop {
        match head.as_ref() {
            Expr::RefBrack { refr, index, .. } => {
                exprs.push(index);
                head = refr;
            }
            Expr::RefDot { refr, .. } => head = refr,
            _ => return exprs,
        }
    }
}

/// The name a rule is defined under: the first component of its head.
fn head_name(rule: &Rule) -> Option<String> {
    let refr = match rule {
        Rule::Spec { head, .. } => match head {
            RuleHead::Compr { refr, .. }
            | RuleHead::Set { refr, .. }
            | RuleHead::Func { refr, .. } => refr,
        },
        Rule::Default { refr, .. } => refr,
    };
    let mut expr = refr.as_ref();
    loop {
        match expr {
            Expr::Var { span, .. } => return Some(span.text().to_string()),
            Expr::RefDot { refr, .. } | Expr::RefBrack { refr, .. } => expr = refr,
            _ => return None,
        }
    }
}

/// The 1-based line and column (in characters, a tab is one) where `span` starts.
fn position(span: &Span) -> (usize, usize) {
    let text = span.source.get_contents();
    let start = (span.start as usize).min(text.len());
    let before = text.get(..start).unwrap_or_default();
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    (span.line as usize, before[line_start..].chars().count() + 1)
}

/// What `name` would hide if a variable or rule took it: `input`, `data` or a builtin.
fn reserved(name: &str) -> Option<&'static str> {
    match name {
        "input" => Some("the document `input`"),
        "data" => Some("the document `data`"),
        _ if BUILTIN_ROOTS.contains(&name) => Some("a builtin function"),
        _ => None,
    }
}

/// An import's name in the module and its path as written; `None` for `rego.v1` and
/// `future.keywords` imports, which name nothing.
fn import_name(import: &regorus::unstable::Import) -> Option<(String, String)> {
    let path = import.refr.span().text().to_string();
    if path == "rego.v1" || path.starts_with("future.") {
        return None;
    }
    let name = match &import.r#as {
        Some(alias) => alias.text().to_string(),
        None => path.rsplit('.').next()?.to_string(),
    };
    Some((name, path))
}

/// Every variable name read anywhere in a rule (head and bodies), for the import check.
fn rule_vars(rule: &Rule, out: &mut HashSet<String>) {
    let mut visit = |expr: &Expr| {
        if let Expr::Var { span, .. } = expr {
            out.insert(span.text().to_string());
        }
    };
    match rule {
        Rule::Spec { head, bodies, .. } => {
            if let RuleHead::Func { args, .. } = head {
                args.iter().for_each(|a| each_expr(a, &mut visit));
            }
            for expr in head_uses(head) {
                each_expr(expr, &mut visit);
            }
            for body in bodies {
                if let Some(assign) = &body.assign {
                    each_expr(&assign.value, &mut visit);
                }
                each_expr_in_query(&body.query, &mut visit);
            }
        }
        Rule::Default { value, args, .. } => {
            each_expr(value, &mut visit);
            args.iter().for_each(|a| each_expr(a, &mut visit));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The findings in one module, as `line:column rule` strings.
    fn findings(text: &str) -> Vec<String> {
        let source = PolicySource {
            path: "a.rego".into(),
            text: text.into(),
            builtin: false,
        };
        let mut engine = regorus::Engine::new();
        engine
            .add_policy(source.path.clone(), source.text.clone())
            .expect("parses");
        lint(engine.get_modules(), &[&source])
            .iter()
            .map(|f| format!("{}:{} {}", f.line, f.column, f.rule.name()))
            .collect()
    }

    fn module(body: &str) -> String {
        format!("package x\n\nimport rego.v1\n\n{body}\n")
    }

    #[test]
    fn clean_rules_have_no_findings() {
        let clean = module(concat!(
            "import data.acme.lib\nimport data.acme.other as o\n\n",
            "deny contains {\"resource\": api.id, \"message\": msg} if {\n",
            "\tsome sub in input.subscriptions\n\tsome api in sub.apis\n",
            "\tnames := [n | some op in api.operations; n := op.name]\n",
            "\tevery n in names {\n\t\tlib.ok(n)\n\t}\n",
            "\t{\"a\": first} := o.pair\n\tmsg := sprintf(\"%s\", [first])\n}\n\n",
            "f(v) := v + 1\n\n",
            "g(v) := 1 if v > 0\n\telse := 2\n\n",
            "t[k] := v if {\n\tsome k, v in input.table\n}\n\n",
            "h(_, w) if {\n\tw == 1\n}\n\n",
            "test_with if {\n\tn := 3\n\tf(1) == 2 with input as n\n}\n\n",
            "by_name := {name: a | some a in input.apis; name := a.name}",
        ));
        assert_eq!(findings(&clean), Vec::<String>::new());
    }

    #[test]
    fn unused_imports_and_variables_are_found() {
        let text = module(concat!(
            "import data.acme.lib\nimport data.acme.gone\n\n",
            "r if {\n\tx := 1\n\tsome y\n\tsome k, v in input.m\n\tv == lib.z\n}\n\n",
            "f(a, b) := a\n\n",
            "s := [1 | some c in input.cs]\n\n",
            "e if {\n\tevery i, j in input.xs {\n\t\tj > 0\n\t}\n}",
        ));
        assert_eq!(
            findings(&text),
            [
                "6:1 unused-import",
                "9:2 unused-variable",
                "10:7 unused-variable",
                "11:7 unused-variable",
                "15:6 unused-variable",
                "17:16 unused-variable",
                "20:8 unused-variable",
            ]
        );
    }

    #[test]
    fn shadowed_names_are_found() {
        let text = module(concat!(
            "import data.acme.lib\n\n",
            "rule := 1\n\n",
            "count(x) := x\n\n",
            "r if {\n\tobject := {}\n\tobject == {}\n\tlib := 1\n\tlib == 1\n\trule := 2\n\trule == 2\n",
            "\tx := 1\n\tys := [x | some x in input.xs]\n\tys == [x]\n}",
        ));
        assert_eq!(
            findings(&text),
            [
                "9:1 shadowed-name",
                "12:2 shadowed-name",
                "14:2 shadowed-name",
                "16:2 shadowed-name",
                "19:18 shadowed-name",
            ]
        );
    }

    #[test]
    fn layout_is_checked_outside_raw_strings() {
        let text =
            "package x\n\nimport rego.v1\n\nr if {\n    input.a == 1 \n}\n\n\ns := `\n    raw  \n`";
        assert_eq!(
            findings(text),
            ["6:1 layout", "6:17 layout", "9:1 layout", "12:1 layout"]
        );
    }
}
