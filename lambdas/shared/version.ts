/** Vigil's version, reported by /health and /api/v1/status/buildinfo. Keep in step with package.json. */
export const VIGIL_VERSION = '0.1.0';
