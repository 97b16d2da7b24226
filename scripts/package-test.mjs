// The package as users install it (run by .ci/run after `npm run build`): `npm pack`, then a plain
// `npm install <tarball>` into a fresh project under the OS temp folder (outside the repo, so the repo's .npmrc and
// the onnxruntime skip flag do not apply), and there:
//   - node_modules stays under 60 MB and holds neither optional peer (@huggingface/transformers, hnswlib-node);
//   - the INSTALLED `ragscope bench` runs on examples/ with the default formats and writes a valid report.json and
//     a report.html whose charts draw in headless Chromium with no console error and no network request;
//   - the root and every subpath import from ESM and CJS (renderHtml included) and type-check with tsc under
//     moduleResolution node16 (import and require conditions) and bundler;
//   - using an optional peer gives RagscopeError('MISSING_DEPENDENCY') naming the package to install.
// Usage: node scripts/package-test.mjs [--keep]   (--keep leaves the temp project for inspection)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { checkProgramCjs, checkProgramEsm, typesProgram } from './package-test-programs.mjs';

const LIMIT_BYTES = 60e6;
const SUBPATHS = [
  'chunkers',
  'embedders',
  'search',
  'diagnostics',
  'eval',
  'report',
  'generate',
  'postgres',
  'langchain',
];
const PEERS = ['@huggingface/transformers', 'hnswlib-node', 'pg', '@langchain/core'];
const CHROMIUM = process.env.RAGSCOPE_CHROMIUM ?? '/usr/bin/chromium';
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
const started = performance.now();

function step(message) {
  console.log(`package-test [${((performance.now() - started) / 1000).toFixed(0)} s] ${message}`);
}

function fail(message) {
  throw new Error(`package-test: ${message}`);
}

