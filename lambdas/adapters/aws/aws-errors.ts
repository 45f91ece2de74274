/**
 * Reading an AWS SDK error without importing any SDK: its name, its Node.js network code, its
 * message on one line. Shared by the `vigil doctor` checks in this folder.
 */

/** Errors meaning "no usable credentials", from the credential chain or from the service. */
const CREDENTIAL_ERRORS: ReadonlySet<string> = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'TokenRefreshRequired',
]);

/** IAM's wording when the caller's policy does not allow an action. */
const IAM_DENIAL_RE = /is not authorized to perform/i;

const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim();

const errorParts = (error: unknown): { name: string; code: string; message: string } => {
  if (error instanceof Error) {
    const code = String((error as { code?: unknown }).code ?? '');
    return { name: error.name, code, message: oneLine(error.message) };
  }
  return { name: 'Error', code: '', message: oneLine(String(error)) };
};

export { CREDENTIAL_ERRORS, errorParts, IAM_DENIAL_RE, oneLine };
