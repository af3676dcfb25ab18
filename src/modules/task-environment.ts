// How a task's environment travels to the target: src/connection/task-environment.ts (the modules' and
// the HTTP transport's alike).
export * from '../connection/task-environment.js'
