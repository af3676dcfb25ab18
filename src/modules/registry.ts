import { addHostModule } from './add-host.js'
import { aptModule } from './apt.js'
import { aptKeyModule } from './apt-key.js'
import { aptRepositoryModule } from './apt-repository.js'
import { assembleModule } from './assemble.js'
import { assertModule } from './assert.js'
import { authorizedKeyModule } from './authorized-key.js'
import { asyncStatusModule } from './async-status.js'
import { blockinfileModule } from './blockinfile.js'
import { commandModule } from './command.js'
import { copyModule } from './copy.js'
import { cronModule } from './cron.js'
import { deb822RepositoryModule } from './deb822-repository.js'
import { debugModule } from './debug.js'
import { dnfModule, yumModule } from './dnf.js'
import { failModule } from './fail.js'
import { fetchModule } from './fetch.js'
import { fileModule } from './file.js'
import { includeVarsModule } from './include-vars.js'
import { findModule } from './find.js'
import { getUrlModule } from './get-url.js'
import { getentModule } from './getent.js'
import { gitModule } from './git.js'
import { groupModule } from './group.js'
import { groupByModule } from './group-by.js'
import { hostnameModule } from './hostname.js'
import { lineinfileModule } from './lineinfile.js'
import type { ModuleDefinition } from './module.js'
import { packageModule } from './package.js'
import { pauseModule } from './pause.js'
import { pingModule } from './ping.js'
import { pipModule } from './pip.js'
import { rawModule } from './raw.js'
import { rebootModule } from './reboot.js'
import { replaceModule } from './replace.js'
import { scriptModule } from './script.js'
import { setFactModule } from './set-fact.js'
import { setStatsModule } from './set-stats.js'
import { serviceModule } from './service.js'
import { setupModule } from './setup.js'
import { gatherFactsModule } from './gather-facts.js'
import { shellModule } from './shell.js'
import { slurpModule } from './slurp.js'
import { statModule } from './stat.js'
import { sysctlModule } from './sysctl.js'
import { systemdModule, systemdServiceModule } from './systemd.js'
import { sysvinitModule } from './sysvinit.js'
import { templateModule } from './template.js'
import { uriModule } from './uri.js'
import { userModule } from './user.js'
import { yumRepositoryModule } from './yum-repository.js'
import { tempfileModule } from './tempfile.js'
import { waitForConnectionModule } from './wait-for-connection.js'
import { unarchiveModule } from './unarchive.js'
import { waitForModule } from './wait-for.js'

const ALL: ModuleDefinition[] = [
  shellModule,
  commandModule,
  rawModule,
  scriptModule,
  copyModule,
  templateModule,
  debugModule,
  setFactModule,
  includeVarsModule,
  groupByModule,
  addHostModule,
  setStatsModule,
  failModule,
  assertModule,
  pauseModule,
  pingModule,
  setupModule,
  gatherFactsModule,
  asyncStatusModule,
  waitForConnectionModule,
  waitForModule,
  tempfileModule,
  assembleModule,
  rebootModule,
  fileModule,
  lineinfileModule,
  replaceModule,
  blockinfileModule,
  statModule,
  slurpModule,
  fetchModule,
  findModule,
  getUrlModule,
  unarchiveModule,
  groupModule,
  userModule,
  uriModule,
  gitModule,
  sysctlModule,
  hostnameModule,
  getentModule,
  authorizedKeyModule,
  cronModule,
  aptRepositoryModule,
  aptKeyModule,
  deb822RepositoryModule,
  systemdModule,
  sysvinitModule,
  systemdServiceModule,
  serviceModule,
  aptModule,
  packageModule,
  pipModule,
  yumRepositoryModule,
  dnfModule,
  yumModule
]

/** Every module by name. */
export const MODULES: ReadonlyMap<string, ModuleDefinition> = new Map(ALL.map((m) => [m.name, m]))

/**
 * Actions a task may name that are no module: the runner carries them out itself (src/executor/includes.ts),
 * as it does `meta`. include_tasks takes a free-form file name.
 */
const RUNNER_ACTIONS = [
  { name: 'include_tasks', freeForm: true },
  { name: 'include_role', freeForm: false }
]

/** What the playbook loader needs: the actions a task may name, and which take free-form strings. */
export const MODULE_CATALOG = {
  names: new Set([...MODULES.keys(), ...RUNNER_ACTIONS.map((a) => a.name)]) as ReadonlySet<string>,
  freeForm: new Set(
    [...ALL, ...RUNNER_ACTIONS].filter((m) => m.freeForm).map((m) => m.name)
  ) as ReadonlySet<string>,
  fqcns: new Map(ALL.flatMap((m) => (m.fqcns ?? []).map((fqcn) => [fqcn, m.name]))) as ReadonlyMap<
    string,
    string
  >,
  keyValueFreeForm: new Set(
    ALL.filter((m) => m.freeForm === 'key-value').map((m) => m.name)
  ) as ReadonlySet<string>
}
