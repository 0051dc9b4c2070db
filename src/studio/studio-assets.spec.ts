import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DomainError } from '../common/domain-error';
import { readStudioAssets, StudioAssets } from './studio-assets';

describe('StudioAssets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aetnet-studio-assets-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const codeOf = (work: () => unknown) => {
    try {
      work();
    } catch (error) {
      return (error as DomainError).code;
    }
    return undefined;
  };

  it('serves the built files by their URL names, nested ones included, and nothing else', () => {
    mkdirSync(join(dir, 'built', 'ui'), { recursive: true });
    writeFileSync(join(dir, 'built', 'index.html'), '<!doctype html>');
    writeFileSync(join(dir, 'built', 'ui', 'main.js'), 'export {};');
    writeFileSync(join(dir, 'built', 'notes.txt'), 'not served');
    const assets = new StudioAssets(join(dir, 'built'));
    assert.equal(assets.get('index.html').contentType, 'text/html; charset=utf-8');
    assert.equal(assets.get('ui/main.js').body.toString(), 'export {};');
    assert.equal(codeOf(() => assets.get('notes.txt')), 'NOT_FOUND');
    assert.equal(codeOf(() => assets.get('../package.json')), 'NOT_FOUND');
  });

  it('answers STUDIO_UNAVAILABLE when the page was never built', () => {
    assert.equal(readStudioAssets(join(dir, 'missing')), undefined);
    mkdirSync(join(dir, 'no-index'));
    assert.equal(readStudioAssets(join(dir, 'no-index')), undefined);
    assert.equal(codeOf(() => new StudioAssets(join(dir, 'missing')).get('index.html')), 'STUDIO_UNAVAILABLE');
  });
});
