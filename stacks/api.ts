import {
  authorizer as authorizerDefinition,
  routes as routeDefinitions,
} from '@cascade/functions/definitions';
import { type FunctionResources, functionArgs } from './lambda';
import { rateLimits } from './settings';

/**
 * The WebSocket API. Created first and given its routes later, because the agent's functions
 * post to its connections while the `query` route starts the agent: both need the other.
 */
export function gateway() {
  return new sst.aws.ApiGatewayWebSocket('Api', {
    transform: {
      // A ceiling on what one stage will carry, whoever is calling.
      stage: (args) => {
        args.defaultRouteSettings = { throttlingBurstLimit: 200, throttlingRateLimit: 100 };
      },
    },
  });
}

/** What one user and one connection may ask of the stage (CASCADE_LIMIT_* at deploy time). */
export function limits() {
  return new sst.Linkable('RateLimits', { properties: rateLimits() });
}

/** `sessions.list` → `SessionsList`: a readable, stable name for the route's function. */
const routeName = (routeKey: string) =>
  routeKey
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join('');

/**
 * Every route of the protocol, each with its own function, linked and granted only what it
 * uses. The Lambda REQUEST authorizer guards `$connect` only, which is where API Gateway
 * WebSocket APIs authorize: a token in `?token=` (browsers cannot set headers) or an API key in `?apiKey=`.
 * Returns the routes' function names, for their alarms.
 */
export function routes(api: sst.aws.ApiGatewayWebSocket, resources: FunctionResources) {
  const authorizer = api.addAuthorizer('Cognito', {
    lambda: {
      function: functionArgs(authorizerDefinition, resources),
      // None: `?token=` or `?apiKey=` may carry the credential, and with an identity source API
      // Gateway would refuse the other with 401 before the authorizer runs. Without one it also
      // caches nothing, so a revocation counts from the next connect.
      identitySources: [],
    },
  });

  const functions: Record<string, $util.Output<string>> = {};
  for (const [routeKey, definition] of Object.entries(routeDefinitions)) {
    const route = api.route(routeKey, functionArgs(definition, resources), {
      ...(routeKey === '$connect' ? { auth: { lambda: authorizer.id } } : { name: routeName(routeKey) }),
    });
    functions[`Route${routeName(routeKey)}`] = route.nodes.function.name;
  }
  return { authorizer, functions };
}
