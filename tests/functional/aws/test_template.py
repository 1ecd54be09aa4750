"""template.yaml against the code: handlers import, every component has its function with only
the rights it needs, the tables are tables.py's, the settings are Settings' fields."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from typing import Any

import handler_support as support
import pytest
from cfnlint.decode import cfn_yaml

from automations.adapters.aws.machines import component_arn_from_prefix
from automations.adapters.aws.tables import TABLES, TableSpec
from automations.components import registry
from automations.settings import PREFIX, Settings

ROOT = support.ROOT
TEMPLATE: dict[str, Any] = json.loads(json.dumps(cfn_yaml.load(str(ROOT / "template.yaml"))))
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]
FUNCTIONS = {k: v for k, v in RESOURCES.items() if v["Type"] == "AWS::Serverless::Function"}
# Zip functions (a handler in a code folder, the layer) and container-image ones (the converter).
ZIP_FUNCTIONS = {k: v for k, v in FUNCTIONS.items() if "CodeUri" in v["Properties"]}
IMAGE_FUNCTIONS = {k: v for k, v in FUNCTIONS.items() if k not in ZIP_FUNCTIONS}
GLOBAL_ENV: dict[str, Any] = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]

# What each function may do, as (Sid, actions, resources, condition) - the template must say
# exactly this. Resources are logical ids ("RecordsTable"), "RecordsTable/index/*", or the
# ProcessRunnerPolicy (start and watch executions, create machines, pass their role).
READ = ("dynamodb:GetItem", "dynamodb:Query")
WRITE = (*READ, "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem")
ADMIN = (*WRITE, "dynamodb:DeleteItem", "dynamodb:BatchWriteItem")
CATALOG_ONLY = json.dumps(
    {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["CATALOG"]}}, sort_keys=True
)
AUTOMATIONS = ("AutomationsTable", "AutomationsTable/index/*")
RECORDS_READS = {
    ("Records", READ, ("RecordsTable",), None),
    ("Catalogs", READ, ("AutomationsTable",), CATALOG_ONLY),
}
# The attempts of calls that act (adapters/aws/idempotency.py): powertools' four item calls.
ONCE = (
    "Idempotency",
    ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"),
    ("IdempotencyTable",),
    None,
)
RECORDS_WRITES = {
    ONCE,
    "ProcessRunnerPolicy",
    ("Records", WRITE, ("RecordsTable",), None),
    ("Automations", WRITE, AUTOMATIONS, None),
}
# The operator's named connections: one secret each under <stack>/connections/.
CONNECTIONS = (
    "ConnectionSecrets",
    ("secretsmanager:GetSecretValue",),
    (
        "arn:AWS::Partition}:secretsmanager:AWS::Region}:AWS::AccountId}:secret:"
        "DeploymentName}/connections/*",
    ),
    None,
)
READ_FILES = ("ReadFiles", ("s3:GetObject",), ("FilesBucket/files/*",), None)
VPC_ACCESS = "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
VPC_ACCESS_IN_VPC = json.dumps(
    {"Fn::If": ["SqlInVpc", [{"Fn::Sub": VPC_ACCESS}], {"Ref": "AWS::NoValue"}]}, sort_keys=True
)
EXPECTED_RIGHTS: dict[str, set[Any]] = {
    "ApiFunction": {
        "ProcessRunnerPolicy",
        ("Records", ADMIN, ("RecordsTable",), None),
        ("Automations", ADMIN, AUTOMATIONS, None),
        ("AdminPassword", ("secretsmanager:GetSecretValue",), ("AdminPasswordSecret",), None),
        # Sessions and sign-in failures (no transactions: no ConditionCheckItem), by user on
        # gsi1; no other function may reach them.
        (
            "Sessions",
            tuple(a for a in ADMIN if a != "dynamodb:ConditionCheckItem"),
            ("SessionsTable", "SessionsTable/index/gsi1"),
            None,
        ),
        ("Files", ("s3:GetObject", "s3:PutObject"), ("FilesBucket/files/*",), None),
    },
    "WebhookFunction": {
        "ProcessRunnerPolicy",
        ("Automations", WRITE, AUTOMATIONS, None),
        CONNECTIONS,  # a messenger delivery's secret
    },
    "DispatcherFunction": {"ProcessRunnerPolicy", ("Automations", WRITE, AUTOMATIONS, None)},
    # The stack-delete custom resource: this stack's machines, and nothing else.
    "MachineTeardownFunction": {
        ("ListMachines", ("states:ListStateMachines",), ("*",), None),
        (
            "DeleteMachines",
            ("states:DescribeStateMachine", "states:ListExecutions", "states:DeleteStateMachine"),
            (
                "arn:AWS::Partition}:states:AWS::Region}:AWS::AccountId}:stateMachine:"
                "DeploymentName}-*",
            ),
            None,
        ),
        (
            "StopExecutions",
            ("states:StopExecution",),
            (
                "arn:AWS::Partition}:states:AWS::Region}:AWS::AccountId}:execution:"
                "DeploymentName}-*:*",
            ),
            None,
        ),
    },
    "http.request": {ONCE},
    "mail.send": {ONCE, CONNECTIONS, READ_FILES},
    "mail.receive": {
        ONCE,
        CONNECTIONS,
        ("WriteFiles", ("s3:PutObject",), ("FilesBucket/files/*",), None),
    },
    "parse": set(),
    "code.js": set(),  # the code reaches nothing: no network, files or AWS from inside V8
    "process.start": {ONCE, "ProcessRunnerPolicy", ("Automations", WRITE, AUTOMATIONS, None)},
    # Its own role (StepSqlQueryRole): what SAM gives the others is stated, network interfaces
    # only in the VPC.
    "sql.query": {
        ("Logs", ("logs:CreateLogStream", "logs:PutLogEvents"), ("StepSqlQueryLogs",), None),
        ("Tracing", ("xray:PutTraceSegments", "xray:PutTelemetryRecords"), ("*",), None),
        VPC_ACCESS_IN_VPC,
        ONCE,
        CONNECTIONS,
        (
            "NotWaitedFor",
            ("lambda:InvokeFunction",),
            (
                "arn:AWS::Partition}:lambda:AWS::Region}:AWS::AccountId}:function:"
                "DeploymentName}-sql-query",
            ),
            None,
        ),
    },
    "ai.request": {ONCE, CONNECTIONS},
    "telegram.send": {ONCE, CONNECTIONS, READ_FILES},
    "whatsapp.send": {ONCE, CONNECTIONS, READ_FILES},
    "max.send": {ONCE, CONNECTIONS, READ_FILES},
    "document.generate": RECORDS_WRITES
    | {("ReadWriteFiles", ("s3:GetObject", "s3:PutObject"), ("FilesBucket/files/*",), None)},
    "file.upload": RECORDS_WRITES
    | {("WriteFiles", ("s3:PutObject",), ("FilesBucket/files/*",), None)},
    # A comment on a record: the record and catalog read, one id taken, the message put.
    "message.send": {
        ONCE,
        ("Records", ("dynamodb:GetItem",), ("RecordsTable",), None),
        (
            "CatalogsAndProcess",
            ("dynamodb:GetItem",),
            ("AutomationsTable",),
            json.dumps(
                {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["CATALOG", "PROCESS#*"]}},
                sort_keys=True,
            ),
        ),
        (
            "MessageIds",
            ("dynamodb:UpdateItem",),
            ("AutomationsTable",),
            json.dumps(
                {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["COUNTER"]}},
                sort_keys=True,
            ),
        ),
        (
            "Messages",
            ("dynamodb:PutItem",),
            ("AutomationsTable",),
            json.dumps(
                {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["MESSAGE#*"]}},
                sort_keys=True,
            ),
        ),
        READ_FILES,
    },
    "records.get": RECORDS_READS,
    "records.find": RECORDS_READS,
    "records.structure": {("Catalogs", READ, ("AutomationsTable",), CATALOG_ONLY)},
    "records.create": RECORDS_WRITES,
    "records.update": RECORDS_WRITES,
    "records.delete": RECORDS_WRITES,
}


def step_runners() -> dict[str, dict[str, Any]]:
    """Component name -> its function's properties."""
    found = {}
    for function in FUNCTIONS.values():
        properties = function["Properties"]
        if properties.get("CodeUri", "functions/step-runner") == "functions/step-runner":
            found[properties["Environment"]["Variables"]["COMPONENT"]] = properties
    return found


