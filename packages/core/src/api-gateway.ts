/**
 * API Gateway's WebSocket limits (AWS's quotas for WebSocket APIs), declared once: the local
 * gateway enforces them, the protocol's message limits sit within them, the route functions
 * answer within the integration timeout, and clients may check a message before sending it.
 */
export const apiGatewayLimits = {
  /** A frame above this closes the connection with 1009; a browser sends each message as one frame. */
  frameBytes: 32 * 1024,
  /** A message (of one or more frames) above this closes the connection with 1009; posting one to a connection fails. */
  messageBytes: 128 * 1024,
  /** A connection that carries nothing for this long is closed. */
  idleSeconds: 10 * 60,
  /** A connection is closed after this long, however busy. */
  maxSeconds: 2 * 60 * 60,
  /** How long a route's integration (its Lambda) may take to answer. */
  integrationTimeoutMs: 29_000,
} as const;
