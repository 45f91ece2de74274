import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

let tempCounter = 0;

/**
 * Replaces `path` with `body` so that a crash leaves either the old or the new file, never a torn
 * one: write a temp file beside it, fsync it, rename it over `path`, then fsync the directory so
 * the rename itself is durable. Some platforms cannot fsync a directory; the renamed file is
 * complete there anyway, so that failure is ignored. A failed write removes its temp file.
 */
const writeFileAtomic = async (path: string, body: string): Promise<void> => {
  tempCounter += 1;
  const temp = `${path}.${process.pid}.${tempCounter}.tmp`;
  try {
    const file = await open(temp, 'w');
    try {
      await file.writeFile(body, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  try {
    const dir = await open(dirname(path), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch {
    // see above: directory fsync is best effort
  }
};

/** {@link writeFileAtomic}, synchronously: for a caller that must not let other work interleave. */
const writeFileAtomicSync = (path: string, body: string): void => {
  tempCounter += 1;
  const temp = `${path}.${process.pid}.${tempCounter}.tmp`;
  try {
    const fd = openSync(temp, 'w');
    try {
      writeSync(fd, body);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  try {
    const dir = openSync(dirname(path), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  } catch {
    // as above: directory fsync is best effort
  }
};

export { writeFileAtomic, writeFileAtomicSync };
