/**
 * Links from drift alerts to the HTML drift report. A drift monitor's series are pushed as the
 * group `{job="vigil_drift", monitor}`, so an alert on them carries both labels; its link is the
 * monitor's newest report page under the notification's `externalURL` (`evaluation.external_url`).
 */
import type { WebhookAlert } from '../alerting/types';
import { DRIFT_JOB } from '../drift/monitor-series';

/** The drift monitor an alert is about, or undefined for any other alert. */
const driftMonitorOf = (alert: WebhookAlert): string | undefined =>
  alert.labels.job === DRIFT_JOB && alert.labels.monitor ? alert.labels.monitor : undefined;

/**
 * `GET /api/drift/reports/{id}.html` under `baseUrl`; undefined without an http(s) base URL.
 * @example driftReportPageUrl('https://vigil.example.com/prod', 'faces.20261125T190000.000Z') // 'https://vigil.example.com/prod/api/drift/reports/faces.20261125T190000.000Z.html'
 */
const driftReportPageUrl = (baseUrl: string, id: string): string | undefined =>
  /^https?:\/\/\S+$/.test(baseUrl)
    ? `${baseUrl.replace(/\/+$/, '')}/api/drift/reports/${encodeURIComponent(id)}.html`
    : undefined;

export { driftMonitorOf, driftReportPageUrl };
