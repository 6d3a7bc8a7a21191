//! `genk8s graph` and `genk8s init`.

use assert_cmd::Command;

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
    assert!(out.contains("  host_flexdesk_sch_ng -->|http| svc_flexdesk_backend\n"), "ALB without TLS: {out}");
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
