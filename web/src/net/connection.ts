import { apiGatewayLimits } from '@cascade/core/api-gateway';
import {
  type AnswerTo,
  answerTo,
  type ClientAction,
  type ClientMessage,
  type ClientRequest,
  ServerMessage,
  type ServerMessageOf,
} from '@cascade/core/protocol';

/**
 * API Gateway's WebSocket frames are at most 32 KB (core's api-gateway.ts) and a browser sends
 * each message as a single frame, so a larger message would be dropped with the connection.
 * Refuse it before sending.
 */
export const maxFrameBytes = apiGatewayLimits.frameBytes;

export type ConnectionStatus =
  | { state: 'connecting'; attempt: number }
  | { state: 'open' }
  | { state: 'waiting'; attempt: number; retryAt: number }
  | { state: 'closed' };

export type SendResult = { ok: true } | { ok: false; reason: string };

/**
 * What `request` may ask: everything but `query`, whose `ack` and live events belong to the
 * stream the chat's reducer reads (`send` it).
 */
type RequestAction = Exclude<ClientAction, 'query'>;
type Payload<A extends RequestAction> = ClientRequest<A>['payload'];
/** A request whose payload may be left out takes it optionally. */
type RequestArgs<A extends RequestAction> =
  undefined extends Payload<A> ? [payload?: Payload<A>] : [payload: Payload<A>];

/** The server answered a request with an `error` frame; `message` is its sentence. */
export class RequestRefused extends Error {
  constructor(readonly answer: ServerMessageOf<'error'>) {
    super(answer.message);
    this.name = 'RequestRefused';
  }
}

/**
 * A request that got no answer: it could not be sent, the server took too long, or the
 * connection it was sent on closed first.
 */
export class RequestUnanswered extends Error {
  constructor(
    readonly reason: 'unsent' | 'timeout' | 'closed',
    message: string,
  ) {
    super(message);
    this.name = 'RequestUnanswered';
  }
}

interface PendingRequest {
  expects: ServerMessage['action'];
  resolve: (answer: ServerMessage) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

const answerTimeoutMs = 15_000;

/** The wait before reconnect attempt `attempt` (0-based): exponential, capped, with jitter. */
export function backoffDelay(attempt: number, random = Math.random): number {
  const base = Math.min(15_000, 500 * 2 ** Math.min(attempt, 10));
  return Math.round(base * (0.5 + random() / 2));
}

export interface ConnectionOptions {
  url: string;
  /**
   * A valid ID token; called before every attempt, so a refreshed token is used on reconnect.
   * `renew` after a handshake the server refused: the token may have been revoked (signed out
   * everywhere, account disabled), and only a refresh tells; if that fails, the auth layer signs out.
   */
  token: (renew?: boolean) => Promise<string>;
  /** Every server message that is not the answer to a `request`: live events, and answers to `send`. */
  onMessage: (message: ServerMessage) => void;
  onStatus: (status: ConnectionStatus) => void;
  /** Keeps the connection from API Gateway's 10-minute idle timeout. */
  keepAliveMs?: number;
  /** How long `request` waits for an answer. */
  answerTimeoutMs?: number;
  createSocket?: (url: string) => WebSocket;
  random?: () => number;
}

/** One WebSocket to the Cascade API that reconnects with backoff until closed. */
export class Connection {
  private socket: WebSocket | undefined;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private keepAlive: ReturnType<typeof setInterval> | undefined;
  private stopped = false;
  /** Bumped by every start, so an attempt begun before a stop never opens a second socket. */
  private generation = 0;
  /** Requests sent on the current socket and not yet answered, by messageId. */
  private readonly pending = new Map<string, PendingRequest>();
  /** The last socket closed before it opened: its handshake was refused (or never reached the server). */
  private refused = false;

  constructor(private readonly options: ConnectionOptions) {}

  get isOpen(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  start(): void {
    this.stopped = false;
    this.generation += 1;
    void this.open();
  }

  /** Reconnects at once (e.g. when the browser comes back online) instead of waiting out the backoff. */
  retryNow(): void {
    if (this.stopped || this.socket) return;
    clearTimeout(this.retryTimer);
    this.attempt = 0;
    void this.open();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.keepAlive);
    const socket = this.socket;
    this.socket = undefined;
    socket?.close(1000, 'signed out');
    this.abandonPending();
    this.options.onStatus({ state: 'closed' });
  }

