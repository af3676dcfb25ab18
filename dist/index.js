// src/entries/app-file.ts
import { fileURLToPath } from "node:url";

// src/startup/load-app.ts
import { readFileSync as readFileSync2 } from "node:fs";
import { createRequire } from "node:module";
import path2 from "node:path";
import { Script } from "node:vm";

// src/startup/compile-cache.ts
import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync
} from "node:fs";
import { createHash } from "node:crypto";
import { homedir } from "node:os";
import path from "node:path";
function compileCacheDir(env = process.env) {
  const chosen = env["ASYNC_PLAYBOOK_COMPILE_CACHE"];
  if (chosen !== void 0 && chosen !== "") {
    if (/^(?:off|0|false|no)$/i.test(chosen)) return void 0;
    return path.resolve(chosen);
  }
  const xdg = env["XDG_CACHE_HOME"];
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, "async-playbook");
  let home;
  try {
    home = env["HOME"] || homedir();
  } catch {
    return void 0;
  }
  return home && path.isAbsolute(home) ? path.join(home, ".cache", "async-playbook") : void 0;
}
var STALE_MS = 7 * 24 * 3600 * 1e3;
var FILE_SUFFIX = ".v8cache";
var CompileCache = class {
  #dir;
  #key;
  /**
   * @param dir the folder (made with mode 0700 when missing)
   * @param bundleHash the bundle's content hash (made at build time)
   */
  constructor(dir, bundleHash) {
    this.#dir = dir;
    const options = [...process.execArgv, process.env["NODE_OPTIONS"] ?? ""].join("\0");
    const flags = options === "" ? "" : `-${createHash("sha256").update(options).digest("hex").slice(0, 8)}`;
    this.#key = `${bundleHash}-${process.version}-${process.arch}${flags}`.replace(/[^\w.-]/g, "_");
  }
  /** The file of a tier. */
  file(tier) {
    return path.join(this.#dir, `${this.#key}.${tier}${FILE_SUFFIX}`);
  }
  /** The best data kept for this key, or undefined (none, or a folder or file others could have written). */
  read() {
    if (!ownedAndPrivate(this.#dir, "directory")) return void 0;
    for (const tier of ["full", "light"]) {
      const file = this.file(tier);
      if (!ownedAndPrivate(file, "file")) continue;
      try {
        return { tier, data: readFileSync(file) };
      } catch {
      }
    }
    return void 0;
  }
  /**
   * Keeps the data of a tier: written to a temporary file of this process, then renamed over the tier's
   * file (a reader sees the old data or the new, never a part). Never throws: a cache that cannot be
   * written is only a slower next start.
   */
  write(tier, data) {
    try {
      mkdirSync(this.#dir, { recursive: true, mode: 448 });
      if (!ownedAndPrivate(this.#dir, "directory")) return false;
      const file = this.file(tier);
      const temporary = `${file}.${process.pid}.tmp`;
      try {
        writeFileSync(temporary, data, { mode: 384, flag: "wx" });
        renameSync(temporary, file);
      } catch {
        try {
          unlinkSync(temporary);
        } catch {
        }
        return false;
      }
      this.#removeStale();
      return true;
    } catch {
      return false;
    }
  }
  /** Removes the files of other keys (other builds, other node versions) not written for a week. */
  #removeStale() {
    const now = Date.now();
    for (const name of readdirSync(this.#dir)) {
      if (name.startsWith(`${this.#key}.`)) continue;
      if (!name.endsWith(FILE_SUFFIX) && !name.endsWith(".tmp")) continue;
      const file = path.join(this.#dir, name);
      try {
        const stat = lstatSync(file);
        if (stat.isFile() && now - stat.mtimeMs > STALE_MS) unlinkSync(file);
      } catch {
      }
    }
  }
};
function ownedAndPrivate(file, kind) {
  try {
    const stat = lstatSync(file);
    if (kind === "file" ? !stat.isFile() : !stat.isDirectory()) return false;
    if (typeof process.getuid !== "function") return true;
    return stat.uid === process.getuid() && (stat.mode & 18) === 0;
  } catch {
    return false;
  }
}

// src/startup/load-app.ts
function loadApp(file, bundleHash) {
  const source = readFileSync2(file, "utf8");
  const dir = compileCacheDir();
  const cache = dir === void 0 ? void 0 : new CompileCache(dir, bundleHash);
  const cached = cache?.read();
  const script = new Script(
    `(function (exports, require, module, __filename, __dirname) {${source}
})`,
    {
      filename: file,
      ...cached ? { cachedData: cached.data } : {}
    }
  );
  const module = { exports: {} };
  const load = script.runInThisContext();
  load(module.exports, createRequire(file), module, file, path2.dirname(file));
  const app = module.exports;
  if (cache) {
    const have = cached && !script.cachedDataRejected ? cached.tier : void 0;
    process.once("exit", () => {
      const tier = tierToWrite(have, app.ranPlaybook());
      if (tier) cache.write(tier, script.createCachedData());
    });
  }
  return app;
}
function tierToWrite(have, ranPlaybook) {
  if (ranPlaybook) return have === "full" ? void 0 : "full";
  return have === void 0 ? "light" : void 0;
}

// src/entries/app-file.ts
function loadBundledApp(use) {
  const file = fileURLToPath(new URL("./app.cjs", import.meta.url));
  try {
    return loadApp(file, "f112741eb5f49fa1925baea2");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const message = `async-playbook cannot load its code from ${file} (${reason}): reinstall it, or check out all of dist/`;
    if (use === "action") process.stdout.write(`::error::${workflowCommandData(message)}
`);
    else process.stderr.write(`ERROR! ${message}
`);
    process.exitCode = use === "cli" ? 250 : 1;
    return void 0;
  }
}
function workflowCommandData(text) {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

// src/entries/index.ts
void loadBundledApp("action")?.actionMain();
