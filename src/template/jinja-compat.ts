/**
 * The one place where nunjucks is bent into Jinja2/Ansible semantics (engine.ts only compiles, caches and
 * renders with the environment built here). installJinjaCompat patches nunjucks once; each gap is closed
 * in the file named:
 *
 * - lexer (jinja-syntax.ts): Python string escapes (`'\d'` keeps its backslash, `\x41`, `\u00e9`, octal).
 * - parser (jinja-syntax.ts): integer attributes (`r.results.0.stdout`).
 * - compiler (jinja-compiler.ts): Python truthiness for `and`/`or`/`not`/`if`, Python comparisons (deep
 *   `==`, chained, typed `<`), arithmetic (`[1] + [2]`, `'-' * 3`), `~` with Python str(), dict literals
 *   with evaluated keys, method calls (`'a b'.split()`, `d.get(k)`), tests with several arguments and
 *   keyword arguments.
 * - runtime (jinja-runtime.ts): a chainable, strict Undefined for missing variables and keys; Python str()
 *   on output; Python `in`; iteration over dicts yields keys.
 * - loops (jinja-loops.ts, jinja-for.ts): `{% for x in items if cond %}`, tuple targets, recursive loops,
 *   `loop.previtem`/`nextitem`/`depth`/`cycle()`/`changed()`, `set` scoped to the loop body.
 * - statements (jinja-statements.ts, jinja-unpack.ts): `set` with tuple targets, `with`, macros'
 *   `varargs`/`kwargs` and argument checks.
 * - filters and tests (jinja-environment.ts, with filters.ts and tests.ts): Ansible's set, each refusing
 *   Undefined arguments except `default`/`mandatory`/`defined`.
 *
 * nunjucks-internals.ts types the untyped internals these patch.
 */
import type nunjucks from 'nunjucks'
import { installCompilerPatches } from './jinja-compiler.js'
import { installForPatches } from './jinja-for.js'
import { installLoopPatches } from './jinja-loops.js'
import { createEnvironment } from './jinja-environment.js'
import { installRuntimePatches } from './jinja-runtime.js'
import { installStatementPatches } from './jinja-statements.js'
import { installSyntaxPatches } from './jinja-syntax.js'
import { nj } from './nunjucks-internals.js'

/** Global function that hands a single expression's native value back to the caller. */
export const CAPTURE_NAME = '__ap_capture__'

let installed = false

/**
 * Patches nunjucks once (process-wide; only src/template uses nunjucks) and returns an Ansible environment
 * (with nunjucks' trimBlocks as asked: see createEnvironment).
 */
export function installJinjaCompat(
  trimBlocks = true,
  loader: nunjucks.ILoader | null = null
): nunjucks.Environment {
  if (!installed) {
    nj.installJinjaCompat() // slices (x[1:3]); its lookups are replaced below
    installSyntaxPatches()
    installCompilerPatches()
    installRuntimePatches()
    installLoopPatches()
    installForPatches()
    installStatementPatches()
    installed = true
  }
  return createEnvironment(trimBlocks, loader)
}
