import assert from 'node:assert/strict';
import { DomainError, ErrorCode } from '../../src/common/domain-error';

function assertDomainError(caught: unknown, code: ErrorCode): DomainError {
  assert.ok(caught instanceof DomainError, `expected DomainError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  return caught;
}

/** Asserts that `run` throws a DomainError with `code`, and returns it. */
export function throwsCode(run: () => unknown, code: ErrorCode): DomainError {
  try {
    run();
  } catch (error) {
    return assertDomainError(error, code);
  }
  assert.fail(`expected DomainError ${code}, nothing was thrown`);
}

/** Asserts that `promise` rejects with a DomainError with `code`, and returns it. */
export async function rejectsWithCode(promise: Promise<unknown>, code: ErrorCode): Promise<DomainError> {
  let caught: unknown;
  await promise.catch((error) => (caught = error));
  return assertDomainError(caught, code);
}
