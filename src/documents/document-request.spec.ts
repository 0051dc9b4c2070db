import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../common/domain-error';
import { decodeBase64Document, parseWordsField } from './document-request';

describe('decodeBase64Document', () => {
  it('decodes standard, URL-safe and data-URL base64', () => {
    const bytes = Buffer.from([0xfb, 0xff, 0x00, 0x41]);
    assert.deepEqual(decodeBase64Document(bytes.toString('base64')), bytes);
    assert.deepEqual(decodeBase64Document(bytes.toString('base64url')), bytes);
    assert.deepEqual(decodeBase64Document(`data:image/png;base64,${bytes.toString('base64')}`), bytes);
    assert.deepEqual(decodeBase64Document('+/8A\nQQ=='), bytes);
  });

  it('rejects text that is not base64', () => {
    for (const text of ['not base64!', 'abcde', 'ab=c']) {
      assert.throws(() => decodeBase64Document(text), (e: DomainError) => e.code === 'INVALID_REQUEST', text);
    }
  });
});

describe('parseWordsField', () => {
  it('parses JSON and rejects malformed JSON as INVALID_WORDS', () => {
    assert.deepEqual(parseWordsField('[{"words":[]}]'), [{ words: [] }]);
    assert.throws(() => parseWordsField('[{'), (e: DomainError) => e.code === 'INVALID_WORDS');
  });
});
