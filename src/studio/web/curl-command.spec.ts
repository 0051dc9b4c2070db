import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { curlCommand, shellQuote } from './curl-command';

describe('curlCommand', () => {
  it('repeats a multipart request with its file and fields, quoted for the shell', () => {
    const command = curlCommand({
      origin: 'http://localhost:3000',
      path: '/v1/ask',
      fileName: "Ann's form.png",
      fields: [['questions', '["What is the date?"]']],
    });
    assert.equal(
      command,
      "curl -sS -X POST 'http://localhost:3000/v1/ask' \\\n  -F 'file=@Ann'\\''s form.png' \\\n  -F 'questions=[\"What is the date?\"]'",
    );
  });

  it('reads a key from $AETNET_KEY and never contains one', () => {
    const command = curlCommand({ origin: 'http://h', path: '/v1/extract', fileName: 'a.pdf', withKey: true });
    assert.match(command, /-H "Authorization: Bearer \$AETNET_KEY"/);
  });

  it('quotes a single quote so the shell gives it back', () => {
    assert.equal(shellQuote("it's"), "'it'\\''s'");
  });
});
