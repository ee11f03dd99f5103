import { apiGatewayLimits } from '../api-gateway';

/** Limits of protocol version 1. Clients may check them before sending; the server always does. */
export const limits = {
  contentChars: 4000,
  items: 500,
  itemIdPattern: /^[A-Za-z0-9_.-]{1,64}$/,
  itemInputChars: 4000,
  maxConcurrency: 40,
  pageSize: 100,
  /**
   * A request above this many bytes is answered PAYLOAD_TOO_LARGE and not processed. It sits
   * below API Gateway's 128 KB message limit (which closes the socket with 1009) so a client
   * gets a sentence, not a dropped connection, and every request fits one DynamoDB item.
   */
  requestBytes: 64 * 1024,
  /** The largest dataset file (CSV or Parquet) a user may upload (a presigned S3 PUT). */
  uploadBytes: 100 * 1024 * 1024,
  /** Personal API keys: how many a user may hold unrevoked, and for how long each works. */
  apiKeys: { perUser: 10, nameChars: 64, defaultDays: 90, maxDays: 365 },
  /** API Gateway refuses to post a larger message to a connection. */
  serverMessageBytes: apiGatewayLimits.messageBytes,
} as const;
