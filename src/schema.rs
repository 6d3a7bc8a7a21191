//! JSON Schema of the platform spec, for editors (yaml-language-server) and CI.
//!
//! Generated from the typed spec with schemars, then adjusted to what genk8s
//! actually reads: a scalar is text until a field asks for a number, so wherever
//! the spec wants a string, YAML numbers and booleans are accepted too. The
//! overlay schema is the same with nothing required.

use crate::spec::Platform;
use serde_json::Value;

/// Schema of `platform.yaml`.
pub fn platform() -> Value {
    let mut v = serde_json::to_value(schemars::schema_for!(Platform)).expect("schemas are JSON");
    if let Value::Object(m) = &mut v {
        m.insert("title".into(), "genk8s platform spec (platform.yaml)".into());
    }
    widen_strings(&mut v);
    v
}

/// Schema of `environments/<env>.yaml`: the base schema with every field optional.
pub fn overlay() -> Value {
    let mut v = platform();
    drop_required(&mut v);
    if let Value::Object(m) = &mut v {
        m.insert("title".into(), "genk8s environment overlay (environments/<env>.yaml)".into());
    }
    v
}

fn widen_strings(v: &mut Value) {
    match v {
        Value::Object(m) => {
            if !m.contains_key("enum") {
                match m.get_mut("type") {
                    Some(t @ Value::String(_)) if t == "string" => {
                        *t = serde_json::json!(["string", "number", "boolean"])
                    }
                    Some(Value::Array(types)) if types.iter().any(|t| t == "string") => {
                        for extra in ["number", "boolean"] {
                            if !types.iter().any(|t| t == extra) {
                                types.push(extra.into());
                            }
                        }
                    }
                    _ => {}
                }
            }
            m.values_mut().for_each(widen_strings);
        }
        Value::Array(a) => a.iter_mut().for_each(widen_strings),
        _ => {}
    }
}

fn drop_required(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.remove("required");
            // In an overlay, `null` deletes: every value may also be null.
            m.values_mut().for_each(drop_required);
        }
        Value::Array(a) => a.iter_mut().for_each(drop_required),
        _ => {}
    }
}

/// Pretty JSON with a trailing newline (stable: serde_json keeps insertion order).
pub fn to_text(v: &Value) -> String {
    serde_json::to_string_pretty(v).expect("schemas are JSON") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_schema_requires_the_name_and_rejects_unknown_fields() {
        let s = platform();
        assert_eq!(s["required"], serde_json::json!(["platform"]));
        assert_eq!(s["additionalProperties"], serde_json::json!(false));
        assert!(s["$defs"]["Service"]["properties"]["image"].is_object());
        assert!(overlay().get("required").is_none());
    }
}