def resource_name(value: Any) -> str:
    """A Resource / !Ref / !GetAtt / !Sub as the logical id it names."""
    if isinstance(value, dict):
        if "Fn::GetAtt" in value:
            return str(value["Fn::GetAtt"][0])
        if "Ref" in value:
            return str(value["Ref"])
        if "Fn::Sub" in value:
            return str(value["Fn::Sub"]).replace("${", "").replace(".Arn}", "")
    return str(value)


def rights_of(properties: dict[str, Any]) -> set[Any]:
    rights: set[Any] = set()
    policies = properties.get("Policies", [])
    if "Role" in properties:  # its own AWS::IAM::Role: inline documents and AWS managed ARNs
        role = RESOURCES[resource_name(properties["Role"])]["Properties"]
        policies = [p["PolicyDocument"] for p in role.get("Policies", [])]
        if "ManagedPolicyArns" in role:
            rights.add(json.dumps(role["ManagedPolicyArns"], sort_keys=True))
    for policy in policies:
        if "Ref" in policy:
            rights.add(policy["Ref"])
            continue
        for statement in policy["Statement"]:
            assert statement["Effect"] == "Allow"
            resources = statement["Resource"]
            resources = resources if isinstance(resources, list) else [resources]
            rights.add(
                (
                    statement["Sid"],
                    tuple(sorted(statement["Action"])),
                    tuple(sorted(resource_name(r) for r in resources)),
                    json.dumps(statement.get("Condition"), sort_keys=True)
                    if statement.get("Condition")
                    else None,
                )
            )
    return rights


