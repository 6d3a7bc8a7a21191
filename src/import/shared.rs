//! Secret values shared across the project: the value of a secret-looking project
//! variable (`CACHE_PASSWORD` in `.env`), or a secret literal that several services
//! hold, becomes one key of Secret `shared-secrets` that every service reads — the
//! server's `--requirepass` and its clients' password stay the same value. Such a
//! value is never copied: in `command`/`args` it becomes `$(VAR)` (Kubernetes
//! expands it from the container's environment), in exec probes `$VAR` under `sh -c`.

pub(super) use super::conv::Atom;
use super::conv::Conv;
use super::plan::Plan;
use super::values;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// The Secret that holds values shared by several services.
pub(super) const SHARED_SECRET: &str = "shared-secrets";

/// Values distinctive enough to be recognised inside other text: at least 8
/// characters, not all digits, and not a plain word (`postgres`, `changeme`) unless
/// long — a plain word would also match host names, users and commands.
fn usable(v: &str) -> bool {
    let plain_word = v.chars().all(|c| c.is_ascii_alphabetic());
    v.len() >= 8 && !v.chars().all(|c| c.is_ascii_digit()) && (!plain_word || v.len() >= 16)
}

impl Conv<'_> {
    /// The project's shared secret values, longest first (so a value inside another is found second).
    pub(super) fn atoms(&mut self, plans: &[Plan]) -> Vec<Atom> {
        let mut out: Vec<Atom> = Vec::new();
        for (var, value) in self.vars.secret_looking() {
            if usable(&value) && !out.iter().any(|a| a.value == value) {
                out.push(Atom { key: values::secret_key(&var), var, value });
            }
        }
        // Literal secret values held by more than one service.
        let mut holders: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
        for p in plans.iter().filter(|p| p.engine.is_none()) {
            let n = self.findings.len();
            let env = self.env(p);
            self.findings.truncate(n);
            for e in env {
                let Some(v) = e.value.filter(|v| usable(v) && values::is_secret_key(&e.key)) else { continue };
                let h = holders.entry(v).or_insert_with(|| (e.key.clone(), Vec::new()));
                if !h.1.contains(&p.cname) {
                    h.1.push(p.cname.clone());
                }
            }
        }
        for (value, (var, users)) in holders {
            if users.len() > 1 && !out.iter().any(|a| a.value == value) {
                out.push(Atom { key: values::secret_key(&var), var, value });
            }
        }
        out.sort_by(|a, b| b.value.len().cmp(&a.value.len()).then(a.key.cmp(&b.key)));
        let mut keys: Vec<String> = Vec::new();
        for a in &mut out {
            while keys.contains(&a.key) {
                a.key.push_str("-2");
            }
            keys.push(a.key.clone());
        }
        out
    }

    /// The env reference for an exact shared value, registering the key.
    pub(super) fn shared_ref(&mut self, atoms: &[Atom], value: &str) -> Option<(Value, String)> {
        let a = atoms.iter().find(|a| a.value == value)?;
        self.secrets.entry(SHARED_SECRET.into()).or_default().insert(a.key.clone());
        Some((json!({"secret": SHARED_SECRET, "key": a.key}), a.key.clone()))
    }

    /// Replaces shared secret values in a service's command, args and exec probes by
    /// environment references, adding the variables they need.
    pub(super) fn hide_atoms(&mut self, p: &Plan, atoms: &[Atom], out: &mut Map<String, Value>) {
        let mut needed: Vec<&Atom> = Vec::new();
        for key in ["command", "args"] {
            if let Some(Value::Array(words)) = out.get_mut(key) {
                for w in words.iter_mut() {
                    if let Value::String(s) = w {
                        *s = replace_atoms(s, atoms, &mut needed, |v| format!("$({v})"));
                    }
                }
            }
        }
        if let Some(Value::Array(words)) = out.get_mut("migrate").and_then(|m| m.get_mut("command")) {
            for w in words.iter_mut() {
                if let Value::String(s) = w {
                    *s = replace_atoms(s, atoms, &mut needed, |v| format!("$({v})"));
                }
            }
        }
        if let Some(Value::Object(probes)) = out.get_mut("probes") {
            for probe in probes.values_mut() {
                if let Some(Value::Array(words)) = probe.get_mut("exec") {
                    let before = needed.len();
                    let mut shell: Vec<String> = words.iter().filter_map(Value::as_str).map(str::to_string).collect();
                    let is_sh = shell.len() == 3 && shell[0].ends_with("sh") && shell[1] == "-c";
                    let script = if is_sh { shell.pop().unwrap_or_default() } else { shell.join(" ") };
                    let script = replace_atoms(&script, atoms, &mut needed, |v| format!("\"${v}\""));
                    if needed.len() > before {
                        *words = vec![json!("/bin/sh"), json!("-c"), json!(script)];
                    }
                }
            }
        }
        if needed.is_empty() {
            return;
        }
        let env = out.entry("env").or_insert_with(|| Value::Object(Map::new()));
        let Value::Object(env) = env else { return };
        let mut names = Vec::new();
        for a in needed {
            self.secrets.entry(SHARED_SECRET.into()).or_default().insert(a.key.clone());
            env.insert(a.var.clone(), json!({"secret": SHARED_SECRET, "key": a.key}));
            names.push(a.var.clone());
        }
        names.sort();
        names.dedup();
        self.note(p.span, p.path("command"), format!("secret values in the command or healthcheck are not copied: they are read from Secret `{SHARED_SECRET}` through {}", names.join(", ")));
    }
}

/// `s` with each atom replaced by `refer(var)`; the atoms used are added to `needed`.
fn replace_atoms<'a>(s: &str, atoms: &'a [Atom], needed: &mut Vec<&'a Atom>, refer: impl Fn(&str) -> String) -> String {
    let mut s = s.to_string();
    for a in atoms {
        if s.contains(&a.value) {
            s = s.replace(&a.value, &refer(&a.var));
            if !needed.iter().any(|n| n.var == a.var) {
                needed.push(a);
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atoms_are_replaced_by_references() {
        let atoms = [Atom { value: "s3cr3t-value".into(), var: "CACHE_PASSWORD".into(), key: "cache-password".into() }];
        let mut needed = Vec::new();
        let out = replace_atoms("--requirepass=s3cr3t-value", &atoms, &mut needed, |v| format!("$({v})"));
        assert_eq!(out, "--requirepass=$(CACHE_PASSWORD)");
        assert_eq!(needed.len(), 1);
        assert!(!usable("true") && !usable("12345678") && usable("hunter22"));
        assert!(!usable("postgres") && !usable("changeme"), "plain words are also hosts and users");
        assert!(usable("fixture-cache-password"));
    }
}
