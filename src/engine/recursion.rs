//! Refuses recursion among functions when policies load.
//!
//! Rego has no recursion: OPA refuses a function that calls itself, directly or through
//! other functions (`rego_recursion_error`). regorus detects recursive *rules* when it
//! evaluates them, but evaluates a recursive *function* until the thread's stack
//! overflows and the process aborts without a word. So the loader builds the call graph
//! of every loaded function from the parsed modules and refuses a cycle, located at the
//! function of the cycle defined first. A cycle that passes through a rule is left to
//! regorus, which stops it at the rule ("recursion detected when evaluating rule").

use std::collections::HashMap;

use regorus::unstable::{Expr, Module, Query, Ref, Rule, RuleHead};

use super::ast_walk::{each_expr, each_expr_in_query};
use super::errors::PolicyError;
use super::sources::PolicySource;

/// A function of the loaded policies, where it is first defined.
#[derive(Debug)]
struct Function {
    /// Its full path, for example `data.acme.lib.depth`.
    path: String,
    /// The file of its first definition.
    file: String,
    /// The 1-based line of its first definition.
    line: usize,
}

/// Fails when the functions of `modules` call one another in a cycle, naming the file
/// and line of the cycle's first-defined function and every function of the cycle
/// (with its line, and its file when another).
pub fn refuse(modules: &[Ref<Module>], sources: &[PolicySource]) -> Result<(), PolicyError> {
    let graph = CallGraph::build(modules);
    let Some(cycle) = graph.first_cycle() else {
        return Ok(());
    };
    let first = &graph.functions[cycle[0]];
    let mut steps: Vec<String> = cycle
        .iter()
        .map(|&i| &graph.functions[i])
        .map(|f| {
            if f.file == first.file {
                format!("{} (line {})", f.path, f.line)
            } else {
                format!("{} ({}:{})", f.path, f.file, f.line)
            }
        })
        .collect();
    steps[0] = first.path.clone();
    steps.push(first.path.clone());
    let message = format!(
        "function `{}` is recursive: {}",
        first.path,
        steps.join(" -> ")
    );
    match sources.iter().find(|s| s.path == first.file) {
        Some(source) => Err(PolicyError::recursion(source, first.line, message)),
        None => Err(PolicyError::Engine {
            message: format!("{}:{}: {message}", first.file, first.line),
        }),
    }
}

/// Which function calls which, by index into `functions` (in definition order).
struct CallGraph {
    functions: Vec<Function>,
    calls: Vec<Vec<usize>>,
}

impl CallGraph {
    fn build(modules: &[Ref<Module>]) -> Self {
        let mut functions = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        // Every function first: a call may name one defined in a later module.
        for module in modules {
            let scope = Scope::of(module);
            for (rule, refr, _) in function_rules(module) {
                let Some(path) = scope.own(refr) else {
                    continue;
                };
                index.entry(path.clone()).or_insert_with(|| {
                    let span = rule.span();
                    functions.push(Function {
                        path,
                        file: span.source.get_path().clone(),
                        line: span.line as usize,
                    });
                    functions.len() - 1
                });
            }
        }
        let mut calls = vec![Vec::new(); functions.len()];
        for module in modules {
            let scope = Scope::of(module);
            for (_, refr, exprs) in function_rules(module) {
                let Some(caller) = scope.own(refr).and_then(|p| index.get(&p)) else {
                    continue;
                };
                let mut callees = Vec::new();
                for expr in exprs {
                    expr.calls(&mut callees);
                }
                calls[*caller].extend(
                    callees
                        .iter()
                        .filter_map(|callee| index.get(&scope.resolve(callee))),
                );
            }
        }
        CallGraph { functions, calls }
    }

    /// The first cycle found, as indexes in call order starting with the lowest.
    fn first_cycle(&self) -> Option<Vec<usize>> {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            Open,
            Done,
        }
        let mut mark = vec![Mark::New; self.functions.len()];
        for start in 0..self.functions.len() {
            if mark[start] != Mark::New {
                continue;
            }
            mark[start] = Mark::Open;
            // Depth-first, without recursion: (function, its next call to follow).
            let mut stack = vec![(start, 0usize)];
            while let Some(&(caller, next)) = stack.last() {
                let Some(&callee) = self.calls[caller].get(next) else {
                    mark[caller] = Mark::Done;
                    stack.pop();
                    continue;
                };
                if let Some(top) = stack.last_mut() {
                    top.1 += 1;
                }
                match mark[callee] {
                    Mark::New => {
                        mark[callee] = Mark::Open;
                        stack.push((callee, 0));
                    }
                    Mark::Open => {
                        let mut cycle: Vec<usize> = stack
                            .iter()
                            .map(|&(f, _)| f)
                            .skip_while(|&f| f != callee)
                            .collect();
                        let lowest = (0..cycle.len()).min_by_key(|&i| cycle[i]);
                        cycle.rotate_left(lowest.unwrap_or(0));
                        return Some(cycle);
                    }
                    Mark::Done => {}
                }
            }
        }
        None
    }
}

