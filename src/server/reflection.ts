import {
  createRegistry,
  type DescFile,
  type DescService,
  type Registry,
  toBinary,
} from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import type { ConnectRouter } from "@connectrpc/connect";
import {
  ServerReflection as ReflectionV1,
  type ServerReflectionRequest as RequestV1,
} from "../../gen/grpc/reflection/v1/reflection_pb.js";
import {
  ServerReflection as ReflectionV1Alpha,
  type ServerReflectionRequest as RequestV1Alpha,
} from "../../gen/grpc/reflection/v1alpha/reflection_pb.js";

/** The answer part of a reflection response; v1 and v1alpha share its wire shape. */
type Answer =
  | { case: "fileDescriptorResponse"; value: { fileDescriptorProto: Uint8Array[] } }
  | { case: "listServicesResponse"; value: { service: { name: string }[] } }
  | {
      case: "allExtensionNumbersResponse";
      value: { baseTypeName: string; extensionNumber: number[] };
    }
  | { case: "errorResponse"; value: { errorCode: number; errorMessage: string } };

const NOT_FOUND = 5;

/**
 * gRPC server reflection, v1 and v1alpha, so that grpcurl and `buf curl` can call every service
 * without proto files. No connect-es package provides it; the generated code already embeds
 * each file's descriptor, so the answers are built from those, dependencies included.
 */
export function registerReflection(router: ConnectRouter, services: readonly DescService[]): void {
  const all = [...services, ReflectionV1, ReflectionV1Alpha];
  const files = new Map<string, DescFile>();
  for (const service of all) collectFiles(service.file, files);
  const registry = createRegistry(...files.values());
  const names = all.map((s) => s.typeName);
  const answer = (req: RequestV1 | RequestV1Alpha) => answerFor(req, registry, files, names);
  router.service(ReflectionV1, {
    async *serverReflectionInfo(requests) {
      for await (const req of requests) {
        yield { validHost: req.host, originalRequest: req, messageResponse: answer(req) };
      }
    },
  });
  router.service(ReflectionV1Alpha, {
    async *serverReflectionInfo(requests) {
      for await (const req of requests) {
        yield { validHost: req.host, originalRequest: req, messageResponse: answer(req) };
      }
    },
  });
}

function answerFor(
  req: RequestV1 | RequestV1Alpha,
  registry: Registry,
  files: ReadonlyMap<string, DescFile>,
  services: readonly string[],
): Answer {
  const request = req.messageRequest;
  switch (request.case) {
    case "listServices":
      return {
        case: "listServicesResponse",
        value: { service: services.map((name) => ({ name })) },
      };
    case "fileByFilename":
      return fileAnswer(files.get(request.value), `file ${request.value}`);
    case "fileContainingSymbol":
      return fileAnswer(fileOfSymbol(registry, request.value), `symbol ${request.value}`);
    case "fileContainingExtension": {
      const extendee = registry.getMessage(request.value.containingType);
      const ext =
        extendee === undefined
          ? undefined
          : registry.getExtensionFor(extendee, request.value.extensionNumber);
      return fileAnswer(ext?.file, `extension ${request.value.extensionNumber}`);
    }
    case "allExtensionNumbersOfType": {
      const message = registry.getMessage(request.value);
      if (message === undefined) return notFound(`type ${request.value}`);
      const numbers: number[] = [];
      for (const type of registry) {
        if (type.kind === "extension" && type.extendee.typeName === message.typeName) {
          numbers.push(type.number);
        }
      }
      return {
        case: "allExtensionNumbersResponse",
        value: { baseTypeName: message.typeName, extensionNumber: numbers },
      };
    }
    default:
      return notFound("request kind");
  }
}

function fileOfSymbol(registry: Registry, symbol: string): DescFile | undefined {
  const direct = registry.get(symbol);
  if (direct !== undefined) return direct.file;
  const dot = symbol.lastIndexOf(".");
  const parent = dot < 0 ? undefined : registry.getService(symbol.slice(0, dot));
  return parent?.methods.some((m) => m.name === symbol.slice(dot + 1)) ? parent.file : undefined;
}

function fileAnswer(file: DescFile | undefined, what: string): Answer {
  if (file === undefined) return notFound(what);
  const files = new Map<string, DescFile>();
  collectFiles(file, files);
  return {
    case: "fileDescriptorResponse",
    value: {
      fileDescriptorProto: [...files.values()].map((f) =>
        toBinary(FileDescriptorProtoSchema, f.proto),
      ),
    },
  };
}

function notFound(what: string): Answer {
  return {
    case: "errorResponse",
    value: { errorCode: NOT_FOUND, errorMessage: `${what} not found` },
  };
}

/** Adds a file and everything it imports, dependencies first. */
function collectFiles(file: DescFile, into: Map<string, DescFile>): void {
  if (into.has(file.name)) return;
  for (const dep of file.dependencies) collectFiles(dep, into);
  into.set(file.name, file);
}
