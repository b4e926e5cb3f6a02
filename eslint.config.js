import js from "@eslint/js";
import tseslint from "typescript-eslint";
import mlloop from "./eslint-rules/import-boundaries.js";

export default tseslint.config(
  {
    ignores: [
      "dist/**",
      "kernels/**",
      "node_modules/**",
      "bench/results/**",
      "web/dist/**",
      ".scratch/**",
      "**/*.js",
      "**/*.mjs",
      "**/*.cjs",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts", "**/*.tsx"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
  {
    // arrows point forward only (DESIGN.md §1); test/eslint/import-boundaries.test.ts plants an upward import
    files: ["src/**/*.ts", "src/**/*.tsx"],
    plugins: { mlloop },
    rules: { "mlloop/import-boundaries": "error" },
  },
  {
    // a diagnosis or a recommendation rule is read in one sitting
    files: ["src/diagnose/**/*.ts", "src/recommend/**/*.ts"],
    rules: { "max-lines-per-function": ["error", { max: 80 }] },
  },
);
