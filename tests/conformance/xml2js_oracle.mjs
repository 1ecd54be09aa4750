// The reference XML → JSON converter for the differential tests: the real xml2js@0.6.2 from npm
// (what the product's "XML → JSON" converter runs), its `parseString` with the given options.
//
// A long-lived process: one JSON request a line on stdin, one JSON answer a line on stdout,
// in order.
//   request  {"xml": text, "options": {name: json}}
//   answer   {"value": json} | {"error": message}
// "value" is JSON.stringify's own text, so keys keep the order xml2js gave them.
// parseString calls back synchronously for a string; its first answer is the one kept (xml2js
// answers as soon as the root element closes and reads nothing after it).

import { createInterface } from "node:readline";
import xml2js from "xml2js";

function convert(xml, options) {
  let answer = null;
  try {
    xml2js.parseString(xml, options, (err, result) => {
      if (answer !== null) return;
      answer = err ? { error: String(err.message ?? err) } : { value: result };
    });
  } catch (err) {
    if (answer === null) answer = { error: String(err?.message ?? err) };
  }
  return answer ?? { error: "xml2js gave no answer" };
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  let reply;
  try {
    const request = JSON.parse(line);
    const answer = convert(request.xml, request.options ?? {});
    if ("value" in answer && answer.value === undefined) answer.error = "xml2js answered undefined";
    reply = "error" in answer ? JSON.stringify({ error: answer.error }) : `{"value":${JSON.stringify(answer.value)}}`;
  } catch (err) {
    reply = JSON.stringify({ error: `bad request: ${err.message}` });
  }
  process.stdout.write(`${reply}\n`);
}
