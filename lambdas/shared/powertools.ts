import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/** One logger and one metrics instance per function (service name from POWERTOOLS_SERVICE_NAME). */
const logger = new Logger({ serviceName: 'vigil' });
const metrics = new Metrics({ namespace: 'Vigil', serviceName: 'vigil' });

export { logger, metrics };
