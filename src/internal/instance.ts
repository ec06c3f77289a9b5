// One copy of tsyncio per process, whatever loads it. The package's entry
// points (dist/entry/*.mjs and *.cjs, written by scripts/build.mjs) and the
// CLI (cli/cli.ts) ask this registry for a module before loading their own:
// an ESM import, a CommonJS require, tsx's compiled require and the CLI's
// TypeScript sources then all see the same running-loop registry, the same
// policy and the same classes. The registry lives on globalThis under a
// registered symbol, the one place two module copies can both reach.

const REGISTRY = Symbol.for("tsyncio.instances");

type Registry = Record<string, object>;

function registry(): Registry {
  const g = globalThis as typeof globalThis & { [REGISTRY]?: Registry };
  return (g[REGISTRY] ??= Object.create(null) as Registry);
}

/**
 * The process's one copy of the entry `name` ("tsyncio", "tsyncio/socket",
 * ...): the copy registered first, or `load()`'s result, registered now.
 */
export function sharedInstance<T extends object>(name: string, load: () => T): T {
  const r = registry();
  const found = r[name];
  if (found !== undefined) return found as T;
  const loaded = load();
  r[name] = loaded;
  return loaded;
}
