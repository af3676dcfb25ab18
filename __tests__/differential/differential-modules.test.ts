// Differential against ansible-playbook (the suite is suite.ts): the modules (modules-*.yml) but the
// package managers' (differential-packages.test.ts).
import { differentialSuite } from './suite.js'

differentialSuite(
  [
    'modules-file.yml',
    'modules-wait.yml',
    'modules-lineinfile.yml',
    'modules-stat.yml',
    'modules-unarchive.yml',
    'modules-template.yml',
    'modules-http.yml',
    'modules-uri.yml',
    'modules-copy.yml',
    'modules-users.yml',
    'modules-git.yml',
    'modules-git-more.yml',
    'modules-system.yml',
    'modules-authorized-key.yml',
    'modules-cron.yml',
    'modules-systemd.yml',
    'modules-getent.yml'
  ],
  ['modules-service.yml']
)
