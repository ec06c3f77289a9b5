import { createRequire } from "node:module";
import { join } from "node:path";
import { packageRoot } from "./package-root.js";

/** The functions the C++ addon exports (native/). Extended as the addon grows. */
export interface NativeBinding {
  version(): string;
  [name: string]: unknown;
}

let binding: NativeBinding | null = null;

/** Loads the addon once; every module that needs it goes through here. */
export function native(): NativeBinding {
  if (binding === null) {
    const req = createRequire(join(packageRoot(), "package.json"));
    binding = req(join(packageRoot(), "build", "Release", "tsyncio.node")) as NativeBinding;
  }
  return binding;
}
