import { createRequire as __apCreateRequire } from 'node:module';
import { fileURLToPath as __apFileURLToPath } from 'node:url';
import { dirname as __apDirname } from 'node:path';
const require = __apCreateRequire(import.meta.url);
const __filename = __apFileURLToPath(import.meta.url);
const __dirname = __apDirname(__filename);
import {
  ANSIBLE_OUTPUT_AND_HANDLER_NAMES,
  DEFAULTS,
  HostConnections,
  MAX_JOBS_TEXT_BYTES,
  OptionError,
  Templar,
  VariableManager,
  adoptHandedOverJob,
  defaultInventory,
  defaultKnownHostsPath,
  environmentWithConfig,
  inertLine,
  jobsDocument,
  killCommand,
  loadInventory,
  openConnection,
  parseJobsDocument,
  parseKill,
  parseShard,
  parseTagList,
  privateKeyProblem,
  readAnsibleConfig,
  readAnsibleEnvironment,
  readJobsArgument,
  runSettingsFrom
} from "./chunk-FOE3WLQZ.js";

// node_modules/@actions/core/lib/command.js
import * as os from "os";

// node_modules/@actions/core/lib/utils.js
function toCommandValue(input) {
  if (input === null || input === void 0) {
    return "";
  } else if (typeof input === "string" || input instanceof String) {
    return input;
  }
  return JSON.stringify(input);
}
function toCommandProperties(annotationProperties) {
  if (!Object.keys(annotationProperties).length) {
    return {};
  }
  return {
    title: annotationProperties.title,
    file: annotationProperties.file,
    line: annotationProperties.startLine,
    endLine: annotationProperties.endLine,
    col: annotationProperties.startColumn,
    endColumn: annotationProperties.endColumn
  };
}

// node_modules/@actions/core/lib/command.js
function issueCommand(command, properties, message) {
  const cmd = new Command(command, properties, message);
  process.stdout.write(cmd.toString() + os.EOL);
}
function issue(name, message = "") {
  issueCommand(name, {}, message);
}
var CMD_STRING = "::";
var Command = class {
  constructor(command, properties, message) {
    if (!command) {
      command = "missing.command";
    }
    this.command = command;
    this.properties = properties;
    this.message = message;
  }
  toString() {
    let cmdStr = CMD_STRING + this.command;
    if (this.properties && Object.keys(this.properties).length > 0) {
      cmdStr += " ";
      let first = true;
      for (const key in this.properties) {
        if (this.properties.hasOwnProperty(key)) {
          const val = this.properties[key];
          if (val) {
            if (first) {
              first = false;
            } else {
              cmdStr += ",";
            }
            cmdStr += `${key}=${escapeProperty(val)}`;
          }
        }
      }
    }
    cmdStr += `${CMD_STRING}${escapeData(this.message)}`;
    return cmdStr;
  }
};
function escapeData(s) {
  return toCommandValue(s).replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}
function escapeProperty(s) {
  return toCommandValue(s).replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A").replace(/:/g, "%3A").replace(/,/g, "%2C");
}

// node_modules/@actions/core/lib/file-command.js
import * as crypto from "crypto";
import * as fs from "fs";
import * as os2 from "os";
function issueFileCommand(command, message) {
  const filePath = process.env[`GITHUB_${command}`];
  if (!filePath) {
    throw new Error(`Unable to find environment variable for file command ${command}`);
  }
  if (!fs.existsSync(filePath)) {
    throw new Error(`Missing file at path: ${filePath}`);
  }
  fs.appendFileSync(filePath, `${toCommandValue(message)}${os2.EOL}`, {
    encoding: "utf8"
  });
}
function prepareKeyValueMessage(key, value) {
  const delimiter = `ghadelimiter_${crypto.randomUUID()}`;
  const convertedValue = toCommandValue(value);
  if (key.includes(delimiter)) {
    throw new Error(`Unexpected input: name should not contain the delimiter "${delimiter}"`);
  }
  if (convertedValue.includes(delimiter)) {
    throw new Error(`Unexpected input: value should not contain the delimiter "${delimiter}"`);
  }
  return `${key}<<${delimiter}${os2.EOL}${convertedValue}${os2.EOL}${delimiter}`;
}

// node_modules/@actions/core/lib/core.js
import * as os4 from "os";

