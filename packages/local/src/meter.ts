import type { IncomingMessage } from 'node:http';
import type { Service } from './edge/service';

/**
 * Counts what a deployment pays for, as the local cloud serves it: every request at the edge by
 * service and operation (`dynamodb:UpdateItem`, `s3:GetObject`, `execute-api:PostToConnection`),
 * and from the Step Functions engine its state transitions, Lambda invocations and task starts.
 * The bench reads it per item kind; nothing else depends on it.
 */
export class RequestMeter {
  private readonly counts = new Map<string, number>();

  count(key: string, n = 1): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + n);
  }

  /** The counts so far, by key. */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}

/** What an S3 request does, from its method, path (path-style) and query, as S3 names it. */
function s3Operation(method: string, url: string): string {
  const [path = '/', query = ''] = url.split('?');
  const params = new URLSearchParams(query);
  const hasKey = path.split('/').filter(Boolean).length > 1;
  if (method === 'POST' && params.has('delete')) return 'DeleteObjects';
  if (!hasKey) return method === 'GET' ? 'ListObjectsV2' : `${method}Bucket`;
  if (params.has('uploadId') || params.has('uploads')) return 'MultipartUpload';
  const names: Record<string, string> = {
    GET: 'GetObject',
    PUT: 'PutObject',
    HEAD: 'HeadObject',
    DELETE: 'DeleteObject',
  };
  return names[method] ?? `${method}Object`;
}

/** The operation a request at the edge asks its service for. */
export function operationOf(
  request: Pick<IncomingMessage, 'headers' | 'url' | 'method'>,
  service: Service,
): string {
  const target = String(request.headers['x-amz-target'] ?? '');
  if (target.includes('.')) return target.slice(target.indexOf('.') + 1);
  const method = request.method ?? 'GET';
  if (service === 's3') return s3Operation(method, request.url ?? '/');
  if (service === 'execute-api')
    return { POST: 'PostToConnection', GET: 'GetConnection', DELETE: 'DeleteConnection' }[method] ?? method;
  if (service === 'lambda') return 'Invoke';
  return method;
}
