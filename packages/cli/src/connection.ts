import { randomUUID } from 'node:crypto';
import { apiGatewayLimits } from '@cascade/core/api-gateway';
import {
  type AnswerTo,
  answerTo,
  type ClientAction,
  type ClientRequest,
  clientSchemaFor,
  type ErrorCode,
  type ServerAction,
  ServerMessage,
} from '@cascade/core/protocol';
import WebSocket from 'ws';
import { CliError, UsageError } from './errors';
import { version } from './version';

/** A server message as parsed by the protocol's schema, and as it came (`--json` prints that, extensions and all). */
export interface Received<M extends ServerMessage = ServerMessage> {
  message: M;
  raw: Record<string, unknown>;
}

/** A request before it is sent: the connection gives it a messageId unless it has one. */
export type Outgoing<A extends ClientAction> = Omit<ClientRequest<A>, 'messageId'> & { messageId?: string };

/** The server's `error` answer: its sentence is for the person as it is. */
export class ProtocolError extends CliError {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

interface Pending {
  answer: ServerAction;
  resolve: (received: Received) => void;
  reject: (error: CliError) => void;
}

/** How the connection signs in: the logged-in person's ID token, or a personal API key. */
export type Credential = { idToken: string } | { apiKey: string };

const userAgent = `cascade-cli/${version} node/${process.versions.node}`;

/**
 * API Gateway ends a route's integration at its timeout, so an answer later than that (and a
 * little for the network) is not coming.
 */
const answerTimeoutMs = apiGatewayLimits.integrationTimeoutMs + 6_000;

/** One WebSocket to Cascade, speaking PROTOCOL.md: requests answered by messageId, events to listeners. */
export class Connection {
  private readonly pending = new Map<string, Pending>();
  private readonly listeners = new Set<(received: Received) => void>();
  private readonly closeListeners = new Set<(error: CliError) => void>();
  private closing = false;

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => this.receive(data.toString()));
    socket.on('close', (code) => {
      const error = new CliError(`The connection to Cascade closed (code ${code}): try again.`);
      for (const pending of this.pending.values()) pending.reject(error);
      this.pending.clear();
      if (!this.closing) for (const listener of this.closeListeners) listener(error);
    });
  }

  /** Opens the socket with an ID token (`?token=`) or a personal API key (`?apiKey=`). */
  static open(websocketUrl: string, credential: Credential): Promise<Connection> {
    const query =
      'apiKey' in credential
        ? `apiKey=${encodeURIComponent(credential.apiKey)}`
        : `token=${encodeURIComponent(credential.idToken)}`;
    return new Promise((resolve, reject) => {
      // The User-Agent names this client in the person's list of devices.
      const socket = new WebSocket(`${websocketUrl}?${query}`, { headers: { 'user-agent': userAgent } });
      socket.once('open', () => resolve(new Connection(socket)));
      socket.once('unexpected-response', (_request, response) => {
        socket.terminate();
        const status = response.statusCode ?? 0;
        if ((status === 401 || status === 403) && 'apiKey' in credential)
          reject(
            new CliError(
              `Cascade refused the API key (HTTP ${status}): it may be revoked or expired, or its account disabled; create a new one with \`cascade keys create\`.`,
            ),
          );
        else if (status === 401 || status === 403)
          reject(
            new CliError(
              `Cascade refused your sign-in (HTTP ${status}): it may have ended (signed out everywhere, or the account disabled); log in again with \`cascade login EMAIL\`.`,
            ),
          );
        else if (status === 429)
          reject(new CliError('You have too many connections to Cascade open: close some and try again.'));
        else reject(new CliError(`Cascade refused the connection with HTTP ${status}: try again later.`));
      });
      socket.once('error', () =>
        reject(
          new CliError(
            `Could not reach Cascade at ${websocketUrl}: check your connection, or start the local cloud with \`npm start\`.`,
          ),
        ),
      );
    });
  }

  /** Sends a request after checking it against the protocol's own schema; answers its messageId. */
  send<A extends ClientAction>(request: Outgoing<A>): string {
    const messageId = request.messageId ?? randomUUID();
    const message = { ...request, messageId };
    const checked = clientSchemaFor(request.action).safeParse(message);
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      throw new UsageError(`The ${issue.path.join('.') || 'request'} ${issue.message}.`);
    }
    this.socket.send(JSON.stringify(message));
    return messageId;
  }

  /**
   * Sends a request and waits for its answer (the protocol's `answerTo` names it), or throws the
   * server's `error` sentence.
   */
  request<A extends ClientAction>(request: Outgoing<A> & { action: A }): Promise<Received<AnswerTo<A>>> {
    const messageId = this.send(request);
    const answer: ServerAction = answerTo[request.action];
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(messageId);
        reject(new CliError(`Cascade did not answer within ${answerTimeoutMs / 1000} s: try again.`));
      }, answerTimeoutMs);
      this.pending.set(messageId, {
        answer,
        resolve: (received) => {
          clearTimeout(timer);
          resolve(received as Received<AnswerTo<A>>);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  }

  /** Every server message that parses, answers and events alike; returns how to stop listening. */
  onMessage(listener: (received: Received) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called if the server closes the connection (not when this side closes it). */
  onClose(listener: (error: CliError) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  close(): void {
    this.closing = true;
    this.socket.close();
  }

  private receive(text: string): void {
    let raw: Record<string, unknown>;
    try {
      raw = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    const parsed = ServerMessage.safeParse(raw);
    const messageId = typeof raw.messageId === 'string' ? raw.messageId : undefined;
    const pending = messageId === undefined ? undefined : this.pending.get(messageId);
    if (!parsed.success) {
      // A newer server's events this client does not know are skipped; an answer it cannot read is an error.
      if (pending && messageId) {
        this.pending.delete(messageId);
        pending.reject(
          new CliError(`Cascade answered in a form this client does not understand (${String(raw.action)}).`),
        );
      }
      return;
    }
    const received: Received = { message: parsed.data, raw };
    if (pending && messageId) {
      if (parsed.data.action === 'error') {
        this.pending.delete(messageId);
        pending.reject(new ProtocolError(parsed.data.code, parsed.data.message));
      } else if (parsed.data.action === pending.answer) {
        this.pending.delete(messageId);
        pending.resolve(received);
      }
    }
    for (const listener of this.listeners) listener(received);
  }
}
