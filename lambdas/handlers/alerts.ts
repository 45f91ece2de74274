/** Lambda entry point of the alerts, rules and silences API (placeholder, being implemented). */
export const handler = async (): Promise<{ statusCode: number; body: string }> => ({
  statusCode: 501,
  body: '{"status":"error","error":"not implemented"}',
});
