// dist/index.js, the action's main step.
import { loadBundledApp } from './app-file.js'

void loadBundledApp('action')?.actionMain()
