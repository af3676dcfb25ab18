export {
  DEFAULT_VAULT_ID,
  setVaultKeyring,
  VaultError,
  VaultKeyring,
  vaultKeyring,
  vaultValueDecryptor,
  type VaultSecret
} from './keyring.js'
export { decryptIfVaulted, decryptTextIfVaulted, readControllerFile } from './controller-files.js'
export {
  loadVaultSecrets,
  splitVaultId,
  vaultIdSlugs,
  type PasswordPrompt,
  type VaultSecretRequest
} from './secrets.js'
export { encryptVault, isVaultText } from './vault-format.js'
