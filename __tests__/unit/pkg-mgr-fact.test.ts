// ansible_pkg_mgr from the package managers' programs found on a target, as Ansible's pkg_mgr facts
// choose it (its collector read for the rules: the last program found, then the distribution's own).
import { describe, expect, it } from 'vitest'
import { packageManager } from '../../src/modules/setup.js'

const os = (family: string, distribution: string, major: string, aptRpm = false) => ({
  family,
  distribution,
  major,
  aptRpm
})

describe('ansible_pkg_mgr', () => {
  it.each([
    ['Debian with apt-get', ['/usr/bin/apt-get'], os('Debian', 'Debian', '12'), 'apt'],
    [
      'Debian with dnf installed too (the last found would be dnf)',
      ['/usr/bin/dnf', '/usr/bin/apt-get', '/usr/bin/zypper'],
      os('Debian', 'Ubuntu', '22'),
      'apt'
    ],
    ['RHEL 7', ['/usr/bin/yum'], os('RedHat', 'RedHat', '7'), 'yum'],
    ['RHEL 9', ['/usr/bin/yum', '/usr/bin/dnf'], os('RedHat', 'RedHat', '9'), 'dnf'],
    ['Rocky 8 with only yum', ['/usr/bin/yum'], os('RedHat', 'Rocky', '8'), 'dnf'],
    ['Fedora 22', ['/usr/bin/yum', '/usr/bin/dnf'], os('RedHat', 'Fedora', '22'), 'yum'],
    ['Fedora 40', ['/usr/bin/yum', '/usr/bin/dnf'], os('RedHat', 'Fedora', '40'), 'dnf'],
    ['Fedora rawhide', ['/usr/bin/dnf'], os('RedHat', 'Fedora', 'rawhide'), 'dnf'],
    ['Amazon Linux 2', ['/usr/bin/yum'], os('RedHat', 'Amazon', '2'), 'yum'],
    ['Amazon Linux 2023', ['/usr/bin/dnf'], os('RedHat', 'Amazon', '2023'), 'dnf'],
    [
      'an ostree system',
      ['/usr/bin/rpm-ostree', '/usr/bin/dnf', '/run/ostree-booted'],
      os('RedHat', 'Fedora', '40'),
      'atomic_container'
    ],
    ['Alpine', ['/sbin/apk'], os('Alpine', 'Alpine', '3'), 'apk'],
    ['Arch', ['/usr/bin/pacman'], os('Archlinux', 'Archlinux', 'NA'), 'pacman'],
    ['openSUSE', ['/usr/bin/zypper'], os('Suse', 'openSUSE Leap', '15'), 'zypper'],
    ['FreeBSD', ['/usr/sbin/pkg'], os('FreeBSD', 'FreeBSD', '14'), 'pkgng'],
    ['macOS with Homebrew', ['/opt/homebrew/bin/brew'], os('Darwin', 'MacOSX', '14'), 'homebrew'],
    [
      'ALT Linux',
      ['/usr/bin/apt-get', '/usr/bin/pkg'],
      os('Altlinux', 'Altlinux', '10'),
      'apt_rpm'
    ],
    ['an rpm-owned apt-get', ['/usr/bin/apt-get'], os('Other', 'Other', '1', true), 'apt_rpm'],
    ['nothing known', [], os('Other', 'Other', '1'), 'unknown']
  ])('%s', (_name, paths, system, expected) => {
    expect(packageManager(new Set(paths), system)).toBe(expected)
  })
})
