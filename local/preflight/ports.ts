import { createServer } from 'node:net';
import type { LocalConfig } from '../config';

/** Why `port` cannot be listened on at `host`, or undefined when it can (it is released again at once). */
function portProblem(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

/** PORT (on HOST) and S3_PORT (the embedded S3 listens on 127.0.0.1) must be free; 0 means any free port. */
export async function checkPorts(config: LocalConfig): Promise<string[]> {
  const problems: string[] = [];
  if (config.port !== 0 && config.port === config.s3Port) {
    problems.push(`PORT and S3_PORT are both ${config.port}; give them different values`);
    return problems;
  }
  const checks = [
    { name: 'PORT', host: config.host, port: config.port },
    { name: 'S3_PORT', host: '127.0.0.1', port: config.s3Port },
  ];
  for (const { name, host, port } of checks) {
    if (port === 0) continue;
    const problem = await portProblem(host, port);
    if (problem === 'EADDRINUSE')
      problems.push(
        `${name} ${port} is already in use on ${host} (another add-media service?); stop what uses it, or set ${name} to a free port`,
      );
    else if (problem === 'EACCES')
      problems.push(`${name} ${port} needs privileges on ${host}; set ${name} to a port above 1023`);
    else if (problem)
      problems.push(`cannot listen on ${host}:${port} (${name}${name === 'PORT' ? ', HOST' : ''}): ${problem}`);
  }
  return problems;
}
