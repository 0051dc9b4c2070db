import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SseParser } from './sse-parser';

describe('SseParser', () => {
  it('dispatches an event at its blank line, whatever the chunking', () => {
    const wire = 'event: progress\ndata: {"a":1}\n\n: heartbeat\n\nevent: done\ndata: {"a":2}\n\n';
    for (const size of [1, 3, 7, wire.length]) {
      const parser = new SseParser();
      const events = [];
      for (let at = 0; at < wire.length; at += size) events.push(...parser.push(wire.slice(at, at + size)));
      assert.deepEqual(events, [{ event: 'progress', data: '{"a":1}' }, { event: 'done', data: '{"a":2}' }], `chunk ${size}`);
    }
  });

  it('joins multi-line data, defaults the event name, accepts CRLF and ignores unknown fields', () => {
    const parser = new SseParser();
    assert.deepEqual(parser.push('id: 4\r\ndata: one\r\ndata:two\r\nretry: 10\r\n\r\n'), [{ event: 'message', data: 'one\ntwo' }]);
  });

  it('holds an event that has not ended yet', () => {
    const parser = new SseParser();
    assert.deepEqual(parser.push('event: progress\ndata: {}\n'), []);
    assert.deepEqual(parser.push('\n'), [{ event: 'progress', data: '{}' }]);
  });
});
