import { createRequire as __apCreateRequire } from 'node:module';
import { fileURLToPath as __apFileURLToPath } from 'node:url';
import { dirname as __apDirname } from 'node:path';
const require = __apCreateRequire(import.meta.url);
const __filename = __apFileURLToPath(import.meta.url);
const __dirname = __apDirname(__filename);
import {
  Inputs,
  MAX_INPUT_VALUE_BYTES,
  MAX_OUTPUT_BYTES,
  MAX_PLAIN_JOBS_OUTPUT_BYTES,
  MAX_PLAN_OUTPUT_BYTES,
  Outputs,
  State,
  endGroup,
  info,
  notice,
  readActionSettings,
  saveLaunchedJobs,
  saveState,
  setFailed,
  setOutput,
  setSecret,
  startGroup,
  summary,
  warning
} from "./chunks/chunk-6JO3IZUC.js";
import {
  DIFF_CONTEXT,
  entryDiffText,
  executeRun,
  writeResultsDocument
} from "./chunks/chunk-ZAZYM65R.js";
import {
  AsyncPlaybookError,
  DEFAULTS,
  DEFAULT_VAULT_ID,
  InertWriter,
  InventoryError,
  OptionError,
  TemplateError,
  VaultKeyring,
  acceptedHostKeys,
  encodeCompactJobs,
  formatLocation,
  inertLine,
  isRecord,
  jobsDocument,
  loadVaultSecrets,
  pythonJson,
  setVaultKeyring,
  unverifiedHosts,
  vaultKeyring,
  visibleControls
} from "./chunks/chunk-FOE3WLQZ.js";

// src/main.ts
import path from "node:path";

// src/action/grouping.ts
function groupingEvents() {
  let open = false;
  let closed = false;
  const end = () => {
    if (open) endGroup();
    open = false;
  };
  return {
    playStart: end,
    taskStart(task) {
      end();
      if (closed) return;
      const title = `${task.handler ? "RUNNING HANDLER" : "TASK"} [${task.name}]`;
      startGroup(inertLine(visibleControls(title).replace(/\n/g, "\\n")));
      open = true;
    },
    itemResult() {
    },
    hostResult() {
    },
    retrying() {
    },
    noMoreHosts: end,
    log() {
    },
    warning() {
    },
    recap: end,
    close() {
      end();
      closed = true;
    }
  };
}
function noLogMasking() {
  const mask = secretMasker();
  return {
    playStart() {
    },
    taskStart() {
    },
    itemResult(task, outcome) {
      if (task.noLog) mask(outcome.result);
    },
    hostResult(task, outcome) {
      if (task.noLog) mask(outcome.result);
    },
    retrying(task, _host, _left, result) {
      if (task.noLog) mask(result);
    },
    noMoreHosts() {
    },
    log() {
    },
    warning() {
    },
    recap() {
    }
  };
}
function secretMasker(options = {}) {
  const masked = /* @__PURE__ */ new Set();
  const mask = (value, depth = 0) => {
    if (depth > 20) return;
    if (options.numbers && typeof value === "number") value = String(value);
    if (typeof value === "string") {
      for (const part of [value, ...value.split(/\r\n|\n|\r/)]) {
        const raw = part.trim();
        if (raw.length < 3) continue;
        for (const secret of [raw, visibleControls(raw), JSON.stringify(raw).slice(1, -1)]) {
          if (masked.has(secret)) continue;
          masked.add(secret);
          setSecret(secret);
        }
      }
    } else if (Array.isArray(value)) {
      for (const v of value) mask(v, depth + 1);
    } else if (value !== null && typeof value === "object") {
      for (const v of Object.values(value)) mask(v, depth + 1);
    }
  };
  return (value) => mask(value);
}

