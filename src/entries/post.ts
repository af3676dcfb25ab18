// dist/post.js, the action's post step.
import { loadBundledApp } from './app-file.js'

void loadBundledApp('action')?.postMain()
