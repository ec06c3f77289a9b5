// Records the expected traces of the differential suite: runs each
// test/differential/scenarios/NAME.py under CPython 3.12 and writes its stdout to
// test/differential/expected/NAME.txt. Run it once after adding or changing a scenario:
//   node scripts/record-traces.mjs [substring ...]
// The test never runs Python; it compares tsyncio's trace with these recorded files.
import { spawnSync } from "node:child_process";
import { readdirSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { normalise } from "../test/differential/normalise.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const scenarios = join(root, "test/differential/scenarios");
const expected = join(root, "test/differential/expected");
const python = process.env.PYTHON312 ?? "/root/.pyenv/versions/3.12.1/bin/python3";
if (!existsSync(python)) {
  console.error(`CPython 3.12 not found at ${python} (set PYTHON312)`);
  process.exit(2);
}
const version = spawnSync(python, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"], { encoding: "utf8" }).stdout.trim();
if (version !== "3.12") {
  console.error(`${python} is Python ${version}, not 3.12`);
  process.exit(2);
}
mkdirSync(expected, { recursive: true });
const filter = process.argv.slice(2);
let failed = 0;
for (const file of readdirSync(scenarios).sort()) {
  if (!file.endsWith(".py") || file.startsWith("_")) continue;
  const name = file.slice(0, -3);
  if (filter.length && !filter.some((s) => name.includes(s))) continue;
  const env = { ...process.env, PYTHONHASHSEED: "0", PYTHONUNBUFFERED: "1" };
  delete env.PYTHONASYNCIODEBUG;
  const r = spawnSync(python, [file], { cwd: scenarios, env, encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) {
    failed++;
    console.error(`FAIL ${name} (exit ${r.status})\n${r.stderr}`);
    continue;
  }
  writeFileSync(join(expected, `${name}.txt`), normalise(r.stdout));
  console.log(`recorded ${name} (${r.stdout.split("\n").length - 1} lines)`);
}
process.exit(failed ? 1 : 0);
