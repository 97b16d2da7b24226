import { existsSync } from 'node:fs';

/** Debian's Chromium, driven by playwright-core (no browser download); CI's .ci/run installs it. */
export const CHROMIUM = process.env.RAGSCOPE_CHROMIUM ?? '/usr/bin/chromium';

/** The flags every browser test launches it with: headless, no sandbox, nothing that reaches the network. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Fail (never skip) with what to install when Chromium is missing. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: the browser test needs Debian's chromium package ` +
        '(apt-get install -y chromium) or RAGSCOPE_CHROMIUM=/path/to/chromium',
    );
  }
}
