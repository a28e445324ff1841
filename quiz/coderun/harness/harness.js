// Runs inside the sandbox: node /code/harness.js RESULT_FD MODE [FUNCTION].
// Loads /code/solution.js, then calls FUNCTION with the arguments of /code/input.json (function
// mode; console output goes to stderr) or runs it as a program on stdin (stdin mode). Reports one
// JSON line on RESULT_FD: status (ok, syntax_error, runtime_error), value, error, CPU s, peak memory.
"use strict";
const fs = require("fs");
const { Console } = require("console");
const fd = Number(process.argv[2]);
const mode = process.argv[3];
const name = process.argv[4];
let reported = false;

function report(status, extra) {
  if (reported) return;
  reported = true;
  const usage = process.resourceUsage();
  const line = Object.assign({ status: status, cpu: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
                               rss_kb: usage.maxRSS }, extra || {});
  let text;
  try {
    text = JSON.stringify(line);
    if (text === undefined) throw new TypeError("not JSON");
  } catch (e) {
    text = JSON.stringify({ status: "runtime_error", cpu: line.cpu, rss_kb: line.rss_kb,
                            error: "the function returned a value that is not JSON data: " + e.message });
  }
  fs.writeSync(fd, text + "\n");
}

function errorText(e) {
  const text = e && e.stack ? String(e.stack) : String(e);
  return text.split("\n").filter(function (l) { return l.indexOf("/code/harness.js") < 0; }).join("\n").slice(-2000);
}

const source = fs.readFileSync("/code/solution.js", "utf8");
let program;
try {
  const tail = mode === "function" ? "\n;return typeof " + name + " === 'function' ? " + name + " : undefined;" : "";
  program = new Function("require", "console", "module", "exports", source + tail);
} catch (e) {
  report(e instanceof SyntaxError ? "syntax_error" : "runtime_error", { error: errorText(e) });
  process.exit(0);
}

process.on("uncaughtException", function (e) {
  report("runtime_error", { error: errorText(e) });
  process.exit(1);
});

if (mode === "function") {
  const quiet = new Console({ stdout: process.stderr, stderr: process.stderr });
  const fn = program(require, quiet, { exports: {} }, {});
  if (typeof fn !== "function") {
    report("runtime_error", { error: "no function named " + name + " is defined" });
    process.exit(0);
  }
  const args = JSON.parse(fs.readFileSync("/code/input.json", "utf8"));
  const value = fn.apply(null, args);
  report("ok", { value: value === undefined ? null : value });
  process.exit(0);
} else {
  process.on("exit", function (code) {
    if (code === 0) report("ok");
    else report("runtime_error", { error: "the program exited with status " + code });
  });
  program(require, console, { exports: {} }, {});
}
