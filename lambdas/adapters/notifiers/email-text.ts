/**
 * The email of a notification (subject and readable body), as the SNS topic's email subscribers
 * receive it and as local mode prints it. No AWS SDK here: local mode loads this alone.
 */
import type { Notification, WebhookAlert, WebhookPayload } from '../../domain/alerting/types';

/** Subjects must be shorter than 100 characters. */
const MAX_SUBJECT_CHARS = 99;

/** Distinct alert names of the payload, in order of first appearance. */
const alertNames = (payload: WebhookPayload): string[] => [
  ...new Set(payload.alerts.map((a) => a.labels.alertname ?? '').filter((n) => n !== '')),
];

/** Folds text to printable ASCII on one line (accents dropped, other characters as `?`). */
const toPrintableAscii = (s: string): string =>
  s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .trim();

/**
 * The email subject, e.g. `[FIRING:2] HighErrorRate (critical)` or `[RESOLVED] HighErrorRate
 * (critical)`, in printable ASCII and at most {@link MAX_SUBJECT_CHARS} characters.
 */
const subjectOf = (n: Notification): string => {
  const firing = n.payload.alerts.filter((a) => a.status === 'firing').length;
  const status = n.status === 'firing' ? `FIRING:${firing}` : 'RESOLVED';
  const names = alertNames(n.payload).join(', ') || n.groupKey;
  const severity = n.severity ? ` (${n.severity})` : '';
  const subject = toPrintableAscii(`[${status}] ${names}${severity}`);
  return subject.length <= MAX_SUBJECT_CHARS
    ? subject
    : `${subject.slice(0, MAX_SUBJECT_CHARS - 3)}...`;
};

const formatLabels = (labels: Readonly<Record<string, string>>): string =>
  Object.keys(labels)
    .sort()
    .map((k) => `${k}="${labels[k]}"`)
    .join(', ');

const ANNOTATION_TITLES: readonly (readonly [string, string])[] = [
  ['summary', 'Summary'],
  ['description', 'Description'],
  ['runbook_url', 'Runbook'],
];

const alertText = (a: WebhookAlert, i: number, total: number): string[] => {
  const lines = [
    `Alert ${i + 1} of ${total}: ${a.labels.alertname ?? '(no alertname)'} [${a.status.toUpperCase()}]`,
    `  Labels: ${formatLabels(a.labels)}`,
  ];
  for (const [key, title] of ANNOTATION_TITLES) {
    const value = a.annotations[key];
    if (value) lines.push(`  ${title}: ${value}`);
  }
  for (const key of Object.keys(a.annotations).sort()) {
    if (!ANNOTATION_TITLES.some(([k]) => k === key)) {
      lines.push(`  ${key}: ${a.annotations[key]}`);
    }
  }
  lines.push(`  Started: ${a.startsAt}`);
  if (a.status === 'resolved') lines.push(`  Ended: ${a.endsAt}`);
  if (a.generatorURL) lines.push(`  Source: ${a.generatorURL}`);
  return lines;
};

/** The readable email body of a notification whose payload may have lost alerts. */
const emailTextOf = (n: Notification, payload: WebhookPayload): string => {
  const firing = payload.alerts.filter((a) => a.status === 'firing').length;
  const resolved = payload.alerts.length - firing;
  const lines = [
    subjectOf(n),
    '',
    `Status: ${n.status}`,
    `Severity: ${n.severity || '(none)'}`,
    `Alerts: ${firing} firing, ${resolved} resolved${payload.truncatedAlerts > 0 ? ` (${payload.truncatedAlerts} more not included: message size limit)` : ''}`,
    `Group: ${formatLabels(payload.groupLabels) || '(all alerts)'}`,
    `Receiver: ${payload.receiver}`,
  ];
  if (payload.externalURL) lines.push(`Alertmanager: ${payload.externalURL}`);
  lines.push('');
  payload.alerts.forEach((a, i) => {
    lines.push(...alertText(a, i, payload.alerts.length), '');
  });
  return lines.join('\n');
};

export { alertNames, emailTextOf, MAX_SUBJECT_CHARS, subjectOf, toPrintableAscii };