/** Run a command; on failure, show its output and stop. */
function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (r.error) fail(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) {
    fail(`${cmd} ${args.join(' ')} exited ${r.status}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  }
  return r;
}

/** The environment of a user's shell: no npm_config_* (so no onnxruntime skip flag) and no npm run leftovers. */
function userEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_/i.test(k) || k === 'INIT_CWD' || k === 'NODE_OPTIONS') continue;
    env[k] = v;
  }
  return env;
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ragscope-package-test-'));
try {
  // 1. Pack exactly what `npm publish` would publish.
  if (!existsSync(path.join(repo, 'dist', 'index.js'))) fail('dist/ is missing: run `npm run build` first');
  const packed = JSON.parse(
    run('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: repo, env: userEnv() }).stdout,
  );
  const tarball = path.join(tmp, packed[0].filename);
  step(
    `packed ${packed[0].filename}: ${packed[0].entryCount} files, ${(packed[0].size / 1e6).toFixed(2)} MB`,
  );

  // 2. A plain install into a fresh project, as a user would type it.
  const project = path.join(tmp, 'project');
  mkdirSync(project);
  writeFileSync(
    path.join(project, 'package.json'),
    `${JSON.stringify({ name: 'ragscope-package-test', version: '1.0.0', private: true }, null, 2)}\n`,
  );
  const install = ['install', tarball, '--no-audit', '--no-fund'];
  run('npm', install, { cwd: project, env: userEnv() });
  step(`\`npm ${install.join(' ')}\` (no environment flags) succeeded`);
  for (const peer of PEERS) {
    if (existsSync(path.join(project, 'node_modules', peer))) fail(`the optional peer ${peer} was installed`);
  }
  if (existsSync(path.join(project, 'node_modules', 'onnxruntime-node')))
    fail('onnxruntime-node was installed');
  const sizeBytes = Number(run('du', ['-sk', 'node_modules'], { cwd: project }).stdout.split('\t')[0]) * 1024;
  const largest = run(
    'sh',
    ['-c', 'du -sk node_modules/* node_modules/@*/* 2>/dev/null | sort -rn | head -6'],
    {
      cwd: project,
    },
  )
    .stdout.trim()
    .split('\n')
    .map((l) => {
      const [kb, name] = l.split('\t');
      return `${path.relative('node_modules', name)} ${(Number(kb) / 1024).toFixed(1)}`;
    });
  step(
    `node_modules: ${(sizeBytes / 1e6).toFixed(1)} MB = ${(sizeBytes / 2 ** 20).toFixed(1)} MiB (du -sk); largest (MiB): ${largest.join(', ')}`,
  );
  if (sizeBytes >= LIMIT_BYTES)
    fail(`node_modules is ${(sizeBytes / 1e6).toFixed(1)} MB, the limit is 60 MB`);

  // 3. The installed binary's bench with the default formats.
  const out = path.join(tmp, 'report');
  const bin = path.join(project, 'node_modules', '.bin', 'ragscope');
  const bench = run(
    bin,
    [
      'bench',
      '--corpus',
      path.join(repo, 'examples', 'corpus'),
      '--questions',
      path.join(repo, 'examples', 'questions.jsonl'),
      '--out',
      out,
    ],
    { cwd: project, env: { ...userEnv(), HF_HUB_OFFLINE: '1' } },
  );
  if (!/EMBEDDER FALLBACK/.test(bench.stderr))
    fail(`bench did not announce its embedder fallback:\n${bench.stderr}`);
  if (!/@huggingface\/transformers is not installed/.test(bench.stderr)) {
    fail(
      `bench's fallback notice does not say that @huggingface/transformers is not installed:\n${bench.stderr}`,
    );
  }
  for (const f of ['report.json', 'report.html']) {
    if (!existsSync(path.join(out, f))) fail(`the installed bench did not write ${f}:\n${bench.stderr}`);
  }
  step('installed `ragscope bench` wrote report.json and report.html');

  // 4. Imports from ESM and CJS (renderHtml, the validator, a chunker) and the optional-peer errors.
  const reportJson = path.join(out, 'report.json');
  writeFileSync(path.join(project, 'check.mjs'), checkProgramEsm(SUBPATHS));
  writeFileSync(path.join(project, 'check.cjs'), checkProgramCjs(SUBPATHS));
  for (const script of ['check.mjs', 'check.cjs']) {
    const r = run(process.execPath, [script, reportJson], { cwd: project, env: userEnv() });
    step(`${script}: ${r.stdout.trim()}`);
  }

  // 5. Types: tsc (the repo's) over the installed .d.ts/.d.cts files, node16 (both conditions) and bundler.
  writeFileSync(path.join(project, 'types-esm.mts'), typesProgram());
  writeFileSync(path.join(project, 'types-cjs.cts'), typesProgram());
  writeFileSync(path.join(project, 'types-bundler.ts'), typesProgram());
  const tsc = path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
  const common = [
    '--noEmit',
    '--strict',
    '--target',
    'es2022',
    '--typeRoots',
    path.join(repo, 'node_modules', '@types'),
  ];
  const modes = [
    ['node16', ['--module', 'node16', '--moduleResolution', 'node16', 'types-esm.mts', 'types-cjs.cts']],
    ['bundler', ['--module', 'esnext', '--moduleResolution', 'bundler', 'types-bundler.ts']],
  ];
  for (const [name, args] of modes) {
    run(process.execPath, [tsc, ...common, '--types', 'node', ...args], { cwd: project });
    step(`tsc --moduleResolution ${name}: the root and ${SUBPATHS.length} subpaths type-check`);
  }

  // 6. The installed bench's report.html in headless Chromium.
  await checkInBrowser(path.join(out, 'report.html'), path.join(tmp, 'profile'));

  // 7. The installed `ragscope index` writes an index of the examples; the installed `ragscope explore` serves its
  // page (shipped in dist/explore) and API on that index and the bench report.
  const indexDir = path.join(tmp, 'index');
  run(
    bin,
    [
      'index',
      path.join(repo, 'examples', 'corpus'),
      '--out',
      indexDir,
      '--embedder',
      'hashing',
      '--no-cache',
    ],
    {
      cwd: project,
      env: userEnv(),
    },
  );
  step('installed `ragscope index` wrote the example index');
  await checkExplore(bin, [indexDir, path.join(out, 'report.json')], project);
  step(`package test passed in ${((performance.now() - started) / 1000).toFixed(0)} s`);
} finally {
  if (keep) console.log(`package-test: kept ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}

async function checkExplore(bin, inputs, cwd) {
  const child = spawn(bin, ['explore', ...inputs, '--port', '0'], { cwd, env: userEnv() });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  try {
    const deadline = Date.now() + 60_000;
    let url;
    while (!url && Date.now() < deadline) {
      url = /http:\/\/127\.0\.0\.1:\d+\//.exec(stdout)?.[0];
      if (!url) await new Promise((r) => setTimeout(r, 200));
      if (child.exitCode !== null) fail(`ragscope explore exited ${child.exitCode}:\n${stderr}`);
    }
    if (!url) fail(`ragscope explore printed no URL within 60 s:\n${stdout}\n${stderr}`);
    const page = await fetch(url);
    const html = await page.text();
    if (page.status !== 200 || !html.includes('<script type="module"'))
      fail(`explore's page: ${page.status} ${html.slice(0, 200)}`);
    const info = await fetch(new URL('api/info', url));
    const body = await info.json();
    if (info.status !== 200 || !body.report)
      fail(`explore's /api/info: ${info.status} ${JSON.stringify(body).slice(0, 200)}`);
    step(`installed \`ragscope explore\` served its page, the index and the report, and a search at ${url}`);
  } finally {
    child.kill('SIGTERM');
  }
}

