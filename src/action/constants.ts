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
  ExtraVars: 'extra-vars',
  Limit: 'limit',
  Forks: 'forks',
  Shard: 'shard',
  Tags: 'tags',
  SkipTags: 'skip-tags',
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
  Jobs: 'jobs',
  FailedHosts: 'failed-hosts',
  UnreachableHosts: 'unreachable-hosts',
  Changed: 'changed',
  Ok: 'ok'
} as const

/** Keys saved for the post step. */
export const State = {
  IsPost: 'isPost',
  Cancelled: 'cancelled',
  LaunchedJobs: 'launchedJobs'
} as const

/** GitHub's limit for one step output, with room for the name. */
export const MAX_OUTPUT_BYTES = 1_000_000
