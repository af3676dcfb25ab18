/** JMESPath for the `json_query` filter: the one importer of the jmespath library. */
import jmespath from 'jmespath'

/** The result of a JMESPath expression on data; throws the library's error for a bad expression. */
export function jmespathSearch(data: unknown, expression: string): unknown {
  // The library's types say `any`: what it returns is JSON-shaped data.
  return jmespath.search(data as object, expression) as unknown
}
