//! The lambda functions of ARM templates and Bicep: `filter`, `map`, `reduce`, `sort`,
//! `toObject`, `groupBy` and `mapValues`, over inputs known before deployment.
//!
//! A lambda is written `x => body` or `(acc, x) => body` in Bicep, and
//! `lambda('x', body)` with `lambdaVariables('x')` in ARM JSON (as `bicep build` writes
//! it). Each call of a lambda is a step of the evaluation's budget
//! ([`expr::MAX_STEPS`]), and so is the size of what it returns, so a hostile template
//! (a `reduce` that doubles a string, a `map` over `range()` in a `map`) cannot make
//! evaluation explode: past the budget the value is unknown and the reader reports the
//! cut at the resource's line. What a lambda cannot decide (a filter that is not
//! `true`/`false`, an open key) makes the whole result unknown, never a guess.

use serde_json::{Map, Value};

use super::expr::{self, Bound, Context, Cut, Expr, Kind};
use super::json::MAX_DEPTH;
use super::unknown::{contains_unknown, unknown};

/// ARM `lambda('a', 'b', body)`: the lambda, when `name` is `lambda` and every argument
/// but the last is a literal name. The arguments are taken from `args` when it is.
pub(super) fn arm_lambda(name: &str, args: &mut Vec<Expr>) -> Option<Kind> {
    let (body, params) = args.split_last()?;
    if name != "lambda" || params.is_empty() {
        return None;
    }
    let names = params
        .iter()
        .map(|p| match &p.kind {
            Kind::Lit(Value::String(n)) => Some(n.clone()),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    let body = body.clone();
    args.clear();
    Some(Kind::Lambda(names, Box::new(body)))
}

/// The value of a lambda function's call, or `None` when `name` is not one or its
/// lambda argument is not a lambda (the call is then evaluated as any other).
pub(super) fn call(name: &str, args: &[Expr], text: &str, cx: &dyn Context) -> Option<Value> {
    let lambda_at = match name {
        "filter" | "map" | "sort" | "toobject" | "groupby" | "mapvalues" => 1,
        "reduce" => 2,
        _ => return None,
    };
    let lambda = Lambda::of(args.get(lambda_at)?)?;
    let value_lambda = match (name, args.get(2)) {
        ("toobject", Some(arg)) => Some(Lambda::of(arg)?),
        _ => None,
    };
    let input = expr::eval(&args[0], cx);
    let result = match (name, &input) {
        ("mapvalues", Value::Object(object)) => map_values(object, &lambda, cx),
        (_, Value::Array(items)) => match name {
            "filter" => filter(items, &lambda, cx),
            "map" => map(items, &lambda, cx),
            "reduce" => reduce(items, expr::eval(&args[1], cx), &lambda, cx),
            "sort" => sort(items, &lambda, cx),
            "toobject" => to_object(items, &lambda, value_lambda.as_ref(), cx),
            _ => group_by(items, &lambda, cx),
        },
        _ => None,
    };
    Some(result.unwrap_or_else(|| unknown(text)))
}

/// A lambda's parameter names and body.
struct Lambda<'e> {
    names: &'e [String],
    body: &'e Expr,
}

impl<'e> Lambda<'e> {
    fn of(expr: &'e Expr) -> Option<Lambda<'e>> {
        match &expr.kind {
            Kind::Lambda(names, body) => Some(Lambda { names, body }),
            _ => None,
        }
    }

    /// The body's value with the parameters bound to `values` (a lambda may name fewer
    /// parameters than the function passes: `map(xs, x => …)` leaves out the index),
    /// or `None` when the budget is spent or the value nests too deep (the evaluation
    /// is then cut).
    fn apply(&self, values: Vec<Value>, cx: &dyn Context) -> Option<Value> {
        if self.names.len() > values.len() || !expr::spend(1) {
            return None;
        }
        let bound = Bound {
            outer: cx,
            names: self.names.iter().map(String::as_str).zip(values).collect(),
        };
        let value = expr::eval(self.body, &bound);
        charge(&value).then_some(value)
    }

    /// The body's value as a boolean; `None` when it is not one.
    fn test(&self, values: Vec<Value>, cx: &dyn Context) -> Option<bool> {
        self.apply(values, cx)?.as_bool()
    }

    /// The body's value as a known key.
    fn key(&self, values: Vec<Value>, cx: &dyn Context) -> Option<String> {
        match self.apply(values, cx)? {
            Value::String(key) if !contains_unknown(&key) => Some(key),
            _ => None,
        }
    }
}

/// Takes a value's size from the budget (an item or member a step, a string a step per
/// 64 bytes), so that what lambdas build stays bounded; `false` when the budget is
/// spent or the value nests deeper than a snapshot can hold (the evaluation is cut).
fn charge(value: &Value) -> bool {
    let mut size = 0usize;
    let mut stack = vec![(value, 1usize)];
    while let Some((value, depth)) = stack.pop() {
        if depth > MAX_DEPTH {
            expr::cut(Cut::Depth);
            return false;
        }
        size += 1;
        match value {
            Value::String(s) => size += s.len() / 64,
            Value::Array(items) => stack.extend(items.iter().map(|v| (v, depth + 1))),
            Value::Object(map) => {
                for (key, v) in map {
                    size += key.len() / 64;
                    stack.push((v, depth + 1));
                }
            }
            _ => {}
        }
    }
    expr::spend(size)
}

fn filter(items: &[Value], lambda: &Lambda<'_>, cx: &dyn Context) -> Option<Value> {
    let mut kept = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if lambda.test(vec![item.clone(), Value::from(i)], cx)? {
            kept.push(item.clone());
        }
    }
    Some(Value::Array(kept))
}

fn map(items: &[Value], lambda: &Lambda<'_>, cx: &dyn Context) -> Option<Value> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| lambda.apply(vec![item.clone(), Value::from(i)], cx))
        .collect::<Option<Vec<_>>>()
        .map(Value::Array)
}

fn reduce(items: &[Value], initial: Value, lambda: &Lambda<'_>, cx: &dyn Context) -> Option<Value> {
    let mut acc = initial;
    for (i, item) in items.iter().enumerate() {
        acc = lambda.apply(vec![acc, item.clone(), Value::from(i)], cx)?;
    }
    Some(acc)
}

/// A stable merge sort: `(a, b) => a < b` says whether `a` comes before `b`. Any
/// comparison that is not `true`/`false` makes the result unknown (a hostile lambda
/// cannot make it loop or fail: it is called O(n log n) times whatever it answers).
fn sort(items: &[Value], lambda: &Lambda<'_>, cx: &dyn Context) -> Option<Value> {
    let mut run: Vec<Value> = items.to_vec();
    let mut width = 1;
    while width < run.len() {
        let mut merged = Vec::with_capacity(run.len());
        for pair in run.chunks(width * 2) {
            let (left, right) = pair.split_at(width.min(pair.len()));
            let (mut l, mut r) = (0, 0);
            while l < left.len() && r < right.len() {
                // Stable: the right item goes first only when it comes before the left.
                if lambda.test(vec![right[r].clone(), left[l].clone()], cx)? {
                    merged.push(right[r].clone());
                    r += 1;
                } else {
                    merged.push(left[l].clone());
                    l += 1;
                }
            }
            merged.extend_from_slice(&left[l..]);
            merged.extend_from_slice(&right[r..]);
        }
        run = merged;
        width *= 2;
    }
    Some(Value::Array(run))
}

/// `toObject(items, key [, value])`; a key made twice makes the result unknown.
fn to_object(
    items: &[Value],
    key: &Lambda<'_>,
    value: Option<&Lambda<'_>>,
    cx: &dyn Context,
) -> Option<Value> {
    let mut object = Map::new();
    for item in items {
        let k = key.key(vec![item.clone()], cx)?;
        let v = match value {
            Some(value) => value.apply(vec![item.clone()], cx)?,
            None => item.clone(),
        };
        if object.insert(k, v).is_some() {
            return None;
        }
    }
    Some(Value::Object(object))
}

fn group_by(items: &[Value], key: &Lambda<'_>, cx: &dyn Context) -> Option<Value> {
    let mut groups = Map::new();
    for item in items {
        let k = key.key(vec![item.clone()], cx)?;
        match groups.entry(k).or_insert_with(|| Value::Array(Vec::new())) {
            Value::Array(group) => group.push(item.clone()),
            _ => return None,
        }
    }
    Some(Value::Object(groups))
}

fn map_values(object: &Map<String, Value>, lambda: &Lambda<'_>, cx: &dyn Context) -> Option<Value> {
    object
        .iter()
        .map(|(k, v)| Some((k.clone(), lambda.apply(vec![v.clone()], cx)?)))
        .collect::<Option<Map<_, _>>>()
        .map(Value::Object)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::expr::{eval_template_string, evaluation_cut, Empty};
    use super::super::unknown::is_unknown;
    use super::*;

    fn eval(text: &str) -> Value {
        evaluation_cut();
        eval_template_string(text, &Empty)
    }

    #[test]
    fn sort_is_stable_and_ends_whatever_the_lambda_answers() {
        let pairs = "createArray(createObject('k', 2, 'v', 'a'), createObject('k', 1, 'v', 'b'), createObject('k', 2, 'v', 'c'), createObject('k', 1, 'v', 'd'))";
        assert_eq!(
            eval(&format!(
                "[map(sort({pairs}, lambda('x', 'y', less(lambdaVariables('x').k, lambdaVariables('y').k))), lambda('p', lambdaVariables('p').v))]"
            )),
            json!(["b", "d", "a", "c"])
        );
        assert_eq!(
            eval("[sort(createArray(3, 1, 2), lambda('x', 'y', true()))]"),
            json!([2, 1, 3])
        );
        assert!(is_unknown(&eval(
            "[sort(createArray(3, 1, 2), lambda('x', 'y', 'yes'))]"
        )));
        assert_eq!(evaluation_cut(), None);
    }

    #[test]
    fn objects_from_lambdas() {
        let items = "createArray(createObject('n', 'a', 't', 'x'), createObject('n', 'b', 't', 'x'), createObject('n', 'c', 't', 'y'))";
        assert_eq!(
            eval(&format!(
                "[toObject({items}, lambda('i', lambdaVariables('i').n), lambda('i', lambdaVariables('i').t))]"
            )),
            json!({"a": "x", "b": "x", "c": "y"})
        );
        // A key made twice, or an open key: unknown, not a guess.
        assert!(is_unknown(&eval(&format!(
            "[toObject({items}, lambda('i', lambdaVariables('i').t))]"
        ))));
        assert!(is_unknown(&eval(&format!(
            "[toObject({items}, lambda('i', parameters('p')))]"
        ))));
        assert_eq!(
            eval(&format!(
                "[mapValues(groupBy({items}, lambda('i', lambdaVariables('i').t)), lambda('g', length(lambdaVariables('g'))))]"
            )),
            json!({"x": 2, "y": 1})
        );
        // A lambda's parameters are its own: outside one, `lambdaVariables` is unknown.
        assert!(is_unknown(&eval("[lambdaVariables('i')]")));
        assert!(is_unknown(&eval("[lambda('i', 1)]")));
    }
}
