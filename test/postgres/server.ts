import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite/vector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/** A real PostgreSQL 17 (PGlite, pgvector bundled) served over the wire protocol on 127.0.0.1 for `pg` clients. */
export interface TestPostgres {
  url: string;
  stop(): Promise<void>;
}

/** Start a fresh in-memory database on a free port of 127.0.0.1. */
export async function startPostgres(): Promise<TestPostgres> {
  const db = await PGlite.create({ extensions: { vector } });
  const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: 8 });
  await server.start();
  const conn = server.getServerConn();
  return {
    url: `postgres://postgres@${conn}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
