/** Remote POSIX shell scripts are bundled as text (esbuild loader and a Vitest plugin). */
declare module '*.sh' {
  const text: string
  export default text
}
