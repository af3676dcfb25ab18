#!/usr/bin/env node
import { createRequire as __apCreateRequire } from 'node:module';
import { fileURLToPath as __apFileURLToPath } from 'node:url';
import { dirname as __apDirname } from 'node:path';
const require = __apCreateRequire(import.meta.url);
const __filename = __apFileURLToPath(import.meta.url);
const __dirname = __apDirname(__filename);
import {
  MODULE_CATALOG,
  executeRun
} from "./chunks/chunk-ZAZYM65R.js";
import {
  AsyncPlaybookError,
  BECOME_PASSWORD_ENV,
  DEFAULTS,
  InertWriter,
  InventoryError,
  OptionError,
  PlaybookError,
  TemplateError,
  USAGE,
  UsageError,
  VaultKeyring,
  checkPlaybookFile,
  inertText,
  loadVaultSecrets,
  parseCli,
  parseKeyValueArgs,
  plainTask,
  resolveModuleName,
  setVaultKeyring,
  unsupportedCollectionModule,
  visibleControls
} from "./chunks/chunk-FOE3WLQZ.js";

// src/cli.ts
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";

// src/cli-prompt.ts
function askBecomePassword(terminal = { input: process.stdin, output: process.stderr }) {
  return askHidden(
    "BECOME password: ",
    "become password",
    `-K/--ask-become-pass needs a terminal to ask for the password, and stdin is not one. Give the password with the ${BECOME_PASSWORD_ENV} environment variable, the ansible_become_password variable (inventory or -e @file), or in a workflow the become-password input`,
    terminal
  );
}
function askVaultPassword(label, ansibleStyle, terminal = { input: process.stdin, output: process.stderr }) {
  return askHidden(
    ansibleStyle ? "Vault password: " : `Vault password (${label}): `,
    "vault password",
    `${ansibleStyle ? "--ask-vault-password" : `--vault-id ${label}@prompt`} needs a terminal to ask for the password, and stdin is not one. Give the password in a file only you can read: --vault-password-file FILE (or ANSIBLE_VAULT_PASSWORD_FILE), or in a workflow the vault-password input`,
    terminal
  );
}
async function askVarsPrompt(request, terminal = { input: process.stdin, output: process.stderr }) {
  const noTerminal = `vars_prompt '${request.name}' needs a terminal, and stdin is not one: give it with -e ${request.name}=VALUE`;
  const ask = (message) => askLine(message, `'${request.name}' prompt`, noTerminal, terminal, !request.private);
  for (; ; ) {
    const first = await ask(request.message);
    if (!request.confirm) return first;
    const second = await ask(`confirm ${request.message}`);
    if (first === second) return first;
    terminal.output.write("***** VALUES ENTERED DO NOT MATCH ****\n");
  }
}
function askHidden(prompt, what, noTerminal, terminal) {
  return askLine(prompt, what, noTerminal, terminal, false);
}
function askLine(prompt, what, noTerminal, terminal, echo) {
  const { input, output } = terminal;
  if (!input.isTTY || typeof input.setRawMode !== "function") {
    return Promise.reject(new OptionError(noTerminal));
  }
  const setRaw = input.setRawMode.bind(input);
  return new Promise((resolve, reject) => {
    let typed = "";
    const finish = (error) => {
      input.removeListener("data", onData);
      setRaw(false);
      input.pause();
      output.write("\n");
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk) => {
      for (const char of chunk.toString()) {
        if (char === "\r" || char === "\n") return finish();
        if (char === "") return finish(new OptionError(`cancelled at the ${what} prompt`));
        if (char === "") {
          if (typed === "") return finish(new OptionError(`no ${what} was typed`));
          return finish();
        }
        if (char === "\x7F" || char === "\b") {
          if (echo && typed !== "") output.write("\b \b");
          typed = typed.slice(0, -1);
        } else {
          typed += char;
          if (echo) output.write(char);
        }
      }
    };
    output.write(prompt);
    setRaw(true);
    input.resume();
    input.on("data", onData);
  });
}