async function checkInBrowser(htmlFile, profile) {
  if (!existsSync(CHROMIUM)) fail(`Chromium not found at ${CHROMIUM} (apt-get install chromium)`);
  const fileUrl = pathToFileURL(htmlFile).href;
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport: { width: 1280, height: 900 },
  });
  try {
    const requests = [];
    const errors = [];
    context.on('request', (req) => requests.push(req.url()));
    const page = await context.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(`console error: ${msg.text()}`);
    });
    page.on('pageerror', (err) => errors.push(`page error: ${String(err)}`));
    await page.goto(fileUrl, { waitUntil: 'load' });
    await page.waitForFunction("document.documentElement.hasAttribute('data-charts-drawn')", null, {
      timeout: 15_000,
    });
    const facts = await page.evaluate(`(() => {
      const canvases = [...document.querySelectorAll('canvas')];
      const blank = [];
      let charts = 0;
      for (const c of canvases) {
        if (window.Chart && window.Chart.getChart(c)) charts++;
        const ctx = c.getContext('2d');
        const img = ctx && c.width > 0 && c.height > 0 ? ctx.getImageData(0, 0, c.width, c.height).data : undefined;
        let painted = 0;
        if (img) for (let i = 3; i < img.length; i += 4) if (img[i] > 0) painted++;
        if (painted < 50) blank.push(c.id || '(no id)');
      }
      return { canvases: canvases.length, charts, blank };
    })()`);
    if (facts.canvases === 0) fail('report.html has no chart canvas');
    if (facts.charts !== facts.canvases)
      fail(`${facts.charts} Chart.js charts for ${facts.canvases} canvases`);
    if (facts.blank.length > 0) fail(`blank charts in report.html: ${facts.blank.join(', ')}`);
    if (errors.length > 0) fail(`report.html in Chromium:\n${errors.join('\n')}`);
    const others = requests.filter((u) => u !== fileUrl);
    if (others.length > 0) fail(`report.html made network requests: ${others.join(', ')}`);
    step(
      `report.html in Chromium: ${facts.canvases} charts drawn, no console error, no request but the file`,
    );
  } finally {
    await context.close();
  }
}
