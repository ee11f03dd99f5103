export interface StageEndpoints {
  region: string;
  websocketUrl: string;
  userPoolId: string;
  userPoolClientId: string;
  webUrl?: string;
  bucket?: string;
  stateMachineArn?: string;
}
export function endpointsFromOutputs(outputs: unknown): StageEndpoints;
export function writeStageEndpoints(directory: string, stage: string): string;