// node_modules/@actions/core/lib/summary.js
import { EOL as EOL3 } from "os";
import { constants, promises } from "fs";
var __awaiter = function(thisArg, _arguments, P, generator) {
  function adopt(value) {
    return value instanceof P ? value : new P(function(resolve) {
      resolve(value);
    });
  }
  return new (P || (P = Promise))(function(resolve, reject) {
    function fulfilled(value) {
      try {
        step(generator.next(value));
      } catch (e) {
        reject(e);
      }
    }
    function rejected(value) {
      try {
        step(generator["throw"](value));
      } catch (e) {
        reject(e);
      }
    }
    function step(result) {
      result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected);
    }
    step((generator = generator.apply(thisArg, _arguments || [])).next());
  });
};
var { access, appendFile, writeFile } = promises;
var SUMMARY_ENV_VAR = "GITHUB_STEP_SUMMARY";
var Summary = class {
  constructor() {
    this._buffer = "";
  }
  /**
   * Finds the summary file path from the environment, rejects if env var is not found or file does not exist
   * Also checks r/w permissions.
   *
   * @returns step summary file path
   */
  filePath() {
    return __awaiter(this, void 0, void 0, function* () {
      if (this._filePath) {
        return this._filePath;
      }
      const pathFromEnv = process.env[SUMMARY_ENV_VAR];
      if (!pathFromEnv) {
        throw new Error(`Unable to find environment variable for $${SUMMARY_ENV_VAR}. Check if your runtime environment supports job summaries.`);
      }
      try {
        yield access(pathFromEnv, constants.R_OK | constants.W_OK);
      } catch (_a) {
        throw new Error(`Unable to access summary file: '${pathFromEnv}'. Check if the file has correct read/write permissions.`);
      }
      this._filePath = pathFromEnv;
      return this._filePath;
    });
  }
  /**
   * Wraps content in an HTML tag, adding any HTML attributes
   *
   * @param {string} tag HTML tag to wrap
   * @param {string | null} content content within the tag
   * @param {[attribute: string]: string} attrs key-value list of HTML attributes to add
   *
   * @returns {string} content wrapped in HTML element
   */
  wrap(tag, content, attrs = {}) {
    const htmlAttrs = Object.entries(attrs).map(([key, value]) => ` ${key}="${value}"`).join("");
    if (!content) {
      return `<${tag}${htmlAttrs}>`;
    }
    return `<${tag}${htmlAttrs}>${content}</${tag}>`;
  }
  /**
   * Writes text in the buffer to the summary buffer file and empties buffer. Will append by default.
   *
   * @param {SummaryWriteOptions} [options] (optional) options for write operation
   *
   * @returns {Promise<Summary>} summary instance
   */
  write(options) {
    return __awaiter(this, void 0, void 0, function* () {
      const overwrite = !!(options === null || options === void 0 ? void 0 : options.overwrite);
      const filePath = yield this.filePath();
      const writeFunc = overwrite ? writeFile : appendFile;
      yield writeFunc(filePath, this._buffer, { encoding: "utf8" });
      return this.emptyBuffer();
    });
  }
  /**
   * Clears the summary buffer and wipes the summary file
   *
   * @returns {Summary} summary instance
   */
  clear() {
    return __awaiter(this, void 0, void 0, function* () {
      return this.emptyBuffer().write({ overwrite: true });
    });
  }
  /**
   * Returns the current summary buffer as a string
   *
   * @returns {string} string of summary buffer
   */
  stringify() {
    return this._buffer;
  }
  /**
   * If the summary buffer is empty
   *
   * @returns {boolen} true if the buffer is empty
   */
  isEmptyBuffer() {
    return this._buffer.length === 0;
  }
  /**
   * Resets the summary buffer without writing to summary file
   *
   * @returns {Summary} summary instance
   */
  emptyBuffer() {
    this._buffer = "";
    return this;
  }
  /**
   * Adds raw text to the summary buffer
   *
   * @param {string} text content to add
   * @param {boolean} [addEOL=false] (optional) append an EOL to the raw text (default: false)
   *
   * @returns {Summary} summary instance
   */
  addRaw(text, addEOL = false) {
    this._buffer += text;
    return addEOL ? this.addEOL() : this;
  }
  /**
   * Adds the operating system-specific end-of-line marker to the buffer
   *
   * @returns {Summary} summary instance
   */
  addEOL() {
    return this.addRaw(EOL3);
  }
  /**
   * Adds an HTML codeblock to the summary buffer
   *
   * @param {string} code content to render within fenced code block
   * @param {string} lang (optional) language to syntax highlight code
   *
   * @returns {Summary} summary instance
   */
  addCodeBlock(code, lang) {
    const attrs = Object.assign({}, lang && { lang });
    const element = this.wrap("pre", this.wrap("code", code), attrs);
    return this.addRaw(element).addEOL();
  }
  /**
   * Adds an HTML list to the summary buffer
   *
   * @param {string[]} items list of items to render
   * @param {boolean} [ordered=false] (optional) if the rendered list should be ordered or not (default: false)
   *
   * @returns {Summary} summary instance
   */
  addList(items, ordered = false) {
    const tag = ordered ? "ol" : "ul";
    const listItems = items.map((item) => this.wrap("li", item)).join("");
    const element = this.wrap(tag, listItems);
    return this.addRaw(element).addEOL();
  }
  /**
   * Adds an HTML table to the summary buffer
   *
   * @param {SummaryTableCell[]} rows table rows
   *
   * @returns {Summary} summary instance
   */
  addTable(rows) {
    const tableBody = rows.map((row) => {
      const cells = row.map((cell) => {
        if (typeof cell === "string") {
          return this.wrap("td", cell);
        }
        const { header, data, colspan, rowspan } = cell;
        const tag = header ? "th" : "td";
        const attrs = Object.assign(Object.assign({}, colspan && { colspan }), rowspan && { rowspan });
        return this.wrap(tag, data, attrs);
      }).join("");
      return this.wrap("tr", cells);
    }).join("");
    const element = this.wrap("table", tableBody);
    return this.addRaw(element).addEOL();
  }
  /**
   * Adds a collapsable HTML details element to the summary buffer
   *
   * @param {string} label text for the closed state
   * @param {string} content collapsable content
   *
   * @returns {Summary} summary instance
   */
  addDetails(label, content) {
    const element = this.wrap("details", this.wrap("summary", label) + content);
    return this.addRaw(element).addEOL();
  }
  /**
   * Adds an HTML image tag to the summary buffer
   *
   * @param {string} src path to the image you to embed
   * @param {string} alt text description of the image
   * @param {SummaryImageOptions} options (optional) addition image attributes
   *
   * @returns {Summary} summary instance
   */
  addImage(src, alt, options) {
    const { width, height } = options || {};
    const attrs = Object.assign(Object.assign({}, width && { width }), height && { height });
    const element = this.wrap("img", null, Object.assign({ src, alt }, attrs));
    return this.addRaw(element).addEOL();
  }
  /**
   * Adds an HTML section heading element
   *
   * @param {string} text heading text
   * @param {number | string} [level=1] (optional) the heading level, default: 1
   *
   * @returns {Summary} summary instance
   */
  addHeading(text, level) {
    const tag = `h${level}`;
    const allowedTag = ["h1", "h2", "h3", "h4", "h5", "h6"].includes(tag) ? tag : "h1";
    const element = this.wrap(allowedTag, text);
    return this.addRaw(element).addEOL();
  }
  /**
   * Adds an HTML thematic break (<hr>) to the summary buffer
   *
   * @returns {Summary} summary instance
   */
  addSeparator() {
    const element = this.wrap("hr", null);
    return this.addRaw(element).addEOL();
  }
  /**
   * Adds an HTML line break (<br>) to the summary buffer
   *
   * @returns {Summary} summary instance
   */
  addBreak() {
    const element = this.wrap("br", null);
    return this.addRaw(element).addEOL();
  }
  /**
   * Adds an HTML blockquote to the summary buffer
   *
   * @param {string} text quote text
   * @param {string} cite (optional) citation url
   *
   * @returns {Summary} summary instance
   */
  addQuote(text, cite) {
    const attrs = Object.assign({}, cite && { cite });
    const element = this.wrap("blockquote", text, attrs);
    return this.addRaw(element).addEOL();
  }
  /**
   * Adds an HTML anchor tag to the summary buffer
   *
   * @param {string} text link text/content
   * @param {string} href hyperlink
   *
   * @returns {Summary} summary instance
   */
  addLink(text, href) {
    const element = this.wrap("a", text, { href });
    return this.addRaw(element).addEOL();
  }
};
var _summary = new Summary();
var summary = _summary;

