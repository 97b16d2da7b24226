import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The page's Content-Security-Policy: scripts, styles and requests only from the server itself, no inline
 * script or style, no plug-ins, no framing, forms post nowhere.
 * @internal
 */
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Headers sent with every response. @internal */
export function securityHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cache-Control', 'no-store');
}

/** The Host header values the server answers to: its own loopback address and port. @internal */
export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

/**
 * Why a request must be refused, or null when it may be served. A foreign Host header means DNS rebinding (a
 * page on another site whose name now resolves to 127.0.0.1); a foreign Origin or a cross-site fetch means another
 * page is calling the API.
 * @internal
 */
export function refusal(req: IncomingMessage, port: number): string | null {
  const hosts = allowedHosts(port);
  const host = req.headers.host;
  if (!host || !hosts.has(host.toLowerCase())) return `foreign Host header ${JSON.stringify(host ?? '')}`;
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let ok = false;
    try {
      const u = new URL(origin);
      ok = u.protocol === 'http:' && hosts.has(u.host.toLowerCase());
    } catch {
      ok = false;
    }
    if (!ok) return `foreign Origin ${JSON.stringify(origin)}`;
  }
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return `cross-site request (${site})`;
  return null;
}
