#!/usr/bin/env node
// run.sh's helper: compares the two implementations' results and prints the figures table.
//
//   node report.js compare STEPWISE_RESULTS REFERENCE_RESULTS   exit 1 on any difference
//   node report.js table [--markdown] [--target 5] DIR           rounds DIR/{s,r}.<k>.jsonl
//
// compare: both files hold {"name","result"} lines; results must be equal as JSON values, with
// object keys in the same order (JSONata keeps insertion order, so order is part of the result).
// table: per expression, the medians over rounds of Stepwise's ns/eval (both modes) and the
// reference's, and the ratio reference ÷ Stepwise as the median of the per-round ratios (the
// two ran back to back in a round, so a round's ratio is less exposed to the machine's load
// swings than the quotient of medians taken minutes apart).
'use strict';
const fs = require('fs');
const path = require('path');

function readLines(file) {
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
}

// Equal as JSON values, key order included; returns a path to the first difference or null.
function difference(a, b, where) {
  if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b) || (a === null) !== (b === null)) {
    return where;
  }
  if (Array.isArray(a)) {
    if (a.length !== b.length) return `${where} (length ${a.length} vs ${b.length})`;
    for (let k = 0; k < a.length; k++) {
      const d = difference(a[k], b[k], `${where}[${k}]`);
      if (d) return d;
    }
    return null;
  }
  if (a !== null && typeof a === 'object') {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.join('\u0000') !== kb.join('\u0000')) return `${where} (keys ${ka} vs ${kb})`;
    for (const k of ka) {
      const d = difference(a[k], b[k], `${where}.${k}`);
      if (d) return d;
    }
    return null;
  }
  return a === b ? null : `${where} (${JSON.stringify(a)} vs ${JSON.stringify(b)})`;
}

function compare(ours, theirs) {
  const a = new Map(readLines(ours).map((l) => [l.name, l]));
  const b = new Map(readLines(theirs).map((l) => [l.name, l]));
  let bad = 0;
  for (const [name, l] of b) {
    const m = a.get(name);
    const d = m === undefined ? 'missing from Stepwise' : difference(m.result, l.result, 'result');
    if (d) {
      bad++;
      console.error(`MISMATCH ${name}: ${d}`);
    }
  }
  for (const name of a.keys()) {
    if (!b.has(name)) {
      bad++;
      console.error(`MISMATCH ${name}: missing from the reference`);
    }
  }
  console.error(bad ? `${bad} result(s) differ` : `results identical (${b.size} expressions)`);
  process.exit(bad ? 1 : 0);
}

function median(xs) {
  const v = [...xs].sort((p, q) => p - q);
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

// rounds[k] = Map "impl/mode/name" -> ns for round k.
function loadRounds(dir) {
  const rounds = [];
  for (let k = 1; fs.existsSync(path.join(dir, `s.${k}.jsonl`)); k++) {
    const m = new Map();
    for (const f of [`s.${k}.jsonl`, `r.${k}.jsonl`]) {
      for (const l of readLines(path.join(dir, f))) m.set(`${l.impl}/${l.mode}/${l.name}`, l.ns);
    }
    rounds.push(m);
  }
  if (rounds.length === 0) throw new Error(`no rounds in ${dir}`);
  return rounds;
}

function fmtNs(ns) {
  return ns === undefined ? '–' : Math.round(ns).toLocaleString('en-US');
}

function fmtRatio(r) {
  if (r === undefined) return '–';
  return r >= 100 ? `${Math.round(r)}×` : `${r.toFixed(1)}×`;
}

function table(args) {
  const markdown = args.includes('--markdown');
  const ti = args.indexOf('--target');
  const target = ti >= 0 ? parseFloat(args[ti + 1]) : 5;
  const dir = args.filter((a, k) => !a.startsWith('--') && !(ti >= 0 && k === ti + 1))[0];
  const rounds = loadRounds(dir);
  const names = [...rounds[0].keys()].filter((k) => k.startsWith('reference/'))
    .map((k) => k.split('/')[2]);
  const rows = [];
  let belowValue = 0;
  let belowDocs = 0;
  for (const name of names) {
    const series = (key) => rounds.map((m) => m.get(key)).filter((x) => x !== undefined);
    const ratios = (mode) => rounds.map((m) => m.get(`reference/value/${name}`) / m.get(`stepwise/${mode}/${name}`))
      .filter((x) => Number.isFinite(x));
    const value = series(`stepwise/value/${name}`);
    const docs = series(`stepwise/documents/${name}`);
    const ref = series(`reference/value/${name}`);
    const rv = ratios('value');
    const rd = ratios('documents');
    const ratioValue = rv.length ? median(rv) : undefined;
    const ratioDocs = rd.length ? median(rd) : undefined;
    const miss = (r) => r !== undefined && r < target;
    if (miss(ratioValue)) belowValue++;
    if (miss(ratioDocs)) belowDocs++;
    const mark = (r) => fmtRatio(r) + (miss(r) ? ' (below)' : '');
    rows.push([name, fmtNs(value.length ? median(value) : undefined),
      fmtNs(docs.length ? median(docs) : undefined), fmtNs(median(ref)),
      mark(ratioValue), mark(ratioDocs),
      rv.length ? `${fmtRatio(Math.min(...rv))}–${fmtRatio(Math.max(...rv))}` : '–']);
  }
  const head = ['expression', 'stepwise ns (value)', 'stepwise ns (documents)', 'reference ns',
    'ratio (value)', 'ratio (documents)', 'ratio range (value)'];
  if (markdown) {
    console.log(`| ${head.join(' | ')} |`);
    console.log(`|---|${head.slice(1).map(() => '---:').join('|')}|`);
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  } else {
    const w = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
    const line = (r) => r.map((x, c) => (c === 0 ? x.padEnd(w[c]) : x.padStart(w[c]))).join('  ');
    console.log(line(head));
    for (const r of rows) console.log(line(r));
  }
  console.log(`\n${rounds.length} round(s); ns = median ns per evaluation; ratio = reference ÷ ` +
    `Stepwise, median of per-round ratios; target ≥ ${target}×: value mode ` +
    (belowValue ? `${belowValue} expression(s) below` : 'met on every expression') +
    ', documents mode ' + (belowDocs ? `${belowDocs} expression(s) below` : 'met on every expression'));
}

const [cmd, ...rest] = process.argv.slice(2);
try {
  if (cmd === 'compare' && rest.length === 2) compare(rest[0], rest[1]);
  else if (cmd === 'table' && rest.length >= 1) table(rest);
  else {
    console.error('usage: report.js compare OURS THEIRS | report.js table [--markdown] [--target 5] DIR');
    process.exit(2);
  }
} catch (err) {
  console.error(`report.js: ${err.message}`);
  process.exit(1);
}
