// Builds the ESM and CommonJS outputs with tsc. The only ESM-only construct in
// src/ is `import.meta.url` in internal/package-root.ts; the CommonJS output
// gets the equivalent expression so both builds find the package root.
// Then it writes the package's entry points, dist/entry/<name>.mjs and .cjs:
// both hand out the process's one copy of the module (internal/instance.ts),
// loading the CommonJS build if no copy is registered yet, so that ESM and
// CommonJS consumers in one process share one loop registry and one set of
// classes. The ESM entry names the CommonJS build's exports one by one.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, rmSync, existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
let tsc;
try {
  tsc = require.resolve("typescript/bin/tsc");
} catch {
  // Installed as a dependency without devDependencies: the shipped dist/ is used as is.
  process.exit(0);
}
rmSync(join(root, "dist"), { recursive: true, force: true });
for (const project of ["tsconfig.json", "tsconfig.cjs.json"]) {
  execFileSync(process.execPath, [tsc, "-p", join(root, project)], { stdio: "inherit", cwd: root });
}
writeFileSync(join(root, "dist/cjs/package.json"), JSON.stringify({ type: "commonjs" }) + "\n");
const pr = join(root, "dist/cjs/internal/package-root.js");
if (existsSync(pr)) {
  const text = readFileSync(pr, "utf8").replace(/import\.meta\.url/g, 'require("node:url").pathToFileURL(__filename).href');
  writeFileSync(pr, text);
}

const entries = { index: "tsyncio", "stdlib/socket": "tsyncio/socket", "stdlib/contextvars": "tsyncio/contextvars" };
const entryDir = join(root, "dist/entry");
mkdirSync(entryDir, { recursive: true });
const cjsRequire = createRequire(join(root, "dist/cjs/index.js"));
for (const [file, name] of Object.entries(entries)) {
  const base = file.split("/").pop();
  const target = `../cjs/${file}.js`;
  const load = `sharedInstance(${JSON.stringify(name)}, () => require(${JSON.stringify(target)}))`;
  writeFileSync(join(entryDir, `${base}.cjs`),
    `"use strict";\n// The ${name} entry for require(): the process's one copy (scripts/build.mjs).\n` +
    `const { sharedInstance } = require("../cjs/internal/instance.js");\nmodule.exports = ${load};\n`);
  const names = Object.keys(cjsRequire(`./${file}.js`)).filter((n) => n !== "__esModule" && n !== "default");
  const lines = names.map((n) => `export const ${n} = m.${n};`);
  writeFileSync(join(entryDir, `${base}.mjs`),
    `// The ${name} entry for import: the process's one copy (scripts/build.mjs).\n` +
    `import { createRequire } from "node:module";\nconst require = createRequire(import.meta.url);\n` +
    `const { sharedInstance } = require("../cjs/internal/instance.js");\nconst m = ${load};\n${lines.join("\n")}\n`);
}
