import { BadRequestError } from '../errors';
import { decodePathSegment } from '../http/percent-decoding';
import { LABEL_NAME_RE, type Labels, normalizeLabels } from '../series/labels';

/**
 * Decodes `@base64` values: RFC 4648 URL-safe alphabet, padding optional, `=` alone for "".
 * @see https://github.com/prometheus/pushgateway#url
 */
const decodeBase64Value = (raw: string, where: string): string => {
  const s = raw.replace(/=+$/, '');
  if (!/^[A-Za-z0-9_-]*$/.test(s))
    throw new BadRequestError(`invalid base64 in ${where}: ${JSON.stringify(raw)}`);
  const bytes = Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  return text;
};

/**
 * Parses a Pushgateway path `/metrics/job/<job>{/<label>/<value>}` (with optional `@base64`
 * suffixes on `job` and label names) into its grouping key.
 * @see https://github.com/prometheus/pushgateway#url
 * @example parseGroupingKey('/metrics/job/train/instance@base64/L3Zhci90bXA') // {instance:'/var/tmp', job:'train'}
 */
const parseGroupingKey = (path: string): Labels => {
  const m = /^\/metrics\/(job(?:@base64)?)\/(.*)$/.exec(path);
  if (!m)
    throw new BadRequestError(
      `path must look like /metrics/job/<job>{/<label>/<value>}, got ${JSON.stringify(path)}`,
    );
  const segments = [m[1] as string, ...(m[2] as string).split('/')];
  if (segments[segments.length - 1] === '') segments.pop();
  if (segments.length % 2 !== 0) {
    throw new BadRequestError(
      `odd number of components in grouping key path ${JSON.stringify(path)}: every label needs a value`,
    );
  }
  const key: Record<string, string> = {};
  for (let i = 0; i < segments.length; i += 2) {
    let name = segments[i] as string;
    const rawValue = segments[i + 1] as string;
    const b64 = name.endsWith('@base64');
    if (b64) name = name.slice(0, -'@base64'.length);
    name = decodePathSegment(name, 'label name');
    if (!LABEL_NAME_RE.test(name) || name.startsWith('__')) {
      throw new BadRequestError(`invalid label name in grouping key: ${JSON.stringify(name)}`);
    }
    if (name in key)
      throw new BadRequestError(`duplicate label ${JSON.stringify(name)} in grouping key`);
    const value = b64
      ? decodeBase64Value(rawValue, `value of ${name}`)
      : decodePathSegment(rawValue, `value of ${name}`);
    key[name] = value;
  }
  if (!key.job) throw new BadRequestError('the job name must not be empty');
  return normalizeLabels(key);
};

export { parseGroupingKey };
