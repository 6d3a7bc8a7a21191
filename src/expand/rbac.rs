//! Least-privilege API access: a Role with exactly the listed permissions and a
//! RoleBinding to the workload's ServiceAccount.

use super::{Ctx, Object, Sink};
use crate::spec::{Access, Map};
use k8s_openapi::api::rbac::v1::{PolicyRule, Role, RoleBinding, RoleRef, Subject};
use std::collections::{BTreeMap, BTreeSet};

pub fn expand(ctx: &Ctx, name: &str, sa: &str, access: &[String], labels: &Map, out: &mut dyn Sink) {
    // One rule per (group, resource, name), verbs merged, so repeats collapse.
    let mut rules: BTreeMap<(String, String, Option<String>), BTreeSet<String>> = BTreeMap::new();
    for a in access {
        let a = Access::parse(a).expect("validated: access entries parse");
        rules.entry((a.group, a.resource, a.name)).or_default().extend(a.verbs);
    }
    let rules = rules
        .into_iter()
        .map(|((group, resource, res_name), verbs)| PolicyRule {
            api_groups: Some(vec![group]),
            resources: Some(vec![resource]),
            resource_names: res_name.map(|n| vec![n]),
            verbs: verbs.into_iter().collect(),
            ..PolicyRule::default()
        })
        .collect();
    out.push(Object::new(Role { metadata: ctx.meta(name, labels.clone(), &Map::new()), rules: Some(rules) }));
    out.push(Object::new(RoleBinding {
        metadata: ctx.meta(name, labels.clone(), &Map::new()),
        role_ref: RoleRef { api_group: "rbac.authorization.k8s.io".into(), kind: "Role".into(), name: name.into() },
        subjects: Some(vec![Subject {
            kind: "ServiceAccount".into(),
            name: sa.into(),
            namespace: Some(ctx.v.namespace.clone()),
            ..Subject::default()
        }]),
    }));
}
