"""template.yaml is operable: every function has its error and throttle alarms and a log group
with the retention, the state machines the code creates log their errors, every dead-letter
queue raises an alarm, and names that could overflow are refused at deploy time."""

from __future__ import annotations

import importlib.util
import json
import re
from typing import Any

import handler_support as support
import pytest
from cfnlint.decode import cfn_yaml

from automations.adapters.aws import machine_logs
from automations.adapters.aws.machines import MAX_PREFIX, NAME_LIMIT, Machines

TEMPLATE: dict[str, Any] = json.loads(
    json.dumps(cfn_yaml.load(str(support.ROOT / "template.yaml")))
)
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]
PARAMETERS: dict[str, Any] = TEMPLATE["Parameters"]
FUNCTIONS = {k: v for k, v in RESOURCES.items() if v["Type"] == "AWS::Serverless::Function"}
ALARMS = {k: v["Properties"] for k, v in RESOURCES.items() if v["Type"] == "AWS::CloudWatch::Alarm"}
LAMBDA_NAME_LIMIT = 64
TOPIC = {"Fn::If": ["HasAlarmTopicArn", {"Ref": "AlarmTopicArn"}, {"Ref": "AlarmTopic"}]}


def alarms_on(namespace: str, metric: str) -> list[dict[str, Any]]:
    return [a for a in ALARMS.values() if a["Namespace"] == namespace and a["MetricName"] == metric]


def dimension(alarm: dict[str, Any], name: str) -> Any:
    return next(d["Value"] for d in alarm["Dimensions"] if d["Name"] == name)


def function_name(logical_id: str) -> str:
    """The function's name with `${DeploymentName}` left in (every function sets one)."""
    return str(FUNCTIONS[logical_id]["Properties"]["FunctionName"]["Fn::Sub"])


