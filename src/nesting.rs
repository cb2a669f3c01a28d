//! Nesting checks that run without recursion: over a text before its parser does, or
//! over a parsed JSON value before it is kept.
//!
//! YAML: the YAML parser refuses block nesting past 128 levels by itself, but its
//! time grows with the square of the flow brackets (`[`, `{`) open at once: 100,000 of
//! them in a 200 KB configuration took two minutes. [`yaml_flow_too_deep`] finds the
//! bracket that goes past [`MAX_YAML_FLOW`] first.

/// Deepest nesting of YAML flow collections (`[…]`, `{…}`); the parser's own limit
/// for nesting of any kind is 128.
pub const MAX_YAML_FLOW: usize = 128;

/// The byte offset of the first flow bracket nested past [`MAX_YAML_FLOW`] in YAML
/// text. Brackets in quoted scalars and comments count too: skipping them would need
/// the parser's own reading of where a scalar ends (a lone `'` inside a plain scalar
/// is no quote), and counting them can only find more nesting, never hide some.
pub fn yaml_flow_too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (at, b) in text.bytes().enumerate() {
        match b {
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_YAML_FLOW {
                    return Some(at);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Whether a JSON value nests objects and arrays more than `limit` levels deep (the
/// value itself being level 1), found without recursion.
pub fn json_deeper_than(value: &serde_json::Value, limit: usize) -> bool {
    use serde_json::Value;
    let mut stack = vec![(value, 1usize)];
    while let Some((value, depth)) = stack.pop() {
        let children: Box<dyn Iterator<Item = &Value>> = match value {
            Value::Array(items) => Box::new(items.iter()),
            Value::Object(map) => Box::new(map.values()),
            _ => continue,
        };
        if depth > limit {
            return true;
        }
        stack.extend(children.map(|child| (child, depth + 1)));
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_nesting_is_counted_to_the_limit() {
        let nested = |n: usize| -> serde_json::Value {
            serde_json::from_str(&format!("{}1{}", "[".repeat(n), "]".repeat(n))).unwrap()
        };
        assert!(!json_deeper_than(&nested(100), 100));
        assert!(json_deeper_than(&nested(101), 100));
        assert!(!json_deeper_than(&serde_json::json!({"a": 1, "b": "x"}), 1));
        assert!(json_deeper_than(&serde_json::json!({"a": {}}), 1));
        assert!(!json_deeper_than(&serde_json::json!(7), 0));
    }

    #[test]
    fn flow_brackets_are_counted_to_the_limit() {
        let deep = |n: usize| format!("a: {}{}\n", "[".repeat(n), "]".repeat(n));
        assert_eq!(yaml_flow_too_deep(&deep(MAX_YAML_FLOW)), None);
        assert_eq!(
            yaml_flow_too_deep(&deep(MAX_YAML_FLOW + 1)),
            Some(3 + MAX_YAML_FLOW)
        );
        assert_eq!(yaml_flow_too_deep(&deep(100_000)), Some(3 + MAX_YAML_FLOW));
        let balanced = format!("a: '{0}'\n# {0}\n", "[]".repeat(10_000));
        assert_eq!(yaml_flow_too_deep(&balanced), None);
    }
}
