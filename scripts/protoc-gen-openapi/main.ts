/**
 * The entry point buf runs (`local: [node, --import, tsx, scripts/protoc-gen-openapi/main.ts]`):
 * reads the CodeGeneratorRequest on stdin, writes the response on stdout.
 */
import { runNodeJs } from "@bufbuild/protoplugin";
import { openApiPlugin } from "./plugin.js";

runNodeJs(openApiPlugin);
