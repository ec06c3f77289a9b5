/** Replaces object addresses with a fixed token. */
export function normalise(text: string): string;
