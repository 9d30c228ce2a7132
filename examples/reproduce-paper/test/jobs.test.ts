import { describe, expect, it } from 'vitest';
import { jobArgs } from '../src/run/jobs';

describe('jobArgs', () => {
  it("keeps the user's flags and sets this job's shard, threads and --no-report", () => {
    expect(jobArgs(['--models', 'new', '--jobs', '2', '--out', 'r'], 1, 2, 1)).toEqual([
      '--models', 'new', '--out', 'r', '--shard', '1/2', '--threads', '1', '--no-report',
    ]);
  });

  it('drops --jobs/--threads in both spellings, a leading --, and flags a job must not get', () => {
    expect(jobArgs(['--', '--jobs=3', '--threads', '4', '--quiet', '--dry-run', '--epochs=2'], 0, 3, 2)).toEqual([
      '--quiet', '--epochs=2', '--shard', '0/3', '--threads', '2', '--no-report',
    ]);
  });
});
