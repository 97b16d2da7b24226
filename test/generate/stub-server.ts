import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A scripted failure for one request: an HTTP status, optional headers and body. */
export interface Failure {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** A chat request the stub received. */
export interface Received {
  docId: string;
  body: {
    model: string;
    messages: Array<{ role: string; content: string }>;
    seed?: number;
    temperature?: number;
  };
  authorization: string | undefined;
  at: number;
}

/**
 * An OpenAI-compatible `/v1/chat/completions` server on 127.0.0.1 for tests. It finds the document a request is
 * about (`Document "<id>"` in the user message) and answers with `completions[id]` (or `answer(id, text)`), after
 * first answering with the failures queued for that document.
 */
export class StubChatServer {
  readonly received: Received[] = [];
  readonly failures = new Map<string, Failure[]>();
  /** Milliseconds to wait before answering the next request about a document (consumed once). */
  readonly delays = new Map<string, number>();
  private server: Server | undefined;
  url = '';

  constructor(private readonly answer: (docId: string, windowText: string, user: string) => string) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, headers, body }) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(body);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(
    req: IncomingMessage,
  ): Promise<{ status: number; headers?: Record<string, string>; body: string }> {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    if (req.url !== '/v1/chat/completions' || req.method !== 'POST') {
      return {
        status: 404,
        body: JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }),
      };
    }
    const body = JSON.parse(raw) as Received['body'];
    const user = body.messages.find((m) => m.role === 'user')?.content ?? '';
    const docId = /Document "([^"]+)"/.exec(user)?.[1] ?? '';
    const windowText = /<document>\n([\s\S]*)\n<\/document>/.exec(user)?.[1] ?? '';
    this.received.push({ docId, body, authorization: req.headers.authorization, at: Date.now() });
    const delay = this.delays.get(docId);
    if (delay !== undefined) {
      this.delays.delete(docId);
      await new Promise((r) => setTimeout(r, delay));
    }
    const queued = this.failures.get(docId);
    const failure = queued?.shift();
    if (failure) {
      return {
        status: failure.status,
        body: failure.body ?? JSON.stringify({ error: { message: `stub failure ${failure.status}` } }),
        ...(failure.headers ? { headers: failure.headers } : {}),
      };
    }
    const content = this.answer(docId, windowText, user);
    const promptTokens = Math.ceil(user.length / 4);
    const completionTokens = Math.ceil(content.length / 4);
    return {
      status: 200,
      body: JSON.stringify({
        id: `chatcmpl-${this.received.length}`,
        object: 'chat.completion',
        created: 1764626400,
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        usage: {
          prompt_tokens: promptTokens,
          completion_tokens: completionTokens,
          total_tokens: promptTokens + completionTokens,
        },
      }),
    };
  }
}
