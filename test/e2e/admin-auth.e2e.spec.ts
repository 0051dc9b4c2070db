import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { bootApp } from '../helpers/app';

const ADMIN_KEY = 'admin-key-for-tests';
const API_KEYS = ['inference-key-1', 'inference-key-2'];

interface ErrorBody {
  error: { code: string; message: string };
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('admin and inference auth', () => {
  let app: NestFastifyApplication;

  before(async () => {
    app = await bootApp({ AETNET_ADMIN_KEY: ADMIN_KEY, AETNET_API_KEYS: API_KEYS.join(',') });
  });
  after(() => app?.close());

  const cases: Array<[string, Record<string, string>, number, string | undefined]> = [
    ['no Authorization header', {}, 401, 'UNAUTHORIZED'],
    ['a malformed header', { authorization: `Basic ${ADMIN_KEY}` }, 401, 'UNAUTHORIZED'],
    ['an unknown key', bearer('not-a-key'), 401, 'UNAUTHORIZED'],
    ['a prefix of the admin key', bearer(ADMIN_KEY.slice(0, -1)), 401, 'UNAUTHORIZED'],
    ['an inference key', bearer(API_KEYS[1]), 403, 'FORBIDDEN'],
    ['the admin key', bearer(ADMIN_KEY), 200, undefined],
  ];
  for (const [what, headers, status, code] of cases) {
    it(`admin endpoint with ${what} → ${status}`, async () => {
      const response = await app.inject({ method: 'GET', url: '/admin/datasets', headers });
      assert.equal(response.statusCode, status, response.body);
      if (code) {
        const body = response.json() as ErrorBody;
        assert.equal(body.error.code, code);
        assert.ok(!response.body.includes(ADMIN_KEY) && !API_KEYS.some((key) => response.body.includes(key)), 'keys never echoed');
      }
    });
  }

  it('inference endpoints need one of the API keys (or the admin key) once keys are configured', async () => {
    const withoutKey = await app.inject({ method: 'POST', url: '/v1/extract', payload: {} });
    assert.equal(withoutKey.statusCode, 401);
    assert.equal((withoutKey.json() as ErrorBody).error.code, 'UNAUTHORIZED');
    const wrongKey = await app.inject({ method: 'POST', url: '/v1/extract', payload: {}, headers: bearer('nope') });
    assert.equal(wrongKey.statusCode, 401);
    for (const key of [API_KEYS[0], ADMIN_KEY]) {
      // Past the guard, the empty request fails validation: 400, not 401.
      const allowed = await app.inject({ method: 'POST', url: '/v1/extract', payload: {}, headers: bearer(key) });
      assert.equal(allowed.statusCode, 400, allowed.body);
    }
  });

  it('health stays open', async () => {
    const response = await app.inject({ method: 'GET', url: '/health/live' });
    assert.equal(response.statusCode, 200);
  });
});

describe('auth defaults', () => {
  let app: NestFastifyApplication;

  before(async () => {
    app = await bootApp();
  });
  after(() => app?.close());

  it('without AETNET_ADMIN_KEY the admin API answers 503 ADMIN_DISABLED', async () => {
    const response = await app.inject({ method: 'GET', url: '/admin/datasets', headers: bearer('anything') });
    assert.equal(response.statusCode, 503);
    assert.equal((response.json() as ErrorBody).error.code, 'ADMIN_DISABLED');
  });

  it('without AETNET_API_KEYS inference is open', async () => {
    const response = await app.inject({ method: 'POST', url: '/v1/extract', payload: {} });
    assert.equal(response.statusCode, 400);
  });
});