def load_dispatcher() -> Any:
    spec = importlib.util.spec_from_file_location(
        "template_ops_dispatcher", support.FUNCTIONS / "dispatcher" / "app.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- alarms -------------------------------------------------------------------------------------


@pytest.mark.parametrize("metric", ["Errors", "Throttles"])
def test_every_function_has_its_errors_and_throttles_alarm(metric: str) -> None:
    watched = [dimension(a, "FunctionName") for a in alarms_on("AWS/Lambda", metric)]

    assert sorted(w["Ref"] for w in watched) == sorted(FUNCTIONS)


def test_every_alarm_notifies_the_topic_and_is_named_after_the_deployment() -> None:
    for logical_id, alarm in ALARMS.items():
        assert alarm["AlarmActions"] == [TOPIC], logical_id
        assert alarm["AlarmName"] == {"Fn::Sub": f"${{DeploymentName}}-{logical_id}"}
        assert alarm["TreatMissingData"] == "notBreaching", logical_id  # no data: all is well


def test_the_stream_consumer_has_an_iterator_age_alarm() -> None:
    consumers = {
        logical_id
        for logical_id, function in FUNCTIONS.items()
        for event in function["Properties"].get("Events", {}).values()
        if event["Type"] in ("DynamoDB", "Kinesis")
    }
    watched = {dimension(a, "FunctionName")["Ref"] for a in alarms_on("AWS/Lambda", "IteratorAge")}

    assert consumers == {"DispatcherFunction"}
    assert watched == consumers


def test_every_queue_raises_an_alarm_when_a_message_waits() -> None:
    queues = {k for k, v in RESOURCES.items() if v["Type"] == "AWS::SQS::Queue"}
    alarms = alarms_on("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    watched = {dimension(a, "QueueName")["Fn::GetAtt"][0] for a in alarms}

    assert watched == queues
    assert all(a["Threshold"] == 1 and a["Statistic"] == "Maximum" for a in alarms)
    # The execution ends EventBridge cannot deliver land in one of them, not in a SAM queue.
    ends = FUNCTIONS["DispatcherFunction"]["Properties"]["Events"]["ExecutionEnds"]
    dead_letters = ends["Properties"]["DeadLetterConfig"]
    assert dead_letters == {"Arn": {"Fn::GetAtt": ["ExecutionEndsDeadLetters", "Arn"]}}


def test_the_api_alarms_on_5xx_and_p99_latency_of_its_stage() -> None:
    api = RESOURCES["Api"]["Properties"]
    (errors,) = alarms_on("AWS/ApiGateway", "5XXError")
    (latency,) = alarms_on("AWS/ApiGateway", "Latency")

    for alarm in (errors, latency):
        assert dimension(alarm, "ApiName") == api["Name"]
        assert dimension(alarm, "Stage") == api["StageName"] == {"Ref": "StageName"}
    assert latency["ExtendedStatistic"] == "p99"


def test_failed_and_timed_out_executions_alarm_on_what_the_dispatcher_counts() -> None:
    namespace = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"][
        "POWERTOOLS_METRICS_NAMESPACE"
    ]
    dispatcher_env = FUNCTIONS["DispatcherFunction"]["Properties"]["Environment"]["Variables"]
    counted = load_dispatcher().ENDED_METRICS

    assert set(counted) == {"FAILED", "TIMED_OUT"}
    for metric in counted.values():
        (alarm,) = [a for a in ALARMS.values() if a["MetricName"] == metric]
        assert alarm["Namespace"] == namespace
        # powertools adds the service as the one dimension of every metric.
        assert alarm["Dimensions"] == [
            {"Name": "service", "Value": dispatcher_env["POWERTOOLS_SERVICE_NAME"]}
        ]


# --- logs ---------------------------------------------------------------------------------------


def test_every_log_group_has_the_retention_parameter() -> None:
    groups = [v["Properties"] for v in RESOURCES.values() if v["Type"] == "AWS::Logs::LogGroup"]

    assert len(groups) == len(FUNCTIONS) + 1  # and the state machines'
    assert all(g["RetentionInDays"] == {"Ref": "LogRetentionDays"} for g in groups)
    assert PARAMETERS["LogRetentionDays"]["Default"] == 30


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_every_function_logs_to_its_own_group(logical_id: str) -> None:
    """Named as Lambda names it, and referenced, so it exists before the function runs."""
    config = FUNCTIONS[logical_id]["Properties"]["LoggingConfig"]
    group = RESOURCES[config["LogGroup"]["Ref"]]

    assert group["Properties"]["LogGroupName"] == {
        "Fn::Sub": f"/aws/lambda/{function_name(logical_id)}"
    }


def test_every_state_machine_logs_its_errors() -> None:
    """The template defines none itself (saves create them), and every function that can
    create one passes the log group and the execution-data switch to machine_logs."""
    defined = [v for v in RESOURCES.values() if v["Type"].endswith("::StateMachine")]
    assert all(m["Properties"]["Logging"]["Level"] == "ERROR" for m in defined)
    creators = {
        logical_id
        for logical_id, function in FUNCTIONS.items()
        if {"Ref": "ProcessRunnerPolicy"} in function["Properties"].get("Policies", [])
    }
    assert len(creators) >= 3
    group = RESOURCES["StateMachineLogs"]["Properties"]
    assert group["LogGroupName"]["Fn::Sub"].startswith("/aws/vendedlogs/states/")
    for logical_id in creators:
        env = FUNCTIONS[logical_id]["Properties"]["Environment"]["Variables"]
        assert env[machine_logs.LOG_GROUP_ENV] == {"Fn::GetAtt": ["StateMachineLogs", "Arn"]}
        assert env[machine_logs.EXECUTION_DATA_ENV] == {"Ref": "StateMachineLogExecutionData"}
    # With the defaults the machines log errors without the users' data.
    default = PARAMETERS["StateMachineLogExecutionData"]["Default"]
    arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/states/a:*"
    configuration = machine_logs.logging_configuration(
        {machine_logs.LOG_GROUP_ENV: arn, machine_logs.EXECUTION_DATA_ENV: default}
    )
    assert configuration is not None
    assert configuration["level"] == "ERROR" and configuration["includeExecutionData"] is False


def test_the_machine_role_and_the_creators_may_set_up_log_delivery() -> None:
    role = RESOURCES["StateMachineRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    runner = RESOURCES["ProcessRunnerPolicy"]["Properties"]["PolicyDocument"]
    for document in (role, runner):
        actions = {
            action for s in document["Statement"] if s["Resource"] == "*" for action in s["Action"]
        }
        assert {"logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:DescribeLogGroups"} <= (
            actions
        )
        assert all(a.startswith("logs:") for a in actions)  # "*" is for log delivery only


# --- deploy-time checks -------------------------------------------------------------------------


def test_the_deployment_name_cannot_overflow_a_machine_or_a_function_name() -> None:
    name = PARAMETERS["DeploymentName"]
    longest = "a" + "b" * (name["MaxLength"] - 1)
    suffixes = [function_name(k).removeprefix("${DeploymentName}") for k in FUNCTIONS]

    assert re.fullmatch(name["AllowedPattern"], longest)
    assert name["MaxLength"] + len("-") == MAX_PREFIX  # what adapters/aws/machines.py accepts
    assert name["MaxLength"] + max(len(s) for s in suffixes) <= LAMBDA_NAME_LIMIT
    client = type("Client", (), {"meta": type("Meta", (), {"region_name": "us-east-1"})()})()
    machines = Machines(
        client,
        role_arn="arn:aws:iam::123456789012:role/r",
        component_arn=lambda component: component,
        children=lambda scenario: None,
        prefix=longest + "-",
    )
    arn = machines.machine_arn("s" * 200, "STANDARD")
    assert len(arn.rsplit(":", 1)[1]) <= NAME_LIMIT
    assert not re.fullmatch(name["AllowedPattern"], "1st")  # stack names start with a letter


def test_every_name_starts_with_the_deployment_name_not_the_stack_name() -> None:
    text = (support.ROOT / "template.yaml").read_text(encoding="utf-8")
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))

    assert "AWS::StackName" not in code
    assert all(function_name(k).startswith("${DeploymentName}-") for k in FUNCTIONS)


