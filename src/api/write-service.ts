import type { MessageInitShape } from "@bufbuild/protobuf";
import type { FieldMask } from "@bufbuild/protobuf/wkt";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import type {
  CustomerSchema,
  CustomerService,
} from "../../gen/customeranalytics/v1/customer_pb.js";
import type {
  HoldingSchema,
  PortfolioService,
} from "../../gen/customeranalytics/v1/portfolio_pb.js";
import type { ProductSchema, ProductService } from "../../gen/customeranalytics/v1/product_pb.js";
import { kPrincipal } from "../server/auth/roles.js";
import { etagOf, type StoredRow } from "../write/etag.js";
import {
  CUSTOMER_SPEC,
  HOLDING_SPEC,
  PRODUCT_SPEC,
  type ResourceSpec,
} from "../write/resource-specs.js";
import type { RowWriter } from "../write/row-writer.js";
import { applyMask, checkRow, checkValues, maskedColumns } from "../write/update-mask.js";
import type { HOLDINGS_OF } from "../write/write-sql.js";
import type { WriteCall, Writes } from "../write/writes.js";
import { approx } from "./read-options.js";

type Fields = Readonly<Record<string, unknown>>;

/** A resource message's columns as a stored row: empty strings are NULL. */
function rowOf(spec: ResourceSpec, message: Fields | undefined, extra: StoredRow = {}): StoredRow {
  const row: Record<string, string | null> = {};
  for (const column of spec.columns) {
    const value = message?.[column.field];
    row[column.name] = typeof value === "string" && value !== "" ? value : null;
  }
  return { ...row, ...extra };
}

/** A stored row as the fields of its message, with its etag; NULL is the empty string. */
function fieldsOf(spec: ResourceSpec, row: StoredRow): Record<string, string> {
  const out: Record<string, string> = { etag: etagOf(spec, row) };
  for (const column of spec.columns) out[column.field] = row[column.name] ?? "";
  return out;
}

/**
 * A resource as read (camelCase fields) with its etag added, computed from the same stored
 * values a write hashes, so an etag from a read works for a conditional update. `extra` gives
 * columns the message lacks (a holding's customer_id).
 */
export function withEtag<T extends object>(
  spec: ResourceSpec,
  fields: T,
  extra: StoredRow = {},
): T & { etag: string } {
  return { ...fields, etag: etagOf(spec, rowOf(spec, fields as Fields, extra)) };
}

function call(method: string, ctx: HandlerContext, requestId: string, body: unknown): WriteCall {
  const principal = ctx.values.get(kPrincipal);
  return { method, who: principal?.name ?? "anonymous", requestId, body };
}

function paths(mask: FieldMask | undefined): string[] {
  return mask?.paths ?? [];
}

function stored(row: StoredRow | null): StoredRow {
  if (row === null) throw new Error("a create or update stored no row");
  return row;
}

/** How a delete request reads once its resource's field names are taken off it. */
interface DeleteRow {
  readonly key: string;
  readonly etag: string;
  /** The holdings column that points at the resource, and `force`; absent for a holding. */
  readonly holdings?: { readonly by: keyof typeof HOLDINGS_OF; readonly force: boolean };
}

/**
 * Create, update and delete of one resource, the same for customers, products and holdings
 * once a request's message and key are taken out: one place checks a row, names the call in
 * the write log and runs it in a source transaction, so the three services cannot drift in
 * what they check (an update checks the whole row it would store, as a create does).
 */
function resourceWriter(writes: Writes, writer: RowWriter, name: string) {
  const spec = writer.spec;
  return {
    /** Checks and inserts `row`; the row stored. */
    async create(ctx: HandlerContext, requestId: string, row: StoredRow): Promise<StoredRow> {
      checkRow(spec, row);
      const key = String(row[spec.key]);
      const done = await writes.run(
        call(`Create${name}`, ctx, requestId, { row }),
        spec,
        key,
        (tx) => writer.create(tx, row),
      );
      return stored(done);
    },
    /** Applies the masked columns of `incoming` to the row whose etag is `etag`; the row stored. */
    async update(
      ctx: HandlerContext,
      requestId: string,
      incoming: StoredRow,
      mask: FieldMask | undefined,
      etag: string,
      owner?: { readonly column: string; readonly value: string },
    ): Promise<StoredRow> {
      checkValues(spec, incoming);
      const key = String(incoming[spec.key]);
      const columns = maskedColumns(spec, paths(mask), incoming);
      const body = { incoming, columns, etag };
      const done = await writes.run(call(`Update${name}`, ctx, requestId, body), spec, key, (tx) =>
        writer.update(
          tx,
          key,
          etag,
          (current) => {
            const next = applyMask(current, incoming, columns);
            checkRow(spec, next);
            return next;
          },
          owner,
        ),
      );
      return stored(done);
    },
    /** Deletes the row `ask.key` (and its holdings when forced). */
    async delete(ctx: HandlerContext, requestId: string, ask: DeleteRow): Promise<void> {
      const { key, etag, holdings } = ask;
      const body = holdings === undefined ? { key, etag } : { key, etag, force: holdings.force };
      const options =
        holdings === undefined
          ? { etag }
          : { etag, force: holdings.force, holdingsBy: holdings.by };
      await writes.run(call(`Delete${name}`, ctx, requestId, body), spec, key, (tx) =>
        writer.delete(tx, key, options),
      );
    },
  };
}

/** A customer's or product's message as a write request carries it. */
type Message = Fields & { readonly etag: string };

