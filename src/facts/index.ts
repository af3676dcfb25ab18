/**
 * The facts layer: what modules know of a target's state, each fact a POSIX sh probe (a file next to
 * its parser) read in one round trip, cached per host and task run by TargetFacts. Modules compare
 * the state they want with these facts, then act.
 */
export { FactError, type FactName, type FactTarget } from './probe.js'
export {
  CHECKSUM_ALGORITHMS,
  fileType,
  permissionFlags,
  readPath,
  typeFlags,
  type ChecksumAlgorithm,
  type ExistingPath,
  type FileAttributes,
  type FileType,
  type MissingPath,
  type PathOptions,
  type PathState
} from './path.js'
export {
  parsePackageAnswer,
  readPackages,
  type PackageManager,
  type PackageState,
  type PackagesState
} from './package.js'
export { parseServiceAnswer, readService, type ServiceState } from './service.js'
export { readGroup, readUser, type GroupState, type UserState } from './user.js'
export { TargetFacts, factsFor, type FactsSource } from './target-facts.js'
