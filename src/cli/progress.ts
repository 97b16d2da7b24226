import type { BenchProgressEvent } from '../eval/bench.js';

const LABEL: Record<BenchProgressEvent['phase'], string> = {
  chunk: 'chunking documents',
  embed: 'embedding chunks',
  index: 'indexing',
  search: 'searching questions',
  diagnose: 'diagnosing failures',
  compare: 'paired comparisons',
  done: 'done',
};

/** A progress reporter for `runBench`'s `onProgress`, plus `stop()` to close any open bar. */
export interface ProgressReporter {
  onProgress(event: BenchProgressEvent): void;
  stop(): void;
}

/**
 * Progress on stderr: cli-progress bars when stderr is a terminal, otherwise one plain line when each step starts
 * (so CI logs stay readable). Nothing goes to stdout, which keeps the report table clean.
 *
 * @example
 * ```ts
 * const progress = await createProgress(process.stderr);
 * await runBench({ dataset, embedder, onProgress: progress.onProgress });
 * progress.stop();
 * ```
 */
export async function createProgress(stream: NodeJS.WriteStream): Promise<ProgressReporter> {
  const tty = stream.isTTY === true && !process.env.CI;
  let key = '';
  if (!tty) {
    return {
      onProgress(e) {
        const k = `${e.chunkerIndex}:${e.phase}`;
        if (k === key || e.phase === 'done') return;
        key = k;
        const where = e.chunker ? `[${e.chunkerIndex + 1}/${e.chunkers}] ${e.chunker}: ` : '';
        stream.write(`ragscope: ${where}${LABEL[e.phase]}${e.total > 0 ? ` (${e.total})` : ''}\n`);
      },
      stop() {},
    };
  }
  const { default: cliProgress } = await import('cli-progress');
  let bar: InstanceType<typeof cliProgress.SingleBar> | null = null;
  return {
    onProgress(e) {
      const k = `${e.chunkerIndex}:${e.phase}`;
      if (k !== key) {
        bar?.stop();
        bar = null;
        key = k;
        if (e.phase === 'done') return;
        const where = e.chunker ? `[${e.chunkerIndex + 1}/${e.chunkers}] ${e.chunker}` : 'all configurations';
        if (e.total > 0) {
          bar = new cliProgress.SingleBar(
            {
              format: `${where} ${LABEL[e.phase]} [{bar}] {value}/{total}`,
              stream,
              clearOnComplete: false,
              hideCursor: true,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(e.total, 0);
        } else {
          stream.write(`${where}: ${LABEL[e.phase]}\n`);
        }
      }
      bar?.update(e.done);
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}
