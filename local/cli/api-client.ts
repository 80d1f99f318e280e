import type { DatasetView } from '../../core/datasets/dataset-record';
import type { OperationView } from '../../core/datasets/operation-view';

/** The few calls the CLI makes, with the bearer token; any non-2xx answer becomes an ApiError carrying `detail`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(`HTTP ${status}: ${detail}`);
    this.name = 'ApiError';
  }
}

export interface Accepted {
  readonly operationId: string | undefined;
  /** The operation's own resource (Operation-Location), to poll. */
  readonly operationPath: string | undefined;
  readonly body: string;
}

export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  /** A /api/v1/process/* route: 202 with the operation id in X-Operation-Id. */
  async process(operation: 'add_media' | 'reindex' | 'create', query: Record<string, string>): Promise<Accepted> {
    const response = await this.request(`/api/v1/process/${operation}?${new URLSearchParams(query)}`);
    return {
      operationId: response.headers.get('x-operation-id') ?? undefined,
      operationPath: response.headers.get('operation-location') ?? undefined,
      body: await response.text(),
    };
  }

  /** GET of an Operation-Location path. */
  async operation(path: string): Promise<OperationView> {
    return (await (await this.request(path)).json()) as OperationView;
  }

  async dataset(datasetId: string): Promise<DatasetView> {
    const response = await this.request(`/api/v1/dataset/${encodeURIComponent(datasetId)}`);
    return (await response.json()) as DatasetView;
  }

  private async request(path: string): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(new URL(path, this.baseUrl), { headers: { Authorization: `Bearer ${this.token}` } });
    } catch (error) {
      throw new ApiError(
        0,
        `cannot reach ${this.baseUrl} (${((error as Error).cause as Error | undefined)?.message ?? (error as Error).message}); is the service running (npm start)?`,
      );
    }
    if (response.ok) return response;
    const text = await response.text();
    let detail = text;
    try {
      detail = (JSON.parse(text) as { detail?: string }).detail ?? text;
    } catch {
      // not JSON: keep the text
    }
    // A 401's body is always `Not authenticated`; the reason (expired, wrong issuer…) is in WWW-Authenticate.
    const reason = /error_description="([^"]*)"/.exec(response.headers.get('www-authenticate') ?? '')?.[1];
    throw new ApiError(response.status, reason ? `${detail}: ${reason}` : detail);
  }
}
