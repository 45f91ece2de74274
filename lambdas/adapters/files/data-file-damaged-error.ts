/**
 * A file of the local data directory that cannot be read back as written: cut short, zeroed,
 * overwritten, or of the wrong shape. Local mode refuses to start on it rather than run with data
 * silently missing; the message names the file, the byte offset and the way out
 * (`vigil repair`, or restoring the file), as docs/local-data.md describes.
 */
class DataFileDamagedError extends Error {
  override readonly name = 'DataFileDamagedError';
  readonly file: string;
  readonly offset: number;
  readonly reason: string;
  constructor(file: string, offset: number, reason: string, options?: ErrorOptions) {
    super(`${file} is damaged at byte ${offset}: ${reason}`, options);
    this.file = file;
    this.offset = offset;
    this.reason = reason;
  }
}

export { DataFileDamagedError };
