/**
 * `basic_auth` and `authorization` of Prometheus's HTTP client config, as `scrape_configs` and
 * `alerting.alertmanagers` take them: each secret from exactly one source, named by a suffix of
 * its key (`password`, `password_file`, `password_secret`, `password_parameter`).
 * @see https://prometheus.io/docs/prometheus/latest/configuration/configuration/#http_config
 */
import { fail, mapping, z } from './schema-kit';

/**
 * Where a secret comes from: written in the config, a file read when it is used (as Prometheus
 * reads `password_file`), a Secrets Manager secret or an SSM parameter (AWS only).
 */
type CredentialSource =
  | { readonly kind: 'inline'; readonly value: string }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'secret'; readonly secretId: string }
  | { readonly kind: 'parameter'; readonly name: string };

type CredentialKind = CredentialSource['kind'];

/** `basic_auth`: user name and one password source. */
interface BasicAuthConfig<K extends CredentialKind = CredentialKind> {
  readonly username: string;
  readonly password: Extract<CredentialSource, { kind: K }>;
}

/** `authorization`: `Authorization: <type> <credentials>`. */
interface AuthorizationConfig<K extends CredentialKind = CredentialKind> {
  /** @default 'Bearer' */
  readonly type: string;
  readonly credentials: Extract<CredentialSource, { kind: K }>;
}

const KEY_SUFFIX: Readonly<Record<CredentialKind, string>> = {
  inline: '',
  file: '_file',
  secret: '_secret',
  parameter: '_parameter',
};

const nonEmpty = z
  .string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a non-empty string') })
  .min(1, { error: 'must be a non-empty string' });

const sourceOf = (kind: CredentialKind, value: string): CredentialSource => {
  switch (kind) {
    case 'inline':
      return { kind, value };
    case 'file':
      return { kind, path: value };
    case 'secret':
      return { kind, secretId: value };
    case 'parameter':
      return { kind, name: value };
  }
};

/**
 * The `basic_auth` and `authorization` schemas of a config section whose secrets may come from
 * `kinds`. A username may be empty, as in Prometheus.
 */
const httpAuthSchemas = <K extends CredentialKind>(kinds: readonly K[]) => {
  const keysOf = (name: string) => kinds.map((k) => [k, `${name}${KEY_SUFFIX[k]}`] as const);
  const fieldsOf = (name: string) =>
    Object.fromEntries(keysOf(name).map(([, key]) => [key, nonEmpty.optional()]));
  const secretOf = (
    o: Record<string, unknown>,
    name: string,
    ctx: Parameters<typeof fail>[0],
  ): Extract<CredentialSource, { kind: K }> | undefined => {
    const keys = keysOf(name);
    const given = keys.filter(([, key]) => o[key] !== undefined);
    const [only] = given;
    if (given.length !== 1 || only === undefined) {
      const all = keys.map(([, key]) => key).join(', ');
      fail(
        ctx,
        given.length > 1
          ? `only one of ${all} may be given, got ${given.map(([, key]) => key).join(' and ')}`
          : `needs one of ${all}`,
      );
      return undefined;
    }
    return sourceOf(only[0], o[only[1]] as string) as Extract<CredentialSource, { kind: K }>;
  };

  const basicAuth = mapping(
    { username: z.string().default(''), ...fieldsOf('password') },
    'must be a mapping with username and password',
  ).transform((b, ctx): BasicAuthConfig<K> => {
    const password = secretOf(b, 'password', ctx);
    return password ? { username: b.username, password } : z.NEVER;
  });

  const authorization = mapping(
    {
      type: nonEmpty
        // Prometheus refuses `type: Basic` here: basic_auth is the way to send it.
        .refine((t) => t.toLowerCase() !== 'basic', {
          error: 'authorization type cannot be set to "basic", use "basic_auth" instead',
        })
        .default('Bearer'),
      ...fieldsOf('credentials'),
    },
    'must be a mapping with type and credentials',
  ).transform((a, ctx): AuthorizationConfig<K> => {
    const credentials = secretOf(a, 'credentials', ctx);
    return credentials ? { type: a.type, credentials } : z.NEVER;
  });

  return { basicAuth, authorization };
};

export type { AuthorizationConfig, BasicAuthConfig, CredentialKind, CredentialSource };
export { httpAuthSchemas };