// node_modules/@actions/core/lib/platform.js
import os3 from "os";

// node_modules/@actions/io/lib/io-util.js
import * as fs2 from "fs";
var { chmod, copyFile, lstat, mkdir, open, readdir, rename, rm, rmdir, stat, symlink, unlink } = fs2.promises;
var IS_WINDOWS = process.platform === "win32";
var READONLY = fs2.constants.O_RDONLY;

// node_modules/@actions/exec/lib/toolrunner.js
var IS_WINDOWS2 = process.platform === "win32";

// node_modules/@actions/core/lib/platform.js
var platform = os3.platform();
var arch = os3.arch();

// node_modules/@actions/core/lib/core.js
var ExitCode;
(function(ExitCode2) {
  ExitCode2[ExitCode2["Success"] = 0] = "Success";
  ExitCode2[ExitCode2["Failure"] = 1] = "Failure";
})(ExitCode || (ExitCode = {}));
function setSecret(secret) {
  issueCommand("add-mask", {}, secret);
}
function getInput(name, options) {
  const val = process.env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] || "";
  if (options && options.required && !val) {
    throw new Error(`Input required and not supplied: ${name}`);
  }
  if (options && options.trimWhitespace === false) {
    return val;
  }
  return val.trim();
}
function setOutput(name, value) {
  const filePath = process.env["GITHUB_OUTPUT"] || "";
  if (filePath) {
    return issueFileCommand("OUTPUT", prepareKeyValueMessage(name, value));
  }
  process.stdout.write(os4.EOL);
  issueCommand("set-output", { name }, toCommandValue(value));
}
function setFailed(message) {
  process.exitCode = ExitCode.Failure;
  error(message);
}
function isDebug() {
  return process.env["RUNNER_DEBUG"] === "1";
}
function error(message, properties = {}) {
  issueCommand("error", toCommandProperties(properties), message instanceof Error ? message.toString() : message);
}
function warning(message, properties = {}) {
  issueCommand("warning", toCommandProperties(properties), message instanceof Error ? message.toString() : message);
}
function notice(message, properties = {}) {
  issueCommand("notice", toCommandProperties(properties), message instanceof Error ? message.toString() : message);
}
function info(message) {
  process.stdout.write(message + os4.EOL);
}
function startGroup(name) {
  issue("group", name);
}
function endGroup() {
  issue("endgroup");
}
function saveState(name, value) {
  const filePath = process.env["GITHUB_STATE"] || "";
  if (filePath) {
    return issueFileCommand("STATE", prepareKeyValueMessage(name, value));
  }
  issueCommand("save-state", { name }, toCommandValue(value));
}
function getState(name) {
  return process.env[`STATE_${name}`] || "";
}

