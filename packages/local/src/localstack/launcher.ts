/**
 * LocalStack's free tier has no ECS, so in LocalStack mode the RunAnalysis state invokes this
 * Lambda with `.waitForTaskToken` instead. It asks the local cloud's task runner to start the
 * analysis task with the same environment (TASK_TOKEN and JOB_URI included); the task then
 * reports through the token exactly as on Fargate. CASCADE_TASKS_URL points at the runner.
 */
interface LaunchEvent {
  environment: { Name: string; Value: string }[];
}

export async function handler(event: LaunchEvent): Promise<{ started: true }> {
  const url = process.env.CASCADE_TASKS_URL;
  if (!url)
    throw new Error('CASCADE_TASKS_URL is not set: the launcher does not know where the task runner is');
  const environment = Object.fromEntries(
    event.environment.map((variable) => [variable.Name, variable.Value]),
  );
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ environment }),
  });
  if (!response.ok)
    throw new Error(`The task runner refused the task: ${response.status} ${await response.text()}`);
  return { started: true };
}
