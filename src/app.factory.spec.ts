import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonBodyLimit, logLevelsFrom } from './app.factory';

describe('app factory settings', () => {
  it('leaves room in JSON bodies for base64 and words', () => {
    assert.ok(jsonBodyLimit(3_000_000) >= 4_000_000);
  });

  it('enables the configured log level and every more severe one', () => {
    assert.deepEqual(logLevelsFrom('warn'), ['fatal', 'error', 'warn']);
    assert.deepEqual(logLevelsFrom('verbose').length, 6);
  });
});
