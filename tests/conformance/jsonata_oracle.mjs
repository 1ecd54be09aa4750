// An independent JSONata evaluator for the differential tests: the real jsonata@2.0.6 from npm,
// with the functions AWS Step Functions adds and without the one it removes.
//
// A long-lived process: one JSON request a line on stdin, one JSON answer a line on stdout,
// in order.
//   request  {"expression": text, "input"?: json, "bindings"?: {name: json}, "now_ms"?: int}
//   answer   {"value": json} | {"undefined": true} | {"function": true}
//            | {"error": {"code", "message", "position"}}
// "value" is JSON.stringify's own text, so numbers are written as JavaScript writes them.
// "input" absent means the input is undefined; bindings are variables (`$states` is one);
// "now_ms" pins $now() and $millis(), as the engine pins them to its clock.
//
// What Step Functions changes, from its documentation ("JSONata functions provided by Step
// Functions", transforming-data): $partition, $range, $hash, $random, $uuid and $parse are
// added and $eval is not supported. Integer parameters must be whole numbers, as for the
// intrinsic functions they replace.
// Where the documentation is silent the corpus's recorded runs decide: a one-item $range is
// that item (the result is a sequence). Their failures carry the code "SFN" (AWS names none).
// A result holding a non-finite number is reported as JSONata's D1001: JSON cannot hold it.

import { createHash, randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import jsonata from "jsonata";

const HASHES = { MD5: "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512" };
const MAX_RANGE_ITEMS = 1000; // States.ArrayRange's own ceiling, which $range replaces
const CACHE_LIMIT = 4096;

let nowMs = null; // the pinned clock of the evaluation under way (requests run one at a time)
let fromMillis = null; // jsonata's own $fromMillis, so that a pinned $now() formats as jsonata does

function sfnError(fn, message) {
  return { code: "SFN", message: `${fn}: ${message}` };
}

function integer(fn, name, value) {
  // AWS documents $range and $partition as the replacements of States.ArrayRange and
  // States.ArrayPartition, which refuse an argument that is not a whole number.
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw sfnError(fn, `${name} must be an integer`);
  }
  return value;
}

function sequence(items) {
  // jsonata's marker of a sequence: a one-item sequence is its item, an empty one is nothing.
  items.sequence = true;
  return items;
}

const SFN = {
  partition: {
    fn(array, size) {
      if (!Array.isArray(array)) throw sfnError("$partition", "the first argument must be an array");
      const chunk = integer("$partition", "the chunk size", size);
      if (chunk <= 0) throw sfnError("$partition", "the chunk size must be greater than 0");
      const chunks = [];
      for (let i = 0; i < array.length; i += chunk) chunks.push(array.slice(i, i + chunk));
      return chunks;
    },
  },
  range: {
    fn(start, end, step) {
      const first = integer("$range", "start", start);
      const last = integer("$range", "end", end);
      const stride = integer("$range", "step", step);
      if (stride === 0) throw sfnError("$range", "step must not be 0");
      const values = [];
      for (let v = first; stride > 0 ? v <= last : v >= last; v += stride) {
        values.push(v);
        if (values.length > MAX_RANGE_ITEMS) {
          throw sfnError("$range", `the range has more than ${MAX_RANGE_ITEMS} items`);
        }
      }
      return sequence(values);
    },
  },
  hash: {
    fn(data, algorithm) {
      if (typeof data !== "string") throw sfnError("$hash", "the data to hash must be a string");
      if (typeof algorithm !== "string" || !Object.hasOwn(HASHES, algorithm)) {
        throw sfnError("$hash", `the algorithm must be one of ${Object.keys(HASHES).join(", ")}`);
      }
      return createHash(HASHES[algorithm]).update(data, "utf8").digest("hex");
    },
  },
  random: {
    fn(seed) {
      if (seed === undefined) return Math.random();
      if (typeof seed !== "number" || Number.isNaN(seed)) throw sfnError("$random", "the seed must be a number");
      return seeded(Math.floor(seed)); // (any number seeds; values are compared by kind)
    },
  },
  uuid: {
    fn() {
      return randomUUID();
    },
  },
  parse: {
    fn(text) {
      if (typeof text !== "string") throw sfnError("$parse", "the argument must be a string");
      try {
        return JSON.parse(text);
      } catch (err) {
        throw sfnError("$parse", `the argument is not JSON: ${err.message}`);
      }
    },
  },
};

function seeded(seed) {
  // mulberry32: the same seed gives the same number in [0, 1) (AWS's generator is unknown,
  // so the tests compare seeded values by kind, not by digits).
  let t = (seed >>> 0) + 0x6d2b79f5;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const compiled = new Map();

function compile(text) {
  let expression = compiled.get(text);
  if (expression !== undefined) return expression;
  expression = jsonata(text);
  for (const [name, { fn }] of Object.entries(SFN)) expression.registerFunction(name, fn);
  // Step Functions does not support $eval: bound to undefined here (frames look names up with
  // hasOwnProperty), `$eval` is nothing and calling it is T1006, as for any unknown name.
  expression.assign("eval", undefined);
  expression.registerFunction(
    "now",
    (picture, timezone) => fromMillis(nowMs ?? Date.now(), picture, timezone),
    "<s?s?:s>",
  );
  expression.registerFunction("millis", () => nowMs ?? Date.now(), "<:n>");
  if (compiled.size >= CACHE_LIMIT) compiled.clear();
  compiled.set(text, expression);
  return expression;
}

function holds(value, test, seen = new Set()) {
  if (test(value)) return true;
  if (value === null || typeof value !== "object" || seen.has(value)) return false;
  seen.add(value);
  return Object.values(value).some((item) => holds(item, test, seen));
}

const isFunction = (v) =>
  typeof v === "function" || (v !== null && typeof v === "object" && (v._jsonata_lambda === true || v._jsonata_function === true));
const isNonFinite = (v) => typeof v === "number" && !Number.isFinite(v);

function errorAnswer(err) {
  if (err !== null && typeof err === "object" && typeof err.code === "string") {
    return { error: { code: err.code, message: String(err.message ?? ""), position: err.position ?? null } };
  }
  // not a JSONata error: something inside the library broke (a JavaScript exception)
  return { error: { code: "", message: String(err?.message ?? err), position: null } };
}

async function answer(request) {
  const { expression: text, bindings } = request;
  let expression;
  try {
    expression = compile(text);
  } catch (err) {
    return JSON.stringify(errorAnswer(err));
  }
  nowMs = typeof request.now_ms === "number" ? request.now_ms : null;
  try {
    const input = Object.hasOwn(request, "input") ? request.input : undefined;
    const result = await expression.evaluate(input, bindings ?? {});
    if (result === undefined) return '{"undefined":true}';
    if (holds(result, isFunction)) return '{"function":true}';
    if (holds(result, isNonFinite)) {
      return JSON.stringify({ error: { code: "D1001", message: "Number out of range", position: null } });
    }
    return `{"value":${JSON.stringify(result)}}`;
  } catch (err) {
    return JSON.stringify(errorAnswer(err));
  } finally {
    nowMs = null;
  }
}

async function main() {
  fromMillis = (await jsonata("$fromMillis").evaluate()).implementation;
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    let reply;
    try {
      reply = await answer(JSON.parse(line));
    } catch (err) {
      reply = JSON.stringify({ error: { code: "ORACLE", message: `bad request: ${err.message}`, position: null } });
    }
    process.stdout.write(`${reply}\n`);
  }
}

main();
