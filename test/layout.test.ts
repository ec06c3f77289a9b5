// The layering of src/ (docs/architecture.md): no run-time import cycle at
// all, no cycle across folders even through type-only imports, and every
// import points down the layers. The graph comes from madge, read twice: once
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

test("src/: no import cycle across folders, type-only imports included", async () => {
  const g = await graph(false);
  const crossing = g.circular().filter((cycle) => new Set(cycle.map(layerOf)).size > 1);
  assert.deepEqual(crossing, [], "cycles that leave their folder");
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
