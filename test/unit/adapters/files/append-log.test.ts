import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppendLog } from '../../../../lambdas/adapters/files/append-log';

describe('Class: AppendLog', () => {
  let dir: string;
  let log: AppendLog | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-append-log-'));
  });
  afterEach(() => {
    log?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('resolves each of many concurrent appends only once its text is in the file, in order', async () => {
    // Prepare
    const path = join(dir, 'samples.wal');
    log = new AppendLog(path);
    const lines = Array.from({ length: 40 }, (_, i) => `{"n":${i},"text":"é${'x'.repeat(i)}"}\n`);
    const seenOnDisk: boolean[] = [];

    // Act
    await Promise.all(
      lines.map((line, i) =>
        (log as AppendLog).append(line).then(() => {
          seenOnDisk[i] = readFileSync(path, 'utf8').includes(line);
        }),
      ),
    );

    // Assess
    expect(seenOnDisk).toEqual(lines.map(() => true));
    expect(readFileSync(path, 'utf8')).toBe(lines.join(''));
    expect(log.bytes).toBe(Buffer.byteLength(lines.join('')));
  });

  it('resolves the appends still queued at a reset without writing them (the fold saved them), and starts an empty file', async () => {
    // Prepare
    const path = join(dir, 'push-groups.log');
    log = new AppendLog(path);
    await log.append('before\n');
    const generation = log.generation;

    // Act: the first append starts a flush; the second waits for the next one, across the reset.
    const first = log.append('first\n');
    const second = log.append('second é\n');
    let folded = '';
    log.reset(() => {
      folded = 'state with first and second';
    });
    const bytesAfterReset = log.bytes;
    await Promise.all([first, second]);
    await log.append('after\n');

    // Assess
    expect(folded).toBe('state with first and second');
    expect(bytesAfterReset).toBe(0);
    expect(log.generation).toBe(generation + 1);
    // The batch in flight at the reset finished in the replaced file.
    expect(readFileSync(path, 'utf8')).toBe('after\n');
    expect(log.bytes).toBe(Buffer.byteLength('after\n'));
  });

  it('fails the appends queued behind a failed batch with it, and changes generation', async () => {
    // Prepare: every write to /dev/full fails with ENOSPC.
    log = new AppendLog('/dev/full');
    const generation = log.generation;

    // Act
    const first = log.append('a\n');
    const second = log.append('b\n');
    const results = await Promise.allSettled([first, second]);

    // Assess
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/ENOSPC/);
    expect(log.generation).toBe(generation + 1);
    expect(log.bytes).toBe(0);
  });

  it('rejects appends still queued when closed', async () => {
    // Prepare
    log = new AppendLog(join(dir, 'x.log'));
    const first = log.append('a\n');
    const second = log.append('b\n');

    // Act
    log.close();
    log = undefined;

    // Assess
    await expect(second).rejects.toThrow('x.log was closed');
    await first.catch(() => undefined);
  });
});
