//! A database: a StatefulSet with a `data` volumeClaimTemplate (and its `files` from a
//! ConfigMap), a headless and a client Service, a PodDisruptionBudget when replicated and a backup CronJob; for an external
//! database, an ExternalName Service.

use super::pod::{self, EnvVars, Pod, RunAs};
use super::{Ctx, Object, Sink, backup, budget, claim, database_files, non_empty, service_object};
use crate::catalog::Engine;
use crate::spec::{Database, EnvValue, Map, Short};
use k8s_openapi::api::apps::v1::{StatefulSet, StatefulSetSpec};
use k8s_openapi::api::core::v1::{Container, ContainerPort, ServicePort, Volume, VolumeMount};
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
    let (volumes, mounts) = database_files::volumes(ctx, name, db, &labels, out);
    let container = container(ctx, db, engine, &image, &env, mounts);
    out.push(stateful_set(ctx, name, db, &labels, &headless, container, volumes));
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
        env.insert(k.clone(), Short(Box::new(EnvValue { value: Some(v.clone()), ..Default::default() })));
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

/// The engine's container: its command, the engine's then the database's args, ports,
/// environment, probes, and its data, writable and `files` mounts.
fn container(
    ctx: &Ctx,
    db: &Database,
    engine: &Engine,
    image: &str,
    env: &EnvVars,
    files: Vec<VolumeMount>,
) -> Container {
    let mut mounts = pod::writable_dirs(&engine.writable).1;
    mounts.extend(seeded(engine).into_iter().map(|(_, m)| m));
    mounts.push(VolumeMount { name: "data".into(), mount_path: engine.data_path.clone(), ..VolumeMount::default() });
    mounts.extend(files);
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
        args: non_empty(engine.args.iter().chain(&db.args).cloned().collect()),
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

/// The emptyDirs of the engine's `seeded` directories, each with its mount at the directory.
fn seeded(engine: &Engine) -> Vec<(Volume, VolumeMount)> {
    engine.seeded.iter().enumerate().map(|(i, p)| pod::writable(format!("seeded-{i}"), p)).collect()
}

/// Init container that copies the image's files of each seeded directory into its emptyDir
/// (mounted under `/seed/<i>` here), so the engine finds them there, writable.
fn seed_container(engine: &Engine, image: String, seeds: &[(Volume, VolumeMount)]) -> Option<Container> {
    if seeds.is_empty() {
        return None;
    }
    let copies: Vec<String> =
        engine.seeded.iter().enumerate().map(|(i, p)| format!("cp -R {p}/. /seed/{i}/")).collect();
    let mounts = seeds
        .iter()
        .enumerate()
        .map(|(i, (_, m))| VolumeMount { mount_path: format!("/seed/{i}"), ..m.clone() })
        .collect();
    Some(Container {
        command: Some(vec!["/bin/sh".into(), "-c".into(), format!("set -e; {}", copies.join("; "))]),
        resources: Some(pod::resources(None, &pod::helper_resources(), None)),
        volume_mounts: Some(mounts),
        ..pod::container("seed-writable-dirs", image)
    })
}

fn stateful_set(
    ctx: &Ctx,
    name: &str,
    db: &Database,
    labels: &Map,
    headless: &str,
    container: Container,
    files: Vec<Volume>,
) -> Object {
    let engine = &ctx.v.engines[name];
    let mut volumes = pod::writable_dirs(&engine.writable).0;
    volumes.extend(files);
    let seeds = seeded(engine);
    let init: Vec<Container> =
        seed_container(engine, container.image.clone().unwrap_or_default(), &seeds).into_iter().collect();
    volumes.extend(seeds.into_iter().map(|(v, _)| v));
    volumes.sort_by(|a, b| a.name.cmp(&b.name));
    let pod = Pod {
        labels: labels.clone(),
        run_as: RunAs::engine(engine),
        init,
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
