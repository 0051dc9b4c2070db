#!/usr/bin/env node
// Node 20's test runner takes no globs: find compiled *.spec.js files under the given dist folders and run them.
'use strict';
const { spawnSync } = require('node:child_process');
const { readdirSync, existsSync } = require('node:fs');
const { join } = require('node:path');

function specs(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return specs(path);
    return entry.name.endsWith('.spec.js') ? [path] : [];
  });
}

const dirs = process.argv.slice(2);
const files = dirs.flatMap(specs).sort();
if (files.length === 0) {
  console.error(`no *.spec.js under ${dirs.join(', ')}`);
  process.exit(1);
}
// One file at a time: e2e files boot OCR workers and ONNX sessions; 2 cores cannot host several at once.
const run = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...files], { stdio: 'inherit' });
process.exit(run.status ?? 1);
