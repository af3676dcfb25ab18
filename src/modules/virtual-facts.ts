/**
 * Ansible's Linux virtualization facts (`ansible_virtualization_type`, `_role`, `_tech_guest`,
 * `_tech_host`), decided as its LinuxVirtual collector decides them, in its order, from what facts.sh
 * read on the target: PID 1's cgroups and environment, systemd's container file, the container marker
 * files, Xen, the DMI names, VServer, cpuinfo, the kernel modules, dmidecode and /dev/kvm.
 */

/** What facts.sh read for these facts (the `virt_*` records). */
export interface VirtualInputs {
  /** `head` of the small files, each after its `==> PATH <==` line. */
  files?: string
  /** PID 1's environment, one variable a line. */
  environ?: string
  /** `PATH:line` for the telling lines of /proc/cpuinfo, /proc/self/status and /proc/modules. */
  lines?: string
  /** The paths that exist, space-separated. */
  paths?: string
  /** `dmidecode -s system-product-name`, when it ran and succeeded. */
  dmidecode?: string
}

/** The files of a multi-file `head`, by path. */
function headFiles(text: string): Map<string, string> {
  const files = new Map<string, string>()
  let current: string | undefined
  let lines: string[] = []
  const flush = (): void => {
    if (current !== undefined) files.set(current, lines.join('\n'))
  }
  for (const line of text.split('\n')) {
    const header = /^==> (.*) <==$/.exec(line)
    if (header) {
      flush()
      current = header[1]!
      lines = []
    } else {
      lines.push(line)
    }
  }
  flush()
  return files
}

const DMI = '/sys/devices/virtual/dmi/id/'
const KVM_SYS_VENDORS = ['QEMU', 'Amazon EC2', 'DigitalOcean', 'Google', 'Scaleway', 'Nutanix']

