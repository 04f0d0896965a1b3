// ESLint (flat config) with typescript-eslint: the mistakes a reviewer should not have to point out.
// Formatting is Prettier's (`pnpm format`); types are tsc's (`pnpm check`).
import js from "@eslint/js"
import tseslint from "typescript-eslint"

export default tseslint.config(
  {
    ignores: ["**/dist/**", "**/node_modules/**", "bench-data/**", "**/*.d.ts", "**/.tsbuildinfo/**"]
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        Buffer: "readonly",
        URL: "readonly",
        performance: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        TextEncoder: "readonly",
        TextDecoder: "readonly",
        globalThis: "readonly",
        structuredClone: "readonly",
        fetch: "readonly",
        AbortController: "readonly",
        document: "readonly",
        window: "readonly"
      }
    },
    rules: {
      // tsc reports unused locals and parameters (noUnusedLocals, noUnusedParameters); `_name` marks one kept on purpose.
      "@typescript-eslint/no-unused-vars": "off",
      "no-unused-vars": "off",
      // Effect's generators yield Effects; `function*() {}` without yield is a valid Effect.gen body.
      "require-yield": "off",
      // Namespaces merge with Schema classes in Effect's style.
      "@typescript-eslint/no-namespace": "off",
      "@typescript-eslint/no-empty-object-type": "off"
    }
  },
  {
    // Tests and benchmarks read untyped JSON back.
    files: ["**/test/**", "bench/**", "scripts/**", "docs/**"],
    rules: { "@typescript-eslint/no-explicit-any": "off" }
  },
  {
    // Benchmarks drop their large values (`lines = undefined`) so the collector can take them between phases.
    files: ["bench/**"],
    // bench/dashboard.mjs runs functions in the browser page (page.evaluate): their globals are the page's.
    languageOptions: {
      globals: { sessionStorage: "readonly", PerformanceObserver: "readonly", requestAnimationFrame: "readonly" }
    },
    rules: { "no-useless-assignment": "off" }
  }
)
