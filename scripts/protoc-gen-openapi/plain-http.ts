import type { DescMessage, DescService } from "@bufbuild/protobuf";
import { describe } from "./comments.js";
import { errorStatuses } from "./connect-errors.js";
import type { Operation } from "./operations.js";

const TEXT = { "text/plain": { schema: { type: "string" } } };

/**
 * The plain HTTP routes the service answers beside the RPCs: the probes (open, for load
 * balancers and orchestrators that carry no credential) and, when ExportService is among the
 * services, the file download for BI tools.
 */
export function plainHttpPaths(
  services: readonly DescService[],
): Record<string, Record<string, Operation>> {
  const exportRequest = services
    .flatMap((s) => s.methods)
    .find(
      (m) => m.parent.typeName === "customeranalytics.v1.ExportService" && m.name === "ExportTable",
    )?.input;
  return {
    ...(exportRequest === undefined
      ? {}
      : { "/v1/exports/{table}.{format}": { get: download(exportRequest) } }),
    "/healthz": {
      get: {
        tags: ["http"],
        operationId: "healthz",
        summary: "Liveness",
        description: "200 `ok` while the process serves; never needs a credential.",
        security: [],
        responses: { "200": { description: "Alive.", content: TEXT } },
      },
    },
    "/readyz": {
      get: {
        tags: ["http"],
        operationId: "readyz",
        summary: "Readiness",
        description:
          "200 `ready` once a snapshot is loaded; 503 with the reason otherwise. Never needs a credential.",
        security: [],
        responses: {
          "200": { description: "Ready.", content: TEXT },
          "503": { description: "Not ready, and why.", content: TEXT },
        },
      },
    },
  };
}

/** `GET /v1/exports/{table}.{format}`: ExportTable as one plain HTTP file. */
function download(request: DescMessage): Operation {
  const table = request.fields.find((f) => f.name === "table");
  const binary = { schema: { type: "string", contentMediaType: "application/octet-stream" } };
  return {
    tags: ["customeranalytics.v1.ExportService"],
    operationId: "ExportService_Download",
    summary: "Download a table as a file",
    description: `ExportTable as one plain HTTP file, for BI tools ("From Web" in Excel or Power BI), \`curl -OJ\` and scripts: the same bytes, limits and credential. \`Content-Disposition\` names the file after the table and the snapshot; \`ETag\` is the snapshot id, so \`If-None-Match\` with it answers 304 while the snapshot is unchanged. Needs the \`reader\` role when auth is on.`,
    parameters: [
      {
        name: "table",
        in: "path",
        required: true,
        description: table === undefined ? "The table." : describe(table),
        schema: { type: "string", pattern: "^[a-z][a-z0-9_]*$", maxLength: 63 },
      },
      {
        name: "format",
        in: "path",
        required: true,
        description: "The file format.",
        schema: { type: "string", enum: ["csv", "ndjson", "parquet"] },
      },
      {
        name: "columns",
        in: "query",
        required: false,
        description: "Only these columns, in this order, separated by commas; all when absent.",
        schema: { type: "string", pattern: "^[a-z][a-z0-9_]*(,[a-z][a-z0-9_]*)*$" },
      },
      {
        name: "filters",
        in: "query",
        required: false,
        description:
          "Every other parameter is a filter: `<column>=<value>` keeps the rows whose column equals the value; the same column twice keeps either value (`region=North&region=South`). Filters combine with AND.",
        style: "form",
        explode: true,
        schema: { type: "object", additionalProperties: { type: "string" } },
      },
      {
        name: "If-None-Match",
        in: "header",
        required: false,
        description: "The ETag of an earlier download: 304 while the snapshot is the same.",
        schema: { type: "string" },
      },
    ],
    responses: {
      "200": {
        description: "The file.",
        headers: {
          ETag: { description: "The snapshot id, quoted.", schema: { type: "string" } },
          "Content-Disposition": {
            description: 'attachment; filename="<table>-<snapshot id>.<format>"',
            schema: { type: "string" },
          },
        },
        content: {
          "text/csv": { schema: { type: "string" } },
          "application/x-ndjson": { schema: { type: "string" } },
          "application/vnd.apache.parquet": binary,
        },
      },
      "304": { description: "Not Modified: the snapshot is the one named by If-None-Match." },
      ...Object.fromEntries(
        errorStatuses().map(([status]) => [
          status,
          { $ref: `#/components/responses/error-${status}` },
        ]),
      ),
    },
  };
}
