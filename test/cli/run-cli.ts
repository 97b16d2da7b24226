import { spawn } from 'node:child_process';
import path from 'node:path';

/** The repo root, where the CLI runs by default. */
export const root = path.resolve(__dirname, '../..');
const tsx = path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const cli = path.join(root, 'src', 'cli', 'main.ts');

/** Run `ragscope <args>` from source (through tsx) in `cwd`, as a user's shell would, and collect its output. */
export function runCli(
  args: string[],
  cwd = root,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsx, cli, ...args], {
      cwd,
      env: { ...process.env, CI: '1', FORCE_COLOR: '0' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
