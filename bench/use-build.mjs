// `node --import tsx --import ./bench/use-build.mjs FILE.ts`: the bench's own
// TypeScript runs through tsx and is typed against src/, but every module of
// src/ it reaches is swapped for its compiled twin in dist/esm/, so what is
// measured is the code a user of the package runs. Under tsx the transformed
// sources made an echo server fall into back-to-back full GCs at 10 and
// 100 KiB messages (docs/BENCHMARKS.md, "The build, not tsx").
import { existsSync } from "node:fs";
import { register } from "node:module";
import { fileURLToPath } from "node:url";
import { isMainThread } from "node:worker_threads";

const root = new URL("../", import.meta.url);
const src = new URL("src/", root).href;
const esm = new URL("dist/esm/", root).href;

if (isMainThread) {
  if (!existsSync(fileURLToPath(new URL("index.js", esm)))) {
    throw new Error("bench/use-build.mjs: dist/esm/ is missing; run `npm run build` first");
  }
  register(import.meta.url);
}

/** Module hook: a file under src/ resolves to the same path under dist/esm/, as .js. */
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (!r.url.startsWith(src)) return r;
  const rel = r.url.slice(src.length).replace(/\.ts$/, ".js");
  return { ...r, url: esm + rel, format: "module" };
}
