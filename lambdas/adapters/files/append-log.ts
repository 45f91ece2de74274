import { closeSync, fdatasync, fstatSync, ftruncateSync, openSync, statSync, write } from 'node:fs';
import { writeFileAtomicSync } from './write-file-atomic';

const writeAll = (fd: number, buf: Buffer): Promise<void> =>
  new Promise((resolve, reject) => {
    const step = (offset: number): void => {
      write(fd, buf, offset, buf.length - offset, null, (error, written) => {
        if (error) reject(error);
        else if (offset + written < buf.length) step(offset + written);
        else resolve();
      });
    };
    step(0);
  });

const datasync = (fd: number): Promise<void> =>
  new Promise((resolve, reject) => fdatasync(fd, (error) => (error ? reject(error) : resolve())));

interface Pending {
  /** The text, UTF-8 encoded once when appended. */
  readonly bytes: Buffer;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * An append-only file with group commit: `append` resolves once its text is on disk (written and
 * fdatasync'ed). Appends that arrive while a flush is under way are written together by the next
 * one, in arrival order, with one fdatasync: under load the disk sees one write and one sync per
 * batch of requests, not one per request, and the sync waits in libuv's thread pool instead of
 * blocking the event loop.
 *
 * The log's `generation` changes when it is reset and when a flush fails. Every append of a
 * generation that did not reach the disk is then settled at once: resolved by a reset (the fold
 * saved it), rejected by a failure, together with the appends queued behind the failed batch. So
 * the lines of a generation that are on disk are all its lines up to some point, and a line may
 * refer to an earlier line of its own generation.
 */
class AppendLog {
  readonly #path: string;
  #fd: number;
  #bytes: number;
  /** Size of the file once every finished flush is on disk. */
  #written: number;
  /** Counts resets and failed flushes. */
  #generation = 0;
  #queue: Pending[] = [];
  #flushing: Promise<void> | undefined;

  /** Opens `path` for appending (creating it). */
  constructor(path: string) {
    this.#path = path;
    this.#fd = openSync(path, 'a');
    this.#bytes = statSync(path).size;
    this.#written = this.#bytes;
  }

  /** Bytes in the file, counting appends not yet on disk. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Appends `text`; resolves when it is durable, rejects when the write or the sync failed. */
  append(text: string): Promise<void> {
    const bytes = Buffer.from(text);
    this.#bytes += bytes.length;
    const done = new Promise<void>((resolve, reject) => {
      this.#queue.push({ bytes, resolve, reject });
    });
    this.#flushing ??= this.#flush();
    return done;
  }

  /** Changes when the log is reset and when a flush fails. */
  get generation(): number {
    return this.#generation;
  }

  /**
   * Runs `fold`, which must make everything appended so far durable elsewhere (a snapshot of the
   * state the appends built), then puts an empty file in the log's place (`writeFileAtomicSync`). Synchronous, so no append slips in between.
   * Appends still queued are resolved: their content is in what `fold` saved. A batch being written
   * meanwhile finishes in the old file, which the rename unlinked.
   */
  reset(fold: () => void): void {
    fold();
    for (const p of this.#queue.splice(0)) p.resolve();
    writeFileAtomicSync(this.#path, '');
    const old = this.#fd;
    this.#fd = openSync(this.#path, 'a');
    this.#generation++;
    this.#written = 0;
    this.#bytes = 0;
    // The batch in flight still writes through the old descriptor: closed once it is done.
    if (this.#flushing === undefined) closeSync(old);
    else
      void this.#flushing.then(() => {
        try {
          closeSync(old);
        } catch {
          // already closed by close()
        }
      });
  }

  /** Closes the file; appends still queued are rejected. */
  close(): void {
    for (const p of this.#queue.splice(0)) p.reject(new Error(`${this.#path} was closed`));
    if (this.#fd >= 0) closeSync(this.#fd);
    this.#fd = -1;
  }

  async #flush(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0);
      const buf =
        batch.length === 1 ? (batch[0] as Pending).bytes : Buffer.concat(batch.map((p) => p.bytes));
      const generation = this.#generation;
      try {
        await writeAll(this.#fd, buf);
        await datasync(this.#fd);
        this.#written =
          generation === this.#generation ? this.#written + buf.length : fstatSync(this.#fd).size;
        for (const p of batch) p.resolve();
      } catch (error) {
        // A half-written batch would glue the next one to a torn line: cut it off.
        try {
          ftruncateSync(this.#fd, this.#written);
        } catch {
          // the file is unusable; the next append reports that
        }
        // The appends behind it may refer to its lines: they fail with it.
        const behind = this.#queue.splice(0);
        this.#generation++;
        this.#bytes -= buf.length + behind.reduce((n, p) => n + p.bytes.length, 0);
        for (const p of [...batch, ...behind]) p.reject(error);
      }
    }
    this.#flushing = undefined;
  }
}

export { AppendLog };
