// A vitest setup file (`setupFiles: ['@regstudy/repo-checks/yield-between-tests']` in every
// package's vitest config): after each test, wait one macrotask.
//
// Why: a test worker talks to the vitest main process over birpc, whose calls (e.g. the
// `onTaskUpdate` sent as tests finish) time out after a fixed 60 s (birpc's DEFAULT_TIMEOUT,
// not configurable in vitest 3). The reply is only read when the worker's event loop reaches its
// poll phase. Our tests run tfjs kernels synchronously and `await tensor.data()` resolves as a
// microtask on the wasm and cpu backends, so a whole test file can run without the event loop
// ever turning; on a loaded 2-core machine that exceeds 60 s, and when the loop finally turns its
// timers phase fires the timeout before the poll phase reads the reply:
// `Error: [vitest-worker]: Timeout calling "onTaskUpdate"`, and vitest exits 1 although every
// test passed. One `setTimeout(0)` after each test lets the loop turn (timers, then poll, reading
// any reply), so the stretch without a turn is one test, not a file.
import { setTimeout } from 'node:timers';
import { afterEach } from 'vitest';

afterEach(() => new Promise((resolve) => setTimeout(resolve, 0)));
