// src/entries/app-file.ts
import { fileURLToPath } from "node:url";

// src/startup/load-app.ts
import { closeSync as closeSync2, fstatSync as fstatSync2, openSync as openSync2, readFileSync as readFileSync2 } from "node:fs";
import { createRequire } from "node:module";
import path2 from "node:path";
import { Script } from "node:vm";

// src/startup/compile-cache.ts
import { createHash } from "node:crypto";
import {
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync
} from "node:fs";
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
var CACHE_TIERS = ["light", "run", "full"];
var STALE_MS = 7 * 24 * 3600 * 1e3;
var DEAD_TEMPORARY_MS = 3600 * 1e3;
var FILE_SUFFIX = ".v8cache";
var MAGIC = Buffer.from("APBV8C01");
var HEADER_BYTES = MAGIC.length + 32;
var CompileCache = class {
  #dir;
  /** `BUILD-STAMP-`: this build as loaded from this very file. */
  #copy;
  #build;
  #key;
  /**
   * @param dir the folder (made with mode 0700 when missing, under a folder of this user)
   * @param bundleHash the bundle's content hash (made at build time)
   * @param bundleStat the bundle file's stat, read as it was loaded
   */
  constructor(dir, bundleHash, bundleStat) {
    this.#dir = dir;
    this.#build = `${safeName(bundleHash)}-`;
    const stamp = shortHash([bundleStat.size, bundleStat.mtimeMs, bundleStat.ino].join("\0"));
    this.#copy = `${this.#build}${stamp}-`;
    const options = shortHash([...process.execArgv, process.env["NODE_OPTIONS"] ?? ""].join("\0"));
    this.#key = safeName(`${this.#copy}${options}-${process.version}-${process.arch}`);
  }
  /** The file of a tier. */
  file(tier) {
    return path.join(this.#dir, `${this.#key}.${tier}${FILE_SUFFIX}`);
  }
  /** The best data kept for this key, or undefined (none, damaged, or a file others could have written). */
  read() {
    if (!ownedAndPrivate(this.#dir, "directory")) return void 0;
    for (const tier of [...CACHE_TIERS].reverse()) {
      const data = readPrivateFile(this.file(tier));
      if (data === void 0) continue;
      const payload = checkedPayload(data);
      if (payload) return { tier, data: payload };
    }
    return void 0;
  }
  /**
   * Keeps the data of a tier: written to a temporary file of this process and flushed to disk, then renamed
   * over the tier's file (a reader sees the old data or the new, never a part). Never throws: a cache that
   * cannot be written is only a slower next start.
   */
  write(tier, data) {
    try {
      if (!ensurePrivateDir(this.#dir)) return false;
      const file = this.file(tier);
      const temporary = `${file}.${process.pid}.tmp`;
      const sum = createHash("sha256").update(data).digest();
      let fd;
      try {
        fd = openSync(temporary, "wx", 384);
        for (const part of [MAGIC, sum, data]) writeAll(fd, part);
        fsyncSync(fd);
        closeSync(fd);
        fd = void 0;
        renameSync(temporary, file);
      } catch {
        if (fd !== void 0) closeSync(fd);
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
  /**
   * Removes what is no longer of use: this build's data under another key (the bundle file was replaced:
   * a new checkout of the same release), other builds' data not written for a week, and temporary files
   * a writer that died left.
   */
  #removeStale() {
    const now = Date.now();
    for (const name of readdirSync(this.#dir)) {
      const temporary = name.endsWith(".tmp");
      if (!temporary && !name.endsWith(FILE_SUFFIX)) continue;
      if (!temporary && name.startsWith(`${this.#key}.`)) continue;
      const file = path.join(this.#dir, name);
      try {
        const stat = lstatSync(file);
        if (!stat.isFile()) continue;
        const superseded = !temporary && name.startsWith(this.#build) && !name.startsWith(this.#copy);
        if (superseded || now - stat.mtimeMs > (temporary ? DEAD_TEMPORARY_MS : STALE_MS))
          unlinkSync(file);
      } catch {
      }
    }
  }
};
var safeName = (text) => text.replace(/[^\w.-]/g, "_");
var shortHash = (text) => createHash("sha256").update(text).digest("hex").slice(0, 12);
function writeAll(fd, data) {
  for (let done = 0; done < data.length; ) done += writeSync(fd, data, done, data.length - done);
}
function checkedPayload(file) {
  if (file.length <= HEADER_BYTES || !file.subarray(0, MAGIC.length).equals(MAGIC)) return void 0;
  const payload = file.subarray(HEADER_BYTES);
  const sum = createHash("sha256").update(payload).digest();
  return sum.equals(file.subarray(MAGIC.length, HEADER_BYTES)) ? payload : void 0;
}
function readPrivateFile(file) {
  let fd;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch {
    return void 0;
  }
  try {
    if (!privateStat(fstatSync(fd), "file")) return void 0;
    return readFileSync(fd);
  } catch {
    return void 0;
  } finally {
    closeSync(fd);
  }
}
function ensurePrivateDir(dir) {
  if (ownedAndPrivate(dir, "directory")) return true;
  let existing = path.dirname(dir);
  for (; ; ) {
    try {
      lstatSync(existing);
      break;
    } catch {
      const parent = path.dirname(existing);
      if (parent === existing) return false;
      existing = parent;
    }
  }
  if (!ownedBy(existing)) return false;
  try {
    mkdirSync(dir, { recursive: true, mode: 448 });
  } catch {
    return false;
  }
  return ownedAndPrivate(dir, "directory");
}
function ownedBy(file) {
  try {
    const stat = lstatSync(file);
    return stat.isDirectory() && ours(stat);
  } catch {
    return false;
  }
}
function ownedAndPrivate(file, kind) {
  try {
    return privateStat(lstatSync(file), kind);
  } catch {
    return false;
  }
}
function privateStat(stat, kind) {
  if (kind === "file" ? !stat.isFile() : !stat.isDirectory()) return false;
  return ours(stat) && (typeof process.getuid !== "function" || (stat.mode & 18) === 0);
}
function ours(stat) {
  return typeof process.getuid !== "function" || stat.uid === process.getuid();
}

// src/startup/load-app.ts
function loadApp(file, bundleHash) {
  const fd = openSync2(file, "r");
  let source;
  let stat;
  try {
    stat = fstatSync2(fd);
    source = readFileSync2(fd, "utf8");
  } finally {
    closeSync2(fd);
  }
  const dir = compileCacheDir();
  const cache = dir === void 0 ? void 0 : new CompileCache(dir, bundleHash, stat);
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
      try {
        const tier = tierToWrite(have, app.runReach());
        if (tier) cache.write(tier, script.createCachedData());
      } catch {
      }
    });
  }
  return app;
}
function tierToWrite(have, reach) {
  const tier = CACHE_TIERS[reach];
  return have === void 0 || CACHE_TIERS.indexOf(have) < reach ? tier : void 0;
}

// src/entries/app-file.ts
function loadBundledApp(use) {
  const file = fileURLToPath(new URL("./app.cjs", import.meta.url));
  try {
    return loadApp(file, "b341141f0f209221da56b702");
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

// src/entries/post.ts
void loadBundledApp("action")?.postMain();