// src/report/text.ts
function asRecord(value) {
  return isRecord(value) ? value : {};
}
function clip(text, max) {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - 1));
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}\u2026`;
}
function messageText(msg) {
  if (msg === void 0 || msg === null) return "";
  if (typeof msg === "string") return msg;
  try {
    return JSON.stringify(msg) ?? "";
  } catch {
    return String(msg);
  }
}
function launchedJobs(result) {
  return withItems(result).filter((r) => typeof r["ansible_job_id"] === "string" && Number(r["finished"]) === 0).map((r) => r["ansible_job_id"]);
}
function withItems(result) {
  const items = Array.isArray(result["results"]) ? result["results"].map(asRecord) : [];
  return [result, ...items];
}

// src/report/markdown.ts
function utf8Length(text) {
  return Buffer.byteLength(text, "utf8");
}
function truncateUtf8(text, maxBytes) {
  const buffer = Buffer.from(text, "utf8");
  if (buffer.length <= maxBytes) return text;
  let end = Math.max(0, maxBytes);
  while (end > 0 && ((buffer[end] ?? 0) & 192) === 128) end--;
  return buffer.subarray(0, end).toString("utf8");
}
function tail(text, lines, lineChars) {
  const body = text.replace(/[\r\n]+$/, "");
  if (body === "" || lines <= 0) return { text: "", more: false };
  let end = body.length;
  const picked = [];
  while (picked.length < lines && end >= 0) {
    const newline = end > 0 ? body.lastIndexOf("\n", end - 1) : -1;
    picked.push(body.slice(newline + 1, end));
    if (newline < 0) {
      end = -1;
      break;
    }
    end = newline;
  }
  const out = picked.reverse().map((line) => {
    const shown = line.replace(/\r+$/, "");
    return clip(cleanText(shown.slice(shown.lastIndexOf("\r") + 1)), lineChars);
  });
  return { text: out.join("\n"), more: end >= 0 };
}
function cleanText(text) {
  return text.replace(/\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)?/g, "").replace(/\r\n?/g, "\n").replace(/[\x00-\x08\x0b-\x1f\x7f]/g, "");
}
function fenced(content, info2 = "") {
  const fence = "`".repeat(Math.max(3, longestBacktickRun(content) + 1));
  return `${fence}${info2}
${content}
${fence}`;
}
function code(text) {
  const value = oneLine(text);
  if (value === "") return "";
  const ticks = "`".repeat(longestBacktickRun(value) + 1);
  const pad = value.startsWith("`") || value.endsWith("`") ? " " : "";
  return `${ticks}${pad}${value.replace(/\|/g, "\\|")}${pad}${ticks}`;
}
function mdText(text) {
  return inertReferences(
    oneLine(text).replace(
      /[\\`*_[\]|~#<>&]/g,
      (c) => c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === "&" ? "&amp;" : `\\${c}`
    )
  );
}
function inertReferences(text) {
  return text.replace(/@(?=[A-Za-z0-9])/g, "@\u200B").replace(/#(?=[0-9])/g, "#\u200B").replace(/\b(gh-)(?=[0-9])/gi, "$1\u200B");
}
var HTML_ENTITIES = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;"
};
function html(text) {
  return inertReferences(oneLine(text).replace(/[&<>]/g, (c) => HTML_ENTITIES[c] ?? c));
}
function longestBacktickRun(text) {
  let longest = 0;
  for (const run2 of text.match(/`+/g) ?? []) longest = Math.max(longest, run2.length);
  return longest;
}
function oneLine(text) {
  return cleanText(text).replace(/\s*\n\s*/g, " ");
}
function formatDuration(ms) {
  if (!Number.isFinite(ms) || ms < 0) return "";
  if (ms < 59950) return `${(ms / 1e3).toFixed(1)}s`;
  const seconds = Math.round(ms / 1e3);
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${pad2(seconds % 60)}s`;
  return `${Math.floor(seconds / 3600)}h ${pad2(Math.floor(seconds % 3600 / 60))}m`;
}
function formatUtc(ms) {
  return new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}
function localTime(value) {
  if (typeof value !== "string") return void 0;
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(
    value.trim()
  );
  if (!m) return void 0;
  const [, y, mo, d, h, mi, s, frac] = m;
  const ms = frac ? Number(frac.padEnd(6, "0")) / 1e3 : 0;
  const time = new Date(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(s)
  ).getTime();
  return Number.isFinite(time) ? time + ms : void 0;
}
function pad2(n) {
  return String(n).padStart(2, "0");
}
function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
function finite(value) {
  return typeof value === "number" && Number.isFinite(value) ? value : void 0;
}
function nonNegative(value) {
  const n = finite(value);
  return n !== void 0 && n >= 0 ? n : void 0;
}

// src/report/plan.ts
var KIND_OF_MODULE = Object.assign(/* @__PURE__ */ Object.create(null), {
  copy: "file",
  template: "file",
  file: "file",
  lineinfile: "file",
  blockinfile: "file",
  replace: "file",
  assemble: "file",
  get_url: "file",
  unarchive: "file",
  ini_file: "file",
  tempfile: "file",
  git: "file",
  apt: "package",
  package: "package",
  dnf: "package",
  yum: "package",
  pip: "package",
  service: "service",
  systemd: "service",
  systemd_service: "service",
  sysvinit: "service",
  user: "account",
  group: "account",
  authorized_key: "account",
  apt_repository: "repository",
  apt_key: "repository",
  deb822_repository: "repository",
  yum_repository: "repository",
  rpm_key: "repository",
  command: "command",
  shell: "command",
  raw: "command",
  script: "command"
});
function changeKind(module) {
  const short = module.replace(/^ansible\.(builtin|legacy)\./, "").replace(/^community\.general\./, "");
  return KIND_OF_MODULE[short] ?? "other";
}
function buildPlan(doc, diffContext = DIFF_CONTEXT) {
  const hosts = Object.keys(doc.stats);
  const changed = /* @__PURE__ */ new Set();
  const tasks = [];
  const files = /* @__PURE__ */ new Set();
  const packages = /* @__PURE__ */ new Set();
  const count = { service: 0, account: 0, repository: 0, command: 0 };
  for (const play of doc.plays) {
    for (const task of play.tasks) {
      const changes = [];
      for (const [host, entry] of Object.entries(task.results)) {
        const result = asRecord(entry.result);
        if (entry.status !== "changed" && result["changed"] !== true) continue;
        if (!hosts.includes(host)) hosts.push(host);
        const change = hostChange(host, task.module, result, diffContext);
        changes.push(change);
        changed.add(host);
        for (const p of change.paths) files.add(`${host}\0${p}`);
        if (change.kind === "package") {
          if (change.packages.length === 0) packages.add(`${host}\0${task.name}\0?`);
          for (const p of change.packages) packages.add(`${host}\0${p}`);
        }
        if (change.kind in count) count[change.kind]++;
      }
      if (changes.length > 0)
        tasks.push({
          play: play.name,
          name: task.name || task.module,
          module: task.module.replace(/^ansible\.(builtin|legacy)\./, ""),
          file: task.file,
          line: task.line,
          changes
        });
    }
  }
  const failedHosts = Object.entries(doc.stats).filter(([, s]) => s.failed > 0 || s.unreachable > 0).map(([h]) => h);
  return {
    hosts,
    changedHosts: hosts.filter((h) => changed.has(h)),
    tasks,
    failedHosts,
    files: files.size,
    packages: packages.size,
    services: count.service,
    accounts: count.account,
    repositories: count.repository,
    commands: count.command
  };
}
function hostChange(host, module, result, diffContext) {
  const kind = changeKind(module);
  const hidden = result["censored"] !== void 0 || result["_ansible_no_log"] === true;
  const paths = /* @__PURE__ */ new Set();
  const packages = /* @__PURE__ */ new Set();
  const diffs = [];
  const items = withItems(result);
  const changedParts = items.length > 1 ? items.slice(1).filter((r) => r["changed"] === true) : items;
  for (const part of changedParts) {
    const partHidden = hidden || part["censored"] !== void 0 || part["_ansible_no_log"] === true;
    const entries = diffEntries(part["diff"]);
    if (kind === "file") {
      const path2 = firstString(part, ["dest", "path"]) ?? headerPath(entries);
      if (path2 !== void 0 && !partHidden) paths.add(path2);
    }
    for (const entry of entries) {
      if (kind === "package" && typeof entry.prepared === "string")
        for (const name of packageNames(entry.prepared)) packages.add(name);
      if (partHidden) continue;
      const text = entryDiffText(entry, diffContext);
      if (text === "") continue;
      const label = entry.after_header ?? entry.before_header ?? firstString(part, ["dest", "path", "name"]) ?? (typeof part["item"] === "string" ? part["item"] : module);
      diffs.push({ label, text });
    }
  }
  return { host, kind, paths: [...paths], packages: [...packages], diffs, hidden };
}
function firstString(record, keys) {
  for (const key of keys) {
    const value = record[key];
    if (typeof value === "string" && value !== "") return value;
  }
  return void 0;
}
function headerPath(entries) {
  for (const entry of entries) {
    const header = entry.after_header ?? entry.before_header;
    if (typeof header === "string" && header.startsWith("/")) return header;
  }
  return void 0;
}
function diffEntries(value) {
  const list = Array.isArray(value) ? value : [value];
  return list.filter(
    (entry) => isRecord(entry) && (typeof entry["prepared"] === "string" || entry["before"] !== void 0 || entry["after"] !== void 0)
  );
}
function packageNames(prepared) {
  const names = /* @__PURE__ */ new Set();
  let listing = false;
  for (const line of prepared.split("\n")) {
    const action = /^(?:Inst|Remv|Purg)\s+(\S+)/.exec(line);
    if (action) {
      names.add(action[1]);
      continue;
    }
    if (/^The following .*packages? will be (?:installed|upgraded|REMOVED|removed)/.test(line)) {
      listing = true;
      continue;
    }
    if (listing && /^\s+\S/.test(line)) {
      for (const name of line.trim().split(/\s+/)) names.add(name.replace(/\*$/, ""));
      continue;
    }
    listing = false;
  }
  return [...names];
}
var MAX_DIFF_LINES = 400;
var MAX_DIFF_CHARS = 4e4;
var DETAILS = [
  {
    diffLines: MAX_DIFF_LINES,
    diffChars: MAX_DIFF_CHARS,
    diffs: true,
    maxHosts: 100,
    maxTasks: 500
  },
  { diffLines: 100, diffChars: 1e4, diffs: true, maxHosts: 100, maxTasks: 500 },
  { diffLines: 30, diffChars: 3e3, diffs: true, maxHosts: 50, maxTasks: 200 },
  { diffLines: 0, diffChars: 0, diffs: false, maxHosts: 20, maxTasks: 200 },
  { diffLines: 0, diffChars: 0, diffs: false, maxHosts: 5, maxTasks: 50 },
  { diffLines: 0, diffChars: 0, diffs: false, maxHosts: 0, maxTasks: 0 }
];
var PLAN_CUT_NOTE = "The plan was shortened to fit the summary; the results file has every diff.";
function planHeadline(plan) {
  if (plan.tasks.length === 0)
    return `No changes: ${plural(plan.hosts.length, "host")} checked, nothing would change.`;
  const kinds = [
    plan.files > 0 ? plural(plan.files, "file") : "",
    plan.packages > 0 ? plural(plan.packages, "package") : "",
    plan.services > 0 ? plural(plan.services, "service change") : "",
    plan.accounts > 0 ? plural(plan.accounts, "account change") : "",
    plan.repositories > 0 ? plural(plan.repositories, "repository change") : "",
    plan.commands > 0 ? plural(plan.commands, "command") : ""
  ].filter((k) => k !== "");
  return `${plural(plan.changedHosts.length, "host")} of ${plan.hosts.length} \xB7 ${plural(plan.tasks.length, "task")} would change` + (kinds.length > 0 ? ` \xB7 ${kinds.join(" \xB7 ")}` : "");
}
function renderPlan(plan, title, maxBytes) {
  for (const [index, detail] of DETAILS.entries()) {
    const text = renderWith(plan, title, detail, index > 0);
    if (utf8Length(text) <= maxBytes) return text;
  }
  const headline = `## \u{1F4CB} ${mdText(title)}: plan

${planHeadline(plan)}

> [!NOTE]
> ${PLAN_CUT_NOTE}
`;
  return utf8Length(headline) <= maxBytes ? headline : "";
}
function renderWith(plan, title, detail, cut) {
  const parts = [`## \u{1F4CB} ${mdText(title)}: plan`, planHeadline(plan)];
  if (plan.failedHosts.length > 0)
    parts.push(
      `> [!WARNING]
> The check failed on ${plan.failedHosts.map(mdText).join(", ")}: the plan stops where it failed (see the failures below).`
    );
  for (const task of plan.tasks.slice(0, detail.maxTasks)) parts.push(taskSection(task, detail));
  if (plan.tasks.length > detail.maxTasks)
    parts.push(
      `_\u2026 and ${plural(plan.tasks.length - detail.maxTasks, "more task")} that would change: see the results file._`
    );
  if (cut) parts.push(`> [!NOTE]
> ${PLAN_CUT_NOTE}`);
  return parts.join("\n\n") + "\n";
}
function taskSection(task, detail) {
  const where2 = task.file ? ` <sub>${mdText(`${task.file}${task.line ? `:${task.line}` : ""}`)}</sub>` : "";
  const hosts = task.changes.map((c) => c.host);
  const shown = hosts.slice(0, detail.maxHosts);
  const lines = [
    `### \u{1F7E1} ${mdText(task.name)} ${code(task.module)}${where2}`,
    "",
    `Would change on ${plural(hosts.length, "host")}` + (shown.length > 0 ? `: ${shown.map(mdText).join(", ")}${hosts.length > shown.length ? ", \u2026" : ""}` : "")
  ];
  const parts = [lines.join("\n")];
  for (const change of task.changes.slice(0, detail.maxHosts)) {
    if (change.hidden) {
      parts.push(`<sub>${html(change.host)}: diff hidden (no_log)</sub>`);
      continue;
    }
    const named = [...change.paths, ...change.packages];
    if (!detail.diffs || change.diffs.length === 0) {
      if (named.length > 0)
        parts.push(
          `${mdText(change.host)}: ${named.slice(0, 20).map(code).join(", ")}${named.length > 20 ? ", \u2026" : ""}`
        );
      continue;
    }
    for (const diff of change.diffs) parts.push(diffBlock(change.host, diff, detail));
  }
  return parts.join("\n\n");
}
function diffBlock(host, diff, detail) {
  const clean = cleanText(diff.text).replace(/\n$/, "");
  const lines = clean.split("\n");
  let body = lines.slice(0, detail.diffLines).join("\n");
  if (body.length > detail.diffChars) body = body.slice(0, detail.diffChars);
  const cut = body.length < clean.length;
  const added = lines.filter((l) => l.startsWith("+") && !l.startsWith("+++")).length;
  const removed = lines.filter((l) => l.startsWith("-") && !l.startsWith("---")).length;
  const unified = clean.startsWith("--- ");
  const counts = unified ? ` (+${added} \u2212${removed})` : "";
  return [
    `<details><summary>${html(host)} \u2014 ${html(diff.label)}${counts}</summary>`,
    "",
    fenced(body, unified ? "diff" : "text"),
    ...cut ? [
      "",
      `_Diff cut: ${utf8Length(body)} of ${utf8Length(clean)} bytes shown (${Math.min(lines.length, detail.diffLines)} of ${lines.length} lines); the results file has it whole._`
    ] : [],
    "",
    "</details>"
  ].join("\n");
}
function planOutput(plan, maxBytes) {
  const entries = [];
  for (const task of plan.tasks)
    for (const change of task.changes)
      entries.push([
        change.host,
        {
          play: task.play,
          task: task.name,
          module: task.module,
          kind: change.kind,
          ...change.paths.length > 0 ? { paths: change.paths } : {},
          ...change.packages.length > 0 ? { packages: change.packages } : {}
        }
      ]);
  const build = (keep) => {
    const hosts = /* @__PURE__ */ Object.create(null);
    for (const host of plan.changedHosts) hosts[host] = [];
    for (const [host, entry] of entries.slice(0, keep)) (hosts[host] ??= []).push(entry);
    const out = { changed: plan.tasks.length > 0, hosts };
    if (keep < entries.length) out.truncated = entries.length - keep;
    return JSON.stringify(out);
  };
  const whole = build(entries.length);
  if (utf8Length(whole) <= maxBytes) return whole;
  let low = 0;
  let high = entries.length - 1;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (utf8Length(build(mid)) <= maxBytes) low = mid;
    else high = mid - 1;
  }
  const text = build(low);
  if (utf8Length(text) <= maxBytes) return text;
  return JSON.stringify({ changed: plan.tasks.length > 0, hosts: {}, truncated: entries.length });
}

