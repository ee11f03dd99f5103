export { handler as append } from './append';
export { handler as dispatch } from './dispatch';
export { handler as executionEnded } from './execution-ended';
export { handler as finish } from './finish';
export { handler as invoke } from './invoke';
export { handler as parse } from './parse';
export { handler as recordFailure } from './record-failure';
