#!/usr/bin/env node
// Builds (tsc) and runs the compiled CLI dist/src/cli/<name>.js; AETNET_SKIP_BUILD=1 reuses an existing build.
// `npm install` also runs the `prepare` lifecycle script with no arguments: that must be a silent no-op.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const [name, ...args] = process.argv.slice(2);
if (name === 'prepare' && args.length === 0 && ['install', 'ci'].includes(process.env.npm_command)) process.exit(0);

const root = join(__dirname, '..');
const entry = join(root, 'dist', 'src', 'cli', `${name}.js`);
if (process.env.AETNET_SKIP_BUILD !== '1' || !existsSync(entry)) {
  const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0 || !existsSync(entry)) {
    console.error(`could not build ${entry}`);
    process.exit(1);
  }
}
const run = spawnSync(process.execPath, [entry, ...args], { stdio: 'inherit' });
process.exit(run.status ?? 1);
