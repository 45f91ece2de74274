/** Read-write or read-only access, for the `bindX()` helpers. */
export const Access = { ReadWrite: 'RW', WriteOnly: 'WO', ReadOnly: 'RO' } as const;
export type Access = (typeof Access)[keyof typeof Access];

export interface BindOptions {
  /** What the function may do with the resource. */
  readonly access: Access;
}
