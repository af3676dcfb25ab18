/**
 * The service fact: whether a service exists, runs and starts at boot, from systemd (systemctl show)
 * when it runs the system, else from sysvinit (/etc/init.d/<name> status and the rc?.d links), in one
 * round trip (service.sh). For `service`, `systemd` and the handlers that restart things.
 */
import { FactError, ProbeAnswer, runProbe, type FactTarget, type ProbeScript } from './probe.js'
import source from './service.sh'

const PROBE: ProbeScript = { name: 'apb-service', source }

/** What the probe found on the target, and through which init system. */
export interface ServiceState {
  name: string
  manager: 'systemd' | 'sysvinit'
  /** A unit or init script of that name is there. */
  exists: boolean
  /** `unknown` when the init system cannot tell (a status action that answers 4, no status at all). */
  state: 'running' | 'stopped' | 'unknown'
  /** Starts at boot; null when it cannot tell (a service that does not exist). */
  enabled: boolean | null
  /** systemd's own words, as `systemctl show` gives them. */
  systemd?: { loadState: string; activeState: string; subState: string; unitFileState: string }
}

/** Unit file states for which `systemctl is-enabled` exits 0 (systemctl(1)). */
const ENABLED_UNIT_FILE_STATES = new Set([
  'enabled',
  'enabled-runtime',
  'alias',
  'static',
  'indirect',
  'generated',
  'transient'
])

/** A unit or init script name: what systemd and /etc/init.d accept, never a path or an option. */
const SERVICE_NAME = /^[A-Za-z0-9_@:\\][A-Za-z0-9_.@:\\-]*$/

/**
 * Reads the state of service `name` on the target in one round trip.
 * @throws FactError for a name that is not a service name, or a probe that fails
 */
export async function readService(target: FactTarget, name: string): Promise<ServiceState> {
  const host = target.connection.host
  if (!SERVICE_NAME.test(name)) {
    throw new FactError(
      `cannot read the state of service ${JSON.stringify(name)} on ${host}: a service name is letters, digits and _ . @ : - (not starting with . or -), without / or blanks`,
      host,
      'service',
      name
    )
  }
  const answer = await runProbe({ ...target, fact: 'service', subject: name }, PROBE, [name])
  return parseServiceAnswer(answer, name, host)
}

/**
 * The typed state in a probe's answer (exported for tests on captured answers).
 * @throws FactError for an answer that is not the probe's
 */
export function parseServiceAnswer(answer: ProbeAnswer, name: string, host: string): ServiceState {
  const manager = answer.get('manager')
  if (manager === 'systemd') {
    const shown = Object.create(null) as Record<string, string>
    for (const line of (answer.bytes('show_hex')?.toString('utf8') ?? '').split('\n')) {
      const at = line.indexOf('=')
      if (at > 0) shown[line.slice(0, at)] = line.slice(at + 1).trim()
    }
    const loadState = shown['LoadState'] ?? ''
    const activeState = shown['ActiveState'] ?? ''
    if (loadState === '' || activeState === '') {
      throw new FactError(
        `cannot read the state of service ${name} on ${host}: systemctl show gave no LoadState/ActiveState`,
        host,
        'service',
        name
      )
    }
    const unitFileState = shown['UnitFileState'] ?? ''
    const exists = loadState !== 'not-found'
    return {
      name,
      manager: 'systemd',
      exists,
      state:
        activeState === 'active' || activeState === 'reloading' || activeState === 'activating'
          ? 'running'
          : 'stopped',
      enabled: exists ? ENABLED_UNIT_FILE_STATES.has(unitFileState) : null,
      systemd: { loadState, activeState, subState: shown['SubState'] ?? '', unitFileState }
    }
  }
  if (manager !== 'sysvinit') {
    throw new FactError(
      `cannot read the state of service ${name} on ${host}: the probe named no init system`,
      host,
      'service',
      name
    )
  }
  if (answer.get('exists') !== '1') {
    return { name, manager: 'sysvinit', exists: false, state: 'stopped', enabled: null }
  }
  // LSB: 0 running; 1–3 stopped (3 plainly, 1–2 with a stale pid or lock file); 4 unknown.
  const status = answer.int('status')
  return {
    name,
    manager: 'sysvinit',
    exists: true,
    state: status === 0 ? 'running' : status === undefined || status === 4 ? 'unknown' : 'stopped',
    enabled: answer.get('enabled') === '1'
  }
}
