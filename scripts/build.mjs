// Builds the ESM and CommonJS outputs with tsc. The only ESM-only construct in
// src/ is `import.meta.url` in internal/package-root.ts; the CommonJS output
// gets the equivalent expression so both builds find the package root.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, rmSync, existsSync } from "node:fs";
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
