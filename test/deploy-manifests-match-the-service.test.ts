import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";

// The Kubernetes manifests and the compose file are not run here (no cluster, no Docker), so
// this checks what can drift silently: that they parse, and that every port, probe and
// environment variable they name is one the image and src/config.ts really have.

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const KUBE = `${ROOT}deploy/kubernetes/`;

interface Container {
  name: string;
  ports?: { containerPort: number }[];
  env?: { name: string; value?: string }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface Probe {
  grpc?: { port: number };
  httpGet?: { path: string; port: number };
}
interface Manifest {
  kind: string;
  metadata: { name: string };
  spec: Record<string, unknown>;
}
interface Workload extends Manifest {
  spec: {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        containers: Container[];
        volumes: { name: string; persistentVolumeClaim?: { claimName: string } }[];
      };
    };
  };
}

let manifests: Manifest[];
let configSource: string;
let imagePort: number;
let httpRoutes: string;

/** Every document of a YAML file; a syntax error fails the test with the file's name. */
function parseYaml(text: string, file: string): unknown[] {
  // Merge keys (`<<: *anchor`) as Compose reads them; YAML 1.2 alone would not merge.
  return parseAllDocuments(text, { merge: true }).map((doc) => {
    expect(doc.errors.map((e) => `${file}: ${e.message}`)).toEqual([]);
    return doc.toJS() as unknown;
  });
}

beforeAll(async () => {
  const files = (await readdir(KUBE)).filter((name) => name.endsWith(".yaml"));
  manifests = [];
  for (const file of files) {
    manifests.push(...(parseYaml(await readFile(KUBE + file, "utf8"), file) as Manifest[]));
  }
  configSource = await readFile(`${ROOT}src/config.ts`, "utf8");
  httpRoutes = await readFile(`${ROOT}src/server/http-routes.ts`, "utf8");
  const dockerfile = await readFile(`${ROOT}Dockerfile`, "utf8");
  const runtime = dockerfile.slice(dockerfile.indexOf("AS runtime"));
  imagePort = Number(/^EXPOSE (\d+)$/m.exec(runtime)?.[1]);
  expect(runtime).toContain(`PORT=${imagePort}`);
});

const workloads = () => manifests.filter((m): m is Workload => m.kind === "Deployment");
const role = (w: Workload) =>
  w.spec.template.spec.containers[0]?.env?.find((e) => e.name === "ROLE")?.value;

/** Whether src/config.ts reads `name` from the environment (every read names it in quotes). */
const configReads = (name: string) => configSource.includes(`"${name}"`);

describe("deploy/kubernetes", () => {
  it("has one syncer, a replica Deployment, the shared volume and a gRPC Service", () => {
    const syncers = workloads().filter((w) => role(w) === "syncer");
    expect(syncers).toHaveLength(1);
    expect(syncers[0]?.spec.replicas).toBe(1);
    expect(workloads().filter((w) => role(w) === "replica")).toHaveLength(1);
    const shared = manifests.find(
      (m) => m.kind === "PersistentVolumeClaim" && m.metadata.name === "customer-analytics-publish",
    );
    expect(shared?.spec.accessModes).toEqual(["ReadWriteMany"]);
    const grpc = manifests.find((m) => m.kind === "Service" && m.spec.clusterIP === "None");
    expect(grpc?.spec.ports).toEqual([expect.objectContaining({ targetPort: imagePort })]);
  });

  it("probes the image's real port: liveness on /healthz, readiness on gRPC health", () => {
    expect(imagePort).toBe(8080);
    for (const workload of workloads()) {
      for (const container of workload.spec.template.spec.containers) {
        expect(container.ports?.map((p) => p.containerPort)).toEqual([imagePort]);
        expect(container.readinessProbe?.grpc?.port).toBe(imagePort);
        expect(container.livenessProbe?.httpGet).toEqual({ path: "/healthz", port: imagePort });
        expect(httpRoutes).toContain(`path === "/healthz"`);
        expect(container.resources?.requests?.memory).toBeDefined();
        expect(container.resources?.limits?.memory).toBeDefined();
      }
    }
  });

  it("sets only environment variables the service reads, and mounts PUBLISH_DIR from the shared volume", () => {
    for (const workload of workloads()) {
      const pod = workload.spec.template.spec;
      for (const container of pod.containers) {
        const names = (container.env ?? []).map((e) => e.name);
        expect(names.filter((name) => !configReads(name))).toEqual([]);
        const publishDir = container.env?.find((e) => e.name === "PUBLISH_DIR")?.value;
        const mount = container.volumeMounts?.find((m) => m.mountPath === publishDir);
        const volume = pod.volumes.find((v) => v.name === mount?.name);
        expect(volume?.persistentVolumeClaim?.claimName).toBe("customer-analytics-publish");
      }
      expect(workload.spec.template.metadata.labels).toMatchObject(
        workload.spec.selector.matchLabels,
      );
    }
  });
});

describe("docker-compose.yml", () => {
  it("has a scale-out profile of one syncer and two replicas sharing one volume", async () => {
    const text = await readFile(`${ROOT}docker-compose.yml`, "utf8");
    const [compose] = parseYaml(text, "compose");
    const services = (compose as { services: Record<string, ComposeService> }).services;
    const profiled = Object.values(services).filter((s) => s.profiles?.includes("scale-out"));
    const roles = profiled
      .map((s) => s.environment?.ROLE)
      .filter((r) => r !== undefined)
      .sort();
    expect(roles).toEqual(["replica", "replica", "syncer"]);
    const shared = new Set<string>();
    for (const service of profiled) {
      const names = Object.keys(service.environment ?? {});
      expect(names.filter((name) => !configReads(name))).toEqual([]);
      // PUBLISH_DIR lies inside a named volume that all three mount.
      const publishDir = service.environment?.PUBLISH_DIR ?? "";
      const mount = (service.volumes ?? [])
        .map((v) => v.split(":"))
        .find(([, target]) => target !== undefined && publishDir.startsWith(`${target}/`));
      expect(mount, `a volume holding ${publishDir}`).toBeDefined();
      shared.add(mount?.[0] ?? "");
    }
    expect([...shared]).toHaveLength(1);
  });
});

interface ComposeService {
  profiles?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
}
