//! Image profiles as defaults of hand-written specs, and `genk8s catalog`: runs the binary
//! on small platform folders and reads the objects back.

mod common;

use assert_cmd::Command;
use genk8s::yaml::{Node, NodeKind};
use tempfile::TempDir;

fn genk8s() -> Command {
    Command::cargo_bin("genk8s").unwrap()
}

fn at<'a>(n: &'a Node, path: &[&str]) -> Option<&'a Node> {
    path.iter().try_fold(n, |n, p| match &n.kind {
        NodeKind::Seq(items) => items.get(p.parse::<usize>().ok()?),
        _ => n.get(p),
    })
}

fn text<'a>(n: &'a Node, path: &[&str]) -> Option<&'a str> {
    at(n, path).and_then(Node::as_str)
}

fn find<'a>(objs: &'a [Node], kind: &str, name: &str) -> &'a Node {
    objs.iter()
        .find(|o| text(o, &["kind"]) == Some(kind) && text(o, &["metadata", "name"]) == Some(name))
        .unwrap_or_else(|| panic!("no {kind}/{name}"))
}

fn names(list: Option<&Node>, key: &str) -> Vec<String> {
    match list.map(|n| &n.kind) {
        Some(NodeKind::Seq(items)) => items.iter().filter_map(|i| i.get(key)?.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

const SPEC: &str = r#"
platform: t
services:
  gateway:
    image: kong:3.7
  dash:
    image: grafana/grafana-oss:11.1.0
    ports: {web: 3000}
    run_as_user: 1234
    writable: []
  app:
    image: ghcr.io/acme/app:1.0
    ports: {http: 8080}
"#;

#[test]
fn a_hand_written_service_on_a_profiled_image_gets_its_user_paths_ports_and_probes() {
    let dir = TempDir::new().unwrap();
    common::write(dir.path(), SPEC);
    let objs = common::build(dir.path());
    let kong = find(&objs, "Deployment", "gateway");
    let pod = at(kong, &["spec", "template", "spec"]).unwrap();
    assert_eq!(text(pod, &["securityContext", "runAsUser"]), Some("1000"));
    assert_eq!(text(pod, &["securityContext", "fsGroup"]), Some("1000"));
    let c = at(pod, &["containers", "0"]).unwrap();
    assert!(names(c.get("env"), "name").contains(&"KONG_PREFIX".to_string()));
    assert!(names(c.get("volumeMounts"), "mountPath").contains(&"/kong_prefix".to_string()));
    assert_eq!(names(c.get("ports"), "name"), ["admin", "admin-tls", "proxy", "proxy-tls"]);
    assert_eq!(text(c, &["readinessProbe", "tcpSocket", "port"]), Some("proxy"));
    // Its ports make a Service.
    find(&objs, "Service", "gateway");
    // What the spec writes wins; the probe is the image's, on the spec's port of its number.
    let dash = at(find(&objs, "Deployment", "dash"), &["spec", "template", "spec"]).unwrap();
    assert_eq!(text(dash, &["securityContext", "runAsUser"]), Some("1234"));
    let c = at(dash, &["containers", "0"]).unwrap();
    assert_eq!(names(c.get("volumeMounts"), "mountPath"), ["/tmp"], "writable: [] keeps only /tmp");
    assert_eq!(text(c, &["livenessProbe", "httpGet", "path"]), Some("/api/health"));
    assert_eq!(text(c, &["livenessProbe", "httpGet", "port"]), Some("web"));
    // An unknown image keeps genk8s' defaults.
    let app = at(find(&objs, "Deployment", "app"), &["spec", "template", "spec"]).unwrap();
    assert_eq!(text(app, &["securityContext", "runAsUser"]), Some("10001"));
}

#[test]
fn explain_names_the_profile_and_lint_says_what_was_assumed_for_an_unknown_image() {
    let dir = TempDir::new().unwrap();
    common::write(dir.path(), SPEC);
    let out = genk8s().args(["explain", "dev", "services.gateway.run_as_user", "-p"]).arg(dir.path()).output().unwrap();
    let said = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        said,
        "services.gateway.run_as_user: not set in the base or the environment; genk8s default: 1000 (image profile `kong`)\n"
    );
    let out =
        genk8s().args(["explain", "dev", "services.gateway.env.KONG_PREFIX", "-p"]).arg(dir.path()).output().unwrap();
    assert!(String::from_utf8(out.stdout).unwrap().contains("/kong_prefix (image profile `kong`)"));
    let out = genk8s().args(["lint", "dev", "-p"]).arg(dir.path()).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let gk022: Vec<&str> = text.lines().filter(|l| l.contains("[GK022 info]")).collect();
    assert_eq!(gk022.len(), 1, "only the unknown image, not the profiled ones nor one that sets its user: {text}");
    assert!(
        gk022[0].starts_with("dev: Deployment/app [GK022 info] `ghcr.io/acme/app:1.0` has no genk8s image profile")
    );
    assert!(gk022[0].contains("uid 10001") && gk022[0].contains("set run_as_user: and writable:"), "{}", gk022[0]);
}

#[test]
fn the_catalog_comes_from_the_binary_alone() {
    // A folder with nothing in it: the engine templates are compiled in.
    let empty = TempDir::new().unwrap();
    let run = |args: &[&str]| {
        let out = genk8s().current_dir(empty.path()).args(args).output().unwrap();
        (out.status.code(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
    };
    let (code, list, _) = run(&["catalog"]);
    assert_eq!(code, Some(0));
    for engine in ["kafka", "elasticsearch", "opensearch", "clickhouse", "minio", "postgres", "rabbitmq"] {
        assert!(
            list.lines().any(|l| l.trim_start().starts_with(&format!("{engine} ")) && l.ends_with("built-in")),
            "{engine}:\n{list}"
        );
    }
    assert!(list.contains("grafana/grafana ") && list.contains("http /api/health"), "{list}");
    let (code, template, _) = run(&["catalog", "engine", "rabbitmq"]);
    assert_eq!(code, Some(0));
    assert!(template.contains(include_str!("../templates/engines/rabbitmq.yaml.j2")), "the template verbatim");
    let (code, _, err) = run(&["catalog", "engine", "kafak"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("did you mean `kafka`?"), "{err}");
    let (code, profile, _) = run(&["catalog", "image", "docker.io/library/nginx:1.27"]);
    assert_eq!(code, Some(0));
    assert!(profile.contains("run_as_user: 101") && profile.contains("/var/cache/nginx"), "{profile}");
    // A platform's own template is listed as such.
    let dir = TempDir::new().unwrap();
    std::fs::create_dir_all(dir.path().join("templates/engines")).unwrap();
    std::fs::write(
        dir.path().join("templates/engines/kafka.yaml.j2"),
        include_str!("../templates/engines/kafka.yaml.j2"),
    )
    .unwrap();
    let out = genk8s().args(["catalog", "-p"]).arg(dir.path()).output().unwrap();
    let list = String::from_utf8(out.stdout).unwrap();
    assert!(list.lines().any(|l| l.trim_start().starts_with("kafka ") && l.ends_with("this platform")), "{list}");
}
