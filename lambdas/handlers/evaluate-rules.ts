/** Lambda entry point of the scheduled rule evaluator (placeholder, being implemented). */
export const handler = async (): Promise<void> => {};