/** A create request of a resource whose message is in field `F` (`customer`, `product`). */
type CreateAsk<F extends string> = { requestId: string } & { [P in F]?: Message | undefined };
/** An update request: a create's fields and the update mask. */
type UpdateAsk<F extends string> = CreateAsk<F> & { updateMask?: FieldMask | undefined };
/** A delete request of a resource whose key is in field `K` (`customerId`, `productId`). */
type DeleteAsk<K extends string> = { requestId: string; etag: string; force: boolean } & {
  [P in K]: string;
};

/** The three write handlers of a resource holdings point at, named as its service names them. */
type OwnedWriteHandlers<N extends string, F extends string, K extends string, M> = {
  [C in `create${N}`]: (req: CreateAsk<F>, ctx: HandlerContext) => Promise<M>;
} & { [U in `update${N}`]: (req: UpdateAsk<F>, ctx: HandlerContext) => Promise<M> } & {
  [D in `delete${N}`]: (req: DeleteAsk<K>, ctx: HandlerContext) => Promise<Record<string, never>>;
};

/**
 * The writes of a resource that holdings point at (customers, products): the same three
 * handlers once the request's message field, key field and holdings column are named, so
 * CustomerService and ProductService share them instead of repeating each other line for line.
 */
function ownedWrites<N extends string, F extends string, K extends string, M>(
  writes: Writes,
  writer: RowWriter,
  names: {
    readonly rpc: N;
    readonly field: F;
    readonly key: K;
    readonly by: keyof typeof HOLDINGS_OF;
  },
  message: (row: StoredRow) => M,
): OwnedWriteHandlers<N, F, K, M> {
  const spec = writer.spec;
  const w = resourceWriter(writes, writer, names.rpc);
  const fieldOf = (req: CreateAsk<F>): Message | undefined => req[names.field];
  const handlers: Record<string, unknown> = {
    [`create${names.rpc}`]: async (req: CreateAsk<F>, ctx: HandlerContext) =>
      message(await w.create(ctx, req.requestId, rowOf(spec, fieldOf(req)))),
    [`update${names.rpc}`]: async (req: UpdateAsk<F>, ctx: HandlerContext) => {
      const fields = fieldOf(req);
      const incoming = rowOf(spec, fields);
      return message(
        await w.update(ctx, req.requestId, incoming, req.updateMask, fields?.etag ?? ""),
      );
    },
    [`delete${names.rpc}`]: async (req: DeleteAsk<K>, ctx: HandlerContext) => {
      const holdings = { by: names.by, force: req.force };
      await w.delete(ctx, req.requestId, { key: req[names.key], etag: req.etag, holdings });
      return {};
    },
  };
  return handlers as OwnedWriteHandlers<N, F, K, M>;
}

/** How each service names its message and key fields, and the holdings column to its rows. */
const OWNED = {
  customer: { rpc: "Customer", field: "customer", key: "customerId", by: "customer_id" },
  product: { rpc: "Product", field: "product", key: "productId", by: "product_id" },
} as const;

/** The write RPCs of CustomerService, which {@link customerWrites} implements. */
type CustomerWrites = Pick<
  ServiceImpl<typeof CustomerService>,
  "createCustomer" | "updateCustomer" | "deleteCustomer"
>;
/** The write RPCs of ProductService, which {@link productWrites} implements. */
type ProductWrites = Pick<
  ServiceImpl<typeof ProductService>,
  "createProduct" | "updateProduct" | "deleteProduct"
>;

/** CustomerService's writes: messages in, {@link Writes} calls, the stored row out. */
export function customerWrites(writes: Writes): CustomerWrites {
  const message = (row: StoredRow): MessageInitShape<typeof CustomerSchema> =>
    fieldsOf(CUSTOMER_SPEC, row);
  return ownedWrites(writes, writes.customers, OWNED.customer, message);
}

/** ProductService's writes, as {@link customerWrites}. */
export function productWrites(writes: Writes): ProductWrites {
  const message = (row: StoredRow): MessageInitShape<typeof ProductSchema> =>
    fieldsOf(PRODUCT_SPEC, row);
  return ownedWrites(writes, writes.products, OWNED.product, message);
}

/** PortfolioService's writes of holdings (customer_products rows), as {@link customerWrites}. */
export function holdingWrites(
  writes: Writes,
): Pick<ServiceImpl<typeof PortfolioService>, "createHolding" | "updateHolding" | "deleteHolding"> {
  const spec = HOLDING_SPEC;
  const writer = resourceWriter(writes, writes.holdings, "Holding");
  const message = (row: StoredRow) => {
    const fields = fieldsOf(spec, row);
    return {
      ...fields,
      valueNumber: approx(fields.value ?? ""),
    } as MessageInitShape<typeof HoldingSchema>;
  };
  return {
    async createHolding(req, ctx) {
      const row = rowOf(spec, req.holding, { customer_id: req.customerId });
      return message(await writer.create(ctx, req.requestId, row));
    },
    async updateHolding(req, ctx) {
      const incoming = rowOf(spec, req.holding, { customer_id: req.customerId });
      const etag = req.holding?.etag ?? "";
      const owner = { column: "customer_id", value: req.customerId };
      return message(
        await writer.update(ctx, req.requestId, incoming, req.updateMask, etag, owner),
      );
    },
    async deleteHolding(req, ctx) {
      await writer.delete(ctx, req.requestId, { key: req.relationshipId, etag: req.etag });
      return {};
    },
  };
}
