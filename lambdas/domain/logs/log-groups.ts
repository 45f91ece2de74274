import { BadRequestError } from '../errors';

/** Service name of the group that events of unconfigured services go to. */
const DEFAULT_GROUP_SERVICE = 'default';

/**
 * CloudWatch Logs group names: 1-512 characters of `a-z A-Z 0-9 _ - / . #`.
 * @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html
 */
const LOG_GROUP_NAME_RE = /^[A-Za-z0-9_\-/.#]{1,512}$/;

/** A log group name CloudWatch Logs would refuse. Maps to 400. */
class LogGroupNameError extends BadRequestError {
  override readonly name: string = 'LogGroupNameError';
}

/**
 * The log group of a service: `/vigil/<project>/<service>`.
 * @throws LogGroupNameError when the name has characters CloudWatch Logs does not allow.
 * @example logGroupName('shop', 'api') // '/vigil/shop/api'
 */
const logGroupName = (project: string, service: string): string => {
  const name = `/vigil/${project}/${service}`;
  if (!LOG_GROUP_NAME_RE.test(name) || service.includes('/') || service === '')
    throw new LogGroupNameError(
      `log group ${JSON.stringify(name)} is not a valid CloudWatch Logs group name (1-512 of a-z A-Z 0-9 _ - / . #, one level per service)`,
    );
  return name;
};

/** The group of events whose service has no group of its own: `/vigil/<project>/default`. */
const defaultLogGroupName = (project: string): string =>
  logGroupName(project, DEFAULT_GROUP_SERVICE);

/**
 * Service → log group: a configured service gets its own group, any other service the default
 * group (so an unknown or hostile `service` value never creates a group or fails a write).
 * @example logGroupResolver('shop', ['api'])('billing') // '/vigil/shop/default'
 */
const logGroupResolver = (
  project: string,
  services: readonly string[],
): ((service: string) => string) => {
  const groups = new Map(services.map((s) => [s, logGroupName(project, s)]));
  const fallback = defaultLogGroupName(project);
  return (service) => groups.get(service) ?? fallback;
};

export {
  DEFAULT_GROUP_SERVICE,
  defaultLogGroupName,
  LOG_GROUP_NAME_RE,
  LogGroupNameError,
  logGroupName,
  logGroupResolver,
};
