import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { env } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RagscopeError } from '../../src/core/errors.js';
import { CrossEncoderReranker } from '../../src/search/rerank/cross-encoder.js';

// transformers.js answers a model it finds neither locally nor on the hub with an internal TypeError
// ("Cannot read properties of undefined (reading 'tokenizer_class')"); the re-ranker must say what is missing.
describe('CrossEncoderReranker: a missing model is explained, not a TypeError', () => {
  let server: Server;
  let host: string;
  let cacheDir: string;
  const savedHost = env.remoteHost;
  beforeAll(async () => {
    // A real hub stand-in on 127.0.0.1 that has no models at all.
    server = createServer((_req, res) => {
      res.statusCode = 404;
      res.end('Entry not found');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    host = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    cacheDir = await mkdtemp(path.join(os.tmpdir(), 'ragscope-ce-cache-'));
  });
  afterAll(async () => {
    env.remoteHost = savedHost;
    await new Promise((resolve) => server.close(resolve));
    await rm(cacheDir, { recursive: true, force: true });
  });

  async function loadError(reranker: CrossEncoderReranker): Promise<RagscopeError> {
    const err = await reranker.load().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RagscopeError);
    return err as RagscopeError;
  }

  it('remote models off and no localModelPath: names the folder it looked in', async () => {
    const err = await loadError(
      new CrossEncoderReranker({ model: 'Xenova/ms-marco-MiniLM-L-6-v2', allowRemoteModels: false }),
    );
    expect(err.code).toBe('MODEL_UNAVAILABLE');
    expect(err.message).not.toMatch(/Cannot read properties/);
    expect(err.message).toContain('Xenova/ms-marco-MiniLM-L-6-v2');
    expect(err.message).toMatch(/not found at \S+ \(no config\.json\) and allowRemoteModels is false/);
    expect(err.message).toContain('localModelPath');
  });

  it('remote models on but the hub has no such model: names the folder, the cache and the host', async () => {
    env.remoteHost = host;
    const err = await loadError(new CrossEncoderReranker({ model: 'acme/no-such-cross-encoder', cacheDir }));
    expect(err.code).toBe('MODEL_UNAVAILABLE');
    expect(err.message).not.toMatch(/Cannot read properties/);
    expect(err.message).toContain(`nor in the cache ${cacheDir}`);
    expect(err.message).toContain(`could not be downloaded from ${host}`);
  });
});
