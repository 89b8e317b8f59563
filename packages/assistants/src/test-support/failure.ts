import type { IaAgentsError } from '@ia-agents/core';

/** The error a promise rejects with; throws when it resolves instead (test-only helper). */
export async function failure(promise: Promise<unknown>): Promise<IaAgentsError> {
  try {
    await promise;
  } catch (error) {
    return error as IaAgentsError;
  }
  throw new Error('expected a failure');
}
