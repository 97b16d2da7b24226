import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { invalidArgument, RagscopeError } from '../core/errors.js';
import { ApiError, ExploreApi, type ExploreData } from './api.js';
import { type Asset, loadAssets } from './assets.js';
import { refusal, securityHeaders } from './guard.js';

/**
 * Options of {@link startExplore}.
 *
 * @example
 * ```ts
 * const options: ExploreOptions = { pipeline, port: 0 };
 * ```
 */
export interface ExploreOptions extends ExploreData {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Folder of the page's files. Default: the ones shipped with the package. */
  assetsDir?: string;
}

/**
 * A running explore server.
 *
 * @example
 * ```ts
 * const server: ExploreServer = await startExplore({ pipeline });
 * console.log(server.url); // http://127.0.0.1:41234/
 * await server.close();
 * ```
 */
export interface ExploreServer {
  /** The page's address, e.g. `http://127.0.0.1:41234/`. */
  readonly url: string;
  readonly port: number;
  /** Stop listening and close open connections. */
  close(): Promise<void>;
}

const MAX_BODY = 1 << 20;

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    throw new ApiError(415, 'POST bodies must be application/json');
  }
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of req) {
    size += (part as Buffer).length;
    if (size > MAX_BODY) throw new ApiError(413, `request body over ${MAX_BODY} bytes`);
    parts.push(part as Buffer);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(parts).toString('utf8'));
  } catch {
    throw new ApiError(400, 'request body is not valid JSON');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new ApiError(400, 'request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

async function route(api: ExploreApi, req: IncomingMessage, url: URL): Promise<unknown> {
  const key = `${req.method} ${url.pathname}`;
  switch (key) {
    case 'GET /api/info':
      return api.info();
    case 'GET /api/report':
      return api.report();
    case 'GET /api/document':
      return api.document(url.searchParams.get('id'), url.searchParams.get('chunker'));
    case 'POST /api/search':
      return api.search(await readJson(req));
    case 'POST /api/why-not':
      return api.whyNot(await readJson(req));
    default:
      throw new ApiError(404, `no route ${key}`);
  }
}

function handler(api: ExploreApi, assets: Map<string, Asset>, port: () => number) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    securityHeaders(res);
    const refused = refusal(req, port());
    if (refused) {
      sendJson(res, 403, { error: `refused: ${refused}` });
      return;
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith('/api/')) {
      route(api, req, url).then(
        (value) => sendJson(res, 200, value),
        (err: unknown) => {
          const status = err instanceof ApiError ? err.status : 500;
          sendJson(res, status, { error: err instanceof Error ? err.message : String(err) });
        },
      );
      return;
    }
    if (url.pathname === '/favicon.ico') {
      res.statusCode = 204; // no icon, and no 404 in the console
      res.end();
      return;
    }
    const asset = req.method === 'GET' || req.method === 'HEAD' ? assets.get(url.pathname) : undefined;
    if (!asset) {
      send(res, 404, 'text/plain; charset=utf-8', 'not found');
      return;
    }
    send(res, 200, asset.type, req.method === 'HEAD' ? '' : asset.body);
  };
}

/**
 * Start the explore page's server on 127.0.0.1: the page's static files plus a JSON API (`/api/search` returns
 * the library's `SearchResult`, `/api/why-not` its `WhyNotReport`, `/api/report` the `BenchReport`). Requests
 * whose Host or Origin is not the server's own are refused with 403.
 *
 * @example
 * ```ts
 * const pipeline = new RetrievalPipeline({ chunker: 'recursive:400/0:chars' });
 * await pipeline.addDocuments([{ id: 'a', text: 'Refunds take 5 days.' }]);
 * const server = await startExplore({ pipeline });
 * const res = await fetch(new URL('/api/search', server.url), {
 *   method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'refunds' }),
 * });
 * (await res.json()).hits[0].chunk.docId; // 'a'
 * await server.close();
 * ```
 */
export async function startExplore(options: ExploreOptions): Promise<ExploreServer> {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    invalidArgument('port', port, 'an integer in [0, 65535]');
  }
  const assets = loadAssets(options.assetsDir);
  const api = new ExploreApi(options);
  let bound = 0;
  const server: Server = createServer(handler(api, assets, () => bound));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new RagscopeError(
          'INVALID_ARGUMENT',
          `port must be free on 127.0.0.1, got ${port} (${err.code ?? err.message})`,
          { param: 'port', value: port },
          err,
        ),
      ),
    );
    server.listen(port, '127.0.0.1', () => {
      server.removeAllListeners('error');
      resolve();
    });
  });
  bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}/`,
    port: bound,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
