// Differential against ansible-playbook (the suite is suite.ts): check mode and diff mode (check-mode-*.yml, diff-keywords.yml).
import { differentialSuite } from './suite.js'

differentialSuite(
  [
    'check-mode-commands.yml',
    'check-mode-files.yml',
    'check-mode-system.yml',
    'check-mode-apt.yml',
    'check-mode-keywords.yml',
    'diff-keywords.yml',
    'check-mode-host.yml',
    'check-mode-systemd.yml',
    'check-mode-pip.yml',
    'check-mode-rpm.yml',
    'check-mode-apt-sources.yml',
    'check-mode-host-nodiff.yml',
    'check-mode-systemd-nodiff.yml',
    'check-mode-pip-nodiff.yml',
    'check-mode-rpm-nodiff.yml',
    'check-mode-apt-sources-nodiff.yml',
    'check-mode-transfer.yml',
    'check-mode-transfer-diff.yml',
    'check-mode-control.yml',
    'check-mode-control-diff.yml'
  ],
  ['check-mode-service.yml', 'check-mode-service-nodiff.yml']
)
