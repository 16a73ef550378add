#!/usr/bin/env node
// A native-solc look-alike in front of npm's solc-js, so that py-solc-x and
// ape-solidity compile offline: they look for an executable `solc-v<version>`
// and speak `--version` and `--standard-json` to it.
//
// Warnings are turned into errors (set COOP_SOLC_ALLOW_WARNINGS=1 to keep them
// as warnings): a contract that compiles with a warning does not build.
"use strict";
const fs = require("fs");
const path = require("path");

const solc = require(path.join(__dirname, "..", "node_modules", "solc"));
const args = process.argv.slice(2);

function longVersion() {
  // solc-js says "0.8.28+commit.7893614a.Emscripten.clang"; native solc prints
  // "Version: 0.8.28+commit.7893614a.Linux.g++", which is what py-solc-x parses.
  return solc.version().replace(".Emscripten.clang", ".Linux.g++");
}

if (args.includes("--version")) {
  process.stdout.write(
    "solc, the solidity compiler commandline interface\nVersion: " + longVersion() + "\n"
  );
  process.exit(0);
}

if (!args.includes("--standard-json")) {
  process.stderr.write("solc-wrapper: only --version and --standard-json are supported\n");
  process.exit(2);
}

function argValue(name) {
  const i = args.indexOf(name);
  if (i >= 0 && i + 1 < args.length) return args[i + 1];
  const eq = args.find((a) => a.startsWith(name + "="));
  return eq ? eq.slice(name.length + 1) : undefined;
}

const basePath = path.resolve(argValue("--base-path") || process.cwd());
const allowed = [basePath];
const allow = argValue("--allow-paths");
if (allow) for (const p of allow.split(",")) if (p) allowed.push(path.resolve(p));
const includePaths = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--include-path" && i + 1 < args.length) includePaths.push(path.resolve(args[i + 1]));
}

function findImport(importPath) {
  const roots = [basePath, ...includePaths, ...allowed];
  for (const root of roots) {
    const candidate = path.isAbsolute(importPath) ? importPath : path.join(root, importPath);
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) {
      return { contents: fs.readFileSync(candidate, "utf8") };
    }
  }
  return { error: "File not found: " + importPath };
}

const input = fs.readFileSync(0, "utf8");
const output = JSON.parse(solc.compile(input, { import: findImport }));
if (!process.env.COOP_SOLC_ALLOW_WARNINGS && Array.isArray(output.errors)) {
  for (const e of output.errors) {
    if (e.severity === "warning") {
      e.severity = "error";
      e.formattedMessage = "(warning treated as error) " + (e.formattedMessage || e.message);
    }
  }
}
process.stdout.write(JSON.stringify(output));