// src/action/outputs.ts
function hostOutcomes(stats) {
  const entries = Object.entries(stats);
  return {
    failed: entries.filter(([, s]) => s.failed > 0).map(([h]) => h),
    unreachable: entries.filter(([, s]) => s.unreachable > 0).map(([h]) => h),
    changed: entries.some(([, s]) => s.changed > 0)
  };
}
function writeOutputs(document, resultsFile, diffContext) {
  writeResultsDocument(resultsFile, document);
  const json = JSON.stringify(document);
  if (Buffer.byteLength(json) <= MAX_OUTPUT_BYTES) {
    setOutput(Outputs.Results, json);
  } else {
    setOutput(Outputs.Results, "");
    notice(
      `The results document is ${Buffer.byteLength(json)} bytes, over GitHub's 1 MB output limit: read it from the '${Outputs.ResultsFile}' output (${resultsFile}).`
    );
  }
  const outcomes = hostOutcomes(document.stats);
  setOutput(Outputs.ResultsFile, resultsFile);
  setOutput(Outputs.Stats, JSON.stringify(document.stats));
  setOutput(Outputs.CustomStats, JSON.stringify(document.custom_stats ?? {}));
  const jobs = jobsOutput(document.jobs, resultsFile);
  setOutput(Outputs.Jobs, jobs.value);
  setOutput(Outputs.FailedHosts, JSON.stringify(outcomes.failed));
  setOutput(Outputs.UnreachableHosts, JSON.stringify(outcomes.unreachable));
  setOutput(Outputs.Changed, String(outcomes.changed));
  setOutput(Outputs.Plan, planOutput(buildPlan(document, diffContext), MAX_PLAN_OUTPUT_BYTES));
  setOutput(Outputs.Ok, String(document.ok));
  return jobs.problem;
}
function jobsOutput(jobs, resultsFile) {
  const json = JSON.stringify(jobs);
  if (Buffer.byteLength(json) <= MAX_PLAIN_JOBS_OUTPUT_BYTES) return { value: json };
  const compact = encodeCompactJobs(jobs);
  if (compact.length <= MAX_INPUT_VALUE_BYTES) return { value: compact };
  const count = Object.values(jobs).reduce((n, byHost) => n + Object.keys(byHost).length, 0);
  return {
    value: "",
    problem: `The ${count} background jobs still running do not fit in the '${Outputs.Jobs}' output: encoded they take ${compact.length} bytes, and a step input holds at most ${MAX_INPUT_VALUE_BYTES} (the runner passes inputs as environment variables of at most 128 KiB). Hand them over as a file instead: upload the results file (the '${Outputs.ResultsFile}' output, ${resultsFile}; set '${Inputs.ResultsFile}' to choose where) with actions/upload-artifact and 'if: always()', download that artifact where you gather, and give the file's path to the '${Inputs.Jobs}' input (or to --jobs).`
  };
}
function gate(document, exitCode, failOn) {
  if (failOn === "never") return void 0;
  const { failed, unreachable } = hostOutcomes(document.stats);
  const reasons = [];
  if ((failOn === "failed" || failOn === "any") && failed.length > 0)
    reasons.push(`failed on ${failed.join(", ")}`);
  if ((failOn === "unreachable" || failOn === "any") && unreachable.length > 0)
    reasons.push(`unreachable: ${unreachable.join(", ")}`);
  if (failOn === "any" && reasons.length === 0 && exitCode !== 0)
    reasons.push(`ended with exit code ${exitCode}`);
  return reasons.length > 0 ? `The playbook ${reasons.join("; ")}. See the recap above and the job summary.` : void 0;
}