// src/action/constants.ts
var Inputs = {
  Playbook: "playbook",
  Inventory: "inventory",
  PrivateKey: "private-key",
  Passphrase: "passphrase",
  Password: "password",
  User: "user",
  Port: "port",
  KnownHosts: "known-hosts",
  JumpHost: "jump-host",
  HostKeyChecking: "host-key-checking",
  BecomePassword: "become-password",
  VaultPassword: "vault-password",
  InstallRequirements: "install-requirements",
  Requirements: "requirements",
  AllowInventoryScripts: "allow-inventory-scripts",
  ExtraVars: "extra-vars",
  Limit: "limit",
  Forks: "forks",
  Shard: "shard",
  Tags: "tags",
  SkipTags: "skip-tags",
  Check: "check",
  Diff: "diff",
  Mode: "mode",
  Jobs: "jobs",
  Timeout: "timeout",
  Summary: "summary",
  Annotations: "annotations",
  Comment: "comment",
  GithubToken: "github-token",
  Matrix: "matrix",
  FailOn: "fail-on",
  OnCancel: "on-cancel",
  ResultsFile: "results-file"
};
var Outputs = {
  Results: "results",
  ResultsFile: "results-file",
  Stats: "stats",
  CustomStats: "custom-stats",
  Jobs: "jobs",
  FailedHosts: "failed-hosts",
  UnreachableHosts: "unreachable-hosts",
  Changed: "changed",
  Plan: "plan",
  Ok: "ok"
};
var State = {
  IsPost: "isPost",
  Cancelled: "cancelled",
  /** Path of the 0600 file under RUNNER_TEMP that holds the jobs this step launched (never the jobs: see saveLaunchedJobs). */
  LaunchedJobsFile: "launchedJobsFile"
};
var MAX_OUTPUT_BYTES = 1e6;
var MAX_INPUT_VALUE_BYTES = 128 * 1024 - `INPUT_${Inputs.Jobs.toUpperCase()}=`.length - 1;
var MAX_PLAIN_JOBS_OUTPUT_BYTES = 32 * 1024;
var MAX_PLAN_OUTPUT_BYTES = 128 * 1024 - `INPUT_${Outputs.Plan.toUpperCase()}=`.length - 1;

