import { BadRequestException, HttpException, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from './domain-error';
import { toErrorResponse } from './error.filter';

function fastifyError(code: string, statusCode: number, message = 'boom'): Error {
  return Object.assign(new Error(message), { code, statusCode });
}

describe('toErrorResponse', () => {
  it('maps a DomainError to its status, body and Retry-After', () => {
    const response = toErrorResponse(new DomainError('OVERLOADED', 'busy', { queue: 3 }, 2.2), 'req-1');
    assert.equal(response.status, 503);
    assert.deepEqual(response.body, { error: { code: 'OVERLOADED', message: 'busy', details: { queue: 3 } } });
    assert.equal(response.headers['retry-after'], '3');
    assert.equal(response.unexpected, false);
  });

  it('omits details when a DomainError has none', () => {
    assert.deepEqual(toErrorResponse(new DomainError('INVALID_WORDS', 'bad'), 'r').body, { error: { code: 'INVALID_WORDS', message: 'bad' } });
  });

  it('maps validation failures to VALIDATION_FAILED with the messages', () => {
    const response = toErrorResponse(new BadRequestException(['model must be a string']), 'r');
    assert.equal(response.status, 400);
    assert.equal(response.body.error.code, 'VALIDATION_FAILED');
    assert.deepEqual(response.body.error.details, { messages: ['model must be a string'] });
  });

  it('maps an unknown route to NOT_FOUND', () => {
    const response = toErrorResponse(new NotFoundException('Cannot GET /nope'), 'r');
    assert.deepEqual([response.status, response.body.error.code], [404, 'NOT_FOUND']);
  });

  it('maps Fastify body and multipart errors', () => {
    const cases: Array<[Error, number, string]> = [
      [fastifyError('FST_ERR_CTP_BODY_TOO_LARGE', 413), 413, 'PAYLOAD_TOO_LARGE'],
      [fastifyError('FST_REQ_FILE_TOO_LARGE', 413), 413, 'PAYLOAD_TOO_LARGE'],
      [fastifyError('FST_FILES_LIMIT', 413), 413, 'PAYLOAD_TOO_LARGE'],
      [fastifyError('FST_ERR_CTP_INVALID_JSON_BODY', 400), 400, 'INVALID_REQUEST'],
      [fastifyError('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [fastifyError('FST_INVALID_MULTIPART_CONTENT_TYPE', 406), 400, 'INVALID_REQUEST'],
    ];
    for (const [error, status, code] of cases) {
      const response = toErrorResponse(error, 'r');
      assert.deepEqual([response.status, response.body.error.code], [status, code], (error as { code?: string }).code);
    }
  });

  it('hides unexpected errors behind a generic 500 with the request id', () => {
    const response = toErrorResponse(new TypeError('secret internals at /srv/app.js:12'), 'req-42');
    assert.equal(response.status, 500);
    assert.equal(response.unexpected, true);
    assert.deepEqual(response.body, { error: { code: 'INTERNAL', message: 'Internal server error', details: { requestId: 'req-42' } } });
  });

  it('does not trust a status code on errors that are not from Fastify', () => {
    const response = toErrorResponse(Object.assign(new Error('x'), { statusCode: 404 }), 'r');
    assert.equal(response.status, 500);
  });

  it('keeps 5xx HttpExceptions generic', () => {
    const response = toErrorResponse(new ServiceUnavailableException('db password wrong'), 'r');
    assert.deepEqual([response.status, response.body.error.message], [503, 'Internal server error']);
  });
});

describe('toErrorResponse with Nest-wrapped Fastify errors', () => {
  it('uses the FST_* cause rather than the generic HttpException status mapping', () => {
    const wrapped = new HttpException('Body is not valid JSON', 400, { cause: fastifyError('FST_ERR_CTP_INVALID_JSON_BODY', 400) });
    const response = toErrorResponse(wrapped, 'r');
    assert.deepEqual([response.status, response.body.error.code], [400, 'INVALID_REQUEST']);
  });
});
