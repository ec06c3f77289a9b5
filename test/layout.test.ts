// The layering of src/ (docs/architecture.md): no run-time import cycle at
// all, no cycle through type-only imports except three named pairs inside
// core/, and every import points down the layers. The graph comes from madge, read twice: once
// with type-only imports skipped (what runs) and once with them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import madge from "madge";

const root = fileURLToPath(new URL("..", import.meta.url));
const src = fileURLToPath(new URL("../src", import.meta.url));

/** Folders from the bottom layer up; the files directly in src/ sit above them all, the CLI on top. */
const LAYERS = ["internal", "stdlib", "core", "sync", "executors", "net", "unix", "node", ".", "cli"];

function layerOf(file: string): string {
  const slash = file.indexOf("/");
  return slash < 0 ? "." : file.slice(0, slash);
}

async function graph(skipTypeImports: boolean): Promise<Awaited<ReturnType<typeof madge>>> {
  return madge(src, {
    baseDir: src,
    fileExtensions: ["ts"],
    tsConfig: `${root}/tsconfig.json`,
    detectiveOptions: { ts: { skipTypeImports }, tsx: { skipTypeImports } },
  });
}

test("src/: no run-time import cycle", async () => {
  const g = await graph(true);
  assert.deepEqual(g.circular(), [], "modules that import each other at run time");
});

/**
 * The only cycles through type-only imports: concepts that name each other in
 * their signatures (docs/architecture.md, "Cycles"). The loop interface returns
 * Futures and Tasks, which hand back their loop; a protocol receives its
 * transport, which hands back its protocol. Each is one edge down at run time
 * and one type-only edge back, inside core/.
 */
const NAMING_EACH_OTHER = [
  ["core/events.ts", "core/futures.ts"],
  ["core/events.ts", "core/tasks.ts"],
  ["core/protocols.ts", "core/transports.ts"],
];

test("src/: no import cycle through type-only imports but the pairs that name each other", async () => {
  const g = await graph(false);
  const key = (cycle: string[]): string => [...cycle].sort().join(" <-> ");
  const allowed = new Set(NAMING_EACH_OTHER.map(key));
  const others = g.circular().filter((cycle) => !allowed.has(key(cycle)));
  assert.deepEqual(others, [], "import cycles (type-only imports included)");
});

test("src/: every import points down the layers (or stays in its folder)", async () => {
  const g = await graph(false);
  const deps = g.obj();
  assert.ok(Object.keys(deps).length > 40, "madge found the sources");
  const upward: string[] = [];
  for (const [file, imports] of Object.entries(deps)) {
    const from = LAYERS.indexOf(layerOf(file));
    assert.notEqual(from, -1, `${file} is in no known layer: add its folder to LAYERS and docs/architecture.md`);
    for (const dep of imports) {
      if (LAYERS.indexOf(layerOf(dep)) > from) upward.push(`${file} -> ${dep}`);
    }
  }
  assert.deepEqual(upward, [], "imports from a lower layer to a higher one");
});
