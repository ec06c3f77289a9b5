// Where a tsyncio connection's memory goes: takes a V8 heap snapshot of the
// bench/conns.ts server before and after N connections are set up (idle or
// active) and prints the growth per connection by object kind (constructor
// name, or the V8 node type for internals), largest first.
// Usage: node --import tsx bench/conn-heap.ts [N] [idle|active]
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildC } from "./echo.js";
import { tsyncioServer } from "./conns.js";

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Self size and count per object kind. */
function census(path: string): Map<string, [number, number]> {
  const s = JSON.parse(readFileSync(path, "utf8")) as Snapshot;
  const f = s.snapshot.meta.node_fields;
  const types = s.snapshot.meta.node_types[0];
  const [iType, iName, iSize, width] = [f.indexOf("type"), f.indexOf("name"), f.indexOf("self_size"), f.length];
  const out = new Map<string, [number, number]>();
  for (let i = 0; i < s.nodes.length; i += width) {
    const type = types[s.nodes[i + iType]!]!;
    const name = s.strings[s.nodes[i + iName]!]!;
    const key = type === "object" || type === "closure" ? `${type} ${name}` : type === "native" ? `native ${name.split(" ")[0]}` : type;
    const cur = out.get(key) ?? [0, 0];
    cur[0] += s.nodes[i + iSize]!;
    cur[1] += 1;
    out.set(key, cur);
  }
  return out;
}

function waitFor(child: ChildProcess, re: RegExp): Promise<RegExpExecArray> {
  let out = "";
  return new Promise((resolve) => {
    const on = (d: Buffer): void => {
      out += d.toString();
      const m = re.exec(out);
      if (m) {
        child.stdout!.off("data", on);
        resolve(m);
      }
    };
    child.stdout!.on("data", on);
  });
}

const n = Number(process.argv[2] ?? 10_000);
const size = process.argv[3] === "idle" ? 0 : 1024;
const dir = mkdtempSync(join(tmpdir(), "tsyncio-heap-"));
const cmd = tsyncioServer();
const server = spawn(cmd[0]!, cmd.slice(1), { stdio: ["pipe", "pipe", "inherit"] });
try {
  const port = (await waitFor(server, /READY (\d+)/))[1]!;
  const open = async (count: number): Promise<ChildProcess> => {
    const c = spawn(buildC("loadgen", "conns"), ["127.0.0.1", port, String(count), String(size)], { stdio: ["pipe", "pipe", "inherit"] });
    await waitFor(c, /DONE/);
    return c;
  };
  const snap = async (name: string): Promise<string> => {
    const path = join(dir, name);
    server.stdin!.write(`snapshot ${path}\n`);
    await waitFor(server, /SNAPSHOT/);
    return path;
  };
  const warm = await open(64);
  warm.stdin!.end("x");
  await new Promise((r) => warm.once("exit", r));
  const before = census(await snap("before.heapsnapshot"));
  const client = await open(n);
  const after = census(await snap("after.heapsnapshot"));
  client.stdin!.end("x");
  const rows = [...after].map(([k, [bytes, count]]) => {
    const [b0, c0] = before.get(k) ?? [0, 0];
    return [k, (bytes - b0) / n, (count - c0) / n] as const;
  }).filter(([, b]) => Math.abs(b) >= 4).sort((a, b) => b[1] - a[1]);
  let total = 0;
  console.log(`| object kind | bytes / connection | objects / connection |\n| --- | ---: | ---: |`);
  for (const [k, b, c] of rows) {
    total += b;
    console.log(`| ${k} | ${b.toFixed(0)} | ${c.toFixed(2)} |`);
  }
  console.log(`| total (kinds of ≥ 4 bytes) | ${total.toFixed(0)} | |`);
} finally {
  server.kill("SIGKILL");
  if (process.env.KEEP_SNAPSHOTS) console.log(dir); else rmSync(dir, { recursive: true, force: true });
}