// src/action/cancel.ts
import { randomBytes } from "node:crypto";
import { lstatSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os5 from "node:os";
import path from "node:path";
var SAVED_JOBS = "the saved jobs of this step";
function saveLaunchedJobs(jobs, env = process.env) {
  if (jobs.length === 0) return;
  const file = path.join(
    env["RUNNER_TEMP"] || os5.tmpdir(),
    `async-playbook-launched-${randomBytes(12).toString("hex")}.json`
  );
  try {
    writeFileSync(file, JSON.stringify(jobsDocument(jobs)), { mode: 384, flag: "wx" });
  } catch (error2) {
    warning(
      `Could not save the jobs this step launched for the post step (${error2.message}): if the run is cancelled, on-cancel: kill cannot stop them.`
    );
    return;
  }
  saveState(State.LaunchedJobsFile, file);
}
function takeLaunchedJobs() {
  const file = getState(State.LaunchedJobsFile);
  if (!file) return void 0;
  try {
    const stats = lstatSync(file);
    if (!stats.isFile()) throw new Error(`${file} is not a regular file`);
    if (stats.size > MAX_JOBS_TEXT_BYTES) throw new Error(`${file} is too large`);
    return readFileSync(file, "utf8");
  } catch (error2) {
    throw new Error(
      `cannot read the jobs this step launched from ${file} (${error2.message}), so they were not stopped`,
      { cause: error2 }
    );
  } finally {
    rmSync(file, { force: true });
  }
}
function discardLaunchedJobs() {
  const file = getState(State.LaunchedJobsFile);
  if (file) rmSync(file, { force: true });
}
async function killLaunchedJobs(jobsText, inventories, connection, become, allowInventoryScripts = false) {
  const registry = parseJobsDocument(jobsText, SAVED_JOBS);
  const jobs = registry.allOutstanding();
  if (jobs.length === 0) return [];
  const inventory = inventories.length > 0 ? loadInventory(inventories, allowInventoryScripts ? { allowScripts: true } : {}) : defaultInventory();
  const variables = new VariableManager(inventory, new Templar(), {});
  const connections = new HostConnections(connection, openConnection, become);
  try {
    const lines = await Promise.all(
      jobs.map(async (job) => {
        try {
          const scope = () => variables.scope(job.host, {
            playVars: {},
            playHosts: [job.host],
            playBatch: [job.host],
            playbookDir: ""
          });
          adoptHandedOverJob(job, scope, SAVED_JOBS);
          const vars = scope();
          const conn = await connections.as(job.host, vars, job.become);
          const res = await conn.run(killCommand(job.dir, job.jid), { timeoutMs: 3e4 });
          const { wasRunning } = parseKill(res.stdout);
          return `${job.host} ${job.register ?? job.jid}: ${wasRunning ? "stopped" : "had already ended"}`;
        } catch (error2) {
          return `${job.host} ${job.register ?? job.jid}: could not stop it (${error2.message})`;
        }
      })
    );
    return lines.map(inertLine);
  } finally {
    await connections.closeAll();
  }
}

// src/action/settings.ts
import { existsSync as existsSync2 } from "node:fs";
import os6 from "node:os";
import path2 from "node:path";
var ACTION_MODES = [
  "run",
  "syntax-check",
  "list-hosts",
  "list-tasks",
  "list-tags"
];
function readActionSettings(env = process.env, options = {}) {
  for (const secret of [
    Inputs.PrivateKey,
    Inputs.Passphrase,
    Inputs.Password,
    Inputs.BecomePassword,
    Inputs.VaultPassword,
    Inputs.GithubToken
  ]) {
    const value = getInput(secret);
    if (value) {
      setSecret(value);
      for (const line of value.split(/\r?\n/))
        if (line.trim().length >= 4) setSecret(line.trim());
    }
  }
  const workspace = env["GITHUB_WORKSPACE"] || process.cwd();
  const playbook = getInput(Inputs.Playbook);
  const jobsText = getInput(Inputs.Jobs);
  if (!playbook && !jobsText && !options.post) {
    throw new OptionError(
      `Input '${Inputs.Playbook}' is required (a playbook path or inline YAML), unless '${Inputs.Jobs}' is given to gather earlier jobs`
    );
  }
  const checking = choice(
    Inputs.HostKeyChecking,
    ["strict", "off", "accept-new"],
    DEFAULTS.hostKeyChecking
  );
  if (checking === "off") {
    warning(
      `Input '${Inputs.HostKeyChecking}' is 'off': any host key is accepted, so a man in the middle would go unnoticed. Give 'known-hosts' instead.`
    );
  }
  const inventory = getInput(Inputs.Inventory);
  const extraVars = getInput(Inputs.ExtraVars);
  const shard = getInput(Inputs.Shard);
  const resultsFile = getInput(Inputs.ResultsFile) || path2.join(
    env["RUNNER_TEMP"] || os6.tmpdir(),
    `async-playbook-results-${env["GITHUB_RUN_ID"] ?? process.pid}-${env["GITHUB_ACTION"] ?? "step"}.json`
  );
  const config = readAnsibleConfig(env, workspace);
  const withConfig = environmentWithConfig(
    Object.fromEntries(ANSIBLE_OUTPUT_AND_HANDLER_NAMES.map((name) => [name, env[name]])),
    config
  );
  const ansible = readAnsibleEnvironment(withConfig.env, withConfig.origins);
  const configWarnings = [...config.warnings];
  const origin = (name) => withConfig.origins[name] ?? name;
  if (ansible.hostKeyChecking !== void 0) {
    configWarnings.push(
      `${origin("ANSIBLE_HOST_KEY_CHECKING")} is not read by the action: its input '${Inputs.HostKeyChecking}' (default strict) decides`
    );
  }
  if (ansible.forks !== void 0) {
    configWarnings.push(
      `${origin("ANSIBLE_FORKS")} is not read by the action: its input '${Inputs.Forks}' (default ${DEFAULTS.forks}) decides`
    );
  }
  if (ansible.remotePort !== void 0) {
    configWarnings.push(
      `${origin("ANSIBLE_REMOTE_PORT")} is not read by the action: its input '${Inputs.Port}' (default ${DEFAULTS.port}) decides`
    );
  }
  if (ansible.becomeAskPass || ansible.askVaultPass) {
    configWarnings.push(
      `${origin(ansible.becomeAskPass ? "ANSIBLE_BECOME_ASK_PASS" : "ANSIBLE_ASK_VAULT_PASS")}: the action cannot prompt for a password; give it in input '${ansible.becomeAskPass ? Inputs.BecomePassword : Inputs.VaultPassword}'`
    );
  }
  if (ansible.retryFilesEnabled) {
    configWarnings.push(
      `${origin("ANSIBLE_RETRY_FILES_ENABLED")}: the action writes no .retry file: rerun the failed hosts with its '${Outputs.FailedHosts}' output as '${Inputs.Limit}'`
    );
  }
  const configPrivateKey = ansible.privateKeyFile;
  if (configPrivateKey !== void 0 && !existsSync2(path2.resolve(workspace, configPrivateKey))) {
    throw new OptionError(
      `${origin("ANSIBLE_PRIVATE_KEY_FILE")}: cannot read '${configPrivateKey}'`
    );
  }
  const inlinePlaybook = playbook.includes("\n") || !existsSync2(path2.resolve(workspace, playbook));
  const run = {
    playbook: playbook || void 0,
    jobs: jobsText && !options.post ? jobsInput(jobsText, workspace) : void 0,
    gatherTimeoutSeconds: positiveInt(Inputs.Timeout, DEFAULTS.gatherTimeoutSeconds),
    inventories: inventory ? [inventory] : ansible.inventories ?? [],
    extraVars: extraVars ? [extraVars] : [],
    limit: getInput(Inputs.Limit) || void 0,
    forks: positiveInt(Inputs.Forks, DEFAULTS.forks),
    shard: shard ? parseShard(shard, `Input '${Inputs.Shard}'`) : void 0,
    connection: {
      user: getInput(Inputs.User) || ansible.remoteUser,
      port: positiveInt(Inputs.Port, DEFAULTS.port),
      privateKey: getInput(Inputs.PrivateKey) || void 0,
      ...configPrivateKey !== void 0 && !getInput(Inputs.PrivateKey) ? { privateKeyPath: path2.resolve(workspace, configPrivateKey) } : {},
      ...ansible.sshArgs !== void 0 ? { sshArgs: ansible.sshArgs, sshArgsSource: origin("ANSIBLE_SSH_ARGS") } : {},
      // Not trimmed: blanks may be part of a passphrase (a block scalar's final newline is not).
      passphrase: getInput(Inputs.Passphrase, { trimWhitespace: false }).replace(/\r?\n$/, "") || void 0,
      // Messages about the key and the login name these inputs, not the CLI's options.
      sources: {
        privateKey: `input '${Inputs.PrivateKey}'`,
        passphrase: `input '${Inputs.Passphrase}'`,
        user: `input '${Inputs.User}'`
      },
      password: getInput(Inputs.Password) || void 0,
      knownHosts: getInput(Inputs.KnownHosts) || void 0,
      jumpHost: getInput(Inputs.JumpHost) || void 0,
      knownHostsPath: defaultKnownHostsPath(),
      hostKeyChecking: checking,
      hostKeyCheckingSource: `input '${Inputs.HostKeyChecking}: ${checking}'`,
      connectTimeoutMs: (ansible.connectTimeoutSeconds ?? DEFAULTS.connectTimeoutSeconds) * 1e3
    },
    verbosity: isDebug() ? 1 : 0,
    // The log renders colours; ANSIBLE_NOCOLOR / NO_COLOR in the step's environment turn them off.
    color: ansible.color !== "off",
    // ANSIBLE_DISPLAY_*, ANSIBLE_NO_LOG, ANSIBLE_FORCE_HANDLERS and ANSIBLE_ERROR_ON_MISSING_HANDLER.
    ...runSettingsFrom(ansible),
    commandTimeoutMs: DEFAULTS.commandTimeoutSeconds * 1e3,
    cwd: workspace,
    ...config.file !== void 0 ? { configFile: config.file } : {},
    ...configWarnings.length > 0 ? { configWarnings } : {},
    ...ansible.gathering !== void 0 ? { gathering: ansible.gathering } : {},
    ...ansible.rolesPath !== void 0 ? { rolesPath: ansible.rolesPath } : {},
    ...requirementsSettings(withConfig.env["ANSIBLE_GALAXY_SERVER"]),
    ...bool(Inputs.AllowInventoryScripts, false) ? { allowInventoryScripts: true } : {}
  };
  if (ansible.become || ansible.becomeUser || ansible.becomeMethod) {
    run.become = {
      ...ansible.become ? { enabled: true } : {},
      ...ansible.becomeUser ? { user: ansible.becomeUser } : {},
      ...ansible.becomeMethod ? { method: ansible.becomeMethod } : {}
    };
  }
  const becomePassword = getInput(Inputs.BecomePassword, { trimWhitespace: false }).replace(/\r?\n$/, "");
  if (becomePassword) run.become = { ...run.become, password: becomePassword };
  const vaultPassword = getInput(Inputs.VaultPassword, { trimWhitespace: false }).replace(/\r?\n$/, "");
  const tags = getInput(Inputs.Tags);
  const skipTags = getInput(Inputs.SkipTags);
  if (tags || skipTags) run.tags = { only: parseTagList([tags]), skip: parseTagList([skipTags]) };
  if (!playbook && jobsText && !options.post) refuseIdleGatherInputs();
  const mode = choice(Inputs.Mode, [...ACTION_MODES], "run");
  if (mode !== "run") {
    if (!playbook)
      throw new OptionError(
        `Input '${Inputs.Mode}: ${mode}' needs a playbook: give input '${Inputs.Playbook}'`
      );
    run.listing = mode === "syntax-check" ? { syntax: true } : { [mode.slice("list-".length)]: true };
  }
  for (const [name, key2] of [
    [Inputs.Check, "check"],
    [Inputs.Diff, "diff"]
  ]) {
    if (!bool(name, false)) continue;
    if (mode !== "run")
      throw new OptionError(
        `Input '${name}' does nothing with '${Inputs.Mode}: ${mode}' (no task runs): remove one of them`
      );
    run[key2] = true;
  }
  if (getInput(Inputs.Diff).trim() === "" && ansible.diffAlways && mode === "run")
    run.diff = true;
  const comment = bool(Inputs.Comment, false);
  const githubToken = getInput(Inputs.GithubToken) || void 0;
  if (comment && !githubToken) {
    throw new OptionError(
      `Input '${Inputs.Comment}' is true but '${Inputs.GithubToken}' is empty: pass github-token: \${{ secrets.GITHUB_TOKEN }}`
    );
  }
  const key = run.connection.privateKey;
  if (key !== void 0) {
    const problem = privateKeyProblem(key, run.connection.passphrase);
    if (problem) throw new OptionError(privateKeyMessage(problem));
  }
  if (inventory && !inventory.includes("\n") && existsSync2(path2.resolve(workspace, inventory))) {
    run.inventories = [path2.resolve(workspace, inventory)];
  }
  return {
    run,
    failOn: choice(Inputs.FailOn, ["failed", "unreachable", "any", "never"], "any"),
    onCancel: choice(Inputs.OnCancel, ["leave", "kill"], "leave"),
    summary: bool(Inputs.Summary, true),
    annotations: bool(Inputs.Annotations, true),
    comment,
    githubToken,
    matrix: getInput(Inputs.Matrix) || void 0,
    resultsFile,
    mode,
    inlinePlaybook,
    vault: {
      // Not trimmed, as the become password: blanks may be part of it (a block scalar's newline is not).
      ...vaultPassword ? { password: vaultPassword } : {},
      request: {
        ids: [],
        passwordFiles: [],
        ask: false,
        cwd: workspace,
        // ANSIBLE_VAULT_PASSWORD_FILE and ANSIBLE_VAULT_IDENTITY_LIST, or the file's vault_* keys.
        env: config.file === void 0 ? env : environmentWithConfig(env, config).env
      }
    }
  };
}
function requirementsSettings(galaxyServer) {
  const auto = bool(Inputs.InstallRequirements, true);
  const files = getInput(Inputs.Requirements).split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== "");
  if (!auto && files.length === 0) return {};
  return { requirements: { files, auto, ...galaxyServer ? { galaxyServer } : {} } };
}
function privateKeyMessage(problem) {
  const key = `Input '${Inputs.PrivateKey}'`;
  switch (problem.kind) {
    case "passphrase-missing":
      return `${key} is an encrypted private key: give its passphrase in input '${Inputs.Passphrase}'`;
    case "passphrase-wrong":
      return `Input '${Inputs.Passphrase}' does not decrypt the key in input '${Inputs.PrivateKey}' (${problem.detail}): check the passphrase, and that both secrets belong to the same key`;
    case "public-key":
      return `${key} holds a public key: give the private key (the key file without .pub), usually from a secret`;
    case "not-a-key":
      return `${key} is not a private key SSH can use (${problem.detail}): give the whole key file, from its -----BEGIN line to its -----END line, usually from a secret`;
  }
}
function jobsInput(value, workspace) {
  const label = `Input '${Inputs.Jobs}'`;
  const read = readJobsArgument(value, workspace, label);
  return read.file ? { text: read.text, source: `${label} (${read.file})` } : read;
}
function refuseIdleGatherInputs() {
  for (const name of [Inputs.Limit, Inputs.Shard, Inputs.Tags, Inputs.SkipTags]) {
    if (getInput(name)) {
      throw new OptionError(
        `Input '${name}' does nothing when the step only gathers jobs (input '${Inputs.Jobs}' without '${Inputs.Playbook}'): every job handed over is waited for, up to '${Inputs.Timeout}'. Remove '${name}' from this step, or give a playbook as well to run tasks.`
      );
    }
  }
}
function choice(name, allowed, fallback) {
  const value = (getInput(name) || fallback).trim();
  if (!allowed.includes(value)) {
    throw new OptionError(
      `Input '${name}' must be one of ${allowed.map((a) => `'${a}'`).join(", ")}, got '${value}'`
    );
  }
  return value;
}
function bool(name, fallback) {
  const value = getInput(name).trim();
  if (value === "") return fallback;
  if (/^(true|yes|on|1)$/i.test(value)) return true;
  if (/^(false|no|off|0)$/i.test(value)) return false;
  throw new OptionError(`Input '${name}' must be true or false, got '${value}'`);
}
function positiveInt(name, fallback) {
  const text = getInput(name) || String(fallback);
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new OptionError(`Input '${name}' must be a positive whole number, got '${text}'`);
  return n;
}

export {
  summary,
  setSecret,
  setOutput,
  setFailed,
  warning,
  notice,
  info,
  startGroup,
  endGroup,
  saveState,
  getState,
  Inputs,
  Outputs,
  State,
  MAX_OUTPUT_BYTES,
  MAX_INPUT_VALUE_BYTES,
  MAX_PLAIN_JOBS_OUTPUT_BYTES,
  MAX_PLAN_OUTPUT_BYTES,
  saveLaunchedJobs,
  takeLaunchedJobs,
  discardLaunchedJobs,
  killLaunchedJobs,
  readActionSettings
};
