//! Named values evaluated on first use, once: template parameters and variables, and
//! Bicep resources (which may refer to each other in any order). A name whose value
//! needs itself has none (the caller reads that as unknown).

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use serde_json::Value;

/// Values by name, computed on demand.
#[derive(Debug, Default)]
pub(super) struct Lazy {
    done: RefCell<HashMap<String, Value>>,
    busy: RefCell<HashSet<String>>,
}

impl Lazy {
    /// The value of `key`: computed by `compute` the first time, then remembered;
    /// `None` when `compute` has none, or when it asks for `key` itself (a cycle).
    pub fn get(&self, key: &str, compute: impl FnOnce() -> Option<Value>) -> Option<Value> {
        if let Some(v) = self.done.borrow().get(key) {
            return Some(v.clone());
        }
        if !self.busy.borrow_mut().insert(key.to_string()) {
            return None;
        }
        let value = compute();
        self.busy.borrow_mut().remove(key);
        if let Some(v) = &value {
            self.done.borrow_mut().insert(key.to_string(), v.clone());
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn once_and_cycles() {
        let lazy = Lazy::default();
        let calls = RefCell::new(0);
        let compute = || {
            *calls.borrow_mut() += 1;
            Some(json!(1))
        };
        assert_eq!(lazy.get("a", compute), Some(json!(1)));
        assert_eq!(lazy.get("a", compute), Some(json!(1)));
        assert_eq!(*calls.borrow(), 1);
        let cyclic = Lazy::default();
        assert_eq!(cyclic.get("x", || cyclic.get("x", || Some(json!(2)))), None);
    }
}