// src/playbook/adhoc.ts
var AD_HOC_FILE = "<ad-hoc>";
function buildAdhocPlaybook(pattern, moduleName, args, modules, cwd, background) {
  const module = resolveModuleName(moduleName, modules);
  if (module === void 0) {
    throw new PlaybookError(
      unsupportedCollectionModule(moduleName, modules) ?? `couldn't resolve module '${moduleName}'. Supported modules: ${[...modules.names].sort().join(", ")}`
    );
  }
  const location = { file: AD_HOC_FILE, line: 1 };
  const parsedArgs = args.trim() === "" ? {} : parseKeyValueArgs(
    args,
    modules.freeForm.has(module) && !modules.keyValueFreeForm?.has(module)
  );
  return {
    file: AD_HOC_FILE,
    baseDir: cwd,
    plays: [
      {
        name: `Ansible Ad-Hoc`,
        hosts: pattern,
        vars: {},
        gatherFacts: false,
        handlers: [],
        tags: [],
        anyErrorsFatal: false,
        location,
        tasks: [
          plainTask({
            name: module,
            named: false,
            module,
            args: parsedArgs,
            location,
            ...background?.async ? { async: background.async, poll: background.poll ?? DEFAULTS.adhocPollSeconds } : {}
          })
        ]
      }
    ]
  };
}

// src/version.ts
var VERSION = "0.1.0";

// src/cli.ts
async function main(argv) {
  watchStdout();
  const out = new InertWriter(
    (text) => {
      if (!stdoutGone) process.stdout.write(text);
    },
    { workflowCommands: inGitHubActions() }
  );
  const write = (text) => out.write(text);
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(99);
    process.stderr.write("\n[ERROR]: User interrupted execution\n");
    controller.abort();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const request = parseCli(argv, process.env, Boolean(process.stdout.isTTY));
    if (request.kind === "help") {
      write(`${USAGE}
`);
      return 0;
    }
    if (request.kind === "version") {
      write(`async-playbook ${VERSION}
`);
      return 0;
    }
    const settings = request.settings;
    if (request.kind === "playbook" && typeof settings.playbook === "string")
      checkPlaybookFile(settings.playbook, settings.cwd);
    if (request.askBecomePass) {
      settings.become = { ...settings.become, password: await askBecomePassword() };
    }
    if (request.vault)
      setVaultKeyring(new VaultKeyring(await loadVaultSecrets(request.vault, askVaultPassword)));
    if (request.kind === "adhoc") {
      const { pattern, module, args, background, poll } = request.adhoc;
      settings.adhocOutput = true;
      settings.playbook = buildAdhocPlaybook(pattern, module, args, MODULE_CATALOG, settings.cwd, {
        async: background,
        poll
      });
    }
    const outcome = await executeRun(settings, write, {
      signal: controller.signal,
      // As ansible-playbook: a run-level `[ERROR]:` (--start-at-task naming no task) goes to stderr. The
      // console made it visible already; only its own colour is left to keep.
      writeError: (text) => {
        process.stderr.write(
          inGitHubActions() ? inertText(text) : visibleControls(text, { keepColour: true })
        );
      },
      // vars_prompt asks on a terminal only; without one, a prompt with no value stops the run.
      ...process.stdin.isTTY ? { varsPrompter: (request2) => askVarsPrompt(request2) } : {}
    });
    if (controller.signal.aborted) return 99;
    return outcome.exitCode;
  } catch (error) {
    out.close();
    return reportFatal(error);
  } finally {
    out.close();
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
}
var stdoutGone = false;
var watchingStdout = false;
function watchStdout() {
  if (watchingStdout) return;
  watchingStdout = true;
  process.stdout.on("error", (error) => {
    if (error.code !== "EPIPE") throw error;
    stdoutGone = true;
  });
}
function inGitHubActions() {
  return process.env["GITHUB_ACTIONS"] === "true";
}
function printError(text) {
  process.stderr.write(inGitHubActions() ? inertText(text) : visibleControls(text));
}
function fatalExitCode(error) {
  if (error instanceof UsageError) return 2;
  if (error instanceof OptionError) return 5;
  if (error instanceof PlaybookError || error instanceof InventoryError || error instanceof TemplateError)
    return 4;
  if (error instanceof AsyncPlaybookError) return 1;
  return 250;
}
function reportFatal(error) {
  const code = fatalExitCode(error);
  if (code !== 250) {
    printError(`ERROR! ${error.message}
`);
    return code;
  }
  const detail = error instanceof Error ? process.env["ASYNC_PLAYBOOK_DEBUG"] ? error.stack : error.message : String(error);
  printError(
    `ERROR! Unexpected internal error: ${detail}
Please report this at the project's issue tracker.
`
  );
  return 250;
}
function isEntryPoint() {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}
if (isEntryPoint()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`ERROR! ${String(error)}
`);
      process.exitCode = 250;
    }
  );
}
export {
  fatalExitCode,
  main
};