// src/action/pr-comment.ts
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
var MARKER_PREFIX = "<!-- async-playbook:summary";
var MAX_COMMENT_CHARS = 65e3;
var PER_PAGE = 100;
var MAX_PAGES = 100;
function commentMarker(env, given = {}) {
  const shard = shardOf(env, given);
  const fields = [
    ["workflow", workflowId(env)],
    ["job", env["GITHUB_JOB"]],
    ["step", env["GITHUB_ACTION"]],
    ["shard", shard.shard],
    ["matrix", matrixId(shard.matrix)]
  ];
  const parts = fields.filter((f) => f[1] !== void 0 && f[1] !== "").map(([key, value]) => `${key}=${encodeURIComponent(value)}`);
  return `${MARKER_PREFIX}${parts.length > 0 ? ` ${parts.join(" ")}` : ""} -->`;
}
function shardOf(env, given) {
  const shard = (given.shard ?? env["INPUT_SHARD"])?.trim();
  const matrix = given.matrix ?? env["INPUT_MATRIX"];
  return { shard: shard || void 0, matrix };
}
function workflowId(env) {
  const ref = env["GITHUB_WORKFLOW_REF"];
  const file = ref ? /^[^/]+\/[^/]+\/(.+?)(?:@.*)?$/.exec(ref)?.[1] : void 0;
  const name = env["GITHUB_WORKFLOW"];
  if (file && name) return `${file}#${name}`;
  return file ?? name;
}
function matrixId(json) {
  const text = json?.trim();
  if (!text || text.startsWith("${{")) return void 0;
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    value = text;
  }
  if (value === null || typeof value === "object" && Object.keys(value).length === 0)
    return void 0;
  return createHash("sha256").update(canonicalJson(value)).digest("hex").slice(0, 12);
}
function canonicalJson(value) {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
async function upsertPullRequestComment(body, token, env = process.env, shard = {}, options = {}) {
  const event = readEvent(env);
  const number = pullRequestNumber(event);
  const repository = env["GITHUB_REPOSITORY"];
  if (!number || !repository) return "not a pull request run: no comment written";
  const { api, headers } = restApi(env, token);
  const marker = commentMarker(env, shard);
  const origin = provenance(env, event, shardOf(env, shard));
  const footer = origin ? `

---
${origin}` : "";
  const room = MAX_COMMENT_CHARS - marker.length - footer.length - 300;
  const planMarker = options.plan ? `${planMarkerOf(env, event)}
` : "";
  const text = `${marker}
${planMarker}${body.length > room ? `${cutMarkdown(body, room - 200)}

_Comment truncated; see the job summary._` : body}${footer}`;
  const signal = AbortSignal.timeout(3e4);
  const existing = (await findComments(
    `${api}/repos/${repository}/issues/${number}/comments`,
    (body2) => body2 === marker || body2.startsWith(`${marker}
`),
    { headers, signal },
    api,
    true,
    ownAuthor(api, graphqlEndpoint(env, api), { headers, signal })
  ))[0]?.id;
  const send = (method, url) => fetch(url, { method, headers, body: JSON.stringify({ body: text }), signal });
  if (existing !== void 0) {
    const updated = await send("PATCH", `${api}/repos/${repository}/issues/comments/${existing}`);
    if (updated.ok) return `updated the summary comment on #${number}`;
    if (updated.status !== 403 && updated.status !== 404)
      throw new Error(`updating the comment on #${number} failed: HTTP ${updated.status}`);
  }
  const created = await send("POST", `${api}/repos/${repository}/issues/${number}/comments`);
  if (!created.ok)
    throw new Error(`writing the comment on #${number} failed: HTTP ${created.status}`);
  return `added a summary comment to #${number}`;
}
function cutMarkdown(text, room) {
  let cut = text.slice(0, Math.max(0, room));
  const newline = cut.lastIndexOf("\n");
  cut = newline >= 0 ? cut.slice(0, newline) : "";
  let fence;
  let details = 0;
  for (const line of cut.split("\n")) {
    if (fence !== void 0) {
      if (line.startsWith(fence[0]) && line.trim() === line && /^(`+|~+)$/.test(line) && line.length >= fence.length)
        fence = void 0;
      continue;
    }
    const opening = /^(`{3,}|~{3,})/.exec(line);
    if (opening) fence = opening[1];
    else if (line.startsWith("<details>")) details++;
    else if (line.startsWith("</details>") && details > 0) details--;
  }
  return cut + (fence !== void 0 ? `
${fence}` : "") + "\n\n</details>".repeat(details);
}
function restApi(env, token) {
  return {
    api: (env["GITHUB_API_URL"] || "https://api.github.com").replace(/\/+$/, ""),
    headers: {
      authorization: `Bearer ${token}`,
      accept: "application/vnd.github+json",
      "content-type": "application/json",
      "user-agent": "async-playbook"
    }
  };
}
async function findComments(listUrl, matches, init, api, first, isOwn) {
  const found = [];
  const origin = new URL(api).origin;
  let url = `${listUrl}?per_page=${PER_PAGE}`;
  for (let page = 1; url !== void 0 && page <= MAX_PAGES; page++) {
    const response = await fetch(url, init);
    if (!response.ok)
      throw new Error(`listing the pull request's comments failed: HTTP ${response.status}`);
    const comments = await response.json();
    if (!Array.isArray(comments)) throw new Error("listing the pull request's comments: not a list");
    for (const comment of comments) {
      if (typeof comment?.id === "number" && typeof comment.body === "string" && matches(comment.body) && await isOwn(comment.user)) {
        found.push({ id: comment.id, body: comment.body });
        if (first) return found;
      }
    }
    const next = nextLink(response.headers.get("link"));
    if (next !== void 0) {
      const resolved = new URL(next, url);
      url = resolved.origin === origin ? resolved.href : void 0;
    } else
      url = comments.length >= PER_PAGE ? `${listUrl}?per_page=${PER_PAGE}&page=${page + 1}` : void 0;
  }
  return found;
}
function ownAuthor(api, graphqlUrl, init) {
  let login;
  return async (author) => {
    if (author === null || typeof author !== "object") return false;
    const { login: name } = author;
    if (typeof name !== "string" || name === "") return false;
    login ??= tokenLogin(api, graphqlUrl, init);
    return await login === name;
  };
}
async function tokenLogin(api, graphqlUrl, init) {
  const loginOf = (value) => {
    const name = value !== null && typeof value === "object" ? value.login : void 0;
    return typeof name === "string" && name !== "" ? name : void 0;
  };
  try {
    const response = await fetch(graphqlUrl, {
      ...init,
      method: "POST",
      body: JSON.stringify({ query: "query { viewer { login } }" })
    });
    if (response.ok) {
      const answer = await response.json();
      const name = loginOf(answer?.data?.viewer);
      if (name !== void 0) return name;
    }
  } catch {
  }
  try {
    const response = await fetch(`${api}/user`, init);
    return response.ok ? loginOf(await response.json()) : void 0;
  } catch {
    return void 0;
  }
}
function graphqlEndpoint(env, api) {
  const configured = env["GITHUB_GRAPHQL_URL"];
  if (configured) return configured;
  return /\/api\/v3$/.test(api) ? api.replace(/\/api\/v3$/, "/api/graphql") : `${api}/graphql`;
}
function nextLink(header) {
  for (const [, url, params] of (header ?? "").matchAll(/<([^>]*)>([^,]*)/g))
    if (/;\s*rel\s*=\s*"?next"?\s*(?:;|$)/i.test(params)) return url;
  return void 0;
}
function provenance(env, event, shard) {
  const server = (env["GITHUB_SERVER_URL"] || "https://github.com").replace(/\/+$/, "");
  const repository = env["GITHUB_REPOSITORY"] ?? "";
  const where2 = [env["GITHUB_WORKFLOW"], env["GITHUB_JOB"]].filter((p) => p).map((p) => mdText(p));
  const shardText = shard.shard?.trim() ? ` (shard ${mdText(shard.shard.trim())})` : "";
  const parts = [];
  if (where2.length > 0) parts.push(`${where2.join(" \u203A ")}${shardText}`);
  const runId = env["GITHUB_RUN_ID"];
  if (runId && /^\d+$/.test(runId)) {
    const attempt2 = env["GITHUB_RUN_ATTEMPT"];
    const numbered = attempt2 && /^\d+$/.test(attempt2);
    const url = `${server}/${repository}/actions/runs/${runId}${numbered ? `/attempts/${attempt2}` : ""}`;
    parts.push(`[run ${runId}${numbered ? `, attempt ${attempt2}` : ""}](${url})`);
  }
  const link = (sha) => `[\`${sha.slice(0, 7)}\`](${server}/${repository}/commit/${sha})`;
  const isSha = (sha) => typeof sha === "string" && /^[0-9a-f]{7,64}$/i.test(sha);
  const head = event.pull_request?.head?.sha;
  const checkedOut = env["GITHUB_SHA"];
  if (isSha(head)) {
    const merge = isSha(checkedOut) && checkedOut !== head ? ` (run on ${link(checkedOut)})` : "";
    parts.push(`commit ${link(head)}${merge}`);
  } else if (isSha(checkedOut)) parts.push(`commit ${link(checkedOut)}`);
  return parts.length > 0 ? `<sub>${parts.join(" \xB7 ")}</sub>` : "";
}
function readEvent(env) {
  const file = env["GITHUB_EVENT_PATH"];
  if (!file) return {};
  try {
    const event = JSON.parse(readFileSync(file, "utf8"));
    return event !== null && typeof event === "object" ? event : {};
  } catch {
    return {};
  }
}
function pullRequestNumber(event) {
  const number = event.pull_request?.number ?? (event.issue?.pull_request ? event.issue.number : void 0);
  return typeof number === "number" && Number.isInteger(number) && number > 0 ? number : void 0;
}
var PLAN_MARKER_PREFIX = "<!-- async-playbook:plan";
var APPLIED_PREFIX = "<!-- async-playbook:applied -->";
function serverUrl(env) {
  return (env["GITHUB_SERVER_URL"] || "https://github.com").replace(/\/+$/, "");
}
function runUrl(env) {
  const runId = env["GITHUB_RUN_ID"];
  const repository = env["GITHUB_REPOSITORY"];
  if (!runId || !/^\d+$/.test(runId) || !repository) return void 0;
  const attempt2 = env["GITHUB_RUN_ATTEMPT"];
  return `${serverUrl(env)}/${repository}/actions/runs/${runId}${attempt2 && /^\d+$/.test(attempt2) ? `/attempts/${attempt2}` : ""}`;
}
function planMarkerOf(env, event) {
  const head = event.pull_request?.head?.sha;
  const sha = typeof head === "string" && /^[0-9a-f]{7,64}$/i.test(head) ? head : env["GITHUB_SHA"];
  const fields = [
    ["run", runUrl(env)],
    ["sha", sha && /^[0-9a-f]{7,64}$/i.test(sha) ? sha : void 0]
  ].filter((f) => f[1] !== void 0);
  return `${PLAN_MARKER_PREFIX}${fields.map(([k, v]) => ` ${k}=${encodeURIComponent(v)}`).join("")} -->`;
}
function readPlanMarker(body) {
  const line = body.split("\n").find((l) => l.startsWith(PLAN_MARKER_PREFIX));
  if (line === void 0) return void 0;
  const out = {};
  for (const [, key, value] of line.matchAll(/ (run|sha)=([^\s]+)/g)) {
    let decoded;
    try {
      decoded = decodeURIComponent(value);
    } catch {
      continue;
    }
    if (key === "run" && /^https?:\/\/[^\s<>()[\]]+\/actions\/runs\/\d+(?:\/attempts\/\d+)?$/.test(decoded))
      out.run = decoded;
    if (key === "sha" && /^[0-9a-f]{7,64}$/i.test(decoded)) out.sha = decoded;
  }
  return out;
}
async function linkAppliedPlan(token, env = process.env) {
  const repository = env["GITHUB_REPOSITORY"];
  const sha = env["GITHUB_SHA"];
  if (pullRequestNumber(readEvent(env)) !== void 0)
    return { message: "a pull-request run: no plan to link" };
  if (!repository || !sha || !/^[0-9a-f]{7,64}$/i.test(sha))
    return { message: "no commit to look up: no plan linked" };
  const { api, headers } = restApi(env, token);
  const signal = AbortSignal.timeout(3e4);
  const pulls = await fetch(`${api}/repos/${repository}/commits/${sha}/pulls`, { headers, signal });
  if (!pulls.ok)
    throw new Error(
      `looking up the pull request of commit ${sha.slice(0, 7)} failed: HTTP ${pulls.status}`
    );
  const list = await pulls.json();
  const numbers = (Array.isArray(list) ? list : []).map(
    (p) => p !== null && typeof p === "object" ? p.number : void 0
  ).filter((n) => typeof n === "number" && Number.isInteger(n) && n > 0);
  const number = numbers[0];
  if (number === void 0)
    return { message: `commit ${sha.slice(0, 7)} came from no pull request: no plan to link` };
  const plans = await findComments(
    `${api}/repos/${repository}/issues/${number}/comments`,
    (body) => body.split("\n", 3).some((line) => line.startsWith(PLAN_MARKER_PREFIX)),
    { headers, signal },
    api,
    false,
    ownAuthor(api, graphqlEndpoint(env, api), { headers, signal })
  );
  if (plans.length === 0) return { message: `#${number} has no plan comment: no plan linked` };
  const server = serverUrl(env);
  const thisRun = runUrl(env);
  const link = (url, text) => url ? `[${text}](${url})` : text;
  const applied = `${APPLIED_PREFIX}
\u2705 Applied by ${link(thisRun, "this run")} on commit [\`${sha.slice(0, 7)}\`](${server}/${repository}/commit/${sha}).`;
  const ownRuns = `${server}/${repository}/actions/runs/`;
  const linked = [];
  for (const plan of plans) {
    const recorded = readPlanMarker(plan.body);
    if (!recorded?.run?.startsWith(ownRuns)) continue;
    const kept = plan.body.split(`

${APPLIED_PREFIX}`)[0];
    const updated = await fetch(`${api}/repos/${repository}/issues/comments/${plan.id}`, {
      method: "PATCH",
      headers,
      body: JSON.stringify({ body: `${kept}

${applied}` }),
      signal
    });
    if (updated.status === 403 || updated.status === 404) continue;
    if (!updated.ok)
      throw new Error(`marking the plan on #${number} as applied failed: HTTP ${updated.status}`);
    linked.push(
      link(recorded.run, "plan run") + (recorded.sha ? ` (commit \`${recorded.sha.slice(0, 7)}\`)` : "")
    );
  }
  if (linked.length === 0)
    return { message: `#${number} has no plan comment of this repository's runs: no plan linked` };
  const planRuns = linked;
  return {
    message: `linked the plan of #${number} to this run`,
    summaryLine: `\u{1F4CB} Applies the plan reviewed in [#${number}](${server}/${repository}/pull/${number}): ${planRuns.join(", ")}.`
  };
}

// src/report/annotations.ts
var DEFAULT_MAX_ANNOTATIONS_PER_LEVEL = 10;
var MAX_HOST_MESSAGE_CHARS = 500;
var MAX_HOSTS_PER_ANNOTATION = 20;
var MAX_TITLE_CHARS = 200;
function buildAnnotations(doc, options) {
  const max = Math.max(0, Math.floor(options.maxPerLevel ?? DEFAULT_MAX_ANNOTATIONS_PER_LEVEL));
  const errors = [];
  const warnings = [];
  try {
    for (const play of doc.plays) {
      for (const task of play.tasks) {
        const failing = [];
        const ignored = [];
        for (const [host, entry] of Object.entries(task.results)) {
          if (entry.status === "unreachable" || entry.status === "failed")
            (entry.ignored === true ? ignored : failing).push({
              host,
              unreachable: entry.status === "unreachable",
              result: entry.result
            });
        }
        const name = oneLine2(task.name) || oneLine2(task.module) || "task";
        const at = options.inlinePlaybook ? {} : location(task);
        if (failing.length > 0) {
          const verb = failing.some((f) => !f.unreachable) ? "failed" : "unreachable";
          errors.push({
            level: "error",
            title: clip(`Task ${verb}: ${name}`, MAX_TITLE_CHARS),
            message: hostsMessage(failing),
            ...at
          });
        }
        if (ignored.length > 0) {
          warnings.push({
            level: "warning",
            title: clip(
              `Task ${ignored.some((f) => !f.unreachable) ? "failed" : "unreachable"} (ignored): ${name}`,
              MAX_TITLE_CHARS
            ),
            message: hostsMessage(ignored),
            ...at
          });
        }
      }
    }
  } catch {
  }
  return [
    ...limit(errors, max, "error", "failed tasks"),
    ...limit(warnings, max, "warning", "tasks with ignored failures")
  ];
}
function formatAnnotationCommand(a) {
  const properties = [
    ["file", a.file],
    ["line", a.line],
    ["col", a.line ? a.col : void 0],
    ["title", a.title]
  ];
  const props = properties.filter(
    ([, value]) => typeof value === "number" ? Number.isFinite(value) && value !== 0 : !!value
  ).map(([key, value]) => `${key}=${escapeProperty(String(value))}`);
  return `::${a.level}${props.length > 0 ? ` ${props.join(",")}` : ""}::${escapeData(a.message)}`;
}
function escapeData(text) {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}
function escapeProperty(text) {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}
function limit(annotations, max, level, what) {
  if (annotations.length <= max) return annotations;
  if (max === 0) return [];
  const kept = annotations.slice(0, max - 1);
  const left = annotations.length - kept.length;
  const message2 = kept.length > 0 ? `\u2026 and ${left} more ${what}: see the job summary` : `${left} ${what}: see the job summary`;
  return [...kept, { level, title: `${left} more ${what}`, message: message2 }];
}
function location(task) {
  const { file, line } = task;
  if (file === void 0 || file === "" || file.startsWith("<")) return {};
  return line !== void 0 && Number.isInteger(line) && line > 0 ? { file, line } : { file };
}
function hostsMessage(failures) {
  const lines = failures.slice(0, MAX_HOSTS_PER_ANNOTATION).map((f) => {
    const items = Array.isArray(f.result["results"]) ? f.result["results"].map(asRecord) : [];
    const detail = items.find((item) => item["failed"] === true || item["unreachable"] === true) ?? f.result;
    const line = (value) => oneLine2(messageText(value).slice(0, 4 * MAX_HOST_MESSAGE_CHARS));
    let msg = line(f.result["msg"] ?? f.result["reason"]);
    if (f.unreachable && detail !== f.result && detail["unreachable"] === true) {
      msg = line(detail["msg"]) || msg;
    }
    const rc = detail["rc"] ?? f.result["rc"];
    let text = [f.unreachable ? "unreachable" : "", msg].filter((p) => p !== "").join(": ");
    if (text === "") text = "failed";
    if (typeof rc === "number" && !f.unreachable) text += ` (rc=${rc})`;
    const stderr = lastLine(detail["stderr"]);
    const itemMsg = detail !== f.result ? line(detail["msg"]) : "";
    if (stderr !== "" && !msg.includes(stderr)) text += `: ${stderr}`;
    else if (stderr === "" && itemMsg !== "" && !msg.includes(itemMsg)) text += `: ${itemMsg}`;
    return `${f.host}: ${clip(text, MAX_HOST_MESSAGE_CHARS)}`;
  });
  if (failures.length > MAX_HOSTS_PER_ANNOTATION)
    lines.push(`\u2026 and ${failures.length - MAX_HOSTS_PER_ANNOTATION} more hosts`);
  return lines.join("\n");
}
function lastLine(value) {
  if (typeof value !== "string") return "";
  const lines = value.slice(-4096).split(/\r?\n|\r/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = oneLine2(lines[i] ?? "").trim();
    if (line !== "") return clip(line, MAX_HOST_MESSAGE_CHARS);
  }
  return "";
}
function oneLine2(text) {
  return text.replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, "").replace(/[\x00-\x1f\x7f]+/g, " ").replace(/\s+/g, " ").trim();
}

// src/report/host-key-summary.ts
function renderHostKeySections(accepted, unverified) {
  let out = "";
  if (unverified.length > 0) {
    out += "\n\n### \u26A0\uFE0F Host keys not verified\n\nA man in the middle would have gone unnoticed on these hosts. Give their keys in `known-hosts` or pin them with `ansible_ssh_host_key_fingerprints`.\n\n| Host | Why |\n| --- | --- |\n" + unverified.map(
      (u) => `| ${mdText(u.host)} | ${u.reason === "off" ? "host key checking is off" : "no known_hosts key to check against"}: ${code(u.source)} |`
    ).join("\n") + "\n";
  }
  if (accepted.length > 0) {
    out += "\n\n### Host keys accepted on first use (host-key-checking: accept-new)\n\nPin them to trust them for good (the known_hosts lines are in the log):\n\n| Host | Key | Pin |\n| --- | --- | --- |\n" + accepted.map(
      (k) => `| ${mdText(k.where)} | ${mdText(k.keyType)} | ${code(`${k.pinVariable}: ${k.fingerprint}`)} |`
    ).join("\n") + "\n";
  }
  return out;
}

// src/report/gantt.ts
var MAX_GANTT_BARS = 50;
var MAX_GANTT_CHARTS = 20;
function ganttSection(model) {
  const charts = [];
  let hostsWithBars = 0;
  for (const host of model.hosts) {
    const sync = syncBars(model, host);
    const async = asyncBars(model, host);
    if (sync.length + async.length === 0) continue;
    hostsWithBars++;
    if (charts.length < MAX_GANTT_CHARTS) charts.push(ganttChart(host, sync, async));
  }
  if (charts.length === 0) return "";
  const parts = ["### Timeline", ...charts];
  if (hostsWithBars > charts.length)
    parts.push(`_Timelines of ${hostsWithBars - charts.length} more hosts left out._`);
  return parts.join("\n\n");
}
function syncBars(model, host) {
  const bars = [];
  for (const row of model.rows) {
    const cell = row.cells.get(host);
    if (!cell || cell.status === "skipped" || cell.startMs === void 0) continue;
    const failed = (cell.status === "unreachable" || cell.status === "failed") && !cell.ignored;
    bars.push({
      name: row.name,
      tags: failed ? ["crit", "done"] : ["done"],
      start: cell.startMs,
      end: cell.startMs + (cell.durationMs ?? 0)
    });
  }
  return bars;
}
function asyncBars(model, host) {
  const launches = /* @__PURE__ */ new Map();
  const gatherings = /* @__PURE__ */ new Map();
  for (const row of model.rows) {
    const cell = row.cells.get(host);
    if (!cell) continue;
    if (row.module === "async_status") {
      for (const r of withItems(cell.result)) {
        const jid = r["ansible_job_id"];
        if (typeof jid !== "string" || Number(r["finished"]) !== 1) continue;
        gatherings.set(jid, {
          jobStart: localTime(r["start"]),
          jobEnd: localTime(r["end"]),
          observedAt: cell.startMs !== void 0 ? cell.startMs + (cell.durationMs ?? 0) : void 0,
          failed: r["failed"] === true || cell.status === "failed"
        });
      }
    } else if (cell.launched) {
      for (const jid of launchedJobs(cell.result))
        launches.set(jid, { name: row.name, at: cell.startMs });
    }
  }
  const running = new Map(model.running.filter((j) => j.host === host).map((j) => [j.jid, j]));
  const bars = [];
  for (const jid of /* @__PURE__ */ new Set([...launches.keys(), ...gatherings.keys(), ...running.keys()])) {
    const launch = launches.get(jid);
    const job = running.get(jid);
    const gathered = gatherings.get(jid);
    const name = launch?.name ?? job?.task ?? `job ${jid}`;
    const launchedAt = launch?.at ?? job?.launchedMs;
    if (!gathered) {
      if (launchedAt === void 0) continue;
      bars.push({
        name: `${name} (running)`,
        tags: ["active"],
        start: launchedAt,
        end: Math.max(model.now, launchedAt)
      });
      continue;
    }
    const { jobStart, jobEnd, observedAt } = gathered;
    const length = jobStart !== void 0 && jobEnd !== void 0 && jobEnd >= jobStart ? jobEnd - jobStart : void 0;
    let start = launchedAt ?? jobStart ?? observedAt;
    if (start === void 0) continue;
    let end = length !== void 0 ? start + length : observedAt ?? start;
    if (observedAt !== void 0 && end > observedAt) {
      end = observedAt;
      if (start > end) start = end - (length ?? 0);
    }
    bars.push({ name, tags: gathered.failed ? ["crit", "done"] : ["done"], start, end });
  }
  return bars;
}
function ganttChart(host, sync, async) {
  const total = sync.length + async.length;
  let keptSync = sync;
  let keptAsync = async;
  if (total > MAX_GANTT_BARS) {
    const longest = new Set(
      [...async, ...sync].sort((a, b) => b.end - b.start - (a.end - a.start)).slice(0, MAX_GANTT_BARS)
    );
    keptSync = sync.filter((b) => longest.has(b));
    keptAsync = async.filter((b) => longest.has(b));
  }
  const all = [...keptSync, ...keptAsync];
  const span = Math.max(...all.map((b) => b.end)) - Math.min(...all.map((b) => b.start));
  const lines = [
    "```mermaid",
    "gantt",
    `  title ${mermaidText(host)}`,
    "  dateFormat x",
    `  axisFormat ${span >= 36e5 ? "%H:%M:%S" : "%M:%S"}`,
    "  todayMarker off"
  ];
  let id = 0;
  const section = (label, bars) => {
    if (bars.length === 0) return;
    lines.push(`  section ${label}`);
    for (const bar of [...bars].sort((a, b) => a.start - b.start)) {
      const start = Math.round(bar.start);
      const end = Math.max(start, Math.round(bar.end));
      lines.push(`  ${mermaidText(bar.name)} :${[...bar.tags, `t${++id}`, start, end].join(", ")}`);
    }
  };
  section("Tasks", keptSync);
  section("Async jobs", keptAsync);
  lines.push("```");
  if (all.length < total)
    lines.push("", `_${mdText(host)}: showing the ${all.length} longest of ${total} bars._`);
  return lines.join("\n");
}
var MERMAID_KEYWORD = /^(section|title|dateformat|axisformat|tickinterval|excludes|includes|todaymarker|click|inclusiveenddates|topaxis|weekday|weekend|acctitle|accdescr)\b/i;
function mermaidText(text) {
  let out = cleanText(text).replace(/[:#;%`<>{}\r\n\t]+/g, " ").replace(/\s+/g, " ").trim();
  out = clip(out, 80);
  if (out === "") return "unnamed";
  return MERMAID_KEYWORD.test(out) ? `\u203A ${out}` : out;
}

// src/report/summary-model.ts
var STAT_KEYS = [
  "ok",
  "changed",
  "unreachable",
  "failed",
  "skipped",
  "rescued",
  "ignored"
];
function normalize(doc, now) {
  const stats = Object.entries(doc.stats).map(([host, s]) => [host, statCounts(s)]);
  const hosts = stats.map(([host]) => host);
  const seen = new Set(hosts);
  const addHost = (host) => {
    if (!seen.has(host)) {
      seen.add(host);
      hosts.push(host);
    }
  };
  const rows = [];
  for (const play of doc.plays) {
    for (const task of play.tasks) {
      const module = shortModule(task.module);
      const cells = /* @__PURE__ */ new Map();
      for (const [host, entry] of Object.entries(task.results)) {
        const started = Date.parse(entry.started_at);
        cells.set(host, {
          status: entry.status,
          ignored: entry.ignored === true,
          startMs: Number.isFinite(started) ? started : void 0,
          durationMs: nonNegative(entry.duration_ms),
          result: entry.result,
          launched: module !== "async_status" && launchedJobs(entry.result).length > 0
        });
        addHost(host);
      }
      rows.push({
        play: play.name,
        name: task.name || module || "(unnamed task)",
        module,
        file: task.file,
        line: finite(task.line),
        cells,
        interrupted: /* @__PURE__ */ new Set()
      });
    }
  }
  const running = [];
  for (const [host, jobs] of Object.entries(doc.jobs)) {
    for (const [key, job] of Object.entries(jobs)) {
      const launched = Date.parse(String(job["launched_at"]));
      running.push({
        host,
        key,
        task: typeof job["task"] === "string" ? job["task"] : key,
        jid: String(job["ansible_job_id"] ?? ""),
        file: typeof job["file"] === "string" ? job["file"] : void 0,
        line: finite(job["line"]),
        launchedMs: Number.isFinite(launched) ? launched : void 0,
        asyncSeconds: nonNegative(job["async"])
      });
      addHost(host);
    }
  }
  const cancelled = doc.cancelled === true;
  const ok = !cancelled && doc.ok;
  if (cancelled) markInterrupted(doc, rows, stats);
  const custom = doc.custom_stats && typeof doc.custom_stats === "object" ? doc.custom_stats : void 0;
  return { ok, cancelled, stats, hosts, rows, running, now, ...custom ? { custom } : {} };
}
function statCounts(s) {
  const counts = {};
  for (const key of STAT_KEYS) counts[key] = s[key];
  return counts;
}
function markInterrupted(doc, rows, stats) {
  const lastPlay = doc.plays[doc.plays.length - 1]?.tasks.length ?? 0;
  const last = rows[rows.length - 1];
  if (!last || lastPlay === 0) return;
  const failed = new Set(
    stats.filter(([, s]) => s.failed > 0 || s.unreachable > 0).map(([host]) => host)
  );
  for (const row of rows.slice(rows.length - lastPlay)) {
    for (const [host, cell] of row.cells) {
      if (isFailure(cell)) failed.add(host);
      else if (!failed.has(host) && !last.cells.has(host)) last.interrupted.add(host);
    }
  }
}
function shortModule(name) {
  return name.replace(/^ansible\.(builtin|legacy)\./, "");
}
function isFailure(cell) {
  return (cell.status === "unreachable" || cell.status === "failed") && !cell.ignored;
}

// src/report/job-summary.ts
var DEFAULT_SUMMARY_MAX_BYTES = 1e6;
var PLAN_SHARE = 0.7;
var SUMMARY_TRUNCATED_NOTE = "Summary truncated to fit GitHub's 1 MiB limit; the full results are in the results file.";
var MAX_JOB_ROWS = 200;
var MAX_SUMMARY_MSG_CHARS = 300;
var MAX_MSG_BLOCK_CHARS = 4e3;
var PLANS = [
  {
    tailLines: 20,
    lineChars: 1e3,
    maxFailures: 200,
    maxRows: Infinity,
    gantt: true,
    minimal: false
  },
  {
    tailLines: 5,
    lineChars: 200,
    maxFailures: 200,
    maxRows: Infinity,
    gantt: true,
    minimal: false
  },
  { tailLines: 0, lineChars: 0, maxFailures: 100, maxRows: Infinity, gantt: true, minimal: false },
  { tailLines: 0, lineChars: 0, maxFailures: 100, maxRows: 200, gantt: true, minimal: false },
  { tailLines: 0, lineChars: 0, maxFailures: 50, maxRows: 200, gantt: false, minimal: false },
  { tailLines: 0, lineChars: 0, maxFailures: 50, maxRows: 100, gantt: false, minimal: false },
  { tailLines: 0, lineChars: 0, maxFailures: 20, maxRows: 50, gantt: false, minimal: false },
  { tailLines: 0, lineChars: 0, maxFailures: 10, maxRows: 20, gantt: false, minimal: false },
  { tailLines: 0, lineChars: 0, maxFailures: 0, maxRows: 0, gantt: false, minimal: true }
];
function renderJobSummary(doc, options = {}) {
  if (options.secrets !== void 0 && options.secrets.length > 0) {
    const { secrets, ...rest } = options;
    return renderJobSummary(maskTexts(doc, secrets), rest);
  }
  const maxBytes = typeof options.maxBytes === "number" && options.maxBytes >= 0 ? Math.floor(options.maxBytes) : DEFAULT_SUMMARY_MAX_BYTES;
  const title = oneLine(String(options.title ?? "")).trim() || "async-playbook";
  if (options.plan === true) {
    let planText;
    try {
      planText = renderPlan(
        buildPlan(doc, options.diffContext),
        title,
        Math.floor(maxBytes * PLAN_SHARE)
      );
    } catch (error) {
      planText = `## \u{1F4CB} ${mdText(title)}: plan

The plan could not be drawn (${html(clip(error instanceof Error ? error.message : String(error), 300))}); the results file has every result.
`;
    }
    const rest = renderJobSummary(doc, {
      ...options,
      plan: false,
      title: `${title} (check mode)`,
      maxBytes: maxBytes - utf8Length(planText) - 1
    });
    return fitBytes(`${planText}
${rest}`, maxBytes);
  }
  try {
    const now = typeof options.now === "number" ? options.now : Date.now();
    const model = normalize(doc, now);
    const jobs = { gatherCommand: options.gatherCommand, stopped: options.jobsStopped === true };
    let text = "";
    for (const [index, plan] of PLANS.entries()) {
      text = render(model, plan, title, jobs, index > 0);
      if (utf8Length(text) <= maxBytes) return text;
    }
    return fitBytes(render(model, PLANS[PLANS.length - 1], title, jobs, false), maxBytes);
  } catch (error) {
    return fitBytes(fallbackSummary(doc, title, error), maxBytes);
  }
}
function render(model, plan, title, jobs, truncated) {
  const parts = [heading(model, title, jobs), recapSection(model), customStatsSection(model, plan)];
  if (!plan.minimal) parts.push(failuresSection(model, plan));
  parts.push(jobsSection(model, jobs));
  if (!plan.minimal) parts.push(matrixSection(model, plan.maxRows));
  if (plan.gantt) parts.push(ganttSection(model));
  if (truncated) parts.push(`> [!NOTE]
> ${SUMMARY_TRUNCATED_NOTE}`);
  return parts.filter((p) => p !== "").join("\n\n") + "\n";
}
function heading(model, title, jobs) {
  const failed = model.stats.filter(([, s]) => hostFailed(s)).length;
  const unfinished = model.cancelled ? model.stats.length - failed : 0;
  const facts = [
    plural(model.hosts.length, "host"),
    plural(model.rows.length, "task"),
    ...failed > 0 ? [`${plural(failed, "host")} failed`] : [],
    ...unfinished > 0 ? [`${plural(unfinished, "host")} did not finish`] : [],
    ...model.running.length > 0 ? [
      `${plural(model.running.length, "background job")} ${jobs.stopped ? "stopped by the post step" : "still running"}`
    ] : []
  ];
  const [icon, outcome] = model.cancelled ? ["\u23F9\uFE0F", "cancelled"] : model.ok ? ["\u2705", "succeeded"] : ["\u274C", "failed"];
  return `## ${icon} ${mdText(title)}: ${outcome}

${facts.join(" \xB7 ")}`;
}
function hostFailed(s) {
  return s.failed > 0 || s.unreachable > 0;
}
function recapSection(model) {
  if (model.stats.length === 0) return "### Play recap\n\nNo host ran a task.";
  const lines = [
    "### Play recap",
    "",
    `| Host | ${STAT_KEYS.join(" | ")} |`,
    `| :-- |${" --: |".repeat(STAT_KEYS.length)}`
  ];
  for (const [host, s] of model.stats) {
    const icon = hostFailed(s) ? "\u274C" : model.cancelled ? "\u23F9\uFE0F" : "\u2705";
    lines.push(`| ${icon} ${mdText(host)} | ${STAT_KEYS.map((k) => s[k]).join(" | ")} |`);
  }
  if (model.cancelled && model.stats.some(([, s]) => !hostFailed(s)))
    lines.push("", "\u23F9\uFE0F The run was cancelled before this host finished.");
  return lines.join("\n");
}
var CUSTOM_STATS_MAX_CHARS = 500;
function customStatsSection(model, plan) {
  const custom = model.custom;
  if (!custom || Object.keys(custom).length === 0) return "";
  const lines = ["### Custom stats", "", "| Scope | Values |", "| :-- | :-- |"];
  const shown = (values) => {
    const text = pythonJson(values);
    const limit2 = plan.minimal ? 100 : CUSTOM_STATS_MAX_CHARS;
    return code(text.length > limit2 ? `${text.slice(0, limit2)}\u2026` : text);
  };
  for (const [scope, values] of Object.entries(custom)) {
    if (scope === "_run") continue;
    lines.push(`| ${mdText(scope)} | ${shown(values)} |`);
  }
  if (custom["_run"]) lines.push(`| run | ${shown(custom["_run"])} |`);
  return lines.join("\n");
}
function failuresSection(model, plan) {
  const failures = [];
  const ignored = [];
  for (const row of model.rows) {
    for (const [host, cell] of row.cells) {
      if (isFailure(cell)) failures.push({ row, host, cell });
      else if (cell.status === "failed" || cell.status === "unreachable")
        ignored.push({ row, host, cell });
    }
  }
  const all = [...failures, ...ignored];
  if (all.length === 0) return "";
  const shown = all.slice(0, plan.maxFailures);
  const parts = [
    `### Failures (${failures.length}${ignored.length > 0 ? `, and ${ignored.length} ignored` : ""})`,
    ...shown.map((f) => failureBlock(f, plan))
  ];
  if (shown.length < all.length)
    parts.push(`_\u2026 and ${all.length - shown.length} more: see the results file._`);
  return parts.join("\n\n");
}
function failureBlock({ row, host, cell }, plan) {
  const result = cell.result;
  const detail = withItems(result).find((r) => r["failed"] === true && r !== result && hasOutput(r)) ?? result;
  const msg = messageText(result["msg"] ?? result["reason"]);
  const rc = finite(detail["rc"] ?? result["rc"]);
  const icon = cell.ignored ? "\u26A0\uFE0F" : cell.status === "unreachable" ? "\u{1F50C}" : "\u274C";
  const label = `${cell.status === "unreachable" ? "unreachable" : "failed"}${cell.ignored ? " (ignored)" : ""}`;
  const shortMsg = oneLine(msg);
  const summary2 = `${icon} <b>${html(host)}</b> ${label}: ${html(taskLabel(row))}${row.file ? ` (${html(where(row))})` : ""}` + (rc !== void 0 ? ` \u2014 rc=${rc}` : "") + (shortMsg ? ` \u2014 ${html(clip(shortMsg, MAX_SUMMARY_MSG_CHARS))}` : "");
  const body = [];
  if (msg.length > MAX_SUMMARY_MSG_CHARS || /[\r\n]/.test(msg))
    body.push(`msg:

${fenced(clip(cleanText(msg), MAX_MSG_BLOCK_CHARS))}`);
  if (plan.tailLines > 0) {
    const stderr = stringField(detail, "stderr");
    const which = stderr.trim() !== "" ? "stderr" : "stdout";
    const output = which === "stderr" ? stderr : stringField(detail, "stdout");
    const t = tail(output, plan.tailLines, plan.lineChars);
    if (t.text !== "")
      body.push(
        `${which}${t.more ? ` (last ${plan.tailLines} lines)` : ""}:

${fenced(t.text, "text")}`
      );
  }
  return [
    `<details><summary>${summary2}</summary>`,
    "",
    ...body.flatMap((b) => [b, ""]),
    "</details>"
  ].join("\n");
}
function hasOutput(r) {
  return stringField(r, "stderr") !== "" || stringField(r, "stdout") !== "" || r["rc"] !== void 0;
}
function jobsSection(model, jobs) {
  if (model.running.length === 0) return "";
  const lines = [
    jobs.stopped ? `### \u23F9\uFE0F Background jobs stopped (${model.running.length})` : `### \u23F3 Background jobs still running (${model.running.length})`,
    "",
    "| Host | Key | Task | Job id | Launched | Async budget |",
    "| :-- | :-- | :-- | :-- | :-- | --: |"
  ];
  for (const job of model.running.slice(0, MAX_JOB_ROWS)) {
    const task = mdText(job.task) + (job.file ? ` <sub>${mdText(where(job))}</sub>` : "");
    const launched = job.launchedMs !== void 0 ? formatUtc(job.launchedMs) : "";
    const budget = job.asyncSeconds !== void 0 ? formatDuration(job.asyncSeconds * 1e3) : "";
    lines.push(
      `| ${mdText(job.host)} | ${code(job.key)} | ${task} | ${code(job.jid)} | ${launched} | ${budget} |`
    );
  }
  if (model.running.length > MAX_JOB_ROWS)
    lines.push("", `_\u2026 and ${model.running.length - MAX_JOB_ROWS} more: see the results file._`);
  lines.push("");
  const gatherCommand = jobs.gatherCommand;
  if (jobs.stopped) {
    lines.push(
      "The run was cancelled with `on-cancel: kill`: the post step of this action stops these jobs (TERM, then KILL), so there is nothing to gather. Its log says which ones it stopped."
    );
  } else if (gatherCommand !== void 0 && gatherCommand.trim() !== "") {
    lines.push("Gather them later with:", "", fenced(gatherCommand.replace(/\s+$/, "")));
  } else {
    lines.push(
      "Gather them later by handing this run's results document to a new run as the jobs to wait for."
    );
  }
  return lines.join("\n");
}
function matrixSection(model, maxRows) {
  if (model.rows.length === 0 || model.hosts.length === 0) return "";
  const rows = pickRows(model.rows, maxRows);
  if (rows.length === 0)
    return `### Tasks

_${plural(model.rows.length, "task")} left out: see the results file._`;
  const lines = [
    "### Tasks",
    "",
    `| Task | ${model.hosts.map(mdText).join(" | ")} |`,
    `| :-- |${" :-- |".repeat(model.hosts.length)}`
  ];
  for (const row of rows) {
    const name = mdText(taskLabel(row)) + (row.file ? ` <sub>${mdText(where(row))}</sub>` : "");
    const cells = model.hosts.map((host) => {
      const cell = row.cells.get(host);
      return cell ? cellText(cell) : row.interrupted.has(host) ? "\u23F9\uFE0F cancelled" : "\xB7";
    });
    lines.push(`| ${name} | ${cells.join(" | ")} |`);
  }
  if (rows.length < model.rows.length)
    lines.push(
      "",
      `_\u2026 and ${plural(model.rows.length - rows.length, "more task")}: see the results file._`
    );
  return lines.join("\n");
}
function pickRows(rows, maxRows) {
  if (rows.length <= maxRows) return rows;
  const failing = rows.filter(
    (r) => [...r.cells.values()].some((c) => c.status === "failed" || c.status === "unreachable")
  );
  const keep = new Set(failing.slice(0, maxRows));
  for (const row of rows) {
    if (keep.size >= maxRows) break;
    keep.add(row);
  }
  return rows.filter((r) => keep.has(r));
}
var ICONS = {
  ok: "\u2705",
  changed: "\u{1F7E1}",
  failed: "\u274C",
  skipped: "\u23ED\uFE0F",
  unreachable: "\u{1F50C}"
};
function cellText(cell) {
  if (cell.status === "skipped") return `${ICONS.skipped} skipped`;
  const duration2 = cell.durationMs !== void 0 ? ` ${formatDuration(cell.durationMs)}` : "";
  if ((cell.status === "failed" || cell.status === "unreachable") && cell.ignored)
    return `\u26A0\uFE0F ignored${duration2}`;
  if (cell.launched && (cell.status === "ok" || cell.status === "changed"))
    return `\u{1F680} launched${duration2}`;
  return `${ICONS[cell.status]} ${cell.status}${duration2}`;
}
function fallbackSummary(doc, title, error) {
  const cancelled = attempt(() => asRecord(doc)["cancelled"] === true, false);
  const recap = attempt(() => {
    const stats = Object.entries(asRecord(asRecord(doc)["stats"])).map(
      ([host, raw]) => {
        const s = asRecord(raw);
        const counts = {};
        for (const key of STAT_KEYS) counts[key] = finite(s[key]) ?? 0;
        return [host, counts];
      }
    );
    return recapSection({ ok: false, cancelled, stats, hosts: [], rows: [], running: [], now: 0 });
  }, "");
  const ok = attempt(() => cancelled ? "cancelled" : asRecord(doc)["ok"], void 0);
  const detail = attempt(
    () => error instanceof Error ? error.message : String(error),
    "unknown error"
  );
  return [
    `## ${ok === true ? "\u2705" : ok === false ? "\u274C" : ok === "cancelled" ? "\u23F9\uFE0F" : "\u2754"} ${mdText(title)}${ok === "cancelled" ? ": cancelled" : ""}`,
    recap,
    `The full job summary could not be rendered (${mdText(clip(oneLine(detail), 300))}); the full results are in the results file.`
  ].filter((p) => p !== "").join("\n\n").concat("\n");
}
function attempt(read, otherwise) {
  try {
    return read();
  } catch {
    return otherwise;
  }
}
function fitBytes(text, maxBytes) {
  if (utf8Length(text) <= maxBytes) return text;
  const note = `

${SUMMARY_TRUNCATED_NOTE}
`;
  const budget = maxBytes - utf8Length(note);
  if (budget <= 0) return truncateUtf8(SUMMARY_TRUNCATED_NOTE, maxBytes);
  let cut = truncateUtf8(text, budget);
  const newline = cut.lastIndexOf("\n");
  if (newline > 0) cut = cut.slice(0, newline);
  return cut + note;
}
function stringField(r, key) {
  const value = r[key];
  return typeof value === "string" ? value : "";
}
function taskLabel(row) {
  return row.play ? `${row.play} \u203A ${row.name}` : row.name;
}
function where(at) {
  return at.line !== void 0 ? `${at.file ?? ""}:${at.line}` : at.file ?? "";
}
var TIME_KEYS = /* @__PURE__ */ new Set(["started_at", "launched_at", "finished_at", "start", "end", "delta"]);
function maskTexts(value, secrets) {
  const ordered = [...secrets].filter((t) => t !== "").sort((a, b) => b.length - a.length);
  const mask = (v, depth) => {
    if (typeof v === "string") {
      let text = v;
      for (const secret of ordered) if (text.includes(secret)) text = text.split(secret).join("***");
      return text;
    }
    if (depth > 64 || v === null || typeof v !== "object") return v;
    if (Array.isArray(v)) return v.map((item) => mask(item, depth + 1));
    const out = Object.create(Object.getPrototypeOf(v));
    for (const [key, item] of Object.entries(v))
      out[mask(key, depth + 1)] = TIME_KEYS.has(key) ? item : mask(item, depth + 1);
    return out;
  };
  return mask(value, 0);
}

// src/main.ts
function progressEveryMs() {
  const seconds = Number(process.env["ASYNC_PLAYBOOK_PROGRESS_SECONDS"]);
  return (Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULTS.progressSeconds) * 1e3;
}
async function run() {
  let settings;
  try {
    settings = readActionSettings();
    await installVault(settings.vault);
  } catch (error) {
    setFailed(message(error));
    return;
  }
  const live = {};
  const controller = new AbortController();
  const out = new InertWriter((text) => process.stdout.write(text), { workflowCommands: true });
  const grouping = groupingEvents();
  const endLog = () => {
    out.close();
    grouping.close();
  };
  let reported = false;
  let listed = "";
  const report = async (document, failure, options = {}) => {
    if (reported) return;
    reported = true;
    endLog();
    const handover = writeOutputs(document, settings.resultsFile, settings.run.diffContext);
    if (settings.onCancel === "kill")
      saveLaunchedJobs(live.registry?.allOutstanding().filter((j) => !j.handedOver) ?? []);
    if (settings.annotations) {
      for (const annotation of buildAnnotations(document, {
        inlinePlaybook: settings.inlinePlaybook
      })) {
        process.stdout.write(`${formatAnnotationCommand(annotation)}
`);
      }
    }
    const plan = settings.run.check === true;
    const summary2 = settings.mode !== "run" ? listingSummary(settings.mode, listed) : safeSummary(
      document,
      options.jobsStopped === true,
      plan,
      void 0,
      settings.run.diffContext
    );
    if (settings.summary && summary2) {
      try {
        await summary.addRaw(summary2).write();
      } catch (error) {
        warning(`Could not write the job summary: ${message(error)}`);
      }
    }
    if (settings.comment && settings.githubToken && summary2 && settings.mode === "run") {
      const shard = settings.run.shard;
      const identity = {
        shard: shard ? `${shard.index}/${shard.count}` : void 0,
        matrix: settings.matrix
      };
      try {
        const body = plan ? safeSummary(document, false, true, MAX_PLAN_COMMENT_BYTES, settings.run.diffContext) ?? summary2 : summary2;
        info(
          await upsertPullRequestComment(body, settings.githubToken, process.env, identity, {
            plan
          })
        );
        if (!plan) {
          const applied = await linkAppliedPlan(settings.githubToken, process.env);
          if (applied.summaryLine && settings.summary)
            await summary.addRaw(`
${applied.summaryLine}
`).write();
          info(applied.message);
        }
      } catch (error) {
        warning(`Could not update the pull-request comment: ${message(error)}`);
      }
    }
    if (handover) setFailed(visibleControls(handover));
    if (failure) setFailed(visibleControls(failure));
  };
  const onCancel = (signal) => {
    if (controller.signal.aborted) return;
    controller.abort();
    endLog();
    saveState(State.Cancelled, "true");
    warning(
      `Cancelled (${signal}): writing the partial results${settings.onCancel === "kill" ? "; the post step stops the background jobs this step started" : "; background jobs keep running (on-cancel: leave)"}.`
    );
    const partial = partialDocument(live);
    void report(partial, `The run was cancelled (${signal}).`, {
      jobsStopped: settings.onCancel === "kill"
    }).finally(() => process.exit(1));
  };
  process.once("SIGINT", () => onCancel("SIGINT"));
  process.once("SIGTERM", () => onCancel("SIGTERM"));
  const progress = setInterval(() => {
    const jobs = live.registry?.allOutstanding() ?? [];
    if (jobs.length === 0) return;
    const now = Date.now();
    const parts = jobs.slice(0, 10).map((j) => `${j.host} ${j.register ?? j.task} ${duration(now - j.launchedAt)}`);
    out.line(
      `waiting on ${jobs.length} job${jobs.length === 1 ? "" : "s"}: ${parts.join(", ")}${jobs.length > 10 ? ", \u2026" : ""}`
    );
  }, progressEveryMs());
  progress.unref();
  try {
    const outcome = await executeRun(
      settings.run,
      (text) => {
        if (settings.mode !== "run") listed += text;
        out.write(text);
      },
      {
        signal: controller.signal,
        extraEvents: [],
        live,
        beforeConsole: [noLogMasking(), grouping]
      }
    );
    if (controller.signal.aborted) return;
    await report(outcome.document, gate(outcome.document, outcome.exitCode, settings.failOn));
  } catch (error) {
    if (controller.signal.aborted) return;
    endLog();
    setOutput(Outputs.Ok, "false");
    failWith(error, settings);
  } finally {
    clearInterval(progress);
    if (!controller.signal.aborted) endLog();
  }
}
function failWith(error, settings) {
  const text = visibleControls(message(error));
  const location2 = error instanceof AsyncPlaybookError ? error.location : void 0;
  if (!location2) {
    setFailed(text);
    return;
  }
  const prefix = `${formatLocation(location2)}: `;
  const detail = text.startsWith(prefix) ? text.slice(prefix.length) : text;
  const file = repositoryFile(location2.file, settings.run.cwd);
  process.exitCode = 1;
  process.stdout.write(
    `${formatAnnotationCommand({
      level: "error",
      title: errorTitle(error, detail),
      message: file ? detail : text,
      ...file ? { file, line: location2.line, col: location2.column } : {}
    })}
`
  );
}
function errorTitle(error, detail) {
  if (/^YAML syntax error\b/.test(detail)) return "YAML syntax error";
  if (error instanceof TemplateError) return "Template error";
  if (error instanceof InventoryError) return "Inventory error";
  return "Playbook error";
}
function repositoryFile(file, workspace) {
  if (file === "" || file.startsWith("<")) return void 0;
  const relative = path.relative(workspace, path.resolve(workspace, file));
  const inside = relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative);
  return (inside ? relative : file).split(path.sep).join("/");
}
function partialDocument(live) {
  const document = live.collector?.partialDocument() ?? {
    ok: false,
    stats: {},
    plays: [],
    jobs: {}
  };
  document.ok = false;
  document.cancelled = true;
  document.jobs = jobsDocument(live.registry?.allOutstanding() ?? []);
  return document;
}
var MAX_PLAN_COMMENT_BYTES = 6e4;
function listingSummary(mode, listed) {
  return `## \u{1F4CB} async-playbook: ${mode}

${fenced(cleanText(listed).replace(/^\n+|\n+$/g, ""), "text")}
`;
}
function safeSummary(document, jobsStopped, plan = false, maxBytes, diffContext) {
  try {
    const keys = maxBytes === void 0 ? renderHostKeySections(acceptedHostKeys(), unverifiedHosts()) : "";
    return renderJobSummary(document, {
      gatherCommand: `jobs: \${{ steps.${stepId()}.outputs.${Outputs.Jobs} }}`,
      jobsStopped,
      plan,
      ...maxBytes !== void 0 ? { maxBytes } : {},
      // The summary is the pull-request comment too, which GitHub's log masking never sees.
      secrets: vaultKeyring().revealedTexts(),
      ...diffContext !== void 0 ? { diffContext } : {}
    }) + keys;
  } catch (error) {
    warning(`Could not render the job summary: ${message(error)}`);
    return void 0;
  }
}
function stepId() {
  const step = process.env["GITHUB_ACTION"];
  return step && !step.startsWith("__") ? step : "<this step id>";
}
function duration(ms) {
  const s = Math.floor(ms / 1e3);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}
function message(error) {
  if (error instanceof AsyncPlaybookError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
async function installVault(vault) {
  const given = vault.password ? [
    {
      id: DEFAULT_VAULT_ID,
      password: Buffer.from(vault.password, "utf8"),
      source: `input '${Inputs.VaultPassword}'`
    }
  ] : [];
  const noTerminal = () => Promise.reject(
    new OptionError(
      `a vault password prompt needs a terminal, and an action has none: give the password with the '${Inputs.VaultPassword}' input`
    )
  );
  const secrets = [...given, ...await loadVaultSecrets(vault.request, noTerminal)];
  setVaultKeyring(new VaultKeyring(secrets, secretMasker({ numbers: true })));
}

// src/index.ts
void run();
