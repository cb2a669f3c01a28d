//! Walks regorus's syntax tree: every expression of a query or an expression,
//! comprehension bodies, `every` bodies and `with` modifiers included. Shared by the
//! recursion check and the lint.

use regorus::unstable::{Expr, Literal, Query, Ref};

/// Calls `visit` on `expr` and on every expression inside it, outer first.
pub(super) fn each_expr<'a>(expr: &'a Expr, visit: &mut impl FnMut(&'a Expr)) {
    visit(expr);
    for child in children(expr) {
        each_expr(child, visit);
    }
    if let Some(query) = comprehension_query(expr) {
        each_expr_in_query(query, visit);
    }
}

/// Calls `visit` on every expression of `query`'s statements, in order.
pub(super) fn each_expr_in_query<'a>(query: &'a Query, visit: &mut impl FnMut(&'a Expr)) {
    for stmt in &query.stmts {
        match &stmt.literal {
            Literal::SomeVars { .. } => {}
            Literal::SomeIn {
                key,
                value,
                collection,
                ..
            } => {
                for expr in key.iter().chain([value, collection]) {
                    each_expr(expr, visit);
                }
            }
            Literal::Expr { expr, .. } | Literal::NotExpr { expr, .. } => each_expr(expr, visit),
            Literal::Every { domain, query, .. } => {
                each_expr(domain, visit);
                each_expr_in_query(query, visit);
            }
        }
        for with in &stmt.with_mods {
            each_expr(&with.refr, visit);
            each_expr(&with.r#as, visit);
        }
    }
}

/// The direct sub-expressions of `expr`: a comprehension's term (or key and value) but
/// not its query (see [`comprehension_query`]), a call's function and arguments.
pub(super) fn children(expr: &Expr) -> Vec<&Ref<Expr>> {
    match expr {
        Expr::String { .. }
        | Expr::RawString { .. }
        | Expr::Number { .. }
        | Expr::Bool { .. }
        | Expr::Null { .. }
        | Expr::Var { .. } => Vec::new(),
        Expr::Array { items, .. } | Expr::Set { items, .. } => items.iter().collect(),
        Expr::Object { fields, .. } => fields.iter().flat_map(|(_, k, v)| [k, v]).collect(),
        Expr::ArrayCompr { term, .. } | Expr::SetCompr { term, .. } => vec![term],
        Expr::ObjectCompr { key, value, .. } => vec![key, value],
        Expr::Call { fcn, params, .. } => std::iter::once(fcn).chain(params).collect(),
        Expr::UnaryExpr { expr, .. } => vec![expr],
        Expr::RefDot { refr, .. } => vec![refr],
        Expr::RefBrack { refr, index, .. } => vec![refr, index],
        Expr::BinExpr { lhs, rhs, .. }
        | Expr::BoolExpr { lhs, rhs, .. }
        | Expr::ArithExpr { lhs, rhs, .. }
        | Expr::AssignExpr { lhs, rhs, .. } => vec![lhs, rhs],
        Expr::Membership {
            key,
            value,
            collection,
            ..
        } => key.iter().chain([value, collection]).collect(),
    }
}

/// The query of a comprehension, `None` for any other expression.
pub(super) fn comprehension_query(expr: &Expr) -> Option<&Query> {
    match expr {
        Expr::ArrayCompr { query, .. }
        | Expr::SetCompr { query, .. }
        | Expr::ObjectCompr { query, .. } => Some(query),
        _ => None,
    }
}
