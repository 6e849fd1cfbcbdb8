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
import { applyMask, checkRow, checkValues, maskedColumns } from "../write/update-mask.js";
import type { WriteCall, Writes } from "../write/writes.js";
import { approx } from "./read-options.js";

type Fields = Readonly<Record<string, unknown>>;

const camel = (name: string): string =>
  name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** A resource message's columns as a stored row: empty strings are NULL. */
function rowOf(spec: ResourceSpec, message: Fields | undefined, extra: StoredRow = {}): StoredRow {
  const row: Record<string, string | null> = {};
  for (const column of spec.columns) {
    const value = message?.[camel(column.name)];
    row[column.name] = typeof value === "string" && value !== "" ? value : null;
  }
  return { ...row, ...extra };
}

/** A stored row as the fields of its message, with its etag; NULL is the empty string. */
function fieldsOf(spec: ResourceSpec, row: StoredRow): Record<string, string> {
  const out: Record<string, string> = { etag: etagOf(spec, row) };
  for (const column of spec.columns) out[camel(column.name)] = row[column.name] ?? "";
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

/** The row an update would store, checked whole before it is written. */
function masked(
  spec: ResourceSpec,
  current: StoredRow,
  incoming: StoredRow,
  columns: readonly string[],
): StoredRow {
  const next = applyMask(current, incoming, columns);
  checkRow(spec, next);
  return next;
}

function paths(mask: FieldMask | undefined): string[] {
  return mask?.paths ?? [];
}

function stored(row: StoredRow | null): StoredRow {
  if (row === null) throw new Error("a create or update stored no row");
  return row;
}

/** CustomerService's writes: messages in, {@link Writes} calls, the stored row out. */
export function customerWrites(
  writes: Writes,
): Pick<
  ServiceImpl<typeof CustomerService>,
  "createCustomer" | "updateCustomer" | "deleteCustomer"
> {
  const spec = CUSTOMER_SPEC;
  const message = (row: StoredRow | null) =>
    fieldsOf(spec, stored(row)) as MessageInitShape<typeof CustomerSchema>;
  return {
    async createCustomer(req, ctx) {
      const row = rowOf(spec, req.customer);
      checkRow(spec, row);
      const key = String(row.customer_id);
      const body = { row };
      const done = await writes.run(
        call("CreateCustomer", ctx, req.requestId, body),
        spec,
        key,
        (tx) => writes.customers.create(tx, row),
      );
      return message(done);
    },
    async updateCustomer(req, ctx) {
      const incoming = rowOf(spec, req.customer);
      checkValues(spec, incoming);
      const key = String(incoming.customer_id);
      const columns = maskedColumns(spec, paths(req.updateMask), incoming);
      const etag = req.customer?.etag ?? "";
      const body = { incoming, columns, etag };
      const done = await writes.run(
        call("UpdateCustomer", ctx, req.requestId, body),
        spec,
        key,
        (tx) =>
          writes.customers.update(tx, key, etag, (current) =>
            applyMask(current, incoming, columns),
          ),
      );
      return message(done);
    },
    async deleteCustomer(req, ctx) {
      const body = { key: req.customerId, etag: req.etag, force: req.force };
      await writes.run(
        call("DeleteCustomer", ctx, req.requestId, body),
        spec,
        req.customerId,
        (tx) =>
          writes.customers.delete(tx, req.customerId, {
            etag: req.etag,
            force: req.force,
            holdingsBy: "customer_id",
          }),
      );
      return {};
    },
  };
}

/** ProductService's writes, as {@link customerWrites}. */
export function productWrites(
  writes: Writes,
): Pick<ServiceImpl<typeof ProductService>, "createProduct" | "updateProduct" | "deleteProduct"> {
  const spec = PRODUCT_SPEC;
  const message = (row: StoredRow | null) =>
    fieldsOf(spec, stored(row)) as MessageInitShape<typeof ProductSchema>;
  return {
    async createProduct(req, ctx) {
      const row = rowOf(spec, req.product);
      checkRow(spec, row);
      const key = String(row.product_id);
      const done = await writes.run(
        call("CreateProduct", ctx, req.requestId, { row }),
        spec,
        key,
        (tx) => writes.products.create(tx, row),
      );
      return message(done);
    },
    async updateProduct(req, ctx) {
      const incoming = rowOf(spec, req.product);
      checkValues(spec, incoming);
      const key = String(incoming.product_id);
      const columns = maskedColumns(spec, paths(req.updateMask), incoming);
      const etag = req.product?.etag ?? "";
      const body = { incoming, columns, etag };
      const done = await writes.run(
        call("UpdateProduct", ctx, req.requestId, body),
        spec,
        key,
        (tx) =>
          writes.products.update(tx, key, etag, (current) =>
            masked(spec, current, incoming, columns),
          ),
      );
      return message(done);
    },
    async deleteProduct(req, ctx) {
      const body = { key: req.productId, etag: req.etag, force: req.force };
      await writes.run(call("DeleteProduct", ctx, req.requestId, body), spec, req.productId, (tx) =>
        writes.products.delete(tx, req.productId, {
          etag: req.etag,
          force: req.force,
          holdingsBy: "product_id",
        }),
      );
      return {};
    },
  };
}

/** PortfolioService's writes of holdings (customer_products rows), as {@link customerWrites}. */
export function holdingWrites(
  writes: Writes,
): Pick<ServiceImpl<typeof PortfolioService>, "createHolding" | "updateHolding" | "deleteHolding"> {
  const spec = HOLDING_SPEC;
  const message = (row: StoredRow | null) => {
    const fields = fieldsOf(spec, stored(row));
    return {
      ...fields,
      valueNumber: approx(fields.value ?? ""),
    } as MessageInitShape<typeof HoldingSchema>;
  };
  return {
    async createHolding(req, ctx) {
      const row = rowOf(spec, req.holding, { customer_id: req.customerId });
      checkRow(spec, row);
      const key = String(row.relationship_id);
      const done = await writes.run(
        call("CreateHolding", ctx, req.requestId, { row }),
        spec,
        key,
        (tx) => writes.holdings.create(tx, row),
      );
      return message(done);
    },
    async updateHolding(req, ctx) {
      const incoming = rowOf(spec, req.holding, { customer_id: req.customerId });
      checkValues(spec, incoming);
      const key = String(incoming.relationship_id);
      const columns = maskedColumns(spec, paths(req.updateMask), incoming);
      const etag = req.holding?.etag ?? "";
      const body = { incoming, columns, etag };
      const owner = { column: "customer_id", value: req.customerId };
      const done = await writes.run(
        call("UpdateHolding", ctx, req.requestId, body),
        spec,
        key,
        (tx) =>
          writes.holdings.update(
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
      return message(done);
    },
    async deleteHolding(req, ctx) {
      const body = { key: req.relationshipId, etag: req.etag };
      await writes.run(
        call("DeleteHolding", ctx, req.requestId, body),
        spec,
        req.relationshipId,
        (tx) => writes.holdings.delete(tx, req.relationshipId, { etag: req.etag }),
      );
      return {};
    },
  };
}
