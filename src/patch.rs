//! The escape hatch: `patches` change generated objects after expansion (a JSON merge
//! patch, RFC 7386, or a JSON patch, RFC 6902), and `objects` add objects kept verbatim.
//! Both are maps keyed `Kind/name`, so an environment overlay adds, replaces or (with
//! `null`) drops one. Values are read from the merged YAML tree with YAML 1.2 core types
//! (plain `3` is a number, `true` a boolean), since they go into objects as written.

use crate::conform::{Fault, Seg, What};
use crate::diag::Diagnostic;
use crate::source::Span;
use crate::yaml::{Node, NodeKind};
use serde_json::{Map, Value};

/// One patch on the object of `kind` named `name`.
#[derive(Debug, Clone)]
pub struct Patch {
    pub kind: String,
    pub name: String,
    pub merge: Option<Value>,
    pub json: Vec<Value>,
    /// Where the key `Kind/name` was written.
    pub at: Span,
    /// The patch as written (`merge:` or `json:`), for the place of a value.
    pub node: Node,
}

/// An object of `objects`, as JSON and as written.
#[derive(Debug, Clone)]
pub struct Extra {
    pub value: Value,
    pub node: Node,
    /// Where the key `Kind/name` was written.
    pub at: Span,
}

impl Patch {
    /// Where this patch wrote the value `fault` is about (or removed it), if it did.
    pub fn place(&self, fault: &Fault) -> Option<Span> {
        if let Some(m) = self.node.get("merge") {
            return written_at(m, fault);
        }
        let ops = match self.node.get("json").map(|n| &n.kind) {
            Some(NodeKind::Seq(ops)) => ops,
            _ => return None,
        };
        ops.iter().rev().find_map(|op| {
            let tokens: Vec<String> = op.get("path")?.as_str()?.split('/').skip(1).map(unescape).collect();
            let common = tokens.iter().zip(&fault.path).take_while(|(t, s)| token_is(t, s)).count();
            if common == tokens.len() {
                op.get("value")
                    .and_then(|v| written_at(v, &Fault { path: fault.path[common..].to_vec(), ..fault.clone() }))
                    .or(Some(op.span))
            } else if common == fault.path.len() {
                Some(op.span)
            } else {
                None
            }
        })
    }
}

/// The node of `written` at the fault's path, a value written above it that covers it, or
/// the key of the field it misses; `None` when nothing was written there.
pub fn written_at(written: &Node, fault: &Fault) -> Option<Span> {
    let mut at = written;
    let mut key = None;
    for seg in &fault.path {
        let next = match (seg, &at.kind) {
            (Seg::Key(k), NodeKind::Map(_)) => at.entry(k).map(|e| {
                key = Some(e.key_span);
                &e.value
            }),
            (Seg::Index(i), NodeKind::Seq(items)) => items.get(*i).inspect(|_| key = None),
            _ => return Some(at.span),
        };
        at = next?;
    }
    Some(match &fault.what {
        What::Unknown => key.unwrap_or(at.span),
        // A merge patch removes a field with `null`.
        What::Missing(f) => at.entry(f).map_or(at.span, |e| e.key_span),
        What::Type => at.span,
    })
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

fn token_is(token: &str, seg: &Seg) -> bool {
    match seg {
        Seg::Key(k) => k == token,
        Seg::Index(i) => token == "-" || token.parse::<usize>() == Ok(*i),
    }
}

/// The patches and extra objects of the merged spec, or what is wrong with them.
pub fn read(root: &Node) -> Result<(Vec<Patch>, Vec<Extra>), Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let mut patches = Vec::new();
    for e in root.get("patches").and_then(Node::entries).unwrap_or_default() {
        match read_patch(&e.key, e.key_span, &e.value) {
            Ok(p) => patches.push(p),
            Err(d) => diags.push(d),
        }
    }
    let mut objects = Vec::new();
    for e in root.get("objects").and_then(Node::entries).unwrap_or_default() {
        let v = value(&e.value);
        let (kind, name) = (v["kind"].as_str(), v["metadata"]["name"].as_str());
        if v["apiVersion"].as_str().is_none() || kind.zip(name).map(|(k, n)| format!("{k}/{n}")) != Some(e.key.clone())
        {
            diags.push(
                Diagnostic::at(
                    e.key_span,
                    format!("object `{}` needs apiVersion, kind and metadata.name matching its key", e.key),
                )
                .help("write `Kind/name: {apiVersion: …, kind: Kind, metadata: {name: name}, …}`"),
            );
        } else {
            objects.push(Extra { value: v, node: e.value.clone(), at: e.key_span });
        }
    }
    if diags.is_empty() { Ok((patches, objects)) } else { Err(diags) }
}

