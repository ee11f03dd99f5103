/** What an AWS API answers while it throttles: a ThrottlingException of that service's own type. */
export function throttling<E>(
  ServiceException: new (options: {
    name: string;
    $fault: 'client';
    $metadata: Record<string, never>;
    message: string;
  }) => E,
): E {
  return new ServiceException({
    name: 'ThrottlingException',
    $fault: 'client',
    $metadata: {},
    message: 'Rate exceeded',
  });
}