/// Each function definition of a module: the rule, its head's name, and the
/// expressions that are evaluated when it is called (head value, bodies, `else` values).
fn function_rules(module: &Module) -> impl Iterator<Item = (&Rule, &Expr, Vec<Walk<'_>>)> {
    module.policy.iter().filter_map(|rule| match rule.as_ref() {
        Rule::Spec {
            head: RuleHead::Func { refr, assign, .. },
            bodies,
            ..
        } => {
            let mut exprs: Vec<Walk> = assign.iter().map(|a| Walk::Expr(&a.value)).collect();
            for body in bodies {
                exprs.extend(body.assign.iter().map(|a| Walk::Expr(&a.value)));
                exprs.push(Walk::Query(&body.query));
            }
            Some((rule.as_ref(), refr.as_ref(), exprs))
        }
        _ => None,
    })
}

/// A piece of a function to search for calls.
enum Walk<'a> {
    Expr(&'a Expr),
    Query(&'a Query),
}

impl<'a> Walk<'a> {
    /// Appends the name (as written) of every function called anywhere inside.
    fn calls(&self, out: &mut Vec<Vec<String>>) {
        let mut visit = |expr: &'a Expr| {
            if let Expr::Call { fcn, .. } = expr {
                out.extend(path(fcn));
            }
        };
        match self {
            Walk::Expr(expr) => each_expr(expr, &mut visit),
            Walk::Query(query) => each_expr_in_query(query, &mut visit),
        }
    }
}

/// The components of a static reference (`lib.f`, `data.a["b"].f`), `None` for any
/// other expression.
fn path(expr: &Expr) -> Option<Vec<String>> {
    match expr {
        Expr::Var { span, .. } => Some(vec![span.text().to_string()]),
        Expr::RefDot { refr, field, .. } => {
            let mut components = path(refr)?;
            components.push(field.0.text().to_string());
            Some(components)
        }
        Expr::RefBrack { refr, index, .. } => {
            let Expr::String { value, .. } = index.as_ref() else {
                return None;
            };
            let mut components = path(refr)?;
            components.push(value.as_string().ok()?.to_string());
            Some(components)
        }
        _ => None,
    }
}

/// How a module names things: its package and its `import data.…` aliases.
struct Scope {
    /// `data.` and the package, for example `data.acme.rec`.
    package: String,
    /// Alias (`lib`) to the imported path (`data.acme.lib`).
    imports: HashMap<String, String>,
}

