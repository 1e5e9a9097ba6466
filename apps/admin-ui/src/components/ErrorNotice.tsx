/**
 * An API failure in words: the envelope's message, the bad fields of a VALIDATION_FAILED answer, and the
 * request id to quote to the operator. An endpoint the server does not have at all is said plainly: "not
 * available on this server" — never replaced by made-up data.
 */
import { Alert, List, Text } from '@mantine/core';
import { toApiError } from '../api/api-error.ts';

export interface ErrorNoticeProps {
  error: unknown;
  /** What was being done, for the title ("Could not load the clusters"). */
  action?: string;
  /** The feature's name, for the "not available" wording. */
  feature?: string;
}

export function ErrorNotice({ error, action, feature }: ErrorNoticeProps) {
  const e = toApiError(error);
  if (e.missingRoute) {
    return (
      <Alert color="gray" title={`${feature ?? 'This feature'} is not available on this server`} role="status">
        <Text size="sm">This CloudOptim server does not offer it yet (it answered: “{e.message}”). Nothing is shown rather than made-up data.</Text>
      </Alert>
    );
  }
  const title = action ? `${action}: ${describeCode(e.code)}` : describeCode(e.code);
  return (
    <Alert color="red" title={title} role="alert">
      <Text size="sm">{e.message}</Text>
      {e.issues.length > 0 && (
        <List size="sm" mt="xs">
          {e.issues.map((issue, i) => (
            <List.Item key={i}>
              {issue.path ? <strong>{issue.path}: </strong> : null}
              {issue.message}
            </List.Item>
          ))}
        </List>
      )}
      {e.requestId && (
        <Text size="xs" c="dimmed" mt="xs">
          Request id {e.requestId}
        </Text>
      )}
    </Alert>
  );
}

const CODE_WORDS: Record<string, string> = {
  VALIDATION_FAILED: 'some values are not valid',
  UNAUTHENTICATED: 'please sign in again',
  FORBIDDEN: 'your role does not allow this',
  NOT_FOUND: 'not found',
  CONFLICT: 'it conflicts with the current state',
  UNPROCESSABLE: 'it cannot be done as asked',
  RATE_LIMITED: 'too many requests, try again shortly',
  UNAVAILABLE: 'a service is unavailable right now',
  INTERNAL: 'the server failed',
};

export function describeCode(code: string): string {
  return CODE_WORDS[code] ?? code.toLowerCase().replace(/_/g, ' ');
}