def normalized(expected: set[Any]) -> set[Any]:
    return {
        e
        if isinstance(e, str)
        else (
            e[0],
            tuple(sorted(e[1])),
            tuple(sorted(e[2])),
            e[3],
        )
        for e in expected
    }


# --- handlers -------------------------------------------------------------------------------


@pytest.mark.parametrize("logical_id", sorted(ZIP_FUNCTIONS))
def test_every_handler_imports_and_is_callable(
    logical_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    properties = FUNCTIONS[logical_id]["Properties"]
    module_file, _, attribute = properties["Handler"].rpartition(".")
    path = ROOT / properties["CodeUri"] / f"{module_file}.py"
    for name, value in (support.HANDLER_ENV | properties["Environment"]["Variables"]).items():
        if isinstance(value, str):
            monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location(f"template_{logical_id}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    assert callable(getattr(module, attribute))
    assert properties["Runtime" if "Runtime" in properties else "CodeUri"]
    assert FUNCTIONS[logical_id]["Metadata"] == {
        "BuildMethod": "makefile",
        "ContextPath": "infra/functions",
    }


def test_functions_run_python_3_12_with_the_layer() -> None:
    function_globals = TEMPLATE["Globals"]["Function"]
    for logical_id, function in ZIP_FUNCTIONS.items():
        assert function["Properties"]["Runtime"] == "python3.12", logical_id
        # V8 is code.js's own layer: no other function carries its 85 MB
        own = [{"Ref": "CodeJsLayer"}] if logical_id == "StepCodeJs" else []
        assert function["Properties"]["Layers"] == [{"Ref": "AutomationsLayer"}, *own], logical_id
    for name in ("AutomationsLayer", "CodeJsLayer"):
        layer = RESOURCES[name]
        assert layer["Metadata"]["BuildMethod"] == "makefile"
        makefile = ROOT / layer["Metadata"]["ContextPath"] / "Makefile"
        assert f"build-{name}:" in makefile.read_text(encoding="utf-8")
        assert layer["Properties"]["CompatibleArchitectures"] == function_globals["Architectures"]


# --- components -------------------------------------------------------------------------------


def test_every_component_has_its_function_and_no_other_exists() -> None:
    runners = step_runners()

    assert sorted(runners) == registry.names()
    component_arn = component_arn_from_prefix("arn:aws:lambda:r:1:function:${DeploymentName}-")
    for name, properties in runners.items():
        assert properties["FunctionName"] == {
            "Fn::Sub": f"${{DeploymentName}}-{name.replace('.', '-')}"
        }
        assert component_arn(name).endswith(properties["FunctionName"]["Fn::Sub"])
        if "CodeUri" in properties:
            assert properties["Handler"] == "app.handler"
        else:  # the image's own CMD names the handler (tests/unit/components/test_convert_image.py)
            assert properties["PackageType"] == "Image"
        assert isinstance(properties["MemorySize"], int)
        assert isinstance(properties["Timeout"], int)


def test_the_machine_role_invokes_exactly_the_step_runners() -> None:
    role = RESOURCES["StateMachineRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    invoke = next(s for s in role["Statement"] if s["Action"] == "lambda:InvokeFunction")
    names = {r["Fn::Sub"].rsplit(":function:${DeploymentName}-", 1)[1] for r in invoke["Resource"]}

    assert names == {n.replace(".", "-") for n in registry.names()}


@pytest.mark.parametrize("name", sorted(EXPECTED_RIGHTS))
def test_each_function_has_only_the_rights_it_needs(name: str) -> None:
    properties = step_runners().get(name) or FUNCTIONS[name]["Properties"]

    assert rights_of(properties) == normalized(EXPECTED_RIGHTS[name])


def test_every_function_is_listed_in_the_rights_table() -> None:
    listed = {n for n in EXPECTED_RIGHTS if n in FUNCTIONS} | {
        logical_id
        for logical_id, f in FUNCTIONS.items()
        if f["Properties"].get("CodeUri", "functions/step-runner") == "functions/step-runner"
    }
    assert listed == set(FUNCTIONS)


def test_the_converter_image_is_the_operators_and_optional() -> None:
    # No Docker here, and `sam build` would need it: the image is built and pushed by the
    # operator (docs/operations.md) and named by a parameter; without one there is no function.
    assert set(IMAGE_FUNCTIONS) == {"StepConvert"}
    function = IMAGE_FUNCTIONS["StepConvert"]
    assert function["Properties"]["ImageUri"] == {"Ref": "ConvertImageUri"}
    assert "Metadata" not in function
    assert TEMPLATE["Parameters"]["ConvertImageUri"]["Default"] == ""
    for logical_id in ("StepConvert", "StepConvertLogs", "StepConvertErrorsAlarm"):
        assert RESOURCES[logical_id]["Condition"] == "HasConvertImage"


def test_a_function_in_a_vpc_only_sometimes_has_its_own_role() -> None:
    # SAM grants network interfaces on * whenever VpcConfig is written, whatever its !If says.
    for logical_id, function in FUNCTIONS.items():
        properties = function["Properties"]
        if "Fn::If" not in properties.get("VpcConfig", {}):
            continue
        condition, in_vpc, outside = properties["VpcConfig"]["Fn::If"]
        assert in_vpc["SubnetIds"] and outside == {"Ref": "AWS::NoValue"}, logical_id
        assert "Role" in properties, f"{logical_id}: SAM's role would have EC2 rights outside"
        assert "Policies" not in properties, f"{logical_id}: SAM ignores Policies with a Role"
        role = RESOURCES[resource_name(properties["Role"])]["Properties"]
        assert role["ManagedPolicyArns"] == {
            "Fn::If": [condition, [{"Fn::Sub": VPC_ACCESS}], {"Ref": "AWS::NoValue"}]
        }
        inline = [s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]]
        assert not [s for s in inline if "ec2:" in json.dumps(s["Action"])], logical_id


def test_a_function_with_its_own_role_gets_what_sam_would_give() -> None:
    tracing = TEMPLATE["Globals"]["Function"]["Tracing"]
    own = {k: f["Properties"] for k, f in FUNCTIONS.items() if "Role" in f["Properties"]}
    assert own, "no function has its own role: this test checks nothing"
    for logical_id, properties in own.items():
        role = RESOURCES[resource_name(properties["Role"])]
        assert role["Type"] == "AWS::IAM::Role"
        (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert trust["Principal"] == {"Service": "lambda.amazonaws.com"}, logical_id
        granted = {
            (action, resource_name(s["Resource"]))
            for p in role["Properties"]["Policies"]
            for s in p["PolicyDocument"]["Statement"]
            for action in s["Action"]
        }
        # Its own log group only: the one LoggingConfig names, which the stack creates.
        group = properties.get("LoggingConfig", {}).get("LogGroup", {}).get("Ref")
        assert RESOURCES[group]["Type"] == "AWS::Logs::LogGroup", logical_id
        for action in ("logs:CreateLogStream", "logs:PutLogEvents"):
            assert {r for a, r in granted if a == action} == {group}, (logical_id, action)
        assert not {a for a, _ in granted if a == "logs:CreateLogGroup"}, logical_id
        if properties.get("Tracing", tracing) == "Active":
            assert {("xray:PutTraceSegments", "*"), ("xray:PutTelemetryRecords", "*")} <= granted


def test_functions_that_reach_a_table_are_told_its_name() -> None:
    for logical_id, function in FUNCTIONS.items():
        properties = function["Properties"]
        env = properties["Environment"]["Variables"]
        tables = {r[2][0] for r in rights_of(properties) if isinstance(r, tuple)}
        for spec in TABLES:
            if f"{spec.name}Table" in tables:
                assert env[spec.env] == {"Ref": f"{spec.name}Table"}, logical_id


def test_functions_that_run_processes_know_the_role_and_the_name_prefixes() -> None:
    for logical_id, function in FUNCTIONS.items():
        properties = function["Properties"]
        env = properties["Environment"]["Variables"]
        runs = "ProcessRunnerPolicy" in rights_of(properties)
        assert ("STATE_MACHINE_ROLE_ARN" in env) == runs, logical_id
        assert ("COMPONENT_FUNCTION_PREFIX" in env) == runs, logical_id
        assert ("STATE_MACHINE_PREFIX" in env) == runs, logical_id
        if runs:
            # The rights and the end-event rule name this stack's machines by this prefix.
            assert env["STATE_MACHINE_PREFIX"] == {"Fn::Sub": "${DeploymentName}-"}
            assert env["STATE_MACHINE_ROLE_ARN"] == {"Fn::GetAtt": ["StateMachineRole", "Arn"]}
            assert env["COMPONENT_FUNCTION_PREFIX"]["Fn::Sub"].endswith(
                ":function:${DeploymentName}-"
            )


# --- events -------------------------------------------------------------------------------------


def test_the_dispatcher_reads_the_stream_reporting_failures_per_record() -> None:
    events = FUNCTIONS["DispatcherFunction"]["Properties"]["Events"]
    stream = events["RecordChanges"]["Properties"]

    assert events["RecordChanges"]["Type"] == "DynamoDB"
    assert stream["Stream"] == {"Fn::GetAtt": ["RecordsTable", "StreamArn"]}
    assert stream["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert stream["BisectBatchOnFunctionError"] is True
    assert stream["MaximumRetryAttempts"] >= 1
    ends = events["ExecutionEnds"]["Properties"]["Pattern"]
    assert ends["detail-type"] == [support.status_change("a:b:c:d:e:f:g:h", "X")["detail-type"]]
    assert set(ends["detail"]["status"]) == {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}
    # Only this stack's machines (their names start with the stack's name).
    [only] = ends["detail"]["stateMachineArn"]
    assert only["prefix"]["Fn::Sub"].endswith(":stateMachine:${DeploymentName}-")
    assert events["Tick"]["Properties"]["Schedule"] == "rate(1 minute)"


def test_the_api_routes_records_and_management_to_api_and_web_requests_to_webhook() -> None:
    def routes(logical_id: str) -> set[tuple[str, str]]:
        events = FUNCTIONS[logical_id]["Properties"]["Events"].values()
        return {(e["Properties"]["Path"], e["Properties"]["Method"]) for e in events}

    # The web app is served by the API function too: its page at the root, files and routes below.
    assert routes("ApiFunction") == {
        ("/api/v1/{proxy+}", "ANY"),
        ("/", "ANY"),
        ("/{proxy+}", "ANY"),
    }
    assert routes("WebhookFunction") == {
        ("/api/webrequest/{urlId}", "ANY"),
        ("/api/messengers/{connection}", "POST"),
        ("/api/messengers/{connection}", "GET"),
    }
    assert {"AppUrl", "ApiUrl", "WebhookBaseUrl"} <= set(TEMPLATE["Outputs"])
    assert TEMPLATE["Outputs"]["AppUrl"]["Value"]["Fn::Sub"].endswith("/${StageName}/")


def test_the_api_function_finds_the_web_app_where_its_build_copies_it() -> None:
    env = FUNCTIONS["ApiFunction"]["Properties"]["Environment"]["Variables"]
    makefile = (ROOT / "infra" / "functions" / "Makefile").read_text(encoding="utf-8")
    assert env["AUTOMATIONS_WEB_ROOT"] == "/var/task/web"  # Lambda's code folder + web
    assert 'cp -R "$(ROOT)/web/dist" "$(ARTIFACTS_DIR)/web"' in makefile
    read = Settings.from_environment({"AUTOMATIONS_WEB_ROOT": env["AUTOMATIONS_WEB_ROOT"]})
    assert read.web_root == "/var/task/web"


def test_only_the_api_function_reaches_the_sessions() -> None:
    reaching = {
        logical_id
        for logical_id, function in FUNCTIONS.items()
        if "SessionsTable" in json.dumps(function["Properties"].get("Policies", []))
        or "SESSIONS_TABLE" in function["Properties"].get("Environment", {}).get("Variables", {})
    }
    assert reaching == {"ApiFunction"}
    assert "SessionsTable" not in json.dumps(RESOURCES["ProcessRunnerPolicy"])


# --- tables and settings ------------------------------------------------------------------------


@pytest.mark.parametrize("spec", TABLES, ids=lambda s: s.name)
def test_the_tables_are_the_ones_tables_py_defines(spec: TableSpec) -> None:
    properties = RESOURCES[f"{spec.name}Table"]["Properties"]
    created = spec.create_arguments("any")

    assert properties["KeySchema"] == created["KeySchema"]
    assert sorted(properties["AttributeDefinitions"], key=str) == sorted(
        created["AttributeDefinitions"], key=str
    )
    assert properties.get("GlobalSecondaryIndexes", []) == created.get("GlobalSecondaryIndexes", [])
    assert properties["BillingMode"] == created["BillingMode"]
    stream = properties.get("StreamSpecification", {}).get("StreamViewType")
    assert stream == spec.stream
    ttl = properties.get("TimeToLiveSpecification", {})
    assert (ttl.get("AttributeName") if ttl.get("Enabled") else None) == spec.ttl_attribute


def test_every_table_of_the_template_is_in_tables_py() -> None:
    tables = {k for k, v in RESOURCES.items() if v["Type"] == "AWS::DynamoDB::Table"}
    assert tables == {f"{spec.name}Table" for spec in TABLES}


def test_the_limits_are_parameters_that_settings_accepts() -> None:
    limits = {k: v for k, v in GLOBAL_ENV.items() if k.startswith(PREFIX)}
    values = {
        k: str(TEMPLATE["Parameters"][v["Ref"]]["Default"]) if isinstance(v, dict) else v
        for k, v in limits.items()
    }
    settings = Settings.from_environment(values)  # raises if a name or a value does not fit

    expected = {
        "AUTOMATIONS_MAX_RUNNING",
        "AUTOMATIONS_PROCESS_TIMEOUT_SECONDS",
        "AUTOMATIONS_MAX_PROCESS_DATA_BYTES",
        "AUTOMATIONS_SYNC_TIMEOUT_SECONDS",
    }
    assert expected <= set(limits)
    assert {k.removeprefix(PREFIX).lower() for k in limits} <= set(Settings.model_fields)
    assert settings.max_running == 100
    assert settings.max_process_data_bytes == 256 * 1024
    # API Gateway answers after 29 s: a synchronous run must end before that.
    assert settings.sync_timeout_seconds < 29
    assert settings.demo is False


# --- the layer ----------------------------------------------------------------------------------


def test_the_layer_holds_every_dependency_but_boto3_and_the_dev_server() -> None:
    script = ROOT / "infra" / "layer" / "requirements.py"
    listed = subprocess.run(
        [sys.executable, str(script), str(ROOT / "pyproject.toml")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    names = {line.split(">")[0].split("=")[0].split("<")[0] for line in listed}

    assert "aws-lambda-powertools" in names and "pydantic" in names
    assert not names & {"boto3", "botocore", "uvicorn", "uvloop", "httptools", "mini-racer"}
    code_js = subprocess.run(
        [sys.executable, str(script), "--code-js", str(ROOT / "pyproject.toml")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert [line.split(">")[0] for line in code_js] == ["mini-racer"]  # V8: code.js's layer


def test_record_events_given_up_on_land_in_a_queue_that_raises_an_alarm() -> None:
    stream = FUNCTIONS["DispatcherFunction"]["Properties"]["Events"]["RecordChanges"]
    destination = stream["Properties"]["DestinationConfig"]["OnFailure"]["Destination"]
    alarms = [r["Properties"] for r in RESOURCES.values() if r["Type"] == "AWS::CloudWatch::Alarm"]
    watched = [
        dimension["Value"]
        for alarm in alarms
        if alarm["MetricName"] == "ApproximateNumberOfMessagesVisible" and alarm["Threshold"] == 1
        for dimension in alarm["Dimensions"]
    ]

    assert destination == {"Fn::GetAtt": ["UndispatchedEvents", "Arn"]}
    assert {"Fn::GetAtt": ["UndispatchedEvents", "QueueName"]} in watched
