// The one normalisation both sides of a differential trace get: object addresses in reprs
// ("at 0x7f3a..." in Python), which cannot be equal between two processes.

/** Replaces object addresses with a fixed token. */
export function normalise(text) {
  return text.replace(/ at 0x[0-9a-fA-F]+/g, " at 0x?");
}
