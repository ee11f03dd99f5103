import { type ClientMessage, ServerMessage } from '@cascade/core/protocol';

/**
 * API Gateway WebSocket frames are at most 32 KB and a browser sends each message as a single
 * frame, so a larger message would be dropped with the connection. Refuse it before sending.
 */
export const maxFrameBytes = 32 * 1024;

export type ConnectionStatus =
  | { state: 'connecting'; attempt: number }
  | { state: 'open' }
  | { state: 'waiting'; attempt: number; retryAt: number }
  | { state: 'closed' };

export type SendResult = { ok: true } | { ok: false; reason: string };

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
  onMessage: (message: ServerMessage) => void;
  onStatus: (status: ConnectionStatus) => void;
  /** Keeps the connection from API Gateway's 10-minute idle timeout. */
  keepAliveMs?: number;
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
  private readonly waiters = new Map<string, (message: ServerMessage) => void>();
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

  /** Sends a request and resolves with the answer that echoes its messageId (or an error answer). */
  request(message: ClientMessage & { messageId: string }, timeoutMs = 15_000): Promise<ServerMessage> {
    return new Promise((resolve, reject) => {
      const sent = this.send(message);
      if (!sent.ok) return reject(new Error(sent.reason));
      const timer = setTimeout(() => {
        this.waiters.delete(message.messageId);
        reject(new Error('The server did not answer in time. Try again.'));
      }, timeoutMs);
      this.waiters.set(message.messageId, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
    });
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
        () => this.send({ action: 'ping', messageId: 'keepalive' }),
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
      const message = parsed.data;
      if (message.action === 'pong' && message.messageId === 'keepalive') return;
      const echoed = 'messageId' in message ? message.messageId : undefined;
      const waiter = echoed ? this.waiters.get(echoed) : undefined;
      if (waiter && echoed) {
        this.waiters.delete(echoed);
        waiter(message);
      }
      this.options.onMessage(message);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      clearInterval(this.keepAlive);
      if (!opened) this.refused = true;
      if (this.stopped) return;
      const delay = backoffDelay(this.attempt, this.options.random);
      this.attempt += 1;
      this.options.onStatus({ state: 'waiting', attempt: this.attempt, retryAt: Date.now() + delay });
      this.retryTimer = setTimeout(() => void this.open(), delay);
    };
  }
}
