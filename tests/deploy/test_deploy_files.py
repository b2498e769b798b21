"""The shipped proxy and cluster files: forwarded headers believed from the proxy only,
the public origin set, tokens kept out of nginx's access log, /metrics and /healthz off
the public route (issue 11, items 5, 9, 10 and 11)."""

from __future__ import annotations

import ipaddress
import re

import yaml

from app.settings import load_settings
from tests.serve import ROOT

DEPLOY = ROOT / "deploy"


def _locations(conf: str) -> dict[str, str]:
    """nginx ``location`` → its block's text (blocks here hold no nested braces)."""
    return {m[1].strip(): m[2] for m in re.finditer(r"location\s+([^{]+)\{([^}]*)\}", conf)}


def test_nginx_logs_the_socket_without_its_query_and_hides_the_internal_endpoints():
    conf = (DEPLOY / "nginx.conf").read_text()
    formats = dict(re.findall(r"log_format\s+(\w+)\s+((?:'[^']*'\s*)+);", conf))
    locations = _locations(conf)
    socket_log = re.search(r"access_log\s+\S+\s+(\w+);", locations["/ws/"])
    assert socket_log, "the socket location needs its own access log format"
    fmt = formats[socket_log[1]]
    assert "$uri" in fmt and "$request " not in fmt and "$request'" not in fmt
    assert "$args" not in fmt and "$query_string" not in fmt and "$request_uri" not in fmt
    for path in ("/metrics", "/healthz"):
        assert re.fullmatch(r"\s*return 404;\s*", locations[f"= {path}"])
    for where in ("/ws/", "/"):
        block = locations[where]
        assert "X-Forwarded-For $remote_addr" in block  # the client cannot add to it
        assert "X-Forwarded-Proto $scheme" in block


def test_compose_trusts_its_own_network_and_names_its_public_origin():
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    env = compose["services"]["nnlive-1"]["environment"]
    subnet = ipaddress.ip_network(compose["networks"]["default"]["ipam"]["config"][0]["subnet"])
    assert ipaddress.ip_network(env["NNLIVE_FORWARDED_ALLOW_IPS"]).subnet_of(subnet)
    assert "ports" not in compose["services"]["nnlive-1"]  # reachable only through nginx
    settings = load_settings({k: v for k, v in env.items() if k.startswith("NNLIVE_")})
    published = compose["services"]["nginx"]["ports"][0].split(":")[0]
    assert settings.public_origins == (f"http://localhost:{published}",)


def test_kubernetes_routes_only_public_paths_and_scrapes_pods_directly():
    deployment = yaml.safe_load((DEPLOY / "k8s" / "deployment.yaml").read_text())
    pod = deployment["spec"]["template"]
    env = {e["name"]: e["value"] for e in pod["spec"]["containers"][0]["env"]}
    settings = load_settings({k: v for k, v in env.items() if k.startswith("NNLIVE_")})
    ingress = yaml.safe_load((DEPLOY / "k8s" / "ingress.yaml").read_text())
    rule = ingress["spec"]["rules"][0]
    assert settings.public_origins == (f"https://{rule['host']}",)
    assert settings.forwarded_allow_ips
    paths = {(p["path"], p["pathType"]) for p in rule["http"]["paths"]}
    for public in ("/", "/embed", "/oembed", "/lessons/1", "/static/v/x/js/main.js",
                   "/api/train", "/ws/train"):
        assert any(_routes(path, kind, public) for path, kind in paths), public
    for internal in ("/metrics", "/healthz"):
        assert not any(_routes(path, kind, internal) for path, kind in paths), internal
    assert pod["metadata"]["annotations"]["prometheus.io/path"] == "/metrics"


def _routes(path: str, kind: str, request: str) -> bool:
    if kind == "Exact":
        return request == path
    return request == path or request.startswith(path.rstrip("/") + "/")
