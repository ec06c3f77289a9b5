// `npm run docs` (TypeDoc) builds the API reference with no warning: every public symbol has a summary.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

test("typedoc builds the API reference with no warnings", () => {
  // A private output directory, so that a concurrent `npm run docs` is not disturbed.
  const out = mkdtempSync(join(tmpdir(), "tsyncio-docs-"));
  try {
    const r = spawnSync(process.execPath, [join(root, "node_modules", "typedoc", "bin", "typedoc"), "--out", out], {
      cwd: root,
      encoding: "utf8",
      timeout: 600_000, // a guard against a hang, not a speed check: a loaded CI machine may take minutes
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    });
    const output = `${r.stdout}${r.stderr}`;
    assert.equal(r.status, 0, output);
    assert.doesNotMatch(output, /warning|error/i, output);
    assert.ok(existsSync(join(out, "index.html")));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
