// Runs examples/watch-fd.ts as a real process and checks its output.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

test("watch-fd: the reader prints what the other end of the socketpair sent, then the loop stops and the process exits", () => {
  const r = spawnSync(process.execPath, ["--import", "tsx", join("examples", "watch-fd.ts")], {
    cwd: root,
    encoding: "utf8",
    timeout: 120_000,
  });
  // The example makes its own loop (newEventLoop + setEventLoop): nothing at all on stderr.
  assert.equal(r.stderr, "");
  assert.equal(r.status, 0);
  assert.equal(r.stdout, "Received: abc\n");
});
