"""Web requests (synchronous, asynchronous, too slow), schedules and manual runs over real HTTP,
and the management API's answers for what it refuses."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx

from support.devserver import SCENARIOS, StartDev


def test_web_requests_sync_async_and_timeout(dev_server: StartDev) -> None:
    dev = dev_server(sync_timeout_seconds=1)
    dev.save_scenario("web-echo")
    dev.save_scenario("wait-two-seconds")
    endpoint = dev.ok(
        "POST", "/api/v1/webrequests", json={"urlId": "echo-1", "scenarioId": "web-echo"}
    )
    dev.ok("POST", "/api/v1/webrequests", json={"urlId": "slow", "scenarioId": "wait-two-seconds"})
    taken = dev.client.post(
        "/api/v1/webrequests", json={"urlId": "echo-1", "scenarioId": "web-echo"}
    )
    assert taken.status_code == 409

    answer = httpx.post(  # no credentials: web requests are public
        f"{dev.url}/api/webrequest/echo-1?sort=id&limit=10",
        json={"email": "client@example.com"},
        headers={"Cookie": "session=abc; theme=dark"},
    )
    assert answer.status_code == 201
    assert answer.headers["x-echo"] == "POST"
    body = answer.json()
    assert body["method"] == "POST"
    assert body["query"] == {"sort": "id", "limit": "10"}
    assert body["body"] == {"email": "client@example.com"}
    # the cookies' names reach the scenario, never their values (any may be a session)
    assert body["cookies"] == {"session": "***", "theme": "***"}
    assert body["url"].endswith("/api/webrequest/echo-1?sort=id&limit=10")
    assert body["event"] == {"id": endpoint["id"], "type": "$webRequest", "async": False}

    form = httpx.put(f"{dev.url}/api/webrequest/echo-1/", data={"a": "1"})
    assert form.json()["body"] == {"a": "1"} and form.json()["method"] == "PUT"

    queued = httpx.get(f"{dev.url}/api/webrequest/echo-1?async=true")
    assert queued.status_code == 202
    process_id = queued.json()["processId"]
    done = dev.wait_for(
        lambda: (p := dev.process(process_id))["status"] == "completed" and p, what="async run"
    )
    assert done["event"]["async"] is True
    assert done["output"]["response"]["status"] == 201
    assert done["input"]["method"] == "GET" and done["input"]["query"] == {"async": "true"}

    missing = httpx.get(f"{dev.url}/api/webrequest/nobody-here")
    assert missing.status_code == 404

    slow = httpx.get(f"{dev.url}/api/webrequest/slow", timeout=30)
    assert slow.status_code == 504
    aborted = dev.process(slow.json()["processId"])
    assert aborted["status"] == "error"  # failed by its limit, not stopped by anyone
    assert aborted["error"]["code"] == "Process.Timeout"
    assert [s["element"] for s in aborted["trace"]][:3] == ["Start", "Before", "Wait"]


def test_a_schedule_fires_its_scenario(dev_server: StartDev) -> None:
    dev = dev_server(schedule_allow_seconds="true", scheduler_tick_seconds=0.2)
    dev.save_scenario("record-echo", "tick")
    bad = dev.client.post(
        "/api/v1/schedules", json={"expression": "every second", "scenarioId": "tick"}
    )
    assert bad.status_code == 400 and bad.json()["fieldId"] == "expression"
    schedule = dev.ok(
        "POST", "/api/v1/schedules", json={"expression": "rate(1 second)", "scenarioId": "tick"}
    )
    runs = dev.finished("tick", 2, timeout=15)
    dev.ok("DELETE", f"/api/v1/schedules/{schedule['id']}")
    first = runs[-1]
    assert first["status"] == "completed"
    assert first["event"] == {"id": schedule["id"], "type": "$schedule", "async": True}
    assert first["input"]["schedule"]["id"] == schedule["id"]
    times = sorted(r["input"]["schedule"]["time"] for r in runs)
    assert len(set(times)) == len(times)  # one process per due time
    assert first["initiator"]["userId"] is None


def test_manual_runs_through_the_api_and_the_cli(dev_server: StartDev) -> None:
    dev = dev_server()
    dev.save_scenario("manual-sum")
    process = dev.ok("POST", "/api/v1/scenarios/manual-sum/run", json={"input": {"a": 2, "b": 3}})
    assert process["status"] == "completed" and process["output"]["total"] == 5
    assert process["event"] == {"id": "manual", "type": "$manual", "async": False}
    assert process["input"]["a"] == 2 and process["input"]["script"] == {"id": "manual-sum"}
    assert dev.process(process["id"])["trace"][1]["element"] == "Add"

    queued = dev.client.post(
        "/api/v1/scenarios/manual-sum/run", json={"input": {"a": 1, "b": 1}, "async": True}
    )
    assert queued.status_code == 202
    dev.wait_for(lambda: dev.process(queued.json()["id"])["status"] == "completed", what="async")
    assert dev.client.post("/api/v1/scenarios/nothing/run", json={}).status_code == 404

    env = dict(dev.env)
    cli = subprocess.run(
        [
            sys.executable,
            "-m",
            "automations.cli",
            "start",
            "manual-sum",
            "--url",
            dev.url,
            "--input",
            '{"a": 40, "b": 2}',
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout)["output"]["total"] == 42


def test_management_api_saves_lists_refuses_and_stops(dev_server: StartDev) -> None:
    dev = dev_server()
    invalid = dev.client.put(
        "/api/v1/scenarios/broken",
        content=(SCENARIOS / "manual-sum.bpmn")
        .read_text()
        .replace('targetRef="End"', 'targetRef="Nowhere"'),
        headers={"Content-Type": "application/xml"},
    )
    assert invalid.status_code == 422
    problem = invalid.json()["errors"][0]
    assert set(problem) == {"elementId", "element", "line", "message"} and problem["line"] > 0
    assert problem["elementId"] == problem["element"]
    assert dev.client.get("/api/v1/scenarios/broken").status_code == 404

    saved = dev.save_scenario("wait-two-seconds", "waiter")
    again = dev.save_scenario("wait-two-seconds", "waiter")
    assert (saved["id"], saved["version"], again["version"]) == ("waiter", 1, 2)
    assert saved["flavours"] == ["EXPRESS", "STANDARD"]
    listed = dev.ok("GET", "/api/v1/scenarios")
    assert [(s["id"], s["version"]) for s in listed] == [("waiter", 2)]
    text = dev.client.get("/api/v1/scenarios/waiter", params={"version": 1})
    assert text.headers["content-type"].startswith("application/xml") and "PT2S" in text.text

    started = dev.client.post("/api/v1/scenarios/waiter/run", json={"async": True}).json()
    dev.wait_for(lambda: dev.process(started["id"])["status"] == "running", what="running")
    stopped = dev.ok("POST", f"/api/v1/processes/{started['id']}/stop")
    assert stopped["status"] == "aborted" and stopped["error"]["code"] == "Process.Stopped"
    again_stop = dev.client.post(f"/api/v1/processes/{started['id']}/stop")
    assert again_stop.status_code == 409
    assert dev.client.get("/api/v1/processes/nope").status_code == 404
    by_status = dev.processes(status="aborted", scenarioId="waiter")
    assert [p["id"] for p in by_status] == [started["id"]] and "trace" not in by_status[0]
    assert dev.processes(**{"from": "2100-01-01T00:00:00Z"}) == []
    anonymous = httpx.get(f"{dev.url}/api/v1/processes")
    assert anonymous.status_code == 401