impl Scope {
    fn of(module: &Module) -> Self {
        let package = path(&module.package.refr).unwrap_or_default();
        let imports = module
            .imports
            .iter()
            .filter_map(|import| {
                let target = path(&import.refr)?;
                if target.first().map(String::as_str) != Some("data") {
                    return None;
                }
                let alias = match &import.r#as {
                    Some(span) => span.text().to_string(),
                    None => target.last()?.clone(),
                };
                Some((alias, target.join(".")))
            })
            .collect();
        Scope {
            package: format!("data.{}", package.join(".")),
            imports,
        }
    }

    /// The full path of a function defined in this module under the head `refr`.
    fn own(&self, refr: &Expr) -> Option<String> {
        Some(format!("{}.{}", self.package, path(refr)?.join(".")))
    }

    /// The full path a call names: `data.…` as written, an import alias replaced by
    /// its target, anything else in the module's package.
    fn resolve(&self, call: &[String]) -> String {
        let rest = call.join(".");
        match call.first().map(String::as_str) {
            Some("data") => rest,
            Some(root) => match self.imports.get(root) {
                Some(target) => format!("{target}{}", &rest[root.len()..]),
                None => format!("{}.{rest}", self.package),
            },
            None => self.package.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cycle among `modules` (file name, Rego text), as `path@file:line` strings.
    fn cycle(modules: &[(&str, &str)]) -> Option<Vec<String>> {
        let mut engine = regorus::Engine::new();
        for (file, text) in modules {
            engine
                .add_policy(file.to_string(), text.to_string())
                .expect("parses");
        }
        let graph = CallGraph::build(engine.get_modules());
        graph.first_cycle().map(|cycle| {
            cycle
                .iter()
                .map(|&i| &graph.functions[i])
                .map(|f| format!("{}@{}:{}", f.path, f.file, f.line))
                .collect()
        })
    }

    fn graph(calls: Vec<Vec<usize>>) -> CallGraph {
        let functions = (0..calls.len())
            .map(|i| Function {
                path: format!("f{i}"),
                file: "x.rego".into(),
                line: i + 1,
            })
            .collect();
        CallGraph { functions, calls }
    }

    #[test]
    fn finds_cycles_in_a_call_graph() {
        assert_eq!(graph(vec![vec![1], vec![2], vec![]]).first_cycle(), None);
        // A diamond reaches one function twice without a cycle.
        assert_eq!(
            graph(vec![vec![1, 2], vec![3], vec![3], vec![]]).first_cycle(),
            None
        );
        assert_eq!(graph(vec![vec![0]]).first_cycle(), Some(vec![0]));
        // Found from 0 as 1 -> 2 -> 3 -> 1; told from its lowest function.
        assert_eq!(
            graph(vec![vec![1], vec![2], vec![3], vec![1]]).first_cycle(),
            Some(vec![1, 2, 3])
        );
        assert_eq!(
            graph(vec![vec![], vec![], vec![3], vec![1, 2]]).first_cycle(),
            Some(vec![2, 3])
        );
    }

    #[test]
    fn direct_and_mutual_recursion_are_found() {
        let direct = "package x\nimport rego.v1\n\nf(n) := f(n + 1)\n";
        assert_eq!(cycle(&[("a.rego", direct)]).unwrap(), ["data.x.f@a.rego:4"]);
        let mutual =
            "package x\nimport rego.v1\n\nf(n) := g(n)\n\ng(n) := y if {\n\ty := f(n)\n}\n";
        assert_eq!(
            cycle(&[("a.rego", mutual)]).unwrap(),
            ["data.x.f@a.rego:4", "data.x.g@a.rego:6"]
        );
    }

    #[test]
    fn calls_across_packages_resolve_through_imports_and_full_paths() {
        let a = "package a\nimport rego.v1\nimport data.b.lib\n\nf(n) := lib.g(n)\n";
        let b = "package b.lib\nimport rego.v1\n\ng(n) := h(n)\n\nh(n) := data.a.f(n)\n";
        assert_eq!(
            cycle(&[("a.rego", a), ("b.rego", b)]).unwrap(),
            [
                "data.a.f@a.rego:5",
                "data.b.lib.g@b.rego:4",
                "data.b.lib.h@b.rego:6"
            ]
        );
        let aliased =
            "package a\nimport rego.v1\nimport data.b.lib as other\n\nf(n) := other.g(n)\n";
        assert!(cycle(&[("a.rego", aliased), ("b.rego", b)]).is_some());
    }

    #[test]
    fn calls_nested_anywhere_are_found() {
        for body in [
            "y := count([z | some c in n; z := f(c)])",
            "y := {k: v | some k, v in n; v := sum([f(v)])}",
            "every c in n { f(c) }; y := 1",
            "not f(n); y := 1",
            "y := true with input as f(n)",
            "some c in f(n); y := c",
            "y := object.get(n, f(n), 0)",
            "y := n[f(n)]",
        ] {
            let text = format!(
                "package x\nimport rego.v1\n\nf(n) := 0 if n == 0\nf(n) := y if {{\n\t{}\n}}\n",
                body.replace("; ", "\n\t")
            );
            assert_eq!(
                cycle(&[("a.rego", &text)]).unwrap(),
                ["data.x.f@a.rego:4"],
                "{body}"
            );
        }
        let in_else = "package x\nimport rego.v1\n\nf(n) := 1 if n == 0\n\telse := f(n - 1)\n";
        assert!(cycle(&[("a.rego", in_else)]).is_some());
    }

    #[test]
    fn same_names_in_other_packages_and_builtins_are_not_recursion() {
        // `b.f` is another `f`; `count` in package b is the builtin, not a's function.
        let a = "package a\nimport rego.v1\nimport data.b\n\nf(n) := b.f(n)\ncount(n) := 1\nu(s) := upper(s)\n";
        let b = "package b\nimport rego.v1\n\nf(n) := count([n])\nobject_get(n) := object.get(n, \"k\", 0)\n";
        assert_eq!(cycle(&[("a.rego", a), ("b.rego", b)]), None);
        // A rule that calls a function is no cycle.
        let rule = "package x\nimport rego.v1\n\nf(n) := n + 1\nr := f(1)\n";
        assert_eq!(cycle(&[("a.rego", rule)]), None);
    }

    #[test]
    fn the_refusal_names_file_line_and_cycle() {
        let text = "package x\nimport rego.v1\n\nf(n) := g(n)\ng(n) := f(n)\n";
        let source = PolicySource {
            path: "my/a.rego".into(),
            text: text.into(),
            builtin: false,
        };
        let mut engine = regorus::Engine::new();
        engine
            .add_policy(source.path.clone(), source.text.clone())
            .unwrap();
        let err = refuse(engine.get_modules(), &[source]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "my/a.rego:4: function `data.x.f` is recursive: data.x.f -> data.x.g (line 5) -> data.x.f"
        );
    }
}
