"""What went wrong in an `sql.query` call, as its error code: read from the server's own code
(PostgreSQL's SQLSTATE, MySQL/MariaDB's error number) where there is one, else from the kind
of error the driver raised (SQLite's message for what its codes do not separate)."""

from __future__ import annotations

from typing import Any

CONNECTION = "sql.connection"
SYNTAX = "sql.syntax"
CONSTRAINT = "sql.constraint"
TIMEOUT = "sql.timeout"
PARAMETERS = "sql.parameters"
FORBIDDEN_ADDRESS = "sql.forbidden_address"
FAILED = "sql.failed"
ERRORS = (CONNECTION, SYNTAX, CONSTRAINT, TIMEOUT, PARAMETERS, FORBIDDEN_ADDRESS, FAILED)

_MYSQL_TIMEOUT = {1969, 3024, 1317, 1205}  # max_statement_time, MAX_EXECUTION_TIME, killed, lock
_MYSQL_CONSTRAINT = {1062, 1451, 1452, 1048, 1364, 1216, 1217, 1557, 1586, 3819, 4025}
_MYSQL_CONNECTION = {1044, 1045, 1049, 1040, 1129, 1130, 1203, 2002, 2003, 2005, 2006, 2013}
_MYSQL_SYNTAX = {1064, 1146, 1054, 1149, 1051, 1052, 1109, 1110, 1136, 1305, 1630}

_SQLITE_SYNTAX = ("syntax error", "no such table", "no such column", "has no column", "no such")


def code_of(error: BaseException, dialect: str, *, connecting: bool) -> str:
    """The code of a driver error (SQLAlchemy's DBAPIError's `orig`, or the driver's own)."""
    if connecting:
        return CONNECTION
    name = type(error).__name__
    if dialect == "postgresql":
        code = _postgresql(getattr(error, "sqlstate", None))
        if code is not None:
            return code
    elif dialect == "mysql":
        code = _mysql(error.args[0] if error.args else None)
        if code is not None:
            return code
    elif dialect == "sqlite":
        code = _sqlite(name, str(error).lower())
        if code is not None:
            return code
    return _by_class(name)


def _postgresql(sqlstate: Any) -> str | None:
    if not isinstance(sqlstate, str) or len(sqlstate) != 5:
        return None
    if sqlstate in {"57014", "55P03"}:  # statement timeout / cancel, lock timeout
        return TIMEOUT
    family = sqlstate[:2]
    if family == "23":
        return CONSTRAINT
    if family == "42" and sqlstate != "42501":  # 42501: insufficient privilege
        return SYNTAX
    if family in {"08", "28", "3D", "57", "53"}:  # connection, auth, no database, shutdown
        return CONNECTION
    return FAILED


def _mysql(number: Any) -> str | None:
    if not isinstance(number, int):
        return None
    if number in _MYSQL_TIMEOUT:
        return TIMEOUT
    if number in _MYSQL_CONSTRAINT:
        return CONSTRAINT
    if number in _MYSQL_CONNECTION:
        return CONNECTION
    if number in _MYSQL_SYNTAX:
        return SYNTAX
    return None


def _sqlite(name: str, message: str) -> str | None:
    if name == "IntegrityError":
        return CONSTRAINT
    if "interrupted" in message:
        return TIMEOUT
    if "database is locked" in message:
        return TIMEOUT
    if any(part in message for part in _SQLITE_SYNTAX):
        return SYNTAX
    if "unable to open" in message:
        return CONNECTION
    return None


def _by_class(name: str) -> str:
    if name == "IntegrityError":
        return CONSTRAINT
    if name == "ProgrammingError":
        return SYNTAX
    if name in {"InterfaceError", "OperationalError"}:
        return CONNECTION
    return FAILED


def server_message(error: BaseException) -> str:
    """The server's message: the driver's text, its lines joined, without PostgreSQL's caret
    line; MySQL's error number after its text."""
    args = error.args
    if len(args) == 2 and isinstance(args[0], int) and isinstance(args[1], str):
        return f"{args[1]} (error {args[0]})"  # pymysql: (number, message)
    text = str(error).strip() or type(error).__name__
    lines = [line.strip() for line in text.splitlines() if line.strip() and line.strip() != "^"]
    return " | ".join(lines)
