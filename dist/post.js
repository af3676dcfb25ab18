import { createRequire as __apCreateRequire } from 'node:module';
import { fileURLToPath as __apFileURLToPath } from 'node:url';
import { dirname as __apDirname } from 'node:path';
const require = __apCreateRequire(import.meta.url);
const __filename = __apFileURLToPath(import.meta.url);
const __dirname = __apDirname(__filename);
import {
  State,
  discardLaunchedJobs,
  getState,
  info,
  killLaunchedJobs,
  readActionSettings,
  takeLaunchedJobs,
  warning
} from "./chunks/chunk-6JO3IZUC.js";
import "./chunks/chunk-FOE3WLQZ.js";

// src/post.ts
async function post() {
  try {
    const cancelled = getState(State.Cancelled) === "true";
    const settings = cancelled ? readActionSettings(process.env, { post: true }) : void 0;
    if (settings?.onCancel !== "kill") {
      discardLaunchedJobs();
      return;
    }
    const jobs = takeLaunchedJobs();
    if (!jobs) return;
    const lines = await killLaunchedJobs(
      jobs,
      settings.run.inventories,
      settings.run.connection,
      settings.run.become,
      settings.run.allowInventoryScripts === true
    );
    for (const line of lines) info(line);
  } catch (error) {
    warning(`post step: ${error instanceof Error ? error.message : String(error)}`);
  }
}
void post();
export {
  post
};
