/** Types for snappyjs 0.7 (the package ships none). Only compression is used; see snappy.ts for why. */
declare module 'snappyjs' {
  export function compress(uncompressed: Uint8Array): Uint8Array;
}
