import { createServer } from 'node:net';

/** A free TCP port on 127.0.0.1, picked by the OS (listen on 0, then release it). */
const freePort = (): Promise<number> =>
  new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => res(port));
    });
  });

export { freePort };
