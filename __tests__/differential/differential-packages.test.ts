// Differential against ansible-playbook (the suite is suite.ts): the package managers' modules (apt,
// apt_repository, pip, yum_repository, dnf), apart from the other modules so that the two parts run at
// once (each waits mostly on apt-get, pip, dnf and ansible-playbook).
import { differentialSuite } from './suite.js'

differentialSuite([
  'modules-apt-repo.yml',
  'modules-apt.yml',
  'modules-pip.yml',
  'modules-yum-repository.yml',
  'modules-dnf.yml'
])
