/**
 * The `Authorization` header of Prometheus's HTTP client config (`basic_auth`, `authorization`),
 * for the scraper and the Alertmanager client: each secret read when the request is made.
 */
import { readFile } from 'node:fs/promises';
import type {
  AuthorizationConfig,
  BasicAuthConfig,
  CredentialKind,
  CredentialSource,
} from '../../domain/config/http-auth';

/** How the secrets kept outside the config are read; without one, such a source is refused. */
interface CredentialReaders {
  /** A `*_secret` (Secrets Manager). */
  readonly readSecret?: (secretId: string) => Promise<string>;
  /** A `*_parameter` (SSM Parameter Store, decrypted). */
  readonly readParameter?: (name: string) => Promise<string>;
}

/** A secret that could not be read; `retryable` when the store's answer may change. */
class CredentialReadError extends Error {
  override readonly name = 'CredentialReadError';
  readonly retryable: boolean;
  constructor(message: string, retryable: boolean, options?: ErrorOptions) {
    super(message, options);
    this.retryable = retryable;
  }
}

/** An error's message, with the network cause (`ECONNREFUSED`, …) when there is one. */
const reasonOf = (error: unknown): string => {
  const e = error as { message?: unknown; cause?: { code?: unknown; message?: unknown } };
  const cause = e?.cause?.code ?? e?.cause?.message;
  return `${String(e?.message ?? error)}${cause ? ` (${String(cause)})` : ''}`;
};

const readFrom = async (
  read: ((key: string) => Promise<string>) | undefined,
  key: string,
  what: string,
  suffix: string,
): Promise<string> => {
  if (!read)
    throw new CredentialReadError(
      `${what} ${key}: *${suffix} credentials are read only when deployed`,
      false,
    );
  try {
    return await read(key);
  } catch (error) {
    throw new CredentialReadError(`unable to read ${what} ${key}: ${reasonOf(error)}`, true, {
      cause: error,
    });
  }
};

/**
 * A secret's text: inline, a file's content trimmed (as Prometheus reads `*_file`), a Secrets
 * Manager secret or an SSM parameter.
 * @throws CredentialReadError
 */
const readCredential = async (
  source: CredentialSource,
  readers: CredentialReaders,
): Promise<string> => {
  switch (source.kind) {
    case 'inline':
      return source.value;
    case 'file':
      try {
        return (await readFile(source.path, 'utf8')).trim();
      } catch (error) {
        throw new CredentialReadError(
          `unable to read credentials file ${source.path}: ${reasonOf(error)}`,
          false,
          { cause: error },
        );
      }
    case 'secret':
      return readFrom(readers.readSecret, source.secretId, 'secret', '_secret');
    case 'parameter':
      return readFrom(readers.readParameter, source.name, 'SSM parameter', '_parameter');
  }
};

/**
 * `Authorization: Basic …` or `Authorization: <type> <credentials>`, or none.
 * @throws CredentialReadError
 */
const authorizationHeader = async <K extends CredentialKind>(
  auth: {
    readonly basicAuth?: BasicAuthConfig<K>;
    readonly authorization?: AuthorizationConfig<K>;
  },
  readers: CredentialReaders,
): Promise<string | undefined> => {
  if (auth.basicAuth) {
    const password = await readCredential(auth.basicAuth.password, readers);
    return `Basic ${Buffer.from(`${auth.basicAuth.username}:${password}`).toString('base64')}`;
  }
  if (auth.authorization)
    return `${auth.authorization.type} ${await readCredential(auth.authorization.credentials, readers)}`;
  return undefined;
};

export type { CredentialReaders };
export { authorizationHeader, CredentialReadError, readCredential, reasonOf };
