"""The V8 engine behind `code.js`: one isolate per engine, reused, each call in a fresh compartment.

Why this shape (measured in `bench/code_js.py`, numbers in docs/benchmarks.md): a new V8 isolate
with lodash and moment loaded costs about 14 ms, a call in a warm one well under 1 ms. So an
engine is made once and kept, and state cannot pass between calls because of SES (Hardened
JavaScript, the `ses` npm package): `lockdown()` freezes every shared object (the built-ins,
lodash, moment), and each call runs in a new `Compartment` whose global object is its own and
is dropped afterwards. A global one call sets is not there for the next; a built-in or a library
cannot be changed at all. What is left of shared state is moment's inner settings (its global
locale, defined locales, relative-time thresholds): the locale is put back after each call, and
a call that changes the others marks the engine used up, so it is replaced.

A compartment holds the language's built-ins, `_` (lodash) and `moment`, nothing else: no
`require`, `process`, `fetch`, `console`, timers, WebAssembly, nor `ArrayBuffer` and the typed
arrays (their memory lives outside V8's heap, where the heap limit would not see it).

Limits: the run time (V8 is terminated past it) and the heap (V8's hard limit above what the
engine holds after its setup). After a timeout or an exhausted heap the engine is closed and a
new one is made for the next call. Engines wait in a pool: a thread takes one for a call, so
concurrent calls never share an isolate; a process that forked leaves its parent's engines alone.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from py_mini_racer import JSEvalException, JSOOMException, JSTimeoutException, MiniRacer

from automations.components.code_libraries import load as load_libraries
from automations.errors import AutomationsError

# Runs once per engine, after the libraries: wraps moment's global settings so that a call that
# changes them is noticed, freezes everything (lockdown, harden) and defines the entry point
# `__codejs.run` on the start compartment's global, which no call can reach.
_SETUP = r"""
(() => {
  "use strict";
  const FeralFunction = Function;
  const m = globalThis.moment;
  let usedUp = false;
  const watch = (name, changes) => {
    const original = m[name];
    m[name] = function (...args) {
      if (changes(args)) usedUp = true;
      return original.apply(this, args);
    };
  };
  watch("defineLocale", () => true);
  watch("updateLocale", () => true);
  watch("locale", (args) => args.length > 1);
  watch("relativeTimeThreshold", (args) => args.length > 1);
  watch("relativeTimeRounding", (args) => args.length > 0);
  lockdown({
    errorTaming: "unsafe",
    stackFiltering: "verbose",
    consoleTaming: "unsafe",
    overrideTaming: "moderate",
    reporting: "none",
  });
  const shared = harden({
    _: globalThis._, moment: m, Date: globalThis.Date, Math: globalThis.Math,
  });
  const absent = {};
  for (const name of [
    "ArrayBuffer", "SharedArrayBuffer", "DataView", "Atomics", "WebAssembly",
    "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array",
    "Int32Array", "Uint32Array", "Float16Array", "Float32Array", "Float64Array",
    "BigInt64Array", "BigUint64Array",
  ]) absent[name] = undefined;
  harden(absent);

  class NotJson extends Error {}
  const KINDS = {
    "[object Map]": "a Map", "[object Set]": "a Set", "[object WeakMap]": "a WeakMap",
    "[object WeakSet]": "a WeakSet", "[object Promise]": "a Promise",
    "[object RegExp]": "a regular expression", "[object Error]": "an Error object",
    "[object Generator]": "a generator",
  };
  const tagOf = (v) => Object.prototype.toString.call(v);
  const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
  const step = (path, key) =>
    typeof key === "number" ? `${path}[${key}]`
      : IDENT.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;

  // The returned value as JSON, or NotJson naming what is not JSON and where. JSON.stringify
  // would turn NaN into null and drop functions without a word; a result should not lie.
  const plain = (value, path, depth, open, maxDepth) => {
    if (value !== null && typeof value === "object" && typeof value.toJSON === "function") {
      value = value.toJSON();
    }
    switch (typeof value) {
      case "string": case "boolean": return value;
      case "number":
        if (Number.isFinite(value)) return value;
        throw new NotJson(`${value} at ${path} is not a JSON number`);
      case "undefined": throw new NotJson(`undefined at ${path}`);
      case "function": throw new NotJson(`a function at ${path}`);
      case "symbol": throw new NotJson(`a symbol at ${path}`);
      case "bigint": throw new NotJson(`a BigInt at ${path}: convert it with Number() or String()`);
    }
    if (value === null) return null;
    const kind = KINDS[tagOf(value)];
    if (kind) throw new NotJson(`${kind} at ${path}`);
    if (open.includes(value)) throw new NotJson(`the value at ${path} contains itself`);
    if (depth + 1 > maxDepth) {
      throw new NotJson(`the value at ${path} nests deeper than ${maxDepth} levels`);
    }
    open.push(value);
    let out;
    if (Array.isArray(value)) {
      out = [];
      for (let i = 0; i < value.length; i += 1) {
        const item = value[i];
        // As JSON.stringify: a hole or undefined in an array is null.
        out.push(item === undefined ? null : plain(item, step(path, i), depth + 1, open, maxDepth));
      }
    } else {
      out = {};
      for (const key of Object.keys(value)) {
        const item = value[key];
        if (item !== undefined) out[key] = plain(item, step(path, key), depth + 1, open, maxDepth);
      }
    }
    open.pop();
    return out;
  };

  const LOCATION = /code\.js:(\d+):(\d+)/;
  const failure = (error) => {
    const isError = error !== null && typeof error === "object" && "message" in error;
    let text;
    try {
      text = isError ? `${error.name || "Error"}: ${error.message}`
        : typeof error === "string" ? error : JSON.stringify(error);
    } catch (_) {
      text = String(error);
    }
    const where = isError ? LOCATION.exec(String(error.stack)) : null;
    return { failure: "error", message: text, line: where ? Number(where[1]) : null,
             column: where ? Number(where[2]) : null,
             syntax: isError && error instanceof SyntaxError };
  };

  const run = (names, code, valuesText, maxDepth) => {
    usedUp = false;
    const compartment = new Compartment({ __options__: true, globals: { ...shared, ...absent } });
    let body;
    try {
      // The variables are the outer function's parameters, so that the code may declare a
      // name of its own that is also a variable (`let total` where `total` was given).
      const outer = new compartment.globalThis.Function(
        ...names, `return function () {\n${code}\n};\n//# sourceURL=code.js`);
      body = outer.apply(undefined, JSON.parse(valuesText));
    } catch (error) {
      return JSON.stringify(failure(error));
    }
    let reply;
    try {
      const result = body();
      reply = result === undefined ? { failure: "undefined" }
        : { value: plain(result, "$", 0, [], maxDepth) };
    } catch (error) {
      reply = error instanceof NotJson
        ? { failure: "result", message: error.message } : failure(error);
    }
    if (m.locale() !== "en") m.locale("en");
    reply.usedUp = usedUp;
    return JSON.stringify(reply);
  };

  // Only compiles (never runs) the code as a function of the start compartment, for V8 to say
  // where a syntax error is: the compartment's own compiler does not tell.
  const check = (names, code) => {
    new FeralFunction(...names, `"use strict";\nreturn function () {\n${code}\n};`);
    return "ok";
  };
  globalThis.__codejs = harden({ run, check });
})();
"""

# Lines before the code's first: SES's `Function` wraps a body in `(function anonymous(a,b\n) {\n`
# and the harness puts `return function () {` first; `check` adds its directive line.
_BODY_OFFSET = 3
_CHECK_OFFSET = 4
_SYNTAX_REPORT = re.compile(r"\A[^\n]*?:(\d+): SyntaxError: ([^\n]*)\n[^\n]*\n( *)\^")


class CodeFailed(AutomationsError):
    """Base of what a call can end with besides a result (`message` is for the user)."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class CodeError(CodeFailed):
    """Raised when the code does not compile or throws: `line`/`column` are the user's own."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        self.line = line
        self.column = column
        where = f" (line {line}, column {column})" if line is not None else ""
        super().__init__(f"{message}{where}")


class CodeTimeout(CodeFailed):
    """Raised when the code still runs at the time limit (V8 was terminated)."""


class CodeMemory(CodeFailed):
    """Raised when the code's heap reached the limit (V8 was terminated)."""


