import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import globals from 'globals'

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }
      ]
    }
  },
  {
    // The example app is CommonJS (.cjs), so that it runs wherever a playbook copies it.
    files: ['examples/**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' }
  },
  {
    // One reader of YAML: everything goes through src/values/yaml.ts and its one schema (YAML 1.1 as Ansible).
    files: ['src/**/*.ts'],
    ignores: ['src/values/yaml.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'js-yaml',
              message: "Read and write YAML through src/values/yaml.ts (Ansible's YAML 1.1 schema)."
            }
          ]
        }
      ]
    }
  }
)
