//! Cluster-scoped objects (StorageClass, ClusterIssuer, …) belong to no environment: two
//! environments applied to one cluster would otherwise each own, change and prune them.
//! `build --all -o OUT` writes them once, to `OUT/cluster/`, and leaves them out of the
//! environment trees. (A Namespace is cluster-scoped too, but each environment has its own.)

use crate::emit::Rendered;
use crate::{Build, Error};
use std::collections::BTreeMap;

/// The folder of the shared tree beside the environment trees.
pub const TREE: &str = "cluster";

/// Whether `o` is shared by the environments rather than one environment's.
pub fn is_shared(o: &Rendered) -> bool {
    o.namespace.is_none() && o.kind != "Namespace"
}

/// Takes the shared objects out of the builds (each once, in emission order), leaving each
/// build its own. Two environments that define one shared object differently are an
/// error: the cluster holds only one of them. Objects are moved, never copied.
pub fn split(builds: &mut [Build]) -> Result<Vec<Rendered>, Error> {
    let mut shared = Shared::default();
    for b in builds.iter_mut() {
        shared.take(b)?;
    }
    Ok(shared.into_sorted())
}

/// The shared objects of the environments taken so far, by kind and name, with the
/// environment that first defined each: [`split`] one build at a time, so a build can be
/// written and dropped before the next is made.
#[derive(Debug, Default)]
pub struct Shared {
    objects: BTreeMap<(String, String), (String, Rendered)>,
}

impl Shared {
    /// Moves `b`'s shared objects in; an error when one differs from an earlier environment's.
    pub fn take(&mut self, b: &mut Build) -> Result<(), Error> {
        if b.env == TREE {
            return Err(Error::Usage(format!(
                "environment `{}` clashes with the `{TREE}/` tree that `build --all -o` writes for cluster-scoped objects; rename environments/{TREE}.yaml",
                b.env
            )));
        }
        for o in b.objects.extract_if(.., |o| is_shared(o)) {
            match self.objects.get(&(o.kind.clone(), o.name.clone())) {
                Some((env, first)) if first.text != o.text => {
                    return Err(Error::Usage(format!(
                        "{}/{} differs between environments `{env}` and `{}`, but a cluster holds one: define it the same way in every environment (in platform.yaml, not an overlay)",
                        o.kind, o.name, b.env
                    )));
                }
                Some(_) => {}
                None => {
                    self.objects.insert((o.kind.clone(), o.name.clone()), (b.env.clone(), o));
                }
            }
        }
        Ok(())
    }

    /// The shared objects in emission order.
    pub fn into_sorted(self) -> Vec<Rendered> {
        let mut shared: Vec<Rendered> = self.objects.into_values().map(|(_, o)| o).collect();
        crate::emit::sort(&mut shared);
        shared
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(kind: &str, ns: Option<&str>, name: &str, text: &str) -> Rendered {
        Rendered { kind: kind.into(), namespace: ns.map(Into::into), name: name.into(), text: text.into() }
    }

    fn build(env: &str, objects: Vec<Rendered>) -> Build {
        Build { platform: "p".into(), env: env.into(), objects, warnings: Vec::new() }
    }

    #[test]
    fn shared_objects_go_once_namespaces_stay() {
        let sc = obj("StorageClass", None, "ssd", "a");
        let dev = build(
            "dev",
            vec![obj("Namespace", None, "p-dev", "n"), sc.clone(), obj("Service", Some("p-dev"), "api", "s")],
        );
        let prod = build("prod", vec![obj("Namespace", None, "p-prod", "n"), sc.clone()]);
        let mut builds = [dev, prod];
        let shared = split(&mut builds).unwrap();
        assert_eq!(shared, [sc]);
        let names: Vec<Vec<&str>> =
            builds.iter().map(|b| b.objects.iter().map(|r| r.name.as_str()).collect()).collect();
        assert_eq!(names, [vec!["p-dev", "api"], vec!["p-prod"]]);
    }

    #[test]
    fn a_shared_object_defined_twice_differently_is_an_error() {
        let dev = build("dev", vec![obj("StorageClass", None, "ssd", "a")]);
        let prod = build("prod", vec![obj("StorageClass", None, "ssd", "b")]);
        let err = split(&mut [dev, prod]).unwrap_err().to_string();
        assert!(err.contains("StorageClass/ssd differs between environments `dev` and `prod`"), "{err}");
        let err = split(&mut [build("cluster", vec![])]).unwrap_err().to_string();
        assert!(err.contains("clashes with the `cluster/` tree"), "{err}");
    }
}