class CodeResultInvalid(CodeFailed):
    """Raised when the returned value is not JSON (undefined, a function, NaN, a cycle...)."""


@dataclass(frozen=True, slots=True)
class Limits:
    """One call's limits: seconds of run time, bytes of heap, levels of result nesting."""

    seconds: float
    heap_bytes: int
    max_depth: int


class _Racer(MiniRacer):
    # MiniRacer closes itself when collected, which waits for its event-loop thread; at
    # interpreter exit that thread is already frozen and the wait never ends. Engines are
    # closed explicitly instead (`Engine.close`, and `_close_idle` at exit).
    def __del__(self) -> None:
        pass


class Engine:
    """One V8 isolate set up for calls (SES, lodash, moment, the harness); one thread at a time."""

    def __init__(self) -> None:
        libraries = load_libraries()
        self._racer = _Racer()
        try:
            for source in libraries.sources.values():
                self._racer.eval(source)
            self._racer.eval(_SETUP)
            self._baseline = int(self._racer.heap_stats()["used_heap_size"])
        except BaseException:
            self._racer.close()
            raise
        self._heap_limit = 0
        self.usable = True

    def run(self, code: str, variables: Mapping[str, Any], limits: Limits) -> Any:
        """The value the code returns, as JSON data; a CodeFailed says why there is none."""
        names = list(variables)
        values = json.dumps([variables[n] for n in names], ensure_ascii=False, allow_nan=False)
        script = (
            f"__codejs.run({json.dumps(names)}, {json.dumps(code, ensure_ascii=False)}, "
            f"{json.dumps(values, ensure_ascii=False)}, {int(limits.max_depth)})"
        )
        self._limit_heap(limits.heap_bytes)
        try:
            reply = json.loads(str(self._racer.eval(script, timeout_sec=limits.seconds)))
        except JSTimeoutException:
            self.usable = False
            raise CodeTimeout(f"the code was still running after {limits.seconds:g} s") from None
        except JSOOMException:
            self.usable = False
            mb = limits.heap_bytes / (1024 * 1024)
            raise CodeMemory(f"the code used more than {mb:g} MB of memory") from None
        if reply.get("usedUp"):
            self.usable = False
        return self._value_of(reply, names, code)

    def _limit_heap(self, heap_bytes: int) -> None:
        limit = self._baseline + heap_bytes
        if limit != self._heap_limit:
            self._racer.set_hard_memory_limit(limit)
            self._heap_limit = limit

    def _value_of(self, reply: Mapping[str, Any], names: Sequence[str], code: str) -> Any:
        failure = reply.get("failure")
        if failure is None:
            return reply["value"]
        if failure == "undefined":
            raise CodeResultInvalid("the code returned undefined: end it with `return <value>`")
        if failure == "result":
            raise CodeResultInvalid(f"the returned value is not JSON: {reply['message']}")
        line = reply.get("line")
        # A frame of the harness's own wrapper (before the code's first line) is no place in it.
        if line is not None and line - _BODY_OFFSET >= 1:
            raise CodeError(reply["message"], line - _BODY_OFFSET, reply.get("column"))
        if reply.get("syntax"):
            located = self._syntax_position(names, code)
            if located is not None:
                raise CodeError(*located)
        raise CodeError(reply["message"])

    def _syntax_position(self, names: Sequence[str], code: str) -> tuple[str, int, int] | None:
        try:
            self._racer.eval(
                f"__codejs.check({json.dumps(list(names))}, {json.dumps(code)})", timeout_sec=1.0
            )
        except JSTimeoutException:
            self.usable = False
            return None
        except JSEvalException as exc:
            found = _SYNTAX_REPORT.match(str(exc))
            if found is not None:
                line = int(found[1]) - _CHECK_OFFSET
                if line >= 1:
                    return f"SyntaxError: {found[2]}", line, len(found[3]) + 1
        return None

    def close(self) -> None:
        self.usable = False
        self._racer.close()


