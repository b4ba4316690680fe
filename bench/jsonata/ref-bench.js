#!/usr/bin/env node
// The reference half of the JSONata micro-benchmark: the npm `jsonata` package (2.0.6, what
// AWS runs) on the expressions of expressions.json, measured like stepwise-jsonata-bench:
// compile once, calibrate N to about --target-ms, time --reps rounds, median ns/eval.
//
//   node ref-bench.js [--ref-dir /tmp/jsonata-ref] [--file expressions.json] [--reps 5]
//                     [--target-ms 500] [--only name,name] [--print-results]
//
// Prints one JSON line per expression: {"impl":"reference","mode":"value","name","ns",...};
// with --print-results, {"name","result"} lines instead (no "result" when undefined).
// Evaluation is as the engine does it: no context value, bindings {states: {input, context}}.
'use strict';
const fs = require('fs');
const path = require('path');

const generateCountMax = 10000000;  // same limits as the C++ runner
const templateDepthMax = 64;
const generatorParamMax = 1e9;  // keeps i*mul + add exact

function parseArgs(argv) {
  const opt = {
    refDir: process.env.JSONATA_REF_DIR || '/tmp/jsonata-ref',
    file: path.join(__dirname, 'expressions.json'),
    reps: 5, targetMs: 500, only: null, printResults: false,
  };
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    const next = () => {
      if (k + 1 >= argv.length) fail(`missing value after ${a}`, 2);
      return argv[++k];
    };
    if (a === '--ref-dir') opt.refDir = next();
    else if (a === '--file') opt.file = next();
    else if (a === '--reps') opt.reps = parseInt(next(), 10);
    else if (a === '--target-ms') opt.targetMs = parseFloat(next());
    else if (a === '--only') opt.only = new Set(next().split(','));
    else if (a === '--print-results') opt.printResults = true;
    else fail(`unknown option ${a}`, 2);
  }
  if (!(opt.reps >= 1 && opt.reps <= 1000)) fail('--reps must be 1..1000', 2);
  if (!(opt.targetMs > 0)) fail('--target-ms must be positive', 2);
  return opt;
}

function fail(msg, code = 1) {
  process.stderr.write(`ref-bench.js: ${msg}\n`);
  process.exit(code);
}

// ------------------------------------------------------------------ input generation
// The generator of expressions.json's "about": keep in step with jsonata_bench.cpp.

function intParam(spec, k) {
  if (!Array.isArray(spec) || k >= spec.length || !Number.isInteger(spec[k])) {
    fail(`generator parameters must be integers: ${JSON.stringify(spec)}`);
  }
  if (Math.abs(spec[k]) > generatorParamMax) fail('generator parameter too large');
  return spec[k];
}

function affineMod(spec, i) {
  const mod = intParam(spec, 2);
  if (mod <= 0) fail(`generator modulus must be positive: ${JSON.stringify(spec)}`);
  return (i * intParam(spec, 0) + intParam(spec, 1)) % mod;
}

function instantiate(t, i, depth) {
  if (depth > templateDepthMax) fail('input template nested too deeply');
  if (typeof t === 'string') return t.split('{i}').join(String(i));
  if (Array.isArray(t)) return t.map((x) => instantiate(x, i, depth + 1));
  if (t === null || typeof t !== 'object') return t;
  const keys = Object.keys(t);
  if (keys.length === 1) {
    if (keys[0] === '$int') return affineMod(t.$int, i);
    if (keys[0] === '$num') return affineMod(t.$num, i) / intParam(t.$num, 3);
    if (keys[0] === '$bool') return i % intParam(t.$bool, 0) === intParam(t.$bool, 1);
  }
  const out = {};
  for (const k of keys) out[k] = instantiate(t[k], i, depth + 1);
  return out;
}

function expand(v, depth) {
  if (depth > templateDepthMax) fail('input nested too deeply');
  if (Array.isArray(v)) return v.map((x) => expand(x, depth + 1));
  if (v === null || typeof v !== 'object') return v;
  const keys = Object.keys(v);
  if (keys.length === 1 && keys[0] === '$generate') {
    const g = v.$generate;
    if (!g || !Number.isInteger(g.count) || g.item === undefined) {
      fail('$generate needs an integer count and an item');
    }
    if (g.count < 0 || g.count > generateCountMax) fail('$generate count out of range');
    const out = new Array(g.count);
    for (let i = 0; i < g.count; i++) out[i] = instantiate(g.item, i, 0);
    return out;
  }
  const out = {};
  for (const k of keys) out[k] = expand(v[k], depth + 1);
  return out;
}

// ------------------------------------------------------------------ loading and timing

function loadCases(opt, jsonata) {
  const file = JSON.parse(fs.readFileSync(opt.file, 'utf8'));
  const cases = [];
  for (const e of file.expressions) {
    if (opt.only && !opt.only.has(e.name)) continue;
    let input;
    if (e.input !== undefined) {
      input = typeof e.input === 'string' ? (file.inputs || {})[e.input] : e.input;
      if (input === undefined) fail(`${e.name}: unknown input ${JSON.stringify(e.input)}`);
    }
    const states = {};
    if (input !== undefined) states.input = expand(input, 0);
    if (file.context !== undefined) states.context = file.context;
    let expr;
    try {
      expr = jsonata(e.expression);
    } catch (err) {
      fail(`${e.name}: compile failed: ${err.code}: ${err.message}`);
    }
    cases.push({ name: e.name, expr, bindings: { states } });
  }
  if (cases.length === 0) fail('no expression selected');
  return cases;
}

async function timeEvals(c, n) {
  const start = process.hrtime.bigint();
  for (let k = 0; k < n; k++) await c.expr.evaluate(undefined, c.bindings);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

// Doubling up to a tenth of the target (also the JIT's warm-up), then one proportional step.
async function calibrate(c, target) {
  let n = 1;
  let t = await timeEvals(c, n);
  while (t < target / 10 && n < 2 ** 31) {
    n *= 2;
    t = await timeEvals(c, n);
  }
  return Math.max(1, Math.round((n * target) / Math.max(t, 1e-9)));
}

function median(xs) {
  const v = [...xs].sort((a, b) => a - b);
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

async function main() {
  const opt = parseArgs(process.argv.slice(2));
  const modPath = path.join(opt.refDir, 'node_modules', 'jsonata');
  if (!fs.existsSync(modPath)) fail(`no ${modPath}: run bench/jsonata/run.sh (it installs it)`);
  const jsonata = require(modPath);
  const cases = loadCases(opt, jsonata);
  for (const c of cases) {
    try {
      if (opt.printResults) {
        const r = await c.expr.evaluate(undefined, c.bindings);
        const line = { name: c.name };
        if (r !== undefined) line.result = r;
        process.stdout.write(JSON.stringify(line) + '\n');
        continue;
      }
      const n = await calibrate(c, opt.targetMs / 1000);
      const reps = [];
      for (let r = 0; r < opt.reps; r++) reps.push(((await timeEvals(c, n)) * 1e9) / n);
      process.stdout.write(JSON.stringify({
        impl: 'reference', mode: 'value', name: c.name, ns: median(reps), evals: n, reps,
      }) + '\n');
    } catch (err) {
      fail(`${c.name}: ${err.code || ''}: ${err.message}`);
    }
  }
}

main();
