import { describe, expect, it } from 'vitest'
import { virtualFacts } from '../../src/modules/virtual-facts.js'

const dmi = (fields: Record<string, string>): string =>
  ['==> /dev/null <==', '']
    .concat(
      ...Object.entries(fields).map(([name, value]) => [
        `==> /sys/devices/virtual/dmi/id/${name} <==`,
        value,
        ''
      ])
    )
    .join('\n')

describe("Ansible's Linux virtualization facts", () => {
  it('a Docker container: cgroup or /.dockerenv, with container among the guest techs', () => {
    expect(virtualFacts({ paths: ' /.dockerenv /proc/modules' })).toEqual({
      ansible_virtualization_type: 'docker',
      ansible_virtualization_role: 'guest',
      ansible_virtualization_tech_guest: ['container', 'docker'],
      ansible_virtualization_tech_host: []
    })
    expect(
      virtualFacts({ files: '==> /dev/null <==\n\n==> /proc/1/cgroup <==\n0::/docker/0123abcd\n' })
    ).toMatchObject({ ansible_virtualization_type: 'docker' })
  })

  it("a podman or lxc container by PID 1's environment, systemd's container file", () => {
    expect(virtualFacts({ environ: 'PATH=/bin\ncontainer=podman\n' })).toMatchObject({
      ansible_virtualization_type: 'podman',
      ansible_virtualization_tech_guest: ['container', 'podman']
    })
    expect(
      virtualFacts({ files: '==> /dev/null <==\n\n==> /run/systemd/container <==\nlxc\n' })
    ).toMatchObject({ ansible_virtualization_type: 'lxc', ansible_virtualization_role: 'guest' })
  })

  it('a KVM guest by its DMI names, a VMware one, and a KVM host by its module', () => {
    expect(virtualFacts({ files: dmi({ product_name: 'KVM', sys_vendor: 'QEMU' }) })).toEqual({
      ansible_virtualization_type: 'kvm',
      ansible_virtualization_role: 'guest',
      ansible_virtualization_tech_guest: ['kvm'],
      ansible_virtualization_tech_host: []
    })
    expect(virtualFacts({ files: dmi({ product_name: 'VMware Virtual Platform' }) })).toMatchObject(
      { ansible_virtualization_type: 'VMware' }
    )
    expect(
      virtualFacts({ paths: ' /proc/modules /dev/kvm', lines: '/proc/modules:kvm 1234 0 - Live' })
    ).toEqual({
      ansible_virtualization_type: 'kvm',
      ansible_virtualization_role: 'host',
      ansible_virtualization_tech_guest: [],
      ansible_virtualization_tech_host: ['kvm']
    })
  })

  it('a Xen dom0, and a machine with nothing to tell (NA)', () => {
    expect(
      virtualFacts({
        paths: ' /proc/xen',
        files: '==> /dev/null <==\n\n==> /proc/xen/capabilities <==\ncontrol_d\n'
      })
    ).toMatchObject({ ansible_virtualization_type: 'xen', ansible_virtualization_role: 'host' })
    expect(virtualFacts({ paths: ' /proc/modules' })).toEqual({
      ansible_virtualization_type: 'NA',
      ansible_virtualization_role: 'NA',
      ansible_virtualization_tech_guest: [],
      ansible_virtualization_tech_host: []
    })
  })
})
