import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRssMib, processRssMib } from './serving-memory';

describe('serving memory', () => {
  it('reads VmRSS in MiB from a process status text', () => {
    assert.equal(parseRssMib('Name:\tnode\nVmPeak:\t  900000 kB\nVmRSS:\t  524288 kB\nThreads:\t11\n'), 512);
    assert.throws(() => parseRssMib('Name:\tnode\n'), /no VmRSS line/);
  });

  it('measures this process', async () => {
    const rss = await processRssMib(process.pid);
    assert.ok(rss > 10 && rss < 100_000, `rss ${rss}`);
  });
});