  /** Sends one message, or says why not (not connected, or too large for one frame). */
  send(message: ClientMessage): SendResult {
    const text = JSON.stringify(message);
    const bytes = new TextEncoder().encode(text).byteLength;
    if (bytes > maxFrameBytes)
      return {
        ok: false,
        reason: `This message is ${Math.ceil(bytes / 1024)} KB; a WebSocket message may be at most ${maxFrameBytes / 1024} KB. Send fewer or shorter items.`,
      };
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN)
      return { ok: false, reason: 'Not connected to the server right now; reconnecting…' };
    this.socket.send(text);
    return { ok: true };
  }

  /**
   * Sends `action` with a fresh messageId and resolves with the answer that echoes it; rejects
   * with `RequestRefused` for an `error` answer and `RequestUnanswered` when no answer comes.
   * The answer goes to the caller only, never to `onMessage`.
   *
   * A reconnect rejects every request still waiting (reason `closed`) rather than resending it:
   * API Gateway answers on the connection that asked, so an answer never arrives on the next
   * socket, and not every request is safe to repeat (`dataset.upload`, `execution.cancel`).
   * Whoever needs the state again asks after reconnecting (useCatchUp does).
   */
  request<A extends RequestAction>(action: A, ...[payload]: RequestArgs<A>): Promise<AnswerTo<A>> {
    const messageId = crypto.randomUUID();
    const message = { action, messageId, ...(payload && { payload }) } as ClientMessage;
    return new Promise((resolve, reject) => {
      const sent = this.send(message);
      if (!sent.ok) return reject(new RequestUnanswered('unsent', sent.reason));
      const timer = setTimeout(() => {
        this.pending.delete(messageId);
        reject(new RequestUnanswered('timeout', 'The server did not answer in time. Try again.'));
      }, this.options.answerTimeoutMs ?? answerTimeoutMs);
      this.pending.set(messageId, {
        expects: answerTo[action],
        resolve: resolve as (answer: ServerMessage) => void,
        reject,
        timer,
      });
    });
  }

  /** Settles the request `message` answers, if one waits for it; says whether one did. */
  private answer(message: ServerMessage): boolean {
    const messageId = 'messageId' in message ? message.messageId : undefined;
    const request = messageId === undefined ? undefined : this.pending.get(messageId);
    if (!request || messageId === undefined) return false;
    this.pending.delete(messageId);
    clearTimeout(request.timer);
    if (message.action === 'error') request.reject(new RequestRefused(message));
    else if (message.action === request.expects) request.resolve(message);
    else
      request.reject(new Error(`The server answered with ${message.action} instead of ${request.expects}.`));
    return true;
  }

  /** The socket requests were sent on is gone: none of them will be answered now. */
  private abandonPending(): void {
    const closed = new RequestUnanswered(
      'closed',
      'The connection closed before the server answered; reconnecting…',
    );
    for (const request of this.pending.values()) {
      clearTimeout(request.timer);
      request.reject(closed);
    }
    this.pending.clear();
  }

  private async open(): Promise<void> {
    if (this.stopped) return;
    const generation = this.generation;
    this.options.onStatus({ state: 'connecting', attempt: this.attempt });
    let token: string;
    try {
      token = await this.options.token(this.refused);
    } catch {
      // No token (signed out or refresh failed): the auth layer decides what happens next.
      return;
    }
    if (this.stopped || generation !== this.generation || this.socket) return;
    const url = `${this.options.url}${this.options.url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
    const socket = (this.options.createSocket ?? ((u) => new WebSocket(u)))(url);
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      opened = true;
      this.refused = false;
      this.attempt = 0;
      clearInterval(this.keepAlive);
      this.keepAlive = setInterval(
        // A lost pong changes nothing: the next ping, or the socket closing, tells.
        () => this.request('ping').catch(() => undefined),
        this.options.keepAliveMs ?? 5 * 60_000,
      );
      this.options.onStatus({ state: 'open' });
    };
    socket.onmessage = (event) => {
      if (this.socket !== socket) return;
      let json: unknown;
      try {
        json = JSON.parse(String(event.data));
      } catch {
        return;
      }
      const parsed = ServerMessage.safeParse(json);
      if (!parsed.success) return;
      if (!this.answer(parsed.data)) this.options.onMessage(parsed.data);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      clearInterval(this.keepAlive);
      this.abandonPending();
      if (!opened) this.refused = true;
      if (this.stopped) return;
      const delay = backoffDelay(this.attempt, this.options.random);
      this.attempt += 1;
      this.options.onStatus({ state: 'waiting', attempt: this.attempt, retryAt: Date.now() + delay });
      this.retryTimer = setTimeout(() => void this.open(), delay);
    };
  }
}