export function virtualFacts(input: VirtualInputs): Record<string, unknown> {
  const files = headFiles(input.files ?? '')
  const content = (path: string): string | undefined => {
    const text = files.get(path)?.trim()
    return text === undefined || text === '' ? undefined : text
  }
  const lines = (input.lines ?? '').split('\n')
  const linesOf = (path: string): string[] =>
    lines.filter((l) => l.startsWith(`${path}:`)).map((l) => l.slice(path.length + 1))
  const paths = new Set((input.paths ?? '').split(' ').filter(Boolean))

  let type: string | undefined
  let role: string | undefined
  let found = false
  const guest = new Set<string>()
  const host = new Set<string>()
  const guestIs = (tech: string, withRole = true): void => {
    guest.add(tech)
    if (!found) {
      type = tech
      if (withRole) role = 'guest'
      found = true
    }
  }

  for (const line of (files.get('/proc/1/cgroup') ?? '').split('\n')) {
    if (/\/docker(\/|-[0-9a-f]+\.scope)/.test(line)) guestIs('docker')
    if (line.includes('/lxc/') || line.includes('/machine.slice/machine-lxc')) guestIs('lxc')
    if (line.includes('/system.slice/containerd.service')) guestIs('containerd')
  }
  for (const line of (input.environ ?? '').split('\n')) {
    if (line.includes('container=lxc')) guestIs('lxc')
    if (line.includes('container=podman')) guestIs('podman')
    if (/^container=./.test(line)) guestIs('container')
  }
  if (paths.has('/proc/vz') && !paths.has('/proc/lve')) {
    type = 'openvz'
    if (paths.has('/proc/bc')) {
      host.add('openvz')
      if (!found) role = 'host'
    } else {
      guest.add('openvz')
      if (!found) role = 'guest'
    }
    found = true
  }
  const systemdContainer = content('/run/systemd/container')
  if (systemdContainer) guestIs(systemdContainer)
  if (paths.has('/.dockerenv') || paths.has('/.dockerinit')) guestIs('docker')
  if (
    ['docker', 'lxc', 'podman', 'openvz', 'containerd'].some((t) => guest.has(t)) ||
    systemdContainer
  )
    guest.add('container')
  if (paths.has('/proc/xen')) {
    const xenHost = (files.get('/proc/xen/capabilities') ?? '').includes('control_d')
    if (xenHost) host.add('xen')
    if (!found) {
      type = 'xen'
      role = xenHost ? 'host' : 'guest'
    }
    found = true
  }
  if (!found) role = 'guest'

  const productName = content(`${DMI}product_name`)
  const sysVendor = content(`${DMI}sys_vendor`)
  const productFamily = content(`${DMI}product_family`)
  const biosVendor = content(`${DMI}bios_vendor`)
  // The DMI names set the type only: the role stays as decided above.
  const dmiIs = (tech: string): void => guestIs(tech, false)
  if (['KVM', 'KVM Server', 'Bochs', 'AHV'].includes(productName ?? '')) dmiIs('kvm')
  if (sysVendor === 'oVirt') dmiIs('oVirt')
  if (sysVendor === 'Red Hat') {
    if (productFamily === 'RHV') dmiIs('RHV')
    else if (productName === 'RHEV Hypervisor') dmiIs('RHEV')
  }
  if (['VMware Virtual Platform', 'VMware7,1'].includes(productName ?? '')) dmiIs('VMware')
  if (['OpenStack Compute', 'OpenStack Nova'].includes(productName ?? '')) dmiIs('openstack')
  if (biosVendor === 'Xen') dmiIs('xen')
  if (biosVendor === 'innotek GmbH') dmiIs('virtualbox')
  if (['Amazon EC2', 'DigitalOcean', 'Hetzner'].includes(biosVendor ?? '')) dmiIs('kvm')
  if (KVM_SYS_VENDORS.includes(sysVendor ?? '')) dmiIs('kvm')
  if (sysVendor === 'KubeVirt') dmiIs('KubeVirt')
  if (sysVendor === 'Microsoft Corporation') dmiIs('VirtualPC')
  if (sysVendor === 'Parallels Software International Inc.') dmiIs('parallels')
  if (sysVendor === 'OpenStack Foundation') dmiIs('openstack')
  if (!found) role = undefined

  for (const line of linesOf('/proc/self/status')) {
    if (!/^VxID:\s+\d+/.test(line)) continue
    if (!found) type = 'linux_vserver'
    const vxHost = /^VxID:\s+0/.test(line)
    ;(vxHost ? host : guest).add('linux_vserver')
    if (!found) role = vxHost ? 'host' : 'guest'
    found = true
  }
  for (const line of linesOf('/proc/cpuinfo')) {
    let tech: string | undefined
    if (/^model name.*QEMU Virtual CPU/.test(line)) tech = 'kvm'
    else if (/^vendor_id.*User Mode Linux/.test(line)) tech = 'uml'
    else if (/^model name.*UML/.test(line)) tech = 'uml'
    else if (/^machine.*CHRP IBM pSeries .emulated by qemu./.test(line)) tech = 'kvm'
    else if (/^vendor_id.*PowerVM Lx86/.test(line)) tech = 'powervm_lx86'
    else if (/^vendor_id.*IBM\/S390/.test(line)) tech = 'PR/SM'
    if (tech === undefined) continue
    guest.add(tech)
    if (!found) {
      type = tech
      role = tech === 'PR/SM' ? 'LPAR' : 'guest'
      found = true
    }
  }
  if (paths.has('/proc/modules')) {
    const modules = new Set(linesOf('/proc/modules').map((l) => l.split(' ')[0]))
    if (modules.has('kvm')) {
      host.add('kvm')
      if (!found) {
        type = 'kvm'
        role = 'host'
      }
      found = true
    }
    if (modules.has('vboxdrv')) {
      host.add('virtualbox')
      if (!found) {
        type = 'virtualbox'
        role = 'host'
        found = true
      }
    }
    if (modules.has('virtio')) {
      host.add('kvm')
      if (!found) {
        type = 'kvm'
        role = 'guest'
        found = true
      }
    }
  }
  if (input.dmidecode !== undefined) {
    const vendor = input.dmidecode
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .map((l) => l.trim())
      .join('')
    if (vendor.startsWith('VMware')) guestIs('VMware')
    if (input.dmidecode.includes('BHYVE')) guestIs('bhyve')
  }
  if (paths.has('/dev/kvm')) {
    host.add('kvm')
    if (!found) {
      type = 'kvm'
      role = 'host'
      found = true
    }
  }
  if (!found) {
    type = 'NA'
    role = 'NA'
  }
  return {
    ...(type === undefined ? {} : { ansible_virtualization_type: type }),
    ...(role === undefined ? {} : { ansible_virtualization_role: role }),
    ansible_virtualization_tech_guest: [...guest].sort(),
    ansible_virtualization_tech_host: [...host].sort()
  }
}