fn read_patch(key: &str, at: Span, node: &Node) -> Result<Patch, Diagnostic> {
    let Some((kind, name)) = key.split_once('/').filter(|(k, n)| !k.is_empty() && !n.is_empty()) else {
        return Err(Diagnostic::at(at, format!("patch `{key}` must be addressed as Kind/name"))
            .help("e.g. `Deployment/api: {merge: {spec: {minReadySeconds: 10}}}`"));
    };
    let v = value(node);
    let merge = v.get("merge").cloned();
    let json = match v.get("json") {
        Some(Value::Array(ops)) => ops.clone(),
        Some(_) => {
            return Err(Diagnostic::at(node.span, "json must be a list of operations")
                .help("e.g. json: [{op: remove, path: /spec/replicas}]"));
        }
        None => Vec::new(),
    };
    let extra = v
        .as_object()
        .map(|m| m.keys().filter(|k| *k != "merge" && *k != "json").cloned().collect::<Vec<_>>())
        .unwrap_or_default();
    if merge.is_some() != json.is_empty() || !extra.is_empty() {
        return Err(Diagnostic::at(node.span, format!("patch `{key}` needs exactly one of merge: or json:"))
            .help("merge: a JSON merge patch (RFC 7386); json: a list of RFC 6902 operations"));
    }
    for op in &json {
        if let Err(e) = check_op(op) {
            return Err(Diagnostic::at(node.span, format!("patch `{key}`: {e}"))
                .help("operations are {op: add|remove|replace|move|copy|test, path: /a/b, value: …, from: /c}"));
        }
    }
    Ok(Patch { kind: kind.to_string(), name: name.to_string(), merge, json, at, node: node.clone() })
}

fn check_op(op: &Value) -> Result<(), String> {
    let name = op["op"].as_str().ok_or("an operation needs `op`")?;
    let path = op["path"].as_str().ok_or("an operation needs `path`")?;
    if !path.starts_with('/') {
        return Err(format!("path `{path}` must start with /"));
    }
    match name {
        "add" | "replace" | "test" if op.get("value").is_none() => Err(format!("`{name}` needs a value")),
        "move" | "copy" if op["from"].as_str().is_none() => Err(format!("`{name}` needs from")),
        "add" | "replace" | "test" | "remove" | "move" | "copy" => Ok(()),
        other => Err(format!("unknown operation `{other}`")),
    }
}

/// A YAML node as JSON with core-schema types for plain scalars.
pub fn value(n: &Node) -> Value {
    match &n.kind {
        NodeKind::Null => Value::Null,
        NodeKind::Scalar { text, plain: false } => Value::String(text.clone()),
        NodeKind::Scalar { text, plain: true } => scalar(text),
        NodeKind::Seq(v) => Value::Array(v.iter().map(value).collect()),
        NodeKind::Map(es) => Value::Object(es.iter().map(|e| (e.key.clone(), value(&e.value))).collect()),
    }
}

fn scalar(t: &str) -> Value {
    match t {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        "null" | "~" => Value::Null,
        _ => t
            .parse::<i64>()
            .map(Value::from)
            .ok()
            .or_else(|| t.parse::<f64>().ok().filter(|f| f.is_finite() && t.contains('.')).map(Value::from))
            .unwrap_or_else(|| Value::String(t.to_string())),
    }
}

/// RFC 7386: maps merge key by key, `null` removes, anything else replaces.
pub fn merge(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let t = target.as_object_mut().expect("made an object above");
    for (k, v) in p {
        if v.is_null() {
            t.shift_remove(k);
        } else {
            merge(t.entry(k.clone()).or_insert(Value::Null), v);
        }
    }
}