class EnginePool:
    """Engines ready for calls: a call takes one (or makes one) and gives it back when done.

    At most `keep` idle engines are kept; an engine that timed out, ran out of heap or was used
    up is closed instead of given back. After a fork the child starts with no engine: the
    parent's isolates belong to threads the child does not have.
    """

    def __init__(self, keep: int = 4) -> None:
        self.keep = keep
        self._idle: list[Engine] = []
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self.created = 0  # engines made by this process (tests and the benchmark read it)

    def run(self, code: str, variables: Mapping[str, Any], limits: Limits) -> Any:
        engine = self._take()
        try:
            return engine.run(code, variables, limits)
        finally:
            self._give_back(engine)

    def _take(self) -> Engine:
        with self._lock:
            if self._pid != os.getpid():
                _ORPHANS.extend(self._idle)  # never closed here (see the class docstring)
                self._idle = []
                self._pid = os.getpid()
            if self._idle:
                return self._idle.pop()
            self.created += 1
        return Engine()

    def _give_back(self, engine: Engine) -> None:
        with self._lock:
            keep = engine.usable and len(self._idle) < self.keep and self._pid == os.getpid()
            if keep:
                self._idle.append(engine)
        if not keep:
            engine.close()

    def close_idle(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for engine in idle:
            engine.close()


_ORPHANS: list[Engine] = []
POOL = EnginePool()


@atexit.register
def _close_idle() -> None:
    if POOL._pid == os.getpid():
        POOL.close_idle()
