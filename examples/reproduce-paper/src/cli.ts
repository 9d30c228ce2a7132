// Entry of the reproduce-paper command. Ctrl-C once stops after saving the current epoch's
// checkpoint (run the command again to continue); twice exits at once.
import { main } from './main';

const controller = new AbortController();
let interrupts = 0;
process.on('SIGINT', () => {
  interrupts += 1;
  if (interrupts > 1) process.exit(130);
  process.stderr.write('\ninterrupted: stopping after the current batch (Ctrl-C again to quit now)\n');
  controller.abort();
});
process.on('SIGTERM', () => controller.abort());

// Relative paths are taken from where the user started pnpm (INIT_CWD), not the package folder.
const cwd = process.env.INIT_CWD ?? process.cwd();
main(process.argv.slice(2), {
  out: process.stdout,
  err: process.stderr,
  cwd,
  signal: controller.signal,
}).then(
  (code) => {
    process.exitCode = code;
    // Dawn (--backend webgpu) keeps the event loop alive while navigator.gpu exists: if anything
    // still holds the process a second after the work is done, exit. Unref'd: it never delays an exit.
    setTimeout(() => process.exit(code), 1000).unref();
  },
  (error: unknown) => {
    // The message names the option, file or package at fault; the stack only with DEBUG=reproduce-paper.
    const debug = /\breproduce-paper\b/.test(process.env.DEBUG ?? '');
    const text = error instanceof Error ? (debug ? (error.stack ?? error.message) : error.message) : String(error);
    process.stderr.write(`reproduce-paper: ${text}\n`);
    process.exitCode = 1;
  },
);
