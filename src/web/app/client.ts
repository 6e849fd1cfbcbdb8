import type { DescService } from "@bufbuild/protobuf";
import { type Client, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { CrossSellService } from "../../../gen/customeranalytics/v1/cross_sell_pb.js";
import { CustomerService } from "../../../gen/customeranalytics/v1/customer_pb.js";
import { ExploreService } from "../../../gen/customeranalytics/v1/explore_pb.js";
import { ExportService } from "../../../gen/customeranalytics/v1/export_pb.js";
import { PortfolioService } from "../../../gen/customeranalytics/v1/portfolio_pb.js";
import { ProductService } from "../../../gen/customeranalytics/v1/product_pb.js";
import { SegmentationService } from "../../../gen/customeranalytics/v1/segmentation_pb.js";
import { SyncService } from "../../../gen/customeranalytics/v1/sync_pb.js";
import { TrendService } from "../../../gen/customeranalytics/v1/trend_pb.js";
import { ValueService } from "../../../gen/customeranalytics/v1/value_pb.js";

const KEY_STORAGE = "customer-analytics.api-key";

/**
 * The API key a person entered, kept for this browser tab only (sessionStorage): long enough to
 * survive a reload, gone when the tab closes.
 */
export const apiKey = {
  get(): string {
    return sessionStorage.getItem(KEY_STORAGE) ?? "";
  },
  set(key: string): void {
    if (key === "") sessionStorage.removeItem(KEY_STORAGE);
    else sessionStorage.setItem(KEY_STORAGE, key);
    for (const listener of keyListeners) listener(key);
  },
  onChange(listener: (key: string) => void): void {
    keyListeners.add(listener);
  },
};
const keyListeners = new Set<(key: string) => void>();

/** Sends the entered key, when there is one, on every call, as `Authorization: Bearer`. */
const withApiKey: Interceptor = (next) => (req) => {
  const key = apiKey.get();
  if (key !== "") req.header.set("Authorization", `Bearer ${key}`);
  return next(req);
};

/**
 * The Connect protocol over fetch (HTTP/1.1 or whatever the browser negotiates) to the origin
 * that served the page, in the binary format: exports arrive as raw bytes, not base64.
 */
const transport = createConnectTransport({
  baseUrl: window.location.origin,
  useBinaryFormat: true,
  interceptors: [withApiKey],
});

const client = <S extends DescService>(service: S): Client<S> => createClient(service, transport);

/** One generated client per service, all sharing the transport. */
export const api = {
  customers: client(CustomerService),
  products: client(ProductService),
  portfolio: client(PortfolioService),
  crossSell: client(CrossSellService),
  segments: client(SegmentationService),
  trends: client(TrendService),
  explore: client(ExploreService),
  exports: client(ExportService),
  sync: client(SyncService),
  value: client(ValueService),
};
