//! A database: a StatefulSet with a `data` volumeClaimTemplate, a headless and a client
//! Service, a PodDisruptionBudget when replicated and a backup CronJob; for an external
//! database, an ExternalName Service.

use super::pod::{self, EnvVars, Pod, RunAs};
use super::{Ctx, Object, Sink, backup, budget, claim, non_empty, service_object};
use crate::catalog::Engine;
use crate::spec::{Database, EnvValue, Map, Short};
use k8s_openapi::api::apps::v1::{StatefulSet, StatefulSetSpec};
use k8s_openapi::api::core::v1::{Container, ContainerPort, ServicePort, VolumeMount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

pub fn expand(ctx: &Ctx, name: &str, db: &Database, out: &mut dyn Sink) {
    let labels = ctx.labels(name, "database");
    if let Some(ext) = &db.external {
        // An IP address needs no alias: apps connect to it directly.
        if ext.host.parse::<std::net::IpAddr>().is_err() {
            out.push(service_object::external_name(ctx, service_name(name, db), labels, &ext.host));
        }
        return;
    }
    let engine = &ctx.v.engines[name];
    let headless = format!("{name}-headless");
    out.push(service_object::headless(ctx, &headless, &labels, ctx.selector(name), service_ports(engine)));
    out.push(service_object::cluster_ip(
        ctx,
        service_name(name, db),
        &labels,
        ctx.selector(name),
        service_ports(engine),
    ));
    let env = env(engine, db);
    let image = image(engine, db);
    out.push(stateful_set(ctx, name, db, &labels, &headless, container(ctx, db, engine, &image, &env)));
    if let Some(pdb) =
        budget::disruption_budget(ctx, name, &labels, db.pdb.as_ref(), db.replicas.unwrap_or(1), &Map::new())
    {
        out.push(pdb);
    }
    if let Some(b) = &db.backup {
        backup::expand(ctx, name, db, b, &image, &env, out);
    }
}

/// The name of database `name`'s client Service: `service_name`, or the database's own.
fn service_name<'a>(name: &'a str, db: &'a Database) -> &'a str {
    db.service_name.as_deref().unwrap_or(name)
}

/// The engine's main port, then its extra ports.
fn ports(engine: &Engine) -> Vec<(String, u16)> {
    let mut ports = vec![(engine.port.name.clone(), engine.port.number)];
    ports.extend(engine.extra_ports.iter().map(|(n, p)| (n.clone(), *p)));
    ports
}

fn service_ports(engine: &Engine) -> Vec<ServicePort> {
    ports(engine).iter().map(|(n, p)| service_object::port(n, *p, "TCP".into())).collect()
}

/// The engine's environment, then the spec's `env` values.
fn env(engine: &Engine, db: &Database) -> EnvVars {
    let mut env = engine.env.clone();
    for (k, v) in &db.env {
        env.insert(k.clone(), Short(EnvValue { value: Some(v.clone()), ..Default::default() }));
    }
    env
}

/// The spec's image, or the engine's when it names none (or an empty one).
fn image(engine: &Engine, db: &Database) -> String {
    match db.image.as_deref() {
        Some(i) if !i.is_empty() => i.to_string(),
        _ => engine.image.clone(),
    }
}

fn container(ctx: &Ctx, db: &Database, engine: &Engine, image: &str, env: &EnvVars) -> Container {
    let mut mounts = pod::writable_dirs(&engine.writable).1;
    mounts.push(VolumeMount { name: "data".into(), mount_path: engine.data_path.clone(), ..VolumeMount::default() });
    let first_port = Some(engine.port.name.as_str());
    let ports = ports(engine)
        .into_iter()
        .map(|(n, p)| ContainerPort {
            name: Some(n),
            container_port: i32::from(p),
            protocol: Some("TCP".into()),
            ..ContainerPort::default()
        })
        .collect();
    Container {
        command: engine.command.clone(),
        args: non_empty(db.args.clone()),
        ports: Some(ports),
        env: non_empty(pod::env(ctx, env)),
        resources: Some(pod::resources(db.resources.as_ref(), &engine.resources, None)),
        liveness_probe: engine.probes.liveness.as_ref().map(|p| pod::probe(p, first_port)),
        readiness_probe: engine.probes.readiness.as_ref().map(|p| pod::probe(p, first_port)),
        startup_probe: engine.probes.startup.as_ref().map(|p| pod::probe(p, first_port)),
        volume_mounts: Some(mounts),
        ..pod::container(db.engine.clone(), image)
    }
}

fn stateful_set(ctx: &Ctx, name: &str, db: &Database, labels: &Map, headless: &str, container: Container) -> Object {
    let engine = &ctx.v.engines[name];
    let mut volumes = pod::writable_dirs(&engine.writable).0;
    volumes.sort_by(|a, b| a.name.cmp(&b.name));
    let pod = Pod {
        labels: labels.clone(),
        run_as: RunAs::engine(engine),
        containers: vec![container],
        volumes,
        node_selector: db.node_selector.clone(),
        tolerations: pod::tolerations(&db.tolerations, false),
        spread: (db.replicas.unwrap_or(1) > 1).then(|| ctx.selector(name)),
        spread_keys: db.spread.as_ref().map(crate::spec::Spread::keys).unwrap_or_default(),
        affinity: pod::affinity(ctx, db.affinity.as_ref()),
        image_pull_secrets: ctx.pull_secrets(&[]),
        grace_seconds: Some(60),
        ..Pod::default()
    };
    let storage = db.storage.as_ref();
    let data = claim::claim(
        ObjectMeta { name: Some("data".into()), labels: Some(ctx.selector(name)), ..ObjectMeta::default() },
        storage.map_or(&engine.storage, |s| &s.size),
        storage.and_then(|s| s.class.clone()),
        None,
    );
    Object::new(StatefulSet {
        metadata: ctx.meta(name, labels.clone(), &Map::new()),
        spec: Some(StatefulSetSpec {
            service_name: Some(headless.to_string()),
            replicas: Some(db.replicas.unwrap_or(1)),
            revision_history_limit: Some(5),
            selector: LabelSelector { match_labels: Some(ctx.selector(name)), ..LabelSelector::default() },
            template: pod::template(pod),
            volume_claim_templates: Some(vec![data]),
            ..StatefulSetSpec::default()
        }),
        ..StatefulSet::default()
    })
}
