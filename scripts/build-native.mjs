// Builds the native addon with node-gyp against the headers that ship with the
// running Node (docs/architecture.md): `--nodedir` is the directory above the node binary,
// so node-gyp never tries to download headers.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const nodedir = dirname(dirname(process.execPath));
const header = join(nodedir, "include", "node", "node_api.h");
function fail(message) {
  console.error(`\ntsyncio: cannot build the native addon: ${message}\n`);
  process.exit(1);
}
if (!existsSync(header)) {
  fail(`Node's headers are missing (${header}). Install the Node.js development headers ` +
    `(Debian: apt-get install nodejs libnode-dev, or a Node.js binary distribution that ships include/node).`);
}
for (const tool of ["python3", "make", "g++"]) {
  const r = spawnSync("sh", ["-c", `command -v ${tool}`]);
  if (r.status !== 0) fail(`'${tool}' was not found. Install a C++ toolchain (Debian: apt-get install python3 make g++).`);
}
// node-gyp: the one npm ships (npm sets npm_config_node_gyp for lifecycle scripts),
// else one found beside npm, else a local install.
const candidates = [process.env.npm_config_node_gyp];
try {
  const npmCli = createRequire(import.meta.url).resolve("npm/package.json", { paths: [join(nodedir, "lib", "node_modules")] });
  candidates.push(join(dirname(npmCli), "node_modules", "node-gyp", "bin", "node-gyp.js"));
} catch { /* npm not resolvable from here */ }
candidates.push(join(nodedir, "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"));
const gyp = candidates.find((c) => c && existsSync(c));
if (!gyp) fail("node-gyp was not found (it ships with npm). Reinstall npm.");
const r = spawnSync(process.execPath, [gyp, "rebuild", `--nodedir=${nodedir}`, "-j", "2"], { cwd: root, stdio: "inherit" });
if (r.status !== 0) fail(`node-gyp exited with status ${r.status}; see the compiler output above.`);
