/** Notification severities and endpoints, without the `channels:` schema (channels-config.ts). */

/** The three severities that have an SNS topic each. */
export const TOPIC_SEVERITIES = ['critical', 'warning', 'info'] as const;
export type TopicSeverity = (typeof TOPIC_SEVERITIES)[number];

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';
