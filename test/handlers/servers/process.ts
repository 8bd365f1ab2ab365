/**
 * What the local test servers (PostgreSQL, moto) share: a free port and the
 * wait until a started process answers.
 */
import { ChildProcess } from 'child_process';
import * as net from 'net';

/** A TCP port nothing listens on now (parallel test workers each get their own). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Wait until `isReady()` says so, the process exits, or `timeoutMs` passes;
 * 'ready', or why not. A process that never got ready is killed.
 */
export async function waitForReady(child: ChildProcess, isReady: () => Promise<boolean>, timeoutMs: number, pollMs = 100): Promise<'ready' | string> {
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exited with ${code ?? signal}`;
  });
  child.once('error', (err) => {
    exited = `could not be started: ${err.message}`;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await isReady()) return 'ready';
    if (exited !== undefined) return exited;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  child.kill('SIGKILL');
  return `not ready within ${timeoutMs} ms`;
}
