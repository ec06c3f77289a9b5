#!/usr/bin/env node
// The `tsyncio` command. The CLI itself is src/cli/cli.ts; it runs from the
// TypeScript sources under tsx, so that `tsyncio run module.ts` can import
// TypeScript and the module and the CLI share one copy of tsyncio. tsx is a
// dependency of tsyncio (not a dev dependency), resolved here from tsyncio's
// own location, so a project that installs tsyncio needs no tsx of its own.
// Node 20 cannot take a loader after start-up for everything that needs one
// (worker threads and child processes of the executors inherit `--import tsx`
// from execArgv), so without it the command re-executes node with
// `--import tsx`. If tsx cannot be resolved (a broken install), the built
// dist/ runs (JavaScript modules only; cli.ts says so for a .ts module).
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const argv = process.argv.slice(2);

if (argv[0] === "--version" || argv[0] === "-V") {
  const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  process.stdout.write(`tsyncio ${version}\n`);
  process.exit(0);
}

const tsxLoaded = process.execArgv.some((a) => /(^|[\\/@:])tsx([\\/]|$)/.test(a));
const source = join(root, "src", "cli", "cli.ts");

if (tsxLoaded && existsSync(source)) {
  if (process.env.TSYNCIO_CLI_CHILD === "1" && process.channel) {
    // Re-executed below: if the parent is killed outright, do not live on as an orphan.
    delete process.env.TSYNCIO_CLI_CHILD;
    process.channel.unref();
    process.on("disconnect", () => process.exit(143));
  }
  const { cliMain } = await import(pathToFileURL(source).href);
  process.exitCode = await cliMain(argv);
} else {
  let tsx = null;
  try {
    tsx = import.meta.resolve("tsx");
  } catch {
    tsx = null;
  }
  if (tsx !== null && existsSync(source)) {
    reexec(tsx);
  } else {
    const built = join(root, "dist", "esm", "cli", "cli.js");
    if (!existsSync(built)) {
      process.stderr.write("tsyncio: neither tsx nor the built dist/ is available (run npm install)\n");
      process.exit(2);
    }
    const { cliMain } = await import(pathToFileURL(built).href);
    process.exitCode = await cliMain(argv);
  }
}

/** Runs this script again in a child node with `--import tsx`, and passes its signals and exit status through. */
function reexec(tsxUrl) {
  // With a terminal, Ctrl-C reaches the whole foreground process group, child included: it must not be
  // forwarded a second time (the loop would take it as a second Ctrl-C). Without one, the child gets its
  // own process group and every signal comes through this process, exactly once.
  const terminal = process.stdin.isTTY === true;
  const child = spawn(process.execPath, [...process.execArgv, "--import", tsxUrl, fileURLToPath(import.meta.url), ...argv], {
    stdio: ["inherit", "inherit", "inherit", "ipc"],
    detached: !terminal,
    env: { ...process.env, TSYNCIO_CLI_CHILD: "1" },
  });
  const forwarded = ["SIGTERM", "SIGHUP", "SIGUSR2", ...(terminal ? [] : ["SIGINT", "SIGQUIT"])];
  const forward = (sig) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
  };
  for (const sig of forwarded) process.on(sig, forward);
  // Ctrl-C on a terminal is the child's to handle; this process waits for its exit status.
  if (terminal) process.on("SIGINT", () => {});
  child.on("exit", (code, signal) => {
    for (const sig of forwarded) process.removeListener(sig, forward);
    if (signal !== null) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
      return;
    }
    process.exit(code ?? 1);
  });
}
