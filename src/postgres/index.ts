/**
 * `ragscope/postgres` — a ragscope index stored in PostgreSQL (full text by `tsvector`, vectors by pgvector) and
 * its retrievers. node-postgres (`pg`) is an optional peer dependency, loaded only when a URL is opened.
 * @packageDocumentation
 */

export * from '../eval/bench/backend-postgres.js';
export * from './retrievers.js';
export { tableNames } from './schema.js';
export { connectPostgres, type Queryable } from './sql.js';
export * from './store.js';
export * from './table.js';
