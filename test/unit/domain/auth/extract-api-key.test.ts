import fc from 'fast-check';
import {
  ApiKeySource,
  extractApiKey,
  stageWildcardArn,
} from '../../../../lambdas/domain/auth/extract-api-key';

const KEY = 'k3yValue0123456789abcdefghijABCDEFGHIJ';
const basic = (userPass: string): string => `Basic ${Buffer.from(userPass).toString('base64')}`;

describe('Function: extractApiKey', () => {
  describe('x-api-key', () => {
    it('reads the key from x-api-key', () => {
      // Prepare
      const headers = { 'x-api-key': KEY };

      // Act
      const result = extractApiKey(headers);

      // Assess
      expect(result).toEqual({ key: KEY, source: ApiKeySource.Header });
    });

    it.each(['X-API-Key', 'X-Api-Key', 'X-API-KEY'])('matches the header name %s', (name) => {
      // Prepare
      const headers = { [name]: KEY };

      // Act
      const result = extractApiKey(headers);

      // Assess
      expect(result?.key).toBe(KEY);
    });

    it('trims surrounding whitespace', () => {
      // Act
      const result = extractApiKey({ 'x-api-key': `  ${KEY}\t` });

      // Assess
      expect(result?.key).toBe(KEY);
    });

    it('prefers x-api-key over Authorization', () => {
      // Prepare
      const headers = { 'x-api-key': KEY, authorization: 'Bearer other-key-0123456789' };

      // Act
      const result = extractApiKey(headers);

      // Assess
      expect(result).toEqual({ key: KEY, source: 'x-api-key' });
    });

    it('falls through to Authorization when x-api-key is empty', () => {
      // Act
      const result = extractApiKey({ 'x-api-key': '  ', Authorization: `Bearer ${KEY}` });

      // Assess
      expect(result).toEqual({ key: KEY, source: 'bearer' });
    });

    it('rejects a key with inner whitespace', () => {
      // Act
      const result = extractApiKey({ 'x-api-key': 'two words' });

      // Assess
      expect(result).toBeUndefined();
    });

    it('rejects a key with non-ASCII characters', () => {
      // Act
      const result = extractApiKey({ 'x-api-key': 'clé-0123456789abcdefgh' });

      // Assess
      expect(result).toBeUndefined();
    });
  });

  describe('Authorization: Bearer', () => {
    it.each([`Bearer ${KEY}`, `bearer ${KEY}`, `BEARER ${KEY}`, `Bearer   ${KEY}`])(
      'reads the key from %j',
      (value) => {
        // Act
        const result = extractApiKey({ Authorization: value });

        // Assess
        expect(result).toEqual({ key: KEY, source: ApiKeySource.Bearer });
      },
    );

    it.each(['Bearer', 'Bearer ', `Bearer${KEY}`, `Bearer ${KEY} trailing`])(
      'rejects the malformed %j',
      (value) => {
        // Act
        const result = extractApiKey({ authorization: value });

        // Assess
        expect(result).toBeUndefined();
      },
    );
  });

  describe('Authorization: Basic', () => {
    it('reads the password as the key', () => {
      // Act
      const result = extractApiKey({ Authorization: basic(`prometheus:${KEY}`) });

      // Assess
      expect(result).toEqual({ key: KEY, source: ApiKeySource.Basic });
    });

    it('accepts an empty user name', () => {
      // Act
      const result = extractApiKey({ Authorization: basic(`:${KEY}`) });

      // Assess
      expect(result?.key).toBe(KEY);
    });

    it('splits at the first colon, keeping colons in the password', () => {
      // Act
      const result = extractApiKey({ Authorization: basic('user:abc:def0123456789') });

      // Assess
      expect(result?.key).toBe('abc:def0123456789');
    });

    it('accepts a lower-case scheme and unpadded base64', () => {
      // Prepare
      const token = Buffer.from(`u:${KEY}x`).toString('base64').replace(/=+$/, '');

      // Act
      const result = extractApiKey({ authorization: `basic ${token}` });

      // Assess
      expect(result?.key).toBe(`${KEY}x`);
    });

    it.each([
      ['no colon', basic('justakey0123456789abc')],
      ['an empty password', basic('user:')],
      ['invalid base64', 'Basic !!!not-base64!!!'],
      ['an impossible base64 length', 'Basic abcde'],
      ['invalid UTF-8', `Basic ${Buffer.from([0x75, 0x3a, 0xff, 0xfe]).toString('base64')}`],
      ['a password with spaces', basic('user:has space')],
      ['no credentials', 'Basic'],
    ])('rejects %s', (_name, value) => {
      // Act
      const result = extractApiKey({ Authorization: value });

      // Assess
      expect(result).toBeUndefined();
    });
  });

  describe('no key', () => {
    it.each([
      ['null headers', null],
      ['undefined headers', undefined],
      ['no headers', {}],
      ['unrelated headers', { 'content-type': 'text/plain' }],
      ['an undefined header value', { 'x-api-key': undefined }],
      ['an unknown scheme', { Authorization: `Digest ${KEY}` }],
      ['a scheme-less Authorization', { Authorization: KEY }],
    ])('returns undefined for %s', (_name, headers) => {
      // Act
      const result = extractApiKey(headers);

      // Assess
      expect(result).toBeUndefined();
    });
  });

  it('never throws, whatever the headers', () => {
    // Prepare
    const headerName = fc.constantFrom('x-api-key', 'X-Api-Key', 'authorization', 'Authorization');
    const headerValue = fc.oneof(
      fc.string(),
      fc.string().map((s) => `Basic ${s}`),
      fc.string().map((s) => `Bearer ${s}`),
      fc.uint8Array().map((b) => `Basic ${Buffer.from(b).toString('base64')}`),
    );

    // Act & Assess
    fc.assert(
      fc.property(fc.dictionary(headerName, headerValue), (headers) => {
        const result = extractApiKey(headers);
        if (result !== undefined) expect(result.key).toMatch(/^[\x21-\x7e]+$/);
      }),
    );
  });
});

describe('Function: stageWildcardArn', () => {
  it('widens a method ARN to every method of the stage', () => {
    // Act
    const result = stageWildcardArn(
      'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/POST/api/v1/write',
    );

    // Assess
    expect(result).toBe('arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*');
  });

  it.each([
    'not-an-arn',
    'arn:aws:execute-api:eu-west-1:123456789012:abc123',
    'arn:aws:execute-api:eu-west-1:123456789012:abc123//GET/x',
    'garbage/prod/GET',
  ])('returns %j unchanged', (arn) => {
    // Act
    const result = stageWildcardArn(arn);

    // Assess
    expect(result).toBe(arn);
  });
});
