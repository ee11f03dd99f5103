// The query's own process when the engine runs from its TypeScript sources (see isolation.ts).
import { serveAsQueryChild } from './child-protocol';

serveAsQueryChild();
