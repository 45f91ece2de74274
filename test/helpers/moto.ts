import { spawn } from 'node:child_process';
import { freePort } from './free-port';

/** A moto_server (pyenv's, on PATH) on a free port of 127.0.0.1. */
interface Moto {
  readonly endpoint: string;
  stop(): void;
}

/** Starts moto_server and waits until it answers, or fails after `readyMs`. */
const startMoto = async (readyMs = 20_000): Promise<Moto> => {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const proc = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const until = Date.now() + readyMs;
  for (;;) {
    try {
      await fetch(`${endpoint}/moto-api/`);
      break;
    } catch (error) {
      if (Date.now() > until) {
        proc.kill();
        throw error;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { endpoint, stop: () => proc.kill() };
};

export { startMoto };
export type { Moto };
