import { createRequire as __apCreateRequire } from 'node:module';
import { fileURLToPath as __apFileURLToPath } from 'node:url';
import { dirname as __apDirname } from 'node:path';
const require = __apCreateRequire(import.meta.url);
const __filename = __apFileURLToPath(import.meta.url);
const __dirname = __apDirname(__filename);
import {
  ACTION_RAISED,
  ALL_TAGS,
  ActionPluginError,
  AsyncPlaybookError,
  CommandTimeoutError,
  ConnectionError,
  DEFAULTS,
  DELIMITER_SETTINGS,
  DYNAMIC_INCLUDE_DEPRECATION,
  FileTooLargeError,
  HostConnections,
  HostKeyError,
  JobProtocolError,
  JobRegistry,
  LOCALHOST_NAMES,
  LookupFailure,
  META_CAP_BYTES,
  ModuleArgumentError,
  NOT_IGNORABLE,
  NoHostsError,
  OUTPUT_CAP_BYTES,
  OptionError,
  PlaybookError,
  PyFloat,
  PythonEncodeError,
  PythonRegexError,
  RECORD_CAP_BYTES,
  RemoteFileError,
  SAFE_LOCALS,
  SHOW_RESULT,
  TIMED_OUT,
  Templar,
  TemplateError,
  UNEXPECTED_FAILURE,
  UndefinedVariableError,
  UnknownEncodingError,
  UnsafeConditionalError,
  VALID_BOOLEANS,
  VariableManager,
  adoptHandedOverJobs,
  ansibleBoolean,
  applyLimit,
  becomeKey,
  byCodePoint,
  cleanupCommand,
  cloneData,
  compactScript,
  decodeUtf8SurrogateEscape,
  defaultInventory,
  dict,
  encodePython,
  evaluatePatterns,
  expandReplacement,
  fnmatchSource,
  forgetConnectionNotices,
  formatLocation,
  groupModules,
  hasTemplateSyntax,
  isFile,
  isNumeric,
  isRecord,
  isShellVariableName,
  isValidJid,
  isVaultText,
  jobsDocument,
  kindOf,
  launchCommand,
  loadInclude,
  loadInventory,
  loadPlaybook,
  markUnsafeDeep,
  mergeHash,
  mergeRoleVars,
  newJidPrefix,
  onConnectionNotice,
  onHostKeyAccepted,
  openConnection,
  parseCleanup,
  parseJobsDocument,
  parseKeyValueArgs,
  parseLaunch,
  parsePythonLiteral,
  parseReplacement,
  parseYaml,
  plainTask,
  playChoiceProblem,
  putCommand,
  pyEquals,
  pyFloat,
  pyRepr,
  pyStringRepr,
  pyTruthy,
  pyTypeName,
  pythonJson,
  pythonJsonDumps,
  pythonSearch,
  pythonShellJoin,
  pythonStr,
  pythonSubn,
  readControllerFile,
  readFileByCommand,
  resolveBecome,
  runLoopLookup,
  setHostPatternEvaluator,
  setLookupWarningSink,
  shellJoin,
  shellQuote,
  shlexSplit,
  shouldRunTags,
  splitHostPattern,
  statusCommand,
  tail,
  targetEnvironment,
  templateVariables,
  translatePythonRegex,
  tuplesAsLists,
  unsafeText,
  untrustedReadCount,
  vaultKeyring,
  visibleControls
} from "./chunk-ZIV7J5OM.js";

// src/modules/arg-types.ts
var ArgConversionError = class extends Error {
};
var pythonIntCall = {
  name: "int",
  convert(value) {
    if (typeof value === "boolean") return value ? 1 : 0;
    if (isNumeric(value)) return Math.trunc(Number(value));
    if (typeof value === "string") {
      if (PYTHON_INT.test(value)) return Number(value.replace(/_/g, "").trim());
      throw new ArgConversionError(`invalid literal for int() with base 10: ${pyStringRepr(value)}`);
    }
    throw new ArgConversionError(
      `int() argument must be a string, a bytes-like object or a real number, not '${pythonClass(value)}'`
    );
  }
};
function pythonClass(value) {
  if (value === null || value === void 0) return "NoneType";
  if (typeof value === "boolean") return "bool";
  if (value instanceof PyFloat) return "float";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  if (typeof value === "string") return "str";
  if (Array.isArray(value)) return "list";
  return "dict";
}
function cannot(value, what) {
  return new ArgConversionError(`<class '${pythonClass(value)}'> cannot be converted to ${what}`);
}
function convert(type, value) {
  if (typeof type !== "string") return type.convert(value);
  switch (type) {
    case "raw":
      return value;
    case "str":
    case "path":
      return typeof value === "string" ? value : pythonStr(value);
    case "bool":
      if (typeof value === "boolean") return value;
      if (typeof value !== "string" && !isNumeric(value)) throw cannot(value, "a bool");
      try {
        return ansibleBoolean(value, "strict");
      } catch (error) {
        throw new ArgConversionError(error.message);
      }
    case "int":
      if (typeof value === "boolean") return value ? 1 : 0;
      if (typeof value === "number" && Number.isInteger(value)) return value;
      if (typeof value === "string" && PYTHON_INT.test(value))
        return Number(value.replace(/_/g, "").trim());
      throw cannot(value, "an int");
    case "float":
      if (isNumeric(value)) return Number(value);
      if (typeof value === "boolean") return value ? 1 : 0;
      if (typeof value === "string") {
        const n = pythonFloat(value);
        if (n !== void 0) return n;
      }
      throw cannot(value, "a float");
    case "list":
      if (Array.isArray(value)) return value;
      if (typeof value === "string") return value.split(",");
      if (isNumeric(value) || typeof value === "boolean") return [pythonStr(value)];
      throw cannot(value, "a list");
    case "dict":
      return toDict(value);
  }
}
var PYTHON_INT = /^\s*[+-]?\d+(?:_\d+)*\s*$/;
function pythonFloat(text5) {
  const t = text5.trim().toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(t)) return t.startsWith("-") ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(t)) return NaN;
  const digits = String.raw`\d+(?:_\d+)*`;
  const number = new RegExp(
    `^[+-]?(?:${digits}(?:\\.(?:${digits})?)?|\\.${digits})(?:e[+-]?${digits})?$`
  );
  return number.test(t) ? Number(t.replace(/_/g, "")) : void 0;
}
function toDict(value) {
  if (value !== null && typeof value === "object" && !Array.isArray(value) && !isNumeric(value))
    return value;
  if (typeof value !== "string") throw cannot(value, "a dict");
  if (value.startsWith("{")) {
    let parsed;
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = parsePythonLiteral(value);
      if (typeof parsed === "string")
        throw new ArgConversionError("unable to evaluate string as dictionary");
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
      throw new ArgConversionError("unable to evaluate string as dictionary");
    return parsed;
  }
  if (!value.includes("="))
    throw new ArgConversionError("dictionary requested, could not parse JSON or key=value");
  const fields = [];
  let buffer = "";
  let quote;
  let escaped = false;
  for (const c of value.trim()) {
    if (escaped) {
      buffer += c;
      escaped = false;
    } else if (c === "\\") escaped = true;
    else if (!quote && (c === "'" || c === '"')) quote = c;
    else if (quote === c) quote = void 0;
    else if (!quote && (c === "," || c === " ")) {
      if (buffer) fields.push(buffer);
      buffer = "";
    } else buffer += c;
  }
  if (buffer) fields.push(buffer);
  const out = dict();
  for (const field of fields) {
    const eq = field.indexOf("=");
    if (eq < 0)
      throw new ArgConversionError(
        "dictionary update sequence element #0 has length 1; 2 is required"
      );
    out[field.slice(0, eq)] = field.slice(eq + 1);
  }
  return out;
}

// src/modules/add-host.ts
var SPECIAL = /* @__PURE__ */ new Set(["name", "hostname", "groupname", "groups"]);
function splitHostPort(text5) {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text5);
  if (bracketed) return { name: bracketed[1], ...portOf(bracketed[2]) };
  const colons = text5.split(":").length - 1;
  if (colons === 1) {
    const match = /^([^:]+):(\d+)$/.exec(text5);
    if (match) return { name: match[1], ...portOf(match[2]) };
  }
  return { name: text5 };
}
function portOf(digits) {
  return digits === void 0 ? {} : { port: Number(digits) };
}
var addHostModule = {
  name: "add_host",
  supportsCheckMode: true,
  local: true,
  bypassHostLoop: true,
  args: { side: "action", unknown: "any", options: {} },
  async run(ctx) {
    let args = { ...ctx.args };
    const raw = args["_raw_params"] ?? {};
    delete args["_raw_params"];
    if (!isRecord(raw))
      throw new ModuleArgumentError(
        `Invalid raw parameters passed, requires a dictonary/mapping got a  <class '${pythonClass(raw)}'>`
      );
    args = { ...raw, ...args };
    const given = args["name"] ?? args["hostname"] ?? args["host"];
    if (given === void 0 || given === null)
      throw new ModuleArgumentError("name, host or hostname needs to be provided");
    const { name, port } = splitHostPort(String(given));
    if (port !== void 0) args["ansible_ssh_port"] = port;
    const groupsRaw = args["groupname"] ?? args["groups"] ?? args["group"] ?? "";
    let list;
    if (Array.isArray(groupsRaw)) list = groupsRaw;
    else if (typeof groupsRaw === "string") list = groupsRaw === "" ? [] : groupsRaw.split(",");
    else if (!groupsRaw) list = [];
    else throw new ModuleArgumentError("Groups must be specified as a list.");
    const groups = [];
    for (const group of list) {
      const text5 = String(group);
      if (!groups.includes(text5)) groups.push(text5.trim());
    }
    const hostVars = {};
    for (const [key, value] of Object.entries(args)) if (!SPECIAL.has(key)) hostVars[key] = value;
    return { changed: false, add_host: { host_name: name, groups, host_vars: hostVars } };
  }
};

// src/facts/probe.ts
var FactError = class extends AsyncPlaybookError {
  constructor(message2, host, fact, subject, missingTool) {
    super(message2);
    this.host = host;
    this.fact = fact;
    this.subject = subject;
    this.missingTool = missingTool;
  }
  host;
  fact;
  subject;
  missingTool;
};
var ProbeAnswer = class {
  values = /* @__PURE__ */ new Map();
  /** Reads `key=value` lines; anything else is ignored. */
  constructor(text5) {
    for (const line of text5.split("\n")) {
      const at = line.indexOf("=");
      if (at <= 0) continue;
      const key = line.slice(0, at);
      const list = this.values.get(key);
      if (list) list.push(line.slice(at + 1));
      else this.values.set(key, [line.slice(at + 1)]);
    }
  }
  /** True when the probe ran to its end (its last line is `end=1`). */
  get complete() {
    return this.values.get("end")?.includes("1") ?? false;
  }
  /** The first value of `key`. */
  get(key) {
    return this.values.get(key)?.[0];
  }
  /** Every value of `key`, in the order printed. */
  all(key) {
    return this.values.get(key) ?? [];
  }
  /** The first value of `key`, decoded from hex to bytes. */
  bytes(key) {
    const value = this.get(key);
    return value === void 0 ? void 0 : fromHex(value);
  }
  /**
   * A value a probe prints as `key=text` when it is plain (printable ASCII) or as `key_hex=<hex>`
   * otherwise: its bytes, whichever form came.
   */
  field(key) {
    const hex = this.bytes(`${key}_hex`);
    if (hex !== void 0) return hex;
    const plain = this.get(key);
    return plain === void 0 ? void 0 : Buffer.from(plain, "utf8");
  }
  /** The first value of `key` read as a decimal integer, or undefined when absent or not a number. */
  int(key) {
    const value = this.get(key);
    return value !== void 0 && /^-?\d+$/.test(value) ? Number(value) : void 0;
  }
};
function fromHex(text5) {
  return Buffer.from(text5.replace(/[^0-9a-fA-F]/g, ""), "hex");
}
var compacted = /* @__PURE__ */ new WeakMap();
function probeCommand(probe, args) {
  let text5 = compacted.get(probe);
  if (text5 === void 0) {
    text5 = compactScript(probe.source);
    compacted.set(probe, text5);
  }
  return shellJoin(["/bin/sh", "-c", text5, probe.name, ...args]);
}
var PROBE_OUTPUT_CAP_BYTES = 256 * 1024;
async function runProbe(target, probe, args) {
  const { connection, timeoutMs, fact, subject } = target;
  const result = await connection.run(probeCommand(probe, args), {
    timeoutMs,
    outputCapBytes: PROBE_OUTPUT_CAP_BYTES
  });
  const about = `the ${fact} fact of ${JSON.stringify(subject)} on ${connection.host}`;
  if (result.timedOut) {
    throw new CommandTimeoutError(
      `reading ${about} took longer than ${timeoutMs} ms`,
      connection.host,
      timeoutMs
    );
  }
  const answer = new ProbeAnswer(result.stdout.toString("utf8"));
  if (result.code !== 0 || !answer.complete) {
    const stderr = result.stderr.toString("utf8").trim();
    const status = result.code === null ? `signal ${result.signal ?? "unknown"}` : `exit code ${result.code}`;
    throw new FactError(
      `cannot read ${about}: its probe (/bin/sh ${probe.name}) stopped with ${status}` + (stderr ? `: ${tail2(stderr)}` : ""),
      connection.host,
      fact,
      subject
    );
  }
  return answer;
}
function tail2(text5, max = 400) {
  return text5.length > max ? `\u2026${text5.slice(-max)}` : text5;
}

// src/facts/path.sh
var path_default = '#!/bin/sh\n# apb-path: the state of one path on the target, in one round trip. POSIX sh, no Python.\n#\n# Run as:  /bin/sh -c "<this text>" apb-path <path> <follow> <checksum> <mime> <attributes>\n# (src/facts/path.ts builds the command and parses the answer)\n#\n#   path        the path to describe\n#   follow      1: describe what a symbolic link points to (stat -L); 0: the link itself\n#   checksum    md5, sha1, sha224, sha256, sha384 or sha512: hash a regular file the user can read;\n#               empty: no checksum\n#   mime        1: add what `file --mime-type --mime-encoding` says; 0: do not run it\n#   attributes  1: add what `lsattr -vd` says; 0: do not run it\n#\n# The answer is key=value lines. A value that may hold any byte (a link target, a tool\'s message) is\n# printed in hex, under a key ending in _hex, or (error, mime, lsattr) as it is when it holds only\n# letters, digits, blanks and `._/:;=+,\'-`. The last line is end=1, so that an answer cut short is\n# never taken for a whole one. GNU coreutils and busybox (stat -c) and BSD/macOS (stat -f) are read.\nset -u\npath=$1 follow=$2 algorithm=$3 mime=$4 attributes=$5\n# Not an option to any tool, even to those that take no `--` (busybox realpath).\ncase $path in -*) path=./$path ;; esac\n\nhex() {\n  od -An -v -tx1 | tr -d \' \\n\'\n}\n\nhas() {\n  command -v "$1" >/dev/null 2>&1\n}\n\n# `key=value` when the value holds only characters that need no escaping (no process started), else\n# `key_hex=<the value in hex>` (two more: od and tr, which on a busy target cost more than the rest).\npath_field() {\n  case $2 in\n    *[!ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789\\ ._/:\\;=+,\\\'-]*)\n      printf \'%s_hex=\' "$1"\n      printf \'%s\' "$2" | hex\n      echo\n      ;;\n    *) printf \'%s=%s\\n\' "$1" "$2" ;;\n  esac\n}\n\nfinish() {\n  echo end=1\n  exit 0\n}\n\n# `key=1` when the test holds, else `key=0` (no subshell: this probe runs before every task, and on a\n# busy target each fork counts).\npath_bit() {\n  key=$1\n  shift\n  if "$@"; then echo "$key=1"; else echo "$key=0"; fi\n}\n\nprintf \'umask=\'\numask\n\n# Following a link that points nowhere finds nothing (BSD stat -L would describe the link instead).\nif [ "$follow" = 1 ] && [ -L "$path" ] && [ ! -e "$path" ]; then\n  echo exists=0\n  echo error=dangling\n  finish\nfi\n\n# One field a line: the newlines are part of the formats. GNU and busybox stat are tried on the path\n# itself first (one process where it works); BSD\'s only when GNU\'s options are not understood.\npath_gnu() {\n  set -- -c \'flavour=gnu\nmode_hex=%f\nuid=%u\ngid=%g\nowner=%U\ngroup=%G\nsize=%s\nblocks=%b\nblock_unit=%B\nblock_size=%o\ninode=%i\ndev=%d\nnlink=%h\nrdev_major_hex=%t\nrdev_minor_hex=%T\natime=%X\nmtime=%Y\nctime=%Z\natime_text=%x\nmtime_text=%y\nctime_text=%z\'\n  [ "$follow" = 1 ] && set -- -L "$@"\n  stat "$@" -- "$path"\n}\npath_bsd() {\n  set -- -f \'flavour=bsd\nmode_octal=%p\nuid=%u\ngid=%g\nowner=%Su\ngroup=%Sg\nsize=%z\nblocks=%b\nblock_unit=512\nblock_size=%k\ninode=%i\ndev=%d\nnlink=%l\nrdev=%r\natime=%a\nmtime=%m\nctime=%c\natime_text=%Fa\nmtime_text=%Fm\nctime_text=%Fc\'\n  [ "$follow" = 1 ] && set -- -L "$@"\n  stat "$@" -- "$path"\n}\n\nif ! path_gnu 2>/dev/null; then\n  if stat -c %f / >/dev/null 2>&1; then\n    describe=path_gnu\n  elif stat -f %p / >/dev/null 2>&1; then\n    describe=path_bsd\n  else\n    echo missing_tool=stat\n    finish\n  fi\n  if [ "$describe" = path_gnu ] || ! path_bsd 2>/dev/null; then\n    # The tool\'s message ends with the system\'s reason (No such file or directory, Permission denied).\n    echo exists=0\n    path_field error "$("$describe" 2>&1 >/dev/null)"\n    finish\n  fi\nfi\necho exists=1\n\n# For the user running this (the become user under become), following links, as access(2) does.\npath_bit readable test -r "$path"\npath_bit writeable test -w "$path"\npath_bit executable test -x "$path"\n\nif [ -L "$path" ]; then\n  if has readlink; then\n    echo "link_target_hex=$(readlink -- "$path" | hex)"\n  else\n    echo missing_tool=readlink\n  fi\n  # Where the link leads, as an absolute path without links (empty when no tool can tell).\n  echo "link_source_hex=$({ realpath "$path" || readlink -f "$path"; } 2>/dev/null | hex)"\n  if [ -d "$path" ]; then\n    echo link_to=directory\n  elif [ -f "$path" ]; then\n    echo link_to=file\n  elif [ -e "$path" ]; then\n    echo link_to=other\n  else\n    echo link_to=missing\n  fi\nfi\n\n# A checksum of a regular file the user can read (not of a link itself unless following it).\nif [ -n "$algorithm" ] && [ -f "$path" ] && [ -r "$path" ] && { [ "$follow" = 1 ] || [ ! -L "$path" ]; }; then\n  bits=${algorithm#sha}\n  if has "${algorithm}sum"; then\n    tool="${algorithm}sum"\n    sum=$("$tool" <"$path") || sum=\n  elif [ "$algorithm" != md5 ] && has shasum; then\n    tool="shasum -a $bits"\n    sum=$(shasum -a "$bits" <"$path") || sum=\n  elif has "$algorithm"; then\n    tool="$algorithm -q"\n    sum=$("$algorithm" -q <"$path") || sum=\n  elif has openssl; then\n    tool="openssl dgst -$algorithm"\n    sum=$(openssl dgst "-$algorithm" <"$path") || sum=\n    sum=${sum##* }\n  else\n    tool=\n    echo "missing_tool=checksum"\n  fi\n  if [ -n "$tool" ]; then\n    echo "checksum_tool=$tool"\n    echo "checksum=${sum%% *}"\n  fi\nfi\n\nif [ "$mime" = 1 ]; then\n  if has file; then\n    if out=$(file --mime-type --mime-encoding -- "$path" 2>/dev/null); then\n      path_field mime "$out"\n    fi\n  fi\nfi\n\nif [ "$attributes" = 1 ]; then\n  if has lsattr; then\n    if out=$(lsattr -vd -- "$path" 2>/dev/null); then\n      path_field lsattr "$out"\n    fi\n  fi\nfi\nfinish\n';

// src/facts/path.ts
var PROBE = { name: "apb-path", source: path_default };
var CHECKSUM_ALGORITHMS = ["md5", "sha1", "sha224", "sha256", "sha384", "sha512"];
var CHECKSUM_LENGTH = {
  md5: 32,
  sha1: 40,
  sha224: 56,
  sha256: 64,
  sha384: 96,
  sha512: 128
};
async function readPath(target, path27, options2 = {}) {
  const answer = await runPathProbe(target, path27, options2, PROBE);
  return parsePathAnswer(answer, path27, options2, target.connection.host);
}
async function runPathProbe(target, path27, options2, probe) {
  const host = target.connection.host;
  if (path27 === "" || path27.includes("\0")) {
    throw new FactError(
      `cannot read the state of ${JSON.stringify(path27)} on ${host}: a path must be a non-empty string without NUL`,
      host,
      "path",
      path27
    );
  }
  const algorithm = checksumAlgorithm(options2.checksum);
  return runProbe({ ...target, fact: "path", subject: path27 }, probe, [
    path27,
    options2.follow ? "1" : "0",
    algorithm ?? "",
    options2.mime ? "1" : "0",
    options2.attributes ? "1" : "0"
  ]);
}
function checksumAlgorithm(checksum) {
  if (checksum === void 0 || checksum === false) return void 0;
  if (checksum === true) return "sha1";
  if (!CHECKSUM_ALGORITHMS.includes(checksum)) {
    throw new TypeError(
      `checksum must be one of ${CHECKSUM_ALGORITHMS.join(", ")}, got ${String(checksum)}`
    );
  }
  return checksum;
}
function parsePathAnswer(answer, path27, options2, host) {
  const fail6 = (message2, missingTool) => {
    throw new FactError(
      `cannot read the state of ${path27} on ${host}: ${message2}`,
      host,
      "path",
      path27,
      missingTool
    );
  };
  const umask = octal(answer.get("umask")) ?? 18;
  if (answer.all("missing_tool").includes("stat")) {
    fail6(
      "the target has no stat command (GNU coreutils or busybox `stat -c`, or BSD `stat -f`): install one",
      "stat"
    );
  }
  if (answer.get("exists") !== "1") {
    if (answer.get("error") === "dangling") return { path: path27, exists: false, umask };
    const reason = systemReason(answer.field("error")?.toString("utf8") ?? "");
    if (reason === "" || /no such file or directory/i.test(reason)) {
      return { path: path27, exists: false, umask };
    }
    return { path: path27, exists: false, error: reason, umask };
  }
  const raw = answer.get("mode_hex") !== void 0 ? parseInt(answer.get("mode_hex"), 16) : parseInt(answer.get("mode_octal") ?? "", 8);
  if (!Number.isFinite(raw)) fail6(`its stat printed no mode (${answer.get("flavour") ?? "?"})`);
  const permissions = raw & 4095;
  const number = (key) => {
    const value = answer.int(key);
    return value === void 0 ? fail6(`its stat printed no ${key}`) : value;
  };
  const state = {
    path: path27,
    exists: true,
    umask,
    type: fileType(raw),
    permissions,
    mode: permissions.toString(8).padStart(4, "0"),
    uid: number("uid"),
    gid: number("gid"),
    size: number("size"),
    blocks: Math.round(number("blocks") * (answer.int("block_unit") ?? 512) / 512),
    blockSize: answer.int("block_size") ?? 0,
    inode: number("inode"),
    dev: number("dev"),
    nlink: number("nlink"),
    deviceType: deviceType(answer),
    atime: epoch(answer, "atime"),
    mtime: epoch(answer, "mtime"),
    ctime: epoch(answer, "ctime"),
    readable: answer.get("readable") === "1",
    writeable: answer.get("writeable") === "1",
    executable: answer.get("executable") === "1"
  };
  const owner = accountName(answer.get("owner"));
  if (owner !== void 0) state.owner = owner;
  const group = accountName(answer.get("group"));
  if (group !== void 0) state.group = group;
  const linkTarget = answer.bytes("link_target_hex");
  if (linkTarget !== void 0) state.linkTarget = withoutNewline(linkTarget);
  else if (answer.all("missing_tool").includes("readlink"))
    fail6("it is a symbolic link and the target has no readlink command to read it", "readlink");
  const linkSource = answer.bytes("link_source_hex");
  if (linkSource !== void 0 && linkSource.length > 0)
    state.linkSource = withoutNewline(linkSource);
  const linkTo = answer.get("link_to");
  if (linkTo === "file" || linkTo === "directory" || linkTo === "other" || linkTo === "missing")
    state.linkTo = linkTo;
  const algorithm = checksumAlgorithm(options2.checksum);
  if (algorithm !== void 0) {
    if (answer.all("missing_tool").includes("checksum")) {
      fail6(
        `the target has no tool for ${algorithm} checksums: install one of ${algorithm}sum (coreutils or busybox)${algorithm === "md5" ? "" : ", shasum (perl)"}, ${algorithm} (BSD) or openssl, or ask for another checksum algorithm`,
        `${algorithm}sum`
      );
    }
    const tool = answer.get("checksum_tool");
    if (tool !== void 0) {
      const sum = (answer.get("checksum") ?? "").toLowerCase();
      if (!new RegExp(`^[0-9a-f]{${CHECKSUM_LENGTH[algorithm]}}$`).test(sum)) {
        fail6(`\`${tool}\` gave no ${algorithm} checksum of it (it printed ${JSON.stringify(sum)})`);
      }
      state.checksum = sum;
      state.checksumAlgorithm = algorithm;
    }
  }
  if (options2.mime) Object.assign(state, mimeOf(answer.field("mime")));
  if (options2.attributes) state.attributes = attributesOf(answer.field("lsattr"));
  return state;
}
function fileType(raw) {
  switch (raw & 61440) {
    case 32768:
      return "file";
    case 16384:
      return "directory";
    case 40960:
      return "link";
    case 4096:
      return "fifo";
    case 49152:
      return "socket";
    case 8192:
      return "char";
    case 24576:
      return "block";
    default:
      return "unknown";
  }
}
function deviceType(answer) {
  const rdev = answer.int("rdev");
  if (rdev !== void 0) return rdev;
  const major = parseInt(answer.get("rdev_major_hex") ?? "", 16);
  const minor = parseInt(answer.get("rdev_minor_hex") ?? "", 16);
  if (!Number.isFinite(major) || !Number.isFinite(minor)) return 0;
  return (minor & 255) + (major & 4095) * 2 ** 8 + Math.floor(minor / 2 ** 8) * 2 ** 20 + Math.floor(major / 2 ** 12) * 2 ** 44;
}
function epoch(answer, key) {
  const text5 = answer.get(`${key}_text`) ?? "";
  const float = /^(-?\d+)\.(\d+)$/.exec(text5);
  const seconds = float ? Number(float[1]) : answer.int(key) ?? 0;
  const fraction = float ? float[2] : /:\d\d\.(\d+)/.exec(text5)?.[1] ?? "";
  const nanoseconds = fraction === "" ? 0 : Number(fraction.slice(0, 9).padEnd(9, "0"));
  return seconds + nanoseconds * 1e-9;
}
function accountName(name) {
  if (name === void 0 || name === "" || name === "UNKNOWN" || /^\(\d+\)$/.test(name))
    return void 0;
  return name;
}
function systemReason(message2) {
  const line = message2.trim().split("\n").pop() ?? "";
  const at = line.lastIndexOf(": ");
  return (at >= 0 ? line.slice(at + 2) : line).trim();
}
function withoutNewline(bytes) {
  const end = bytes.length > 0 && bytes[bytes.length - 1] === 10 ? bytes.length - 1 : bytes.length;
  return bytes.subarray(0, end).toString("utf8");
}
function octal(text5) {
  return text5 !== void 0 && /^[0-7]{1,4}$/.test(text5) ? parseInt(text5, 8) & 511 : void 0;
}
function mimeOf(output2) {
  const result = { mimeType: "unknown", charset: "unknown" };
  if (output2 === void 0) return result;
  const text5 = output2.toString("utf8");
  const parts = text5.slice(text5.lastIndexOf(":") + 1).split(";");
  if (text5.lastIndexOf(":") < 0 || parts.length !== 2) return result;
  result.mimeType = parts[0].trim();
  const charset = parts[1].split("=");
  if (charset.length > 1) result.charset = charset[1].trim();
  return result;
}
var ATTRIBUTE_NAMES = Object.freeze(
  Object.assign(/* @__PURE__ */ Object.create(null), {
    A: "noatime",
    a: "append",
    c: "compressed",
    C: "nocow",
    d: "nodump",
    D: "dirsync",
    e: "extents",
    E: "encrypted",
    h: "blocksize",
    i: "immutable",
    I: "indexed",
    j: "journalled",
    N: "inline",
    s: "zero",
    S: "synchronous",
    t: "notail",
    T: "blockroot",
    u: "undelete",
    X: "compressedraw",
    Z: "compresseddirty"
  })
);
function attributesOf(output2) {
  const words3 = output2?.toString("utf8").trim().split(/\s+/) ?? [];
  if (words3.length < 2) return { version: null, flags: "", names: [] };
  const flags = words3[1].replace(/-/g, "");
  const names = [...flags].flatMap((letter) => {
    const name = ATTRIBUTE_NAMES[letter];
    return name === void 0 ? [] : [name];
  });
  return { version: words3[0], flags, names };
}
function typeFlags(type) {
  return {
    isdir: type === "directory",
    ischr: type === "char",
    isblk: type === "block",
    isreg: type === "file",
    isfifo: type === "fifo",
    islnk: type === "link",
    issock: type === "socket"
  };
}
function permissionFlags(mode) {
  const has = (bit) => (mode & bit) !== 0;
  return {
    wusr: has(128),
    rusr: has(256),
    xusr: has(64),
    wgrp: has(16),
    rgrp: has(32),
    xgrp: has(8),
    woth: has(2),
    roth: has(4),
    xoth: has(1),
    isuid: has(2048),
    isgid: has(1024)
  };
}

// src/facts/package.sh
var package_default = `#!/bin/sh
# apb-package: which package manager the target has, and the state of each named package, in one
# round trip. POSIX sh, no Python.
#
# Run as:  /bin/sh -c "<this text>" apb-package <name>...   (src/facts/package.ts parses the answer)
#
# The database is dpkg (dpkg-query) on Debian-like targets, else rpm. For each name, in order:
# package_hex=<name in hex>, then query_hex=<what the database said, in hex> and query_status=<its
# exit status>. The last line is end=1.
set -u

hex() {
  od -An -v -tx1 | tr -d ' \\n'
}

has() {
  command -v "$1" >/dev/null 2>&1
}

for manager in apt-get dnf yum zypper apk pacman; do
  if has "$manager"; then
    echo "manager=$manager"
    break
  fi
done

if has dpkg-query; then
  database=dpkg
elif has rpm; then
  database=rpm
else
  echo database=none
  echo end=1
  exit 0
fi
echo "database=$database"

for name in "$@"; do
  echo "package_hex=$(printf '%s' "$name" | hex)"
  if [ "$database" = dpkg ]; then
    # One line per installed architecture: status abbreviation, version, architecture.
    out=$(dpkg-query -W -f='\${db:Status-Abbrev}|\${Version}|\${Architecture}\\n' -- "$name" 2>/dev/null)
  else
    out=$(rpm -q --qf '%{VERSION}-%{RELEASE}|%{ARCH}\\n' -- "$name" 2>/dev/null)
  fi
  status=$?
  echo "query_hex=$(printf '%s' "$out" | hex)"
  echo "query_status=$status"
done
echo end=1
`;

// src/facts/package.ts
var PROBE2 = { name: "apb-package", source: package_default };
var MANAGERS = ["apt-get", "dnf", "yum", "zypper", "apk", "pacman"];
var PACKAGE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_+.:@~-]*$/;
async function readPackages(target, names) {
  const host = target.connection.host;
  for (const name of names) {
    if (!PACKAGE_NAME.test(name)) {
      throw new FactError(
        `cannot read the state of package ${JSON.stringify(name)} on ${host}: a package name is letters, digits and _ + . : @ ~ - (not starting with a sign or a dot), without / or blanks`,
        host,
        "package",
        name
      );
    }
  }
  const answer = await runProbe(
    { ...target, fact: "package", subject: names.join(" ") },
    PROBE2,
    names
  );
  return parsePackageAnswer(answer, names, host);
}
function parsePackageAnswer(answer, names, host) {
  const managerText = answer.get("manager");
  const manager = managerText !== void 0 && MANAGERS.includes(managerText) ? managerText : null;
  const database = answer.get("database");
  if (database !== "dpkg" && database !== "rpm") {
    throw new FactError(
      `cannot read the state of packages on ${host}: the target has neither dpkg-query (dpkg) nor rpm`,
      host,
      "package",
      names.join(" "),
      "dpkg-query"
    );
  }
  const packages = /* @__PURE__ */ Object.create(null);
  const asked = answer.all("package_hex");
  const queries = answer.all("query_hex");
  const statuses = answer.all("query_status");
  if (asked.length !== names.length || queries.length !== names.length) {
    throw new FactError(
      `cannot read the state of packages on ${host}: the probe answered for ${asked.length} of ${names.length} packages`,
      host,
      "package",
      names.join(" ")
    );
  }
  names.forEach((name, index) => {
    const lines2 = Buffer.from(queries[index], "hex").toString("utf8").split("\n").filter(Boolean);
    const found = statuses[index] === "0";
    const installedLines = lines2.map((line) => line.split("|")).filter(
      (fields) => database === "dpkg" ? (
        // db:Status-Abbrev: want, status, error; the status letter i (or W, t: installed,
        // triggers pending) means installed.
        /^.[iWt]/.test(fields[0] ?? "")
      ) : fields.length >= 2
    ).map((fields) => database === "dpkg" ? fields.slice(1) : fields);
    const state = {
      name,
      installed: found && installedLines.length > 0,
      architectures: []
    };
    if (state.installed) {
      state.version = installedLines[0][0] ?? "";
      state.architectures = installedLines.map((fields) => fields[1] ?? "").filter(Boolean);
    }
    packages[name] = state;
  });
  return { manager, database, packages };
}

// src/facts/service.sh
var service_default = `#!/bin/sh
# apb-service: the state of one service on the target, in one round trip. POSIX sh, no Python.
#
# Run as:  /bin/sh -c "<this text>" apb-service <name>   (src/facts/service.ts parses the answer)
#
# systemd when it runs the system (/run/systemd/system exists, as sd_booted() checks) and systemctl
# is there; else sysvinit: /etc/init.d/<name> (its \`status\` action: 0 running, anything else not)
# and S links in /etc/rc[2-5].d for enabled. The answer is key=value lines, tools' words in hex
# (keys ending in _hex), and ends with end=1.
set -u
name=$1

hex() {
  od -An -v -tx1 | tr -d ' \\n'
}

if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  echo manager=systemd
  case $name in
    *.*) unit=$name ;;
    *) unit=$name.service ;;
  esac
  echo "show_hex=$(systemctl show --no-pager -p LoadState -p ActiveState -p SubState -p UnitFileState -- "$unit" 2>&1 | hex)"
  echo end=1
  exit 0
fi

echo manager=sysvinit
script=/etc/init.d/$name
if [ ! -f "$script" ]; then
  echo exists=0
  echo end=1
  exit 0
fi
echo exists=1
# The status action may print anything: only its exit status is read.
if [ -x "$script" ]; then
  "$script" status >/dev/null 2>&1 </dev/null
  echo "status=$?"
elif command -v service >/dev/null 2>&1; then
  service "$name" status >/dev/null 2>&1 </dev/null
  echo "status=$?"
else
  echo status=unknown
fi
enabled=0
for link in /etc/rc2.d/S??"$name" /etc/rc3.d/S??"$name" /etc/rc4.d/S??"$name" /etc/rc5.d/S??"$name"; do
  if [ -e "$link" ]; then
    enabled=1
  fi
done
echo "enabled=$enabled"
echo end=1
`;

// src/facts/service.ts
var PROBE3 = { name: "apb-service", source: service_default };
var ENABLED_UNIT_FILE_STATES = /* @__PURE__ */ new Set([
  "enabled",
  "enabled-runtime",
  "alias",
  "static",
  "indirect",
  "generated",
  "transient"
]);
var SERVICE_NAME = /^[A-Za-z0-9_@:\\][A-Za-z0-9_.@:\\-]*$/;
async function readService(target, name) {
  const host = target.connection.host;
  if (!SERVICE_NAME.test(name)) {
    throw new FactError(
      `cannot read the state of service ${JSON.stringify(name)} on ${host}: a service name is letters, digits and _ . @ : - (not starting with . or -), without / or blanks`,
      host,
      "service",
      name
    );
  }
  const answer = await runProbe({ ...target, fact: "service", subject: name }, PROBE3, [name]);
  return parseServiceAnswer(answer, name, host);
}
function parseServiceAnswer(answer, name, host) {
  const manager = answer.get("manager");
  if (manager === "systemd") {
    const shown = /* @__PURE__ */ Object.create(null);
    for (const line of (answer.bytes("show_hex")?.toString("utf8") ?? "").split("\n")) {
      const at = line.indexOf("=");
      if (at > 0) shown[line.slice(0, at)] = line.slice(at + 1).trim();
    }
    const loadState = shown["LoadState"] ?? "";
    const activeState = shown["ActiveState"] ?? "";
    if (loadState === "" || activeState === "") {
      throw new FactError(
        `cannot read the state of service ${name} on ${host}: systemctl show gave no LoadState/ActiveState`,
        host,
        "service",
        name
      );
    }
    const unitFileState = shown["UnitFileState"] ?? "";
    const exists = loadState !== "not-found";
    return {
      name,
      manager: "systemd",
      exists,
      state: activeState === "active" || activeState === "reloading" || activeState === "activating" ? "running" : "stopped",
      enabled: exists ? ENABLED_UNIT_FILE_STATES.has(unitFileState) : null,
      systemd: { loadState, activeState, subState: shown["SubState"] ?? "", unitFileState }
    };
  }
  if (manager !== "sysvinit") {
    throw new FactError(
      `cannot read the state of service ${name} on ${host}: the probe named no init system`,
      host,
      "service",
      name
    );
  }
  if (answer.get("exists") !== "1") {
    return { name, manager: "sysvinit", exists: false, state: "stopped", enabled: null };
  }
  const status = answer.int("status");
  return {
    name,
    manager: "sysvinit",
    exists: true,
    state: status === 0 ? "running" : status === void 0 || status === 4 ? "unknown" : "stopped",
    enabled: answer.get("enabled") === "1"
  };
}

// src/facts/user.sh
var user_default = `#!/bin/sh
# apb-user: one account's entry on the target (user or group), in one round trip. POSIX sh.
#
# Run as:  /bin/sh -c "<this text>" apb-user <user|group> <name>   (src/facts/user.ts parses it)
#
# The entry comes from getent (so LDAP and NIS accounts count), else from /etc/passwd or /etc/group.
# For a user, its groups come from \`id -Gn\`. Entries are printed in hex (entry_hex, groups_hex);
# found=0 when there is none. The last line is end=1.
set -u
kind=$1 name=$2

hex() {
  od -An -v -tx1 | tr -d ' \\n'
}

if [ "$kind" = user ]; then
  database=passwd
else
  database=group
fi

if command -v getent >/dev/null 2>&1; then
  entry=$(getent "$database" "$name" 2>/dev/null) || entry=
else
  echo missing_tool=getent
  entry=$(awk -F: -v wanted="$name" '$1 == wanted { print; exit }' "/etc/$database" 2>/dev/null) || entry=
fi

if [ -z "$entry" ]; then
  echo found=0
  echo end=1
  exit 0
fi
echo found=1
echo "entry_hex=$(printf '%s' "$entry" | hex)"
if [ "$kind" = user ]; then
  echo "groups_hex=$(id -Gn -- "$name" 2>/dev/null | hex)"
fi
echo end=1
`;

// src/facts/user.ts
var PROBE4 = { name: "apb-user", source: user_default };
var ACCOUNT_NAME = /^[A-Za-z0-9_.][A-Za-z0-9_.@-]*\$?$/;
async function readUser(target, name) {
  const answer = await readAccount(target, "user", name);
  if (answer.get("found") !== "1") return { name, exists: false };
  const fields = entryFields(answer, 7, "user", name, target.connection.host);
  const [, , uid, gid, comment, home, shell] = fields;
  const names = (answer.bytes("groups_hex")?.toString("utf8") ?? "").trim().split(/\s+/);
  const state = {
    name,
    exists: true,
    uid: Number(uid),
    gid: Number(gid),
    comment,
    home,
    shell,
    groups: []
  };
  const [primary, ...others] = names.filter(Boolean);
  if (primary !== void 0) state.group = primary;
  state.groups = others.filter(
    (group, index) => group !== primary && others.indexOf(group) === index
  );
  return state;
}
async function readGroup(target, name) {
  const answer = await readAccount(target, "group", name);
  if (answer.get("found") !== "1") return { name, exists: false };
  const [, , gid, members] = entryFields(answer, 4, "group", name, target.connection.host);
  return {
    name,
    exists: true,
    gid: Number(gid),
    members: members.split(",").filter(Boolean)
  };
}
async function readAccount(target, kind, name) {
  const host = target.connection.host;
  if (!ACCOUNT_NAME.test(name) || /^\d+$/.test(name)) {
    throw new FactError(
      `cannot read ${kind} ${JSON.stringify(name)} on ${host}: a ${kind} name is letters, digits and _ . @ - (not starting with -, not all digits), without / or blanks`,
      host,
      kind,
      name
    );
  }
  return runProbe({ ...target, fact: kind, subject: name }, PROBE4, [kind, name]);
}
function entryFields(answer, count, kind, name, host) {
  const line = (answer.bytes("entry_hex")?.toString("utf8") ?? "").split("\n")[0] ?? "";
  const fields = line.split(":");
  if (fields.length !== count || !/^\d+$/.test(fields[2]) || kind === "user" && !/^\d+$/.test(fields[3])) {
    throw new FactError(
      `cannot read ${kind} ${name} on ${host}: its entry is not a ${kind === "user" ? "passwd" : "group"} line (${JSON.stringify(line.slice(0, 200))})`,
      host,
      kind,
      name
    );
  }
  return fields;
}

// src/facts/target-facts.ts
var TargetFacts = class {
  constructor(source) {
    this.source = source;
  }
  source;
  paths = /* @__PURE__ */ new Map();
  /** Service, package, user and group answers, by fact and name. */
  others = /* @__PURE__ */ new Map();
  tracked;
  /**
   * The state of `path` (see readPath). A cached answer serves any question it covers: one read with
   * a sha1 checksum also answers a later question without one.
   */
  path(path27, options2 = {}) {
    const key = `${options2.follow ? "L" : "l"}\0${path27}`;
    const cached = this.paths.get(key)?.find((entry2) => covers(entry2.options, options2));
    if (cached) return cached.state;
    const entries = this.paths.get(key) ?? [];
    const paths = this.paths;
    const entry = {
      options: options2,
      state: this.source.connection().then(
        (connection) => readPath({ connection, timeoutMs: this.source.timeoutMs }, path27, options2)
      )
    };
    entry.state.catch(() => {
      const list = paths.get(key);
      const at = list?.indexOf(entry) ?? -1;
      if (at >= 0) list.splice(at, 1);
    });
    entries.push(entry);
    this.paths.set(key, entries);
    return entry.state;
  }
  /** The state of service `name` (see readService). */
  service(name) {
    return this.cached(`service\0${name}`, (target) => readService(target, name));
  }
  /**
   * The state of each of `names` and the target's package manager (see readPackages), in one round
   * trip for the packages not already read.
   */
  async packages(names) {
    const wanted = [...new Set(names)];
    const missing2 = wanted.filter((name) => !this.others.has(`package\0${name}`));
    let fresh;
    if (missing2.length > 0 || !this.others.has("package-manager")) {
      fresh = this.cached(
        `packages\0${missing2.join("\0")}`,
        (target) => readPackages(target, missing2)
      );
      this.remember("package-manager", fresh);
      for (const name of missing2) {
        this.remember(
          `package\0${name}`,
          fresh.then((state) => state.packages[name])
        );
      }
    }
    const base2 = await (fresh ?? this.others.get("package-manager"));
    const packages = /* @__PURE__ */ Object.create(null);
    for (const name of wanted) {
      packages[name] = await this.others.get(`package\0${name}`);
    }
    return { manager: base2.manager, database: base2.database, packages };
  }
  /** User `name`'s entry (see readUser). */
  user(name) {
    return this.cached(`user\0${name}`, (target) => readUser(target, name));
  }
  /** Group `name`'s entry (see readGroup). */
  group(name) {
    return this.cached(`group\0${name}`, (target) => readGroup(target, name));
  }
  cached(key, read) {
    const known = this.others.get(key);
    if (known) return known;
    const state = this.source.connection().then((connection) => read({ connection, timeoutMs: this.source.timeoutMs }));
    this.remember(key, state);
    return state;
  }
  /** Keeps an answer until the target changes; a failed read is not remembered. */
  remember(key, state) {
    const others = this.others;
    others.set(key, state);
    state.catch(() => {
      if (others.get(key) === state) others.delete(key);
    });
  }
  /** Forgets every fact read: the target has changed (or may have). */
  invalidate() {
    this.paths = /* @__PURE__ */ new Map();
    this.others = /* @__PURE__ */ new Map();
  }
  /**
   * The host's connection, wrapped: every command run and every file written through it drops the
   * cache first and again once done, since either may change what the facts say.
   */
  connection() {
    this.tracked ??= this.source.connection().then((inner) => new ChangeTracking(inner, this));
    this.tracked.catch(() => this.tracked = void 0);
    return this.tracked;
  }
};
function covers(had, wanted) {
  const sum = (checksum) => checksum === true ? "sha1" : checksum === false ? void 0 : checksum;
  const wantedSum = sum(wanted.checksum);
  return (wantedSum === void 0 || sum(had.checksum) === wantedSum) && (!wanted.mime || had.mime === true) && (!wanted.attributes || had.attributes === true);
}
var ChangeTracking = class {
  constructor(inner, facts) {
    this.inner = inner;
    this.facts = facts;
  }
  inner;
  facts;
  get host() {
    return this.inner.host;
  }
  async run(command, options2) {
    this.facts.invalidate();
    try {
      return await this.inner.run(command, options2);
    } finally {
      this.facts.invalidate();
    }
  }
  async putFile(remotePath, content, options2) {
    this.facts.invalidate();
    try {
      await this.inner.putFile(remotePath, content, options2);
    } finally {
      this.facts.invalidate();
    }
  }
  /** Reading changes nothing: the facts stay. */
  getFile(remotePath, options2) {
    return this.inner.getFile(remotePath, options2);
  }
  close() {
    return this.inner.close();
  }
};
var perContext = /* @__PURE__ */ new WeakMap();
function factsFor(ctx) {
  let facts = perContext.get(ctx);
  if (!facts) {
    facts = new TargetFacts(ctx);
    perContext.set(ctx, facts);
  }
  return facts;
}

// src/modules/command-runner.ts
import { randomBytes } from "node:crypto";

// src/modules/command-checks.sh
var command_checks_default = `# Checks made before a command runs, so that a command that cannot start fails as Ansible's command
# module reports it (Python's os.chdir and subprocess errors) instead of with the shell's own message.
# A failed check prints one line on stdout, "$__apb_mark <what> <errno> <path>", before anything else
# runs, and exits 1; the controller turns the line into Ansible's result. $__apb_mark is set by the caller to
# a fresh random word, so no command's output can pass for such a line.

__apb_cannot() {
  # shellcheck disable=SC2154 # set by the caller, before these functions are defined
  printf '%s %s %s %s\\n' "$__apb_mark" "$1" "$2" "$3"
  exit 1
}

# Changes to the directory as os.chdir does: the physical directory (so \`pwd\` and $PWD show the path
# with its symbolic links resolved), or the errno os.chdir would give: ENOTDIR 20, ENOENT 2, EACCES 13.
__apb_cd() {
  cd -P -- "$1" 2>/dev/null && return 0
  if [ -e "$1" ]; then
    [ -d "$1" ] || __apb_cannot chdir 20 "$1"
    __apb_cannot chdir 13 "$1"
  fi
  __apb_up=$1
  while :; do
    case $__apb_up in
      */*) __apb_up=\${__apb_up%/*} ;;
      *) break ;;
    esac
    [ -n "$__apb_up" ] || break
    if [ -e "$__apb_up" ] && [ ! -d "$__apb_up" ]; then __apb_cannot chdir 20 "$1"; fi
  done
  __apb_cannot chdir 2 "$1"
}

# The errno execve would give for a file: 0 (it can run), ENOENT 2, EACCES 13 (a directory, or no
# execute permission). Sets __apb_errno.
__apb_exec_errno() {
  if [ ! -e "$1" ]; then
    __apb_errno=2
  elif [ -d "$1" ] || [ ! -x "$1" ]; then
    __apb_errno=13
  else
    __apb_errno=0
  fi
}

# Finds a program as Python's subprocess does without a shell: a name with a slash is used as it is;
# any other name is tried in each directory of $PATH (Python's default path when PATH is unset), and
# the error is the first one other than ENOENT, else ENOENT.
__apb_check_program() {
  case $1 in
    */*)
      __apb_exec_errno "$1"
      [ "$__apb_errno" = 0 ] || __apb_cannot exec "$__apb_errno" "$1"
      return 0
      ;;
  esac
  __apb_saved=0
  __apb_rest=\${PATH-/bin:/usr/bin}:
  while [ -n "$__apb_rest" ]; do
    __apb_dir=\${__apb_rest%%:*}
    __apb_rest=\${__apb_rest#*:}
    if [ -n "$__apb_dir" ]; then __apb_exec_errno "$__apb_dir/$1"; else __apb_exec_errno "$1"; fi
    [ "$__apb_errno" = 0 ] && return 0
    if [ "$__apb_errno" != 2 ] && [ "$__apb_saved" = 0 ]; then __apb_saved=$__apb_errno; fi
  done
  [ "$__apb_saved" != 0 ] || __apb_saved=2
  __apb_cannot exec "$__apb_saved" "$1"
}
`;

// src/modules/expand-args.sh
var expand_args_default = `# Defines apb_expand: prints its argument with $VAR, \${VAR} and a leading ~ or ~user expanded, the way
# Ansible's command module expands arguments (Python's os.path.expandvars then expanduser), followed by
# an "x" so that command substitution keeps trailing newlines. Unknown variables stay as written.
# Nothing in the argument is ever evaluated by the shell: awk reads it from the environment.
apb_expand() {
  APB_ARG=$1 awk 'BEGIN {
    s = ENVIRON["APB_ARG"]; out = ""
    while (match(s, /\\$([A-Za-z0-9_]+|\\{[^}]*\\})/)) {
      name = substr(s, RSTART + 1, RLENGTH - 1)
      if (substr(name, 1, 1) == "{") name = substr(name, 2, length(name) - 2)
      out = out substr(s, 1, RSTART - 1)
      if (name != "APB_ARG" && (name in ENVIRON)) out = out ENVIRON[name]
      else out = out substr(s, RSTART, RLENGTH)
      s = substr(s, RSTART + RLENGTH)
    }
    s = out s
    if (substr(s, 1, 1) == "~") {
      slash = index(s, "/"); if (slash == 0) slash = length(s) + 1
      user = substr(s, 2, slash - 2); home = ""
      if (user == "") home = ENVIRON["HOME"]
      else if (user ~ /^[A-Za-z0-9._][A-Za-z0-9._-]*$/) {
        cmd = "getent passwd " user
        if ((cmd | getline line) > 0) { split(line, f, ":"); home = f[6] }
        close(cmd)
      }
      if (home != "") s = home substr(s, slash)
    }
    printf "%sx", s
  }'
}
`;

// src/connection/read-environment.sh
var read_environment_default = "#!/bin/sh\n# apb-read-environment: the start of a command that takes a task's `environment:` from stdin, so no\n# value is ever on a command line (ps, /proc/*/cmdline). Sent as text ahead of the command, in the\n# same shell; src/connection/task-environment.ts writes the records and the lines that use this.\n#\n# Stdin starts with one record per variable: the number of lines of the value, then those lines, each\n# ending in a newline (the value is the lines joined by newlines, so it may hold any byte but NUL,\n# trailing newlines included). `read` takes one byte at a time from a pipe, so what follows the\n# records (the task's own stdin) is left, untouched, for the command.\n#\n# Every name here starts with __apb_env_; the controller renames them all when a variable of the task\n# starts with that, so a task's variable never collides with ours.\n# shellcheck disable=SC2034 # used by the lines the controller appends\n__apb_env_nl='\n'\n__apb_env_missing() {\n  echo 'async-playbook: the task environment did not arrive on stdin' >&2\n  exit 125\n}\n# Reads one record into $__apb_env_v; ends the shell when stdin ends early.\n__apb_env_read() {\n  IFS= read -r __apb_env_n || __apb_env_missing\n  __apb_env_v=\n  while [ \"$__apb_env_n\" -gt 0 ]; do\n    IFS= read -r __apb_env_l || __apb_env_missing\n    __apb_env_v=$__apb_env_v$__apb_env_l\n    __apb_env_n=$((__apb_env_n - 1))\n    [ \"$__apb_env_n\" -eq 0 ] || __apb_env_v=$__apb_env_v$__apb_env_nl\n  done\n}\n";

// src/connection/task-environment.ts
var PREFIX = "__apb_env_";
var READER = read_environment_default.split("\n").map((line) => line.replace(/^[ \t]+/, "")).filter((line) => line !== "" && !line.startsWith("#")).join("\n");
var MAX_CARRIED_INPUT_BYTES = 127 * 1024;
function environmentOnStdin(environment, input) {
  const entries = Object.entries(environment);
  if (entries.length === 0 && input === void 0) return void 0;
  for (const [name, value] of entries) {
    if (!isShellVariableName(name)) {
      throw new ModuleArgumentError(
        `environment variable name ${JSON.stringify(name)} is not valid in a shell`
      );
    }
    if (value.includes("\0")) {
      throw new ModuleArgumentError(
        `environment variable ${name} contains a NUL character, which no environment variable can hold: remove it`
      );
    }
  }
  let prefix = PREFIX;
  while (entries.some(([name]) => name.startsWith(prefix))) prefix = `_${prefix}`;
  const ours = (name) => `${prefix}${name}`;
  const reader = prefix === PREFIX ? READER : READER.split(PREFIX).join(prefix);
  const receive2 = [reader];
  const apply2 = [];
  const records = [];
  entries.forEach(([name, value], i) => {
    const carrier = ours(String(i));
    receive2.push(ours("read"), `${carrier}=$${ours("v")}`, `export ${carrier}`);
    apply2.push(`${name}=$${carrier}`, `export ${name}`, `unset ${carrier}`);
    records.push(record(value));
  });
  let inputCarrier;
  if (input !== void 0) {
    const bytes = Buffer.from(input);
    if (bytes.includes(0)) {
      throw new ModuleArgumentError(
        "the stdin of an async task cannot contain a NUL character: remove it, or run the task without async"
      );
    }
    if (bytes.length > MAX_CARRIED_INPUT_BYTES) {
      throw new ModuleArgumentError(
        `the stdin of an async task is limited to ${MAX_CARRIED_INPUT_BYTES / 1024} KiB (it reaches the job in an environment variable), got ${bytes.length} bytes: copy the data to a file and read it from there`
      );
    }
    inputCarrier = ours("input");
    receive2.push(ours("read"), `${inputCarrier}=$${ours("v")}`, `export ${inputCarrier}`);
    records.push(record(bytes));
  }
  receive2.push(
    `unset ${["n", "l", "v", "nl"].map(ours).join(" ")}`,
    `unset -f ${ours("read")} ${ours("missing")}`
  );
  return {
    receive: receive2.join("\n"),
    apply: apply2.join("\n"),
    stdin: Buffer.concat(records),
    ...inputCarrier !== void 0 ? { inputCarrier } : {}
  };
}
function record(value) {
  const bytes = Buffer.from(value);
  const lines2 = [];
  let at = 0;
  for (let nl = bytes.indexOf(10); nl >= 0; nl = bytes.indexOf(10, at)) {
    lines2.push(bytes.subarray(at, nl + 1));
    at = nl + 1;
  }
  lines2.push(bytes.subarray(at), Buffer.from("\n"));
  return Buffer.concat([Buffer.from(`${lines2.length - 1}
`), ...lines2]);
}
function jobWithInput(carrier, script) {
  return `printf '%s' "$${carrier}" | { unset ${carrier}; exec /bin/sh -c ${shellQuote(script)}; }`;
}
function commandWithEnvironment(script, environment, stdin) {
  const env = environmentOnStdin(environment);
  if (!env) return { command: script, ...stdin !== void 0 ? { stdin } : {} };
  return {
    command: `/bin/sh -c ${shellQuote(`${env.receive}
${env.apply}
${script}`)}`,
    stdin: stdin === void 0 ? env.stdin : Buffer.concat([env.stdin, Buffer.from(stdin)])
  };
}
function receivingEnvironment(command, env) {
  return { command: `/bin/sh -c ${shellQuote(`${env.receive}
${command}`)}`, stdin: env.stdin };
}

// src/modules/command-runner.ts
var TIMEOUT_GRACE_SECONDS = 10;
async function runCommand(ctx, script, cmdForResult, options2) {
  const timeout = ctx.taskTimeoutSeconds;
  const timed = (text5) => timeout !== void 0 && timeout > 0 ? (
    // coreutils timeout puts the command in its own process group and signals the whole group.
    `exec timeout -k 5 ${Math.ceil(timeout)} /bin/sh -c ${shellQuote(text5)}`
  ) : text5;
  const underSh = (lines2) => lines2.length === 1 && lines2[0] === script && options2.runsUnderSh ? script : `/bin/sh -c ${shellQuote(lines2.join("\n"))}`;
  if (ctx.launchJob) {
    const dir = options2.chdir ? chdirWord(options2.chdir) : void 0;
    const parts2 = [...dir ? [...dir.lines, `cd -P -- ${dir.word} || exit 1`] : [], timed(script)];
    const carried = environmentOnStdin(ctx.environment, options2.stdin);
    if (!carried) return ctx.launchJob(underSh(parts2), cmdForResult);
    const job = carried.inputCarrier ? jobWithInput(carried.inputCarrier, parts2.join("\n")) : parts2.join("\n");
    return ctx.launchJob(underSh([carried.apply, job]), cmdForResult, carried);
  }
  const marker = newMarker();
  const checked = options2.checkedScript ?? script;
  const parts = [];
  if (options2.chdir || options2.checkedScript) parts.push(`__apb_mark=${marker}`, command_checks_default);
  if (options2.chdir) {
    const dir = chdirWord(options2.chdir);
    parts.push(...dir.lines, `__apb_cd ${dir.word}`);
  }
  parts.push(timed(checked));
  const environment = environmentOnStdin(ctx.environment);
  const remote = underSh(environment ? [environment.receive, environment.apply, ...parts] : parts);
  const stdin = environment === void 0 ? options2.stdin : options2.stdin === void 0 ? environment.stdin : Buffer.concat([environment.stdin, Buffer.from(options2.stdin)]);
  const connection = await ctx.connection();
  const start = /* @__PURE__ */ new Date();
  const result = await connection.run(remote, {
    timeoutMs: timeout !== void 0 && timeout > 0 ? (timeout + TIMEOUT_GRACE_SECONDS) * 1e3 : ctx.timeoutMs,
    stdin
  });
  const end = /* @__PURE__ */ new Date();
  const rc = result.code ?? -1;
  const notStarted = rc === 1 ? cannotStart(result.stdout, marker) : void 0;
  if (notStarted?.what === "chdir")
    return chdirFailure(cmdForResult, notStarted.errno, notStarted.path);
  if (notStarted?.what === "exec") {
    return {
      changed: false,
      cmd: options2.cmdIfNotStarted ?? cmdForResult,
      failed: true,
      msg: osError(notStarted.errno, notStarted.path),
      rc: notStarted.errno,
      stderr: "",
      stderr_lines: [],
      stdout: "",
      stdout_lines: []
    };
  }
  if (timeout !== void 0 && timeout > 0 && rc === 124 || result.timedOut) {
    return result.timedOut ? {
      changed: false,
      failed: true,
      msg: `The ${options2.moduleName} action did not finish within its deadline of ${Math.round(ctx.timeoutMs / 1e3)}s and was terminated`
    } : timeoutResult(ctx.task.action ?? options2.moduleName, timeout);
  }
  const strip = options2.stripEmptyEnds !== false;
  const stdout = truncationMarker(result.stdoutTruncated, result.stdout.length) + (strip ? decodeOutput(result.stdout) : result.stdout.toString("utf8"));
  const stderr = truncationMarker(result.stderrTruncated, result.stderr.length) + (strip ? decodeOutput(result.stderr) : result.stderr.toString("utf8"));
  const out = {
    changed: true,
    cmd: cmdForResult,
    delta: formatDelta(end.getTime() - start.getTime()),
    end: formatTimestamp(end),
    msg: "",
    rc,
    start: formatTimestamp(start),
    stderr,
    stderr_lines: splitLines(stderr),
    stdout,
    stdout_lines: splitLines(stdout)
  };
  if (rc !== 0) {
    out["failed"] = true;
    out["msg"] = "non-zero return code";
  }
  return out;
}
function timeoutResult(action, seconds) {
  const result = {
    failed: true,
    msg: `The ${action} action failed to execute in the expected time frame (${seconds}) and was terminated`
  };
  Object.defineProperty(result, TIMED_OUT, { value: true });
  return result;
}
function execScript(argv, options2 = {}) {
  const needsExpansion = (arg) => arg.includes("$") || arg.startsWith("~");
  const lines2 = [];
  if (argv.some(needsExpansion)) lines2.push(expand_args_default);
  const words3 = argv.map((arg, i) => {
    if (!needsExpansion(arg)) return shellQuote(arg);
    lines2.push(`apb_a${i}=$(apb_expand ${shellQuote(arg)}) && apb_a${i}=\${apb_a${i}%x}`);
    return `"$apb_a${i}"`;
  });
  if (options2.checked && words3[0] !== void 0) lines2.push(`__apb_check_program ${words3[0]}`);
  lines2.push(`exec ${words3.join(" ")}`);
  return lines2.join("\n");
}
function chdirWord(dir) {
  if (!dir.includes("$") && !dir.startsWith("~")) return { lines: [], word: shellQuote(dir) };
  return {
    lines: [
      expand_args_default,
      `__apb_dir=$(apb_expand ${shellQuote(dir)}) && __apb_dir=\${__apb_dir%x}`
    ],
    word: '"$__apb_dir"'
  };
}
function newMarker() {
  return `apb-cannot-start-${randomBytes(8).toString("hex")}`;
}
function cannotStart(stdout, marker) {
  const match = new RegExp(`^${marker} (chdir|exec) (\\d+) ([\\s\\S]*)
$`).exec(
    stdout.toString("utf8")
  );
  if (!match) return void 0;
  return { what: match[1], errno: Number(match[2]), path: match[3] };
}
var ERRNO_TEXT = {
  2: "No such file or directory",
  13: "Permission denied",
  20: "Not a directory"
};
function osError(errno, path27) {
  return `[Errno ${errno}] ${ERRNO_TEXT[errno] ?? "Error"}: ${pythonBytesRepr(path27)}`;
}
function pythonBytesRepr(text5) {
  const bytes = Buffer.from(text5, "utf8");
  const quote = bytes.includes(39) && !bytes.includes(34) ? '"' : "'";
  let body = "";
  for (const byte of bytes) {
    if (byte === 92) body += "\\\\";
    else if (byte === quote.charCodeAt(0)) body += `\\${quote}`;
    else if (byte === 9) body += "\\t";
    else if (byte === 10) body += "\\n";
    else if (byte === 13) body += "\\r";
    else if (byte < 32 || byte >= 127) body += `\\x${byte.toString(16).padStart(2, "0")}`;
    else body += String.fromCharCode(byte);
  }
  return `b${quote}${body}${quote}`;
}
function truncationMarker(truncated, kept) {
  if (!truncated) return "";
  return `[output truncated: showing the last ${kept} of ${truncated.totalBytes} bytes]
`;
}
function decodeOutput(buffer) {
  return buffer.toString("utf8").replace(/[\r\n]+$/, "");
}
function splitLines(text5) {
  if (text5 === "") return [];
  const lines2 = text5.split(/\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/);
  if (lines2[lines2.length - 1] === "") lines2.pop();
  return lines2;
}
function formatTimestamp(date) {
  const p = (n, w = 2) => String(n).padStart(w, "0");
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())} ${p(date.getHours())}:${p(date.getMinutes())}:${p(date.getSeconds())}.${p(date.getMilliseconds() * 1e3, 6)}`;
}
function formatDelta(ms) {
  const micros = Math.max(0, Math.round(ms * 1e3));
  const hours = Math.floor(micros / 36e8);
  const minutes = Math.floor(micros % 36e8 / 6e7);
  const seconds = Math.floor(micros % 6e7 / 1e6);
  const fraction = micros % 1e6;
  return `${hours}:${String(minutes).padStart(2, "0")}:${String(seconds).padStart(2, "0")}.${String(fraction).padStart(6, "0")}`;
}
async function checkCreatesRemoves(ctx, cmd) {
  const creates = optionalString(ctx.args["creates"]);
  const removes = optionalString(ctx.args["removes"]);
  if (creates === void 0 && removes === void 0) return void 0;
  const chdir = optionalString(ctx.args["chdir"]);
  const connection = await ctx.connection();
  const matches2 = async (pattern) => {
    const marker = newMarker();
    const lines2 = [`__apb_mark=${marker}`, command_checks_default];
    if (chdir) {
      const dir = chdirWord(chdir);
      lines2.push(...dir.lines, `__apb_cd ${dir.word}`);
    }
    if (pattern.includes("$") || pattern.startsWith("~"))
      lines2.push(
        expand_args_default,
        `__apb_p=$(apb_expand ${shellQuote(pattern)}) && __apb_p=\${__apb_p%x}`
      );
    else lines2.push(`__apb_p=${shellQuote(pattern)}`);
    lines2.push(
      "IFS=",
      'for f in $__apb_p; do if [ -e "$f" ] || [ -L "$f" ]; then printf %s "$__apb_p"; exit 0; fi; done',
      'printf %s "$__apb_p"; exit 1'
    );
    const res = await connection.run(`/bin/sh -c ${shellQuote(lines2.join("\n"))}`, {
      timeoutMs: ctx.timeoutMs
    });
    const notStarted = res.code === 1 ? cannotStart(res.stdout, marker) : void 0;
    if (notStarted) return chdirFailure(cmd, notStarted.errno, notStarted.path);
    return { found: res.code === 0, path: res.stdout.toString("utf8") || pattern };
  };
  const skip = (msg, stdout) => ({
    changed: false,
    cmd,
    delta: null,
    end: null,
    msg,
    rc: 0,
    start: null,
    stderr: "",
    stderr_lines: [],
    stdout,
    stdout_lines: [stdout]
  });
  if (creates !== void 0) {
    const found = await matches2(creates);
    if (!("found" in found)) return found;
    if (found.found)
      return skip(
        `${ctx.check ? "Would" : "Did"} not run command since '${found.path}' exists`,
        `skipped, since ${found.path} exists`
      );
  }
  if (removes !== void 0) {
    const found = await matches2(removes);
    if (!("found" in found)) return found;
    if (!found.found)
      return skip(
        `${ctx.check ? "Would" : "Did"} not run command since '${found.path}' does not exist`,
        `skipped, since ${found.path} does not exist`
      );
  }
  return void 0;
}
function chdirFailure(cmd, errno, path27) {
  return {
    changed: false,
    cmd,
    delta: null,
    end: null,
    failed: true,
    msg: `Unable to change directory before execution: ${osError(errno, path27)}`,
    rc: null,
    start: null,
    stderr: "",
    stderr_lines: [],
    stdout: "",
    stdout_lines: []
  };
}
function optionalString(value) {
  if (value === void 0 || value === null || value === "") return void 0;
  return String(value);
}

// src/modules/module-script.ts
var OUTPUT_CAP_BYTES2 = 64 * 1024 * 1024;
function scriptCall(answer, key) {
  const rc = answer.int(`${key}_rc`);
  if (rc === void 0) return void 0;
  return {
    rc,
    out: answer.bytes(`${key}_out_hex`)?.toString("utf8") ?? "",
    err: answer.bytes(`${key}_err_hex`)?.toString("utf8") ?? ""
  };
}
var ModuleScript = class {
  constructor(name, source, label = name) {
    this.name = name;
    this.source = source;
    this.label = label;
  }
  name;
  source;
  label;
  compacted;
  /**
   * Runs the script with `args`; `stdin` is written to it, after the records of `environment` (the
   * task's `environment:`, exported before the script runs).
   * @throws ModuleArgumentError when the script fails or stops before its end
   * @throws CommandTimeoutError past the deadline
   */
  async run(connection, args, options2) {
    this.compacted ??= compactScript(this.source);
    const { command, stdin } = commandWithEnvironment(
      shellJoin(["/bin/sh", "-c", this.compacted, this.name, ...args]),
      options2.environment ?? {},
      options2.stdin ?? ""
    );
    const result = await connection.run(command, {
      timeoutMs: options2.timeoutMs,
      stdin: stdin ?? "",
      outputCapBytes: OUTPUT_CAP_BYTES2
    });
    if (result.timedOut) {
      throw new CommandTimeoutError(
        `${this.label} on ${connection.host} did not answer within ${options2.timeoutMs} ms`,
        connection.host,
        options2.timeoutMs
      );
    }
    const answer = new ProbeAnswer(result.stdout.toString("utf8"));
    const stderr = result.stderr.toString("utf8").trim().slice(-400);
    if (result.code !== 0) {
      throw new ModuleArgumentError(
        `${this.label}: its script failed on ${connection.host} (exit code ${String(result.code)}): ` + stderr
      );
    }
    if (!answer.complete || result.stdoutTruncated) {
      throw new ModuleArgumentError(
        `${this.label}: the answer from ${connection.host} was cut short (its script exited 0 without its end marker end=1, so nothing it reported is trusted; run the task again, and check the target's shell and disk space)` + (stderr ? `: ${stderr}` : "")
      );
    }
    return answer;
  }
};

// src/modules/apt-support.ts
function charOrder(c) {
  if (c === void 0) return 0;
  if (c === "~") return -1;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}
function comparePart(a, b) {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let first = 0;
    while (i < a.length && !/\d/.test(a[i]) || j < b.length && !/\d/.test(b[j])) {
      const ac = i < a.length && !/\d/.test(a[i]) ? a[i] : void 0;
      const bc = j < b.length && !/\d/.test(b[j]) ? b[j] : void 0;
      const diff = charOrder(ac) - charOrder(bc);
      if (diff !== 0) return diff;
      if (ac !== void 0) i++;
      if (bc !== void 0) j++;
    }
    while (a[i] === "0") i++;
    while (b[j] === "0") j++;
    while (i < a.length && /\d/.test(a[i]) && j < b.length && /\d/.test(b[j])) {
      if (first === 0) first = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (i < a.length && /\d/.test(a[i])) return 1;
    if (j < b.length && /\d/.test(b[j])) return -1;
    if (first !== 0) return first;
  }
  return 0;
}
function versionParts(version) {
  const colon = version.indexOf(":");
  const epoch3 = colon > 0 ? Number(version.slice(0, colon)) || 0 : 0;
  const rest = colon > 0 ? version.slice(colon + 1) : version;
  const dash = rest.lastIndexOf("-");
  return dash >= 0 ? [epoch3, rest.slice(0, dash), rest.slice(dash + 1)] : [epoch3, rest, ""];
}
function compareDebianVersions(a, b) {
  const [ea, ua, ra] = versionParts(a);
  const [eb, ub, rb] = versionParts(b);
  if (ea !== eb) return ea - eb;
  return Math.sign(comparePart(ua, ub) || comparePart(ra, rb));
}
function versionSatisfies(version, relation, wanted) {
  const c = compareDebianVersions(version, wanted);
  switch (relation) {
    case ">=":
      return c >= 0;
    case "<=":
    case "<":
      return c <= 0;
    case ">>":
    case ">":
      return c > 0;
    case "<<":
      return c < 0;
    default:
      return c === 0;
  }
}
function fnmatch(name, pattern) {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "*") source += "[\\s\\S]*";
    else if (c === "?") source += "[\\s\\S]";
    else if (c === "[") {
      let j = i + 1;
      if (pattern[j] === "!") j++;
      if (pattern[j] === "]") j++;
      while (j < pattern.length && pattern[j] !== "]") j++;
      if (j >= pattern.length) source += "\\[";
      else {
        let body = pattern.slice(i + 1, j).replace(/\\/g, "\\\\");
        if (body.startsWith("!")) body = `^${body.slice(1)}`;
        else if (body.startsWith("^")) body = `\\${body}`;
        source += `[${body}]`;
        i = j;
      }
    } else source += c.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
  }
  return new RegExp(`^(?:${source})$`).test(name);
}
function isPattern(name) {
  return /[*?[\]!]/.test(name);
}
function parsePolicies(text5) {
  const policies = /* @__PURE__ */ Object.create(null);
  let current;
  for (const line of text5.split("\n")) {
    const head = /^(\S+):$/.exec(line);
    if (head) {
      current = { installed: null, candidate: null, versions: [] };
      policies[head[1]] = current;
      continue;
    }
    if (!current) continue;
    const field = /^ {2}(Installed|Candidate): (.*)$/.exec(line);
    if (field) {
      const value = field[2].trim() === "(none)" ? null : field[2].trim();
      if (field[1] === "Installed") current.installed = value;
      else current.candidate = value;
      continue;
    }
    const version = /^ (?:\*\*\*| {3}) (\S+) (-?\d+)\s*$/.exec(line);
    if (version) current.versions.push({ version: version[1], priority: Number(version[2]) });
  }
  return policies;
}
function splitSpec(spec) {
  const match = /^(.*?)(>?=)([\s\S]*)$/.exec(spec);
  if (!match) return { name: spec, cmp: null, version: null };
  return { name: match[1], cmp: match[2], version: match[3] };
}
var scripts = /* @__PURE__ */ new Map();
async function runAptScript(connection, name, script, args, timeoutMs, environment = {}) {
  let runner = scripts.get(name);
  if (runner === void 0) {
    runner = new ModuleScript(name, script);
    scripts.set(name, runner);
  }
  const answer = await runner.run(connection, args, { timeoutMs, environment });
  const tool = answer.get("missing_tool");
  if (tool !== void 0) {
    throw new ModuleArgumentError(
      `${name}: the target ${connection.host} has no ${tool} command: the apt module drives apt-get and dpkg (Debian and Ubuntu targets); use the module of the target's package manager`
    );
  }
  return answer;
}

// src/modules/apt-deb-probe.sh
var apt_deb_probe_default = `#!/bin/sh
# apb-apt-deb-probe: reads .deb files for the apt module's \`deb\` option, in one round trip: fetches a
# URL first (curl or wget) into a new directory, then for each file its Package, Version,
# Architecture, Depends and Pre-Depends, the installed version of that package, and dpkg's state and
# apt's policy of every package its dependencies name. POSIX sh.
#
# Run as:  /bin/sh -c "<this text>" apb-apt-deb-probe <deb path or URL>...
# (src/modules/apt-deb.ts parses the answer)
#
# The answer: missing_tool=<name>; fetch_dir (when a URL was fetched), fetch_failed_hex; per file
# deb=<path hex>:<rc of dpkg-deb -f, or enoent/eacces>:<fields hex>:<installed "status|version" hex>; multiarch=0|1;
# dep=<name hex>:<dpkg-query "status|version" hex>; policy_hex. Last line end=1.
set -u

hex() {
  od -An -v -tx1 | tr -d ' \\n'
}

command -v dpkg >/dev/null 2>&1 || {
  echo missing_tool=dpkg
  echo end=1
  exit 0
}

fetch_dir=
files=
for deb in "$@"; do
  case $deb in
    *://*)
      if [ -z "$fetch_dir" ]; then
        fetch_dir=$(mktemp -d)
        echo "fetch_dir=$fetch_dir"
      fi
      base=\${deb##*/}
      base=\${base%%\\?*}
      [ -n "$base" ] || base=download.deb
      target=$fetch_dir/$base
      if command -v curl >/dev/null 2>&1; then
        err=$(curl -fsSL -o "$target" -- "$deb" 2>&1) || {
          echo "fetch_failed_hex=$(printf '%s: %s' "$deb" "$err" | hex)"
          echo end=1
          exit 0
        }
      elif command -v wget >/dev/null 2>&1; then
        err=$(wget -q -O "$target" -- "$deb" 2>&1) || {
          echo "fetch_failed_hex=$(printf '%s: %s' "$deb" "$err" | hex)"
          echo end=1
          exit 0
        }
      else
        echo missing_tool=curl
        echo end=1
        exit 0
      fi
      deb=$target
      ;;
  esac
  files="$files
$deb"
done

if [ -n "$(dpkg --print-foreign-architectures 2>/dev/null)" ]; then
  echo multiarch=1
else
  echo multiarch=0
fi

deps=
list=$(mktemp)
printf '%s\\n' "$files" | sed 1d >"$list"
while IFS= read -r deb; do
  if [ ! -e "$deb" ]; then
    fields='' rc=enoent
  elif [ ! -r "$deb" ]; then
    fields='' rc=eacces
  else
    fields=$(dpkg-deb -f -- "$deb" Package Version Architecture Depends Pre-Depends 2>&1)
    rc=$?
  fi
  name=$(printf '%s\\n' "$fields" | sed -n 's/^Package: //p')
  arch=$(printf '%s\\n' "$fields" | sed -n 's/^Architecture: //p')
  installed=
  if [ -n "$name" ]; then
    installed=$(dpkg-query -W -f='\${db:Status-Status}|\${Version}\\n' -- "$name" "$name:$arch" 2>/dev/null | grep '^installed|' | head -n 1)
  fi
  echo "deb=$(printf '%s' "$deb" | hex):$rc:$(printf '%s' "$fields" | hex):$(printf '%s' "$installed" | hex)"
  deps="$deps $(printf '%s\\n' "$fields" | sed -n 's/^\\(Pre-\\)\\{0,1\\}Depends: //p' | tr ',' '\\n' | tr '|' '\\n' | sed 's/(.*//; s/:.*//' | tr -d ' ')"
done <"$list"
rm -f "$list"

# The names read from the .deb files split on blanks, never globbed (a file's Depends is its author's text).
set -f
names=
for dep in $deps; do
  case " $names " in *" $dep "*) continue ;; esac
  names="$names $dep"
  line=$(dpkg-query -W -f='\${db:Status-Status}|\${Version}\\n' -- "$dep" 2>/dev/null | head -n 1)
  echo "dep=$(printf '%s' "$dep" | hex):$(printf '%s' "$line" | hex)"
done
if [ -n "$names" ]; then
  # shellcheck disable=SC2086 # package names have no blanks
  echo "policy_hex=$(apt-cache policy -- $names 2>/dev/null | hex)"
fi
echo end=1
`;

// src/modules/apt-deb.ts
function startDebProbe(ctx, connection, deb) {
  const sources = deb.includes("://") ? [deb] : deb.split(",");
  return runAptScript(
    connection,
    "apb-apt-deb-probe",
    apt_deb_probe_default,
    sources,
    ctx.timeoutMs,
    ctx.environment
  );
}
async function discardDebProbe(ctx, connection, started) {
  const answer = await started.catch(() => void 0);
  const fetchDir = answer?.get("fetch_dir") ?? "";
  if (fetchDir) await runAct(ctx, connection, "C", [], [], fetchDir).catch(() => void 0);
}
async function installDebs(ctx, connection, deb, options2, started) {
  const answer = await (started ?? startDebProbe(ctx, connection, deb));
  const fetchDir = answer.get("fetch_dir") ?? "";
  const fetchFailed = answer.bytes("fetch_failed_hex")?.toString("utf8");
  if (fetchFailed !== void 0) {
    if (fetchDir) await runAct(ctx, connection, options2.locale, [], [], fetchDir);
    return fail({ msg: `Failure downloading ${fetchFailed}` });
  }
  const deps = new Map(
    answer.all("dep").map((entry) => {
      const [name = "", line = ""] = entry.split(":");
      const [status = "", version = ""] = text(line).split("|");
      return [text(name), { installed: status === "installed", version }];
    })
  );
  const policies = parsePolicies(answer.bytes("policy_hex")?.toString("utf8") ?? "");
  const cleanupAnd = async (result) => {
    if (fetchDir) await runAct(ctx, connection, options2.locale, [], [], fetchDir);
    return result;
  };
  const missing2 = [];
  const files = [];
  for (const entry of answer.all("deb")) {
    const [pathHex = "", rc = "0", fieldsHex = "", installedHex = ""] = entry.split(":");
    const file = text(pathHex);
    const fieldsText = text(fieldsHex);
    if (rc === "enoent" || rc === "eacces") {
      const reason = rc === "enoent" ? "2: No such file or directory" : "13: Permission denied";
      return cleanupAnd(
        fail({ msg: `Unable to install package: E:Could not open file ${file} - open (${reason})` })
      );
    }
    if (rc !== "0") {
      return cleanupAnd(fail({ msg: `Unable to install package: E:${fieldsText.trim()}` }));
    }
    const fields = controlFields(fieldsText);
    const [installedStatus = "", installedVersion = ""] = text(installedHex).split("|");
    const version = fields["Version"] ?? "";
    const installed = installedStatus === "installed";
    if (installed && compareDebianVersions(version, installedVersion) === 0) continue;
    if (installed && compareDebianVersions(version, installedVersion) < 0) {
      const allowed = ctx.args["force"] === true || ctx.args["allow_downgrade"] === true;
      if (!allowed) return cleanupAnd(fail({ msg: "A later version is already installed" }));
    }
    const relations = [fields["Pre-Depends"], fields["Depends"]].filter(Boolean).join(", ");
    for (const group of relations.split(",").map((g) => g.trim()).filter(Boolean)) {
      const alternatives = group.split("|").map(parseRelation);
      const satisfied = alternatives.some((alt) => {
        const state = deps.get(alt.name);
        return state?.installed === true && (!alt.relation || versionSatisfies(state.version, alt.relation, alt.version));
      });
      if (satisfied) continue;
      const installable = alternatives.find((alt) => {
        const candidate = policies[alt.name]?.candidate;
        return candidate && (!alt.relation || versionSatisfies(candidate, alt.relation, alt.version));
      });
      if (!installable) {
        const orText = alternatives.map((alt) => alt.relation ? `${alt.name} (${alt.relation} ${alt.version})` : alt.name).join("|");
        const force = ctx.args["force"] === true;
        if (force) continue;
        return cleanupAnd(fail({ msg: `Dependency is not satisfiable: ${orText}
` }));
      }
      if (!missing2.includes(installable.name)) missing2.push(installable.name);
    }
    files.push(file);
  }
  let retvals = {};
  let changed = false;
  if (missing2.length > 0) {
    retvals = await options2.installDeps(missing2);
    if (retvals["failed"] === true) return cleanupAnd(retvals);
    changed = retvals["changed"] === true;
  }
  if (files.length === 0) {
    return cleanupAnd({
      changed,
      stdout: retvals["stdout"] ?? "",
      stderr: retvals["stderr"] ?? "",
      ...outputFields({
        stdout: retvals["stdout"] ?? "",
        stderr: retvals["stderr"] ?? ""
      }),
      diff: retvals["diff"] ?? ""
    });
  }
  const flags = ctx.args["dpkg_options"].split(",").map((option) => `--${option}`);
  if (ctx.check) flags.push("--simulate");
  if (ctx.args["force"] === true) flags.push("--force-all");
  const cmd = `dpkg ${flags.join(" ")} -i ${files.join(" ")}`;
  const argv = ["dpkg", ...flags, "-i", ...files];
  const run = await runAct(ctx, connection, options2.locale, argv, [], fetchDir);
  const stdout = `${retvals["stdout"] ?? ""}${run.stdout}`;
  const stderr = `${retvals["stderr"] ?? ""}${run.stderr}`;
  let diff;
  if (retvals["diff"] !== void 0) {
    diff = retvals["diff"];
    const prepared = diff["prepared"];
    if (typeof prepared === "string")
      diff = { ...diff, prepared: `${prepared}

${run.stdout}` };
  } else {
    diff = preparedDiff(run.stdout);
  }
  if (run.rc !== 0) return fail({ msg: `${cmd} failed`, ...outputFields({ stdout, stderr }) });
  return { changed: true, ...outputFields({ stdout, stderr }), diff };
}
function controlFields(textValue) {
  const fields = /* @__PURE__ */ Object.create(null);
  let last = "";
  for (const line of textValue.split("\n")) {
    const match = /^([A-Za-z][A-Za-z0-9-]*):\s*(.*)$/.exec(line);
    if (match) {
      last = match[1];
      fields[last] = match[2];
    } else if (last && /^\s/.test(line)) {
      fields[last] += ` ${line.trim()}`;
    }
  }
  return fields;
}
function parseRelation(textValue) {
  const match = /^\s*([^\s(:]+)(?::\S+)?\s*(?:\(\s*([<>=]+)\s*([^)\s]+)\s*\))?/.exec(textValue);
  return {
    name: match?.[1] ?? textValue.trim(),
    relation: match?.[2] ?? "",
    version: match?.[3] ?? ""
  };
}
function text(hex) {
  return Buffer.from(hex, "hex").toString("utf8");
}

// src/modules/apt-probe.sh
var apt_probe_default = `#!/bin/sh
# apb-apt-probe: what the apt module needs to decide, in one round trip: the apt tools present, the
# package lists' age (updating them first when asked and stale), the packages that glob patterns
# match, and for each package dpkg's state, apt's policy (installed, candidate, version table) and
# the packages that provide a virtual one. POSIX sh.
#
# Run as:  /bin/sh -c "<this text>" apb-apt-probe <update 0|1> <cache_valid_time> <check 0|1> \\
#            <update retries> <retry max delay> <default release or ""> <lock timeout> \\
#            <pattern count> <pattern>... <name>...
# (src/modules/apt.ts builds the arguments and parses the answer)
#
# The answer (key=value lines, values in hex where they are text): missing_tool=<name>; apt_get,
# aptitude, locale; cache_time_before, update_rc + update_err_hex (when an update ran), cache_time;
# stale=1 when the lists are older than cache_valid_time (by the target's clock);
# glob=<pattern hex>:<matching names, newline-separated, hex> per pattern; then per name
# pkg=<name hex>:<dpkg-query line hex>:<has files 0|1>, policy_hex (apt-cache policy of every name;
# policy_err_hex: its errors when it fails),
# provides=<name hex>:<apt-cache showpkg's Reverse Provides hex> for names apt knows no version of,
# with provider=<name hex>:<dpkg-query line hex> for each provider; auto=<name> for the packages
# marked automatically installed. Last line end=1.
set -u
update=$1 valid=$2 check=$3 retries=$4 max_delay=$5 release=$6 lock_timeout=$7 count=$8
shift 8

hex() {
  od -An -v -tx1 | tr -d ' \\n'
}

if ! apt_get=$(command -v apt-get); then
  echo missing_tool=apt-get
  echo end=1
  exit 0
fi
echo "apt_get=$apt_get"
echo "aptitude=$(command -v aptitude || true)"

# The first of these locales the target has: apt's messages are read, not shown.
loc=C
available=$(locale -a 2>/dev/null || true)
for candidate in C.utf8 C.UTF-8 en_US.utf8 en_US.UTF-8 C POSIX; do
  if printf '%s\\n' "$available" | grep -qx -- "$candidate"; then
    loc=$candidate
    break
  fi
done
echo "locale=$loc"
LANG=$loc LC_ALL=$loc LC_MESSAGES=$loc LC_CTYPE=$loc DEBIAN_FRONTEND=noninteractive DEBIAN_PRIORITY=critical
export LANG LC_ALL LC_MESSAGES LC_CTYPE DEBIAN_FRONTEND DEBIAN_PRIORITY

cache_time() {
  if [ -e /var/lib/apt/periodic/update-success-stamp ]; then
    stat -c %Y /var/lib/apt/periodic/update-success-stamp
  elif [ -e /var/lib/apt/lists ]; then
    stat -c %Y /var/lib/apt/lists
  else
    echo 0
  fi
}

before=$(cache_time)
echo "cache_time_before=$before"
stale=0
[ "$update" = 1 ] && [ $((before + valid)) -lt "$(date +%s)" ] && stale=1
echo "stale=$stale"
if [ "$stale" = 1 ] && [ "$check" = 0 ]; then
  # Retried with a growing delay, as a mirror may be briefly unreachable; a held lock is waited for
  # until the lock timeout.
  attempt=0
  deadline=$(($(date +%s) + lock_timeout))
  while :; do
    err=$("$apt_get" update -q 2>&1 >/dev/null)
    rc=$?
    [ "$rc" = 0 ] && break
    if printf '%s' "$err" | grep -q 'Could not get lock' && [ "$(date +%s)" -lt "$deadline" ]; then
      sleep 1
      continue
    fi
    attempt=$((attempt + 1))
    [ "$attempt" -ge "$retries" ] && break
    delay=$((1 << (attempt - 1)))
    [ "$delay" -gt "$max_delay" ] && delay=$max_delay
    sleep "$delay"
  done
  echo "update_rc=$rc"
  echo "update_err_hex=$(printf '%s' "$err" | hex)"
fi
echo "cache_time=$(cache_time)"

# Glob patterns: the names apt knows (real packages; with an architecture only when the pattern has one).
i=0
names_file=
while [ "$i" -lt "$count" ]; do
  pattern=$1
  shift
  i=$((i + 1))
  if [ -z "$names_file" ]; then
    names_file=$(mktemp)
    apt-cache pkgnames >"$names_file" 2>/dev/null
  fi
  matches=$(
    while IFS= read -r candidate; do
      case $pattern in *:*) ;; *) case $candidate in *:*) continue ;; esac ;; esac
      # shellcheck disable=SC2254 # the pattern is a glob on purpose
      case $candidate in $pattern) printf '%s\\n' "$candidate" ;; esac
    done <"$names_file"
  )
  echo "glob=$(printf '%s' "$pattern" | hex):$(printf '%s' "$matches" | hex)"
  if [ -n "$matches" ]; then
    # One name a line (apt's names have no blanks), never globbed.
    set -f
    # shellcheck disable=SC2086
    set -- "$@" $matches
    set +f
  fi
done
[ -n "$names_file" ] && rm -f "$names_file"

[ $# -eq 0 ] && {
  echo end=1
  exit 0
}

for name in "$@"; do
  line=$(dpkg-query -W -f='\${db:Status-Abbrev}|\${Version}|\${db:Status-Status}\\n' -- "$name" 2>/dev/null | head -n 1)
  files=0
  for list in /var/lib/dpkg/info/"$name".list /var/lib/dpkg/info/"$name":*.list; do
    [ -s "$list" ] && files=1
  done
  echo "pkg=$(printf '%s' "$name" | hex):$(printf '%s' "$line" | hex):$files"
done

err=$(mktemp)
if [ -n "$release" ]; then
  policy=$(apt-cache -o "APT::Default-Release=$release" policy -- "$@" 2>"$err")
else
  policy=$(apt-cache policy -- "$@" 2>"$err")
fi
policy_rc=$?
echo "policy_hex=$(printf '%s' "$policy" | hex)"
[ "$policy_rc" = 0 ] || echo "policy_err_hex=$(grep '^E:' "$err" | hex)"
rm -f "$err"

# A name with no version apt could install may be virtual: the packages that provide it.
for name in "$@"; do
  section=$(printf '%s\\n' "$policy" | awk -v name="$name:" '
    $0 == name { inside = 1; next }
    /^[^ ]/ { inside = 0 }
    inside { print }')
  if ! printf '%s\\n' "$section" | grep -Eq '^ (\\*\\*\\*|   ) [^ ]+ -?[0-9]+$'; then
    provides=$(apt-cache showpkg -- "$name" 2>/dev/null | sed -n '/^Reverse Provides:/,$p' | sed 1d)
    echo "provides=$(printf '%s' "$name" | hex):$(printf '%s' "$provides" | hex)"
    printf '%s\\n' "$provides" | while read -r provider _; do
      [ -n "$provider" ] || continue
      line=$(dpkg-query -W -f='\${db:Status-Abbrev}|\${Version}|\${db:Status-Status}\\n' -- "$provider" 2>/dev/null | head -n 1)
      echo "provider=$(printf '%s' "$provider" | hex):$(printf '%s' "$line" | hex)"
    done
  fi
done

# apt's record of automatically installed packages (read directly: apt-mark showauto is slow).
if [ -r /var/lib/apt/extended_states ]; then
  awk '
    /^Package:/ { name = $2 }
    /^Auto-Installed: 1/ { print "auto=" name }' /var/lib/apt/extended_states
fi
echo end=1
`;

// src/modules/apt-act.sh
var apt_act_default = `#!/bin/sh
# apb-apt-act: runs one apt-get, aptitude or dpkg command as the apt module decided, waiting for a
# held dpkg/apt lock until the lock timeout, then marks the named packages manually installed
# (apt-mark manual) as Ansible's apt does after an install. POSIX sh.
#
# Run as:  /bin/sh -c "<this text>" apb-apt-act <lock timeout> <locale> <remove dir or ""> \\
#            <how many names> <name to mark>... <command word>...
# (src/modules/apt.ts builds the command as words; no command words: only the marking). Every name and
# word stays one word: none is split, globbed or read as an option of this script.
#
# The answer: rc, out_hex, err_hex of the command (when there is one); mark_cmd_hex, mark_rc,
# mark_out_hex, mark_err_hex of apt-mark (when there are names and it exists; mark_missing=1 when it
# does not). Last line end=1.
set -u
lock_timeout=$1 loc=$2 remove_dir=$3 mark_count=$4
shift 4

hex() {
  od -An -v -tx1 | tr -d ' \\n'
}

LANG=$loc LC_ALL=$loc LC_MESSAGES=$loc LC_CTYPE=$loc DEBIAN_FRONTEND=noninteractive DEBIAN_PRIORITY=critical
export LANG LC_ALL LC_MESSAGES LC_CTYPE DEBIAN_FRONTEND DEBIAN_PRIORITY

case $mark_count in '' | *[!0-9]*)
  echo "apb-apt-act: not a count of names: $mark_count" >&2
  exit 2
  ;;
esac

# command_words NAME\u2026 WORD\u2026: runs the command words (after the names), output to $out and $err.
command_words() {
  shift "$mark_count"
  "$@" >"$out" 2>"$err" </dev/null
}

# apt_mark HOW NAME\u2026: apt-mark HOW on the names alone ("$@" holds the command words after them).
apt_mark() {
  how=$1
  shift
  i=0
  n=$(($# - mark_count))
  while [ "$i" -lt "$mark_count" ]; do
    set -- "$@" "$1"
    shift
    i=$((i + 1))
  done
  shift "$n"
  "$mark" "$how" "$@" >"$out" 2>"$err" </dev/null
  mark_rc=$?
  cmd="$mark $how $*"
}

out=$(mktemp) err=$(mktemp)
if [ $# -gt "$mark_count" ]; then
  deadline=$(($(date +%s) + lock_timeout))
  while :; do
    command_words "$@"
    rc=$?
    if [ "$rc" != 0 ] && grep -Eq 'Could not get lock|dpkg frontend lock|dpkg status database is locked' "$err" &&
      [ "$(date +%s)" -lt "$deadline" ]; then
      sleep 1
      continue
    fi
    break
  done
  echo "rc=$rc"
  echo "out_hex=$(hex <"$out")"
  echo "err_hex=$(hex <"$err")"
fi

if [ "$mark_count" -gt 0 ]; then
  if mark=$(command -v apt-mark); then
    apt_mark manual "$@"
    if grep -q 'Invalid operation' "$err"; then
      apt_mark unmarkauto "$@"
    fi
    echo "mark_cmd_hex=$(printf '%s' "$cmd" | hex)"
    echo "mark_rc=$mark_rc"
    echo "mark_out_hex=$(hex <"$out")"
    echo "mark_err_hex=$(hex <"$err")"
  else
    echo mark_missing=1
  fi
fi
rm -f "$out" "$err"
[ -n "$remove_dir" ] && rm -rf -- "$remove_dir"
echo end=1
`;

// src/modules/apt.ts
var DPKG_OPTIONS = "force-confdef,force-confold";
var APT_GET_ZERO = "\n0 upgraded, 0 newly installed";
var APTITUDE_ZERO = "\n0 packages upgraded, 0 newly installed";
var aptModule = {
  name: "apt",
  supportsCheckMode: true,
  args: {
    options: {
      state: {
        type: "str",
        default: "present",
        choices: ["absent", "build-dep", "fixed", "latest", "present"]
      },
      update_cache: { type: "bool", aliases: ["update-cache"] },
      update_cache_retries: { type: "int", default: 5 },
      update_cache_retry_max_delay: { type: "int", default: 12 },
      cache_valid_time: { type: "int", default: 0 },
      purge: { type: "bool", default: false },
      package: { type: "list", elements: "str", aliases: ["pkg", "name"] },
      deb: { type: "path" },
      default_release: { type: "str", aliases: ["default-release"] },
      install_recommends: { type: "bool", aliases: ["install-recommends"] },
      force: { type: "bool", default: false },
      upgrade: { type: "str", choices: ["dist", "full", "no", "safe", "yes"], default: "no" },
      dpkg_options: { type: "str", default: DPKG_OPTIONS },
      autoremove: { type: "bool", default: false },
      autoclean: { type: "bool", default: false },
      fail_on_autoremove: { type: "bool", default: false },
      policy_rc_d: {
        type: "int",
        notImplemented: "write /usr/sbin/policy-rc.d with a copy task before the apt task and remove it after"
      },
      only_upgrade: { type: "bool", default: false },
      force_apt_get: { type: "bool", default: false },
      clean: { type: "bool", default: false },
      allow_unauthenticated: {
        type: "bool",
        default: false,
        aliases: ["allow-unauthenticated"]
      },
      allow_downgrade: {
        type: "bool",
        default: false,
        aliases: ["allow-downgrade", "allow_downgrades", "allow-downgrades"]
      },
      allow_change_held_packages: { type: "bool", default: false },
      lock_timeout: { type: "int", default: 60 }
    },
    mutuallyExclusive: [["deb", "package", "upgrade"]],
    requiredOneOf: [["autoremove", "deb", "package", "update_cache", "upgrade"]]
  },
  async run(ctx) {
    return new AptRun(ctx).run();
  }
};
var AptExit = class {
  constructor(result) {
    this.result = result;
  }
  result;
};
var AptRun = class {
  constructor(ctx) {
    this.ctx = ctx;
    this.args = ctx.args;
  }
  ctx;
  args;
  connection;
  probed;
  async run() {
    try {
      return await this.decide();
    } catch (error) {
      if (error instanceof AptExit) return error.result;
      throw error;
    }
  }
  async conn() {
    this.connection ??= await factsFor(this.ctx).connection();
    return this.connection;
  }
  async decide() {
    const a = this.args;
    const packagesArg = a["package"] ?? [];
    const packages = packagesArg.filter((p) => p !== "*").map((p) => p.trim());
    const allInstalled = packagesArg.includes("*");
    const state = a["state"];
    const upgradeMode = a["upgrade"] === "no" ? null : a["upgrade"];
    const deb = a["deb"];
    const globs = [];
    const names = [];
    if (state !== "build-dep") {
      for (const spec of packages) {
        const { name } = splitSpec(spec);
        if (isPattern(name)) globs.push(name);
        else names.push(name);
      }
    } else {
      for (const spec of packages) {
        const { name } = splitSpec(spec);
        if (isPattern(name)) globs.push(name);
      }
    }
    const updateWanted = a["update_cache"] === true || a["cache_valid_time"] !== 0;
    const debRead = deb && state === "present" && !updateWanted ? startDebProbe(this.ctx, await this.conn(), deb) : void 0;
    debRead?.catch(() => void 0);
    let debReadUsed = false;
    try {
      return await this.decideAfterProbe(
        { packagesArg, packages, allInstalled, state, upgradeMode, deb, updateWanted },
        { globs, names },
        debRead,
        () => {
          debReadUsed = true;
        }
      );
    } finally {
      if (debRead && !debReadUsed) await discardDebProbe(this.ctx, await this.conn(), debRead);
    }
  }
  /** decide, from the probe on: `debRead` is the .deb files' read started alongside it, if any. */
  async decideAfterProbe(d, read, debRead, useDebRead) {
    const a = this.args;
    const { packagesArg, packages, allInstalled, state, upgradeMode, deb, updateWanted } = d;
    await this.probe(updateWanted, read.globs, [...new Set(read.names)]);
    const useAptGet = a["force_apt_get"] || this.probed.aptitude === "";
    if (a["clean"] === true) {
      const run = await this.act(["apt-get", "clean"], []);
      if (run.rc !== 0)
        throw new AptExit(fail({ msg: "apt-get clean failed", stdout: run.stdout, rc: run.rc }));
      if (run.stderr !== "")
        throw new AptExit(
          fail({ msg: `apt-get clean failed: ${run.stderr}`, stdout: run.stdout, rc: run.rc })
        );
      if (packages.length === 0 && !upgradeMode && !deb)
        return withOutput({ changed: true, msg: run.stdout }, run);
    }
    if (updateWanted && packagesArg.length === 0 && !upgradeMode && !deb) {
      return {
        changed: this.probed.cacheUpdated,
        cache_updated: this.probed.cacheUpdated,
        cache_update_time: this.probed.cacheTime
      };
    }
    if (upgradeMode) return this.upgrade(upgradeMode, useAptGet);
    if (deb) {
      if (state !== "present") throw new AptExit(fail({ msg: "deb only supports state=present" }));
      if (debRead) useDebRead();
      return installDebs(
        this.ctx,
        await this.conn(),
        deb,
        {
          locale: this.probed.locale,
          aptGet: this.probed.aptGet,
          installDeps: (deps) => this.installForDeb(deps)
        },
        debRead
      );
    }
    if (state === "latest" && allInstalled) {
      if (packages.length > 0)
        throw new AptExit(
          fail({
            msg: "unable to install additional packages when upgrading all installed packages"
          })
        );
      return this.upgrade("yes", useAptGet);
    }
    for (const spec of packages) {
      if ((spec.match(/=/g) ?? []).length > 1)
        throw new AptExit(fail({ msg: `invalid package spec: ${spec}` }));
    }
    if (packages.length === 0) {
      if (a["autoclean"] === true) return this.cleanup("autoclean");
      if (a["autoremove"] === true) return this.cleanup("autoremove");
    }
    if (state === "absent") return this.remove(packages);
    const result = await this.install(packages, {
      upgrade: state === "latest",
      buildDep: state === "build-dep",
      fixed: state === "fixed"
    });
    return {
      ...result,
      cache_updated: this.probed.cacheUpdated,
      cache_update_time: this.probed.cacheTime
    };
  }
  /** The one-round-trip read of the target (with the lists updated first when asked and stale). */
  async probe(update, globs, names) {
    const a = this.args;
    const answer = await runAptScript(
      await this.conn(),
      "apb-apt-probe",
      apt_probe_default,
      [
        update ? "1" : "0",
        String(a["cache_valid_time"]),
        this.ctx.check ? "1" : "0",
        String(Math.max(1, a["update_cache_retries"])),
        String(a["update_cache_retry_max_delay"]),
        a["default_release"] ?? "",
        String(a["lock_timeout"]),
        String(globs.length),
        ...globs,
        ...names
      ],
      this.ctx.timeoutMs,
      this.ctx.environment
    );
    const updateRc = answer.int("update_rc");
    if (updateRc !== void 0 && updateRc !== 0) {
      const err = answer.bytes("update_err_hex")?.toString("utf8").trim() ?? "";
      throw new AptExit(fail({ msg: `Failed to update apt cache: ${err || "unknown reason"}` }));
    }
    const policyError = answer.bytes("policy_err_hex")?.toString("utf8").trim();
    if (policyError) {
      throw new AptExit(fail({ msg: `apt-cache policy failed: ${policyError}` }));
    }
    const before = answer.int("cache_time_before") ?? 0;
    const after = answer.int("cache_time") ?? 0;
    const stale = answer.get("stale") === "1";
    this.probed = {
      aptGet: answer.get("apt_get") ?? "/usr/bin/apt-get",
      aptitude: answer.get("aptitude") ?? "",
      locale: answer.get("locale") ?? "C",
      cacheUpdated: stale && (this.ctx.check || before !== after),
      cacheTime: after,
      globs: new Map(
        answer.all("glob").map((entry) => {
          const [pattern = "", matches2 = ""] = entry.split(":");
          return [hexText(pattern), hexText(matches2).split("\n").filter(Boolean)];
        })
      ),
      dpkg: new Map(
        answer.all("pkg").map((entry) => {
          const [name = "", line = "", files = "0"] = entry.split(":");
          const [abbrev = "", version = "", status = ""] = hexText(line).split("|");
          return [hexText(name), { abbrev, version, status, hasFiles: files === "1" }];
        })
      ),
      policies: parsePolicies(answer.bytes("policy_hex")?.toString("utf8") ?? ""),
      providers: new Map(
        answer.all("provides").map((entry) => {
          const [name = "", text5 = ""] = entry.split(":");
          const providers = hexText(text5).split("\n").map((line) => line.trim().split(/\s+/)[0] ?? "").filter(Boolean);
          return [hexText(name), [...new Set(providers)]];
        })
      ),
      providerState: new Map(
        answer.all("provider").map((entry) => {
          const [name = "", line = ""] = entry.split(":");
          const [, version = "", status = ""] = hexText(line).split("|");
          return [hexText(name), { status, version }];
        })
      ),
      auto: new Set(answer.all("auto"))
    };
  }
  /** Expands glob patterns to the names apt knows, as Ansible does (failing on a pattern with none). */
  expand(specs) {
    const expanded = [];
    for (const spec of specs) {
      const { name } = splitSpec(spec);
      if (!isPattern(name)) {
        expanded.push(spec);
        continue;
      }
      const matches2 = this.probed.globs.get(name) ?? [];
      if (matches2.length === 0)
        throw new AptExit(fail({ msg: `No package(s) matching '${name}' available` }));
      expanded.push(...matches2);
    }
    return expanded;
  }
  /** Whether a package is known to apt, installed, matches the version asked, and what to install. */
  status(name, cmp3, version, forInstall) {
    const policy = this.probed.policies[name];
    const dpkg = this.probed.dpkg.get(name);
    const known = policy !== void 0 && (policy.versions.length > 0 || policy.installed !== null);
    if (!known) {
      if (!forInstall)
        return { installed: false, versionInstalled: false, installable: null, hasFiles: false };
      const providers = this.probed.providers.get(name) ?? [];
      if (providers.length > 0) {
        if (providers.length === 1) {
          const provider = this.probed.providerState.get(providers[0]);
          if (provider?.status === "installed")
            return { installed: true, versionInstalled: true, installable: null, hasFiles: true };
        }
        return { installed: false, versionInstalled: false, installable: true, hasFiles: false };
      }
      throw new AptExit(fail({ msg: `No package matching '${name}' is available` }));
    }
    const installed = dpkg?.status === "installed";
    const best = this.bestVersion(policy, cmp3, version);
    let versionInstalled = false;
    let installable = null;
    if (installed) {
      const current = dpkg.version;
      if (cmp3 === "=") {
        versionInstalled = fnmatch(current, version);
        if (best && current !== best && fnmatch(best, version)) installable = best;
      } else if (cmp3 === ">=") {
        versionInstalled = compareDebianVersions(current, version) >= 0;
        if (best && current !== best && compareDebianVersions(best, version) >= 0)
          installable = best;
      } else {
        versionInstalled = true;
        if (best && current !== best) installable = best;
      }
    } else {
      installable = best;
    }
    return { installed, versionInstalled, installable, hasFiles: dpkg?.hasFiles ?? false };
  }
  /**
   * The version apt would pick: its candidate, or with `=` the newest version the glob matches
   * (a version asked for outranks every pin).
   */
  bestVersion(policy, cmp3, version) {
    if (cmp3 === "=") {
      const match = policy.versions.find((v) => fnmatch(v.version, version));
      return match?.version ?? null;
    }
    return policy.candidate;
  }
  async install(specs, mode, depsOf) {
    const a = this.args;
    const onlyUpgrade = depsOf ? false : a["only_upgrade"];
    const items = [];
    const names = [];
    for (const spec of this.expand(specs)) {
      if (mode.buildDep) {
        items.push(spec);
        continue;
      }
      const { name, cmp: cmp3, version } = splitSpec(spec);
      names.push(name);
      const s = this.status(name, cmp3, version, true);
      if (!s.installed && onlyUpgrade) continue;
      if (!s.versionInstalled && !s.installable)
        return fail({ msg: `no available installation candidate for ${spec}` });
      if (s.installable && (!s.installed && !onlyUpgrade || mode.upgrade || !s.versionInstalled)) {
        if (s.installable !== true) items.push(`${name}=${s.installable}`);
        else if (version) items.push(`${name}=${version}`);
        else items.push(name);
      } else if (s.versionInstalled && s.installable && cmp3 === "=") {
        items.push(`${name}=${version}`);
      }
    }
    const mark = !mode.buildDep && !this.ctx.check ? names : [];
    if (items.length === 0) {
      const toMark = mark.filter((name) => this.probed.auto.has(name));
      if (toMark.length > 0) {
        const run2 = await this.act([], toMark);
        if (run2.markFailure) return run2.markFailure;
      }
      return { changed: false };
    }
    const cmd = new AptCommand(this.probed.aptGet);
    cmd.words("-y");
    cmd.dpkgOptions(a["dpkg_options"]);
    cmd.flag(onlyUpgrade, "--only-upgrade");
    cmd.flag(mode.fixed, "--fix-broken");
    if (mode.buildDep) {
      cmd.flag(a["force"], "--force-yes");
    } else {
      cmd.flag(!depsOf && a["force"], "--force-yes");
      cmd.flag(!depsOf && a["autoremove"], "--auto-remove");
    }
    cmd.flag(a["fail_on_autoremove"], "--no-remove");
    cmd.flag(this.ctx.check, "--simulate");
    cmd.words(mode.buildDep ? "build-dep" : "install");
    cmd.packages(items);
    const release = a["default_release"];
    if (release && !depsOf) cmd.quoted("-t", release);
    const recommends = a["install_recommends"];
    if (recommends === false) cmd.words("-o", "APT::Install-Recommends=no");
    else if (recommends === true) cmd.words("-o", "APT::Install-Recommends=yes");
    if (a["allow_unauthenticated"] === true) cmd.words("--allow-unauthenticated");
    if (a["allow_downgrade"] === true) cmd.words("--allow-downgrades");
    if (a["allow_change_held_packages"] === true) cmd.words("--allow-change-held-packages");
    const run = await this.act(cmd.argv, mark);
    if (run.markFailure) return run.markFailure;
    if (run.rc !== 0) {
      return fail({
        msg: `'${cmd.text}' failed: ${run.stderr}`,
        ...outputFields(run),
        rc: run.rc
      });
    }
    const changed = mode.buildDep ? !run.stdout.includes(APT_GET_ZERO) : true;
    return { changed, ...outputFields(run), diff: this.diffOf(run.stdout) };
  }
  /** Installs a .deb's missing dependencies (apt-get install), for apt-deb.ts. */
  async installForDeb(deps) {
    const names = deps.map((d) => splitSpec(d).name);
    const missing2 = names.filter((name) => !this.probed.policies[name]);
    if (missing2.length > 0) await this.probe(false, [], names);
    return this.install(deps, { upgrade: false, buildDep: false, fixed: false }, "deb");
  }
  async remove(specs) {
    const a = this.args;
    const purge = a["purge"];
    const items = [];
    for (const spec of this.expand(specs)) {
      const { name, cmp: cmp3, version } = splitSpec(spec);
      const s = this.status(name, cmp3, version, false);
      if (s.versionInstalled || s.hasFiles && purge) items.push(spec);
    }
    if (items.length === 0) return { changed: false };
    const cmd = new AptCommand(this.probed.aptGet);
    cmd.words("-q", "-y");
    cmd.dpkgOptions(a["dpkg_options"]);
    cmd.flag(purge, "--purge");
    cmd.flag(a["force"], "--force-yes");
    cmd.flag(a["autoremove"], "--auto-remove");
    cmd.flag(this.ctx.check, "--simulate");
    cmd.words("remove");
    const packages = cmd.packages(items);
    const run = await this.act(cmd.argv, []);
    if (run.rc !== 0)
      return fail({
        msg: `'apt-get remove ${packages}' failed: ${run.stderr}`,
        ...outputFields(run),
        rc: run.rc
      });
    return { changed: true, ...outputFields(run), diff: this.diffOf(run.stdout) };
  }
  async cleanup(operation) {
    const a = this.args;
    const cmd = new AptCommand(this.probed.aptGet);
    cmd.words("-y");
    cmd.dpkgOptions(a["dpkg_options"]);
    cmd.flag(a["purge"], "--purge");
    cmd.flag(a["force"], "--force-yes");
    cmd.words(operation);
    cmd.flag(this.ctx.check, "--simulate");
    const run = await this.act(cmd.argv, []);
    if (run.rc !== 0)
      return fail({
        msg: `'apt-get ${operation}' failed: ${run.stderr}`,
        ...outputFields(run),
        rc: run.rc
      });
    const marker = operation === "autoremove" ? "The following packages will be REMOVED" : "Del ";
    return {
      changed: run.stdout.includes(marker),
      ...outputFields(run),
      diff: this.diffOf(run.stdout)
    };
  }
  async upgrade(mode, useAptGet) {
    const a = this.args;
    const autoremove = a["autoremove"];
    let tool;
    let command;
    if (mode === "dist" || mode === "full" && useAptGet) {
      tool = "apt-get";
      command = ["dist-upgrade", autoremove ? "--auto-remove" : ""];
    } else if (mode === "full") {
      tool = "aptitude";
      command = ["full-upgrade"];
    } else if (useAptGet) {
      tool = "apt-get";
      command = ["upgrade", "--with-new-pkgs", autoremove ? "--auto-remove" : ""];
    } else {
      tool = "aptitude";
      command = ["safe-upgrade"];
    }
    const path27 = tool === "apt-get" ? this.probed.aptGet : this.probed.aptitude;
    const force = a["force"];
    const cmd = new AptCommand(path27);
    cmd.words("-y");
    cmd.dpkgOptions(a["dpkg_options"]);
    if (!force) cmd.flag(false, "");
    else if (tool === "apt-get") cmd.words("--force-yes");
    else cmd.words("--assume-yes", "--allow-untrusted");
    cmd.flag(a["fail_on_autoremove"], "--no-remove");
    cmd.flag(a["allow_unauthenticated"], "--allow-unauthenticated");
    cmd.flag(a["allow_downgrade"], "--allow-downgrades");
    cmd.flag(this.ctx.check, "--simulate");
    const commandText = cmd.words(...command);
    const release = a["default_release"];
    if (release) cmd.quoted("-t", release);
    const run = await this.act(cmd.argv, []);
    if (run.rc !== 0)
      return fail({
        msg: `'${path27} ${commandText}' failed: ${run.stderr}`,
        ...outputFields(run, false),
        rc: run.rc
      });
    const zero = tool === "apt-get" ? APT_GET_ZERO : APTITUDE_ZERO;
    if (run.stdout.includes(zero)) return { changed: false, msg: run.stdout, ...outputFields(run) };
    return { changed: true, msg: run.stdout, ...outputFields(run), diff: this.diffOf(run.stdout) };
  }
  /** `diff.prepared` (apt-get's plan) in diff mode, else the empty dict Ansible returns. */
  diffOf(stdout) {
    return this.ctx.diff ? preparedDiff(stdout) : {};
  }
  /** Runs one command (and apt-mark manual on `mark`) on the target. */
  async act(argv, mark, removeDir = "") {
    return runAct(this.ctx, await this.conn(), this.probed.locale, argv, mark, removeDir);
  }
};
async function runAct(ctx, connection, locale, argv, mark, removeDir = "") {
  const answer = await runAptScript(
    connection,
    "apb-apt-act",
    apt_act_default,
    [
      String(ctx.args["lock_timeout"] ?? 60),
      locale,
      removeDir,
      String(mark.length),
      ...mark,
      ...argv
    ],
    ctx.timeoutMs,
    ctx.environment
  );
  const rc = answer.int("rc") ?? (argv.length === 0 ? 0 : void 0);
  if (rc === void 0)
    throw new ModuleArgumentError(
      `apt: the answer from ${connection.host} holds no exit code of apt-get (cut short?): run the task again with -vvv, or run apt-get on the host to see its output`
    );
  const run = {
    rc,
    stdout: answer.bytes("out_hex")?.toString("utf8") ?? "",
    stderr: answer.bytes("err_hex")?.toString("utf8") ?? ""
  };
  if (answer.get("mark_missing") === "1" && mark.length > 0) {
    ctx.warn("Could not find apt-mark binary, not marking package(s) as manually installed.");
  }
  const markRc = answer.int("mark_rc");
  if (markRc !== void 0 && markRc !== 0) {
    const out = answer.bytes("mark_out_hex")?.toString("utf8") ?? "";
    const err = answer.bytes("mark_err_hex")?.toString("utf8") ?? "";
    const cmd = answer.bytes("mark_cmd_hex")?.toString("utf8") ?? "";
    return {
      ...run,
      markFailure: fail({
        msg: `'${cmd}' failed: ${err}`,
        ...outputFields({ stdout: out, stderr: err }),
        rc: markRc
      })
    };
  }
  return run;
}
var AptCommand = class {
  argv;
  shown;
  constructor(program) {
    this.argv = [program];
    this.shown = [program];
  }
  /** Words of our own, shown as they are (an empty word only takes its place in the text). */
  words(...words3) {
    const real = words3.filter((word) => word !== "");
    this.argv.push(...real);
    const text5 = words3.join(" ");
    this.shown.push(text5);
    return text5;
  }
  /** `word` when `on`; an empty place in the text when not, as Ansible's format leaves one. */
  flag(on, word) {
    this.words(on ? word : "");
  }
  /** `-o Dpkg::Options::=--OPT` for each of `dpkg_options` (shown `-o "Dpkg::Options::=--OPT"`). */
  dpkgOptions(options2) {
    for (const option of options2.split(",")) this.argv.push("-o", `Dpkg::Options::=--${option}`);
    this.shown.push(expandDpkgOptions(options2));
  }
  /** Package specs, one word each; shown each in quotes. Returns their text. */
  packages(specs) {
    this.argv.push(...specs);
    const text5 = specs.map(quotedWord).join(" ");
    this.shown.push(text5);
    return text5;
  }
  /** An option and its value (`-t RELEASE`), the value shown in quotes. */
  quoted(option, value) {
    this.argv.push(option, value);
    this.shown.push(`${option} ${quotedWord(value)}`);
  }
  /** The command as messages show it (never run). */
  get text() {
    return this.shown.join(" ");
  }
};
function quotedWord(word) {
  const quoted = shellQuote(word);
  return quoted === word ? `'${word}'` : quoted;
}
function expandDpkgOptions(options2) {
  return options2.split(",").map((option) => `-o "Dpkg::Options::=--${option}"`).join(" ");
}
function preparedDiff(output2) {
  const lines2 = splitLines(output2);
  let start = lines2.indexOf("Resolving dependencies...");
  if (start < 0) start = lines2.indexOf("Reading state information...");
  let end = lines2.findIndex((line) => /^[0-9]+ (packages )?upgraded/.test(line));
  if (end < 0) end = lines2.length;
  return { prepared: lines2.slice(start + 1, end + 1).join("\n") };
}
function outputFields(run, withStderr = true) {
  const fields = { stdout: run.stdout, stdout_lines: splitLines(run.stdout) };
  if (withStderr)
    Object.assign(fields, { stderr: run.stderr, stderr_lines: splitLines(run.stderr) });
  return fields;
}
function fail(fields) {
  return { changed: false, failed: true, ...fields };
}
function withOutput(result, run) {
  return { ...result, ...outputFields(run) };
}
function hexText(hex) {
  return Buffer.from(hex, "hex").toString("utf8");
}

// src/http/http-request.sh
var http_request_default = `#!/bin/sh
# apb-http: one HTTP request on the target with curl (preferred) or GNU wget, following redirects one
# hop at a time as Ansible's follow_redirects decides, so that both tools behave alike. POSIX sh.
#
# Run as:  /bin/sh -c "<this text>" apb-http PREFER POLICY METHOD HAS_BODY OUT CAP TIMEOUT DECOMPRESS KEEP \\
#            CURL_LEN CURL_ENTITY_LEN CURL_FIRST_LEN WGET_LEN WGET_ENTITY_LEN WGET_FIRST_LEN URL_LEN
# (src/http/transport.ts builds the command). Everything secret comes on stdin, never in argv:
# the curl config (headers, credentials, TLS options), the curl config of the entity headers
# (Content-Type\u2026, dropped on a redirect that drops the body), the curl config of the headers sent on
# the first request only (unredirected_headers), the same three as wgetrc text, the URL, then
# the request body: the *_LEN arguments are the byte lengths of these sections, the body is the rest.
# They land in a private (0700) directory that is removed on exit.
#
# DECOMPRESS=1: a gzip Content-Encoding is decoded (gzip -dc), as Ansible's decompress does.
# OUT is the file the response body is written to (created 0600); empty: a private file whose first CAP
# bytes are printed. OUT is removed when the request fails, and unless the final status is KEEP (when
# KEEP is not empty). The answer is key=value lines ending with end=1, then the final response's header
# block (headers_len bytes, as the tool saw it) and the captured body (body_len bytes).
set -u
prefer=$1
policy=$2
method=$3
has_body=$4
out=$5
cap=$6
timeout=$7
decompress=$8
keep=$9
shift 9

umask 077
d=$(mktemp -d "\${TMPDIR:-/tmp}/apb-http.XXXXXX" 2>/dev/null) || {
  echo "error=mktemp could not create a private temporary directory in \${TMPDIR:-/tmp}"
  echo end=1
  exit 0
}
trap 'rm -rf "$d"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
cat >"$d/in"

# The sections, in order; small ones byte by byte (dd from a regular file), the body with tail.
offset=0
for name in common.curl entity.curl first.curl common.wgetrc entity.wgetrc first.wgetrc url; do
  length=$1
  shift
  if [ "$length" -gt 0 ]; then
    dd if="$d/in" of="$d/$name" bs=1 skip="$offset" count="$length" 2>/dev/null
  else
    : >"$d/$name"
  fi
  offset=$((offset + length))
done
tail -c "+$((offset + 1))" "$d/in" >"$d/body"
rm -f "$d/in"

have() { command -v "$1" >/dev/null 2>&1; }
tool=
case $prefer in
  curl) have curl && tool=curl ;;
  wget) have wget && tool=wget ;;
  *)
    if have curl; then
      tool=curl
    elif have wget; then
      tool=wget
    fi
    ;;
esac
if [ -z "$tool" ]; then
  echo "missing=$prefer"
  echo end=1
  exit 0
fi
echo "tool=$tool"
if [ "$tool" = wget ]; then
  if ! wget --version 2>/dev/null | grep 'GNU Wget' >/dev/null; then
    echo busybox_wget=1
    echo end=1
    exit 0
  fi
  if grep '^#refuse' "$d/common.wgetrc" >/dev/null; then
    echo wget_refused=1
    echo end=1
    exit 0
  fi
fi

# Escapes a value for a double-quoted curl config string.
curl_quote() {
  printf '%s' "$1" | sed 's/[\\\\"]/\\\\&/g'
}

# Sets \`location\` to the Location header of $d/headers made absolute against $url (wget does not).
resolve_location() {
  loc=$(awk '{ sub(/\\r$/, "") }
    tolower(substr($0, 1, 9)) == "location:" { v = substr($0, 10); sub(/^[ \\t]+/, "", v); sub(/[ \\t]+$/, "", v); last = v }
    END { print last }' "$d/headers")
  case $loc in
    '') location= ;;
    [A-Za-z]*://*) location=$loc ;;
    //*) location=\${url%%//*}$loc ;;
    /*)
      rest=\${url#*://}
      location=\${url%%://*}://\${rest%%/*}$loc
      ;;
    \\?*) location=\${url%%\\?*}$loc ;;
    *)
      base=\${url%%\\?*}
      rest=\${base#*://}
      case $rest in
        */*) location=\${base%/*}/$loc ;;
        *) location=$base/$loc ;;
      esac
      ;;
  esac
}

start=$(date +%s)
hops=0
send_body=$has_body
: >"$d/visited"
url=$(cat "$d/url")
while :; do
  : >"$d/headers"
  : >"$d/err"
  target=\${out:-$d/response}
  status=
  location=
  connect_times=
  if [ "$tool" = curl ]; then
    cat "$d/common.curl" >"$d/hop.curl"
    [ "$send_body" = 1 ] && cat "$d/entity.curl" >>"$d/hop.curl"
    [ "$hops" = 0 ] && cat "$d/first.curl" >>"$d/hop.curl"
    printf 'url = "%s"\\n' "$(curl_quote "$url")" >>"$d/hop.curl"
    # --head writes the headers where the body would go: a HEAD's body is nothing.
    body_to=$target
    [ "$method" = HEAD ] && body_to=/dev/null
    set -- -q -sS --http1.1 -K "$d/hop.curl" -D "$d/headers" -o "$body_to" \\
      -w '%{http_code}\\n%{redirect_url}\\n%{time_connect} %{time_appconnect}\\n' \\
      --connect-timeout "$timeout" --speed-limit 1 --speed-time "$timeout"
    if [ "$method" = HEAD ]; then
      set -- "$@" --head
    elif [ "$method" != GET ] || [ "$send_body" = 1 ]; then
      set -- "$@" -X "$method"
    fi
    [ "$send_body" = 1 ] && set -- "$@" --data-binary "@$d/body"
    answer=$(curl "$@" 2>"$d/err")
    rc=$?
    status=$(printf '%s\\n' "$answer" | sed -n 1p)
    location=$(printf '%s\\n' "$answer" | sed -n 2p)
    connect_times=$(printf '%s\\n' "$answer" | sed -n 3p)
    [ "$status" = 000 ] && status=
  else
    cat "$d/common.wgetrc" >"$d/hop.wgetrc"
    [ "$send_body" = 1 ] && cat "$d/entity.wgetrc" >>"$d/hop.wgetrc"
    [ "$hops" = 0 ] && cat "$d/first.wgetrc" >>"$d/hop.wgetrc"
    printf '%s\\n' "$url" >"$d/hop.url"
    set -- --config="$d/hop.wgetrc" -nv -S -i "$d/hop.url" -O "$target" -o "$d/err" \\
      --content-on-error=on --max-redirect=0 --tries=1 --timeout="$timeout"
    [ "$method" != GET ] && set -- "$@" --method="$method"
    [ "$send_body" = 1 ] && set -- "$@" --body-file="$d/body"
    wget "$@"
    rc=$?
    # The last response's block: the lines wget indents by two spaces, from its last status line.
    awk '/^  HTTP\\// { n = 0 } /^  / { block[++n] = substr($0, 3) }
      END { for (i = 1; i <= n; i++) print block[i] }' "$d/err" >"$d/headers"
    status=$(sed -n '1s/^HTTP\\/[0-9.]* \\([0-9][0-9][0-9]\\).*/\\1/p' "$d/headers")
  fi
  [ -n "$status" ] || break
  case $status in
    301 | 302 | 303 | 307 | 308) ;;
    *) break ;;
  esac
  [ "$tool" = wget ] && resolve_location
  [ -n "$location" ] || break
  echo "location=$location"
  follow=0
  case $policy in
    urllib2)
      case $method:$status in
        GET:* | HEAD:* | POST:301 | POST:302 | POST:303) follow=1 ;;
      esac
      ;;
    all | yes) follow=1 ;;
    safe)
      case $method in
        GET | HEAD) follow=1 ;;
      esac
      ;;
  esac
  [ "$follow" = 1 ] || break
  # urllib gives up after 10 redirects, or on the 5th visit of one URL.
  seen=$(grep -cxF -- "$location" "$d/visited")
  if [ "$hops" -ge 10 ] || [ "$seen" -ge 4 ]; then
    echo redirect_loop=1
    break
  fi
  printf '%s\\n' "$location" >>"$d/visited"
  hops=$((hops + 1))
  if [ "$policy" = urllib2 ]; then
    method=GET
    send_body=0
  else
    case $status in
      307 | 308) ;;
      *)
        send_body=0
        case $status:$method in
          303:HEAD | 302:HEAD) ;;
          303:* | 302:* | 301:POST) method=GET ;;
        esac
        ;;
    esac
  fi
  url=$(printf '%s' "$location" | sed 's/ /%20/g')
  location=
done
end=$(date +%s)
# curl creates no file for an empty body.
[ -n "$status" ] && [ ! -e "$target" ] && : >"$target"
if [ -n "$out" ]; then
  failed=0
  if [ -z "$status" ]; then
    failed=1
  elif [ "$tool" = curl ] && [ "$rc" != 0 ]; then
    failed=1
  elif [ "$tool" = wget ] && [ "$rc" != 0 ] && [ "$rc" != 8 ]; then
    failed=1
  fi
  if [ "$failed" = 1 ] || { [ -n "$keep" ] && [ "$status" != "$keep" ]; }; then
    rm -f -- "$out"
  fi
fi
if [ "$decompress" = 1 ] && [ -f "$target" ] && [ -s "$target" ] &&
  grep -i '^content-encoding:[[:space:]]*gzip' "$d/headers" >/dev/null; then
  if gzip -dc <"$target" >"$d/decoded" 2>"$d/gzip-err"; then
    cat "$d/decoded" >"$target"
    echo decoded=1
  else
    echo "decode_error=$(head -n 1 "$d/gzip-err")"
  fi
  rm -f "$d/decoded"
fi

echo "rc=$rc"
echo "status=$status"
echo "url=$url"
echo "hops=$hops"
echo "method=$method"
echo "elapsed=$((end - start))"
echo "connect_times=$connect_times"
echo "err_hex=$(tail -c 2000 "$d/err" | od -An -v -tx1 | tr -d ' \\n')"
size=-1
[ -f "$target" ] && size=$(($(wc -c <"$target")))
echo "body_size=$size"
headers_len=$(($(wc -c <"$d/headers")))
echo "headers_len=$headers_len"
body_len=0
if [ -z "$out" ] && [ "$size" -gt 0 ]; then
  body_len=$size
  [ "$body_len" -gt "$cap" ] && body_len=$cap
fi
echo "body_len=$body_len"
echo end=1
cat "$d/headers"
if [ "$body_len" -gt 0 ]; then
  dd if="$target" bs="$body_len" count=1 2>/dev/null
fi
exit 0
`;

// src/http/transport.ts
var DEFAULT_HTTP_AGENT = "ansible-httpget";
var DEFAULT_CAPTURE_BYTES = 16 * 1024 * 1024;
var HttpToolError = class extends AsyncPlaybookError {
  constructor(message2, host, missingTool) {
    super(message2);
    this.host = host;
    this.missingTool = missingTool;
  }
  host;
  missingTool;
};
var HttpRequestError = class extends AsyncPlaybookError {
};
var ENTITY_HEADERS = /* @__PURE__ */ new Set(["content-type", "content-length", "transfer-encoding"]);
var compacted2 = compactScript(http_request_default);
async function httpRequest(connection, request2) {
  const method = (request2.method ?? "GET").toUpperCase();
  if (!/^[A-Z][A-Z0-9_-]*$/.test(method)) {
    throw new HttpRequestError(`HTTP method ${JSON.stringify(method)} is not a valid method name`);
  }
  const url = request2.url;
  if (/[\r\n\0]/.test(url)) throw new HttpRequestError(`the URL holds a newline or NUL: ${url}`);
  const configs = buildConfigs(request2);
  const body = request2.body === void 0 ? void 0 : Buffer.from(request2.body);
  const sections = [
    configs.curl,
    configs.curlEntity,
    configs.curlFirst,
    configs.wget,
    configs.wgetEntity,
    configs.wgetFirst,
    Buffer.from(url)
  ];
  const cap = request2.captureBytes ?? DEFAULT_CAPTURE_BYTES;
  const timeout = Math.max(1, Math.ceil(request2.timeoutSeconds));
  const argv = [
    "/bin/sh",
    "-c",
    compacted2,
    "apb-http",
    request2.tool ?? "auto",
    request2.followRedirects,
    method,
    body === void 0 ? "0" : "1",
    request2.outputPath ?? "",
    String(cap),
    String(timeout),
    request2.decompress ? "1" : "0",
    request2.keepOutputFor === void 0 ? "" : String(request2.keepOutputFor),
    ...sections.map((section) => String(section.length))
  ];
  const { command, stdin } = commandWithEnvironment(
    shellJoin(argv),
    request2.environment ?? {},
    Buffer.concat([...sections, body ?? Buffer.alloc(0)])
  );
  const res = await connection.run(command, {
    stdin: stdin ?? "",
    timeoutMs: request2.deadlineMs,
    outputCapBytes: cap + 1024 * 1024
  });
  if (res.timedOut) {
    throw new CommandTimeoutError(
      `the HTTP request to ${url} on ${connection.host} did not end within ${request2.deadlineMs} ms`,
      connection.host,
      request2.deadlineMs
    );
  }
  return parseAnswer(res.stdout, connection.host, res.stderr.toString("utf8"), request2);
}
function parseAnswer(stdout, host, stderr, request2) {
  const marker = Buffer.from("\nend=1\n");
  const at = stdout.indexOf(marker);
  const head = at < 0 ? stdout.toString("utf8") : stdout.subarray(0, at + marker.length).toString();
  const answer = new ProbeAnswer(head);
  if (!answer.complete) {
    throw new HttpToolError(
      `the HTTP request script failed on ${host}: ${stderr.trim().slice(-400) || "no answer"}`,
      host,
      "sh"
    );
  }
  const missing2 = answer.get("missing");
  if (missing2 !== void 0) {
    throw new HttpToolError(
      missing2 === "auto" ? `neither curl nor wget is installed on ${host}: the HTTP modules need one of them on the target (install curl, or GNU wget)` : `${missing2} is not installed on ${host}: install it, or let the module pick curl or wget`,
      host,
      missing2 === "auto" ? "curl or wget" : missing2
    );
  }
  const error = answer.get("error");
  if (error !== void 0) throw new HttpToolError(`${error} on ${host}`, host, "mktemp");
  if (answer.get("busybox_wget") !== void 0) {
    throw new HttpToolError(
      `only busybox wget is installed on ${host}, and it cannot make this request safely: it takes headers, credentials and bodies only on its command line (where every user of the host sees them), and does not report response headers. Install curl (or GNU wget) on the target`,
      host,
      "curl or GNU wget"
    );
  }
  if (answer.get("wget_refused") !== void 0) {
    throw new HttpToolError(
      `wget on ${host} cannot send this request: a header, user name or password starts or ends with a space or holds a newline, which a wgetrc value cannot carry. Install curl on the target`,
      host,
      "curl"
    );
  }
  const tool = answer.get("tool") === "wget" ? "wget" : "curl";
  const headersLength = answer.int("headers_len") ?? 0;
  const bodyLength = answer.int("body_len") ?? 0;
  const rest = at < 0 ? Buffer.alloc(0) : stdout.subarray(at + marker.length);
  const headerBlock = lastHeaderBlock(rest.subarray(0, headersLength).toString("latin1"));
  const statusText = answer.get("status") ?? "";
  const status = /^\d{3}$/.test(statusText) ? Number(statusText) : void 0;
  const bodySize = answer.int("body_size") ?? -1;
  const rc = answer.int("rc") ?? 0;
  const detail = (answer.bytes("err_hex") ?? Buffer.alloc(0)).toString("utf8").trim();
  const response = {
    tool,
    reason: headerBlock.reason,
    headerPairs: headerBlock.pairs,
    headers: joinHeaders(headerBlock.pairs),
    url: answer.get("url") ?? request2.url,
    redirects: answer.int("hops") ?? 0,
    redirectLoop: answer.get("redirect_loop") === "1",
    method: answer.get("method") ?? "GET",
    bodySize,
    bodyTruncated: false,
    elapsedSeconds: answer.int("elapsed") ?? 0
  };
  if (status !== void 0) response.status = status;
  const location = answer.all("location").at(-1);
  if (location !== void 0 && location !== response.url) response.location = location;
  if (bodyLength > 0 || bodySize === 0 && status !== void 0) {
    response.body = Buffer.from(rest.subarray(headersLength, headersLength + bodyLength));
    response.bodyTruncated = bodySize > bodyLength;
  }
  const failure4 = classifyFailure(
    tool,
    rc,
    detail,
    status !== void 0,
    connectedBeforeFailure(answer.get("connect_times") ?? "", response.url)
  );
  if (failure4) response.failure = failure4;
  return response;
}
function lastHeaderBlock(text5) {
  const lines2 = text5.split(/\r?\n/);
  let block = {
    reason: "",
    pairs: []
  };
  for (const line of lines2) {
    const statusLine = /^HTTP\/[\d.]+ (\d{3})(?: (.*))?$/.exec(line);
    if (statusLine) {
      block = { status: Number(statusLine[1]), reason: (statusLine[2] ?? "").trim(), pairs: [] };
      continue;
    }
    if (line === "") continue;
    const colon = line.indexOf(":");
    if (/^[ \t]/.test(line) && block.pairs.length > 0) {
      const last = block.pairs[block.pairs.length - 1];
      last[1] = `${last[1]} ${line.trim()}`;
      continue;
    }
    if (colon <= 0) continue;
    block.pairs.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
  }
  return block;
}
function joinHeaders(pairs) {
  const joined = /* @__PURE__ */ Object.create(null);
  for (const [name, value] of pairs) {
    const key = name.toLowerCase();
    joined[key] = key in joined ? `${joined[key]}, ${value}` : value;
  }
  return { ...joined };
}
function statusMessage(response) {
  const status = response.status ?? -1;
  if (status >= 200 && status < 300)
    return `OK (${response.headers["content-length"] ?? "unknown"} bytes)`;
  const reason = response.redirectLoop ? `The HTTP server returned a redirect error that would lead to an infinite loop.
The last 30x error message was:
${response.reason}` : response.reason;
  return `HTTP Error ${status}: ${reason}`;
}
function urlopenError(failure4) {
  return `<urlopen error ${failure4.reason}>`;
}
function fetchUrlMessage(failure4) {
  return failure4.stage === "connect" ? `Request failed: ${urlopenError(failure4)}` : `Connection failure: ${failure4.reason}`;
}
var CURL_TLS = /* @__PURE__ */ new Set([35, 51, 53, 54, 58, 59, 60, 64, 66, 77, 80, 82, 83, 90, 91]);
function classifyFailure(tool, rc, detail, responded, connected = false) {
  const make = (kind, reason, stage) => ({
    kind,
    reason,
    stage,
    detail
  });
  const text5 = detail.toLowerCase();
  if (tool === "curl") {
    if (rc === 0) return void 0;
    if (rc === 28)
      return make("timeout", "timed out", responded ? "body" : connected ? "response" : "connect");
    if (responded) {
      if (rc === 23) return make("other", detail, "body");
      return make("closed", detail, "body");
    }
    if (rc === 6) return make("dns", "[Errno -2] Name or service not known", "connect");
    if (rc === 7) return connectFailure(text5, make);
    if (rc === 52)
      return make("closed", "Remote end closed connection without response", "response");
    if (rc === 56)
      return make(
        "reset",
        "[Errno 104] Connection reset by peer",
        connected ? "response" : "connect"
      );
    if (CURL_TLS.has(rc)) return make("tls", tlsReason(detail), "connect");
    return make("other", detail || `curl exited with ${rc}`, "connect");
  }
  if (rc === 0 || rc === 8 && responded) return void 0;
  if (rc === 5) return make("tls", tlsReason(detail), "connect");
  if (text5.includes("timed out")) {
    const stage = responded ? "body" : text5.includes("in headers") ? "response" : "connect";
    return make("timeout", "timed out", stage);
  }
  if (responded) {
    if (text5.includes("reset") || text5.includes("closed")) return make("closed", detail, "body");
    return make("timeout", "timed out", "body");
  }
  if (text5.includes("unable to resolve host"))
    return make("dns", "[Errno -2] Name or service not known", "connect");
  if (text5.includes("connection refused") || text5.includes("no route") || text5.includes("unreachable"))
    return connectFailure(text5, make);
  if (text5.includes("connection reset"))
    return make("reset", "[Errno 104] Connection reset by peer", "connect");
  if (text5.includes("no data received") || text5.includes("closed"))
    return make("closed", "Remote end closed connection without response", "response");
  return make("other", detail || `wget exited with ${rc}`, "connect");
}
function connectedBeforeFailure(times, url) {
  const [tcp, tls] = times.split(" ").map(Number);
  return url.toLowerCase().startsWith("https:") ? (tls ?? 0) > 0 : (tcp ?? 0) > 0;
}
function connectFailure(text5, make) {
  if (text5.includes("no route to host"))
    return make("unreachable", "[Errno 113] No route to host", "connect");
  if (text5.includes("network is unreachable"))
    return make("unreachable", "[Errno 101] Network is unreachable", "connect");
  if (text5.includes("timed out")) return make("timeout", "timed out", "connect");
  return make("refused", "[Errno 111] Connection refused", "connect");
}
function tlsReason(detail) {
  const text5 = detail.toLowerCase();
  const verify = (why) => `[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: ${why} (_ssl.c:992)`;
  if (text5.includes("self-signed") || text5.includes("self signed"))
    return verify(
      text5.includes("in certificate chain") ? "self-signed certificate in certificate chain" : "self-signed certificate"
    );
  if (text5.includes("expired")) return verify("certificate has expired");
  if (text5.includes("local issuer") || text5.includes("known issuer"))
    return verify("unable to get local issuer certificate");
  const mismatch = /(?:host ?name|subject name)[^']*'([^']+)'/i.exec(detail);
  if (mismatch || text5.includes("does not match") || text5.includes("doesn't match")) {
    const name = mismatch?.[1] ?? "";
    return /^[\d.]+$|:/.test(name) ? verify(`IP address mismatch, certificate is not valid for '${name}'.`) : verify(`Hostname mismatch, certificate is not valid for '${name}'.`);
  }
  return detail;
}
function buildConfigs(request2) {
  const headers = Object.entries(request2.headers ?? {});
  for (const [name, value] of headers) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      throw new HttpRequestError(`Invalid header name ${JSON.stringify(name)}`);
    }
    if (/[\r\n\0]/.test(value)) {
      throw new HttpRequestError(`Invalid header value ${JSON.stringify(value)}`);
    }
  }
  const has = (name) => headers.some(([n]) => n.toLowerCase() === name);
  const agent = headers.find(([n]) => n.toLowerCase() === "user-agent")?.[1] ?? request2.httpAgent ?? DEFAULT_HTTP_AGENT;
  const curl = [];
  const curlEntity = [];
  const curlFirst = [];
  const wget = [];
  const wgetEntity = [];
  const wgetFirst = [];
  const unredirected = new Set((request2.unredirectedHeaders ?? []).map((h) => h.toLowerCase()));
  let wgetRefused = false;
  const wgetValue = (value) => {
    if (/^\s|\s$|[\r\n]/.test(value)) wgetRefused = true;
    return value;
  };
  const q = (value) => `"${value.replace(/[\\"]/g, "\\$&")}"`;
  curl.push(`user-agent = ${q(agent)}`);
  wget.push("tries = 1", `user_agent = ${wgetValue(agent)}`);
  if (!has("accept")) curl.push('header = "Accept:"');
  curl.push('header = "Expect:"');
  if (!has("accept-encoding")) {
    curl.push('header = "Accept-Encoding: identity"');
  }
  if (!has("connection")) curl.push('header = "Connection: close"');
  for (const [name, value] of headers) {
    if (name.toLowerCase() === "user-agent") continue;
    const lower = name.toLowerCase();
    const [curlList, wgetList] = unredirected.has(lower) ? [curlFirst, wgetFirst] : ENTITY_HEADERS.has(lower) ? [curlEntity, wgetEntity] : [curl, wget];
    curlList.push(`header = ${q(value === "" ? `${name};` : `${name}: ${value}`)}`);
    wgetList.push(`header = ${name}: ${wgetValue(value)}`);
  }
  const netrc = request2.useNetrc !== false;
  if (!netrc) wget.push("netrc = off");
  if (request2.username !== void 0 && request2.username !== "") {
    const password = request2.password ?? "";
    curl.push(`user = ${q(`${request2.username}:${password}`)}`);
    curl.push(request2.forceBasicAuth ? "basic" : "anyauth");
    wget.push(`http_user = ${wgetValue(request2.username)}`);
    wget.push(`http_password = ${wgetValue(password)}`);
    if (request2.forceBasicAuth) wget.push("auth_no_challenge = on");
  } else if (netrc) {
    curl.push("netrc-optional");
  }
  if (!request2.validateCerts) {
    curl.push("insecure");
    wget.push("check_certificate = off");
  }
  if (request2.caPath) {
    curl.push(`cacert = ${q(request2.caPath)}`);
    wget.push(`ca_certificate = ${wgetValue(request2.caPath)}`);
  }
  if (request2.clientCert) {
    curl.push(`cert = ${q(request2.clientCert)}`);
    wget.push(`certificate = ${wgetValue(request2.clientCert)}`);
  }
  if (request2.clientKey) {
    curl.push(`key = ${q(request2.clientKey)}`);
    wget.push(`private_key = ${wgetValue(request2.clientKey)}`);
  }
  if (request2.useProxy === false) {
    curl.push('noproxy = "*"');
    wget.push("use_proxy = off");
  }
  const text5 = (lines2) => Buffer.from(lines2.length === 0 ? "" : `${lines2.join("\n")}
`);
  return {
    curl: text5(curl),
    curlEntity: text5(curlEntity),
    curlFirst: text5(curlFirst),
    wget: wgetRefused ? Buffer.from("#refuse\n") : text5(wget),
    wgetEntity: text5(wgetEntity),
    wgetFirst: text5(wgetFirst)
  };
}

// src/modules/apt-key.sh
var apt_key_default = `#!/bin/sh
# apb-apt-key: reads and changes apt's trusted keys with apt-key and gpg, for the apt_key module. POSIX sh.
#
# Run as:  /bin/sh -c "<this text>" apb-apt-key <read|add|del> <keyring or ""> <file|data|none> <arg>
#   read: the id of the first key in the file (arg) or the data (stdin), unless none; then the key list
#   add:  apt-key add the file (arg) or the data (stdin, as \`apt-key add -\`); then the key list
#   del:  apt-key del arg (a key id); then the key list
# The answer (key=value lines; texts in hex): missing_tool=<name> when apt-key or gpg is missing;
# apt_key_hex=<apt-key's path>; for read: gpg_rc, gpg_out_hex, gpg_err_hex (gpg --with-colons); for add
# and del: rc, out_hex, err_hex; then list_rc, list_out_hex, list_err_hex (apt-key adv
# --list-public-keys --keyid-format=long). Last line end=1.
set -u
PATH=$PATH:/usr/sbin:/sbin
export PATH
op=$1 keyring=$2 source=$3 arg=$4

hex() {
  od -An -v -tx1 | tr -d ' \\n'
}

for tool in apt-key gpg; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "missing_tool=$tool"
    echo end=1
    exit 0
  fi
done
apt_key=$(command -v apt-key)
gpg=$(command -v gpg)
echo "apt_key_hex=$(printf '%s' "$apt_key" | hex)"

scratch=$(mktemp -d "\${TMPDIR:-/tmp}/apb-apt-key.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT
if [ "$source" = data ]; then
  cat >"$scratch/data"
  input=$scratch/data
  what=-
else
  input=/dev/null
  what=$arg
fi

# report PREFIX COMMAND\u2026: runs it, printing PREFIXrc=, PREFIXout_hex= and PREFIXerr_hex=
report() {
  prefix=$1
  shift
  rc=0
  "$@" <"$input" >"$scratch/out" 2>"$scratch/err" || rc=$?
  echo "\${prefix}rc=$rc"
  echo "\${prefix}out_hex=$(hex <"$scratch/out")"
  echo "\${prefix}err_hex=$(hex <"$scratch/err")"
}

# with_keyring COMMAND\u2026: apt-key with --keyring first when one is given
with_keyring() {
  if [ -n "$keyring" ]; then
    "$apt_key" --keyring "$keyring" "$@"
  else
    "$apt_key" "$@"
  fi
}

case $op in
  read)
    if [ "$source" != none ]; then
      LANG=C LC_ALL=C LC_MESSAGES=C report gpg_ "$gpg" --with-colons "$what"
    fi
    ;;
  add)
    report '' with_keyring add "$what"
    ;;
  del)
    report '' with_keyring del "$arg"
    ;;
esac
input=/dev/null
report list_ with_keyring adv --list-public-keys --keyid-format=long
echo end=1
`;

// src/modules/file-support.ts
import path2 from "node:path";

// src/modules/file-act.sh
var file_act_default = `#!/bin/sh
# apb-file: the changes of the \`file\` module, in one round trip. POSIX sh, no Python.
#
# Run as:  /bin/sh -c "<this text>" apb-file <op> <operands>... [<op> <operands>...]...
# (src/modules/file.ts decides what to change from the path fact, then lists the operations here)
#
#   rm P LIST DRY           remove P (a directory with everything in it); LIST=1: first print what is
#                           below a directory P (entry=\u2026); DRY=1: only print it
#   mkdir P                 create directory P unless it exists; the attribute operations that follow
#                           (up to the next mkdir) apply only when it was created here
#   create P                create an empty regular file P (never through an existing name)
#   symlink S P REPLACE T   make P a symbolic link holding S; REPLACE=1: atomically replace what is at P
#                           through the new name T beside it (an empty directory at P is removed first)
#   hardlink S P REPLACE T  make P a hard link to S; REPLACE=1: as for symlink
#   owner P SPEC            chown -h P to SPEC (a name or a uid) when it differs
#   group P SPEC            chgrp -h P to SPEC (a name or a gid) when it differs
#   mode P OCTAL            chmod P to OCTAL when it differs
#   recurse P FOLLOW OWNER GROUP MODE DRY
#                           the same below P (not P itself); empty OWNER/GROUP/MODE: leave as is;
#                           FOLLOW=1: also the targets of links found; DRY=1: only say whether
#                           anything would change
#   times P ATIME MTIME DRY ATIME/MTIME: \`preserve\`, \`now\` or a touch -t stamp (CCYYMMDDhhmm.ss);
#                           changes them when they differ; DRY=1: only say what would change
#
# Each change is reported as a key=value line (owner=BEFORE:AFTER, mode=\u2026, recursed=1, atime=\u2026).
# On the first failure it prints fail=<what> and fail_hex=<the tool's message, hex> and stops.
set -u

hex() {
  od -An -v -tx1 | tr -d ' \\n'
}

fail() {
  echo "fail=$1"
  printf '%s' "\${p:-}" | hex | sed 's/^/fail_at_hex=/'
  echo
  printf '%s' "$2" | hex | sed 's/^/fail_hex=/'
  echo
  exit 1
}

# Not an option to any tool.
safe() {
  case $1 in -*) printf './%s' "$1" ;; *) printf '%s' "$1" ;; esac
}

# A name or number for chown/chgrp, as an id: prints nothing when there is no such account.
user_id() {
  case $1 in
    *[!0-9]*) id -u -- "$1" 2>/dev/null ;;
    *) echo "$1" ;;
  esac
}
group_id() {
  case $1 in
    *[!0-9]*)
      if command -v getent >/dev/null 2>&1; then
        getent group "$1" | cut -d: -f3
      else
        awk -F: -v n="$1" '$1 == n { print $3; exit }' /etc/group
      fi
      ;;
    *) echo "$1" ;;
  esac
}

# recurse_change P DRY TOOL FINDOPT TEST... -exec CMD... {} +: runs the find below P, naming in
# $changes each entry it changes; DRY=1: only looks for one. Fails with the tool's message.
recurse_change() {
  rp=$1 rdry=$2 rtool=$3 rwalk=$4
  shift 4
  count=$#
  seen=
  for a do
    if [ "$a" = -exec ] && [ -z "$seen" ]; then
      seen=1
      set -- "$@" -print
      [ "$rdry" = 1 ] && break
    fi
    set -- "$@" "$a"
  done
  shift "$count"
  if [ "$rdry" = 1 ]; then
    changes=$changes$(find "$rwalk" "$rp" -mindepth 1 "$@" 2>/dev/null | head -n 1)
    return 0
  fi
  # find's own complaints (a loop of links under -L) are not failures of the change.
  rout=$(find "$rwalk" "$rp" -mindepth 1 "$@" 2>&1 | grep -v '^find: ')
  rerr=$(printf '%s\\n' "$rout" | grep "^$rtool: ")
  [ -z "$rerr" ] || fail "$rtool" "$rerr"
  changes=$changes$rout
}

# Replaces P by what is at T (a link just made beside it), as rename(2) does.
replace_with() {
  if ! out=$(mv -fT -- "$1" "$2" 2>&1); then
    # Without -T (busybox), mv would move into a directory P points to: unlink P first.
    if [ -d "$2" ] && [ ! -L "$2" ]; then
      rm -f -- "$1"
      fail replace "$out"
    fi
    if ! { rm -f -- "$2" && mv -f -- "$1" "$2"; }; then
      rm -f -- "$1"
      fail replace "$out"
    fi
  fi
}

p=
skip=
while [ $# -gt 0 ]; do
  op=$1
  shift
  case $op in
    rm)
      p=$(safe "$1") list=$2 dry=$3
      shift 3
      if [ "$list" = 1 ] && [ -d "$p" ] && [ ! -L "$p" ]; then
        # Everything below, in find's order: D a directory, L a link to one, F anything else.
        # shellcheck disable=SC2016 # the inner script expands its own variables
        find "$p" -mindepth 1 -exec sh -c 'for f do
          if [ -d "$f" ] && [ ! -L "$f" ]; then c=D; elif [ -d "$f" ]; then c=L; else c=F; fi
          printf "entry=%s" "$c"; printf "%s" "$f" | od -An -v -tx1 | tr -d " \\n"; echo
        done' apb-walk {} +
      fi
      if [ "$dry" != 1 ]; then
        out=$(rm -rf -- "$p" 2>&1) || fail rm "$out"
      fi
      ;;
    mkdir)
      p=$(safe "$1")
      shift
      skip=$p
      # As os.path.exists: a dangling link or a file in the way makes mkdir fail, as in Ansible.
      if [ ! -e "$p" ]; then
        if out=$(mkdir -- "$p" 2>&1); then
          echo created=1
          skip=
        elif [ ! -d "$p" ]; then
          fail mkdir "$out"
        fi
        # Else another process made it since the test (hosts sharing a filesystem create the same
        # parents at once): as in Ansible, a directory that is there now is no error.
      fi
      ;;
    create)
      p=$(safe "$1")
      shift
      out=$( (set -C && : >"$p") 2>&1) || fail create "$out"
      ;;
    symlink | hardlink)
      s=$1 p=$(safe "$2") replace=$3 t=$4
      shift 4
      flag=
      if [ "$op" = symlink ]; then flag=-s; fi
      if [ "$replace" = 1 ]; then
        # T: an unpredictable name beside P (64 random bits from the controller); anything already
        # there is refused rather than linked into or moved over P.
        tdir=$(dirname -- "$p" && echo x) && t=\${tdir%??}/$t
        if [ -e "$t" ] || [ -L "$t" ]; then fail replace "$t exists"; fi
        if [ -d "$p" ] && [ ! -L "$p" ]; then
          out=$(rmdir -- "$p" 2>&1) || fail replace "$out"
        fi
        out=$(ln $flag -- "$s" "$t" 2>&1) || fail replace "$out"
        replace_with "$t" "$p"
      else
        out=$(ln $flag -- "$s" "$p" 2>&1) || fail link "$out"
      fi
      ;;
    owner | group)
      p=$(safe "$1") spec=$2
      shift 2
      [ "$skip" = "$p" ] && continue
      if [ "$op" = owner ]; then
        want=$(user_id "$spec")
        [ -n "$want" ] || fail owner-lookup "$spec"
        now=$(stat -c %u -- "$p" 2>/dev/null || stat -f %u -- "$p")
        if [ "$now" != "$want" ]; then
          out=$(chown -h -- "$want" "$p" 2>&1) || fail chown "$out"
          echo "owner=$now:$want"
        fi
      else
        want=$(group_id "$spec")
        [ -n "$want" ] || fail group-lookup "$spec"
        now=$(stat -c %g -- "$p" 2>/dev/null || stat -f %g -- "$p")
        if [ "$now" != "$want" ]; then
          out=$(chgrp -h -- "$want" "$p" 2>&1) || fail chgrp "$out"
          echo "group=$now:$want"
        fi
      fi
      ;;
    mode)
      p=$(safe "$1") want=$2
      shift 2
      [ "$skip" = "$p" ] && continue
      now=$(stat -c %a -- "$p" 2>/dev/null || stat -f %Lp -- "$p")
      if [ "$((0$now))" != "$((0$want))" ]; then
        out=$(chmod -- "$want" "$p" 2>&1) || fail chmod "$out"
        echo "mode=$now:$want"
      fi
      ;;
    recurse)
      p=$(safe "$1") follow=$2 owner=$3 group=$4 mode=$5 dry=$6
      shift 6
      # Only what differs is changed (chown and chmod change the ctime even when nothing differs).
      # With follow, find -L describes and changes what links lead to (and descends into linked
      # directories), and the links themselves get their owner and group too.
      walk=-P hflag=-h sflag=''
      if [ "$follow" = 1 ]; then walk=-L hflag='' sflag=-L; fi
      changes=
      if [ -n "$owner" ]; then
        want=$(user_id "$owner")
        [ -n "$want" ] || fail owner-lookup "$owner"
        recurse_change "$p" "$dry" chown "$walk" ! -uid "$want" -exec chown $hflag -- "$want" {} +
        if [ "$follow" = 1 ]; then
          recurse_change "$p" "$dry" chown -P -type l ! -uid "$want" -exec chown -h -- "$want" {} +
        fi
      fi
      if [ -n "$group" ]; then
        want=$(group_id "$group")
        [ -n "$want" ] || fail group-lookup "$group"
        recurse_change "$p" "$dry" chgrp "$walk" ! -gid "$want" -exec chgrp $hflag -- "$want" {} +
        if [ "$follow" = 1 ]; then
          recurse_change "$p" "$dry" chgrp -P -type l ! -gid "$want" -exec chgrp -h -- "$want" {} +
        fi
      fi
      if [ -n "$mode" ]; then
        # Each mode found below P (by type), and what the mode asked for makes of it, as chmod
        # computes it on a scratch file or directory of that mode.
        scratch=$(mktemp -d) || fail chmod 'mktemp -d failed'
        modes=$(find "$walk" "$p" -mindepth 1 ! -type l -exec stat $sflag -c %f {} + 2>/dev/null | sort -u)
        for raw in $modes; do
          raw=$((0x$raw))
          now=$(printf '%o' $((raw & 4095)))
          if [ $((raw & 61440)) = 16384 ]; then kind=d; else kind=f; fi
          rm -rf "$scratch/x"
          if [ "$kind" = d ]; then mkdir "$scratch/x"; else : >"$scratch/x"; fi
          if ! { chmod "$now" "$scratch/x" && chmod "$mode" "$scratch/x"; } 2>/dev/null; then
            rm -rf "$scratch"
            fail chmod "invalid mode: $mode"
          fi
          want=$(stat -c %a "$scratch/x" 2>/dev/null || stat -f %Lp "$scratch/x")
          [ "$((0$want))" = "$((0$now))" ] && continue
          if [ "$kind" = d ]; then
            recurse_change "$p" "$dry" chmod "$walk" -type d -perm "$now" -exec chmod -- "$want" {} +
          else
            recurse_change "$p" "$dry" chmod "$walk" ! -type d ! -type l -perm "$now" -exec chmod -- "$want" {} +
          fi
        done
        rm -rf "$scratch"
      fi
      if [ -n "$changes" ]; then echo recursed=1; fi
      ;;
    times)
      p=$(safe "$1") atime=$2 mtime=$3 dry=$4
      shift 4
      for which in a m; do
        if [ "$which" = a ]; then stamp=$atime; else stamp=$mtime; fi
        [ "$stamp" = preserve ] && continue
        # Seconds, then the time with its fraction, as stat prints them (GNU/busybox, then BSD).
        before=$(stat -c "%X %x" -- "$p" 2>/dev/null || stat -f '%a %Fa' -- "$p") || fail times "$before"
        if [ "$which" = m ]; then
          before=$(stat -c '%Y %y' -- "$p" 2>/dev/null || stat -f '%m %Fm' -- "$p") || fail times "$before"
        fi
        if [ "$stamp" = now ]; then
          want=now
        else
          # The stamp in the target's local time, as touch -t reads it, in seconds since the epoch.
          probe=$(mktemp) || fail times 'mktemp failed'
          out=$(touch -t "$stamp" -- "$probe" 2>&1) || {
            rm -f -- "$probe"
            fail times "$out"
          }
          want=$(stat -c %Y -- "$probe" 2>/dev/null || stat -f %m -- "$probe")
          rm -f -- "$probe"
          fraction=\${before#*.}
          fraction=\${fraction%% *}
          case $fraction in
            *[!0]*) ;;
            *) [ "$want" = "\${before%% *}" ] && continue ;;
          esac
        fi
        echo "\${which}time=$before|$want"
        [ "$dry" = 1 ] && continue
        if [ "$atime$mtime" = nownow ]; then
          # Both to now at once: utime(NULL), which write permission allows without ownership.
          [ "$which" = m ] && { out=$(touch -c -- "$p" 2>&1) || fail times "$out"; }
        elif [ "$want" = now ]; then
          out=$(touch -c "-$which" -- "$p" 2>&1) || fail times "$out"
        else
          out=$(touch -c "-$which" -t "$stamp" -- "$p" 2>&1) || fail times "$out"
        fi
      done
      ;;
    *)
      fail usage "unknown operation $op"
      ;;
  esac
done
echo act=done
`;

// src/modules/file-transfer.ts
import { createHash, randomBytes as randomBytes2 } from "node:crypto";
import path from "node:path";

// src/modules/copy-act.sh
var copy_act_default = `#!/bin/sh
# apb-copy: what \`copy\` does on the target besides single writes (src/modules/file-transfer.ts,
# src/modules/copy-tree.ts). POSIX sh, no Python.
#
# Run as:  /bin/sh -c "<this text>" apb-copy <op> <operands>...
#
#   rcopy SRC DEST MODE SUFFIX
#           copy file SRC (on the target: remote_src) to DEST through the private temporary file
#           .DEST.apb-SUFFIX.tmp beside it (created 0600, exclusively), keeping SRC's mtime as
#           Ansible's copystat does, chmod MODE, then moved over DEST
#   probe ROOT
#           for each line of stdin (a kind letter, f d or l, then a path below ROOT as printf %b
#           escapes), what is
#           there: \`e=<type: F D L O> <mode> <uid> <gid> <size> <sha1 or -> <owner hex> <group hex>
#           <link hex>\`,
#           \`e=-\` when nothing is; then umask=, root= (the type of ROOT), for a missing ROOT
#           existing_hex= (the deepest directory above it that exists) and end=1
#   stage DIR
#           create DIR (mode 0700, exclusively) and extract the tar archive on stdin into it
#   place DIR [INDEX DEST MODE]...
#           chmod DIR/fINDEX to MODE and move it over DEST (never into a directory at DEST)
#   unstage DIR
#           remove DIR and what is left in it
#
# Failures print fail=<what> and fail_hex=<the tool's message, hex> and exit 1.
set -u

hex() {
  od -An -v -tx1 | tr -d ' \\n'
}

fail() {
  echo "fail=$1"
  printf '%s' "\${p:-}" | hex | sed 's/^/fail_at_hex=/'
  echo
  printf '%s' "$2" | hex | sed 's/^/fail_hex=/'
  echo
  exit 1
}

op=$1
shift
case $op in
  rcopy)
    src=$1 dest=$2 mode=$3 suffix=$4
    p=$dest
    dir=$(dirname -- "$dest" && echo x) && dir=\${dir%??}
    tmp=$dir/.$(basename -- "$dest").apb-$suffix.tmp
    [ -d "$dir" ] || fail missing-dir "$dir"
    out=$( (umask 077 && set -C && : >"$tmp") 2>&1) || fail create "$out"
    # set -C lets the shell open an existing device or FIFO: only the file just made is written.
    if [ -L "$tmp" ] || [ ! -f "$tmp" ] || [ -s "$tmp" ]; then
      fail create "$tmp is not a new empty file"
    fi
    if ! out=$(cat -- "$src" 2>&1 >"$tmp"); then
      rm -f -- "$tmp"
      fail copy "$out"
    fi
    touch -r "$src" -- "$tmp" 2>/dev/null || :
    if ! out=$(chmod -- "$mode" "$tmp" 2>&1) || ! out=$(mv -f -- "$tmp" "$dest" 2>&1); then
      rm -f -- "$tmp"
      fail copy "$out"
    fi
    ;;
  probe)
    root=$1
    if command -v sha1sum >/dev/null 2>&1; then sum=sha1sum; else sum='openssl sha1 -r'; fi
    while IFS= read -r line; do
      kind=$(printf '%s' "$line" | cut -c1)
      # The path comes as printf %b escapes (\\0NNN for any byte but [A-Za-z0-9._/-]).
      rel=$(printf '%b' "\${line#?}x")
      rel=\${rel%x}
      f=$root/$rel
      if [ ! -e "$f" ] && [ ! -L "$f" ]; then
        echo 'e=-'
        continue
      fi
      # %F: regular file, directory, symbolic link\u2026; names are hex (they may hold blanks).
      info=$(stat -c '%a %u %g %s' -- "$f")
      if [ -L "$f" ]; then type=L; elif [ -d "$f" ]; then type=D; elif [ -f "$f" ]; then type=F; else type=O; fi
      sha=-
      if [ "$type" = F ] && [ "$kind" = f ] && [ -r "$f" ]; then
        sha=$($sum <"$f" | cut -d' ' -f1)
      fi
      owner=$(stat -c %U -- "$f" | tr -d '\\n' | hex)
      group=$(stat -c %G -- "$f" | tr -d '\\n' | hex)
      link=-
      [ "$type" = L ] && link=$(readlink -- "$f" | tr -d '\\n' | hex)
      echo "e=$type $info $sha \${owner:--} \${group:--} \${link:--}"
    done
    echo "umask=$(umask)"
    if [ -L "$root" ] && [ -d "$root" ]; then echo root=dirlink
    elif [ -d "$root" ]; then echo root=dir
    elif [ -e "$root" ] || [ -L "$root" ]; then echo root=other
    else
      echo root=none
      # The deepest directory above ROOT that exists: what is below it gets created.
      up=\${root%/}
      while [ -n "$up" ] && [ ! -d "$up" ]; do up=$(dirname -- "$up" && echo x) && up=\${up%??}; done
      printf '%s' "$up" | hex | sed 's/^/existing_hex=/'
      echo
    fi
    echo end=1
    ;;
  stage)
    p=$1
    command -v tar >/dev/null 2>&1 || fail tar 'tar is not installed on the target'
    out=$(mkdir -m 0700 -- "$p" 2>&1) || fail stage "$out"
    # -m: the files get the time they are written, -o: the extracting user owns them.
    out=$(tar -x -m -o -f - -C "$p" 2>&1) || fail tar "$out"
    ;;
  place)
    stage=$1
    shift
    while [ $# -ge 3 ]; do
      p=$2
      if [ -d "$p" ] && [ ! -L "$p" ]; then fail place "Is a directory"; fi
      out=$(chmod -- "$3" "$stage/f$1" 2>&1) || fail place "$out"
      out=$(mv -f -- "$stage/f$1" "$p" 2>&1) || fail place "$out"
      echo "placed=$1"
      shift 3
    done
    ;;
  unstage)
    rm -rf -- "$1"
    ;;
  *)
    fail usage "unknown operation $op"
    ;;
esac
echo act=done
`;

// src/modules/file-transfer.ts
var COPY_ACT = { name: "apb-copy", source: copy_act_default };
async function transferFile(facts, request2) {
  const { dest, content, mode, state, timeoutMs } = request2;
  const checksum = Buffer.isBuffer(content) ? createHash("sha1").update(content).digest("hex") : content.checksum;
  const finalMode = resolveMode(mode, state);
  if (state.kind === "dir") throw new ModuleArgumentError(`destination ${dest} is a directory`);
  const writes = state.kind === "none" || request2.force && (state.kind === "other" || state.checksum !== checksum);
  if (!writes && !request2.force) {
    return { changed: false, dest };
  }
  if (writes && request2.expectedChecksum !== void 0 && request2.expectedChecksum !== checksum) {
    return {
      changed: false,
      failed: true,
      msg: "Copied file does not match the expected checksum. Transfer failed.",
      checksum,
      expected_checksum: request2.expectedChecksum
    };
  }
  const connection = await facts.connection();
  const contentDiff = writes && request2.diff === true ? await bytesDiff(connection, request2) : void 0;
  if (writes && request2.check === true)
    return contentDiff || Buffer.isBuffer(content) ? { changed: true, diff: contentDiff ? [contentDiff] : [] } : { changed: true };
  const ops = [];
  const before = state.kind === "file" ? state.stat : void 0;
  if (request2.owner !== void 0 && (writes || differs(request2.owner, before?.uid, before?.owner)))
    ops.push(["owner", dest, request2.owner]);
  if (request2.group !== void 0 && (writes || differs(request2.group, before?.gid, before?.group)))
    ops.push(["group", dest, request2.group]);
  if (!writes && mode !== void 0 && before && before.permissions !== finalMode)
    ops.push(["mode", dest, finalMode.toString(8).padStart(4, "0")]);
  let backupFile;
  let written;
  if (writes) {
    try {
      ;
      ({ backupFile, outcome: written } = await writeFile(connection, request2, finalMode, ops));
    } catch (error) {
      if (error instanceof TransferFailure)
        return { changed: false, failed: true, ...error.result, checksum };
      throw error;
    }
  }
  const attributeDiff = !writes && request2.diff === true && before ? attributesDiff(dest, before, ops) : void 0;
  if (!writes && request2.check === true) {
    const failure4 = await checkAccounts(facts, request2, before);
    if (failure4) return failure4;
    const fields = { ...fileFields(dest, checksum, before), changed: ops.length > 0 };
    if (attributeDiff) fields["diff"] = attributeDiff;
    return Buffer.isBuffer(content) ? { ...fields, path: dest } : fields;
  }
  let final = before;
  let attributesChanged = false;
  const outcome = written ?? (ops.length > 0 ? await runActs(connection, ops, dest, timeoutMs) : void 0);
  if (outcome !== void 0) {
    const after = outcome.after?.exists ? outcome.after : void 0;
    if (outcome.failure) {
      const { what, message: message2 } = outcome.failure;
      const text5 = osErrorText(message2, dest);
      return {
        changed: false,
        failed: true,
        checksum,
        ...actFailure(what, message2, dest, text5),
        ...pathInfo(after)
      };
    }
    const answer = outcome.answer;
    attributesChanged = ["owner", "group", "mode"].some((key) => answer.get(key) !== void 0);
    final = after;
  } else if (writes) {
    const now = await facts.path(dest);
    final = now.exists ? now : void 0;
  }
  if (final === void 0) {
    throw new ModuleArgumentError(`${dest} is gone from ${connection.host} after it was written`);
  }
  const result = {
    ...fileFields(dest, checksum, final),
    changed: writes || attributesChanged
  };
  if (!writes && Buffer.isBuffer(content)) result["path"] = dest;
  if (!Buffer.isBuffer(content)) result["src"] = content.remotePath;
  if (backupFile !== void 0) result["backup_file"] = backupFile;
  if (contentDiff) result["diff"] = [contentDiff];
  else if (attributeDiff) result["diff"] = attributeDiff;
  else if (writes && Buffer.isBuffer(content)) result["diff"] = [];
  return result;
}
var MAX_DIFF_BYTES = 104448;
async function bytesDiff(connection, request2) {
  const diff = { before: "" };
  const { dest, state, content } = request2;
  if (state.kind === "file") {
    diff.before_header = dest;
    if (state.stat.size > MAX_DIFF_BYTES) {
      diff.before = "";
      diff["dst_larger"] = MAX_DIFF_BYTES;
    } else {
      const bytes = await connection.getFile(dest, { maxBytes: MAX_DIFF_BYTES, timeoutMs: request2.timeoutMs }).catch(() => void 0);
      if (bytes === void 0 || bytes.includes(0)) {
        ;
        diff["dst_binary"] = 1;
      } else diff.before = bytes.toString("utf8");
    }
  }
  if (Buffer.isBuffer(content)) {
    diff.after_header = request2.afterHeader ?? "dynamically generated";
    if (content.length > MAX_DIFF_BYTES)
      diff["src_larger"] = MAX_DIFF_BYTES;
    else if (content.includes(0)) diff["src_binary"] = 1;
    else diff.after = content.toString("utf8");
  }
  return diff;
}
function attributesDiff(dest, st, ops) {
  const before = { path: dest };
  const after = { path: dest };
  for (const [what, , value] of ops) {
    if (what === "mode") {
      before["mode"] = `0${st.permissions.toString(8).padStart(3, "0")}`;
      after["mode"] = `0${parseInt(value, 8).toString(8).padStart(3, "0")}`;
    } else if (what === "owner") {
      before["owner"] = st.uid;
      after["owner"] = /^\d+$/.test(value) ? Number(value) : value;
    } else if (what === "group") {
      before["group"] = st.gid;
      after["group"] = /^\d+$/.test(value) ? Number(value) : value;
    }
  }
  return { before, after };
}
function differs(spec, id, name) {
  if (id === void 0) return true;
  return /^\d+$/.test(spec) ? Number(spec) !== id : spec !== name;
}
function fileFields(dest, checksum, st) {
  return {
    checksum,
    dest,
    gid: st.gid,
    group: st.group ?? String(st.gid),
    mode: `0${st.permissions.toString(8).padStart(3, "0")}`,
    owner: st.owner ?? String(st.uid),
    size: st.size,
    state: "file",
    uid: st.uid
  };
}
async function checkAccounts(facts, request2, st) {
  const fail6 = (msg) => ({
    changed: false,
    failed: true,
    msg,
    path: request2.dest,
    checksum: st.checksum,
    ...pathInfo(st)
  });
  const known = async (kind, name) => {
    try {
      return (kind === "user" ? await facts.user(name) : await facts.group(name)).exists;
    } catch {
      return false;
    }
  };
  const { owner, group } = request2;
  if (owner !== void 0 && !/^\d+$/.test(owner) && owner !== st.owner) {
    if (!await known("user", owner)) return fail6(`chown failed: failed to look up user ${owner}`);
  }
  if (group !== void 0 && !/^\d+$/.test(group) && group !== st.group) {
    if (!await known("group", group))
      return fail6(`chgrp failed: failed to look up group ${group}`);
  }
  return void 0;
}
var TransferFailure = class extends Error {
  constructor(result) {
    super(String(result["msg"]));
    this.result = result;
  }
  result;
};
async function writeFile(connection, request2, finalMode, ops) {
  const { dest, content, state, timeoutMs } = request2;
  let backupFile;
  if (!Buffer.isBuffer(content)) {
    const replacesFile2 = state.kind === "file" || state.kind === "other" && state.stat.linkTo === "file";
    if (request2.backup && replacesFile2) backupFile = await backupRemote(connection, dest, timeoutMs);
    const outcome2 = await copyOnTarget(
      connection,
      dest,
      content.remotePath,
      finalMode,
      ops,
      timeoutMs
    );
    return backupFile === void 0 ? { outcome: outcome2 } : { backupFile, outcome: outcome2 };
  }
  const candidate = request2.validate === void 0 ? void 0 : await writeValidated(connection, { ...request2, content }, request2.validate, finalMode);
  const replacesFile = state.kind === "file" || state.kind === "other" && state.stat.linkTo === "file";
  if (request2.backup && replacesFile) backupFile = await backupRemote(connection, dest, timeoutMs);
  const backup = backupFile === void 0 ? {} : { backupFile };
  if (candidate !== void 0) {
    await moveIntoPlace(connection, candidate, dest, timeoutMs);
    return backup;
  }
  const put = { command: putCommand(dest, finalMode), stdin: content };
  const outcome = await runActs(connection, ops, dest, timeoutMs, put);
  const failure4 = outcome.failure;
  if (failure4?.what === "prelude") {
    if (state.kind === "none") await explainMissingDestination(connection, dest, timeoutMs);
    throw new AsyncPlaybookError(
      `cannot write ${dest} on ${connection.host}: ${failure4.message || "the write failed"}`
    );
  }
  return { ...backup, outcome };
}
async function copyOnTarget(connection, dest, source, mode, ops, timeoutMs) {
  const command = probeCommand(COPY_ACT, [
    "rcopy",
    source,
    dest,
    mode.toString(8).padStart(4, "0"),
    randomBytes2(8).toString("hex")
  ]);
  const outcome = await runActs(connection, ops, dest, timeoutMs, { command });
  if (outcome.failure?.what !== "prelude") return outcome;
  await explainMissingDestination(connection, dest, timeoutMs);
  throw new TransferFailure({
    msg: `failed to copy: ${source} to ${dest}`,
    details: outcome.failure.message
  });
}
async function explainMissingDestination(connection, dest, timeoutMs) {
  const dir = path.posix.dirname(dest);
  const q = shellQuote(dir);
  const res = await connection.run(
    `if [ -d ${q} ]; then if [ -w ${q} ]; then echo ok; else echo ro; fi; elif ls -d ${q} 2>&1 | grep -q 'Permission denied'; then echo denied; else echo missing; fi`,
    { timeoutMs }
  );
  const answer = res.stdout.toString("utf8").trim();
  if (answer === "missing")
    throw new TransferFailure({ msg: `Destination directory ${dir} does not exist` });
  if (answer === "denied")
    throw new TransferFailure({ msg: `Destination directory ${dir} is not accessible` });
  if (answer === "ro") throw new TransferFailure({ msg: `Destination ${dir} not writable` });
}
async function writeValidated(connection, request2, validate, finalMode) {
  const { dest, timeoutMs } = request2;
  if (!validate.includes("%s"))
    throw new ModuleArgumentError(`validate must contain %s: ${validate}`);
  const candidate = path.posix.join(
    path.posix.dirname(dest),
    `.${path.posix.basename(dest)}.apb-${randomBytes2(8).toString("hex")}.tmp`
  );
  await connection.putFile(candidate, request2.content, { timeoutMs, mode: finalMode });
  const command = validate.split("%s").join(shellQuote(candidate));
  const res = await connection.run(command, { timeoutMs });
  if (res.code !== 0) {
    await connection.run(`rm -f ${shellQuote(candidate)}`, { timeoutMs });
    throw new ValidationError(
      res.code ?? -1,
      res.stdout.toString("utf8"),
      res.stderr.toString("utf8")
    );
  }
  return candidate;
}
async function moveIntoPlace(connection, candidate, dest, timeoutMs) {
  const c = shellQuote(candidate);
  const d = shellQuote(dest);
  const res = await connection.run(`mv -f ${c} ${d}`, { timeoutMs });
  if (res.code !== 0) {
    await connection.run(`rm -f ${c}`, { timeoutMs });
    throw new ModuleArgumentError(
      `could not move the validated file to ${dest}: ${res.stderr.toString("utf8").trim()}`
    );
  }
}
async function backupRemote(connection, dest, timeoutMs) {
  const d = shellQuote(dest);
  const res = await connection.run(
    `b=${d}.$$.$(date +%Y-%m-%d@%H:%M:%S~) && cp -p --remove-destination ${d} "$b" && printf '%s' "$b"`,
    { timeoutMs }
  );
  if (res.code !== 0) {
    throw new ModuleArgumentError(
      `Could not make a backup of ${dest}: ${res.stderr.toString("utf8").trim()}`
    );
  }
  return res.stdout.toString("utf8");
}
var ValidationError = class extends ModuleArgumentError {
  constructor(exitStatus, stdout, stderr) {
    super("failed to validate");
    this.exitStatus = exitStatus;
    this.stdout = stdout;
    this.stderr = stderr;
  }
  exitStatus;
  stdout;
  stderr;
};
function validationFailure(error) {
  return {
    changed: false,
    failed: true,
    msg: error.message,
    exit_status: error.exitStatus,
    stdout: error.stdout,
    stderr: error.stderr
  };
}
function normaliseMode(value, source) {
  if (value === void 0 || value === null || value === "") return void 0;
  if (value === "preserve" && source) return `0${(source() & 4095).toString(8).padStart(3, "0")}`;
  if (typeof value === "number") return `0${value.toString(8)}`;
  const text5 = String(value);
  if (!/^[0-7]{3,4}$/.test(text5) && !text5.split(",").every((clause) => /^[ugoa]*(?:[-+=][rwxXstugo]*)+$/.test(clause))) {
    throw new ModuleArgumentError(
      `mode must be octal (e.g. '0644') or symbolic (e.g. 'u=rw,g=r'), got '${text5}'`
    );
  }
  return text5;
}
function resolveMode(mode, state) {
  const umask = state.umask;
  const current = state.kind === "file" ? state.stat.permissions : 438 & ~umask;
  if (mode === void 0) return current;
  if (/^[0-7]+$/.test(mode)) return parseInt(mode, 8) & 4095;
  return applySymbolicMode(current, mode, umask);
}
var CLASS_BITS = { u: 2496, g: 1080, o: 519 };
function applySymbolicMode(current, symbolic, umask) {
  const previous = current & 4095;
  let mode = previous;
  for (const clause of symbolic.split(",")) {
    const parsed = /^([ugoa]*)((?:[-+=][rwxXstugo]*)+)$/.exec(clause);
    if (!parsed) throw new ModuleArgumentError(`bad symbolic permission for mode: ${clause}`);
    const who = parsed[1];
    const useUmask = who === "";
    const classes = who === "" || who.includes("a") ? ["u", "g", "o"] : [...new Set(who)];
    for (const [, operator, perms] of parsed[2].matchAll(/([-+=])([rwxXstugo]*)/g)) {
      for (const cls of classes) {
        let bits = 0;
        for (const perm of perms) bits |= permissionBits(previous, cls, perm, useUmask, umask);
        if (operator === "=") mode = mode & ~CLASS_BITS[cls] & 4095 | bits;
        else if (operator === "+") mode |= bits;
        else mode &= ~bits;
      }
    }
  }
  return mode;
}
function permissionBits(previous, cls, perm, useUmask, umask) {
  const shift = cls === "u" ? 6 : cls === "g" ? 3 : 0;
  const allowed = useUmask ? ~umask : 511;
  switch (perm) {
    case "r":
      return 4 << shift & allowed;
    case "w":
      return 2 << shift & allowed;
    case "x":
      return 1 << shift & allowed;
    // X: execute only where some execute bit is already set (these are files, never directories).
    case "X":
      return (previous & 73) !== 0 ? 1 << shift : 0;
    case "s":
      return cls === "u" ? 2048 : cls === "g" ? 1024 : 0;
    case "t":
      return cls === "o" ? 512 : 0;
    default: {
      const from = perm === "u" ? 6 : perm === "g" ? 3 : 0;
      return (previous >> from & 7) << shift;
    }
  }
}
async function inspectRemote(facts, dest) {
  const state = await facts.path(dest, { checksum: "sha1" });
  const umask = state.umask;
  if (!state.exists) return { kind: "none", umask };
  if (state.type === "directory" || state.type === "link" && state.linkTo === "directory")
    return { kind: "dir", umask };
  if (state.type === "file")
    return { kind: "file", umask, checksum: state.checksum ?? "", stat: state };
  return { kind: "other", umask, stat: state };
}
function boolArg(value, name, fallback) {
  if (value === void 0 || value === null) return fallback;
  try {
    return ansibleBoolean(value, "strict");
  } catch {
    throw new ModuleArgumentError(
      `argument '${name}' is of type ${typeof value} and we were unable to convert to bool: The value '${String(value)}' is not a valid boolean.`
    );
  }
}
function textArg(value) {
  return value === void 0 || value === null || value === "" ? void 0 : String(value);
}
async function transferWithArgs(facts, args, file) {
  let { dest, state } = file;
  const follow = boolArg(args["follow"], "follow", false);
  if (follow && state.kind === "other" && state.stat.type === "link" && state.stat.linkTo === "file" && state.stat.linkSource !== void 0) {
    dest = state.stat.linkSource;
    state = await inspectRemote(facts, dest);
  }
  const owner = textArg(args["owner"]);
  const group = textArg(args["group"]);
  const expectedChecksum = textArg(args["checksum"]);
  try {
    return await transferFile(facts, {
      ...file,
      dest,
      state,
      check: file.check ?? false,
      ...owner === void 0 ? {} : { owner },
      ...group === void 0 ? {} : { group },
      ...expectedChecksum === void 0 ? {} : { expectedChecksum },
      force: boolArg(args["force"], "force", true),
      backup: boolArg(args["backup"], "backup", false),
      validate: args["validate"] === void 0 || args["validate"] === null || args["validate"] === "" ? void 0 : String(args["validate"])
    });
  } catch (error) {
    if (error instanceof ValidationError) return validationFailure(error);
    throw error;
  }
}
async function expandUser(facts, target, timeoutMs) {
  const match = /^~([^/]*)(.*)$/s.exec(target);
  if (!match) return target;
  const [, user, rest] = match;
  if (user !== "" && !/^[A-Za-z0-9_.][A-Za-z0-9_.-]*$/.test(user)) return target;
  const who = user === "" ? '"$(id -un)"' : shellQuote(user);
  const connection = await facts.connection();
  const res = await connection.run(`getent passwd ${who} | cut -d: -f6`, { timeoutMs });
  const home = res.stdout.toString("utf8").trim();
  return home === "" ? target : `${home.replace(/\/+$/, "") || "/"}${rest}`;
}

// src/modules/file-support.ts
var ACT = { name: "apb-file", source: file_act_default };
var PATH_PROBE = { name: "apb-path", source: path_default };
var STATES = ["absent", "directory", "file", "hard", "link", "touch"];
function stateOf(st) {
  if (!st.exists) return "absent";
  if (st.type === "link") return "link";
  if (st.type === "directory") return "directory";
  return st.nlink > 1 ? "hard" : "file";
}
function existsFollowing(st) {
  return st.exists && (st.type !== "link" || st.linkTo !== "missing");
}
function isDirFollowing(st) {
  return st.exists && (st.type === "directory" || st.type === "link" && st.linkTo === "directory");
}
function octalText(permissions) {
  return `0${permissions.toString(8).padStart(3, "0")}`;
}
function pathInfo(st) {
  if (st === void 0 || !existsFollowing(st)) return {};
  return {
    uid: st.uid,
    gid: st.gid,
    owner: st.owner ?? String(st.uid),
    group: st.group ?? String(st.gid),
    mode: octalText(st.permissions),
    state: stateOf(st),
    size: st.size
  };
}
var FileFailure = class extends Error {
  constructor(result) {
    super(String(result["msg"]));
    this.result = result;
  }
  result;
};
function wantedMode(mode, current, umask, isDirectory2) {
  if (typeof mode === "number") return mode;
  const text5 = String(mode);
  const octal2 = /^\s*[+]?(?:0[oO])?([0-7]+)\s*$/.exec(text5);
  if (octal2) return parseInt(octal2[1], 8);
  const symbolic = isDirectory2 ? text5.replace(/X/g, "x") : text5;
  return applySymbolicMode(current, symbolic, umask);
}
var ERRNO = Object.freeze(
  Object.assign(/* @__PURE__ */ Object.create(null), {
    "Operation not permitted": 1,
    "No such file or directory": 2,
    "Permission denied": 13,
    "File exists": 17,
    "Not a directory": 20,
    "Is a directory": 21,
    "Read-only file system": 30,
    "Directory not empty": 39,
    "Too many levels of symbolic links": 40,
    "No space left on device": 28,
    "Invalid argument": 22
  })
);
function bytesRepr(text5) {
  const body = [...Buffer.from(text5, "utf8")].map((byte) => {
    if (byte === 92) return "\\\\";
    if (byte === 39) return "\\'";
    if (byte === 9) return "\\t";
    if (byte === 10) return "\\n";
    if (byte === 13) return "\\r";
    if (byte < 32 || byte >= 127) return `\\x${byte.toString(16).padStart(2, "0")}`;
    return String.fromCharCode(byte);
  }).join("");
  return `b'${body}'`;
}
function osErrorText(message2, file) {
  const line = message2.trim().split("\n").pop() ?? "";
  const said = line.slice(line.lastIndexOf(": ") + 2).trim();
  const reason = said === "Directory nonexistent" ? "No such file or directory" : said;
  const errno = ERRNO[reason];
  return errno === void 0 ? line : `[Errno ${errno}] ${reason}: ${bytesRepr(file)}`;
}
var STRPTIME = Object.freeze(
  Object.assign(/* @__PURE__ */ Object.create(null), {
    Y: { pattern: "(\\d{4})", field: "Y" },
    y: { pattern: "(\\d{1,2})", field: "y" },
    m: { pattern: "(\\d{1,2})", field: "m" },
    d: { pattern: "(\\d{1,2})", field: "d" },
    H: { pattern: "(\\d{1,2})", field: "H" },
    M: { pattern: "(\\d{1,2})", field: "M" },
    S: { pattern: "(\\d{1,2})", field: "S" }
  })
);
function timeSpec(value, format) {
  if (value === "preserve" || value === "now") return value;
  const fields = [];
  let pattern = "";
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c !== "%") {
      pattern += /\s/.test(c) ? "\\s+" : c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      continue;
    }
    const directive = format[++i] ?? "";
    if (directive === "%") {
      pattern += "%";
      continue;
    }
    const known = STRPTIME[directive];
    if (!known)
      throw new ModuleArgumentError(
        `file: the time format directive %${directive} is not supported; use %Y %y %m %d %H %M %S`
      );
    pattern += known.pattern;
    fields.push(known.field);
  }
  const match = new RegExp(`^${pattern}$`).exec(value);
  const mismatch = () => {
    throw new FileFailure({
      msg: `Error while obtaining timestamp for time ${value} using format ${format}: time data ${pyRepr2(value)} does not match format ${pyRepr2(format)}`
    });
  };
  if (!match) return mismatch();
  const got = { Y: 1900, m: 1, d: 1, H: 0, M: 0, S: 0 };
  fields.forEach((field, index) => {
    const n = Number(match[index + 1]);
    if (field === "y") got["Y"] = n < 69 ? 2e3 + n : 1900 + n;
    else got[field] = n;
  });
  const { Y, m, d, H, M, S } = got;
  if (m < 1 || m > 12 || d < 1 || d > 31 || H > 23 || M > 59 || S > 61) return mismatch();
  const two = (n) => String(n).padStart(2, "0");
  return { stamp: `${String(Y).padStart(4, "0")}${two(m)}${two(d)}${two(H)}${two(M)}.${two(S)}` };
}
function pyRepr2(text5) {
  return text5.includes("'") && !text5.includes('"') ? `"${text5}"` : `'${text5.replace(/'/g, "\\'")}'`;
}
async function runActs(connection, ops, describe2, timeoutMs, prelude) {
  const commands = [probeCommand(ACT, ops.flat())];
  if (describe2 !== void 0) {
    commands.push("echo apb-split");
    commands.push(probeCommand(PATH_PROBE, [describe2, "0", "", "0", "0"]));
  }
  const command = prelude === void 0 ? commands.join("; ") : `${prelude.command} || { echo fail=prelude; exit 1; }; ${commands.join("; ")}`;
  const result = await connection.run(command, {
    timeoutMs,
    ...prelude?.stdin === void 0 ? {} : { stdin: prelude.stdin }
  });
  if (result.timedOut) {
    throw new CommandTimeoutError(
      `file: changing ${describe2 ?? "the target"} on ${connection.host} took longer than ${timeoutMs} ms`,
      connection.host,
      timeoutMs
    );
  }
  const text5 = result.stdout.toString("utf8");
  const split = text5.indexOf("apb-split\n");
  const answer = new ProbeAnswer(split < 0 ? text5 : text5.slice(0, split));
  const outcome = { answer };
  const what = prelude !== void 0 && answer.all("fail").includes("prelude") ? "prelude" : answer.get("fail");
  if (what !== void 0) {
    const message2 = what === "prelude" ? result.stderr.toString("utf8").trim() : fromHex(answer.get("fail_hex") ?? "").toString("utf8");
    outcome.failure = { what, message: message2 };
    const at = answer.bytes("fail_at_hex")?.toString("utf8");
    if (at) outcome.failure.at = at;
  } else if (answer.get("act") !== "done") {
    throw new ModuleArgumentError(
      `file: the changes on ${connection.host} stopped before their end: ` + (result.stderr.toString("utf8").trim().slice(-400) || `exit code ${String(result.code)}`)
    );
  }
  if (describe2 !== void 0 && split >= 0) {
    const probe = new ProbeAnswer(text5.slice(split + "apb-split\n".length));
    if (probe.complete) outcome.after = parsePathAnswer(probe, describe2, {}, connection.host);
  }
  return outcome;
}
function reportedChange(value) {
  if (value === void 0) return void 0;
  const [before, after] = value.split(":");
  return [Number(before), Number(after)];
}
function walkList(root, entries) {
  const children = /* @__PURE__ */ new Map();
  for (const entry of entries) {
    const name = fromHex(entry.slice(1)).toString("utf8");
    const parent = path2.posix.dirname(name);
    const list = children.get(parent) ?? [];
    list.push({ kind: entry[0], name });
    children.set(parent, list);
  }
  const directories = [];
  const files = [];
  const walk2 = (dir) => {
    const list = children.get(dir) ?? [];
    for (const child of list) if (child.kind !== "F") directories.push(child.name);
    for (const child of list) if (child.kind === "F") files.push(child.name);
    for (const child of list) if (child.kind === "D") walk2(child.name);
  };
  walk2(root);
  return { directories, files };
}
var FAILED_OP = Object.freeze(
  Object.assign(/* @__PURE__ */ Object.create(null), {
    replace: "link",
    link: "link",
    "owner-lookup": "owner",
    chown: "owner",
    "group-lookup": "group",
    chgrp: "group",
    chmod: "mode"
  })
);
function actFailure(what, message2, where, text5) {
  switch (what) {
    case "owner-lookup":
      return { msg: `chown failed: failed to look up user ${message2}`, path: where };
    case "group-lookup":
      return { msg: `chgrp failed: failed to look up group ${message2}`, path: where };
    case "chown":
      return { msg: `chown failed: ${text5}`, path: where };
    case "chgrp":
      return { msg: "chgrp failed", path: where };
    case "chmod":
      return { msg: "chmod failed", details: text5, path: where };
    case "times":
      return { msg: `Error while updating modification or access time: ${text5}`, path: where };
    default:
      return { msg: `${what} failed: ${text5}`, path: where };
  }
}
function epochOf(reported) {
  const [seconds, ...rest] = reported.split(" ");
  const text5 = rest.join(" ");
  const float = /^(-?\d+)\.(\d+)$/.exec(text5);
  const fraction = float ? float[2] : /:\d\d\.(\d+)/.exec(text5)?.[1] ?? "";
  const nanoseconds = fraction === "" ? 0 : Number(fraction.slice(0, 9).padEnd(9, "0"));
  return Number(seconds) + nanoseconds * 1e-9;
}

// src/modules/apt-sources-act.sh
var apt_sources_act_default = `#!/bin/sh
# apb-apt-sources-act: writes and removes apt sources files for apt_repository and deb822_repository,
# then (when asked) runs apt-get update with retries; when the update keeps failing, puts the files back
# as they were. POSIX sh.
#
# Run as:  /bin/sh -c "<this text>" apb-apt-sources-act <retries> <max delay> <update 0|1> OP\u2026
# with the new files' texts concatenated on stdin. Each OP is one argument:
#   w:<offset>:<length>:<mode>:<path>  write that slice of stdin to path (atomically: a temporary file in
#                                      its directory, then mv); mode is octal or empty (an existing file
#                                      keeps its mode and owner, a new one gets what the umask gives)
#   d:<path>                           remove path
#   r:\u2026 and x:\u2026                        the same, done only to revert after a failed update
# The answer: error_hex=<message> and failed=write|update, or nothing; update_err_hex= (what apt-get
# update said last). Last line end=1.
set -u
PATH=$PATH:/usr/sbin:/sbin
export PATH
retries=$1 max_delay=$2 update=$3
shift 3

hex() {
  od -An -v -tx1 | tr -d ' \\n'
}

scratch=$(mktemp -d "\${TMPDIR:-/tmp}/apb-apt.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT
cat >"$scratch/in"

fail() {
  echo "failed=$1"
  echo "error_hex=$(printf '%s' "$2" | hex)"
}

# put OFFSET LENGTH MODE PATH
put() {
  dir=$(dirname -- "$4")
  [ -d "$dir" ] || mkdir -p -- "$dir" 2>"$scratch/err" || {
    fail write "Failed to create directory $dir: $(cat "$scratch/err")"
    return 1
  }
  tmp="$dir/.apb-$(basename -- "$4").$$"
  if ! (set -C && : >"$tmp") 2>"$scratch/err"; then
    # Python's words for the usual reason (what Ansible's message quotes), else the shell's.
    reason=$(cat "$scratch/err")
    [ -w "$dir" ] || reason="[Errno 13] Permission denied: '$tmp'"
    fail write "Unable to create temp file at \\"$dir\\" for apt source: $reason"
    return 1
  fi
  if [ "$2" -gt 0 ]; then
    dd if="$scratch/in" of="$tmp" bs=1 skip="$1" count="$2" 2>/dev/null
  fi
  if [ -e "$4" ]; then
    chmod --reference="$4" "$tmp" 2>/dev/null
    chown --reference="$4" "$tmp" 2>/dev/null
  fi
  mv -f -- "$tmp" "$4" 2>"$scratch/err" || {
    rm -f -- "$tmp"
    fail write "$(cat "$scratch/err")"
    return 1
  }
  if [ -n "$3" ]; then
    chmod "$3" -- "$4" 2>"$scratch/err" || {
      fail write "$(cat "$scratch/err")"
      return 1
    }
  fi
  return 0
}

# apply KIND-WRITE KIND-REMOVE OP\u2026: carries out the ops of one kind (w/d, or r/x to revert)
apply() {
  write=$1 remove=$2
  shift 2
  for op in "$@"; do
    kind=\${op%%:*}
    rest=\${op#*:}
    if [ "$kind" = "$write" ]; then
      offset=\${rest%%:*}
      rest=\${rest#*:}
      length=\${rest%%:*}
      rest=\${rest#*:}
      mode=\${rest%%:*}
      target=\${rest#*:}
      put "$offset" "$length" "$mode" "$target" || return 1
    elif [ "$kind" = "$remove" ]; then
      if [ -e "$rest" ] || [ -L "$rest" ]; then
        rm -f -- "$rest" 2>"$scratch/err" || {
          fail write "$(cat "$scratch/err")"
          return 1
        }
      fi
    fi
  done
  return 0
}

if ! apply w d "$@"; then
  apply r x "$@" >/dev/null
  echo end=1
  exit 0
fi

if [ "$update" = 1 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo missing_tool=apt-get
    echo end=1
    exit 0
  fi
  # Exponential backoff with a little randomness (2^attempt + r seconds, at most max_delay + r), as
  # Ansible waits after each failed attempt, the last one included.
  jitter=$(awk 'BEGIN { srand(); printf "%.3f", rand() }')
  attempt=0 ok=0
  : >"$scratch/update"
  while [ "$attempt" -lt "$retries" ]; do
    # A source that could not be fetched fails the update as it fails python-apt's (apt-get itself
    # only warns when the network failed).
    if LC_ALL=C apt-get update -q </dev/null >/dev/null 2>"$scratch/update" &&
      ! grep -q '^W: Some index files failed to download' "$scratch/update"; then
      ok=1
      break
    fi
    delay=$(awk -v a="$attempt" -v m="$max_delay" -v j="$jitter" \\
      'BEGIN { d = 2 ^ a; if (d > m) d = m; printf "%.3f", d + j }')
    sleep "$delay" 2>/dev/null || sleep "\${delay%.*}"
    attempt=$((attempt + 1))
  done
  if [ "$ok" = 0 ]; then
    echo "update_err_hex=$(hex <"$scratch/update")"
    echo failed=update
    apply r x "$@" >/dev/null
  fi
fi
echo end=1
`;

// src/modules/apt-sources-probe.sh
var apt_sources_probe_default = `#!/bin/sh
# apb-apt-sources: reads the one-line apt sources on the target for apt_repository: where apt keeps them
# (apt-config, so Dir::Etc settings and APT_CONFIG count as they do for apt itself), then sources.list
# and every sources.list.d/*.list file with its text and mode. POSIX sh.
#
# Run as:  /bin/sh -c "<this text>" apb-apt-sources
# The answer (key=value lines, paths and texts in hex):
#   missing_tool=apt-config when apt-config is missing (the target is no apt system)
#   list_hex=<sources.list path> parts_hex=<sources.list.d directory> umask=<octal> codename=<VERSION_CODENAME>
#   then one line per file: file=<path hex> <mode, octal> <contents hex, or - when it cannot be read>.
#   Last line end=1.
set -u
PATH=$PATH:/usr/sbin:/sbin
export PATH

hex() {
  od -An -v -tx1 | tr -d ' \\n'
}

if ! command -v apt-config >/dev/null 2>&1; then
  echo missing_tool=apt-config
  echo end=1
  exit 0
fi
list=/etc/apt/sources.list
parts=/etc/apt/sources.list.d/
eval "$(apt-config shell list Dir::Etc::sourcelist/f parts Dir::Etc::sourceparts/d 2>/dev/null)"
echo "list_hex=$(printf '%s' "$list" | hex)"
echo "parts_hex=$(printf '%s' "$parts" | hex)"
echo "umask=$(umask)"
codename=
if [ -r /etc/os-release ]; then
  codename=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release | tr -d '"'"'" | head -n 1)
fi
echo "codename=$codename"

show() {
  [ -f "$1" ] || return 0
  text=-
  [ -r "$1" ] && text=$(hex <"$1")
  echo "file=$(printf '%s' "$1" | hex) $(stat -L -c '%a' -- "$1" 2>/dev/null) $text"
}

show "$list"
parts=\${parts%/}
for file in "$parts"/*.list; do
  show "$file"
done
echo end=1
`;

// src/modules/apt-sources.ts
var SOURCE_TYPES = /* @__PURE__ */ new Set(["deb", "deb-src"]);
function words(text5) {
  return text5.split(/\s+/).filter((word) => word !== "");
}
function parseSourceLine(raw) {
  let line = raw.trim();
  let enabled = true;
  if (line.startsWith("#")) {
    enabled = false;
    line = line.slice(1);
  }
  let comment = "";
  const hash = line.indexOf("#");
  if (hash > 0) {
    comment = line.slice(hash + 1).trim();
    line = line.slice(0, hash);
  }
  let source = line.trim();
  let valid = false;
  if (source !== "") {
    const chunks = words(source);
    if (SOURCE_TYPES.has(chunks[0])) {
      valid = true;
      source = chunks.join(" ");
    }
  }
  return { valid, enabled, source, comment };
}
function formatSourceLine(line) {
  return `${line.enabled ? "" : "# "}${line.source}${line.comment ? ` # ${line.comment}` : ""}
`;
}
function textLines(text5) {
  return (text5.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? []).map(
    (line) => line.replace(/(?:\r\n|\r|\n)$/, "")
  );
}
function formatSourcesFile(file) {
  return file.lines.map(formatSourceLine).join("");
}
async function fetchKey(ctx, url, validateCerts) {
  return httpRequest(await ctx.connection(), {
    url,
    timeoutSeconds: 10,
    validateCerts,
    followRedirects: "urllib2",
    environment: ctx.environment,
    deadlineMs: ctx.timeoutMs
  });
}
var scripts2 = /* @__PURE__ */ new Map();
async function runAptScript2(ctx, name, source, args, stdin, deadlineMs = ctx.timeoutMs) {
  const connection = await ctx.connection();
  let runner = scripts2.get(name);
  if (runner === void 0) {
    runner = new ModuleScript(name, source);
    scripts2.set(name, runner);
  }
  const answer = await runner.run(connection, args, {
    timeoutMs: deadlineMs,
    stdin,
    environment: ctx.environment
  });
  const tool = answer.get("missing_tool");
  if (tool !== void 0) {
    throw new ModuleArgumentError(
      `${ctx.task.action ?? name}: the target ${connection.host} has no ${tool} command: it is no apt system (install apt, or use the module of its package manager)`
    );
  }
  return answer;
}
async function readSources(ctx) {
  const answer = await runAptScript2(ctx, "apb-apt-sources", apt_sources_probe_default, [], Buffer.alloc(0));
  const files = /* @__PURE__ */ new Map();
  const unreadable = [];
  const entries = answer.all("file").map((line) => {
    const [pathHex = "", mode = "", text5 = "-"] = line.split(" ");
    return { path: fromHex(pathHex).toString("utf8"), mode, text: text5 };
  });
  const listPath = answer.bytes("list_hex")?.toString("utf8") ?? "/etc/apt/sources.list";
  const [list, parts] = [
    entries.filter((entry) => entry.path === listPath),
    entries.filter((entry) => entry.path !== listPath).sort((a, b) => cmp(a.path, b.path))
  ];
  for (const entry of [...list, ...parts]) {
    if (entry.text === "-") {
      unreadable.push(entry.path);
      continue;
    }
    const text5 = fromHex(entry.text).toString("utf8");
    files.set(entry.path, {
      path: entry.path,
      mode: parseInt(entry.mode, 8),
      lines: textLines(text5).map(parseSourceLine),
      raw: text5
    });
  }
  if (unreadable.length > 0) {
    throw new ModuleArgumentError(
      `cannot read ${unreadable.join(", ")}: [Errno 13] Permission denied (run the task with become: true)`
    );
  }
  return {
    listPath,
    partsDir: (answer.bytes("parts_hex")?.toString("utf8") ?? "/etc/apt/sources.list.d").replace(
      /\/+$/,
      ""
    ),
    umask: parseInt(answer.get("umask") ?? "022", 8),
    codename: answer.get("codename") ?? "",
    files
  };
}
function cmp(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}
async function writeSources(ctx, changes, revert, update) {
  const chunks = [];
  let offset = 0;
  const ops = (list, write, remove) => list.map((change) => {
    if (change.remove) return `${remove}:${change.path}`;
    const bytes = Buffer.isBuffer(change.text) ? change.text : Buffer.from(change.text, "utf8");
    chunks.push(bytes);
    const op = `${write}:${offset}:${bytes.length}:${change.mode === void 0 ? "" : change.mode.toString(8)}:${change.path}`;
    offset += bytes.length;
    return op;
  });
  const args = [
    String(update?.retries ?? 0),
    String(update?.maxDelay ?? 0),
    update ? "1" : "0",
    ...ops(changes, "w", "d"),
    ...ops(revert, "r", "x")
  ];
  const retries = Math.max(0, update?.retries ?? 0);
  let waits = 0;
  for (let attempt = 0; attempt < retries; attempt++)
    waits += Math.min(2 ** attempt, update.maxDelay) + 1;
  const answer = await runAptScript2(
    ctx,
    "apb-apt-sources-act",
    apt_sources_act_default,
    args,
    Buffer.concat(chunks),
    ctx.timeoutMs * (1 + retries) + waits * 1e3
  );
  const failed4 = answer.get("failed");
  if (failed4 === "write") {
    return { ok: false, msg: answer.bytes("error_hex")?.toString("utf8").trim() ?? "write failed" };
  }
  if (failed4 === "update") {
    return {
      ok: false,
      msg: `Failed to update apt cache: ${updateErrors(answer.bytes("update_err_hex")?.toString("utf8") ?? "")}`
    };
  }
  return { ok: true };
}
function updateErrors(stderr) {
  const errors = textLines(stderr).filter((line) => line.startsWith("E: ")).map((line) => `E:${line.slice(3)}`);
  return errors.length > 0 ? errors.join(", ") : "unknown reason";
}
function modeFor(mode, current, umask, path27) {
  try {
    return { mode: wantedMode(mode, current, umask, false) };
  } catch (error) {
    return {
      failure: {
        changed: false,
        failed: true,
        path: path27,
        msg: "mode must be in octal or symbolic form",
        details: error instanceof Error ? error.message : String(error)
      }
    };
  }
}

// src/modules/apt-key.ts
var FAILED_TO = "apt-key did not return an error, but %s (check that the id is correct and *not* a subkey)";
var aptKeyModule = {
  name: "apt_key",
  supportsCheckMode: true,
  args: {
    options: {
      id: { type: "str" },
      url: { type: "str" },
      data: { type: "str" },
      file: { type: "path" },
      keyring: { type: "path" },
      validate_certs: { type: "bool", default: true },
      keyserver: { type: "str" },
      state: { type: "str", default: "present", choices: ["absent", "present"] }
    },
    mutuallyExclusive: [["data", "file", "keyserver", "url"]]
  },
  async run(ctx) {
    const givenId = ctx.args["id"] ?? null;
    const url = ctx.args["url"];
    const keyserver = ctx.args["keyserver"];
    const file = ctx.args["file"];
    const keyring = ctx.args["keyring"] ?? "";
    const state = ctx.args["state"];
    let data = typeof ctx.args["data"] === "string" && ctx.args["data"] !== "" ? Buffer.from(ctx.args["data"]) : void 0;
    const download2 = async () => {
      const response = await fetchKey(ctx, url, ctx.args["validate_certs"]);
      const message2 = response.failure ? fetchUrlMessage(response.failure) : response.status !== 200 ? statusMessage(response) : void 0;
      if (message2 !== void 0) return failed(`Failed to download key at ${url}: ${message2}`);
      return response.body ?? Buffer.alloc(0);
    };
    if (keyserver && !givenId) return failed("Missing key_id, required with keyserver.");
    const receive2 = async (keyId2) => {
      const lookup = hkpLookupUrl(keyserver, keyId2);
      if (lookup === void 0)
        return failed(
          `keyserver ${JSON.stringify(keyserver)} is no key server address: give HOST, HOST:PORT, or hkp://, hkps://, http:// or https:// with a host`
        );
      const response = await fetchKey(ctx, lookup, ctx.args["validate_certs"]);
      if (response.status === 404)
        return failed(`Key ${keyId2} not found on keyserver ${keyserver}`);
      if (response.failure || response.status !== 200) {
        return {
          ...failed(`Error fetching key ${keyId2} from keyserver: ${keyserver}`),
          url: lookup,
          ...response.failure ? { reason: fetchUrlMessage(response.failure) } : { reason: statusMessage(response) }
        };
      }
      return response.body ?? Buffer.alloc(0);
    };
    let keyId = givenId;
    let source = { kind: "none" };
    if (!keyId) {
      if (url) {
        const body = await download2();
        if (!Buffer.isBuffer(body)) return body;
        data = body;
      }
      if (file) source = { kind: "file", path: file };
      else if (data) source = { kind: "data", data };
    }
    const read = await runKeyScript(ctx, "read", keyring, source);
    if (read.tool) {
      if (read.tool.rc !== 0) {
        return {
          ...failed(
            `Unable to extract key from '${source.kind === "file" ? source.path : "inline data"}'`
          ),
          ...withOutput2(read.tool)
        };
      }
      keyId = keysOf(read.tool.stdout)[0] ?? null;
    }
    const result = { changed: false, id: keyId };
    const parsed = parseKeyId(keyId);
    if (!parsed) return { ...result, ...failed("Invalid key_id") };
    Object.assign(result, { short_id: parsed.short, fp: parsed.fingerprint, key_id: parsed.keyId });
    const short = parsed.keyId.length === 8;
    const listed = (run2) => {
      if (run2.list.rc !== 0) {
        return {
          ...failed("Unable to list public keys"),
          cmd: `${run2.aptKey}${keyring ? ` --keyring ${keyring}` : ""} adv --list-public-keys --keyid-format=long`,
          rc: run2.list.rc,
          ...withOutput2(run2.list)
        };
      }
      const keys = keysOf(run2.list.stdout);
      return short ? keys.map((key) => key.slice(-8)) : keys;
    };
    const before = listed(read);
    if (!Array.isArray(before)) return before;
    result["before"] = before;
    const has = (keys) => keys.includes(short ? parsed.short : parsed.fingerprint);
    if (state === "present") {
      if (has(before)) return result;
      result["changed"] = true;
      if (ctx.check) return result;
      let add;
      if (file) add = { kind: "file", path: file };
      else if (data) add = { kind: "data", data };
      else if (url) {
        const body = await download2();
        if (!Buffer.isBuffer(body)) return body;
        add = { kind: "data", data: body };
      } else if (keyserver) {
        const body = await receive2(parsed.keyId);
        if (!Buffer.isBuffer(body)) return body;
        add = { kind: "data", data: body };
      } else return { ...result, failed: true, msg: "No key to add ... how did i get here?!?!" };
      const run2 = await runKeyScript(ctx, "add", keyring, add);
      if (run2.tool && run2.tool.rc !== 0) {
        const what = add.kind === "file" ? add.path : "-";
        return {
          ...failed(
            add.kind === "file" ? `Unable to add a key from file ${add.path}` : "Unable to add a key from binary data"
          ),
          cmd: `${run2.aptKey}${keyring ? ` --keyring ${keyring}` : ""} add ${what}`,
          rc: run2.tool.rc,
          ...add.kind === "file" ? { keyfile: add.path } : {},
          ...withOutput2(run2.tool)
        };
      }
      const after2 = listed(run2);
      if (!Array.isArray(after2)) return after2;
      result["after"] = after2;
      if (!has(after2))
        return { ...result, failed: true, msg: FAILED_TO.replace("%s", "failed to add the key") };
      return result;
    }
    if (!before.includes(parsed.fingerprint)) return result;
    result["changed"] = true;
    if (ctx.check) return result;
    const run = await runKeyScript(ctx, "del", keyring, { kind: "none" }, parsed.short);
    if (run.tool && run.tool.rc !== 0) {
      return {
        ...failed(`Unable to remove a key with id ${parsed.short}`),
        cmd: `${run.aptKey}${keyring ? ` --keyring ${keyring}` : ""} del ${parsed.short}`,
        rc: run.tool.rc,
        key_id: parsed.short,
        ...withOutput2(run.tool)
      };
    }
    const after = listed(run);
    if (!Array.isArray(after)) return after;
    result["after"] = after;
    if (after.includes(parsed.fingerprint))
      return { ...result, failed: true, msg: FAILED_TO.replace("%s", "the key was not removed") };
    return result;
  }
};
function hkpLookupUrl(keyserver, keyId) {
  const match = /^(?:([A-Za-z][A-Za-z0-9+.-]*):\/\/)?([^/?#\s]+)\/?$/.exec(keyserver.trim());
  if (!match) return void 0;
  const scheme = (match[1] ?? "hkp").toLowerCase();
  let authority = match[2];
  let web;
  if (scheme === "hkp" || scheme === "http") {
    web = "http";
    if (scheme === "hkp" && !/:\d+$/.test(authority)) authority += ":11371";
  } else if (scheme === "hkps" || scheme === "https") {
    web = "https";
  } else return void 0;
  const search = encodeURIComponent(`0x${keyId}`);
  return `${web}://${authority}/pks/lookup?op=get&options=mr&search=${search}`;
}
function failed(msg) {
  return { changed: false, failed: true, msg };
}
function withOutput2(run) {
  return {
    stdout: run.stdout,
    stderr: run.stderr,
    stdout_lines: textLines(run.stdout),
    stderr_lines: textLines(run.stderr)
  };
}
function parseKeyId(id) {
  if (id === null || !/^\s*(?:0[xX])?[0-9a-fA-F]+(?:_[0-9a-fA-F]+)*\s*$/.test(id)) return void 0;
  let keyId = id.toUpperCase();
  if (keyId.startsWith("0X")) keyId = keyId.slice(2);
  if (keyId.length !== 8 && keyId.length !== 16 && keyId.length <= 16) return void 0;
  return {
    short: keyId.slice(-8),
    fingerprint: keyId.length > 16 ? keyId.slice(-16) : keyId,
    keyId
  };
}
function keysOf(output2) {
  const found = [];
  for (const line of output2.split("\n")) {
    if (!(line.startsWith("pub") || line.startsWith("sub")) || line.includes("expired")) continue;
    const slash = line.split(/\s+/).filter(Boolean)[1]?.split("/");
    if (slash?.length === 2) {
      found.push(slash[1]);
      continue;
    }
    const fields = line.split(":");
    if (fields.length > 4) found.push(fields[4]);
  }
  return found;
}
var KEY_SCRIPT = new ModuleScript("apb-apt-key", apt_key_default, "apt_key");
async function runKeyScript(ctx, op, keyring, source, id = "") {
  const connection = await ctx.connection();
  const answer = await KEY_SCRIPT.run(
    connection,
    [op, keyring, source.kind, source.kind === "file" ? source.path : id],
    {
      timeoutMs: ctx.timeoutMs,
      stdin: source.kind === "data" ? source.data : Buffer.alloc(0),
      environment: ctx.environment
    }
  );
  const tool = answer.get("missing_tool");
  if (tool !== void 0) {
    throw new ModuleArgumentError(
      `apt_key: the target ${connection.host} has no ${tool} command (apt_key drives apt-key and gpg: install ${tool === "gpg" ? "gnupg" : "apt"}, or, as apt-key is deprecated, put the key in /etc/apt/keyrings with get_url or copy and name it in the source's signed-by)`
    );
  }
  const run = (prefix) => {
    const rc = answer.int(`${prefix}rc`);
    if (rc === void 0) return void 0;
    return {
      rc,
      stdout: answer.bytes(`${prefix}out_hex`)?.toString("utf8") ?? "",
      stderr: answer.bytes(`${prefix}err_hex`)?.toString("utf8") ?? ""
    };
  };
  const tooled = run(op === "read" ? "gpg_" : "");
  return {
    aptKey: answer.bytes("apt_key_hex")?.toString("utf8") ?? "apt-key",
    ...tooled ? { tool: tooled } : {},
    list: run("list_") ?? { rc: -1, stdout: "", stderr: "" }
  };
}

// src/modules/apt-repository.ts
var aptRepositoryModule = {
  name: "apt_repository",
  supportsCheckMode: true,
  args: {
    options: {
      repo: { type: "str", required: true },
      state: { type: "str", default: "present", choices: ["absent", "present"] },
      mode: { type: "raw" },
      update_cache: { type: "bool", default: true, aliases: ["update-cache"] },
      update_cache_retries: { type: "int", default: 5 },
      update_cache_retry_max_delay: { type: "int", default: 12 },
      filename: { type: "str" },
      // Ansible installs python3-apt for its own module; ours needs no Python on the target.
      install_python_apt: { type: "bool", default: true },
      // Used by Ansible only to ask Launchpad about a PPA, which is refused here.
      validate_certs: { type: "bool", default: true },
      codename: { type: "str" }
    }
  },
  async run(ctx) {
    const repo = ctx.args["repo"];
    const state = ctx.args["state"];
    if (!repo) return failed2("Please set argument 'repo' to a non-empty value");
    const sources = await readSources(ctx);
    const before = dump(sources.files);
    const files = new Map(
      [...sources.files].map(([path27, file]) => [path27, { ...file, lines: [...file.lines] }])
    );
    const grown = /* @__PURE__ */ new Set();
    const codename = ctx.args["codename"] || sources.codename;
    let source;
    let ppa = false;
    if (repo.startsWith("ppa:")) {
      ppa = true;
      source = ppaSource(repo, codename);
    } else {
      const line = parseSourceLine(repo);
      if (!line.valid || !line.enabled)
        return failed2(`Invalid repository string: ${invalidText(repo)}`);
      source = line.source;
    }
    if (state === "present") {
      const enabledCopy = [...files.values()].some(
        (file) => file.lines.some((line) => line.valid && line.enabled && line.source === source)
      );
      if (ppa && !enabledCopy) {
        return failed2(
          `apt_repository cannot add ${repo} yet: a PPA's signing key is found through Launchpad's API, which is not implemented; add the key with apt_key (keyserver: keyserver.ubuntu.com and the PPA's key id, or url, data or file) and the line as 'deb http://ppa.launchpad.net/OWNER/NAME/ubuntu ${codename || "CODENAME"} main'`
        );
      }
      let found = false;
      for (const file of files.values()) {
        file.lines = file.lines.map((line) => {
          if (!line.valid || line.source !== source) return line;
          found = true;
          return line.enabled ? line : { ...line, enabled: true };
        });
      }
      if (!found) {
        const path27 = targetPath(sources, ctx.args["filename"], source);
        const file = files.get(path27) ?? { path: path27, lines: [] };
        file.lines = [...file.lines, { valid: true, enabled: true, source, comment: "" }];
        files.set(path27, file);
        grown.add(path27);
      }
    } else {
      for (const file of files.values()) {
        file.lines = file.lines.filter(
          (line) => !(line.valid && line.enabled && line.source === source)
        );
      }
    }
    const after = dump(files);
    const changed = !sameDump(before, after);
    const result = { changed, repo, state };
    const added = [...after.keys()].filter((path27) => !before.has(path27)).sort();
    const removed = [...before.keys()].filter((path27) => !after.has(path27)).sort();
    let diff = {};
    if (changed && ctx.diff) {
      diff = [.../* @__PURE__ */ new Set([...before.keys(), ...after.keys()])].sort().map((path27) => ({
        before: before.get(path27) ?? "",
        after: after.get(path27) ?? "",
        before_header: before.has(path27) ? path27 : "/dev/null",
        after_header: after.has(path27) ? path27 : "/dev/null"
      }));
    }
    Object.assign(result, { sources_added: added, sources_removed: removed, diff });
    if (!changed || ctx.check) return result;
    const changes = [];
    const revert = [];
    let modeFailure;
    for (const path27 of files.keys()) {
      const old = sources.files.get(path27);
      const text5 = after.get(path27);
      if (text5 === void 0) {
        if (old) {
          changes.push({ path: path27, remove: true });
          revert.push(revertOf(path27, before));
        }
        continue;
      }
      const modeArg = ctx.args["mode"];
      let mode;
      if (grown.has(path27) && modeArg !== null && modeArg !== void 0) {
        const wanted = modeFor(modeArg, old?.mode ?? 438 & ~sources.umask, sources.umask, path27);
        if ("failure" in wanted) modeFailure ??= wanted.failure;
        else mode = wanted.mode;
      }
      if (old && mode === void 0 && text5 === old.raw) continue;
      changes.push({ path: path27, text: text5, ...mode === void 0 ? {} : { mode } });
      revert.push(old ? revertOf(path27, before) : { path: path27, remove: true });
    }
    const outcome = await writeSources(
      ctx,
      changes,
      revert,
      ctx.args["update_cache"] && !modeFailure ? {
        retries: ctx.args["update_cache_retries"],
        maxDelay: ctx.args["update_cache_retry_max_delay"]
      } : void 0
    );
    if (!outcome.ok) return failed2(outcome.msg);
    return modeFailure ?? result;
  }
};
function failed2(msg) {
  return { changed: false, failed: true, msg };
}
function dump(files) {
  const out = /* @__PURE__ */ new Map();
  for (const [path27, file] of files)
    if (file.lines.length > 0) out.set(path27, formatSourcesFile(file));
  return out;
}
function sameDump(a, b) {
  return a.size === b.size && [...a].every(([path27, text5]) => b.get(path27) === text5);
}
function revertOf(path27, before) {
  const text5 = before.get(path27);
  return text5 === void 0 ? { path: path27, remove: true } : { path: path27, text: text5 };
}
function invalidText(repo) {
  let line = repo.trim();
  if (line.startsWith("#")) line = line.slice(1);
  const hash = line.indexOf("#");
  return hash > 0 ? line.slice(0, hash) : line;
}
function ppaSource(repo, codename) {
  const ppa = repo.split(":")[1] ?? "";
  const [owner = "", name = "ppa"] = ppa.split("/");
  return `deb http://ppa.launchpad.net/${owner}/${name}/ubuntu ${codename} main`;
}
function targetPath(sources, filename, source) {
  const name = filename !== null && filename !== void 0 ? `${filename}.list` : suggestedFileName(source);
  if (name.includes("/")) return name;
  return normalizePath(`${sources.partsDir}/${name}`);
}
function suggestedFileName(source) {
  const stripped = source.replace(/\[[^\]]+\]/g, "").replace(/[\p{L}\p{N}_]+:\/\//gu, "");
  const parts = words(stripped).filter((word) => word !== "deb" && word !== "deb-src");
  let first = parts[0] ?? "";
  if (first.includes("@")) first = first.slice(first.indexOf("@") + 1);
  return `${words(first.replace(/[^a-zA-Z0-9]/g, " ")).join("_")}.list`;
}
function normalizePath(path27) {
  const out = [];
  for (const part of path27.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return `/${out.join("/")}`;
}

// src/modules/assemble.ts
import { createHash as createHash2 } from "node:crypto";

// src/modules/controller-files.ts
import { readFileSync, statSync } from "node:fs";
import path3 from "node:path";
function findControllerFile(src, kind, ctx, options2 = {}) {
  const searched = [ctx.task.role?.path, ctx.task.dir, ctx.baseDir].filter(
    (dir) => dir !== void 0
  );
  const dirs = searched.filter((dir, i, all) => all.indexOf(dir) === i);
  const places = (list) => path3.isAbsolute(src) ? [src] : list.flatMap((dir) => [path3.resolve(dir, kind, src), path3.resolve(dir, src)]);
  const candidates = places(dirs);
  let directory;
  for (const candidate of candidates) {
    try {
      const stat = statSync(candidate);
      if (stat.isFile()) return candidate;
      if (stat.isDirectory()) {
        if (options2.directories) return candidate;
        directory ??= candidate;
      }
    } catch {
    }
  }
  if (directory) {
    throw new ModuleArgumentError(
      `src '${src}' is a directory (${directory}); copying directories is not supported yet`
    );
  }
  throw new ModuleArgumentError(
    `Could not find or access '${src}'
Searched in:
${places(searched).map((c) => `	${c}`).join("\n")} on the Ansible Controller.
If you are using a module and expect the file to exist on the remote, see the remote_src option`
  );
}
function readSourceFile(file, args) {
  const decrypt = args["decrypt"] === void 0 || ansibleBoolean(args["decrypt"], "lenient");
  return decrypt ? readControllerFile(file) : readFileSync(file);
}

// src/modules/assemble.ts
import { readdirSync, statSync as statSync2 } from "node:fs";
import path4 from "node:path";

// src/modules/wait-for.ts
import { isIP } from "node:net";

// src/modules/path-info.sh
var path_info_default = `#!/bin/sh
# apb-path-info: functions prepended to the module scripts that report a path (wait-for.sh,
# tempfile.sh, assemble.sh). POSIX sh.
#
# describe_path prints the fields Ansible's exit_json adds to a result naming an existing path (its
# owner, group, mode, kind and size; of the path itself, not of what a link leads to), read by
# src/modules/path-info.ts. home_path expands the ~ and ~/\u2026 of an argument of type path, as Python's
# expanduser does.
describe_path() {
  [ -e "$1" ] || return 0
  if info=$(LC_ALL=C stat -c '%u %g %a %h %s' -- "$1" 2>/dev/null); then
    echo "info=$info"
    echo "owner=$(stat -c %U -- "$1")"
    echo "group=$(stat -c %G -- "$1")"
  fi
  if [ -L "$1" ]; then
    echo kind=link
  elif [ -d "$1" ]; then
    echo kind=directory
  fi
}

# Sets $expanded to $1 with a leading ~ or ~/ replaced by $HOME (a literal ~ is what is matched).
# shellcheck disable=SC2088,SC2034
home_path() {
  case $1 in
    '~') expanded=$HOME ;;
    '~/'*) expanded=$HOME/\${1#'~/'} ;;
    *) expanded=$1 ;;
  esac
}
`;

// src/modules/path-info.ts
function pathInfoFields(values) {
  const info = values.get("info");
  if (info === void 0) return {};
  const [uid, gid, mode, links, size] = info.split(" ");
  const kind = values.get("kind") ?? (Number(links) > 1 ? "hard" : "file");
  return {
    gid: Number(gid),
    group: values.get("group") ?? gid,
    mode: `0${(mode ?? "").padStart(3, "0")}`,
    owner: values.get("owner") ?? uid,
    size: Number(size),
    state: kind,
    uid: Number(uid)
  };
}

// src/modules/wait-for.sh
var wait_for_default = `#!/bin/sh
# apb-wait-for: waits on the target for a port, a path or a drained port, looping here (never from the
# controller) until the condition holds or the deadline passes. POSIX sh, no Python.
#
# Run as:  /bin/sh -c "<this text>" apb-wait-for <what> <delay> <timeout_ms> <sleep> <args\u2026>
# (src/modules/wait-for.ts builds the command and parses the answer)
#
#   what        sleep | port | path | drained
#   delay       seconds to sleep first (they count against the timeout, as in Ansible)
#   timeout_ms  how long to wait, from the start (before the delay)
#   sleep       seconds between checks
#   port:     <host> <port> <started|stopped> <connect_timeout>
#   path:     <path> <present|absent> <regex: 0|1> <signature of the content already seen, or empty>
#   drained:  <port as 4 hex digits> <state codes, e.g. "01 06"> <local addresses> <excluded remotes>
#             (addresses as /proc/net/tcp{,6} write them, prefixed 4: or 6:, blank-separated)
#
# describe_path (path-info.sh) is prepended by wait-for.ts.
#
# The answer is key=value lines, then a line \`--\`; with result=content the file's bytes follow it.
#   result=ok | timeout | content | staterror | missing
set -u
what=$1 delay=$2 timeout_ms=$3 pause=$4
shift 4

has() {
  command -v "$1" >/dev/null 2>&1
}

# Milliseconds since the epoch (seconds \xD7 1000 where date has no %N, as busybox's).
now_ms() {
  n=$(date +%s%N)
  case $n in
    *[!0-9]*) n=$(date +%s) && echo $((n * 1000)) ;;
    *) echo $((n / 1000000)) ;;
  esac
}

start=$(now_ms)
end=$((start + timeout_ms))

finish() {
  echo "elapsed_ms=$(($(now_ms) - start))"
  echo --
  exit 0
}

time_left() {
  [ "$(now_ms)" -lt "$end" ]
}

[ "$delay" -gt 0 ] && sleep "$delay"

case $what in
  sleep)
    sleep $((timeout_ms / 1000))
    echo result=ok
    finish
    ;;

  port)
    host=$1 port=$2 state=$3 connect_timeout=$4
    # How a connection is tried, from the most to the least common on a Linux target. The first that
    # is installed is used.
    tool=
    if has bash && has timeout; then
      tool=bash
    elif has nc && nc -h 2>&1 | grep -q -- '-z'; then
      tool=nc
    elif has ncat; then
      tool=ncat
    elif has busybox && busybox nc --help 2>&1 | grep -q 'Usage: nc'; then
      tool=busybox
    elif has bash; then
      tool=bash-no-timeout
    else
      case $host in
        127.* | localhost | ::1 | 0.0.0.0 | ::) [ -r /proc/net/tcp ] && tool=proc ;;
      esac
    fi
    if [ -z "$tool" ]; then
      echo result=missing
      echo "missing=nc, ncat, bash or busybox nc (/proc/net/tcp only answers for a local host)"
      finish
    fi
    echo "tool=$tool"
    # Whether the port accepts a connection within $1 seconds.
    # shellcheck disable=SC2016 # bash expands $0 and $1, the host and the port
    connects() {
      case $tool in
        bash) timeout "$1" bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$host" "$port" 2>/dev/null ;;
        bash-no-timeout) bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$host" "$port" 2>/dev/null ;;
        nc) nc -z -w "$1" "$host" "$port" </dev/null >/dev/null 2>&1 ;;
        ncat) ncat -z -w "$1" "$host" "$port" </dev/null >/dev/null 2>&1 ;;
        busybox) busybox nc -w "$1" "$host" "$port" </dev/null >/dev/null 2>&1 ;;
        proc)
          # Something listens (state 0A) on the port, on any address or a loopback one.
          hexport=$(printf '%04X' "$port")
          cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v p="$hexport" '
            $4 == "0A" { split($2, a, ":"); if (a[2] == p) found = 1 }
            END { exit found ? 0 : 1 }'
          ;;
      esac
    }
    while time_left; do
      if [ "$state" = started ]; then
        # The connect timeout, or the seconds left if fewer (rounded up), as Ansible does.
        left=$(((end - $(now_ms) + 999) / 1000))
        ct=$connect_timeout
        [ "$left" -lt "$ct" ] && ct=$left
        [ "$ct" -lt 1 ] && ct=1
        if connects "$ct"; then
          echo result=ok
          finish
        fi
      elif ! connects "$connect_timeout"; then
        echo result=ok
        finish
      fi
      sleep "$pause"
    done
    echo result=timeout
    finish
    ;;

  path)
    home_path "$1"
    # shellcheck disable=SC2154 # set by home_path (path-info.sh)
    path=$expanded state=$2 regex=$3 seen=$4
    echo "path=$path"
    case $path in -*) path=./$path ;; esac
    while time_left; do
      if [ "$state" = absent ]; then
        if [ ! -e "$path" ]; then
          echo result=ok
          finish
        fi
      elif [ -e "$path" ]; then
        if [ "$regex" = 0 ]; then
          echo result=ok
          describe_path "$path"
          finish
        fi
        # A file it can read that is not empty: its contents go to the controller, which matches
        # them, only when they differ from those it has already seen.
        if [ -f "$path" ] && [ -r "$path" ] && [ -s "$path" ]; then
          sig=$(cksum <"$path" 2>/dev/null) || sig=
          if [ -n "$sig" ] && [ "$sig" != "$seen" ]; then
            echo result=content
            echo "sig=$sig"
            describe_path "$path"
            echo "elapsed_ms=$(($(now_ms) - start))"
            echo --
            exec cat -- "$path"
          fi
        fi
      elif [ ! -L "$path" ]; then
        # Missing, or a component that cannot be searched: only a missing path is waited for. One
        # that appeared since the test above reads fine now: look again at once.
        if error=$(LC_ALL=C ls -d -- "$path" 2>&1 >/dev/null); then
          continue
        fi
        case $error in
          *'No such file or directory'*) ;;
          *)
            echo result=staterror
            echo "error=\${error##*: }"
            finish
            ;;
        esac
      fi
      sleep "$pause"
    done
    echo result=timeout
    finish
    ;;

  drained)
    hexport=$1 states=$2 locals=$3 excluded=$4
    if [ ! -r /proc/net/tcp ] && [ ! -r /proc/net/tcp6 ]; then
      echo result=missing
      echo "missing=/proc/net/tcp and /proc/net/tcp6"
      finish
    fi
    echo tool=proc
    # How many connections to the port are in an active state, on the host's addresses, from
    # anything but the excluded hosts.
    active() {
      for family in 4 6; do
        file=/proc/net/tcp
        [ "$family" = 6 ] && file=/proc/net/tcp6
        [ -r "$file" ] || continue
        awk -v f="$family" -v p="$hexport" -v states=" $states " -v locals=" $locals " \\
          -v excluded=" $excluded " '
          NR > 1 {
            split($2, l, ":"); split($3, r, ":")
            if (l[2] != p || index(states, " " $4 " ") == 0) next
            if (index(excluded, " " f ":" r[1] " ")) next
            any = (f == 4) ? "00000000" : "00000000000000000000000000000000"
            if (index(locals, " " f ":" l[1] " ") || index(locals, " " f ":" any " ") ||
                (f == 6 && substr(l[1], 1, 24) == "0000000000000000FFFF0000" &&
                 index(locals, " 6:0000000000000000FFFF000000000000 ")))
              n++
          }
          END { print n + 0 }' "$file"
      done | awk '{ n += $1 } END { print n + 0 }'
    }
    while time_left; do
      if [ "$(active)" -eq 0 ]; then
        echo result=ok
        finish
      fi
      sleep "$pause"
    done
    echo result=timeout
    finish
    ;;
esac
echo "result=missing"
echo "missing=a known check (got $what)"
finish
`;

// src/modules/wait-for.ts
var CONNECTION_STATES = {
  ESTABLISHED: "01",
  SYN_SENT: "02",
  SYN_RECV: "03",
  FIN_WAIT1: "04",
  FIN_WAIT2: "05",
  TIME_WAIT: "06"
};
var SEARCH_CAP_BYTES = 16 * 1024 * 1024;
var DEADLINE_MARGIN_SECONDS = 30;
var compacted3 = compactScript(`${path_info_default}
${wait_for_default}`);
var waitForModule = {
  name: "wait_for",
  // Ansible 2.14's wait_for module does not declare check mode support (its documentation says `full`):
  // it is skipped with 'remote module (wait_for) does not support check mode'.
  supportsCheckMode: false,
  args: {
    options: {
      host: { type: "str", default: "127.0.0.1" },
      timeout: { type: "int", default: 300 },
      connect_timeout: { type: "int", default: 5 },
      delay: { type: "int", default: 0 },
      port: { type: "int" },
      active_connection_states: {
        type: "list",
        elements: "str",
        default: ["ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2", "SYN_RECV", "SYN_SENT", "TIME_WAIT"]
      },
      path: { type: "path" },
      search_regex: { type: "str" },
      state: {
        type: "str",
        default: "started",
        choices: ["absent", "drained", "present", "started", "stopped"]
      },
      exclude_hosts: { type: "list", elements: "str" },
      sleep: { type: "int", default: 1 },
      msg: { type: "str" }
    }
  },
  async run(ctx) {
    const a = ctx.args;
    const host = a["host"];
    const timeout = a["timeout"];
    const connectTimeout = a["connect_timeout"];
    const delay = Math.max(0, a["delay"]);
    const sleep2 = Math.max(0, a["sleep"]);
    const port = a["port"] ?? null;
    let path27 = a["path"] ?? null;
    const searchRegex = a["search_regex"] ?? null;
    const state = a["state"];
    const msg = a["msg"] ?? null;
    const excludeHosts = a["exclude_hosts"] ?? null;
    const activeStates = a["active_connection_states"];
    const fail6 = (message2) => ({
      changed: false,
      failed: true,
      msg: message2,
      elapsed: 0
    });
    let regex;
    if (searchRegex !== null) {
      try {
        regex = translatePythonRegex(Buffer.from(searchRegex, "utf8").toString("latin1"), "bytes", {
          multiline: true
        });
      } catch (error) {
        return {
          changed: false,
          failed: true,
          msg: `Invalid regular expression: ${regexReason(error)}`
        };
      }
    }
    if (port && path27) return fail6("port and path parameter can not both be passed to wait_for");
    if (path27 && state === "stopped")
      return fail6("state=stopped should only be used for checking a port in the wait_for module");
    if (path27 && state === "drained")
      return fail6("state=drained should only be used for checking a port in the wait_for module");
    if (excludeHosts !== null && state !== "drained")
      return fail6("exclude_hosts should only be with state=drained");
    for (const name of activeStates) {
      if (!(name in CONNECTION_STATES))
        return fail6(`unknown active_connection_state (${name}) defined`);
    }
    if (port && regex && (state === "started" || state === "present")) {
      throw new ModuleArgumentError(
        "wait_for: search_regex is supported with path, not yet with port (reading what a server sends); wait for the port, then check its answer in a shell task"
      );
    }
    const common = (timeoutMs, delaySeconds2) => [
      String(delaySeconds2),
      String(Math.max(0, timeoutMs)),
      String(sleep2)
    ];
    const success = (elapsedMs2, extra = {}) => ({
      changed: false,
      elapsed: Math.floor(elapsedMs2 / 1e3),
      match_groupdict: {},
      match_groups: [],
      path: path27,
      port,
      search_regex: searchRegex,
      state,
      ...extra
    });
    const timedOut2 = (elapsedMs2, message2) => ({
      changed: false,
      failed: true,
      elapsed: Math.floor(elapsedMs2 / 1e3),
      msg: msg ?? message2
    });
    const budget = delay + Math.max(0, timeout);
    if (!port && !path27 && state !== "drained") {
      const answer = await runWait(ctx, ["sleep", ...common(timeout * 1e3, delay)], budget);
      return success(answer.elapsedMs);
    }
    if (state === "drained") {
      if (!port) return success(0);
      const args = [
        (port ?? 0).toString(16).toUpperCase().padStart(4, "0"),
        activeStates.map((name) => CONNECTION_STATES[name]).join(" "),
        procAddresses(host, "host").join(" "),
        (excludeHosts ?? []).flatMap((h) => procAddresses(h, "exclude_hosts")).join(" ")
      ];
      const answer = await runWait(
        ctx,
        ["drained", ...common(timeout * 1e3, delay), ...args],
        budget
      );
      if (answer.result === "ok") return success(answer.elapsedMs);
      return timedOut2(answer.elapsedMs, `Timeout when waiting for ${host}:${port} to drain`);
    }
    if (port) {
      const portState = state === "absent" || state === "stopped" ? "stopped" : "started";
      const answer = await runWait(
        ctx,
        [
          "port",
          ...common(timeout * 1e3, delay),
          host,
          String(port),
          portState,
          String(connectTimeout)
        ],
        budget + Math.max(0, connectTimeout)
      );
      if (answer.result === "ok") return success(answer.elapsedMs);
      return timedOut2(
        answer.elapsedMs,
        portState === "stopped" ? `Timeout when waiting for ${host}:${port} to stop.` : `Timeout when waiting for ${host}:${port}`
      );
    }
    const wanted = state === "absent" || state === "stopped" ? "absent" : "present";
    let seen = "";
    let elapsedMs = 0;
    let remainingMs = timeout * 1e3;
    let delaySeconds = delay;
    const given = path27;
    for (; ; ) {
      const answer = await runWait(
        ctx,
        ["path", ...common(remainingMs, delaySeconds), given, wanted, regex ? "1" : "0", seen],
        delaySeconds + Math.ceil(remainingMs / 1e3)
      );
      elapsedMs += answer.elapsedMs;
      path27 = answer.values.get("path") ?? given;
      if (answer.result === "ok") return success(elapsedMs, pathInfoFields(answer.values));
      if (answer.result === "staterror") {
        return {
          changed: false,
          failed: true,
          elapsed: Math.floor(elapsedMs / 1e3),
          msg: msg ?? `Failed to stat ${path27}, ${answer.values.get("error") ?? ""}`
        };
      }
      if (answer.result === "content" && regex) {
        const match = pythonSearch(regex, answer.content.toString("latin1"));
        if (match) {
          const text5 = (value) => value === void 0 ? null : Buffer.from(value, "latin1").toString("utf8");
          const groups = match.slice(1).map(text5);
          const named = Object.fromEntries(
            Object.entries(match.groups ?? {}).map(([k, v]) => [k, text5(v)])
          );
          return success(elapsedMs, {
            ...pathInfoFields(answer.values),
            match_groups: groups,
            match_groupdict: named
          });
        }
        seen = answer.values.get("sig") ?? "";
        remainingMs = timeout * 1e3 - elapsedMs;
        delaySeconds = 0;
        if (remainingMs > 0) continue;
      }
      if (wanted === "absent")
        return timedOut2(elapsedMs, `Timeout when waiting for ${path27} to be absent.`);
      if (searchRegex !== null)
        return timedOut2(
          elapsedMs,
          `Timeout when waiting for search string ${searchRegex} in ${path27}`
        );
      return timedOut2(elapsedMs, `Timeout when waiting for file ${path27}`);
    }
  }
};
async function runWait(ctx, args, budgetSeconds) {
  const connection = await ctx.connection();
  const timeoutMs = Math.max(ctx.timeoutMs, (budgetSeconds + DEADLINE_MARGIN_SECONDS) * 1e3);
  const command = shellJoin(["/bin/sh", "-c", compacted3, "apb-wait-for", ...args]);
  const res = await connection.run(command, {
    timeoutMs,
    outputCapBytes: SEARCH_CAP_BYTES + 64 * 1024
  });
  if (res.timedOut) {
    throw new CommandTimeoutError(
      `wait_for on ${connection.host} did not answer within ${timeoutMs} ms`,
      connection.host,
      timeoutMs
    );
  }
  const out = res.stdout;
  const headerEnd = out.indexOf("\n--\n");
  if (res.code !== 0 || headerEnd < 0) {
    const stderr = res.stderr.toString("utf8").trim();
    throw new ModuleArgumentError(
      `wait_for: the wait script failed on ${connection.host} (exit ${res.code ?? res.signal ?? "?"})` + (stderr ? `: ${stderr.slice(-400)}` : "")
    );
  }
  const values = /* @__PURE__ */ new Map();
  for (const line of out.subarray(0, headerEnd).toString("utf8").split("\n")) {
    const at = line.indexOf("=");
    if (at > 0 && !values.has(line.slice(0, at))) values.set(line.slice(0, at), line.slice(at + 1));
  }
  const content = out.subarray(headerEnd + 4);
  const result = values.get("result") ?? "";
  if (result === "missing") {
    throw new ModuleArgumentError(
      `wait_for: this check needs ${values.get("missing") ?? "a tool"} on ${connection.host}, and none is installed`
    );
  }
  if (result === "content" && (res.stdoutTruncated || content.length > SEARCH_CAP_BYTES)) {
    throw new ModuleArgumentError(
      `wait_for: search_regex reads files up to ${SEARCH_CAP_BYTES} bytes; this one is larger`
    );
  }
  const elapsedMs = Number(values.get("elapsed_ms") ?? "0");
  return { result, values, elapsedMs: Number.isFinite(elapsedMs) ? elapsedMs : 0, content };
}
function procAddresses(host, option) {
  const addresses = host === "localhost" ? ["127.0.0.1", "::1"] : isIP(host) !== 0 ? [host] : void 0;
  if (!addresses) {
    throw new ModuleArgumentError(
      `wait_for: state=drained needs ${option} as IP addresses (or localhost), got ${JSON.stringify(host)}`
    );
  }
  const out = [];
  for (const address of addresses) {
    if (isIP(address) === 4) {
      const bytes = address.split(".").map(Number);
      out.push(`4:${procWords(bytes)}`);
      out.push(`6:${procWords([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, ...bytes])}`);
    } else {
      out.push(`6:${procWords(ipv6Bytes(address))}`);
    }
  }
  return out;
}
function procWords(bytes) {
  let hex = "";
  for (let i = 0; i < bytes.length; i += 4) {
    for (const b of bytes.slice(i, i + 4).reverse())
      hex += b.toString(16).toUpperCase().padStart(2, "0");
  }
  return hex;
}
function ipv6Bytes(address) {
  let text5 = address;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text5);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number);
    text5 = `${text5.slice(0, v4.index)}${(a << 8 | b).toString(16)}:${(c << 8 | d).toString(16)}`;
  }
  const [head, tail3] = text5.includes("::") ? text5.split("::") : [text5, void 0];
  const headGroups = head ? head.split(":") : [];
  const tailGroups = tail3 ? tail3.split(":") : [];
  const groups = tail3 === void 0 ? headGroups : [
    ...headGroups,
    ...Array(8 - headGroups.length - tailGroups.length).fill("0"),
    ...tailGroups
  ];
  return groups.flatMap((g) => {
    const n = parseInt(g, 16);
    return [n >> 8 & 255, n & 255];
  });
}
function regexReason(error) {
  if (error instanceof PythonRegexError) return error.problem;
  const message2 = error instanceof Error ? error.message : String(error);
  return message2.slice(message2.lastIndexOf(": ") + 2) || message2;
}

// src/modules/assemble.sh
var assemble_default = `#!/bin/sh
# apb-assemble: reads a directory of fragments on the target for assemble, in one round trip.
# POSIX sh, no Python.
#
# Run as:  /bin/sh -c "<path-info.sh + this text>" apb-assemble <src> <ignore_hidden: 0|1>
# (src/modules/assemble.ts builds the command, then filters, orders and joins the fragments)
#
# The answer is key=value lines ending with end=1: src=<expanded src>, then state=missing | notdir |
# dir; for a directory one line per entry: entry=<kind>:<name in hex>:<contents in hex>, where kind is
# f (a regular file, or a link to one, that can be read: its contents follow), u (such a file that
# cannot be read) or o (anything else: no contents).
set -u
home_path "$1"
# shellcheck disable=SC2154 # set by home_path (path-info.sh)
src=$expanded hidden=$2
echo "src=$src"

hex() {
  od -An -v -tx1 | tr -d ' \\n'
}

if [ ! -e "$src" ]; then
  echo state=missing
elif [ ! -d "$src" ]; then
  echo state=notdir
else
  echo state=dir
  # Every name, hidden ones included (the glob's order does not matter: the controller sorts).
  for entry in "$src"/* "$src"/.*; do
    name=\${entry##*/}
    case $name in
      . | ..) continue ;;
      '*' | '.*') [ -e "$entry" ] || [ -L "$entry" ] || continue ;;
    esac
    if [ "$hidden" = 1 ]; then
      case $name in .*) continue ;; esac
    fi
    if [ -f "$entry" ] && [ -r "$entry" ]; then
      printf 'entry=f:%s:%s\\n' "$(printf '%s' "$name" | hex)" "$(hex <"$entry")"
    elif [ -f "$entry" ]; then
      printf 'entry=u:%s:\\n' "$(printf '%s' "$name" | hex)"
    else
      printf 'entry=o:%s:\\n' "$(printf '%s' "$name" | hex)"
    fi
  done
fi
echo end=1
`;

// src/modules/assemble.ts
var PROBE5 = { name: "apb-assemble", source: `${path_info_default}
${assemble_default}` };
var FRAGMENTS_CAP_BYTES = 16 * 1024 * 1024;
var SELINUX_AND_MORE = "SELinux contexts, attributes and unsafe_writes are not supported";
var assembleModule = {
  name: "assemble",
  supportsCheckMode: false,
  args: {
    side: "action",
    reportedAs: "ansible.legacy.assemble",
    // The action plugin takes (and drops) `decrypt`: its module never lists it. Vault-encrypted fragments
    // from the controller are decrypted unless it is false.
    hidden: ["decrypt"],
    options: {
      src: { type: "path", required: true },
      dest: { type: "path", required: true },
      delimiter: { type: "str" },
      backup: { type: "bool", default: false },
      remote_src: { type: "bool", default: true },
      regexp: { type: "str" },
      ignore_hidden: { type: "bool", default: false },
      validate: { type: "str" },
      mode: { type: "raw" },
      owner: { type: "str" },
      group: { type: "str" },
      attributes: { type: "str", aliases: ["attr"], notImplemented: SELINUX_AND_MORE },
      seuser: { type: "str", notImplemented: SELINUX_AND_MORE },
      serole: { type: "str", notImplemented: SELINUX_AND_MORE },
      selevel: { type: "str", notImplemented: SELINUX_AND_MORE },
      setype: { type: "str", notImplemented: SELINUX_AND_MORE },
      unsafe_writes: { type: "bool", default: false, notImplemented: SELINUX_AND_MORE }
    }
  },
  async run(ctx) {
    const a = ctx.args;
    const src = a["src"];
    const dest = await expandHome(ctx, a["dest"]);
    const remote = a["remote_src"];
    const delimiter = a["delimiter"] ?? null;
    const regexpText = a["regexp"] ?? null;
    const ignoreHidden = a["ignore_hidden"];
    const validate = a["validate"] || void 0;
    const mode = normaliseMode(a["mode"]);
    const owner = a["owner"] || void 0;
    const group = a["group"] || void 0;
    const failed4 = (msg) => ({ changed: false, failed: true, msg });
    const facts = factsFor(ctx);
    const [listing, destState] = await Promise.all([
      remote ? readRemoteFragments(ctx, src, ignoreHidden) : readLocalFragments(ctx, src),
      inspectRemote(facts, dest)
    ]);
    if ("error" in listing) return failed4(listing.error);
    let regexp;
    if (regexpText !== null) {
      try {
        regexp = translatePythonRegex(regexpText, "text");
      } catch (error) {
        return failed4(`Invalid Regexp (${regexReason(error)}) in "${regexpText}"`);
      }
    }
    if (validate !== void 0 && !validate.includes("%s"))
      return failed4(`validate must contain %s: ${validate}`);
    const content = join(listing.fragments, {
      delimiter,
      regexp,
      ignoreHidden,
      // Ansible's controller-side join always adds a newline after the delimiter (it compares a byte
      // with a one-byte string, which never matches); its module adds one only when it is missing.
      newlineAfterDelimiter: remote ? "when-missing" : "always"
    });
    if (destState.kind === "dir") return failed4(`attempted to take checksum of directory: ${dest}`);
    let result;
    try {
      result = await transferFile(facts, {
        dest,
        content,
        mode,
        force: true,
        backup: a["backup"],
        validate,
        state: destState,
        // The controller-side join (remote_src: false) shows its diff, as Ansible's action does.
        ...!remote && ctx.diff ? { diff: true, afterHeader: listing.src } : {},
        timeoutMs: ctx.timeoutMs
      });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      if (!remote) return validationFailure(error);
      return failed4(`failed to validate: rc:${error.exitStatus} error:${error.stderr}`);
    }
    if (owner !== void 0 || group !== void 0) {
      result = await applyOwnership(ctx, result, dest, owner, group);
    }
    if (result["failed"] === true) return result;
    if (!remote) result = withActionDiff(result, ctx.diff, dest, content, listing.src);
    const md5sum = createHash2("md5").update(content).digest("hex");
    return remote ? { ...result, md5sum, msg: "OK", src: listing.src } : { ...result, md5sum, src: listing.src };
  }
};
function withActionDiff(result, diffMode, dest, content, src) {
  const { diff, ...rest } = result;
  if (!diffMode) return rest;
  const written = Array.isArray(diff) ? diff[0] : void 0;
  if (written !== void 0) return { ...rest, diff: written };
  if (content.length > MAX_DIFF_BYTES2)
    return { ...rest, diff: { dst_larger: MAX_DIFF_BYTES2, src_larger: MAX_DIFF_BYTES2 } };
  if (content.includes(0)) return { ...rest, diff: { dst_binary: 1, src_binary: 1 } };
  const text5 = content.toString("utf8");
  return { ...rest, diff: { before_header: dest, before: text5, after_header: src, after: text5 } };
}
var MAX_DIFF_BYTES2 = 104448;
function join(fragments, options2) {
  const delimiter = options2.delimiter ? pythonEscapeDecode(options2.delimiter) : void 0;
  const parts = [];
  let first = true;
  let addNewline = false;
  const sorted = [...fragments].sort((x, y) => compareCodePoints(x.name, y.name));
  for (const fragment of sorted) {
    if (options2.regexp) {
      if (pythonSearch(options2.regexp, fragment.name) === null) continue;
    }
    if (!fragment.file && !fragment.unreadable) continue;
    if (options2.ignoreHidden && fragment.name.startsWith(".")) continue;
    if (fragment.unreadable) {
      throw new ModuleArgumentError(
        `assemble: cannot read the fragment ${fragment.name}: Permission denied`
      );
    }
    const content = fragment.content ?? Buffer.alloc(0);
    if (addNewline) parts.push(Buffer.from("\n"));
    if (!first && delimiter) {
      parts.push(delimiter);
      if (options2.newlineAfterDelimiter === "always" || delimiter.length === 0 || delimiter[delimiter.length - 1] !== 10)
        parts.push(Buffer.from("\n"));
    }
    parts.push(content);
    first = false;
    addNewline = !(content.length > 0 && content[content.length - 1] === 10);
  }
  return Buffer.concat(parts);
}
function compareCodePoints(x, y) {
  const a = [...x].map((c) => c.codePointAt(0));
  const b = [...y].map((c) => c.codePointAt(0));
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}
function pythonEscapeDecode(text5) {
  const bytes = Buffer.from(text5, "utf8");
  const out = [];
  const simple = {
    n: 10,
    t: 9,
    r: 13,
    "\\": 92,
    "'": 39,
    '"': 34,
    a: 7,
    b: 8,
    f: 12,
    v: 11
  };
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte !== 92 || i + 1 >= bytes.length) {
      if (byte === 92) throw new ModuleArgumentError("delimiter: Trailing \\ in string");
      out.push(byte);
      continue;
    }
    const next = String.fromCharCode(bytes[i + 1]);
    if (next in simple) {
      out.push(simple[next]);
      i++;
    } else if (next === "\n") {
      i++;
    } else if (next === "x") {
      const hex = String.fromCharCode(...bytes.subarray(i + 2, i + 4));
      if (!/^[0-9a-fA-F]{2}$/.test(hex))
        throw new ModuleArgumentError(`delimiter: invalid \\x escape at position ${i}`);
      out.push(parseInt(hex, 16));
      i += 3;
    } else if (/[0-7]/.test(next)) {
      let digits = "";
      let j = i + 1;
      while (j < bytes.length && digits.length < 3 && /[0-7]/.test(String.fromCharCode(bytes[j]))) {
        digits += String.fromCharCode(bytes[j]);
        j++;
      }
      out.push(parseInt(digits, 8) & 255);
      i = j - 1;
    } else {
      out.push(byte);
    }
  }
  return Buffer.from(out);
}
async function expandHome(ctx, value) {
  if (value !== "~" && !value.startsWith("~/")) return value;
  const connection = await ctx.connection();
  const res = await connection.run(`printf '%s' "$HOME"`, { timeoutMs: ctx.timeoutMs });
  const home = res.stdout.toString("utf8");
  if (res.code !== 0 || !home.startsWith("/")) {
    throw new ModuleArgumentError(`assemble: cannot expand ${value}: the target user has no HOME`);
  }
  return `${home}${value.slice(1)}`;
}
async function readRemoteFragments(ctx, src, ignoreHidden) {
  const connection = await ctx.connection();
  const res = await connection.run(probeCommand(PROBE5, [src, ignoreHidden ? "1" : "0"]), {
    timeoutMs: ctx.timeoutMs,
    // Hex doubles the bytes; the cap is checked below.
    outputCapBytes: FRAGMENTS_CAP_BYTES * 2 + 1024 * 1024
  });
  if (res.timedOut) {
    throw new CommandTimeoutError(
      `assemble: reading ${src} on ${connection.host} took longer than ${ctx.timeoutMs} ms`,
      connection.host,
      ctx.timeoutMs
    );
  }
  const answer = new ProbeAnswer(res.stdout.toString("latin1"));
  if (res.stdoutTruncated) {
    throw new ModuleArgumentError(
      `assemble: the fragments in ${src} are over ${FRAGMENTS_CAP_BYTES} bytes in all; join them with a shell task`
    );
  }
  if (res.code !== 0 || !answer.complete) {
    throw new ModuleArgumentError(
      `assemble: could not read ${src} on ${connection.host}: ${res.stderr.toString("utf8").trim().slice(-400)}`
    );
  }
  const expanded = Buffer.from(answer.get("src") ?? src, "latin1").toString("utf8");
  const state = answer.get("state");
  if (state === "missing") return { error: `Source (${expanded}) does not exist` };
  if (state === "notdir") return { error: `Source (${expanded}) is not a directory` };
  const fragments = answer.all("entry").map((line) => {
    const [kind, nameHex, contentHex] = line.split(":");
    const name = fromHex(nameHex ?? "").toString("utf8");
    if (kind === "f") return { name, file: true, content: fromHex(contentHex ?? "") };
    return { name, file: false, unreadable: kind === "u" };
  });
  return { src: expanded, fragments };
}
function controllerCandidates(src, ctx) {
  const dirs = [ctx.task.role?.path, ctx.task.dir, ctx.baseDir].filter(
    (dir, i, all) => dir !== void 0 && all.indexOf(dir) === i
  );
  return path4.isAbsolute(src) ? [src] : dirs.flatMap((dir) => [path4.resolve(dir, "files", src), path4.resolve(dir, src)]);
}
function findControllerPath(src, ctx) {
  for (const candidate of controllerCandidates(src, ctx)) {
    try {
      statSync2(candidate);
      return candidate;
    } catch {
    }
  }
  return void 0;
}
async function readLocalFragments(ctx, src) {
  const dir = findControllerPath(src, ctx);
  if (dir === void 0) {
    const searched = controllerCandidates(src, ctx).map((c) => `	${c}`).join("\n");
    return {
      error: `Could not find or access '${src}'
Searched in:
${searched} on the Ansible Controller.
If you are using a module and expect the file to exist on the remote, see the remote_src option`
    };
  }
  if (!statSync2(dir).isDirectory()) return { error: `Source (${dir}) is not a directory` };
  let total = 0;
  const fragments = readdirSync(dir).map((name) => {
    const full = path4.join(dir, name);
    let file = false;
    try {
      file = statSync2(full).isFile();
    } catch {
    }
    if (!file) return { name, file: false };
    const content = readSourceFile(full, ctx.args);
    total += content.length;
    if (total > FRAGMENTS_CAP_BYTES) {
      throw new ModuleArgumentError(
        `assemble: the fragments in ${dir} are over ${FRAGMENTS_CAP_BYTES} bytes in all`
      );
    }
    return { name, file: true, content };
  });
  return { src: dir, fragments };
}
async function applyOwnership(ctx, result, dest, owner, group) {
  const differs3 = (wanted, name, id) => wanted !== void 0 && wanted !== String(name) && wanted !== String(id);
  const ownerDiffers = differs3(owner, result["owner"], result["uid"]);
  const groupDiffers = differs3(group, result["group"], result["gid"]);
  if (!ownerDiffers && !groupDiffers) return result;
  const facts = factsFor(ctx);
  const connection = await facts.connection();
  const spec = `${ownerDiffers ? owner : ""}${groupDiffers ? `:${group}` : ""}`;
  const res = await connection.run(shellJoin(["chown", spec, "--", dest]), {
    timeoutMs: ctx.timeoutMs
  });
  if (res.code !== 0) {
    const stderr = res.stderr.toString("utf8").trim();
    const what = ownerDiffers ? "chown" : "chgrp";
    const reason = /invalid (user|group)/i.test(stderr) ? `${what} failed: failed to look up ${ownerDiffers && /user/i.test(stderr) ? "user" : "group"} ${ownerDiffers && /user/i.test(stderr) ? owner : group}` : `${what} failed: ${stderr.replace(/^chown: /, "")}`;
    return { ...result, changed: result["changed"], failed: true, msg: reason, path: dest };
  }
  const now = await facts.path(dest);
  if (!now.exists) return { ...result, changed: true };
  return {
    ...result,
    changed: true,
    uid: now.uid,
    gid: now.gid,
    owner: now.owner ?? String(now.uid),
    group: now.group ?? String(now.gid)
  };
}

// src/modules/arg-no-log.ts
function noLogStrings(value) {
  if (value === null || value === void 0 || typeof value === "boolean") return [];
  if (typeof value === "string") return value === "" ? [] : [value];
  if (isNumeric(value)) return [pythonStr(value)];
  if (Array.isArray(value)) return value.flatMap(noLogStrings);
  if (typeof value === "object") return Object.values(value).flatMap(noLogStrings);
  return [];
}
var NO_LOG_PLACEHOLDER = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER";
function maskNoLogValues(value, secrets) {
  if (secrets.length === 0) return value;
  return mask(value, secrets);
}
function mask(value, secrets) {
  if (typeof value === "string") {
    if (secrets.includes(value)) return NO_LOG_PLACEHOLDER;
    let text5 = value;
    for (const secret of secrets) text5 = text5.split(secret).join("********");
    return text5;
  }
  if (isNumeric(value) || typeof value === "boolean") {
    const text5 = pythonStr(value);
    return secrets.some((s) => text5 === s || text5.includes(s)) ? NO_LOG_PLACEHOLDER : value;
  }
  if (Array.isArray(value)) return value.map((v) => mask(v, secrets));
  if (value !== null && typeof value === "object") {
    const source = value;
    const out = {};
    for (const key of Object.keys(source)) out[key] = mask(source[key], secrets);
    for (const key of Object.getOwnPropertySymbols(source)) {
      const descriptor = Object.getOwnPropertyDescriptor(source, key);
      Object.defineProperty(out, key, descriptor);
    }
    return out;
  }
  return value;
}

// src/modules/arg-spec.ts
function untypedOptions(...names) {
  return Object.fromEntries(names.map((name) => [name, { type: "raw" }]));
}
function validateArgs(spec, given, options2) {
  const args = dict();
  for (const [key, value] of Object.entries(given)) args[key] = value;
  const out = { args, warnings: [], deprecations: [], noLogValues: [] };
  const errors = [];
  const side = spec.side ?? "module";
  const unknownMode = spec.unknown ?? "list";
  const aliasOf = /* @__PURE__ */ new Map();
  for (const [name, option] of Object.entries(spec.options)) {
    for (const alias of option.deprecatedAliases ?? []) {
      if (Object.hasOwn(given, alias.name)) {
        out.deprecations.push({
          msg: `Alias '${alias.name}' is deprecated. See the module docs for more information`,
          ...alias.version !== void 0 ? { version: alias.version } : {},
          ...alias.date !== void 0 ? { date: alias.date } : {},
          collection_name: alias.collectionName ?? null
        });
      }
    }
    for (const alias of option.aliases ?? []) {
      aliasOf.set(alias, name);
      if (!Object.hasOwn(given, alias)) continue;
      if (Object.hasOwn(given, name))
        out.warnings.push(`Both option ${name} and its alias ${alias} are set.`);
      args[name] = given[alias];
    }
  }
  if (side === "action") out.warnings = [];
  const known = (key) => Object.hasOwn(spec.options, key) || aliasOf.has(key) || (spec.hidden ?? []).includes(key);
  const unknown = unknownMode === "any" ? [] : Object.keys(given).filter((key) => !known(key));
  if (unknownMode === "names" && unknown.length > 0) {
    out.error = `Invalid options for ${options2.action}: ${[...unknown].sort().join(",")}`;
    return out;
  }
  const present2 = (name) => Object.hasOwn(args, name);
  const exclusive = (spec.mutuallyExclusive ?? []).filter(
    (group) => group.filter(present2).length > 1
  );
  if (exclusive.length > 0)
    errors.push(
      `parameters are mutually exclusive: ${exclusive.map((g) => g.join("|")).join(", ")}`
    );
  for (const [name, option] of Object.entries(spec.options)) {
    if (!present2(name) && option.default !== void 0 && option.default !== null)
      args[name] = cloneDefault(option.default);
  }
  const missing2 = Object.entries(spec.options).filter(([name, option]) => option.required && !present2(name)).map(([name]) => name).sort();
  if (missing2.length > 0) errors.push(`missing required arguments: ${missing2.join(", ")}`);
  for (const [name, option] of Object.entries(spec.options)) {
    if (!present2(name) || args[name] === null) continue;
    const converted = convertArgument(name, args[name], option, side, options2);
    if (converted.error !== void 0) {
      errors.push(converted.error);
      delete args[name];
    } else args[name] = converted.value;
  }
  for (const [name, option] of Object.entries(spec.options)) {
    if (option.noLog) out.noLogValues.push(...noLogStrings(args[name]));
  }
  for (const [name, option] of Object.entries(spec.options)) {
    if (option.choices === void 0 || !present2(name)) continue;
    const problem = choiceProblem(name, args, option.choices);
    if (problem) errors.push(problem);
  }
  const together = (spec.requiredTogether ?? []).find((group) => {
    const given2 = group.filter(present2).length;
    return given2 > 0 && given2 < group.length;
  });
  if (together) errors.push(`parameters are required together: ${together.join(", ")}`);
  const oneOf = (spec.requiredOneOf ?? []).find((group) => !group.some(present2));
  if (oneOf) errors.push(`one of the following is required: ${oneOf.join(", ")}`);
  for (const [key, value, requirements, any] of spec.requiredIf ?? []) {
    if (!present2(key) || !pyEquals(args[key], value)) continue;
    const absent2 = requirements.filter((name) => !present2(name));
    if (absent2.length > 0 && absent2.length >= (any ? requirements.length : 0)) {
      errors.push(
        `${key} is ${pythonStr(value)} but ${any ? "any" : "all"} of the following are missing: ${absent2.join(", ")}`
      );
      break;
    }
  }
  for (const [key, required] of Object.entries(spec.requiredBy ?? {})) {
    if (!present2(key) || args[key] === null) continue;
    const absent2 = required.filter((name) => !present2(name) || args[name] === null);
    if (absent2.length > 0) {
      errors.push(`missing parameter(s) required by '${key}': ${absent2.join(", ")}`);
      break;
    }
  }
  if (unknown.length > 0) {
    const supported = Object.keys(spec.options).sort();
    const aliases = [...aliasOf.keys()].sort();
    errors.push(
      `Unsupported parameters for (${spec.reportedAs ?? options2.action}) module: ${[...unknown].sort().join(", ")}. Supported parameters include: ${supported.join(", ")}${aliases.length > 0 ? ` (${aliases.join(", ")})` : ""}.`
    );
  }
  if (errors.length > 0) {
    out.error = errors[0];
    return out;
  }
  const refused = Object.entries(spec.options).find(
    ([name, option]) => option.notImplemented !== void 0 && present2(name) && args[name] !== null && args[name] !== false && !pyEquals(args[name], option.default ?? null)
  );
  if (refused) {
    out.error = `${options2.action}: '${refused[0]}' is not supported yet; ${refused[1].notImplemented}`;
  }
  return out;
}
function cloneDefault(value) {
  return cloneData(value);
}
function convertArgument(name, value, option, side, options2) {
  const type = option.type ?? "str";
  let converted;
  try {
    converted = convert(type, value);
  } catch (error) {
    if (!(error instanceof ArgConversionError)) throw error;
    const className = side === "action" && typeof value === "string" && options2.writtenAsIs?.(name) ? "ansible.parsing.yaml.objects.AnsibleUnicode" : pythonClass(value);
    return {
      error: `argument '${name}' is of type <class '${className}'> and we were unable to convert to ${typeName(type)}: ${error.message}`
    };
  }
  if (option.elements === void 0 || !Array.isArray(converted)) return { value: converted };
  const elements = [];
  for (const element of converted) {
    try {
      elements.push(convert(option.elements, element));
    } catch (error) {
      if (!(error instanceof ArgConversionError)) throw error;
      return {
        error: `Elements value for option '${name}' is of type <class '${pythonClass(element)}'> and we were unable to convert to ${typeName(option.elements)}: ${error.message}`
      };
    }
  }
  return { value: elements };
}
function typeName(type) {
  return typeof type === "string" ? type : type.name;
}
function choiceProblem(name, args, choices) {
  const value = args[name];
  const shown = choices.map((c) => pythonStr(c)).join(", ");
  if (Array.isArray(value)) {
    const outside = value.filter((item) => !choices.some((c) => pyEquals(c, item)));
    if (outside.length === 0) return void 0;
    return `value of ${name} must be one or more of: ${shown}. Got no match for: ${outside.map((v) => pythonStr(v)).join(", ")}`;
  }
  if (choices.some((c) => pyEquals(c, value))) return void 0;
  for (const [word, booleans] of [
    ["False", BOOLEAN_FALSE_CHOICES],
    ["True", BOOLEAN_TRUE_CHOICES]
  ]) {
    if (value !== word) continue;
    const overlap = choices.filter((c) => booleans.some((b) => pyEquals(b, c)));
    if (overlap.length === 1) {
      args[name] = overlap[0];
      return void 0;
    }
  }
  return `value of ${name} must be one of: ${shown}, got: ${pythonStr(value)}`;
}
var BOOLEAN_TRUE_CHOICES = ["y", "yes", "on", "1", "true", "t", 1];
var BOOLEAN_FALSE_CHOICES = ["n", "no", "off", "0", "false", "f", 0];

// src/modules/assert.ts
var assertModule = {
  name: "assert",
  // Changes nothing on the target: runs as usual in check mode.
  supportsCheckMode: true,
  local: true,
  // Ansible's assert action checks only the names; `that` holds expressions it evaluates itself.
  args: {
    side: "action",
    unknown: "names",
    options: {
      ...untypedOptions("fail_msg", "msg", "success_msg", "quiet"),
      that: { type: "raw", expression: true }
    }
  },
  async run(ctx) {
    const that = ctx.args["that"];
    if (that === void 0) throw new ModuleArgumentError('conditional required in "that" string');
    const failMsg = message(
      ctx.args["fail_msg"] ?? ctx.args["msg"],
      "Assertion failed",
      "fail_msg or msg"
    );
    const successMsg = message(ctx.args["success_msg"], "All assertions passed", "success_msg");
    const quiet = quietFlag(ctx.args["quiet"]);
    const listed = typeof that === "string" ? ctx.template(that) : void 0;
    const conditions = Array.isArray(that) ? that : Array.isArray(listed) ? listed : [that];
    const shown = (result) => {
      if (!quiet) Object.defineProperty(result, SHOW_RESULT, { value: true });
      return result;
    };
    for (const condition of conditions) {
      if (!ctx.isTrue(condition)) {
        return shown({
          assertion: condition,
          changed: false,
          evaluated_to: false,
          failed: true,
          msg: failMsg
        });
      }
    }
    return shown({ changed: false, msg: successMsg });
  }
};
function message(value, fallback, name) {
  if (value === void 0 || value === null) return fallback;
  if (typeof value === "string") return value;
  if (Array.isArray(value)) {
    if (!value.every((item) => typeof item === "string"))
      throw new ModuleArgumentError(
        `Type of one of the elements in ${name} list is not string type`
      );
    return value;
  }
  throw new ModuleArgumentError(
    `Incorrect type for ${name}, expected a string or list and got <class '${pyTypeName(value)}'>`
  );
}
function quietFlag(value) {
  if (value === void 0) return false;
  try {
    return ansibleBoolean(value, "lenient");
  } catch (error) {
    throw new ModuleArgumentError(
      `quiet must be a boolean (true or false): ${error.message}`
    );
  }
}

// src/modules/authorized-key-lines.ts
var KEY_TYPES = /* @__PURE__ */ new Set([
  "sk-ecdsa-sha2-nistp256@openssh.com",
  "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
  "webauthn-sk-ecdsa-sha2-nistp256@openssh.com",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp256-cert-v01@openssh.com",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp384-cert-v01@openssh.com",
  "ecdsa-sha2-nistp521",
  "ecdsa-sha2-nistp521-cert-v01@openssh.com",
  "sk-ssh-ed25519@openssh.com",
  "sk-ssh-ed25519-cert-v01@openssh.com",
  "ssh-ed25519",
  "ssh-ed25519-cert-v01@openssh.com",
  "ssh-dss",
  "ssh-rsa",
  "ssh-xmss@openssh.com",
  "ssh-xmss-cert-v01@openssh.com",
  "rsa-sha2-256",
  "rsa-sha2-512",
  "ssh-rsa-cert-v01@openssh.com",
  "rsa-sha2-256-cert-v01@openssh.com",
  "rsa-sha2-512-cert-v01@openssh.com",
  "ssh-dss-cert-v01@openssh.com"
]);
var LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/g;
function splitLines2(text5, keepEnds) {
  const lines2 = [];
  let start = 0;
  for (const match of text5.matchAll(LINE_BREAK)) {
    const end = match.index + match[0].length;
    lines2.push(text5.slice(start, keepEnds ? end : match.index));
    start = end;
  }
  if (start < text5.length) lines2.push(text5.slice(start));
  return lines2;
}
function words2(line) {
  return line.split(/[ \t\r\n]+/).filter((w) => w !== "");
}
function parseOptions(text5) {
  const options2 = [];
  if (!text5) return options2;
  const parts = text5.split(/((?:[^,"']|"[^"]*"|'[^']*')+)/).slice(1, -1);
  for (const part of parts) {
    const eq = part.indexOf("=");
    if (eq >= 0) options2.push([part.slice(0, eq), part.slice(eq + 1)]);
    else if (part !== ",") options2.push([part, null]);
  }
  return options2;
}
var KeyLineError = class extends Error {
};
function parseKeyLine(raw, rank) {
  const line = raw.replaceAll("\\#", "#");
  const parts = words2(line);
  if (parts[0] === "#") return verbatimEntry(line, rank);
  const at = parts.findIndex((part) => KEY_TYPES.has(part));
  if (at < 0) return void 0;
  const blob = parts[at + 1];
  if (blob === void 0) throw new KeyLineError(`no key after the key type in: ${raw.trim()}`);
  return {
    id: blob,
    verbatim: false,
    type: parts[at],
    options: parseOptions(at > 0 ? parts.slice(0, at).join(" ") : null),
    comment: parts.slice(at + 2).join(" "),
    rank
  };
}
function verbatimEntry(line, rank) {
  return { id: line, verbatim: true, type: "", options: [], comment: "", rank };
}
function parseKeyFile(text5) {
  const entries = /* @__PURE__ */ new Map();
  splitLines2(text5, true).forEach((line, rank) => {
    const entry = parseKeyLine(line, rank) ?? verbatimEntry(line, rank);
    entries.set(entry.id, entry);
  });
  return entries;
}
function serializeKeys(entries) {
  return [...entries.values()].sort((a, b) => a.rank - b.rank).map((entry) => {
    if (entry.verbatim) return entry.id;
    const options2 = entry.options.length === 0 ? "" : `${entry.options.map(([name, value]) => value === null ? name : `${name}=${value}`).join(",")} `;
    return `${options2}${entry.type} ${entry.id} ${entry.comment}
`;
  }).join("");
}
function sameOptions(a, b) {
  const group = (options2) => {
    const byName = /* @__PURE__ */ new Map();
    for (const [name, value] of options2) byName.set(name, [...byName.get(name) ?? [], value]);
    return byName;
  };
  const ga = group(a);
  const gb = group(b);
  if (ga.size !== gb.size) return false;
  for (const [name, values] of ga) {
    const other = gb.get(name);
    if (other?.length !== values.length || values.some((v, i) => v !== other[i])) return false;
  }
  return true;
}
function sameEntry(a, b) {
  return a.id === b.id && a.verbatim === b.verbatim && a.type === b.type && a.comment === b.comment && sameOptions(a.options, b.options);
}
function applyKeys(existingText, request2) {
  const entries = parseKeyFile(existingText);
  const wanted = splitLines2(request2.keys, false).filter((line) => line && !line.startsWith("#"));
  const keep = /* @__PURE__ */ new Set();
  const firstNewRank = entries.size;
  let changed = false;
  for (const [index, line] of wanted.entries()) {
    let parsed;
    try {
      parsed = parseKeyLine(line, index);
    } catch (error) {
      if (error instanceof KeyLineError) return { ok: false, msg: `invalid key specified: ${line}` };
      throw error;
    }
    if (parsed === void 0) return { ok: false, msg: `invalid key specified: ${line}` };
    if (request2.keyOptions !== null) parsed.options = parseOptions(request2.keyOptions);
    if (request2.comment !== null) parsed.comment = request2.comment;
    const existing = entries.get(parsed.id);
    if (request2.state === "absent") {
      if (existing !== void 0) {
        entries.delete(parsed.id);
        changed = true;
      }
      continue;
    }
    keep.add(parsed.id);
    if (existing !== void 0 && sameEntry(existing, parsed)) continue;
    entries.delete(parsed.id);
    entries.set(parsed.id, { ...parsed, rank: firstNewRank + index });
    changed = true;
  }
  if (request2.state === "present" && request2.exclusive) {
    for (const id of [...entries.keys()]) {
      if (!keep.has(id)) {
        entries.delete(id);
        changed = true;
      }
    }
  }
  return { ok: true, changed, content: changed ? serializeKeys(entries) : existingText };
}

// src/modules/authorized-key.sh
var authorized_key_default = `#!/bin/sh
# apb-authorized-key: reads (probe) or writes (write) a user's authorized_keys file on the target for
# src/modules/authorized-key.ts, which decides what the file holds. POSIX sh (+ od, stat, mktemp).
# path-info.sh and expand-args.sh come before this text.
#
#   probe USER PATH FOLLOW NEED_USER
#     PATH '' for ~USER/.ssh/authorized_keys. Prints pw_hex (USER's passwd entry, when NEED_USER is 1),
#     path_hex (PATH with ~ and $VAR expanded), keyfile_hex (the file), real_hex (the file with its links
#     resolved, when FOLLOW is 1), content_hex (what the file holds, when it is a regular file) and the
#     path's info (describe_path).
#   write KEYFILE SSHDIR UID GID MANAGE_DIR PATH
#     The new content comes on stdin (keys are user data: never on a command line). With MANAGE_DIR 1,
#     SSHDIR is made 0700 and given to UID:GID; the file is made if missing, given to UID:GID and made
#     0600, then replaced by the new content with its mode and owner kept. Prints error_hex on failure,
#     then PATH's info; mkdir_error_hex (mkdir's message) when SSHDIR could not be made.
# The answer ends with end=1.
set -u

hex() {
  od -An -v -tx1 | tr -d ' \\n'
}

resolve() {
  realpath -m -- "$1" 2>/dev/null || readlink -f -- "$1" 2>/dev/null || printf '%s\\n' "$1"
}

fail() {
  echo "error_hex=$(printf '%s' "$1" | hex)"
  echo end=1
  exit 0
}

mode=$1
shift
case $mode in
  probe)
    user=$1 path=$2 follow=$3 need_user=$4
    home=
    if [ "$need_user" = 1 ]; then
      if command -v getent >/dev/null 2>&1; then
        entry=$(getent passwd "$user" 2>/dev/null) || entry=
      else
        entry=$(awk -F: -v wanted="$user" '$1 == wanted { print; exit }' /etc/passwd 2>/dev/null)
      fi
      echo "pw_hex=$(printf '%s' "$entry" | hex)"
      home=$(printf '%s\\n' "$entry" | cut -d: -f6)
    fi
    if [ -n "$path" ]; then
      apb_expanded=$(apb_expand "$path")
      path=\${apb_expanded%x}
      echo "path_hex=$(printf '%s' "$path" | hex)"
      keyfile=$path
    elif [ -n "$home" ]; then
      keyfile=\${home%/}/.ssh/authorized_keys
    else
      echo end=1
      exit 0
    fi
    echo "keyfile_hex=$(printf '%s' "$keyfile" | hex)"
    if [ "$follow" = 1 ]; then
      real=$(resolve "$keyfile")
      echo "real_hex=$(printf '%s' "$real" | hex)"
    fi
    if [ -f "$keyfile" ]; then
      if [ -r "$keyfile" ]; then
        echo "content_hex=$(hex <"$keyfile")"
      else
        echo unreadable=1
      fi
    fi
    [ -n "$path" ] && describe_path "$path"
    ;;
  write)
    keyfile=$1 sshdir=$2 uid=$3 gid=$4 manage_dir=$5 path=$6
    if [ "$manage_dir" = 1 ]; then
      if [ ! -e "$sshdir" ]; then
        if ! out=$(mkdir -m 700 -- "$sshdir" 2>&1); then
          echo "mkdir_error_hex=$(printf '%s' "$out" | hex)"
          echo end=1
          exit 0
        fi
      fi
      chown "$uid:$gid" -- "$sshdir" 2>/dev/null
      chmod 700 -- "$sshdir" 2>/dev/null
    fi
    dir=$(dirname -- "$keyfile")
    if [ ! -e "$keyfile" ]; then
      out=$( (mkdir -p -- "$dir" && : >"$keyfile") 2>&1) || fail "Failed to create $keyfile: $out"
    fi
    chown "$uid:$gid" -- "$keyfile" 2>/dev/null
    chmod 600 -- "$keyfile" 2>/dev/null
    tmp=$(mktemp "$dir/.apb-authorized_keys.XXXXXX" 2>&1) || fail "Failed to write to $dir: $tmp"
    if ! cat >"$tmp"; then
      rm -f -- "$tmp"
      fail "Failed to write to file $tmp"
    fi
    if owner=$(stat -L -c '%a %u %g' -- "$keyfile" 2>/dev/null); then
      # shellcheck disable=SC2086 # three words: mode, uid, gid
      set -- $owner
      chmod "$1" -- "$tmp" 2>/dev/null
      chown "$2:$3" -- "$tmp" 2>/dev/null
    fi
    out=$(mv -f -- "$tmp" "$keyfile" 2>&1) || {
      rm -f -- "$tmp"
      fail "Failed to replace $keyfile: $out"
    }
    [ -n "$path" ] && describe_path "$path"
    ;;
esac
echo end=1
`;

// src/modules/authorized-key.ts
var SCRIPT = new ModuleScript("apb-authorized-key", `${expand_args_default}
${path_info_default}
${authorized_key_default}`);
var URL_TIMEOUT_SECONDS = 10;
var authorizedKeyModule = {
  name: "authorized_key",
  fqcns: ["ansible.posix.authorized_key"],
  supportsCheckMode: true,
  args: {
    options: {
      user: { type: "str", required: true },
      key: { type: "str", required: true },
      path: { type: "path" },
      manage_dir: { type: "bool", default: true },
      state: { type: "str", default: "present", choices: ["absent", "present"] },
      key_options: { type: "str" },
      exclusive: { type: "bool", default: false },
      comment: { type: "str" },
      validate_certs: { type: "bool", default: true },
      follow: { type: "bool", default: false }
    }
  },
  async run(ctx) {
    return authorizedKey(ctx);
  }
};
async function authorizedKey(ctx) {
  const args = ctx.args;
  const user = args["user"];
  const key = args["key"];
  const pathArg = args["path"] ?? null;
  const state = args["state"];
  const follow = args["follow"];
  const manageDir = args["manage_dir"];
  const connection = await ctx.connection();
  const fail6 = (msg) => ({ changed: false, failed: true, msg });
  let keys = key;
  if (key.startsWith("http")) {
    const fetched = await fetchKeys(ctx, key);
    if (fetched === void 0) return fail6(`Error getting key from: ${key}`);
    keys = fetched;
  }
  const needUser = !(ctx.check && pathArg !== null);
  const probe = await SCRIPT.run(
    connection,
    ["probe", user, pathArg ?? "", follow ? "1" : "0", needUser ? "1" : "0"],
    { timeoutMs: ctx.timeoutMs, environment: ctx.environment }
  );
  const passwd = text2(probe, "pw_hex")?.split(":");
  if (needUser && (passwd === void 0 || passwd.length < 7)) {
    return fail6(
      ctx.check && pathArg === null ? "Either user must exist or you must provide full path to key file in check mode" : `Failed to lookup user ${user}: ${pyStringRepr(`getpwnam(): name not found: '${user}'`)}`
    );
  }
  const keyfile = text2(probe, "keyfile_hex") ?? "";
  const path27 = pathArg === null ? null : text2(probe, "path_hex") ?? pathArg;
  const target = follow ? text2(probe, "real_hex") ?? keyfile : keyfile;
  if (probe.get("unreadable") === "1") return fail6(`Failed to read ${keyfile}: Permission denied`);
  const existing = text2(probe, "content_hex") ?? "";
  let change;
  try {
    change = applyTask(keys, state, existing, args);
  } catch (error) {
    if (error instanceof KeyLineError) return fail6(`${keyfile}: ${error.message}`);
    throw error;
  }
  if (!change.ok) return fail6(change.msg);
  const result = {
    user,
    key,
    path: path27,
    manage_dir: manageDir,
    state,
    key_options: args["key_options"] ?? null,
    exclusive: args["exclusive"],
    comment: args["comment"] ?? null,
    validate_certs: args["validate_certs"],
    follow,
    keyfile,
    changed: change.changed
  };
  let info = probe;
  if (change.changed) {
    if (ctx.diff) {
      result["diff"] = {
        before_header: keyfile,
        after_header: target,
        before: existing,
        after: change.content
      };
    }
    if (!ctx.check) {
      const sshdir = pathArg === null ? dirname(keyfile) : dirname(path27 ?? "");
      info = await SCRIPT.run(
        connection,
        [
          "write",
          target,
          sshdir,
          passwd?.[2] ?? "",
          passwd?.[3] ?? "",
          manageDir ? "1" : "0",
          path27 ?? ""
        ],
        { timeoutMs: ctx.timeoutMs, environment: ctx.environment, stdin: change.content }
      );
      const mkdirError = text2(info, "mkdir_error_hex");
      if (mkdirError !== void 0) {
        return fail6(`Failed to create directory ${sshdir} : ${osError2(mkdirError, sshdir)}`);
      }
      const error = text2(info, "error_hex");
      if (error !== void 0) return fail6(error);
    }
  }
  if (path27 !== null) Object.assign(result, pathInfoFields(new Map(infoValues(info))));
  return result;
}
function applyTask(keys, state, existing, args) {
  return applyKeys(existing, {
    keys,
    state,
    exclusive: args["exclusive"],
    keyOptions: args["key_options"] ?? null,
    comment: args["comment"] ?? null
  });
}
async function fetchKeys(ctx, url) {
  try {
    const response = await httpRequest(await ctx.connection(), {
      url,
      timeoutSeconds: URL_TIMEOUT_SECONDS,
      validateCerts: ctx.args["validate_certs"],
      followRedirects: "urllib2",
      environment: ctx.environment,
      deadlineMs: ctx.timeoutMs
    });
    if (response.failure !== void 0 || response.status !== 200) return void 0;
    return (response.body ?? Buffer.alloc(0)).toString("utf8");
  } catch (error) {
    if (error instanceof HttpRequestError) return void 0;
    throw error;
  }
}
function text2(answer, key) {
  return answer.bytes(key)?.toString("utf8");
}
function infoValues(answer) {
  return ["info", "owner", "group", "kind"].flatMap((name) => {
    const value = answer.get(name);
    return value === void 0 ? [] : [[name, value]];
  });
}
var ERRNO2 = [
  [2, "No such file or directory"],
  [13, "Permission denied"],
  [17, "File exists"],
  [20, "Not a directory"],
  [28, "No space left on device"],
  [30, "Read-only file system"]
];
function osError2(message2, path27) {
  const known = ERRNO2.find(([, reason]) => message2.includes(reason));
  return known === void 0 ? message2.trim() : `[Errno ${known[0]}] ${known[1]}: ${pyStringRepr(path27)}`;
}
function dirname(path27) {
  const at = path27.lastIndexOf("/");
  if (at < 0) return "";
  const head = path27.slice(0, at + 1);
  return /^\/+$/.test(head) ? head : head.replace(/\/+$/, "");
}

// src/modules/async-status.ts
var asyncStatusModule = {
  name: "async_status",
  // In check mode Ansible's plugin runs no module (its async_status does not support check mode): the
  // task is skipped with the job's paths only (checkModeResult).
  supportsCheckMode: true,
  // Ansible's async_status action plugin validates these itself.
  args: {
    side: "action",
    options: {
      jid: { type: "str", required: true },
      mode: { type: "str", choices: ["status", "cleanup"], default: "status" }
    }
  },
  async run(ctx) {
    const jid = ctx.args["jid"];
    if (jid === void 0 || jid === null || jid === "")
      throw new ModuleArgumentError("missing required arguments: jid");
    if (ctx.check) return checkModeResult(ctx, String(jid));
    if (ctx.args["mode"] === "cleanup") return ctx.jobs.cleanup(String(jid));
    try {
      return await ctx.jobs.status(String(jid));
    } catch (error) {
      if (!(error instanceof ConnectionError)) throw error;
      try {
        await ctx.reconnect();
        return await ctx.jobs.status(String(jid));
      } catch (again) {
        if (!(again instanceof ConnectionError)) throw again;
        return {
          ansible_job_id: String(jid),
          changed: false,
          finished: 0,
          started: 1,
          msg: `could not reach the host to check the job (it keeps running there): ${again.message}`
        };
      }
    }
  },
  async waitBeforeRetry(ctx, result, delayMs) {
    const jid = result["ansible_job_id"];
    if (result["finished"] === 0 && typeof jid === "string" && (ctx.args["mode"] ?? "status") === "status") {
      const started = Date.now();
      try {
        await ctx.jobs.status(jid, delayMs / 1e3);
        return;
      } catch {
      }
      const left = delayMs - (Date.now() - started);
      if (left > 0) await ctx.sleep(left);
      return;
    }
    await ctx.sleep(delayMs);
  }
};
async function checkModeResult(ctx, jid) {
  const file = await ctx.jobs.resultsFile(jid);
  const cleanup = ctx.args["mode"] === "cleanup";
  return {
    ansible_job_id: jid,
    changed: false,
    ...cleanup ? { erased: file } : { results_file: file },
    finished: 0,
    started: cleanup ? 0 : 1,
    msg: "remote module (ansible.legacy.async_status) does not support check mode",
    skipped: true,
    stdout: "",
    stderr: "",
    stdout_lines: [],
    stderr_lines: []
  };
}

// src/modules/file-edit.ts
import { randomBytes as randomBytes3 } from "node:crypto";
import path5 from "node:path";

// src/modules/file-edit-act.sh
var file_edit_act_default = `#!/bin/sh
# apb-edit: puts an edited file in place (lineinfile, replace, blockinfile), or only its attributes.
#
# Run as:  /bin/sh -c "<this text>" apb-edit <tmp> <dest> <backup> <mode> <keep> <owner> <group> <validate> <parents>
#           (the new content on stdin)
#
#   tmp       where the new content (stdin) is written first: a new 0600 file beside dest, under a
#             random name; empty: only set dest's attributes (stdin is not read)
#   dest      the file to replace (the real path: links are resolved by the controller)
#   backup    1: copy dest to dest.PID.YYYY-MM-DD@HH:MM:SS~ before replacing it (Ansible's name)
#   mode      octal mode for the file, or empty to leave it
#   keep      uid:gid of the file being replaced, given back to the new one where we may (else empty)
#   owner     user to give the file, or empty
#   group     group to give the file, or empty
#   validate  a command (the temp path already quoted in it) that must succeed before the move
#   parents   1: make dest's directory (and its parents) when it is missing (lineinfile \`create\`)
#
# One round trip: the content travels with the command, not in a transfer of its own.
# Prints \`backup=<name>\` when a backup was made, and \`error=<Ansible's message>\` on a failure after
# which the task fails (exit 5), with the system's words on stderr. Exit 3: validate refused the file
# (\`validate_rc=N\` on stdout, its stderr on stderr). Exit 6: the temp file could not be written (the
# system's words on stderr). The temp file is removed on every failure.
set -u
tmp=$1 dest=$2 backup=$3 mode=$4 keep=$5 owner=$6 group=$7 validate=$8 parents=$9
only_attributes=0
[ -n "$tmp" ] || only_attributes=1

fail() {
  [ -z "$tmp" ] || rm -f -- "$tmp"
  printf 'error=%s\\n' "$1"
  exit 5
}

if [ -n "$tmp" ]; then
  if [ "$parents" = 1 ]; then
    dir=$(dirname -- "$dest" && echo x) && dir=\${dir%??}
    if [ ! -d "$dir" ]; then
      out=$(mkdir -p -- "$dir" 2>&1) || {
        tmp=
        fail "Error creating $dir ($out)"
      }
    fi
  fi
  # Private from its first byte (umask 077) and made exclusively (set -C refuses a name that exists, a
  # planted link included): nothing is removed when the name is taken, since what is there is not ours.
  if ! (umask 077 && set -C && : >"$tmp"); then
    exit 6
  fi
  # set -C lets the shell open an existing device or FIFO: refuse anything but the file just made.
  if [ -L "$tmp" ] || [ ! -f "$tmp" ] || [ -s "$tmp" ]; then
    echo "apb-edit: $tmp is not a new empty file: refusing to write to it" >&2
    exit 6
  fi
  if ! cat >"$tmp"; then
    rm -f -- "$tmp"
    exit 6
  fi
fi

if [ -n "$tmp" ] && [ -n "$validate" ]; then
  # stdout is dropped, stderr kept whole for the message (the x keeps its trailing newlines); the
  # status of an assignment is its substitution's.
  err=$(
    sh -c "$validate" 2>&1 >/dev/null
    rc=$?
    echo x
    exit "$rc"
  )
  rc=$?
  err=\${err%x}
  if [ "$rc" -ne 0 ]; then
    rm -f -- "$tmp"
    echo "validate_rc=$rc"
    printf '%s' "$err" >&2
    exit 3
  fi
fi

if [ -n "$tmp" ]; then
  # As Ansible's atomic move: the replaced file's owner and group where this user may give them, and
  # the final mode set while the file is still private to us.
  [ -z "$keep" ] || chown "$keep" "$tmp" 2>/dev/null || :
  [ -z "$mode" ] || chmod "$mode" "$tmp" || fail "chmod failed"
  if [ "$backup" = 1 ] && [ -e "$dest" ]; then
    b=$dest.$$.$(date +%Y-%m-%d@%H:%M:%S~)
    # -p keeps mode, owner and times; --remove-destination never writes through a planted link.
    cp -p --remove-destination -- "$dest" "$b" || fail "Could not make a backup of $dest"
    printf 'backup=%s\\n' "$b"
  fi
  mv -f -- "$tmp" "$dest" || fail "Could not replace $dest"
  tmp=
fi

# Then owner, group and mode, in Ansible's order, with its messages.
if [ -n "$owner" ]; then
  if ! out=$(chown -- "$owner" "$dest" 2>&1); then
    printf '%s\\n' "$out" >&2
    case $out in
      *"invalid user"*) fail "chown failed: failed to look up user $owner" ;;
      *"not permitted"*) fail "chown failed: [Errno 1] Operation not permitted: b'$dest'" ;;
      *) fail "chown failed" ;;
    esac
  fi
fi
if [ -n "$group" ]; then
  if ! out=$(chgrp -- "$group" "$dest" 2>&1); then
    printf '%s\\n' "$out" >&2
    case $out in
      *"invalid group"*) fail "chgrp failed: failed to look up group $group" ;;
      *) fail "chgrp failed" ;;
    esac
  fi
fi
if [ "$only_attributes" = 1 ] && [ -n "$mode" ]; then
  chmod "$mode" "$dest" || fail "chmod failed"
fi
exit 0
`;

// src/modules/file-edit.ts
var EDIT_MAX_BYTES = 64 * 1024 * 1024;
async function readEditTarget(ctx, facts, dest) {
  const connection = await ctx.connection();
  const [state, read] = await Promise.all([
    facts.path(dest),
    readFileByCommand(connection, dest, { maxBytes: EDIT_MAX_BYTES, timeoutMs: ctx.timeoutMs }).then((content) => ({ content })).catch((error) => ({ error }))
  ]);
  let real = dest;
  let finalState = state;
  if (state.exists && state.type === "link") {
    real = state.linkSource ?? dest;
    finalState = await facts.path(real);
  }
  if (!finalState.exists) return { dest, real, state: finalState };
  if (finalState.type !== "file") return { dest, real, state: finalState };
  if ("error" in read) {
    const error = read.error;
    if (error instanceof FileTooLargeError) throw new ModuleArgumentError(error.message);
    if (error instanceof RemoteFileError) {
      throw new ModuleArgumentError(`could not read ${dest}: ${error.message}`);
    }
    throw error;
  }
  return { dest, real, state: finalState, content: read.content };
}
function attributesWanted(args) {
  const text5 = (value) => value === void 0 || value === null || value === "" ? void 0 : String(value);
  return {
    mode: normaliseMode(args["mode"]),
    owner: text5(args["owner"]),
    group: text5(args["group"])
  };
}
function octalText2(mode) {
  return `0${mode.toString(8).padStart(3, "0")}`;
}
function sameAccount(wanted, id, name) {
  return /^[0-9]+$/.test(wanted) ? Number(wanted) === id : wanted === name;
}
function attributeChanges(wanted, state) {
  const changes = { before: {}, after: {} };
  const existing = "exists" in state;
  const current = existing ? state.permissions : 438 & ~state.umask;
  if (wanted.mode !== void 0) {
    const mode = existing ? resolveMode(wanted.mode, {
      kind: "file",
      umask: state.umask,
      checksum: "",
      stat: state
    }) : resolveMode(wanted.mode, { kind: "none", umask: state.umask });
    if (mode !== current) {
      changes.mode = mode.toString(8).padStart(4, "0");
      changes.before["mode"] = octalText2(current);
      changes.after["mode"] = octalText2(mode);
    }
  }
  if (wanted.owner !== void 0 && !sameAccount(wanted.owner, state.uid, state.owner)) {
    changes.owner = wanted.owner;
    changes.before["owner"] = state.uid;
    changes.after["owner"] = wanted.owner;
  }
  if (wanted.group !== void 0 && !sameAccount(wanted.group, state.gid, state.group)) {
    changes.group = wanted.group;
    changes.before["group"] = state.gid;
    changes.after["group"] = wanted.group;
  }
  return changes;
}
function attributesDiffer(changes) {
  return changes.mode !== void 0 || changes.owner !== void 0 || changes.group !== void 0;
}
async function putEdited(ctx, facts, request2) {
  const { target } = request2;
  const connection = await facts.connection();
  const timeoutMs = ctx.timeoutMs;
  const existing = target.state.exists ? target.state : void 0;
  const tmp = request2.content === void 0 ? "" : path5.posix.join(
    path5.posix.dirname(target.real),
    `.${path5.posix.basename(target.real)}.apb-${randomBytes3(8).toString("hex")}.tmp`
  );
  let mode = request2.attributes.mode ?? "";
  if (tmp !== "" && mode === "") {
    const final = existing ? existing.permissions : 438 & ~target.state.umask;
    mode = final.toString(8).padStart(4, "0");
  }
  if (request2.validate !== void 0 && tmp !== "" && !request2.validate.includes("%s")) {
    return {
      ok: false,
      result: { changed: false, failed: true, msg: `validate must contain %s: ${request2.validate}` }
    };
  }
  const validate = request2.validate === void 0 ? "" : request2.validate.split("%s").join(shellQuote(tmp));
  const keep = existing && tmp !== "" ? `${existing.uid}:${existing.gid}` : "";
  const res = await connection.run(
    `/bin/sh -c ${shellQuote(file_edit_act_default)} ${shellJoin([
      "apb-edit",
      tmp,
      target.real,
      request2.backup ? "1" : "0",
      mode,
      keep,
      request2.attributes.owner ?? "",
      request2.attributes.group ?? "",
      validate,
      !existing && request2.makeParents ? "1" : "0"
    ])}; echo "status=$?"; echo "creator=$(id -u):$(id -g):$(id -un):$(id -gn)"`,
    { timeoutMs, ...request2.content === void 0 ? {} : { stdin: request2.content } }
  );
  const stdout = res.stdout.toString("utf8");
  const stderr = res.stderr.toString("utf8");
  const line = (key) => new RegExp(`^${key}=(.*)$`, "m").exec(stdout)?.[1];
  const status = line("status");
  const failure4 = (msg) => ({
    ok: false,
    result: { changed: false, failed: true, msg }
  });
  if (status === "3") {
    return failure4(`failed to validate: rc:${line("validate_rc") ?? "?"} error:${stderr}`);
  }
  if (status === "5") return failure4(line("error") ?? "could not write the file");
  if (status !== "0") {
    throw new ModuleArgumentError(
      `could not write ${target.real}: ${stderr.trim() || `the target's shell exited with ${res.code ?? res.signal ?? "?"}`}`
    );
  }
  let creator;
  const who = line("creator")?.split(":");
  if (who && who.length === 4) {
    creator = { uid: Number(who[0]), gid: Number(who[1]), owner: who[2], group: who[3] };
  }
  const backup = line("backup");
  return { ok: true, ...backup === void 0 ? {} : { backup }, ...creator ? { creator } : {} };
}
function validateArgument(args) {
  const value = args["validate"];
  if (value === void 0 || value === null || value === "") return void 0;
  return String(value);
}
var FILE_COMMON_OPTIONS = {
  mode: { type: "raw" },
  owner: { type: "str" },
  group: { type: "str" },
  // Accepted as Ansible accepts it: our writes are always atomic (temp file and mv), which is what
  // Ansible falls back from only when an atomic move is impossible.
  unsafe_writes: { type: "bool", default: false },
  seuser: {
    type: "str",
    notImplemented: "SELinux contexts are not set; use a command task (chcon)"
  },
  serole: {
    type: "str",
    notImplemented: "SELinux contexts are not set; use a command task (chcon)"
  },
  setype: {
    type: "str",
    notImplemented: "SELinux contexts are not set; use a command task (chcon)"
  },
  selevel: {
    type: "str",
    notImplemented: "SELinux contexts are not set; use a command task (chcon)"
  },
  attributes: {
    type: "str",
    aliases: ["attr"],
    notImplemented: "file attributes are not set; use a command task (chattr)"
  }
};
async function finishEdit(ctx, facts, target, edit) {
  const args = ctx.args;
  const wanted = attributesWanted(args);
  const validate = validateArgument(args);
  const backup = args["backup"] === true;
  const exists = target.state.exists;
  let { changed, msg } = edit;
  const diffList = (attrs2) => {
    const attrDiff = {};
    if (attrs2 && Object.keys(attrs2.before).length > 0) {
      attrDiff["before"] = attrs2.before;
      attrDiff["after"] = attrs2.after;
    }
    attrDiff["before_header"] = `${target.dest} (file attributes)`;
    attrDiff["after_header"] = `${target.dest} (file attributes)`;
    return [edit.diff ?? {}, attrDiff];
  };
  const withDiff = (result, attrs2) => {
    if (edit.diffStyle === "content") {
      if (edit.diff !== void 0) result["diff"] = edit.diff;
    } else {
      result["diff"] = diffList(attrs2);
    }
    return result;
  };
  const shaped = (fields) => ({ ...fields, ...edit.extra });
  const withBackup = (result, name) => {
    if (edit.backupField === "backup") result["backup"] = name ?? "";
    else if (edit.backupField === "backup_file" && name !== void 0) result["backup_file"] = name;
    return result;
  };
  if (ctx.check && !exists) {
    const result = withBackup(shaped({ changed, msg }), void 0);
    if (edit.diff !== void 0) result["diff"] = edit.diff;
    return edit.checkMissingResult ? edit.checkMissingResult(result) : result;
  }
  const attrs = exists && target.state.exists ? attributeChanges(wanted, target.state) : void 0;
  if (ctx.check) {
    if (attrs && attributesDiffer(attrs)) {
      msg = `${changed ? `${msg} and ` : ""}ownership, perms or SE linux context changed`;
      changed = true;
    }
    return withBackup(withDiff(shaped({ changed, msg }), attrs), void 0);
  }
  let backupName;
  let finalAttrs = attrs;
  if (edit.changed || attrs && attributesDiffer(attrs)) {
    const toSet = attrs ? { mode: attrs.mode, owner: attrs.owner, group: attrs.group } : {
      mode: attributeChanges(
        { mode: wanted.mode },
        { umask: target.state.umask, uid: 0, gid: 0 }
      ).mode,
      owner: wanted.owner,
      group: wanted.group
    };
    const written = await putEdited(ctx, facts, {
      target,
      content: edit.changed ? edit.content : void 0,
      attributes: toSet,
      backup: backup && exists && edit.changed,
      validate: edit.changed ? validate : void 0,
      makeParents: edit.makeParents
    });
    if (!written.ok) return written.result;
    backupName = written.backup;
    if (!exists && written.creator) {
      finalAttrs = attributeChanges(wanted, { umask: target.state.umask, ...written.creator });
    }
  }
  if (finalAttrs && attributesDiffer(finalAttrs)) {
    msg = `${changed ? `${msg} and ` : ""}ownership, perms or SE linux context changed`;
    changed = true;
  }
  return withBackup(withDiff(shaped({ changed, msg }), finalAttrs), backupName);
}

// src/modules/blockinfile.ts
function asBytes(text5) {
  return Buffer.from(text5, "utf8").toString("latin1");
}
function splitLinesKeepingEnds(text5) {
  return text5.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
}
function failure(msg, extra = {}) {
  return { changed: false, failed: true, msg, ...extra };
}
var MARK = translatePythonRegex("{mark}", "bytes");
var blockinfileModule = {
  name: "blockinfile",
  supportsCheckMode: true,
  args: {
    options: {
      path: { type: "path", required: true, aliases: ["dest", "destfile", "name"] },
      state: { type: "str", default: "present", choices: ["absent", "present"] },
      marker: { type: "str", default: "# {mark} ANSIBLE MANAGED BLOCK" },
      block: { type: "str", default: "", aliases: ["content"] },
      insertafter: { type: "str" },
      insertbefore: { type: "str" },
      create: { type: "bool", default: false },
      backup: { type: "bool", default: false },
      validate: { type: "str" },
      marker_begin: { type: "str", default: "BEGIN" },
      marker_end: { type: "str", default: "END" },
      ...FILE_COMMON_OPTIONS
    },
    mutuallyExclusive: [["insertbefore", "insertafter"]]
  },
  async run(ctx) {
    const args = ctx.args;
    const path27 = String(args["path"]);
    attributesWanted(args);
    const present2 = args["state"] !== "absent";
    let insertafter = args["insertafter"] == null ? void 0 : String(args["insertafter"]);
    const insertbefore = args["insertbefore"] == null ? void 0 : String(args["insertbefore"]);
    if (insertbefore === void 0 && insertafter === void 0) insertafter = "EOF";
    let insertRe;
    let marker0;
    let marker1;
    try {
      if (insertafter !== void 0 && insertafter !== "EOF")
        insertRe = translatePythonRegex(asBytes(insertafter), "bytes");
      else if (insertbefore !== void 0 && insertbefore !== "BOF")
        insertRe = translatePythonRegex(asBytes(insertbefore), "bytes");
      const marker = asBytes(String(args["marker"]));
      marker0 = pythonSubn(MARK, asBytes(String(args["marker_begin"])), marker).text + "\n";
      marker1 = pythonSubn(MARK, asBytes(String(args["marker_end"])), marker).text + "\n";
    } catch (error) {
      if (error instanceof PythonRegexError) return failure(error.message);
      throw error;
    }
    const facts = factsFor(ctx);
    const target = await readEditTarget(ctx, facts, path27);
    if (target.state.exists && target.state.type === "directory") {
      return failure(`Path ${path27} is a directory !`, { rc: 256 });
    }
    const exists = target.state.exists;
    if (!exists && args["create"] !== true) {
      return failure(`Path ${path27} does not exist !`, { rc: 257 });
    }
    const original = exists ? (target.content ?? Buffer.alloc(0)).toString("latin1") : void 0;
    const lines2 = original === void 0 ? [] : splitLinesKeepingEnds(original);
    const header = `${path27} (content)`;
    const diff = {
      before: "",
      after: "",
      before_header: header,
      after_header: header
    };
    if (ctx.diff && original) diff["before"] = Buffer.from(original, "latin1").toString("utf8");
    if (!present2 && !exists) return { changed: false, msg: `File ${path27} not present` };
    let block = asBytes(String(args["block"] ?? ""));
    let blockLines = [];
    if (present2 && block) {
      if (!block.endsWith("\n")) block += "\n";
      blockLines = [marker0, ...splitLinesKeepingEnds(block), marker1];
    }
    let n0;
    let n1;
    lines2.forEach((line, i) => {
      if (line === marker0) n0 = i;
      if (line === marker1) n1 = i;
    });
    let at;
    if (n0 === void 0 || n1 === void 0) {
      let found;
      if (insertRe !== void 0) {
        if (insertRe.multiline) {
          const match = pythonSearch(insertRe, original ?? "");
          if (match) {
            const upTo = insertafter ? match.index + match[0].length : match.index;
            found = ((original ?? "").slice(0, upTo).match(/\n/g) ?? []).length;
          }
        } else {
          lines2.forEach((line, i) => {
            if (pythonSearch(insertRe, line)) found = i;
          });
        }
        if (found === void 0) at = lines2.length;
        else at = insertafter !== void 0 ? found + 1 : found;
      } else if (insertbefore !== void 0) {
        at = 0;
      } else {
        at = lines2.length;
      }
    } else if (n0 < n1) {
      lines2.splice(n0, n1 - n0 + 1);
      at = n0;
    } else {
      lines2.splice(n1, n0 - n1 + 1);
      at = n1;
    }
    if (at > 0 && at - 1 < lines2.length && !lines2[at - 1].endsWith("\n")) lines2[at - 1] += "\n";
    lines2.splice(at, 0, ...blockLines);
    const result = lines2.join("");
    if (ctx.diff) diff["after"] = Buffer.from(result, "latin1").toString("utf8");
    let msg = "";
    let changed = true;
    if (original === result) changed = false;
    else if (original === void 0) msg = "File created";
    else if (blockLines.length === 0) msg = "Block removed";
    else msg = "Block inserted";
    if (original === void 0) changed = true;
    return finishEdit(ctx, facts, target, {
      changed,
      msg,
      content: Buffer.from(result, "latin1"),
      diff,
      backupField: "backup_file",
      makeParents: true
    });
  }
};

// src/modules/command.ts
var COMMAND_ARGS = {
  // Values are read by runCommandModule and command-runner.ts, with the messages they give today.
  options: untypedOptions(
    "_raw_params",
    "_uses_shell",
    "argv",
    "chdir",
    "creates",
    "executable",
    "removes",
    "stdin",
    "stdin_add_newline",
    "strip_empty_ends"
  ),
  hidden: ["cmd"],
  reportedAs: "ansible.legacy.command"
};
var commandFamily = {
  // In check mode creates/removes decide as in a real run, and nothing runs (checkModeResult).
  supportsCheckMode: true,
  freeForm: true,
  supportsAsync: true,
  ownTimeout: true,
  args: COMMAND_ARGS
};
var commandModule = {
  name: "command",
  ...commandFamily,
  run: (ctx) => runCommandModule(ctx, boolArg(ctx.args["_uses_shell"], "_uses_shell", false))
};
async function runCommandModule(ctx, usesShell) {
  const { args } = ctx;
  const warnings = [];
  const withWarnings = (result) => {
    if (warnings.length > 0) result["warnings"] = warnings;
    return result;
  };
  if (args["cmd"] !== void 0 && optionalString(args["_raw_params"]) !== void 0) {
    throw new ModuleArgumentError(
      "The 'cmd' argument cannot be used when other raw parameters are specified. Please put everything in one or the other place."
    );
  }
  const raw = optionalString(args["_raw_params"]) ?? optionalString(args["cmd"]);
  let executable = optionalString(args["executable"]);
  if (!usesShell && executable !== void 0) {
    warnings.push(
      `As of Ansible 2.4, the parameter 'executable' is no longer supported with the 'command' module. Not using '${executable}'.`
    );
    executable = void 0;
  }
  const argv = argvArg(args["argv"]);
  if ((raw === void 0 || raw.trim() === "") && argv.length === 0)
    return withWarnings(notRun("no command given"));
  if (raw !== void 0 && argv.length > 0)
    return withWarnings(notRun("only command or argv can be given, not both"));
  const options2 = {
    chdir: optionalString(args["chdir"]),
    stdin: stdinArg(args),
    moduleName: usesShell ? "shell" : "command",
    stripEmptyEnds: boolArg(args["strip_empty_ends"], "strip_empty_ends", true)
  };
  if (usesShell) {
    const line = raw ?? shellJoin(argv);
    const cmd = raw ?? argv;
    const skipped2 = await checkCreatesRemoves(ctx, cmd);
    if (skipped2) return withWarnings(skipped2);
    if (ctx.check) return withWarnings(checkModeResult2(ctx, cmd));
    const shell = executable ?? "/bin/sh";
    return withWarnings(
      await runCommand(ctx, `${shellQuote(shell)} -c ${shellQuote(line)}`, cmd, {
        ...options2,
        runsUnderSh: shell === "/bin/sh",
        // A missing `executable` fails as Python's subprocess does, with the shell's path as the program.
        ...executable === void 0 ? {} : {
          checkedScript: execScript([shell, "-c", line], { checked: true }),
          cmdIfNotStarted: pythonShellJoin(cleanArgs([shell, "-c", line]))
        }
      })
    );
  }
  let words3 = argv;
  if (raw !== void 0) {
    try {
      words3 = shlexSplit(raw);
    } catch (error) {
      throw new ModuleArgumentError(
        `could not split the command into arguments (${error.message}): check the quoting, or use shell:`
      );
    }
  }
  const skipped = await checkCreatesRemoves(ctx, words3);
  if (skipped) return withWarnings(skipped);
  if (ctx.check) return withWarnings(checkModeResult2(ctx, words3));
  return withWarnings(
    await runCommand(ctx, execScript(words3), words3, {
      ...options2,
      checkedScript: execScript(words3, { checked: true }),
      cmdIfNotStarted: pythonShellJoin(cleanArgs(words3))
    })
  );
}
function checkModeResult2(ctx, cmd) {
  const predicts = optionalString(ctx.args["creates"]) !== void 0 || optionalString(ctx.args["removes"]) !== void 0;
  return {
    changed: predicts,
    cmd,
    delta: null,
    end: null,
    msg: "Command would have run if not in check mode",
    rc: 0,
    start: null,
    stderr: "",
    stderr_lines: [],
    stdout: "",
    stdout_lines: [],
    ...predicts ? {} : { skipped: true }
  };
}
function notRun(msg) {
  return {
    changed: false,
    cmd: null,
    delta: null,
    end: null,
    failed: true,
    msg,
    rc: 256,
    start: null,
    stderr: "",
    stderr_lines: [],
    stdout: "",
    stdout_lines: []
  };
}
function argvArg(value) {
  if (value === void 0 || value === null) return [];
  if (!Array.isArray(value))
    throw new ModuleArgumentError(
      `argv must be a list of strings, got ${pythonStr(value)}: write it as a YAML list`
    );
  return value.map((item) => pythonStr(item));
}
function stdinArg(args) {
  const stdin = args["stdin"];
  if (stdin === void 0 || stdin === null) return void 0;
  const addNewline = boolArg(args["stdin_add_newline"], "stdin_add_newline", true);
  return pythonStr(stdin) + (addNewline ? "\n" : "");
}
function cleanArgs(words3) {
  const out = [];
  let maskNext = false;
  for (const word of words3) {
    if (maskNext) {
      out.push("********");
      maskNext = false;
      continue;
    }
    if (/^-{0,2}pass-?(word|wd)?/.test(word)) {
      const eq = word.indexOf("=");
      if (eq > -1) out.push(`${word.slice(0, eq)}=********`);
      else {
        out.push(word);
        maskNext = true;
      }
      continue;
    }
    out.push(word);
  }
  return out;
}

// src/modules/copy.ts
import { statSync as statSync4 } from "node:fs";
import path8 from "node:path";

// src/modules/vaulted-diff.ts
import { readFileSync as readFileSync2 } from "node:fs";
var VAULTED_DIFF_NOTE = "diff skipped: the source is vault-encrypted\n";
function isVaultedFile(file) {
  try {
    return isVaultText(readFileSync2(file));
  } catch {
    return false;
  }
}
function hideVaultedDiff(result) {
  const diff = result["diff"];
  if (diff === void 0 || diff === null) return result;
  const hide = (entry) => {
    if (!isRecord(entry) || !("before" in entry) && !("after" in entry)) return entry;
    const kept = {};
    if ("before_header" in entry) kept["before_header"] = entry["before_header"];
    if ("after_header" in entry) kept["after_header"] = entry["after_header"];
    return { ...kept, prepared: VAULTED_DIFF_NOTE };
  };
  result["diff"] = Array.isArray(diff) ? diff.map(hide) : hide(diff);
  return result;
}
function maskVaultTextInDiff(result) {
  const diff = result["diff"];
  if (diff === void 0 || diff === null) return result;
  const secrets = vaultKeyring().revealedTexts();
  if (secrets.length > 0) result["diff"] = maskNoLogValues(diff, secrets);
  return result;
}

// src/modules/copy-tree.ts
import { createHash as createHash3, randomBytes as randomBytes4 } from "node:crypto";
import { lstatSync, readdirSync as readdirSync2, readlinkSync, realpathSync, statSync as statSync3 } from "node:fs";
import path6 from "node:path";
var COPY_ACT2 = { name: "apb-copy", source: copy_act_default };
var FILE_ACT = { name: "apb-file", source: file_act_default };
var PATH_PROBE2 = { name: "apb-path", source: path_default };
function walkSource(source, localFollow) {
  const tree = { files: [], directories: [], links: [] };
  const top = source.replace(/\/+$/, "") || "/";
  const base2 = source.endsWith("/") ? "" : `${path6.basename(top)}/`;
  if (!localFollow && lstatSync(top).isSymbolicLink()) {
    tree.links.push({ target: readlinkSync(top), rel: path6.basename(top) });
    return tree;
  }
  const identity = (p) => {
    const st = statSync3(p);
    return `${st.dev}:${st.ino}`;
  };
  const walk2 = (dir, prefix, parents) => {
    const entries = readdirSync2(dir, { withFileTypes: true }).sort(
      (a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0
    );
    for (const entry of entries) {
      const full = path6.join(dir, entry.name);
      const rel = `${prefix}${entry.name}`;
      if (entry.isSymbolicLink()) {
        let target;
        try {
          target = statSync3(full);
        } catch {
          target = void 0;
        }
        if (localFollow && target?.isDirectory()) {
          const id = `${target.dev}:${target.ino}`;
          if (parents.has(id)) {
            tree.links.push({ target: readlinkSync(full), rel });
          } else {
            tree.directories.push(rel);
            walk2(realpathSync(full), `${rel}/`, /* @__PURE__ */ new Set([...parents, id]));
          }
        } else if (localFollow && target?.isFile()) {
          tree.files.push({ local: realpathSync(full), rel });
        } else {
          tree.links.push({ target: readlinkSync(full), rel });
        }
      } else if (entry.isDirectory()) {
        tree.directories.push(rel);
        walk2(full, `${rel}/`, /* @__PURE__ */ new Set([...parents, identity(full)]));
      } else {
        tree.files.push({ local: full, rel });
      }
    }
  };
  walk2(top, base2, /* @__PURE__ */ new Set([identity(top)]));
  return tree;
}
function escapeForPrintf(text5) {
  return [...Buffer.from(text5, "utf8")].map((byte) => {
    const c = String.fromCharCode(byte);
    return /[A-Za-z0-9._/-]/.test(c) ? c : `\\0${byte.toString(8).padStart(3, "0")}`;
  }).join("");
}
function parseFound(line) {
  if (line === "-") return void 0;
  const [type, mode, uid, gid, size, sha12, owner, group, link] = line.split(" ");
  const text5 = (value) => value === void 0 || value === "-" ? void 0 : fromHex(value).toString("utf8");
  const found = {
    type: type ?? "O",
    permissions: parseInt(mode ?? "0", 8),
    uid: Number(uid),
    gid: Number(gid),
    size: Number(size)
  };
  if (sha12 && sha12 !== "-") found.sha1 = sha12;
  const ownerName = text5(owner);
  if (ownerName !== void 0 && ownerName !== "UNKNOWN") found.owner = ownerName;
  const groupName2 = text5(group);
  if (groupName2 !== void 0 && groupName2 !== "UNKNOWN") found.group = groupName2;
  const linkTarget = text5(link);
  if (linkTarget !== void 0) found.link = linkTarget;
  return found;
}
function tarOf(files) {
  const blocks = [];
  const octal2 = (value, width) => value.toString(8).padStart(width - 1, "0") + "\0";
  for (const { index, content } of files) {
    const header = Buffer.alloc(512);
    header.write(`f${index}`, 0, "utf8");
    header.write(octal2(384, 8), 100, "ascii");
    header.write(octal2(0, 8), 108, "ascii");
    header.write(octal2(0, 8), 116, "ascii");
    header.write(octal2(content.length, 12), 124, "ascii");
    header.write(octal2(Math.floor(Date.now() / 1e3), 12), 136, "ascii");
    header.write("        ", 148, "ascii");
    header.write("0", 156, "ascii");
    header.write("ustar\0", 257, "ascii");
    header.write("00", 263, "ascii");
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "ascii");
    blocks.push(header, content);
    const pad = (512 - content.length % 512) % 512;
    if (pad) blocks.push(Buffer.alloc(pad));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}
function differs2(spec, id, name) {
  return /^\d+$/.test(spec) ? Number(spec) !== id : spec !== name;
}
var TreeFailure = class extends Error {
  constructor(result) {
    super(String(result["msg"]));
    this.result = result;
  }
  result;
};
async function copyTree(facts, args, request2) {
  try {
    return await copyTreeOrFail(facts, args, request2);
  } catch (error) {
    if (error instanceof TreeFailure) return { changed: false, failed: true, ...error.result };
    throw error;
  }
}
async function copyTreeOrFail(facts, args, request2) {
  const localFollow = boolArg(args["local_follow"], "local_follow", true);
  const force = boolArg(args["force"], "force", true);
  const sums = /* @__PURE__ */ new Map();
  const sha1Of = (local, content) => {
    let sum = sums.get(local);
    if (sum === void 0) {
      sum = createHash3("sha1").update(content ?? readSourceFile(local, args)).digest("hex");
      sums.set(local, sum);
    }
    return sum;
  };
  const text5 = (name) => {
    const value = args[name];
    return value === void 0 || value === null || value === "" ? void 0 : String(value);
  };
  const owner = text5("owner");
  const group = text5("group");
  const preserve = args["mode"] === "preserve";
  const mode = preserve ? void 0 : normaliseMode(args["mode"]);
  const directoryMode = args["directory_mode"] ?? void 0;
  const expectedChecksum = text5("checksum");
  const root = request2.dest.endsWith("/") ? request2.dest : `${request2.dest}/`;
  const tree = walkSource(request2.source, localFollow);
  const base2 = { dest: root, src: request2.source };
  if (tree.files.length + tree.directories.length + tree.links.length === 0) {
    return { ...base2, changed: false };
  }
  const listed = new Set(tree.directories);
  const implicit = /* @__PURE__ */ new Set();
  for (const rel of [...tree.files.map((f) => f.rel), ...tree.links.map((l) => l.rel)]) {
    for (let dir = path6.posix.dirname(rel); dir !== "."; dir = path6.posix.dirname(dir))
      if (!listed.has(dir)) implicit.add(dir);
  }
  const dirs = [.../* @__PURE__ */ new Set([...implicit, ...tree.directories])].sort();
  const probeLines = [
    ...dirs.map((rel) => `d${escapeForPrintf(rel)}`),
    ...tree.files.map((f) => `f${escapeForPrintf(f.rel)}`),
    ...tree.links.map((l) => `l${escapeForPrintf(l.rel)}`)
  ];
  const connection = await facts.connection();
  const probed = await connection.run(probeCommand(COPY_ACT2, ["probe", root]), {
    stdin: `${probeLines.join("\n")}
`,
    timeoutMs: request2.timeoutMs,
    outputCapBytes: Infinity
  });
  if (probed.timedOut) {
    throw new CommandTimeoutError(
      `copy: reading ${root} on ${connection.host} took longer than ${request2.timeoutMs} ms`,
      connection.host,
      request2.timeoutMs
    );
  }
  const answer = new ProbeAnswer(probed.stdout.toString("utf8"));
  if (!answer.complete) {
    throw new ModuleArgumentError(
      `copy: reading ${root} on ${connection.host} failed: ` + (probed.stderr.toString("utf8").trim().slice(-400) || `exit code ${String(probed.code)}`)
    );
  }
  const found = answer.all("e").map(parseFound);
  const umask = parseInt(answer.get("umask") ?? "022", 8);
  const rootType = answer.get("root");
  if (rootType === "other") {
    throw new TreeFailure({ msg: `Destination ${request2.dest} exists and is not a directory` });
  }
  const foundDir = new Map(dirs.map((rel, i) => [rel, found[i]]));
  const foundFile = tree.files.map((_, i) => found[dirs.length + i]);
  const foundLink = tree.links.map((_, i) => found[dirs.length + tree.files.length + i]);
  const dirOps = [];
  const newDirAttrs = [];
  const attrOps = [];
  const linkOps = [];
  let planned = false;
  const account = (target, st, fresh) => {
    if (owner !== void 0 && (fresh || !st || differs2(owner, st.uid, st.owner)))
      attrOps.push(["owner", target, owner]);
    if (group !== void 0 && (fresh || !st || differs2(group, st.gid, st.group)))
      attrOps.push(["group", target, group]);
  };
  const dirModeFor = (current) => {
    if (directoryMode === void 0) return void 0;
    try {
      return wantedMode(directoryMode, current, umask, true) & 4095;
    } catch (error) {
      throw new TreeFailure({
        msg: "mode must be in octal or symbolic form",
        details: error instanceof Error ? error.message : String(error)
      });
    }
  };
  if (rootType === "none") {
    const existing = answer.bytes("existing_hex")?.toString("utf8") ?? "/";
    const chain = [];
    for (let dir = root.replace(/\/+$/, ""); dir !== existing && dir.length > existing.length; ) {
      chain.unshift(dir);
      dir = path6.posix.dirname(dir);
    }
    for (const dir of chain) newDirectory(dir);
  }
  function newDirectory(target) {
    dirOps.push(["mkdir", target]);
    const wanted = dirModeFor(511 & ~umask);
    if (owner !== void 0) newDirAttrs.push(["owner", target, owner]);
    if (group !== void 0) newDirAttrs.push(["group", target, group]);
    if (wanted !== void 0) newDirAttrs.push(["mode", target, wanted.toString(8)]);
    planned = true;
  }
  for (const rel of dirs) {
    const target = `${root}${rel}`;
    const st = foundDir.get(rel);
    if (!st) {
      newDirectory(target);
    } else if (st.type !== "D" && !(st.type === "L" && implicit.has(rel))) {
      throw new TreeFailure({
        msg: `there is already a file or link at ${target}: a directory of the source cannot be copied there`,
        path: target
      });
    } else if (listed.has(rel) && st.type === "D") {
      account(target, st, false);
      const wanted = dirModeFor(st.permissions);
      if (wanted !== void 0 && wanted !== st.permissions)
        attrOps.push(["mode", target, wanted.toString(8)]);
    }
  }
  const writes = [];
  tree.files.forEach((file, index) => {
    const target = `${root}${file.rel}`;
    const st = foundFile[index];
    if (st?.type === "D") {
      throw new TreeFailure({ msg: `destination ${target} is a directory`, path: target });
    }
    if (st && !force) return;
    const content = readSourceFile(file.local, args);
    const sha12 = sha1Of(file.local, content);
    const fileModeArg = preserve ? normaliseMode("preserve", () => statSync3(file.local).mode) : mode;
    if (st?.type === "F" && st.sha1 === sha12) {
      account(target, st, false);
      if (fileModeArg !== void 0) {
        const wanted = fileMode(fileModeArg, st.permissions, umask);
        if (wanted !== st.permissions) attrOps.push(["mode", target, wanted.toString(8)]);
      }
      return;
    }
    if (expectedChecksum !== void 0 && expectedChecksum !== sha12) {
      throw new TreeFailure({
        msg: "Copied file does not match the expected checksum. Transfer failed.",
        checksum: sha12,
        expected_checksum: expectedChecksum
      });
    }
    const finalMode = fileMode(fileModeArg, st?.type === "F" ? st.permissions : void 0, umask);
    writes.push({ index, content, target, mode: finalMode });
    account(target, void 0, true);
    planned = true;
  });
  tree.links.forEach((link, index) => {
    const target = `${root}${link.rel}`;
    const st = foundLink[index];
    if (st?.type === "L" && st.link === link.target) {
      account(target, st, false);
      return;
    }
    if (st?.type === "D") {
      throw new TreeFailure({
        msg: `the directory ${target} is in the way of a link`,
        path: target
      });
    }
    linkOps.push([
      "symlink",
      link.target,
      target,
      st ? "1" : "0",
      `.apb-link-${randomBytes4(8).toString("hex")}`
    ]);
    account(target, void 0, true);
    planned = true;
  });
  const single = tree.files.length === 1 && tree.directories.length + tree.links.length === 0;
  if (request2.check) {
    return { ...base2, changed: planned || attrOps.length > 0 };
  }
  if (!planned && attrOps.length === 0) {
    const st = foundFile[0];
    if (!single || !st) return { ...base2, changed: false };
    const only = `${root}${tree.files[0].rel}`;
    return { changed: false, ...fileFields(only, st.sha1 ?? "", st), path: only };
  }
  const stage = `${root}.apb-copy-${randomBytes4(8).toString("hex")}`;
  const steps = [];
  if (dirOps.length)
    steps.push(`${probeCommand(FILE_ACT, [...dirOps, ...newDirAttrs].flat())} </dev/null`);
  if (writes.length) {
    steps.push(probeCommand(COPY_ACT2, ["stage", stage]));
    steps.push(
      `${probeCommand(COPY_ACT2, [
        "place",
        stage,
        ...writes.flatMap((w) => [String(w.index), w.target, w.mode.toString(8).padStart(4, "0")])
      ])} </dev/null`
    );
  }
  const laterOps = [...linkOps, ...attrOps];
  if (laterOps.length) steps.push(`${probeCommand(FILE_ACT, laterOps.flat())} </dev/null`);
  let command = steps.join(" && ");
  if (writes.length) command = `${command}; ${probeCommand(COPY_ACT2, ["unstage", stage])}`;
  const described = single ? `${root}${tree.files[0].rel}` : void 0;
  if (described !== void 0) {
    command = `${command}; echo apb-split; ${probeCommand(PATH_PROBE2, [described, "0", "", "0", "0"])}`;
  }
  const result = await connection.run(command, {
    stdin: tarOf(writes),
    timeoutMs: request2.timeoutMs
  });
  if (result.timedOut) {
    throw new CommandTimeoutError(
      `copy: writing ${root} on ${connection.host} took longer than ${request2.timeoutMs} ms`,
      connection.host,
      request2.timeoutMs
    );
  }
  const out = result.stdout.toString("utf8");
  const split = out.indexOf("apb-split\n");
  const acted = new ProbeAnswer(split < 0 ? out : out.slice(0, split));
  let after;
  if (described !== void 0 && split >= 0) {
    const probe = new ProbeAnswer(out.slice(split + "apb-split\n".length));
    if (probe.complete) after = parsePathAnswer(probe, described, {}, connection.host);
  }
  const what = acted.get("fail");
  if (what !== void 0) {
    const message2 = fromHex(acted.get("fail_hex") ?? "").toString("utf8");
    const at = acted.bytes("fail_at_hex")?.toString("utf8") || root;
    if (what === "tar")
      throw new TreeFailure({
        msg: `copy: copying a directory needs tar on the target: ${message2}`
      });
    const st = described === at ? after : await facts.path(at).catch(() => void 0);
    const concerned = tree.files.find(
      (f) => `${root}${f.rel}` === at || `${root}${f.rel}`.startsWith(`${at}/`)
    );
    const sum = concerned ? sha1Of(concerned.local) : void 0;
    throw new TreeFailure({
      ...actFailure(what, message2, at, osErrorText(message2, at)),
      ...pathInfo(st),
      ...sum === void 0 ? {} : { checksum: sum }
    });
  }
  const stepsDone = acted.all("act").length;
  if (stepsDone < steps.length) {
    throw new ModuleArgumentError(
      `copy: the changes below ${root} on ${connection.host} stopped before their end: ` + (result.stderr.toString("utf8").trim().slice(-400) || `exit code ${String(result.code)}`)
    );
  }
  const changed = planned || ["owner", "group", "mode"].some((key) => acted.get(key) !== void 0);
  if (described !== void 0 && after?.exists) {
    const sha12 = sha1Of(tree.files[0].local);
    return { changed, ...fileFields(described, sha12, after) };
  }
  return { ...base2, changed };
}
function fileMode(mode, current, umask) {
  const now = current ?? 438 & ~umask;
  if (mode === void 0) return now;
  if (/^[0-7]+$/.test(mode)) return parseInt(mode, 8) & 4095;
  return applySymbolicMode(now, mode, umask);
}

// src/modules/copy-remote-tree.ts
import path7 from "node:path";

// src/modules/copy-remote-tree.sh
var copy_remote_tree_default = '#!/bin/sh\n# apb-rtree: `copy` with `remote_src` and a directory as `src`, on the target. POSIX sh, no Python.\n#\n# Run as:  /bin/sh -c "<this text>" apb-rtree SRC DEST INTO FOLLOW OWNER GROUP DRY\n# (src/modules/copy-remote-tree.ts)\n#\n#   SRC     the directory on the target to copy (without its trailing slash)\n#   DEST    the directory to copy into\n#   INTO    1: copy SRC itself into DEST (Ansible\'s `src: dir`); 0: what is in SRC (`src: dir/`)\n#   FOLLOW  local_follow as given: 1, 0, or empty when not given (links that are new then stay out,\n#           links inside new directories stay links, as Ansible\'s copy module does)\n#   OWNER   GROUP  given to what is copied (names or ids), empty: left as they come\n#   DRY     1: change nothing, only say whether something would change\n#\n# As Ansible\'s copy module does it: a directory that is new at its place is copied whole (modes and\n# times kept); in a directory that exists, a file that differs is rewritten in place and a new one\n# written, both with the mode of the source file; then owner and group are set on everything below.\n# Prints changed=1 for each change (or would-be change), then act=done. A failure prints fail=<what>\n# and fail_hex=<message, hex>, and exits 1.\nset -u\n\nhex() {\n  od -An -v -tx1 | tr -d \' \\n\'\n}\n\nfail() {\n  echo "fail=$1"\n  printf \'%s\' "$2" | hex | sed \'s/^/fail_hex=/\'\n  echo\n  exit 1\n}\n\nsrc=$1 dest=$2 into=$3 follow=$4 owner=$5 group=$6 dry=$7\n\n# A whole directory, modes and times kept (copytree); links followed only with FOLLOW=1.\ncopy_tree() {\n  [ "$dry" = 1 ] && {\n    echo changed=1\n    return 0\n  }\n  deref=-P\n  [ "$follow" = 1 ] && deref=-L\n  out=$(cp -R "$deref" --preserve=mode,timestamps -- "$1" "$2" 2>&1) ||\n    out=$(cp -R "$deref" -p -- "$1" "$2" 2>&1) || fail copy "$out"\n  echo changed=1\n}\n\n# One file\'s bytes into dest (in place, as copyfile), then the source\'s mode (copymode).\ncopy_file() {\n  out=$(cat -- "$1" 2>&1 >"$2") || fail copy "$out"\n  [ "$3" = 1 ] || return 0\n  m=$(stat -L -c %a -- "$1") || fail copy "cannot read the mode of $1"\n  out=$(chmod -- "$m" "$2" 2>&1) || fail copy "$out"\n}\n\n# What is in directory S into directory D, which exists: differing files, new entries, then the\n# directories both have, recursively (each level in a subshell: sh has no local variables).\nsync_dir() {\n  s=$1 d=$2\n  for e in "$s"/* "$s"/.[!.]* "$s"/..?*; do\n    [ -e "$e" ] || [ -L "$e" ] || continue\n    n=${e##*/}\n    t=$d/$n\n    if [ -e "$t" ] || [ -L "$t" ]; then\n      if [ -f "$e" ] && [ -f "$t" ]; then\n        if ! cmp -s -- "$e" "$t"; then\n          echo changed=1\n          if [ "$dry" != 1 ]; then\n            if [ -L "$e" ] && [ "$follow" = 0 ]; then\n              out=$(ln -s -- "$(readlink -- "$e")" "$t" 2>&1) || fail copy "$out"\n            else\n              copy_file "$e" "$t" 1\n            fi\n          fi\n        fi\n      elif [ -d "$e" ] && [ -d "$t" ]; then\n        (sync_dir "$e" "$t") || exit 1\n      fi\n      continue\n    fi\n    if [ -L "$e" ]; then\n      case $follow in\n        1)\n          if [ -d "$e" ]; then\n            copy_tree "$e" "$t"\n          elif [ -f "$e" ]; then\n            echo changed=1\n            [ "$dry" = 1 ] || copy_file "$e" "$t" 0\n          fi\n          ;;\n        0)\n          echo changed=1\n          if [ "$dry" != 1 ]; then\n            out=$(ln -s -- "$(readlink -- "$e")" "$t" 2>&1) || fail copy "$out"\n          fi\n          ;;\n        *)\n          # local_follow not given: Ansible\'s copy module leaves a new link out, yet counts it\n          # as a change (it is there only on one side).\n          echo changed=1\n          ;;\n      esac\n    elif [ -d "$e" ]; then\n      copy_tree "$e" "$t"\n    elif [ -f "$e" ]; then\n      echo changed=1\n      [ "$dry" = 1 ] || copy_file "$e" "$t" 1\n    fi\n  done\n}\n\n# Owner and group of everything at and below P, where they differ.\nown_tree() {\n  if [ -n "$owner" ]; then\n    case $owner in\n      *[!0-9]*) uid=$(id -u -- "$owner" 2>/dev/null) || fail owner-lookup "$owner" ;;\n      *) uid=$owner ;;\n    esac\n    if [ -n "$(find "$1" ! -uid "$uid" -print | head -n 1)" ]; then\n      echo changed=1\n      if [ "$dry" != 1 ]; then\n        out=$(find "$1" ! -uid "$uid" -exec chown -h -- "$uid" {} + 2>&1) || fail chown "$out"\n      fi\n    fi\n  fi\n  if [ -n "$group" ]; then\n    case $group in\n      *[!0-9]*)\n        gid=$(getent group "$group" 2>/dev/null | cut -d: -f3)\n        [ -n "$gid" ] || fail group-lookup "$group"\n        ;;\n      *) gid=$group ;;\n    esac\n    if [ -n "$(find "$1" ! -gid "$gid" -print | head -n 1)" ]; then\n      echo changed=1\n      if [ "$dry" != 1 ]; then\n        out=$(find "$1" ! -gid "$gid" -exec chgrp -h -- "$gid" {} + 2>&1) || fail chgrp "$out"\n      fi\n    fi\n  fi\n}\n\nif [ "$into" = 1 ]; then\n  target=$dest/${src##*/}\n  if [ ! -d "$dest" ]; then\n    # A new dest: made, then filled file by file (the times of files are not kept here).\n    echo changed=1\n    if [ "$dry" != 1 ]; then\n      out=$(mkdir -p -- "$target" 2>&1) || fail mkdir "$out"\n      (sync_dir "$src" "$target") || exit 1\n      own_tree "$target"\n    fi\n  elif [ ! -e "$target" ]; then\n    copy_tree "$src" "$target"\n    [ "$dry" = 1 ] || own_tree "$dest"\n  else\n    (sync_dir "$src" "$target") || exit 1\n    own_tree "$target"\n  fi\nelse\n  if [ ! -e "$dest" ]; then\n    copy_tree "$src" "$dest"\n    [ "$dry" = 1 ] || own_tree "$dest"\n  else\n    (sync_dir "$src" "$dest") || exit 1\n    own_tree "$dest"\n  fi\nfi\necho act=done\n';

// src/modules/copy-remote-tree.ts
var RTREE = { name: "apb-rtree", source: copy_remote_tree_default };
var FILE_ACT2 = { name: "apb-file", source: file_act_default };
var PATH_PROBE3 = { name: "apb-path", source: path_default };
async function copyRemoteTree(facts, args, request2) {
  const text5 = (name) => {
    const value = args[name];
    return value === void 0 || value === null ? "" : String(value);
  };
  const follow = args["local_follow"] === void 0 || args["local_follow"] === null ? "" : boolArg(args["local_follow"], "local_follow", true) ? "1" : "0";
  const dest = request2.dest.includes("/") ? request2.dest : `./${request2.dest}`;
  const srcDir = request2.src.replace(/\/+$/, "") || "/";
  const into = request2.src.endsWith("/") ? "0" : "1";
  const before = await facts.path(dest);
  const isDir = before.exists && (before.type === "directory" || before.type === "link" && before.linkTo === "directory");
  const described = isDir ? `${dest.replace(/\/+$/, "")}/${request2.src.endsWith("/") ? "" : path7.posix.basename(srcDir)}` : dest;
  const owner = text5("owner");
  const group = text5("group");
  const connection = await facts.connection();
  const dry = request2.check ? "1" : "0";
  const commands = [
    probeCommand(RTREE, [srcDir, dest, into, follow, owner, group, dry]) + " </dev/null"
  ];
  const ops = [];
  if (owner) ops.push(["owner", described, owner]);
  if (group) ops.push(["group", described, group]);
  let modeChange = false;
  if (request2.mode !== void 0) {
    const current = before.exists ? before.permissions : 511 & ~before.umask;
    let wanted;
    try {
      wanted = wantedMode(request2.mode, current, before.umask, true) & 4095;
    } catch (error) {
      return {
        changed: false,
        failed: true,
        msg: "mode must be in octal or symbolic form",
        details: error instanceof Error ? error.message : String(error)
      };
    }
    modeChange = wanted !== current;
    ops.push(["mode", described, wanted.toString(8)]);
  }
  if (!request2.check && ops.length) commands.push(probeCommand(FILE_ACT2, ops.flat()));
  if (!request2.check) {
    commands.push("echo apb-split");
    commands.push(probeCommand(PATH_PROBE3, [described, "0", "", "0", "0"]));
  }
  const result = await connection.run(commands.join("; "), { timeoutMs: request2.timeoutMs });
  if (result.timedOut) {
    throw new CommandTimeoutError(
      `copy: copying ${srcDir} to ${dest} on ${connection.host} took longer than ${request2.timeoutMs} ms`,
      connection.host,
      request2.timeoutMs
    );
  }
  const out = result.stdout.toString("utf8");
  const split = out.indexOf("apb-split\n");
  const acted = new ProbeAnswer(split < 0 ? out : out.slice(0, split));
  let after = before;
  if (split >= 0) {
    const probe = new ProbeAnswer(out.slice(split + "apb-split\n".length));
    if (probe.complete) after = parsePathAnswer(probe, described, {}, connection.host);
  }
  const what = acted.get("fail");
  if (what !== void 0) {
    const message2 = fromHex(acted.get("fail_hex") ?? "").toString("utf8");
    return {
      changed: false,
      failed: true,
      ...actFailure(what, message2, described, osErrorText(message2, described)),
      ...pathInfo(after)
    };
  }
  if (!acted.all("act").length) {
    throw new ModuleArgumentError(
      `copy: copying ${srcDir} to ${dest} on ${connection.host} stopped before its end: ` + (result.stderr.toString("utf8").trim().slice(-400) || `exit code ${String(result.code)}`)
    );
  }
  const changed = acted.get("changed") !== void 0 || ["owner", "group", "mode"].some((key) => acted.get(key) !== void 0) || request2.check && modeChange;
  return {
    changed,
    checksum: null,
    dest: described,
    md5sum: null,
    src: request2.src,
    ...pathInfo(after)
  };
}

// src/modules/copy.ts
var NOT_HERE = "use the file module or a shell task for it";
var FILE_OPTIONS_REFUSED = {
  attributes: { type: "raw", aliases: ["attr"], notImplemented: NOT_HERE },
  selevel: { type: "raw", notImplemented: NOT_HERE },
  serole: { type: "raw", notImplemented: NOT_HERE },
  setype: { type: "raw", notImplemented: NOT_HERE },
  seuser: { type: "raw", notImplemented: NOT_HERE },
  unsafe_writes: {
    type: "raw",
    notImplemented: "every write here is atomic (a temporary file beside dest, then mv)"
  }
};
var copyModule = {
  name: "copy",
  supportsCheckMode: true,
  // Ansible's copy action hands unknown arguments to its copy module, which names itself so.
  args: {
    reportedAs: "ansible.legacy.copy",
    options: {
      ...untypedOptions(
        "content",
        "src",
        "dest",
        "mode",
        "force",
        "backup",
        "owner",
        "group",
        "remote_src",
        "directory_mode",
        "validate",
        "follow",
        "local_follow",
        "checksum"
      ),
      ...FILE_OPTIONS_REFUSED,
      // A vault-encrypted controller file is decrypted before it is sent, unless this is false (template
      // has no such option: it always decrypts its source, as Ansible's does).
      decrypt: { type: "bool", default: true }
    }
  },
  async run(ctx) {
    const args = ctx.args;
    const src = optionalString(args["src"]);
    const hasContent = args["content"] !== void 0 && args["content"] !== null;
    let dest = optionalString(args["dest"]);
    if (!src && !hasContent) return fail2("src (or content) is required");
    if (!dest) return fail2("dest is required");
    if (src && hasContent) return fail2("src and content are mutually exclusive");
    if (hasContent && dest.endsWith("/")) return fail2("can not use content with a dir as dest");
    const facts = factsFor(ctx);
    dest = await expandUser(facts, dest, ctx.timeoutMs);
    const preserve = args["mode"] === "preserve";
    const file = {
      mode: normaliseMode(args["mode"], () => 384),
      check: ctx.check,
      diff: ctx.diff,
      timeoutMs: ctx.timeoutMs
    };
    if (hasContent) {
      const value = args["content"];
      const text5 = typeof value === "string" ? value : Array.isArray(value) || isRecord(value) ? pythonJsonDumps(value, { ensureAscii: true }) : pythonStr(value);
      return await toFile(facts, args, dest, void 0, Buffer.from(text5, "utf8"), file);
    }
    if (boolArg(args["remote_src"], "remote_src", false)) {
      return await remoteCopy(facts, args, src, dest, file);
    }
    const local = findControllerFile(src, "files", ctx, { directories: true });
    if (statSync4(local).isDirectory()) {
      return await copyTree(facts, args, {
        source: src.endsWith("/") ? `${local}/` : local,
        dest,
        check: ctx.check,
        timeoutMs: ctx.timeoutMs
      });
    }
    if (dest.endsWith("/")) dest = `${dest}${path8.basename(local)}`;
    if (preserve) file.mode = normaliseMode("preserve", () => statSync4(local).mode);
    const result = await toFile(facts, args, dest, local, readSourceFile(local, args), file);
    const decrypts = args["decrypt"] === void 0 || boolArg(args["decrypt"], "decrypt", true);
    return decrypts && isVaultedFile(local) ? hideVaultedDiff(result) : result;
  }
};
function fail2(msg) {
  return { changed: false, failed: true, msg };
}
async function toFile(facts, args, dest, src, content, file) {
  let state = await inspectRemote(facts, dest);
  if (state.kind === "dir") {
    if (src === void 0) return fail2("can not use content with a dir as dest");
    dest = `${dest.replace(/\/+$/, "")}/${path8.basename(src)}`;
    state = await inspectRemote(facts, dest);
    if (state.kind === "dir") throw new ModuleArgumentError(`destination ${dest} is a directory`);
  }
  const result = await transferWithArgs(facts, args, {
    ...file,
    dest,
    content,
    state,
    ...src === void 0 ? {} : { afterHeader: src }
  });
  if (src !== void 0 && result["failed"] !== true && !file.check) result["src"] = src;
  return result;
}
async function remoteCopy(facts, args, src, dest, file) {
  if (args["mode"] === "preserve") file = { ...file, mode: void 0 };
  src = await expandUser(facts, src, file.timeoutMs);
  const [source] = await Promise.all([
    facts.path(src, { checksum: "sha1", follow: true }),
    inspectRemote(facts, dest).catch(() => void 0)
  ]);
  if (!source.exists) return fail2(`Source ${src} not found`);
  if (!source.readable) return fail2(`Source ${src} not readable`);
  if (source.type === "directory") {
    return await copyRemoteTree(facts, args, { src, dest, ...file });
  }
  if (source.type !== "file") return fail2(`Cannot copy invalid source '${src}': not a file`);
  if (args["mode"] === "preserve")
    file = { ...file, mode: normaliseMode("preserve", () => source.permissions) };
  return await toFile(
    facts,
    args,
    dest,
    src,
    { remotePath: src, checksum: source.checksum ?? "" },
    file
  );
}

// src/modules/cron.ts
import { randomInt } from "node:crypto";

// src/modules/cron-tab.ts
var MARKER = "#Ansible: ";
var HEADERS = [
  /^# DO NOT EDIT THIS FILE - edit the master and reinstall\./,
  /^# \(\/tmp\/.*installed on.*\)/,
  /^# \(.*version.*\)/
];
var CronLines = class _CronLines {
  lines;
  /** The text as read (a user crontab without the headers), for diff's `before`. */
  existing;
  constructor(lines2, existing) {
    this.lines = lines2;
    this.existing = existing;
  }
  /** A cron file's text. */
  static fromFile(text5) {
    return new _CronLines(splitLines2(text5, false), text5);
  }
  /** What `crontab -l` printed, its header lines left out. */
  static fromCrontab(out) {
    let existing = out;
    const lines2 = [];
    splitLines2(out, false).forEach((line, index) => {
      if (index > 2 || !HEADERS.some((header) => header.test(line))) {
        lines2.push(line);
        return;
      }
      const at = existing.indexOf(line);
      if (at >= 0) {
        const next = existing[at + line.length];
        const cut = next === "\r" || next === "\n" ? line.length + 1 : line.length;
        existing = existing.slice(0, at) + existing.slice(at + cut);
      }
    });
    return new _CronLines(lines2, existing);
  }
  isEmpty() {
    return this.lines.every((line) => line.trim() === "");
  }
  render() {
    const text5 = this.lines.join("\n");
    return text5 === "" ? "" : `${text5.replace(/[\r\n]+$/, "")}
`;
  }
  jobNames() {
    return this.lines.filter((l) => l.startsWith(MARKER)).map((l) => l.replaceAll(MARKER, ""));
  }
  envNames() {
    return this.lines.filter((l) => /^\S+=/.test(l)).map((l) => l.split("=")[0]);
  }
  /**
   * The job named `name`: [comment, job line], found by its comment; failing that (with `job`), by the
   * line itself, which is then given the comment: [comment, job line, true].
   */
  findJob(name, job) {
    let comment;
    for (const line of this.lines) {
      if (comment !== void 0) {
        if (comment === name) return [comment, line];
        comment = void 0;
      } else if (line.startsWith(MARKER)) {
        comment = line.replaceAll(MARKER, "");
      }
    }
    if (job) {
      for (let i = 0; i < this.lines.length; i++) {
        if (this.lines[i] !== job) continue;
        const before = this.lines.at(i - 1) ?? "";
        if (!before.startsWith(MARKER)) {
          this.lines.splice(i, 0, MARKER + name);
          return [this.lines[i], job, "inserted"];
        }
        if (name && before === `${MARKER}None`) {
          this.lines[i - 1 < 0 ? this.lines.length - 1 : i - 1] = MARKER + name;
          return [MARKER + name, job, "inserted"];
        }
      }
    }
    return [];
  }
  addJob(name, job) {
    this.lines.push(MARKER + name, job);
  }
  /** Replaces the line after each `#Ansible: NAME` with `job` (or drops both, `job` undefined). */
  updateJob(name, job) {
    const marker = MARKER + name;
    const out = [];
    let pending;
    for (const line of this.lines) {
      if (pending !== void 0) {
        if (job !== void 0) out.push(pending, job);
        pending = void 0;
      } else if (line === marker) {
        pending = line;
      } else {
        out.push(line);
      }
    }
    this.lines = out;
  }
  /** The index and line of the variable `name` (a regular expression, as Ansible matches it). */
  findEnv(name) {
    const index = this.lines.findIndex((l) => name.test(l));
    return index < 0 ? void 0 : [index, this.lines[index]];
  }
  /** Replaces (or with `decl` undefined, removes) every line of the variable. */
  updateEnv(name, decl) {
    this.lines = this.lines.flatMap(
      (l) => name.test(l) ? decl === void 0 ? [] : [decl] : [l]
    );
  }
};
function jobLine(options2) {
  const job = options2.job.replace(/^[\r\n]+|[\r\n]+$/g, "");
  const prefix = options2.disabled ? "#" : "";
  const user = options2.fileUser === void 0 ? "" : `${options2.fileUser} `;
  if (options2.special) return `${prefix}@${options2.special} ${user}${job}`;
  const { minute, hour, day, month, weekday } = options2;
  return `${prefix}${minute} ${hour} ${day} ${month} ${weekday} ${user}${job}`;
}

// src/modules/cron.sh
var cron_default = `#!/bin/sh
# apb-cron: reads (probe) and writes (write, remove) a crontab or a cron file on the target for
# src/modules/cron.ts, which decides what it holds. POSIX sh; the target's own crontab command.
# expand-args.sh comes before this text.
#
#   probe CRON_FILE USER
#     Prints crontab= (the command's path, empty when missing) and path_hex= (PATH, for the message),
#     me_hex= (who runs this). With CRON_FILE: file_hex= (~ and $VAR expanded, relative names under
#     /etc/cron.d), is_file=1 and content_hex= when it is a regular file that can be read. Without:
#     \`crontab -l\` (with -u USER when USER is not who runs this) as rc=, out_hex=, err_hex=.
#   write CRON_FILE USER BACKUP BACKUP_BYTES
#     stdin: BACKUP_BYTES bytes for the backup file BACKUP (made 0600, only if no file has that name;
#     none when BACKUP is ''), then the new text: written to CRON_FILE (umask 022), or else installed
#     with \`crontab [-u USER] FILE\` (rc=, err_hex=). Prints backup_hex= when the backup was made.
#   remove CRON_FILE
#     Deletes the cron file: removed=1 when it did.
# The answer ends with end=1.
set -u

hex() {
  od -An -v -tx1 | tr -d ' \\n'
}

cron_path() {
  apb_expanded=$(apb_expand "$1")
  file=\${apb_expanded%x}
  case $file in
    /*) ;;
    *) file=/etc/cron.d/$file ;;
  esac
}

# Sets $user_opt to "-u USER" when USER is given and is not who runs this.
user_option() {
  user_opt=
  if [ -n "$1" ] && [ "$1" != "$(id -un 2>/dev/null)" ]; then
    user_opt=-u
  fi
}

# Copies exactly N bytes of stdin (one read per byte: the rest of stdin is the next part; a crontab is
# small).
copy_bytes() {
  [ "$1" -gt 0 ] || return 0
  dd bs=1 count="$1" 2>/dev/null
}

mode=$1
shift
case $mode in
  probe)
    cron_file=$1 user=$2
    echo "crontab=$(command -v crontab 2>/dev/null)"
    echo "path_hex=$(printf '%s' "$PATH" | hex)"
    echo "me_hex=$(id -un 2>/dev/null | tr -d '\\n' | hex)"
    if [ -n "$cron_file" ]; then
      cron_path "$cron_file"
      echo "file_hex=$(printf '%s' "$file" | hex)"
      if [ -f "$file" ] && [ -r "$file" ]; then
        echo is_file=1
        echo "content_hex=$(hex <"$file")"
      fi
    elif command -v crontab >/dev/null 2>&1; then
      user_option "$user"
      scratch=$(mktemp -d "\${TMPDIR:-/tmp}/apb-cron.XXXXXX") || exit 1
      rc=0
      if [ -n "$user_opt" ]; then
        crontab -u "$user" -l >"$scratch/out" 2>"$scratch/err" </dev/null || rc=$?
      else
        crontab -l >"$scratch/out" 2>"$scratch/err" </dev/null || rc=$?
      fi
      echo "rc=$rc"
      echo "out_hex=$(hex <"$scratch/out")"
      echo "err_hex=$(hex <"$scratch/err")"
      rm -rf -- "$scratch"
    fi
    ;;
  write)
    cron_file=$1 user=$2 backup=$3 backup_bytes=$4
    if [ -n "$backup" ]; then
      if (umask 077 && set -C && copy_bytes "$backup_bytes" >"$backup") 2>/dev/null; then
        echo "backup_hex=$(printf '%s' "$backup" | hex)"
      else
        # The name was taken: the backup bytes are read all the same, into a name mktemp picks.
        backup=$(mktemp "\${TMPDIR:-/tmp}/crontabXXXXXXXX") || exit 1
        copy_bytes "$backup_bytes" >"$backup"
        echo "backup_hex=$(printf '%s' "$backup" | hex)"
      fi
    fi
    if [ -n "$cron_file" ]; then
      cron_path "$cron_file"
      umask 022
      out=$(cat 2>&1 >"$file") || {
        echo rc=1
        echo "err_hex=$(printf '%s' "$out" | hex)"
        echo end=1
        exit 0
      }
      echo rc=0
    else
      user_option "$user"
      # Named as Ansible names it (crontab's messages name the file).
      table=$(mktemp "\${TMPDIR:-/tmp}/crontabXXXXXXXX") || exit 1
      err=$(mktemp "\${TMPDIR:-/tmp}/apb-cron.XXXXXX") || {
        rm -f -- "$table"
        exit 1
      }
      cat >"$table"
      chmod 644 "$table"
      rc=0
      if [ -n "$user_opt" ]; then
        crontab -u "$user" "$table" >/dev/null 2>"$err" </dev/null || rc=$?
      else
        crontab "$table" >/dev/null 2>"$err" </dev/null || rc=$?
      fi
      echo "rc=$rc"
      echo "err_hex=$(hex <"$err")"
      rm -f -- "$table" "$err"
    fi
    ;;
  remove)
    cron_path "$1"
    if rm -- "$file" 2>/dev/null; then
      echo removed=1
    fi
    ;;
esac
echo end=1
`;

// src/modules/cron.ts
var SCRIPT2 = new ModuleScript("apb-cron", `${expand_args_default}
${cron_default}`);
var SPECIAL_TIMES = ["reboot", "yearly", "annually", "monthly", "weekly", "daily", "hourly"];
var NAME_CHARACTERS = "abcdefghijklmnopqrstuvwxyz0123456789_";
var cronModule = {
  name: "cron",
  supportsCheckMode: true,
  args: {
    options: {
      name: { type: "str", required: true },
      user: { type: "str" },
      job: { type: "str", aliases: ["value"] },
      cron_file: { type: "path" },
      state: { type: "str", default: "present", choices: ["present", "absent"] },
      backup: { type: "bool", default: false },
      minute: { type: "str", default: "*" },
      hour: { type: "str", default: "*" },
      day: { type: "str", default: "*", aliases: ["dom"] },
      month: { type: "str", default: "*" },
      weekday: { type: "str", default: "*", aliases: ["dow"] },
      special_time: { type: "str", choices: SPECIAL_TIMES },
      disabled: { type: "bool", default: false },
      env: { type: "bool", default: false },
      insertafter: { type: "str" },
      insertbefore: { type: "str" }
    },
    mutuallyExclusive: [["insertafter", "insertbefore"]]
  },
  async run(ctx) {
    return new CronTask(ctx).run();
  }
};
var Failure = class {
  constructor(msg) {
    this.msg = msg;
  }
  msg;
};
var CronTask = class {
  constructor(ctx) {
    this.ctx = ctx;
    this.args = ctx.args;
    this.name = this.args["name"];
    this.user = this.str("user");
    this.cronFile = this.str("cron_file");
    this.install = this.args["state"] === "present";
  }
  ctx;
  args;
  name;
  user;
  cronFile;
  install;
  warnings = [];
  str(name) {
    const value = this.args[name];
    return typeof value === "string" ? value : void 0;
  }
  async run() {
    try {
      return await this.decide();
    } catch (error) {
      if (error instanceof Failure) return { changed: false, failed: true, msg: error.msg };
      throw error;
    }
  }
  async decide() {
    const cronFile = this.cronFile;
    if (cronFile !== void 0) {
      if (cronFile === "/etc/crontab") {
        throw new Failure("Will not manage /etc/crontab via cron_file, see documentation.");
      }
      const base2 = cronFile.slice(cronFile.lastIndexOf("/") + 1);
      if (!/^[A-Z0-9_-]+$/i.test(base2)) {
        this.warnings.push(
          `Filename portion of cron_file ("${base2}") should consist solely of upper- and lower-case letters, digits, underscores, and hyphens`
        );
      }
    }
    const connection = await this.ctx.connection();
    const probe = await SCRIPT2.run(connection, ["probe", cronFile ?? "", this.user ?? ""], {
      timeoutMs: this.ctx.timeoutMs,
      environment: this.ctx.environment
    });
    if (!probe.get("crontab")) {
      throw new Failure(
        `Failed to find required executable "crontab" in paths: ${text3(probe, "path_hex") ?? ""}`
      );
    }
    const tab = this.read(probe);
    const diff = { before: tab.existing, before_header: this.header(probe) };
    this.validate();
    const changed = this.edit(tab);
    if (changed === "file-removed") return this.removeFile(probe, diff);
    let write = changed;
    if (!write && tab.existing !== "" && !/[\r\n]$/.test(tab.existing)) write = true;
    const result = { jobs: tab.jobNames(), envs: tab.envNames() };
    if (this.warnings.length > 0) result["warnings"] = this.warnings;
    result["changed"] = write;
    if (write) {
      if (!this.ctx.check) {
        const backup = await this.write(tab, probe);
        if (backup !== void 0) result["backup_file"] = backup;
      }
      if (this.ctx.diff) {
        result["diff"] = { ...diff, after: tab.render(), after_header: this.header(probe) };
      }
    }
    if (cronFile !== void 0) result["cron_file"] = cronFile;
    return result;
  }
  /** The crontab (`crontab -l`, its headers left out) or the cron file, as read. */
  read(probe) {
    if (this.cronFile !== void 0) return CronLines.fromFile(text3(probe, "content_hex") ?? "");
    const rc = probe.int("rc");
    if (rc !== 0 && rc !== 1) throw new Failure("Unable to read crontab");
    return CronLines.fromCrontab(text3(probe, "out_hex") ?? "");
  }
  header(probe) {
    if (this.cronFile !== void 0) return text3(probe, "file_hex") ?? this.cronFile;
    return this.user === void 0 ? "crontab" : `crontab for user "${this.user}"`;
  }
  validate() {
    const times = ["minute", "hour", "day", "month", "weekday"].map((n) => this.args[n]);
    if (this.str("special_time") && times.some((t) => t !== "*")) {
      throw new Failure("You must specify time and date fields or special time.");
    }
    if (!this.install) return;
    if (this.cronFile !== void 0 && !this.user) {
      throw new Failure("To use cron_file=... parameter you must specify user=... as well");
    }
    if (this.str("job") === void 0) {
      throw new Failure("You must specify 'job' to install a new cron job or variable");
    }
    if ((this.str("insertafter") || this.str("insertbefore")) && this.args["env"] !== true) {
      throw new Failure("Insertafter and insertbefore parameters are valid only with env=yes");
    }
  }
  /** Edits the lines; true when they changed, `file-removed` when a cron file is left with no job. */
  edit(tab) {
    const name = this.name;
    const job = this.str("job");
    if (this.args["env"] === true) {
      if (name.includes(" ")) throw new Failure("Invalid name for environment variable");
      const decl = `${name}="${job ?? "None"}"`;
      const pattern = variablePattern(name);
      const old2 = tab.findEnv(pattern);
      if (!this.install) {
        if (old2 === void 0) return false;
        tab.updateEnv(pattern, void 0);
        return true;
      }
      if (old2 === void 0) {
        this.addEnv(tab, decl);
        return true;
      }
      if (old2[1] === decl) return false;
      tab.updateEnv(pattern, decl);
      return true;
    }
    if (!this.install) {
      if (tab.findJob(name).length === 0) return false;
      tab.updateJob(name, void 0);
      return this.cronFile !== void 0 && tab.isEmpty() ? "file-removed" : true;
    }
    const given = job ?? "";
    if (/[\r\n]/.test(given.replace(/^[\r\n]+|[\r\n]+$/g, ""))) {
      this.warnings.push("Job should not contain line breaks");
    }
    const line = jobLine({
      minute: this.args["minute"],
      hour: this.args["hour"],
      day: this.args["day"],
      month: this.args["month"],
      weekday: this.args["weekday"],
      job: given,
      special: this.str("special_time"),
      disabled: this.args["disabled"] === true,
      fileUser: this.cronFile === void 0 ? void 0 : this.user
    });
    const old = tab.findJob(name, line);
    if (old.length === 0) {
      tab.addJob(name, line);
      return true;
    }
    if (old[1] !== line || old.length > 2) {
      tab.updateJob(name, line);
      return true;
    }
    return false;
  }
  addEnv(tab, decl) {
    const after = this.str("insertafter");
    const before = this.str("insertbefore");
    const other = after || before;
    if (!other) {
      tab.lines.unshift(decl);
      return;
    }
    const found = tab.findEnv(variablePattern(other));
    if (found === void 0) throw new Failure(`Variable named '${other}' not found.`);
    tab.lines.splice(after ? found[0] + 1 : found[0], 0, decl);
  }
  /** Ansible's result when a cron file is left without jobs: the file goes. */
  async removeFile(probe, diff) {
    let changed;
    if (this.ctx.check) {
      changed = probe.get("is_file") === "1";
    } else {
      const answer = await SCRIPT2.run(await this.ctx.connection(), ["remove", this.cronFile], {
        timeoutMs: this.ctx.timeoutMs,
        environment: this.ctx.environment
      });
      changed = answer.get("removed") === "1";
    }
    return {
      changed,
      cron_file: this.cronFile,
      state: this.args["state"],
      diff: this.ctx.diff ? { ...diff, after: "", after_header: "/dev/null" } : {}
    };
  }
  /** Writes the lines (the backup first, when asked); the backup file's name. */
  async write(tab, probe) {
    const backup = this.args["backup"] === true;
    const before = Buffer.from(this.backupText(probe));
    const after = Buffer.from(tab.render());
    const answer = await SCRIPT2.run(
      await this.ctx.connection(),
      [
        "write",
        this.cronFile ?? "",
        this.user ?? "",
        backup ? `/tmp/crontab${randomName()}` : "",
        String(backup ? before.length : 0)
      ],
      {
        timeoutMs: this.ctx.timeoutMs,
        environment: this.ctx.environment,
        stdin: backup ? Buffer.concat([before, after]) : after
      }
    );
    if (answer.int("rc") !== 0) throw new Failure(text3(answer, "err_hex") ?? "");
    return text3(answer, "backup_hex");
  }
  /** What the backup holds: the crontab as read, written out as Ansible writes a crontab. */
  backupText(probe) {
    return this.read(probe).render();
  }
};
function variablePattern(name) {
  try {
    return new RegExp(`^${name}=`);
  } catch {
    throw new Failure(`Invalid name for environment variable: ${name}`);
  }
}
function randomName() {
  return Array.from({ length: 8 }, () => NAME_CHARACTERS[randomInt(NAME_CHARACTERS.length)]).join(
    ""
  );
}
function text3(answer, key) {
  return answer.bytes(key)?.toString("utf8");
}

// src/modules/deb822-probe.sh
var deb822_probe_default = `#!/bin/sh
# apb-deb822: reads the files deb822_repository may replace: for each path argument, one line
#   path=<path hex> <kind: file, dir, other or none> <mode, octal, or -> <contents hex, or - when not a
#   readable regular file>
# and the umask (umask=<octal>). Last line end=1. POSIX sh.
#
# Run as:  /bin/sh -c "<this text>" apb-deb822 PATH\u2026
set -u

hex() {
  od -An -v -tx1 | tr -d ' \\n'
}

echo "umask=$(umask)"
for path in "$@"; do
  kind=none mode=- text=-
  if [ -f "$path" ]; then
    kind='file'
    mode=$(stat -L -c '%a' -- "$path" 2>/dev/null) || mode=-
    [ -r "$path" ] && text=$(hex <"$path")
  elif [ -d "$path" ]; then
    kind=dir
  elif [ -e "$path" ] || [ -L "$path" ]; then
    kind=other
  fi
  echo "path=$(printf '%s' "$path" | hex) $kind $mode $text"
done
echo end=1
`;

// src/modules/deb822-repository.ts
var SOURCES_DIR = "/etc/apt/sources.list.d";
var KEYRINGS_DIR = "/etc/apt/keyrings";
var FIELDS = [
  "allow_downgrade_to_insecure",
  "allow_insecure",
  "allow_weak",
  "architectures",
  "by_hash",
  "check_date",
  "check_valid_until",
  "components",
  "date_max_future",
  "enabled",
  "inrelease_path",
  "languages",
  "name",
  "pdiffs",
  "signed_by",
  "suites",
  "targets",
  "trusted",
  "types",
  "uris"
];
var deb822RepositoryModule = {
  name: "deb822_repository",
  supportsCheckMode: true,
  args: {
    options: {
      allow_downgrade_to_insecure: { type: "bool" },
      allow_insecure: { type: "bool" },
      allow_weak: { type: "bool" },
      architectures: { type: "list", elements: "str" },
      by_hash: { type: "bool" },
      check_date: { type: "bool" },
      check_valid_until: { type: "bool" },
      components: { type: "list", elements: "str" },
      date_max_future: { type: "int" },
      enabled: { type: "bool" },
      inrelease_path: { type: "str" },
      // Ansible installs python3-debian for its own module; ours needs no Python on the target.
      install_python_debian: { type: "bool", default: true },
      languages: { type: "list", elements: "str" },
      name: { type: "str", required: true },
      pdiffs: { type: "bool" },
      signed_by: { type: "str" },
      suites: { type: "list", elements: "str" },
      targets: { type: "list", elements: "str" },
      trusted: { type: "bool" },
      types: { type: "list", elements: "str", choices: ["deb", "deb-src"], default: ["deb"] },
      uris: { type: "list", elements: "str" },
      mode: { type: "raw", default: "0644" },
      state: { type: "str", choices: ["present", "absent"], default: "present" }
    }
  },
  async run(ctx) {
    const name = ctx.args["name"];
    const slug = name.toLowerCase().replace(/[_\s]+/g, "-").replace(/[^a-z0-9-]+/g, "");
    const dest = `${SOURCES_DIR}/${slug}.sources`;
    const keyPaths = { asc: `${KEYRINGS_DIR}/${slug}.asc`, gpg: `${KEYRINGS_DIR}/${slug}.gpg` };
    const signedBy = ctx.args["signed_by"];
    const paths = [dest, keyPaths.asc, keyPaths.gpg, ...signedBy ? [signedBy] : []];
    const { umask, states } = await readPaths(ctx, paths);
    const state = (path27) => states.get(path27) ?? { kind: "none" };
    if (ctx.args["state"] === "absent") {
      const gone = [dest, keyPaths.asc, keyPaths.gpg].filter((path27) => state(path27).kind !== "none");
      if (gone.length > 0 && !ctx.check) {
        const outcome2 = await writeSources(
          ctx,
          gone.map((path27) => ({ path: path27, remove: true })),
          [],
          void 0
        );
        if (!outcome2.ok) return failed3(outcome2.msg);
      }
      return { changed: gone.length > 0, repo: null, dest, key_filename: keyPaths.gpg };
    }
    const changes = [];
    let keyFilename = null;
    let signedByValue;
    if (signedBy) {
      if (state(signedBy).kind === "file") {
        keyFilename = signedBy;
        signedByValue = signedBy;
      } else if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(signedBy) && !signedBy.includes("\n")) {
        const key = await fetchKey2(ctx, signedBy);
        if (!Buffer.isBuffer(key)) return key;
        if (key.length === 0) {
          signedByValue = signedBy;
          keyFilename = signedBy;
        } else {
          keyFilename = key.includes("-----BEGIN PGP PUBLIC KEY BLOCK-----") ? keyPaths.asc : keyPaths.gpg;
          signedByValue = keyFilename;
          const current2 = state(keyFilename);
          const same = current2.text !== void 0 && current2.text.equals(key);
          if (!same || current2.mode !== 420) {
            changes.push({ path: keyFilename, text: key, mode: 420 });
          }
        }
      } else {
        signedByValue = signedBy;
      }
    }
    const repo = deb822Text(ctx, signedByValue);
    const current = state(dest);
    const textDiffers = current.text === void 0 || current.text.toString("utf8") !== repo;
    const wanted = modeFor(ctx.args["mode"], current.mode ?? 438 & ~umask, umask, dest);
    if ("failure" in wanted) {
      if (textDiffers && !ctx.check) {
        const outcome2 = await writeSources(
          ctx,
          [...changes, { path: dest, text: repo }],
          [],
          void 0
        );
        if (!outcome2.ok) return failed3(outcome2.msg);
      }
      return wanted.failure;
    }
    const mode = wanted.mode;
    if (textDiffers || current.mode !== mode) changes.push({ path: dest, text: repo, mode });
    const result = {
      changed: changes.length > 0,
      repo,
      dest,
      key_filename: keyFilename
    };
    if (changes.length === 0 || ctx.check) return result;
    const outcome = await writeSources(ctx, changes, [], void 0);
    if (!outcome.ok) return failed3(outcome.msg);
    return result;
  }
};
function failed3(msg) {
  return { changed: false, failed: true, msg };
}
function deb822Text(ctx, signedBy) {
  let text5 = "";
  for (const option of FIELDS) {
    const raw = option === "signed_by" ? signedBy : ctx.args[option];
    if (raw === null || raw === void 0) continue;
    let value;
    if (typeof raw === "boolean") value = raw ? "yes" : "no";
    else if (Array.isArray(raw)) value = raw.map(String).join(" ");
    else value = String(raw);
    if (value.includes("\n")) value = multiline(value);
    text5 += `${fieldName(option)}:${value.startsWith("\n") ? "" : " "}${value}
`;
  }
  return text5;
}
function multiline(value) {
  const lines2 = value.trim().split(/\r\n|\r|\n/).map((line) => `    ${line.trim() || "."}`);
  return `
${lines2.join("\n")}`;
}
function fieldName(option) {
  if (option === "name") return "X-Repolib-Name";
  if (option === "uris") return "URIs";
  return option.split("_").map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join("-");
}
async function readPaths(ctx, paths) {
  const answer = await runAptScript2(ctx, "apb-deb822", deb822_probe_default, paths, Buffer.alloc(0));
  const states = /* @__PURE__ */ new Map();
  for (const line of answer.all("path")) {
    const [pathHex = "", kind = "none", mode = "-", text5 = "-"] = line.split(" ");
    states.set(fromHex(pathHex).toString("utf8"), {
      kind,
      ...mode === "-" ? {} : { mode: parseInt(mode, 8) },
      ...text5 === "-" ? {} : { text: fromHex(text5) }
    });
  }
  return { umask: parseInt(answer.get("umask") ?? "022", 8), states };
}
async function fetchKey2(ctx, url) {
  const response = await fetchKey(ctx, url, true);
  const message2 = response.failure ? urlopenError(response.failure) : response.status !== 200 ? statusMessage(response) : void 0;
  if (message2 !== void 0) return failed3(`Could not fetch signed_by key: ${message2}`);
  return response.body ?? Buffer.alloc(0);
}

// src/modules/debug.ts
var HIDDEN_WITHOUT_MSG = /* @__PURE__ */ new Set(["changed", "failed", "skipped", "invocation", "skip_reason"]);
var SHOWN_WITH_MSG = /* @__PURE__ */ new Set(["msg", "exception", "warnings", "deprecations"]);
var debugModule = {
  name: "debug",
  // Changes nothing on the target: runs as usual in check mode.
  supportsCheckMode: true,
  local: true,
  // Ansible's debug action checks only the names; `var` is an expression it evaluates itself.
  // As Ansible's callback: a successful debug is printed in full, and only what it was asked to show.
  display: {
    shownInFull: (result) => !result["failed"],
    shownFields(fields) {
      const hasMsg = "msg" in fields;
      return Object.fromEntries(
        Object.entries(fields).filter(
          ([key]) => hasMsg ? SHOWN_WITH_MSG.has(key) : !HIDDEN_WITHOUT_MSG.has(key)
        )
      );
    }
  },
  args: {
    side: "action",
    unknown: "names",
    options: { ...untypedOptions("msg", "verbosity"), var: { type: "raw", expression: true } }
  },
  async run(ctx) {
    if (ctx.args["msg"] !== void 0 && ctx.args["var"] !== void 0) {
      throw new ModuleArgumentError("'msg' and 'var' are incompatible options");
    }
    const threshold = ctx.args["verbosity"] === void 0 ? 0 : Number(ctx.args["verbosity"]);
    if (!Number.isInteger(threshold)) {
      throw new ModuleArgumentError(
        `argument 'verbosity' is of type ${typeof ctx.args["verbosity"]} and we were unable to convert to int: ${String(ctx.args["verbosity"])}`
      );
    }
    const verbosity = Number(ctx.vars["ansible_verbosity"] ?? 0);
    if (threshold > verbosity) {
      return {
        changed: false,
        failed: false,
        skipped: true,
        skipped_reason: "Verbosity threshold not met."
      };
    }
    let result;
    if (ctx.args["var"] !== void 0) {
      const written = String(ctx.args["var"]);
      const expression = /\{[{%]/.test(written) ? ctx.render(written) : written;
      let value;
      try {
        value = ctx.evaluate(expression);
      } catch {
        value = "VARIABLE IS NOT DEFINED!";
      }
      result = { [expression]: value, changed: false };
    } else {
      result = {
        msg: ctx.args["msg"] === void 0 ? "Hello world!" : ctx.args["msg"],
        changed: false
      };
    }
    Object.defineProperty(result, SHOW_RESULT, { value: true });
    return result;
  }
};

// src/modules/dnf.sh
var dnf_default = `#!/bin/sh
# apb-dnf: the dnf and yum modules' one round trip on the target, with its own dnf (yum where dnf is
# missing) and rpm. POSIX sh.
#
# Run as:  /bin/sh -c "<this text>" apb-dnf MODE STATE ROOT CONF UPDATE_CACHE BACKEND OPTION\u2026 -- SPEC\u2026
#   MODE          run, or check (dnf --assumeno: nothing changes)
#   STATE         present, latest or absent
#   ROOT          the installroot ("/" for the system)
#   CONF          conf_file, or ""
#   UPDATE_CACHE  1: refresh the metadata first (dnf makecache alone when there is no SPEC)
#   BACKEND       yum: yum's command line first (yum's use_backend: yum), else dnf first
#   OPTION\u2026       options for every dnf command (--enablerepo=\u2026, --nogpgcheck, -c FILE, \u2026)
#
# The answer (key=value lines, values that may hold any byte in hex, end=1 last):
#   missing_tool=dnf | not_root=1 | bad_conf=1     nothing was run
#   cache_rc, cache_out_hex, cache_err_hex         dnf makecache (no SPEC)
#   not_installed_hex (repeated)                   a wildcard to remove that matches nothing installed
#   nothing=1                                      every SPEC is as asked (or no SPEC, no cache update)
#   STEP_spec_hex (repeated)                       the SPECs each step is given
#   STEP_rc, STEP_out_hex, STEP_err_hex            each dnf command run (STEP: install, upgrade, remove)
#   before_hex, after_hex                          rpm -qa (NAME-EPOCH:VERSION-RELEASE.ARCH lines) around
#                                                  the run
set -u
mode=$1 state=$2 root=$3 conf=$4 refresh=$5 backend=$6
shift 6
PATH=$PATH:/usr/sbin:/sbin:/usr/local/sbin

hex() {
  od -An -v -tx1 | tr -d ' \\n'
}
finish() {
  echo end=1
  exit 0
}

if [ "$backend" = yum ]; then
  tools='yum dnf'
else
  tools='dnf yum'
fi
dnf=
for tool in $tools; do
  if command -v "$tool" >/dev/null 2>&1; then
    dnf=$tool
    break
  fi
done
if [ -z "$dnf" ]; then
  echo missing_tool=dnf
  finish
fi
command -v rpm >/dev/null 2>&1 || {
  echo missing_tool=rpm
  finish
}
[ "$(id -u)" = 0 ] || {
  echo not_root=1
  finish
}
if [ -n "$conf" ] && [ ! -r "$conf" ]; then
  echo bad_conf=1
  finish
fi

scratch=$(mktemp -d "\${TMPDIR:-/tmp}/apb-dnf.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT

# "$@" stays OPTION\u2026 -- SPEC\u2026 to the end: every user word keeps its place in it and is handed to dnf
# from there, one word each (never joined into text the shell reads again). Our own words (no blanks,
# no globs) travel in $common and each step's words.
specs=0
seen=0
for arg in "$@"; do
  if [ "$seen" = 1 ]; then
    specs=$((specs + 1))
  elif [ "$arg" = -- ]; then
    seen=1
  fi
done
common=
[ "$refresh" = 1 ] && common=--refresh
# As Ansible's module: removing a package leaves the dependencies it pulled in.
common="$common --setopt=clean_requirements_on_remove=False"

# run_dnf STEP WORDS KEEP OPTION\u2026 -- SPEC\u2026: dnf with the OPTIONs, $common, WORDS (ours: \`-y install\`)
# and the SPECs whose numbers (from 1) are in KEEP (" 1  3 "); prints STEP_rc, STEP_out_hex,
# STEP_err_hex.
run_dnf() {
  step=$1 words=$2 keep=$3
  shift 3
  # Rotate the arguments once, keeping the options, our words in place of --, and the kept specs.
  n=$#
  i=0
  j=0
  past=0
  while [ "$i" -lt "$n" ]; do
    arg=$1
    shift
    i=$((i + 1))
    if [ "$past" = 1 ]; then
      j=$((j + 1))
      case $keep in *" $j "*) set -- "$@" "$arg" ;; esac
    elif [ "$arg" = -- ]; then
      past=1
      # shellcheck disable=SC2086 # our own words, split on purpose
      set -- "$@" $common $words
    else
      set -- "$@" "$arg"
    fi
  done
  rc=0
  "$dnf" "$@" >"$scratch/out" 2>"$scratch/err" </dev/null || rc=$?
  echo "\${step}_rc=$rc"
  echo "\${step}_out_hex=$(hex <"$scratch/out")"
  echo "\${step}_err_hex=$(hex <"$scratch/err")"
}

if [ "$specs" -eq 0 ]; then
  if [ "$refresh" = 1 ]; then
    run_dnf cache makecache '' "$@"
  else
    echo nothing=1
  fi
  finish
fi

installed() {
  rpm --root "$root" -q --quiet -- "$1" 2>/dev/null
}
list_installed() {
  rpm --root "$root" -qa --qf '%{NAME}-%{EPOCHNUM}:%{VERSION}-%{RELEASE}.%{ARCH}\\n' 2>/dev/null | sort
}

# newer_installed SPEC: true when SPEC names a whole name-[epoch:]version-release[.arch] and rpm has a
# newer one of that name, which Ansible leaves as it is (no downgrade without allow_downgrade).
newer_installed() {
  nvr=\${1%.rpm}
  case \${nvr##*.} in
    noarch | x86_64 | i386 | i486 | i586 | i686 | aarch64 | ppc64le | ppc64 | s390x | armv7hl | riscv64) nvr=\${nvr%.*} ;;
  esac
  release=\${nvr##*-}
  rest=\${nvr%-*}
  [ "$rest" != "$nvr" ] || return 1
  version=\${rest##*-}
  name=\${rest%-*}
  [ "$name" != "$rest" ] && [ -n "$name" ] || return 1
  case $version in *:*) epoch=\${version%%:*} version=\${version#*:} ;; *) epoch=0 ;; esac
  case $version in [0-9]*) ;; *) return 1 ;; esac
  want=\${epoch:-0}:$version-$release
  case $want in *[!A-Za-z0-9._+~^:-]*) return 1 ;; esac
  have=$(rpm --root "$root" -q --qf '%{EPOCHNUM}:%{VERSION}-%{RELEASE}\\n' -- "$name" 2>/dev/null | head -n 1)
  case $have in '' | *[!A-Za-z0-9._+~^:-]*) return 1 ;; esac
  [ "$(rpm --eval "%{lua:print(rpm.vercmp('$have','$want'))}" 2>/dev/null)" = 1 ]
}

install=''
upgrade=''
remove=''
# add STEP SPEC: the SPEC (number $j) goes to STEP.
add() {
  echo "\${1}_spec_hex=$(printf '%s' "$2" | hex)"
  case $1 in
    install) install="$install $j " ;;
    upgrade) upgrade="$upgrade $j " ;;
    remove) remove="$remove $j " ;;
  esac
}
j=0
seen=0
for spec in "$@"; do
  if [ "$seen" = 0 ]; then
    [ "$spec" = -- ] && seen=1
    continue
  fi
  j=$((j + 1))
  case $state in
    present) newer_installed "$spec" || installed "$spec" || add install "$spec" ;;
    latest)
      if newer_installed "$spec"; then
        :
      elif [ "$spec" = '*' ] || installed "$spec"; then
        add upgrade "$spec"
      else
        add install "$spec"
      fi
      ;;
    absent)
      case $spec in
        *'*'* | *'?'* | *'['*)
          if [ -n "$(rpm --root "$root" -qa -- "$spec" 2>/dev/null)" ]; then
            add remove "$spec"
          else
            echo "not_installed_hex=$(printf '%s' "$spec" | hex)"
          fi
          ;;
        *) installed "$spec" && add remove "$spec" ;;
      esac
      ;;
  esac
done
if [ -z "$install$upgrade$remove" ]; then
  echo nothing=1
  finish
fi

echo "before_hex=$(list_installed | hex)"
if [ "$mode" = check ]; then
  yes=--assumeno
else
  yes=-y
fi
# One step after the other, stopping at the first that fails (as Ansible's one transaction fails whole);
# in check mode dnf answers no to each and only shows what it would do.
rc=0
[ -n "$install" ] && run_dnf install "$yes install" "$install" "$@"
[ -n "$upgrade" ] && { [ "$rc" -eq 0 ] || [ "$mode" = check ]; } && run_dnf upgrade "$yes upgrade" "$upgrade" "$@"
[ -n "$remove" ] && { [ "$rc" -eq 0 ] || [ "$mode" = check ]; } && run_dnf remove "$yes remove" "$remove" "$@"
echo "after_hex=$(list_installed | hex)"
finish
`;

// src/modules/dnf.ts
var SCRIPT3 = new ModuleScript("apb-dnf", dnf_default, "dnf");
var NOT_YET = {
  type: "raw",
  notImplemented: "run dnf through the command module for it"
};
var COMMON_OPTIONS = {
  name: { type: "list", elements: "str", aliases: ["pkg"], default: [] },
  state: { type: "str", choices: ["absent", "present", "installed", "removed", "latest"] },
  enablerepo: { type: "list", elements: "str", default: [] },
  disablerepo: { type: "list", elements: "str", default: [] },
  update_cache: { type: "bool", default: false, aliases: ["expire-cache"] },
  disable_gpg_check: { type: "bool", default: false },
  conf_file: { type: "str" },
  installroot: { type: "str", default: "/" },
  releasever: { type: "str" },
  list: NOT_YET,
  autoremove: NOT_YET,
  exclude: NOT_YET,
  skip_broken: NOT_YET,
  update_only: NOT_YET,
  validate_certs: NOT_YET,
  sslverify: NOT_YET,
  security: NOT_YET,
  bugfix: NOT_YET,
  enable_plugin: NOT_YET,
  disable_plugin: NOT_YET,
  disable_excludes: NOT_YET,
  allow_downgrade: NOT_YET,
  download_only: NOT_YET,
  download_dir: NOT_YET,
  install_weak_deps: NOT_YET,
  install_repoquery: NOT_YET,
  cacheonly: NOT_YET,
  lock_timeout: NOT_YET
};
var dnfModule = {
  name: "dnf",
  supportsCheckMode: true,
  args: {
    options: {
      ...COMMON_OPTIONS,
      allowerasing: NOT_YET,
      nobest: NOT_YET
    },
    mutuallyExclusive: [["name", "list"]],
    requiredOneOf: [["name", "list", "update_cache"]]
  },
  run: (ctx) => runDnf(ctx, "dnf")
};
var yumModule = {
  name: "yum",
  supportsCheckMode: true,
  args: {
    options: {
      ...COMMON_OPTIONS,
      use_backend: { type: "str", default: "auto", choices: ["auto", "yum", "yum4", "dnf"] }
    },
    mutuallyExclusive: [["name", "list"]],
    requiredOneOf: [["name", "list", "update_cache"]]
  },
  run: (ctx) => runDnf(ctx, "yum")
};
async function runDnf(ctx, module) {
  const a = ctx.args;
  const names = (a["name"] ?? []).map((n) => n.trim()).filter(Boolean);
  const stateArg = a["state"] ?? "installed";
  const state = stateArg === "absent" || stateArg === "removed" ? "absent" : stateArg === "latest" ? "latest" : "present";
  for (const name of names) {
    if (name.startsWith("@"))
      throw new ModuleArgumentError(
        `${module}: groups and modules (${name}) are not driven yet; run dnf through the command module for them`
      );
    if (name.endsWith(".rpm") || /^[a-z]+:\/\//.test(name) || name.startsWith("/"))
      throw new ModuleArgumentError(
        `${module}: installing from an rpm file, a URL or a path (${name}) is not driven yet; name packages from a repository`
      );
  }
  const root = a["installroot"] ?? "/";
  const conf = a["conf_file"] ?? "";
  const options2 = [];
  const disable = a["disablerepo"].filter(Boolean);
  const enable = a["enablerepo"].filter(Boolean);
  if (disable.length > 0) options2.push(`--disablerepo=${disable.join(",")}`);
  if (enable.length > 0) options2.push(`--enablerepo=${enable.join(",")}`);
  if (a["disable_gpg_check"] === true) options2.push("--nogpgcheck");
  if (conf) options2.push(`--config=${conf}`);
  if (root !== "/") {
    options2.push(`--installroot=${root}`);
    if (!conf)
      options2.push("--setopt=reposdir=/etc/yum.repos.d,/etc/yum/repos.d,/etc/distro.repos.d");
  }
  const releasever = a["releasever"];
  if (releasever !== void 0 && releasever !== null && releasever !== "")
    options2.push(`--releasever=${String(releasever)}`);
  const answer = await runScript(ctx, [
    ctx.check ? "check" : "run",
    state,
    root,
    conf,
    a["update_cache"] === true ? "1" : "0",
    module === "yum" && a["use_backend"] === "yum" ? "yum" : "dnf",
    ...options2,
    "--",
    ...names
  ]);
  const text5 = (key) => answer.bytes(key)?.toString("utf8") ?? "";
  const fail6 = (msg, extra = {}) => ({
    failed: true,
    changed: false,
    msg,
    results: [],
    ...extra
  });
  const tool = answer.get("missing_tool");
  if (tool !== void 0)
    return fail6(
      `${module}: the target ${ctx.host} has no ${tool} command: it is no dnf or yum system (use apt or package there)`
    );
  if (answer.get("not_root") === "1") return fail6("This command has to be run under the root user.");
  if (answer.get("bad_conf") === "1")
    return fail6("cannot read configuration file", { conf_file: conf });
  if (names.length === 0 && answer.get("nothing") !== "1") {
    if (answer.int("cache_rc") !== 0)
      return fail6(`Failed to synchronize repodata: ${text5("cache_err_hex").trim()}`, { rc: 1 });
    return { changed: false, msg: "Cache updated", results: [], rc: 0 };
  }
  const notInstalled = answer.all("not_installed_hex").map((hex) => `${Buffer.from(hex, "hex").toString("utf8")} is not installed`);
  if (answer.get("nothing") === "1")
    return { changed: false, msg: "Nothing to do", results: notInstalled, rc: 0 };
  const failures = [];
  let refused;
  for (const step of ["install", "upgrade", "remove"]) {
    const rc = answer.int(`${step}_rc`);
    if (rc === void 0) continue;
    const out = `${text5(`${step}_out_hex`)}
${text5(`${step}_err_hex`)}`;
    for (const m of out.matchAll(/^No match for argument: (.*)$/gm))
      failures.push(`No package ${m[1].trim()} available.`);
    if (step !== "remove" && /There are no enabled repositories/.test(out))
      for (const hex of answer.all(`${step}_spec_hex`))
        failures.push(`No package ${Buffer.from(hex, "hex").toString("utf8")} available.`);
    if (rc !== 0 && !ctx.check) refused ??= text5(`${step}_err_hex`).trim() || out.trim();
    if (ctx.check && rc !== 0 && !/Operation aborted/.test(out))
      refused ??= text5(`${step}_err_hex`).trim() || out.trim();
  }
  if (failures.length > 0)
    return fail6("Failed to install some of the specified packages", { failures, rc: 1 });
  if (refused !== void 0)
    return fail6(`Unknown Error occurred: ${refused}`, { failures: [], rc: 1 });
  const before = rpmList(text5("before_hex"));
  const results = [...notInstalled];
  if (ctx.check) {
    const planned = transactionPlan(
      ["install", "upgrade", "remove"].map((s) => text5(`${s}_out_hex`)).join("\n"),
      before
    );
    if (planned.installed.length + planned.removed.length === 0)
      return { changed: false, msg: "Nothing to do", results, rc: 0 };
    results.push(...planned.installed.map((p) => `Installed: ${p}`));
    results.push(...planned.removed.map((p) => `Removed: ${p}`));
    return {
      changed: true,
      msg: "Check mode: No changes made, but would have if not in check mode",
      results,
      rc: 0
    };
  }
  const after = rpmList(text5("after_hex"));
  const installed = [...after].filter((p) => !before.has(p)).sort();
  const removed = [...before].filter((p) => !after.has(p)).sort();
  if (installed.length + removed.length === 0)
    return { changed: false, msg: "Nothing to do", results, rc: 0 };
  results.push(...installed.map((p) => `Installed: ${nevra(p)}`));
  results.push(...removed.map((p) => `Removed: ${nevra(p)}`));
  return { changed: true, msg: "", results, rc: 0 };
}
function rpmList(text5) {
  return new Set(
    text5.split("\n").map((line) => line.trim()).filter((line) => line !== "" && !line.startsWith("gpg-pubkey-"))
  );
}
function nevra(entry) {
  return entry.replace(
    /-(\d+):(?=[^-]*-[^-]*$)/,
    (_m, epoch3) => epoch3 === "0" ? "-" : `-${epoch3}:`
  );
}
function transactionPlan(output2, installedNow) {
  const installed = [];
  const removed = [];
  let section;
  let pending = "";
  for (const line of output2.split("\n")) {
    if (/^\S.*:$/.test(line)) {
      const header = line.toLowerCase();
      section = header.startsWith("removing") ? "remove" : header.startsWith("upgrading") || header.startsWith("downgrading") ? "replace" : header.startsWith("installing") || header.startsWith("reinstalling") ? "install" : void 0;
      pending = "";
      continue;
    }
    if (section === void 0) continue;
    if (!line.startsWith(" ")) {
      section = void 0;
      continue;
    }
    const fields = `${pending} ${line}`.trim().split(/\s+/);
    if (fields.length < 4) {
      pending = fields.join(" ");
      continue;
    }
    pending = "";
    const [name, arch, version] = fields;
    const label = `${name}-${version}.${arch}`;
    if (section === "remove") removed.push(label);
    else installed.push(label);
    if (section === "replace") {
      for (const entry of installedNow)
        if (entry.startsWith(`${name}-`) && /^-\d+:[^-]+-[^-]+\.[^.]+$/.test(entry.slice(name.length)))
          removed.push(nevra(entry));
    }
  }
  return { installed: installed.sort(), removed: removed.sort() };
}
async function runScript(ctx, args) {
  return SCRIPT3.run(await ctx.connection(), args, {
    timeoutMs: ctx.timeoutMs,
    environment: ctx.environment
  });
}

// src/modules/fail.ts
var failModule = {
  name: "fail",
  // Changes nothing on the target: runs as usual in check mode.
  supportsCheckMode: true,
  local: true,
  // Ansible's fail action checks only the names.
  args: { side: "action", unknown: "names", options: untypedOptions("msg") },
  async run(ctx) {
    return { changed: false, failed: true, msg: ctx.args["msg"] ?? "Failed as requested from task" };
  }
};

// src/modules/fetch.ts
import { createHash as createHash4, randomBytes as randomBytes5 } from "node:crypto";
import { mkdirSync, readFileSync as readFileSync3, renameSync, rmSync, statSync as statSync5, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path9 from "node:path";

// src/modules/invoke.ts
var NORMAL_RUN = Object.freeze({ check: false, diff: false });
function prepareModuleRun(module, args, task, flags) {
  const side = module.args.side ?? "module";
  if (flags.check && !module.supportsCheckMode && side === "action")
    return { result: actionSkip("check mode is not supported for this task.") };
  const validation = validateModuleArgs(module, args, task);
  if (validation.error !== void 0) return { result: argumentFailure(validation.error) };
  if (flags.check && !module.supportsCheckMode)
    return {
      result: checkModeSkip(
        `remote module (${module.args.reportedAs ?? task.action ?? task.module}) does not support check mode`
      )
    };
  return { validation };
}
function checkModeSkip(msg) {
  return { changed: false, skipped: true, msg };
}
function actionSkip(msg) {
  return Object.defineProperty(checkModeSkip(msg), ACTION_RAISED, { value: true });
}
function validateModuleArgs(module, args, task) {
  return validateArgs(module.args, args, {
    action: task.action ?? task.module,
    // A string written in the playbook without a template is Ansible's YAML string in its messages.
    writtenAsIs: (name) => {
      const written = task.args[name];
      return typeof written === "string" && !hasTemplateSyntax(written);
    }
  });
}
function argumentFailure(message2) {
  return { changed: false, failed: true, msg: message2 };
}
function expressionArgs(module) {
  return Object.entries(module.args.options).filter(([, option]) => option.expression).map(([name]) => name);
}
async function runModule(module, ctx, validation) {
  const warned = [];
  const result = await module.run({ ...ctx, warn: (message2) => warned.push(message2) });
  if (warned.length > 0) {
    const own = Array.isArray(result["warnings"]) ? result["warnings"] : [];
    result["warnings"] = [...own, ...warned];
  }
  return withValidationNotes(tuplesAsLists(result), validation);
}
function withValidationNotes(result, validation) {
  let out = result;
  if (validation.warnings.length > 0) {
    const own = Array.isArray(out["warnings"]) ? out["warnings"] : [];
    out["warnings"] = [...validation.warnings, ...own];
  }
  if (validation.deprecations.length > 0) {
    const own = Array.isArray(out["deprecations"]) ? out["deprecations"] : [];
    out["deprecations"] = [...validation.deprecations, ...own];
  }
  if (validation.noLogValues.length > 0) out = maskNoLogValues(out, validation.noLogValues);
  return maskVaultTextInDiff(out);
}

// src/modules/expand-path.sh
var expand_path_default = `# shellcheck shell=sh
# apb-expand-path: put before a probe whose first argument is a path. Expands $VAR, \${VAR} and a
# leading ~ or ~user in it as Ansible's \`path\` arguments are expanded on the target (apb_expand, from
# expand-args.sh, is defined before this), prints the result in hex as expanded_hex=, and hands the
# expanded path on to the probe that follows as its $1.
apb_expanded=$(apb_expand "$1")
apb_expanded=\${apb_expanded%x}
echo "expanded_hex=$(printf '%s' "$apb_expanded" | od -An -v -tx1 | tr -d ' \\n')"
shift
set -- "$apb_expanded" "$@"
`;

// src/modules/remote-read.ts
var READ_MAX_BYTES = 64 * 1024 * 1024;
var EXPAND_PROBE = {
  name: "apb-expand",
  source: `${expand_args_default}
${expand_path_default}
echo end=1
`
};
function mayExpand(path27) {
  return path27.startsWith("~") || path27.includes("$");
}
async function expandOnTarget(ctx, path27) {
  if (!mayExpand(path27)) return path27;
  const connection = await ctx.connection();
  const answer = await runProbe(
    { connection, timeoutMs: ctx.timeoutMs, fact: "path", subject: path27 },
    EXPAND_PROBE,
    [path27]
  );
  const hex = answer.get("expanded_hex");
  return hex === void 0 ? path27 : fromHex(hex).toString("utf8");
}
async function readWholeFile(ctx, path27) {
  const connection = await ctx.connection();
  try {
    return {
      bytes: await connection.getFile(path27, {
        maxBytes: READ_MAX_BYTES,
        // The same deadline as copy's putFile: one remote call's.
        timeoutMs: ctx.timeoutMs
      })
    };
  } catch (error) {
    if (error instanceof FileTooLargeError) {
      return { failure: { problem: "too-large", msg: error.message } };
    }
    if (!(error instanceof RemoteFileError)) throw error;
    switch (error.problem) {
      case "not-found":
        return { failure: { problem: error.problem, msg: `file not found: ${path27}` } };
      case "permission-denied":
        return { failure: { problem: error.problem, msg: `file is not readable: ${path27}` } };
      case "not-a-file":
        return {
          failure: {
            problem: error.problem,
            msg: `source is a directory and must be a file: ${path27}`
          }
        };
      default:
        return {
          failure: { problem: error.problem, msg: `unable to slurp file: ${error.message}` }
        };
    }
  }
}

// src/modules/target-path.ts
var PATH_PROBE4 = { name: "apb-path", source: path_default };
var EXPANDING_PATH_PROBE = {
  name: "apb-path",
  source: `${expand_args_default}
${expand_path_default}
${path_default}`
};
async function readTargetPath(ctx, path27, options2 = {}) {
  const connection = await ctx.connection();
  const expands = path27.includes("$") || path27.startsWith("~");
  const answer = await runPathProbe(
    { connection, timeoutMs: ctx.timeoutMs },
    path27,
    options2,
    expands ? EXPANDING_PATH_PROBE : PATH_PROBE4
  );
  const hex = answer.get("expanded_hex");
  const expanded = hex === void 0 ? path27 : fromHex(hex).toString("utf8");
  return { path: expanded, state: parsePathAnswer(answer, expanded, options2, connection.host) };
}

// src/modules/fetch.ts
var fetchModule = {
  name: "fetch",
  supportsCheckMode: true,
  args: {
    side: "action",
    unknown: "names",
    options: {
      src: { type: "raw" },
      dest: { type: "raw" },
      flat: { type: "bool", default: false },
      fail_on_missing: { type: "bool", default: true },
      validate_checksum: { type: "bool", default: true }
    }
  },
  async run(ctx) {
    if (ctx.check) return actionSkip("check mode not (yet) supported for this module");
    const args = ctx.args;
    const src = args["src"];
    const dest = args["dest"];
    const failOnMissing = args["fail_on_missing"] !== false;
    let msg = "";
    if (typeof src !== "string")
      msg = "Invalid type supplied for source option, it must be a string";
    if (typeof dest !== "string") msg = "Invalid type supplied for dest option, it must be a string";
    if (src === void 0 || src === null || dest === void 0 || dest === null)
      msg = "src and dest are required";
    if (msg) return { changed: false, failed: true, msg };
    const sourceArg = src;
    const destArg = dest;
    const { path: source, state } = await readTargetPath(ctx, sourceArg, {
      follow: true,
      checksum: "sha1"
    });
    if (!state.exists && state.error !== void 0) {
      const failure4 = `Failed to get information on remote file (${source}): ${state.error}`;
      return failOnMissing ? { changed: false, file: source, failed: true, msg: failure4 } : { changed: false, file: source, msg: `${failure4}, ignored` };
    }
    if (state.exists && state.type === "directory") {
      const directory = "remote file is a directory, fetch cannot work on directories";
      return failOnMissing ? { changed: false, failed: true, msg: directory } : { msg: `${directory}, not transferring, ignored` };
    }
    let remoteChecksum = state.exists ? state.checksum : void 0;
    let remoteData;
    if (remoteChecksum === void 0) {
      const read = await readWholeFile(ctx, source);
      if ("failure" in read) {
        const result = failOnMissing ? { changed: false, failed: true, msg: read.failure.msg } : { file: source, changed: false };
        if (read.failure.problem === "not-found")
          result["msg"] = "the remote file does not exist, not transferring, ignored";
        else if (read.failure.problem === "not-a-file")
          result["msg"] = "remote file is a directory, fetch cannot work on directories";
        return result;
      }
      remoteData = read.bytes;
      remoteChecksum = sha1(remoteData);
    }
    const target = localDestination(ctx, source, destArg, args["flat"] === true);
    if ("failure" in target) return target.failure;
    const localPath = target.dest;
    const localChecksum = checksumOf(localPath);
    if (localChecksum !== void 0 && localChecksum === remoteChecksum) {
      return {
        changed: false,
        md5sum: md5(readFileSync3(localPath)),
        file: source,
        dest: localPath,
        checksum: localChecksum
      };
    }
    if (remoteData === void 0) {
      const read = await readWholeFile(ctx, source);
      if ("failure" in read) return { changed: false, failed: true, msg: read.failure.msg };
      remoteData = read.bytes;
    }
    try {
      writeAtomically(localPath, remoteData);
    } catch (error) {
      return {
        changed: false,
        failed: true,
        msg: `Failed to fetch the file: ${error instanceof Error ? error.message : String(error)}`
      };
    }
    const newChecksum = sha1(remoteData);
    const newMd5 = md5(remoteData);
    if (args["validate_checksum"] !== false && newChecksum !== remoteChecksum) {
      return {
        changed: false,
        failed: true,
        md5sum: newMd5,
        msg: "checksum mismatch",
        file: source,
        dest: localPath,
        remote_md5sum: null,
        checksum: newChecksum,
        remote_checksum: remoteChecksum
      };
    }
    return {
      changed: true,
      md5sum: newMd5,
      dest: localPath,
      remote_md5sum: null,
      checksum: newChecksum,
      remote_checksum: remoteChecksum
    };
  }
};
function localDestination(ctx, source, dest, flat) {
  if (flat) {
    if (isDirectory(dest) && !dest.endsWith("/")) {
      return {
        failure: {
          changed: false,
          failed: true,
          msg: "dest is an existing directory, use a trailing slash if you want to fetch src into that directory"
        }
      };
    }
    let out = dest.endsWith("/") ? path9.join(dest, path9.posix.basename(source)) : dest;
    if (!out.startsWith("/")) out = controllerPath(ctx, out);
    out = path9.normalize(out);
    return dest.endsWith("/") ? contained(controllerPath(ctx, dest), out) : { dest: out };
  }
  const root = controllerPath(ctx, dest);
  return contained(root, path9.normalize(`${root}/${ctx.host}/${source}`));
}
function contained(root, dest) {
  const inside = path9.relative(root, dest);
  if (inside !== "" && !inside.startsWith("..") && !path9.isAbsolute(inside)) return { dest };
  return {
    failure: {
      changed: false,
      failed: true,
      msg: `Detected directory traversal, expected to be contained in '${root}' but got '${dest}'`
    }
  };
}
function controllerPath(ctx, given) {
  if (given === "~" || given.startsWith("~/")) return path9.join(homedir(), given.slice(1));
  return path9.resolve(ctx.baseDir, given);
}
function isDirectory(file) {
  try {
    return statSync5(file).isDirectory();
  } catch {
    return false;
  }
}
function checksumOf(file) {
  try {
    if (!statSync5(file).isFile()) return void 0;
    return sha1(readFileSync3(file));
  } catch {
    return void 0;
  }
}
function writeAtomically(file, bytes) {
  const dir = path9.dirname(file);
  mkdirSync(dir, { recursive: true });
  const temporary = path9.join(dir, `.${path9.basename(file)}.${randomBytes5(6).toString("hex")}.tmp`);
  try {
    writeFileSync(temporary, bytes, { flag: "wx", mode: 438 });
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
function sha1(bytes) {
  return createHash4("sha1").update(bytes).digest("hex");
}
function md5(bytes) {
  return createHash4("md5").update(bytes).digest("hex");
}

// src/modules/file.ts
import path11 from "node:path";

// src/modules/file-task.ts
var FileTask = class {
  constructor(ctx) {
    this.ctx = ctx;
    this.facts = factsFor(ctx);
    this.args = ctx.args;
  }
  ctx;
  facts;
  args;
  ops = [];
  owner;
  group;
  warnings = [];
  get follow() {
    return this.args["follow"] === true;
  }
  string(name) {
    const value = this.args[name];
    return value === void 0 || value === null || value === "" ? void 0 : String(value);
  }
  /**
   * `path` and `src` with `$VAR` and a leading `~` expanded on the target, as Ansible's path arguments
   * are (a round trip only when one holds either).
   */
  async expand(values) {
    const needs = (value) => value !== void 0 && (value.includes("$") || value.startsWith("~"));
    if (!values.some(needs)) return values;
    const connection = await this.facts.connection();
    const lines2 = [expand_args_default];
    for (const value of values.filter(needs))
      lines2.push(`apb_expand ${shellQuote(value)} | od -An -v -tx1 | tr -d ' \\n'; echo`);
    const result = await connection.run(lines2.join("\n"), { timeoutMs: this.ctx.timeoutMs });
    const answers = result.stdout.toString("utf8").split("\n");
    let next = 0;
    return values.map((value) => {
      if (!needs(value)) return value;
      const text5 = fromHex(answers[next++] ?? "").toString("utf8");
      return text5.endsWith("x") ? text5.slice(0, -1) : value;
    });
  }
  /** A user or group as asked: numeric ids as they are, names looked up on the target. */
  async account(kind, spec) {
    if (/^\d+$/.test(spec)) {
      if (!this.ctx.check) return { spec, id: Number(spec) };
      const found = await (kind === "user" ? this.facts.user(spec) : this.facts.group(spec)).catch(
        () => void 0
      );
      return { spec, id: Number(spec), unknownId: found?.exists !== true };
    }
    try {
      const found = kind === "user" ? await this.facts.user(spec) : await this.facts.group(spec);
      if (!found.exists) return { spec };
      return { spec, id: kind === "user" ? found.uid : found.gid };
    } catch {
      return { spec };
    }
  }
  warnMissingAccounts() {
    if (this.owner?.unknownId)
      this.warnings.push(
        `failed to look up user with uid ${this.owner.spec}. Create user up to this point in real play`
      );
    if (this.group?.unknownId)
      this.warnings.push(
        `failed to look up group with gid ${this.group.spec}. Create group up to this point in real play`
      );
    if (this.owner && this.owner.id === void 0)
      this.warnings.push(
        `failed to look up user ${this.owner.spec}. Create user up to this point in real play`
      );
    if (this.group && this.group.id === void 0)
      this.warnings.push(
        `failed to look up group ${this.group.spec}. Create group up to this point in real play`
      );
  }
  /** Fails the task with Ansible's result: `path` (or `dest`) described as Ansible adds it. */
  fail(result, st) {
    throw new FileFailure({ ...result, ...pathInfo(st) });
  }
  times(state) {
    const read = (name, format) => {
      const value = this.string(name) ?? (state === "touch" ? "now" : "preserve");
      return timeSpec(value, this.string(format));
    };
    return {
      mtime: read("modification_time", "modification_time_format"),
      atime: read("access_time", "access_time_format")
    };
  }
  /** The path a link leads to when following it (realpath), and its state. */
  async followed(target, st) {
    if (!this.follow || !st.exists || st.type !== "link") return [target, st];
    const real = st.linkSource ?? target;
    return [real, await this.facts.path(real)];
  }
  /**
   * Plans owner, group, mode and timestamps for `target` whose state is `st` (for a path created in
   * this run: the umask it is created under, with `fresh`). Returns whether something differs; the
   * operations go to the act list, the differences to `diff`.
   */
  attributes(target, st, diff, times, fresh) {
    let changed = false;
    if (this.owner) {
      if (this.owner.id === void 0 && !(this.ctx.check && !st.exists))
        this.fail(
          { msg: `chown failed: failed to look up user ${this.owner.spec}`, path: target },
          st
        );
      if (!st.exists) this.ops.push(["owner", target, this.owner.spec]);
      else if (st.uid !== this.owner.id) {
        setDiff(diff, "owner", st.uid, this.owner.id);
        this.ops.push(["owner", target, this.owner.spec]);
        changed = true;
      }
    }
    if (this.group) {
      if (this.group.id === void 0 && !(this.ctx.check && !st.exists))
        this.fail(
          { msg: `chgrp failed: failed to look up group ${this.group.spec}`, path: target },
          st
        );
      if (!st.exists) this.ops.push(["group", target, this.group.spec]);
      else if (st.gid !== this.group.id) {
        setDiff(diff, "group", st.gid, this.group.id);
        this.ops.push(["group", target, this.group.spec]);
        changed = true;
      }
    }
    const mode = this.args["mode"];
    if (mode !== void 0 && mode !== null && (st.exists || fresh || !this.ctx.check)) {
      const isDirectory2 = st.exists ? st.type === "directory" : fresh === "directory";
      const current = st.exists ? st.permissions : (isDirectory2 ? 511 : 438) & ~st.umask;
      let wanted;
      try {
        wanted = wantedMode(mode, current, st.umask, isDirectory2);
      } catch (error) {
        this.fail(
          {
            msg: "mode must be in octal or symbolic form",
            details: error instanceof Error ? error.message : String(error),
            path: target
          },
          st
        );
      }
      if (wanted !== current) {
        setDiff(diff, "mode", octalText(current), octalText(wanted));
        if (this.ctx.check) changed = true;
        else if ((wanted & 4095) !== current) {
          this.ops.push(["mode", target, (wanted & 4095).toString(8)]);
          changed = true;
        }
      }
    }
    return this.timeOps(target, times) || changed;
  }
  /** Owner and group of a link itself (follow: false); its mode is always 0777 on Linux. */
  linkAttributes(target, st, diff, created) {
    const linkState2 = created || !st.exists ? { exists: false, path: target, umask: st.umask } : st;
    let changed = false;
    const mode = this.args["mode"];
    if (mode !== void 0 && mode !== null) {
      const wanted = wantedMode(mode, 511, st.umask, false);
      if (wanted !== 511) {
        setDiff(diff, "mode", "0777", octalText(wanted));
        if (this.ctx.check) changed = true;
      }
    }
    const saved = this.args["mode"];
    this.args["mode"] = void 0;
    try {
      changed = this.attributes(target, linkState2, diff, { atime: "preserve", mtime: "preserve" }) || changed;
    } finally {
      this.args["mode"] = saved;
    }
    return changed;
  }
  /** Whether owner, group, mode or a timestamp is asked for. */
  wantsAttributes(times) {
    const given = (name) => this.args[name] !== void 0 && this.args[name] !== null;
    return given("owner") || given("group") || given("mode") || times.atime !== "preserve" || times.mtime !== "preserve";
  }
  /** Timestamps: a `times` operation when one is asked for (whether it differs is read on the target). */
  timeOps(target, times) {
    if (times.atime === "preserve" && times.mtime === "preserve") return false;
    const stamp = (spec) => typeof spec === "string" ? spec : spec.stamp;
    this.ops.push([
      "times",
      target,
      stamp(times.atime),
      stamp(times.mtime),
      this.ctx.check ? "1" : "0"
    ]);
    return false;
  }
  /**
   * Runs the planned operations (unless nothing differs, or in check mode where only the dry ones
   * run), folds what the target reports into `changed` and `diff`, and adds the result path's fields.
   */
  async finish(base2, described, planned, diff, before, failureResult) {
    let changed = planned;
    let after = before;
    const decidesOnTarget = this.ops.some((op) => op[0] === "times" || op[0] === "recurse");
    const ops = this.ctx.check ? this.ops.filter((op) => op[0] === "times" || op[0] === "recurse") : this.ops;
    if (!decidesOnTarget && !planned) {
      return { ...base2, changed: false, diff, ...pathInfo(before) };
    }
    if (decidesOnTarget) changed = this.ops.some((op) => op[0] !== "times" && op[0] !== "recurse");
    if (ops.length > 0) {
      const outcome = await runActs(
        await this.facts.connection(),
        ops,
        this.ctx.check ? void 0 : described,
        this.ctx.timeoutMs
      );
      const answer = outcome.answer;
      if (outcome.failure) {
        const failure4 = outcome.failure;
        const op = FAILED_OP[failure4.what] ?? failure4.what;
        const linkOp = this.ops.find(
          (planned2) => planned2[0] === "symlink" || planned2[0] === "hardlink"
        );
        const name = op === "link" ? linkOp?.[0] ?? "symlink" : op;
        const where = failure4.at ?? described;
        const text5 = osErrorText(failure4.message, where);
        const custom = failureResult?.({ op: name, where, text: text5, message: failure4.message });
        this.fail(
          custom ?? actFailure(failure4.what, failure4.message, where, text5),
          outcome.after ?? before
        );
      }
      if (!this.ctx.check) after = outcome.after;
      const owner = reportedChange(answer.get("owner"));
      if (owner) setDiff(diff, "owner", owner[0], owner[1]);
      const group = reportedChange(answer.get("group"));
      if (group) setDiff(diff, "group", group[0], group[1]);
      const mode = answer.get("mode");
      for (const which of ["mtime", "atime"]) {
        const reported = answer.get(which);
        if (reported === void 0) continue;
        const [was, wanted] = reported.split("|");
        setDiff(diff, which, epochOf(was), wanted === "now" ? Date.now() / 1e3 : Number(wanted));
        changed = true;
      }
      if (answer.get("recursed") === "1" || answer.get("created") === "1") changed = true;
      if (owner || group || mode !== void 0) changed = true;
    }
    return { ...base2, changed, diff, ...pathInfo(after) };
  }
};
function setDiff(diff, key, before, after) {
  diff.before[key] = before;
  diff.after[key] = after;
}
function initialDiff(target, state, prev) {
  const diff = { before: { path: target }, after: { path: target } };
  if (prev !== state) {
    diff.before["state"] = prev;
    diff.after["state"] = state;
  }
  return diff;
}

// src/modules/file-absent.ts
async function absentState(task, target, st) {
  const prev = stateOf(st);
  if (prev === "absent") return { path: target, changed: false, state: "absent" };
  const diff = initialDiff(target, "absent", prev);
  const list = prev === "directory";
  if (list || !task.ctx.check) {
    const outcome = await runActs(
      await task.facts.connection(),
      [["rm", target, list ? "1" : "0", task.ctx.check ? "1" : "0"]],
      void 0,
      task.ctx.timeoutMs
    );
    if (outcome.failure) {
      const message2 = osErrorText(outcome.failure.message, target);
      task.fail(
        prev === "directory" ? { msg: `rmtree failed: ${message2}` } : { msg: `unlinking failed: ${message2} `, path: target },
        st
      );
    }
    if (list) diff.before["path_content"] = walkList(target, outcome.answer.all("entry"));
  }
  return {
    path: target,
    changed: true,
    diff,
    state: "absent",
    ...task.ctx.check ? pathInfo(st) : {}
  };
}

// src/modules/file-directory.ts
async function directoryState(task, given, first, recurse) {
  const times = task.times("directory");
  const [target, st] = await task.followed(given, first);
  const prev = stateOf(st);
  const diff = initialDiff(target, "directory", prev);
  if (prev === "absent") {
    if (task.ctx.check) return { path: target, changed: true, diff };
    const parts = target.replace(/^\/+|\/+$/g, "").split("/");
    let current = "";
    for (const part of parts) {
      current = target.startsWith("/") ? `${current}/${part}` : current ? `${current}/${part}` : part;
      task.ops.push(["mkdir", current]);
      const fresh = { path: current, exists: false, umask: st.umask };
      task.attributes(current, fresh, diff, { atime: "preserve", mtime: "preserve" }, "directory");
    }
    task.timeOps(target, times);
    return task.finish({ path: target }, target, true, diff, st, (failure4) => ({
      msg: `There was an issue creating ${failure4.where} as requested: ${failure4.text}`,
      path: target
    }));
  }
  if (prev !== "directory")
    task.fail({ msg: `${target} already exists as a ${prev}`, path: target }, st);
  let changed = task.attributes(target, st, diff, times);
  if (recurse) {
    const mode = task.args["mode"];
    task.ops.push([
      "recurse",
      target,
      task.follow ? "1" : "0",
      task.owner?.spec ?? "",
      task.group?.spec ?? "",
      recurseMode(mode),
      task.ctx.check ? "1" : "0"
    ]);
    changed = true;
  }
  return task.finish({ path: target }, target, changed, diff, st);
}
function recurseMode(mode) {
  if (mode === void 0 || mode === null) return "";
  const octal2 = typeof mode === "number" ? mode : /^\s*(?:0[oO])?([0-7]+)\s*$/.exec(String(mode));
  if (octal2 === null) return String(mode);
  const value = typeof octal2 === "number" ? octal2 : parseInt(octal2[1], 8);
  return (value & 4095).toString(8);
}

// src/modules/file-links.ts
import { randomBytes as randomBytes6 } from "node:crypto";
import path10 from "node:path";
async function linkState(task, target, st, given, near) {
  const times = task.times("link");
  let src = given;
  if (src === void 0 && task.follow && existsFollowing(st) && st.linkTarget !== void 0)
    src = st.linkTarget;
  const prev = stateOf(st);
  const base2 = prev !== "link" && isDirFollowing(st) ? target : path10.posix.dirname(target);
  const absrc = src === void 0 ? void 0 : src.startsWith("/") ? src : path10.posix.join(base2, src);
  let srcState = near;
  if (absrc !== void 0 && (srcState === void 0 || srcState.path !== absrc))
    srcState = await task.facts.path(absrc);
  const force = task.args["force"] === true;
  if (!force && given !== void 0 && srcState !== void 0 && !existsFollowing(srcState))
    task.fail(
      {
        msg: `src file does not exist, use "force=yes" if you really want to create the link: ${absrc}`,
        path: target,
        src: given
      },
      st
    );
  if (prev === "directory" && force && task.ctx.check) {
    const listed = await runActs(
      await task.facts.connection(),
      [["rm", target, "1", "1"]],
      void 0,
      task.ctx.timeoutMs
    );
    if (listed.answer.all("entry").length > 0)
      task.fail(
        { msg: `the directory ${target} is not empty, refusing to convert it`, path: target },
        st
      );
  }
  if (prev === "directory" && !force)
    task.fail(
      { msg: `refusing to convert from directory to symlink for ${target}`, path: target },
      st
    );
  if ((prev === "file" || prev === "hard") && !force)
    task.fail(
      { msg: `refusing to convert from ${prev} to symlink for ${target}`, path: target },
      st
    );
  const diff = initialDiff(target, "link", prev);
  let changed = false;
  if (prev !== "link") {
    if (src === void 0) task.fail({ msg: "src is required for creating new symlinks" });
    changed = true;
  } else if (src !== void 0 && st.exists && st.linkTarget !== src) {
    diff.before["src"] = st.linkTarget;
    diff.after["src"] = src;
    changed = true;
  }
  if (changed) task.ops.push(["symlink", src, target, prev === "absent" ? "0" : "1", tempName()]);
  if (task.ctx.check && !existsFollowing(st))
    return { dest: target, src: src ?? null, changed, diff };
  const farEnd = srcState !== void 0 && changed && !task.ctx.check ? srcState : task.wantsAttributes(times) ? (await task.followed(target, st))[1] : st;
  if (task.follow && !existsFollowing(farEnd)) {
    task.warnings.push(
      "Cannot set fs attributes on a non-existent symlink target. follow should be set to False to avoid task."
    );
  } else if (task.follow) {
    changed = task.attributes(farEnd.path, farEnd, diff, times) || changed;
  } else {
    changed = task.linkAttributes(target, st, diff, changed) || changed;
  }
  return task.finish(
    { dest: target, src: src ?? null },
    target,
    changed,
    diff,
    st,
    (failure4) => failure4.op === "symlink" ? {
      msg: /not empty/i.test(failure4.message) ? `the directory ${target} is not empty, refusing to convert it` : `Error while ${prev === "absent" ? "linking" : "replacing"}: ${failure4.text}`,
      path: target
    } : void 0
  );
}
async function hardState(task, target, st, src, read) {
  const prev = stateOf(st);
  if (prev !== "hard" && src === void 0)
    task.fail({ msg: "src is required for creating new hardlinks" });
  const srcState = src === void 0 ? void 0 : read ?? await task.facts.path(src, { follow: true });
  const times = task.times("hard");
  if (srcState !== void 0 && !srcState.exists)
    task.fail({ msg: "src does not exist", dest: target, src }, st);
  const force = task.args["force"] === true;
  const diff = initialDiff(target, "hard", prev);
  let changed = false;
  const srcInode = srcState?.exists ? srcState.inode : void 0;
  const sameInode = st.exists && st.inode === srcInode;
  if (prev === "absent") changed = true;
  else if (prev === "link") {
    if (st.exists && st.linkTarget !== src) {
      diff.before["src"] = st.linkTarget;
      diff.after["src"] = src;
      changed = true;
    }
  } else if (prev === "hard") {
    if (src !== void 0 && !sameInode) {
      changed = true;
      if (!force)
        task.fail(
          { msg: "Cannot link, different hard link exists at destination", dest: target, src },
          st
        );
    }
  } else if (prev === "file") {
    changed = true;
    if (!force)
      task.fail({ msg: "Cannot link, file exists at destination", dest: target, src }, st);
  } else if (prev === "directory") {
    if (sameInode) return { path: target, changed: false, ...pathInfo(st) };
    if (!force)
      task.fail(
        {
          msg: "Cannot link: different hard link exists at destination",
          dest: target,
          src
        },
        st
      );
    changed = true;
  }
  if (changed) task.ops.push(["hardlink", src, target, prev === "absent" ? "0" : "1", tempName()]);
  if (task.ctx.check && !existsFollowing(st))
    return { dest: target, src: src ?? null, changed, diff };
  const [attrPath, current] = changed && srcState?.exists ? [target, srcState] : await task.followed(target, st);
  changed = task.attributes(attrPath, current, diff, times) || changed;
  return task.finish(
    { dest: target, src: src ?? null },
    target,
    changed,
    diff,
    st,
    (failure4) => failure4.op === "hardlink" ? {
      msg: `Error while ${prev === "absent" ? "linking" : "replacing"}: ${failure4.text}`,
      path: target
    } : void 0
  );
}
function tempName() {
  return `.apb-file.${randomBytes6(8).toString("hex")}.tmp`;
}

// src/modules/file-touch.ts
async function fileState(task, given, first) {
  const times = task.times("file");
  let [target, st] = [given, first];
  if (stateOf(st) !== "file") [target, st] = await task.followed(given, first);
  const prev = stateOf(st);
  if (prev !== "file" && prev !== "hard")
    task.fail(
      { msg: `file (${target}) is ${prev}, cannot continue`, path: target, state: prev },
      st
    );
  const diff = initialDiff(target, "file", prev);
  const changed = task.attributes(target, st, diff, times);
  return task.finish({ path: target }, target, changed, diff, st);
}
async function touchState(task, given, first) {
  const times = task.times("touch");
  const prev = stateOf(first);
  if (prev === "absent") {
    if (task.ctx.check) return { dest: given, changed: true };
    task.ops.push(["create", given]);
  }
  const diff = initialDiff(given, "touch", prev);
  const [target, st] = await task.followed(given, first);
  const fresh = prev === "absent";
  const changed = task.attributes(
    target,
    fresh ? { path: target, exists: false, umask: first.umask } : st,
    diff,
    times,
    fresh ? "file" : void 0
  );
  return task.finish(
    { dest: given },
    given,
    changed || fresh,
    diff,
    first,
    (failure4) => failure4.op === "create" ? { msg: `Error, could not touch target: ${failure4.text}`, path: given } : void 0
  );
}

// src/modules/file.ts
var NOT_YET2 = "use a command task (chcon, chattr) for it";
var fileModule = {
  name: "file",
  supportsCheckMode: true,
  args: {
    options: {
      path: { type: "path", required: true, aliases: ["dest", "name"] },
      state: { choices: STATES },
      recurse: { type: "bool", default: false },
      force: { type: "bool", default: false },
      follow: { type: "bool", default: true },
      src: { type: "path" },
      mode: { type: "raw" },
      owner: { type: "str" },
      group: { type: "str" },
      modification_time: { type: "str" },
      modification_time_format: { type: "str", default: "%Y%m%d%H%M.%S" },
      access_time: { type: "str" },
      access_time_format: { type: "str", default: "%Y%m%d%H%M.%S" },
      attributes: { type: "str", aliases: ["attr"], notImplemented: NOT_YET2 },
      seuser: { type: "str", notImplemented: NOT_YET2 },
      serole: { type: "str", notImplemented: NOT_YET2 },
      setype: { type: "str", notImplemented: NOT_YET2 },
      selevel: { type: "str", notImplemented: NOT_YET2 },
      unsafe_writes: { type: "bool", default: false },
      _original_basename: { type: "str" },
      _diff_peek: { type: "bool", notImplemented: "it is internal to Ansible" }
    }
  },
  async run(ctx) {
    try {
      return await runFile(new FileTask(ctx));
    } catch (error) {
      if (error instanceof FileFailure) return { changed: false, failed: true, ...error.result };
      throw error;
    }
  }
};
async function runFile(task) {
  let state = task.string("state");
  const [expandedPath, src] = await task.expand([task.string("path"), task.string("src")]);
  let target = expandedPath;
  const recurse = task.args["recurse"] === true;
  const ownerSpec = task.string("owner");
  const groupSpec = task.string("group");
  const linkSrc = src === void 0 ? void 0 : path11.posix.join(path11.posix.dirname(target), src);
  const [first, srcNear, srcFollowed, owner, group] = await Promise.all([
    task.facts.path(target),
    linkSrc === void 0 || state === "hard" ? void 0 : task.facts.path(src.startsWith("/") ? src : linkSrc),
    src === void 0 || state === "link" ? void 0 : task.facts.path(src, { follow: true }),
    ownerSpec === void 0 ? void 0 : task.account("user", ownerSpec),
    groupSpec === void 0 ? void 0 : task.account("group", groupSpec)
  ]);
  task.owner = owner;
  task.group = group;
  let st = first;
  if (state !== "link" && state !== "absent" && isDirFollowing(st)) {
    const basename = task.string("_original_basename") ?? (src && path11.posix.basename(src));
    if (basename) {
      target = path11.posix.join(target, basename);
      st = await task.facts.path(target);
    }
  }
  const prev = stateOf(st);
  if (state === void 0) state = prev !== "absent" ? prev : recurse ? "directory" : "file";
  if (recurse && state !== "directory")
    task.fail({ msg: "recurse option requires state to be 'directory'", path: target }, st);
  if (src !== void 0 && state !== "link" && state !== "hard")
    task.fail({ msg: "src option requires state to be 'link' or 'hard'", path: target }, st);
  if (task.ctx.check && state !== "absent") task.warnMissingAccounts();
  let result;
  switch (state) {
    case "absent":
      result = await absentState(task, target, st);
      break;
    case "file":
      result = await fileState(task, target, st);
      break;
    case "directory":
      result = await directoryState(task, target, st, recurse);
      break;
    case "touch":
      result = await touchState(task, target, st);
      break;
    case "link":
      result = await linkState(task, target, st, src, srcNear);
      break;
    case "hard":
      result = await hardState(task, target, st, src, srcFollowed);
      break;
  }
  if (task.warnings.length > 0) result["warnings"] = task.warnings;
  return result;
}

// src/modules/include-vars.ts
import { readdirSync as readdirSync3, readFileSync as readFileSync4 } from "node:fs";
import os from "node:os";
import path12 from "node:path";
var DIR_ARGS = /* @__PURE__ */ new Set([
  "dir",
  "depth",
  "files_matching",
  "ignore_files",
  "extensions",
  "ignore_unknown_extensions"
]);
var FILE_ARGS = /* @__PURE__ */ new Set(["file", "_raw_params"]);
var ANY_ARGS = /* @__PURE__ */ new Set(["name", "hash_behaviour"]);
var DEFAULT_EXTENSIONS = ["yaml", "yml", "json"];
var INCLUDED_VARS = /* @__PURE__ */ Symbol("included vars");
var LoadFailure = class extends Error {
};
function searchDirs(ctx) {
  const dirs = [];
  const role = ctx.task.role;
  if (role) dirs.push(role.path, ...[...role.ancestors ?? []].reverse());
  const taskDir = ctx.task.dir ?? ctx.baseDir;
  if (!dirs.includes(taskDir)) dirs.push(taskDir);
  dirs.push(ctx.baseDir);
  return dirs;
}
function expandHome2(file) {
  return file === "~" || file.startsWith("~/") ? path12.join(os.homedir(), file.slice(1)) : file;
}
function findVarsFile(file, ctx) {
  const wanted = expandHome2(file);
  if (path12.isAbsolute(wanted)) {
    if (isFile(wanted)) return wanted;
    throw new LoadFailure(notFound(file, [wanted]));
  }
  const inVars = wanted.split("/")[0] === "vars";
  const candidates = searchDirs(ctx).flatMap((dir) => [
    ...inVars ? [] : [path12.join(dir, "vars", wanted)],
    path12.join(dir, wanted)
  ]);
  const found = candidates.find(isFile);
  if (found) return found;
  throw new LoadFailure(notFound(file, candidates));
}
function notFound(file, candidates) {
  return `Could not find or access '${file}'
Searched in:
${candidates.map((c) => `	${c}`).join("\n")} on the Ansible Controller.
If you are using a module and expect the file to exist on the remote, see the remote_src option`;
}
function loadFile(file, loaded) {
  let data;
  try {
    data = parseYaml(readFileSync4(file, "utf8"), file).data;
  } catch (error) {
    if (error instanceof AsyncPlaybookError) throw new LoadFailure(error.message);
    throw new LoadFailure(`${file} cannot be read: ${error.message}`);
  }
  if (data === null || data === void 0 || data === false || data === "" || data === 0) data = {};
  if (Array.isArray(data) && data.length === 0) data = {};
  if (!isRecord(data)) throw new LoadFailure(`${file} must be stored as a dictionary/hash`);
  loaded.files.push(file);
  loaded.vars = { ...loaded.vars, ...data };
}
function walk(root) {
  const out = [];
  const visit = (dir) => {
    let entries;
    try {
      entries = readdirSync3(dir, { withFileTypes: true });
    } catch {
      return;
    }
    const files = [];
    const subdirs = [];
    for (const entry of entries) {
      if (entry.isDirectory()) subdirs.push(entry.name);
      else if (entry.isSymbolicLink() && kindOf(path12.join(dir, entry.name)) === "directory")
        continue;
      else files.push(entry.name);
    }
    out.push({ dir, files });
    for (const sub of subdirs) visit(path12.join(dir, sub));
  };
  visit(root);
  return out.sort((a, b) => a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0);
}
function compile(pattern) {
  try {
    return new RegExp(pattern);
  } catch {
    throw new ModuleArgumentError(
      `files_matching/ignore_files: '${pattern}' is not a regular expression this engine can read`
    );
  }
}
function stringList(value) {
  if (value === void 0 || value === null || value === "") return [];
  if (typeof value === "string") return value.split(/\s+/).filter(Boolean);
  if (Array.isArray(value)) return value.map((v) => String(v));
  if (isRecord(value)) return Object.keys(value);
  return [String(value)];
}
function loadDir(args, ctx, loaded) {
  const dir = expandHome2(String(args["dir"]));
  let root;
  const role = ctx.task.role;
  if (path12.isAbsolute(dir)) root = dir;
  else if (role) {
    const own = path12.join(role.path, dir);
    root = dir.split("/")[0] === "vars" && kindOf(own) ? own : path12.join(role.path, "vars", dir);
  } else root = path12.join(ctx.task.dir ?? ctx.baseDir, dir);
  const kind = kindOf(root);
  if (kind === void 0) throw new LoadFailure(`${root} directory does not exist`);
  if (kind !== "directory") throw new LoadFailure(`${root} is not a directory`);
  const depthRaw = args["depth"];
  const depth = depthRaw === void 0 || depthRaw === null || depthRaw === "" ? 0 : Number(depthRaw);
  if (!Number.isInteger(depth))
    throw new ModuleArgumentError(`depth must be a whole number, got ${pythonJsonDumps(depthRaw)}`);
  const matcher = typeof args["files_matching"] === "string" && args["files_matching"] !== "" ? compile(args["files_matching"]) : void 0;
  const ignored = stringList(args["ignore_files"]).map((p) => compile(`${p}$`));
  const extensionsRaw = args["extensions"] ?? DEFAULT_EXTENSIONS;
  if (!Array.isArray(extensionsRaw) && typeof extensionsRaw !== "string")
    throw new ModuleArgumentError('Invalid type for "extensions" option, it must be a list');
  const extensions = (Array.isArray(extensionsRaw) ? extensionsRaw : [...extensionsRaw]).map(String);
  const skipUnknown = args["ignore_unknown_extensions"] === true;
  const validExtension = (name) => extensions.includes(path12.extname(name).slice(1));
  const walked = walk(root);
  for (let i = 0; i < walked.length; i++) {
    if (depth > 0 && i >= depth) break;
    const { dir: current, files } = walked[i];
    const staged = { vars: dict(), files: loaded.files };
    for (const name of [...files].sort()) {
      if (matcher && !matcher.test(name)) continue;
      if (ignored.some((re) => re.test(name))) continue;
      if (skipUnknown && !validExtension(name)) continue;
      const file = path12.join(current, name);
      if (!validExtension(name))
        throw new LoadFailure(`${file} does not have a valid extension: ${extensions.join(", ")}`);
      loadFile(file, staged);
    }
    loaded.vars = { ...loaded.vars, ...staged.vars };
  }
}
function plainCopy(value) {
  if (typeof value === "string") return unsafeText(value);
  if (Array.isArray(value)) return value.map(plainCopy);
  if (isRecord(value)) {
    const out = dict();
    for (const [k, v] of Object.entries(value)) out[k] = plainCopy(v);
    return out;
  }
  return value;
}
function combineWithCurrent(vars, current, merge) {
  const out = dict();
  for (const [key, value] of Object.entries(vars)) {
    const old = Object.hasOwn(current, key) ? current[key] : null;
    if (!isRecord(old) || !isRecord(value)) {
      throw new ActionPluginError(
        `failed to combine variables, expected dicts but got a '${pythonClass(old)}' and a '${pythonClass(value)}': 
${pythonJsonDumps(old)}
${pythonJsonDumps(value)}`
      );
    }
    out[key] = merge ? mergeHash(old, value) : Object.assign(dict(), old, value);
  }
  return out;
}
var includeVarsModule = {
  name: "include_vars",
  supportsCheckMode: true,
  local: true,
  freeForm: "key-value",
  // Ansible's action checks the names itself, with its own message (below).
  args: { side: "action", unknown: "any", options: {} },
  async run(ctx) {
    const args = ctx.args;
    let dirs = 0;
    let files = 0;
    for (const key of Object.keys(args)) {
      if (DIR_ARGS.has(key)) dirs++;
      else if (FILE_ARGS.has(key)) files++;
      else if (!ANY_ARGS.has(key))
        throw new ActionPluginError(`${key} is not a valid option in include_vars`);
    }
    if (dirs > 0 && files > 0)
      throw new ActionPluginError(
        "You are mixing file only and dir only arguments, these are incompatible"
      );
    const name = args["name"];
    const hashBehaviour = args["hash_behaviour"];
    const loaded = { vars: dict(), files: [] };
    let message2;
    try {
      if (args["dir"]) loadDir(args, ctx, loaded);
      else {
        let file = args["file"] || args["_raw_params"];
        if (typeof file === "string") file = file.replace(/\n+$/, "");
        if (!file) {
          ctx.displayWarning('Invalid request to find a file that matches a "null" value');
          throw new LoadFailure(
            "Could not find file on the Ansible Controller.\nIf you are using a module and expect the file to exist on the remote, see the remote_src option"
          );
        }
        loadFile(findVarsFile(String(file), ctx), loaded);
      }
    } catch (error) {
      if (!(error instanceof LoadFailure)) throw error;
      message2 = error.message;
    }
    let facts = loaded.vars;
    if (name !== void 0 && name !== null && name !== "") {
      facts = dict();
      facts[String(name)] = loaded.vars;
    }
    if (message2 === void 0 && hashBehaviour !== void 0 && hashBehaviour !== null && hashBehaviour !== "replace")
      facts = combineWithCurrent(facts, ctx.vars, hashBehaviour === "merge");
    const result = {
      [INCLUDED_VARS]: message2 === void 0 ? facts : dict(),
      changed: false,
      ansible_included_var_files: loaded.files,
      // What is registered and shown: the values as written (registered values are never templated).
      ansible_facts: plainCopy(facts)
    };
    if (message2 !== void 0) {
      result["failed"] = true;
      result["message"] = message2;
    }
    return result;
  }
};

// src/modules/find.ts
import path13 from "node:path";

// src/modules/find-walk.sh
var find_walk_default = `# shellcheck shell=sh
# apb-find: lists the trees under Ansible's find paths in one round trip, a few \`find\` passes per path
# (never a process per directory). POSIX sh with find (-mindepth/-maxdepth, as GNU, busybox and BSD
# have), stat -c (GNU or busybox) and test; apb_expand (expand-args.sh) is defined before this.
# src/modules/find.ts rebuilds os.walk's order from the listing.
#
# Run as:  /bin/sh -c "<expand-args.sh + this>" apb-find <follow> <levels> <checksum> <icase> <ere> <path>...
#   follow    1: walk into symbolic links to directories (os.walk followlinks; find -L)
#   levels    how many directory levels below each path to walk: -1 for all, 0 for the path only
#   checksum  1: sha1 of each regular file
#   icase     1: match ere ignoring case (grep -i)
#   ere       when not empty: list the regular files that have a line matching this ERE from its start
#
# The answer, per path: \`top_hex=\` (expanded), then \`nodir=1\`, or \`newline=1\` when a name holds a
# newline (names are read a line each), or: \`unreadable_hex=\` per directory in reach that cannot be
# listed, \`linkdir_hex=\` per symbolic link to a directory, one block per entry (\`@\` line, stat fields,
# \`name=\` its path), \`sum=\` lines (\`sha1  path\`), \`grep_hex=\` per matching file. Last line: end=1.
set -u
follow=$1 levels=$2 checksum=$3 icase=$4 ere=$5
shift 5
case $icase in 1) grep_case=-i ;; *) grep_case=-E ;; esac
nl='
'

hex() {
  od -An -v -tx1 | tr -d ' \\n'
}

if ! stat -c %f / >/dev/null 2>&1; then
  echo missing_tool=stat
  echo end=1
  exit 0
fi
if [ "$checksum" = 1 ] && ! command -v sha1sum >/dev/null 2>&1; then
  echo missing_tool=sha1sum
  echo end=1
  exit 0
fi

FORMAT='@
mode_hex=%f
uid=%u
gid=%g
owner=%U
group=%G
size=%s
inode=%i
dev=%d
nlink=%h
atime=%X
mtime=%Y
ctime=%Z
atime_text=%x
mtime_text=%y
ctime_text=%z
name=%n'

echo "now=$(date +%s)"
for top in "$@"; do
  top=$(apb_expand "$top")
  top=\${top%x}
  printf '%s' "$top" | { printf 'top_hex='; hex; echo; }
  if [ ! -d "$top" ]; then
    echo nodir=1
    continue
  fi
  # Never an option to find (the names it prints then start with ./, which normpath drops).
  case $top in -*) top=./$top ;; esac
  # The walk reaches directories down to \`levels\` below the path, and lists their entries.
  if [ "$follow" = 1 ]; then set -- -L; else set --; fi
  if [ "$levels" -ge 0 ]; then
    set -- "$@" "$top" -mindepth 1 -maxdepth "$((levels + 1))"
  else
    set -- "$@" "$top" -mindepth 1
  fi
  if [ -n "$(find "$@" -name "*$nl*" -print 2>/dev/null | head -n 1)" ]; then
    echo newline=1
    continue
  fi
  # Every directory listed: find.ts reports only those its walk would enter.
  find "$@" -type d -exec sh -c '
    for d; do [ -r "$d" ] || printf "%s\\n" "$d"; done' apb-unreadable {} + 2>/dev/null |
    while IFS= read -r d; do printf '%s' "$d" | { printf 'unreadable_hex='; hex; echo; }; done
  [ -r "$top" ] || { printf '%s' "$top" | { printf 'unreadable_hex='; hex; echo; }; }
  find "$@" -exec sh -c '
    for l; do [ -L "$l" ] && [ -d "$l" ] && printf "%s\\n" "$l"; done; exit 0' apb-linkdirs {} + 2>/dev/null |
    while IFS= read -r l; do printf '%s' "$l" | { printf 'linkdir_hex='; hex; echo; }; done
  find "$@" -exec stat -c "$FORMAT" {} + 2>/dev/null
  if [ "$checksum" = 1 ]; then
    find "$@" -type f -exec sha1sum {} + 2>/dev/null | sed 's/^/sum=/'
  fi
  if [ -n "$ere" ]; then
    find "$@" -type f -exec grep -l -E "$grep_case" -e "$ere" {} + 2>/dev/null |
      while IFS= read -r match; do printf '%s' "$match" | { printf 'grep_hex='; hex; echo; }; done
  fi
  echo path_end=1
done
echo end=1
`;

// src/modules/find-patterns.ts
function globRegex(glob) {
  return new RegExp(`^${fnmatchSource(glob)}$`);
}
var ERE_SPECIAL = /* @__PURE__ */ new Set([".", "[", "]", "(", ")", "*", "+", "?", "{", "}", "|", "^", "$", "\\"]);
function pythonGrep(pattern) {
  const flags = /^\(\?i\)/.exec(pattern);
  return {
    ere: translateEre(flags ? pattern.slice(flags[0].length) : pattern, pattern),
    ignoreCase: flags !== null
  };
}
function translateEre(pattern, written) {
  const refuse = (what) => {
    throw new ModuleArgumentError(
      `find: contains ${JSON.stringify(written)} uses ${what}, which cannot be run on the target (grep -E); write the pattern without it`
    );
  };
  let out = "";
  let i = 0;
  let afterAtom = false;
  while (i < pattern.length) {
    const ch = pattern[i];
    if (ch === "\\") {
      const next = pattern[i + 1];
      if (next === void 0) refuse("a trailing backslash");
      const mapped = escapeOutsideClass(next);
      if (mapped === void 0) refuse(`\\${next}`);
      out += mapped;
      i += 2;
      afterAtom = true;
    } else if (ch === "[") {
      const end = classEnd(pattern, i);
      if (end < 0) refuse("an unterminated character class");
      out += bracket(pattern.slice(i + 1, end), refuse);
      i = end + 1;
      afterAtom = true;
    } else if (ch === "(") {
      if (pattern[i + 1] === "?") {
        if (pattern[i + 2] === ":") {
          out += "(";
          i += 3;
        } else refuse(`the group (?${pattern[i + 2] ?? ""}`);
      } else {
        out += "(";
        i++;
      }
      afterAtom = false;
    } else if ("*+?".includes(ch) || ch === "{" && /^\{\d*(,\d*)?\}/.test(pattern.slice(i))) {
      if (!afterAtom) refuse(`a repeat ${ch} with nothing to repeat`);
      if (ch === "{") {
        const quantifier = /^\{\d*(,\d*)?\}/.exec(pattern.slice(i))[0];
        out += quantifier.startsWith("{,") ? `{0${quantifier.slice(1)}` : quantifier;
        i += quantifier.length;
      } else {
        out += ch;
        i++;
      }
      if (pattern[i] === "?")
        i++;
      else if (pattern[i] === "+") refuse("a possessive repeat");
    } else {
      out += ch === "{" || ch === "}" ? `\\${ch}` : ch;
      afterAtom = ch !== "|" && ch !== "^";
      i++;
    }
  }
  return `^(${out})`;
}
function escapeOutsideClass(next) {
  switch (next) {
    case "d":
      return "[0-9]";
    case "D":
      return "[^0-9]";
    case "w":
      return "[[:alnum:]_]";
    case "W":
      return "[^[:alnum:]_]";
    case "s":
      return "[[:space:]]";
    case "S":
      return "[^[:space:]]";
    case "t":
      return "	";
  }
  if (/[A-Za-z0-9]/.test(next)) return void 0;
  return ERE_SPECIAL.has(next) ? `\\${next}` : next;
}
function classEnd(pattern, start) {
  let j = start + 1;
  if (pattern[j] === "^") j++;
  if (pattern[j] === "]") j++;
  while (j < pattern.length) {
    if (pattern[j] === "\\") j += 2;
    else if (pattern[j] === "]") return j;
    else j++;
  }
  return -1;
}
function bracket(body, refuse) {
  let negate = false;
  if (body.startsWith("^")) {
    negate = true;
    body = body.slice(1);
  }
  const singles = /* @__PURE__ */ new Set();
  const ranges = [];
  const classes = [];
  const chars = [];
  for (let k = 0; k < body.length; k++) {
    let c = body[k];
    if (c === "\\") {
      const next = body[k + 1];
      k++;
      if (next === "d") {
        classes.push("0-9");
        continue;
      }
      if (next === "w") {
        classes.push("[:alnum:]_");
        continue;
      }
      if (next === "s") {
        classes.push("[:space:]");
        continue;
      }
      if (next === "t") c = "	";
      else if (/[A-Za-z0-9]/.test(next)) refuse(`\\${next} in a character class`);
      else c = next;
    } else if (c === "[" && body[k + 1] === ":") refuse("[: in a character class");
    chars.push(c);
  }
  for (let k = 0; k < chars.length; k++) {
    if (chars[k + 1] === "-" && k + 2 < chars.length) {
      const from = chars[k];
      const to = chars[k + 2];
      if (from === "]" || to === "]" || from === "-" || to === "-" || from === "^" || to === "^")
        refuse("a range that starts or ends with ], - or ^");
      ranges.push(`${from}-${to}`);
      k += 2;
    } else singles.add(chars[k]);
  }
  const close = singles.delete("]") ? "]" : "";
  const dash = singles.delete("-") ? "-" : "";
  const caret = singles.delete("^") ? "^" : "";
  const inner = close + [...singles].join("") + ranges.join("") + classes.join("") + caret + dash;
  if (inner === "") refuse("an empty character class");
  const safe = inner === "^" ? "\\^" : inner.startsWith("^") ? `${inner.slice(1)}^` : inner;
  return inner === "^" && !negate ? "\\^" : `[${negate ? "^" : ""}${safe}]`;
}

// src/modules/find.ts
var WALK_OUTPUT_CAP_BYTES = 64 * 1024 * 1024;
var WALK_PROBE = { name: "apb-find", source: `${expand_args_default}
${find_walk_default}` };
var SECONDS_PER_UNIT = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
var BYTES_PER_UNIT = {
  b: 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4
};
var findModule = {
  name: "find",
  supportsCheckMode: true,
  args: {
    options: {
      paths: { type: "list", elements: "str", required: true, aliases: ["name", "path"] },
      patterns: { type: "list", elements: "str", default: [], aliases: ["pattern"] },
      excludes: { type: "list", elements: "str", aliases: ["exclude"] },
      contains: { type: "str" },
      read_whole_file: {
        type: "bool",
        default: false,
        notImplemented: "use `contains` with a pattern that matches a line from its start"
      },
      file_type: { type: "str", default: "file", choices: ["any", "directory", "file", "link"] },
      age: { type: "str" },
      age_stamp: { type: "str", default: "mtime", choices: ["atime", "ctime", "mtime"] },
      size: { type: "str" },
      recurse: { type: "bool", default: false },
      hidden: { type: "bool", default: false },
      follow: { type: "bool", default: false },
      get_checksum: { type: "bool", default: false },
      use_regex: { type: "bool", default: false },
      depth: { type: "int" }
    }
  },
  async run(ctx) {
    const args = ctx.args;
    const useRegex = args["use_regex"] === true;
    let patterns = args["patterns"] ?? [];
    if (patterns.length === 0) patterns = [useRegex ? ".*" : "*"];
    const excludes = args["excludes"] ?? [];
    const compile3 = (pattern) => useRegex ? pythonRegexOrRefuse(pattern) : globRegex(pattern);
    const patternRes = patterns.map(compile3);
    const excludeRes = excludes.map(compile3);
    let age;
    if (args["age"] !== void 0 && args["age"] !== null) {
      const m = /^(-?\d+)(s|m|h|d|w)?$/.exec(String(args["age"]).toLowerCase());
      if (!m)
        return { changed: false, failed: true, age: args["age"], msg: "failed to process age" };
      age = Number(m[1]) * (SECONDS_PER_UNIT[m[2] ?? "s"] ?? 1);
    }
    let size;
    if (args["size"] !== void 0 && args["size"] !== null) {
      const m = /^(-?\d+)(b|k|m|g|t)?$/.exec(String(args["size"]).toLowerCase());
      if (!m)
        return { changed: false, failed: true, size: args["size"], msg: "failed to process size" };
      size = Number(m[1]) * (BYTES_PER_UNIT[m[2] ?? "b"] ?? 1);
    }
    const contains = args["contains"];
    const grep = contains === void 0 || contains === null ? { ere: "", ignoreCase: false } : pythonGrep(contains);
    const ere = grep.ere;
    const depth = typeof args["depth"] === "number" && args["depth"] !== 0 ? args["depth"] : void 0;
    const recurse = args["recurse"] === true;
    const levels = !recurse ? 0 : depth === void 0 ? -1 : Math.max(0, depth);
    const fileType2 = args["file_type"];
    const getChecksum = args["get_checksum"] === true;
    const hidden = args["hidden"] === true;
    const ageStamp = args["age_stamp"];
    const connection = await ctx.connection();
    const paths = args["paths"].map(String);
    const subject = paths.join(", ");
    const run = await connection.run(
      probeCommand(WALK_PROBE, [
        args["follow"] === true ? "1" : "0",
        String(levels),
        getChecksum ? "1" : "0",
        grep.ignoreCase ? "1" : "0",
        ere,
        ...paths
      ]),
      { timeoutMs: ctx.timeoutMs, outputCapBytes: WALK_OUTPUT_CAP_BYTES }
    );
    if (run.timedOut) {
      throw new CommandTimeoutError(
        `find: walking ${subject} on ${connection.host} took longer than ${ctx.timeoutMs} ms`,
        connection.host,
        ctx.timeoutMs
      );
    }
    const text5 = run.stdout.toString("utf8");
    if (run.stdoutTruncated) {
      throw new FactError(
        `find: the listing of ${subject} on ${connection.host} is over ${WALK_OUTPUT_CAP_BYTES} bytes: narrow paths, depth or recurse`,
        connection.host,
        "path",
        subject
      );
    }
    if (run.code !== 0 || !/(^|\n)end=1\n?$/.test(text5)) {
      throw new FactError(
        `find: walking ${subject} on ${connection.host} failed (exit code ${String(run.code ?? run.signal)}): ` + run.stderr.toString("utf8").trim().slice(-400),
        connection.host,
        "path",
        subject
      );
    }
    const missing2 = /(^|\n)missing_tool=(\w+)/.exec(text5)?.[2];
    if (missing2 !== void 0) {
      throw new FactError(
        `find cannot walk directories on ${connection.host}: the target has no ${missing2 === "stat" ? "stat command that takes -c (GNU coreutils or busybox)" : "sha1sum command (coreutils or busybox), needed for get_checksum"}: install it`,
        connection.host,
        "path",
        subject,
        missing2
      );
    }
    const now = Number(/(^|\n)now=(\d+)/.exec(text5)?.[2] ?? Date.now() / 1e3);
    const files = [];
    const skipped = /* @__PURE__ */ Object.create(null);
    let examined = 0;
    const walks = parseWalk(text5, levels, args["follow"] === true);
    const newline = walks.find((walk2) => walk2.newline);
    if (newline !== void 0) {
      throw new FactError(
        `find: a name under ${newline.top} on ${connection.host} holds a newline, which find cannot list: rename it or leave it out of paths`,
        connection.host,
        "path",
        subject
      );
    }
    for (const walk2 of walks) {
      if (walk2.notDirectory) {
        skipped[walk2.top] = `'${walk2.top}' is not a directory`;
        ctx.warn(`Skipped '${walk2.top}' path due to this access issue: ${skipped[walk2.top]}
`);
        continue;
      }
      const wpathSeparators = (walk2.top.replace(/\/+$/, "") + "/").split("/").length - 1;
      for (const dir of walk2.dirs) {
        const ordered = [
          ...dir.entries.filter((e) => !dir.dirNames.has(e.name)),
          ...dir.entries.filter((e) => dir.dirNames.has(e.name))
        ];
        examined += ordered.length;
        for (const entry of ordered) {
          const fsname = normpath(`${dir.path}/${entry.name}`);
          if (depth !== void 0) {
            const level = fsname.split("/").length - 1 - wpathSeparators + 1;
            if (level > depth) continue;
          }
          if (entry.name.startsWith(".") && !hidden) continue;
          const named = matches(entry.name, patternRes, excludeRes);
          const old = agePasses(entry, now, age, ageStamp);
          const result = { path: fsname };
          if (fileType2 === "any") {
            if (named && old) {
              Object.assign(result, statInfo(entry));
              if (entry.type === "file" && getChecksum && dir.sums.has(entry.name))
                result["checksum"] = dir.sums.get(entry.name);
              if (entry.type !== "file" || sizePasses(entry, size)) files.push(result);
            }
          } else if (entry.type === "directory" && fileType2 === "directory") {
            if (named && old) files.push(Object.assign(result, statInfo(entry)));
          } else if (entry.type === "file" && fileType2 === "file") {
            if (named && old && sizePasses(entry, size) && (ere === "" || dir.grepped.has(entry.name))) {
              Object.assign(result, statInfo(entry));
              if (getChecksum && dir.sums.has(entry.name))
                result["checksum"] = dir.sums.get(entry.name);
              files.push(result);
            }
          } else if (entry.type === "link" && fileType2 === "link") {
            if (named && old) files.push(Object.assign(result, statInfo(entry)));
          }
        }
      }
      if (walk2.error !== void 0) {
        skipped[walk2.top] = walk2.error;
        ctx.warn(`Skipped '${walk2.top}' path due to this access issue: ${walk2.error}
`);
      }
    }
    const warned = Object.keys(skipped).length > 0;
    return {
      files,
      changed: false,
      msg: warned ? "Not all paths examined, check warnings for details" : "All paths examined",
      matched: files.length,
      examined,
      skipped_paths: skipped
    };
  }
};
function pythonRegexOrRefuse(pattern) {
  try {
    const { regexp } = translatePythonRegex(pattern, "text");
    return new RegExp(regexp.source, `${regexp.flags.replace("g", "")}y`);
  } catch (error) {
    if (!(error instanceof PythonRegexError)) throw error;
    throw new ModuleArgumentError(
      `find: cannot use the regular expression ${JSON.stringify(pattern)}: ${error.problem}`
    );
  }
}
function matches(name, patterns, excludes) {
  for (const pattern of patterns) {
    pattern.lastIndex = 0;
    if (pattern.test(name)) {
      return !excludes.some((exclude) => {
        exclude.lastIndex = 0;
        return exclude.test(name);
      });
    }
  }
  return false;
}
function agePasses(entry, now, age, stamp) {
  if (age === void 0) return true;
  const time = entry[stamp];
  return age >= 0 ? now - time >= Math.abs(age) : now - time <= Math.abs(age);
}
function sizePasses(entry, size) {
  if (size === void 0) return true;
  return size >= 0 ? entry.size >= Math.abs(size) : entry.size <= Math.abs(size);
}
function normpath(p) {
  if (p === "") return ".";
  const initial = p.startsWith("//") && !p.startsWith("///") ? "//" : p.startsWith("/") ? "/" : "";
  const parts = [];
  for (const part of p.split("/")) {
    if (part === "" || part === ".") continue;
    if (part !== ".." || initial === "" && parts.length === 0 || parts.at(-1) === "..")
      parts.push(part);
    else if (parts.length > 0) parts.pop();
  }
  return initial + parts.join("/") || ".";
}
function statInfo(e) {
  const permissions = e.mode & 4095;
  return {
    mode: permissions.toString(8).padStart(4, "0"),
    ...typeFlags(e.type),
    uid: e.uid,
    gid: e.gid,
    size: e.size,
    inode: e.inode,
    dev: e.dev,
    nlink: e.nlink,
    atime: e.atime,
    mtime: e.mtime,
    ctime: e.ctime,
    gr_name: e.group,
    pw_name: e.owner,
    ...permissionFlags(e.mode)
  };
}
function parseWalk(text5, levels, follow) {
  const listings = [];
  let listing;
  let entry;
  const finishEntry = () => {
    if (entry && listing) {
      const full = entry["name"] ?? "";
      listing.entries.push({ ...toEntry(entry), full });
    }
    entry = void 0;
  };
  for (const line of text5.split("\n")) {
    const at = line.indexOf("=");
    const key = at < 0 ? line : line.slice(0, at);
    const value = at < 0 ? "" : line.slice(at + 1);
    if (entry && key !== "@" && key in ENTRY_KEYS) {
      entry[key] = value;
      continue;
    }
    finishEntry();
    if (key === "top_hex") {
      listing = {
        top: fromHex(value).toString("utf8"),
        notDirectory: false,
        newline: false,
        entries: [],
        unreadable: /* @__PURE__ */ new Set(),
        linkDirs: /* @__PURE__ */ new Set(),
        sums: /* @__PURE__ */ new Map(),
        grepped: /* @__PURE__ */ new Set()
      };
      listings.push(listing);
      continue;
    }
    if (!listing) continue;
    switch (key) {
      case "nodir":
        listing.notDirectory = true;
        break;
      case "newline":
        listing.newline = true;
        break;
      case "@":
        entry = {};
        break;
      case "unreadable_hex":
        listing.unreadable.add(normpath(fromHex(value).toString("utf8")));
        break;
      case "linkdir_hex":
        listing.linkDirs.add(normpath(fromHex(value).toString("utf8")));
        break;
      case "sum": {
        const m = /^([0-9a-f]{40}) [ *](.*)$/.exec(value);
        if (m) listing.sums.set(normpath(m[2]), m[1]);
        break;
      }
      case "grep_hex":
        listing.grepped.add(normpath(fromHex(value).toString("utf8")));
        break;
    }
  }
  finishEntry();
  return listings.map((l) => walkOf(l, levels, follow));
}
function walkOf(listing, levels, follow) {
  const walk2 = {
    top: listing.top,
    notDirectory: listing.notDirectory,
    newline: listing.newline,
    dirs: []
  };
  if (listing.notDirectory || listing.newline) return walk2;
  const children = /* @__PURE__ */ new Map();
  for (const e of listing.entries) {
    const parent = normpath(path13.posix.dirname(e.full));
    const list = children.get(parent);
    if (list) list.push(e);
    else children.set(parent, [e]);
  }
  const isDir = (e) => e.type === "directory" || e.type === "link" && listing.linkDirs.has(normpath(e.full));
  const visit = (dir, level) => {
    const key = normpath(dir);
    if (listing.unreadable.has(key)) {
      walk2.error = `[Errno 13] Permission denied: ${pyStringRepr(dir)}`;
      return false;
    }
    const entries = children.get(key) ?? [];
    const walked = {
      path: dir,
      entries: [],
      dirNames: /* @__PURE__ */ new Set(),
      sums: /* @__PURE__ */ new Map(),
      grepped: /* @__PURE__ */ new Set()
    };
    const subdirs = [];
    for (const e of entries) {
      walked.entries.push(e);
      const full = normpath(e.full);
      if (isDir(e)) {
        walked.dirNames.add(e.name);
        if (follow || e.type !== "link") subdirs.push(e.name);
      }
      const sum = listing.sums.get(full);
      if (sum !== void 0) walked.sums.set(e.name, sum);
      if (listing.grepped.has(full)) walked.grepped.add(e.name);
    }
    walk2.dirs.push(walked);
    if (levels >= 0 && level + 1 > levels) return true;
    for (const name of subdirs) {
      if (!visit(dir.endsWith("/") ? `${dir}${name}` : `${dir}/${name}`, level + 1)) return false;
    }
    return true;
  };
  visit(listing.top, 0);
  return walk2;
}
var ENTRY_KEYS = Object.assign(
  /* @__PURE__ */ Object.create(null),
  {
    mode_hex: true,
    uid: true,
    gid: true,
    owner: true,
    group: true,
    size: true,
    inode: true,
    dev: true,
    nlink: true,
    atime: true,
    mtime: true,
    ctime: true,
    atime_text: true,
    mtime_text: true,
    ctime_text: true,
    name: true
  }
);
function toEntry(raw) {
  const mode = parseInt(raw["mode_hex"] ?? "0", 16);
  const account = (name) => name === void 0 || name === "UNKNOWN" ? "" : name;
  return {
    name: path13.posix.basename(raw["name"] ?? ""),
    type: fileType(mode),
    mode,
    uid: Number(raw["uid"]),
    gid: Number(raw["gid"]),
    owner: account(raw["owner"]),
    group: account(raw["group"]),
    size: Number(raw["size"]),
    inode: Number(raw["inode"]),
    dev: Number(raw["dev"]),
    nlink: Number(raw["nlink"]),
    atime: epoch2(raw["atime"], raw["atime_text"]),
    mtime: epoch2(raw["mtime"], raw["mtime_text"]),
    ctime: epoch2(raw["ctime"], raw["ctime_text"])
  };
}
function epoch2(seconds, text5) {
  const fraction = /:\d\d\.(\d+)/.exec(text5 ?? "")?.[1] ?? "";
  const nanoseconds = fraction === "" ? 0 : Number(fraction.slice(0, 9).padEnd(9, "0"));
  return Number(seconds ?? 0) + nanoseconds * 1e-9;
}

// src/modules/get-url.ts
import { randomBytes as randomBytes7 } from "node:crypto";
import path15 from "node:path";

// src/modules/get-url-finish.sh
var get_url_finish_default = `#!/bin/sh
# apb-get-url: puts a downloaded file in place for get_url, as Ansible decides it. POSIX sh.
#
# Run as:  /bin/sh -c "<this text>" apb-get-url <tmp> <dest> <backup> <algorithm> <expected>
# (src/modules/get-url.ts downloads to tmp with the HTTP transport, then runs this)
#
#   tmp        the downloaded file (0600), beside dest or in tmp_dest; removed on every path
#   dest       the file to create or replace (a link there is replaced by the file, as Ansible's
#              atomic move renames over it; the mode and owner kept are those of what it points to)
#   backup     1: copy dest to dest.PID.YYYY-MM-DD@HH:MM:SS~ before replacing it (Ansible's name)
#   algorithm  md5, sha1, sha224, sha256, sha384 or sha512 to check dest against \`expected\`; empty: no
#              check (a file that fails it is removed)
#
# The answer is key=value lines ending with end=1: checksum_src (sha1 of tmp), checksum_dest (sha1 of
# dest before, when it existed), error=<Ansible's message> when it stops, moved=1 when dest was
# replaced, backup=<name>, digest=<algorithm's digest of dest>, md5=<md5 of dest>.
set -u
tmp=$1 dest=$2 backup=$3 algorithm=$4 expected=$5

has() {
  command -v "$1" >/dev/null 2>&1
}

# The digest of file $2 with algorithm $1 (empty when no tool can make it).
digest() {
  if has "\${1}sum"; then
    sum=$("\${1}sum" <"$2") || sum=
  elif [ "$1" != md5 ] && has shasum; then
    sum=$(shasum -a "\${1#sha}" <"$2") || sum=
  elif has openssl; then
    sum=$(openssl dgst "-$1" <"$2") || sum=
    sum=\${sum##* }
  else
    echo "missing_tool=\${1}sum"
    sum=
  fi
  printf '%s' "\${sum%% *}"
}

stop() {
  rm -f -- "$tmp"
  printf 'error=%s\\n' "$1"
  echo end=1
  exit 0
}

echo "checksum_src=$(digest sha1 "$tmp")"

if [ -e "$dest" ]; then
  [ -w "$dest" ] || stop "Destination $dest is not writable"
  [ -r "$dest" ] || stop "Destination $dest is not readable"
  [ ! -d "$dest" ] || stop "attempted to take checksum of directory: $dest"
  before=$(digest sha1 "$dest")
  echo "checksum_dest=$before"
else
  before=
  parent=$(dirname -- "$dest" && echo x) && parent=\${parent%??}
  [ -e "$parent" ] || stop "Destination $parent does not exist"
  [ -w "$parent" ] || stop "Destination $parent is not writable"
fi

after=$(digest sha1 "$tmp")
if [ "$after" != "$before" ]; then
  dir=$(dirname -- "$dest" && echo x) && dir=\${dir%??}
  landing=$tmp
  tmp_dir=$(dirname -- "$tmp" && echo x) && tmp_dir=\${tmp_dir%??}
  if [ "$tmp_dir" != "$dir" ]; then
    # Downloaded elsewhere (tmp_dest): copied beside dest first, so that the move is a rename.
    name=$(basename -- "$dest" && echo x) && name=\${name%??}
    landing=$dir/.$name.apb-$$.tmp
    (umask 077 && cp -- "$tmp" "$landing") || {
      rm -f -- "$landing"
      stop "failed to copy $tmp to $dest"
    }
    rm -f -- "$tmp"
  fi
  if [ -e "$dest" ]; then
    # As Ansible's atomic move: the replaced file's mode, owner and group where this user may.
    if [ -n "$(stat -L -c %a -- "$dest" 2>/dev/null)" ]; then
      chmod "$(stat -L -c %a -- "$dest")" "$landing" 2>/dev/null
      chown "$(stat -L -c %u:%g -- "$dest")" "$landing" 2>/dev/null
    else
      chmod "$(stat -L -f %Lp -- "$dest")" "$landing" 2>/dev/null
    fi
    if [ "$backup" = 1 ]; then
      b=$dest.$$.$(date +%Y-%m-%d@%H:%M:%S~)
      cp -p -- "$dest" "$b" || {
        rm -f -- "$landing"
        stop "Could not make a backup of $dest"
      }
      printf 'backup=%s\\n' "$b"
    fi
  else
    # A new file gets what the umask leaves of 0666, as Ansible gives it.
    chmod "$(printf '%o' $((0666 & ~$(umask))))" "$landing"
  fi
  if ! out=$(mv -f -- "$landing" "$dest" 2>&1); then
    rm -f -- "$landing"
    stop "failed to copy $tmp to $dest: $out"
  fi
  echo moved=1
else
  rm -f -- "$tmp"
fi

if [ -n "$algorithm" ] && [ -f "$dest" ]; then
  got=$(digest "$algorithm" "$dest")
  echo "digest=$got"
  [ "$got" = "$expected" ] || rm -f -- "$dest"
fi
[ -f "$dest" ] && echo "md5=$(digest md5 "$dest")"
echo end=1
`;

// src/modules/get-url-local.sh
var get_url_local_default = `#!/bin/sh
# apb-get-url-file: reads a file:// URL's file on the target for get_url, as urllib's file handler does.
#
# Run as:  /bin/sh -c "<this text>" apb-get-url-file <path> <out>
#
#   path  the file the URL names (decoded)
#   out   where to copy it (created 0600); empty: only measure it and print its sha1
#
# The answer is key=value lines: errno=<Python's errno> when it cannot be read (2 missing, 21 a
# directory, 13 not readable), else size=<bytes> and sha1=<hex> or copied=1.
set -u
src=$1 out=$2
if [ ! -e "$src" ]; then
  echo errno=2
  exit 0
fi
if [ -d "$src" ]; then
  echo errno=21
  exit 0
fi
if [ ! -r "$src" ]; then
  echo errno=13
  exit 0
fi
echo "size=$(($(wc -c <"$src")))"
if [ -z "$out" ]; then
  echo "sha1=$(sha1sum <"$src" | cut -d' ' -f1)"
  exit 0
fi
if ! (umask 077 && cat -- "$src" >"$out"); then
  rm -f -- "$out"
  echo errno=13
  exit 0
fi
echo copied=1
`;

// src/modules/get-url-support.ts
import { createHash as createHash5 } from "node:crypto";
import path14 from "node:path";
function splitChecksum(value) {
  const colon = value.indexOf(":");
  if (colon < 0) return void 0;
  return { algorithm: value.slice(0, colon), value: value.slice(colon + 1) };
}
function isChecksumUrl(value) {
  return /^(?:https?|ftp|file):/i.test(value);
}
function cleanChecksum(value) {
  const cleaned = value.replace(/[^\p{L}\p{N}_]+/gu, "").toLowerCase();
  return /^(?:0x)?[0-9a-f](?:_?[0-9a-f])*$/.test(cleaned) ? cleaned : void 0;
}
function isSupportedAlgorithm(name) {
  return CHECKSUM_ALGORITHMS.includes(name);
}
function unsupportedAlgorithmMessage(file, algorithm) {
  return `Could not hash file '${file}' with algorithm '${algorithm}'. Available algorithms: ${CHECKSUM_ALGORITHMS.join(", ")}`;
}
function checksumFromList(text5, filename) {
  const lines2 = text5.split("\n");
  if (text5.endsWith("\n")) lines2.pop();
  if (lines2.length === 1 && lines2[0].split(/\s+/).filter(Boolean).length === 1) {
    return lines2[0].trim();
  }
  for (const line of lines2) {
    const space = line.indexOf(" ");
    if (space < 0) continue;
    let name = line.slice(space + 1);
    if (name.startsWith(" ") || name.startsWith("*")) name = name.slice(1);
    name = name.replace(/^[./]+/, "");
    if (name === filename) return line.slice(0, space);
  }
  return void 0;
}
function urlFilename(url) {
  const withoutQuery = url.replace(/[?#].*$/, "");
  const afterHost = /^[a-z][a-z0-9+.-]*:\/\/[^/]*(.*)$/i.exec(withoutQuery);
  const pathPart = afterHost ? afterHost[1] : withoutQuery;
  const name = pathPart.slice(pathPart.lastIndexOf("/") + 1);
  return name === "" ? "index.html" : name;
}
function dispositionFilename(headers) {
  const value = headers["content-disposition"];
  if (value === void 0) return void 0;
  const match = /^attachment; ?filename="?([^"]+)/.exec(value);
  if (!match) return void 0;
  const name = path14.posix.basename(match[1]);
  return name === "" ? void 0 : name;
}
var DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
function httpDate(epochSeconds) {
  const d = new Date(Math.floor(epochSeconds) * 1e3);
  const two = (n) => String(n).padStart(2, "0");
  return `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} GMT`;
}
function sha1Hex(bytes) {
  return createHash5("sha1").update(bytes).digest("hex");
}
function pythonDirname(p) {
  const head = p.slice(0, p.lastIndexOf("/") + 1);
  if (head === "" || /^\/+$/.test(head)) return head;
  return head.replace(/\/+$/, "");
}

// src/modules/get-url.ts
var FINISH = { name: "apb-get-url", source: get_url_finish_default };
var PATH_PROBE5 = { name: "apb-path", source: path_default };
var SELINUX = "SELinux contexts and file attributes are not supported; set them with a command task";
var GetUrlFailure = class extends Error {
  constructor(result) {
    super(String(result["msg"]));
    this.result = result;
  }
  result;
};
var getUrlModule = {
  name: "get_url",
  supportsCheckMode: true,
  args: {
    options: {
      url: { type: "str", required: true },
      dest: { type: "path", required: true },
      backup: { type: "bool", default: false },
      checksum: { type: "str", default: "" },
      timeout: { type: "int", default: 10 },
      headers: { type: "dict" },
      tmp_dest: { type: "path" },
      unredirected_headers: { type: "list", elements: "str", default: [] },
      decompress: { type: "bool", default: true },
      ciphers: {
        type: "list",
        elements: "str",
        notImplemented: "curl and wget on the target choose the TLS ciphers"
      },
      use_netrc: { type: "bool", default: true },
      force: { type: "bool", default: false },
      http_agent: { type: "str", default: DEFAULT_HTTP_AGENT },
      use_proxy: { type: "bool", default: true },
      validate_certs: { type: "bool", default: true },
      url_username: { type: "str", aliases: ["username"] },
      url_password: { type: "str", aliases: ["password"], noLog: true },
      force_basic_auth: { type: "bool", default: false },
      client_cert: { type: "path" },
      client_key: { type: "path" },
      use_gssapi: {
        type: "bool",
        default: false,
        notImplemented: "Kerberos (GSSAPI) authentication is not available through curl or wget here"
      },
      mode: { type: "raw" },
      owner: { type: "str" },
      group: { type: "str" },
      seuser: { type: "str", notImplemented: SELINUX },
      serole: { type: "str", notImplemented: SELINUX },
      setype: { type: "str", notImplemented: SELINUX },
      selevel: { type: "str", notImplemented: SELINUX },
      attributes: { type: "str", aliases: ["attr"], notImplemented: SELINUX },
      unsafe_writes: { type: "bool", default: false }
    }
  },
  async run(ctx) {
    const task = new FileTask(ctx);
    try {
      return await runGetUrl(task);
    } catch (error) {
      if (error instanceof GetUrlFailure) {
        const result = { changed: false, ...error.result, failed: true };
        const dest = result["dest"];
        if (typeof dest === "string" && !("uid" in result)) {
          const st = await task.facts.path(dest, { follow: true }).catch(() => void 0);
          Object.assign(result, pathInfo(st));
        }
        return result;
      }
      if (error instanceof FileFailure) return { changed: false, failed: true, ...error.result };
      throw error;
    }
  }
};
async function runGetUrl(task) {
  const ctx = task.ctx;
  const args = ctx.args;
  const url = String(args["url"]);
  const [expandedDest, expandedTmpDest] = await task.expand([
    String(args["dest"]),
    task.string("tmp_dest")
  ]);
  let dest = expandedDest;
  const tmpDest = expandedTmpDest;
  let force = args["force"] === true;
  const backup = args["backup"] === true;
  const scheme = urlScheme(url);
  if (scheme === void 0) {
    throw new GetUrlFailure({ msg: `unknown url type: '${url}'`, status: -1, url });
  }
  if (scheme === "ftp") {
    throw new ModuleArgumentError(
      `get_url: ftp:// URLs are not supported here (curl or wget on the target); use http(s):// or file://, got ${JSON.stringify(url)}`
    );
  }
  if (scheme !== "http" && scheme !== "https" && scheme !== "file") {
    throw new GetUrlFailure({
      msg: `Request failed: <urlopen error unknown url type: ${scheme}>`,
      url,
      dest,
      elapsed: 0
    });
  }
  const result = {
    changed: false,
    checksum_dest: null,
    checksum_src: null,
    dest,
    elapsed: 0,
    url
  };
  const download2 = { ctx, task, base: requestBase(ctx) };
  let algorithm = "";
  let expected = "";
  const checksumArg = String(args["checksum"] ?? "");
  if (checksumArg !== "") {
    const split2 = splitChecksum(checksumArg);
    if (!split2) {
      throw new GetUrlFailure({
        ...result,
        msg: "The checksum parameter has to be in format <algorithm>:<checksum>"
      });
    }
    algorithm = split2.algorithm;
    let value = split2.value;
    if (isChecksumUrl(value)) {
      const list = await fetchChecksumList(download2, value, dest, force);
      const filename = urlFilename(url);
      const found = checksumFromList(list, filename);
      if (found === void 0) {
        throw new GetUrlFailure({
          msg: `Unable to find a checksum for file '${filename}' in '${value}'`
        });
      }
      value = found;
    }
    const cleaned = cleanChecksum(value);
    if (cleaned === void 0) {
      throw new GetUrlFailure({ ...result, msg: "The checksum format is invalid" });
    }
    expected = cleaned;
  }
  const supported = checksumArg === "" || isSupportedAlgorithm(algorithm);
  const ownerSpec = task.string("owner");
  const groupSpec = task.string("group");
  const wantDigest = expected !== "" && !force && supported && isSupportedAlgorithm(algorithm);
  const [st, tmpDestState, parentState, owner, group] = await Promise.all([
    task.facts.path(
      dest,
      wantDigest ? { follow: true, checksum: algorithm } : { follow: true }
    ),
    tmpDest === void 0 ? void 0 : task.facts.path(tmpDest, { follow: true }),
    tmpDest === void 0 ? task.facts.path(pythonDirname(dest) || ".", { follow: true }) : void 0,
    ownerSpec === void 0 ? void 0 : task.account("user", ownerSpec),
    groupSpec === void 0 ? void 0 : task.account("group", groupSpec)
  ]);
  task.owner = owner;
  task.group = group;
  const destIsDir = isDirFollowing(st);
  let lastModified;
  if (!destIsDir && existsFollowing(st)) {
    let mismatch = false;
    if (!force && expected !== "") {
      if (!supported) throw new GetUrlFailure({ msg: unsupportedAlgorithmMessage(dest, algorithm) });
      if (st.checksum !== expected) mismatch = true;
    }
    if (!force && expected !== "" && !mismatch) {
      const attributes2 = await applyAttributes(task, dest, st);
      return {
        ...result,
        ...attributes2,
        msg: attributes2["changed"] ? "file already exists but file attributes changed" : "file already exists"
      };
    }
    lastModified = st.mtime;
    if (mismatch) force = true;
  }
  const headers = /* @__PURE__ */ Object.create(null);
  if (force) headers["Cache-control"] = "no-cache";
  else if (lastModified !== void 0) headers["If-modified-since"] = httpDate(lastModified);
  for (const [name, value] of Object.entries(userHeaders(ctx))) {
    for (const existing of Object.keys(headers))
      if (existing.toLowerCase() === name.toLowerCase()) delete headers[existing];
    headers[name] = value;
  }
  const landingDir = tmpDest ?? (destIsDir ? dest : pythonDirname(dest) || ".");
  const landingState = tmpDest !== void 0 ? tmpDestState : destIsDir ? st : parentState;
  const tmpName = path15.posix.join(landingDir, `.apb-get_url.${randomBytes7(6).toString("hex")}.tmp`);
  const canLand = !ctx.check && landingState !== void 0 && isDirFollowing(landingState) && landingState.exists && landingState.writeable;
  const response = scheme === "file" ? await readLocalUrl(task, url, canLand ? tmpName : void 0) : await request(download2, {
    url,
    method: ctx.check ? "HEAD" : "GET",
    headers,
    ...canLand ? { outputPath: tmpName, keepOutputFor: 200 } : {}
  });
  result["elapsed"] = response.elapsedSeconds;
  const failWith = (fields) => {
    throw new GetUrlFailure(fields);
  };
  if (response.failure) {
    if (response.failure.stage === "body") {
      throw new GetUrlFailure({
        msg: `failed to create temporary content file: ${response.failure.reason}`,
        elapsed: response.elapsedSeconds
      });
    }
    failWith({ msg: fetchUrlMessage(response.failure), url, dest, elapsed: result["elapsed"] });
  }
  const status = response.status;
  if (status === 304) {
    return {
      url,
      dest,
      changed: false,
      msg: statusMessage(response),
      status_code: 304,
      elapsed: result["elapsed"],
      ...pathInfo(st)
    };
  }
  if (status !== 200) {
    failWith({
      msg: "Request failed",
      status_code: status,
      response: statusMessage(response),
      url,
      dest,
      elapsed: result["elapsed"]
    });
  }
  if (tmpDest !== void 0 && (tmpDestState === void 0 || !isDirFollowing(tmpDestState))) {
    throw new GetUrlFailure({
      msg: existsFollowing(tmpDestState) ? `${tmpDest} is a file but should be a directory.` : `${tmpDest} directory does not exist.`,
      elapsed: result["elapsed"]
    });
  }
  if (destIsDir) {
    dest = path15.posix.join(dest, dispositionFilename(response.headers) ?? urlFilename(response.url));
    result["dest"] = dest;
  }
  result["src"] = tmpName;
  const okMessage = statusMessage(response);
  if (!canLand) return await withoutLanding(task, response, dest, result, okMessage);
  const connection = await task.facts.connection();
  const finishAlgorithm = expected !== "" && supported ? algorithm : "";
  const command = [
    probeCommand(FINISH, [tmpName, dest, backup ? "1" : "0", finishAlgorithm, expected]),
    "echo apb-split",
    probeCommand(PATH_PROBE5, [dest, "0", "", "0", "0"])
  ].join("; ");
  const run = await connection.run(command, { timeoutMs: ctx.timeoutMs });
  if (run.timedOut) {
    throw new CommandTimeoutError(
      `get_url: putting ${dest} in place on ${connection.host} took longer than ${ctx.timeoutMs} ms`,
      connection.host,
      ctx.timeoutMs
    );
  }
  const text5 = run.stdout.toString("utf8");
  const split = text5.indexOf("apb-split\n");
  const answer = new ProbeAnswer(split < 0 ? text5 : text5.slice(0, split));
  if (!answer.complete) {
    throw new ModuleArgumentError(
      `get_url: putting ${dest} in place on ${connection.host} failed: ${run.stderr.toString("utf8").trim().slice(-400) || `exit code ${String(run.code)}`}`
    );
  }
  result["checksum_src"] = answer.get("checksum_src") ?? null;
  const checksumDest = answer.get("checksum_dest");
  if (checksumDest !== void 0) result["checksum_dest"] = checksumDest;
  const error = answer.get("error");
  if (error !== void 0) throw new GetUrlFailure({ ...result, msg: error });
  const moved = answer.get("moved") === "1";
  result["changed"] = moved;
  const after = parsePathAnswer(
    new ProbeAnswer(split < 0 ? "" : text5.slice(split + "apb-split\n".length)),
    dest,
    {},
    connection.host
  );
  if (expected !== "") {
    if (!supported) throw new GetUrlFailure({ msg: unsupportedAlgorithmMessage(dest, algorithm) });
    const digest = answer.get("digest") ?? "";
    if (digest !== expected) {
      throw new GetUrlFailure({
        ...result,
        msg: `The checksum for ${dest} did not match ${expected}; it was ${digest}.`
      });
    }
  }
  const attributes = await applyAttributes(task, dest, after);
  const backupFile = answer.get("backup");
  return {
    ...result,
    ...attributes,
    changed: moved || attributes["changed"] === true,
    md5sum: answer.get("md5") ?? null,
    ...backupFile !== void 0 ? { backup_file: backupFile } : {},
    msg: okMessage,
    // urllib's file handler gives no status.
    status_code: scheme === "file" ? null : 200
  };
}
async function withoutLanding(task, response, dest, result, okMessage) {
  result["checksum_src"] = response.localSha1 ?? sha1Hex(response.body ?? Buffer.alloc(0));
  const st = await task.facts.path(dest, { follow: true, checksum: "sha1" });
  if (existsFollowing(st)) {
    if (!st.writeable)
      throw new GetUrlFailure({ ...result, msg: `Destination ${dest} is not writable` });
    if (!st.readable)
      throw new GetUrlFailure({ ...result, msg: `Destination ${dest} is not readable` });
    if (st.type === "directory")
      throw new GetUrlFailure({
        ...result,
        msg: `attempted to take checksum of directory: ${dest}`
      });
    result["checksum_dest"] = st.checksum ?? null;
  } else {
    const parent = pythonDirname(dest);
    const parentState = parent === "" ? void 0 : await task.facts.path(parent, { follow: true });
    if (parentState === void 0 || !existsFollowing(parentState))
      throw new GetUrlFailure({ ...result, msg: `Destination ${parent} does not exist` });
    if (!parentState.writeable)
      throw new GetUrlFailure({ ...result, msg: `Destination ${parent} is not writable` });
  }
  if (!task.ctx.check) {
    throw new GetUrlFailure({
      ...result,
      msg: `Destination ${pythonDirname(dest)} is not writable`
    });
  }
  return {
    ...result,
    changed: result["checksum_src"] !== result["checksum_dest"],
    msg: okMessage,
    ...pathInfo(st)
  };
}
async function applyAttributes(task, dest, st) {
  const diff = { before: { path: dest }, after: { path: dest } };
  const planned = task.attributes(dest, st, diff, { atime: "preserve", mtime: "preserve" });
  const outcome = await task.finish({}, dest, planned, diff, st);
  delete outcome["diff"];
  return outcome;
}
async function fetchChecksumList(download2, listUrl, dest, force) {
  if (!/^https?:\/\//i.test(listUrl)) {
    throw new ModuleArgumentError(
      `get_url: only http:// and https:// checksum URLs are supported here, got ${JSON.stringify(listUrl)}`
    );
  }
  const headers = /* @__PURE__ */ Object.create(null);
  if (force) headers["Cache-control"] = "no-cache";
  Object.assign(headers, userHeaders(download2.ctx));
  const response = await request(download2, { url: listUrl, headers });
  if (response.failure) {
    throw new GetUrlFailure({
      msg: fetchUrlMessage(response.failure),
      url: listUrl,
      dest,
      elapsed: response.elapsedSeconds
    });
  }
  if (response.status !== 200) {
    throw new GetUrlFailure({
      msg: "Request failed",
      status_code: response.status,
      response: statusMessage(response),
      url: listUrl,
      dest,
      elapsed: response.elapsedSeconds
    });
  }
  return (response.body ?? Buffer.alloc(0)).toString("utf8");
}
function userHeaders(ctx) {
  const given = ctx.args["headers"];
  const headers = /* @__PURE__ */ Object.create(null);
  if (given && typeof given === "object") {
    for (const [name, value] of Object.entries(given))
      headers[name] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return headers;
}
function requestBase(ctx) {
  const args = ctx.args;
  const optional4 = (name) => {
    const value = args[name];
    return value === void 0 || value === null || value === "" ? void 0 : String(value);
  };
  const base2 = {
    timeoutSeconds: Number(args["timeout"] ?? 10),
    validateCerts: args["validate_certs"] !== false,
    // get_url has no follow_redirects: Ansible's fetch_url then follows as urllib does.
    followRedirects: "urllib2",
    httpAgent: optional4("http_agent") ?? "",
    useProxy: args["use_proxy"] !== false,
    forceBasicAuth: args["force_basic_auth"] === true,
    decompress: args["decompress"] !== false,
    useNetrc: args["use_netrc"] !== false,
    unredirectedHeaders: args["unredirected_headers"] ?? [],
    environment: ctx.environment
  };
  const username = optional4("url_username");
  const password = optional4("url_password");
  const cert = optional4("client_cert");
  const key = optional4("client_key");
  if (username !== void 0) base2.username = username;
  if (password !== void 0) base2.password = password;
  if (cert !== void 0) base2.clientCert = cert;
  if (key !== void 0) base2.clientKey = key;
  return base2;
}
async function request(download2, extra) {
  const connection = await download2.task.facts.connection();
  return httpRequest(connection, {
    ...download2.base,
    deadlineMs: download2.ctx.timeoutMs,
    ...extra
  });
}
function urlScheme(url) {
  return /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
}
var LOCAL_FILE = { name: "apb-get-url-file", source: get_url_local_default };
var ERRNO_TEXT2 = {
  "2": "No such file or directory",
  "13": "Permission denied",
  "21": "Is a directory"
};
async function readLocalUrl(task, url, outputPath) {
  const rest = url.slice("file:".length);
  let host = "";
  let encoded = rest;
  if (rest.startsWith("//")) {
    const slash = rest.indexOf("/", 2);
    host = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
    encoded = slash < 0 ? "" : rest.slice(slash);
  }
  const base2 = {
    tool: "curl",
    reason: "",
    headerPairs: [],
    headers: {},
    url,
    redirects: 0,
    redirectLoop: false,
    method: "GET",
    bodySize: -1,
    bodyTruncated: false,
    elapsedSeconds: 0
  };
  const failure4 = (reason) => ({
    ...base2,
    failure: { kind: "other", stage: "connect", reason, detail: reason }
  });
  if (host !== "" && host !== "localhost") return failure4("file not on local host");
  let local;
  try {
    local = decodeURIComponent(encoded.replace(/[?#].*$/, ""));
  } catch {
    local = encoded;
  }
  const connection = await task.facts.connection();
  const ctx = task.ctx;
  const res = await connection.run(probeCommand(LOCAL_FILE, [local, outputPath ?? ""]), {
    timeoutMs: ctx.timeoutMs
  });
  if (res.timedOut) {
    throw new CommandTimeoutError(
      `get_url: reading ${local} on ${connection.host} took longer than ${ctx.timeoutMs} ms`,
      connection.host,
      ctx.timeoutMs
    );
  }
  const answer = new ProbeAnswer(res.stdout.toString("utf8"));
  const errno = answer.get("errno");
  if (errno !== void 0) {
    return failure4(`[Errno ${errno}] ${ERRNO_TEXT2[errno] ?? "Error"}: '${local}'`);
  }
  const size = answer.get("size") ?? "0";
  const response = {
    ...base2,
    status: 200,
    reason: "OK",
    headers: { "content-length": size },
    headerPairs: [["Content-length", size]],
    bodySize: Number(size)
  };
  const sha12 = answer.get("sha1");
  if (sha12 !== void 0) response.localSha1 = sha12;
  return response;
}

// src/modules/git.sh
var git_default = `#!/bin/sh
# apb-git: brings a git checkout on the target to the version asked, with the target's own git, deciding
# as Ansible's git module does (clone when there is no repository, else refuse local modifications
# unless force, fetch, switch to the version, update submodules) and telling what it did. POSIX sh.
#
# Run as:  /bin/sh -c "<this text>" apb-git <git> <repo> <dest> <version> <remote> <refspec> <force>
#            <depth> <clone> <update> <bare> <recursive> <track_submodules> <single_branch>
#            <separate_git_dir> <umask> <check> <diff> <ssh_opts given 0|1> <ssh_opts> <accept_hostkey>
#            <accept_newhostkey> <key_file> <reference> <archive> <archive_prefix given 0|1>
#            <archive_prefix> <repo as written>
# (src/modules/git.ts builds the command; flags are 0/1, absent values empty)
#
# The answer, key=value lines (text in hex): before, after (a commit id, \`null\` for none), changed,
# remote_url_changed, msg_hex, git_dir_before_hex, git_dir_now_hex, submodules_changed, diff_hex,
# warn_hex (each warning); or, for a failure, fail_hex (the message; absent when it is the failed
# command's stderr), with rc, out_hex, err_hex and arg_hex (each word of the command, cmd=string|list)
# where Ansible reports them, details_hex, and with_result=1 when the fields above go with it.
# missing_tool=git when git cannot be found (path_hex: the PATH searched). Last line: end=1.
set -u
git=$1 repo=$2 dest=$3 version=$4 remote=$5 refspec=$6 force=$7 depth=$8 allow_clone=$9
shift 9
update=$1 bare=$2 recursive=$3 track=$4 single_branch=$5 separate=$6 mask=$7 check=$8 want_diff=$9
shift 9
ssh_given=$1 ssh_opts=$2 accept_hostkey=$3 accept_newhostkey=$4 key_file=$5 reference=$6 archive=$7
archive_prefix_given=$8 archive_prefix=$9
shift 9
repo_written=$1

hex() {
  od -An -v -tx1 | tr -d ' \\n'
}
say() {
  printf '%s=%s\\n' "$1" "$(printf '%s' "$2" | hex)" >&3
}
# finish: ends the answer (once) and the script; a function run in a command substitution that finishes
# leaves a mark that its caller stops on (stop_if_done).
finish() {
  if [ ! -e "$scratch/done" ]; then
    : >"$scratch/done"
    echo end=1 >&3
  fi
  exit 0
}
stop_if_done() {
  if [ -e "$scratch/done" ]; then exit 0; fi
}

exec 3>&1
scratch=$(mktemp -d "\${TMPDIR:-/tmp}/apb-git.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT

# Git's messages are read (and shown) as Ansible reads them: in the C locale.
LANG=C LC_ALL=C LC_MESSAGES=C LC_CTYPE=C
export LANG LC_ALL LC_MESSAGES LC_CTYPE

# run DIR CMD\u2026: runs CMD in DIR (in the current directory when DIR is not one), its output in files.
run() {
  run_dir=$1
  shift
  rc=0
  (
    if [ -n "$run_dir" ] && [ -d "$run_dir" ]; then cd "$run_dir" || exit 1; fi
    exec "$@"
  ) >"$scratch/out" 2>"$scratch/err" </dev/null || rc=$?
  out=$(cat "$scratch/out"; echo x)
  out=\${out%x}
}

# cmd_words KIND CMD\u2026: the failed command, as Ansible shows it (string: shell-quoted; list: a list).
cmd_words() {
  echo "cmd=$1" >&3
  shift
  for word in "$@"; do say arg_hex "$word"; done
}

# fail_output: the failed run's exit code and output.
fail_output() {
  echo "rc=$rc" >&3
  echo "out_hex=$(hex <"$scratch/out")" >&3
  echo "err_hex=$(hex <"$scratch/err")" >&3
}

# must DIR CMD\u2026: runs CMD; when it fails, the task fails with its stderr, as a checked run in Ansible.
must() {
  run "$@"
  if [ "$rc" != 0 ]; then
    shift
    cmd_words string "$@"
    fail_output
    finish
  fi
}

# fail MSG: the task fails with MSG (and whatever was printed before it).
fail() {
  say fail_hex "$1"
  finish
}

contains() {
  case $1 in *"$2"*) return 0 ;; esac
  return 1
}

# --- the git executable ----------------------------------------------------------------------------
# shellcheck disable=SC2088 # a literal tilde, expanded here as Ansible expands a path
case $git in
  "~/"*) git=$HOME/\${git#"~/"} ;;
esac
if [ -n "$git" ]; then
  if [ ! -x "$git" ] || [ -d "$git" ]; then
    # Ansible's module fails where it first runs it (git --version), with Python's OSError text.
    say fail_hex "[Errno 2] No such file or directory: b'$git'"
    cmd_words string "$git" --version
    echo rc=2 >&3
    echo out_hex= >&3
    echo err_hex= >&3
    finish
  fi
else
  PATH=$PATH:/usr/sbin:/sbin:/usr/local/sbin
  git=$(command -v git 2>/dev/null) || git=
  if [ -z "$git" ]; then
    say path_hex "$PATH"
    echo missing_tool=git >&3
    finish
  fi
fi

# --- ssh options (GIT_SSH_COMMAND) -------------------------------------------------------------------
if [ "$accept_hostkey" = 1 ]; then
  if [ "$ssh_given" = 1 ]; then
    if ! contains "$ssh_opts" '-o StrictHostKeyChecking=no' && ! contains "$ssh_opts" '-o StrictHostKeyChecking=accept-new'; then
      ssh_opts="$ssh_opts -o StrictHostKeyChecking=no"
    fi
  else
    ssh_opts='-o StrictHostKeyChecking=no' ssh_given=1
  fi
fi
if [ "$accept_newhostkey" = 1 ]; then
  if ! ssh_path=$(command -v ssh 2>/dev/null) || [ -z "$ssh_path" ]; then
    say details_hex "Failed to find required executable \\"ssh\\" in paths: $PATH"
    fail 'Remote host is missing ssh command, so you cannot use acceptnewhostkey option.'
  fi
  if ! "$ssh_path" -o StrictHostKeyChecking=accept-new -V >/dev/null 2>&1; then
    say warn_hex 'Your ssh client does not support accept_newhostkey option, therefore it cannot be used.'
  elif [ "$ssh_given" = 1 ]; then
    if ! contains "$ssh_opts" '-o StrictHostKeyChecking=no' && ! contains "$ssh_opts" '-o StrictHostKeyChecking=accept-new'; then
      ssh_opts="$ssh_opts -o StrictHostKeyChecking=accept-new"
    fi
  else
    ssh_opts='-o StrictHostKeyChecking=accept-new' ssh_given=1
  fi
fi

# --- umask ---------------------------------------------------------------------------------------------
if [ -n "$mask" ]; then
  umask "$mask" || fail 'umask must be an octal integer'
fi

# A repository given as a path is cloned as a file:// URL (depth needs one).
# shellcheck disable=SC2088 # a literal tilde, expanded here as Ansible expands it
case $repo in
  "~") repo=$HOME ;;
  "~/"*) repo=$HOME/\${repo#"~/"} ;;
esac
case $repo in
  /*) repo=file://$repo ;;
esac
# shellcheck disable=SC2088
case $repo_written in
  "~") repo_home=$HOME ;;
  "~/"*) repo_home=$HOME/\${repo_written#"~/"} ;;
  *) repo_home=$repo_written ;;
esac

absolute() {
  # shellcheck disable=SC2088
  case $1 in
    "~") printf '%s' "$HOME" ;;
    "~/"*) printf '%s' "$HOME/\${1#"~/"}" ;;
    /*) printf '%s' "$1" ;;
    *) printf '%s' "$PWD/$1" ;;
  esac
}
# resolved PATH: the path with symbolic links and dot components resolved (os.path.realpath).
resolved() {
  if command -v realpath >/dev/null 2>&1; then
    realpath -m -- "$1" 2>/dev/null || printf '%s\\n' "$1"
  else
    printf '%s\\n' "$1"
  fi
}
normal() {
  # Drops ./ and duplicate slashes and a trailing slash, as os.path.abspath does (not ..).
  printf '%s' "$1" | sed -e 's#/\\./#/#g' -e 's#//*#/#g' -e 's#/\\.$##' -e 's#\\(.\\)/$#\\1#'
}

if [ -n "$separate" ]; then separate=$(resolved "$(absolute "$separate")"); fi
# Paths given as ~/\u2026 are the login user's, as Ansible expands them on the target.
tilde() {
  # shellcheck disable=SC2088
  case $1 in
    "~") printf '%s' "$HOME" ;;
    "~/"*) printf '%s' "$HOME/\${1#"~/"}" ;;
    *) printf '%s' "$1" ;;
  esac
}
key_file=$(tilde "$key_file")
archive=$(tilde "$archive")

# repo_path_of DEST: the repository's directory (DEST/.git, DEST when bare, or where a .git file points).
repo_path_of() {
  if [ "$bare" = 1 ]; then rp=$1; else rp=$1/.git; fi
  if [ -f "$rp" ]; then
    gitfile=$(cat "$rp"; echo x)
    gitfile=\${gitfile%x}
    gitfile=$(printf '%s' "$gitfile" | sed -e ':a' -e '$!N' -e '$!ba' -e 's/[[:space:]]*$//')
    case $gitfile in
      'gitdir: '*) gitdir=\${gitfile#gitdir: } ;;
      *)
        say details_hex '.git file has invalid git dir reference format'
        return 1
        ;;
    esac
    case $gitdir in
      /*) rp=$gitdir ;;
      *) rp=$1/$gitdir ;;
    esac
    if [ ! -d "$rp" ]; then
      say details_hex "$rp is not a directory"
      return 1
    fi
  fi
  return 0
}
bad_repo_path() {
  fail 'Current repo does not have a valid reference to a separate Git dir or it refers to the invalid path'
}

changed=0
if [ -z "$dest" ] && [ "$allow_clone" = 1 ]; then
  fail 'the destination directory must be specified unless clone=no'
fi
if [ -n "$dest" ]; then
  dest=$(normal "$(absolute "$dest")")
  repo_path_of "$dest" || bad_repo_path
  repo_path=$rp
  if [ -n "$separate" ] && [ -e "$repo_path" ] && [ "$separate" != "$repo_path" ]; then
    changed=1
    if [ "$check" = 0 ]; then
      [ -e "$separate" ] && fail "Separate-git-dir path $separate already exists."
      if ! mv -- "$repo_path" "$separate" 2>"$scratch/err"; then
        fail "Unable to move git dir. $(cat "$scratch/err")"
      fi
      if ! printf 'gitdir: %s' "$separate" >"$dest/.git" 2>"$scratch/err"; then
        [ -e "$separate" ] && mv -- "$separate" "$repo_path"
        fail "Unable to move git dir. $(cat "$scratch/err")"
      fi
      say git_dir_before_hex "$repo_path"
      say git_dir_now_hex "$separate"
      repo_path=$separate
    fi
  fi
fi

ssh_command=\${GIT_SSH:-\${GIT_SSH_COMMAND:-ssh}}
if [ "$ssh_given" = 1 ]; then opts="\${GIT_SSH_OPTS:-} $ssh_opts"; else opts=\${GIT_SSH_OPTS:-}; fi
if [ "$accept_hostkey" = 1 ] && ! contains "$opts" StrictHostKeyChecking=no; then
  opts="$opts -o StrictHostKeyChecking=no"
fi
contains "$opts" BatchMode=yes || opts="$opts -o BatchMode=yes"
if [ -n "$key_file" ]; then
  # git runs GIT_SSH_COMMAND through sh: the key's path goes in single quotes (a ' in it as '\\'').
  quoted_key=$(printf '%sx' "$key_file" | sed "s/'/'\\\\\\\\''/g") && quoted_key=\${quoted_key%x}
  # shellcheck disable=SC2089 # the quotes are for the sh git runs the command with
  contains "$opts" "-i $key_file" || opts="$opts  -i '$quoted_key'"
  contains "$opts" IdentitiesOnly=yes || opts="$opts -o IdentitiesOnly=yes"
fi
GIT_SSH_COMMAND="$ssh_command $opts"
# shellcheck disable=SC2090 # read by git's sh, which honours the quotes
export GIT_SSH_COMMAND

# --- what git says -------------------------------------------------------------------------------------
# rev DIR [REF]: the commit id of REF (HEAD) as git rev-parse prints it.
rev() {
  run "$1" "$git" rev-parse "\${2:-HEAD}"
  printf '%s' "$out" | sed -e ':a' -e '$!N' -e '$!ba' -e 's/\\n*$//'
}

# is_remote_branch DIR REMOTE VERSION / is_remote_tag \u2026: whether ls-remote lists it (output names it).
is_remote_branch() {
  must "$1" "$git" ls-remote "$2" -h "refs/heads/$3"
  contains "$out" "$3"
}
is_remote_tag() {
  must "$1" "$git" ls-remote "$2" -t "refs/tags/$3"
  contains "$out" "$3"
}

# branches DIR: \`git branch -a\`, one stripped line each.
branches() {
  run "$1" "$git" branch --no-color -a
  if [ "$rc" != 0 ]; then
    say fail_hex "Could not determine branch data - received $out"
    echo out_hex="$(hex <"$scratch/out")" >&3
    echo err_hex="$(hex <"$scratch/err")" >&3
    finish
  fi
  printf '%s' "$out" | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' -e '/^$/d'
}
is_local_branch() {
  branches "$dest" >"$scratch/branches"
  grep -Fqx -e "$1" -e "* $1" "$scratch/branches"
}
is_not_a_branch() {
  branches "$dest" >"$scratch/branches"
  grep -q -e '^\\* .*no branch' -e '^\\* .*detached from' -e '^\\* .*detached at' "$scratch/branches"
}

# head_branch: the branch HEAD is on, or the remote's HEAD branch when detached ("None" if unknown).
head_branch() {
  repo_path_of "$dest" || bad_repo_path
  headfile=$rp/HEAD
  if is_not_a_branch; then headfile=$rp/refs/remotes/$remote/HEAD; fi
  hb=None
  if [ -f "$headfile" ]; then
    raw=$(head -n 1 "$headfile")
    if [ -n "$raw" ]; then
      case $raw in
        *"refs/remotes/$remote"*) raw=\${raw%%"refs/remotes/$remote"*}\${raw#*"refs/remotes/$remote"} ;;
      esac
      hb=\${raw##* }
      case $hb in */*) hb=\${hb#*/} ;; esac
      case $hb in */*) hb=\${hb#*/} ;; esac
    fi
  fi
  printf '%s' "$hb"
}

# remote_head REMOTE: the commit id the remote has for the version (the version itself for a commit id).
remote_head() {
  rh_remote=$1
  rh_dir=$dest
  if [ "$rh_remote" = "$repo_written" ] || [ "$rh_remote" = "file://$repo_home" ]; then
    rh_dir=
    [ "$version" = HEAD ] && set -- "$git" ls-remote "$rh_remote" -h HEAD
  elif [ "$version" = HEAD ]; then
    hb=$(head_branch)
  stop_if_done
    set -- "$git" ls-remote "$rh_remote" -h "refs/heads/$hb"
  fi
  rh_tag=0
  if [ "$version" != HEAD ]; then
    if is_remote_branch "$dest" "$rh_remote" "$version"; then
      set -- "$git" ls-remote "$rh_remote" -h "refs/heads/$version"
    elif is_remote_tag "$dest" "$rh_remote" "$version"; then
      rh_tag=1
      set -- "$git" ls-remote "$rh_remote" -t "refs/tags/$version*"
    else
      printf '%s' "$version"
      return 0
    fi
  fi
  must "$rh_dir" "$@"
  if [ -z "$out" ]; then
    say fail_hex "Could not determine remote revision for $version"
    fail_output
    finish
  fi
  if [ "$rh_tag" = 1 ]; then
    picked=$(printf '%s' "$out" | awk -v v="$version" '
      { line = $0 }
      substr(line, length(line) - length(v "^{}") + 1) == v "^{}" { found = line; exit }
      substr(line, length(line) - length(v) + 1) == v { found = line }
      END { print found }')
    [ -n "$picked" ] && out=$picked
  fi
  printf '%s' "$out" | awk 'NF { print $1; exit }'
}

# remote_url: the URL the checkout's remote has (empty when git cannot tell).
remote_url() {
  run "$dest" "$git" ls-remote --get-url "$remote"
  [ "$rc" = 0 ] || return 1
  printf '%s' "$out" | sed -e ':a' -e '$!N' -e '$!ba' -e 's/\\n*$//'
}
same_url() {
  [ "$1" = "$2" ] || [ "$(resolved "$(absolute "$1")")" = "$(resolved "$(absolute "$2")")" ]
}
# set_remote_url: points the remote at the repo; true when that changed a URL git knew.
set_remote_url() {
  if url=$(remote_url); then known=1; else known=0 url=; fi
  if [ "$known" = 1 ] && same_url "$url" "$repo"; then return 1; fi
  run "$dest" "$git" remote set-url "$remote" "$repo"
  if [ "$rc" != 0 ]; then
    fail "Failed to set a new url $repo for $remote: $out $(cat "$scratch/err")"
  fi
  [ "$known" = 1 ]
}

# fetch VERSION REFSPEC FORCE: downloads what the version needs (every ref and tag unless depth).
fetch() {
  f_version=$1 f_refspec=$2 f_force=$3
  set_remote_url || :
  set -- "$git" fetch
  n=0
  if [ -n "$depth" ]; then
    current=$(head_branch)
  stop_if_done
    if [ -n "$f_refspec" ]; then
      r1=$f_refspec n=1
    elif [ "$f_version" = HEAD ]; then
      r1=$current n=1
    elif is_remote_branch "$dest" "$repo" "$f_version"; then
      if [ "$current" != "$f_version" ]; then
        r1="+refs/heads/$f_version:refs/heads/$f_version" r2="+refs/heads/$f_version:refs/remotes/$remote/$f_version" n=2
      else
        r1="+refs/heads/$f_version:refs/remotes/$remote/$f_version" n=1
      fi
    elif is_remote_tag "$dest" "$repo" "$f_version"; then
      r1="+refs/tags/$f_version:refs/tags/$f_version" n=1
    fi
    [ "$n" -gt 0 ] && set -- "$@" --depth "$depth"
  fi
  if [ -z "$depth" ] || [ "$n" = 0 ]; then
    if [ "$bare" = 1 ]; then
      # shellcheck disable=SC2034 # read through eval below
      r1='+refs/heads/*:refs/heads/*' r2='+refs/tags/*:refs/tags/*' n=2
    else
      set -- "$@" --tags
    fi
    if [ -n "$f_refspec" ]; then
      n=$((n + 1))
      eval "r$n=\\$f_refspec"
    fi
  fi
  [ "$f_force" = 1 ] && set -- "$@" --force
  set -- "$@" "$remote"
  i=1
  while [ "$i" -le "$n" ]; do
    eval "set -- \\"\\$@\\" \\"\\$r$i\\""
    i=$((i + 1))
  done
  run "$dest" "$@"
  if [ "$rc" != 0 ]; then
    say fail_hex "Failed to download remote objects and refs: $out $(cat "$scratch/err")"
    cmd_words list "$@"
    finish
  fi
}

# diff BEFORE AFTER: what --diff shows of the change.
show_diff() {
  if [ "$1" = null ]; then
    say diff_hex ">> Newly checked out $2"
  elif [ "$1" != "$2" ]; then
    fetch "$2" '' 0
    run "$dest" "$git" diff "$1" "$2"
    if [ "$rc" = 0 ] && [ -n "$out" ]; then
      say diff_hex "$out"
    elif [ "$rc" = 0 ]; then
      say diff_hex ">> No visual differences between $1 and $2"
    elif [ -s "$scratch/err" ]; then
      say diff_hex ">> Failed to get proper diff between $1 and $2:
>> $(cat "$scratch/err"; echo x)"
    else
      say diff_hex ">> Failed to get proper diff between $1 and $2"
    fi
  fi
}

clone() {
  parent=$(dirname -- "$dest")
  mkdir -p -- "$parent" 2>/dev/null
  set -- "$git" clone
  if [ "$bare" = 1 ]; then set -- "$@" --bare; else set -- "$@" --origin "$remote"; fi
  if is_remote_branch "$dest" "$repo" "$version" || is_remote_tag "$dest" "$repo" "$version"; then
    named=1
  else
    named=0
  fi
  if [ -n "$depth" ]; then
    if [ "$version" = HEAD ] || [ -n "$refspec" ]; then
      set -- "$@" --depth "$depth"
    elif [ "$named" = 1 ]; then
      set -- "$@" --depth "$depth" --branch "$version"
    else
      say warn_hex 'Ignoring depth argument. Shallow clones are only available for HEAD, branches, tags or in combination with refspec.'
    fi
  fi
  [ -n "$reference" ] && set -- "$@" --reference "$reference"
  if [ "$single_branch" = 1 ]; then
    set -- "$@" --single-branch
    [ "$named" = 1 ] && set -- "$@" --branch "$version"
  fi
  [ -n "$separate" ] && set -- "$@" "--separate-git-dir=$separate"
  must "$parent" "$@" "$repo" "$dest"
  if [ "$bare" = 1 ] && [ "$remote" != origin ]; then
    must "$dest" "$git" remote add "$remote" "$repo"
  fi
  if [ -n "$refspec" ]; then
    set -- "$git" fetch
    [ -n "$depth" ] && set -- "$@" --depth "$depth"
    must "$dest" "$@" "$remote" "$refspec"
  fi
}

has_local_mods() {
  [ "$bare" = 1 ] && return 1
  run "$dest" "$git" status --porcelain
  printf '%s\\n' "$out" | grep -v '^??' | grep -q .
}

switch_version() {
  if [ "$version" = HEAD ]; then
    branch=$(head_branch)
  stop_if_done
    run "$dest" "$git" checkout --force "$branch"
    if [ "$rc" != 0 ]; then
      say fail_hex "Failed to checkout branch $branch"
      fail_output
      finish
    fi
    set -- "$git" reset --hard "$remote/$branch" --
  elif is_remote_branch "$dest" "$remote" "$version"; then
    if [ -n "$depth" ] && ! is_local_branch "$version"; then
      run "$dest" "$git" fetch "--depth=$depth" "$remote" "+refs/heads/$version:refs/heads/$version" "+refs/heads/$version:refs/remotes/$remote/$version"
      if [ "$rc" != 0 ]; then
        say fail_hex "Failed to fetch branch from remote: $version"
        fail_output
        finish
      fi
    fi
    if ! is_local_branch "$version"; then
      set -- "$git" checkout --track -b "$version" "$remote/$version"
    else
      run "$dest" "$git" checkout --force "$version"
      if [ "$rc" != 0 ]; then
        say fail_hex "Failed to checkout branch $version"
        fail_output
        finish
      fi
      set -- "$git" reset --hard "$remote/$version"
    fi
  else
    set -- "$git" checkout --force "$version"
  fi
  run "$dest" "$@"
  if [ "$rc" != 0 ]; then
    if [ "$version" != HEAD ]; then
      say fail_hex "Failed to checkout $version"
    else
      say fail_hex "Failed to checkout branch $branch"
    fi
    fail_output
    echo cmd=raw >&3
    for word in "$@"; do say arg_hex "$word"; done
    finish
  fi
}

# submodule_paths: the paths .gitmodules names, one a line.
submodule_paths() {
  while IFS= read -r line || [ -n "$line" ]; do
    trimmed=$(printf '%s' "$line" | sed -e 's/^[[:space:]]*//')
    case $trimmed in
      path*)
        case $line in
          *=*) printf '%s\\n' "\${line#*=}" | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' ;;
        esac
        ;;
    esac
  done <"$dest/.gitmodules"
}

# submodule_versions REF: "name id" lines of each submodule at REF.
submodule_versions() {
  run "$dest" "$git" submodule foreach "$git" rev-parse "$1"
  if [ "$rc" != 0 ]; then
    say fail_hex 'Unable to determine hashes of submodules'
    fail_output
    finish
  fi
  printf '%s' "$out"
}

submodules_fetch() {
  [ -f "$dest/.gitmodules" ] || return 1
  submodule_paths >"$scratch/paths"
  while IFS= read -r sub; do
    [ -e "$dest/$sub/.git" ] || return 0
  done <"$scratch/paths"
  begin=$(submodule_versions HEAD)
  stop_if_done
  must "$dest" "$git" submodule foreach "$git" fetch
  if [ "$track" = 1 ]; then
    now=$(submodule_versions "$remote/master")
    stop_if_done
    [ "$begin" != "$now" ]
    return
  fi
  must "$dest" "$git" submodule status
  printf '%s\\n' "$out" | grep -q '^[^ ]'
}

submodule_update() {
  [ -f "$dest/.gitmodules" ] || return 0
  must "$dest" "$git" submodule sync
  set -- "$git" submodule update --init --recursive
  [ "$track" = 1 ] && set -- "$@" --remote
  [ "$force" = 1 ] && set -- "$@" --force
  run "$dest" "$@"
  if [ "$rc" != 0 ]; then
    fail "Failed to init/update submodules: $out$(cat "$scratch/err")"
  fi
}

archive_format() {
  case $archive in
    *.zip) echo zip ;;
    *.gz) echo tar.gz ;;
    *.tar) echo tar ;;
    *.tgz) echo tgz ;;
    *) return 1 ;;
  esac
}
git_archive() {
  set -- "$git" archive --format "$2" --output "$1"
  [ "$archive_prefix_given" = 1 ] && set -- "$@" --prefix "$archive_prefix"
  run "$dest" "$@" "$version"
  if [ "$rc" != 0 ]; then
    say details_hex "Git archive command failed to create archive $1 using $dest directory.Error: $(cat "$scratch/err")"
    fail 'Failed to perform archive operation'
  fi
}
# make_archive: the archive of the version; left alone when it has the same bytes already.
make_archive() {
  if ! format=$(archive_format); then
    say details_hex "Please specify archive as filename with extension. File extension can be one of ['tar', 'tar.gz', 'zip', 'tgz']"
    fail "Unable to get file extension from archive file name : $archive"
  fi
  if [ -e "$archive" ]; then
    name=\${repo##*/}
    fresh=$scratch/archive/$(printf '%s' "$name" | sed 's/\\.git//g').$format
    mkdir -p "$scratch/archive"
    git_archive "$fresh" "$format"
    if cmp -s "$fresh" "$archive"; then
      changed=0
    elif mv -f -- "$fresh" "$archive" 2>"$scratch/err"; then
      changed=1
    else
      say details_hex "Error occurred while moving : $(cat "$scratch/err")"
      fail "Failed to move $fresh to $archive"
    fi
  else
    git_archive "$archive" "$format"
    changed=1
  fi
}

report() {
  echo "before=$before" >&3
  echo "after=$after" >&3
  echo "changed=$changed" >&3
  [ -n "\${url_changed:-}" ] && echo "remote_url_changed=$url_changed" >&3
  finish
}

before=null after=
local_mods=0
url_changed=
if { [ -n "$dest" ] && [ ! -e "$repo_path/config" ]; } || { [ -z "$dest" ] && [ "$allow_clone" = 0 ]; }; then
  if [ "$check" = 1 ] || [ "$allow_clone" = 0 ]; then
    after=$(remote_head "$repo")
  stop_if_done
    changed=1
    [ "$want_diff" = 1 ] && show_diff "$before" "$after"
    report
  fi
  clone
elif [ "$update" = 0 ]; then
  before=$(rev "$dest")
  after=$before
  if [ -n "$archive" ]; then
    if [ "$check" = 1 ]; then
      changed=1
      report
    fi
    make_archive
  fi
  report
else
  if has_local_mods; then local_mods=1; fi
  before=$(rev "$dest")
  echo "before=$before" >&3
  if [ "$local_mods" = 1 ]; then
    if [ "$force" = 0 ]; then
      echo "changed=$changed" >&3
      echo with_result=1 >&3
      fail "Local modifications exist in the destination: $dest (force=no)."
    fi
    if [ "$check" = 0 ]; then
      must "$dest" "$git" reset --hard HEAD
      changed=1
      say msg_hex "Local modifications exist in the destination: $dest"
    fi
  fi
  if [ "$check" = 1 ]; then
    url_changed=false
    if url=$(remote_url) && [ -n "$url" ] && ! same_url "$url" "$repo"; then url_changed=true; fi
    after=$(remote_head "$remote")
  stop_if_done
    changed=0
    if [ "$before" != "$after" ] || [ "$url_changed" = true ]; then changed=1; fi
    [ "$want_diff" = 1 ] && show_diff "$before" "$after"
    report
  fi
  if set_remote_url; then url_changed=true; else url_changed=false; fi
  fetch "$version" "$refspec" "$force"
fi

[ "$bare" = 1 ] || switch_version

if [ "$recursive" = 1 ] && [ "$bare" = 0 ] && submodules_fetch; then
  echo submodules_changed=1 >&3
  submodule_update
  subs=1
else
  subs=0
fi

after=$(rev "$dest")
if [ "$before" != "$after" ] || [ "$local_mods" = 1 ] || [ "$subs" = 1 ] || [ "$url_changed" = true ]; then
  changed=1
  [ "$want_diff" = 1 ] && show_diff "$before" "$after"
fi

if [ -n "$archive" ]; then
  if [ "$check" = 1 ]; then
    changed=1
    report
  fi
  make_archive
fi
report
`;

// src/modules/git.ts
var gitModule = {
  name: "git",
  supportsCheckMode: true,
  args: {
    options: {
      dest: { type: "path" },
      repo: { type: "str", required: true, aliases: ["name"] },
      version: { type: "str", default: "HEAD" },
      remote: { type: "str", default: "origin" },
      refspec: { type: "str" },
      reference: { type: "str" },
      force: { type: "bool", default: false },
      depth: { type: "int" },
      clone: { type: "bool", default: true },
      update: { type: "bool", default: true },
      verify_commit: {
        type: "bool",
        default: false,
        notImplemented: "GPG signatures are not verified; run `git verify-commit` in a command task after the checkout"
      },
      gpg_whitelist: {
        type: "list",
        elements: "str",
        default: [],
        notImplemented: "GPG signatures are not verified; run `git verify-commit --raw` in a command task after the checkout"
      },
      accept_hostkey: { type: "bool", default: false },
      accept_newhostkey: { type: "bool", default: false },
      key_file: { type: "path" },
      ssh_opts: { type: "str" },
      executable: { type: "path" },
      bare: { type: "bool", default: false },
      recursive: { type: "bool", default: true },
      single_branch: { type: "bool", default: false },
      track_submodules: { type: "bool", default: false },
      umask: { type: "raw" },
      archive: { type: "path" },
      archive_prefix: { type: "str" },
      separate_git_dir: { type: "path" }
    },
    mutuallyExclusive: [
      ["separate_git_dir", "bare"],
      ["accept_hostkey", "accept_newhostkey"]
    ],
    requiredBy: { archive_prefix: ["archive"] }
  },
  async run(ctx) {
    const args = ctx.args;
    const text5 = (name) => {
      const value = args[name];
      return value === void 0 || value === null ? "" : String(value);
    };
    const flag2 = (name) => args[name] === true ? "1" : "0";
    const umask = umaskArg(args["umask"]);
    if (typeof umask === "object") return { changed: false, failed: true, ...umask };
    const depth = args["depth"];
    const argv = [
      text5("executable"),
      text5("repo"),
      text5("dest"),
      text5("version"),
      text5("remote"),
      text5("refspec"),
      flag2("force"),
      // Ansible ignores a depth of 0, as it ignores none.
      depth === null || depth === void 0 || depth === 0 ? "" : String(depth),
      flag2("clone"),
      flag2("update"),
      flag2("bare"),
      flag2("recursive"),
      flag2("track_submodules"),
      flag2("single_branch"),
      text5("separate_git_dir"),
      umask,
      ctx.check ? "1" : "0",
      ctx.diff ? "1" : "0",
      args["ssh_opts"] === void 0 || args["ssh_opts"] === null ? "0" : "1",
      text5("ssh_opts"),
      flag2("accept_hostkey"),
      flag2("accept_newhostkey"),
      text5("key_file"),
      text5("reference"),
      text5("archive"),
      args["archive_prefix"] === void 0 || args["archive_prefix"] === null ? "0" : "1",
      text5("archive_prefix"),
      text5("repo")
    ];
    return resultOf(await runGitScript(ctx, argv));
  }
};
var SCRIPT4 = new ModuleScript("apb-git", git_default, "git");
async function runGitScript(ctx, argv) {
  return SCRIPT4.run(await ctx.connection(), argv, {
    timeoutMs: ctx.timeoutMs,
    environment: ctx.environment
  });
}
function umaskArg(value) {
  if (value === void 0 || value === null) return "";
  if (typeof value !== "string") return { msg: "umask must be defined as a quoted octal integer" };
  const match = /^\s*([+-]?)(?:0[oO]_?)?([0-7](?:_?[0-7])*)\s*$/.exec(value);
  if (!match || match[1] === "-") {
    return {
      msg: "umask must be an octal integer",
      details: `invalid literal for int() with base 8: ${pyStringRepr(value)}`
    };
  }
  const mask2 = parseInt(match[2].replace(/_/g, ""), 8);
  return (mask2 & 4095).toString(8).padStart(4, "0");
}
function sanitize(text5) {
  return text5.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:)[^\s/@]+@/gi, "$1********@");
}
function textOf(answer, key) {
  return answer.bytes(key)?.toString("utf8");
}
function resultOf(answer) {
  const warnings = answer.all("warn_hex").map((hex) => Buffer.from(hex, "hex").toString("utf8"));
  const withWarnings = (result2) => warnings.length > 0 ? { ...result2, warnings } : result2;
  if (answer.get("missing_tool") !== void 0) {
    return {
      changed: false,
      failed: true,
      msg: `Failed to find required executable "git" in paths: ${textOf(answer, "path_hex") ?? ""}`
    };
  }
  const failure4 = textOf(answer, "fail_hex");
  const cmdKind = answer.get("cmd");
  if (failure4 !== void 0 || cmdKind !== void 0) {
    const result2 = { changed: false, failed: true };
    const stdout = textOf(answer, "out_hex");
    const stderr = textOf(answer, "err_hex");
    result2["msg"] = failure4 ?? sanitize((stderr ?? "").trimEnd());
    const rc = answer.int("rc");
    if (rc !== void 0) result2["rc"] = rc;
    if (stdout !== void 0) Object.assign(result2, { stdout, stdout_lines: splitLines(stdout) });
    if (stderr !== void 0) Object.assign(result2, { stderr, stderr_lines: splitLines(stderr) });
    const words3 = answer.all("arg_hex").map((hex) => sanitize(Buffer.from(hex, "hex").toString("utf8")));
    if (cmdKind === "string") result2["cmd"] = pythonShellJoin(words3);
    else if (cmdKind === "raw") result2["cmd"] = words3.join(" ");
    else if (cmdKind === "list") result2["cmd"] = words3;
    const details = textOf(answer, "details_hex");
    if (details !== void 0) result2["details"] = details;
    if (answer.get("with_result") === "1") {
      result2["before"] = commitOf(answer.get("before"));
    }
    return withWarnings(result2);
  }
  const result = {
    changed: answer.get("changed") === "1",
    before: commitOf(answer.get("before")),
    after: commitOf(answer.get("after"))
  };
  const urlChanged = answer.get("remote_url_changed");
  if (urlChanged !== void 0) result["remote_url_changed"] = urlChanged === "true";
  const msg = textOf(answer, "msg_hex");
  if (msg !== void 0) result["msg"] = msg;
  const dirBefore = textOf(answer, "git_dir_before_hex");
  if (dirBefore !== void 0) {
    result["git_dir_before"] = dirBefore;
    result["git_dir_now"] = textOf(answer, "git_dir_now_hex") ?? "";
  }
  if (answer.get("submodules_changed") === "1") result["submodules_changed"] = true;
  const diff = textOf(answer, "diff_hex");
  if (diff !== void 0) result["diff"] = { prepared: diff };
  return withWarnings(result);
}
function commitOf(value) {
  return value === void 0 || value === "null" ? null : value;
}

// src/modules/account-run.sh
var account_run_default = `#!/bin/sh
# Functions the user and group scripts share (sourced before them). POSIX sh.
#
#   have TOOL         true when TOOL is on PATH (sbin directories included); sets $found to its path,
#                     which is how the tools are run (their messages then name them as Ansible's do)
#   missing TOOL      prints missing_tool=TOOL and the end of the answer, and exits
#   hex               stdin as hex (od), one line
#   entry DB NAME     the entry of NAME in passwd, group or shadow (getent; the file without getent)
#   run_tool CMD\u2026     runs CMD, printing rc=, out_hex= and err_hex= (its exit code, stdout, stderr)
PATH=$PATH:/usr/sbin:/sbin:/usr/local/sbin
export PATH

have() {
  found=$(command -v "$1" 2>/dev/null) && [ -n "$found" ]
}

missing() {
  echo "missing_tool=$1"
  echo end=1
  exit 0
}

hex() {
  od -An -v -tx1 | tr -d ' \\n'
}

entry() {
  if have getent; then
    getent "$1" "$2" 2>/dev/null
  else
    awk -F: -v wanted="$2" '$1 == wanted { print; exit }' "/etc/$1" 2>/dev/null
  fi
  return 0
}

apb_scratch=$(mktemp -d "\${TMPDIR:-/tmp}/apb-account.XXXXXX") || exit 1
trap 'rm -rf "$apb_scratch"' EXIT

run_tool() {
  apb_rc=0
  "$@" >"$apb_scratch/out" 2>"$apb_scratch/err" </dev/null || apb_rc=$?
  echo "rc=$apb_rc"
  echo "out_hex=$(hex <"$apb_scratch/out")"
  echo "err_hex=$(hex <"$apb_scratch/err")"
}

# ssh_key_state HOME KEY: where the key is (KEY, or HOME/KEY when relative) and what is there:
#   key_hex, key_dir (1 when its directory exists), key_exists, pub_exists, fingerprint_hex (ssh-keygen -l),
#   pub_hex (the public key file). no_home=1 when KEY is relative and HOME does not exist.
ssh_key_state() {
  case $2 in
    /*) key_path=$2 ;;
    *)
      if [ ! -e "$1" ]; then
        echo no_home=1
      fi
      key_path=$1/$2
      ;;
  esac
  echo "key_hex=$(printf '%s' "$key_path" | hex)"
  [ -d "$(dirname -- "$key_path")" ] && echo key_dir=1
  if [ -e "$key_path" ]; then
    echo key_exists=1
    if have ssh-keygen; then
      echo "fingerprint_hex=$("$found" -l -f "$key_path" 2>/dev/null | hex)"
    fi
  fi
  if [ -e "$key_path.pub" ]; then
    echo pub_exists=1
    echo "pub_hex=$(hex <"$key_path.pub")"
  fi
  return 0
}
`;

// src/modules/account-run.ts
var scripts3 = /* @__PURE__ */ new Map();
async function runAccountScript(connection, name, script, args, options2) {
  let runner = scripts3.get(name);
  if (runner === void 0) {
    runner = new ModuleScript(name, `${expand_args_default}
${account_run_default}
${script}`);
    scripts3.set(name, runner);
  }
  const answer = await runner.run(connection, args, options2);
  const tool = answer.get("missing_tool");
  if (tool !== void 0) {
    throw new ModuleArgumentError(
      `${name}: the target ${connection.host} has no ${tool} command (install the package that provides it: passwd on Debian and Ubuntu, shadow or shadow-utils elsewhere, as on Alpine)`
    );
  }
  return answer;
}
function toolRun(answer) {
  const rc = answer.int("rc");
  if (rc === void 0) return void 0;
  return {
    rc,
    stdout: answer.bytes("out_hex")?.toString("utf8") ?? "",
    stderr: answer.bytes("err_hex")?.toString("utf8") ?? ""
  };
}
function entryFields2(answer, key) {
  const line = (answer.bytes(key)?.toString("utf8") ?? "").split("\n")[0] ?? "";
  return line === "" ? void 0 : line.split(":");
}
function toolOutput(run) {
  const fields = {};
  if (run?.stdout)
    Object.assign(fields, { stdout: run.stdout, stdout_lines: splitLines(run.stdout) });
  if (run?.stderr)
    Object.assign(fields, { stderr: run.stderr, stderr_lines: splitLines(run.stderr) });
  return fields;
}

// src/modules/group-act.sh
var group_act_default = `#!/bin/sh
# apb-group: adds, changes or deletes one group on the target with its own tools (groupadd, groupmod,
# groupdel; BusyBox's addgroup and delgroup where those are missing). POSIX sh.
#
# Run as:  /bin/sh -c "<account-run.sh + this text>" apb-group <add|mod|del> <name> <gid or ""> \\
#            <non_unique 0|1> <system 0|1>
# (src/modules/group.ts decides what to do from the group fact, builds the command and parses the answer)
#
# The answer: missing_tool=<name> when the tool is missing; else rc=<exit code>, out_hex and err_hex
# (what the tool printed), and entry_hex, the group's entry afterwards (getent group). Last line end=1.
set -u
op=$1 name=$2 gid=$3 non_unique=$4 system=$5
found=

# shellcheck disable=SC2154 # $found is set by have (account-run.sh)
case $op in
  add)
    if have groupadd; then
      set -- "$found"
      [ -n "$gid" ] && set -- "$@" -g "$gid"
      [ -n "$gid" ] && [ "$non_unique" = 1 ] && set -- "$@" -o
      [ "$system" = 1 ] && set -- "$@" -r
    elif have addgroup; then
      set -- "$found"
      [ -n "$gid" ] && set -- "$@" -g "$gid"
      [ "$system" = 1 ] && set -- "$@" -S
    else
      missing groupadd
    fi
    ;;
  mod)
    have groupmod || missing groupmod
    set -- "$found" -g "$gid"
    [ "$non_unique" = 1 ] && set -- "$@" -o
    ;;
  del)
    if have groupdel || have delgroup; then
      set -- "$found"
    else
      missing groupdel
    fi
    ;;
esac

run_tool "$@" "$name"
echo "entry_hex=$(entry group "$name" | hex)"
echo end=1
`;

// src/modules/group.ts
var READABLE_NAME = /^[A-Za-z0-9_.][A-Za-z0-9_.@-]*\$?$/;
var groupModule = {
  name: "group",
  supportsCheckMode: true,
  args: {
    options: {
      state: { type: "str", default: "present", choices: ["absent", "present"] },
      name: { type: "str", required: true },
      gid: { type: "int" },
      system: { type: "bool", default: false },
      local: {
        type: "bool",
        default: false,
        notImplemented: "the libuser commands (lgroupadd) are not driven; leave `local` out to use groupadd"
      },
      non_unique: { type: "bool", default: false }
    },
    requiredIf: [["non_unique", true, ["gid"]]]
  },
  async run(ctx) {
    const name = ctx.args["name"];
    const state = ctx.args["state"];
    const gid = ctx.args["gid"];
    const system = ctx.args["system"];
    const nonUnique = ctx.args["non_unique"];
    const before = await readGroup2(ctx, name);
    const result = { name, state };
    let op;
    if (state === "absent") {
      if (before.exists) op = "del";
    } else if (!before.exists) {
      op = "add";
    } else if (gid !== null && gid !== void 0 && gid !== before.gid) {
      op = "mod";
    }
    if (op === void 0) {
      if (before.exists) Object.assign(result, { system, gid: before.gid });
      return { ...result, changed: false };
    }
    if (ctx.check) {
      if (op !== "mod") return { changed: true };
      return { ...result, changed: true, system, gid: before.exists ? before.gid : 0 };
    }
    const connection = await factsFor(ctx).connection();
    const answer = await runAccountScript(
      connection,
      "apb-group",
      group_act_default,
      [
        op,
        name,
        gid === null || gid === void 0 ? "" : String(gid),
        flag(nonUnique),
        flag(system)
      ],
      { timeoutMs: ctx.timeoutMs }
    );
    const run = toolRun(answer);
    if (run.rc !== 0) return { changed: false, failed: true, name, msg: run.stderr };
    result["changed"] = true;
    Object.assign(result, toolOutput(run));
    const after = entryFields2(answer, "entry_hex");
    if (after !== void 0 && /^\d+$/.test(after[2] ?? "")) {
      Object.assign(result, { system, gid: Number(after[2]) });
    }
    return result;
  }
};
async function readGroup2(ctx, name) {
  if (!READABLE_NAME.test(name) || /^\d+$/.test(name)) return { name, exists: false };
  return factsFor(ctx).group(name);
}
function flag(value) {
  return value ? "1" : "0";
}

// src/modules/group-by.ts
function groupName(value) {
  return String(value).replace(/ /g, "-");
}
var groupByModule = {
  name: "group_by",
  supportsCheckMode: true,
  local: true,
  args: {
    side: "action",
    unknown: "names",
    options: { key: { type: "raw" }, parents: { type: "raw" } }
  },
  async run(ctx) {
    const key = ctx.args["key"];
    if (key === void 0) {
      return { failed: true, msg: "the 'key' param is required when using group_by" };
    }
    const parentsRaw = ctx.args["parents"] ?? ["all"];
    const parents = (Array.isArray(parentsRaw) ? parentsRaw : [parentsRaw]).map(groupName);
    return { changed: false, add_group: groupName(key), parent_groups: parents };
  }
};

// src/modules/hostname.sh
var hostname_default = `#!/bin/sh
# apb-hostname: reads and sets the target's host name with its own tools, the way the strategy chosen
# by src/modules/hostname.ts does it (hostnamectl, a file such as /etc/hostname, \`hostname -F\`). POSIX sh.
#
# Run as:  /bin/sh -c "<this text>" apb-hostname probe <systemd 0|1>
#     or:  /bin/sh -c "<this text>" apb-hostname <act> <name> <file>
#   act: hostnamectl-static, hostnamectl-transient, write-file (the file's new text on stdin),
#        hostname-file (hostname -F FILE)
#
# probe answers: system (uname -s), os_id, os_version (/etc/os-release), systemd=1 when systemd runs
# the machine (systemctl and sd_booted's directories), node_hex (the kernel's name), fqdn_hex (the
# name the kernel's name resolves back to, as Python's socket.getfqdn()), and for each file the
# strategies read (n = 0\u2026): fileN=none|unreadable|read with fileN_hex; with systemd=1 asked, the
# transient and static names from hostnamectl (t_rc, t_out_hex, t_err_hex; s_\u2026).
# act answers: rc, out_hex, err_hex of the tool, or write_error_hex. Last line end=1.
set -u
PATH=$PATH:/usr/sbin:/sbin:/usr/local/sbin
export PATH

hex() {
  od -An -v -tx1 | tr -d ' \\n'
}
say() {
  printf '%s=%s\\n' "$1" "$(printf '%s' "$2" | hex)"
}
scratch=$(mktemp -d "\${TMPDIR:-/tmp}/apb-hostname.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT

# tool PREFIX CMD\u2026: runs CMD, printing PREFIX_rc, PREFIX_out_hex and PREFIX_err_hex.
tool() {
  prefix=$1
  shift
  rc=0
  "$@" >"$scratch/out" 2>"$scratch/err" </dev/null || rc=$?
  echo "\${prefix}rc=$rc"
  echo "\${prefix}out_hex=$(hex <"$scratch/out")"
  echo "\${prefix}err_hex=$(hex <"$scratch/err")"
}

if [ "$1" = probe ]; then
  echo "system=$(uname -s)"
  if [ -r /etc/os-release ]; then
    # shellcheck disable=SC1091
    (. /etc/os-release && echo "os_id=\${ID:-}" && echo "os_version=\${VERSION_ID:-}")
  fi
  if command -v systemctl >/dev/null 2>&1; then
    for canary in /run/systemd/system/ /dev/.run/systemd/ /dev/.systemd/; do
      if [ -e "$canary" ]; then
        echo systemd=1
        break
      fi
    done
  fi
  node=$(uname -n)
  say node_hex "$node"
  # socket.getfqdn(): the first address the name resolves to, then that address's names: the first
  # holding a dot, else the first; the name itself when either step fails.
  fqdn=$node
  if command -v getent >/dev/null 2>&1; then
    address=$(getent ahosts "$node" 2>/dev/null | awk 'NR == 1 { print $1 }')
    if [ -n "$address" ]; then
      names=$(getent hosts "$address" 2>/dev/null | awk 'NR == 1 { for (i = 2; i <= NF; i++) print $i }')
      if [ -n "$names" ]; then
        dotted=$(printf '%s\\n' "$names" | grep -F . | head -n 1)
        if [ -n "$dotted" ]; then fqdn=$dotted; else fqdn=$(printf '%s\\n' "$names" | head -n 1); fi
      fi
    fi
  fi
  say fqdn_hex "$fqdn"
  n=0
  for file in /etc/hostname /etc/HOSTNAME /etc/myname /etc/sysconfig/network /etc/conf.d/hostname; do
    if [ ! -f "$file" ]; then
      echo "file$n=none"
    elif [ ! -r "$file" ]; then
      echo "file$n=unreadable"
    else
      echo "file$n=read"
      echo "file\${n}_hex=$(hex <"$file")"
    fi
    n=$((n + 1))
  done
  if [ "$2" = 1 ]; then
    if ctl=$(command -v hostnamectl 2>/dev/null) && [ -n "$ctl" ]; then
      echo "hostnamectl=$ctl"
      tool t_ "$ctl" --transient status
      tool s_ "$ctl" --static status
    else
      say path_hex "$PATH"
    fi
  fi
  echo end=1
  exit 0
fi

act=$1 name=$2 file=$3
case $act in
  hostnamectl-static) tool '' hostnamectl --pretty --static set-hostname "$name" ;;
  hostnamectl-transient) tool '' hostnamectl --transient set-hostname "$name" ;;
  hostname-file)
    if ! command -v hostname >/dev/null 2>&1; then
      say path_hex "$PATH"
      echo missing_tool=hostname
    else
      tool '' "$(command -v hostname)" -F "$file"
    fi
    ;;
  write-file)
    # Written in place, as Ansible writes it (the file keeps its inode, mode and owner).
    if ! { cat >"$file"; } 2>"$scratch/err"; then
      say write_error_hex "$(cat "$scratch/err")"
    fi
    ;;
esac
echo end=1
`;

// src/modules/hostname.ts
var FILES = [
  "/etc/hostname",
  "/etc/HOSTNAME",
  "/etc/myname",
  "/etc/sysconfig/network",
  "/etc/conf.d/hostname"
];
var USE = {
  alpine: { kind: "alpine" },
  debian: { kind: "systemd" },
  freebsd: "refused",
  generic: "refused",
  macos: "refused",
  macosx: "refused",
  darwin: "refused",
  openbsd: { kind: "file", file: "/etc/myname" },
  openrc: { kind: "openrc" },
  redhat: { kind: "redhat" },
  sles: { kind: "file", file: "/etc/HOSTNAME" },
  solaris: "refused",
  systemd: { kind: "systemd" }
};
var REDHAT_LIKE = [
  "Redhat",
  "Centos",
  "Anolis",
  "Cloudlinuxserver",
  "Cloudlinux",
  "Alinux",
  "Scientific",
  "Oracle",
  "Virtuozzo",
  "Amazon",
  "Altlinux",
  "Eurolinux"
];
var DEBIAN_LIKE = [
  "Debian",
  "Kylin",
  "Cumulus-linux",
  "Kali",
  "Parrot",
  "Ubuntu",
  "Linuxmint",
  "Linaro",
  "Devuan",
  "Raspbian",
  "Uos",
  "Deepin",
  "Neon",
  "Void",
  "Pop"
];
var ERRNO3 = [
  [/Permission denied/, "[Errno 13] Permission denied"],
  [/No such file or directory|Directory nonexistent/, "[Errno 2] No such file or directory"],
  [/Read-only file system/, "[Errno 30] Read-only file system"],
  [/Is a directory/, "[Errno 21] Is a directory"],
  [/No space left/, "[Errno 28] No space left on device"]
];
var hostnameModule = {
  name: "hostname",
  supportsCheckMode: true,
  args: {
    options: {
      name: { type: "str", required: true },
      // In Ansible's order, which its message lists.
      use: { type: "str", choices: Object.keys(USE) }
    }
  },
  async run(ctx) {
    const name = ctx.args["name"];
    const use = ctx.args["use"];
    const fromUse = use === null || use === void 0 ? void 0 : USE[use];
    if (fromUse === "refused") {
      throw new ModuleArgumentError(
        `hostname: use=${use} is not supported by async-playbook (it drives Linux targets: leave use out, or use systemd, debian, redhat, alpine, openrc, sles or openbsd)`
      );
    }
    const wantsSystemd = fromUse === void 0 || fromUse.kind === "systemd";
    const probe = await runScript2(ctx, ["probe", wantsSystemd ? "1" : "0"]);
    const strategy = fromUse ?? detect(probe);
    const fail6 = (msg) => ({ changed: false, failed: true, msg });
    if (strategy.kind === "unimplemented") {
      const system = probe.get("system") ?? "Linux";
      const id = capitalize(probe.get("os_id") ?? "");
      const distribution = system === "Linux" ? distributionName(id) : id;
      return fail6(
        `hostname module cannot be used on platform ${distribution ? `${system} (${distribution})` : system}`
      );
    }
    const file = (path27) => {
      const n = FILES.indexOf(path27);
      return {
        state: probe.get(`file${n}`) ?? "none",
        text: probe.bytes(`file${n}_hex`)?.toString("utf8") ?? ""
      };
    };
    let current;
    let permanent;
    if (strategy.kind === "systemd") {
      if (probe.get("hostnamectl") === void 0) {
        return fail6(
          `Failed to find required executable "hostnamectl" in paths: ${probe.bytes("path_hex")?.toString("utf8") ?? ""}`
        );
      }
      const transient = commandOutput(probe, "t_");
      if (transient.rc !== 0) return fail6(commandFailed(transient));
      const stat = commandOutput(probe, "s_");
      if (stat.rc !== 0) return fail6(commandFailed(stat));
      current = transient.out.trim();
      permanent = stat.out.trim();
    } else if (strategy.kind === "redhat") {
      const network = file("/etc/sysconfig/network");
      const line = network.text.split(/\r\n|\r|\n/).map((l) => l.trim()).find((l) => l.startsWith("HOSTNAME"));
      if (line === void 0)
        return fail6("Unable to locate HOSTNAME entry in /etc/sysconfig/network");
      const parts = line.split("=");
      if (parts.length !== 2) {
        return fail6(
          `failed to read hostname: ${parts.length < 2 ? `not enough values to unpack (expected 2, got ${parts.length})` : "too many values to unpack (expected 2)"}`
        );
      }
      permanent = current = parts[1].trim();
    } else if (strategy.kind === "openrc") {
      const conf = file("/etc/conf.d/hostname");
      permanent = "";
      if (conf.state !== "none") {
        const line = conf.text.split(/\r\n|\r|\n/).map((l) => l.trim()).find((l) => l.startsWith("hostname="));
        permanent = line === void 0 ? null : line.slice(10).replace(/^"+|"+$/g, "");
      }
      current = permanent ?? "";
    } else {
      const path27 = strategy.kind === "alpine" ? "/etc/hostname" : strategy.file;
      const state = file(path27);
      permanent = current = state.state === "read" ? state.text.trim() : "";
    }
    if (strategy.kind === "systemd" && name.length > 64 && (current !== name || permanent !== name)) {
      return fail6("name cannot be longer than 64 characters on systemd servers, try a shorter name");
    }
    const changed = current !== name || permanent !== name;
    if (changed && !ctx.check) {
      const failure4 = await apply(ctx, strategy, name, current, permanent, file);
      if (failure4 !== void 0) return fail6(failure4);
    }
    const before = name !== current ? current : permanent ?? "None";
    const fqdn = probe.bytes("fqdn_hex")?.toString("utf8") ?? "";
    const result = {
      changed,
      name,
      ansible_facts: {
        ansible_hostname: name.split(".")[0],
        ansible_nodename: name,
        ansible_fqdn: fqdn,
        ansible_domain: fqdn.split(".").slice(1).join(".")
      }
    };
    if (changed) {
      result["diff"] = { after: `hostname = ${name}
`, before: `hostname = ${before}
` };
    }
    return result;
  }
};
async function apply(ctx, strategy, name, current, permanent, file) {
  const tool = async (act2, path27 = "") => {
    const answer = await runScript2(ctx, [act2, name, path27]);
    if (answer.get("missing_tool") !== void 0) {
      return `Failed to find required executable "hostname" in paths: ${answer.bytes("path_hex")?.toString("utf8") ?? ""}`;
    }
    const run = commandOutput(answer, "");
    return run.rc === 0 ? void 0 : commandFailed(run);
  };
  const write = async (path27, text5) => {
    const answer = await runScript2(ctx, ["write-file", name, path27], text5);
    const error = answer.bytes("write_error_hex")?.toString("utf8");
    if (error === void 0) return void 0;
    const known = ERRNO3.find(([pattern]) => pattern.test(error));
    return `failed to update hostname: ${known ? `${known[1]}: '${path27}'` : error.trim()}`;
  };
  switch (strategy.kind) {
    case "systemd":
      if (permanent !== name) {
        const failure4 = await tool("hostnamectl-static");
        if (failure4 !== void 0) return failure4;
      }
      return current !== name ? tool("hostnamectl-transient") : void 0;
    case "alpine": {
      const failure4 = await tool("hostname-file", "/etc/hostname");
      if (failure4 !== void 0) return failure4;
      return write("/etc/hostname", `${name}
`);
    }
    case "file":
      return write(strategy.file, `${name}
`);
    case "redhat": {
      const text5 = file("/etc/sysconfig/network").text;
      let found = false;
      const lines2 = (text5.match(/[^\n]*\n|[^\n]+$/g) ?? []).map((line) => {
        if (!line.trim().startsWith("HOSTNAME")) return line;
        found = true;
        return `HOSTNAME=${name}
`;
      });
      if (!found) lines2.push(`HOSTNAME=${name}
`);
      return write("/etc/sysconfig/network", lines2.join(""));
    }
    case "openrc": {
      const lines2 = file("/etc/conf.d/hostname").text.split("\n").map((line) => line.trim());
      if (lines2.length > 0 && lines2[lines2.length - 1] === "") lines2.pop();
      const at = lines2.findIndex((line) => line.startsWith("hostname="));
      if (at >= 0) lines2[at] = `hostname="${name}"`;
      return write("/etc/conf.d/hostname", `${lines2.join("\n")}
`);
    }
  }
}
function detect(probe) {
  if (probe.get("system") !== "Linux") return { kind: "unimplemented" };
  if (probe.get("systemd") === "1") return { kind: "systemd" };
  const distribution = distributionName(capitalize(probe.get("os_id") ?? ""));
  if (REDHAT_LIKE.includes(distribution)) return { kind: "redhat" };
  if (DEBIAN_LIKE.includes(distribution)) return { kind: "file", file: "/etc/hostname" };
  if (distribution === "Gentoo") return { kind: "openrc" };
  if (distribution === "Alpine") return { kind: "alpine" };
  if (distribution === "Sles") {
    const version = Number(probe.get("os_version") ?? "");
    if (version >= 10 && version <= 12) return { kind: "file", file: "/etc/HOSTNAME" };
  }
  return { kind: "unimplemented" };
}
function distributionName(id) {
  if (id === "Amzn") return "Amazon";
  if (id === "Rhel") return "Redhat";
  return id === "" ? "OtherLinux" : id;
}
function capitalize(text5) {
  return text5.charAt(0).toUpperCase() + text5.slice(1).toLowerCase();
}
function commandOutput(answer, prefix) {
  return {
    rc: answer.int(`${prefix}rc`) ?? 1,
    out: answer.bytes(`${prefix}out_hex`)?.toString("utf8") ?? "",
    err: answer.bytes(`${prefix}err_hex`)?.toString("utf8") ?? ""
  };
}
function commandFailed(run) {
  return `Command failed rc=${run.rc}, out=${run.out}, err=${run.err}`;
}
var SCRIPT5 = new ModuleScript("apb-hostname", hostname_default, "hostname");
async function runScript2(ctx, argv, stdin) {
  return SCRIPT5.run(await ctx.connection(), argv, {
    timeoutMs: ctx.timeoutMs,
    environment: ctx.environment,
    ...stdin === void 0 ? {} : { stdin }
  });
}

// src/modules/lineinfile.ts
function splitLines3(text5) {
  const lines2 = [];
  let start = 0;
  for (; ; ) {
    const end = text5.indexOf("\n", start);
    if (end < 0) break;
    lines2.push(text5.slice(start, end + 1));
    start = end + 1;
  }
  if (start < text5.length) lines2.push(text5.slice(start));
  return lines2;
}
function stripEol(line) {
  return line.replace(/[\r\n]+$/, "");
}
function asBytes2(text5) {
  return Buffer.from(text5, "utf8").toString("latin1");
}
function compile2(pattern) {
  return translatePythonRegex(asBytes2(pattern), "bytes");
}
function regexFailure(error) {
  return { changed: false, failed: true, msg: error.message };
}
function present(lines2, opts) {
  const line = asBytes2(opts.line);
  const search = opts.searchString === void 0 ? void 0 : asBytes2(opts.searchString);
  const { insertafter, insertbefore } = opts;
  const re = opts.regexp === void 0 ? void 0 : compile2(opts.regexp);
  let ins;
  if (insertafter !== void 0 && insertafter !== "BOF" && insertafter !== "EOF")
    ins = compile2(insertafter);
  else if (insertbefore !== void 0 && insertbefore !== "BOF") ins = compile2(insertbefore);
  let found = -1;
  let insertAt = -1;
  let match = null;
  let matched = false;
  if (re) {
    for (let n = 0; n < lines2.length; n++) {
      const m = pythonSearch(re, lines2[n]);
      if (m) {
        found = n;
        match = m;
        matched = true;
        if (opts.firstmatch) break;
      }
    }
  }
  if (search !== void 0) {
    for (let n = 0; n < lines2.length; n++) {
      if (lines2[n].includes(search)) {
        found = n;
        matched = true;
        if (opts.firstmatch) break;
      }
    }
  }
  if (!matched) {
    for (let n = 0; n < lines2.length; n++) {
      const cur = lines2[n];
      if (stripEol(cur) === line) {
        found = n;
      } else if (ins && pythonSearch(ins, cur)) {
        if (insertafter) {
          insertAt = n + 1;
          if (opts.firstmatch) break;
        }
        if (insertbefore) {
          insertAt = n;
          if (opts.firstmatch) break;
        }
      }
    }
  }
  const eol = "\n";
  const endsWithEol = () => lines2.length > 0 && /[\n\r]$/.test(lines2[lines2.length - 1]);
  const added = () => ({ lines: lines2, changed: true, msg: "line added" });
  const unchanged = { lines: lines2, changed: false, msg: "" };
  if (found !== -1) {
    let newLine = opts.backrefs && match && re ? expandReplacement(parseReplacement(line, re), match) : line;
    if (!newLine.endsWith(eol)) newLine += eol;
    if (lines2[found] !== newLine) {
      lines2[found] = newLine;
      return { lines: lines2, changed: true, msg: "line replaced" };
    }
    return unchanged;
  }
  if (opts.backrefs) return unchanged;
  if (insertbefore === "BOF" || insertafter === "BOF") {
    lines2.unshift(line + eol);
    return added();
  }
  if (insertafter === "EOF" || insertAt === -1) {
    if (lines2.length > 0 && !endsWithEol()) lines2.push(eol);
    lines2.push(line + eol);
    return added();
  }
  if (insertafter && insertAt !== -1) {
    if (lines2.length === insertAt) {
      if (stripEol(lines2[insertAt - 1]) !== line) {
        lines2.push(line + eol);
        return added();
      }
      return unchanged;
    }
    if (line !== stripEol(lines2[insertAt])) {
      lines2.splice(insertAt, 0, line + eol);
      return added();
    }
    return unchanged;
  }
  lines2.splice(insertAt, 0, line + eol);
  return added();
}
function absent(lines2, opts) {
  const re = opts.regexp === void 0 ? void 0 : compile2(opts.regexp);
  const search = opts.searchString === void 0 ? void 0 : asBytes2(opts.searchString);
  const line = opts.line === void 0 ? void 0 : asBytes2(opts.line);
  let found = 0;
  const kept = lines2.filter((cur) => {
    const hit = re ? pythonSearch(re, cur) !== null : search !== void 0 ? cur.includes(search) : stripEol(cur) === line;
    if (hit) found++;
    return !hit;
  });
  return {
    lines: kept,
    changed: found > 0,
    msg: found > 0 ? `${found} line(s) removed` : "",
    found
  };
}
function optional(value) {
  return value === void 0 || value === null ? void 0 : String(value);
}
function toBuffer(lines2) {
  return Buffer.from(lines2.join(""), "latin1");
}
var lineinfileModule = {
  name: "lineinfile",
  supportsCheckMode: true,
  args: {
    options: {
      path: { type: "path", required: true, aliases: ["dest", "destfile", "name"] },
      state: { type: "str", default: "present", choices: ["absent", "present"] },
      regexp: { type: "str", aliases: ["regex"] },
      search_string: { type: "str" },
      line: { type: "str", aliases: ["value"] },
      insertafter: { type: "str" },
      insertbefore: { type: "str" },
      backrefs: { type: "bool", default: false },
      create: { type: "bool", default: false },
      backup: { type: "bool", default: false },
      firstmatch: { type: "bool", default: false },
      validate: { type: "str" },
      ...FILE_COMMON_OPTIONS
    },
    mutuallyExclusive: [
      ["insertbefore", "insertafter"],
      ["regexp", "search_string"],
      ["backrefs", "search_string"]
    ]
  },
  async run(ctx) {
    const args = ctx.args;
    const dest = String(args["path"]);
    const regexp = optional(args["regexp"]);
    const searchString = optional(args["search_string"]);
    const line = optional(args["line"]);
    const state = args["state"] === "absent" ? "absent" : "present";
    if (regexp === "" || searchString === "") {
      const name = regexp === "" ? "regular expression" : "search string";
      ctx.warn(
        `The ${name} is an empty string, which will match every line in the file. This may have unintended consequences, such as replacing the last line in the file rather than appending.` + (regexp === "" ? " If this is desired, use '^' to match every line in the file and avoid this warning." : "")
      );
    }
    attributesWanted(args);
    try {
      for (const pattern of [regexp, optional(args["insertafter"]), optional(args["insertbefore"])])
        if (pattern !== void 0 && pattern !== "BOF" && pattern !== "EOF") compile2(pattern);
    } catch (error) {
      if (error instanceof PythonRegexError) return regexFailure(error);
      throw error;
    }
    const facts = factsFor(ctx);
    const target = await readEditTarget(ctx, facts, dest);
    if (target.state.exists && target.state.type === "directory") {
      return { changed: false, failed: true, rc: 256, msg: `Path ${dest} is a directory !` };
    }
    const contentHeader = `${dest} (content)`;
    const before = target.content ? target.content.toString("latin1") : "";
    const diff = {
      before: "",
      after: "",
      before_header: contentHeader,
      after_header: contentHeader
    };
    if (ctx.diff) diff["before"] = Buffer.from(before, "latin1").toString("utf8");
    let edit;
    if (state === "present") {
      if (args["backrefs"] === true && regexp === void 0)
        return { changed: false, failed: true, msg: "regexp is required with backrefs=true" };
      if (line === void 0)
        return { changed: false, failed: true, msg: "line is required with state=present" };
      if (!target.state.exists && args["create"] !== true) {
        return {
          changed: false,
          failed: true,
          rc: 257,
          msg: `Destination ${dest} does not exist !`
        };
      }
      let insertafter = optional(args["insertafter"]);
      const insertbefore = optional(args["insertbefore"]);
      if (insertafter === void 0 && insertbefore === void 0) insertafter = "EOF";
      try {
        edit = present(splitLines3(before), {
          regexp,
          searchString,
          line,
          insertafter,
          insertbefore,
          backrefs: args["backrefs"] === true,
          firstmatch: args["firstmatch"] === true
        });
      } catch (error) {
        if (error instanceof PythonRegexError) return regexFailure(error);
        throw error;
      }
    } else {
      if (regexp === void 0 && searchString === void 0 && line === void 0) {
        return {
          changed: false,
          failed: true,
          msg: "one of line, search_string, or regexp is required with state=absent"
        };
      }
      if (!target.state.exists) return { changed: false, msg: "file not present" };
      edit = absent(splitLines3(before), { regexp, searchString, line });
    }
    const content = toBuffer(edit.lines);
    if (ctx.diff) diff["after"] = content.toString("utf8");
    return finishEdit(ctx, facts, target, {
      changed: edit.changed,
      msg: edit.msg,
      content,
      diff,
      backupField: "backup",
      makeParents: true,
      ...edit.found === void 0 ? {} : { extra: { found: edit.found } }
    });
  }
};

// src/modules/package.ts
var MANAGER_MODULES = {
  "apt-get": "apt",
  dnf: "dnf",
  yum: "yum",
  zypper: "zypper",
  apk: "apk",
  pacman: "pacman"
};
var PACKAGE_MANAGER_MODULES = /* @__PURE__ */ new Set([
  "apt",
  "dnf",
  "dnf5",
  "yum",
  "zypper",
  "apk",
  "pacman",
  "pkgng",
  "portage",
  "pkg5",
  "openbsd_pkg",
  "swdepot",
  "urpmi",
  "pkgin",
  "homebrew",
  "macports",
  "installp",
  "sorcery",
  "xbps",
  "svr4pkg",
  "opkg",
  "swupd",
  "rpm_ostree_pkg"
]);
var packageModule = {
  name: "package",
  supportsCheckMode: true,
  args: {
    options: {
      use: { type: "str", default: "auto" },
      name: { type: "raw" },
      state: { type: "str" }
    },
    side: "action",
    unknown: "any"
  },
  async run(ctx) {
    let use = String(ctx.args["use"] ?? "auto");
    if (use === "auto") {
      const facts = ctx.vars["ansible_facts"];
      const fromFacts = facts !== null && typeof facts === "object" ? facts["pkg_mgr"] : void 0;
      if (typeof fromFacts === "string" && fromFacts !== "") use = fromFacts;
    }
    if (use === "auto") {
      const state = await factsFor(ctx).packages([]);
      use = state.manager ? MANAGER_MODULES[state.manager] ?? state.manager : "auto";
    }
    if (use === "auto") {
      return failure2(
        'Could not detect which package manager to use. Try gathering facts or setting the "use" option.'
      );
    }
    const short = use.replace(/^ansible\.(builtin|legacy)\./, "");
    const module = MODULES.get(short);
    if (!module || module === packageModule) {
      if (PACKAGE_MANAGER_MODULES.has(short))
        return failure2(
          `Could not find a module for ${use}: the target's package manager is ${short}, and async-playbook has no ${short} module; install with the command module, or set "use" to a package module async-playbook has`
        );
      return failure2(`Could not find a module for ${use}.`);
    }
    const args = /* @__PURE__ */ Object.create(null);
    for (const [key, value] of Object.entries(ctx.task.args)) if (key !== "use") args[key] = value;
    const given = /* @__PURE__ */ Object.create(null);
    for (const [key, value] of Object.entries(ctx.moduleDefaults?.(module.name) ?? {}))
      given[key] = value;
    for (const [key, value] of Object.entries(ctx.args)) {
      if (key === "use") continue;
      if ((key === "name" || key === "state") && value === void 0) continue;
      given[key] = value;
    }
    const task = { ...ctx.task, action: short, module: short, args };
    const prepared = prepareModuleRun(module, given, task, { check: ctx.check, diff: ctx.diff });
    if ("result" in prepared) return prepared.result;
    return runModule(module, { ...ctx, args: prepared.validation.args, task }, prepared.validation);
  }
};
function failure2(msg) {
  return { failed: true, msg };
}

// src/modules/pause.ts
var pauseModule = {
  name: "pause",
  // Changes nothing on the target: runs as usual in check mode.
  supportsCheckMode: true,
  local: true,
  // Ansible's pause action plugin validates these itself (minutes and seconds as Python's int() reads them).
  args: {
    side: "action",
    options: {
      echo: { type: "bool", default: true },
      minutes: { type: pythonIntCall },
      seconds: { type: pythonIntCall },
      prompt: { type: "str" }
    },
    mutuallyExclusive: [["minutes", "seconds"]]
  },
  ownTimeout: true,
  async run(ctx) {
    const seconds = ctx.args["seconds"];
    const minutes = ctx.args["minutes"];
    if (seconds == null && minutes == null) {
      throw new ModuleArgumentError(
        "pause needs `seconds` or `minutes`: waiting for a key press is not possible here"
      );
    }
    const total = seconds != null ? seconds : minutes * 60;
    if (total < 0) {
      throw new ModuleArgumentError(`pause cannot wait a negative time: ${seconds ?? minutes}`);
    }
    const start = /* @__PURE__ */ new Date();
    if (ctx.args["prompt"] != null) ctx.log(`[${ctx.task.name}]
${String(ctx.args["prompt"])}`);
    await ctx.sleep(total * 1e3);
    const stop = /* @__PURE__ */ new Date();
    const delta = Math.round((stop.getTime() - start.getTime()) / 1e3);
    return {
      changed: false,
      delta,
      echo: ctx.args["echo"] ?? true,
      rc: 0,
      start: formatTimestamp(start),
      stop: formatTimestamp(stop),
      stderr: "",
      stdout: `Paused for ${seconds != null ? total.toFixed(2) : (total / 60).toFixed(2)} ${seconds != null ? "seconds" : "minutes"}`,
      user_input: ""
    };
  }
};

// src/modules/ping.ts
var MODULE_FAILURE = "MODULE FAILURE\nSee stdout/stderr for the exact error";
var pingModule = {
  name: "ping",
  // Changes nothing on the target: runs as usual in check mode.
  supportsCheckMode: true,
  args: { options: { data: { type: "str", default: "pong" } } },
  async run(ctx) {
    const connection = await ctx.connection();
    const res = await connection.run("echo pong", { timeoutMs: ctx.timeoutMs });
    if (res.code !== 0) {
      return moduleFailure(res.stdout.toString("utf8"), res.stderr.toString("utf8"), res.code ?? 1);
    }
    const data = ctx.args["data"];
    if (data === "crash") {
      return { ...moduleFailure("", "Exception: boom\n", 1), exception: "Exception: boom\n" };
    }
    return { changed: false, ping: data };
  }
};
function moduleFailure(stdout, stderr, rc) {
  return {
    changed: false,
    failed: true,
    module_stderr: stderr,
    module_stdout: stdout,
    msg: MODULE_FAILURE,
    rc
  };
}

// src/modules/pip-requirement.ts
var OPERATORS = ["===", "~=", "==", "!=", "<=", ">=", "<", ">"];
function regroupNames(names) {
  const pieces = names.flatMap((name) => name.split(","));
  const groups = [];
  let current = [];
  let inBrackets = false;
  for (const piece of pieces) {
    if (!startsWithOperator(piece) && !inBrackets) {
      if (current.length > 0) groups.push(current.join(","));
      current = [];
    }
    if (piece.includes("[")) inBrackets = true;
    if (inBrackets && piece.includes("]")) inBrackets = false;
    current.push(piece);
  }
  groups.push(current.join(","));
  return groups;
}
function startsWithOperator(piece) {
  const text5 = piece.trimStart();
  return OPERATORS.some((op) => text5.startsWith(op));
}
var NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?/;
var VERSION_TEXT = /^[A-Za-z0-9_.*+!-]+/;
function parseRequirement(raw, version) {
  let source = raw;
  if (version !== void 0 && version !== "") {
    const v = version.trimStart();
    source = /^[0-9]/.test(v) ? `${raw}==${v}` : `${raw} ${v}`;
  }
  const parsed = parsePep508(source);
  if (parsed === void 0) return { text: source, specs: [] };
  return parsed;
}
function parsePep508(source) {
  let rest = source.trim();
  const nameMatch = NAME.exec(rest);
  if (!nameMatch) return void 0;
  const name = nameMatch[0];
  rest = rest.slice(name.length).trimStart();
  let extras = [];
  if (rest.startsWith("[")) {
    const close = rest.indexOf("]");
    if (close < 0) return void 0;
    const inner = rest.slice(1, close).trim();
    extras = inner === "" ? [] : inner.split(",").map((e) => e.trim());
    if (extras.some((e) => !NAME.test(e) || NAME.exec(e)[0] !== e)) return void 0;
    rest = rest.slice(close + 1).trimStart();
  }
  let url;
  const specs = [];
  if (rest.startsWith("@")) {
    const match = /^@\s*(\S+)/.exec(rest);
    if (!match) return void 0;
    url = match[1];
    rest = rest.slice(match[0].length);
    if (rest !== "" && !/^\s/.test(rest)) return void 0;
    rest = rest.trimStart();
  } else {
    let body = rest;
    let parenthesised = false;
    if (body.startsWith("(")) {
      const close = body.indexOf(")");
      if (close < 0) return void 0;
      parenthesised = true;
      rest = body.slice(close + 1).trimStart();
      body = body.slice(1, close);
    }
    let cursor = body.trimStart();
    while (cursor !== "" && !cursor.startsWith(";")) {
      const op = OPERATORS.find((o) => cursor.startsWith(o));
      if (!op) return void 0;
      cursor = cursor.slice(op.length).trimStart();
      const v = VERSION_TEXT.exec(cursor);
      if (!v) return void 0;
      specs.push([op, v[0]]);
      cursor = cursor.slice(v[0].length).trimStart();
      if (cursor.startsWith(",")) {
        cursor = cursor.slice(1).trimStart();
        if (cursor === "" || cursor.startsWith(";")) return void 0;
      } else if (cursor !== "" && !cursor.startsWith(";")) return void 0;
    }
    if (!parenthesised) rest = cursor;
    else if (cursor !== "") return void 0;
  }
  let marker;
  if (rest.startsWith(";")) {
    marker = normaliseMarker(rest.slice(1));
    if (marker === void 0) return void 0;
  } else if (rest !== "") return void 0;
  let text5 = name;
  if (extras.length > 0) text5 += `[${[...extras].sort().join(",")}]`;
  if (url !== void 0) text5 += `@ ${url}`;
  else
    text5 += specs.map(([op, v]) => `${op}${v}`).sort().join(",");
  if (marker !== void 0) text5 += `${url !== void 0 ? " " : ""}; ${marker}`;
  return { text: text5, canonical: canonicalName(name), specs };
}
function normaliseMarker(text5) {
  const token = /\s*(?:("[^"]*"|'[^']*')|(===|==|!=|<=|>=|~=|<|>|not in|in)|([A-Za-z_][A-Za-z0-9_.]*)|([()]))/y;
  const out = [];
  let at = 0;
  const source = text5.trimEnd();
  while (at < source.length) {
    token.lastIndex = at;
    const m = token.exec(source);
    if (!m) return void 0;
    at = token.lastIndex;
    if (m[1] !== void 0) out.push(`"${m[1].slice(1, -1)}"`);
    else out.push(m[2] ?? m[3] ?? m[4]);
  }
  if (out.length === 0) return void 0;
  return out.join(" ").replace(/\( /g, "(").replace(/ \)/g, ")");
}
function canonicalName(name) {
  return name.replace(/[-_.]+/g, "-").toLowerCase();
}
var VERSION_PATTERN = /^v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\d+)?)?(?:-(\d+)|[-_.]?(post|rev|r)[-_.]?(\d+)?)?(?:[-_.]?(dev)[-_.]?(\d+)?)?(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?$/i;
function parseVersion(text5) {
  const m = VERSION_PATTERN.exec(text5.trim());
  if (!m) return void 0;
  const version = {
    epoch: m[1] ? Number(m[1]) : 0,
    release: m[2].split(".").map(Number)
  };
  if (m[3]) {
    const letter = m[3].toLowerCase();
    const rank = letter.startsWith("a") ? 0 : letter.startsWith("b") ? 1 : 2;
    version.pre = [rank, m[4] ? Number(m[4]) : 0];
  }
  if (m[5] !== void 0) version.post = Number(m[5]);
  else if (m[6]) version.post = m[7] ? Number(m[7]) : 0;
  if (m[8]) version.dev = m[9] ? Number(m[9]) : 0;
  if (m[10])
    version.local = m[10].toLowerCase().split(/[-_.]/).map((part) => /^\d+$/.test(part) ? Number(part) : part);
  return version;
}
function compareReleases(a, b) {
  const length2 = Math.max(a.length, b.length);
  for (let i = 0; i < length2; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
function compareVersions(a, b, withLocal = true) {
  if (a.epoch !== b.epoch) return Math.sign(a.epoch - b.epoch);
  const release = compareReleases(a.release, b.release);
  if (release !== 0) return release;
  const preKey = (v) => v.pre ? [v.pre[0], v.pre[1]] : v.dev !== void 0 && v.post === void 0 ? [-1, 0] : [Infinity, 0];
  const pre = compareReleases(preKey(a), preKey(b));
  if (pre !== 0) return pre;
  const postA = a.post ?? -1;
  const postB = b.post ?? -1;
  if (postA !== postB) return Math.sign(postA - postB);
  const devA = a.dev ?? Infinity;
  const devB = b.dev ?? Infinity;
  if (devA !== devB) return devA < devB ? -1 : 1;
  if (!withLocal) return 0;
  const localA = a.local ?? [];
  const localB = b.local ?? [];
  for (let i = 0; i < Math.max(localA.length, localB.length); i++) {
    const x = localA[i];
    const y = localB[i];
    if (x === void 0) return -1;
    if (y === void 0) return 1;
    if (x === y) continue;
    if (typeof x === "number" && typeof y === "number") return Math.sign(x - y);
    if (typeof x === "number") return 1;
    if (typeof y === "number") return -1;
    return x < y ? -1 : 1;
  }
  return 0;
}
function isPrerelease(v) {
  return v.pre !== void 0 || v.dev !== void 0;
}
function satisfies(installed, specs) {
  const version = parseVersion(installed);
  return specs.every(([op, wanted]) => {
    if (op === "===") return installed.trim().toLowerCase() === wanted.toLowerCase();
    if (version === void 0) return false;
    if ((op === "==" || op === "!=") && wanted.endsWith(".*")) {
      const prefix = parseVersion(wanted.slice(0, -2));
      if (!prefix) return false;
      const head = version.release.slice(0, prefix.release.length);
      while (head.length < prefix.release.length) head.push(0);
      const same = version.epoch === prefix.epoch && compareReleases(head, prefix.release) === 0;
      return op === "==" ? same : !same;
    }
    const spec = parseVersion(wanted);
    if (!spec) return false;
    const exactLocal = spec.local !== void 0;
    const cmp3 = compareVersions(version, spec, exactLocal);
    switch (op) {
      case "==":
        return cmp3 === 0;
      case "!=":
        return cmp3 !== 0;
      case "<=":
        return compareVersions(version, spec, false) <= 0;
      case ">=":
        return compareVersions(version, spec, false) >= 0;
      case "<": {
        if (compareVersions(version, spec, false) >= 0) return false;
        return !(!isPrerelease(spec) && isPrerelease(version) && compareReleases(version.release, spec.release) === 0 && version.epoch === spec.epoch);
      }
      case ">": {
        if (compareVersions(version, spec, false) <= 0) return false;
        const sameBase = compareReleases(version.release, spec.release) === 0 && version.epoch === spec.epoch;
        if (spec.post === void 0 && version.post !== void 0 && sameBase) return false;
        return !(version.local !== void 0 && sameBase);
      }
      case "~=": {
        if (spec.release.length < 2) return false;
        if (compareVersions(version, spec, false) < 0) return false;
        const prefix = spec.release.slice(0, -1);
        const head = version.release.slice(0, prefix.length);
        while (head.length < prefix.length) head.push(0);
        return version.epoch === spec.epoch && compareReleases(head, prefix) === 0;
      }
    }
  });
}

// src/modules/pip.sh
var pip_default = `#!/bin/sh
# apb-pip: the pip module's one round trip on the target. POSIX sh; pip and Python are the target's own.
#
# Run as:  /bin/sh -c "<expand-args.sh + this text>" apb-pip MODE PYTHON EXECUTABLE VENV CHDIR UMASK \\
#            SITE VENV_PYTHON_MODE COUNT VENV_WORDS\u2026 FREEZE -- PIP_ARGS\u2026
#   MODE              run (install/uninstall), check (list what is installed), setup (the virtualenv
#                     and pip only: the module then decides without running pip) or check-setup (the
#                     same in check mode, where a missing virtualenv is only reported)
#   PYTHON            the host's ansible_python_interpreter, or "" to look for python3
#   EXECUTABLE        \`executable\` as written, or ""
#   VENV, CHDIR       \`virtualenv\` and \`chdir\` as written ($VAR and ~ expanded here), or ""
#   UMASK             octal umask to run under, or ""
#   SITE              1: --system-site-packages
#   VENV_PYTHON_MODE  "" (virtualenv: add -p<python>), "venv" (python -m venv or pyvenv: no -p),
#                     "refuse" (venv with virtualenv_python: refused when the virtualenv is to be made)
#                     or a Python name to pass as -p
#   COUNT VENV_WORDS  virtualenv_command, split into COUNT words on the controller
#   FREEZE            1: list the packages before and after (a requirements file or a VCS URL)
#   PIP_ARGS          what follows pip: install -U \u2026 or uninstall -y \u2026
#
# The answer (key=value lines, values that may hold any byte in hex, end=1 last):
#   venv_hex, chdir_hex              the expanded paths
#   fail=\u2026 (+ detail_hex)            no_chdir, no_tool (venv_tool_hex, path_hex), no_python, help_failed,
#                                    venv_python,
#                                    no_pip_in_venv (names_hex), no_pip (names_hex): nothing was run
#   venv_missing=1                   check mode with no virtualenv yet: nothing was run
#   venv_cmd_hex (repeated), venv_rc, venv_out_hex, venv_err_hex   the virtualenv creation
#   pip_hex (repeated)               the pip command's first words
#   list_rc, list_out_hex, list_err_hex   pip list --format=freeze (list_freeze=1: pip freeze, if refused),
#                                    prefixed before_/after_ around a run with FREEZE=1
#   rc, out_hex, err_hex             the pip run
set -u
mode=$1 python=$2 executable=$3 venv=$4 chdir=$5 umask_value=$6 site=$7 venv_python=$8 count=$9
shift 9

hex() {
  od -An -v -tx1 | tr -d ' \\n'
}
say_hex() {
  printf '%s=%s\\n' "$1" "$(printf '%s' "$2" | hex)"
}
finish() {
  echo end=1
  exit 0
}
fail() {
  echo "fail=$1"
  finish
}
# PATH with the sbin directories that exist and it lacks, as Ansible's get_bin_path looks.
sbin_path=$PATH
for dir in /sbin /usr/sbin /usr/local/sbin; do
  case :$PATH: in
    *":$dir:"*) ;;
    *) [ -e "$dir" ] && sbin_path=$sbin_path:$dir ;;
  esac
done
# find_tool NAME: its path on PATH (the sbin directories included, as Ansible looks), in $found.
find_tool() {
  found=$(PATH=$sbin_path command -v "$1" 2>/dev/null) || found=
  case $found in /*) return 0 ;; *) found= && return 1 ;; esac
}

[ -n "$umask_value" ] && umask "$umask_value"
if [ -n "$chdir" ]; then
  chdir=$(apb_expand "$chdir")
  chdir=\${chdir%x}
  say_hex chdir_hex "$chdir"
  cd "$chdir" 2>/dev/null || fail no_chdir
else
  cd "\${TMPDIR:-/tmp}" 2>/dev/null || cd /tmp || fail no_chdir
fi
if [ -n "$venv" ]; then
  venv=$(apb_expand "$venv")
  venv=\${venv%x}
  case $venv in /*) ;; *) [ -n "$chdir" ] && venv=\${chdir%/}/$venv ;; esac
  say_hex venv_hex "$venv"
fi
if [ -n "$executable" ]; then
  executable=$(apb_expand "$executable")
  executable=\${executable%x}
fi

# The Python that Ansible's module would run under: ansible_python_interpreter, else python3.
find_python() {
  if [ -n "$python" ]; then
    case $python in
      /*) [ -x "$python" ] || return 1 ;;
      *)
        find_tool "$python" || return 1
        python=$found
        ;;
    esac
    return 0
  fi
  for candidate in /usr/bin/python3 python3 python; do
    case $candidate in
      /*) [ -x "$candidate" ] && python=$candidate && return 0 ;;
      *) find_tool "$candidate" && python=$found && return 0 ;;
    esac
  done
  return 1
}

# The packages pip lists, prefixed $1: list --format=freeze in the C locale, pip freeze where refused.
list_packages() {
  list_rc=0
  (
    LANG=C.UTF-8 LC_ALL=C.UTF-8 LC_MESSAGES=C.UTF-8
    export LANG LC_ALL LC_MESSAGES
    run_pip list --format=freeze
  ) >"$scratch/list.out" 2>"$scratch/list.err" || list_rc=$?
  if [ "$list_rc" -ne 0 ]; then
    echo "\${1}list_freeze=1"
    list_rc=0
    run_pip freeze >"$scratch/list.out" 2>"$scratch/list.err" || list_rc=$?
  fi
  echo "\${1}list_rc=$list_rc"
  echo "\${1}list_out_hex=$(hex <"$scratch/list.out")"
  echo "\${1}list_err_hex=$(hex <"$scratch/list.err")"
  [ "$list_rc" -eq 0 ]
}

scratch=$(mktemp -d "\${TMPDIR:-/tmp}/apb-pip.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT

# run_pip ARGS\u2026: the pip command (its words were set by the lookup below) with ARGS.
run_pip() {
  if [ -n "$pip_module" ]; then
    "$python" -m pip.__main__ "$@" </dev/null
  else
    "$pip_path" "$@" </dev/null
  fi
}

# create_venv VENV_WORDS\u2026 (the first $count words of its arguments): the virtualenv creation command,
# with its options and the directory added as Ansible adds them.
create_venv() {
  total=$#
  i=0
  while [ "$i" -lt "$count" ]; do
    set -- "$@" "$1"
    shift
    i=$((i + 1))
  done
  shift $((total - count))
  # virtualenv_command is a path: ~ and $VAR in it are expanded, as Ansible expands it.
  tool=$(apb_expand "$1")
  tool=\${tool%x}
  shift
  case $tool in
    */*) ;;
    *)
      if ! find_tool "$tool"; then
        say_hex venv_tool_hex "$tool"
        say_hex path_hex "$sbin_path"
        fail no_tool
      fi
      tool=$found
      ;;
  esac
  set -- "$tool" "$@"
  if [ "$site" = 1 ]; then
    set -- "$@" --system-site-packages
  else
    help_rc=0
    help=$("$tool" --help 2>&1 </dev/null) || help_rc=$?
    if [ "$help_rc" -ne 0 ]; then
      say_hex help_cmd_hex "$tool --help"
      say_hex detail_hex "$help"
      fail help_failed
    fi
    for word in $help; do
      if [ "$word" = --no-site-packages ]; then
        set -- "$@" --no-site-packages
        break
      fi
    done
  fi
  case $venv_python in
    venv) ;;
    refuse) fail venv_python ;;
    '')
      find_python || fail no_python
      set -- "$@" "-p$python"
      ;;
    *) set -- "$@" "-p$venv_python" ;;
  esac
  set -- "$@" "$venv"
  for word in "$@"; do
    say_hex venv_cmd_hex "$word"
  done
  venv_rc=0
  "$@" >"$scratch/venv.out" 2>"$scratch/venv.err" </dev/null || venv_rc=$?
  echo "venv_rc=$venv_rc"
  echo "venv_out_hex=$(hex <"$scratch/venv.out")"
  echo "venv_err_hex=$(hex <"$scratch/venv.err")"
  [ "$venv_rc" -eq 0 ] || finish
}

if [ -n "$venv" ] && [ ! -e "$venv/bin/activate" ]; then
  case $mode in check*) echo venv_missing=1 && finish ;; esac
  create_venv "$@"
fi
shift "$count"
freeze=$1
shift 2

# Which pip: \`executable\`; the virtualenv's pip3 or pip; else the Python's own pip module; else pip3.
pip_module=
pip_path=
if [ -n "$executable" ]; then
  case $executable in
    /*) pip_path=$executable ;;
    *)
      find_tool "$executable" || {
        say_hex names_hex "$executable"
        fail no_pip
      }
      pip_path=$found
      ;;
  esac
elif [ -n "$venv" ]; then
  for name in pip3 pip; do
    if [ -f "$venv/bin/$name" ] && [ -x "$venv/bin/$name" ]; then
      pip_path=$venv/bin/$name
      break
    fi
  done
  [ -n "$pip_path" ] || fail no_pip_in_venv
else
  if find_python && "$python" -c 'import importlib.util, sys; sys.exit(0 if importlib.util.find_spec("pip") else 1)' >/dev/null 2>&1 </dev/null; then
    pip_module=1
  elif find_tool pip3; then
    pip_path=$found
  else
    find_python || fail no_python
    say_hex names_hex pip3
    fail no_pip
  fi
fi
if [ -n "$pip_module" ]; then
  say_hex pip_hex "$python"
  say_hex pip_hex -m
  say_hex pip_hex pip.__main__
else
  say_hex pip_hex "$pip_path"
fi

case $mode in
  setup | check-setup) finish ;;
  check)
    list_packages '' || true
    finish
    ;;
esac
if [ "$freeze" = 1 ]; then
  list_packages before_ || finish
fi
if [ -n "$venv" ]; then
  PATH=$venv/bin:$PATH
  export PATH
fi
rc=0
run_pip "$@" >"$scratch/out" 2>"$scratch/err" || rc=$?
echo "rc=$rc"
echo "out_hex=$(hex <"$scratch/out")"
echo "err_hex=$(hex <"$scratch/err")"
if [ "$freeze" = 1 ] && [ "$rc" -eq 0 ]; then
  list_packages after_ || true
fi
finish
`;

// src/modules/pip.ts
var STATE_WORDS = {
  present: ["install"],
  absent: ["uninstall", "-y"],
  latest: ["install", "-U"],
  forcereinstall: ["install", "-U", "--force-reinstall"]
};
var VCS_URL = /^(svn|git|hg|bzr)\+/;
var SCRIPT6 = new ModuleScript("apb-pip", `${expand_args_default}
${pip_default}`, "pip");
var pipModule = {
  name: "pip",
  supportsCheckMode: true,
  args: {
    options: {
      state: { type: "str", default: "present", choices: Object.keys(STATE_WORDS) },
      name: { type: "list", elements: "str" },
      version: { type: "str" },
      requirements: { type: "str" },
      virtualenv: { type: "path" },
      virtualenv_site_packages: { type: "bool", default: false },
      virtualenv_command: { type: "path", default: "virtualenv" },
      virtualenv_python: { type: "str" },
      extra_args: { type: "str" },
      editable: { type: "bool", default: false },
      chdir: { type: "path" },
      executable: { type: "path" },
      umask: { type: "str" }
    },
    requiredOneOf: [["name", "requirements"]],
    mutuallyExclusive: [
      ["name", "requirements"],
      ["executable", "virtualenv"]
    ]
  },
  async run(ctx) {
    const a = ctx.args;
    const state = a["state"];
    const names = a["name"] ?? null;
    const version = optional2(a["version"]);
    const requirements = optional2(a["requirements"]);
    const venvCommand = a["virtualenv_command"] ?? "virtualenv";
    const venvPython = optional2(a["virtualenv_python"]);
    let extraArgs = optional2(a["extra_args"]);
    let umask = "";
    const umaskText = optional2(a["umask"]);
    if (umaskText !== void 0) {
      const m = /^\s*\+?(?:0o)?([0-7]+)\s*$/i.exec(umaskText);
      if (!m) return { failed: true, changed: false, msg: "umask must be an octal integer" };
      umask = m[1].replace(/^0+(?=.)/, "").padStart(4, "0");
    }
    if (state === "latest" && version !== void 0)
      return { failed: true, changed: false, msg: "version is incompatible with state=latest" };
    const venvWords = shlexSplit(venvCommand);
    if (venvWords.length === 0)
      throw new ModuleArgumentError("pip: virtualenv_command is empty: name a command");
    const pyvenv = venvCommand.includes("pyvenv") || venvCommand.includes("-m venv");
    const venvPythonWord = pyvenv ? venvPython === void 0 ? "venv" : "refuse" : venvPython ?? "";
    let refusal;
    const groups = names && names.length > 0 ? regroupNames(names) : [];
    let packages = groups.map((group) => parseRequirement(group));
    if (version !== void 0 && groups.length > 0) {
      if (packages.length > 1)
        refusal = "'version' argument is ambiguous when installing multiple package distributions. Please specify version restrictions next to each package in 'name' argument.";
      else if (packages[0].specs.length > 0)
        refusal = "The 'version' argument conflicts with any version specifier provided along with a package name. Please keep the version specifier, but remove the 'version' argument.";
      else packages = [parseRequirement(packages[0].text, version)];
    }
    if (a["editable"] === true) {
      const words4 = extraArgs ? extraArgs.split(" ") : [];
      if (!words4.includes("-e")) extraArgs = [...words4, "-e"].join(" ");
    }
    const hasName = names !== null && names.length > 0;
    const pipArgs = [...STATE_WORDS[state], ...extraArgs ? shlexSplit(extraArgs) : []];
    if (hasName) pipArgs.push(...packages.map((p) => p.text));
    else if (requirements) pipArgs.push("-r", requirements);
    const nothing = !hasName && !requirements;
    const checkDecidedEarly = Boolean(extraArgs || requirements || state === "latest" || !hasName);
    const freeze = Boolean(requirements) || (names ?? []).some((n) => VCS_URL.test(n));
    let mode;
    if (ctx.check) mode = refusal !== void 0 || checkDecidedEarly ? "check-setup" : "check";
    else mode = refusal !== void 0 || nothing ? "setup" : "run";
    const answer = await runPipScript(ctx, mode, [
      pythonInterpreter(ctx.vars),
      optional2(a["executable"]) ?? "",
      optional2(a["virtualenv"]) ?? "",
      optional2(a["chdir"]) ?? "",
      umask,
      a["virtualenv_site_packages"] === true ? "1" : "0",
      venvPythonWord,
      String(venvWords.length),
      ...venvWords,
      freeze ? "1" : "0",
      "--",
      ...pipArgs
    ]);
    const text5 = (key) => answer.bytes(key)?.toString("utf8") ?? "";
    const words3 = (key) => answer.all(key).map((hex) => Buffer.from(hex, "hex").toString("utf8"));
    const venv = answer.get("venv_hex") !== void 0 ? text5("venv_hex") : null;
    const failure4 = setupFailure(ctx, answer, text5, words3, venvWords[0], venv);
    if (failure4) return failure4;
    if (answer.get("venv_missing") === "1") return { changed: true };
    const venvCreated = answer.get("venv_rc") !== void 0;
    let out = venvCreated ? text5("venv_out_hex") : "";
    let err = venvCreated ? text5("venv_err_hex") : "";
    if (venvCreated && answer.int("venv_rc") !== 0)
      return pipFailure(words3("venv_cmd_hex"), out, err);
    if (refusal !== void 0) return { failed: true, changed: false, msg: refusal };
    const pip = words3("pip_hex");
    if (nothing) {
      ctx.warn("No valid name or requirements file found.");
      return { changed: false };
    }
    if (ctx.check) {
      if (checkDecidedEarly) return { changed: true };
      const listCmd = [
        ...pip,
        ...answer.get("list_freeze") !== void 0 ? ["freeze"] : ["list", "--format=freeze"]
      ];
      out += text5("list_out_hex");
      err += text5("list_err_hex");
      if (answer.int("list_rc") !== 0)
        return pipFailure(listCmd, text5("list_out_hex"), text5("list_err_hex"));
      const installed = out.split("\n").filter(
        (line) => line && !line.startsWith("You are using") && !line.startsWith("You should consider")
      );
      const changed2 = packages.some((p) => {
        const present2 = installed.some((line) => {
          if (!line.includes("==")) return false;
          const [pkgName, pkgVersion] = line.split("==");
          return p.canonical !== void 0 && canonicalName(pkgName) === p.canonical && satisfies(pkgVersion ?? "", p.specs);
        });
        return state === "present" && !present2 || state === "absent" && present2;
      });
      return withOutput3({ changed: changed2, cmd: listCmd.join(" ") }, out, err);
    }
    const cmd = [...pip, ...pipArgs];
    if (freeze && answer.int("before_list_rc") !== 0)
      return pipFailure(
        [
          ...pip,
          ...answer.get("before_list_freeze") !== void 0 ? ["freeze"] : ["list", "--format=freeze"]
        ],
        text5("before_list_out_hex"),
        text5("before_list_err_hex")
      );
    const rc = answer.int("rc");
    if (rc === void 0) throw new ModuleArgumentError(`pip: no answer from pip on ${ctx.host}`);
    const pipOut = text5("out_hex");
    const pipErr = text5("err_hex");
    out += pipOut;
    err += pipErr;
    const notInstalled = pipOut.includes("not installed") || pipErr.includes("not installed");
    if (rc !== 0 && !(rc === 1 && state === "absent" && notInstalled))
      return pipFailure(cmd, out, err);
    let changed;
    if (state === "absent") changed = pipOut.includes("Successfully uninstalled");
    else if (!freeze) changed = pipOut.includes("Successfully installed");
    else changed = text5("before_list_out_hex") !== text5("after_list_out_hex");
    return withOutput3(
      {
        changed: changed || venvCreated,
        cmd,
        name: names,
        version: version ?? null,
        state,
        requirements: requirements ?? null,
        virtualenv: venv
      },
      out,
      err
    );
  }
};
function setupFailure(ctx, answer, text5, words3, venvTool, venv) {
  const fail6 = (msg) => ({ failed: true, changed: false, msg });
  switch (answer.get("fail")) {
    case void 0:
      return void 0;
    case "no_chdir":
      return fail6(`pip: the chdir directory ${text5("chdir_hex")} does not exist on ${ctx.host}`);
    case "no_tool":
      return fail6(
        `Failed to find required executable "${text5("venv_tool_hex") || venvTool}" in paths: ${text5("path_hex")}`
      );
    case "help_failed":
      return fail6(`Could not get output from ${text5("help_cmd_hex")}: ${text5("detail_hex")}`);
    case "venv_python":
      return fail6(
        "virtualenv_python should not be used when using the venv module or pyvenv as virtualenv_command"
      );
    case "no_python": {
      const named = pythonInterpreter(ctx.vars);
      const where = named ? `its ansible_python_interpreter ${named} is not there` : "no python3 or python was found on its PATH";
      return fail6(
        `pip needs Python on the target, and ${ctx.host} has none: ${where}. Install python3 and python3-pip there (python3-venv for virtualenv_command: python3 -m venv), or name a pip with \`executable\`.`
      );
    }
    case "no_pip_in_venv":
      return fail6(
        `Unable to find pip in the virtualenv, ${venv ?? ""}, under any of these names: pip3, pip. Make sure pip is present in the virtualenv.`
      );
    case "no_pip":
      return fail6(
        `Unable to find any of ${words3("names_hex").join(", ") || "pip3"} to use.  pip needs to be installed.`
      );
    default:
      throw new ModuleArgumentError(
        `pip: unexpected answer from ${ctx.host}: ${answer.get("fail")}`
      );
  }
}
function pipFailure(cmd, out, err) {
  let msg = "";
  if (out) msg += `stdout: ${out}`;
  if (err) msg += `
:stderr: ${err}`;
  return { failed: true, changed: false, cmd, msg };
}
function withOutput3(result, out, err) {
  return {
    ...result,
    stdout: out,
    stderr: err,
    stdout_lines: splitLines(out),
    stderr_lines: splitLines(err)
  };
}
function optional2(value) {
  return value === void 0 || value === null ? void 0 : String(value);
}
function pythonInterpreter(vars) {
  const value = vars["ansible_python_interpreter"];
  if (typeof value !== "string" || value === "" || value.startsWith("auto")) return "";
  return value;
}
async function runPipScript(ctx, mode, args) {
  return SCRIPT6.run(await ctx.connection(), [mode, ...args], {
    timeoutMs: ctx.timeoutMs,
    environment: ctx.environment
  });
}

// src/modules/raw.ts
var rawModule = {
  name: "raw",
  // As Ansible's raw action: in check mode it is always skipped (after its environment warning).
  supportsCheckMode: true,
  freeForm: true,
  ownTimeout: true,
  args: { options: untypedOptions("_raw_params", "executable") },
  async run(ctx) {
    const command = ctx.args["_raw_params"];
    if (typeof command !== "string" || command === "")
      throw new ModuleArgumentError("no command given");
    if (Object.keys(ctx.environment).length > 0)
      ctx.displayWarning("raw module does not support the environment keyword");
    if (ctx.check) return { changed: false, skipped: true };
    const executable = optionalString(ctx.args["executable"]);
    let line = executable === void 0 ? command : `${executable} -c ${shellQuote(command)}`;
    const timeout = ctx.taskTimeoutSeconds;
    if (timeout !== void 0 && timeout > 0)
      line = `exec timeout -k 5 ${Math.ceil(timeout)} /bin/sh -c ${shellQuote(line)}`;
    const connection = await ctx.connection();
    const res = await connection.run(line, {
      timeoutMs: timeout !== void 0 && timeout > 0 ? (timeout + 10) * 1e3 : ctx.timeoutMs
    });
    const rc = res.code ?? -1;
    if (timeout !== void 0 && timeout > 0 && rc === 124)
      return timeoutResult(ctx.task.action ?? "raw", timeout);
    const stdout = res.stdout.toString("utf8");
    const stderr = res.stderr.toString("utf8");
    return {
      changed: true,
      rc,
      stdout,
      stdout_lines: splitLines(decodeOutput(res.stdout)),
      stderr,
      stderr_lines: splitLines(decodeOutput(res.stderr)),
      ...rc !== 0 ? { failed: true, msg: res.timedOut ? "the command timed out" : "non-zero return code" } : {}
    };
  }
};

// src/modules/reboot-launch.sh
var reboot_launch_default = `# Starts a reboot command detached from this SSH session, then reports how it went.
#   $1  the reboot command (POSIX sh text)
#   $2  directories appended to PATH (Ansible's search_paths: shutdown lives in /sbin, which a
#       non-root user's PATH often lacks), colon-separated
#   $3  how long to wait for the command, in tenths of a second
# The command runs under nohup with its own output files, so the session ending (the host going down,
# sshd stopping) cannot take it along. A command that ends within the wait (\`shutdown\` refused for a
# user who is not root, a typo) exits this script with its status and output. One still running when
# the wait ends is taking the host down: that counts as started (exit 0).
PATH=$PATH:$2
export PATH
apb_dir=$(mktemp -d "\${TMPDIR:-/tmp}/apb-reboot.XXXXXX") || exit 125
# The inner shell records the status through a rename, so a half-written file is never read.
# shellcheck disable=SC2016 # $1 and $2 are the inner shell's own arguments
nohup /bin/sh -c '/bin/sh -c "$1"; echo "$?" >"$2/rc.tmp" && mv "$2/rc.tmp" "$2/rc"' \\
  apb-reboot "$1" "$apb_dir" </dev/null >"$apb_dir/out" 2>"$apb_dir/err" &
apb_waited=0
while [ ! -e "$apb_dir/rc" ] && [ "$apb_waited" -lt "$3" ]; do
  sleep 0.1 2>/dev/null || sleep 1
  apb_waited=$((apb_waited + 1))
done
if [ ! -e "$apb_dir/rc" ]; then
  rm -rf "$apb_dir"
  exit 0
fi
apb_rc=$(cat "$apb_dir/rc")
cat "$apb_dir/out"
cat "$apb_dir/err" >&2
rm -rf "$apb_dir"
exit "$apb_rc"
`;

// src/modules/wait-for-connection.ts
var DEFAULT_CONNECT_TIMEOUT = 5;
var DEFAULT_DELAY = 0;
var DEFAULT_SLEEP = 1;
var DEFAULT_TIMEOUT = 600;
var waitForConnectionModule = {
  name: "wait_for_connection",
  // In check mode it reads its arguments, then skips itself without a message, as Ansible's action does.
  supportsCheckMode: true,
  // Ansible's wait_for_connection action checks only the names, and reads each as int() does (below).
  args: {
    side: "action",
    unknown: "names",
    options: untypedOptions("connect_timeout", "delay", "sleep", "timeout")
  },
  async run(ctx) {
    const connectTimeout = secondsArg(ctx.args, "connect_timeout", DEFAULT_CONNECT_TIMEOUT);
    const delay = secondsArg(ctx.args, "delay", DEFAULT_DELAY);
    const sleep2 = secondsArg(ctx.args, "sleep", DEFAULT_SLEEP);
    const timeout = secondsArg(ctx.args, "timeout", DEFAULT_TIMEOUT);
    if (ctx.check) return { skipped: true };
    const start = Date.now();
    const elapsed = () => Math.floor((Date.now() - start) / 1e3);
    if (delay > 0 && !await sleepFully(ctx, delay * 1e3)) {
      return { changed: false, failed: true, elapsed: elapsed(), msg: CANCELLED };
    }
    const outcome = await retryUntilDeadline(
      ctx,
      timeout,
      () => sleep2 * 1e3,
      () => pingTest(ctx, connectTimeout)
    );
    if (outcome.ok) return { changed: false, elapsed: elapsed() };
    return {
      changed: false,
      failed: true,
      elapsed: elapsed(),
      msg: outcome.reason === "timeout" ? `timed out waiting for ping module test: ${outcome.lastError}` : outcome.lastError
    };
  }
};
async function retryUntilDeadline(ctx, seconds, pauseMs, attempt) {
  const deadline = Date.now() + seconds * 1e3;
  for (let failures = 0; ; failures++) {
    let lastError;
    try {
      await attempt(deadline - Date.now());
      return { ok: true };
    } catch (error) {
      if (error instanceof HostKeyError)
        return { ok: false, reason: "fatal", lastError: error.message };
      lastError = errorText(error);
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) return { ok: false, reason: "timeout", lastError };
    if (!await sleepFully(ctx, Math.min(pauseMs(failures), remaining))) {
      return { ok: false, reason: "cancelled", lastError: CANCELLED };
    }
  }
}
async function pingTest(ctx, connectTimeout) {
  const connection = await reconnectWithin(ctx, connectTimeout);
  const res = await connection.run("echo pong", { timeoutMs: ctx.timeoutMs });
  if (res.timedOut) {
    throw new Error(`the ping test command did not answer within ${ctx.timeoutMs} ms`);
  }
  if (res.code !== 0 || res.stdout.toString("utf8").trim() !== "pong")
    throw new Error("ping test failed");
}
var CANCELLED = "the wait was interrupted because the run is being cancelled";
function reconnectWithin(ctx, seconds) {
  const attempt = ctx.reconnect();
  if (seconds <= 0) return attempt;
  return withDeadline(
    attempt,
    seconds * 1e3,
    `timed out after ${seconds} s connecting to ${ctx.host} (connect_timeout)`
  );
}
function withDeadline(promise, ms, message2) {
  promise.catch(() => void 0);
  let timer;
  const expired = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(message2)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
async function sleepFully(ctx, ms) {
  const before = Date.now();
  await ctx.sleep(ms);
  return Date.now() - before >= ms - 25;
}
function secondsArg(args, name, dflt) {
  const value = args[name];
  if (value === void 0 || value === null) return dflt;
  let n;
  if (isNumeric(value)) n = Math.trunc(Number(value));
  else if (typeof value === "boolean") n = value ? 1 : 0;
  else if (typeof value === "string" && /^\s*[+-]?\d+\s*$/.test(value)) n = parseInt(value, 10);
  else n = NaN;
  if (!Number.isFinite(n) || n < 0) {
    throw new ModuleArgumentError(
      `'${name}' must be a whole number of seconds (0 or more), got '${String(value)}'`
    );
  }
  return n;
}
function errorText(error) {
  return error instanceof Error ? error.message : String(error);
}

// src/modules/reboot.ts
var DEFAULT_REBOOT_TIMEOUT = 600;
var DEFAULT_TEST_COMMAND = "whoami";
var DEFAULT_BOOT_TIME_COMMAND = "cat /proc/sys/kernel/random/boot_id";
var DEFAULT_REBOOT_MESSAGE = "Reboot initiated by Ansible";
var DEFAULT_SEARCH_PATHS = ["/sbin", "/bin", "/usr/sbin", "/usr/bin", "/usr/local/sbin"];
var LAUNCH_WAIT_TENTHS = 20;
var LAUNCH_DEADLINE_MS = 3e4;
var FIRST_PAUSE_MS = 1e3;
var MAX_PAUSE_MS = 2e3;
var rebootModule = {
  name: "reboot",
  // In check mode it answers as Ansible's does (a reboot that would happen) without touching the host.
  supportsCheckMode: true,
  // Ansible's reboot action checks only the names, and reads each value itself (below).
  args: {
    side: "action",
    unknown: "names",
    options: untypedOptions(
      "boot_time_command",
      "connect_timeout",
      "msg",
      "post_reboot_delay",
      "pre_reboot_delay",
      "reboot_command",
      "reboot_timeout",
      "search_paths",
      "test_command"
    )
  },
  async run(ctx) {
    if (ctx.check) return { changed: true, elapsed: 0, rebooted: true };
    const rebootTimeout = secondsArg(ctx.args, "reboot_timeout", DEFAULT_REBOOT_TIMEOUT);
    const connectTimeout = secondsArg(ctx.args, "connect_timeout", 0);
    const preRebootDelay = secondsArg(ctx.args, "pre_reboot_delay", 0);
    const postRebootDelay = secondsArg(ctx.args, "post_reboot_delay", 0);
    const bootTimeCommand = commandArg(ctx.args, "boot_time_command", DEFAULT_BOOT_TIME_COMMAND);
    const testCommand = commandArg(ctx.args, "test_command", DEFAULT_TEST_COMMAND);
    const message2 = commandArg(ctx.args, "msg", DEFAULT_REBOOT_MESSAGE);
    const rebootCommand = commandArg(
      ctx.args,
      "reboot_command",
      `shutdown -r now ${shellQuote(message2)}`
    );
    const searchPaths = searchPathsArg(ctx.args["search_paths"]);
    let previousBootId;
    try {
      previousBootId = await readBootId(ctx, await ctx.connection(), bootTimeCommand, ctx.timeoutMs);
    } catch (error) {
      return { changed: false, failed: true, rebooted: false, msg: errorText(error) };
    }
    if (preRebootDelay > 0 && !await sleepFully(ctx, preRebootDelay * 1e3)) {
      return { changed: false, failed: true, rebooted: false, msg: CANCELLED };
    }
    const launched = await startReboot(ctx, rebootCommand, searchPaths);
    const start = Date.now();
    const elapsed = () => Math.floor((Date.now() - start) / 1e3);
    if (launched !== void 0) {
      return { changed: false, failed: true, rebooted: false, elapsed: elapsed(), msg: launched };
    }
    if (postRebootDelay > 0 && !await sleepFully(ctx, postRebootDelay * 1e3)) {
      return { changed: false, failed: true, rebooted: true, elapsed: elapsed(), msg: CANCELLED };
    }
    const bootChanged = await retryUntilDeadline(ctx, rebootTimeout, pauseAfter, async (left) => {
      const connection = await reconnectWithin(ctx, connectTimeout);
      const bootId = await readBootId(ctx, connection, bootTimeCommand, attemptDeadline(ctx, left));
      if (bootId === "" || bootId === previousBootId) throw new Error("boot time has not changed");
    });
    if (!bootChanged.ok) {
      return waitFailed(bootChanged, "last boot time check", rebootTimeout, elapsed());
    }
    let needsReconnect = false;
    const testPassed = await retryUntilDeadline(ctx, rebootTimeout, pauseAfter, async (left) => {
      const connection = needsReconnect ? await reconnectWithin(ctx, connectTimeout) : await ctx.connection();
      needsReconnect = false;
      let res;
      try {
        res = await connection.run(testCommand, { timeoutMs: attemptDeadline(ctx, left) });
      } catch (error) {
        if (error instanceof ConnectionError) needsReconnect = true;
        throw error;
      }
      if (res.timedOut) {
        needsReconnect = true;
        throw new Error(`the test command did not finish within ${attemptDeadline(ctx, left)} ms`);
      }
      if (res.code !== 0) {
        throw new Error(
          `Test command failed: ${decodeOutput(res.stderr)} ${decodeOutput(res.stdout)}`
        );
      }
    });
    if (!testPassed.ok) {
      return waitFailed(testPassed, "post-reboot test command", rebootTimeout, elapsed());
    }
    return { changed: true, elapsed: elapsed(), rebooted: true };
  }
};
async function startReboot(ctx, command, searchPaths) {
  const remote = [
    "/bin/sh -c",
    shellQuote(reboot_launch_default),
    "apb-reboot",
    shellQuote(command),
    shellQuote(searchPaths),
    String(LAUNCH_WAIT_TENTHS)
  ].join(" ");
  try {
    const connection = await ctx.connection();
    const res = await connection.run(remote, {
      timeoutMs: Math.min(ctx.timeoutMs, LAUNCH_DEADLINE_MS)
    });
    if (res.timedOut || res.code === null || res.code === 0) return void 0;
    return `Reboot command failed. Error was: '${decodeOutput(res.stdout)}, ${decodeOutput(res.stderr)}'`;
  } catch (error) {
    if (error instanceof ConnectionError) return void 0;
    throw error;
  }
}
async function readBootId(ctx, connection, command, timeoutMs) {
  const res = await connection.run(command, { timeoutMs });
  if (res.timedOut) {
    throw new Error(
      `reboot: the boot time command did not finish within ${timeoutMs} ms on ${ctx.host}`
    );
  }
  const stdout = res.stdout.toString("utf8");
  if (res.code !== 0) {
    throw new Error(
      `reboot: failed to get host boot time info, rc: ${res.code ?? -1}, stdout: ${stdout}, stderr: ${res.stderr.toString("utf8")}`
    );
  }
  return stdout.trim();
}
function waitFailed(outcome, what, timeout, elapsed) {
  const result = {
    changed: false,
    failed: true,
    rebooted: true,
    elapsed,
    msg: outcome.reason === "timeout" ? `Timed out waiting for ${what} (timeout=${timeout})` : outcome.lastError
  };
  if (outcome.reason === "timeout" && outcome.lastError !== "")
    result["last_error"] = outcome.lastError;
  return result;
}
function pauseAfter(failures) {
  return Math.min(FIRST_PAUSE_MS * 1.5 ** failures, MAX_PAUSE_MS);
}
function attemptDeadline(ctx, remainingMs) {
  return Math.max(1e3, Math.min(ctx.timeoutMs, remainingMs));
}
function commandArg(args, name, dflt) {
  const value = args[name];
  if (value === void 0 || value === null || value === "") return dflt;
  if (typeof value !== "string") {
    throw new ModuleArgumentError(`Invalid value given for '${name}': it must be a string`);
  }
  return value;
}
function searchPathsArg(value) {
  if (value === void 0 || value === null) return DEFAULT_SEARCH_PATHS.join(":");
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list) || !list.every((p) => typeof p === "string")) {
    throw new ModuleArgumentError(
      "'search_paths' must be a list of directories, e.g. ['/sbin', '/usr/sbin']"
    );
  }
  return list.join(":");
}

// src/modules/replace.ts
var ENCODINGS = {
  "utf-8": "utf8",
  utf8: "utf8",
  u8: "utf8",
  "latin-1": "latin1",
  latin1: "latin1",
  "iso-8859-1": "latin1",
  iso8859_1: "latin1",
  l1: "latin1",
  ascii: "ascii",
  "us-ascii": "ascii",
  "utf-16-le": "utf16le",
  "utf-16le": "utf16le",
  utf_16_le: "utf16le"
};
function failure3(msg, extra = {}) {
  return { changed: false, failed: true, msg, ...extra };
}
function decode(bytes, encoding) {
  if (encoding === "utf8") {
    try {
      return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch {
      return void 0;
    }
  }
  if (encoding === "ascii" && bytes.some((b) => b > 127)) return void 0;
  if (encoding === "utf16le" && bytes.length % 2 !== 0) return void 0;
  return bytes.toString(encoding);
}
function encodable(text5, encoding) {
  const limit = encoding === "latin1" ? 255 : encoding === "ascii" ? 127 : Infinity;
  for (let i = 0; i < text5.length; i++) if (text5.charCodeAt(i) > limit) return false;
  return true;
}
var replaceModule = {
  name: "replace",
  supportsCheckMode: true,
  args: {
    options: {
      path: { type: "path", required: true, aliases: ["dest", "destfile", "name"] },
      regexp: { type: "str", required: true },
      replace: { type: "str", default: "" },
      after: { type: "str" },
      before: { type: "str" },
      backup: { type: "bool", default: false },
      validate: { type: "str" },
      encoding: { type: "str", default: "utf-8" },
      ...FILE_COMMON_OPTIONS
    }
  },
  async run(ctx) {
    const args = ctx.args;
    const path27 = String(args["path"]);
    const encodingName = String(args["encoding"]);
    const encoding = ENCODINGS[encodingName.toLowerCase().replace(/_/g, "-")] ?? ENCODINGS[encodingName.toLowerCase()];
    if (encoding === void 0) {
      return failure3(
        `replace: encoding '${encodingName}' is not supported; use one of utf-8, latin-1, ascii, utf-16-le`
      );
    }
    attributesWanted(args);
    const after = args["after"] === void 0 || args["after"] === null ? "" : String(args["after"]);
    const before = args["before"] === void 0 || args["before"] === null ? "" : String(args["before"]);
    let section;
    if (after && before) section = `${after}(?P<subsection>.*?)${before}`;
    else if (after) section = `${after}(?P<subsection>.*)`;
    else if (before) section = `(?P<subsection>.*)${before}`;
    let regexp;
    let sectionRegexp;
    try {
      regexp = translatePythonRegex(String(args["regexp"]), "text", { multiline: true });
      if (section !== void 0)
        sectionRegexp = translatePythonRegex(section, "text", { dotAll: true, indices: true });
    } catch (error) {
      if (error instanceof PythonRegexError) return failure3(error.message);
      throw error;
    }
    const facts = factsFor(ctx);
    const target = await readEditTarget(ctx, facts, path27);
    if (target.state.exists && target.state.type === "directory") {
      return failure3(`Path ${path27} is a directory !`, { rc: 256 });
    }
    if (!target.state.exists) return failure3(`Path ${path27} does not exist !`, { rc: 257 });
    const contents = decode(target.content ?? Buffer.alloc(0), encoding);
    if (contents === void 0) {
      return failure3(`replace: ${path27} is not valid ${encodingName}: set encoding to the file's`);
    }
    let text5 = contents;
    let start = 0;
    let end = contents.length;
    if (sectionRegexp !== void 0) {
      const match = pythonSearch(sectionRegexp, contents);
      const span = match?.indices?.groups?.["subsection"];
      if (!match || !span) {
        return {
          changed: false,
          rc: 0,
          msg: `Pattern for before/after params did not match the given file: ${section}`
        };
      }
      ;
      [start, end] = span;
      text5 = contents.slice(start, end);
    }
    let replaced;
    try {
      replaced = pythonSubn(regexp, String(args["replace"]), text5);
    } catch (error) {
      if (error instanceof PythonRegexError) return failure3(error.message);
      throw error;
    }
    const changed = replaced.count > 0 && replaced.text !== text5;
    const after_ = contents.slice(0, start) + replaced.text + contents.slice(end);
    if (changed && !encodable(after_, encoding)) {
      return failure3(`replace: the replaced text cannot be written as ${encodingName}`);
    }
    const diff = changed && ctx.diff ? { before_header: path27, before: contents, after_header: path27, after: after_ } : void 0;
    return finishEdit(ctx, facts, target, {
      changed,
      msg: changed ? `${replaced.count} replacements made` : "",
      content: Buffer.from(after_, encoding),
      ...diff ? { diff } : {},
      diffStyle: "content",
      backupField: "backup_file",
      extra: { rc: 0 }
    });
  }
};

// src/modules/script.ts
import path16 from "node:path";
var scriptModule = {
  name: "script",
  // As Ansible's script action in check mode: creates/removes decide, then nothing runs (see run).
  supportsCheckMode: true,
  freeForm: true,
  ownTimeout: true,
  // Ansible's script action takes `cmd` as `_raw_params`, and never lists it.
  args: {
    options: untypedOptions("_raw_params", "chdir", "creates", "executable", "removes"),
    hidden: ["cmd"]
  },
  async run(ctx) {
    if (ctx.args["cmd"] !== void 0 && optionalString(ctx.args["_raw_params"]) !== void 0) {
      throw new ModuleArgumentError(
        "The 'cmd' argument cannot be used when other raw parameters are specified. Please put everything in one or the other place."
      );
    }
    const creates = optionalString(ctx.args["creates"]);
    const removes = optionalString(ctx.args["removes"]);
    if (creates !== void 0 && await remoteExists(ctx, creates))
      return { changed: false, skipped: true, msg: `${creates} exists, matching creates option` };
    if (removes !== void 0 && !await remoteExists(ctx, removes))
      return {
        changed: false,
        skipped: true,
        msg: `${removes} does not exist, matching removes option`
      };
    const chdir = optionalString(ctx.args["chdir"]);
    if (chdir !== void 0 && !chdir.startsWith("/"))
      throw new ModuleArgumentError(
        `chdir ${chdir} must be an absolute path for a Unix-aware remote node`
      );
    const line = (optionalString(ctx.args["_raw_params"]) ?? optionalString(ctx.args["cmd"]) ?? "").trim();
    if (line === "")
      throw new ModuleArgumentError("no script given: write `script: path/to/script.sh [args]`");
    let words3;
    try {
      words3 = shlexSplit(line);
    } catch (error) {
      throw new ModuleArgumentError(
        `could not split '${line}' into a path and arguments: ${error.message}`
      );
    }
    const localName = words3[0];
    const localPath = findControllerFile(localName, "files", ctx);
    const content = readSourceFile(localPath, ctx.args);
    if (ctx.check) {
      if (creates !== void 0 || removes !== void 0) return { changed: true };
      return { changed: false, skipped: true, msg: "Check mode is not supported for this task." };
    }
    const connection = await ctx.connection();
    const mk = await connection.run(
      'umask 077 && mktemp -d "${TMPDIR:-/tmp}/async-playbook.XXXXXXXX"',
      { timeoutMs: ctx.timeoutMs }
    );
    const dir = mk.stdout.toString("utf8").trim();
    if (mk.code !== 0 || !dir.startsWith("/")) {
      throw new ModuleArgumentError(
        `could not create a temporary directory on the target: ${mk.stderr.toString("utf8").trim()}`
      );
    }
    const remote = `${dir}/${path16.basename(localPath).replace(/[^A-Za-z0-9._-]/g, "_")}`;
    try {
      await connection.putFile(remote, content, { mode: 448, timeoutMs: ctx.timeoutMs });
      const target = line.split(localName).join(shellQuote(remote));
      const executable = optionalString(ctx.args["executable"]);
      let commandLine = `${executable ? `${executable} ` : ""}${target}`;
      if (chdir !== void 0) commandLine = `cd ${shellQuote(chdir)} && ${commandLine}`;
      const timeout = ctx.taskTimeoutSeconds;
      if (timeout !== void 0 && timeout > 0)
        commandLine = `exec timeout -k 5 ${Math.ceil(timeout)} /bin/sh -c ${shellQuote(commandLine)}`;
      const sent = commandWithEnvironment(commandLine, ctx.environment);
      const res = await connection.run(
        sent.stdin === void 0 ? `/bin/sh -c ${shellQuote(sent.command)}` : sent.command,
        {
          timeoutMs: timeout !== void 0 && timeout > 0 ? (timeout + 10) * 1e3 : ctx.timeoutMs,
          ...sent.stdin !== void 0 ? { stdin: sent.stdin } : {}
        }
      );
      const rc = res.code ?? -1;
      if (timeout !== void 0 && timeout > 0 && rc === 124)
        return timeoutResult(ctx.task.action ?? "script", timeout);
      const stdout = res.stdout.toString("utf8");
      const stderr = res.stderr.toString("utf8");
      return {
        changed: true,
        rc,
        stdout,
        stdout_lines: splitLines(stdout),
        stderr,
        stderr_lines: splitLines(stderr),
        ...rc !== 0 ? { failed: true, msg: "non-zero return code" } : {}
      };
    } finally {
      await connection.run(`rm -rf ${shellQuote(dir)}`, { timeoutMs: ctx.timeoutMs }).catch(() => void 0);
    }
  }
};
async function remoteExists(ctx, file) {
  const connection = await ctx.connection();
  const res = await connection.run(`test -e ${shellQuote(file)}`, { timeoutMs: ctx.timeoutMs });
  return res.code === 0;
}

// src/modules/set-fact.ts
var CACHEABLE_FACTS = /* @__PURE__ */ Symbol("cacheable facts");
var SAFE_FACTS = /* @__PURE__ */ Symbol("facts from trusted variables");
var PYTHON_KEYWORDS = /* @__PURE__ */ new Set([
  "False",
  "None",
  "True",
  "and",
  "as",
  "assert",
  "async",
  "await",
  "break",
  "class",
  "continue",
  "def",
  "del",
  "elif",
  "else",
  "except",
  "finally",
  "for",
  "from",
  "global",
  "if",
  "import",
  "in",
  "is",
  "lambda",
  "nonlocal",
  "not",
  "or",
  "pass",
  "raise",
  "return",
  "try",
  "while",
  "with",
  "yield"
]);
var BOOLEAN_STRINGS = ["true", "false", "yes", "no"];
function isVariableName(name) {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !PYTHON_KEYWORDS.has(name);
}
function cacheableFlag(value) {
  if (value === void 0) return false;
  try {
    return ansibleBoolean(value, "strict");
  } catch {
    throw new ModuleArgumentError(
      `The value '${String(value)}' of 'cacheable' is not a valid boolean. Valid booleans include: ${VALID_BOOLEANS}`
    );
  }
}
var setFactModule = {
  name: "set_fact",
  // Changes nothing on the target: runs as usual in check mode.
  supportsCheckMode: true,
  local: true,
  // Any name is a fact to set; `cacheable` is read below, with Ansible's message.
  args: { side: "action", unknown: "any", options: { cacheable: { type: "raw" } } },
  async run(ctx) {
    const facts = dict();
    const cacheable = cacheableFlag(ctx.args["cacheable"]);
    for (const [rawKey, rawValue] of Object.entries(ctx.args)) {
      if (rawKey === "cacheable") continue;
      const key = ctx.render(rawKey);
      if (!isVariableName(key)) {
        throw new ModuleArgumentError(
          `The variable name '${key}' is not valid. Variables must start with a letter or underscore character, and contain only letters, numbers and underscores.`
        );
      }
      facts[key] = typeof rawValue === "string" && BOOLEAN_STRINGS.includes(rawValue.toLowerCase()) ? ansibleBoolean(rawValue, "lenient") : rawValue;
    }
    if (Object.keys(facts).length === 0) {
      throw new ModuleArgumentError(
        "No key/value pairs provided, at least one is required for this action to succeed"
      );
    }
    const result = { ansible_facts: facts, changed: false };
    if (cacheable) result[CACHEABLE_FACTS] = true;
    return result;
  }
};

// src/modules/set-stats.ts
var setStatsModule = {
  name: "set_stats",
  supportsCheckMode: true,
  local: true,
  args: {
    side: "action",
    unknown: "names",
    options: { data: { type: "raw" }, per_host: { type: "raw" }, aggregate: { type: "raw" } }
  },
  async run(ctx) {
    const data = ctx.args["data"] ?? {};
    if (!isRecord(data)) {
      return { failed: true, msg: "The 'data' option needs to be a dictionary/hash" };
    }
    const flag2 = (name, fallback) => {
      const value = ctx.args[name];
      return value === void 0 || value === null ? fallback : ansibleBoolean(value, "lenient");
    };
    const stats = {
      data: dict(),
      per_host: flag2("per_host", false),
      aggregate: flag2("aggregate", true)
    };
    for (const [rawKey, value] of Object.entries(data)) {
      const key = ctx.render(rawKey);
      if (!isVariableName(key)) {
        return {
          failed: true,
          msg: `The variable name '${key}' is not valid. Variables must start with a letter or underscore character, and contain only letters, numbers and underscores.`
        };
      }
      stats.data[key] = value;
    }
    return { changed: false, ansible_stats: stats };
  }
};

// src/facts/service-mgr.sh
var service_mgr_default = `#!/bin/sh
# apb_service_mgr: prints the host's service manager as Ansible's facts name it (ansible_service_mgr)
# on Linux: PID 1's name (procd, runit-init, svscan and openrc-init renamed; \`init\` and shells say
# nothing), else systemd when systemctl exists and systemd's runtime directory does (sd_booted()),
# upstart, openrc, systemd offline (/sbin/init a link to systemd), sysvinit (/etc/init.d), or
# \`service\`. A function, put before the scripts that call it (facts.sh, service-run.sh).
apb_service_mgr() {
  apb_sm_systemctl=0
  if command -v systemctl >/dev/null 2>&1 || [ -x /sbin/systemctl ] || [ -x /usr/sbin/systemctl ] ||
    [ -x /usr/local/sbin/systemctl ]; then
    apb_sm_systemctl=1
  fi
  apb_sm_proc1=
  if [ -r /proc/1/comm ]; then
    apb_sm_proc1=$(cat /proc/1/comm 2>/dev/null)
  elif command -v ps >/dev/null 2>&1; then
    apb_sm_proc1=$(ps -p 1 -o comm 2>/dev/null | tail -n 1)
    case $apb_sm_proc1 in '' | COMMAND | *[0-9]' '*) apb_sm_proc1= ;; esac
  fi
  if [ -z "$apb_sm_proc1" ] && [ -L /sbin/init ]; then apb_sm_proc1=$(readlink /sbin/init); fi
  apb_sm_proc1=\${apb_sm_proc1##*/}
  case $apb_sm_proc1 in
    '' | init | *sh) ;;
    procd) echo openwrt_init && return ;;
    runit-init) echo runit && return ;;
    svscan) echo svc && return ;;
    openrc-init) echo openrc && return ;;
    *) echo "$apb_sm_proc1" && return ;;
  esac
  case $(uname -s 2>/dev/null) in
    Linux) ;;
    Darwin) echo launchd && return ;;
    *BSD | DragonFly | Bitrig) echo bsdinit && return ;;
    SunOS) echo smf && return ;;
    AIX) echo src && return ;;
    *) echo service && return ;;
  esac
  if [ "$apb_sm_systemctl" = 1 ] && { [ -e /run/systemd/system/ ] || [ -e /dev/.run/systemd/ ] || [ -e /dev/.systemd/ ]; }; then
    echo systemd
  elif command -v initctl >/dev/null 2>&1 && [ -e /etc/init/ ]; then
    echo upstart
  elif [ -e /sbin/openrc ]; then
    echo openrc
  elif [ "$apb_sm_systemctl" = 1 ] && [ -L /sbin/init ] && [ "$(readlink /sbin/init | sed 's|.*/||')" = systemd ]; then
    echo systemd
  elif [ -e /etc/init.d/ ]; then
    echo sysvinit
  else
    echo service
  fi
}
`;

// src/modules/service-run.sh
var service_run_default = `#!/bin/sh
# apb-service: reads (probe) or changes (act) a service through the target's init tools, for
# src/modules/service.ts (Ansible's service module on Linux). POSIX sh, no Python.
#
# Run as:  /bin/sh -c "<this text>" apb-service probe <name> <status?> <pattern?> <enabled?> <arg>...
#     or:  /bin/sh -c "<this text>" apb-service act <name> <service|script> <nops> <op>... <arg>...
# A \`pattern\` comes on stdin, never in the arguments (ps would show it, and find this script).
# Ops: updrc:ACTION (update-rc.d NAME ACTION; stops at a failure), ctl:ACTION (the service command,
# detached, in a clean environment as Ansible runs it), sleep:SECONDS.
# The answer is key=value lines, tools' output in hex (keys ending in _hex), ending with end=1.
set -u
phase=$1 name=$2
shift 2

hex() {
  od -An -v -tx1 | tr -d ' \\n'
}

# The task's PATH finds the init tools; this script's own tools (od, ps, mktemp) are also looked for
# in the usual directories.
task_path=\${PATH-}
PATH=$task_path:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin

# Where Ansible's get_bin_path(NAME, opt_dirs=/sbin:/usr/sbin:/bin:/usr/bin) finds NAME.
find_tool() {
  dirs=/sbin:/usr/sbin:/bin:/usr/bin:$task_path:/sbin:/usr/sbin:/usr/local/sbin:
  while [ -n "$dirs" ]; do
    d=\${dirs%%:*}
    dirs=\${dirs#*:}
    if [ -n "$d" ] && [ -e "$d/$1" ] && [ ! -d "$d/$1" ] && [ -x "$d/$1" ]; then
      printf '%s' "$d/$1"
      return 0
    fi
  done
  return 1
}

out=$(mktemp) || exit 1
err=$(mktemp) || exit 1
trap 'rm -f "$out" "$err"' EXIT

# The locale Ansible picks for the tools it screen-scrapes: the first of these that exists.
loc=C
for l in C.utf8 C.UTF-8 en_US.utf8 en_US.UTF-8; do
  if locale -a 2>/dev/null | grep -qx "$l"; then
    loc=$l
    break
  fi
done
detach=
if command -v setsid >/dev/null 2>&1 && setsid -w true >/dev/null 2>&1; then
  detach='setsid -w'
fi

# ctl KEY CMD...: runs CMD detached from this session, from /, with only the locale in its
# environment; reports KEY_rc, KEY_out_hex, KEY_err_hex.
ctl() {
  key=$1
  shift
  # shellcheck disable=SC2086
  (cd / && exec env -i LANG="$loc" LC_ALL="$loc" LC_MESSAGES="$loc" $detach "$@") >"$out" 2>"$err" </dev/null
  last_rc=$?
  echo "\${key}_rc=$last_rc"
  echo "\${key}_out_hex=$(hex <"$out")"
  echo "\${key}_err_hex=$(hex <"$err")"
}

# The service command and its words: \`service NAME\` or the init script itself.
set_svc() {
  case $1 in
    service) svc_cmd=$(find_tool service) ;;
    *) svc_cmd=/etc/init.d/$name ;;
  esac
}

if [ "$phase" = probe ]; then
  want_status=$1 want_pattern=$2 want_enabled=$3
  shift 3
  pattern=
  [ "$want_pattern" = 1 ] && pattern=$(cat)
  for tool in service chkconfig update-rc.d rc-service rc-update initctl systemctl insserv; do
    if where=$(find_tool "$tool"); then
      echo "tool_$(printf '%s' "$tool" | tr -c 'a-z\\n' '_')_hex=$(printf '%s' "$where" | hex)"
    fi
  done
  [ -f "/etc/init.d/$name" ] && echo initscript=1
  [ -e "/etc/init/$name.conf" ] && echo upstart_conf=1
  # Ansible's own test of systemd running the host, before it looks at init scripts.
  systemd=0
  if find_tool systemctl >/dev/null; then
    for canary in /run/systemd/system/ /dev/.run/systemd/ /dev/.systemd/; do
      [ -e "$canary" ] && systemd=1
    done
    if [ "$systemd" = 0 ] && [ -r /proc/1/comm ] && grep -q systemd /proc/1/comm; then
      systemd=1
    fi
  fi
  echo "systemd=$systemd"

  # The service manager, as Ansible's facts name it (src/facts/service-mgr.sh, put before this script).
  mgr=$(apb_service_mgr)
  echo "service_mgr_hex=$(printf '%s' "$mgr" | hex)"

  if [ "$want_enabled" = 1 ]; then
    s=0 k=0
    for link in /etc/rc?.d/S??"$name"; do [ -e "$link" ] && s=1; done
    for link in /etc/rc?.d/K??"$name"; do [ -e "$link" ] && k=1; done
    echo "slinks=$s"
    echo "klinks=$k"
  fi
  if [ "$want_pattern" = 1 ]; then
    running=0
    psout=$(ps auxww 2>/dev/null) && {
      while IFS= read -r line; do
        case $line in
          *pattern=*) ;;
          *"$pattern"*) running=1 ;;
        esac
      done <<EOF
$psout
EOF
      echo "ps_running=$running"
    }
  elif [ "$want_status" = 1 ] && [ "$systemd" = 0 ] && [ -f "/etc/init.d/$name" ]; then
    if find_tool service >/dev/null; then
      set_svc service
      ctl status "$svc_cmd" "$name" status "$@"
    else
      set_svc script
      ctl status "$svc_cmd" status "$@"
    fi
  fi
  echo end=1
  exit 0
fi

# act: the ops (our own words: updrc:ACTION, ctl:ACTION, sleep:SECONDS) come first, then the
# service's extra arguments, which stay in "$@" as they are.
svc_kind=$1 nops=$2
shift 2
ops=
i=0
while [ "$i" -lt "$nops" ]; do
  i=$((i + 1))
  ops="$ops $1"
  shift
done
set_svc "$svc_kind"
updrc=$(find_tool update-rc.d)
n=0
for op in $ops; do
  n=$((n + 1))
  kind=\${op%%:*}
  what=\${op#*:}
  case $kind in
    updrc)
      ctl "act_$n" "$updrc" "$name" "$what"
      if [ "$last_rc" -ne 0 ]; then
        echo "act_failed=$n"
        break
      fi
      ;;
    sleep) sleep "$what" ;;
    ctl)
      if [ "$svc_kind" = service ]; then
        ctl "act_$n" "$svc_cmd" "$name" "$what" "$@"
      else
        ctl "act_$n" "$svc_cmd" "$what" "$@"
      fi
      ;;
  esac
done
echo end=1
`;

// src/modules/systemd-run.sh
var systemd_run_default = `#!/bin/sh
# apb-systemd: reads (probe) or changes (act) one systemd unit through the target's systemctl, for
# src/modules/systemd.ts. POSIX sh, no Python.
#
# Run as:  /bin/sh -c "<this text>" apb-systemd <scope> <no_block> <force> probe <reload> <reexec> <unit> <masked?> <enabled?>
#     or:  /bin/sh -c "<this text>" apb-systemd <scope> <no_block> <force> act <unit> <query?> <verb:must>...
#
# systemctl is looked up as Ansible's get_bin_path does: $PATH, then /sbin, /usr/sbin, /usr/local/sbin.
# The answer is key=value lines, tools' output in hex (keys ending in _hex), ending with end=1.
set -u
scope=$1 no_block=$2 force=$3 phase=$4
shift 4

hex() {
  od -An -v -tx1 | tr -d ' \\n'
}

# systemctl is looked for in the task's PATH; this script's own tools (od, tr, mktemp) also in the
# usual directories, so that a task's PATH without them still gets Ansible's answer.
task_path=\${PATH-}
PATH=$task_path:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin
paths=$task_path
for d in /sbin /usr/sbin /usr/local/sbin; do
  case ":$paths:" in
    *":$d:"*) ;;
    *) if [ -e "$d" ]; then paths="$paths:$d"; fi ;;
  esac
done
systemctl=
rest=$paths:
while [ -n "$rest" ]; do
  d=\${rest%%:*}
  rest=\${rest#*:}
  if [ -n "$d" ] && [ -e "$d/systemctl" ] && [ ! -d "$d/systemctl" ] && [ -x "$d/systemctl" ]; then
    systemctl=$d/systemctl
    break
  fi
done
if [ -z "$systemctl" ]; then
  printf 'missing_tool=systemctl\\npaths_hex=%s\\nend=1\\n' "$(printf '%s' "$paths" | hex)"
  exit 0
fi
echo "systemctl_hex=$(printf '%s' "$systemctl" | hex)"

# Ansible points a user scope at the caller's runtime directory when none is set.
if [ -z "\${XDG_RUNTIME_DIR+x}" ]; then
  XDG_RUNTIME_DIR=/run/user/$(id -u)
  export XDG_RUNTIME_DIR
fi
# Our own fixed words only (never a user value): expanded unquoted as systemctl options.
opts=
[ "$scope" = system ] || opts="$opts --$scope"
[ "$no_block" = 1 ] && opts="$opts --no-block"
[ "$force" = 1 ] && opts="$opts --force"
set -f

out=$(mktemp) || exit 1
err=$(mktemp) || exit 1
trap 'rm -f "$out" "$err"' EXIT

# sc KEY ARGS...: runs systemctl with the options and ARGS, reports KEY_rc, KEY_out_hex, KEY_err_hex.
sc() {
  key=$1
  shift
  # shellcheck disable=SC2086
  PATH=$task_path LC_ALL=C "$systemctl" $opts "$@" >"$out" 2>"$err" </dev/null
  last_rc=$?
  echo "\${key}_rc=$last_rc"
  echo "\${key}_out_hex=$(hex <"$out")"
  echo "\${key}_err_hex=$(hex <"$err")"
  return "$last_rc"
}

if [ "$phase" = probe ]; then
  reload=$1 reexec=$2 unit=$3 want_masked=$4 want_enabled=$5
  if [ "$reload" = 1 ]; then
    sc reload daemon-reload || {
      echo end=1
      exit 0
    }
  fi
  if [ "$reexec" = 1 ]; then
    sc reexec daemon-reexec || {
      echo end=1
      exit 0
    }
  fi
  if [ -n "$unit" ]; then
    case $unit in
      /*) initd=$unit ;;
      *) initd=/etc/init.d/$unit ;;
    esac
    if [ -e "$initd" ]; then echo initd=1; else echo initd=0; fi
    sc show show "$unit"
    show_rc=$last_rc
    show_text=$(cat "$out" "$err")
    ignored=0
    case $show_text in
      *=*) ;;
      *'ignoring request'* | *'ignoring command'*) ignored=1 ;;
    esac
    if [ "$show_rc" -eq 1 ] && grep -q 'Failed to parse bus message' "$err"; then
      base=\${unit%%@*}
      case $unit in *@*) base=$base@ ;; esac
      sc bus_list list-unit-files "$base*"
      sc bus_active is-active "$unit"
    elif [ "$show_rc" -ne 0 ] || [ "$ignored" = 1 ]; then
      sc fb_enabled is-enabled "$unit"
      sc fb_list list-unit-files "$unit"
      if [ "$last_rc" -ne 0 ]; then
        sc bare
      fi
      # What Ansible checks before it calls a unit's state unknown.
      if [ -n "\${debian_chroot:-}" ]; then
        echo chroot=1
      else
        root_id=$(stat -c '%d:%i' / 2>/dev/null)
        init_root=$(stat -c '%d:%i' /proc/1/root/. 2>/dev/null)
        if [ -n "$init_root" ]; then
          [ "$root_id" = "$init_root" ] && echo chroot=0 || echo chroot=1
        else
          [ "\${root_id#*:}" = 2 ] && echo chroot=0 || echo chroot=1
        fi
      fi
      echo "offline=\${SYSTEMD_OFFLINE:-}"
    fi
    [ "$want_masked" = 1 ] && sc masked is-enabled "$unit"
    if [ "$want_enabled" = 1 ]; then
      sc enabled is-enabled "$unit" -l
      sysv=0
      for link in /etc/rc?.d/S??"$unit"; do
        [ -e "$link" ] && sysv=1
      done
      echo "sysv_enabled=$sysv"
    fi
  fi
  echo end=1
  exit 0
fi

# act: each VERB:MUST runs in turn; a failed one with MUST=1 ends the run (act_failed=N). With
# QUERY=1, \`is-enabled -l\` is read again after a mask or unmask (enabling is decided after masking).
# The op enabled-if:WANT:RC1 (after a mask or unmask, in the same run) reads \`is-enabled -l\` as
# \`enabled\` and enables (WANT=1) or disables (WANT=0) the unit where it says otherwise, by
# systemd.ts's rule: exit 0 is enabled unless the answer is the one line \`indirect\` or \`alias\`; exit 1
# is enabled only with RC1=1 (a system-scope SysV script with S links) and a last line not ending in
# \`disabled\`. The enable or disable is reported as that op's (act_N_verb names it).
unit=$1 query=$2
shift 2
nl='
'
cr=$(printf '\\r')
n=0
for op in "$@"; do
  n=$((n + 1))
  verb=\${op%%:*}
  must=\${op#*:}
  if [ "$verb" = enabled-if ]; then
    want=\${must%%:*}
    rc1=\${must#*:}
    must=1
    sc enabled is-enabled "$unit" -l
    said=$(
      cat "$out"
      printf x
    )
    now=0
    if [ "$last_rc" -eq 0 ]; then
      now=1
      case $said in
        indirectx | "indirect\${nl}x" | "indirect\${cr}\${nl}x" | aliasx | "alias\${nl}x" | "alias\${cr}\${nl}x") now=0 ;;
      esac
    elif [ "$last_rc" -eq 1 ] && [ "$rc1" = 1 ]; then
      tail_line=$(sed -e 's/[[:space:]]*$//' -e '/^$/d' "$out" | tail -n 1)
      case $tail_line in *disabled) ;; *) now=1 ;; esac
    fi
    [ "$now" = "$want" ] && continue
    if [ "$want" = 1 ]; then verb=enable; else verb=disable; fi
    echo "act_\${n}_verb=$verb"
  fi
  sc "act_$n" "$verb" "$unit"
  if [ "$last_rc" -ne 0 ] && [ "$must" = 1 ]; then
    echo "act_failed=$n"
    echo end=1
    exit 0
  fi
  if [ "$query" = 1 ] && { [ "$verb" = mask ] || [ "$verb" = unmask ]; }; then
    sc enabled is-enabled "$unit" -l
  fi
done
echo end=1
`;

// src/modules/systemd.ts
var SCRIPT7 = new ModuleScript("apb-systemd", systemd_run_default, "systemd");
function parseSystemctlShow(text5) {
  const parsed = /* @__PURE__ */ Object.create(null);
  let key;
  let pending = [];
  for (const line of text5.split("\n")) {
    if (key === void 0) {
      const at = line.indexOf("=");
      if (at < 0) continue;
      const name = line.slice(0, at);
      const value = line.slice(at + 1);
      if (name.startsWith("Exec") && value.trimStart().startsWith("{") && !value.trimEnd().endsWith("}")) {
        key = name;
        pending = [value];
        continue;
      }
      parsed[name] = value.trim();
    } else {
      pending.push(line);
      if (line.trimEnd().endsWith("}")) {
        parsed[key] = pending.join("\n").trim();
        key = void 0;
        pending = [];
      }
    }
  }
  return parsed;
}
var UNIT_FILE_STATES = /* @__PURE__ */ new Set([
  "enabled",
  "enabled-runtime",
  "linked",
  "linked-runtime",
  "masked",
  "masked-runtime",
  "static",
  "indirect",
  "disabled",
  "generated",
  "transient"
]);
function requestIgnored(text5) {
  return !text5.includes("=") && (text5.includes("ignoring request") || text5.includes("ignoring command"));
}
async function runScript3(ctx, args) {
  return SCRIPT7.run(await ctx.connection(), args, {
    timeoutMs: ctx.timeoutMs,
    environment: ctx.environment
  });
}
function fail3(msg, extra = {}) {
  return { changed: false, failed: true, msg, ...extra };
}
function missing(unit) {
  return fail3(`Could not find the requested service ${unit}: host`);
}
function flagsOf(p) {
  return [p.scope, p.no_block ? "1" : "0", p.force ? "1" : "0"];
}
function globIn(unit) {
  return unit === null ? void 0 : ["*", "?", "["].find((glob) => unit.includes(glob));
}
function startSystemdProbe(ctx, p) {
  if (globIn(p.name) !== void 0) return void 0;
  return runScript3(ctx, [
    ...flagsOf(p),
    "probe",
    p.daemon_reload && !ctx.check ? "1" : "0",
    p.daemon_reexec && !ctx.check ? "1" : "0",
    p.name ?? "",
    p.masked !== null ? "1" : "0",
    p.enabled !== null ? "1" : "0"
  ]);
}
async function runSystemd(ctx, p, started) {
  const unit = p.name;
  const glob = globIn(unit);
  if (glob !== void 0) {
    return fail3(
      `This module does not currently support using glob patterns, found '${glob}' in service name: ${unit}`
    );
  }
  const flags = flagsOf(p);
  const probe = await (started ?? startSystemdProbe(ctx, p));
  if (probe.get("missing_tool") !== void 0) {
    const paths = probe.bytes("paths_hex")?.toString("utf8") ?? "";
    return fail3(`Failed to find required executable "systemctl" in paths: ${paths}`);
  }
  for (const [key, verb] of [
    ["reload", "daemon-reload"],
    ["reexec", "daemon-reexec"]
  ]) {
    const run = scriptCall(probe, key);
    if (run && run.rc !== 0) return fail3(`failure ${run.rc} during ${verb}: ${run.err}`);
  }
  const result = { name: unit, changed: false, status: {} };
  if (unit === null) return result;
  let status = /* @__PURE__ */ Object.create(null);
  let isSystemd = false;
  const isInitd = probe.get("initd") === "1";
  const show = scriptCall(probe, "show");
  const busList = scriptCall(probe, "bus_list");
  if (show.rc === 0 && !requestIgnored(show.out) && !requestIgnored(show.err)) {
    if (show.out !== "") {
      status = parseSystemctlShow(show.out);
      isSystemd = status["LoadState"] !== void 0 && status["LoadState"] !== "not-found";
      const isMasked = status["LoadState"] === "masked";
      if (isSystemd && !isMasked && status["LoadError"] !== void 0) {
        return fail3(`Error loading unit file '${unit}': ${status["LoadError"]}`);
      }
    }
  } else if (busList) {
    status = parseSystemctlShow(show.out);
    const at = unit.indexOf("@");
    const search = at < 0 ? unit : unit.slice(0, at + 1);
    isSystemd = busList.out.includes(search);
    status["ActiveState"] = (scriptCall(probe, "bus_active")?.out ?? "").replace(/\n+$/, "");
  } else {
    const fallback = scriptCall(probe, "fb_enabled");
    if (UNIT_FILE_STATES.has(fallback.out.trim())) {
      isSystemd = true;
    } else if (scriptCall(probe, "fb_list").rc === 0) {
      isSystemd = true;
    } else {
      const bare = scriptCall(probe, "bare");
      if (bare && bare.rc !== 0) {
        return fail3(bare.err.trimEnd(), {
          cmd: `${probe.bytes("systemctl_hex")?.toString("utf8") ?? "systemctl"}${optionWords(p)}`,
          rc: bare.rc,
          stdout: bare.out,
          stderr: bare.err,
          stdout_lines: lines(bare.out),
          stderr_lines: lines(bare.err)
        });
      }
    }
  }
  result["status"] = status;
  const found = isSystemd || isInitd;
  if (isInitd && !isSystemd) {
    ctx.warn(
      `The service (${unit}) is actually an init script but the system is managed by systemd`
    );
  }
  const ops = [];
  let maskChanges = false;
  if (p.masked !== null) {
    const masked = (scriptCall(probe, "masked")?.out ?? "").trim() === "masked";
    if (masked !== p.masked) {
      result["changed"] = true;
      maskChanges = true;
      ops.push(`${p.masked ? "mask" : "unmask"}:${found ? "0" : "1"}`);
    }
  }
  const enabledRead = scriptCall(probe, "enabled");
  if (p.enabled !== null && !found) {
    return ctx.check || ops.length === 0 ? missing(unit) : flush(missing(unit));
  }
  const enabledFrom = (read) => {
    if (read.rc === 0) {
      const said = read.out.split(/\r?\n/).filter((line, i, all) => i < all.length - 1 || line);
      return !(said.length === 1 && (said[0] === "indirect" || said[0] === "alias"));
    }
    return read.rc === 1 && p.scope === "system" && isInitd && !read.out.trim().endsWith("disabled") && probe.get("sysv_enabled") === "1";
  };
  const reportEnabled = (read) => {
    const enabled = enabledFrom(read);
    result["enabled"] = enabled;
    if (enabled !== p.enabled) {
      result["changed"] = true;
      result["enabled"] = !enabled;
    }
  };
  const enableAfterMask = p.enabled !== null && maskChanges && !ctx.check;
  if (enableAfterMask) {
    const rc1 = p.scope === "system" && isInitd && probe.get("sysv_enabled") === "1";
    ops.push(`enabled-if:${p.enabled ? "1" : "0"}:${rc1 ? "1" : "0"}`);
    result["enabled"] = p.enabled;
  } else if (p.enabled !== null && enabledRead) {
    reportEnabled(enabledRead);
    if (enabledFrom(enabledRead) !== p.enabled) ops.push(`${p.enabled ? "enable" : "disable"}:1`);
  }
  let stateVerb;
  if (p.state !== null) {
    if (!found) return ctx.check || ops.length === 0 ? missing(unit) : flush(missing(unit));
    result["state"] = p.state;
    if (status["ActiveState"] !== void 0) {
      const active = status["ActiveState"];
      const running = active === "active" || active === "activating";
      if (p.state === "started") {
        if (!running) stateVerb = "start";
      } else if (p.state === "stopped") {
        if (running || active === "deactivating") stateVerb = "stop";
      } else {
        stateVerb = running ? p.state.slice(0, -2) : "start";
        result["state"] = "started";
      }
      if (stateVerb) {
        result["changed"] = true;
        ops.push(`${stateVerb}:1`);
      }
    } else if (probe.get("chroot") === "1" || probe.get("offline") === "1") {
      ctx.warn(
        "Target is a chroot or systemd is offline. This can lead to false positives or prevent the init system tools from working."
      );
    } else {
      return ctx.check || ops.length === 0 ? fail3("Service is in unknown state", { status }) : flush(fail3("Service is in unknown state", { status }));
    }
  }
  if (ctx.check || ops.length === 0) return result;
  return flush(result);
  async function flush(done) {
    const acted = await runScript3(ctx, [...flags, "act", unit, "0", ...ops]);
    const failedAt = acted.int("act_failed");
    if (failedAt === void 0) {
      const read = scriptCall(acted, "enabled");
      if (done === result && enableAfterMask && read) reportEnabled(read);
      return done;
    }
    const op = ops[failedAt - 1];
    const verb = acted.get(`act_${failedAt}_verb`) ?? op.slice(0, op.indexOf(":"));
    const run = scriptCall(acted, `act_${failedAt}`);
    if (verb === "mask" || verb === "unmask") return missing(unit);
    if (verb === "enable" || verb === "disable") {
      return fail3(`Unable to ${verb} service ${unit}: ${run.out}${run.err}`);
    }
    return fail3(`Unable to ${verb} service ${unit}: ${run.err}`);
  }
}
function optionWords(p) {
  return `${p.scope === "system" ? "" : ` --${p.scope}`}${p.no_block ? " --no-block" : ""}${p.force ? " --force" : ""}`;
}
function lines(text5) {
  const all = text5.split("\n");
  if (all[all.length - 1] === "") all.pop();
  return all;
}
var systemdModule = {
  name: "systemd",
  supportsCheckMode: true,
  args: {
    options: {
      name: { type: "str", aliases: ["service", "unit"] },
      state: { type: "str", choices: ["reloaded", "restarted", "started", "stopped"] },
      enabled: { type: "bool" },
      force: { type: "bool" },
      masked: { type: "bool" },
      daemon_reload: { type: "bool", default: false, aliases: ["daemon-reload"] },
      daemon_reexec: { type: "bool", default: false, aliases: ["daemon-reexec"] },
      scope: { type: "str", default: "system", choices: ["system", "user", "global"] },
      no_block: { type: "bool", default: false }
    },
    requiredOneOf: [["state", "enabled", "masked", "daemon_reload", "daemon_reexec"]],
    requiredBy: { state: ["name"], enabled: ["name"], masked: ["name"] }
  },
  run(ctx) {
    return runSystemd(ctx, systemdParams(ctx.args));
  }
};
function systemdParams(args) {
  const opt = (key) => args[key] ?? null;
  return {
    name: opt("name"),
    state: opt("state"),
    enabled: opt("enabled"),
    force: opt("force"),
    masked: opt("masked"),
    daemon_reload: args["daemon_reload"] === true,
    daemon_reexec: args["daemon_reexec"] === true,
    scope: args["scope"] ?? "system",
    no_block: args["no_block"] === true
  };
}
var systemdServiceModule = { ...systemdModule, name: "systemd_service" };

// src/modules/service.ts
var SCRIPT8 = new ModuleScript("apb-service", `${service_mgr_default}
${service_run_default}`, "service");
var NOT_FOR_SYSTEMD = ["pattern", "runlevel", "sleep", "arguments", "args"];
async function runScript4(ctx, args, stdin) {
  return SCRIPT8.run(await ctx.connection(), args, {
    timeoutMs: ctx.timeoutMs,
    stdin: stdin ?? "",
    environment: ctx.environment
  });
}
function fail4(msg) {
  return { changed: false, failed: true, msg };
}
function factsServiceManager(vars) {
  const facts = vars["ansible_facts"];
  if (facts && typeof facts === "object") {
    const mgr = facts["service_mgr"];
    if (typeof mgr === "string" && mgr !== "") return mgr;
  }
  return void 0;
}
function runningFromStatus(name, status) {
  if ([1, 2, 3, 4, 69].includes(status.rc)) return false;
  const out = status.out;
  if ((out.match(/\n/g) ?? []).length <= 1) {
    const clean = out.toLowerCase().split(name.toLowerCase()).join("");
    if (clean.includes("stop")) return false;
    if (clean.includes("run")) return !clean.includes("not ");
    if (clean.includes("start") && !clean.includes("not ")) return true;
    for (const dead of [
      "could not access pid file",
      "is dead and pid file exists",
      "dead but subsys locked",
      "dead but pid file exists"
    ]) {
      if (clean.includes(dead)) return false;
    }
  }
  if (status.rc === 0) return true;
  if (name === "iptables" && out.includes("ACCEPT")) return true;
  return void 0;
}
var serviceModule = {
  name: "service",
  supportsCheckMode: true,
  args: {
    options: {
      name: { type: "str", required: true },
      state: { type: "str", choices: ["started", "stopped", "reloaded", "restarted"] },
      sleep: { type: "int" },
      pattern: { type: "str" },
      enabled: { type: "bool" },
      runlevel: { type: "str", default: "default" },
      arguments: { type: "str", default: "", aliases: ["args"] }
    },
    // `use` is the action's, not the module's: Ansible never lists it.
    hidden: ["use"],
    requiredOneOf: [["state", "enabled"]],
    reportedAs: "ansible.legacy.service"
  },
  async run(ctx) {
    const use = String(ctx.args["use"] ?? "auto").toLowerCase();
    const name = ctx.args["name"];
    const state = ctx.args["state"] ?? null;
    const enabled = ctx.args["enabled"] ?? null;
    const pattern = ctx.args["pattern"] ?? null;
    const sleep2 = ctx.args["sleep"] ?? null;
    const words3 = shlexSplit(String(ctx.args["arguments"] ?? ""));
    const factsManager = use === "auto" ? factsServiceManager(ctx.vars) : use;
    const routed = factsManager === void 0 ? void 0 : route(ctx, factsManager);
    if (routed) return routed;
    const systemdProbe = factsManager === void 0 ? startSystemdProbe(ctx, systemdParams2(ctx)) : void 0;
    systemdProbe?.catch(() => void 0);
    const probe = await runScript4(
      ctx,
      [
        "probe",
        name,
        state !== null ? "1" : "0",
        pattern ? "1" : "0",
        enabled !== null ? "1" : "0",
        ...words3
      ],
      pattern ?? ""
    );
    if (factsManager === void 0) {
      const detected = route(
        ctx,
        probe.bytes("service_mgr_hex")?.toString("utf8") ?? "service",
        systemdProbe
      );
      if (detected) return detected;
      await systemdProbe?.catch(() => void 0);
    }
    return runLinuxService(ctx, probe, { name, state, enabled, pattern, sleep: sleep2, words: words3 });
  }
};
function route(ctx, manager, systemdProbe) {
  if (manager === "systemd") {
    const defaults = Object.keys(ctx.moduleDefaults?.("systemd") ?? {});
    if (defaults.length > 0)
      throw new ModuleArgumentError(
        `service: module_defaults for systemd (${defaults.join(", ")}) would reach this task on ${ctx.host}, whose service manager is systemd, as Ansible's service action applies them; async-playbook does not apply them here yet. Use the systemd module for this task, or set the options on it`
      );
    for (const option of NOT_FOR_SYSTEMD) {
      if (Object.hasOwn(ctx.task.args ?? {}, option)) {
        ctx.displayWarning(`Ignoring "${option}" as it is not used in "systemd"`);
      }
    }
    return runSystemd(ctx, systemdParams2(ctx), systemdProbe);
  }
  if (manager === "sysvinit" || manager === "openwrt_init") {
    throw new ModuleArgumentError(
      `service: the service manager of ${ctx.host} is ${manager}, for which Ansible runs its ${manager} module; async-playbook does not implement it yet. Set \`use: service\` to drive the service through the service command and /etc/init.d as Ansible's service module does`
    );
  }
  return void 0;
}
function systemdParams2(ctx) {
  return {
    name: ctx.args["name"],
    state: ctx.args["state"] ?? null,
    enabled: ctx.args["enabled"] ?? null,
    force: null,
    masked: null,
    daemon_reload: false,
    daemon_reexec: false,
    scope: "system",
    no_block: false
  };
}
async function runLinuxService(ctx, probe, p) {
  const tool = (name) => probe.bytes(`tool_${name.replace(/[^a-z]/g, "_")}_hex`)?.toString("utf8");
  const initscript = probe.get("initscript") === "1";
  if (probe.get("systemd") === "1") {
    throw new ModuleArgumentError(
      `service: ${ctx.host} has systemd's runtime directory but another service manager; Ansible's service module would drive systemctl here, which async-playbook does not do through \`service\`: set \`use: systemd\``
    );
  }
  if (tool("initctl") && probe.get("upstart_conf") === "1") {
    throw new ModuleArgumentError(
      `service: ${p.name} is an upstart job on ${ctx.host} (initctl); async-playbook does not drive upstart`
    );
  }
  if (tool("rc-service")) {
    throw new ModuleArgumentError(
      `service: ${ctx.host} runs OpenRC (rc-service, rc-update); async-playbook does not drive OpenRC yet: use a command task (rc-service ${p.name} start, rc-update add ${p.name})`
    );
  }
  let enableTool;
  if (initscript) {
    if (tool("update-rc.d")) enableTool = "update-rc.d";
    else if (tool("insserv")) enableTool = "insserv";
    else if (tool("chkconfig")) enableTool = "chkconfig";
  }
  if (enableTool === void 0) return fail4(`Could not find the requested service ${p.name}: host`);
  const svcKind = tool("service") ? "service" : "script";
  const ops = [];
  let changed = false;
  if (p.enabled !== null) {
    if (enableTool !== "update-rc.d") {
      throw new ModuleArgumentError(
        `service: enabling ${p.name} on ${ctx.host} needs update-rc.d; async-playbook does not drive ${enableTool}`
      );
    }
    const isEnabled = probe.get("slinks") === "1";
    if (p.enabled !== isEnabled) {
      changed = true;
      if (p.enabled && probe.get("klinks") !== "1") ops.push("updrc:defaults");
      ops.push(`updrc:${p.enabled ? "enable" : "disable"}`);
    }
  }
  const result = { name: p.name };
  if (p.enabled !== null) result["enabled"] = p.enabled;
  if (p.state === null) {
    result["changed"] = changed;
    if (!ctx.check && ops.length > 0) {
      const failure4 = await act(ctx, p, svcKind, ops);
      if (failure4) return failure4;
    }
    return result;
  }
  let running;
  if (p.pattern) {
    const seen = probe.get("ps_running");
    running = seen === void 0 ? void 0 : seen === "1";
  } else {
    const status = scriptCall(probe, "status");
    running = status ? runningFromStatus(p.name, status) : void 0;
  }
  if (running === void 0) {
    const failure4 = !ctx.check && ops.length > 0 ? await act(ctx, p, svcKind, ops) : void 0;
    return failure4 ?? fail4("failed determining service state, possible typo of service name?");
  }
  const stateChanges = !running && (p.state === "reloaded" || p.state === "started") || running && (p.state === "reloaded" || p.state === "stopped") || p.state === "restarted";
  if (ctx.check && stateChanges) return { changed: true, msg: "service state changed" };
  if (stateChanges) {
    if (p.state === "restarted") {
      ops.push("ctl:stop");
      if (p.sleep) ops.push(`sleep:${p.sleep}`);
      ops.push("ctl:start");
    } else if (p.state === "started" || p.state === "reloaded" && !running) {
      ops.push("ctl:start");
    } else {
      ops.push(p.state === "stopped" ? "ctl:stop" : "ctl:reload");
    }
  }
  if (!ctx.check && ops.length > 0) {
    const failure4 = await act(ctx, p, svcKind, ops);
    if (failure4) return failure4;
  }
  result["changed"] = changed || stateChanges;
  result["state"] = p.state === "stopped" ? "stopped" : "started";
  return result;
}
async function act(ctx, p, svcKind, ops) {
  const answer = await runScript4(ctx, [
    "act",
    p.name,
    svcKind,
    String(ops.length),
    ...ops,
    ...p.words
  ]);
  const failedAt = answer.int("act_failed");
  if (failedAt !== void 0) {
    const run = scriptCall(answer, `act_${failedAt}`);
    return fail4(run.err !== "" ? run.err : run.out);
  }
  const controls = ops.map((op, i) => ({ op, run: scriptCall(answer, `act_${i + 1}`) })).filter((entry) => entry.op.startsWith("ctl:"));
  if (controls.length === 0) return void 0;
  let rc;
  let out;
  let err;
  if (controls.length === 2) {
    const [stop, start] = [controls[0].run, controls[1].run];
    if (stop.rc !== 0 && start.rc === 0) {
      ;
      ({ rc, out, err } = start);
    } else {
      rc = stop.rc + start.rc;
      out = stop.out + start.out;
      err = stop.err + start.err;
    }
  } else {
    ;
    ({ rc, out, err } = controls[0].run);
  }
  if (rc !== 0 && !(err !== "" && err.includes("Job is already running"))) {
    return fail4(err !== "" ? err : out);
  }
  return void 0;
}

// src/modules/facts.sh
var facts_default = `#!/bin/sh
# Gathers the common facts in one round trip, with POSIX sh and coreutils only (no Python).
# Output: records separated by \\036 (RS), each "kind\\037name\\037value". Parsed by facts.ts.
RS=$(printf '\\036')
US=$(printf '\\037')
fact() { printf '%s%s%s%s%s%s' "fact" "$US" "$1" "$US" "$2" "$RS"; }

fact hostname "$(uname -n 2>/dev/null)"
fact fqdn "$(hostname -f 2>/dev/null || uname -n 2>/dev/null)"
fact kernel "$(uname -r 2>/dev/null)"
fact kernel_version "$(uname -v 2>/dev/null)"
fact architecture "$(uname -m 2>/dev/null)"
fact system "$(uname -s 2>/dev/null)"
fact vcpus "$(grep -c "^processor" /proc/cpuinfo 2>/dev/null || nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null)"
fact memtotal_kb "$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo 2>/dev/null)"
fact memfree_kb "$(awk '/^MemFree:/ { print $2 }' /proc/meminfo 2>/dev/null)"
fact user_id "$(id -un 2>/dev/null)"
fact user_uid "$(id -u 2>/dev/null)"
fact user_gid "$(id -g 2>/dev/null)"
fact user_entry "$(getent passwd "$(id -un 2>/dev/null)" 2>/dev/null)"
fact date "$(date '+%Y %m %d %H %M %S %s %z %Z %w %W %A' 2>/dev/null)"
fact boot_id "$(cat /proc/sys/kernel/random/boot_id 2>/dev/null)"
if [ -r /etc/os-release ]; then
  fact os_release "$(cat /etc/os-release)"
elif [ -r /usr/lib/os-release ]; then
  fact os_release "$(cat /usr/lib/os-release)"
fi
if [ -r /etc/debian_version ]; then
  fact debian_version "$(cat /etc/debian_version)"
fi
if [ "$(uname -s 2>/dev/null)" = Darwin ]; then
  fact macos_version "$(sw_vers -productVersion 2>/dev/null)"
fi
# apb_service_mgr: src/facts/service-mgr.sh, put before this script by setup.ts.
fact service_mgr "$(apb_service_mgr)"
awk -v us="$US" -v rs="$RS" 'BEGIN { for (k in ENVIRON) printf "env%s%s%s%s%s", us, k, us, ENVIRON[k], rs }'
`;

// src/modules/setup.ts
var RECORD = "";
var FIELD = "";
var DISTRIBUTIONS = {
  debian: ["Debian", "Debian"],
  ubuntu: ["Ubuntu", "Debian"],
  raspbian: ["Debian", "Debian"],
  linuxmint: ["Linux Mint", "Debian"],
  pop: ["Pop!_OS", "Debian"],
  kali: ["Kali", "Debian"],
  rhel: ["RedHat", "RedHat"],
  centos: ["CentOS", "RedHat"],
  fedora: ["Fedora", "RedHat"],
  rocky: ["Rocky", "RedHat"],
  almalinux: ["AlmaLinux", "RedHat"],
  ol: ["OracleLinux", "RedHat"],
  amzn: ["Amazon", "RedHat"],
  alpine: ["Alpine", "Alpine"],
  arch: ["Archlinux", "Archlinux"],
  sles: ["SLES", "Suse"],
  "opensuse-leap": ["openSUSE Leap", "Suse"],
  "opensuse-tumbleweed": ["openSUSE Tumbleweed", "Suse"],
  gentoo: ["Gentoo", "Gentoo"],
  freebsd: ["FreeBSD", "FreeBSD"]
};
var setupModule = {
  name: "setup",
  // Changes nothing on the target: runs as usual in check mode.
  supportsCheckMode: true,
  // Ansible's setup arguments. gather_subset, gather_timeout and fact_path do not change what is
  // gathered here (the facts script gathers the same set whatever they say); `filter` keeps the facts
  // whose names match one of its patterns, as Ansible's does.
  args: {
    options: {
      gather_subset: { type: "list", elements: "str", default: ["all"] },
      gather_timeout: { type: "int", default: 10 },
      filter: { type: "list", elements: "str", default: [] },
      fact_path: { type: "path", default: "/etc/ansible/facts.d" }
    }
  },
  async run(ctx) {
    const connection = await ctx.connection();
    const res = await connection.run(`${service_mgr_default}
${facts_default}`, {
      timeoutMs: ctx.timeoutMs
    });
    if (res.code !== 0) {
      throw new ModuleArgumentError(
        `fact gathering failed (rc=${res.code}): ${res.stderr.toString("utf8").trim()}`
      );
    }
    const facts = filterFacts(parseFacts(res.stdout.toString("utf8")), ctx.args["filter"]);
    return { ansible_facts: facts, changed: false };
  }
};
function filterFacts(facts, patterns) {
  const list = Array.isArray(patterns) ? patterns.map(String) : [];
  if (list.length === 0 || list.length === 1 && list[0] === "*") return facts;
  const matchers = list.map((pattern) => {
    const own = new RegExp(`^${fnmatchSource(pattern)}$`);
    const prefixed = /^(ansible_|facter|ohai)/.test(pattern) ? void 0 : new RegExp(`^${fnmatchSource(`ansible_${pattern}`)}$`);
    return (name) => pattern === "" || own.test(name) || (prefixed?.test(name) ?? false);
  });
  const kept = {};
  for (const [name, value] of Object.entries(facts))
    if (matchers.some((matches2) => matches2(name))) kept[name] = value;
  return kept;
}
function parseFacts(output2) {
  const raw = {};
  const env = {};
  for (const record2 of output2.split(RECORD)) {
    const [kind, name, ...rest] = record2.split(FIELD);
    if (!name) continue;
    const value = rest.join(FIELD);
    if (kind === "env") env[name] = value;
    else if (kind === "fact") raw[name] = value.replace(/\n$/, "");
  }
  const osRelease = parseOsRelease(raw["os_release"] ?? "");
  const id = (osRelease["ID"] ?? (raw["system"] ?? "").toLowerCase()).toLowerCase();
  const [distribution, family] = DISTRIBUTIONS[id] ?? [
    osRelease["NAME"] ?? raw["system"] ?? "NA",
    raw["system"] ?? "NA"
  ];
  let version = osRelease["VERSION_ID"] ?? raw["macos_version"] ?? "NA";
  if (id === "debian" && raw["debian_version"] && /^\d/.test(raw["debian_version"]))
    version = raw["debian_version"];
  const passwd = (raw["user_entry"] ?? "").split(":");
  const memKb = Number(raw["memtotal_kb"] ?? 0);
  const hostname = raw["hostname"] ?? "";
  return {
    ansible_hostname: hostname.split(".")[0],
    ansible_nodename: hostname,
    ansible_fqdn: raw["fqdn"] || hostname,
    ansible_domain: (raw["fqdn"] ?? "").includes(".") ? (raw["fqdn"] ?? "").split(".").slice(1).join(".") : "",
    ansible_distribution: distribution,
    ansible_distribution_version: version,
    ansible_distribution_major_version: version.split(".")[0],
    ansible_distribution_release: osRelease["VERSION_CODENAME"] ?? "NA",
    ansible_os_family: family,
    ansible_system: raw["system"],
    ansible_kernel: raw["kernel"],
    ansible_kernel_version: raw["kernel_version"],
    ansible_architecture: raw["architecture"],
    ansible_machine: raw["architecture"],
    ansible_processor_vcpus: Number(raw["vcpus"] ?? 0) || 1,
    ansible_memtotal_mb: Math.floor(memKb / 1024),
    ansible_memfree_mb: Math.floor(Number(raw["memfree_kb"] ?? 0) / 1024),
    ansible_user_id: raw["user_id"],
    ansible_user_uid: Number(raw["user_uid"]),
    ansible_user_gid: Number(raw["user_gid"]),
    ansible_user_dir: passwd[5] ?? env["HOME"],
    ansible_user_shell: passwd[6] ?? env["SHELL"],
    ansible_env: env,
    ansible_date_time: dateTimeFacts(raw["date"] ?? ""),
    ansible_boot_id: raw["boot_id"] ?? "",
    ansible_service_mgr: raw["service_mgr"] || "service",
    gather_subset: ["all"],
    module_setup: true
  };
}
function parseOsRelease(text5) {
  const out = {};
  for (const line of text5.split("\n")) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2].replace(/^["']|["']$/g, "");
  }
  return out;
}
function dateTimeFacts(line) {
  const [
    year,
    month,
    day,
    hour,
    minute,
    second,
    epoch3,
    tzOffset,
    tz,
    weekdayNumber,
    weeknumber,
    weekday
  ] = line.split(" ");
  const epochSeconds = Number(epoch3);
  const utc = Number.isFinite(epochSeconds) ? new Date(epochSeconds * 1e3).toISOString().replace(".000Z", "Z") : "";
  return {
    year: year ?? "",
    month: month ?? "",
    day: day ?? "",
    hour: hour ?? "",
    minute: minute ?? "",
    second: second ?? "",
    epoch: epoch3 ?? "",
    epoch_int: epoch3 ?? "",
    date: `${year}-${month}-${day}`,
    time: `${hour}:${minute}:${second}`,
    iso8601: utc,
    iso8601_micro: utc.replace("Z", ".000000Z"),
    iso8601_basic: `${year}${month}${day}T${hour}${minute}${second}000000`,
    iso8601_basic_short: `${year}${month}${day}T${hour}${minute}${second}`,
    tz: tz ?? "",
    tz_dst: tz ?? "",
    tz_offset: tzOffset ?? "",
    weekday: weekday ?? "",
    weekday_number: weekdayNumber ?? "",
    weeknumber: weeknumber ?? ""
  };
}

// src/modules/gather-facts.ts
var gatherFactsModule = {
  name: "gather_facts",
  supportsCheckMode: true,
  args: {
    options: {
      ...setupModule.args.options,
      parallel: { type: "bool" }
    }
  },
  async run(ctx) {
    const given = /* @__PURE__ */ Object.create(null);
    for (const [key, value] of Object.entries(ctx.moduleDefaults?.("setup") ?? {}))
      given[key] = value;
    for (const key of Object.keys(ctx.task.args))
      if (key !== "parallel" && key in ctx.args) given[key] = ctx.args[key];
    const task = { ...ctx.task, action: "setup", module: "setup", args: given };
    const prepared = prepareModuleRun(setupModule, given, task, {
      check: ctx.check,
      diff: ctx.diff
    });
    const result = "result" in prepared ? prepared.result : await runModule(
      setupModule,
      { ...ctx, args: prepared.validation.args, task },
      prepared.validation
    );
    if (result["failed"]) return result;
    const list = (value) => Array.isArray(value) ? value : [];
    return {
      ansible_facts: result["ansible_facts"] ?? {},
      warnings: list(result["warnings"]),
      deprecations: list(result["deprecations"]),
      changed: false
    };
  }
};

// src/modules/shell.ts
var shellModule = {
  name: "shell",
  ...commandFamily,
  run: (ctx) => runCommandModule(ctx, boolArg(ctx.args["_uses_shell"], "_uses_shell", true))
};

// src/modules/slurp.ts
var slurpModule = {
  name: "slurp",
  supportsCheckMode: true,
  args: { options: { src: { type: "path", required: true, aliases: ["path"] } } },
  async run(ctx) {
    const source = await expandOnTarget(ctx, ctx.args["src"]);
    const read = await readWholeFile(ctx, source);
    if ("failure" in read) return { changed: false, failed: true, msg: read.failure.msg };
    return { changed: false, content: read.bytes.toString("base64"), source, encoding: "base64" };
  }
};

// src/modules/stat.ts
var statModule = {
  name: "stat",
  supportsCheckMode: true,
  args: {
    options: {
      path: { type: "path", required: true, aliases: ["dest", "name"] },
      follow: { type: "bool", default: false },
      get_checksum: { type: "bool", default: true },
      checksum_algorithm: {
        type: "str",
        default: "sha1",
        choices: CHECKSUM_ALGORITHMS,
        aliases: ["checksum", "checksum_algo"]
      },
      get_mime: { type: "bool", default: true, aliases: ["mime", "mime_type", "mime-type"] },
      get_attributes: { type: "bool", default: true, aliases: ["attr", "attributes"] },
      get_md5: {
        type: "bool",
        default: false,
        notImplemented: "use `checksum_algorithm: md5` (the `checksum` field) instead"
      }
    }
  },
  async run(ctx) {
    const args = ctx.args;
    const { path: path27, state } = await readTargetPath(ctx, args["path"], {
      follow: args["follow"] === true,
      checksum: args["get_checksum"] === true ? args["checksum_algorithm"] : false,
      mime: args["get_mime"] === true,
      attributes: args["get_attributes"] === true
    });
    if (!state.exists) {
      if (state.error !== void 0) return { changed: false, failed: true, msg: state.error };
      return { changed: false, stat: { exists: false } };
    }
    return { changed: false, stat: ansibleStat(path27, state) };
  }
};
function ansibleStat(path27, state) {
  const out = {
    exists: true,
    path: path27,
    mode: state.mode,
    ...typeFlags(state.type),
    uid: state.uid,
    gid: state.gid,
    size: state.size,
    inode: state.inode,
    dev: state.dev,
    nlink: state.nlink,
    atime: state.atime,
    mtime: state.mtime,
    ctime: state.ctime,
    ...permissionFlags(state.permissions),
    blocks: state.blocks,
    block_size: state.blockSize,
    device_type: state.deviceType,
    readable: state.readable,
    writeable: state.writeable,
    executable: state.executable
  };
  if (state.type === "link") {
    out["lnk_source"] = state.linkSource ?? path27;
    out["lnk_target"] = state.linkTarget;
  }
  if (state.owner !== void 0) out["pw_name"] = state.owner;
  if (state.group !== void 0) out["gr_name"] = state.group;
  if (state.checksum !== void 0) out["checksum"] = state.checksum;
  if (state.mimeType !== void 0) {
    out["mimetype"] = state.mimeType;
    out["charset"] = state.charset;
  }
  if (state.attributes !== void 0) {
    out["version"] = state.attributes.version;
    out["attributes"] = state.attributes.names;
    out["attr_flags"] = state.attributes.flags;
  }
  return out;
}

// src/modules/sysctl.sh
var sysctl_default = `#!/bin/sh
# apb-sysctl: reads and changes one kernel parameter and a sysctl file on the target with its own sysctl
# tool. POSIX sh.
#
# Run as:  /bin/sh -c "<this text>" apb-sysctl probe <name> <file>
#     or:  /bin/sh -c "<this text>" apb-sysctl act <sysctl> <name> <value> <set 0|1> <write 0|1>
#            <reload 0|1> <ignoreerrors 0|1> <file>      (the file's new text on stdin when write=1)
# (src/modules/sysctl.ts decides what to do from the probe's answer)
#
# probe answers: sysctl=<path> (or missing_tool=sysctl and path_hex), proc_rc and proc_hex (what
# \`sysctl -e -n NAME\` printed), and for the file: file=none|unreadable|read with file_hex (its text).
# act answers: fail_hex=<message> when sysctl failed or the file could not be written. Last line end=1.
set -u
PATH=$PATH:/usr/sbin:/sbin:/usr/local/sbin
export PATH
LANG=C LC_ALL=C LC_MESSAGES=C
export LANG LC_ALL LC_MESSAGES

hex() {
  od -An -v -tx1 | tr -d ' \\n'
}
say() {
  printf '%s=%s\\n' "$1" "$(printf '%s' "$2" | hex)"
}

scratch=$(mktemp -d "\${TMPDIR:-/tmp}/apb-sysctl.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT

# failed: whether sysctl refused although it exited 0 (it reports some refusals on stderr only).
failed() {
  [ "$1" != 0 ] || grep -Eq '^sysctl: setting key "[^"]+": (Invalid argument|Read-only file system)$' "$scratch/err"
}
output() {
  cat "$scratch/out" "$scratch/err"
}

if [ "$1" = probe ]; then
  name=$2 file=$3
  tool=$(command -v sysctl 2>/dev/null) || tool=
  if [ -z "$tool" ]; then
    say path_hex "$PATH"
    echo missing_tool=sysctl
    echo end=1
    exit 0
  fi
  echo "sysctl=$tool"
  rc=0
  "$tool" -e -n "$name" >"$scratch/out" 2>/dev/null </dev/null || rc=$?
  echo "proc_rc=$rc"
  echo "proc_hex=$(hex <"$scratch/out")"
  if [ ! -f "$file" ]; then
    echo file=none
  elif [ ! -r "$file" ]; then
    echo file=unreadable
  else
    echo file=read
    echo "file_hex=$(hex <"$file")"
  fi
  echo end=1
  exit 0
fi

tool=$2 name=$3 value=$4 set_proc=$5 write=$6 reload=$7 ignore=$8 file=$9
if [ "$set_proc" = 1 ]; then
  set -- "$tool"
  [ "$ignore" = 1 ] && set -- "$@" -e
  rc=0
  "$@" -w "$name=$value" >"$scratch/out" 2>"$scratch/err" </dev/null || rc=$?
  if failed "$rc"; then
    message=$(output; echo x)
    say fail_hex "setting $name failed: \${message%x}"
    echo end=1
    exit 0
  fi
fi
if [ "$write" = 1 ]; then
  dir=$(dirname -- "$file")
  if ! tmp=$(mktemp "$dir/.ansible_m_sysctl_XXXXXX" 2>"$scratch/err"); then
    say fail_hex "Failed to write to a temporary file in $dir: $(cat "$scratch/err")"
    echo end=1
    exit 0
  fi
  cat >"$tmp"
  if [ -e "$file" ]; then
    # The file keeps its mode and owner, as Ansible's atomic move keeps them.
    chmod "$(stat -c %a "$file")" "$tmp" 2>/dev/null
    chown "$(stat -c %u:%g "$file")" "$tmp" 2>/dev/null
  else
    chmod "$(printf '%o' $((0666 & ~0$(umask))))" "$tmp"
  fi
  if ! mv -f -- "$tmp" "$file" 2>"$scratch/err"; then
    rm -f -- "$tmp"
    say fail_hex "Failed to write $file: $(cat "$scratch/err")"
    echo end=1
    exit 0
  fi
fi
if [ "$reload" = 1 ]; then
  set -- "$tool"
  [ "$ignore" = 1 ] && set -- "$@" -e
  rc=0
  "$@" -p "$file" >"$scratch/out" 2>"$scratch/err" </dev/null || rc=$?
  if failed "$rc"; then
    message=$(output; echo x)
    say fail_hex "Failed to reload sysctl: \${message%x}"
  fi
fi
echo end=1
`;

// src/modules/sysctl.ts
var WHITESPACE = (
  // eslint-disable-next-line no-control-regex -- Python's whitespace includes these separators
  /[ \t\n\r\v\f\x1c-\x1f\x85\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u
);
var pyStrip = (text5) => text5.replace(new RegExp(`^${WHITESPACE.source}`, "u"), "").replace(new RegExp(`${WHITESPACE.source}$`, "u"), "");
var pySplit = (text5) => text5.split(WHITESPACE).filter((word) => word !== "");
var TRUE_WORDS = /* @__PURE__ */ new Set(["y", "yes", "on", "1", "true", "t"]);
var FALSE_WORDS = /* @__PURE__ */ new Set(["n", "no", "off", "0", "false", "f"]);
var sysctlModule = {
  name: "sysctl",
  fqcns: ["ansible.posix.sysctl"],
  supportsCheckMode: true,
  args: {
    options: {
      name: { type: "str", required: true, aliases: ["key"] },
      value: { type: "str", aliases: ["val"] },
      state: { type: "str", default: "present", choices: ["present", "absent"] },
      reload: { type: "bool", default: true },
      sysctl_set: { type: "bool", default: false },
      ignoreerrors: { type: "bool", default: false },
      sysctl_file: { type: "path", default: "/etc/sysctl.conf" }
    },
    requiredIf: [["state", "present", ["value"]]]
  },
  async run(ctx) {
    const rawName = ctx.args["name"];
    const rawValue = ctx.args["value"];
    const state = ctx.args["state"];
    const reload = ctx.args["reload"];
    const sysctlSet = ctx.args["sysctl_set"];
    const ignoreErrors = ctx.args["ignoreerrors"];
    const file = ctx.args["sysctl_file"];
    const fail6 = (msg) => ({ changed: false, failed: true, msg });
    if (rawName === null) return fail6("name cannot be None");
    if (state === "present" && (rawValue === null || rawValue === void 0))
      return fail6("value cannot be None");
    if (rawName === "") return fail6("name cannot be blank");
    if (state === "present" && rawValue === "") return fail6("value cannot be blank");
    const name = pyStrip(rawName);
    const value = parseValue(rawValue);
    const probe = await runScript5(ctx, ["probe", name, file]);
    const tool = probe.get("sysctl");
    if (tool === void 0) {
      return fail6(
        `Failed to find required executable "sysctl" in paths: ${probe.bytes("path_hex")?.toString("utf8") ?? ""}`
      );
    }
    const procValue = probe.int("proc_rc") === 0 ? probe.bytes("proc_hex")?.toString("utf8") ?? "" : void 0;
    const fileState2 = probe.get("file");
    if (fileState2 === "unreadable") {
      return fail6(`Failed to open ${file}: [Errno 13] Permission denied: '${file}'`);
    }
    const text5 = fileState2 === "read" ? probe.bytes("file_hex")?.toString("utf8") ?? "" : "";
    const { values, fixed } = rewrite(text5, name, state === "present" ? value : void 0);
    const inFile = values.get(name);
    let changed = false;
    let write = false;
    let setProc = false;
    if (inFile === void 0) {
      if (state === "present") changed = write = true;
    } else if (state === "absent") {
      if (inFile !== "") changed = write = true;
    } else if (inFile !== value) {
      changed = write = true;
    } else if (reload && !sameValues(procValue, value)) {
      changed = true;
    }
    if (sysctlSet && state === "present" && !sameValues(procValue, value)) {
      changed = true;
      if (procValue !== void 0) setProc = true;
    }
    if (!ctx.check && (setProc || write || changed && reload)) {
      const act2 = await runScript5(
        ctx,
        [
          "act",
          tool,
          name,
          value,
          setProc ? "1" : "0",
          write ? "1" : "0",
          changed && reload ? "1" : "0",
          ignoreErrors ? "1" : "0",
          file
        ],
        write ? fixed : void 0
      );
      const failure4 = act2.bytes("fail_hex")?.toString("utf8");
      if (failure4 !== void 0) return fail6(failure4);
    }
    return { changed };
  }
};
function parseValue(value) {
  if (value === null || value === void 0) return "";
  const lower = value.toLowerCase();
  if (TRUE_WORDS.has(lower)) return "1";
  if (FALSE_WORDS.has(lower)) return "0";
  return pyStrip(value);
}
function sameValues(a, b) {
  if (a === void 0) return false;
  const left = pySplit(a);
  const right = pySplit(b);
  return left.length === right.length && left.every((word, i) => word === right[i]);
}
function rewrite(text5, name, value) {
  const normal = text5.replace(/\r\n?/g, "\n");
  const lines2 = normal === "" ? [] : normal.split(/(?<=\n)/);
  const values = /* @__PURE__ */ new Map();
  const seen = /* @__PURE__ */ new Set();
  const out = [];
  for (const raw of lines2) {
    const line = pyStrip(raw);
    if (line === "" || line.startsWith("#") || line.startsWith(";") || !line.includes("=")) {
      out.push(line);
      continue;
    }
    const at = line.indexOf("=");
    const key = pyStrip(line.slice(0, at));
    const val = pyStrip(line.slice(at + 1));
    values.set(key, val);
    if (seen.has(key)) continue;
    seen.add(key);
    if (key !== name) out.push(`${key}=${val}`);
    else if (value !== void 0) out.push(`${key}=${value}`);
  }
  if (!seen.has(name) && value !== void 0) out.push(`${name}=${value}`);
  return { values, fixed: out.map((line) => `${pyStrip(line)}
`).join("") };
}
var SCRIPT9 = new ModuleScript("apb-sysctl", sysctl_default, "sysctl");
async function runScript5(ctx, argv, stdin) {
  return SCRIPT9.run(await ctx.connection(), argv, {
    timeoutMs: ctx.timeoutMs,
    environment: ctx.environment,
    ...stdin === void 0 ? {} : { stdin }
  });
}

// src/modules/template.ts
import { statSync as statSync6 } from "node:fs";
import path17 from "node:path";
var templateModule = {
  name: "template",
  supportsCheckMode: true,
  args: {
    options: {
      ...untypedOptions(
        "src",
        "dest",
        "mode",
        "force",
        "backup",
        "validate",
        "owner",
        "group",
        "newline_sequence",
        "trim_blocks",
        "lstrip_blocks",
        "output_encoding",
        "block_start_string",
        "block_end_string",
        "variable_start_string",
        "variable_end_string",
        "comment_start_string",
        "comment_end_string",
        "follow",
        "checksum"
      ),
      ...FILE_OPTIONS_REFUSED
    }
  },
  async run(ctx) {
    const args = ctx.args;
    let syntax;
    try {
      syntax = templateSyntax(args);
    } catch (error) {
      if (error instanceof UnexpectedFailure) return unexpectedFailure(error.message);
      throw error;
    }
    const src = optionalString(args["src"]);
    if (!src) throw new ModuleArgumentError("missing required arguments: src");
    let dest = optionalString(args["dest"]);
    if (!dest) throw new ModuleArgumentError("missing required arguments: dest");
    const local = findControllerFile(src, "templates", ctx);
    const text5 = renderFile(ctx, decodeUtf8SurrogateEscape(readControllerFile(local)), {
      ...syntax,
      variables: templateVariables(src, local, dest),
      searchPath: includeSearchPath(ctx, local)
    });
    const encoded = encodeOutput(text5, args["output_encoding"]);
    if (!Buffer.isBuffer(encoded)) return encoded;
    const mode = normaliseMode(args["mode"], () => statSync6(local).mode);
    const facts = factsFor(ctx);
    dest = await expandUser(facts, dest, ctx.timeoutMs);
    let state = await inspectRemote(facts, dest);
    if (state.kind === "dir") {
      dest = `${dest.replace(/\/+$/, "")}/${path17.basename(src)}`;
      state = await inspectRemote(facts, dest);
      if (state.kind === "dir") throw new ModuleArgumentError(`destination ${dest} is a directory`);
    }
    const result = await transferWithArgs(facts, args, {
      dest,
      content: encoded,
      mode,
      state,
      check: ctx.check,
      diff: ctx.diff,
      afterHeader: local,
      timeoutMs: ctx.timeoutMs
    });
    if (result["failed"] !== true && !ctx.check) result["src"] = local;
    return isVaultedFile(local) ? hideVaultedDiff(result) : result;
  }
};
var NEWLINE_SEQUENCES = {
  "\n": "\n",
  "\r": "\r",
  "\r\n": "\r\n",
  "\\n": "\n",
  "\\r": "\r",
  "\\r\\n": "\r\n"
};
function unexpectedFailure(message2) {
  return Object.defineProperty(
    { failed: true, msg: `Unexpected failure during module execution: ${message2}`, stdout: "" },
    UNEXPECTED_FAILURE,
    { value: true }
  );
}
var UnexpectedFailure = class extends Error {
};
function stringOption(value) {
  if (typeof value !== "string" && !isNumeric(value) && typeof value !== "boolean")
    throw new UnexpectedFailure(`Invalid type provided for "string": ${pythonStr(value)}`);
  const text5 = pythonStr(value);
  const quoted = text5.length > 1 && (text5[0] === '"' || text5[0] === "'") && text5[text5.length - 1] === text5[0] && text5[text5.length - 2] !== "\\";
  return quoted ? text5.slice(1, -1) : text5;
}
function templateSyntax(args) {
  const present2 = (name) => args[name] !== void 0 && args[name] !== null;
  const syntax = {};
  const newline = present2("newline_sequence") ? stringOption(args["newline_sequence"]) : void 0;
  for (const [option, setting] of Object.entries(DELIMITER_SETTINGS))
    if (present2(option)) syntax[setting] = stringOption(args[option]);
  const flag2 = (name, fallback) => {
    if (!present2(name)) return fallback;
    try {
      return ansibleBoolean(args[name], "lenient");
    } catch (error) {
      throw new ModuleArgumentError(error.message);
    }
  };
  syntax.trimBlocks = flag2("trim_blocks", true);
  syntax.lstripBlocks = flag2("lstrip_blocks", false);
  if (newline !== void 0) {
    const sequence = Object.hasOwn(NEWLINE_SEQUENCES, newline) ? NEWLINE_SEQUENCES[newline] : void 0;
    if (sequence === void 0)
      throw new ModuleArgumentError("newline_sequence needs to be one of: \n, \r or \r\n");
    syntax.newlineSequence = sequence;
  }
  return syntax;
}
function encodeOutput(text5, encoding) {
  const name = pyTruthy(encoding) ? encoding : "utf-8";
  if (typeof name !== "string")
    return unexpectedFailure(`encode() argument 'encoding' must be str, not ${pyTypeName(name)}`);
  try {
    return encodePython(text5, name);
  } catch (error) {
    if (error instanceof UnknownEncodingError || error instanceof PythonEncodeError)
      return unexpectedFailure(error.message);
    throw new ModuleArgumentError(error.message);
  }
}
function renderFile(ctx, text5, options2) {
  try {
    return ctx.render(text5, options2);
  } catch (error) {
    if (error instanceof UndefinedVariableError)
      throw new ModuleArgumentError(`AnsibleUndefinedVariable: ${error.message}. ${error.message}`);
    if (error instanceof TemplateError)
      throw new ModuleArgumentError(`AnsibleError: ${error.message}`);
    throw error;
  }
}
function includeSearchPath(ctx, template) {
  const known = ctx.vars["ansible_search_path"];
  const dirs = [
    ...Array.isArray(known) ? known.filter((p) => typeof p === "string") : [],
    ctx.baseDir,
    path17.dirname(template)
  ];
  return dirs.flatMap((dir) => [path17.join(dir, "templates"), dir]);
}

// src/modules/uri-act.sh
var uri_act_default = '# shellcheck shell=sh\n# apb-uri-act: what the uri module does with a response written to a temporary file next to dest\n# (describe_path from path-info.sh is defined before this). POSIX sh.\n#\n# Arguments: TMP FINAL WRITE MODE OWNER GROUP WANT_BODY CAP EMPTY. MODE, OWNER and GROUP are\n# prefixed with `-` when not given and `+` when given. EMPTY=1: FINAL gets no content (what Ansible\n# writes for a status it accepts that is no 2xx, and for HEAD); the body is still read from TMP.\n# WRITE=1: the response replaces FINAL, atomically (mv in one\n# directory), unless FINAL already holds the same bytes; a file it replaces keeps its mode and owner,\n# a new one gets what the umask leaves of 0666 (as Ansible\'s atomic_move). Then MODE (chmod), OWNER\n# and GROUP are applied. WRITE=0: TMP is removed.\n# Prints key=value lines ending with end=1 (describe_path\'s for FINAL, errors as *_error_hex), then,\n# with WANT_BODY=1, the first CAP bytes of the body (body_len of them).\ntmp=$1\nfinal=$2\nwrite=$3\nmode=$4\nowner=$5\ngroup=$6\nwant_body=$7\ncap=$8\nempty=$9\nhex() { printf \'%s\' "$1" | od -An -v -tx1 | tr -d \' \\n\'; }\nfail() {\n  echo "$1_error_hex=$(hex "$2")"\n  rm -f "$tmp" ${src:+"$src"}\n  describe_path "$final"\n  echo end=1\n  exit 0\n}\nbody=$tmp\nsrc=$tmp\nif [ "$write" = 1 ]; then\n  if [ "$empty" = 1 ]; then\n    src=$(umask 077 && mktemp "$tmp.XXXXXX" 2>&1) || fail write "$src"\n  fi\n  if [ -f "$final" ] && cmp -s "$src" "$final"; then\n    rm -f "$src"\n  else\n    if [ -f "$final" ]; then\n      perms=$(stat -c %a -- "$final")\n      ids=$(stat -c %u:%g -- "$final")\n      chown "$ids" "$src" 2>/dev/null\n    else\n      perms=$(printf \'%o\' $((0666 & ~$(umask))))\n    fi\n    chmod "$perms" "$src"\n    err=$(mv -f "$src" "$final" 2>&1) || fail write "$err"\n  fi\n  [ "$src" = "$tmp" ] && body=$final\n  case $mode in\n    +*) err=$(chmod "${mode#+}" "$final" 2>&1) || fail mode "$err" ;;\n  esac\n  case $owner in\n    +*) err=$(chown "${owner#+}" "$final" 2>&1) || fail owner "$err" ;;\n  esac\n  case $group in\n    +*) err=$(chgrp "${group#+}" "$final" 2>&1) || fail group "$err" ;;\n  esac\nfi\ndescribe_path "$final"\nbody_len=0\nif [ "$want_body" = 1 ] && [ -f "$body" ]; then\n  body_len=$(($(wc -c <"$body")))\n  [ "$body_len" -gt "$cap" ] && body_len=$cap\nfi\necho "body_len=$body_len"\necho end=1\n[ "$body_len" -gt 0 ] && dd if="$body" bs="$body_len" count=1 2>/dev/null\n[ "$body" = "$final" ] || rm -f "$tmp"\nexit 0\n';

// src/modules/uri-probe.sh
var uri_probe_default = '# shellcheck shell=sh\n# apb-uri-probe: what the uri module reads before its request (apb_expand from expand-args.sh is\n# defined before this). POSIX sh.\n#\n# Arguments: CREATES REMOVES DEST, each prefixed with `-` when not given and `+` when given (so that an\n# empty value stays an argument). Paths are expanded as Ansible\'s `path` type expands them ($VAR, ~).\n# Prints skip=creates or skip=removes (with the expanded path in hex) when the request must not be\n# made; otherwise, for DEST, its expanded path, its kind (dir, file, other, none), its mtime (epoch\n# seconds) when a file, and a private (0600) temporary file next to it (in it, for a directory) that\n# the transport writes the response to, or why none could be made.\nhex() { printf \'%s\' "$1" | od -An -v -tx1 | tr -d \' \\n\'; }\nexpand() {\n  expanded=$(apb_expand "$1")\n  expanded=${expanded%x}\n}\ncase $1 in\n  +*)\n    expand "${1#+}"\n    echo "creates_hex=$(hex "$expanded")"\n    if [ -e "$expanded" ]; then\n      echo skip=creates\n      echo end=1\n      exit 0\n    fi\n    ;;\nesac\ncase $2 in\n  +*)\n    expand "${2#+}"\n    echo "removes_hex=$(hex "$expanded")"\n    if [ ! -e "$expanded" ]; then\n      echo skip=removes\n      echo end=1\n      exit 0\n    fi\n    ;;\nesac\ncase $3 in\n  +*)\n    expand "${3#+}"\n    dest=$expanded\n    echo "dest_hex=$(hex "$dest")"\n    if [ -d "$dest" ]; then\n      echo dest_kind=dir\n      dir=$dest\n    else\n      if [ -f "$dest" ]; then\n        echo dest_kind=file\n        echo "dest_mtime=$(stat -c %Y -- "$dest" 2>/dev/null)"\n      elif [ -e "$dest" ] || [ -L "$dest" ]; then\n        echo dest_kind=other\n      else\n        echo dest_kind=none\n      fi\n      case $dest in\n        */*) dir=${dest%/*} ;;\n        *) dir=. ;;\n      esac\n      [ -n "$dir" ] || dir=/\n    fi\n    if tmp=$(umask 077 && mktemp "$dir/.apb-uri.XXXXXX" 2>&1); then\n      echo "tmp_hex=$(hex "$tmp")"\n    else\n      echo "tmp_error_hex=$(hex "$tmp")"\n    fi\n    ;;\nesac\necho end=1\n';

// src/modules/uri-request.ts
function quotePlus(text5) {
  let out = "";
  for (const byte of Buffer.from(text5, "utf8")) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9_.\-~]/.test(ch)) out += ch;
    else if (ch === " ") out += "+";
    else out += "%" + byte.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}
function isSequenceOrMapping(value) {
  return Array.isArray(value) || isRecord(value);
}
function pythonIterate(value) {
  return Array.isArray(value) ? value : Object.keys(value);
}
function formUrlencoded(body) {
  const pairs = [];
  const entries = Array.isArray(body) ? body.map((item, index) => pairOf(item, index)) : Object.entries(body);
  for (const [key, values] of entries) {
    const list = isSequenceOrMapping(values) ? pythonIterate(values) : [values];
    for (const value of list) {
      if (value !== null && value !== void 0) pairs.push([pythonStr(key), pythonStr(value)]);
    }
  }
  return pairs.map(([k, v]) => `${quotePlus(k)}=${quotePlus(v)}`).join("&");
}
function pairOf(item, index) {
  const parts = typeof item === "string" ? [...item] : isSequenceOrMapping(item) ? pythonIterate(item) : void 0;
  if (parts === void 0)
    throw new Error(
      `cannot unpack non-iterable ${pythonTypeName(item)} object (item ${index} of the body)`
    );
  if (parts.length !== 2)
    throw new Error(
      parts.length < 2 ? `not enough values to unpack (expected 2, got ${parts.length})` : "too many values to unpack (expected 2)"
    );
  return [parts[0], parts[1]];
}
function pythonTypeName(value) {
  if (value === null || value === void 0) return "NoneType";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  return typeof value;
}
function hasHeader(headers, name) {
  return headers.some(([key]) => key.toLowerCase() === name.toLowerCase());
}
function encodeBody(body, bodyFormat, headers) {
  const out = [...headers];
  let text5;
  if (bodyFormat === "json") {
    text5 = typeof body === "string" ? body : pythonJsonDumps(body ?? null, { ensureAscii: true });
    if (!hasHeader(out, "content-type")) out.push(["Content-Type", "application/json"]);
  } else if (bodyFormat === "form-urlencoded") {
    if (typeof body === "string") text5 = body;
    else if (isSequenceOrMapping(body)) {
      try {
        text5 = formUrlencoded(body);
      } catch (error) {
        return { error: `failed to parse body as form_urlencoded: ${error.message}` };
      }
    } else if (body === null || body === void 0) text5 = void 0;
    else
      return {
        error: `body_format form-urlencoded takes a dict, a list of pairs or a string; got ${pythonTypeName(body)}`
      };
    if (!hasHeader(out, "content-type"))
      out.push(["Content-Type", "application/x-www-form-urlencoded"]);
  } else {
    if (body === null || body === void 0) text5 = void 0;
    else if (typeof body === "string") text5 = body;
    else
      return {
        error: `body_format raw sends a string, and body is a ${pythonTypeName(body) === "object" ? "dict or list" : pythonTypeName(body)}: give body_format json or form-urlencoded, or a string body`
      };
  }
  return { body: text5 === void 0 ? void 0 : Buffer.from(text5, "utf8"), headers: out };
}
function methodError(method) {
  return /^[A-Z]+$/.test(method) ? void 0 : "Parameter 'method' needs to be a single word in uppercase, like GET or POST.";
}
function basicAuthorization(username, password) {
  return "Basic " + Buffer.from(`${username}:${password ?? ""}`, "utf8").toString("base64");
}
function credentialsInUrl(url) {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/s.exec(url);
  if (!match) return void 0;
  const [, scheme, netloc, rest] = match;
  const at = netloc.indexOf("@");
  if (at < 0) return void 0;
  const credentials = netloc.slice(0, at);
  const colon = credentials.indexOf(":");
  return {
    url: `${scheme}${netloc.slice(at + 1)}${rest}`,
    username: colon < 0 ? credentials : credentials.slice(0, colon),
    password: colon < 0 ? "" : credentials.slice(colon + 1)
  };
}
function httpDate2(date) {
  return date.toUTCString();
}
var BODY_METHODS = /* @__PURE__ */ new Set(["POST", "PUT", "PATCH"]);
function buildRequest(a) {
  const method = a.method.toUpperCase();
  const badMethod = methodError(method);
  if (badMethod !== void 0) return { error: badMethod };
  const given = Object.entries(a.headers).map(([k, v]) => [
    k,
    pythonStr(v)
  ]);
  const encoded = encodeBody(a.body, a.bodyFormat, given);
  if ("error" in encoded) return encoded;
  let url = a.url;
  let username = a.username;
  let password = a.password;
  if (!username) {
    const inUrl = credentialsInUrl(url);
    if (inUrl) ({ url, username, password } = inUrl);
  }
  const headers = [];
  const put = (name, value) => {
    const at = headers.findIndex(([n]) => n.toLowerCase() === name.toLowerCase());
    if (at >= 0) headers.splice(at, 1);
    headers.push([name, value]);
  };
  if (a.httpAgent) put("User-Agent", a.httpAgent);
  if (a.lastModified) put("If-Modified-Since", httpDate2(a.lastModified));
  let body = encoded.body;
  if (body !== void 0 && !hasHeader(encoded.headers, "content-type"))
    put("Content-Type", "application/x-www-form-urlencoded");
  for (const [name, value] of encoded.headers) put(name, value);
  if (username && a.forceBasicAuth) put("Authorization", basicAuthorization(username, password));
  if (body === void 0 && BODY_METHODS.has(method)) body = Buffer.alloc(0);
  const request2 = { method, url, headers, ...body === void 0 ? {} : { body } };
  return username && !a.forceBasicAuth ? { request: request2, challenge: { username, password: password ?? "" } } : { request: request2 };
}
function urlProblem(url, method = "GET") {
  const match = /^([^/:]+):(.*)$/s.exec(url);
  if (!match) return { kind: "value", msg: `unknown url type: ${pyStringRepr(url)}` };
  const scheme = match[1].toLowerCase();
  if (scheme === "ftp" || scheme === "file")
    return {
      kind: "unsupported",
      msg: `${scheme}:// URLs are not supported by uri here: it makes HTTP and HTTPS requests only`
    };
  if (scheme !== "http" && scheme !== "https")
    return { kind: "urlopen", reason: `unknown url type: ${scheme}` };
  const host = /^\/\/([^/?#]*)/.exec(match[2])?.[1] ?? "";
  if (host.replace(/^.*@/, "") === "") return { kind: "urlopen", reason: "no host given" };
  const selector = (/^\/\/[^/?#]*([^#]*)/s.exec(match[2])?.[1] ?? "") || "/";
  const control = /[\x00-\x20\x7f]/.exec(selector);
  if (control)
    return {
      kind: "unknown",
      msg: `URL can't contain control characters. ${pyStringRepr(selector)} (found at least ${pyStringRepr(control[0])})`
    };
  const line = `${method} ${selector}`;
  const wide = /[^\x00-\x7f]/u.exec(line);
  if (wide) {
    const code = wide[0].codePointAt(0);
    const escaped = code <= 255 ? `\\x${code.toString(16).padStart(2, "0")}` : code <= 65535 ? `\\u${code.toString(16).padStart(4, "0")}` : `\\U${code.toString(16).padStart(8, "0")}`;
    const position = [...line.slice(0, wide.index)].length;
    return {
      kind: "value",
      msg: `'ascii' codec can't encode character '${escaped}' in position ${position}: ordinal not in range(128)`
    };
  }
  return void 0;
}

// src/modules/uri-result.ts
var REDIRECT_LOOP_MESSAGE = "The HTTP server returned a redirect error that would lead to an infinite loop.\nThe last 30x error message was:\n";
function statusList(codes) {
  return `[${codes.join(", ")}]`;
}
function parseContentType(headers) {
  const raw = headers.find(([name]) => name.toLowerCase() === "content-type")?.[1];
  let full = "text/plain";
  let charset = "utf-8";
  if (raw !== void 0) {
    const [main, ...params] = raw.split(";");
    const candidate = (main ?? "").trim().toLowerCase();
    if (/^[^/\s]+\/[^/\s]+$/.test(candidate)) full = candidate;
    for (const param of params) {
      const eq = param.indexOf("=");
      if (eq < 0) continue;
      if (param.slice(0, eq).trim().toLowerCase() !== "charset") continue;
      charset = param.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1");
      break;
    }
  }
  const typeText = full.split(",")[0] ?? full;
  const [type, subtype] = typeText.split("/");
  return { type, subtype: subtype ?? "", charset: charset.split(",")[0] ?? "utf-8" };
}
function looksLikeJson(subtype) {
  const plus = subtype.indexOf("+");
  const name = (plus >= 0 ? subtype.slice(plus + 1) : subtype).toLowerCase();
  return name === "json" || name === "javascript";
}
function decodeBody(body, charset) {
  const name = charset.trim().toLowerCase();
  if (name !== "utf-8" && name !== "utf8") {
    try {
      return new TextDecoder(name).decode(body);
    } catch {
    }
  }
  return utf8SurrogateEscape(body);
}
function utf8SurrogateEscape(bytes) {
  const out = [];
  let text5 = "";
  const flush = () => {
    text5 += String.fromCharCode(...out);
    out.length = 0;
  };
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    let length2 = 0;
    let min = 0;
    let code = 0;
    if (b < 128) {
      length2 = 1;
      code = b;
    } else if (b >= 194 && b <= 223) {
      length2 = 2;
      code = b & 31;
      min = 128;
    } else if (b >= 224 && b <= 239) {
      length2 = 3;
      code = b & 15;
      min = 2048;
    } else if (b >= 240 && b <= 244) {
      length2 = 4;
      code = b & 7;
      min = 65536;
    }
    let valid = length2 > 0 && i + length2 <= bytes.length;
    for (let k = 1; valid && k < length2; k++) {
      const c = bytes[i + k];
      if ((c & 192) !== 128) valid = false;
      else code = code << 6 | c & 63;
    }
    if (valid && length2 > 1 && (code < min || code > 1114111 || code >= 55296 && code <= 57343))
      valid = false;
    if (!valid) {
      out.push(56320 + b);
      i += 1;
    } else {
      if (code >= 65536) {
        const v = code - 65536;
        out.push(55296 + (v >> 10), 56320 + (v & 1023));
      } else out.push(code);
      i += length2;
    }
    if (out.length >= 8192) flush();
  }
  flush();
  return text5;
}
function parseJson(text5) {
  try {
    return { value: JSON.parse(text5) };
  } catch {
    if (!/\b(NaN|Infinity)\b/.test(text5)) return void 0;
    const marked = text5.replace(
      /("(?:[^"\\]|\\.)*")|(-?Infinity|NaN)/g,
      (whole, string, special) => string !== void 0 ? whole : `{"\\u0000special":"${special}"}`
    );
    try {
      return {
        value: JSON.parse(marked, (_key, value) => {
          if (value !== null && typeof value === "object" && Object.keys(value).length === 1 && "\0special" in value) {
            const name = value["\0special"];
            return name === "NaN" ? NaN : name === "Infinity" ? Infinity : -Infinity;
          }
          return value;
        })
      };
    } catch {
      return void 0;
    }
  }
}
function collectCookies(jar, headers, requestUrl, now = /* @__PURE__ */ new Date()) {
  let url;
  try {
    url = new URL(requestUrl);
  } catch {
    return jar;
  }
  const out = [...jar];
  for (const [name, value] of headers) {
    if (name.toLowerCase() !== "set-cookie") continue;
    const [pair, ...attributes] = value.split(";");
    const eq = (pair ?? "").indexOf("=");
    if (eq <= 0) continue;
    const cookie = {
      name: pair.slice(0, eq).trim(),
      value: pair.slice(eq + 1).trim(),
      domain: url.hostname,
      path: defaultCookiePath(url.pathname)
    };
    let expired = false;
    for (const attribute of attributes) {
      const at = attribute.indexOf("=");
      const key = (at < 0 ? attribute : attribute.slice(0, at)).trim().toLowerCase();
      const val = at < 0 ? "" : attribute.slice(at + 1).trim();
      if (key === "path" && val.startsWith("/")) cookie.path = val;
      else if (key === "domain" && val !== "") {
        const domain = val.toLowerCase();
        cookie.domain = domain.startsWith(".") ? domain : `.${domain}`;
      } else if (key === "max-age" && /^-?\d+$/.test(val)) expired = Number(val) <= 0;
      else if (key === "expires") {
        const when = Date.parse(val);
        if (!Number.isNaN(when) && when <= now.getTime()) expired = true;
      }
    }
    const index = out.findIndex(
      (c) => c.name === cookie.name && c.domain === cookie.domain && c.path === cookie.path
    );
    if (index >= 0) out.splice(index, 1);
    if (!expired) out.push(cookie);
  }
  return out;
}
function defaultCookiePath(pathname) {
  const slash = pathname.lastIndexOf("/");
  return slash <= 0 ? "/" : pathname.slice(0, slash);
}
function cookieFields(jar) {
  const sorted = [...jar].sort(
    (a, b) => cmp2(a.domain, b.domain) || cmp2(a.path, b.path) || cmp2(a.name, b.name)
  );
  const cookies = dict();
  for (const c of sorted) cookies[c.name] = c.value;
  return { cookies, string: sorted.map((c) => `${c.name}=${c.value}`).join("; ") };
}
function cmp2(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}
function absoluteLocation(url, location) {
  if (location.includes("://")) return location;
  if (location.startsWith("/")) {
    const path27 = urlsplitPath(url);
    return `${path27 === "" ? url : url.split(path27).join("")}${location}`;
  }
  return `${pythonDirname2(url)}/${location}`;
}
function urlsplitPath(url) {
  const match = /^(?:[A-Za-z][A-Za-z0-9+.-]*:)?(?:\/\/[^/?#]*)?([^?#]*)/.exec(url);
  return match?.[1] ?? "";
}
function pythonDirname2(path27) {
  const i = path27.lastIndexOf("/") + 1;
  let head = path27.slice(0, i);
  if (head !== "" && head !== "/".repeat(head.length)) head = head.replace(/\/+$/, "");
  return head;
}
function shapeResult(exchange, options2) {
  const info = dict();
  info["url"] = options2.url;
  info["status"] = -1;
  let body = Buffer.alloc(0);
  let contentType = { type: "application", subtype: "octet-stream", charset: "utf-8" };
  let errorBody;
  const outcome = exchange.outcome;
  if ("failure" in outcome) {
    info["msg"] = fetchUrlMessage(outcome.failure);
  } else {
    const response = outcome.response;
    body = response.body;
    contentType = parseContentType(response.headers);
    if (response.status >= 200 && response.status < 300 && exchange.redirectLoop !== true) {
      const joined = /* @__PURE__ */ new Map();
      for (const [name, value] of response.headers) {
        const key = name.toLowerCase();
        const before = joined.get(key);
        joined.set(key, before === void 0 ? value : `${before}, ${value}`);
      }
      for (const [key, value] of joined) info[key] = value;
      const jar = cookieFields(collectCookies([], response.headers, exchange.finalUrl));
      info["cookies_string"] = jar.string;
      info["cookies"] = jar.cookies;
      const length2 = response.headers.find(([n]) => n.toLowerCase() === "content-length")?.[1];
      info["msg"] = `OK (${length2 ?? "unknown"} bytes)`;
      info["url"] = exchange.finalUrl;
      info["status"] = response.status;
    } else {
      for (const [name, value] of response.headers) info[name.toLowerCase()] = value;
      info["msg"] = `HTTP Error ${response.status}: ` + (exchange.redirectLoop === true ? REDIRECT_LOOP_MESSAGE : "") + response.reason;
      info["status"] = response.status;
      errorBody = response.body;
    }
  }
  const status = info["status"];
  const accepted = options2.statusCode.includes(status);
  const maybeJson = looksLikeJson(contentType.subtype);
  const readsBody = maybeJson || options2.returnContent || !accepted;
  if (errorBody !== void 0 && !readsBody) info["body"] = decodeBody(errorBody, "utf-8");
  const resp = dict();
  resp["redirected"] = info["url"] !== options2.url;
  for (const [key, value] of Object.entries(info)) resp[key] = value;
  resp["elapsed"] = options2.elapsed;
  resp["changed"] = false;
  const result = dict();
  for (const [key, value] of Object.entries(resp))
    result[key.replace(/-/g, "_").toLowerCase()] = value;
  if (typeof result["location"] === "string")
    result["location"] = absoluteLocation(options2.url, result["location"]);
  const text5 = readsBody ? decodeBody(body, contentType.charset) : void 0;
  if (maybeJson && text5 !== void 0) {
    const parsed = parseJson(text5);
    if (parsed) result["json"] = parsed.value;
  }
  if (!accepted) {
    result["msg"] = `Status code was ${status} and not ${statusList(options2.statusCode)}: ${String(result["msg"] ?? "")}`;
    result["failed"] = true;
  }
  if (options2.returnContent) result["content"] = text5 ?? "";
  return { result, accepted, body };
}

// src/modules/uri.ts
var PROBE6 = { name: "apb-uri-probe", source: `${expand_args_default}
${uri_probe_default}` };
var ACT2 = { name: "apb-uri-act", source: `${path_info_default}
${uri_act_default}` };
var FILE_ATTRIBUTES = "SELinux contexts, file attributes and unsafe_writes are not supported";
var NOT_DONE = {
  unix_socket: { type: "path", notImplemented: "requests over a Unix socket are not supported" },
  ciphers: {
    type: "list",
    elements: "str",
    notImplemented: "choosing TLS ciphers is not supported"
  },
  use_gssapi: {
    type: "bool",
    default: false,
    notImplemented: "GSSAPI (Kerberos) authentication is not supported"
  },
  attributes: { type: "str", aliases: ["attr"], notImplemented: FILE_ATTRIBUTES },
  seuser: { type: "str", notImplemented: FILE_ATTRIBUTES },
  serole: { type: "str", notImplemented: FILE_ATTRIBUTES },
  selevel: { type: "str", notImplemented: FILE_ATTRIBUTES },
  setype: { type: "str", notImplemented: FILE_ATTRIBUTES },
  unsafe_writes: { type: "bool", default: false, notImplemented: FILE_ATTRIBUTES }
};
var uriModule = {
  name: "uri",
  supportsCheckMode: false,
  args: {
    reportedAs: "ansible.legacy.uri",
    options: {
      url: { type: "str", required: true },
      dest: { type: "path" },
      url_username: { type: "str", aliases: ["user"] },
      url_password: { type: "str", aliases: ["password"], noLog: true },
      body: { type: "raw" },
      body_format: {
        type: "str",
        default: "raw",
        choices: ["form-urlencoded", "json", "raw", "form-multipart"]
      },
      src: { type: "path" },
      method: { type: "str", default: "GET" },
      return_content: { type: "bool", default: false },
      follow_redirects: {
        type: "str",
        default: "safe",
        choices: ["all", "no", "none", "safe", "urllib2", "yes"]
      },
      creates: { type: "path" },
      removes: { type: "path" },
      status_code: { type: "list", elements: "int", default: [200] },
      timeout: { type: "int", default: 30 },
      headers: { type: "dict", default: {} },
      remote_src: { type: "bool", default: false },
      ca_path: { type: "path" },
      unredirected_headers: { type: "list", elements: "str", default: [] },
      decompress: { type: "bool", default: true },
      force: { type: "bool", default: false },
      http_agent: { type: "str", default: "ansible-httpget" },
      use_proxy: { type: "bool", default: true },
      use_netrc: { type: "bool", default: true },
      validate_certs: { type: "bool", default: true },
      force_basic_auth: { type: "bool", default: false },
      client_cert: { type: "path" },
      client_key: { type: "path" },
      mode: { type: "raw" },
      owner: { type: "str" },
      group: { type: "str" },
      ...NOT_DONE
    },
    mutuallyExclusive: [["body", "src"]]
  },
  async run(ctx) {
    return runUri(ctx);
  }
};
async function runUri(ctx) {
  const a = ctx.args;
  const url = a["url"];
  const bodyFormat = a["body_format"];
  const statusCode = a["status_code"];
  const returnContent = a["return_content"];
  const decompress = a["decompress"];
  const given = (name) => {
    const value = a[name];
    return value === null || value === void 0 ? void 0 : String(value);
  };
  if (bodyFormat === "form-multipart")
    return {
      changed: false,
      failed: true,
      msg: "body_format form-multipart is not supported: send the body as json or form-urlencoded, or build the multipart body yourself and send it raw with its Content-Type header"
    };
  const mode = normaliseMode(a["mode"]);
  const owner = given("owner");
  const group = given("group");
  let body = a["body"];
  const src = given("src");
  if (src !== void 0) {
    const read = await readSource(ctx, src, a["remote_src"]);
    if ("failed" in read) return read;
    body = read.text;
  }
  const requestArgs = {
    url,
    method: a["method"],
    body,
    bodyFormat,
    headers: a["headers"],
    httpAgent: given("http_agent") ?? null,
    username: given("url_username") ?? null,
    password: given("url_password") ?? null,
    forceBasicAuth: a["force_basic_auth"],
    force: a["force"]
  };
  const checked = buildRequest(requestArgs);
  if ("error" in checked) {
    const failure4 = { changed: false, failed: true, msg: checked.error };
    if (methodError(requestArgs.method.toUpperCase()) === void 0) failure4["elapsed"] = 0;
    return failure4;
  }
  const connection = await ctx.connection();
  const before = await lookBefore(
    ctx,
    connection,
    given("creates"),
    given("removes"),
    given("dest")
  );
  if ("skipped" in before) return before.skipped;
  const built = buildRequest({
    ...requestArgs,
    ...before.dest?.mtime === void 0 ? {} : { lastModified: new Date(before.dest.mtime * 1e3) }
  });
  if ("error" in built) throw new Error(`uri: the request could not be built twice: ${built.error}`);
  const problem = urlProblem(built.request.url, built.request.method);
  if (problem !== void 0) {
    await discard(ctx, connection, before.dest?.tmp);
    if (problem.kind === "urlopen" || problem.kind === "unknown") {
      const shaped2 = shapeResult(
        {
          outcome: {
            failure: {
              kind: "other",
              stage: "connect",
              reason: problem.kind === "urlopen" ? problem.reason : "",
              detail: ""
            }
          },
          finalUrl: url
        },
        { url, statusCode, returnContent, elapsed: 0 }
      ).result;
      if (problem.kind === "unknown") {
        const unknown = `An unknown error occurred: ${problem.msg}`;
        shaped2["msg"] = statusCode.includes(-1) ? unknown : `Status code was -1 and not [${statusCode.join(", ")}]: ${unknown}`;
      }
      return shaped2;
    }
    return problem.kind === "value" ? { changed: false, failed: true, msg: problem.msg, status: -1, url } : { changed: false, failed: true, msg: problem.msg };
  }
  const request2 = built.request;
  const credentials = built.challenge;
  let response;
  try {
    response = await httpRequest(connection, {
      url: request2.url,
      method: request2.method,
      headers: Object.fromEntries(request2.headers),
      ...request2.body === void 0 ? {} : { body: request2.body },
      ...credentials === void 0 ? {} : { username: credentials.username, password: credentials.password },
      forceBasicAuth: false,
      timeoutSeconds: a["timeout"],
      validateCerts: a["validate_certs"],
      followRedirects: a["follow_redirects"],
      useProxy: a["use_proxy"],
      useNetrc: a["use_netrc"],
      decompress,
      unredirectedHeaders: a["unredirected_headers"],
      ...given("ca_path") === void 0 ? {} : { caPath: given("ca_path") },
      ...given("client_cert") === void 0 ? {} : { clientCert: given("client_cert") },
      ...given("client_key") === void 0 ? {} : { clientKey: given("client_key") },
      ...before.dest?.tmp === void 0 ? {} : { outputPath: before.dest.tmp },
      environment: ctx.environment,
      // The transport's own waits are bounded by `timeout`; the call as a whole gets the larger of
      // that (with room for a slow body) and the usual deadline.
      deadlineMs: Math.max(ctx.timeoutMs, (a["timeout"] * 2 + 30) * 1e3)
    });
  } catch (error) {
    await discard(ctx, connection, before.dest?.tmp);
    if (error instanceof HttpRequestError)
      return { changed: false, failed: true, msg: error.message, elapsed: 0 };
    throw error;
  }
  const bodyFailure = response.status !== void 0 && response.failure?.stage === "body" ? response.failure : void 0;
  const came = response.status !== void 0 && (response.failure === void 0 || bodyFailure !== void 0);
  const headRequest = response.method === "HEAD";
  if (headRequest) response.body = Buffer.alloc(0);
  const exchange = {
    outcome: came && response.status !== void 0 ? {
      response: {
        status: response.status,
        reason: response.reason,
        headers: response.headerPairs,
        body: response.body ?? Buffer.alloc(0)
      }
    } : {
      failure: response.failure ?? {
        kind: "other",
        stage: "connect",
        reason: "no response",
        detail: ""
      }
    },
    finalUrl: response.url,
    redirectLoop: response.redirectLoop
  };
  const options2 = { url, statusCode, returnContent, elapsed: response.elapsedSeconds };
  const headers = response.headerPairs;
  const readsBody = (accepted2) => looksLikeJson(parseContentType(headers).subtype) || returnContent || !accepted2;
  if (before.dest === void 0) {
    const shaped2 = shapeResult(exchange, options2);
    if (bodyFailure !== void 0 && readsBody(shaped2.accepted))
      return {
        ...shaped2.result,
        failed: true,
        msg: `the body of the response could not be read: ${bodyFailure.reason}`
      };
    if (response.bodyTruncated) ctx.warn(truncationWarning(url));
    return shaped2.result;
  }
  if (bodyFailure !== void 0) {
    await discard(ctx, connection, before.dest.tmp);
    return {
      ...shapeResult(exchange, options2).result,
      failed: true,
      msg: `Failed to create temporary content file: ${bodyFailure.reason}`
    };
  }
  const dest = before.dest;
  if (!came || dest.tmp === void 0) {
    await discard(ctx, connection, dest.tmp);
    const shaped2 = shapeResult(exchange, options2);
    if (came && dest.tmp === void 0)
      return {
        changed: false,
        failed: true,
        msg: `Could not replace file: the response to ${dest.path}: ${before.tmpError ?? "no temporary file"}`
      };
    return shaped2.result;
  }
  const status = response.status;
  const accepted = statusCode.includes(status);
  const write = accepted && status !== 304;
  let final = dest.path;
  if (dest.kind === "dir") {
    const name = responseFilename(headers, response.url);
    if (name.includes("/") || name === ".." || name === ".") {
      await discard(ctx, connection, dest.tmp);
      return {
        changed: false,
        failed: true,
        msg: `the server named the file ${JSON.stringify(name)}, which is no file name in ${dest.path}: give dest a file path`
      };
    }
    final = `${dest.path.replace(/\/+$/, "")}/${name}`;
  }
  const success = status >= 200 && status < 300 && !response.redirectLoop;
  const wantsBody = readsBody(accepted) || !success;
  const act2 = await runAct2(ctx, connection, {
    tmp: dest.tmp,
    final,
    write,
    mode: write ? mode : void 0,
    owner: write ? owner : void 0,
    group: write ? group : void 0,
    wantsBody,
    empty: headRequest || !success
  });
  if ("response" in exchange.outcome && !headRequest) {
    exchange.outcome.response.body = act2.body;
  }
  const shaped = shapeResult(exchange, options2);
  const result = { ...shaped.result, path: final };
  if (write) result["changed"] = true;
  Object.assign(result, act2.pathInfo);
  if (act2.error !== void 0) {
    return { ...result, failed: true, msg: act2.error };
  }
  return result;
}
async function lookBefore(ctx, connection, creates, removes, dest) {
  if (creates === void 0 && removes === void 0 && dest === void 0) return {};
  const flag2 = (value) => value === void 0 ? "-" : `+${value}`;
  const answer = await runProbe(
    { connection, timeoutMs: ctx.timeoutMs, fact: "path", subject: dest ?? creates ?? removes },
    PROBE6,
    [flag2(creates), flag2(removes), flag2(dest)]
  );
  const text5 = (key) => {
    const hex = answer.get(key);
    return hex === void 0 ? void 0 : fromHex(hex).toString("utf8");
  };
  const skip = answer.get("skip");
  if (skip !== void 0) {
    const stdout = skip === "creates" ? `skipped, since '${text5("creates_hex") ?? ""}' exists` : `skipped, since '${text5("removes_hex") ?? ""}' does not exist`;
    return { skipped: { changed: false, stdout, stdout_lines: [stdout] } };
  }
  const destPath = text5("dest_hex");
  if (destPath === void 0) return {};
  const kind = answer.get("dest_kind") ?? "none";
  const mtime = answer.int("dest_mtime");
  const tmp = text5("tmp_hex");
  const tmpError = text5("tmp_error_hex");
  return {
    dest: {
      path: destPath,
      kind,
      ...mtime === void 0 ? {} : { mtime },
      ...tmp === void 0 ? {} : { tmp }
    },
    ...tmpError === void 0 ? {} : { tmpError }
  };
}
async function readSource(ctx, src, remote) {
  if (!remote) {
    let file;
    try {
      file = findControllerFile(src, "files", ctx);
    } catch (error) {
      return { changed: false, failed: true, msg: error.message };
    }
    return { text: readControllerFile(file).toString("utf8") };
  }
  const read = await readWholeFile(ctx, src);
  if ("failure" in read)
    return { changed: false, failed: true, msg: `Unable to open source file ${src}`, elapsed: 0 };
  return { text: read.bytes.toString("utf8") };
}
async function runAct2(ctx, connection, step) {
  const flag2 = (value) => value === void 0 ? "-" : `+${value}`;
  const command = probeCommand(ACT2, [
    step.tmp,
    step.final,
    step.write ? "1" : "0",
    flag2(step.mode),
    flag2(step.owner),
    flag2(step.group),
    step.wantsBody ? "1" : "0",
    String(DEFAULT_CAPTURE_BYTES),
    step.empty ? "1" : "0"
  ]);
  const result = await connection.run(command, {
    timeoutMs: ctx.timeoutMs,
    outputCapBytes: DEFAULT_CAPTURE_BYTES + 64 * 1024
  });
  if (result.timedOut)
    throw new CommandTimeoutError(
      `writing the response to ${step.final} on ${connection.host} took longer than ${ctx.timeoutMs} ms`,
      connection.host,
      ctx.timeoutMs
    );
  const marker = Buffer.from("end=1\n");
  const stdout = result.stdout;
  const at = stdout.indexOf(marker);
  if (at < 0)
    throw new ModuleArgumentError(
      `writing the response to ${step.final} on ${connection.host} failed: ${result.stderr.toString("utf8").trim() || "no answer"}`
    );
  const answer = new ProbeAnswer(stdout.subarray(0, at + marker.length).toString("utf8"));
  const bodyLength = answer.int("body_len") ?? 0;
  const start = at + marker.length;
  const body = Buffer.from(stdout.subarray(start, start + bodyLength));
  const values = /* @__PURE__ */ new Map();
  for (const key of ["info", "owner", "group", "kind"]) {
    const value = answer.get(key);
    if (value !== void 0) values.set(key, value);
  }
  let error;
  for (const [key, label] of [
    ["write_error_hex", `failed to write ${step.final}`],
    ["mode_error_hex", "chmod failed"],
    ["owner_error_hex", "chown failed"],
    ["group_error_hex", "chgrp failed"]
  ]) {
    const hex = answer.get(key);
    if (hex !== void 0) {
      error = `${label}: ${fromHex(hex).toString("utf8").trim()}`;
      break;
    }
  }
  return { pathInfo: pathInfoFields(values), body, ...error === void 0 ? {} : { error } };
}
async function discard(ctx, connection, tmp) {
  if (tmp === void 0) return;
  await connection.run(probeCommand({ name: "apb-uri-discard", source: 'rm -f "$1"' }, [tmp]), {
    timeoutMs: ctx.timeoutMs
  });
}
function responseFilename(headers, url) {
  const disposition = headers.find(([n]) => n.toLowerCase() === "content-disposition")?.[1];
  if (disposition !== void 0) {
    const match = /(?:^|;)\s*filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/i.exec(disposition);
    const name = match?.[1]?.replace(/\\(.)/g, "$1") ?? match?.[2]?.trim();
    if (name) return name;
  }
  let path27;
  try {
    path27 = new URL(url).pathname;
  } catch {
    path27 = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, "").replace(/[?#].*$/, "");
  }
  const last = path27.replace(/\/+$/, "").split("/").pop() ?? "";
  if (last === "") return "index.html";
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}
function truncationWarning(url) {
  return `the response of ${url} is larger than ${DEFAULT_CAPTURE_BYTES} bytes: content and json hold only its beginning (use dest to keep it whole)`;
}

// src/modules/user-support.ts
var SECONDS_PER_DAY = 86400;
function keyWouldBeMade(ssh, force) {
  if (!ssh.dirExists) return true;
  return (!ssh.keyExists || force) && (!ssh.pubExists || force);
}
function keyState(answer) {
  const publicKey = answer.bytes("pub_hex");
  return {
    path: answer.bytes("key_hex")?.toString("utf8") ?? "",
    dirExists: answer.get("key_dir") === "1",
    keyExists: answer.get("key_exists") === "1",
    pubExists: answer.get("pub_exists") === "1",
    fingerprint: (answer.bytes("fingerprint_hex")?.toString("utf8") ?? "").trim(),
    publicKey: publicKey === void 0 ? null : publicKey.toString("utf8").trim(),
    noHome: answer.get("no_home") === "1"
  };
}
function withOutput4(result, run) {
  return Object.assign(result, toolOutput(run));
}
function validPasswd(fields) {
  if (fields === void 0 || fields.length < 7) return void 0;
  return /^\d+$/.test(fields[2]) && /^\d+$/.test(fields[3]) ? fields : void 0;
}
function isNumber(value) {
  return typeof value === "number" && Number.isFinite(value);
}
function stripBang(text5) {
  return text5.replace(/^!+/, "");
}
function expiresDate(value) {
  if (typeof value !== "number" || !Number.isFinite(value)) return void 0;
  if (value < 0) return { text: "", days: -1 };
  return { text: utcDate(value), days: Math.floor(value / SECONDS_PER_DAY) };
}
function utcDate(seconds) {
  return new Date(Math.floor(seconds) * 1e3).toISOString().slice(0, 10);
}
function looksHashed(password) {
  if (/[:*!]/.test(password) || !password.includes("$")) return false;
  const fields = password.split("$");
  if (fields.length < 3) return false;
  const last = fields[fields.length - 1];
  if (/[^a-zA-Z0-9./=]/.test(last)) return false;
  const lengths = { "1": 22, "5": 43, "6": 86 };
  const wanted = lengths[fields[1]];
  return wanted === void 0 || last.length === wanted;
}

// src/modules/user-act.sh
var user_act_default = `#!/bin/sh
# apb-user-act: makes the changes src/modules/user.ts decided, in one round trip. POSIX sh.
#
# Run as:  /bin/sh -c "<account-run.sh + this text>" apb-user-act <name> <home to make first or ""> \\
#            <tool or ""> <set password 0|1> <create home 0|1> <home or ""> <generate ssh key 0|1> \\
#            <type> <bits> <comment> <key file> <force 0|1> <passphrase 0|1> <skeleton or ""> \\
#            <password_expire_min or ""> <password_expire_max or ""> <tool argument>\u2026
# with stdin: the password hash on the first line, the key passphrase on the second (never in argv).
#
# In order, as Ansible's user module: the home's missing parents (and the home from the skeleton) when
# useradd cannot make them; the tool (useradd, usermod or userdel, found on PATH); the password through
# \`chpasswd -e\`; a missing home; the ssh key; the password ages (chage, when shadow's differ). The answer: rc, out_hex, err_hex of the tool (and of
# chpasswd when it failed: pw_rc, pw_err_hex), home_made=1, the ssh key's key_rc/key_err_hex/key_made=1
# and warn=<kind> lines, chage_rc/chage_err_hex (chage_made=1), then the state afterwards: pw_hex and the ssh_key_state fields. Last line end=1.
set -u
name=$1 pre_home=$2 tool=$3 set_pw=$4 create_home=$5 home=$6 ssh=$7 ssh_type=$8 ssh_bits=$9
shift 9
ssh_comment=$1 key=$2 force=$3 has_pp=$4 skeleton=\${5:-/etc/skel} expire_min=$6 expire_max=$7
shift 7
# The rest are the tool's arguments.
found=

IFS= read -r password || :
IFS= read -r passphrase || :

# make_home PATH UID GID: the home from the skeleton (/etc/skel unless given), its mode from login.defs'
# UMASK, owned by the user when UID is given.
make_home() {
  if [ -d "$skeleton" ]; then
    mkdir -p -- "$1" && cp -pR "$skeleton/." "$1/"
  else
    mkdir -p -- "$1"
  fi || return 1
  umask_value=$(sed -n 's/^UMASK[[:space:]]\\{1,\\}\\([0-7]\\{1,\\}\\)[[:space:]]*$/\\1/p' /etc/login.defs 2>/dev/null | tail -n 1)
  if [ -n "$umask_value" ]; then
    chmod "$(printf '%o' $((0777 & ~0$umask_value)))" "$1" || return 1
  fi
  if [ -n "\${2:-}" ]; then
    chown -R "$2:$3" "$1" || return 1
  fi
  return 0
}

ids() {
  entry passwd "$name" | cut -d: -f3,4 | tr ':' ' '
}

if [ -n "$pre_home" ]; then
  make_home "$pre_home" || {
    echo "home_fail=$pre_home"
    echo end=1
    exit 0
  }
fi

if [ -n "$tool" ]; then
  have "$tool" || missing "$tool"
  run_tool "$found" "$@" "$name"
  # shellcheck disable=SC2154 # set by run_tool (account-run.sh)
  if [ "$apb_rc" != 0 ]; then
    echo end=1
    exit 0
  fi
  if [ -n "$pre_home" ]; then
    # shellcheck disable=SC2046 # two numbers
    set -- $(ids)
    [ $# = 2 ] && chown -R "$1:$2" "$pre_home"
  fi
fi

if [ "$set_pw" = 1 ]; then
  have chpasswd || missing chpasswd
  pw_rc=0
  # shellcheck disable=SC2154 # set by account-run.sh
  printf '%s:%s\\n' "$name" "$password" | "$found" -e >/dev/null 2>"$apb_scratch/pw_err" || pw_rc=$?
  if [ "$pw_rc" != 0 ]; then
    echo "pw_rc=$pw_rc"
    echo "pw_err_hex=$(hex <"$apb_scratch/pw_err")"
    echo end=1
    exit 0
  fi
fi

pw=$(entry passwd "$name")
echo "pw_hex=$(printf '%s' "$pw" | hex)"
[ -n "$home" ] || home=$(printf '%s\\n' "$pw" | cut -d: -f6)
if [ -n "$pw" ] && [ "$create_home" = 1 ] && [ -n "$home" ] && [ ! -e "$home" ]; then
  # shellcheck disable=SC2046 # two numbers
  set -- $(ids)
  if make_home "$home" "$1" "$2"; then echo home_made=1; else echo "home_fail=$home"; fi
fi

if [ "$ssh" = 1 ] && [ -n "$pw" ]; then
  # shellcheck disable=SC2046 # two numbers
  set -- $(ids)
  uid=$1 gid=$2
  case $key in
    /*) key_path=$key ;;
    *) key_path=$home/$key ;;
  esac
  key_dir=$(dirname -- "$key_path" && echo x) && key_dir=\${key_dir%??}
  generate=1
  case $key in
    /*) ;;
    *)
      if [ ! -e "$home" ]; then
        echo key_rc=1
        echo "key_err_hex=$(printf 'User %s home directory does not exist' "$name" | hex)"
        generate=0
      fi
      ;;
  esac
  if [ "$generate" = 1 ] && [ ! -d "$key_dir" ]; then
    if ! mkdir -m 700 -- "$key_dir" 2>"$apb_scratch/key_err" || ! chown "$uid:$gid" "$key_dir"; then
      echo key_rc=1
      echo "key_err_hex=$( (printf 'Failed to create %s: ' "$key_dir" && cat "$apb_scratch/key_err") | hex)"
      generate=0
    fi
  fi
  if [ "$generate" = 1 ] && [ -e "$key_path" ]; then
    if [ "$force" = 1 ]; then echo warn=overwrite_key; else
      echo warn=key_exists
      generate=0
    fi
  fi
  if [ "$generate" = 1 ] && [ -e "$key_path.pub" ]; then
    if [ "$force" = 1 ]; then
      echo warn=overwrite_pub
      rm -f -- "$key_path.pub"
    else
      echo warn=pub_exists
      generate=0
    fi
  fi
  if [ "$generate" = 1 ]; then
    have ssh-keygen || missing ssh-keygen
    set -- "$found" -t "$ssh_type"
    [ "$ssh_bits" -gt 0 ] && set -- "$@" -b "$ssh_bits"
    set -- "$@" -C "$ssh_comment" -f "$key_path"
    key_rc=0
    if [ "$has_pp" = 1 ]; then
      # The passphrase reaches ssh-keygen through an askpass helper reading it from the environment:
      # never on a command line.
      # shellcheck disable=SC2016 # expanded by the helper, not here
      printf '#!/bin/sh\\nprintf "%%s\\\\n" "$APB_KEY_PASSPHRASE"\\n' >"$apb_scratch/askpass"
      chmod 700 "$apb_scratch/askpass"
      APB_KEY_PASSPHRASE=$passphrase SSH_ASKPASS=$apb_scratch/askpass SSH_ASKPASS_REQUIRE=force \\
        DISPLAY=\${DISPLAY:-none} "$@" </dev/null >/dev/null 2>"$apb_scratch/key_err" || key_rc=$?
    elif [ -e "$key_path" ]; then
      printf 'y\\n' | "$@" -N '' >/dev/null 2>"$apb_scratch/key_err" || key_rc=$?
    else
      "$@" -N '' </dev/null >/dev/null 2>"$apb_scratch/key_err" || key_rc=$?
    fi
    echo "key_rc=$key_rc"
    echo "key_err_hex=$(hex <"$apb_scratch/key_err")"
    if [ "$key_rc" = 0 ]; then
      echo key_made=1
      chown "$uid:$gid" "$key_path" "$key_path.pub"
    fi
  fi
  ssh_key_state "$home" "$key"
fi

if [ -n "$pw" ] && { [ -n "$expire_min" ] || [ -n "$expire_max" ]; }; then
  shadow=$(entry shadow "$name")
  if [ -n "$shadow" ]; then
    set --
    [ -n "$expire_min" ] && [ "$expire_min" != "$(printf '%s\\n' "$shadow" | cut -d: -f4)" ] &&
      set -- -m "$expire_min"
    [ -n "$expire_max" ] && [ "$expire_max" != "$(printf '%s\\n' "$shadow" | cut -d: -f5)" ] &&
      set -- "$@" -M "$expire_max"
    if [ $# -gt 0 ]; then
      have chage || missing chage
      chage_rc=0
      "$found" "$@" "$name" >/dev/null 2>"$apb_scratch/chage_err" </dev/null || chage_rc=$?
      echo "chage_rc=$chage_rc"
      echo "chage_err_hex=$(hex <"$apb_scratch/chage_err")"
      [ "$chage_rc" = 0 ] && echo chage_made=1
    fi
  fi
fi
echo end=1
`;

// src/modules/user-probe.sh
var user_probe_default = `#!/bin/sh
# apb-user-probe: what the user module decides from, in one round trip. POSIX sh.
#
# Run as:  /bin/sh -c "<account-run.sh + this text>" apb-user-probe <name> <home or ""> \\
#            <ssh key file or ""> <group or ""> <group>\u2026
# (src/modules/user.ts builds the command and parses the answer; see user-act.sh for the changes)
#
# The answer (values that may hold any byte are hex):
#   home_arg_hex, key_arg_hex   the home and key file asked for, expanded
#   pw_hex, sp_hex     the passwd and shadow entries (empty when none, or shadow unreadable)
#   own_group=1        a group named like the user exists
#   group_hex          the entry of the \`group\` argument (by gid when it is a number, else by name)
#   each_hex           the entry of each of the \`groups\`, in order (empty when none)
#   member=NAME        each group that lists the user as a member
#   home_hex, home_exists, home_parent   the home (given, else the passwd one) and whether it and its
#                      parent directory exist
#   with a key file: hostname_hex (uname -n, for the key's default comment) and the fields of
#   ssh_key_state (account-run.sh)
#   end=1
set -u
name=$1 home=$2 key=$3 group=$4
shift 4
# home and ssh_key_file are Ansible \`path\` arguments: $VAR and a leading ~ expanded on the target.
if [ -n "$home" ]; then
  home=$(apb_expand "$home")
  home=\${home%x}
  echo "home_arg_hex=$(printf '%s' "$home" | hex)"
fi
if [ -n "$key" ]; then
  key=$(apb_expand "$key")
  key=\${key%x}
  echo "key_arg_hex=$(printf '%s' "$key" | hex)"
fi

pw=$(entry passwd "$name")
echo "pw_hex=$(printf '%s' "$pw" | hex)"
echo "sp_hex=$(entry shadow "$name" | hex)"
[ -n "$(entry group "$name")" ] && echo own_group=1
[ -n "$group" ] && echo "group_hex=$(entry group "$group" | hex)"
for each in "$@"; do
  echo "each_hex=$(entry group "$each" | hex)"
done
if [ -n "$pw" ]; then
  if have getent; then getent group; else cat /etc/group; fi 2>/dev/null |
    awk -F: -v user="$name" '{ n = split($4, m, ","); for (i = 1; i <= n; i++) if (m[i] == user) { print "member=" $1; break } }'
  [ -n "$home" ] || home=$(printf '%s\\n' "$pw" | cut -d: -f6)
fi
if [ -n "$home" ]; then
  echo "home_hex=$(printf '%s' "$home" | hex)"
  [ -e "$home" ] && echo home_exists=1
  [ -d "$(dirname -- "$home")" ] && echo home_parent=1
fi
if [ -n "$key" ]; then
  echo "hostname_hex=$(uname -n | hex)"
  ssh_key_state "$home" "$key"
fi
echo end=1
`;

// src/modules/user.ts
var NOT_LOGGING = "NOT_LOGGING_PASSWORD";
var userModule = {
  name: "user",
  supportsCheckMode: true,
  args: {
    options: {
      state: { type: "str", default: "present", choices: ["absent", "present"] },
      name: { type: "str", required: true, aliases: ["user"] },
      uid: { type: "int" },
      non_unique: { type: "bool", default: false },
      group: { type: "str" },
      groups: { type: "list", elements: "str" },
      comment: { type: "str" },
      home: { type: "path" },
      shell: { type: "str" },
      password: { type: "str", noLog: true },
      force: { type: "bool", default: false },
      remove: { type: "bool", default: false },
      create_home: { type: "bool", default: true, aliases: ["createhome"] },
      system: { type: "bool", default: false },
      move_home: { type: "bool", default: false },
      append: { type: "bool", default: false },
      generate_ssh_key: { type: "bool" },
      ssh_key_bits: { type: "int", default: 0 },
      ssh_key_type: { type: "str", default: "rsa" },
      ssh_key_file: { type: "path" },
      ssh_key_comment: { type: "str" },
      ssh_key_passphrase: { type: "str", noLog: true },
      update_password: { type: "str", default: "always", choices: ["always", "on_create"] },
      expires: { type: "float" },
      password_lock: { type: "bool" },
      login_class: { type: "str", notImplemented: "it applies to BSD targets only" },
      password_expire_max: { type: "int" },
      password_expire_min: { type: "int" },
      hidden: { type: "bool", notImplemented: "it applies to macOS targets only" },
      seuser: { type: "str", notImplemented: "run `usermod -Z` in a command task" },
      skeleton: { type: "str" },
      local: {
        type: "bool",
        notImplemented: "the libuser commands (luseradd) are not driven; leave it out"
      },
      profile: { type: "str", notImplemented: "it applies to illumos/Solaris targets only" },
      authorization: { type: "str", notImplemented: "it applies to illumos/Solaris targets only" },
      role: { type: "str", notImplemented: "it applies to illumos/Solaris targets only" },
      umask: { type: "str" }
    }
  },
  async run(ctx) {
    return new UserTask(ctx).run();
  }
};
var UserTask = class {
  constructor(ctx) {
    this.ctx = ctx;
    this.args = ctx.args;
    this.name = this.args["name"];
    const password = this.args["password"];
    this.password = typeof password === "string" ? password : void 0;
    const groups = this.args["groups"];
    this.groupsList = groups === null || groups === void 0 ? void 0 : groups.map(String);
    this.keySpec = this.args["generate_ssh_key"] === true ? this.args["ssh_key_file"] ?? `.ssh/id_${String(this.args["ssh_key_type"])}` : void 0;
  }
  ctx;
  args;
  name;
  password;
  groupsList;
  keySpec;
  /** The `home` argument, expanded on the target by the probe. */
  home;
  async run() {
    if (this.password !== void 0 && /[:\n]/.test(this.password)) {
      return {
        changed: false,
        failed: true,
        name: this.name,
        msg: "password: a hash holds no ':' and no line break (chpasswd -e could not set it)"
      };
    }
    if (typeof this.args["ssh_key_passphrase"] === "string" && /[\n\r]/.test(this.args["ssh_key_passphrase"])) {
      return {
        changed: false,
        failed: true,
        name: this.name,
        msg: "ssh_key_passphrase: a passphrase with a line break cannot be given to ssh-keygen"
      };
    }
    this.warnAboutArguments();
    const probe = await this.probe();
    if (this.args["state"] === "absent") return this.absent(probe);
    return probe.passwd === void 0 ? this.create(probe) : this.modify(probe);
  }
  warnAboutArguments() {
    const password = this.password;
    if (password && !["*", "!", "*************"].includes(password) && !looksHashed(password)) {
      this.ctx.warn(
        "The input password appears not to have been hashed. The 'password' argument must be encrypted for this module to work properly."
      );
    }
    if (this.groupsList === void 0 && this.args["append"] === true) {
      this.ctx.warn(
        "'append' is set, but no 'groups' are specified. Use 'groups' for appending new groups.This will change to an error in Ansible 2.14."
      );
    }
  }
  /** The requested supplementary groups: the list joined and split on commas, as Ansible reads it. */
  requestedGroups() {
    const joined = (this.groupsList ?? []).join(",");
    const names = joined.split(",").filter((g) => g !== "").map((g) => g.trim());
    return names.filter((g, i) => names.indexOf(g) === i);
  }
  async probe() {
    const connection = await factsFor(this.ctx).connection();
    const home = this.args["home"] ?? "";
    const group = this.args["group"] ?? "";
    const answer = await runAccountScript(
      connection,
      "apb-user-probe",
      user_probe_default,
      [this.name, home, this.keySpec ?? "", group, ...this.requestedGroups()],
      { timeoutMs: this.ctx.timeoutMs }
    );
    const expandedHome = answer.bytes("home_arg_hex");
    if (expandedHome !== void 0) this.home = expandedHome.toString("utf8");
    const expandedKey = answer.bytes("key_arg_hex");
    if (expandedKey !== void 0) this.keySpec = expandedKey.toString("utf8");
    const passwd = validPasswd(entryFields2(answer, "pw_hex"));
    const shadow = entryFields2(answer, "sp_hex");
    let password = passwd?.[1] ?? "";
    if (password.length <= 1) password = shadow?.[1] ?? "";
    const expire = shadow?.[7] ?? "";
    return {
      passwd,
      password,
      expireDays: /^-?\d+$/.test(expire) ? Number(expire) : -1,
      ages: shadow === void 0 ? void 0 : { min: shadow[3] ?? "", max: shadow[4] ?? "" },
      ownGroup: answer.get("own_group") === "1",
      group: entryFields2(answer, "group_hex"),
      each: answer.all("each_hex").map((hex) => {
        const line = Buffer.from(hex, "hex").toString("utf8").split("\n")[0] ?? "";
        return line === "" ? void 0 : line.split(":");
      }),
      memberOf: answer.all("member"),
      homeExists: answer.get("home_exists") === "1",
      homeParent: answer.get("home_parent") === "1",
      ssh: keyState(answer),
      hostname: (answer.bytes("hostname_hex")?.toString("utf8") ?? "").trim()
    };
  }
  absent(probe) {
    const result = { name: this.name, state: "absent" };
    if (probe.passwd === void 0) return { ...result, changed: false };
    if (this.ctx.check) return { changed: true };
    const toolArgs = [];
    if (this.args["force"] === true) toolArgs.push("-f");
    if (this.args["remove"] === true) toolArgs.push("-r");
    return this.act(probe, { tool: "userdel", toolArgs, setPassword: void 0 }).then(
      ({ run }) => {
        if (run && run.rc !== 0) return this.toolFailure(run);
        Object.assign(result, {
          changed: true,
          force: this.args["force"],
          remove: this.args["remove"]
        });
        return withOutput4(result, run);
      }
    );
  }
  async create(probe) {
    if (this.ctx.check) return { changed: true };
    const args = this.args;
    const toolArgs = [];
    if (isNumber(args["uid"])) {
      toolArgs.push("-u", String(args["uid"]));
      if (args["non_unique"] === true) toolArgs.push("-o");
    }
    const group = args["group"];
    if (group !== null && group !== void 0) {
      if (probe.group === void 0) return this.failure(`Group ${group} does not exist`);
      toolArgs.push("-g", group);
    } else if (probe.ownGroup) {
      toolArgs.push("-N");
    }
    if (this.groupsList !== void 0 && this.groupsList.join(",") !== "") {
      const missing2 = this.missingGroup(probe);
      if (missing2 !== void 0) return this.failure(`Group ${missing2} does not exist`);
      toolArgs.push("-G", this.requestedGroups().join(","));
    }
    if (typeof args["comment"] === "string") toolArgs.push("-c", args["comment"]);
    const home = this.home;
    let preHome = "";
    if (typeof home === "string") {
      if (args["create_home"] === true && !probe.homeParent) preHome = home;
      toolArgs.push("-d", home);
    }
    if (typeof args["shell"] === "string") toolArgs.push("-s", args["shell"]);
    const expires = expiresDate(args["expires"]);
    if (expires !== void 0) toolArgs.push("-e", expires.text);
    if (args["create_home"] === true) {
      toolArgs.push("-m");
      if (typeof args["skeleton"] === "string") toolArgs.push("-k", args["skeleton"]);
      if (typeof args["umask"] === "string") toolArgs.push("-K", `UMASK=${args["umask"]}`);
    } else {
      toolArgs.push("-M");
    }
    if (args["system"] === true) toolArgs.push("-r");
    const setPassword = this.password === void 0 ? void 0 : args["password_lock"] === true ? `!${this.password}` : this.password;
    const done = await this.act(probe, { tool: "useradd", toolArgs, setPassword, preHome });
    if (done.failure) return done.failure;
    const result = {
      name: this.name,
      state: "present",
      system: args["system"],
      create_home: args["create_home"]
    };
    if (this.password !== void 0) result["password"] = NOT_LOGGING;
    result["changed"] = true;
    return this.finish(withOutput4(result, done.run), done.answer);
  }
  async modify(probe) {
    const args = this.args;
    const passwd = probe.passwd;
    const toolArgs = [];
    if (isNumber(args["uid"]) && Number(passwd[2]) !== args["uid"]) {
      toolArgs.push("-u", String(args["uid"]));
      if (args["non_unique"] === true) toolArgs.push("-o");
    }
    const group = args["group"];
    if (group !== null && group !== void 0) {
      if (probe.group === void 0) return this.failure(`Group ${group} does not exist`);
      if (probe.group[2] !== passwd[3]) toolArgs.push("-g", probe.group[2] ?? group);
    }
    if (this.groupsList !== void 0) {
      const current = probe.memberOf;
      const append = args["append"] === true;
      let needed = false;
      let requested = [];
      if (this.groupsList.join(",") === "") {
        needed = current.length > 0 && !append;
      } else {
        const missing2 = this.missingGroup(probe);
        if (missing2 !== void 0) return this.failure(`Group ${missing2} does not exist`);
        requested = this.requestedGroups();
        const differ = [
          ...current.filter((g) => !requested.includes(g)),
          ...requested.filter((g) => !current.includes(g))
        ];
        if (differ.length > 0) {
          if (append) {
            if (requested.some((g) => differ.includes(g))) {
              toolArgs.push("-a");
              needed = true;
            }
          } else {
            needed = true;
          }
        }
      }
      if (needed) toolArgs.push("-G", requested.join(","));
    }
    if (typeof args["comment"] === "string" && passwd[4] !== args["comment"])
      toolArgs.push("-c", args["comment"]);
    if (this.home !== void 0 && passwd[5] !== this.home) {
      toolArgs.push("-d", this.home);
      if (args["move_home"] === true) toolArgs.push("-m");
    }
    if (typeof args["shell"] === "string" && passwd[6] !== args["shell"])
      toolArgs.push("-s", args["shell"]);
    const expires = expiresDate(args["expires"]);
    if (expires !== void 0) {
      const current = probe.expireDays;
      if (expires.days < 0) {
        if (current >= 0) toolArgs.push("-e", "");
      } else if (current < 0 || utcDate(current * SECONDS_PER_DAY) !== expires.text) {
        toolArgs.push("-e", expires.text);
      }
    }
    let lockArg;
    if (args["password_lock"] === true && !probe.password.startsWith("!")) lockArg = "-L";
    else if (args["password_lock"] === false && probe.password.startsWith("!")) lockArg = "-U";
    let setPassword;
    if (args["update_password"] === "always" && this.password !== void 0 && stripBang(probe.password) !== stripBang(this.password)) {
      lockArg = void 0;
      setPassword = args["password_lock"] === true ? `!${this.password}` : this.password;
    }
    if (lockArg !== void 0) toolArgs.push(lockArg);
    const result = {
      name: this.name,
      state: "present",
      append: args["append"],
      move_home: args["move_home"]
    };
    if (this.password !== void 0) result["password"] = NOT_LOGGING;
    const changing = toolArgs.length > 0 || setPassword !== void 0;
    if (this.ctx.check || !changing && !this.moreToDo(probe)) {
      result["changed"] = changing;
      return this.finish(result, void 0, probe);
    }
    const done = await this.act(probe, {
      tool: toolArgs.length > 0 ? "usermod" : "",
      toolArgs,
      setPassword
    });
    if (done.failure) return done.failure;
    result["changed"] = changing;
    return this.finish(withOutput4(result, done.run), done.answer);
  }
  /** Whether a user already as asked still needs a round trip: a home to make, a key to generate. */
  moreToDo(probe) {
    if (this.args["create_home"] === true && !probe.homeExists) return true;
    if (this.agesDiffer(probe)) return true;
    return this.keySpec !== void 0 && keyWouldBeMade(probe.ssh, this.args["force"] === true);
  }
  /** Whether `password_expire_min`/`_max` differ from shadow's (never when shadow cannot be read). */
  agesDiffer(probe) {
    if (probe.ages === void 0) return false;
    const differs3 = (wanted, current) => isNumber(wanted) && String(wanted) !== current;
    return differs3(this.args["password_expire_min"], probe.ages.min) || differs3(this.args["password_expire_max"], probe.ages.max);
  }
  /** The first requested group that does not exist. */
  missingGroup(probe) {
    const requested = this.requestedGroups();
    return requested.find((_, i) => probe.each[i] === void 0);
  }
  failure(msg) {
    return { changed: false, failed: true, msg };
  }
  toolFailure(run) {
    return { changed: false, failed: true, name: this.name, msg: run.stderr, rc: run.rc };
  }
  /** Runs the changes on the target; `failure` when the tool or chpasswd failed. */
  async act(probe, plan) {
    const args = this.args;
    const present2 = args["state"] === "present";
    const passphrase = args["ssh_key_passphrase"];
    const connection = await factsFor(this.ctx).connection();
    const answer = await runAccountScript(
      connection,
      "apb-user-act",
      user_act_default,
      [
        this.name,
        plan.preHome ?? "",
        plan.tool,
        plan.setPassword === void 0 ? "0" : "1",
        present2 && args["create_home"] === true ? "1" : "0",
        this.home ?? "",
        present2 && this.keySpec !== void 0 ? "1" : "0",
        String(args["ssh_key_type"]),
        String(args["ssh_key_bits"]),
        this.keyComment(probe),
        this.keySpec ?? "",
        args["force"] === true ? "1" : "0",
        typeof passphrase === "string" ? "1" : "0",
        typeof args["skeleton"] === "string" ? args["skeleton"] : "",
        present2 && isNumber(args["password_expire_min"]) ? String(args["password_expire_min"]) : "",
        present2 && isNumber(args["password_expire_max"]) ? String(args["password_expire_max"]) : "",
        ...plan.toolArgs
      ],
      {
        timeoutMs: this.ctx.timeoutMs,
        stdin: `${plan.setPassword ?? ""}
${typeof passphrase === "string" ? passphrase : ""}
`
      }
    );
    const run = toolRun(answer);
    const homeFailed = answer.get("home_fail");
    if (run && run.rc !== 0 && plan.tool !== "userdel") {
      return { run, answer, failure: this.toolFailure(run) };
    }
    if (homeFailed !== void 0) {
      return {
        run,
        answer,
        failure: { changed: false, failed: true, msg: `could not make the home ${homeFailed}` }
      };
    }
    const pwRc = answer.int("pw_rc");
    if (pwRc !== void 0) {
      return {
        run,
        answer,
        failure: {
          changed: false,
          failed: true,
          name: this.name,
          msg: answer.bytes("pw_err_hex")?.toString("utf8") ?? "",
          rc: pwRc
        }
      };
    }
    return { run, answer };
  }
  keyComment(probe) {
    const comment = this.args["ssh_key_comment"];
    return typeof comment === "string" ? comment : `ansible-generated on ${probe.hostname}`;
  }
  /**
   * The fields every present user gets, from the state after the change (`answer`) or, when nothing
   * ran, from the probe: the passwd fields, `groups`, the home made, the ssh key, the password ages.
   */
  finish(result, answer, probe) {
    const passwd = answer ? validPasswd(entryFields2(answer, "pw_hex")) : probe?.passwd;
    if (passwd === void 0) {
      return { ...result, failed: true, msg: `failed to look up user name: ${this.name}` };
    }
    Object.assign(result, {
      uid: Number(passwd[2]),
      group: Number(passwd[3]),
      comment: passwd[4],
      home: passwd[5],
      shell: passwd[6]
    });
    if (this.groupsList !== void 0) result["groups"] = this.groupsList.join(",");
    if (answer ? answer.get("home_made") === "1" : !probe.homeExists) {
      if (this.args["create_home"] === true) result["changed"] = true;
    }
    if (this.keySpec !== void 0) {
      const failure4 = this.keyFields(result, answer, probe);
      if (failure4) return failure4;
    }
    if (answer) {
      const chageRc = answer.int("chage_rc");
      if (chageRc !== void 0 && chageRc !== 0) {
        return {
          changed: false,
          failed: true,
          name: this.name,
          msg: answer.bytes("chage_err_hex")?.toString("utf8") ?? "",
          rc: chageRc
        };
      }
      if (answer.get("chage_made") === "1") result["changed"] = true;
    } else if (this.agesDiffer(probe)) {
      result["changed"] = true;
    }
    return result;
  }
  /** The ssh key's fields into `result` (and `changed`); a failure result when ssh-keygen failed. */
  keyFields(result, answer, probe) {
    const force = this.args["force"] === true;
    let ssh;
    if (answer) {
      ssh = keyState(answer);
      for (const warning of answer.all("warn")) this.warnKey(warning, ssh.path);
      const keyRc = answer.int("key_rc");
      if (keyRc !== void 0 && keyRc !== 0) {
        return {
          changed: false,
          failed: true,
          name: this.name,
          msg: answer.bytes("key_err_hex")?.toString("utf8") ?? "",
          rc: keyRc
        };
      }
      if (answer.get("key_made") === "1") result["changed"] = true;
    } else {
      ssh = probe.ssh;
      if (!ssh.dirExists) {
        result["changed"] = true;
      } else {
        if (ssh.keyExists) this.warnKey(force ? "overwrite_key" : "key_exists", ssh.path);
        if ((!ssh.keyExists || force) && ssh.pubExists)
          this.warnKey(force ? "overwrite_pub" : "pub_exists", ssh.path);
        if (keyWouldBeMade(ssh, force)) result["changed"] = true;
      }
    }
    Object.assign(result, {
      ssh_fingerprint: ssh.fingerprint,
      ssh_key_file: ssh.path,
      ssh_public_key: ssh.publicKey
    });
    return void 0;
  }
  warnKey(kind, path27) {
    const messages = {
      overwrite_key: `Overwriting existing ssh key private file "${path27}"`,
      key_exists: `Found existing ssh key private file "${path27}", no force, so skipping ssh-keygen generation`,
      overwrite_pub: `Overwriting existing ssh key public file "${path27}.pub"`,
      pub_exists: `Found existing ssh key public file "${path27}.pub", no force, so skipping ssh-keygen generation`
    };
    const message2 = messages[kind];
    if (message2 !== void 0) this.ctx.warn(message2);
  }
};

// src/modules/yum-repository.ts
var REPO_KEYS = [
  "async",
  "bandwidth",
  "baseurl",
  "cost",
  "deltarpm_metadata_percentage",
  "deltarpm_percentage",
  "enabled",
  "enablegroups",
  "exclude",
  "failovermethod",
  "gpgcakey",
  "gpgcheck",
  "gpgkey",
  "module_hotfixes",
  "http_caching",
  "include",
  "includepkgs",
  "ip_resolve",
  "keepalive",
  "keepcache",
  "metadata_expire",
  "metadata_expire_filter",
  "metalink",
  "mirrorlist",
  "mirrorlist_expire",
  "name",
  "password",
  "priority",
  "protect",
  "proxy",
  "proxy_password",
  "proxy_username",
  "repo_gpgcheck",
  "retries",
  "s3_enabled",
  "skip_if_unavailable",
  "sslcacert",
  "ssl_check_cert_permissions",
  "sslclientcert",
  "sslclientkey",
  "sslverify",
  "throttle",
  "timeout",
  "ui_repoid_vars",
  "username"
];
var BOOL_KEYS = [
  "async",
  "enabled",
  "enablegroups",
  "gpgcheck",
  "module_hotfixes",
  "keepalive",
  "protect",
  "repo_gpgcheck",
  "s3_enabled",
  "skip_if_unavailable",
  "ssl_check_cert_permissions",
  "sslverify"
];
var STR_KEYS = [
  "bandwidth",
  "cost",
  "deltarpm_metadata_percentage",
  "deltarpm_percentage",
  "include",
  "metadata_expire",
  "metalink",
  "mirrorlist",
  "mirrorlist_expire",
  "priority",
  "proxy",
  "proxy_username",
  "retries",
  "throttle",
  "timeout",
  "ui_repoid_vars",
  "username"
];
var options = {
  name: { type: "str", required: true },
  description: { type: "str" },
  state: { type: "str", default: "present", choices: ["present", "absent"] },
  file: { type: "str" },
  reposdir: { type: "path", default: "/etc/yum.repos.d" },
  baseurl: { type: "list", elements: "str" },
  gpgkey: { type: "list", elements: "str", noLog: false },
  exclude: { type: "list", elements: "str" },
  includepkgs: { type: "list", elements: "str" },
  failovermethod: { type: "str", choices: ["roundrobin", "priority"] },
  gpgcakey: { type: "str", noLog: false },
  http_caching: { type: "str", choices: ["all", "packages", "none"] },
  ip_resolve: { type: "str", choices: ["4", "6", "IPv4", "IPv6", "whatever"] },
  keepcache: { type: "str", choices: ["0", "1"] },
  metadata_expire_filter: {
    type: "str",
    choices: ["never", "read-only:past", "read-only:present", "read-only:future"]
  },
  password: { type: "str", noLog: true },
  proxy_password: { type: "str", noLog: true },
  sslcacert: { type: "str", aliases: ["ca_cert"] },
  sslclientcert: { type: "str", aliases: ["client_cert"] },
  sslclientkey: { type: "str", aliases: ["client_key"], noLog: false },
  sslverify: { type: "bool", aliases: ["validate_certs"] },
  params: { type: "dict" },
  ...FILE_COMMON_OPTIONS
};
for (const key of BOOL_KEYS) options[key] ??= { type: "bool" };
for (const key of STR_KEYS) options[key] ??= { type: "str" };
var yumRepositoryModule = {
  name: "yum_repository",
  supportsCheckMode: true,
  args: { options },
  async run(ctx) {
    const a = ctx.args;
    const repoid = a["name"];
    const state = a["state"];
    const given = (key) => a[key] !== void 0 && a[key] !== null;
    const fail6 = (msg) => ({ failed: true, changed: false, msg });
    if (given("params") && Object.keys(a["params"]).length > 0)
      return fail6(
        "The params option to yum_repository was removed in Ansible 2.5 since it circumvents Ansible's option handling"
      );
    if (state === "present") {
      if (!given("baseurl") && !given("metalink") && !given("mirrorlist"))
        return fail6("Parameter 'baseurl', 'metalink' or 'mirrorlist' is required.");
      if (!given("description")) return fail6("Parameter 'description' is required.");
    }
    const reposdir = a["reposdir"];
    const file = given("file") ? String(a["file"]) : repoid;
    const dest = `${reposdir.replace(/\/+$/, "") || "/"}/${file}.repo`.replace(/^\/\//, "/");
    const facts = factsFor(ctx);
    const [dir, target] = await Promise.all([
      facts.path(reposdir),
      readEditTarget(ctx, facts, dest)
    ]);
    if (!dir.exists || dir.type !== "directory")
      return fail6(`Repo directory '${reposdir}' does not exist.`);
    const exists = target.state.exists && target.state.type === "file";
    let sections;
    try {
      sections = exists ? parseIni((target.content ?? Buffer.alloc(0)).toString("utf8")) : [];
    } catch (error) {
      if (error instanceof IniError)
        throw new ModuleArgumentError(`yum_repository: cannot read ${dest}: ${error.message}`);
      throw error;
    }
    const before = dump2(sections);
    sections = sections.filter((s) => s.name !== repoid);
    if (state === "present") sections.push({ name: repoid, entries: sectionEntries(a) });
    const after = dump2(sections);
    let changed = before !== after;
    const diff = { before_header: dest, before, after_header: dest, after };
    const result = () => ({ changed, repo: repoid, state, diff });
    const wanted = attributesWanted(a);
    if (ctx.check) {
      if (exists && target.state.exists && attributesDiffer(attributeChanges(wanted, target.state)))
        changed = true;
      return result();
    }
    if (changed && sections.length === 0) {
      const removed = await (await facts.connection()).run(`rm -f -- ${shellQuote(target.real)}`, { timeoutMs: ctx.timeoutMs });
      if (removed.code !== 0)
        return fail6(
          `Cannot remove empty repo file ${dest}.: ${removed.stderr.toString("utf8").trim()}`
        );
      return result();
    }
    const attrs = exists && target.state.exists ? attributeChanges(wanted, target.state) : void 0;
    if (!changed && !(attrs && attributesDiffer(attrs))) return result();
    const written = await putEdited(ctx, facts, {
      target,
      content: changed ? Buffer.from(render(sections)) : void 0,
      attributes: attrs ? { mode: attrs.mode, owner: attrs.owner, group: attrs.group } : {
        mode: attributeChanges(
          { mode: wanted.mode },
          { umask: target.state.umask, uid: 0, gid: 0 }
        ).mode,
        owner: wanted.owner,
        group: wanted.group
      },
      backup: false
    });
    if (!written.ok) return written.result;
    if (attrs && attributesDiffer(attrs)) changed = true;
    if (!exists && written.creator) {
      const created = attributeChanges(wanted, { umask: target.state.umask, ...written.creator });
      if (attributesDiffer(created)) changed = true;
    }
    return result();
  }
};
function sectionEntries(a) {
  const values = { ...a, name: a["description"] };
  const entries = [];
  for (const key of [...REPO_KEYS].sort()) {
    let value = values[key];
    if (value === void 0 || value === null) continue;
    if (Array.isArray(value))
      value = value.map(String).join(key === "baseurl" || key === "gpgkey" ? "\n" : " ");
    else if (typeof value === "boolean") value = value ? "1" : "0";
    entries.push([key, String(value)]);
  }
  return entries;
}
var IniError = class extends Error {
};
function parseIni(text5) {
  const sections = [];
  let current;
  let option;
  const close = () => {
    if (!option || !current) return;
    while (option.lines.length > 1 && option.lines[option.lines.length - 1] === "")
      option.lines.pop();
    current.entries[option.index][1] = option.lines.join("\n").trimEnd();
    option = void 0;
  };
  const lines2 = text5.split(/\r?\n/);
  lines2.forEach((raw, index) => {
    const stripped = raw.trim();
    const indent = raw.length - raw.trimStart().length;
    if (stripped.startsWith("#") || stripped.startsWith(";")) return;
    if (stripped === "") {
      if (option) option.lines.push("");
      return;
    }
    if (option && indent > option.indent) {
      option.lines.push(stripped);
      return;
    }
    close();
    const header = /^\[(.+)\]/.exec(stripped);
    if (header) {
      const name = header[1];
      if (sections.some((s) => s.name === name))
        throw new IniError(`section '${name}' is there twice (line ${index + 1})`);
      current = { name, entries: [] };
      sections.push(current);
      return;
    }
    if (!current) throw new IniError(`line ${index + 1} comes before any [section] header`);
    const pair = /^(.*?)\s*([=:])\s*(.*)$/.exec(stripped);
    if (!pair || pair[1] === "") throw new IniError(`line ${index + 1} is not key = value`);
    const key = pair[1].toLowerCase();
    if (current.entries.some(([k]) => k === key))
      throw new IniError(`key '${key}' is there twice in section '${current.name}'`);
    current.entries.push([key, pair[3]]);
    option = { lines: [pair[3]], indent, index: current.entries.length - 1 };
  });
  close();
  return sections;
}
function dump2(sections) {
  let text5 = "";
  for (const section of [...sections].sort((x, y) => compare(x.name, y.name))) {
    text5 += `[${section.name}]
`;
    for (const [key, value] of [...section.entries].sort(
      (x, y) => compare(x[0], y[0]) === 0 ? compare(x[1], y[1]) : compare(x[0], y[0])
    ))
      text5 += `${key} = ${value}
`;
    text5 += "\n";
  }
  return text5;
}
function render(sections) {
  let text5 = "";
  for (const section of sections) {
    text5 += `[${section.name}]
`;
    for (const [key, value] of section.entries) text5 += `${key} = ${value.replace(/\n/g, "\n	")}
`;
    text5 += "\n";
  }
  return text5;
}
function compare(x, y) {
  return x < y ? -1 : x > y ? 1 : 0;
}

// src/modules/tempfile.ts
import { randomInt as randomInt2 } from "node:crypto";
import path18 from "node:path";

// src/modules/tempfile.sh
var tempfile_default = '#!/bin/sh\n# apb-tempfile: creates a temporary file (0600) or directory (0700) on the target, exclusively: an\n# existing name is never reused, nor a link planted under it followed. POSIX sh, no Python.\n#\n# Run as:  /bin/sh -c "<path-info.sh + this text>" apb-tempfile <file|directory> <dir or ""> <name>\u2026\n# (src/modules/tempfile.ts builds the command, with a few random names to try, and parses the answer)\n#\n# The directory, when not given, is the first writable one of $TMPDIR, $TEMP, $TMP, /tmp, /var/tmp,\n# /usr/tmp, as Python\'s tempfile picks it. The answer is key=value lines ending with end=1:\n#   created=<path> and its path fields, or error=<errno> with dir=<the directory>.\nset -u\nstate=$1\nhome_path "$2"\n# shellcheck disable=SC2154 # set by home_path (path-info.sh)\ndir=$expanded\nshift 2\n\nif [ -z "$dir" ]; then\n  for candidate in "${TMPDIR:-}" "${TEMP:-}" "${TMP:-}" /tmp /var/tmp /usr/tmp; do\n    if [ -n "$candidate" ] && [ -d "$candidate" ] && [ -w "$candidate" ]; then\n      dir=$candidate\n      break\n    fi\n  done\n  [ -n "$dir" ] || dir=$(pwd)\nfi\necho "dir=$dir"\ncase $dir in\n  /*) ;;\n  *) dir=$(pwd)/$dir ;;\nesac\n\nfor name in "$@"; do\n  target=$dir/$name\n  if [ "$state" = directory ]; then\n    mkdir -m 700 -- "$target" 2>/dev/null && created=1 || created=0\n  else\n    # noclobber: the shell opens the file with O_EXCL.\n    (umask 077 && set -C && : >"$target") 2>/dev/null && created=1 || created=0\n  fi\n  if [ "$created" = 1 ]; then\n    echo "created=$target"\n    describe_path "$target"\n    echo end=1\n    exit 0\n  fi\n  [ -e "$target" ] || [ -L "$target" ] || break\ndone\n\n# Why it could not be created, as Python\'s errno names it.\nif [ ! -e "$dir" ]; then\n  echo error=2\nelif [ ! -d "$dir" ]; then\n  echo error=20\nelif [ -e "$target" ] || [ -L "$target" ]; then\n  echo error=17\nelse\n  echo error=13\nfi\necho "failed=$target"\necho end=1\n';

// src/modules/tempfile.ts
var NAME_CHARACTERS2 = "abcdefghijklmnopqrstuvwxyz0123456789_";
var NAMES_PER_CALL = 8;
var ERRNO_TEXT3 = {
  "2": "No such file or directory",
  "13": "Permission denied",
  "17": "File exists",
  "20": "Not a directory"
};
var compacted4 = compactScript(`${path_info_default}
${tempfile_default}`);
var tempfileModule = {
  name: "tempfile",
  supportsCheckMode: false,
  args: {
    options: {
      state: { type: "str", default: "file", choices: ["file", "directory"] },
      path: { type: "path" },
      prefix: { type: "str", default: "ansible." },
      suffix: { type: "str", default: "" }
    }
  },
  async run(ctx) {
    const state = ctx.args["state"];
    const dir = ctx.args["path"] ?? "";
    const prefix = String(ctx.args["prefix"] ?? "");
    const suffix = String(ctx.args["suffix"] ?? "");
    if (`${prefix}${suffix}`.includes("/")) {
      throw new ModuleArgumentError(
        `tempfile: prefix and suffix must not hold '/' (got ${JSON.stringify(prefix)}, ${JSON.stringify(suffix)})`
      );
    }
    const names = Array.from({ length: NAMES_PER_CALL }, () => `${prefix}${randomName2()}${suffix}`);
    const connection = await ctx.connection();
    const res = await connection.run(
      shellJoin(["/bin/sh", "-c", compacted4, "apb-tempfile", state, dir, ...names]),
      { timeoutMs: ctx.timeoutMs }
    );
    if (res.timedOut) {
      throw new CommandTimeoutError(
        `tempfile on ${connection.host} did not answer within ${ctx.timeoutMs} ms`,
        connection.host,
        ctx.timeoutMs
      );
    }
    const answer = new ProbeAnswer(res.stdout.toString("utf8"));
    if (res.code !== 0 || !answer.complete) {
      throw new ModuleArgumentError(
        `tempfile: the script failed on ${connection.host}: ${res.stderr.toString("utf8").trim().slice(-400)}`
      );
    }
    const created = answer.get("created");
    if (created !== void 0) {
      const values = /* @__PURE__ */ new Map();
      for (const key of ["info", "owner", "group", "kind"]) {
        const value = answer.get(key);
        if (value !== void 0) values.set(key, value);
      }
      return { changed: true, path: path18.posix.normalize(created), ...pathInfoFields(values) };
    }
    const errno = answer.get("error") ?? "13";
    const failedAt = dir ? pythonJoin(answer.get("dir") ?? dir, path18.posix.basename(answer.get("failed") ?? "")) : answer.get("failed") ?? "";
    return {
      changed: false,
      failed: true,
      msg: `[Errno ${errno}] ${ERRNO_TEXT3[errno] ?? "Error"}: '${failedAt}'`
    };
  }
};
function randomName2() {
  let name = "";
  for (let i = 0; i < 8; i++) name += NAME_CHARACTERS2[randomInt2(NAME_CHARACTERS2.length)];
  return name;
}
function pythonJoin(dir, name) {
  return dir.endsWith("/") ? `${dir}${name}` : `${dir}/${name}`;
}

// src/modules/unarchive.ts
import os2 from "node:os";
import path19 from "node:path";

// src/modules/unarchive.sh
var unarchive_default = `#!/bin/sh
# apb-unarchive: what the unarchive module reads and changes on the target. POSIX sh, no Python.
# (src/modules/unarchive.ts builds the commands and decides; unarchive-compare.ts reads the answers)
#
# Run as one of (expand-args.sh and path-info.sh are prepended):
#   apb-unarchive probe SRC DEST CHECK STATS ZIP_ARGS TAR_LIST_ARGS TAR_DIFF_ARGS
#       SRC/DEST as given ($VAR and ~ expanded here, as Ansible's path type does); CHECK=1: check mode
#       (the tar handlers are not tried); STATS=1: describe every path of the archive under DEST (zip
#       always does). The *_ARGS are shell text built by the controller with its quoting helper (every
#       user value quoted; "$src" and "$dest" name this script's variables), evaluated here:
#       ZIP_ARGS follow \`zipinfo -T -s "$src"\`, TAR_LIST_ARGS \`tar --list -C "$dest" FLAG\`,
#       TAR_DIFF_ARGS \`tar --diff -C "$dest" FLAG\`. Answers: the expanded paths, the state of SRC and
#       DEST, who runs this, which handler can read the archive (the reasons of those that cannot), its
#       listing, and what Ansible's handler compares with DEST (tar --diff, or zipinfo, unzip -v and
#       the CRC-32 of each file).
#   apb-unarchive extract DEST ARGV...
#       runs ARGV (the extraction) in DEST with Ansible's locale; prints its rc, out and err (hex).
#       Exits 1 when it failed, so that what is chained after it does not run.
#   apb-unarchive attrs DEST OWNER GROUP DESCRIBE BLIND     (MODE PATH lines on stdin)
#       sets owner, group (chown -h / chgrp -h) and the octal MODE (\`-\`: none; never on a symbolic
#       link) of each PATH where they differ, stopping at the first failure (fail=WHAT, fail_hex,
#       fail_at_hex); prints changed=1 when it changed something. BLIND=1 (just extracted: changed
#       anyway) sets them without reading them first. DESCRIBE=1: the paths are described afterwards
#       (st= lines), for a symbolic mode the controller resolves against each path's new mode.
# Answers are key=value lines ending with end=1; values that may hold any byte are hex (_hex keys).
set -u

hex() {
  od -An -v -tx1 | tr -d ' \\n'
}

has() {
  command -v "$1" >/dev/null 2>&1
}

# Ansible runs tar with the first of these locales the target has (its get_best_parsable_locale).
pick_locale() {
  loc=C
  avail=$(locale -a 2>/dev/null) || avail=
  for l in C.utf8 C.UTF-8 en_US.utf8; do
    if printf '%s\\n' "$avail" | grep -qx "$l"; then
      loc=$l
      break
    fi
  done
}

# describe_paths: for each path on stdin (one a line) that exists, one line
#   st=<mode octal> TAB <uid> TAB <gid> TAB <size> TAB <type, as stat %F> TAB <owner> TAB <group> TAB
#      <mtime, local, as stat %y> TAB <path as given>
# from a single stat per batch (xargs): a path that does not exist prints nothing.
describe_paths() {
  tab=$(printf '\\t')
  tr '\\n' '\\000' | xargs -0 stat -c "st=%a$tab%u$tab%g$tab%s$tab%F$tab%U$tab%G$tab%y$tab%n" -- 2>/dev/null
  return 0
}

# describe_all DEST NAMES: the paths of the archive under DEST (NAMES, one a line, a leading / dropped)
# and each top folder once after the first name in it, as paths_hex=, described by describe_paths
# (relative to DEST: ./NAME); with $want_crc=1 also filecrc_hex=, gzip's 8-byte trailer (CRC-32 and
# size, little-endian) of each path that is a regular file it can read, zeros for the others.
describe_all() {
  awk '{
    sub(/^\\/+/, ""); print
    slash = index($0, "/")
    if (slash > 0) { top = substr($0, 1, slash - 1); if (!(top in seen)) { seen[top] = 1; print top } }
  }' "$2" >"$work/paths"
  echo "paths_hex=$(hex <"$work/paths")"
  (
    cd -- "$1" || exit 0
    sed 's|^|./|' "$work/paths" | describe_paths
    if [ "$want_crc" = 1 ]; then
      printf 'filecrc_hex='
      while IFS= read -r name; do
        if [ -f "./$name" ] && [ ! -L "./$name" ] && [ -r "./$name" ]; then
          gzip -c <"./$name" | tail -c 8
        else
          printf '\\000\\000\\000\\000\\000\\000\\000\\000'
        fi
      done <"$work/paths" | od -An -v -tx1 | tr -d ' \\n'
      echo
    fi
  )
}

# Runs "$@" in $cwd with Ansible's locale; sets rc and writes its output to $out and $err.
run_in() {
  (cd -- "$cwd" && LANG=$loc LC_ALL=$loc LC_MESSAGES=$loc LANGUAGE=$loc "$@") >"$out" 2>"$err"
  rc=$?
}

mode=$1
shift

if [ "$mode" = extract ]; then
  cwd=$1
  shift
  pick_locale
  work=$(mktemp -d) || exit 1
  out=$work/out err=$work/err
  run_in "$@" </dev/null
  echo "rc=$rc"
  echo "out_hex=$(hex <"$out")"
  echo "err_hex=$(hex <"$err")"
  rm -rf -- "$work"
  describe_path "$cwd" | sed 's/^/dest_/'
  echo end=1
  [ "$rc" = 0 ] || exit 1
  exit 0
fi

if [ "$mode" = attrs ]; then
  dest=$1 owner=$2 group=$3 describe=$4 blind=$5 changed=''
  p=''
  fail() {
    echo "fail=$1"
    echo "fail_at_hex=$(printf '%s' "$p" | hex)"
    echo "fail_hex=$(printf '%s' "$2" | hex)"
    echo end=1
    exit 0
  }
  uid=''
  gid=''
  if [ -n "$owner" ]; then
    case $owner in
      *[!0-9]*) uid=$(id -u -- "$owner" 2>/dev/null) || uid='' ;;
      *) uid=$owner ;;
    esac
  fi
  if [ -n "$group" ]; then
    case $group in
      *[!0-9]*)
        if has getent; then
          gid=$(getent group "$group" | cut -d: -f3)
        else
          gid=$(awk -F: -v n="$group" '$1 == n { print $3; exit }' /etc/group)
        fi
        ;;
      *) gid=$group ;;
    esac
  fi
  input=$(cat)
  # Just extracted, one mode for all: one chown and one chmod for every path (links keep their mode).
  # If that fails, the loop below goes path by path and stops at the first failure with its message.
  if [ "$blind" = 1 ] && { [ -z "$owner" ] || [ -n "$uid" ]; } && { [ -z "$group" ] || [ -n "$gid" ]; }; then
    spec=''
    [ -n "$owner" ] && spec=$uid
    [ -n "$group" ] && spec="$spec:$gid"
    all_mode=$(printf '%s\\n' "$input" | sed -n '1s/ .*//p')
    if { [ -z "$spec" ] || printf '%s\\n' "$input" | sed 's/^[^ ]* //' | tr '\\n' '\\000' |
      xargs -0 chown -h -- "$spec" 2>/dev/null; } &&
      { [ "$all_mode" = - ] || printf '%s\\n' "$input" | sed 's/^[^ ]* //' |
        while IFS= read -r p; do [ -L "$p" ] || printf '%s\\000' "$p"; done |
        xargs -0 chmod -- "$all_mode" 2>/dev/null; }; then
      echo changed=1
      if [ "$describe" = 1 ]; then
        printf '%s\\n' "$input" | sed 's/^[^ ]* //' | describe_paths
      fi
      describe_path "$dest" | sed 's/^/dest_/'
      echo end=1
      exit 0
    fi
  fi
  list=''
  while IFS=' ' read -r want_mode p; do
    list="$list$p
"
    [ -e "$p" ] || [ -L "$p" ] || continue
    case $p in -*) p=./$p ;; esac
    if [ -n "$owner" ]; then
      [ -n "$uid" ] || fail owner-lookup "$owner"
      now=-
      [ "$blind" = 1 ] || now=$(stat -c %u -- "$p")
      if [ "$now" != "$uid" ]; then
        out=$(chown -h -- "$uid" "$p" 2>&1) || fail chown "$out"
        changed=1
      fi
    fi
    if [ -n "$group" ]; then
      [ -n "$gid" ] || fail group-lookup "$group"
      now=-
      [ "$blind" = 1 ] || now=$(stat -c %g -- "$p")
      if [ "$now" != "$gid" ]; then
        out=$(chgrp -h -- "$gid" "$p" 2>&1) || fail chgrp "$out"
        changed=1
      fi
    fi
    # A link's own mode is never changed (chmod would change what it points to).
    if [ "$want_mode" != - ] && [ ! -L "$p" ]; then
      now=-
      [ "$blind" = 1 ] || now=$(stat -c %a -- "$p")
      if [ "$now" = - ] || [ "$((0$now))" != "$((0$want_mode))" ]; then
        out=$(chmod -- "$want_mode" "$p" 2>&1) || fail chmod "$out"
        changed=1
      fi
    fi
  done <<EOF
$input
EOF
  [ -n "$changed" ] && echo changed=1
  if [ "$describe" = 1 ]; then
    printf '%s' "$list" | describe_paths
  fi
  describe_path "$dest" | sed 's/^/dest_/'
  echo end=1
  exit 0
fi

# probe
src_arg=$1 dest_arg=$2 check=$3 stats=$4 zip_args=$5 tar_list_args=$6 tar_diff_args=$7
owner=$8 group=$9
shift 9
# "$@": the excludes (patterns), with which a tar listing may leave no names at all.
src=$(apb_expand "$src_arg") && src=\${src%x}
dest=$(apb_expand "$dest_arg") && dest=\${dest%x}
echo "src_hex=$(printf '%s' "$src" | hex)"
echo "dest_hex=$(printf '%s' "$dest" | hex)"
echo "run_uid=$(id -u)"
echo "run_gid=$(id -g)"
echo "run_groups=$(id -G | tr ' ' ,)"
echo "run_user=$(id -un 2>/dev/null || id -u)"
echo "run_group=$(id -gn 2>/dev/null || id -g)"
echo "umask=$(umask)"
# The accounts owner and group name (by name, or by number), as name:id.
account() {
  if has getent; then
    getent "$1" "$2" | cut -d: -f1,3
  else
    awk -F: -v n="$2" '$1 == n || $3 == n { print $1 ":" $3; exit }' "/etc/$1"
  fi
}
[ -n "$owner" ] && echo "owner_account=$(account passwd "$owner" | head -n 1)"
[ -n "$group" ] && echo "group_account=$(account group "$group" | head -n 1)"

finish() {
  echo end=1
  exit 0
}
# The action checks dest before the module looks at src.
if [ ! -d "$dest" ]; then
  echo dest=notdir
  finish
fi
echo dest=dir
describe_path "$dest" | sed 's/^/dest_/'
if [ ! -e "$src" ]; then
  echo src=missing
  finish
elif [ ! -r "$src" ]; then
  echo src=unreadable
  finish
elif [ ! -s "$src" ]; then
  echo src=empty
  finish
fi
echo src=ok

pick_locale
work=$(mktemp -d) || {
  echo missing_tool=mktemp
  finish
}
trap 'rm -rf -- "$work"' EXIT
out=$work/out err=$work/err

reason() {
  echo "reason_hex=$(printf '%s' "$1" | hex)"
}

# A reason already in hex.
reason_hex() {
  echo "reason_hex=$1"
}

handler=
unzip=$(command -v unzip 2>/dev/null) || unzip=
zipinfo=$(command -v zipinfo 2>/dev/null) || zipinfo=
unzip_lists=
unzip_reason=
if [ -n "$unzip" ]; then
  cwd=.
  run_in "$unzip" -l "$src"
  if [ "$rc" = 0 ]; then
    unzip_lists=1
  else
    unzip_reason=$({ printf 'Command "%s" could not handle archive: ' "$unzip"; cat "$err"; } | hex)
  fi
fi
# ZipArchive needs unzip and zipinfo; ZipZArchive unzip with its -Z.
if [ -z "$unzip" ] && [ -z "$zipinfo" ]; then
  reason "Unable to find required 'unzip' or 'zipinfo' binary in the path."
elif [ -z "$unzip" ]; then
  reason "Unable to find required 'unzip' binary in the path."
elif [ -z "$zipinfo" ]; then
  reason "Unable to find required 'zipinfo' binary in the path."
elif [ -n "$unzip_lists" ]; then
  handler=ZipArchive
else
  reason_hex "$unzip_reason"
fi
if [ -z "$handler" ]; then
  if [ -z "$unzip" ]; then
    reason "Unable to find required 'unzip' or 'unzip' binary in the path."
  elif [ -z "$unzip_lists" ]; then
    reason_hex "$unzip_reason"
  elif "$unzip" -Z 2>"$err" | grep -qi zipinfo; then
    handler=ZipZArchive
    zipinfo="$unzip -Z"
  else
    reason_hex "$({ printf 'Command "unzip -Z" could not handle archive: '; cat "$err"; } | hex)"
  fi
fi

if [ -n "$handler" ]; then
  echo "handler=$handler"
  echo "cmd_path_hex=$(printf '%s' "$unzip" | hex)"
  cwd=.
  run_in "$unzip" -Z1 "$src"
  echo "list_hex=$(hex <"$out")"
  cp "$out" "$work/names"
  # shellcheck disable=SC2086 # $zipinfo is a path, or a path and -Z
  eval "run_in $zipinfo -T -s \\"\\$src\\" $zip_args"
  echo "zipinfo_rc=$rc"
  echo "zipinfo_hex=$(hex <"$out")"
  run_in "$unzip" -v "$src"
  echo "crcs_hex=$(hex <"$out")"
  if ! has gzip; then
    echo missing_tool=gzip
    finish
  fi
  want_crc=1
  describe_all "$dest" "$work/names"
  finish
fi

# The tar handlers; Ansible's module stops at the first of them in check mode.
if [ "$check" = 1 ]; then
  echo handler=check
  finish
fi
tar=$(command -v gtar 2>/dev/null) || tar=$(command -v tar 2>/dev/null) || tar=
if [ -z "$tar" ]; then
  reason "Unable to find required 'gtar' or 'tar' binary in the path"
  finish
fi
cwd=.
run_in "$tar" --version
case $(cat "$out") in
  bsdtar*) tar_type=bsd ;;
  tar*GNU*) tar_type=gnu ;;
  *) tar_type=None ;;
esac
if [ "$tar_type" != gnu ]; then
  reason "Command \\"$tar\\" detected as tar type $tar_type. GNU tar required."
  finish
fi
cwd=$dest
for handler in TgzArchive TarArchive TarBzipArchive TarXzArchive TarZstdArchive; do
  case $handler in
    TgzArchive) flag=-z ;;
    TarArchive) flag= ;;
    TarBzipArchive) flag=-j ;;
    TarXzArchive) flag=-J ;;
    *) flag=--use-compress-program=zstd ;;
  esac
  eval "run_in \\"\\$tar\\" --list -C \\"\\$dest\\" $flag $tar_list_args"
  if [ "$rc" != 0 ]; then
    reason_hex "$({ printf 'Command "%s" could not handle archive: Unable to list files in the archive: ' "$tar"; cat "$err"; } | hex)"
    continue
  fi
  # Listed: the names that are left once the excludes are applied (fnmatch: * matches / too).
  : >"$work/names"
  while IFS= read -r name; do
    case $name in /*) name=\${name#/} ;; esac
    for pattern do
      # shellcheck disable=SC2254 # the exclude is a pattern
      case $name in $pattern) continue 2 ;; esac
    done
    printf '%s\\n' "$name" >>"$work/names"
  done <"$out"
  if [ ! -s "$work/names" ]; then
    reason "Command \\"$tar\\" found no files in archive. Empty archive files are not supported."
    continue
  fi
  echo "handler=$handler"
  echo "list_hex=$(hex <"$out")"
  found=$handler
  break
done
if [ -n "\${found:-}" ]; then
  echo "cmd_path_hex=$(printf '%s' "$tar" | hex)"
  echo "flag=$flag"
  eval "run_in \\"\\$tar\\" --diff -C \\"\\$dest\\" $flag $tar_diff_args"
  echo "diff_rc=$rc"
  echo "diff_out_hex=$(hex <"$out")"
  echo "diff_err_hex=$(hex <"$err")"
  if [ "$stats" = 1 ]; then
    want_crc=0
    describe_all "$dest" "$work/names"
  fi
fi
finish
`;

// src/modules/unarchive-compare.ts
function parseStats(lines2, crcs = /* @__PURE__ */ new Map()) {
  const stats = /* @__PURE__ */ new Map();
  for (const line of lines2) {
    const parts = line.split("	");
    if (parts.length < 9) continue;
    const [mode, uid, gid, size, kind, owner, group, mtime] = parts;
    const name = parts.slice(8).join("	").replace(/^\.\//, "");
    const [date, time] = (mtime ?? "").split(" ");
    const fraction = /\.(\d+)/.exec(time ?? "")?.[1] ?? "";
    const type = kind === "directory" ? "d" : kind === "symbolic link" ? "l" : /^regular (empty )?file$/.test(kind ?? "") ? "f" : "o";
    const crc = type === "f" ? crcs.get(name) : void 0;
    stats.set(name, {
      type,
      mode: parseInt(mode ?? "0", 8),
      uid: Number(uid),
      gid: Number(gid),
      size: Number(size),
      ...crc !== void 0 ? { crc } : {},
      ...owner && owner !== "UNKNOWN" ? { owner } : {},
      ...group && group !== "UNKNOWN" ? { group } : {},
      mtime: `${(date ?? "").replace(/-/g, "")}.${(time ?? "").slice(0, 8).replace(/:/g, "")}`,
      fraction: /[1-9]/.test(fraction)
    });
  }
  return stats;
}
function fileCrcs(paths, trailers) {
  const crcs = /* @__PURE__ */ new Map();
  const names = paths === "" ? [] : paths.replace(/\n$/, "").split("\n");
  names.forEach((name, i) => {
    const trailer = trailers.slice(i * 16, i * 16 + 8);
    if (trailer.length === 8) crcs.set(name, littleEndianCrc(trailer));
  });
  return crcs;
}
function littleEndianCrc(bytes) {
  const pairs = bytes.match(/../g) ?? [];
  return pairs.reverse().join("").toLowerCase();
}
function parseAccount(text5) {
  const match = /^([^:]+):(\d+)$/.exec(text5 ?? "");
  return match ? { name: match[1], id: Number(match[2]) } : void 0;
}
function splitFields(line, max) {
  const fields = [];
  let rest = line.replace(/^\s+/, "");
  while (rest !== "" && fields.length < max) {
    const match = /^(\S+)\s*/.exec(rest);
    fields.push(match[1]);
    rest = rest.slice(match[0].length);
  }
  if (rest !== "") fields.push(rest);
  return fields;
}
function parseCrcs(text5) {
  const crcs = /* @__PURE__ */ new Map();
  for (const line of text5.split("\n")) {
    const fields = splitFields(line, 7);
    if (fields.length === 8 && /^[0-9a-f]{8}$/.test(fields[6]) && /^\d+$/.test(fields[0]))
      crcs.set(fields[7], fields[6]);
  }
  return crcs;
}
function permissionsOf(permstr) {
  let mode = 0;
  const reversed = [...permstr].reverse();
  for (let i = 0; i < 9; i++) if ("rwxst".includes(reversed[i] ?? "-")) mode |= 1 << i;
  return mode;
}
function modeWanted(ctx, current, isDirectory2) {
  const mode = ctx.mode;
  if (typeof mode === "number") return mode;
  return wantedMode(mode, current, ctx.umask, isDirectory2);
}
function futureAccounts(ctx) {
  const runOwner = { name: ctx.runUser, id: ctx.runUid };
  const runGroup = { name: ctx.runGroup, id: ctx.runGid };
  return {
    owner: ctx.owner ? ctx.ownerAccount ?? runOwner : runOwner,
    group: ctx.group ? ctx.groupAccount ?? runGroup : runGroup
  };
}
function compareZip(zipinfo, zipinfoRc, crcs, stats, excludes, ctx) {
  let unarchived = zipinfoRc === 0;
  const changed = [];
  const excluded = [...excludes];
  let diff = "";
  const future = futureAccounts(ctx);
  for (const line of zipinfo.split("\n")) {
    const pcs = splitFields(line, 7);
    if (pcs.length !== 8) continue;
    const [perms, , , sizeText, , , stamp, path27] = pcs;
    if (perms.length !== 7 && perms.length !== 10) continue;
    if (stamp.length !== 15) continue;
    if (!"dl-?".includes(perms[0]) || ![...perms.slice(1)].every((c) => "rwxstah-".includes(c)))
      continue;
    const ztype = perms[0];
    let permstr = perms.slice(1);
    const size = Number(sizeText);
    if (excludes.includes(path27)) continue;
    const ftype = path27.endsWith("/") ? "d" : ztype === "l" ? "L" : "f";
    let fileUmask = 0;
    if (permstr.length === 6) {
      permstr = path27.endsWith("/") || permstr === "rwx---" ? "rwxrwxrwx" : "rw-rw-rw-";
      fileUmask = ctx.umask;
    }
    const st = stats.get(path27) ?? stats.get(path27.replace(/\/$/, ""));
    if (st === void 0 || st === "missing") {
      changed.push(path27);
      diff += `>${ftype}++++++.?? ${path27}
`;
      continue;
    }
    if (ftype === "d" && st.type !== "d" || ftype === "f" && st.type !== "f" || ftype === "L" && st.type !== "l") {
      if (ftype === "f") unarchived = false;
      changed.push(path27);
      diff += `c${ftype}++++++.?? ${path27}
`;
      continue;
    }
    let change = false;
    const itemized = [...`.${ftype}.......??`];
    if (st.type === "f") {
      const newer = stamp > st.mtime;
      const same = stamp === st.mtime && !st.fraction;
      if (ctx.keepNewer) {
        if (newer) {
          change = true;
          changed.push(path27);
          itemized[4] = "t";
        } else if (!same) {
          excluded.push(path27);
          continue;
        }
      } else if (!same) {
        change = true;
        changed.push(path27);
        itemized[4] = "t";
      }
      if (size !== st.size) {
        change = true;
        itemized[3] = "s";
      }
      if (crcs.get(path27) !== st.crc) {
        change = true;
        itemized[2] = "c";
      }
    }
    if (ftype !== "L") {
      let mode;
      if (ctx.mode !== void 0) mode = modeWanted(ctx, st.mode, st.type === "d");
      else mode = permissionsOf(permstr) & ~(ztype === "?" ? 0 : fileUmask);
      if (mode !== st.mode) {
        change = true;
        itemized[5] = "p";
      }
    }
    if (ctx.runUid !== 0 && (future.owner.name !== ctx.runUser || future.owner.id !== ctx.runUid)) {
      return {
        unarchived: false,
        excludes: excluded,
        error: `Cannot change ownership of ${path27} to ${future.owner.name}, as user ${ctx.runUser}`
      };
    }
    if (st.owner !== void 0 ? st.owner !== future.owner.name : st.uid !== future.owner.id) {
      change = true;
      itemized[6] = "o";
    }
    if (ctx.runUid !== 0 && (future.group.name !== ctx.runGroup || future.group.id !== ctx.runGid) && !ctx.runGroups.includes(future.group.id)) {
      return {
        unarchived: false,
        excludes: excluded,
        error: `Cannot change group ownership of ${path27} to ${future.group.name}, as user ${ctx.runUser}`
      };
    }
    if (st.group !== void 0 ? st.group !== future.group.name : st.gid !== future.group.id) {
      change = true;
      itemized[6] = "g";
    }
    if (change) {
      if (!changed.includes(path27)) changed.push(path27);
      diff += `${itemized.join("")} ${path27}
`;
    }
  }
  if (changed.length > 0) unarchived = false;
  return { unarchived, diff, excludes: excluded };
}
function compareTar(out, err, ctx) {
  const counted = (line) => {
    if (/: : Warning: Cannot stat: No such file or directory$/.test(line)) return false;
    return ctx.runUid === 0 && !ctx.owner && /: Uid differs$/.test(line) || ctx.runUid === 0 && !ctx.group && /: Gid differs$/.test(line) || ctx.mode === void 0 && /: Mode differs$/.test(line) || /: Mod time differs$/.test(line) || /: Warning: Cannot stat: No such file or directory$/.test(line) || /: Invalid owner/.test(line) || /: Invalid group/.test(line);
  };
  const lines2 = [...splitLines4(out), ...splitLines4(err)];
  return { unarchived: !lines2.some(counted), excludes: [] };
}
function splitLines4(text5) {
  if (text5 === "") return [];
  return text5.replace(/\n$/, "").split(/\r\n|\n|\r/);
}
function attributeChanges2(names, stats, ctx, dest) {
  return names.map((name) => {
    const path27 = `${dest.replace(/\/+$/, "")}/${name}`;
    const st = stats.get(name) ?? stats.get(name.replace(/\/$/, ""));
    if (st === void 0 || st === "missing") return { path: path27, differs: false };
    let differs3 = false;
    if (ctx.owner !== void 0 && ctx.ownerId !== st.uid) differs3 = true;
    if (ctx.group !== void 0 && ctx.groupId !== st.gid) differs3 = true;
    let mode;
    if (ctx.mode !== void 0 && st.type !== "l") {
      mode = modeWanted(ctx, st.mode, st.type === "d");
      if (mode !== st.mode) differs3 = true;
    }
    return { path: path27, ...mode === void 0 ? {} : { mode }, differs: differs3 };
  });
}
function tarName(line) {
  if (!line.includes("\\")) return line;
  const bytes = [];
  const raw = Buffer.from(line, "utf8");
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i];
    if (byte !== 92 || i + 1 >= raw.length) {
      bytes.push(byte);
      continue;
    }
    const next = String.fromCharCode(raw[i + 1]);
    const simple = {
      n: 10,
      t: 9,
      r: 13,
      "\\": 92,
      a: 7,
      b: 8,
      f: 12,
      v: 11
    };
    if (next in simple) {
      bytes.push(simple[next]);
      i++;
    } else if (/[0-7]/.test(next)) {
      let digits = "";
      let j = i + 1;
      while (j < raw.length && digits.length < 3 && /[0-7]/.test(String.fromCharCode(raw[j]))) {
        digits += String.fromCharCode(raw[j]);
        j++;
      }
      bytes.push(parseInt(digits, 8) & 255);
      i = j - 1;
    } else {
      bytes.push(byte);
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

// src/modules/unarchive.ts
var SCRIPT10 = {
  name: "apb-unarchive",
  source: `${expand_args_default}
${path_info_default}
${unarchive_default}`
};
var UPLOAD_CAP_BYTES = 512 * 1024 * 1024;
var ANSWER_CAP_BYTES = 64 * 1024 * 1024;
var SELINUX_AND_MORE2 = "SELinux contexts and file attributes are not supported";
var ZIP_HANDLERS = /* @__PURE__ */ new Set(["ZipArchive", "ZipZArchive"]);
var unarchiveModule = {
  name: "unarchive",
  supportsCheckMode: true,
  args: {
    reportedAs: "ansible.legacy.unarchive",
    options: {
      src: { type: "path" },
      dest: { type: "path" },
      remote_src: { type: "bool", default: false },
      creates: { type: "path" },
      list_files: { type: "bool", default: false },
      keep_newer: { type: "bool", default: false },
      exclude: { type: "list", elements: "str", default: [] },
      include: { type: "list", elements: "str", default: [] },
      extra_opts: { type: "list", elements: "str", default: [] },
      validate_certs: { type: "bool", default: true },
      io_buffer_size: { type: "int", default: 64 * 1024 },
      // The action plugin reads these two: copy is the deprecated inverse of remote_src, decrypt asks
      // for vault decryption of a controller archive.
      copy: { type: "bool", default: true },
      decrypt: { type: "bool", default: true },
      mode: { type: "raw" },
      owner: { type: "str" },
      group: { type: "str" },
      // Ansible's unarchive never writes files itself: unsafe_writes changes nothing.
      unsafe_writes: { type: "bool", default: false },
      attributes: { type: "str", aliases: ["attr"], notImplemented: SELINUX_AND_MORE2 },
      seuser: { type: "str", notImplemented: SELINUX_AND_MORE2 },
      serole: { type: "str", notImplemented: SELINUX_AND_MORE2 },
      selevel: { type: "str", notImplemented: SELINUX_AND_MORE2 },
      setype: { type: "str", notImplemented: SELINUX_AND_MORE2 }
    },
    mutuallyExclusive: [["include", "exclude"]]
  },
  async run(ctx) {
    const a = ctx.args;
    const given = ctx.task.args ?? {};
    const failed4 = (msg, extra = {}) => ({
      changed: false,
      failed: true,
      msg,
      ...extra
    });
    let remote = a["remote_src"];
    if ("copy" in given) {
      if ("remote_src" in given)
        return failed4("parameters are mutually exclusive: ('copy', 'remote_src')");
      remote = !a["copy"];
    }
    const srcArg = a["src"];
    const destArg = a["dest"];
    if (srcArg == null || destArg == null) return failed4("src (or content) and dest are required");
    const connection = await ctx.connection();
    const creates = a["creates"] || void 0;
    const createsCheck = creates === void 0 ? "skip=0" : `skip=0 && home_path ${shellQuote(creates)} && if test -e "$expanded"; then skip=1; fi`;
    const skipped = (expanded) => ({
      changed: false,
      skipped: true,
      msg: `skipped, since ${expanded} exists`
    });
    const createsExists = async () => {
      if (creates === void 0) return void 0;
      const res = await connection.run(
        `${path_info_default}
${createsCheck} && [ "$skip" = 1 ] && printf '%s' "$expanded"`,
        { timeoutMs: ctx.timeoutMs }
      );
      return res.code === 0 ? skipped(res.stdout.toString("utf8")) : void 0;
    };
    let uploadDir;
    let src = srcArg;
    if (remote) {
      const skip = await createsExists();
      if (skip) return skip;
    } else {
      let local;
      try {
        local = findControllerFile(expandUser2(srcArg), "files", ctx);
      } catch (error) {
        if (!(error instanceof ModuleArgumentError)) throw error;
        const skip = await createsExists();
        if (skip) return skip;
        const message2 = path19.isAbsolute(expandUser2(srcArg)) ? `Could not find or access '${srcArg}' on the Ansible Controller.` : error.message;
        return failed4(
          `${message2}
If you are using a module and expect the file to exist on the remote, see the remote_src option`
        );
      }
      let content;
      try {
        content = readSourceFile(local, a);
      } catch (error) {
        const skip = await createsExists();
        if (skip) return skip;
        throw error;
      }
      if (content.length > UPLOAD_CAP_BYTES) {
        const skip = await createsExists();
        if (skip) return skip;
        return failed4(
          `unarchive: ${local} is over ${UPLOAD_CAP_BYTES} bytes; copy it with a transfer tool and use remote_src`
        );
      }
      const mk = await connection.run(
        `${path_info_default}
${expand_args_default}
${createsCheck} || exit 1
if [ "$skip" = 1 ]; then printf '1\\n%s' "$expanded"; exit 0; fi
printf '0\\n' && d=$(apb_expand ${shellQuote(destArg)}) && d=\${d%x} && printf '%s\\n' "$d" && if [ -d "$d" ]; then umask 077 && mktemp -d "\${TMPDIR:-/tmp}/apb-unarchive.XXXXXXXX"; fi`,
        { timeoutMs: ctx.timeoutMs }
      );
      const out = mk.stdout.toString("utf8");
      if (out.startsWith("1\n")) return skipped(out.slice(2));
      const [, expandedDest, dir] = out.split("\n");
      if (!dir?.startsWith("/")) {
        if (mk.code === 0 || !mk.stderr.length)
          return failed4(`dest '${expandedDest ?? destArg}' must be an existing dir`);
        throw new ModuleArgumentError(
          `unarchive: could not create a temporary directory on ${connection.host}: ${mk.stderr.toString("utf8").trim()}`
        );
      }
      uploadDir = dir;
      src = `${dir}/source`;
      await connection.putFile(src, content, { mode: 384, timeoutMs: ctx.timeoutMs });
    }
    try {
      return await unpack(ctx, connection, src, destArg, remote);
    } finally {
      if (uploadDir !== void 0)
        await connection.run(`rm -rf ${shellQuote(uploadDir)}`, { timeoutMs: ctx.timeoutMs }).catch(() => void 0);
    }
  }
};
function expandUser2(value) {
  if (value === "~") return os2.homedir();
  if (value.startsWith("~/")) return path19.join(os2.homedir(), value.slice(2));
  return value;
}
async function unpack(ctx, connection, srcArg, destArg, remote) {
  const a = ctx.args;
  const owner = a["owner"] || void 0;
  const group = a["group"] || void 0;
  const modeArg = a["mode"];
  const mode = modeArg === null || modeArg === void 0 || modeArg === "" ? void 0 : modeArg;
  const keepNewer = a["keep_newer"];
  const includes = a["include"];
  const extraOpts = a["extra_opts"];
  const zipExcludes = a["exclude"];
  const tarExcludes = zipExcludes.map((e) => e.replace(/\/+$/, ""));
  const attributes = owner !== void 0 || group !== void 0 || mode !== void 0;
  if (typeof mode !== "number" && mode !== void 0 && typeof mode !== "string")
    throw new ModuleArgumentError(
      `unarchive: mode must be octal or symbolic text, got ${JSON.stringify(mode)}`
    );
  const q = (values) => values.map(shellQuote).join(" ");
  const shown = extraOpts.length > 0 ? ["--show-transformed-names", ...extraOpts] : [];
  const excl = tarExcludes.map((e) => `--exclude=${e}`);
  const zipArgs = [...zipExcludes.length > 0 ? ["-x", ...zipExcludes] : [], ...includes];
  const tarOwnership = [
    ...owner !== void 0 ? [`--owner=${shellQuote(owner)}`] : [],
    ...group !== void 0 ? [`--group=${shellQuote(group)}`] : [],
    ...keepNewer ? ["--keep-newer-files"] : []
  ];
  const tarListArgs = `${q([...shown, ...excl])} -f "$src" ${q(includes)}`;
  const tarDiffArgs = `${q([...shown, ...tarOwnership, ...excl])} -f "$src" ${q(includes)}`;
  const probeOf = (source) => runScript6(
    connection,
    ctx,
    probeCommand(SCRIPT10, [
      "probe",
      source,
      destArg,
      ctx.check ? "1" : "0",
      attributes ? "1" : "0",
      q(zipArgs),
      tarListArgs,
      tarDiffArgs,
      owner ?? "",
      group ?? "",
      ...tarExcludes
    ])
  );
  let probe = await probeOf(srcArg);
  const text5 = (key) => fromHex(probe.get(key) ?? "").toString("utf8");
  const dest = text5("dest_hex");
  if (probe.get("dest") !== "dir") {
    return fail5(`dest '${dest}' must be an existing dir`);
  }
  const src = text5("src_hex");
  let download2;
  try {
    if (probe.get("src") === "missing" && remote && src.includes("://")) {
      const fetched = await fetchSource(ctx, connection, src);
      if ("failure" in fetched) return fetched.failure;
      download2 = fetched.dir;
      probe = await probeOf(fetched.file);
    }
    return await unpackProbed(ctx, connection, probe, {
      remote,
      attributes,
      shown,
      excl,
      owner,
      group,
      mode,
      keepNewer,
      includes,
      extraOpts,
      zipExcludes,
      tarExcludes
    });
  } finally {
    if (download2 !== void 0)
      await connection.run(`rm -rf ${shellQuote(download2)}`, { timeoutMs: ctx.timeoutMs }).catch(() => void 0);
  }
}
var TEMP_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789_";
function downloadName(url, random = Math.random) {
  let pathname = url;
  try {
    pathname = new URL(url).pathname;
  } catch {
  }
  let name = decodeURIComponentSafe(pathname.slice(pathname.lastIndexOf("/") + 1));
  const suffixes = name.endsWith(".") ? [] : name.replace(/^\.+/, "").split(".").slice(1).map((part) => `.${part}`);
  let extension = "";
  for (const [i, suffix] of [...suffixes].reverse().entries()) {
    if (i >= 2 || suffix.length < 3 || suffix.length > 4) break;
    extension = `${suffix}${extension}`;
    let end = name.length;
    while (end > 0 && suffix.includes(name[end - 1])) end--;
    name = name.slice(0, end);
  }
  let middle = "";
  for (let i = 0; i < 8; i++) middle += TEMP_CHARS[Math.floor(random() * TEMP_CHARS.length)];
  return `${name}${middle}${extension}`;
}
function decodeURIComponentSafe(text5) {
  try {
    return decodeURIComponent(text5);
  } catch {
    return text5;
  }
}
async function fetchSource(ctx, connection, url) {
  const mk = await connection.run(
    'umask 077 && mktemp -d "${TMPDIR:-/tmp}/apb-unarchive.XXXXXXXX"',
    { timeoutMs: ctx.timeoutMs }
  );
  const dir = mk.stdout.toString("utf8").trim();
  if (mk.code !== 0 || !dir.startsWith("/"))
    throw new ModuleArgumentError(
      `unarchive: could not create a temporary directory on ${connection.host}: ${mk.stderr.toString("utf8").trim()}`
    );
  const file = `${dir}/${downloadName(url)}`;
  try {
    const response = await httpRequest(connection, {
      url,
      method: "GET",
      timeoutSeconds: 10,
      validateCerts: ctx.args["validate_certs"] !== false,
      followRedirects: "urllib2",
      decompress: true,
      outputPath: file,
      environment: ctx.environment,
      deadlineMs: ctx.timeoutMs
    });
    if (response.failure !== void 0) {
      await connection.run(`rm -rf ${shellQuote(dir)}`, { timeoutMs: ctx.timeoutMs }).catch(() => void 0);
      return { failure: fail5(`Failure downloading ${url}, ${fetchUrlMessage(response.failure)}`) };
    }
    if (response.status === void 0 || response.status >= 300) {
      await connection.run(`: > ${shellQuote(file)}`, { timeoutMs: ctx.timeoutMs });
    }
  } catch (error) {
    await connection.run(`rm -rf ${shellQuote(dir)}`, { timeoutMs: ctx.timeoutMs }).catch(() => void 0);
    throw error;
  }
  return { dir, file };
}
async function unpackProbed(ctx, connection, probe, plan) {
  const {
    remote,
    attributes,
    shown,
    excl,
    owner,
    group,
    mode,
    keepNewer,
    includes,
    extraOpts,
    zipExcludes,
    tarExcludes
  } = plan;
  const text5 = (key) => fromHex(probe.get(key) ?? "").toString("utf8");
  const src = text5("src_hex");
  const dest = text5("dest_hex");
  const srcState = probe.get("src");
  if (srcState === "missing") {
    if (!remote) return fail5(`Source '${src}' failed to transfer`);
    return fail5(`Source '${src}' does not exist`);
  }
  if (srcState === "unreadable") return fail5(`Source '${src}' not readable`);
  if (srcState === "empty") return fail5(`Invalid archive '${src}', the file is 0 bytes`);
  const destFields = destInfo(probe);
  const handler = probe.get("handler");
  if (handler === "check") {
    return {
      changed: false,
      skipped: true,
      msg: "remote module (ansible.legacy.unarchive) does not support check mode when using gtar"
    };
  }
  if (handler === void 0) {
    const reasons = [...new Set(probe.all("reason_hex").map((r) => fromHex(r).toString("utf8")))];
    return fail5(
      `Failed to find handler for "${src}". Make sure the required command to extract the file is installed.
${reasons.join("\n")}`
    );
  }
  const missingTool = probe.get("missing_tool");
  if (missingTool !== void 0)
    throw new ModuleArgumentError(
      `unarchive: ${missingTool} is needed on ${connection.host} to compare a zip archive with dest (CRC-32); install it`
    );
  const run = {
    runUid: probe.int("run_uid") ?? -1,
    runGid: probe.int("run_gid") ?? -1,
    runGroups: (probe.get("run_groups") ?? "").split(",").filter(Boolean).map(Number),
    runUser: probe.get("run_user") ?? "",
    runGroup: probe.get("run_group") ?? "",
    umask: parseInt(probe.get("umask") ?? "022", 8),
    keepNewer,
    ...owner !== void 0 ? { owner } : {},
    ...group !== void 0 ? { group } : {},
    ...mode !== void 0 ? { mode } : {}
  };
  const ownerAccount = parseAccount(probe.get("owner_account"));
  const groupAccount = parseAccount(probe.get("group_account"));
  if (ownerAccount) run.ownerAccount = ownerAccount;
  if (groupAccount) run.groupAccount = groupAccount;
  const idOf = (spec, account) => account?.id ?? (spec !== void 0 && /^\d+$/.test(spec) ? Number(spec) : void 0);
  const ownerId = idOf(owner, ownerAccount);
  const groupId = idOf(group, groupAccount);
  if (ownerId !== void 0) run.ownerId = ownerId;
  if (groupId !== void 0) run.groupId = groupId;
  const isZip = ZIP_HANDLERS.has(handler);
  const listing = fromHex(probe.get("list_hex") ?? "").toString("utf8");
  const stats = parseStats(
    probe.all("st"),
    fileCrcs(text5("paths_hex"), probe.get("filecrc_hex") ?? "")
  );
  const files = isZip ? zipFiles(listing, includes, zipExcludes) : tarFiles(listing, tarExcludes);
  const cmdPath = text5("cmd_path_hex");
  let comparison;
  if (isZip) {
    comparison = compareZip(
      text5("zipinfo_hex"),
      probe.int("zipinfo_rc") ?? 1,
      parseCrcs(text5("crcs_hex")),
      stats,
      zipExcludes,
      run
    );
    if (comparison.error !== void 0) {
      return fail5("MODULE FAILURE\nSee stdout/stderr for the exact error", {
        module_stderr: `UnarchiveError: ${comparison.error}`,
        rc: 1
      });
    }
  } else {
    comparison = compareTar(text5("diff_out_hex"), text5("diff_err_hex"), run);
  }
  const result = { handler, dest, src };
  const diff = comparison.diff ? { diff: { prepared: comparison.diff } } : {};
  const listed = ctx.args["list_files"] === true ? { files } : {};
  if (ctx.check) {
    return { ...result, changed: !comparison.unarchived, ...diff, ...listed, ...destFields };
  }
  const tops = [...new Set(files.filter((f) => f.includes("/")).map((f) => f.split("/")[0]))];
  const attributePaths = [...files, ...tops];
  let changed = false;
  let finalDest = destFields;
  if (!comparison.unarchived) {
    const argv = isZip ? [
      cmdPath,
      "-o",
      ...extraOpts,
      src,
      ...comparison.excludes.length > 0 ? ["-x", ...comparison.excludes] : [],
      ...includes,
      "-d",
      dest
    ] : [
      cmdPath,
      "--extract",
      "-C",
      dest,
      ...probe.get("flag") ? [probe.get("flag")] : [],
      ...shown,
      ...owner !== void 0 ? [`--owner=${shellQuote(owner)}`] : [],
      ...group !== void 0 ? [`--group=${shellQuote(group)}`] : [],
      ...keepNewer ? ["--keep-newer-files"] : [],
      ...excl,
      "-f",
      src,
      ...includes
    ];
    const extractCommand = probeCommand(SCRIPT10, ["extract", dest, ...argv]);
    const symbolic = typeof mode === "string" && !/^\s*[+]?(?:0[oO])?[0-7]+\s*$/.test(mode);
    const octal2 = symbolic ? void 0 : octalMode(mode);
    const attrsCommand = attributes ? probeCommand(SCRIPT10, ["attrs", dest, owner ?? "", group ?? "", symbolic ? "1" : "0", "1"]) : void 0;
    const stdin = attrsCommand ? attributePaths.map((p) => `${octal2 === void 0 ? "-" : octal2.toString(8)} ${joinDest(dest, p)}`).join("\n") + "\n" : void 0;
    const res = await connection.run(
      attrsCommand ? `${extractCommand} && echo apb-split && ${attrsCommand}` : extractCommand,
      { timeoutMs: ctx.timeoutMs, outputCapBytes: ANSWER_CAP_BYTES, ...stdin ? { stdin } : {} }
    );
    checkRun(res, connection, ctx);
    const [first, second] = res.stdout.toString("utf8").split("apb-split\n");
    const extracted = new ProbeAnswer(first ?? "");
    if (!extracted.complete) throw stopped(connection, res.stderr.toString("utf8"));
    const extractResults = {
      cmd: argv,
      err: fromHex(extracted.get("err_hex") ?? "").toString("utf8"),
      out: fromHex(extracted.get("out_hex") ?? "").toString("utf8"),
      rc: extracted.int("rc") ?? -1
    };
    result["extract_results"] = extractResults;
    finalDest = destInfo(extracted);
    if (extractResults.rc !== 0)
      return fail5(`failed to unpack ${src} to ${dest}`, { ...result, ...finalDest });
    changed = true;
    if (second !== void 0) {
      const attrs = new ProbeAnswer(second);
      const failure4 = attrsFailure(attrs, dest);
      if (failure4) return { changed: false, ...failure4 };
      finalDest = destInfo(attrs);
      if (symbolic) {
        const after = parseStats(attrs.all("st"));
        const byRelative = new Map(
          attributePaths.map((p) => [p, after.get(joinDest(dest, p)) ?? "missing"])
        );
        const modes = attributeChanges2(attributePaths, byRelative, modeOnly(run), dest).filter(
          (c) => c.differs
        );
        if (modes.length > 0) {
          const second2 = await applyAttributes2(
            ctx,
            connection,
            dest,
            "",
            "",
            modes.map((c) => `${c.mode.toString(8)} ${c.path}`)
          );
          if ("failure" in second2) return { changed: false, ...second2.failure };
          finalDest = second2.dest;
        }
      }
    }
  } else if (attributes) {
    const changes = attributeChanges2(attributePaths, stats, run, dest).filter((c) => c.differs);
    if (changes.length > 0) {
      const applied = await applyAttributes2(
        ctx,
        connection,
        dest,
        owner ?? "",
        group ?? "",
        changes.map((c) => `${c.mode === void 0 ? "-" : c.mode.toString(8)} ${c.path}`)
      );
      if ("failure" in applied) return { changed: false, ...applied.failure };
      changed = applied.changed;
      finalDest = applied.dest;
    }
  }
  return { ...result, changed, ...diff, ...listed, ...finalDest };
}
function modeOnly(run) {
  const { owner: _owner, group: _group, ...rest } = run;
  return rest;
}
function octalMode(mode) {
  if (typeof mode === "number") return mode;
  if (typeof mode !== "string") return void 0;
  const octal2 = /^\s*[+]?(?:0[oO])?([0-7]+)\s*$/.exec(mode);
  return octal2 ? parseInt(octal2[1], 8) : void 0;
}
function joinDest(dest, name) {
  return `${dest.replace(/\/+$/, "")}/${name}`;
}
async function applyAttributes2(ctx, connection, dest, owner, group, lines2) {
  const res = await connection.run(probeCommand(SCRIPT10, ["attrs", dest, owner, group, "0", "0"]), {
    timeoutMs: ctx.timeoutMs,
    stdin: `${lines2.join("\n")}
`,
    outputCapBytes: ANSWER_CAP_BYTES
  });
  checkRun(res, connection, ctx);
  const answer = new ProbeAnswer(res.stdout.toString("utf8"));
  if (!answer.complete) throw stopped(connection, res.stderr.toString("utf8"));
  const failure4 = attrsFailure(answer, dest);
  if (failure4) return { failure: failure4 };
  return { changed: answer.get("changed") === "1", dest: destInfo(answer) };
}
function attrsFailure(answer, dest) {
  const what = answer.get("fail");
  if (what === void 0) return void 0;
  const message2 = fromHex(answer.get("fail_hex") ?? "").toString("utf8");
  const at = fromHex(answer.get("fail_at_hex") ?? "").toString("utf8") || dest;
  const result = actFailure(what, message2, at, osErrorText(message2, at));
  return { failed: true, ...result };
}
function destInfo(answer) {
  const values = /* @__PURE__ */ new Map();
  for (const key of ["info", "owner", "group", "kind"]) {
    const value = answer.get(`dest_${key}`);
    if (value !== void 0) values.set(key, value);
  }
  const fields = pathInfoFields(values);
  const ordered = {};
  for (const key of ["uid", "gid", "owner", "group", "mode", "state", "size"])
    if (key in fields) ordered[key] = fields[key];
  return ordered;
}
function zipFiles(listing, includes, excludes) {
  const names = listing === "" ? [] : listing.replace(/\n$/, "").split("\n");
  const match = (name, pattern) => new RegExp(`^(?:${fnmatchSource(pattern)})$`, "s").test(name);
  if (includes.length > 0)
    return names.flatMap((name) => includes.filter((p) => match(name, p)).map(() => name));
  return names.filter((name) => !excludes.some((p) => match(name, p)));
}
function tarFiles(listing, excludes) {
  const names = listing === "" ? [] : listing.replace(/\n$/, "").split("\n");
  return names.map((line) => tarName(line).replace(/^\//, "")).filter(
    (name) => !excludes.some((p) => new RegExp(`^(?:${fnmatchSource(p)})$`, "s").test(name))
  );
}
function fail5(msg, extra = {}) {
  return { changed: false, failed: true, msg, ...extra };
}
async function runScript6(connection, ctx, command) {
  const res = await connection.run(command, {
    timeoutMs: ctx.timeoutMs,
    outputCapBytes: ANSWER_CAP_BYTES
  });
  checkRun(res, connection, ctx);
  const answer = new ProbeAnswer(res.stdout.toString("utf8"));
  if (res.code !== 0 || !answer.complete) throw stopped(connection, res.stderr.toString("utf8"));
  return answer;
}
function checkRun(res, connection, ctx) {
  if (res.timedOut)
    throw new CommandTimeoutError(
      `unarchive on ${connection.host} took longer than ${ctx.timeoutMs} ms`,
      connection.host,
      ctx.timeoutMs
    );
  if (res.stdoutTruncated)
    throw new ModuleArgumentError(
      `unarchive: the archive's listing on ${connection.host} is over ${ANSWER_CAP_BYTES} bytes`
    );
}
function stopped(connection, stderr) {
  return new ModuleArgumentError(
    `unarchive: the commands on ${connection.host} stopped before their end: ${stderr.trim().slice(-400)}`
  );
}

// src/modules/registry.ts
var ALL = [
  shellModule,
  commandModule,
  rawModule,
  scriptModule,
  copyModule,
  templateModule,
  debugModule,
  setFactModule,
  includeVarsModule,
  groupByModule,
  addHostModule,
  setStatsModule,
  failModule,
  assertModule,
  pauseModule,
  pingModule,
  setupModule,
  gatherFactsModule,
  asyncStatusModule,
  waitForConnectionModule,
  waitForModule,
  tempfileModule,
  assembleModule,
  rebootModule,
  fileModule,
  lineinfileModule,
  replaceModule,
  blockinfileModule,
  statModule,
  slurpModule,
  fetchModule,
  findModule,
  getUrlModule,
  unarchiveModule,
  groupModule,
  userModule,
  uriModule,
  gitModule,
  sysctlModule,
  hostnameModule,
  authorizedKeyModule,
  cronModule,
  aptRepositoryModule,
  aptKeyModule,
  deb822RepositoryModule,
  systemdModule,
  systemdServiceModule,
  serviceModule,
  aptModule,
  packageModule,
  pipModule,
  yumRepositoryModule,
  dnfModule,
  yumModule
];
var MODULES = new Map(ALL.map((m) => [m.name, m]));
var RUNNER_ACTIONS = [
  { name: "include_tasks", freeForm: true },
  { name: "include_role", freeForm: false }
];
var MODULE_CATALOG = {
  names: /* @__PURE__ */ new Set([...MODULES.keys(), ...RUNNER_ACTIONS.map((a) => a.name)]),
  freeForm: new Set(
    [...ALL, ...RUNNER_ACTIONS].filter((m) => m.freeForm).map((m) => m.name)
  ),
  fqcns: new Map(ALL.flatMap((m) => (m.fqcns ?? []).map((fqcn) => [fqcn, m.name]))),
  keyValueFreeForm: new Set(
    ALL.filter((m) => m.freeForm === "key-value").map((m) => m.name)
  )
};

// src/engine.ts
import { randomBytes as randomBytes10 } from "node:crypto";

// src/requirements/index.ts
import { existsSync as existsSync3, statSync as statSync8 } from "node:fs";
import path23 from "node:path";

// src/requirements/controller-commands.ts
import { execFile } from "node:child_process";
import { createWriteStream } from "node:fs";
import { Readable, Transform, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
var ControllerCommandError = class extends AsyncPlaybookError {
};
var CONTROLLER_COMMAND_DEADLINE_MS = 10 * 60 * 1e3;
function maskUrlCredentials(text5) {
  return text5.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/?#\s]*@/gi, "$1********@");
}
function runController(program, args, options2 = {}) {
  return new Promise((resolve, reject) => {
    execFile(
      program,
      [...args],
      {
        ...options2.cwd !== void 0 ? { cwd: options2.cwd } : {},
        timeout: options2.deadlineMs ?? CONTROLLER_COMMAND_DEADLINE_MS,
        killSignal: "SIGKILL",
        maxBuffer: 16 * 1024 * 1024,
        // The runner's environment (ssh agent, git config) without the action's inputs, saved state and
        // tokens, which git would hand to ssh, credential helpers and hooks.
        env: {
          ...targetEnvironment(process.env),
          GIT_TERMINAL_PROMPT: "0",
          GIT_ASKPASS: "",
          SSH_ASKPASS: "",
          GIT_ALLOW_PROTOCOL: "file:git:http:https:ssh",
          LC_ALL: "C"
        }
      },
      (error, stdout, stderr) => {
        if (!error) {
          resolve(stdout);
          return;
        }
        const shown = maskUrlCredentials([program, ...args].join(" "));
        const code = error.code;
        if (code === "ENOENT") {
          reject(
            new ControllerCommandError(
              `'${program}' is not installed on the controller; it is needed to install roles (${shown})`
            )
          );
          return;
        }
        const why = error.killed ? `stopped after ${Math.round((options2.deadlineMs ?? CONTROLLER_COMMAND_DEADLINE_MS) / 1e3)} s` : `exit code ${String(error.code)}`;
        const tail3 = maskUrlCredentials(String(stderr).trim().split("\n").slice(-5).join("\n"));
        reject(new ControllerCommandError(`${shown} failed (${why})${tail3 ? `: ${tail3}` : ""}`));
      }
    );
  });
}
var MAX_DOWNLOAD_BYTES = 512 * 1024 * 1024;
var MAX_JSON_BYTES = 16 * 1024 * 1024;
async function download(url, file, deadlineMs = CONTROLLER_COMMAND_DEADLINE_MS, maxBytes = MAX_DOWNLOAD_BYTES) {
  const failure4 = `failed to download ${maskUrlCredentials(url)}`;
  const body = await get(url, failure4, deadlineMs, {});
  await receive(body, createWriteStream(file, { mode: 384 }), maxBytes, failure4, "a role archive");
}
async function getJson(url, deadlineMs = 6e4) {
  const shown = maskUrlCredentials(url);
  const failure4 = `failed to reach ${shown}`;
  const body = await get(url, failure4, deadlineMs, { accept: "application/json" });
  const chunks = [];
  const collect = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(chunk);
      done();
    }
  });
  await receive(body, collect, MAX_JSON_BYTES, failure4, "an API answer");
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new ControllerCommandError(`${shown} did not answer JSON`);
  }
}
async function get(url, failure4, deadlineMs, extraHeaders) {
  let response;
  try {
    const { target, headers } = withBasicAuth(url);
    response = await fetch(target, {
      signal: AbortSignal.timeout(deadlineMs),
      redirect: "follow",
      headers: { ...headers, ...extraHeaders }
    });
  } catch (error) {
    throw new ControllerCommandError(`${failure4}: ${maskUrlCredentials(errorText2(error))}`);
  }
  if (!response.ok || !response.body)
    throw new ControllerCommandError(`${failure4}: HTTP ${response.status} ${response.statusText}`);
  return response.body;
}
async function receive(body, sink, maxBytes, failure4, what) {
  let received = 0;
  try {
    await pipeline(
      Readable.fromWeb(body),
      new Transform({
        transform(chunk, _encoding, done) {
          received += chunk.length;
          if (received > maxBytes)
            done(new Error(`it is larger than ${maxBytes} bytes, more than ${what} may be`));
          else done(null, chunk);
        }
      }),
      sink
    );
  } catch (error) {
    throw new ControllerCommandError(`${failure4}: ${maskUrlCredentials(errorText2(error))}`);
  }
}
function withBasicAuth(url) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    throw new ControllerCommandError(`'${maskUrlCredentials(url)}' is not a valid URL`);
  }
  if (parsed.username === "" && parsed.password === "") return { target: url, headers: {} };
  const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
  parsed.username = "";
  parsed.password = "";
  return {
    target: parsed.toString(),
    headers: { authorization: `Basic ${Buffer.from(credentials).toString("base64")}` }
  };
}
function errorText2(error) {
  const cause = error.cause;
  const base2 = error instanceof Error ? error.message : String(error);
  return cause instanceof Error ? `${base2} (${cause.message})` : base2;
}

// src/requirements/requirements-file.ts
import { readFileSync as readFileSync5 } from "node:fs";
import path20 from "node:path";
var RequirementsError = class extends AsyncPlaybookError {
};
var ROLE_KEYS = /* @__PURE__ */ new Set(["src", "scm", "version", "name", "role", "include"]);
var COLLECTION_KEYS = /* @__PURE__ */ new Set(["name", "version", "source", "type", "signatures"]);
var GALAXY_NAME = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+$/;
function readRequirementsFile(file, seen = /* @__PURE__ */ new Set()) {
  const absolute = path20.resolve(file);
  const out = { roles: [], collections: [], warnings: [] };
  if (seen.has(absolute))
    throw new RequirementsError(`requirements file '${file}' includes itself (an include loop)`);
  seen.add(absolute);
  let text5;
  try {
    text5 = readFileSync5(absolute, "utf8");
  } catch (error) {
    throw new RequirementsError(
      `cannot read the requirements file '${file}': ${error.message}`
    );
  }
  const doc = parseYaml(text5, file);
  const at = (node) => ({
    file,
    line: (node !== null && typeof node === "object" ? doc.lineOf(node) : void 0) ?? 1
  });
  const data = doc.data;
  if (data === null || data === void 0) return out;
  let roles;
  let collections;
  if (Array.isArray(data)) {
    roles = data;
  } else if (typeof data === "object") {
    const keys = Object.keys(data);
    const extra = keys.filter((k) => k !== "roles" && k !== "collections");
    if (extra.length > 0)
      throw new RequirementsError(
        `Expecting only 'roles' and/or 'collections' as base keys in the requirements file. Found: ${extra.join(", ")}`,
        at(data)
      );
    roles = data["roles"];
    collections = data["collections"];
  } else {
    throw new RequirementsError(
      `a requirements file holds 'roles:' and/or 'collections:' (or a list of roles), found ${typeof data}`,
      { file, line: 1 }
    );
  }
  for (const [entry, location] of listOf(roles, "roles", at(data), at)) {
    if (isRecord(entry) && "include" in entry) {
      const included = entry["include"];
      if (typeof included !== "string")
        throw new RequirementsError("'include' must name a requirements file", location);
      const inner = readRequirementsFile(path20.resolve(path20.dirname(absolute), included), seen);
      out.roles.push(...inner.roles);
      out.collections.push(...inner.collections);
      out.warnings.push(...inner.warnings);
      continue;
    }
    out.roles.push(parseRoleEntry(entry, location, out.warnings));
  }
  for (const [entry, location] of listOf(collections, "collections", at(data), at))
    out.collections.push(parseCollectionEntry(entry, location, out.warnings));
  return out;
}
function roleDependencies(roleDir) {
  const out = [];
  const ignored = [];
  for (const [name, key] of [
    ["main.yml", "dependencies"],
    ["main.yaml", "dependencies"],
    ["requirements.yml", "roles"],
    ["requirements.yaml", "roles"]
  ]) {
    const file = path20.join(roleDir, "meta", name);
    let text5;
    try {
      text5 = readFileSync5(file, "utf8");
    } catch {
      continue;
    }
    const doc = parseYaml(text5, file);
    const data = doc.data;
    const list = Array.isArray(data) ? data : isRecord(data) ? data[key] : void 0;
    if (!Array.isArray(list)) continue;
    for (const entry of list) {
      const location = {
        file,
        line: (isRecord(entry) ? doc.lineOf(entry) : void 0) ?? 1
      };
      const spelled = typeof entry === "string" ? entry : isRecord(entry) ? String(entry["src"] ?? entry["role"] ?? entry["name"] ?? "") : "";
      const scm = isRecord(entry) && entry["scm"] !== void 0 && entry["scm"] !== null;
      if (!scm && !spelled.includes(".") && !spelled.includes("+")) continue;
      out.push(parseRoleEntry(entry, location, ignored));
    }
  }
  return out;
}
function listOf(raw, key, where, at) {
  if (raw === void 0 || raw === null) return [];
  if (!Array.isArray(raw))
    throw new RequirementsError(`'${key}' must be a list, found ${typeof raw}`, where);
  return raw.map((entry) => [entry, isRecord(entry) ? at(entry) : at(raw)]);
}
function parseRoleEntry(entry, location, warnings) {
  let src;
  let version;
  let name;
  let scm;
  if (typeof entry === "string") {
    ;
    ({ src, version, name } = commaForm(entry, location));
  } else if (isRecord(entry)) {
    const unknown = Object.keys(entry).filter((k) => !ROLE_KEYS.has(k));
    if (unknown.length > 0)
      warnings.push(
        `${location.file}:${location.line}: role keys not used by ansible-galaxy and ignored: ${unknown.join(", ")}`
      );
    if (entry["role"] !== void 0 && entry["src"] === void 0) {
      ;
      ({ src, version, name } = commaForm(text4(entry["role"], "role", location), location));
    } else {
      src = text4(entry["src"], "src", location);
    }
    if (entry["version"] !== void 0 && entry["version"] !== null)
      version = text4(entry["version"], "version", location);
    if (entry["name"] !== void 0 && entry["name"] !== null)
      name = text4(entry["name"], "name", location);
    if (entry["scm"] !== void 0 && entry["scm"] !== null)
      scm = text4(entry["scm"], "scm", location);
  } else {
    throw new RequirementsError(
      `a role requirement is a string (src[,version[,name]]) or a mapping with 'src', found ${describe(entry)}`,
      location
    );
  }
  if (src.trim() === "") throw new RequirementsError("a role requirement needs a 'src'", location);
  if (/^[a-z]+\+/.test(src) && !src.startsWith("git+"))
    throw new RequirementsError(
      `role source '${maskUrlCredentials(src)}': only git ('git+URL' or 'scm: git') is supported as a version control system`,
      location
    );
  if (src.startsWith("git+")) {
    src = src.slice(4);
    scm = "git";
  }
  if (scm !== void 0 && scm !== "git")
    throw new RequirementsError(
      `role '${maskUrlCredentials(name ?? src)}': scm '${scm}' is not supported; async-playbook installs roles from git, tarball URLs and Galaxy`,
      location
    );
  if (version !== void 0 && version.startsWith("-"))
    throw new RequirementsError(
      `role '${maskUrlCredentials(name ?? src)}': version '${version}' is not a tag, branch or commit`,
      location
    );
  let kind;
  if (scm === "git") kind = "git";
  else if (src.includes("://")) kind = "url";
  else if (/\.(tar\.gz|tgz|tar)$/.test(src) || src.startsWith("/") || src.startsWith("."))
    kind = "file";
  else if (GALAXY_NAME.test(src)) kind = "galaxy";
  else
    throw new RequirementsError(
      `Invalid role name (${maskUrlCredentials(src)}). Specify role as format: username.rolename (a Galaxy role), or give a git URL ('git+https://\u2026' or 'scm: git') or a tarball URL`,
      location
    );
  const finalName = name ?? (kind === "galaxy" ? src : roleNameFromUrl(maskUrlCredentials(src)));
  if (finalName === "" || finalName.includes("/") || finalName === "." || finalName === "..")
    throw new RequirementsError(
      `role '${finalName}' from '${maskUrlCredentials(src)}': a role's name cannot hold '/'; set 'name:'`,
      location
    );
  return {
    kind,
    src,
    ...version !== void 0 && version !== "" ? { version } : {},
    name: finalName,
    location
  };
}
function commaForm(entry, location) {
  const parts = entry.split(",").map((part) => part.trim());
  if (parts.length > 3)
    throw new RequirementsError(
      `Invalid role line (${maskUrlCredentials(entry)}). Proper format is 'role_name[,version[,name]]'`,
      location
    );
  const [src = "", version, name] = parts;
  return {
    src,
    ...version ? { version } : {},
    ...name ? { name } : {}
  };
}
function roleNameFromUrl(src) {
  const tail3 = src.replace(/\/+$/, "").split(/[/:]/).pop() ?? src;
  return tail3.replace(/\.git$/, "").replace(/\.(tar\.gz|tgz|tar)$/, "");
}
function parseCollectionEntry(entry, location, warnings) {
  if (typeof entry === "string") {
    return { name: entry.trim(), type: "galaxy", location };
  }
  if (!isRecord(entry))
    throw new RequirementsError(
      `a collection requirement is a name or a mapping with 'name', found ${describe(entry)}`,
      location
    );
  const unknown = Object.keys(entry).filter((k) => !COLLECTION_KEYS.has(k));
  if (unknown.length > 0)
    warnings.push(
      `${location.file}:${location.line}: collection keys not used by ansible-galaxy and ignored: ${unknown.join(", ")}`
    );
  const name = text4(entry["name"], "name", location);
  const type = entry["type"] === void 0 ? "galaxy" : text4(entry["type"], "type", location);
  return {
    name,
    type,
    ...entry["version"] !== void 0 && entry["version"] !== null ? { version: String(entry["version"]) } : {},
    location
  };
}
function text4(value, key, location) {
  if (typeof value === "string") return value.trim();
  if (typeof value === "number") return String(value);
  throw new RequirementsError(`'${key}' must be a string, found ${describe(value)}`, location);
}
function describe(value) {
  if (value === null || value === void 0) return "nothing";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "a mapping" : `${typeof value} ${JSON.stringify(value)}`;
}

// src/requirements/role-install.ts
import { createHash as createHash7, randomBytes as randomBytes9 } from "node:crypto";
import {
  existsSync as existsSync2,
  lstatSync as lstatSync3,
  mkdirSync as mkdirSync2,
  readdirSync as readdirSync5,
  readlinkSync as readlinkSync3,
  realpathSync as realpathSync2,
  renameSync as renameSync3,
  rmSync as rmSync3,
  statSync as statSync7,
  writeFileSync as writeFileSync2
} from "node:fs";
import os3 from "node:os";
import path22 from "node:path";

// src/requirements/role-cache.ts
import { createHash as createHash6, randomBytes as randomBytes8 } from "node:crypto";
import {
  chmodSync,
  existsSync,
  lstatSync as lstatSync2,
  readdirSync as readdirSync4,
  readFileSync as readFileSync6,
  readlinkSync as readlinkSync2,
  renameSync as renameSync2,
  rmSync as rmSync2
} from "node:fs";
import path21 from "node:path";
function verifiedEntry(entry, roleDir, recordFile) {
  const record2 = readRecord(recordFile);
  if (!record2 || !existsSync(roleDir))
    return { ok: false, reason: "is incomplete (no install record or no role directory)" };
  const unsafe = writableByOthers(entry, true);
  if (unsafe) return { ok: false, reason: `could have been changed by another user (${unsafe})` };
  if (treeDigest(roleDir) !== record2.digest)
    return { ok: false, reason: "does not match what was installed" };
  return { ok: true, record: record2 };
}
function writableByOthers(root, deep = false) {
  const uid = process.getuid?.();
  const check = (file) => {
    const stat = lstatSync2(file);
    if (stat.isSymbolicLink()) return void 0;
    if (uid !== void 0 && stat.uid !== uid) return `${file} is owned by uid ${stat.uid}`;
    if (stat.mode & 18) return `${file} is writable by its group or others`;
    if (deep && stat.isDirectory())
      for (const name of readdirSync4(file)) {
        const found = check(path21.join(file, name));
        if (found) return found;
      }
    return void 0;
  };
  return check(root);
}
function withoutWriteForOthers(root) {
  const stat = lstatSync2(root);
  if (stat.isSymbolicLink()) return;
  if (stat.mode & 18) chmodSync(root, stat.mode & 4077);
  if (stat.isDirectory())
    for (const name of readdirSync4(root)) withoutWriteForOthers(path21.join(root, name));
}
function removeAside(cacheDir, entry) {
  const aside = path21.join(cacheDir, `.stale-${process.pid}-${randomBytes8(6).toString("hex")}`);
  try {
    renameSync2(entry, aside);
  } catch (error) {
    if (error.code === "ENOENT") return;
    throw error;
  }
  rmSync2(aside, { recursive: true, force: true });
}
function readRecord(file) {
  try {
    const parsed = JSON.parse(readFileSync6(file, "utf8"));
    return typeof parsed.digest === "string" ? parsed : void 0;
  } catch {
    return void 0;
  }
}
function treeDigest(root) {
  const hash = createHash6("sha256");
  const walk2 = (dir, rel) => {
    for (const name of readdirSync4(dir).sort()) {
      const full = path21.join(dir, name);
      const relative = rel === "" ? name : `${rel}/${name}`;
      const stat = lstatSync2(full);
      if (stat.isSymbolicLink()) hash.update(`l ${relative} ${readlinkSync2(full)}\0`);
      else if (stat.isDirectory()) {
        hash.update(`d ${relative}\0`);
        walk2(full, relative);
      } else if (stat.isFile()) {
        const content = createHash6("sha256").update(readFileSync6(full)).digest("hex");
        hash.update(`f ${relative} ${stat.mode & 73 ? "x" : "-"} ${content}\0`);
      } else hash.update(`o ${relative}\0`);
    }
  };
  walk2(root, "");
  return hash.digest("hex");
}

// src/requirements/role-install.ts
function defaultRequirementsCache(env = process.env) {
  const configured = env["ASYNC_PLAYBOOK_REQUIREMENTS_CACHE"];
  if (configured !== void 0 && configured.trim() !== "") return path22.resolve(configured);
  const base2 = env["XDG_CACHE_HOME"] || path22.join(os3.homedir(), ".cache");
  return path22.join(base2, "async-playbook", "roles");
}
function galaxyServer(env = process.env) {
  return env["ANSIBLE_GALAXY_SERVER"] || "https://galaxy.ansible.com";
}
async function installRole(role, cacheDir, options2) {
  const key = createHash7("sha256").update(JSON.stringify([role.kind, role.src, role.version ?? null, role.name])).digest("hex").slice(0, 32);
  const entry = path22.join(cacheDir, key);
  const roleDir = path22.join(entry, role.name);
  const recordFile = path22.join(entry, ".apb-install.json");
  const shown = `${role.name} (${maskUrlCredentials(role.src)}${role.version ? `, version ${role.version}` : ""})`;
  mkdirSync2(cacheDir, { recursive: true, mode: 448 });
  const unsafeCache = writableByOthers(cacheDir);
  if (unsafeCache)
    throw new RequirementsError(
      `the requirements cache ${cacheDir} cannot be trusted: ${unsafeCache}; make it private (chmod 700, owned by the user running async-playbook) or point ASYNC_PLAYBOOK_REQUIREMENTS_CACHE elsewhere`,
      role.location
    );
  if (existsSync2(entry)) {
    const cached = verifiedEntry(entry, roleDir, recordFile);
    if (cached.ok)
      return {
        name: role.name,
        dir: roleDir,
        ...cached.record.version !== null ? { version: cached.record.version } : {},
        fromCache: true
      };
    options2.warn(
      `the cached copy of role ${shown} in ${entry} ${cached.reason} (integrity check failed); installing it again`
    );
    removeAside(cacheDir, entry);
  }
  const work = path22.join(cacheDir, `.tmp-${process.pid}-${randomBytes9(6).toString("hex")}`);
  mkdirSync2(work, { mode: 448 });
  try {
    let version;
    const staged = path22.join(work, role.name);
    try {
      if (role.kind === "git") version = await fromGit(role, staged, work, options2.cwd);
      else if (role.kind === "url") await fromArchive(role.src, staged, work, true);
      else if (role.kind === "file")
        await fromArchive(path22.resolve(options2.cwd, role.src), staged, work, false);
      else version = await fromGalaxy(role, staged, work, options2.galaxyServer);
    } catch (error) {
      if (error instanceof RequirementsError) throw error;
      throw new RequirementsError(
        `cannot install role ${shown}: ${error.message}`,
        role.location
      );
    }
    if (!["main.yml", "main.yaml"].some((f) => existsSync2(path22.join(staged, "meta", f))))
      throw new RequirementsError(
        `role ${shown} does not appear to have a meta/main.yml file, which ansible-galaxy requires of a role it installs`,
        role.location
      );
    withoutWriteForOthers(staged);
    const record2 = {
      src: maskUrlCredentials(role.src),
      version: version ?? role.version ?? null,
      name: role.name,
      digest: treeDigest(staged)
    };
    for (const scratch of [".apb-archive", ".apb-unpacked"])
      rmSync3(path22.join(work, scratch), { recursive: true, force: true });
    writeFileSync2(path22.join(work, ".apb-install.json"), JSON.stringify(record2, null, 2) + "\n", {
      mode: 384
    });
    try {
      renameSync3(work, entry);
    } catch (error) {
      const code = error.code;
      if (code !== "ENOTEMPTY" && code !== "EEXIST") throw error;
      const theirs = verifiedEntry(entry, roleDir, recordFile);
      if (!theirs.ok || theirs.record.digest !== record2.digest)
        throw new RequirementsError(
          `cannot install role ${shown}: another run installed it into ${entry} at the same time, and that copy ${theirs.ok ? "differs from this one" : theirs.reason}; run again`,
          role.location
        );
    }
    return {
      name: role.name,
      dir: roleDir,
      ...record2.version !== null ? { version: record2.version } : {},
      fromCache: false
    };
  } finally {
    rmSync3(work, { recursive: true, force: true });
  }
}
async function fromGit(role, staged, work, cwd) {
  const local = !role.src.includes("://") && !/^[^/]+:/.test(role.src);
  const source = local ? path22.resolve(cwd, role.src) : role.src;
  await runController("git", ["clone", "--quiet", "--no-checkout", "--", source, staged], {
    cwd: work
  });
  const ref = role.version ?? "HEAD";
  try {
    await runController(
      "git",
      ["-c", "advice.detachedHead=false", "checkout", "--quiet", ref, "--"],
      { cwd: staged }
    );
  } catch (error) {
    throw new RequirementsError(
      `role ${role.name}: version '${ref}' is not a tag, branch or commit of ${maskUrlCredentials(role.src)} (${error.message})`,
      role.location
    );
  }
  const commit = (await runController("git", ["rev-parse", "HEAD"], { cwd: staged })).trim();
  rmSync3(path22.join(staged, ".git"), { recursive: true, force: true });
  refuseEscapingLinks(staged);
  return role.version ?? commit;
}
async function fromArchive(source, staged, work, remote) {
  let archive = source;
  if (remote) {
    archive = path22.join(work, ".apb-archive");
    await download(source, archive);
  } else if (!existsSync2(archive)) {
    throw new RequirementsError(`the role archive '${source}' does not exist`);
  } else if (statSync7(archive).isDirectory()) {
    throw new RequirementsError(
      `'${source}' is a directory; a local role source is a tarball, or a git repository with 'scm: git' (a role kept in the repository needs no requirements entry: put it under roles/ or on the roles path)`
    );
  }
  await refuseOversizedArchive(archive, source);
  const unpacked = path22.join(work, ".apb-unpacked");
  mkdirSync2(unpacked);
  await runController("tar", [
    "-x",
    "-f",
    archive,
    "-C",
    unpacked,
    "--no-same-owner",
    "--no-same-permissions"
  ]);
  refuseEscapingLinks(unpacked);
  const top = readdirSync5(unpacked).filter((name) => name !== "pax_global_header");
  const only = top[0];
  const root = top.length === 1 && only !== void 0 && statSync7(path22.join(unpacked, only)).isDirectory() ? path22.join(unpacked, only) : unpacked;
  renameSync3(root, staged);
}
var MAX_ROLE_ARCHIVE_BYTES = 1024 * 1024 * 1024;
var MAX_ROLE_ARCHIVE_MEMBERS = 1e5;
async function refuseOversizedArchive(archive, source) {
  const listing = await runController("tar", ["-t", "-v", "--numeric-owner", "-f", archive]);
  let total = 0;
  let members = 0;
  for (const line of listing.split("\n")) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 5) continue;
    members++;
    const size = fields[1].includes("/") ? fields[2] : fields[4];
    if (size !== void 0 && /^\d+$/.test(size)) total += Number(size);
  }
  const shown = maskUrlCredentials(source);
  if (total > MAX_ROLE_ARCHIVE_BYTES)
    throw new RequirementsError(
      `the role archive ${shown} unpacks to ${total} bytes, more than the ${MAX_ROLE_ARCHIVE_BYTES} bytes a role may hold`
    );
  if (members > MAX_ROLE_ARCHIVE_MEMBERS)
    throw new RequirementsError(
      `the role archive ${shown} holds ${members} members, more than the ${MAX_ROLE_ARCHIVE_MEMBERS} a role may hold`
    );
}
function refuseEscapingLinks(root) {
  const base2 = realpathSync2(root);
  const walk2 = (dir) => {
    for (const name of readdirSync5(dir)) {
      const full = path22.join(dir, name);
      const stat = lstatSync3(full);
      if (stat.isSymbolicLink()) {
        const target = path22.resolve(dir, readlinkSync3(full));
        if (target !== base2 && !target.startsWith(base2 + path22.sep))
          throw new RequirementsError(
            `the role holds a link '${path22.relative(base2, full)}' pointing outside the role (${readlinkSync3(full)}), which an installed role cannot follow`
          );
      } else if (stat.isDirectory()) walk2(full);
      else if (!stat.isFile())
        throw new RequirementsError(
          `the role holds '${path22.relative(base2, full)}', which is not a file, a directory or a link; a role cannot hold fifos, sockets or devices`
        );
    }
  };
  walk2(base2);
}
async function fromGalaxy(role, staged, work, server) {
  const root = await galaxyApiRoot(server);
  const v1 = root.versions["v1"];
  if (v1 === void 0)
    throw new RequirementsError(
      `Galaxy action lookup_role_by_name requires API versions 'v1' but only '${Object.keys(root.versions).join(", ")}' are available on ${maskUrlCredentials(server)} (roles are served by API v1)`,
      role.location
    );
  const apiV1 = new URL(v1, root.url).toString();
  const dot = role.src.lastIndexOf(".");
  const owner = role.src.slice(0, dot);
  const name = role.src.slice(dot + 1);
  const found = await getJson(
    new URL(
      `roles/?owner__username=${encodeURIComponent(owner)}&name=${encodeURIComponent(name)}`,
      apiV1
    ).toString()
  );
  const data = found.results?.[0];
  if (!data)
    throw new RequirementsError(
      `- sorry, ${role.src} was not found on ${maskUrlCredentials(root.url)}.`,
      role.location
    );
  const versions = [];
  let next = new URL(
    `roles/${encodeURIComponent(String(data.id))}/versions/?page_size=50`,
    apiV1
  ).toString();
  for (let page = 0; next !== void 0 && page < 100; page++) {
    const body = await getJson(next);
    versions.push(...body.results ?? []);
    const link = body.next_link ?? body.next ?? null;
    next = link ? new URL(link, new URL(root.url).origin).toString() : void 0;
  }
  const names = versions.map((v) => v.name).filter((n) => typeof n === "string");
  let version = role.version;
  if (version === void 0)
    version = names.length > 0 ? [...names].sort(compareLooseVersions).pop() : data.github_branch || "master";
  else if (names.length > 0 && !names.includes(version))
    throw new RequirementsError(
      `- the specified version (${version}) of ${role.src} was not found in the list of available versions (${names.join(", ")}).`,
      role.location
    );
  const chosen = versions.find((v) => v.name === version);
  const url = chosen?.download_url ?? (data.github_user && data.github_repo ? `https://github.com/${data.github_user}/${data.github_repo}/archive/${version}.tar.gz` : void 0);
  if (url === void 0)
    throw new RequirementsError(
      `Galaxy gives no download for ${role.src} version ${version}`,
      role.location
    );
  await fromArchive(url, staged, work, true);
  return version;
}
async function galaxyApiRoot(server) {
  const base2 = server.endsWith("/") ? server : `${server}/`;
  const candidates = /\/api\/?$/.test(base2) ? [base2] : [base2, new URL("api/", base2).toString()];
  let last;
  for (const url of candidates) {
    try {
      const body = await getJson(url);
      if (body && typeof body === "object" && body.available_versions)
        return { url, versions: body.available_versions };
    } catch (error) {
      last = error;
    }
  }
  throw new RequirementsError(
    `Tried to find galaxy API root at ${maskUrlCredentials(base2)} but no 'available_versions' are available` + (last ? ` (${last.message})` : "")
  );
}
function compareLooseVersions(a, b) {
  const parts = (v) => (v.match(/\d+|[a-z]+/gi) ?? []).map((p) => /^\d+$/.test(p) ? Number(p) : p);
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === void 0) return -1;
    if (y === void 0) return 1;
    if (x === y) continue;
    if (typeof x === "number" && typeof y === "number") return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}

// src/requirements/index.ts
function findRequirementsFiles(dirs) {
  const found = [];
  for (const dir of new Set(dirs.map((d) => path23.resolve(d)))) {
    for (const name of [
      "roles/requirements.yml",
      "roles/requirements.yaml",
      "requirements.yml",
      "requirements.yaml",
      "collections/requirements.yml",
      "collections/requirements.yaml"
    ]) {
      const file = path23.join(dir, name);
      if (existsSync3(file) && statSync8(file).isFile() && !found.includes(file)) found.push(file);
    }
  }
  return found;
}
async function installRequirements(files, options2) {
  const out = {
    roles: /* @__PURE__ */ new Map(),
    collections: [],
    log: [],
    warnings: []
  };
  const warn = (message2) => {
    out.warnings.push(message2);
  };
  const server = options2.galaxyServer ?? galaxyServer(options2.env);
  for (const file of files) {
    const requirements = readRequirementsFile(file);
    out.warnings.push(...requirements.warnings);
    const queue = requirements.roles.map((role) => ({
      role,
      depth: 0
    }));
    for (let next = queue.shift(); next !== void 0; next = queue.shift()) {
      const { role, depth } = next;
      if (out.roles.has(role.name)) {
        if (depth === 0)
          warn(
            `- ${role.name} is already listed (from another source); the first one listed is used (${role.location.file}:${role.location.line})`
          );
        continue;
      }
      if (depth > 20)
        throw new RequirementsError(
          `role dependencies nest deeper than 20 levels at ${role.name}: is there a loop?`,
          role.location
        );
      const installed = await installRole(role, options2.cacheDir, {
        galaxyServer: server,
        warn,
        cwd: options2.cwd ?? process.cwd()
      });
      out.roles.set(role.name, installed.dir);
      out.log.push(
        `- ${role.name} (${installed.version ?? "default branch"}) ${installed.fromCache ? "is already installed (cached)" : "was installed successfully"} from ${maskUrlCredentials(role.src)}${depth > 0 ? " (a dependency)" : ""}`
      );
      for (const dependency of roleDependencies(installed.dir))
        queue.push({ role: dependency, depth: depth + 1 });
    }
    for (const collection of requirements.collections) {
      out.collections.push(collection);
      if (collection.type !== "galaxy") {
        warn(
          `collection '${maskUrlCredentials(collection.name)}' (${collection.location.file}:${collection.location.line}) is of type ${collection.type}; async-playbook does not install collections, and runs only the modules listed in its README`
        );
        continue;
      }
      if (!options2.implementedCollections.has(collection.name))
        warn(
          `collection ${maskUrlCredentials(collection.name)} (${collection.location.file}:${collection.location.line}) is not implemented by async-playbook: a task using one of its modules is refused before the run`
        );
    }
  }
  return out;
}

// src/engine.ts
import {
  closeSync,
  fchmodSync,
  mkdirSync as mkdirSync3,
  openSync,
  renameSync as renameSync4,
  rmSync as rmSync4,
  statSync as statSync9,
  writeFileSync as writeFileSync3
} from "node:fs";
import path26 from "node:path";

// src/executor/events.ts
var DEPRECATION_FOOTER = "Deprecation warnings can be disabled by setting deprecation_warnings=False in ansible.cfg.";
function noticeLine(message2, level = "warning", deprecationWarnings = true) {
  if (level === "error") return `[ERROR]: ${message2}`;
  if (level === "warning") return `[WARNING]: ${message2}`;
  return deprecationWarnings ? `[DEPRECATION WARNING]: ${message2} ${DEPRECATION_FOOTER}` : void 0;
}
function emptyStats() {
  return { ok: 0, changed: 0, failed: 0, unreachable: 0, skipped: 0, rescued: 0, ignored: 0 };
}
function combineEvents(...targets) {
  const call = (key) => (...args) => {
    for (const target of targets)
      target[key](...args);
  };
  return {
    playStart: call("playStart"),
    taskStart: call("taskStart"),
    itemResult: call("itemResult"),
    hostResult: call("hostResult"),
    retrying: call("retrying"),
    noMoreHosts: call("noMoreHosts"),
    log: call("log"),
    warning: call("warning"),
    recap: call("recap")
  };
}
var DELEGATED_TO = /* @__PURE__ */ Symbol("delegated to");

// src/async/job-snapshot.ts
function startOf(snapshot, stream) {
  const start = stream === "stdout" ? snapshot.stdoutStart : snapshot.stderrStart;
  const size = stream === "stdout" ? snapshot.stdoutSize : snapshot.stderrSize;
  return start ?? Math.max(0, size - snapshot[stream].length);
}
var RECORD_STATES = /* @__PURE__ */ new Set(["running", "finished", "timeout"]);
function parseRecord(bytes) {
  const fields = /* @__PURE__ */ new Map();
  const text5 = bytes.toString("utf8");
  if (text5 === "") return { fields, problem: "the job record is empty" };
  if (!text5.endsWith("\n"))
    return { fields, problem: "the job record is truncated (no final newline)" };
  for (const line of text5.slice(0, -1).split("\n")) {
    const match = /^([a-z_]+)=(.*)$/.exec(line);
    if (!match)
      return {
        fields,
        problem: `the job record has an unreadable line: ${JSON.stringify(line.slice(0, 80))}`
      };
    if (!fields.has(match[1])) fields.set(match[1], match[2]);
  }
  const state = fields.get("state");
  if (state === void 0) return { fields, problem: "the job record has no state" };
  if (!RECORD_STATES.has(state))
    return { fields, problem: `the job record has an unknown state ${JSON.stringify(state)}` };
  if (!/^\d+$/.test(fields.get("pid") ?? ""))
    return { fields, problem: "the job record has no valid pid" };
  if (state !== "running" && !/^\d+$/.test(fields.get("rc") ?? "")) {
    return { fields, problem: `the job record says ${state} but has no valid rc` };
  }
  return { fields };
}
function numberField(fields, key) {
  const raw = fields.get(key);
  if (raw === void 0 || !/^\d+(\.\d+)?$/.test(raw)) return void 0;
  return Number(raw);
}
function snapshotOf(frame) {
  const base2 = {
    jid: frame.jid,
    state: "missing",
    stdout: frame.stdout,
    ...frame.stdoutStart !== void 0 ? { stdoutStart: frame.stdoutStart } : {},
    stdoutSize: frame.stdoutSize,
    stderr: frame.stderr,
    ...frame.stderrStart !== void 0 ? { stderrStart: frame.stderrStart } : {},
    stderrSize: frame.stderrSize,
    ...frame.meta.length > 0 ? { meta: frame.meta.toString("utf8") } : {}
  };
  if (!frame.exists) return { ...base2, detail: `there is no job record for ${frame.jid}` };
  const { fields, problem } = parseRecord(frame.record);
  if (problem) return { ...base2, state: "corrupt", detail: problem };
  const state = fields.get("state");
  const timeout = numberField(fields, "timeout");
  const snapshot = {
    ...base2,
    state,
    pid: Number(fields.get("pid")),
    ...fields.has("rc") && state !== "running" ? { rc: Number(fields.get("rc")) } : {},
    ...optional3("start", numberField(fields, "start")),
    ...optional3("end", numberField(fields, "end")),
    ...timeout ? { timeoutSeconds: timeout } : {}
  };
  if (state !== "running") return snapshot;
  const bootThen = fields.get("boot_id") ?? "";
  if (bootThen !== "" && frame.bootNow !== "" && bootThen !== frame.bootNow) {
    return {
      ...snapshot,
      state: "rebooted",
      detail: `the host rebooted while the job ran (boot id ${bootThen}, now ${frame.bootNow})`
    };
  }
  if (!frame.supervisorAlive) {
    return {
      ...snapshot,
      state: "died",
      detail: `the job's supervisor (pid ${fields.get("supervisor") || "?"}) is gone but its record still says running: it was killed (OOM killer, kill -9) before the job ended`
    };
  }
  return snapshot;
}
function optional3(key, value) {
  return value === void 0 ? {} : { [key]: value };
}

// src/async/job-status-frames.ts
var SMALL_FIELD_CAP_BYTES = 4096;
function readFrameHeader(header, limits) {
  const parts = header.split(" ");
  const kind = parts[0];
  if (kind === "APB-REFUSED" && parts.length === 2 && isCount(parts[1])) {
    return {
      frame: { kind: "refused" },
      fields: [["a refused job id", length(parts[1]), SMALL_FIELD_CAP_BYTES]]
    };
  }
  if (kind === "APB-UNTRUSTED" && parts.length === 3 && isValidJid(parts[1]) && isCount(parts[2])) {
    return {
      frame: { kind: "untrusted", jid: parts[1] },
      fields: [[`the explanation for ${parts[1]}`, length(parts[2]), SMALL_FIELD_CAP_BYTES]]
    };
  }
  const counts = parts.slice(5);
  if (kind !== "APB-JOB" || parts.length !== 11 && parts.length !== 13 || !isValidJid(parts[1]) || !/^[01]$/.test(parts[2]) || !/^[01]$/.test(parts[3]) || !counts.every(isCount)) {
    throw new JobProtocolError(
      `the job status answer has a malformed frame header: ${JSON.stringify(header.slice(0, 200))}`
    );
  }
  const jid = parts[1];
  const [recLen, outLen, outSize, errLen, errSize, metaLen] = counts.slice(0, 6).map(length);
  const outStart = parts.length === 13 ? length(parts[11]) : outSize - outLen;
  const errStart = parts.length === 13 ? length(parts[12]) : errSize - errLen;
  if (outStart < 0 || errStart < 0 || outStart + outLen !== outSize || errStart + errLen !== errSize) {
    throw new JobProtocolError(
      `the job status answer has inconsistent output lengths for ${jid}: ${JSON.stringify(header.slice(0, 200))}`
    );
  }
  const { streamCapBytes, recordCapBytes, metaCapBytes } = limits;
  return {
    frame: {
      kind: "job",
      jid,
      exists: parts[2] === "1",
      alive: parts[3] === "1",
      bootNow: parts[4] === "-" ? "" : parts[4],
      outSize,
      errSize,
      outStart,
      errStart,
      offsets: parts.length === 13
    },
    fields: [
      [`the record of ${jid}`, recLen, recordCapBytes],
      [`the stdout of ${jid}`, outLen, streamCapBytes],
      [`the stderr of ${jid}`, errLen, streamCapBytes],
      [`the meta of ${jid}`, metaLen, metaCapBytes]
    ]
  };
}
function isCount(text5) {
  return /^\d+$/.test(text5);
}
function length(text5) {
  const value = Number(text5);
  return Number.isSafeInteger(value) ? value : Number.MAX_SAFE_INTEGER;
}

// src/async/job-status-reader.ts
var DEFAULT_STATUS_LIMITS = {
  streamCapBytes: OUTPUT_CAP_BYTES,
  recordCapBytes: RECORD_CAP_BYTES,
  metaCapBytes: META_CAP_BYTES,
  maxJobs: Number.POSITIVE_INFINITY
};
var HEADER_CAP_BYTES = 4096;
var CHATTER_TAIL_BYTES = 2e3;
var StatusReader = class {
  limits;
  snapshots = [];
  /** Bytes of the current line (before the first frame, or a frame header). */
  line = [];
  lineBytes = 0;
  /** A chatter line too long to keep: skipped up to its newline. */
  skippingLine = false;
  framing = false;
  frame;
  fields = [];
  fieldIndex = 0;
  chatter = Buffer.alloc(0);
  ended = false;
  error;
  received = 0;
  retained = 0;
  /** The target answered APB-ERROR: a refusal (an untrusted directory...), not a cut-off answer. */
  targetRefused = false;
  /** The most bytes this reader held at once (kept fields, headers and the chatter tail). */
  peakRetainedBytes = 0;
  constructor(limits = {}) {
    this.limits = { ...DEFAULT_STATUS_LIMITS, ...limits };
  }
  /** Bytes received so far, kept or not. */
  get receivedBytes() {
    return this.received;
  }
  /** Bytes held now. */
  get retainedBytes() {
    return this.retained;
  }
  /** Feeds the next bytes of the answer. Never throws: a problem is reported by finish(). */
  push(chunk) {
    this.received += chunk.length;
    if (this.ended || this.error) return;
    try {
      let at = 0;
      while (at < chunk.length && !this.ended && !this.error) {
        at = this.frame ? this.readField(chunk, at) : this.readLine(chunk, at);
      }
    } catch (error) {
      this.error = error instanceof JobProtocolError ? error : new JobProtocolError(`the job status answer could not be read: ${String(error)}`);
    }
  }
  /**
   * The snapshots, one per job in answer order.
   * @throws JobProtocolError when the answer was cut off, garbled, over the limits, or an APB-ERROR
   */
  finish() {
    if (this.error) throw this.error;
    if (this.ended) return this.snapshots;
    if (!this.framing) {
      throw new JobProtocolError(
        "the job status answer has no APB-JOB frame",
        tail(Buffer.concat([this.chatter, ...this.line]).toString("utf8"))
      );
    }
    const field = this.frame ? this.fields[this.fieldIndex] : void 0;
    if (field) {
      throw new JobProtocolError(
        `the job status answer was cut off inside ${field.what} (announced ${field.length} bytes, got ${field.seen})`
      );
    }
    throw new JobProtocolError("the job status answer was cut off (no APB-END line)");
  }
  hold(bytes) {
    this.retained += bytes;
    if (this.retained > this.peakRetainedBytes) this.peakRetainedBytes = this.retained;
  }
  /** Reads up to a newline: chatter before the first frame, or a frame header. */
  readLine(chunk, at) {
    const eol = chunk.indexOf(10, at);
    const end = eol < 0 ? chunk.length : eol;
    if (this.skippingLine) {
      if (eol >= 0) this.skippingLine = false;
      return eol < 0 ? chunk.length : eol + 1;
    }
    const room = HEADER_CAP_BYTES - this.lineBytes;
    const piece = chunk.subarray(at, Math.min(end, at + Math.max(0, room)));
    if (piece.length > 0) {
      this.line.push(Buffer.from(piece));
      this.lineBytes += piece.length;
      this.hold(piece.length);
    }
    const overlong = end - at > piece.length;
    if (overlong) {
      const text5 = Buffer.concat(this.line).toString("latin1");
      if (this.framing || text5.startsWith("APB-")) {
        throw new JobProtocolError(
          `the job status answer has a malformed frame header: ${JSON.stringify(text5.slice(0, 200))}\u2026`
        );
      }
      this.dropLine(true);
      this.skippingLine = eol < 0;
      return eol < 0 ? chunk.length : eol + 1;
    }
    if (eol < 0) return chunk.length;
    const line = Buffer.concat(this.line);
    this.dropLine(false);
    if (!this.framing && line.subarray(0, 4).toString("latin1") !== "APB-") {
      this.keepChatter(Buffer.concat([line, Buffer.from("\n")]));
      return eol + 1;
    }
    this.framing = true;
    this.header(line.toString("utf8"));
    return eol + 1;
  }
  dropLine(asChatter) {
    if (asChatter) this.keepChatter(Buffer.concat(this.line));
    this.retained -= this.lineBytes;
    this.line = [];
    this.lineBytes = 0;
  }
  keepChatter(bytes) {
    const joined = Buffer.concat([this.chatter, bytes]);
    const kept = Buffer.from(joined.subarray(Math.max(0, joined.length - CHATTER_TAIL_BYTES)));
    this.retained += kept.length - this.chatter.length;
    this.chatter = kept;
    if (this.retained > this.peakRetainedBytes) this.peakRetainedBytes = this.retained;
  }
  header(header) {
    const parts = header.split(" ");
    const kind = parts[0];
    if (kind === "APB-ERROR") {
      this.targetRefused = true;
      throw new JobProtocolError(header.slice("APB-ERROR ".length));
    }
    if (kind === "APB-END") {
      if (parts[1] !== String(this.snapshots.length)) {
        throw new JobProtocolError(
          `the job status answer ends after ${parts[1]} jobs but has ${this.snapshots.length}`
        );
      }
      this.ended = true;
      return;
    }
    if (this.snapshots.length >= this.limits.maxJobs) {
      throw new JobProtocolError(
        `the job status answer describes more jobs than the ${this.limits.maxJobs} asked for`
      );
    }
    const { frame, fields } = readFrameHeader(header, this.limits);
    this.begin(frame, fields);
  }
  begin(frame, fields) {
    this.frame = frame;
    this.fields = fields.map(([what, length2, cap]) => ({
      what,
      length: length2,
      cap,
      chunks: [],
      kept: 0,
      seen: 0
    }));
    this.fieldIndex = 0;
    this.maybeComplete();
  }
  /** Consumes bytes of the current field: kept up to its cap, the rest only counted. */
  readField(chunk, at) {
    const field = this.fields[this.fieldIndex];
    const take = Math.min(chunk.length - at, field.length - field.seen);
    const keep = Math.min(take, field.cap - field.kept);
    if (keep > 0) {
      field.chunks.push(Buffer.from(chunk.subarray(at, at + keep)));
      field.kept += keep;
      this.hold(keep);
    }
    field.seen += take;
    this.maybeComplete();
    return at + take;
  }
  maybeComplete() {
    while (this.fieldIndex < this.fields.length) {
      const field = this.fields[this.fieldIndex];
      if (field.seen < field.length) return;
      this.fieldIndex++;
    }
    const frame = this.frame;
    const values = this.fields.map(
      (f) => f.chunks.length === 1 ? f.chunks[0] : Buffer.concat(f.chunks, f.kept)
    );
    const over = this.fields.map((f) => f.length > f.cap);
    this.frame = void 0;
    this.fields = [];
    if (frame.kind !== "job") {
      this.retained -= values[0].length;
    }
    if (frame.kind === "refused") {
      this.snapshots.push({
        jid: values[0].toString("utf8"),
        state: "missing",
        stdout: Buffer.alloc(0),
        stdoutSize: 0,
        stderr: Buffer.alloc(0),
        stderrSize: 0,
        detail: "the target refused this job id: not of the form j<digits>.<digits>"
      });
      return;
    }
    if (frame.kind === "untrusted") {
      this.snapshots.push({
        jid: frame.jid,
        state: "corrupt",
        stdout: Buffer.alloc(0),
        stdoutSize: 0,
        stderr: Buffer.alloc(0),
        stderrSize: 0,
        detail: values[0].toString("utf8")
      });
      return;
    }
    const [record2, out, err, meta] = values;
    this.retained -= record2.length + (over[3] ? meta.length : 0);
    const snapshot = snapshotOf({
      jid: frame.jid,
      exists: frame.exists,
      supervisorAlive: frame.alive,
      bootNow: frame.bootNow,
      record: record2,
      stdout: out,
      // Offsets are given when they cannot be implied: a first-form frame cut to the cap keeps the
      // first bytes of its window, not the tail.
      ...frame.offsets || over[1] ? { stdoutStart: frame.outStart } : {},
      stdoutSize: frame.outSize,
      stderr: err,
      ...frame.offsets || over[2] ? { stderrStart: frame.errStart } : {},
      stderrSize: frame.errSize,
      meta: over[3] ? Buffer.alloc(0) : meta
    });
    if (over[0] && frame.exists) {
      this.snapshots.push({
        ...snapshot,
        state: "corrupt",
        detail: `the job record is larger than ${this.limits.recordCapBytes} bytes: not one this wrapper writes`
      });
      return;
    }
    this.snapshots.push(snapshot);
  }
};

// src/async/async-jobs.ts
var DEFAULT_ASYNC_DIR = "~/.ansible_async";
var RUNNING_FRESH_MS = 200;
var STATUS_DEADLINE_SLACK_MS = 3e4;
var STATUS_DEADLINE_PER_JOB_MS = 1e3;
var STATUS_KEPT_OUTPUT_BYTES = 64 * 1024;
var AsyncJobs = class {
  constructor(registry) {
    this.registry = registry;
  }
  registry;
  cache = /* @__PURE__ */ new Map();
  queues = /* @__PURE__ */ new Map();
  /** Round trips made for status checks, per host (reported by the bench). */
  statusRoundTrips = /* @__PURE__ */ new Map();
  /**
   * The most bytes one status answer made the controller keep, per host: bounded by the caps (jobs ×
   * (2 × OUTPUT_CAP_BYTES + record and meta caps)) whatever the target sends.
   */
  statusPeakBytes = /* @__PURE__ */ new Map();
  /** Starts a job on the target and returns Ansible's launch record. */
  async launch(access, request2) {
    const connection = await access.connection(request2.become);
    const launch = launchCommand({
      jidPrefix: newJidPrefix(),
      asyncSeconds: request2.watchdogSeconds ?? request2.asyncSeconds,
      asyncDir: request2.asyncDir,
      meta: JSON.stringify(request2.meta),
      command: request2.command
    });
    const sent = request2.environment ? receivingEnvironment(launch, request2.environment) : { command: launch };
    const res = await connection.run(sent.command, { timeoutMs: 3e4, stdin: sent.stdin });
    const launched = parseLaunch(res);
    if (!launched.ok) throw new ModuleArgumentError(launched.message);
    const resultsFile = `${launched.dir}/${launched.jid}`;
    const record2 = {
      ansible_job_id: launched.jid,
      changed: true,
      failed: 0,
      finished: 0,
      results_file: resultsFile,
      started: 1
    };
    this.registry.add({
      jid: launched.jid,
      host: access.host,
      dir: launched.dir,
      launch: record2,
      register: request2.register,
      ...request2.delegatedFor === void 0 ? {} : { delegatedFor: request2.delegatedFor },
      ...request2.loop ? { loop: request2.loop } : {},
      task: request2.meta.task,
      location: request2.location,
      launchedAt: Date.now(),
      asyncSeconds: request2.asyncSeconds,
      ...request2.become ? { become: request2.become } : {},
      gathered: false
    });
    return record2;
  }
  /**
   * The job's current state. With `waitSeconds`, the target holds the answer until the job ends or the wait
   * is over (long poll), so completion is noticed within a fraction of a second. `become` is the user
   * the job was launched as (its KnownJob's), whose async dir `dir` is. `from` (a poller's progress)
   * asks for only the output after those offsets while the job runs; a job that is no longer running
   * always comes with its final tail.
   */
  async status(access, jid, dir, waitSeconds = 0, become, from) {
    if (!isValidJid(jid))
      throw new ModuleArgumentError(`invalid job id '${jid}': expected the form j<digits>.<digits>`);
    const key = `${access.host}\0${jid}`;
    const cached = this.cache.get(key);
    if (cached && (cached.snapshot.state !== "running" || waitSeconds === 0 && Date.now() - cached.at < RUNNING_FRESH_MS)) {
      return cached.snapshot;
    }
    return new Promise((resolve, reject) => {
      const queueKey = `${access.host}\0${dir}\0${waitSeconds}\0${becomeKey(become)}`;
      let queue = this.queues.get(queueKey);
      if (!queue) {
        queue = { waitSeconds, dir, items: [], access, become };
        this.queues.set(queueKey, queue);
        setImmediate(() => {
          this.queues.delete(queueKey);
          void this.flush(queue);
        });
      }
      queue.items.push({ jid, ...from ? { from } : {}, resolve, reject });
    });
  }
  async flush(queue) {
    const host = queue.access.host;
    const wanted = new Set(queue.items.map((i) => i.jid));
    const extra = queue.waitSeconds === 0 ? this.registry.outstanding(host).filter(
      (j) => j.dir === queue.dir && becomeKey(j.become) === becomeKey(queue.become) && !wanted.has(j.jid)
    ).map((j) => j.jid) : [];
    const from = /* @__PURE__ */ new Map();
    for (const item of queue.items) {
      const offsets = item.from ?? { stdout: 0, stderr: 0 };
      const known = from.get(item.jid);
      from.set(
        item.jid,
        known ? {
          stdout: Math.min(known.stdout, offsets.stdout),
          stderr: Math.min(known.stderr, offsets.stderr)
        } : offsets
      );
    }
    const jids = [...wanted, ...extra];
    try {
      const connection = await queue.access.connection(queue.become);
      this.statusRoundTrips.set(host, (this.statusRoundTrips.get(host) ?? 0) + 1);
      const reader = new StatusReader({ maxJobs: jids.length });
      const res = await connection.run(
        statusCommand({ dir: queue.dir, jids, waitSeconds: queue.waitSeconds, from }),
        {
          timeoutMs: queue.waitSeconds * 1e3 + STATUS_DEADLINE_SLACK_MS + jids.length * STATUS_DEADLINE_PER_JOB_MS,
          outputCapBytes: STATUS_KEPT_OUTPUT_BYTES,
          onStdout: (chunk) => reader.push(chunk)
        }
      );
      if (reader.receivedBytes === 0 && res.stdout.length > 0) reader.push(res.stdout);
      this.statusPeakBytes.set(
        host,
        Math.max(this.statusPeakBytes.get(host) ?? 0, reader.peakRetainedBytes)
      );
      if (res.timedOut) throw new ConnectionError(`checking jobs on ${host} timed out`, host);
      if (res.code === null) {
        throw new ConnectionError(`the connection to ${host} closed while checking jobs`, host);
      }
      let snapshots;
      try {
        snapshots = reader.finish();
      } catch (error) {
        if (res.code !== 0 && !reader.targetRefused) {
          throw new ConnectionError(
            `the answer from ${host} was cut off while checking jobs (exit ${String(res.code ?? res.signal)})`,
            host
          );
        }
        throw error;
      }
      const now = Date.now();
      for (const s of snapshots) {
        if (isFinalTail(s)) this.cache.set(`${host}\0${s.jid}`, { at: now, snapshot: s });
      }
      for (const item of queue.items) {
        const snapshot = snapshots.find((s) => s.jid === item.jid);
        if (snapshot) item.resolve(snapshot);
        else
          item.reject(
            new ModuleArgumentError(
              `the target did not report job ${item.jid}: ${res.stderr.toString("utf8").trim()}`
            )
          );
      }
    } catch (error) {
      for (const item of queue.items) item.reject(error);
    }
  }
  /** Deletes a job's files on the target (does not stop it, as in Ansible), as the user it ran as. */
  async cleanup(access, jid, dir, become) {
    if (!isValidJid(jid))
      throw new ModuleArgumentError(`invalid job id '${jid}': expected the form j<digits>.<digits>`);
    const connection = await access.connection(become);
    const res = await connection.run(cleanupCommand(dir, jid), { timeoutMs: 3e4 });
    this.cache.delete(`${access.host}\0${jid}`);
    this.registry.markGathered(access.host, jid);
    return parseCleanup(res.stdout).existed;
  }
  /** Forgets cached answers for a host (after a reconnect). */
  forget(host) {
    for (const key of [...this.cache.keys()])
      if (key.startsWith(`${host}\0`)) this.cache.delete(key);
  }
};
function isFinalTail(snapshot) {
  return ["stdout", "stderr"].every((stream) => {
    const size = stream === "stdout" ? snapshot.stdoutSize : snapshot.stderrSize;
    const start = startOf(snapshot, stream);
    return start <= Math.max(0, size - OUTPUT_CAP_BYTES) && start + snapshot[stream].length === size;
  });
}

// src/async/job-results.ts
function parseMeta(text5) {
  if (!text5) return {};
  try {
    const value = JSON.parse(text5);
    return value !== null && typeof value === "object" ? value : {};
  } catch {
    return {};
  }
}
function output(buffer, start, size, file) {
  const text5 = decodeOutput(buffer);
  if (start === 0 && buffer.length >= size) return text5;
  const where = `the full output is in ${file} on the target`;
  if (start + buffer.length === size) {
    return `[output truncated: showing the last ${buffer.length} of ${size} bytes (cap ${OUTPUT_CAP_BYTES}); ${where}]
${text5}`;
  }
  return `[output truncated: showing ${buffer.length} bytes from byte ${start} of ${size} (cap ${OUTPUT_CAP_BYTES}); ${where}]
${text5}`;
}
function base(snapshot, resultsFile) {
  const stdout = output(
    snapshot.stdout,
    startOf(snapshot, "stdout"),
    snapshot.stdoutSize,
    `${resultsFile}.out`
  );
  const stderr = output(
    snapshot.stderr,
    startOf(snapshot, "stderr"),
    snapshot.stderrSize,
    `${resultsFile}.err`
  );
  return {
    ansible_job_id: snapshot.jid,
    results_file: resultsFile,
    started: 1,
    stdout,
    stdout_lines: splitLines(stdout),
    stderr,
    stderr_lines: splitLines(stderr)
  };
}
function statusResult(snapshot, resultsFile) {
  const meta = parseMeta(snapshot.meta);
  const out = base(snapshot, resultsFile);
  switch (snapshot.state) {
    case "missing":
      return { ...out, changed: false, failed: true, finished: 1, msg: "could not find job" };
    case "running":
      return { ...out, changed: false, finished: 0 };
    case "finished": {
      const rc = snapshot.rc ?? -1;
      const result = {
        ...out,
        changed: true,
        cmd: meta.cmd,
        delta: snapshot.end !== void 0 && snapshot.start !== void 0 ? formatDelta((snapshot.end - snapshot.start) * 1e3) : null,
        end: snapshot.end !== void 0 ? formatTimestamp(new Date(snapshot.end * 1e3)) : null,
        finished: 1,
        msg: "",
        rc,
        start: snapshot.start !== void 0 ? formatTimestamp(new Date(snapshot.start * 1e3)) : null
      };
      if (rc !== 0) {
        result["failed"] = true;
        result["msg"] = rc > 128 && rc < 160 ? `non-zero return code (killed by signal ${rc - 128})` : "non-zero return code";
      } else {
        result["failed"] = false;
      }
      return result;
    }
    case "timeout":
      return {
        ...out,
        changed: false,
        child_pid: snapshot.pid,
        cmd: meta.cmd,
        failed: true,
        finished: 1,
        msg: "Timeout exceeded",
        timedout: true
      };
    case "died":
    case "rebooted":
      return {
        ...out,
        changed: false,
        cmd: meta.cmd,
        died: true,
        failed: true,
        finished: 1,
        msg: snapshot.state === "died" ? `the job died without recording a result: its supervisor is gone (killed with kill -9, by the OOM killer, or the job directory was removed). Output so far is in stdout/stderr.` : "the host rebooted while the job was running (its boot id changed), so the job never finished"
      };
    case "corrupt":
      return {
        ...out,
        changed: false,
        failed: true,
        finished: 1,
        msg: `Could not parse job output: ${snapshot.detail ?? "the job record is damaged"}`
      };
  }
}

// src/async/jobs-access.ts
function jobsAccess(jobs, access, asyncDir, taskBecome = () => void 0) {
  const locate = async (jid) => {
    if (!isValidJid(jid)) {
      throw new ModuleArgumentError(
        `invalid job id '${jid}': a job id looks like j123456789012.4567; it was not used`
      );
    }
    const known = jobs.registry.get(access.host, jid);
    if (known) return { dir: known.dir, become: known.become };
    const become = taskBecome();
    return { dir: await resolveDir(access, asyncDir(), become), become };
  };
  return {
    async status(jid, waitSeconds = 0) {
      const { dir, become } = await locate(jid);
      const snapshot = await jobs.status(access, jid, dir, waitSeconds, become);
      const result = statusResult(snapshot, `${dir}/${jid}`);
      if (result["finished"] === 1) jobs.registry.markGathered(access.host, jid);
      return result;
    },
    async resultsFile(jid) {
      const known = jobs.registry.get(access.host, jid);
      const dir = known ? known.dir : await resolveDir(access, asyncDir(), taskBecome());
      return `${dir}/${jid}`;
    },
    async cleanup(jid) {
      const { dir, become } = await locate(jid);
      const existed = await jobs.cleanup(access, jid, dir, become);
      const base2 = {
        ansible_job_id: jid,
        stdout: "",
        stderr: "",
        stdout_lines: [],
        stderr_lines: []
      };
      if (!existed)
        return {
          ...base2,
          changed: false,
          failed: true,
          finished: 1,
          started: 1,
          msg: "could not find job",
          erased: `${dir}/${jid}`
        };
      return { ...base2, changed: false, erased: `${dir}/${jid}`, finished: 0, started: 0 };
    }
  };
}
async function resolveDir(access, dir, become) {
  if (!dir.startsWith("~")) return dir.replace(/\/+$/, "") || "/";
  if (dir !== "~" && !dir.startsWith("~/")) {
    throw new ModuleArgumentError(
      `ansible_async_dir '${dir}': only '~' or '~/\u2026' is expanded; use an absolute path`
    );
  }
  const connection = await access.connection(become);
  const res = await connection.run(`printf '%s' "$HOME"`, { timeoutMs: 3e4 });
  const home = res.stdout.toString("utf8");
  if (!home.startsWith("/"))
    throw new ModuleArgumentError(
      `cannot resolve ${shellQuote(dir)}: HOME is not set on the target`
    );
  return `${home.replace(/\/+$/, "")}${dir.slice(1)}`.replace(/\/+$/, "");
}

// src/executor/stats.ts
var RUN_KEY = "_run";
var Stats = class {
  /** In the order hosts were first counted (keys are host names: a Map, never an object's prototype). */
  counters = /* @__PURE__ */ new Map();
  /** set_stats' values: per host, and the run's under RUN_KEY. */
  custom = /* @__PURE__ */ new Map();
  /**
   * A set_stats value for a host (or the run, without one): replaced, or with `aggregate` added to what is
   * there as Ansible's update_custom_stats does (mappings merged, numbers added, text and lists joined; a
   * value of another type is left out).
   */
  setCustom(name, value, aggregate, host) {
    const key = host ?? RUN_KEY;
    let values = this.custom.get(key);
    if (!values) {
      values = dict();
      this.custom.set(key, values);
    }
    if (!aggregate || !Object.hasOwn(values, name)) {
      values[name] = value;
      return;
    }
    const old = values[name];
    if (!sameKind(value, old)) return;
    if (isRecord(old) && isRecord(value)) values[name] = mergeHash(old, value);
    else if (Array.isArray(old) && Array.isArray(value)) values[name] = [...old, ...value];
    else if (typeof old === "string" && typeof value === "string") values[name] = old + value;
    else if (isNumeric(old) || typeof old === "boolean") {
      const sum = Number(old) + Number(value);
      values[name] = pythonClass(old) === "float" ? pyFloat(sum) : sum;
    } else values[name] = value;
  }
  /** The custom statistics, hosts sorted and the run's last; undefined when no task set any. */
  customSummary() {
    if (this.custom.size === 0) return void 0;
    const out = dict();
    for (const key of [...this.custom.keys()].filter((k) => k !== RUN_KEY).sort())
      out[key] = this.custom.get(key);
    const run = this.custom.get(RUN_KEY);
    if (run) out[RUN_KEY] = run;
    return out;
  }
  /**
   * Puts the host in the recap with its counters as they are: a task ran there, though it may count in no
   * counter (include_role counts in none, as in Ansible).
   */
  enter(host) {
    this.of(host);
  }
  /** Adds `by` to one counter of the host. */
  increment(host, what, by = 1) {
    this.of(host)[what] += by;
  }
  /** Counts a result a task reported on a host: `ok`, and `changed` too when it changed something. */
  ok(host, changed) {
    const counters = this.of(host);
    counters.ok++;
    if (changed) counters.changed++;
  }
  /** Counts a failure that `ignore_errors` (or `ignore_unreachable`) turned into a warning. */
  ignored(host, changed) {
    this.ok(host, changed);
    this.increment(host, "ignored");
  }
  /** Whether anything was counted on the host. */
  has(host) {
    return this.counters.has(host);
  }
  /** Whether the host has a failure in its counters (what the recap and the exit code call failed). */
  failed(host) {
    return (this.counters.get(host)?.failed ?? 0) > 0;
  }
  /**
   * The recap: each counted host with its counters, in `order` when given (hosts never counted are left
   * out), else in the order they were first counted. Keyed by host name in an object without prototype.
   */
  summary(order) {
    const hosts = order ? [...order].filter((h) => this.counters.has(h)) : [...this.counters.keys()];
    return dict(hosts.map((h) => [h, { ...this.counters.get(h) }]));
  }
  of(host) {
    let counters = this.counters.get(host);
    if (!counters) {
      counters = emptyStats();
      this.counters.set(host, counters);
    }
    return counters;
  }
};
function sameKind(value, old) {
  const kind = pythonClass(old);
  const given = pythonClass(value);
  return given === kind || kind === "int" && given === "bool";
}

// src/executor/parallel.ts
async function mapWithLimit(items, limit, worker) {
  const results = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await worker(items[index], index);
    }
  });
  await Promise.all(lanes);
  return results;
}
function sleep(ms, signal) {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

// src/executor/gather-runner.ts
var MAX_WAIT_SECONDS = 10;
async function gatherJobs(registry, options2) {
  const { events } = options2;
  const variables = new VariableManager(options2.inventory, options2.templar, options2.extraVars);
  const connections = new HostConnections(
    options2.connectionDefaults,
    options2.openConnection,
    options2.become
  );
  const jobs = new AsyncJobs(registry);
  const deadline = Date.now() + options2.timeoutSeconds * 1e3;
  const stats = new Stats();
  const failed4 = /* @__PURE__ */ new Set();
  const unreachable = /* @__PURE__ */ new Set();
  const pending = registry.allOutstanding();
  const hosts = [...new Set(pending.map((j) => j.host))];
  const playContext = {
    playVars: {},
    playHosts: hosts,
    playBatch: hosts,
    playbookDir: options2.inventory ? process.cwd() : ""
  };
  events.playStart("Gather background jobs", void 0);
  try {
    const keys = [...new Set(pending.map((j) => j.register ?? j.jid))];
    for (const key of keys) {
      const group = pending.filter((j) => (j.register ?? j.jid) === key);
      const info = {
        name: `gather ${key}`,
        module: "async_status",
        location: group[0]?.location,
        noLog: false
      };
      events.taskStart(info);
      const byHost = /* @__PURE__ */ new Map();
      for (const job of group) {
        const owner = job.delegatedFor ?? job.host;
        byHost.set(owner, [...byHost.get(owner) ?? [], job]);
      }
      await Promise.all(
        [...byHost].map(async ([host, hostJobs]) => {
          const started = Date.now();
          stats.enter(host);
          const gather = (job) => {
            const scope = variables.scope(job.host, playContext);
            const access = connections.jobAccess(job.host, () => scope);
            return waitForJob(
              job,
              jobs,
              access,
              deadline,
              () => connections.reset(job.host, scope),
              options2.signal
            );
          };
          let result;
          try {
            result = isLoop(hostJobs) ? await gatherLoop(
              hostJobs,
              gather,
              (job, itemResult) => events.itemResult(info, {
                host,
                status: statusOf(itemResult),
                ignored: false,
                result: itemResult,
                durationMs: Date.now() - started,
                item: { label: pythonStr(job.loop?.item) }
              })
            ) : await gather(hostJobs[0]);
          } catch (error) {
            if (error instanceof ConnectionError) {
              stats.increment(host, "unreachable");
              unreachable.add(host);
              events.hostResult(info, {
                host,
                status: "unreachable",
                ignored: false,
                result: { changed: false, unreachable: true, msg: error.message },
                durationMs: Date.now() - started
              });
              return;
            }
            result = { changed: false, failed: true, msg: error.message };
          }
          const status = statusOf(result);
          if (status === "failed") {
            stats.increment(host, "failed");
            failed4.add(host);
          } else stats.ok(host, status === "changed");
          events.hostResult(info, {
            host,
            status,
            ignored: false,
            result,
            durationMs: Date.now() - started
          });
        })
      );
    }
  } finally {
    await connections.closeAll();
  }
  const recap = stats.summary();
  events.recap(recap);
  const exitCode = unreachable.size > 0 ? 4 : failed4.size > 0 ? 2 : 0;
  return {
    stats: recap,
    failedHosts: [...failed4],
    unreachableHosts: [...unreachable],
    exitCode,
    jobs: registry.allOutstanding()
  };
}
function statusOf(result) {
  return result["failed"] ? "failed" : result["changed"] ? "changed" : "ok";
}
function isLoop(jobs) {
  return jobs.length > 1 || jobs[0]?.loop !== void 0;
}
async function gatherLoop(jobs, gather, onItem) {
  const results = await Promise.all(
    jobs.map(async (job) => {
      let result;
      try {
        result = await gather(job);
      } catch (error) {
        if (error instanceof ConnectionError) throw error;
        result = { changed: false, failed: true, msg: error.message };
      }
      if (job.loop) {
        result[job.loop.loopVar] = job.loop.item;
        result["ansible_loop_var"] = job.loop.loopVar;
      }
      onItem(job, result);
      return result;
    })
  );
  const anyFailed = results.some((r) => r["failed"]);
  return {
    changed: results.some((r) => r["changed"] === true),
    ...anyFailed ? { failed: true } : {},
    msg: anyFailed ? "One or more items failed" : "All items completed",
    results,
    skipped: false
  };
}
async function waitForJob(job, jobs, access, deadline, reset, signal) {
  let backoff = 500;
  const view = jobsAccess(jobs, access, () => job.dir);
  for (; ; ) {
    const left = (deadline - Date.now()) / 1e3;
    try {
      if (left <= 0 || signal?.aborted) {
        const last = await view.status(job.jid);
        if (last["finished"] === 1) return last;
        return {
          ...last,
          failed: true,
          msg: `the job was still running when the gathering timeout ran out (--timeout); gather it again later with the same jobs document`
        };
      }
      const snapshot = await jobs.status(
        access,
        job.jid,
        job.dir,
        Math.min(MAX_WAIT_SECONDS, Math.max(1, Math.floor(left))),
        job.become
      );
      if (snapshot.state !== "running") {
        jobs.registry.markGathered(job.host, job.jid);
        return statusResult(snapshot, `${job.dir}/${job.jid}`);
      }
      backoff = 500;
    } catch (error) {
      if (!(error instanceof ConnectionError) || Date.now() >= deadline) throw error;
      jobs.forget(job.host);
      await sleep(backoff, signal);
      backoff = Math.min(backoff * 2, 5e3);
      await reset().catch(() => void 0);
    }
  }
}

// src/executor/batches.ts
function inShard(hosts, inventoryOrder, shard) {
  const position = new Map(inventoryOrder.map((h, i) => [h, i]));
  return hosts.filter((h) => (position.get(h) ?? 0) % shard.count + 1 === shard.index);
}
function batches(hosts, serial, play) {
  if (serial === void 0 || serial === null || serial === 0 || serial === "0") return [hosts];
  const sizes = (Array.isArray(serial) ? serial : [serial]).map((s) => {
    const text5 = String(s).trim();
    const pct = /^(\d+(?:\.\d+)?)%$/.exec(text5);
    const n = pct ? Math.floor(hosts.length * Number(pct[1]) / 100) : Number(text5);
    if (!Number.isFinite(n) || n < 0) {
      throw new PlaybookError(
        `'serial' must be a number, a percentage such as '30%' or a list of them, got '${text5}'`,
        play.location
      );
    }
    return Math.max(1, n);
  });
  const out = [];
  let i = 0;
  let k = 0;
  while (i < hosts.length) {
    const size = sizes[Math.min(k, sizes.length - 1)];
    out.push(hosts.slice(i, i + size));
    i += size;
    k++;
  }
  return out;
}

// src/executor/job-replay.ts
function replayHandedOverJobs(registry, variables) {
  for (const job of registry.allOutstanding()) {
    if (!job.register) continue;
    const memory = variables.hostMemory(job.delegatedFor ?? job.host);
    const registered = memory.registered;
    memory.safe.delete(job.register);
    if (!job.loop) {
      registered[job.register] = job.launch;
      continue;
    }
    const item = {
      ...job.launch,
      [job.loop.loopVar]: job.loop.item,
      ansible_loop_var: job.loop.loopVar
    };
    const earlier = registered[job.register];
    if (earlier && Array.isArray(earlier.results)) earlier.results.push(item);
    else
      registered[job.register] = {
        changed: true,
        msg: "All items completed",
        results: [item],
        skipped: false
      };
  }
}

// src/executor/block-tracker.ts
var BlockTracker = class _BlockTracker {
  state = /* @__PURE__ */ new Map();
  /** Blocks with at least one rescue task in the list (a rescue emptied by tag filtering does not rescue). */
  rescuable = /* @__PURE__ */ new Set();
  /** Blocks with at least one always task in the list. */
  withAlways = /* @__PURE__ */ new Set();
  constructor(tasks) {
    this.add(tasks);
  }
  /** Takes in tasks a dynamic include brought into the list (their blocks may have rescues). */
  add(tasks) {
    for (const task of tasks) {
      for (const frame of task.blocks ?? []) {
        if (frame.section === "rescue") this.rescuable.add(frame.id);
        else if (frame.section === "always") this.withAlways.add(frame.id);
      }
    }
  }
  /** A copy with the same failures, to look ahead without changing this one. */
  clone() {
    const copy = new _BlockTracker([]);
    for (const id of this.rescuable) copy.rescuable.add(id);
    for (const id of this.withAlways) copy.withAlways.add(id);
    copy.state = new Map(
      [...this.state].map(([host, blocks]) => [
        host,
        new Map([...blocks].map(([id, failures]) => [id, { ...failures }]))
      ])
    );
    return copy;
  }
  /** Whether the host runs this task: it is in every list the task sits in (Ansible gives it a no-op otherwise). */
  runs(host, task) {
    for (const frame of task.blocks ?? []) {
      const failures = this.failures(host, frame.id);
      if (frame.section === "block" && failures.block) return false;
      if (frame.section === "rescue" && (!failures.block || failures.rescue)) return false;
      if (frame.section === "always" && failures.always) return false;
    }
    return true;
  }
  /**
   * Records that the task failed on the host. Counted 'rescued' when an enclosing block's rescue will run for
   * it (Ansible's is_any_block_rescuing); fatal for a task outside any block (the host fails now). Otherwise
   * the host fails, if nothing rescues it, once the list leaves the block.
   */
  fail(host, task) {
    const frames = task.blocks ?? [];
    const inner = frames.at(-1);
    if (!inner) return { counted: "failed", fatal: true, failedNow: true };
    const failures = this.failures(host, inner.id);
    failures[inner.section] = true;
    failures.cleared = false;
    return {
      counted: this.willRescue(frames) ? "rescued" : "failed",
      fatal: false,
      failedNow: this.failedAfter(frames)
    };
  }
  /**
   * Records that a handler failed on the host while it flushed handlers at `flush` (a `meta: flush_handlers`
   * task). As Ansible 2.14 does, the failure moves the outermost block around the flush: into its rescue when
   * it has one (the rest of the block is skipped), else through its always list to a failure; a flush inside
   * that block's rescue or always list goes on with it. It counts as rescued only when a block nested inside
   * the outermost one could rescue it.
   */
  failHandler(host, flush) {
    const frames = flush.blocks ?? [];
    const top = frames[0];
    if (!top) return { counted: "failed", fatal: true, failedNow: true };
    const counted = this.willRescue(frames.slice(1)) ? "rescued" : "failed";
    const failures = this.failures(host, top.id);
    failures.cleared = false;
    if (top.section === "block") {
      if (!this.rescuable.has(top.id) && !this.withAlways.has(top.id))
        return { counted, fatal: true, failedNow: true };
      failures.block = true;
    } else if (top.section === "always" && !this.rescuable.has(top.id)) {
      failures.handler = true;
    }
    return { counted, fatal: false, failedNow: false };
  }
  /**
   * Whether, right after a task at `frames` failed on the host, Ansible's iterator deems the host failed
   * (is_failed): no rescue or always list of the innermost block is left for it, and no enclosing block whose
   * list it is in could rescue it. This is what any_errors_fatal looks at.
   */
  failedAfter(frames) {
    const inner = frames.at(-1);
    if (!inner) return true;
    let failed4 = inner.section === "always" || (inner.section === "rescue" ? !this.withAlways.has(inner.id) : !this.rescuable.has(inner.id) && !this.withAlways.has(inner.id));
    for (let depth = frames.length - 2; depth >= 0 && failed4; depth--) {
      const frame = frames[depth];
      if (frame.section === "block" && this.rescuable.has(frame.id)) failed4 = false;
    }
    return failed4;
  }
  /** `meta: clear_host_errors`: the host's failures in the blocks it is in no longer fail them. */
  clear(host) {
    for (const failures of this.state.get(host)?.values() ?? []) failures.cleared = true;
  }
  /**
   * Closes the blocks the list leaves between `previous` and `next` (undefined at the end of the list).
   * Returns the hosts whose failure left the outermost block unrescued: they have failed.
   */
  leave(previous, next, hosts) {
    const before = previous?.blocks ?? [];
    const after = next?.blocks ?? [];
    let common = 0;
    while (common < before.length && common < after.length && before[common].id === after[common].id)
      common++;
    if (common === before.length) return [];
    const failed4 = [];
    for (const host of hosts) {
      for (let depth = before.length - 1; depth >= common; depth--) {
        const frame = before[depth];
        if (!this.blockFailed(host, frame)) continue;
        const parent = before[depth - 1];
        if (parent) {
          const failures = this.failures(host, parent.id);
          failures[parent.section] = true;
          failures.cleared = false;
        } else {
          failed4.push(host);
          break;
        }
      }
    }
    return failed4;
  }
  /** The list the host's next task sits in, `task` being that task (undefined: none is left). */
  static stateOf(task) {
    if (!task) return "complete";
    const inner = task.blocks?.at(-1);
    return inner === void 0 || inner.section === "block" ? "tasks" : inner.section;
  }
  /** A block fails when its always failed, or its block failed without a rescue that completed. */
  blockFailed(host, frame) {
    const failures = this.failures(host, frame.id);
    if (failures.cleared) return false;
    return failures.always || failures.handler || failures.block && (!this.rescuable.has(frame.id) || failures.rescue);
  }
  /** Whether a failure in the innermost of these frames reaches a rescue (Ansible's is_any_block_rescuing). */
  willRescue(frames) {
    return frames.some((frame) => frame.section === "block" && this.rescuable.has(frame.id));
  }
  failures(host, id) {
    let blocks = this.state.get(host);
    if (!blocks) {
      blocks = /* @__PURE__ */ new Map();
      this.state.set(host, blocks);
    }
    let failures = blocks.get(id);
    if (!failures) {
      failures = { block: false, rescue: false, always: false, handler: false, cleared: false };
      blocks.set(id, failures);
    }
    return failures;
  }
};

// src/executor/handlers.ts
var Handlers = class {
  /**
   * @param force whether failed hosts still run their notified handlers (force_handlers)
   */
  constructor(handlers, force, context) {
    this.force = force;
    this.context = context;
    this.list = [...handlers];
  }
  force;
  context;
  /** The play's handlers, and those of roles included since (in the order they run at a flush). */
  list;
  /** Per handler (by its task object), the hosts it was notified on and that have not run it since. */
  notified = /* @__PURE__ */ new Map();
  /**
   * Each templated handler name as rendered once with the play's variables (as Ansible does, without any
   * host's); null when it cannot be rendered (a host variable): that handler answers to no name.
   */
  names = /* @__PURE__ */ new Map();
  /** Records the handlers `task` notifies on the hosts where it changed something (`changed`). */
  notify(task, changed) {
    if (!task.notify || changed.length === 0) return;
    const { context } = this;
    const nameOf = handlerNames(this.names, context);
    for (const [name, hosts] of notifyNames(task, changed, context)) {
      if (!this.record(name, hosts, nameOf, task)) context.warning(missingHandlerMessage(name));
    }
  }
  /**
   * Adds a handler an include brought in. Copies of the same handler already in the play (the role under
   * `roles:`, an import_role of it, an earlier include) give way to it, their pending notifications
   * included: it runs once, with this include's keywords and variables. Ansible behaves so because its
   * uses of a role share one handler object, which each include_role re-parents.
   */
  add(handler) {
    const same = (h) => h.location.file === handler.location.file && h.location.line === handler.location.line && h.role?.path === handler.role?.path;
    const first = this.list.findIndex(same);
    if (first < 0) {
      this.list.push(handler);
      return;
    }
    const pending = /* @__PURE__ */ new Set();
    for (const earlier of this.list.filter(same)) {
      for (const host of this.notified.get(earlier) ?? []) pending.add(host);
      this.notified.delete(earlier);
    }
    this.list = this.list.filter((h) => !same(h));
    this.list.splice(first, 0, handler);
    if (pending.size > 0) this.notified.set(handler, pending);
  }
  /**
   * The handlers a flush runs, in the order they are defined, each with the hosts of `batch` notified of it
   * (only those in `only`, when given) that may run it (`eligible`). Each is worked out when the previous
   * one has run: a handler may notify another, and one defined later then runs in this flush, an earlier
   * one at the next. A host that may not run a handler is no longer notified of it; nor, once it ran, are
   * its hosts (even if it notified itself meanwhile), as in Ansible.
   */
  *due(batch, only, eligible) {
    const flushing = (host) => only === void 0 || only.includes(host);
    for (const handler of this.list) {
      const pending = this.notified.get(handler);
      if (!pending || pending.size === 0) continue;
      const hosts = batch.filter((h) => pending.has(h) && flushing(h) && eligible(h));
      for (const host of batch) if (flushing(host) && !hosts.includes(host)) pending.delete(host);
      if (hosts.length === 0) continue;
      try {
        yield { handler, hosts };
      } finally {
        for (const host of hosts) pending.delete(host);
      }
    }
  }
  /**
   * Records that `hosts` notified `name` (from `task`). Returns false when no handler answers: an error by
   * default; with ANSIBLE_ERROR_ON_MISSING_HANDLER off, the caller warns instead.
   */
  record(name, hosts, nameOf, task) {
    const matching = matchHandlers(this.list, name, nameOf);
    if (matching.length === 0) {
      if (!this.context.errorOnMissing) return false;
      const unusable = [...this.names].filter(([, n]) => n === null).map(([h]) => `'${h.name}'`);
      throw new PlaybookError(
        `${missingHandlerMessage(name)} (notified by task '${task.name}'); add a handler with that name or \`listen: ${name}\` under the play's \`handlers:\`` + (unusable.length > 0 ? `. Handler names that use host variables cannot be rendered (${unusable.join(", ")}): give them \`listen:\` topics` : ""),
        task.location
      );
    }
    for (const handler of matching) {
      let notified = this.notified.get(handler);
      if (!notified) this.notified.set(handler, notified = /* @__PURE__ */ new Set());
      for (const host of hosts) notified.add(host);
    }
    return true;
  }
};
function isTemplated(name) {
  return name.includes("{{") || name.includes("{%");
}
function matchHandlers(list, name, nameOf = (handler) => handler.name) {
  const named = list.filter((handler) => {
    const own = nameOf(handler);
    if (own === null) return false;
    return own === name || handler.role !== void 0 && `${handler.role.name} : ${own}` === name;
  });
  const last = named.at(-1);
  const picked = last === void 0 ? void 0 : named.find((h) => sameHandlerBlock(h, last)) ?? last;
  return list.filter((handler) => handler === picked || handler.listen?.includes(name));
}
function sameHandlerBlock(a, b) {
  return a.handlerBlock !== void 0 && a.handlerBlock === b.handlerBlock;
}
function handlerNames(names, context) {
  return (handler) => {
    if (!isTemplated(handler.name)) return handler.name;
    const known = names.get(handler);
    if (known !== void 0) return known;
    let name;
    try {
      name = pythonStr(
        context.templar.render(
          handler.name,
          context.variables.playScope(context.playContext, handler)
        )
      );
    } catch (error) {
      name = null;
      if (!handler.listen?.length)
        context.warning(
          `Handler '${handler.name}' is unusable because it has no listen topics and the name could not be templated (host-specific variables are not supported in handler names). The error: ${error.message}`
        );
    }
    names.set(handler, name);
    return name;
  };
}
function notifyNames(task, hosts, context) {
  const out = /* @__PURE__ */ new Map();
  for (const raw of task.notify ?? []) {
    for (const host of hosts) {
      let name = raw;
      if (isTemplated(raw)) {
        try {
          name = String(
            context.templar.render(raw, context.variables.scope(host, context.playContext, task))
          );
        } catch (error) {
          throw new PlaybookError(
            `the handler name '${raw}' in 'notify' cannot be rendered for ${host}: ${error.message}`,
            task.location
          );
        }
      }
      const list = out.get(name);
      if (list) list.push(host);
      else out.set(name, [host]);
    }
  }
  return out;
}
function missingHandlerMessage(name) {
  return `The requested handler '${name}' was not found in either the main handlers list nor in the listening handlers list`;
}

// src/executor/includes.ts
var INCLUDE_ACTIONS = /* @__PURE__ */ new Set(["include_tasks", "include_role"]);
var INCLUDE_RAW_ARGS = ["apply"];
var IncludeLoads = class {
  /** @param deprecated  shows one of Ansible's deprecations (the console shows each once per run) */
  constructor(deprecated = () => {
  }) {
    this.deprecated = deprecated;
  }
  deprecated;
  loads = /* @__PURE__ */ new WeakMap();
  /**
   * Loads what the include names, with its arguments rendered for one host (and loop item), and returns the
   * result to register: Ansible's `include` and `include_args` (include_role has no `include`), or the
   * failure to load it, with the reason.
   * @throws ModuleArgumentError for an include outside a playbook (an ad-hoc include_tasks)
   */
  load(task, args) {
    const include = task.include;
    if (!include)
      throw new ModuleArgumentError(`${task.module} can only be used as a task of a playbook`);
    if (include.legacy) this.deprecated(DYNAMIC_INCLUDE_DEPRECATION);
    let loaded;
    try {
      loaded = loadInclude(include, args, task.location, task.role);
      for (const message2 of loaded.deprecations ?? []) this.deprecated(message2);
    } catch (error) {
      if (!(error instanceof PlaybookError)) throw error;
      return this.failure(task, error);
    }
    const result = task.loop ? {} : { changed: false };
    if (include.kind === "tasks") {
      const { _raw_params: rawParams, file, ...rest } = args;
      result["include"] = file ?? rawParams;
      result["include_args"] = rest;
    } else result["include_args"] = { ...args };
    this.loads.set(result, { loaded });
    return result;
  }
  /** The error that stops the run, when the include (or one of its loop items) brought in something invalid. */
  abortError(result) {
    for (const item of resultAndItems(result)) {
      const load = this.loads.get(item);
      if (load && "invalid" in load) return load.invalid;
    }
    return void 0;
  }
  /** Whether the include (or one of its loop items) failed because what it names is missing. */
  loadFailed(result) {
    return resultAndItems(result).some((item) => {
      const load = this.loads.get(item);
      return load !== void 0 && "missing" in load;
    });
  }
  /** How many files an include_tasks result brought in: Ansible counts it `ok` once for each. */
  count(result) {
    return loadingResults(result).filter((item) => this.loadedBy(item)?.tasks.length).length;
  }
  /** The files (or roles) the include's result on one host brought in, in order, with their loop variables. */
  files(result) {
    const out = [];
    for (const item of loadingResults(result)) {
      const loaded = this.loadedBy(item);
      if (!loaded) continue;
      const loop = {};
      const loopVar = item["ansible_loop_var"];
      if (typeof loopVar === "string") {
        loop[loopVar] = item[loopVar];
        const indexVar = item["ansible_index_var"];
        if (typeof indexVar === "string") loop[indexVar] = item[indexVar];
      }
      const args = item["include_args"];
      out.push({
        public: isTruthy(args?.["public"]),
        key: `${loaded.file}\0${JSON.stringify(item["include_args"] ?? null)}\0${JSON.stringify(loop)}`,
        loaded,
        loop
      });
    }
    return out;
  }
  /** The file a result (or loop item result) brought in, when it has tasks (see HostTaskOutcome.included). */
  includedFile(item) {
    const loaded = this.loadedBy(item);
    return loaded?.tasks.length ? loaded.file : void 0;
  }
  /** What a result (or loop item result) loaded; undefined when it was skipped or failed. */
  loadedBy(item) {
    if (item["failed"] || item["skipped"]) return void 0;
    const load = this.loads.get(item);
    return load && "loaded" in load ? load.loaded : void 0;
  }
  /** The result of an include that could not load what it names (see IncludeLoad). */
  failure(task, error) {
    const at = task.location;
    const from = error.location?.file === at.file && error.location.line === at.line ? "" : ` (included from ${formatLocation(at)})`;
    const reason = `${error.message}${from}`;
    let result;
    if (!error.failsHost) {
      const prefix = error.location ? `${formatLocation(error.location)}: ` : "";
      const own = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
      result = { failed: true, reason };
      this.loads.set(result, { invalid: new PlaybookError(`${own}${from}`, error.location) });
    } else {
      result = { failed: true, reason, [NOT_IGNORABLE]: true };
      this.loads.set(result, { missing: true });
    }
    return result;
  }
};
function* includeRounds(loads, hosts, results, takes = () => true) {
  const queues = /* @__PURE__ */ new Map();
  for (const host of hosts) {
    const result = results.get(host);
    if (result) queues.set(host, loads.files(result));
  }
  for (let round = 0; ; round++) {
    const groups = /* @__PURE__ */ new Map();
    for (const [host, queue] of queues) {
      const file = queue[round];
      if (!file || !takes(host)) continue;
      const group = groups.get(file.key);
      if (group) group.hosts.push(host);
      else groups.set(file.key, { file, hosts: [host] });
    }
    if (groups.size === 0) return;
    yield* groups.values();
  }
}
function resultAndItems(result) {
  const items = Array.isArray(result["results"]) ? result["results"] : [];
  return [result, ...items].filter(isResult);
}
function loadingResults(result) {
  return (Array.isArray(result["results"]) ? result["results"] : [result]).filter(
    isResult
  );
}
function isResult(value) {
  return value !== null && typeof value === "object";
}
function isTruthy(value) {
  try {
    return ansibleBoolean(value, "lenient");
  } catch {
    return false;
  }
}

// src/executor/meta-actions.ts
async function runMetaAction(action, conditional, target) {
  const { hosts, batch, ended, holds, skip } = target;
  if (["noop", "reset_connection", "refresh_inventory"].includes(action) && conditional)
    target.warning(`${action} task does not support when conditional`);
  const first = hosts[0];
  switch (action) {
    case "flush_handlers": {
      const flushing = hosts.filter((host) => {
        if (holds(host)) return true;
        skip(host, action, `not running handlers for ${host}`);
        return false;
      });
      return target.flushHandlers(flushing);
    }
    case "end_host":
      for (const host of hosts) {
        if (holds(host)) ended.add(host);
        else
          skip(
            host,
            `end_host conditional evaluated to false, continuing execution for ${host}`,
            `continuing execution for ${host}`
          );
      }
      return false;
    case "end_play":
    case "end_batch":
      if (!holds(first)) {
        skip(first, action, action === "end_play" ? "continuing play" : "continuing current batch");
        return false;
      }
      for (const host of batch) if (!target.unreachable.has(host)) ended.add(host);
      if (action === "end_play") target.endPlay();
      return false;
    case "clear_host_errors":
      if (!holds(first)) {
        skip(first, action, `not clearing host error state for ${first}`);
        return false;
      }
      for (const host of batch) {
        if (target.failed.delete(host)) ended.add(host);
        target.marked.delete(host);
        target.unreachable.delete(host);
        target.blocks.clear(host);
      }
      return false;
    case "clear_facts":
      if (!holds(first)) {
        skip(first, action, `not clearing facts and fact cache for ${first}`);
        return false;
      }
      for (const host of batch) target.clearFacts(host);
      return false;
    case "reset_connection":
      await Promise.all(hosts.map((host) => target.resetConnection(host)));
      return false;
    case "refresh_inventory":
      target.refreshInventory();
      return false;
    default:
      return false;
  }
}

// src/executor/play-keywords.ts
function templatedPlay(play, templar, scope) {
  let vars;
  const variables = () => vars ??= scope();
  const render2 = (keyword, value) => {
    if (!containsTemplate(value)) return value;
    try {
      return templar.render(value, variables());
    } catch (error) {
      throw new PlaybookError(
        `The field '${keyword}' has an invalid value, which includes an undefined variable or a template error. The error was: ${error.message}. Play keywords are templated with the play's variables (play vars, vars_files, extra vars), not host variables`,
        play.location
      );
    }
  };
  const hosts = playPatterns(render2("hosts", play.hosts), play);
  let name = play.name;
  if (play.named === false) name = hosts.join(",");
  else if (containsTemplate(name)) {
    try {
      name = pythonStr(templar.render(name, variables()));
    } catch {
    }
  }
  const strategy = render2("strategy", play.strategy);
  const strategyProblem = strategy === void 0 || strategy === null ? void 0 : playChoiceProblem("strategy", strategy);
  if (strategyProblem) throw new PlaybookError(strategyProblem, play.location);
  const order = render2("order", play.order);
  const orderProblem = order === void 0 || order === null ? void 0 : playChoiceProblem("order", order);
  if (orderProblem) throw new PlaybookError(orderProblem, play.location);
  return {
    ...play,
    name,
    hosts,
    serial: render2("serial", play.serial),
    maxFailPercentage: render2("max_fail_percentage", play.maxFailPercentage),
    ...order === void 0 || order === null ? {} : { order: String(order).trim() }
  };
}
function renderedTags(task, shown, templar, scope) {
  let vars;
  const tags = [];
  for (const tag of task.tags) {
    if (!hasTemplateSyntax(tag)) {
      tags.push(tag);
      continue;
    }
    let rendered;
    try {
      rendered = templar.render(tag, vars ??= scope());
    } catch (error) {
      throw new PlaybookError(
        `the tags of task '${shown}' cannot be rendered: ${error.message}. Tags are templated with the play's variables (play vars, vars_files, role vars, extra vars, an include's vars), not with host, block or task variables`,
        task.location
      );
    }
    for (const item of Array.isArray(rendered) ? rendered : [rendered])
      tags.push(typeof item === "string" ? item : pythonStr(item));
  }
  return tags;
}
function orderedHosts(hosts, order) {
  switch (order) {
    case "sorted":
      return [...hosts].sort(byCodePoint);
    case "reverse_sorted":
      return [...hosts].sort(byCodePoint).reverse();
    case "reverse_inventory":
      return [...hosts].reverse();
    case "shuffle": {
      const out = [...hosts];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [out[i], out[j]] = [out[j], out[i]];
      }
      return out;
    }
    default:
      return hosts;
  }
}
function containsTemplate(value) {
  if (typeof value === "string") return hasTemplateSyntax(value);
  if (Array.isArray(value)) return value.some(containsTemplate);
  if (value !== null && typeof value === "object")
    return Object.values(value).some(containsTemplate);
  return false;
}
function playPatterns(value, play) {
  const list = Array.isArray(value) ? value : [value];
  return list.map((item) => {
    if (item === null || item === void 0) return "None";
    if (typeof item !== "string") {
      throw new PlaybookError(
        `the field 'hosts' should be a list of strings, but the item '${pythonStr(item)}' is ${Array.isArray(item) ? "a list" : `a ${typeof item}`}: give host patterns as text (quote a host name that YAML reads as a number)`,
        play.location
      );
    }
    if (item.trim() === "") {
      throw new PlaybookError(
        "the field 'hosts' is required, and cannot have empty values: the play's host pattern rendered to nothing",
        play.location
      );
    }
    return item;
  });
}

// src/executor/linear-strategy.ts
var LinearStrategy = class {
  constructor(options2, variables, connections, tasks, state, refreshInventory) {
    this.options = options2;
    this.variables = variables;
    this.connections = connections;
    this.tasks = tasks;
    this.state = state;
    this.refreshInventory = refreshInventory;
  }
  options;
  variables;
  connections;
  tasks;
  state;
  refreshInventory;
  /** Per host, the role uses (by dedup key) that ran a task there in this play: a repeat is skipped. */
  rolesRun = /* @__PURE__ */ new Map();
  /** Hosts whose facts were gathered in this run (ANSIBLE_GATHERING=smart gathers them once). */
  factsGathered = /* @__PURE__ */ new Set();
  /** Before a play's first batch: no role has run yet. */
  startPlay() {
    this.rolesRun = /* @__PURE__ */ new Map();
  }
  /**
   * Whether the batch gathers facts, as Ansible's `gathering`: implicit (the default) gathers unless the
   * play says `gather_facts: false`; explicit only when it says `gather_facts: true`; smart as implicit,
   * but not again once this run gathered the facts of every host of the batch.
   */
  gathers(play, batch, playContext) {
    const gathering = this.options.gathering ?? "implicit";
    const wanted = this.options.templar.isTrue(
      play.gatherFacts,
      this.variables.scope(batch[0], playContext)
    );
    let gather = wanted;
    if (gathering === "explicit" && !play.gatherFactsGiven) gather = false;
    if (gathering === "smart" && wanted && batch.every((host) => this.factsGathered.has(host)))
      gather = false;
    if (gather) for (const host of batch) this.factsGathered.add(host);
    return gather;
  }
  /** Runs the play's tasks on one batch. Returns true when the playbook must stop. */
  async runBatch(play, batch, playContext) {
    const { templar } = this.options;
    const gather = this.gathers(play, batch, playContext);
    const selection = this.options.tags ?? ALL_TAGS;
    const gatherTask = plainTask({
      name: "Gathering Facts",
      named: true,
      module: "gather_facts",
      args: {},
      tags: play.tags.length > 0 ? play.tags : ["always"],
      location: play.location,
      // As Ansible's gather_facts: the play's module_defaults for setup apply.
      ...play.moduleDefaults ? { moduleDefaults: play.moduleDefaults } : {}
    });
    let tasks = (gather ? [gatherTask, ...play.tasks] : play.tasks).filter(
      (task) => task.implicit === true || this.runsByTags(task, selection, playContext)
    );
    const startAt = this.options.startAtTask;
    if (startAt && !startAt.found)
      tasks = startingAt(tasks, startAt, gather ? gatherTask : void 0);
    const anyErrorsFatal = templar.isTrue(
      play.anyErrorsFatal ?? false,
      this.variables.scope(batch[0], playContext)
    );
    const maxFail = play.maxFailPercentage === void 0 || play.maxFailPercentage === null ? void 0 : Number(play.maxFailPercentage);
    if (maxFail !== void 0 && !Number.isFinite(maxFail)) {
      throw new PlaybookError(
        `'max_fail_percentage' must be a number, got '${String(play.maxFailPercentage)}'`,
        play.location
      );
    }
    const forceHandlers = play.forceHandlers === void 0 || play.forceHandlers === null ? this.options.forceHandlers === true : templar.isTrue(play.forceHandlers, this.variables.scope(batch[0], playContext));
    const handlers = new Handlers(play.handlers, forceHandlers, {
      templar,
      variables: this.variables,
      playContext,
      warning: (message2) => this.options.events.warning(message2),
      errorOnMissing: this.options.errorOnMissingHandler !== false
    });
    const ended = /* @__PURE__ */ new Set();
    const isFailed = (h) => this.state.failed.has(h) || this.state.unreachable.has(h);
    const isActive = (h) => !isFailed(h) && !ended.has(h);
    playContext.removed = { has: (h) => !isActive(h) };
    const run = {
      play,
      batch,
      playContext,
      handlers,
      ended,
      blocks: new BlockTracker(tasks),
      anyErrorsFatal,
      ...maxFail === void 0 ? {} : { maxFailPercentage: maxFail },
      stack: [],
      isFailed,
      isActive
    };
    const stop = await this.runList(tasks, batch, void 0, run);
    if (stop !== void 0) return stop;
    return batch.every((h) => isFailed(h) || this.state.marked.has(h));
  }
  /**
   * After a task (or a handler) ran: any_errors_fatal and max_fail_percentage, as Ansible's linear strategy
   * applies them. `escaped` are hosts that failed by leaving a block unrescued. Returns true when the play ends.
   */
  endsPlay(run, outcome) {
    const { batch, isFailed } = run;
    const left = batch.filter((h) => !this.state.unreachable.has(h));
    if (outcome.anyErrorsFatal && outcome.failedNow.length + outcome.unreachable.length > 0) {
      const marked = left.filter((h) => {
        const next = this.nextState(h, run);
        return next !== "rescue" && next !== "always";
      });
      if (marked.length > 0) {
        this.state.breakPlay = true;
        for (const host of marked) if (!this.state.failed.has(host)) this.state.marked.add(host);
        if (left.every((h) => this.state.failed.has(h) || this.state.marked.has(h))) {
          for (const host of left) {
            this.state.failed.add(host);
            this.state.marked.delete(host);
          }
          this.options.events.noMoreHosts();
          return true;
        }
      }
    }
    if (outcome.newlyFailed.length === 0 || run.maxFailPercentage === void 0) return false;
    const failedInBatch = batch.filter(isFailed).length;
    if (failedInBatch / batch.length * 100 <= run.maxFailPercentage) return false;
    this.state.breakPlay = true;
    for (const h of batch) this.state.failed.add(h);
    this.options.events.noMoreHosts();
    return true;
  }
  /**
   * Where the host's next task is (Ansible's peek at its iterator state): in a rescue or always list, in a
   * task list, or none left. Hosts running handlers at a flush are in neither list.
   */
  nextState(host, run) {
    if (!run.isActive(host)) return "complete";
    if (run.flushing?.includes(host)) return "tasks";
    const blocks = run.blocks.clone();
    const top = run.stack.at(-1);
    let previous = top?.tasks[top.index];
    for (let level = run.stack.length - 1; level >= 0; level--) {
      const { tasks, index } = run.stack[level];
      for (const task of tasks.slice(index + 1)) {
        if (blocks.leave(previous, task, [host]).length > 0) return "complete";
        previous = task;
        if (blocks.runs(host, task)) return BlockTracker.stateOf(task);
      }
    }
    return "complete";
  }
  /**
   * Runs a list of tasks on those of `hosts` still active: the play's tasks, or (below `parent`, the
   * include that brought them in) an included file's. Returns true or false when the batch is over (true:
   * the playbook stops), undefined when the list ran to its end.
   */
  async runList(tasks, hosts, parent, run) {
    const level = { tasks, index: -1 };
    run.stack.push(level);
    try {
      return await this.runListLevel(tasks, hosts, parent, run, level);
    } finally {
      run.stack.pop();
    }
  }
  async runListLevel(tasks, hosts, parent, run, level) {
    const { play, batch, playContext, blocks, isFailed, isActive } = run;
    let previous = parent;
    for (const task of [...tasks, parent]) {
      if (this.options.signal?.aborted) return true;
      const escaped = blocks.leave(previous, task, hosts.filter(isActive));
      for (const h of escaped) this.state.failed.add(h);
      const left = { newlyFailed: escaped, failedNow: [], unreachable: [], anyErrorsFatal: false };
      if (this.endsPlay(run, left)) return true;
      if (!task || task === parent) break;
      level.index++;
      previous = task;
      const active = hosts.filter(isActive);
      if (active.length === 0) {
        if (parent) return void 0;
        if (!batch.every(isFailed)) return false;
        if (run.handlers.force) await this.flushHandlers(run, void 0, void 0);
        this.options.events.noMoreHosts();
        return true;
      }
      const taking = active.filter(
        (h) => blocks.runs(h, task) && !this.roleRanBefore(h, task, playContext)
      );
      if (taking.length === 0) continue;
      if (task.module === "meta") {
        if (await this.runMeta(task, taking, run)) return true;
        continue;
      }
      const result = await this.tasks.run(task, taking, play, playContext, {
        failure: (host) => blocks.fail(host, task),
        anyErrorsFatal: run.anyErrorsFatal
      });
      this.noteRoleRun(task, result.results);
      run.handlers.notify(task, result.changed);
      if (this.endsPlay(run, result)) return true;
      if (result.includes) {
        const stop = await this.runIncluded(task, taking, result, run);
        if (stop !== void 0) return stop;
      }
    }
    return void 0;
  }
  /**
   * Whether another use of the task's role (same role, parameters, vars and keywords) already ran on the
   * host: Ansible runs such a role once per host and play, unless its meta says allow_duplicates.
   */
  roleRanBefore(host, task, playContext) {
    const key = task.role?.dedupKey;
    if (key === void 0) return false;
    const ran = this.rolesRun.get(host)?.get(key);
    if (ran === void 0 || ran === task.role) return false;
    const allow = task.role?.allowDuplicates;
    if (allow === void 0) return true;
    try {
      return !this.options.templar.isTrue(allow, this.variables.playScope(playContext, task));
    } catch (error) {
      throw new PlaybookError(
        `allow_duplicates '${String(allow)}' of role '${task.role.name}' cannot be rendered: ${error.message}`,
        task.location
      );
    }
  }
  /**
   * Whether a task runs under --tags/--skip-tags. Templated tags are rendered first, as Ansible's
   * evaluate_tags does: with the play's variables (and, for the tasks an include brought in, the include's),
   * never a host's; a tag that renders to a list gives each of its items.
   */
  runsByTags(task, selection, playContext, include) {
    if (!task.tags.some(hasTemplateSyntax)) return shouldRunTags(task.tags, selection);
    const tags = renderedTags(
      task,
      displayName(task),
      this.options.templar,
      () => this.variables.playScope(playContext, include)
    );
    return shouldRunTags(tags, selection);
  }
  /** Records, on each host where the task was not skipped, that its role use has run there. */
  noteRoleRun(task, results) {
    const role = task.role;
    if (role?.dedupKey === void 0) return;
    for (const [host, result] of results) {
      if (result["skipped"] === true) continue;
      let ran = this.rolesRun.get(host);
      if (!ran) this.rolesRun.set(host, ran = /* @__PURE__ */ new Map());
      if (!ran.has(role.dedupKey)) ran.set(role.dedupKey, role);
    }
  }
  /**
   * Runs what a dynamic include brought in on each host, as Ansible's linear strategy does: each host runs
   * its included files in order (one per loop item); hosts that included the same file with the same loop
   * item run it together.
   */
  async runIncluded(include, hosts, { includes, results }, run) {
    const selection = this.options.tags ?? ALL_TAGS;
    for (const { file, hosts: members } of includeRounds(includes, hosts, results, run.isActive)) {
      const { loaded, loop } = file;
      if (file.public && loaded.role) {
        const context = run.playContext;
        context.roleDefaults = { ...context.roleDefaults, ...loaded.role.defaults };
        context.roleExports = { ...context.roleExports, ...loaded.role.vars };
        this.variables.changed();
      }
      const params = {
        vars: { ...include.params?.vars, ...include.include?.vars },
        loop: { ...include.params?.loop, ...loop }
      };
      for (const handler of loaded.handlers)
        run.handlers.add({ ...handler, params: withOwnParams(params, handler) });
      const tasks = loaded.tasks.map((task) => ({ ...task, params: withOwnParams(params, task) })).filter((task) => this.runsByTags(task, selection, run.playContext, include));
      run.blocks.add(tasks);
      const stop = await this.runList(tasks, members, include, run);
      if (stop !== void 0) return stop;
    }
    return void 0;
  }
  /**
   * Runs a `meta:` task (or a meta handler; see meta-actions.ts). Returns true when the play ends. As in
   * Ansible, a meta task counts in no recap counter; a host whose `when` is false gets a skipped result.
   */
  async runMeta(task, hosts, run, asHandler = false) {
    const { events, templar } = this.options;
    const { batch, playContext } = run;
    const action = String(task.args["_raw_params"]);
    if (task.implicit) return this.flushHandlers(run, void 0, void 0);
    const info = {
      name: this.tasks.shownName(task, hosts[0], playContext),
      module: task.module,
      location: task.location,
      noLog: false,
      ...asHandler ? { handler: true } : {}
    };
    events.taskStart(info);
    const holds = (host) => task.when.every((c) => templar.isTrue(c, this.variables.scope(host, playContext, task)));
    const skip = (host, msg, reason) => events.hostResult(info, {
      host,
      status: "skipped",
      ignored: false,
      result: {
        msg,
        skipped: true,
        skip_reason: `${action} conditional evaluated to False, ${reason}`
      },
      durationMs: 0
    });
    return runMetaAction(action, task.when.length > 0, {
      hosts,
      batch,
      ended: run.ended,
      blocks: run.blocks,
      failed: this.state.failed,
      marked: this.state.marked,
      unreachable: this.state.unreachable,
      holds,
      skip,
      warning: (message2) => events.warning(message2),
      flushHandlers: (flushing) => this.flushHandlers(run, flushing, task),
      endPlay: () => this.state.playEnded = true,
      clearFacts: (host) => {
        const memory = this.variables.hostMemory(host);
        for (const key of Object.keys(memory.facts)) delete memory.facts[key];
        this.variables.changed();
      },
      resetConnection: (host) => this.connections.reset(host, this.variables.scope(host, playContext, task)),
      refreshInventory: this.refreshInventory
    });
  }
  /**
   * Runs the notified handlers, in the order they are defined, each once on the hosts notified of it
   * (limited to `only` when given). A failed host runs them only with force_handlers; a host that ended
   * the play never does. `flush` is the `meta: flush_handlers` task that runs them, if any: a handler that
   * fails inside a block moves that block to its rescue, as in Ansible. Returns true when the play ends.
   */
  async flushHandlers(run, only, flush) {
    const { batch, handlers } = run;
    const eligible = (h) => !run.ended.has(h) && !this.state.unreachable.has(h) && (handlers.force || !this.state.failed.has(h));
    const previous = run.flushing;
    run.flushing = only ?? batch;
    try {
      for (const { handler, hosts } of handlers.due(batch, only, eligible))
        if (await this.runHandler(handler, hosts, run, flush, eligible)) return true;
      return false;
    } finally {
      run.flushing = previous;
    }
  }
  /**
   * Runs one handler on `hosts`; an include_tasks handler then runs the handlers its file brings in, on the
   * hosts that included it. A handler may notify another: one defined later runs in this flush, an earlier
   * one at the next. Returns true when the play ends.
   */
  async runHandler(handler, hosts, run, flush, eligible) {
    if (handler.module === "meta") return this.runMeta(handler, hosts, run, true);
    const result = await this.tasks.run(handler, hosts, run.play, run.playContext, {
      handler: true,
      anyErrorsFatal: run.anyErrorsFatal,
      failure: (host) => flush ? run.blocks.failHandler(host, flush) : { counted: "failed", fatal: true, failedNow: true }
    });
    run.handlers.notify(handler, result.changed);
    if (this.endsPlay(run, result)) return true;
    if (!result.includes) return false;
    for (const { file, hosts: members } of includeRounds(result.includes, hosts, result.results)) {
      const params = {
        vars: { ...handler.params?.vars, ...handler.include?.vars },
        loop: { ...handler.params?.loop, ...file.loop }
      };
      for (const task of file.loaded.tasks) {
        const taking = members.filter(eligible);
        if (taking.length === 0) break;
        if (await this.runHandler(
          { ...task, params: withOwnParams(params, task) },
          taking,
          run,
          flush,
          eligible
        ))
          return true;
      }
    }
    return false;
  }
};
function startingAt(tasks, startAt, gatherTask) {
  const glob = new RegExp(`^(?:${fnmatchSource(startAt.pattern)})$`);
  const matches2 = (text5) => text5 === startAt.pattern || glob.test(text5);
  const index = tasks.findIndex((task) => {
    if (task.implicit || task.blocks?.some((frame) => frame.section === "rescue")) return false;
    const own = task.named ? task.name : task.action ?? task.module;
    const shown = task.role ? `${task.role.name} : ${own}` : own;
    return task.named && matches2(task.name) || matches2(shown);
  });
  if (index < 0) return [];
  startAt.found = true;
  const rest = tasks.slice(index);
  return gatherTask && tasks[0] === gatherTask && index > 0 ? [gatherTask, ...rest] : rest;
}
function displayName(task) {
  return task.role ? `${task.role.name} : ${task.name}` : task.name;
}
function withOwnParams(params, task) {
  if (!task.params) return params;
  return {
    vars: { ...params.vars, ...task.params.vars },
    loop: { ...params.loop, ...task.params.loop }
  };
}

// src/executor/run-state.ts
var RunHostStates = class {
  /** Hosts that failed or were failed by any_errors_fatal/max_fail_percentage: out of later plays. */
  failed = /* @__PURE__ */ new Set();
  /**
   * Hosts Ansible counts as failed without stopping them in the play (its task queue's failed hosts): those
   * any_errors_fatal marked while they were in a rescue or always list, or whose include could not be
   * loaded. They are out of later plays (and then fail the run); the play they are in goes on for them.
   */
  marked = /* @__PURE__ */ new Set();
  unreachable = /* @__PURE__ */ new Set();
  /**
   * Set when any_errors_fatal marked a host, or max_fail_percentage failed the batch: once the batch ends,
   * no further batch or play runs, and the run exits 2.
   */
  breakPlay = false;
  /** Set by `meta: end_play`: no further batch of the current play runs. */
  playEnded = false;
};

// src/async/poller.ts
var WATCHDOG_GRACE_MS = 3500;
var FIRST_BACKOFF_MS = 500;
var MAX_BACKOFF_MS = 5e3;
async function pollJob(req) {
  const jid = String(req.launch["ansible_job_id"]);
  const resultsFile = String(req.launch["results_file"]);
  const hardEnd = req.launchedAt + req.asyncSeconds * 1e3 + WATCHDOG_GRACE_MS;
  const cursors = { stdout: newCursor(), stderr: newCursor() };
  let snapshot;
  let lastError;
  let backoff = FIRST_BACKOFF_MS;
  while (!req.aborted()) {
    const left = hardEnd - Date.now();
    if (left <= 0) break;
    const wait = Math.min(req.pollSeconds, left / 1e3);
    try {
      snapshot = await req.jobs.status(req.access, jid, req.dir, wait, req.become, {
        stdout: cursors.stdout.offset,
        stderr: cursors.stderr.offset
      });
      backoff = FIRST_BACKOFF_MS;
      lastError = void 0;
    } catch (error) {
      if (!(error instanceof ConnectionError)) throw error;
      lastError = error;
      req.jobs.forget(req.access.host);
      await req.sleep(Math.min(backoff, Math.max(0, hardEnd - Date.now())));
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      await req.reconnect().catch((e) => lastError = e);
      continue;
    }
    streamNew(snapshot, cursors, req.onOutput);
    if (snapshot.state !== "running") break;
    req.onNotice(`ASYNC POLL on ${req.access.host}: jid=${jid} started=1 finished=0`);
  }
  if (!snapshot || snapshot.state === "running" || snapshot.state === "timeout") {
    req.onNotice(`ASYNC FAILED on ${req.access.host}: jid=${jid}`);
    if (!snapshot && lastError) {
      return {
        changed: false,
        failed: true,
        msg: `could not check job ${jid}: ${lastError.message}`
      };
    }
    return {
      changed: false,
      failed: true,
      msg: `async task did not complete within the requested time - ${req.asyncSeconds}s`,
      ...snapshot ? { async_result: statusResult(snapshot, resultsFile) } : {}
    };
  }
  const result = statusResult(snapshot, resultsFile);
  req.onNotice(
    `${result["failed"] ? "ASYNC FAILED" : "ASYNC OK"} on ${req.access.host}: jid=${jid}`
  );
  await req.jobs.cleanup(req.access, jid, req.dir, req.become).catch(() => void 0);
  return result;
}
function newCursor() {
  return { offset: 0 };
}
function streamNew(snapshot, cursors, onOutput) {
  const final = snapshot.state !== "running";
  for (const stream of ["stdout", "stderr"]) {
    const cursor = cursors[stream];
    const bytes = snapshot[stream];
    const start = startOf(snapshot, stream);
    if (start > cursor.offset) {
      onOutput(
        stream,
        `[\u2026 ${start - cursor.offset} bytes of output not shown: more than ${OUTPUT_CAP_BYTES} arrived between two checks \u2026]`
      );
      cursor.offset = start;
    }
    const fresh = bytes.subarray(Math.max(0, cursor.offset - start));
    if (fresh.length === 0) continue;
    let upto = final ? fresh.length : fresh.lastIndexOf(10) + 1;
    if (upto === 0 && fresh.length >= OUTPUT_CAP_BYTES) upto = fresh.length;
    if (upto === 0) continue;
    const text5 = fresh.subarray(0, upto).toString("utf8").replace(/\n$/, "");
    for (const line of text5.split("\n")) onOutput(stream, line);
    cursor.offset += upto;
  }
}

// src/executor/task-errors.ts
import { readFileSync as readFileSync7 } from "node:fs";
import path24 from "node:path";
var TaskTemplateError = class extends ModuleArgumentError {
};
function undefinedReason(error) {
  return `${error.message}. ${error.message}`;
}
function taskFieldError(error, field, task) {
  if (error instanceof TemplateError && !(error instanceof UndefinedVariableError))
    return new TaskTemplateError(error.message);
  if (!(error instanceof UndefinedVariableError)) return error;
  const sentence = field === "args" ? "The task includes an option with an undefined variable." : `The field '${field}' has an invalid value, which includes an undefined variable.`;
  return new TaskTemplateError(
    `${sentence} The error was: ${undefinedReason(error)}${positionDetails(task)}`
  );
}
function renderField(templar, task, field, value, scope) {
  try {
    return templar.render(value, scope);
  } catch (error) {
    throw taskFieldError(error, field, task);
  }
}
function positionDetails(task) {
  const { location } = task;
  if (!task.dir || location.file.startsWith("<")) return "";
  const file = path24.resolve(task.dir, path24.basename(location.file));
  let lines2;
  try {
    lines2 = readFileSync7(file, "utf8").split(/(?<=\n)/);
  } catch {
    return "";
  }
  let index = Math.min(location.line, lines2.length) - 1;
  while (index > 0 && lines2[index].trim() === "") index--;
  const target = lines2[index];
  if (target === void 0) return "";
  const previous = index > 0 ? lines2[index - 1] : "";
  const column = (/^[ \t]*(?:-[ \t]+)*/.exec(target)?.[0].length ?? 0) + 1;
  const position = (line, col) => `

The error appears to be in '${file}': line ${line}, column ${col}, but may
be elsewhere in the file depending on the exact syntax problem.
`;
  if (/\w+(\s+)?=(\s+)?[\w/-]+/.test(previous)) {
    const at = previous.trimEnd().indexOf("=");
    return position(index, at + 1) + `
The offending line appears to be:

${previous.trimEnd()}
${" ".repeat(at)}^ here

There appears to be both 'k=v' shorthand syntax and YAML in this task. Only one syntax may be used.
`;
  }
  return position(index + 1, column) + `
The offending line appears to be:

${previous.trimEnd()}
${target.trimEnd()}
${" ".repeat(column - 1)}^ here
`;
}

// src/executor/task-fields.ts
function isUndefinedError(error) {
  return error instanceof TemplateError && /\bis undefined\b|\bhas no attribute\b|has no element|no such element/.test(error.message);
}
function renderArgs(ctx, scope, rawArgs = []) {
  const { task, templar } = ctx;
  const raw = new Set(rawArgs);
  let args = {};
  let variableParams;
  try {
    for (const [key, value] of Object.entries(task.args)) {
      const rendered = templar.render(value, scope);
      if (key === "_variable_params") variableParams = rendered;
      else args[key] = raw.has(key) ? value : rendered;
    }
  } catch (error) {
    throw taskFieldError(error, "args", task);
  }
  if ("_variable_params" in task.args) {
    if (!isRecord(variableParams))
      throw new TaskTemplateError(`invalid or malformed argument: '${pythonStr(variableParams)}'`);
    ctx.events.warning(
      "Using a variable for a task's 'args' is unsafe in some situations (see https://docs.ansible.com/ansible/devel/reference_appendices/faq.html#argsplat-unsafe)"
    );
    args = { ...variableParams, ...args };
  }
  return args;
}
function postValidate(ctx, scope) {
  const { task, templar } = ctx;
  let environment;
  try {
    environment = renderEnvironment(ctx, scope);
  } catch (error) {
    throw taskFieldError(error, "environment", task);
  }
  const timeoutRaw = task.timeout === void 0 ? void 0 : renderField(templar, task, "timeout", task.timeout, scope);
  const taskTimeoutSeconds = timeoutRaw === void 0 || timeoutRaw === null ? void 0 : toInt(timeoutRaw, "timeout");
  return { environment, taskTimeoutSeconds };
}
function renderEnvironment(ctx, scope) {
  const out = {};
  for (const source of [ctx.playEnvironment, ctx.task.environment]) {
    if (source === void 0 || source === null) continue;
    for (const written of Array.isArray(source) ? source : [source]) {
      const entry = isRecord(written) ? renderEnvironmentValues(ctx, written, scope) : ctx.templar.render(written, scope);
      if (!isRecord(entry)) {
        throw new ModuleArgumentError(
          `'environment' must be a mapping of variable names to values, got ${pythonStr(entry)}`
        );
      }
      for (const [k, v] of Object.entries(entry))
        out[k] = v === null || v === void 0 ? "" : typeof v === "string" ? v : pythonStr(v);
    }
  }
  return out;
}
function renderEnvironmentValues(ctx, written, scope) {
  const out = {};
  for (const [key, value] of Object.entries(written)) {
    const name = String(ctx.templar.render(key, scope));
    try {
      out[name] = ctx.templar.render(value, scope);
    } catch (error) {
      const message2 = error instanceof Error ? error.message : String(error);
      const needsFacts = message2.includes("ansible_env") || (ctx.task.module === "setup" || ctx.task.module === "gather_facts") && message2.includes("ansible_facts.env");
      if (isUndefinedError(error) && needsFacts) continue;
      throw error;
    }
  }
  return out;
}
function evaluateConditional(templar, condition, scope, task) {
  try {
    return templar.isTrue(condition, scope);
  } catch (error) {
    if (error instanceof UnsafeConditionalError)
      throw new TaskTemplateError(
        `The conditional check '${String(condition)}' failed. The error was: ${error.message}${task ? positionDetails(task) : ""}`
      );
    const reason = error instanceof UndefinedVariableError ? undefinedReason(error) : error instanceof Error ? error.message : String(error);
    throw new TaskTemplateError(
      `The conditional check '${String(condition)}' failed. The error was: error while evaluating conditional (${String(condition)}): ${reason}${task ? positionDetails(task) : ""}`
    );
  }
}
function toInt(value, keyword) {
  const n = isNumeric(value) ? Number(value) : typeof value === "string" ? Number(value.trim()) : NaN;
  if (!Number.isFinite(n))
    throw new ModuleArgumentError(`'${keyword}' must be an integer, got ${pythonStr(value)}`);
  return Math.trunc(n);
}

// src/executor/module-defaults.ts
function withModuleDefaults(task, module, args, templar, scope) {
  const written = task.moduleDefaults;
  if (!written || written.length === 0) return args;
  const merged = /* @__PURE__ */ new Map();
  for (const mapping of written)
    for (const [key, value] of Object.entries(mapping)) merged.set(key, value);
  const rendered = /* @__PURE__ */ new Map();
  for (const [key, value] of merged) {
    let out2;
    try {
      out2 = templar.render(value, scope);
    } catch (error) {
      throw taskFieldError(error, "module_defaults", task);
    }
    if (out2 !== void 0 && out2 !== null && !isRecord(out2))
      throw new TaskTemplateError(
        `module_defaults for '${key}' must be a mapping of the module's arguments, found ${typeof out2}`
      );
    rendered.set(key, out2);
  }
  let out = {};
  const apply2 = (value) => {
    if (isRecord(value)) out = { ...out, ...value };
  };
  for (const [key, value] of rendered)
    if (key.startsWith("group/") && groupModules(key).some((m) => sameModule(m, module)))
      apply2(value);
  for (const [key, value] of rendered)
    if (!key.startsWith("group/") && sameModule(key, module)) apply2(value);
  return { ...out, ...args };
}
function sameModule(name, module) {
  return name === module.name || MODULES.get(name) === module;
}

// src/executor/task-outcome.ts
function timedOut(result) {
  return result[TIMED_OUT] === true;
}
function notIgnorable(result) {
  const items = Array.isArray(result["results"]) ? result["results"] : [];
  return [result, ...items].some(
    (r) => r !== null && typeof r === "object" && r[NOT_IGNORABLE]
  );
}
function isFailedResult(result) {
  const items = Array.isArray(result["results"]) ? result["results"] : [];
  if ("failed_when_result" in result) return pyTruthy(result["failed_when_result"]);
  const judged = items.filter((r) => isRecord(r) && "failed_when_result" in r);
  if (judged.length > 0) return judged.some((r) => pyTruthy(r["failed_when_result"]));
  if ("failed" in result) return pyTruthy(result["failed"]);
  return items.some((r) => isRecord(r) && pyTruthy(r["failed"]));
}
function inherited(ctx, keyword) {
  return ctx.task[keyword] ?? ctx.play?.[keyword];
}
function ignoring(ctx, keyword, locals) {
  const value = inherited(ctx, keyword);
  if (value === void 0 || value === null) return false;
  try {
    return ctx.templar.isTrue(value, ctx.scope(locals));
  } catch {
    return false;
  }
}
function classify(ctx, result, locals = {}) {
  if (result["unreachable"]) {
    return {
      status: "unreachable",
      ignored: ignoring(ctx, "ignoreUnreachable", locals),
      result
    };
  }
  if (isFailedResult(result)) {
    const ignored = !notIgnorable(result) && ignoring(ctx, "ignoreErrors", locals);
    return { status: "failed", ignored, result };
  }
  if (result["skipped"]) return { status: "skipped", ignored: false, result };
  return { status: result["changed"] ? "changed" : "ok", ignored: false, result };
}
function judge(ctx, result, scope) {
  const { task, templar } = ctx;
  if ("skipped" in result) return;
  let keyword = "changed_when_result";
  try {
    if (task.changedWhen.length > 0)
      result["changed"] = task.changedWhen.every((c) => evaluateConditional(templar, c, scope()));
    keyword = "failed_when_result";
    if (task.failedWhen.length > 0) {
      const failed4 = task.failedWhen.every((c) => evaluateConditional(templar, c, scope()));
      result["failed_when_result"] = failed4;
      result["failed"] = failed4;
    }
  } catch (error) {
    result["failed"] = true;
    result[keyword] = error instanceof Error ? error.message : String(error);
  }
}
function failureFromError(error) {
  if (error instanceof ConnectionError) {
    return { changed: false, msg: error.message, unreachable: true };
  }
  if (error instanceof UndefinedVariableError) return { failed: true, msg: undefinedReason(error) };
  if (error instanceof TaskTemplateError || error instanceof ActionPluginError || error instanceof LookupFailure)
    return { failed: true, msg: error.message };
  if (error instanceof ModuleArgumentError || error instanceof AsyncPlaybookError) {
    return { changed: false, failed: true, msg: error.message };
  }
  const message2 = error instanceof Error ? error.message : String(error);
  return {
    changed: false,
    failed: true,
    msg: `internal error: ${message2}. Please report this with the playbook that caused it.`
  };
}

// src/executor/task-loop.ts
function skippedByWhen(condition) {
  return {
    changed: false,
    false_condition: condition,
    skip_reason: "Conditional result was False",
    skipped: true
  };
}
function undefinedLoop(ctx, error) {
  for (const condition of ctx.task.when) {
    let holds;
    try {
      holds = evaluateConditional(ctx.templar, condition, ctx.scope());
    } catch {
      throw error;
    }
    if (!holds) return skippedByWhen(condition);
  }
  throw error;
}
function firstFoundTerms(ctx) {
  const value = ctx.task.loop.value;
  const scope = ctx.scope();
  const terms = Array.isArray(value) ? value : [typeof value === "string" ? value.trim() : value];
  const kept = [];
  for (const term of terms) {
    try {
      kept.push(ctx.templar.render(term, scope));
    } catch (error) {
      if (!isUndefinedError(error)) throw error;
    }
  }
  return !Array.isArray(value) && kept.length === 1 ? kept[0] : kept;
}
function lookupSubdir(action) {
  for (const kind of ["template", "var", "file"]) if (action.includes(kind)) return `${kind}s`;
  return "files";
}
function extendedLoopInfo(items, index, allItems) {
  const length2 = items.length;
  const info = {
    index: index + 1,
    index0: index,
    first: index === 0,
    last: index + 1 === length2,
    length: length2,
    revindex: length2 - index,
    revindex0: length2 - index - 1
  };
  if (allItems) info["allitems"] = items;
  if (index + 1 < length2) info["nextitem"] = items[index + 1];
  if (index > 0) info["previtem"] = items[index - 1];
  return info;
}
async function runLoop(ctx, runItem) {
  const { task } = ctx;
  const loop = task.loop;
  let rendered;
  const readsBefore = untrustedReadCount();
  try {
    rendered = loop.lookup === "first_found" ? firstFoundTerms(ctx) : ctx.templar.render(
      loop.lookup !== void 0 && typeof loop.value === "string" ? loop.value.trim() : loop.value,
      ctx.scope()
    );
  } catch (error) {
    if (!isUndefinedError(error)) throw error;
    return undefinedLoop(ctx, error);
  }
  const itemsSafe = loop.lookup === void 0 && loop.viaLookup !== true && untrustedReadCount() === readsBefore;
  let items;
  if (loop.lookup !== void 0) {
    try {
      items = runLoopLookup(loop.lookup, rendered, ctx.scope(), lookupSubdir(task.module));
    } catch (error) {
      if (error instanceof LookupFailure) return { failed: true, msg: error.message };
      if (!isUndefinedError(error)) throw error;
      return undefinedLoop(ctx, error);
    }
  } else if (Array.isArray(rendered))
    items = loop.flatten ? rendered.flatMap((i) => Array.isArray(i) ? i : [i]) : rendered;
  else if (loop.flatten && rendered !== null && rendered !== void 0 && typeof rendered !== "object")
    items = [rendered];
  else {
    return {
      failed: true,
      msg: `Invalid data passed to 'loop', it requires a list, got this instead: ${pythonStr(rendered)}. Hint: If you passed a list/dict of just one element, try adding wantlist=True to your lookup invocation or use q/query instead of lookup.`
    };
  }
  items = items.map(tuplesAsLists);
  if (items.length === 0) {
    return { changed: false, skipped: true, skipped_reason: "No items in the list", results: [] };
  }
  const results = [];
  const { loopVar, indexVar, extended } = task.loopControl;
  const pause = task.loopControl.pause === void 0 ? 0 : Number(task.loopControl.pause);
  const withExtended = extended !== void 0 && extended !== null && ctx.templar.isTrue(extended, ctx.scope());
  const allItems = withExtended && (task.loopControl.extendedAllitems === void 0 || task.loopControl.extendedAllitems === null || ctx.templar.isTrue(task.loopControl.extendedAllitems, ctx.scope()));
  const carried = dict();
  for (const [index, item] of items.entries()) {
    if (index > 0 && pause > 0) await ctx.sleep(pause * 1e3);
    const locals = Object.assign(dict(), carried);
    if (itemsSafe && Object.keys(carried).length === 0) SAFE_LOCALS.add(locals);
    locals[loopVar] = item;
    locals["ansible_loop_var"] = loopVar;
    if (indexVar) {
      locals[indexVar] = index;
      locals["ansible_index_var"] = indexVar;
    }
    if (withExtended) locals["ansible_loop"] = extendedLoopInfo(items, index, allItems);
    let itemResult;
    let executed = false;
    try {
      ;
      ({ result: itemResult, executed } = await runItem(locals));
    } catch (error) {
      if (error instanceof TaskTemplateError || error instanceof UndefinedVariableError || error instanceof ActionPluginError)
        throw error;
      itemResult = failureFromError(error);
    }
    itemResult[loopVar] = item;
    itemResult["ansible_loop_var"] = loopVar;
    if (indexVar) {
      itemResult[indexVar] = index;
      itemResult["ansible_index_var"] = indexVar;
    }
    if (withExtended) itemResult["ansible_loop"] = locals["ansible_loop"];
    if (executed) {
      if (task.register) carried[task.register] = itemResult;
      if (task.module === "set_fact" && isRecord(itemResult["ansible_facts"]))
        Object.assign(carried, itemResult["ansible_facts"]);
    }
    const label = itemLabel(ctx, item, locals);
    results.push(itemResult);
    const outcome = classify(ctx, itemResult, locals);
    const included = "include" in ctx ? ctx.include.includedFile(itemResult) : void 0;
    ctx.events.itemResult(ctx.info, {
      host: ctx.host,
      status: outcome.status,
      ignored: outcome.ignored,
      result: itemResult,
      durationMs: 0,
      item: { label },
      ...included === void 0 ? {} : { included }
    });
    if (itemResult["unreachable"]) break;
  }
  const aggregate = { results };
  aggregate["changed"] = results.some((r) => r["changed"] === true);
  const failed4 = results.some((r) => r["failed"]);
  const skipped = results.every((r) => r["skipped"]);
  if (results.some((r) => r["unreachable"])) aggregate["unreachable"] = true;
  if (failed4) {
    aggregate["failed"] = true;
    aggregate["msg"] = "One or more items failed";
  } else {
    aggregate["msg"] = "All items completed";
  }
  aggregate["skipped"] = skipped;
  if (skipped) aggregate["msg"] = "All items skipped";
  return aggregate;
}
function withLoopControl(ctx) {
  const control = ctx.task.loopControl;
  const templated = [control.loopVar, control.indexVar, control.pause].some(
    (v) => typeof v === "string" && hasTemplateSyntax(v)
  );
  if (!templated) return ctx;
  const scope = ctx.scope();
  const name = (keyword, value) => {
    const rendered = ctx.templar.render(value, scope);
    if (typeof rendered !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(rendered)) {
      throw new ModuleArgumentError(
        `loop_control's ${keyword} '${value}' must render to a variable name, got ${pythonStr(rendered)}`
      );
    }
    return rendered;
  };
  const loopControl = {
    ...control,
    loopVar: name("loop_var", control.loopVar),
    ...control.indexVar === void 0 ? {} : { indexVar: name("index_var", control.indexVar) },
    ...control.pause === void 0 ? {} : { pause: ctx.templar.render(control.pause, scope) }
  };
  return { ...ctx, task: { ...ctx.task, loopControl } };
}
function itemLabel(ctx, item, locals) {
  const label = ctx.task.loopControl.label;
  if (label !== void 0) {
    try {
      return pythonStr(ctx.templar.render(label, ctx.scope(locals)));
    } catch {
      return pythonStr(label);
    }
  }
  return pythonStr(item);
}

// src/executor/task-runner.ts
var DEFAULT_POLL_SECONDS = 15;
var DEFAULT_UNTIL_RETRIES = 3;
var DEFAULT_DELAY_SECONDS = 5;
async function runTaskOnHost(ctx) {
  const { task } = ctx;
  let result;
  try {
    if (task.loop) {
      const looping = withLoopControl(ctx);
      result = await runLoop(looping, (locals) => runSingle(looping, locals));
    } else result = (await runSingle(ctx, {})).result;
    if (!task.loop && timedOut(result)) result["changed"] = false;
  } catch (error) {
    result = failureFromError(error);
  }
  return classify(ctx, result);
}
async function runSingle(ctx, locals) {
  const { task, templar } = ctx;
  for (const condition of task.when) {
    if (!evaluateConditional(templar, condition, ctx.scope(locals), task))
      return { result: skippedByWhen(condition), executed: false };
  }
  const delegation = ctx.delegate?.(locals);
  if (delegation) {
    const outcome = await runAttempts(delegated(ctx, delegation, locals), locals);
    outcome.result[DELEGATED_TO] = delegation;
    return outcome;
  }
  return runAttempts(ctx, locals);
}
function delegated(ctx, delegation, locals) {
  const base2 = ctx.scope(locals);
  const extra = dict();
  for (const [name, value] of Object.entries(delegation.connectionVars))
    if (base2[name] === void 0) extra[name] = value;
  extra["ansible_delegated_vars"] = Object.assign(dict(), { [delegation.name]: delegation.vars });
  return {
    ...ctx,
    delegation,
    connection: delegation.connection,
    scope: (more = {}) => ctx.scope({ ...extra, ...more })
  };
}
async function runAttempts(ctx, locals) {
  const { task, templar } = ctx;
  const scope = ctx.scope(locals);
  const hasUntil = task.until.length > 0;
  const retriesRaw = task.retries === void 0 ? void 0 : renderField(templar, task, "retries", task.retries, scope);
  let retries = 0;
  if (retriesRaw !== void 0 && retriesRaw !== null)
    retries = Math.max(0, toInt(retriesRaw, "retries"));
  else if (hasUntil) retries = DEFAULT_UNTIL_RETRIES;
  const delayRaw = task.delay === void 0 ? DEFAULT_DELAY_SECONDS : renderField(templar, task, "delay", task.delay, scope);
  let delay = isNumeric(delayRaw) || typeof delayRaw === "string" ? Number(delayRaw) : NaN;
  if (!Number.isFinite(delay))
    throw new ModuleArgumentError(`'delay' must be a number of seconds, got ${pythonStr(delayRaw)}`);
  if (delay < 0) delay = 1;
  const attempts = retries + 1;
  let result = {};
  for (let attempt = 1; attempt <= attempts; attempt++) {
    result = "include" in ctx ? await runIncludeOnce(ctx, ctx.include, locals) : await runModuleOnce(ctx, locals);
    if (ctx.delegation) result[DELEGATED_TO] = ctx.delegation;
    if (result["unreachable"] || timedOut(result)) return { result, executed: true };
    if ("include" in ctx ? false : !ctx.module.bareResult) {
      if (result["failed"] === void 0 && !result[ACTION_RAISED])
        result["failed"] = "rc" in result && result["rc"] !== 0 && result["rc"] !== "0";
      if (result["changed"] === void 0 && !result[UNEXPECTED_FAILURE])
        result["changed"] = false;
    }
    if (hasUntil || retries > 0) result["attempts"] = attempt;
    const withResult = () => {
      const extra = Object.assign(dict(), locals);
      if (task.register) extra[task.register] = result;
      if (task.module === "set_fact" && isRecord(result["ansible_facts"]))
        Object.assign(extra, result["ansible_facts"]);
      return ctx.scope(extra);
    };
    judge(ctx, result, withResult);
    if (attempts === 1) return { result, executed: true };
    const done = hasUntil ? task.until.every((c) => evaluateConditional(templar, c, withResult())) : result["failed"] !== true;
    if (done) return { result, executed: true };
    if (attempt < attempts) {
      ctx.events.retrying(ctx.info, ctx.host, attempts - attempt, result);
      if ("module" in ctx && ctx.module.waitBeforeRetry)
        await ctx.module.waitBeforeRetry(
          moduleContext(ctx, locals, scope, {}),
          result,
          delay * 1e3
        );
      else await ctx.sleep(delay * 1e3);
    }
  }
  result["attempts"] = retries;
  result["failed"] = true;
  return { result, executed: true };
}
async function runIncludeOnce(ctx, loads, locals) {
  const scope = ctx.scope(locals);
  const args = ctx.stripOmitted(renderArgs(ctx, scope, INCLUDE_RAW_ARGS));
  postValidate(ctx, scope);
  try {
    return loads.load(ctx.task, args);
  } catch (error) {
    if (error instanceof TaskTemplateError) throw error;
    return failureFromError(error);
  }
}
async function runModuleOnce(ctx, locals) {
  const { task, templar, module } = ctx;
  const scope = ctx.scope(locals);
  const flags = taskRunFlags(ctx, scope);
  const asyncSeconds = task.async === void 0 ? 0 : toInt(renderField(templar, task, "async_val", task.async, scope), "async");
  const actionSkips = !module.supportsCheckMode && (module.args.side ?? "module") === "action";
  if (flags.check && asyncSeconds > 0 && module.supportsAsync && !actionSkips)
    return {
      changed: false,
      failed: true,
      msg: "check mode and async cannot be used on same task.",
      // What ansible-core 2.14 reports with this failure (an action error raised without a traceback).
      exception: "NoneType: None\n"
    };
  const readsBefore = untrustedReadCount();
  const rendered = renderArgs(ctx, scope, expressionArgs(module));
  const prepared = prepareModuleRun(
    module,
    // As Ansible: module_defaults go under the task's arguments before omitted ones are dropped.
    ctx.stripOmitted(withModuleDefaults(task, module, rendered, templar, scope)),
    task,
    flags
  );
  const argsSafe = untrustedReadCount() === readsBefore;
  if ("result" in prepared) return prepared.result;
  const { validation } = prepared;
  const finalArgs = validation.args;
  const pollSeconds = task.poll === void 0 ? DEFAULT_POLL_SECONDS : toInt(renderField(templar, task, "poll", task.poll, scope), "poll");
  if (asyncSeconds < 0)
    throw new ModuleArgumentError(
      `'async' must be a positive number of seconds, got ${asyncSeconds}`
    );
  if (pollSeconds < 0)
    throw new ModuleArgumentError(
      `'poll' must be 0 (fire and forget) or a positive number of seconds, got ${pollSeconds}`
    );
  if (asyncSeconds > 0 && !module.supportsAsync) {
    return {
      changed: false,
      failed: true,
      msg: `This action (${module.name}) does not support async.`
    };
  }
  const asyncDir = () => {
    const value = (ctx.delegation?.vars ?? scope)["ansible_async_dir"];
    return value === void 0 || value === null || value === "" ? DEFAULT_ASYNC_DIR : String(value);
  };
  let launchedAt = 0;
  let launchDir = "";
  const become = asyncSeconds > 0 ? ctx.connection.identity() : void 0;
  const launchJob = asyncSeconds > 0 ? async (script, cmd, environment) => {
    launchedAt = Date.now();
    const record2 = await ctx.asyncJobs.launch(hostAccess(ctx), {
      command: script,
      ...environment ? { environment } : {},
      asyncSeconds,
      watchdogSeconds: pollSeconds > 0 ? asyncSeconds : fireAndForgetLimit(asyncSeconds),
      asyncDir: asyncDir(),
      meta: { cmd, module: module.name, task: task.name },
      register: task.register,
      ...ctx.delegation ? { delegatedFor: ctx.host } : {},
      ...task.loop ? {
        loop: {
          loopVar: task.loopControl.loopVar,
          item: locals[task.loopControl.loopVar]
        }
      } : {},
      location: task.location,
      ...become ? { become } : {}
    });
    launchDir = String(record2["results_file"]).replace(/\/[^/]*$/, "");
    return record2;
  } : void 0;
  let result;
  const moduleCtx = moduleContext(ctx, locals, scope, { args: finalArgs, launchJob, asyncDir });
  try {
    const running = runModule(module, moduleCtx, validation);
    result = await (asyncSeconds > 0 || module.ownTimeout ? running : withinTaskTimeout(running, moduleCtx.taskTimeoutSeconds, task.action ?? module.name));
  } catch (error) {
    if (error instanceof TaskTemplateError || error instanceof ActionPluginError) throw error;
    return failureFromError(error);
  }
  if (argsSafe && module === setFactModule)
    result[SAFE_FACTS] = true;
  ctx.takeResult?.(result);
  if (asyncSeconds > 0 && pollSeconds > 0 && result["ansible_job_id"] && !result["failed"] && !result["skipped"]) {
    try {
      result = await pollJob({
        access: hostAccess(ctx),
        jobs: ctx.asyncJobs,
        reconnect: () => ctx.connection.reconnect(),
        launch: result,
        dir: launchDir,
        become,
        asyncSeconds,
        pollSeconds,
        launchedAt,
        onOutput: (stream, line) => ctx.events.log(ctx.host, ctx.info, stream === "stderr" ? `stderr: ${line}` : line),
        onNotice: (line) => ctx.events.log("", void 0, line),
        sleep: (ms) => ctx.sleep(ms),
        aborted: () => ctx.aborted()
      });
    } catch (error) {
      return failureFromError(error);
    }
  }
  return result;
}
function withinTaskTimeout(running, seconds, action) {
  if (seconds === void 0 || seconds <= 0) return running;
  running.catch(() => void 0);
  let timer;
  const expired = new Promise((resolve) => {
    timer = setTimeout(() => resolve(timeoutResult(action, seconds)), seconds * 1e3);
  });
  return Promise.race([running, expired]).finally(() => clearTimeout(timer));
}
function fireAndForgetLimit(asyncSeconds) {
  return 5 + 5 * Math.ceil(asyncSeconds / 5);
}
function hostAccess(ctx) {
  return {
    host: ctx.delegation?.host ?? ctx.host,
    connection: (become) => ctx.connection.as(become)
  };
}
function taskRunFlags(ctx, scope) {
  const defaults = ctx.runFlags ?? NORMAL_RUN;
  const read = (field, value, fallback) => {
    if (value === void 0 || value === null) return fallback;
    const rendered = renderField(ctx.templar, ctx.task, field, value, scope);
    if (rendered === void 0 || rendered === null) return fallback;
    try {
      return ansibleBoolean(rendered, "strict");
    } catch (error) {
      throw new ModuleArgumentError(
        `the field '${field}' has an invalid value (${pythonStr(rendered)}), and could not be converted to bool. The error was: ${error.message}`
      );
    }
  };
  return {
    check: read("check_mode", ctx.task.checkMode, defaults.check),
    diff: read("diff", ctx.task.diff, defaults.diff)
  };
}
function moduleContext(ctx, _locals, scope, extra) {
  const { task, templar } = ctx;
  const { environment, taskTimeoutSeconds } = postValidate(ctx, scope);
  const asyncDir = extra.asyncDir ?? (() => {
    const value = (ctx.delegation?.vars ?? scope)["ansible_async_dir"];
    return value === void 0 || value === null || value === "" ? DEFAULT_ASYNC_DIR : String(value);
  });
  return {
    host: ctx.host,
    args: extra.args ?? {},
    ...taskRunFlags(ctx, scope),
    task,
    moduleDefaults: (name) => {
      const other = MODULES.get(name);
      return other ? withModuleDefaults(task, other, {}, templar, scope) : {};
    },
    connection: () => ctx.connection.get(),
    reconnect: () => ctx.connection.reconnect(),
    vars: scope,
    isTrue: (condition) => evaluateConditional(templar, condition, scope),
    evaluate: (expression) => templar.evaluate(expression, scope),
    template: (value) => templar.render(value, scope),
    render: (text5, templateFile) => templar.renderText(text5, scope, templateFile),
    timeoutMs: ctx.commandTimeoutMs,
    taskTimeoutSeconds,
    environment,
    baseDir: ctx.baseDir,
    log: (line) => ctx.events.log(ctx.host, ctx.info, line),
    warn: (message2) => ctx.events.warning(message2),
    displayWarning: (message2) => ctx.events.warning(message2),
    sleep: (ms) => ctx.sleep(ms),
    launchJob: extra.launchJob,
    jobs: jobsAccess(ctx.asyncJobs, hostAccess(ctx), asyncDir, () => ctx.connection.identity())
  };
}

// src/executor/task-dispatch.ts
var FACT_MODULES = /* @__PURE__ */ new Set(["setup", "gather_facts"]);
var TaskDispatcher = class {
  constructor(options2, baseDir, variables, connections, asyncJobs, stats, state, inventory) {
    this.options = options2;
    this.baseDir = baseDir;
    this.variables = variables;
    this.connections = connections;
    this.asyncJobs = asyncJobs;
    this.stats = stats;
    this.state = state;
    this.inventory = inventory;
  }
  options;
  baseDir;
  variables;
  connections;
  asyncJobs;
  stats;
  state;
  inventory;
  /**
   * The name a task is shown and reported by: templated as Ansible does, with the first host's variables
   * (left as written when it cannot be rendered), and prefixed with its role.
   */
  shownName(task, host, playContext) {
    let name = task.name;
    if (task.named && (name.includes("{{") || name.includes("{%"))) {
      try {
        name = pythonStr(
          this.options.templar.render(name, this.variables.scope(host, playContext, task))
        );
      } catch {
      }
    }
    return task.role ? `${task.role.name} : ${name}` : name;
  }
  /**
   * Runs a task on the active hosts (bounded by forks); returns the hosts that failed or became unreachable.
   * `failure` decides where a failure leaves a host (its blocks, or the flush a handler runs in);
   * `anyErrorsFatal` is the play's, for a task whose blocks and own keywords do not say.
   */
  async run(task, hosts, play, playContext, options2) {
    const handler = options2.handler === true;
    const { events, templar } = this.options;
    const includes = INCLUDE_ACTIONS.has(task.module) ? new IncludeLoads((message2) => events.warning(message2, "deprecation")) : void 0;
    const module = includes ? void 0 : MODULES.get(task.module);
    if (!includes && !module)
      throw new PlaybookError(`module '${task.module}' is not available`, task.location);
    const action = includes ? { include: includes } : { module };
    let noLog;
    try {
      noLog = task.noLog === void 0 ? this.options.defaultNoLog ?? false : templar.isTrue(task.noLog, this.variables.scope(hosts[0], playContext, task));
    } catch {
      noLog = true;
    }
    let diff = this.options.diff === true;
    if (task.diff !== void 0 && task.diff !== null) {
      try {
        diff = templar.isTrue(task.diff, this.variables.scope(hosts[0], playContext, task));
      } catch {
      }
    }
    const info = {
      name: this.shownName(task, hosts[0], playContext),
      module: task.module,
      location: task.location,
      noLog,
      ...diff ? { diff: true } : {},
      ...handler ? { handler: true } : {}
    };
    events.taskStart(info);
    let targets = hosts;
    const runOnce = task.runOnce !== void 0 && templar.isTrue(task.runOnce, this.variables.scope(hosts[0], playContext, task));
    const bypass = module?.bypassHostLoop === true;
    if (runOnce || bypass) targets = hosts.slice(0, 1);
    const anyErrorsFatal = this.anyErrorsFatal(task, hosts[0], playContext, options2.anyErrorsFatal);
    let runOnceFailed = false;
    const newlyFailed = [];
    const failedNow = [];
    const unreachable = [];
    const changed = [];
    const results = /* @__PURE__ */ new Map();
    let abort;
    const throttle = runOnce ? 0 : this.throttleOf(task, hosts[0], playContext);
    const lanes = throttle > 0 ? Math.min(throttle, this.options.forks) : this.options.forks;
    await mapWithLimit(targets, lanes, async (host) => {
      const started = Date.now();
      const scope = (locals = {}) => this.variables.scope(host, playContext, task, locals);
      const outcome = await runTaskOnHost({
        task,
        info,
        host,
        ...action,
        templar,
        events,
        scope,
        // The task's keywords override the play's (gather_facts runs with the play's, as in Ansible).
        connection: this.connections.forTask(
          host,
          scope,
          (vars) => resolveBecome([task.become, play.become], vars, templar, this.options.become)
        ),
        stripOmitted: (args) => this.variables.stripOmitted(args),
        playEnvironment: play.environment,
        commandTimeoutMs: this.options.commandTimeoutMs,
        baseDir: this.baseDir,
        sleep: (ms) => sleep(ms, this.options.signal),
        asyncJobs: this.asyncJobs,
        aborted: () => this.options.signal?.aborted === true,
        runFlags: { check: this.options.check === true, diff: this.options.diff === true },
        takeResult: (result) => this.applyInventoryChange(host, result, playContext),
        ...task.delegateTo === void 0 ? {} : {
          delegate: (locals) => this.delegation(task, host, play, playContext, locals)
        },
        play
      });
      const durationMs = Date.now() - started;
      const invalid = includes?.abortError(outcome.result);
      if (invalid) {
        abort ??= invalid;
        return;
      }
      const recipients = runOnce && !bypass ? hosts : [host];
      const factsToDelegate = this.delegatesFacts(task, host, playContext);
      for (const target of recipients) this.remember(task, target, outcome, factsToDelegate);
      results.set(host, outcome.result);
      const { stats } = this;
      stats.enter(host);
      switch (outcome.status) {
        case "unreachable":
          if (outcome.ignored) {
            stats.ignored(host, false);
            break;
          }
          stats.increment(host, "unreachable");
          this.state.unreachable.add(host);
          newlyFailed.push(host);
          unreachable.push(host);
          break;
        case "failed":
          if (outcome.ignored) {
            stats.ignored(host, Boolean(outcome.result["changed"]));
            break;
          }
          if (includes?.loadFailed(outcome.result)) {
            if (task.module === "include_tasks") stats.increment(host, "failed");
            const verdict = options2.failure(host);
            if (verdict.fatal) {
              this.state.failed.add(host);
              newlyFailed.push(host);
            } else this.state.marked.add(host);
            if (verdict.failedNow) failedNow.push(host);
            break;
          }
          {
            runOnceFailed = runOnce;
            const verdict = options2.failure(host);
            if (verdict.counted === "rescued") {
              stats.increment(host, "rescued");
              const memory = this.variables.hostMemory(host);
              memory.registered["ansible_failed_task"] = failedTaskVar(task);
              memory.registered["ansible_failed_result"] = outcome.result;
              memory.safe.delete("ansible_failed_task");
              memory.safe.delete("ansible_failed_result");
              this.variables.changed();
            } else stats.increment(host, "failed");
            if (verdict.fatal) {
              this.state.failed.add(host);
              newlyFailed.push(host);
            }
            if (verdict.failedNow) failedNow.push(host);
          }
          break;
        case "skipped":
          stats.increment(host, "skipped");
          break;
        case "changed":
          stats.ok(host, true);
          changed.push(host);
          break;
        default:
          if (task.include)
            stats.increment(
              host,
              "ok",
              task.include.kind === "role" ? 0 : includes.count(outcome.result)
            );
          else stats.ok(host, false);
      }
      if (outcome.status === "ok" || outcome.status === "changed")
        this.keepCustomStats(outcome.result, runOnce ? hosts : [host]);
      const included = includes?.includedFile(outcome.result);
      events.hostResult(info, {
        host,
        status: outcome.status,
        ignored: outcome.ignored,
        result: outcome.result,
        durationMs,
        ...included === void 0 ? {} : { included }
      });
    });
    if (abort) throw abort;
    if (runOnceFailed) {
      for (const host of hosts.slice(1)) {
        const verdict = options2.failure(host);
        if (verdict.fatal) {
          this.state.failed.add(host);
          newlyFailed.push(host);
        }
        if (verdict.failedNow) failedNow.push(host);
      }
    }
    const ordered = /* @__PURE__ */ new Map();
    for (const host of hosts) {
      const result = results.get(host);
      if (result) ordered.set(host, result);
    }
    return {
      newlyFailed,
      failedNow,
      unreachable,
      anyErrorsFatal,
      changed,
      results: ordered,
      ...includes ? { includes } : {}
    };
  }
  /**
   * Where a delegated task runs for one host and loop item, as Ansible resolves delegate_to: rendered with
   * the host's variables and the item; an inventory host by name, an alias of localhost (the inventory's
   * localhost, else the implicit one, local connection), or any other name as a host outside the inventory
   * (the 'all' group's variables; reached at that name). The delegate's variables are its own with the
   * play's and the task's over them, `inventory_hostname` staying the host's; its connection and become
   * come from them, through the same pool (and host key checks) as any host's.
   */
  delegation(task, host, play, playContext, locals) {
    const { templar } = this.options;
    const rendered = renderField(
      templar,
      task,
      "delegate_to",
      task.delegateTo,
      this.variables.scope(host, playContext, task, locals)
    );
    if (rendered === void 0 || rendered === null)
      throw new ModuleArgumentError("Undefined delegate_to host for task");
    if (typeof rendered !== "string" && !isNumeric(rendered))
      throw new ModuleArgumentError(
        `the field 'delegate_to' has an invalid type (${pyTypeName(rendered)}), and could not be converted to a string type`
      );
    const name = String(rendered);
    if (name.trim() === "") throw new ModuleArgumentError("Undefined delegate_to host for task");
    const inventory = this.inventory();
    const varsHost = !inventory.hasHost(name) && LOCALHOST_NAMES.includes(name) ? inventory.localhostFor(name) : name;
    const vars = () => this.variables.scope(varsHost, playContext, task, locals, host);
    const delegateVars = vars();
    const settings = this.connections.settings(varsHost, delegateVars);
    const address = delegateVars["ansible_host"] ?? delegateVars["ansible_ssh_host"];
    return {
      name,
      host: varsHost,
      address: address === void 0 || address === null ? name : pythonStr(address),
      vars: delegateVars,
      connectionVars: {
        ansible_host: settings.address,
        ansible_port: settings.port,
        ansible_connection: settings.transport,
        ...settings.user === void 0 ? {} : { ansible_user: settings.user }
      },
      connection: this.connections.forTask(
        varsHost,
        vars,
        (scope) => resolveBecome([task.become, play.become], scope, templar, this.options.become)
      )
    };
  }
  /**
   * What an add_host or group_by result asks of the inventory, applied as Ansible's strategy applies it
   * (before changed_when and failed_when): the result is changed only when the inventory changed, and the
   * variables see the change; a new host joins this play's ansible_play_hosts.
   */
  applyInventoryChange(host, record2, playContext) {
    const addHost = record2["add_host"];
    const addGroup = record2["add_group"];
    if (record2["failed"] || addHost === void 0 && addGroup === void 0) return;
    let changed;
    try {
      if (addHost !== void 0) {
        const info = addHost;
        changed = this.inventory().addDynamicHost({
          host: info.host_name,
          groups: info.groups,
          vars: info.host_vars
        });
        if (changed && !playContext.playHosts.includes(info.host_name))
          playContext.playHosts.push(info.host_name);
      } else {
        changed = this.inventory().addDynamicGroup({
          host,
          group: String(addGroup),
          parents: record2["parent_groups"] ?? ["all"]
        });
      }
    } catch (error) {
      record2["failed"] = true;
      record2["msg"] = error.message;
      changed = false;
    }
    record2["changed"] = changed;
    this.variables.changed();
  }
  /**
   * set_stats' result, kept as Ansible's strategy keeps it: per host (each host the task stood for, all of
   * them for run_once) or for the run, added up unless `aggregate` is false; a loop's items one by one.
   */
  keepCustomStats(result, hosts) {
    if (Array.isArray(result["results"])) {
      for (const item of result["results"])
        if (item !== null && typeof item === "object" && !item["failed"])
          this.keepCustomStats(item, hosts);
      return;
    }
    const stats = result["ansible_stats"];
    if (!stats || typeof stats !== "object") return;
    const { data, per_host: perHost, aggregate } = stats;
    if (!data || typeof data !== "object" || Object.keys(data).length === 0) return;
    for (const host of perHost === false ? [void 0] : hosts)
      for (const [name, value] of Object.entries(data))
        this.stats.setCustom(name, value, aggregate === true, host);
  }
  /**
   * The task's throttle (its own, else its blocks', role's or play's), templated with the first host's
   * variables: at most that many hosts run the task at once; 0 (the default) leaves forks alone. A value
   * that is no whole number stops the run (exit 1), as ansible-playbook's error does.
   */
  throttleOf(task, host, playContext) {
    if (task.throttle === void 0 || task.throttle === null) return 0;
    const { templar } = this.options;
    let value;
    try {
      value = templar.render(task.throttle, this.variables.scope(host, playContext, task));
    } catch (error) {
      throw new AsyncPlaybookError(
        `Failed to convert the throttle value to an integer: ${error instanceof Error ? error.message : String(error)}`,
        task.location
      );
    }
    const text5 = typeof value === "string" ? value.trim() : value;
    const number = isNumeric(text5) ? Number(text5) : typeof text5 === "string" && /^[-+]?\d+$/.test(text5) ? Number(text5) : NaN;
    if (!Number.isInteger(number))
      throw new AsyncPlaybookError(
        `Failed to convert the throttle value to an integer: got ${JSON.stringify(value)}. Set \`throttle:\` to a whole number of hosts (0: no limit)`,
        task.location
      );
    return number;
  }
  /**
   * Whether a failure of the task fails every host, as Ansible's linear strategy decides it: the task's
   * any_errors_fatal (its own, else its blocks', else the play's), or run_once; never with ignore_errors.
   */
  anyErrorsFatal(task, host, playContext, playDefault) {
    const { templar } = this.options;
    const scope = this.variables.scope(host, playContext, task);
    const fatal = task.anyErrorsFatal === void 0 ? playDefault : templar.isTrue(task.anyErrorsFatal, scope);
    const runOnce = task.runOnce !== void 0 && templar.isTrue(task.runOnce, scope);
    let ignored = false;
    try {
      ignored = task.ignoreErrors !== void 0 && templar.isTrue(task.ignoreErrors, scope);
    } catch {
    }
    return (fatal || runOnce) && !ignored;
  }
  /** Whether a delegated task's facts go to its delegate (`delegate_facts`, rendered for the host). */
  delegatesFacts(task, host, playContext) {
    if (task.delegateTo === void 0 || task.delegateFacts === void 0) return false;
    try {
      return this.options.templar.isTrue(
        task.delegateFacts,
        this.variables.scope(host, playContext, task)
      );
    } catch {
      return false;
    }
  }
  /**
   * Stores what a task leaves behind on a host: its registered result and, unless it failed, was
   * unreachable or skipped, its facts (a loop's from each item in turn, as Ansible applies them).
   */
  remember(task, host, outcome, factsToDelegate = false) {
    const { result } = outcome;
    const memory = this.variables.hostMemory(host);
    this.variables.changed();
    if (task.register) {
      memory.registered[task.register] = result;
      if (registeredSafe(task, result)) memory.safe.add(task.register);
      else memory.safe.delete(task.register);
    }
    if (outcome.status !== "ok" && outcome.status !== "changed") return;
    const items = Array.isArray(result["results"]) ? result["results"] : [result];
    for (const item of items) {
      if (item === null || typeof item !== "object") continue;
      const included = item[INCLUDED_VARS];
      if (included && typeof included === "object") {
        Object.assign(memory.includedVars, included);
        continue;
      }
      const facts = item["ansible_facts"];
      if (!facts || typeof facts !== "object") continue;
      const delegate = factsToDelegate ? item[DELEGATED_TO] : void 0;
      if (delegate) {
        const target = this.variables.hostMemory(delegate.host);
        if (FACT_MODULES.has(task.module))
          for (const [k, v] of Object.entries(facts)) target.facts[k.replace(/^ansible_/, "")] = v;
        else {
          Object.assign(target.registered, facts);
          markSafety(target, facts, item);
          if (item[CACHEABLE_FACTS] === true)
            Object.assign(target.cachedFacts, facts);
        }
        continue;
      }
      if (FACT_MODULES.has(task.module)) {
        for (const [k, v] of Object.entries(facts)) memory.facts[k.replace(/^ansible_/, "")] = v;
        continue;
      }
      Object.assign(memory.registered, facts);
      markSafety(memory, facts, item);
      if (item[CACHEABLE_FACTS] === true)
        for (const [k, v] of Object.entries(facts)) memory.cachedFacts[k] = v;
    }
  }
};
function failedTaskVar(task) {
  return {
    name: task.named ? task.name : "",
    action: task.module,
    args: task.args
  };
}
function markSafety(memory, facts, item) {
  const safe = item[SAFE_FACTS] === true;
  for (const name of Object.keys(facts)) {
    if (safe) memory.safe.add(name);
    else memory.safe.delete(name);
  }
}
function registeredSafe(task, result) {
  if (task.module === "include_vars") return true;
  if (task.module !== "set_fact") return false;
  const marked = (item) => isRecord(item) && item[SAFE_FACTS] === true;
  const items = result["results"];
  return Array.isArray(items) ? items.length > 0 && items.every(marked) : marked(result);
}

// src/executor/vars-prompt.ts
function checkPromptsAnswerable(plays, extraVars, prompter) {
  if (prompter) return;
  const missing2 = [];
  for (const play of plays)
    for (const prompt of play.varsPrompt ?? []) {
      if (Object.hasOwn(extraVars, prompt.name) || hasDefault(prompt)) continue;
      if (!missing2.some((m) => m.name === prompt.name)) missing2.push(prompt);
    }
  const [first, ...others] = missing2;
  if (!first) return;
  const named = (prompt) => `'${prompt.name}'${typeof prompt.prompt === "string" ? ` ("${prompt.prompt}")` : ""}`;
  const also = others.map((prompt) => `${named(prompt)} at ${formatLocation(prompt.location)}`);
  const flags = missing2.map((prompt) => `-e ${prompt.name}=VALUE`).join(" ");
  throw new PlaybookError(
    `vars_prompt ${named(first)}${also.length > 0 ? ` (and ${also.join(", ")})` : ""} ${missing2.length > 1 ? "have" : "has"} no value and there is no terminal to ask on: give ${missing2.length > 1 ? "them" : "it"} with ${flags} (in a workflow, the extra-vars input), or add a \`default:\` to the prompt`,
    first.location
  );
}
function hasDefault(prompt) {
  return prompt.default !== void 0 && prompt.default !== null;
}
async function promptedVars(play, extraVars, templar, scope, prompter) {
  const out = {};
  for (const written of play.varsPrompt ?? []) {
    if (Object.hasOwn(extraVars, written.name)) continue;
    const render2 = (value2) => {
      try {
        return templar.render(value2, scope());
      } catch (error) {
        throw new PlaybookError(
          `vars_prompt '${written.name}': ${error instanceof Error ? error.message : String(error)}`,
          written.location
        );
      }
    };
    const prompt = written.prompt === void 0 ? written.name : render2(written.prompt);
    const fallback = written.default === void 0 ? void 0 : render2(written.default);
    let answer = "";
    if (prompter) {
      const text5 = prompt === null || prompt === void 0 ? "" : pythonStr(prompt);
      const message2 = text5 !== "" && fallback !== void 0 && fallback !== null ? `${text5} [${pythonStr(fallback)}]: ` : text5 !== "" ? `${text5}: ` : `input for ${written.name}: `;
      answer = await prompter({
        name: written.name,
        message: message2,
        private: written.private === void 0 ? true : templar.isTrue(written.private, scope()),
        confirm: written.confirm === void 0 ? false : templar.isTrue(written.confirm, scope())
      });
    }
    let value;
    if (answer !== "") value = answer;
    else if (fallback !== void 0 && fallback !== null) value = pythonStr(fallback);
    else if (prompter) value = "";
    else {
      throw new PlaybookError(
        `vars_prompt '${written.name}' has no value and there is no terminal to ask on: give it with -e ${written.name}=VALUE, or add a \`default:\``,
        written.location
      );
    }
    const unsafe = written.unsafe !== void 0 && templar.isTrue(written.unsafe, scope());
    out[written.name] = unsafe ? markUnsafeDeep(value) : value;
  }
  return out;
}

// src/executor/playbook-runner.ts
async function runPlaybook(playbook, options2) {
  checkPromptsAnswerable(playbook.plays, options2.extraVars, options2.varsPrompter);
  const runner = new PlaybookRunner(playbook, options2);
  try {
    return await runner.run();
  } finally {
    await runner.close();
  }
}
var PlaybookRunner = class {
  constructor(playbook, options2) {
    this.playbook = playbook;
    this.options = options2;
    this.inventory = options2.inventory;
    this.variables = new VariableManager(this.inventory, options2.templar, options2.extraVars, {
      runTags: options2.tags?.only ?? [],
      skipTags: options2.tags?.skip ?? [],
      ...options2.limit === void 0 ? {} : { limit: options2.limit },
      forks: options2.forks,
      verbosity: options2.verbosity ?? 0,
      inventorySources: options2.inventorySources ?? [],
      ...options2.configFile !== void 0 ? { configFile: options2.configFile } : {},
      check: options2.check === true,
      diff: options2.diff === true
    });
    this.connections = new HostConnections(
      options2.connectionDefaults,
      options2.openConnection,
      options2.become
    );
    this.asyncJobs = new AsyncJobs(options2.jobs ?? new JobRegistry());
    replayHandedOverJobs(this.asyncJobs.registry, this.variables);
    const tasks = new TaskDispatcher(
      options2,
      playbook.baseDir,
      this.variables,
      this.connections,
      this.asyncJobs,
      this.stats,
      this.state,
      () => this.inventory
    );
    this.strategy = new LinearStrategy(
      options2,
      this.variables,
      this.connections,
      tasks,
      this.state,
      () => {
        if (!options2.reloadInventory) return;
        const reloaded = options2.reloadInventory();
        reloaded.replayDynamicChanges(this.inventory);
        this.inventory = reloaded;
        this.variables.useInventory(this.inventory);
      }
    );
  }
  playbook;
  options;
  stats = new Stats();
  /** Every host of the run's plays, in the order the plays named them: the order of the recap. */
  hostOrder = /* @__PURE__ */ new Set();
  state = new RunHostStates();
  variables;
  connections;
  asyncJobs;
  strategy;
  /** The inventory (read again by `meta: refresh_inventory`). */
  inventory;
  async run() {
    for (const play of this.playbook.plays) {
      if (this.options.signal?.aborted) break;
      if (await this.runPlay(play)) break;
    }
    const stats = this.stats.summary(this.hostOrder);
    const customStats = this.stats.customSummary();
    if (this.options.beforeRecap) {
      const retry = /* @__PURE__ */ new Set([
        ...Object.keys(stats).filter((h) => this.stats.failed(h)),
        ...this.state.unreachable
      ]);
      this.options.beforeRecap([...retry].sort((a, b) => a < b ? -1 : a > b ? 1 : 0));
    }
    this.options.events.recap(stats, customStats);
    const failedHosts = Object.keys(stats).filter((h) => this.stats.failed(h));
    const unreachableHosts = [...this.state.unreachable];
    const exitCode = this.state.breakPlay ? 2 : unreachableHosts.length > 0 ? 4 : this.state.failed.size > 0 ? 2 : 0;
    return {
      stats,
      failedHosts,
      unreachableHosts,
      exitCode,
      jobs: this.asyncJobs.registry.allOutstanding(),
      ...customStats ? { customStats } : {}
    };
  }
  close() {
    return this.connections.closeAll();
  }
  /** Runs one play; returns true when the playbook must stop. */
  async runPlay(written) {
    const { events } = this.options;
    const inventory = this.inventory;
    const roles = written.roles ?? [];
    const playContextBase = {
      ...roles.length > 0 ? {
        roleDefaults: mergeRoleVars(roles, "defaults"),
        roleExports: mergeRoleVars(roles, "vars"),
        // Ansible builds ansible_role_names from a set: listed roles first here, then the others.
        roleNames: {
          all: [.../* @__PURE__ */ new Set([...written.listedRoles ?? [], ...roles.map((r) => r.name)])],
          listed: written.listedRoles ?? []
        }
      } : {},
      ...written.connectionVars ? { keywordVars: written.connectionVars } : {},
      playVars: written.vars,
      ...written.varsFiles ? { varsFilesVars: written.varsFiles } : {},
      playbookDir: this.playbook.baseDir,
      varsDir: written.playbookFileDir ?? this.playbook.baseDir
    };
    if (written.varsPrompt && written.varsPrompt.length > 0) {
      const scope = () => this.variables.playScope({ ...playContextBase, playHosts: [], playBatch: [] });
      if (!this.options.varsPrompter && written.varsPrompt.some((p) => !Object.hasOwn(this.options.extraVars, p.name)))
        events.warning("Not prompting as we are not in interactive mode");
      const prompted = await promptedVars(
        written,
        this.options.extraVars,
        this.options.templar,
        scope,
        this.options.varsPrompter
      );
      playContextBase.playVars = { ...written.vars, ...prompted };
    }
    const play = templatedPlay(
      written,
      this.options.templar,
      () => this.variables.playScope({ ...playContextBase, playHosts: [], playBatch: [] })
    );
    const patterns = play.hosts;
    let hosts = patterns.length === 0 ? [] : inventory.select(patterns);
    hosts = applyLimit(hosts, inventory, this.options.limit);
    if (this.options.shard) hosts = inShard(hosts, inventory.hostNames(), this.options.shard);
    if (hosts.length > 0) {
      for (const host of this.state.marked) this.state.failed.add(host);
      this.state.marked.clear();
    }
    const targeted = hosts;
    hosts = orderedHosts(hosts, play.order);
    hosts = hosts.filter((h) => !this.state.failed.has(h) && !this.state.unreachable.has(h));
    events.playStart(play.name, play.location);
    if (hosts.length === 0) {
      if (patterns.length > 0)
        events.warning(`Could not match supplied host pattern, ignoring: ${String(patterns)}`);
      return false;
    }
    for (const host of hosts) this.hostOrder.add(host);
    this.state.playEnded = false;
    this.strategy.startPlay();
    for (const batch of batches(hosts, play.serial, play)) {
      if (this.state.playEnded) break;
      const playContext = {
        ...playContextBase,
        playHosts: targeted,
        playName: play.name,
        playBatch: batch
      };
      if (await this.strategy.runBatch(play, batch, playContext)) return true;
      if (this.state.breakPlay) return true;
    }
    return false;
  }
};

// src/executor/listing.ts
function listPlaybook(request2, context) {
  let out = `
playbook: ${context.shownPath}
`;
  if (request2.syntax) return out;
  const { inventory, templar, playbook } = context;
  const variables = new VariableManager(inventory, templar, context.extraVars);
  const selection = context.tags ?? ALL_TAGS;
  for (const [index, written] of playbook.plays.entries()) {
    const roles = written.roles ?? [];
    const play = templatedPlay(
      written,
      templar,
      () => variables.playScope({
        ...roles.length > 0 ? {
          roleDefaults: mergeRoleVars(roles, "defaults"),
          roleExports: mergeRoleVars(roles, "vars")
        } : {},
        ...written.connectionVars ? { keywordVars: written.connectionVars } : {},
        playVars: written.vars,
        ...written.varsFiles ? { varsFilesVars: written.varsFiles } : {},
        playbookDir: playbook.baseDir,
        varsDir: written.playbookFileDir ?? playbook.baseDir,
        playHosts: [],
        playBatch: []
      })
    );
    const patterns = play.hosts;
    const playTags = [...new Set(play.tags)];
    let msg = `
  play #${index + 1} (${patterns.join(",")}): ${play.name}	TAGS: [${playTags.join(",")}]`;
    if (request2.hosts) {
      let hosts = patterns.length === 0 ? [] : inventory.select(patterns);
      hosts = applyLimit(hosts, inventory, context.limit);
      if (context.shard) hosts = inShard(hosts, inventory.hostNames(), context.shard);
      msg += `
    pattern: ${pyRepr(patterns)}
    hosts (${hosts.length}):`;
      for (const host of hosts) msg += `
      ${host}`;
    }
    out += `${msg}
`;
    if (!request2.tasks && !request2.tags) continue;
    let taskText = request2.tasks ? "    tasks:\n" : "";
    const allTags = /* @__PURE__ */ new Set();
    for (const task of play.tasks) {
      if (task.implicit) continue;
      if (task.blocks?.some((frame) => frame.section !== "block")) continue;
      if (!shouldRunTags(task.tags, selection)) continue;
      for (const tag of task.tags) allTags.add(tag);
      if (request2.tasks) {
        const tags = sortedTags([...playTags, ...task.tags]);
        taskText += `      ${listedName(task)}	TAGS: [${tags.join(", ")}]
`;
      }
    }
    if (request2.tags)
      taskText += `      TASK TAGS: [${sortedTags([...playTags, ...allTags]).join(", ")}]
`;
    out += taskText;
  }
  return out;
}
function listedName(task) {
  if (!task.named) return task.action ?? task.module;
  return task.role ? `${task.role.name} : ${task.name}` : task.name;
}
function sortedTags(tags) {
  return [...new Set(tags)].sort((a, b) => a < b ? -1 : a > b ? 1 : 0);
}

// src/playbook/extra-vars.ts
import { existsSync as existsSync4, readFileSync as readFileSync8 } from "node:fs";
import path25 from "node:path";
function parseExtraVars(value, cwd = process.cwd()) {
  const text5 = value.trim();
  if (text5 === "") return {};
  if (text5.startsWith("@")) {
    const file = path25.resolve(cwd, text5.slice(1));
    if (!existsSync4(file))
      throw new OptionError(`extra vars file '${text5.slice(1)}' not found (looked for ${file})`);
    let content;
    try {
      content = readFileSync8(file, "utf8");
    } catch (error) {
      const code = error.code;
      const why = code === "EISDIR" ? "it is a directory" : error.message;
      throw new OptionError(
        `extra vars file '${text5.slice(1)}' cannot be read (${why}). Pass '@' followed by a YAML or JSON file.`
      );
    }
    return asMapping(parseYaml(content, text5.slice(1)).data, text5.slice(1));
  }
  if (text5.startsWith("{") || text5.startsWith("---") || /^[A-Za-z_][\w-]*:(\s|$)/.test(text5)) {
    let data;
    try {
      data = parseYaml(text5, "<extra vars>").data;
    } catch (error) {
      const reason = error instanceof Error ? error.message.replace(/^<extra vars>:\S*: /, "") : String(error);
      throw new OptionError(`extra vars '${value}' are not valid YAML/JSON: ${reason}`);
    }
    return asMapping(data, "<extra vars>");
  }
  const kv = parseKeyValueArgs(text5, false);
  if ("_raw_params" in kv) {
    throw new OptionError(
      `extra vars '${value}' must be key=value pairs, a YAML/JSON mapping, or @file; '${String(kv["_raw_params"])}' is none of these`
    );
  }
  return kv;
}
function asMapping(data, source) {
  if (data === null || data === void 0) return {};
  if (typeof data !== "object" || Array.isArray(data)) {
    throw new OptionError(`extra vars from ${source} must be a mapping of names to values`);
  }
  return data;
}

// src/report/censor.ts
var NO_LOG_MESSAGE = "the output has been hidden due to the fact that 'no_log: true' was specified for this result";
function censor(result) {
  const out = {
    censored: NO_LOG_MESSAGE,
    changed: result["changed"] ?? false
  };
  if (result["failed"] !== void 0) out["failed"] = result["failed"];
  if (result["skipped"] !== void 0) out["skipped"] = result["skipped"];
  if (result["unreachable"] !== void 0) out["unreachable"] = result["unreachable"];
  if (Array.isArray(result["results"])) {
    out["results"] = result["results"].map(
      (r) => r && typeof r === "object" ? censor(r) : r
    );
  }
  return out;
}

// src/report/adhoc-reporter.ts
var COMMAND_MODULES = /* @__PURE__ */ new Set(["command", "shell", "raw", "script"]);
var AdhocReporter = class {
  write;
  constructor(write) {
    this.write = (text5) => write(visibleControls(text5));
  }
  playStart() {
  }
  taskStart() {
  }
  itemResult() {
  }
  retrying(task, host, retriesLeft) {
    this.write(`FAILED - RETRYING: [${host}]: ${task.name} (${retriesLeft} retries left).
`);
  }
  noMoreHosts() {
  }
  recap(_stats) {
  }
  log(host, task, line) {
    this.write(host ? `[${host}] ${line}
` : `${line}
`);
  }
  warning(message2, level) {
    const text5 = noticeLine(message2, level);
    if (text5 !== void 0) this.write(`${text5}
`);
  }
  hostResult(task, outcome) {
    const result = task.noLog ? censor(outcome.result) : outcome.result;
    const shown = {};
    for (const [k, v] of Object.entries(result)) if (!k.startsWith("_ansible")) shown[k] = v;
    const host = outcome.host;
    if (outcome.status === "unreachable") {
      this.write(`${host} | UNREACHABLE! => ${pythonJson(shown, 4)}
`);
      return;
    }
    if (outcome.status === "skipped") {
      this.write(`${host} | SKIPPED
`);
      return;
    }
    const failed4 = outcome.status === "failed";
    const caption = failed4 ? "FAILED" : outcome.status === "changed" ? "CHANGED" : "SUCCESS";
    if (COMMAND_MODULES.has(task.module) && !("ansible_job_id" in result)) {
      const text5 = `${String(result["stdout"] ?? "")}${String(result["stderr"] ?? "")}${String(result["msg"] ?? "")}`;
      this.write(`${host} | ${caption} | rc=${String(result["rc"] ?? -1)} >>
${text5}
`);
      return;
    }
    delete shown["failed"];
    this.write(`${host} | ${failed4 ? "FAILED!" : caption} => ${pythonJson(shown, 4)}
`);
  }
};

// src/report/unified-diff.ts
function lineIndex(b) {
  const index = /* @__PURE__ */ new Map();
  b.forEach((line, j) => {
    const list = index.get(line);
    if (list) list.push(j);
    else index.set(line, [j]);
  });
  if (b.length >= 200) {
    const limit = Math.floor(b.length / 100) + 1;
    for (const [line, list] of [...index]) if (list.length > limit) index.delete(line);
  }
  return index;
}
function longestMatch(a, b, index, alo, ahi, blo, bhi) {
  let [besti, bestj, bestsize] = [alo, blo, 0];
  let lengths = /* @__PURE__ */ new Map();
  for (let i = alo; i < ahi; i++) {
    const next = /* @__PURE__ */ new Map();
    for (const j of index.get(a[i]) ?? []) {
      if (j < blo) continue;
      if (j >= bhi) break;
      const k = (lengths.get(j - 1) ?? 0) + 1;
      next.set(j, k);
      if (k > bestsize) [besti, bestj, bestsize] = [i - k + 1, j - k + 1, k];
    }
    lengths = next;
  }
  while (besti > alo && bestj > blo && a[besti - 1] === b[bestj - 1]) {
    besti--;
    bestj--;
    bestsize++;
  }
  while (besti + bestsize < ahi && bestj + bestsize < bhi && a[besti + bestsize] === b[bestj + bestsize])
    bestsize++;
  return [besti, bestj, bestsize];
}
function matchingBlocks(a, b) {
  const index = lineIndex(b);
  const queue = [[0, a.length, 0, b.length]];
  const found = [];
  while (queue.length > 0) {
    const [alo, ahi, blo, bhi] = queue.pop();
    const match = longestMatch(a, b, index, alo, ahi, blo, bhi);
    const [i, j, k] = match;
    if (k === 0) continue;
    found.push(match);
    if (alo < i && blo < j) queue.push([alo, i, blo, j]);
    if (i + k < ahi && j + k < bhi) queue.push([i + k, ahi, j + k, bhi]);
  }
  found.sort((x, y) => x[0] - y[0] || x[1] - y[1] || x[2] - y[2]);
  const merged = [];
  for (const block of found) {
    const last = merged[merged.length - 1];
    if (last && last[0] + last[2] === block[0] && last[1] + last[2] === block[1])
      last[2] += block[2];
    else merged.push([...block]);
  }
  merged.push([a.length, b.length, 0]);
  return merged;
}
function opcodes(a, b) {
  const codes = [];
  let [i, j] = [0, 0];
  for (const [ai, bj, size] of matchingBlocks(a, b)) {
    const tag = i < ai && j < bj ? "replace" : i < ai ? "delete" : j < bj ? "insert" : void 0;
    if (tag) codes.push({ tag, i1: i, i2: ai, j1: j, j2: bj });
    [i, j] = [ai + size, bj + size];
    if (size > 0) codes.push({ tag: "equal", i1: ai, i2: i, j1: bj, j2: j });
  }
  return codes;
}
function groupedOpcodes(a, b, context) {
  const codes = opcodes(a, b);
  if (codes.length === 0) codes.push({ tag: "equal", i1: 0, i2: 1, j1: 0, j2: 1 });
  const first = codes[0];
  if (first.tag === "equal") {
    first.i1 = Math.max(first.i1, first.i2 - context);
    first.j1 = Math.max(first.j1, first.j2 - context);
  }
  const last = codes[codes.length - 1];
  if (last.tag === "equal") {
    last.i2 = Math.min(last.i2, last.i1 + context);
    last.j2 = Math.min(last.j2, last.j1 + context);
  }
  const groups = [];
  let group = [];
  for (const code of codes) {
    let { i1, j1 } = code;
    const { tag, i2, j2 } = code;
    if (tag === "equal" && i2 - i1 > 2 * context) {
      group.push({ tag, i1, i2: Math.min(i2, i1 + context), j1, j2: Math.min(j2, j1 + context) });
      groups.push(group);
      group = [];
      i1 = Math.max(i1, i2 - context);
      j1 = Math.max(j1, j2 - context);
    }
    group.push({ tag, i1, i2, j1, j2 });
  }
  if (group.length > 0 && !(group.length === 1 && group[0].tag === "equal")) groups.push(group);
  return groups;
}
function range(start, stop) {
  let beginning = start + 1;
  const length2 = stop - start;
  if (length2 === 1) return String(beginning);
  if (length2 === 0) beginning--;
  return `${beginning},${length2}`;
}
function unifiedDiff(a, b, fromFile, toFile2, context = 3) {
  const out = [];
  for (const group of groupedOpcodes(a, b, context)) {
    if (out.length === 0) out.push(`--- ${fromFile}
`, `+++ ${toFile2}
`);
    const first = group[0];
    const last = group[group.length - 1];
    out.push(`@@ -${range(first.i1, last.i2)} +${range(first.j1, last.j2)} @@
`);
    for (const { tag, i1, i2, j1, j2 } of group) {
      if (tag === "equal") {
        for (const line of a.slice(i1, i2)) out.push(" " + line);
        continue;
      }
      if (tag === "replace" || tag === "delete")
        for (const line of a.slice(i1, i2)) out.push("-" + line);
      if (tag === "replace" || tag === "insert")
        for (const line of b.slice(j1, j2)) out.push("+" + line);
    }
  }
  return out;
}
function splitLinesKeepEnds(text5) {
  const lines2 = [];
  const breaks = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/g;
  let start = 0;
  for (const m of text5.matchAll(breaks)) {
    const end = m.index + m[0].length;
    lines2.push(text5.slice(start, end));
    start = end;
  }
  if (start < text5.length) lines2.push(text5.slice(start));
  return lines2;
}

// src/report/diff-text.ts
var DIFF_CONTEXT = 3;
var NO_NEWLINE = "\n\\ No newline at end of file\n";
function diffPieces(value, options2 = {}) {
  const blankAfterHunks = options2.blankAfterHunks ?? true;
  const entries = Array.isArray(value) ? value : [value];
  const out = [];
  const plain = (text5) => {
    out.push({ text: text5, paint: void 0 });
  };
  for (const entry of entries) {
    if (!isRecord(entry)) continue;
    if ("dst_binary" in entry) plain("diff skipped: destination file appears to be binary\n");
    if ("src_binary" in entry) plain("diff skipped: source file appears to be binary\n");
    if ("dst_larger" in entry)
      plain(`diff skipped: destination file size is greater than ${String(entry["dst_larger"])}
`);
    if ("src_larger" in entry)
      plain(`diff skipped: source file size is greater than ${String(entry["src_larger"])}
`);
    if ("before" in entry && "after" in entry) {
      const before = splitLinesKeepEnds(sideText(entry["before"]));
      const after = splitLinesKeepEnds(sideText(entry["after"]));
      markMissingNewline(before);
      markMissingNewline(after);
      const fromFile = "before_header" in entry ? `before: ${String(entry["before_header"])}` : "before";
      const toFile2 = "after_header" in entry ? `after: ${String(entry["after_header"])}` : "after";
      const lines2 = unifiedDiff(before, after, fromFile, toFile2, options2.context ?? DIFF_CONTEXT);
      for (const line of lines2)
        out.push({
          text: line,
          paint: line.startsWith("+") ? "add" : line.startsWith("-") ? "remove" : line.startsWith("@@") ? "lines" : void 0
        });
      if (lines2.length > 0 && blankAfterHunks) plain("\n");
    }
    if ("prepared" in entry && entry["prepared"] !== void 0 && entry["prepared"] !== null)
      plain(String(entry["prepared"]));
  }
  return out;
}
function entryDiffText(entry, context = DIFF_CONTEXT) {
  return diffPieces(entry, { blankAfterHunks: false, context }).map((piece) => piece.text).join("");
}
function sideText(value) {
  if (value === null || value === void 0) return "";
  if (isRecord(value))
    return pythonJsonDumps(value, { indent: 4, sortKeys: true, ensureAscii: true }) + "\n";
  return typeof value === "string" ? value : String(value);
}
function markMissingNewline(lines2) {
  const last = lines2[lines2.length - 1];
  if (last !== void 0 && !last.endsWith("\n")) lines2[lines2.length - 1] = last + NO_NEWLINE;
}

// src/report/console-reporter.ts
var COLORS = {
  ok: "32",
  changed: "33",
  failed: "31",
  skipped: "36",
  unreachable: "31",
  warn: "35",
  retry: "31"
};
var DIFF_COLORS = {
  add: "32",
  remove: "31",
  lines: "36"
};
var BANNER_WIDTH = 79;
var STATUS_KEYS = /* @__PURE__ */ new Set(["failed", "skipped"]);
var NO_LOG_PRESERVED = ["attempts", "changed", "retries"];
var ConsoleReporter = class {
  constructor(write, options2) {
    this.write = write;
    this.options = options2;
  }
  write;
  options;
  /** A task banner not printed yet: when ok or skipped lines are hidden, it waits for a line to show. */
  pendingBanner;
  deprecationsShown = /* @__PURE__ */ new Set();
  /** As Ansible, a banner waits for its first line only when some results are hidden. */
  get filtering() {
    return this.options.displayOkHosts === false || this.options.displaySkippedHosts === false;
  }
  playStart(name, _location) {
    this.pendingBanner = void 0;
    this.banner(`PLAY [${name}]`);
  }
  taskStart(task) {
    const title = `${task.handler ? "RUNNING HANDLER" : "TASK"} [${task.name}]`;
    if (this.filtering) this.pendingBanner = title;
    else this.banner(title);
  }
  itemResult(task, outcome) {
    const result = outcome.result;
    const item = `(item=${outcome.item?.label ?? ""})`;
    const host = `[${hostLabel(outcome)}]`;
    if (task.diff && (outcome.status === "ok" || outcome.status === "changed"))
      this.fileDiff(result, task);
    if (this.hidden(outcome.status, task)) return;
    this.notices(result, task);
    switch (outcome.status) {
      case "failed":
        this.line(`failed: ${host} ${item} => ${this.dump(result, task)}`, "failed");
        break;
      case "skipped":
        this.line(`skipping: ${host} => ${item} `, "skipped");
        break;
      case "unreachable":
        this.line(
          `fatal: ${host}: UNREACHABLE! => ${item} => ${this.dump(result, task)}`,
          "unreachable"
        );
        break;
      default:
        if (task.module === "include_tasks" || task.module === "include_role") {
          this.included(task, outcome, ` => ${item}`);
          break;
        }
        this.line(
          `${outcome.status}: ${host} => ${item}${this.details(result, task)}`,
          outcome.status
        );
    }
  }
  /** As Ansible: `included: <file> for <host>` for include_tasks (unless the file has no tasks); nothing for include_role. */
  included(task, outcome, suffix) {
    if (task.module !== "include_tasks" || outcome.included === void 0) return;
    this.line(`included: ${outcome.included} for ${outcome.host}${suffix}`, "ok");
  }
  hostResult(task, outcome) {
    const result = outcome.result;
    const host = `[${hostLabel(outcome)}]`;
    const isLoop2 = Array.isArray(outcome.result["results"]);
    if ((this.options.diff || task.diff) && (outcome.status === "ok" || outcome.status === "changed"))
      this.fileDiff(result, task);
    if (this.hidden(outcome.status, task)) return;
    if (!isLoop2) this.notices(result, task);
    switch (outcome.status) {
      case "failed":
        if (!isLoop2) this.line(`fatal: ${host}: FAILED! => ${this.dump(result, task)}`, "failed");
        if (outcome.ignored) this.line("...ignoring", "skipped");
        break;
      case "unreachable":
        if (!isLoop2)
          this.line(`fatal: ${host}: UNREACHABLE! => ${this.dump(result, task)}`, "unreachable");
        if (outcome.ignored) this.line("...ignoring", "skipped");
        break;
      case "skipped":
        if (!isLoop2) this.line(`skipping: ${host}`, "skipped");
        break;
      default:
        if (isLoop2) break;
        if (task.module === "include_tasks" || task.module === "include_role")
          this.included(task, outcome, "");
        else this.line(`${outcome.status}: ${host}${this.details(result, task)}`, outcome.status);
    }
  }
  retrying(task, host, retriesLeft, result) {
    const label = hostLabel({ host, result });
    let line = `FAILED - RETRYING: [${label}]: ${task.name} (${retriesLeft} retries left).`;
    if (this.options.verbosity >= 2) line += `Result was: ${this.dump(result, task)}`;
    this.line(line, "retry");
  }
  /** Whether lines of this status are hidden (ANSIBLE_DISPLAY_OK_HOSTS / _SKIPPED_HOSTS). */
  hidden(status, task) {
    if (task.module === "include_tasks" || task.module === "include_role") return false;
    if (status === "ok") return this.options.displayOkHosts === false;
    if (status === "skipped") return this.options.displaySkippedHosts === false;
    return false;
  }
  /**
   * What Ansible prints before a result line: the module's `warnings`, and for a result with an
   * `exception`, its last line (the whole of it at -vvv).
   */
  notices(result, task) {
    if (task.noLog) return;
    const exception = result["exception"];
    if (typeof exception === "string") {
      const text5 = this.options.verbosity < 3 ? `An exception occurred during task execution. To see the full traceback, use -vvv. The error was: ${exception.trim().split("\n").pop() ?? ""}` : `The full traceback is:
${exception}`;
      this.line(text5, "failed");
    }
    const warnings = result["warnings"];
    if (Array.isArray(warnings)) for (const w of warnings) this.warning(String(w));
  }
  /**
   * Ansible's file diff for a changed result with a `diff`, before its status line: never for a no_log
   * task (Ansible's callbacks only see the censored result, which has no diff).
   */
  fileDiff(result, task) {
    if (task.noLog || !result["changed"] || !("diff" in result) || !pyTruthy(result["diff"])) return;
    const pieces = diffPieces(
      result["diff"],
      this.options.diffContext !== void 0 ? { context: this.options.diffContext } : {}
    );
    if (pieces.length === 0) return;
    if (this.pendingBanner !== void 0) this.banner(this.pendingBanner);
    let text5 = "";
    for (const piece of pieces) {
      const inert = piece.text.split("\n").map((part) => visibleControls(part)).join("\n");
      text5 += this.options.color && piece.paint ? inert.split("\n").map((part) => `\x1B[0;${DIFF_COLORS[piece.paint]}m${part}\x1B[0m`).join("\n") : inert;
    }
    this.write(text5.endsWith("\n") ? text5 : text5 + "\n");
  }
  noMoreHosts() {
    this.banner("NO MORE HOSTS LEFT");
  }
  log(host, task, line) {
    const prefix = host ? `[${host}]${task ? ` ${task.name}` : ""} | ` : "";
    for (const l of line.split("\n")) this.write(`${visibleControls(prefix + l)}
`);
  }
  warning(message2, level = "warning") {
    if (level === "deprecation") {
      if (this.deprecationsShown.has(message2)) return;
      this.deprecationsShown.add(message2);
    }
    const text5 = noticeLine(message2, level, this.options.deprecationWarnings !== false);
    if (text5 === void 0) return;
    const writeError = this.options.writeError;
    if (level === "error" && writeError)
      writeError(`${this.paint(visibleControls(text5), "failed")}
`);
    else this.line(text5, level === "error" ? "failed" : "warn");
  }
  recap(stats, custom) {
    this.banner("PLAY RECAP");
    for (const host of Object.keys(stats).sort()) {
      const s = stats[host];
      const color = s.failed > 0 || s.unreachable > 0 ? "failed" : s.changed > 0 ? "changed" : "ok";
      const cell = (name, n, c) => this.paint(`${name}=${String(n).padEnd(4)}`, n > 0 ? c : void 0);
      const cells = [
        cell("ok", s.ok, "ok"),
        cell("changed", s.changed, "changed"),
        cell("unreachable", s.unreachable, "unreachable"),
        cell("failed", s.failed, "failed"),
        cell("skipped", s.skipped, "skipped"),
        cell("rescued", s.rescued, "ok"),
        cell("ignored", s.ignored, "warn")
      ];
      this.write(`${this.paint(visibleControls(host).padEnd(26), color)} : ${cells.join(" ")}
`);
    }
    this.write("\n");
    if (custom && this.options.showCustomStats) this.customStats(custom);
  }
  /** Ansible's CUSTOM STATS lines: each host's values, then the run's, as one-line JSON. */
  customStats(custom) {
    this.banner("CUSTOM STATS:");
    const oneLine = (values) => visibleControls(pythonJson(values, 1).replace(/\n/g, ""));
    for (const [host, values] of Object.entries(custom)) {
      if (host === "_run") continue;
      this.write(`	${visibleControls(host)}: ${oneLine(values)}
`);
    }
    if (custom["_run"]) this.write(`
	RUN: ${oneLine(custom["_run"])}
`);
    this.write("\n");
  }
  details(result, task) {
    if (!shownInFull(result, task) && this.options.verbosity < 1) return "";
    return ` => ${this.dump(result, task)}`;
  }
  dump(result, task) {
    const shown = task.noLog ? { censored: NO_LOG_MESSAGE } : {};
    if (task.noLog) {
      for (const k of NO_LOG_PRESERVED) if (k in result) shown[k] = result[k];
    } else {
      for (const [k, v] of Object.entries(result)) {
        if (STATUS_KEYS.has(k) || k === "invocation" && this.options.verbosity < 3) continue;
        if (k === "diff" && this.options.verbosity < 3) continue;
        if (k === "warnings" || k === "exception") continue;
        if (!k.startsWith("_ansible_")) shown[k] = stripInternalKeys(v);
      }
    }
    const display = MODULES.get(task.module)?.display;
    const fields = display?.shownFields ? display.shownFields(shown) : shown;
    const indent = shownInFull(result, task) || this.options.verbosity >= 3 ? 4 : void 0;
    return pythonJson(fields, indent);
  }
  banner(text5) {
    this.pendingBanner = void 0;
    const title = visibleControls(text5);
    const stars = "*".repeat(Math.max(3, BANNER_WIDTH - title.length));
    this.write(`
${title} ${stars}
`);
  }
  line(text5, color) {
    if (this.pendingBanner !== void 0) this.banner(this.pendingBanner);
    this.write(`${this.paint(visibleControls(text5), color)}
`);
  }
  paint(text5, color) {
    if (!this.options.color || !color) return text5;
    return `\x1B[0;${COLORS[color]}m${text5}\x1B[0m`;
  }
};
function shownInFull(result, task) {
  if (result[SHOW_RESULT] === true) return true;
  return MODULES.get(task.module)?.display?.shownInFull?.(result) ?? false;
}
function stripInternalKeys(value) {
  if (Array.isArray(value)) return value.map(stripInternalKeys);
  if (!isRecord(value)) return value;
  const out = {};
  for (const [k, v] of Object.entries(value))
    if (!k.startsWith("_ansible_")) out[k] = stripInternalKeys(v);
  return out;
}
function hostLabel(outcome) {
  const delegate = outcome.result[DELEGATED_TO];
  if (!delegate || delegate.name === outcome.host) return outcome.host;
  const address = delegate.address === delegate.name ? "" : `(${delegate.address})`;
  return `${outcome.host} -> ${delegate.name}${address}`;
}

// src/report/results-document.ts
var ResultsCollector = class {
  // Host names are keys here: null-prototype objects, so __proto__ or constructor is a host like any other.
  document = { ok: true, stats: dict(), plays: [], jobs: dict() };
  currentTasks;
  entries = /* @__PURE__ */ new Map();
  playStart(name, location) {
    const play = { name, file: location?.file, line: location?.line, tasks: [] };
    this.document.plays.push(play);
    this.currentTasks = play.tasks;
  }
  taskStart(task) {
    const entry = {
      name: task.name,
      module: task.module,
      file: task.location?.file,
      line: task.location?.line,
      ...task.handler ? { handler: true } : {},
      results: dict()
    };
    this.entries.set(task, entry);
    this.currentTasks?.push(entry);
  }
  itemResult() {
  }
  hostResult(task, outcome) {
    const entry = this.entries.get(task);
    if (!entry) return;
    entry.results[outcome.host] = {
      status: outcome.status,
      started_at: new Date(Date.now() - outcome.durationMs).toISOString(),
      ...outcome.ignored ? { ignored: true } : {},
      duration_ms: outcome.durationMs,
      result: task.noLog ? censor(outcome.result) : outcome.result
    };
  }
  retrying() {
  }
  noMoreHosts() {
  }
  log() {
  }
  warning() {
  }
  /**
   * The document so far, for a run that is being cancelled: the recap is counted from the results that
   * are in.
   */
  partialDocument() {
    const stats = dict();
    for (const play of this.document.plays) {
      for (const task of play.tasks) {
        for (const [host, entry] of Object.entries(task.results)) {
          const s = stats[host] ??= {
            ok: 0,
            changed: 0,
            failed: 0,
            unreachable: 0,
            skipped: 0,
            rescued: 0,
            ignored: 0
          };
          if (entry.status === "unreachable" && !entry.ignored) s.unreachable++;
          else if (entry.status === "skipped") s.skipped++;
          else if (entry.status === "failed" && !entry.ignored) s.failed++;
          else {
            s.ok++;
            if (entry.ignored) s.ignored++;
            if (entry.status === "changed" || entry.result["changed"] === true) s.changed++;
          }
        }
      }
    }
    return {
      ...this.document,
      ok: false,
      stats: Object.keys(this.document.stats).length > 0 ? this.document.stats : stats
    };
  }
  recap(stats, custom) {
    this.document.stats = stats;
    if (custom) this.document.custom_stats = custom;
    this.document.ok = Object.values(stats).every((s) => s.failed === 0 && s.unreachable === 0);
  }
};

// src/engine.ts
setHostPatternEvaluator((patterns, groups) => {
  const all = groups["all"] ?? [...new Set(Object.values(groups).flat())];
  return evaluatePatterns(splitHostPattern(patterns), {
    hostNames: () => [...all],
    groupNames: () => Object.keys(groups),
    groupHosts: (group) => [...groups[group] ?? []],
    hasHost: (name) => all.includes(name),
    localhostFor: (name) => name
  });
});
async function executeRun(settings, write, options2 = {}) {
  const inventoryOptions = settings.allowInventoryScripts ? { allowScripts: true } : {};
  const requirements = await installRunRequirements(settings);
  for (const line of requirements?.log ?? []) write(`${line}
`);
  const playbook = typeof settings.playbook === "string" ? loadPlaybook(settings.playbook, MODULE_CATALOG, settings.cwd, {
    ...settings.rolesPath ? { rolesPath: settings.rolesPath } : {},
    ...requirements ? { installed: requirements.roles } : {}
  }) : settings.playbook;
  const jobs = settings.jobs ? parseJobsDocument(settings.jobs.text, settings.jobs.source) : void 0;
  if (!playbook && !jobs)
    throw new OptionError("a playbook is required (or --jobs to gather the jobs of an earlier run)");
  const inventory = settings.inventories.length > 0 ? loadInventory(settings.inventories, inventoryOptions) : defaultInventory();
  for (const dir of /* @__PURE__ */ new Set([
    playbook?.baseDir,
    ...(playbook?.plays ?? []).map((play) => play.playbookFileDir)
  ]))
    inventory.preloadVars(dir);
  const extraVars = {};
  for (const value of settings.extraVars)
    Object.assign(extraVars, parseExtraVars(value, settings.cwd));
  const templar = new Templar();
  if (settings.listing && playbook) {
    const notices = new ConsoleReporter(write, {
      color: settings.color,
      verbosity: settings.verbosity,
      ...settings.deprecationWarnings === false ? { deprecationWarnings: false } : {}
    });
    startWarnings(settings, requirements, inventory, playbook, notices);
    write(
      listPlaybook(settings.listing, {
        playbook,
        shownPath: typeof settings.playbook === "string" && !settings.playbook.includes("\n") ? settings.playbook : playbook.file,
        inventory,
        templar,
        extraVars,
        limit: settings.limit,
        shard: settings.shard,
        tags: settings.tags
      })
    );
    return { exitCode: 0, document: { ok: true, stats: dict(), plays: [], jobs: dict() } };
  }
  if (jobs && settings.jobs) {
    const variables = new VariableManager(inventory, templar, extraVars);
    adoptHandedOverJobs(
      jobs,
      (host) => variables.scope(host, {
        playVars: {},
        playHosts: [host],
        playBatch: [host],
        playbookDir: settings.cwd
      }),
      settings.jobs.source
    );
  }
  const collector = new ResultsCollector();
  const registry = jobs ?? new JobRegistry();
  if (options2.live) {
    options2.live.collector = collector;
    options2.live.registry = registry;
  }
  const console = settings.adhocOutput ? new AdhocReporter(write) : new ConsoleReporter(write, {
    color: settings.color,
    verbosity: settings.verbosity,
    ...settings.showCustomStats ? { showCustomStats: true } : {},
    ...settings.diff ? { diff: true } : {},
    ...settings.deprecationWarnings === false ? { deprecationWarnings: false } : {},
    ...settings.diffContext !== void 0 ? { diffContext: settings.diffContext } : {},
    ...options2.writeError ? { writeError: options2.writeError } : {},
    ...settings.display ? {
      displayOkHosts: settings.display.okHosts,
      displaySkippedHosts: settings.display.skippedHosts
    } : {}
  });
  const events = combineEvents(
    ...options2.beforeConsole ?? [],
    console,
    collector,
    ...options2.extraEvents ?? []
  );
  startWarnings(settings, requirements, inventory, playbook, events);
  const stopListening = onHostKeyAccepted((accepted) => events.warning(accepted.warning));
  forgetConnectionNotices();
  const lookupWarnings = /* @__PURE__ */ new Set();
  const previousLookupSink = setLookupWarningSink((message2) => {
    if (lookupWarnings.has(message2)) return;
    lookupWarnings.add(message2);
    events.warning(message2);
  });
  const stopNotices = onConnectionNotice(
    (notice) => notice.level === "warning" ? events.warning(notice.text) : events.log(notice.host, void 0, notice.text)
  );
  const startAtTask = settings.startAtTask !== void 0 ? { pattern: settings.startAtTask, found: false } : void 0;
  const retryFiles = settings.retryFiles;
  const playbookPath = typeof settings.playbook === "string" && !settings.playbook.includes("\n") ? path26.resolve(settings.cwd, settings.playbook) : void 0;
  const engineOptions = {
    ...startAtTask ? { startAtTask } : {},
    ...retryFiles && playbookPath ? {
      beforeRecap: (hosts) => {
        const written = writeRetryFile(hosts, playbookPath, retryFiles.savePath, settings.cwd);
        if (written.file) write(`	to retry, use: --limit @${written.file}
`);
        if (written.problem) events.warning(written.problem);
      }
    } : {},
    inventory,
    templar,
    extraVars,
    ...options2.varsPrompter ? { varsPrompter: options2.varsPrompter } : {},
    limit: settings.limit,
    forks: settings.forks,
    connectionDefaults: settings.connection,
    openConnection,
    events,
    commandTimeoutMs: settings.commandTimeoutMs,
    signal: options2.signal,
    jobs: registry,
    shard: settings.shard,
    become: settings.become,
    tags: settings.tags,
    forceHandlers: settings.forceHandlers,
    verbosity: settings.verbosity,
    inventorySources: settings.inventories.map(inventorySource),
    ...settings.configFile !== void 0 ? { configFile: settings.configFile } : {},
    ...settings.gathering !== void 0 ? { gathering: settings.gathering } : {},
    ...settings.noLog !== void 0 ? { defaultNoLog: settings.noLog } : {},
    ...settings.check ? { check: true } : {},
    ...settings.diff ? { diff: true } : {},
    errorOnMissingHandler: settings.errorOnMissingHandler,
    // meta: refresh_inventory reads the inventory sources again.
    ...settings.inventories.length > 0 ? { reloadInventory: () => loadInventory(settings.inventories, inventoryOptions) } : {}
  };
  let summary;
  try {
    summary = playbook ? await runPlaybook(playbook, engineOptions) : await gatherJobs(registry, {
      ...engineOptions,
      timeoutSeconds: settings.gatherTimeoutSeconds ?? DEFAULTS.gatherTimeoutSeconds
    });
    if (startAtTask && !startAtTask.found)
      events.warning(
        `No matching task "${startAtTask.pattern}" found. Note: --start-at-task can only follow static includes.`,
        "error"
      );
  } finally {
    stopListening();
    stopNotices();
    setLookupWarningSink(previousLookupSink);
  }
  const document = collector.document;
  document.ok = summary.exitCode === 0;
  if (options2.signal?.aborted) {
    document.ok = false;
    document.cancelled = true;
  }
  document.jobs = jobsDocument(summary.jobs);
  if (settings.jsonPath)
    writeResultsDocument(path26.resolve(settings.cwd, settings.jsonPath), document);
  return { exitCode: summary.exitCode, document };
}
async function installRunRequirements(settings) {
  const wanted = settings.requirements;
  if (!wanted) return void 0;
  const playbookDir = typeof settings.playbook === "string" && !settings.playbook.includes("\n") ? path26.dirname(path26.resolve(settings.cwd, settings.playbook)) : settings.cwd;
  const files = [
    ...wanted.files.map((file) => path26.resolve(settings.cwd, file)),
    ...wanted.auto ? findRequirementsFiles([playbookDir, settings.cwd]) : []
  ];
  if (files.length === 0) return void 0;
  const implemented = /* @__PURE__ */ new Set(["ansible.builtin", "ansible.legacy"]);
  for (const name of MODULE_CATALOG.fqcns?.keys() ?? [])
    implemented.add(name.split(".").slice(0, 2).join("."));
  return installRequirements([...new Set(files)], {
    cacheDir: wanted.cacheDir ?? defaultRequirementsCache(),
    implementedCollections: implemented,
    cwd: settings.cwd,
    ...wanted.galaxyServer !== void 0 ? { galaxyServer: wanted.galaxyServer } : {}
  });
}
function startWarnings(settings, requirements, inventory, playbook, events) {
  for (const warning of settings.configWarnings ?? []) events.warning(warning);
  for (const warning of requirements?.warnings ?? []) events.warning(warning);
  for (const warning of inventory.warnings) events.warning(warning);
  for (const warning of playbook?.warnings ?? []) events.warning(warning);
  for (const deprecation of playbook?.deprecations ?? []) events.warning(deprecation, "deprecation");
  if (playbook) {
    const target = settings.adhocOutput ? playbook.plays[0]?.hosts ?? "all" : "all";
    checkLimit(inventory, target, settings.limit, (w) => events.warning(w));
  }
}
function checkLimit(inventory, target, limit, warn) {
  if (limit === void 0 || limit.trim() === "") return;
  for (const part of splitHostPattern(limit)) {
    const bare = part.replace(/^[&!]/, "");
    if (bare === "" || bare.startsWith("@")) continue;
    if (inventory.select(bare).length === 0)
      warn(`Could not match supplied host pattern, ignoring: ${bare}`);
  }
  if (applyLimit(inventory.select(target), inventory, limit).length === 0) {
    throw new NoHostsError(
      `Specified inventory, host pattern and/or --limit leaves us with no hosts to target (the limit '${limit}' matches none of the hosts of the inventory${target === "all" ? "" : ` in '${String(target)}'`}).`
    );
  }
}
function writeResultsDocument(file, document) {
  const text5 = JSON.stringify(document, null, 2) + "\n";
  mkdirSync3(path26.dirname(file), { recursive: true });
  const existing = statSync9(file, { throwIfNoEntry: false });
  if (existing && !existing.isFile()) {
    writeFileSync3(file, text5);
    return;
  }
  const temp = path26.join(
    path26.dirname(file),
    `.${path26.basename(file)}.${process.pid}-${randomBytes10(6).toString("hex")}.tmp`
  );
  const fd = openSync(temp, "wx", 384);
  try {
    try {
      fchmodSync(fd, 384);
      writeFileSync3(fd, text5);
    } finally {
      closeSync(fd);
    }
    renameSync4(temp, file);
  } catch (error) {
    rmSync4(temp, { force: true });
    throw error;
  }
}
function inventorySource(source) {
  if (source.includes("\n")) return "<inventory text>";
  return source.includes(",") ? source : path26.resolve(source);
}
function writeRetryFile(hosts, playbookPath, savePath, cwd) {
  if (hosts.length === 0) return {};
  const dir = savePath ? path26.resolve(cwd, savePath) : path26.dirname(playbookPath);
  const file = path26.join(dir, `${path26.parse(playbookPath).name}.retry`);
  try {
    mkdirSync3(dir, { recursive: true });
    writeFileSync3(file, hosts.map((host) => `${host}
`).join(""));
    return { file };
  } catch (error) {
    return {
      problem: `Could not create retry file '${file}'.
	${error instanceof Error ? error.message : String(error)}`
    };
  }
}

export {
  MODULE_CATALOG,
  DIFF_CONTEXT,
  entryDiffText,
  executeRun,
  writeResultsDocument
};
