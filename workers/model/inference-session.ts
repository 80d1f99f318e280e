import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';

export type ExecutionProviderPreference = 'cuda' | 'cpu' | 'auto';
export type ExecutionProvider = 'cuda' | 'cpu';

export function parseExecutionProvider(value: string | undefined): ExecutionProviderPreference {
  const normalised = (value ?? '').trim().toLowerCase();
  if (normalised === '' || normalised === 'auto') return 'auto';
  if (normalised === 'cuda' || normalised === 'cpu') return normalised;
  throw new Error(`EXECUTION_PROVIDER must be cuda, cpu or unset, got ${value}`);
}

/**
 * onnxruntime-node bundles the CPU provider; the CUDA provider's libraries exist only where its install script fetched
 * them (the GPU image). Checking for the file first keeps CPU hosts from logging a failed CUDA load on every start.
 */
function cudaProviderInstalled(): boolean {
  const require = createRequire(import.meta.url);
  const packageRoot = dirname(require.resolve('onnxruntime-node/package.json'));
  const folder = join(packageRoot, 'bin', 'napi-v6', process.platform, process.arch);
  return existsSync(join(folder, 'libonnxruntime_providers_cuda.so'));
}

export interface OpenedSession {
  readonly session: ort.InferenceSession;
  readonly provider: ExecutionProvider;
}

/**
 * Opens a session on CUDA when asked to (failing if it cannot), or when `auto` and a CUDA provider loads; else on CPU
 * with one intra-op thread per core. The CPU threads do not spin between runs: the workers interleave runs with
 * decoding and JavaScript work, which spinning threads would take cores from (bench/README.md).
 */
export async function openSession(
  model: string | Uint8Array,
  preference: ExecutionProviderPreference,
  log: (message: string) => void,
): Promise<OpenedSession> {
  const cpuOptions: ort.InferenceSession.SessionOptions = {
    executionProviders: ['cpu'],
    intraOpNumThreads: availableParallelism(),
    graphOptimizationLevel: 'all',
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
  if (preference === 'cuda' || (preference === 'auto' && cudaProviderInstalled())) {
    try {
      const session = await create(model, { executionProviders: ['cuda', 'cpu'], graphOptimizationLevel: 'all' });
      log('onnxruntime execution provider: cuda');
      return { session, provider: 'cuda' };
    } catch (error) {
      if (preference === 'cuda')
        throw new Error(`EXECUTION_PROVIDER=cuda but the CUDA provider failed to load: ${String(error)}`);
      log(`CUDA provider unavailable (${String(error)}); falling back to cpu`);
    }
  }
  const session = await create(model, cpuOptions);
  log(`onnxruntime execution provider: cpu (${cpuOptions.intraOpNumThreads} threads)`);
  return { session, provider: 'cpu' };
}

function create(
  model: string | Uint8Array,
  options: ort.InferenceSession.SessionOptions,
): Promise<ort.InferenceSession> {
  // ONNX Runtime's bundled telemetry SDK otherwise writes /tmp/mat-debug-<pid>.log (ignoring TMPDIR) in every process
  // that opens a session; read when the first session creates the runtime's environment. Set it to 0 to opt back in.
  process.env.ORT_DISABLE_TELEMETRY ??= '1';
  return typeof model === 'string'
    ? ort.InferenceSession.create(model, options)
    : ort.InferenceSession.create(model, options);
}
