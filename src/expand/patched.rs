//! A [`Sink`] that applies the spec's `patches` to each object on its way out, adds the
//! verbatim `objects`, and checks every object a patch touched or the spec wrote against
//! its kind ([`crate::conform`]).

use super::{Object, Sink};
use crate::conform;
use crate::diag::Diagnostic;
use crate::patch::{self, Extra, Patch};

pub struct Patched<'a> {
    patches: &'a [Patch],
    out: &'a mut dyn Sink,
    applied: Vec<bool>,
    failed: Vec<Diagnostic>,
}

impl<'a> Patched<'a> {
    pub fn new(patches: &'a [Patch], out: &'a mut dyn Sink) -> Patched<'a> {
        Patched { patches, out, applied: vec![false; patches.len()], failed: Vec::new() }
    }

    /// Patches that failed, then those that matched no object.
    pub fn problems(self) -> Vec<Diagnostic> {
        let patches = self.patches;
        let mut found = Found::new(patches);
        found.add(self);
        found.problems(patches)
    }

    /// What this sink found, to merge with other sinks' ([`Found::merge`]).
    pub fn into_found(self) -> Found {
        Found { applied: self.applied, failed: self.failed }
    }

    /// An object of `objects`: patched like the others, then checked against its kind.
    pub fn push_extra(&mut self, extra: &Extra) {
        let mut o = verbatim(extra.value.clone());
        if let Some(applied) = self.apply(&mut o) {
            self.conform(&o, &applied, Some(extra));
        }
        self.out.push(o);
    }

    /// Applies the patches addressed to `o`; their indices, or `None` when one failed.
    fn apply(&mut self, o: &mut Object) -> Option<Vec<usize>> {
        let mut applied = Vec::new();
        let mut ok = true;
        let patches = self.patches;
        for (i, p) in patches.iter().enumerate() {
            if p.kind != o.kind || p.name != o.name {
                continue;
            }
            self.applied[i] = true;
            applied.push(i);
            if let Some(m) = &p.merge {
                patch::merge(o.value_mut(), m);
            }
            if let Err(e) = patch::apply_json(o.value_mut(), &p.json) {
                ok = false;
                self.failed.push(
                    Diagnostic::at(p.at, format!("patch `{}/{}` does not apply: {e}", p.kind, p.name))
                        .help("compare the paths with the object `genk8s build` prints"),
                );
            }
        }
        ok.then_some(applied)
    }

    /// Reports what makes `o` no longer an object of its kind, at the patch value (or the
    /// `objects` value) that wrote it.
    fn conform(&mut self, o: &Object, applied: &[usize], extra: Option<&Extra>) {
        let Err(fault) = conform::check(o.value()) else { return };
        let by_patch = applied.iter().rev().find_map(|&i| self.patches[i].place(&fault).map(|s| (s, i)));
        let (span, what) = match (by_patch, extra) {
            (Some((span, i)), _) => (span, format!("patch `{}/{}`", self.patches[i].kind, self.patches[i].name)),
            (None, Some(e)) => {
                let span = if fault.path.is_empty() { Some(e.at) } else { patch::written_at(&e.node, &fault) };
                (span.unwrap_or(e.at), format!("object `{}/{}`", o.kind, o.name))
            }
            (None, None) => {
                let last = &self.patches[*applied.last().expect("a generated object is checked only when patched")];
                (last.at, format!("patch `{}/{}`", last.kind, last.name))
            }
        };
        self.failed.push(Diagnostic::at(span, format!("{what}: {}", fault.message)).help(fault.help));
    }
}

/// Which patches applied and which failed, gathered from several [`Patched`] sinks.
pub struct Found {
    applied: Vec<bool>,
    failed: Vec<Diagnostic>,
}

impl Found {
    pub fn new(patches: &[Patch]) -> Found {
        Found { applied: vec![false; patches.len()], failed: Vec::new() }
    }

    /// Adds what `sink` found (its failures after those added before).
    pub fn add(&mut self, sink: Patched) {
        self.merge(sink.into_found());
    }

    pub fn merge(&mut self, other: Found) {
        for (a, b) in self.applied.iter_mut().zip(other.applied) {
            *a |= b;
        }
        self.failed.extend(other.failed);
    }

    /// Patches that failed, then those that matched no object.
    pub fn problems(self, patches: &[Patch]) -> Vec<Diagnostic> {
        let mut out = self.failed;
        for (p, _) in patches.iter().zip(&self.applied).filter(|(_, a)| !**a) {
            out.push(
                Diagnostic::at(p.at, format!("patch `{}/{}` matches no generated object", p.kind, p.name))
                    .help("address an object `genk8s build` prints, by its kind and metadata.name"),
            );
        }
        out
    }
}

impl Sink for Patched<'_> {
    fn push(&mut self, mut o: Object) {
        if let Some(applied) = self.apply(&mut o)
            && !applied.is_empty()
        {
            self.conform(&o, &applied, None);
        }
        self.out.push(o);
    }
}

/// An object of `objects`, as written (its kind, name and namespace read from it).
pub fn verbatim(value: serde_json::Value) -> Object {
    let text = |v: &serde_json::Value| v.as_str().map(str::to_string);
    Object::from_value(
        text(&value["kind"]).expect("patch::read checks kind"),
        text(&value["metadata"]["name"]).expect("patch::read checks metadata.name"),
        text(&value["metadata"]["namespace"]),
        value,
    )
}
