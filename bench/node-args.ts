// How the bench starts Node for a measured process.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Node's options for a bench process: its TypeScript through tsx, and tsyncio
 * itself from the compiled build (bench/use-build.mjs), as users run it.
 */
export const ON_BUILD: readonly string[] = ["--import", "tsx", "--import", join(here, "use-build.mjs")];
