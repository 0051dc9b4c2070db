#!/usr/bin/env node
// Builds the Studio page into dist/studio-web: its TypeScript as browser ES modules, then the HTML and CSS beside
// them. Nothing is fetched: the page's code is ours and the service serves it (GET /studio).
'use strict';
const { spawnSync } = require('node:child_process');
const { copyFileSync, mkdirSync, rmSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const web = join(root, 'src', 'studio', 'web');
const out = join(root, 'dist', 'studio-web');
rmSync(out, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(web, 'tsconfig.json')], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
mkdirSync(out, { recursive: true });
for (const file of ['index.html', 'studio.css']) copyFileSync(join(web, file), join(out, file));