def test_the_stage_is_a_parameter_and_never_the_dev_servers() -> None:
    stage = PARAMETERS["StageName"]
    (assertion,) = TEMPLATE["Rules"]["StageIsNotLocal"]["Assertions"]
    outputs = json.dumps(TEMPLATE["Outputs"])

    assert stage["Default"] == "prod" and re.fullmatch(stage["AllowedPattern"], "prod")
    assert assertion["Assert"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "StageName"}, "local"]}]}
    assert "/prod/" not in outputs and "/${StageName}/" in outputs


# --- the dashboard ------------------------------------------------------------------------------


def test_the_dashboard_is_json_that_names_this_stacks_resources() -> None:
    body = RESOURCES["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    references = set(re.findall(r"\$\{([^}]+)\}", body))
    widgets = json.loads(re.sub(r"\$\{[^}]+\}", "x", body))["widgets"]
    plotted = {m[1] for w in widgets for m in w["properties"]["metrics"]}

    for reference in references - {"AWS::Region"}:
        assert reference in PARAMETERS or reference.split(".")[0] in RESOURCES, reference
    alarmed = {a["MetricName"] for a in ALARMS.values()}
    assert alarmed <= plotted


def test_docs_operations_says_what_every_alarm_means() -> None:
    """Each alarm's row in the table: by its name, or a pattern (`Step<Component>ErrorsAlarm`)."""
    text = (support.ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    table = text.split("## Alarms", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^\| (.+?) \|", table, re.M)
    names = {n for cell in listed for n in re.findall(r"`([^`]*Alarm)`", cell)}
    patterns = [re.compile(re.sub(r"<\w+>|…", r"\\w+", n) + "$") for n in names]

    for logical_id in ALARMS:
        assert any(p.match(logical_id) for p in patterns), f"{logical_id} is not in the table"
    for name in names:
        pattern = re.compile(re.sub(r"<\w+>|…", r"\\w+", name) + "$")
        assert any(pattern.match(a) for a in ALARMS), f"{name} names no alarm of the template"
