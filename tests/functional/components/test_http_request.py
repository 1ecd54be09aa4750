"""The `http.request` component against a real HTTP server on 127.0.0.1.

No traffic may leave 127.0.0.0/8 (the machine has no network, and such traffic is flagged): the
SSRF refusals must happen before any connection, and a tripwire on `socket.connect` fails a
test loudly instead of letting a connection to another address through. No test resolves a
name other than `localhost` (from /etc/hosts) or a numeric form, so no DNS query is sent either.
"""

from __future__ import annotations

import datetime
import gzip
import json
import logging
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import ip_address
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from pydantic import ValidationError

from automations.components import registry
from automations.components.errors import ComponentFailed
from automations.components.http_request import (
    ALLOW_HOSTS_ENV,
    ALLOW_PRIVATE_ENV,
    MAX_RESPONSE_BYTES_ENV,
    HttpPolicy,
    HttpRequestInput,
    HttpRequestResult,
    forbidden_reason,
    run,
)
from automations.components.registry import ComponentContext

# --- a local server ----------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    """Routes by path; each route exercises one behaviour of the component."""

    def log_message(self, format: str, *args: Any) -> None:  # keep pytest output quiet
        pass

    def do_GET(self) -> None:
        self._route()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = do_GET

    def _route(self) -> None:
        parts = urlsplit(self.path)
        self.params = {key: values[0] for key, values in parse_qs(parts.query).items()}
        name = parts.path.strip("/").split("/")[0] or "root"
        getattr(self, f"route_{name.replace('-', '_')}", self.route_missing)()

    def _send(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_json(self, value: Any, status: int = 200) -> None:
        self._send(status, json.dumps(value).encode(), "application/json")

    def route_missing(self) -> None:
        self._send(404, b"no such route", "text/plain")

    def route_echo(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else None
        self._send_json(
            {
                "method": self.command,
                "query": self.params,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body,
            }
        )

    def route_json(self) -> None:
        self._send_json({"rate": 1.5, "currency": "USD"})

    def route_text(self) -> None:
        self._send(200, "привет".encode(), "text/plain; charset=utf-8")

    def route_cp1251(self) -> None:
        self._send(200, "привет".encode("cp1251"), "text/plain; charset=windows-1251")

    def route_deep(self) -> None:
        levels = int(self.params.get("levels", "100"))
        self._send(200, b'{"a": ' + b"[" * levels + b"]" * levels + b"}", "application/json")

    def route_mislabelled(self) -> None:
        self._send(200, b"<html>not json</html>", "application/json")

    def route_problem(self) -> None:
        self._send(200, b'{"type": "x"}', "application/problem+json")

    def route_empty_json(self) -> None:
        self._send(200, b"", "application/json")

    def route_status(self) -> None:
        code = int(urlsplit(self.path).path.split("/")[2])
        body = json.dumps({"error": "order 17 not found", "pad": "x" * 1000}).encode()
        self._send(code, body, "application/json")

    def route_cookies(self) -> None:
        self.send_response(200)
        self.send_header("Set-Cookie", "a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT")
        self.send_header("Set-Cookie", "b=2")
        self.send_header("X-Trace", "t1")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def route_sleep(self) -> None:
        time.sleep(1.5)
        self._send(200, b"late", "text/plain")

    def route_trickle(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "30")
        self.end_headers()
        for _ in range(30):
            self.wfile.write(b"x")
            self.wfile.flush()
            time.sleep(0.1)

    def route_big(self) -> None:
        self._send(200, b"x" * int(self.params["size"]), "text/plain")

    def route_big_chunked(self) -> None:
        # HTTP/1.0 without Content-Length: the body ends when the connection closes.
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        remaining = int(self.params["size"])
        while remaining > 0:
            self.wfile.write(b"x" * min(remaining, 4096))
            remaining -= 4096

    def route_gzip_bomb(self) -> None:
        packed = gzip.compress(b"\0" * (6 * 1024 * 1024))
        self._send(200, packed, "text/plain", Content_Encoding="gzip")

    def route_bad_gzip(self) -> None:
        self._send(200, b"this is not gzip at all", "text/plain", Content_Encoding="gzip")

    def route_drop(self) -> None:
        self.close_connection = True  # hang up without a status line

    def route_redirect(self) -> None:
        code = int(self.params.get("code", "302"))
        self._send(code, b"moved", "text/plain", Location=self.params["to"])

    def route_loop(self) -> None:
        self._send(302, b"again", "text/plain", Location="/loop")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True  # sleeping handlers must not hold up the shutdown
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tripwire: any connection outside loopback fails the test before a packet is sent."""
    real_connect: Callable[..., Any] = socket.socket.connect

    def connect(sock: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        if not ip_address(host.split("%")[0]).is_loopback:
            raise AssertionError(f"test tried to connect to {address!r}")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)


@pytest.fixture(autouse=True)
def allow_local_server(monkeypatch: pytest.MonkeyPatch) -> None:
    # Allow the test server's address only: everything else keeps the production policy.
    monkeypatch.delenv(ALLOW_PRIVATE_ENV, raising=False)
    monkeypatch.delenv(MAX_RESPONSE_BYTES_ENV, raising=False)
    monkeypatch.setenv(ALLOW_HOSTS_ENV, "127.0.0.1")


@pytest.fixture
def no_allowances(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ALLOW_HOSTS_ENV, raising=False)


def call(**inputs: Any) -> HttpRequestResult:
    return run(HttpRequestInput(**inputs), ComponentContext())


def failure(**inputs: Any) -> ComponentFailed:
    with pytest.raises(ComponentFailed) as caught:
        call(**inputs)
    return caught.value


# --- contract ----------------------------------------------------------------------------


def test_http_request_is_registered_with_its_contract() -> None:
    spec = registry.get("http.request")
    assert set(spec.errors) == {
        "http.timeout",
        "http.connection",
        "http.status",
        "http.forbidden_address",
        "http.invalid_response",
        "http.too_large",
        "http.too_deep",
    }
    assert spec.input_names == {
        "url",
        "method",
        "headers",
        "query",
        "body",
        "timeoutSeconds",
        "responseType",
        "failOnStatus",
    }


@pytest.mark.parametrize("url", ["ftp://example.com/x", "file:///etc/passwd", "/relative", ""])
def test_only_absolute_http_urls_are_accepted(url: str) -> None:
    with pytest.raises(ValidationError) as caught:
        HttpRequestInput(url=url)
    assert "url" in str(caught.value)


def test_timeout_over_300_seconds_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        HttpRequestInput(url="https://example.com", timeoutSeconds=301)
    assert "timeoutSeconds" in str(caught.value)


def test_body_that_is_not_json_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        HttpRequestInput(url="https://example.com", body={"x": float("nan")})
    assert "body" in str(caught.value)


def test_method_is_case_insensitive() -> None:
    params = HttpRequestInput(url="https://example.com", method="post")  # type: ignore[arg-type]
    assert params.method == "POST"


# --- bodies ------------------------------------------------------------------------------


def test_get_json(server: str) -> None:
    result = call(url=f"{server}/json")
    assert (result.status, result.body) == (200, {"rate": 1.5, "currency": "USD"})
    assert result.headers["content-type"] == "application/json"


def test_get_text_decoded_by_charset(server: str) -> None:
    result = call(url=f"{server}/cp1251")
    assert result.body == "привет"


def test_response_type_text_keeps_json_as_text(server: str) -> None:
    result = call(url=f"{server}/json", responseType="text")
    assert result.body == '{"rate": 1.5, "currency": "USD"}'


def test_response_type_json_parses_whatever_the_label(server: str) -> None:
    result = call(url=f"{server}/echo", responseType="json", query={"a": "1"})
    assert result.body["query"] == {"a": "1"}


def test_auto_reads_plus_json_types(server: str) -> None:
    result = call(url=f"{server}/problem")
    assert result.body == {"type": "x"}


def test_auto_falls_back_to_text_when_the_label_lies(server: str) -> None:
    result = call(url=f"{server}/mislabelled")
    assert result.body == "<html>not json</html>"


def test_empty_json_body_is_null(server: str) -> None:
    result = call(url=f"{server}/empty-json", responseType="json")
    assert result.body is None


def test_post_object_is_sent_as_json(server: str) -> None:
    result = call(url=f"{server}/echo", method="POST", body={"total": 10, "name": "Чай"})
    assert json.loads(result.body["body"]) == {"total": 10, "name": "Чай"}
    assert result.body["headers"]["content-type"] == "application/json"


def test_post_string_is_sent_as_text(server: str) -> None:
    result = call(url=f"{server}/echo", method="PUT", body="<x/>")
    assert result.body["body"] == "<x/>"
    assert result.body["headers"]["content-type"] == "text/plain; charset=utf-8"


def test_given_content_type_wins(server: str) -> None:
    result = call(
        url=f"{server}/echo", method="POST", body="<x/>", headers={"Content-Type": "text/xml"}
    )
    assert result.body["headers"]["content-type"] == "text/xml"


def test_query_merges_with_the_urls_own_parameters(server: str) -> None:
    result = call(url=f"{server}/echo?a=1", query={"b": True, "c": 2.5, "d": 7})
    assert result.body["query"] == {"a": "1", "b": "true", "c": "2.5", "d": "7"}


def test_host_header_is_the_url_host_not_the_pinned_address(server: str) -> None:
    port = server.rsplit(":", 1)[1]
    result = call(url=f"{server}/echo")
    assert result.body["headers"]["host"] == f"127.0.0.1:{port}"


def test_head_has_no_body(server: str) -> None:
    result = call(url=f"{server}/json", method="HEAD")
    assert (result.status, result.body) == (200, None)


def test_repeated_headers_are_joined(server: str) -> None:
    result = call(url=f"{server}/cookies")
    assert result.headers["set-cookie"] == "a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT\nb=2"
    assert result.headers["x-trace"] == "t1"


# --- status ------------------------------------------------------------------------------


def test_status_over_400_fails_with_status_and_excerpt(server: str) -> None:
    error = failure(url=f"{server}/status/404?token=s3cret")
    assert error.code == "http.status"
    assert "404" in error.message
    assert "order 17 not found" in error.message
    assert len(error.message) < 400
    assert "s3cret" not in error.message


def test_status_500_fails_too(server: str) -> None:
    error = failure(url=f"{server}/status/500", method="POST", body={"a": 1})
    assert error.code == "http.status"
    assert "500" in error.message


def test_fail_on_status_false_returns_the_response(server: str) -> None:
    result = call(url=f"{server}/status/503", failOnStatus=False)
    assert (result.status, result.body["error"]) == (503, "order 17 not found")


# --- errors ------------------------------------------------------------------------------


def test_invalid_json_with_response_type_json(server: str) -> None:
    error = failure(url=f"{server}/text", responseType="json")
    assert error.code == "http.invalid_response"


@pytest.mark.parametrize("levels", [64, 260, 100_000])
def test_json_nesting_deeper_than_the_limit_fails_http_too_deep(server: str, levels: int) -> None:
    error = failure(url=f"{server}/deep?levels={levels}&token=secret")
    assert error.code == "http.too_deep"
    assert f"/deep nests deeper than the 64 levels allowed ({levels + 1} levels;" in error.message
    assert "secret" not in error.message


def test_json_at_the_limit_is_the_body(server: str) -> None:
    body = call(url=f"{server}/deep?levels=63").body
    assert body == json.loads('{"a": ' + "[" * 63 + "]" * 63 + "}")


def test_the_depth_limit_comes_from_the_context(server: str) -> None:
    context = ComponentContext(max_json_depth=8)
    shallow = run(HttpRequestInput(url=f"{server}/deep?levels=7"), context)
    with pytest.raises(ComponentFailed) as caught:
        run(HttpRequestInput(url=f"{server}/deep?levels=8"), context)
    assert shallow.body == {"a": [[[[[[[]]]]]]]}
    assert caught.value.code == "http.too_deep"


def test_broken_compression_is_an_invalid_response(server: str) -> None:
    error = failure(url=f"{server}/bad-gzip")
    assert error.code == "http.invalid_response"


def test_timeout_while_waiting_for_the_answer(server: str) -> None:
    started = time.monotonic()
    error = failure(url=f"{server}/sleep", timeoutSeconds=0.3)
    assert error.code == "http.timeout"
    assert time.monotonic() - started < 1.2


def test_timeout_covers_the_whole_body_not_each_read(server: str) -> None:
    started = time.monotonic()
    error = failure(url=f"{server}/trickle", timeoutSeconds=0.5)
    assert error.code == "http.timeout"
    assert time.monotonic() - started < 1.5


def test_connection_refused() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nobody listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error = failure(url=f"http://127.0.0.1:{port}/")
    assert error.code == "http.connection"


def test_server_hanging_up_is_a_connection_error(server: str) -> None:
    error = failure(url=f"{server}/drop")
    assert error.code == "http.connection"


def test_declared_length_over_the_limit(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MAX_RESPONSE_BYTES_ENV, "1000")
    error = failure(url=f"{server}/big?size=5000")
    assert error.code == "http.too_large"


def test_streamed_body_over_the_limit(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MAX_RESPONSE_BYTES_ENV, "10000")
    error = failure(url=f"{server}/big-chunked?size=50000")
    assert error.code == "http.too_large"


def test_body_exactly_at_the_limit_passes(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MAX_RESPONSE_BYTES_ENV, "10000")
    result = call(url=f"{server}/big-chunked?size=10000")
    assert len(result.body) == 10000


def test_default_limit_counts_decompressed_bytes(server: str) -> None:
    error = failure(url=f"{server}/gzip-bomb")
    assert error.code == "http.too_large"
    assert "5242880" in error.message


# --- the SSRF guard ----------------------------------------------------------------------


@pytest.mark.usefixtures("no_allowances")
@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://127.0.0.1/", "loopback"),
        ("http://10.0.0.1/", "private"),
        ("http://192.168.1.1:8080/", "private"),
        ("http://100.64.0.1/", "private"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[::1]/", "loopback"),
        ("http://[fd00::1]/", "private"),
        ("http://[fe80::1]/", "link-local"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://[::ffff:169.254.169.254]/", "link-local"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://224.0.0.1/", "multicast"),
        ("http://localhost/", "loopback"),
        ("http://2130706433/", "loopback"),
        ("http://127.1/", "loopback"),
    ],
)
def test_non_public_addresses_are_refused_before_connecting(url: str, kind: str) -> None:
    error = failure(url=url)
    assert error.code == "http.forbidden_address"
    assert f"a {kind} address" in error.message


def test_refusal_applies_to_https_too(no_allowances: None) -> None:
    error = failure(url="https://10.1.2.3/api", method="POST", body={"a": 1})
    assert error.code == "http.forbidden_address"


def test_allowed_host_name_is_called(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ALLOW_HOSTS_ENV, "LOCALHOST")
    port = server.rsplit(":", 1)[1]
    result = call(url=f"http://localhost:{port}/json")
    assert result.status == 200


def test_allow_hosts_by_name_does_not_allow_the_address(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ALLOW_HOSTS_ENV, "localhost")
    error = failure(url=f"{server}/json")
    assert error.code == "http.forbidden_address"


def test_allow_private_allows_everything(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ALLOW_HOSTS_ENV)
    monkeypatch.setenv(ALLOW_PRIVATE_ENV, "1")
    result = call(url=f"{server}/json")
    assert result.status == 200


def test_policy_reads_hosts_and_networks() -> None:
    policy = HttpPolicy.from_environment(
        {ALLOW_HOSTS_ENV: " CRM.local. , 10.1.0.0/16,[::1] ,", MAX_RESPONSE_BYTES_ENV: "42"}
    )
    assert policy.allow_hosts == {"crm.local"}
    assert [str(n) for n in policy.allow_networks] == ["10.1.0.0/16", "::1/128"]
    assert policy.max_response_bytes == 42
    assert not policy.allow_private


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("8.8.8.8", None),
        ("2a00:1450:4010::64", None),
        ("198.18.0.1", "private"),
        ("2002:7f00:1::", "loopback"),  # 6to4 wrapping 127.0.0.1
        ("64:ff9b::a00:1", "private"),  # NAT64 wrapping 10.0.0.1
        ("240.0.0.1", "reserved"),
        ("fec0::1", "site-local"),  # deprecated site-local IPv6 (test_address_guard: the rest)
    ],
)
def test_forbidden_reason(address: str, reason: str | None) -> None:
    assert forbidden_reason(ip_address(address)) == reason


# --- redirects ---------------------------------------------------------------------------


def test_redirect_is_followed(server: str) -> None:
    result = call(url=f"{server}/redirect?to=/json")
    assert (result.status, result.body["rate"]) == (200, 1.5)


def test_redirect_to_the_metadata_address_is_refused(server: str) -> None:
    error = failure(url=f"{server}/redirect?to=http://169.254.169.254/latest/meta-data/")
    assert error.code == "http.forbidden_address"
    assert "169.254.169.254" in error.message


def test_redirect_to_a_loopback_name_is_refused(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ALLOW_HOSTS_ENV, "localhost")
    port = server.rsplit(":", 1)[1]
    to = f"http://127.0.0.1:{port}/json"
    error = failure(url=f"http://localhost:{port}/redirect?to={to}")
    assert error.code == "http.forbidden_address"


def test_redirect_to_another_scheme_is_refused(server: str) -> None:
    error = failure(url=f"{server}/redirect?to=file:///etc/passwd")
    assert error.code == "http.forbidden_address"


def test_too_many_redirects(server: str) -> None:
    error = failure(url=f"{server}/loop")
    assert error.code == "http.status"
    assert "more than 5 redirects" in error.message


def test_303_turns_post_into_get_without_body(server: str) -> None:
    result = call(url=f"{server}/redirect?code=303&to=/echo", method="POST", body={"a": 1})
    assert (result.body["method"], result.body["body"]) == ("GET", None)
    assert "content-type" not in result.body["headers"]


def test_307_keeps_method_and_body(server: str) -> None:
    result = call(url=f"{server}/redirect?code=307&to=/echo", method="POST", body={"a": 1})
    assert (result.body["method"], result.body["body"]) == ("POST", '{"a": 1}')


def test_credentials_stay_with_their_origin(server: str) -> None:
    port = server.rsplit(":", 1)[1]
    other_origin = f"http://localhost:{port}/echo"  # same server, another host name
    headers = {"Authorization": "Bearer s3cret", "X-Keep": "yes"}
    result = call(url=f"{server}/redirect?to={other_origin}", headers=headers)
    assert "authorization" not in result.body["headers"]
    assert result.body["headers"]["x-keep"] == "yes"


def test_credentials_follow_a_same_origin_redirect(server: str) -> None:
    result = call(url=f"{server}/redirect?to=/echo", headers={"Authorization": "Bearer t"})
    assert result.body["headers"]["authorization"] == "Bearer t"


# --- logging -----------------------------------------------------------------------------


def test_authorization_is_never_logged(server: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    call(url=f"{server}/echo", headers={"Authorization": "Bearer s3cret-token"})
    assert "s3cret-token" not in caplog.text


# --- TLS through the pinned address ------------------------------------------------------


def _self_signed_localhost(directory: Any) -> tuple[str, str]:
    pytest.importorskip("cryptography")  # comes with moto, a dev dependency
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_path), str(key_path)


def test_https_sends_the_host_name_as_sni_while_connecting_to_the_checked_address(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = _self_signed_localhost(tmp_path)
    names_seen: list[str | None] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)

    def remember_server_name(_sock: Any, name: str | None, _context: Any) -> None:
        names_seen.append(name)

    context.sni_callback = remember_server_name
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    monkeypatch.setenv(ALLOW_HOSTS_ENV, "localhost")
    try:
        # The self-signed certificate is not trusted, so the call fails after the handshake
        # began; what matters is that the server was asked for "localhost", not an IP.
        error = failure(url=f"https://localhost:{httpd.server_address[1]}/json")
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert error.code == "http.connection"
    assert "CERTIFICATE_VERIFY_FAILED" in error.message
    assert names_seen == ["localhost"]