/// RFC 6902, applied in order; the first failing operation stops with its reason.
pub fn apply_json(target: &mut Value, ops: &[Value]) -> Result<(), String> {
    for op in ops {
        let path = op["path"].as_str().unwrap_or_default();
        match op["op"].as_str().unwrap_or_default() {
            "add" => add(target, path, op["value"].clone())?,
            "remove" => drop(remove(target, path)?),
            "replace" => {
                remove(target, path)?;
                add(target, path, op["value"].clone())?;
            }
            "test" => {
                if target.pointer(path) != Some(&op["value"]) {
                    return Err(format!("test failed at {path}"));
                }
            }
            "move" => {
                let v = remove(target, op["from"].as_str().unwrap_or_default())?;
                add(target, path, v)?;
            }
            "copy" => {
                let from = op["from"].as_str().unwrap_or_default();
                let v = target.pointer(from).cloned().ok_or(format!("nothing at {from}"))?;
                add(target, path, v)?;
            }
            other => return Err(format!("unknown operation `{other}`")),
        }
    }
    Ok(())
}

/// The parent pointer and the last token, unescaped (`~1` is `/`, `~0` is `~`).
fn split(path: &str) -> Result<(&str, String), String> {
    let i = path.rfind('/').ok_or(format!("`{path}` is not a JSON pointer"))?;
    Ok((&path[..i], path[i + 1..].replace("~1", "/").replace("~0", "~")))
}

fn add(target: &mut Value, path: &str, v: Value) -> Result<(), String> {
    if path.is_empty() {
        *target = v;
        return Ok(());
    }
    let (parent, last) = split(path)?;
    match target.pointer_mut(parent) {
        Some(Value::Object(m)) => {
            m.insert(last, v);
            Ok(())
        }
        Some(Value::Array(a)) => {
            let i = if last == "-" {
                a.len()
            } else {
                last.parse::<usize>().map_err(|_| format!("`{last}` is not an index"))?
            };
            if i > a.len() {
                return Err(format!("index {i} is past the end of {parent}"));
            }
            a.insert(i, v);
            Ok(())
        }
        _ => Err(format!("nothing at {parent} to add {last} to")),
    }
}

fn remove(target: &mut Value, path: &str) -> Result<Value, String> {
    let (parent, last) = split(path)?;
    let removed = match target.pointer_mut(parent) {
        Some(Value::Object(m)) => m.shift_remove(&last),
        Some(Value::Array(a)) => last.parse::<usize>().ok().filter(|i| *i < a.len()).map(|i| a.remove(i)),
        _ => None,
    };
    removed.ok_or(format!("nothing at {path}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_follows_rfc_7386() {
        let mut t = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge(&mut t, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(t, json!({"a": "z", "c": {"d": "e"}}));
        merge(&mut t, &json!({"list": [1]}));
        assert_eq!(t["list"], json!([1]));
    }

    #[test]
    fn json_patch_adds_removes_replaces_moves_and_tests() {
        let mut t = json!({"spec": {"ports": [{"port": 80}], "a": 1}});
        let ops = json!([
            {"op": "add", "path": "/spec/ports/-", "value": {"port": 443}},
            {"op": "replace", "path": "/spec/a", "value": 2},
            {"op": "copy", "from": "/spec/a", "path": "/spec/b"},
            {"op": "move", "from": "/spec/b", "path": "/spec/c~1d"},
            {"op": "test", "path": "/spec/ports/1/port", "value": 443},
            {"op": "remove", "path": "/spec/ports/0"}
        ]);
        apply_json(&mut t, ops.as_array().unwrap()).unwrap();
        assert_eq!(t, json!({"spec": {"ports": [{"port": 443}], "a": 2, "c/d": 2}}));
        assert_eq!(apply_json(&mut t, &[json!({"op": "remove", "path": "/spec/x"})]), Err("nothing at /spec/x".into()));
    }

    #[test]
    fn plain_scalars_take_core_types_and_quoted_ones_stay_text() {
        let n = crate::yaml::parse("a: 3\nb: \"3\"\nc: true\nd: 1.5\ne: ~\nf: 1.10.2\n", 0).unwrap();
        assert_eq!(value(&n), json!({"a": 3, "b": "3", "c": true, "d": 1.5, "e": null, "f": "1.10.2"}));
    }
}
