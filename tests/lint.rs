//! `genk8s lint`: rule findings, severities, --fail-on, suppressions with reasons.

use assert_cmd::Command;
use std::path::Path;

fn platform(dir: &Path, base: &str) {
    std::fs::create_dir_all(dir.join("environments")).unwrap();
    std::fs::write(dir.join("platform.yaml"), base).unwrap();
    std::fs::write(dir.join("environments/dev.yaml"), "namespace: l-dev\n").unwrap();
}

fn lint(dir: &Path, extra: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("genk8s").unwrap().args(["lint", "dev", "-p"]).arg(dir).args(extra).output().unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

const SPEC: &str = r#"
platform: l
services:
  api:
    image: x/api:latest
    ports: {http: 8080}
    probes: {liveness: {http: /healthz}}
    replicas: 3
    pdb: {min_available: "3"}
"#;

#[test]
fn seed_platforms_lint_clean_at_the_default_level() {
    for p in std::fs::read_dir("platforms").unwrap().flatten() {
        let out = Command::cargo_bin("genk8s").unwrap().args(["lint", "--all", "-p"]).arg(p.path()).output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let findings: Vec<&str> = text.lines().filter(|l| l.contains(" warning] ") || l.contains(" error] ")).collect();
        assert_eq!(findings, Vec::<&str>::new(), "{}: {text}", p.path().display());
        assert_eq!(out.status.code(), Some(0), "{}: {text}", p.path().display());
        assert!(text.ends_with("0 finding(s) at or above warning\n"), "{text}");
    }
}

const TRACED: &str = r#"
platform: t
configs:
  app-config:
    data: {LOG_LEVEL: info, OTEL_EXPORTER_OTLP_ENDPOINT: "http://jaeger-collector.observability:4317"}
services:
  api:
    image: x/api:1.0
    ports: {http: 8000}
    env_from: [{config: app-config}]
    env:
      CACHE_URL: redis://cache
      WEB: "http://web:3000"
      SEARCH_HOST: search.example.com
      SEARCH_PORT: "9200"
    uses: [cache]
  web:
    image: x/web:1.0
    ports: {http: 3000}
databases:
  cache: {engine: redis}
"#;

#[test]
fn configured_endpoints_the_policies_block_are_reported_where_they_are_written() {
    let t = tempfile::tempdir().unwrap();
    platform(t.path(), TRACED);
    let (code, out, _) = lint(t.path(), &[]);
    assert_eq!(code, 1, "{out}");
    let at = |line: usize, col: usize| format!("{}:{line}:{col}", t.path().join("platform.yaml").display());
    let expected = [
        format!(
            "dev: Deployment/api [GK018 warning] {}: OTEL_EXPORTER_OTLP_ENDPOINT names jaeger-collector.observability:4317, which the NetworkPolicies of api do not allow; declare it: `egress: [{{host: jaeger-collector.observability, ports: [4317]}}]` under services.api",
            at(5, 58)
        ),
        format!(
            "dev: Deployment/api [GK018 warning] {}: WEB names web:3000, which the NetworkPolicies of api do not allow; add `web` to services.api.uses",
            at(13, 12)
        ),
        format!(
            "dev: Deployment/api [GK018 warning] {}: SEARCH_HOST names search.example.com:9200, which the NetworkPolicies of api do not allow; declare it: `egress: [{{host: search.example.com, ports: [9200]}}]` under services.api",
            at(14, 20)
        ),
    ];
    for e in &expected {
        assert!(out.contains(e.as_str()), "missing\n{e}\nin\n{out}");
    }
    assert!(!out.contains("CACHE_URL"), "redis://cache is a use: {out}");
    assert!(out.ends_with("3 finding(s) at or above warning\n"), "{out}");

    // The fixes the findings name make the run clean.
    let fixed = TRACED.replace("    uses: [cache]\n", "    uses: [cache, web]\n    egress: [{host: jaeger-collector.observability, ports: [4317]}, {host: search.example.com, ports: [9200]}]\n");
    platform(t.path(), &fixed);
    let (code, out, _) = lint(t.path(), &[]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn findings_name_object_rule_and_severity_and_fail_the_run() {
    let t = tempfile::tempdir().unwrap();
    platform(t.path(), SPEC);
    let (code, out, _) = lint(t.path(), &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "dev: Deployment/api [GK002 warning] container api serves traffic without readiness and liveness probes"
        ),
        "{out}"
    );
    assert!(out.contains("dev: Deployment/api [GK007 warning] container api image x/api:latest uses latest"), "{out}");
    assert!(
        out.contains(
            "dev: PodDisruptionBudget/api [GK012 error] with 3 replica(s) this budget allows no voluntary eviction"
        ),
        "{out}"
    );
    assert!(out.ends_with("3 finding(s) at or above warning\n"), "{out}");
    let (code, out, _) = lint(t.path(), &["--fail-on", "error"]);
    assert_eq!(code, 1);
    assert!(out.ends_with("1 finding(s) at or above error\n"), "{out}");
}

#[test]
fn suppressions_need_a_known_rule_and_a_reason() {
    let t = tempfile::tempdir().unwrap();
    let spec = SPEC.replace("    replicas: 3\n", "    replicas: 3\n    lint: {ignore: {GK002: \"probes come from the service mesh sidecar\", GK007: dev only, GK012: drained by hand}}\n");
    platform(t.path(), &spec);
    let (code, out, _) = lint(t.path(), &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Deployment/api [GK002 suppressed] probes come from the service mesh sidecar"), "{out}");

    let bad = SPEC.replace("    replicas: 3\n", "    replicas: 3\n    lint: {ignore: {GK999: x, GK002: \"\"}}\n");
    platform(t.path(), &bad);
    let (code, _, err) = lint(t.path(), &[]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown lint rule `GK999`"), "{err}");
    assert!(err.contains("suppression of GK002 gives no reason"), "{err}");
}

const ROUTED: &str = r#"
platform: l
domain: l.example.com
gateway: {class: eg, data_plane_namespace: envoy-gateway-system}
services:
  web:
    image: x/web:1.0.0
    ports: {http: {container: 3000, service: 80}}
    route: {hosts: [www]}
    rollout: {canary: {weight: 10, tag: 1.1.0}}
"#;

#[test]
fn route_backends_the_data_plane_cannot_reach_are_gk017() {
    let t = tempfile::tempdir().unwrap();
    platform(t.path(), ROUTED);
    let (_, out, _) = lint(t.path(), &[]);
    assert!(!out.contains("GK017"), "the generated policy admits the data plane: {out}");
    // A patch narrows web's policy to another namespace: neither track is reachable from the proxies.
    let patched = format!(
        "{ROUTED}patches:\n  NetworkPolicy/web:\n    json: [{{op: replace, path: /spec/ingress/0/from/0/namespaceSelector/matchLabels/kubernetes.io~1metadata.name, value: other}}]\n"
    );
    platform(t.path(), &patched);
    let (code, out, err) = lint(t.path(), &[]);
    assert_eq!(code, 1, "{out}{err}");
    for svc in ["web", "web-canary"] {
        let line = format!(
            "dev: HTTPRoute/web [GK017 error] www.l.example.com routes to Service {svc}:80, which the gateway's data plane (namespace envoy-gateway-system) cannot reach\n"
        );
        assert!(out.contains(&line), "{line}{out}");
    }
}

/// Patched objects have only their JSON form; the per-pod rules read them as they read the
/// typed ones. Each patch below breaks what one rule checks, and a patched budget, autoscaler
/// and NetworkPolicy feed GK012 and GK006.
const PATCHED: &str = r#"
platform: l
services:
  api:
    image: x/api:1.2.3
    ports: {http: 8080}
    probes: {liveness: {http: /healthz}, readiness: {http: /ready}}
    replicas: 3
    pdb: {min_available: 1}
  worker:
    image: x/worker:1.0.0
    replicas: 2
    autoscale: {min: 2, max: 4, cpu: 70}
    pdb: {max_unavailable: 1}
patches:
  Deployment/api:
    json:
      - {op: remove, path: /spec/template/spec/containers/0/resources}
      - {op: remove, path: /spec/template/spec/containers/0/imagePullPolicy}
      - {op: remove, path: /spec/template/spec/containers/0/readinessProbe}
      - {op: add, path: /spec/template/spec/hostNetwork, value: true}
      - {op: add, path: /spec/template/spec/hostPID, value: true}
      - {op: replace, path: /spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation, value: true}
      - {op: replace, path: /spec/template/spec/containers/0/securityContext/readOnlyRootFilesystem, value: false}
      - {op: replace, path: /spec/template/spec/containers/0/image, value: "x/api"}
      - {op: remove, path: /spec/template/spec/automountServiceAccountToken}
      - {op: remove, path: /spec/template/spec/topologySpreadConstraints}
      - {op: add, path: /spec/template/spec/volumes/-, value: {name: host, hostPath: {path: /var/run}}}
  NetworkPolicy/worker:
    json:
      - {op: replace, path: /spec/podSelector/matchLabels, value: {app.kubernetes.io/name: nobody}}
  PodDisruptionBudget/worker:
    json:
      - {op: remove, path: /spec/maxUnavailable}
      - {op: add, path: /spec/minAvailable, value: "100%"}
  HorizontalPodAutoscaler/worker:
    json:
      - {op: replace, path: /spec/minReplicas, value: 5}
"#;

#[test]
fn per_pod_rules_read_patched_objects() {
    let t = tempfile::tempdir().unwrap();
    platform(t.path(), PATCHED);
    let (code, out, err) = lint(t.path(), &[]);
    assert_eq!(code, 1, "{out}{err}");
    let found: Vec<&str> = out.lines().filter(|l| !l.contains("[GK022 ")).collect();
    let expected = [
        "dev: Deployment/api [GK001 error] container api lacks cpu/memory requests or a memory limit",
        "dev: Deployment/api [GK002 warning] container api serves traffic without readiness and liveness probes",
        "dev: Deployment/api [GK004 warning] 3 replicas and no topology spread or anti-affinity",
        "dev: Deployment/api [GK005 info] container api leaves imagePullPolicy to the cluster default",
        "dev: Deployment/api [GK007 warning] container api image x/api has no tag",
        "dev: Deployment/api [GK008 error] hostNetwork is on",
        "dev: Deployment/api [GK008 error] hostPID is on",
        "dev: Deployment/api [GK008 error] mounts a hostPath volume",
        "dev: Deployment/api [GK009 error] container api does not meet the restricted profile",
        "dev: Deployment/api [GK010 warning] container api has a writable root filesystem",
        "dev: Deployment/api [GK011 info] mounts the default service account token",
        "dev: Deployment/worker [GK006 error] no NetworkPolicy selects these pods (only the default deny)",
        "dev: Deployment/worker [GK016 error] no DNS: the NetworkPolicies block udp/53 and tcp/53 to kube-dns in kube-system",
        "dev: PodDisruptionBudget/worker [GK012 error] with 5 replica(s) this budget allows no voluntary eviction (node drains hang)",
        "12 finding(s) at or above warning",
    ];
    assert_eq!(found, expected, "{out}");
    // Unpatched, genk8s's own objects meet every one of those rules.
    let clean = PATCHED.split("patches:").next().unwrap();
    platform(t.path(), clean);
    let (code, out, _) = lint(t.path(), &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.lines().all(|l| l.contains("[GK022 ") || l.starts_with("0 finding")), "{out}");
}
