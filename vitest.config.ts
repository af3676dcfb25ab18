import { readFileSync } from 'node:fs'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  plugins: [
    {
      // Remote shell scripts live in src/**/*.sh and are imported as text, as esbuild does in the bundle.
      name: 'shell-script-as-text',
      transform(_code: string, id: string) {
        if (!id.endsWith('.sh')) return null
        return { code: `export default ${JSON.stringify(readFileSync(id, 'utf8'))}`, map: null }
      }
    }
  ],
  test: {
    include: ['__tests__/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000
  }
})
