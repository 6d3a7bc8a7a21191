//! `genk8s graph` and `genk8s init`.

use assert_cmd::Command;

mod common;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("genk8s").unwrap().args(args).output().unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn graph_draws_hosts_services_databases_and_allowed_paths() {
    let (code, out, _) = run(&["graph", "prod", "-p", "platforms/flexdesk"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("flowchart LR\n"), "{out}");
    assert!(out.contains("  host_flexdesk_sch_ng((\"flexdesk.sch.ng\"))\n"), "{out}");
    assert!(
        out.contains("  host_flexdesk_sch_ng -->|https| route_ingress_flexdesk_backend\n"),
        "ALB with an ACM certificate: {out}"
    );
    // The prod canary: one ALB forward action, its target groups drawn with their weights.
    for line in [
        "  route_ingress_flexdesk_backend -->|flexdesk-backend-service:80 weight 90| svc_flexdesk_backend\n",
        "  route_ingress_flexdesk_backend -->|flexdesk-backend-canary:80 weight 10| svc_flexdesk_backend\n",
    ] {
        assert!(out.contains(line), "{line}{out}");
    }
    assert!(out.contains("db_flexdesk_db[/\"flexdesk-db (postgres, external flexdesk-db.cluster-example.af-south-1.rds.amazonaws.com:5432)\"/]"), "{out}");
    assert!(out.contains("  svc_flexdesk_backend -->|tcp/6379| db_flexdesk_redis\n"), "{out}");
    assert!(
        out.contains("  svc_flexdesk_backend -->|tcp/5432,tcp/6379,tcp/8126,udp/8125| internet\n"),
        "external databases and the Datadog node agent (no node_cidrs): any address: {out}"
    );
    assert!(out.contains("  agent_datadog[/\"Datadog node agent (node address)\"/]\n"), "{out}");
    assert!(out.contains("  svc_flexdesk_backend -->|tcp/8126,udp/8125| agent_datadog\n"), "{out}");
    assert!(out.contains("  svc_flexdesk_backend -->|tcp/53,udp/53| dns\n"), "{out}");
    let (code, dot, _) = run(&["graph", "prod", "--format", "dot", "-p", "platforms/ai-workflow-engine"]);
    assert_eq!(code, 0);
    assert!(dot.starts_with("digraph \"ai-workflow-engine-production\" {\n"), "{dot}");
    assert!(dot.contains("  svc_webui -> svc_api [label=\"tcp/8000\"];\n"), "{dot}");
    assert!(dot.contains("  db_postgres [label=\"postgres (postgres) :5432\", shape=cylinder];\n"), "{dot}");
    assert!(!dot.contains("svc_webui -> db_postgres"), "webui does not use postgres");
    assert!(dot.ends_with("}\n"));
}

#[test]
fn init_writes_a_platform_that_builds_and_lints_clean_and_never_overwrites() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("My_Shop");
    let d = dir.to_str().unwrap();
    let (code, out, _) = run(&["init", d]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 6, "{out}");
    // The editor schema is written beside the spec, from this binary, and referenced relatively.
    let base = std::fs::read_to_string(dir.join("platform.yaml")).unwrap();
    assert!(base.starts_with("# yaml-language-server: $schema=schema/platform.schema.json\n"), "{base}");
    let dev = std::fs::read_to_string(dir.join("environments/dev.yaml")).unwrap();
    assert!(dev.starts_with("# yaml-language-server: $schema=../schema/overlay.schema.json\n"), "{dev}");
    let (_, schema, _) = run(&["schema"]);
    assert_eq!(std::fs::read_to_string(dir.join("schema/platform.schema.json")).unwrap(), schema);
    let (_, envs, _) = run(&["envs", "-p", d]);
    assert_eq!(envs, "dev\nprod\nstaging\n");
    for env in ["dev", "staging", "prod"] {
        let (code, stream, err) = run(&["build", env, "-p", d]);
        assert_eq!(code, 0, "{env}: {err}");
        assert!(stream.contains("name: my-shop"), "platform named after the folder: {env}");
        assert!(stream.contains("kind: HTTPRoute") && stream.contains("kind: Gateway"), "exposed through a gateway");
    }
    let (code, out, _) = run(&["lint", "--all", "-p", d]);
    assert_eq!(code, 0, "{out}");
    let before = std::fs::read_to_string(dir.join("platform.yaml")).unwrap();
    let (code, _, err) = run(&["init", d]);
    assert_eq!(code, 2);
    assert!(err.contains("platform.yaml exists"), "{err}");
    assert_eq!(std::fs::read_to_string(dir.join("platform.yaml")).unwrap(), before);
}

const ROUTED: &str = r#"
platform: shop
domain: shop.example.com
gateway: {class: eg, data_plane_namespace: envoy-gateway-system}
services:
  web:
    image: ghcr.io/acme/web:2.0.1
    ports: {http: {container: 3000, service: 80}}
    route: {hosts: [www]}
    rollout: {canary: {weight: 10, tag: 2.1.0}}
  api:
    image: ghcr.io/acme/api:1.4.2
    ports: {grpc: 9090}
    route: {hosts: [api]}
    rollout: {blue_green: {live: green}}
"#;

#[test]
fn graph_draws_route_weights_of_canary_and_blue_green_backends() {
    let t = tempfile::tempdir().unwrap();
    common::write(t.path(), ROUTED);
    let p = t.path().to_str().unwrap();
    let (code, out, err) = run(&["graph", "dev", "-p", p]);
    assert_eq!(code, 0, "{err}");
    for line in [
        "  host_www_shop_example_com -->|http| route_httproute_web\n",
        "  route_httproute_web -->|web-canary:80 weight 10| svc_web\n",
        "  route_httproute_web -->|web:80 weight 90| svc_web\n",
        "  host_api_shop_example_com -->|http| route_grpcroute_api\n",
        "  route_grpcroute_api -->|api-preview:9090 weight 0| svc_api\n",
        "  route_grpcroute_api -->|api-preview:9090 weight 100| svc_api\n",
        "  route_grpcroute_api -->|api:9090 weight 100| svc_api\n",
    ] {
        assert!(out.contains(line), "{line}{out}");
    }
    let (code, dot, _) = run(&["graph", "dev", "--format", "dot", "-p", p]);
    assert_eq!(code, 0);
    assert!(dot.contains("  route_httproute_web -> svc_web [label=\"web-canary:80 weight 10\"];\n"), "{dot}");
    assert!(dot.contains("  host_www_shop_example_com -> route_httproute_web [label=\"http\"];\n"), "{dot}");
}
