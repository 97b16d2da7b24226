// Worker of bench/hnsw-workers.ts: builds one hnswlib graph from the rows it is sent (labels 0..n-1, the order
// given) and writes hnswlib's file, which the main thread reads back. Plain JS so that it runs in a worker as is.
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';

const require = createRequire(import.meta.url);
const { HierarchicalNSW } = require('hnswlib-node');

parentPort.on('message', ({ dims, M, efC, seed, data, file }) => {
  const n = data.length / dims;
  const h = new HierarchicalNSW('ip', dims);
  h.initIndex(n, M, efC, seed, false);
  const row = new Array(dims);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dims; j++) row[j] = data[i * dims + j];
    h.addPoint(row, i, false);
  }
  h.writeIndexSync(file);
  parentPort.postMessage({ file, n });
});
