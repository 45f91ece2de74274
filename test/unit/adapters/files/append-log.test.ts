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

  it('counts appends still queued after a reset, and writes them into the emptied file', async () => {
    // Prepare
    const path = join(dir, 'push-groups.log');
    log = new AppendLog(path);
    await log.append('before\n');

    // Act: the first append starts a flush; the second waits for the next one, across the reset.
    const first = log.append('first\n');
    const second = log.append('second é\n');
    log.reset(() => undefined);
    const queuedBytes = log.bytes;
    await Promise.all([first, second]);

    // Assess
    expect(queuedBytes).toBe(Buffer.byteLength('second é\n'));
    expect(readFileSync(path, 'utf8')).not.toContain('before');
    expect(readFileSync(path, 'utf8')).toContain('second é\n');
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
