import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/** The project's one test configuration; kept under test/ so the top level stays as docs/architecture.md lists it. */
export default defineConfig({
  root: fileURLToPath(new URL("..", import.meta.url)),
  test: {
    include: ["test/**/*.test.ts"],
    // The child-process tests run the compiled service (dist/), built here when stale.
    globalSetup: ["test/support/build-service.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: { SNOWFLAKE_DISABLE_PLATFORM_DETECTION: "true" },
    coverage: {
      provider: "v8",
      include: ["src/**/*.ts"],
      // main.ts only reads the environment and handles signals; tests run it as a child process
      // (health-shutdown, sync-crash-recovery), where in-process coverage cannot see it.
      exclude: ["src/web/**", "src/main.ts"],
      thresholds: { lines: 90 },
      reporter: ["text-summary", "json-summary"],
    },
  },
});
