/** Action input names: the one place they are spelled. */
export const Inputs = {
  Playbook: 'playbook',
  Inventory: 'inventory',
  PrivateKey: 'private-key',
  Passphrase: 'passphrase',
  Password: 'password',
  User: 'user',
  Port: 'port',
  KnownHosts: 'known-hosts',
  JumpHost: 'jump-host',
  HostKeyChecking: 'host-key-checking',
  BecomePassword: 'become-password',
  VaultPassword: 'vault-password',
  InstallRequirements: 'install-requirements',
  Requirements: 'requirements',
  AllowInventoryScripts: 'allow-inventory-scripts',
  ExtraVars: 'extra-vars',
  Limit: 'limit',
  Forks: 'forks',
  Shard: 'shard',
  Tags: 'tags',
  SkipTags: 'skip-tags',
  Check: 'check',
  Diff: 'diff',
  Mode: 'mode',
  Jobs: 'jobs',
  Timeout: 'timeout',
  Summary: 'summary',
  Annotations: 'annotations',
  Comment: 'comment',
  GithubToken: 'github-token',
  Matrix: 'matrix',
  FailOn: 'fail-on',
  OnCancel: 'on-cancel',
  ResultsFile: 'results-file'
} as const

/** Action output names. */
export const Outputs = {
  Results: 'results',
  ResultsFile: 'results-file',
  Stats: 'stats',
  CustomStats: 'custom-stats',
  Jobs: 'jobs',
  FailedHosts: 'failed-hosts',
  UnreachableHosts: 'unreachable-hosts',
  Changed: 'changed',
  Plan: 'plan',
  Ok: 'ok'
} as const

/** Keys saved for the post step. */
export const State = {
  IsPost: 'isPost',
  Cancelled: 'cancelled',
  /** Path of the 0600 file under RUNNER_TEMP that holds the jobs this step launched (never the jobs: see saveLaunchedJobs). */
  LaunchedJobsFile: 'launchedJobsFile'
} as const

/** GitHub's limit for one step output, with room for the name. */
export const MAX_OUTPUT_BYTES = 1_000_000

/**
 * The longest value a step input can have. The runner passes each input as an environment variable
 * (`INPUT_JOBS=value`), and Linux limits one `NAME=value` string to 128 KiB (MAX_ARG_STRLEN) with its
 * terminating NUL: past that the step cannot even start (E2BIG).
 */
export const MAX_INPUT_VALUE_BYTES = 128 * 1024 - `INPUT_${Inputs.Jobs.toUpperCase()}=`.length - 1

/** The `jobs` output stays plain JSON up to this size, and takes the compact apb1: form above it. */
export const MAX_PLAIN_JOBS_OUTPUT_BYTES = 32 * 1024

/** The `plan` output's limit: it must fit a later step's input (an environment variable, see above). */
export const MAX_PLAN_OUTPUT_BYTES = 128 * 1024 - `INPUT_${Outputs.Plan.toUpperCase()}=`.length - 1
