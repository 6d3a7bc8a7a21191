//! An exact index of label selectors (`matchLabels`), so finding the objects whose
//! selector picks a set of pod labels costs the candidates, not every object.
//!
//! A selector picks labels when it is a non-empty map and each of its pairs is among
//! the labels with an equal value. Each selector is filed under one of its string
//! pairs, the one fewest selectors share: any labels it picks hold that pair, so the
//! buckets of the labels' own pairs hold every selector that can match, and each
//! candidate is then checked whole. A selector without a string value is checked
//! against every set of labels (it cannot match string labels, but the check stays
//! the plain definition).

use serde_json::{Map, Value};
use std::collections::HashMap;

/// True when `selector` is a non-empty map whose every pair is in `labels`.
pub fn selects(selector: Option<&Value>, labels: Option<&Value>) -> bool {
    let (Some(sel), Some(labels)) = (selector.and_then(Value::as_object), labels) else { return false };
    !sel.is_empty() && sel.iter().all(|(k, v)| labels.get(k) == Some(v))
}

/// One indexed selector: its position among the items, the item and the selector.
type Entry<'a, T> = (usize, &'a T, &'a Map<String, Value>);

/// Items (PodDisruptionBudgets, NetworkPolicies, …) by the pairs of their selectors.
pub struct Index<'a, T> {
    by_pair: HashMap<(&'a str, &'a str), Vec<Entry<'a, T>>>,
    /// Selectors with no string value, checked every time.
    rest: Vec<Entry<'a, T>>,
}

impl<'a, T> Index<'a, T> {
    /// Indexes `items` by the selector `selector_of` finds in each; items without a
    /// non-empty selector map select nothing and are left out.
    pub fn new(items: impl IntoIterator<Item = &'a T>, selector_of: impl Fn(&'a T) -> Option<&'a Value>) -> Self {
        let entries: Vec<Entry<'a, T>> = items
            .into_iter()
            .enumerate()
            .filter_map(|(i, t)| Some((i, t, selector_of(t)?.as_object().filter(|m| !m.is_empty())?)))
            .collect();
        let mut shared: HashMap<(&str, &str), usize> = HashMap::new();
        for pair in entries.iter().flat_map(|e| string_pairs(e.2)) {
            *shared.entry(pair).or_default() += 1;
        }
        let mut index = Index { by_pair: HashMap::new(), rest: Vec::new() };
        for e in entries {
            match string_pairs(e.2).min_by_key(|p| shared[p]) {
                Some(pair) => index.by_pair.entry(pair).or_default().push(e),
                None => index.rest.push(e),
            }
        }
        index
    }

    /// The items whose selector picks `labels`, in the order they were given.
    pub fn selecting(&self, labels: Option<&Value>) -> Vec<&'a T> {
        let pairs = labels.and_then(Value::as_object).into_iter().flat_map(string_pairs);
        let candidates = pairs.filter_map(|p| self.by_pair.get(&p)).flatten().chain(&self.rest);
        let mut hits: Vec<(usize, &'a T)> =
            candidates.filter(|(_, _, sel)| selects_map(sel, labels)).map(|&(i, t, _)| (i, t)).collect();
        // Each selector sits in one bucket and a label key has one value, so no repeats.
        hits.sort_unstable_by_key(|&(i, _)| i);
        hits.into_iter().map(|(_, t)| t).collect()
    }
}

fn selects_map(sel: &Map<String, Value>, labels: Option<&Value>) -> bool {
    labels.is_some_and(|l| sel.iter().all(|(k, v)| l.get(k) == Some(v)))
}

fn string_pairs(m: &Map<String, Value>) -> impl Iterator<Item = (&str, &str)> {
    m.iter().filter_map(|(k, v)| Some((k.as_str(), v.as_str()?)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The index agrees with checking every selector, on selectors sharing pairs,
    /// empty ones, missing ones and ones with non-string values.
    #[test]
    fn agrees_with_the_plain_scan() {
        let items = [
            json!({"s": {"app": "a", "part": "web"}}),
            json!({"s": {"app": "a"}}),
            json!({"s": {}}),
            json!({}),
            json!({"s": {"app": "b", "part": "web"}}),
            json!({"s": {"n": 1}}),
            json!({"s": {"part": "web"}}),
            json!({"s": "not a map"}),
        ];
        let index = Index::new(&items, |v| v.get("s"));
        let label_sets = [
            json!({"app": "a", "part": "web", "x": "y"}),
            json!({"app": "a"}),
            json!({"part": "web"}),
            json!({"app": "b", "part": "web"}),
            json!({"n": 1}),
            json!({}),
            json!("labels"),
        ];
        for labels in label_sets.iter().map(Some).chain([None]) {
            let plain: Vec<&Value> = items.iter().filter(|v| selects(v.get("s"), labels)).collect();
            assert_eq!(index.selecting(labels), plain, "labels {labels:?}");
        }
        let all = json!({"app": "a", "part": "web"});
        assert_eq!(index.selecting(Some(&all)), vec![&items[0], &items[1], &items[6]]);
    }
}
