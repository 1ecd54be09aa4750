"""Expressions: JSONata (with Step Functions' functions and a time limit), JSONPath, intrinsics.

The same text must mean the same thing here and on AWS Step Functions, so each module follows
AWS's observed behaviour where the shared conformance corpus shows it.
"""

from __future__ import annotations

from automations.expressions.errors import (
    ExpressionError,
    IntrinsicFailure,
    IntrinsicSyntaxError,
    JsonataEvaluationError,
    JsonataSyntaxError,
    JsonataTimeout,
    JsonataUnsupportedResult,
    JsonPathNotFound,
    JsonPathSyntaxError,
)
from automations.expressions.free_vars import free_variables
from automations.expressions.intrinsics import evaluate_intrinsic, is_intrinsic, parse_intrinsic
from automations.expressions.jsonata_expr import (
    DEFAULT_TIMEOUT_SECONDS,
    UNDEFINED,
    JsonataExpression,
    compile_jsonata,
    evaluate_jsonata,
    parse_jsonata,
)
from automations.expressions.jsonpath import JsonPath, compile_path, is_path
from automations.expressions.template import expression_text, is_expression

__all__ = [
    "DEFAULT_TIMEOUT_SECONDS",
    "UNDEFINED",
    "ExpressionError",
    "IntrinsicFailure",
    "IntrinsicSyntaxError",
    "JsonPath",
    "JsonPathNotFound",
    "JsonPathSyntaxError",
    "JsonataEvaluationError",
    "JsonataExpression",
    "JsonataSyntaxError",
    "JsonataTimeout",
    "JsonataUnsupportedResult",
    "compile_jsonata",
    "compile_path",
    "evaluate_intrinsic",
    "evaluate_jsonata",
    "expression_text",
    "free_variables",
    "is_expression",
    "is_intrinsic",
    "is_path",
    "parse_intrinsic",
    "parse_jsonata",
]
