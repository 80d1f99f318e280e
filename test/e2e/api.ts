import type { DatasetView } from '../../core/datasets/dataset-record';

export type { DatasetView };

export interface MediaPage {
  readonly items: readonly {
    media_id: string;
    type: string;
    source_uri: string;
    batch_id: string;
    cluster_id: string | null;
  }[];
  readonly next_cursor: string | null;
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  json<T = unknown>(): T;
}

/** A thin HTTP client over the local service for the e2e tests: every call carries the caller's bearer token. */
export class E2eApi {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async request(
    method: string,
    path: string,
    body?: FormData | string,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      body,
      headers: { Authorization: `Bearer ${this.token}`, ...headers },
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: <T>() => JSON.parse(text) as T };
  }

  async dataset(id: string): Promise<DatasetView> {
    const answer = await this.request('GET', `/api/v1/dataset/${id}`);
    if (answer.status !== 200) throw new Error(`GET dataset ${id}: ${answer.status} ${answer.text}`);
    return answer.json<DatasetView>();
  }

  async media(id: string, batchId?: string): Promise<MediaPage['items']> {
    const items: MediaPage['items'][number][] = [];
    let cursor: string | null = null;
    do {
      const query = new URLSearchParams({
        limit: '1000',
        ...(batchId ? { batch_id: batchId } : {}),
        ...(cursor ? { cursor } : {}),
      });
      const answer = await this.request('GET', `/api/v1/dataset/${id}/media?${query}`);
      if (answer.status !== 200) throw new Error(`GET media: ${answer.status} ${answer.text}`);
      const page = answer.json<MediaPage>();
      items.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor);
    return items;
  }

  /** Polls until the dataset is idle (no active task); returns it and every status_new seen on the way, in order. */
  async waitUntilIdle(id: string, timeoutMs = 120_000): Promise<{ dataset: DatasetView; seen: string[] }> {
    const seen: string[] = [];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const dataset = await this.dataset(id);
      if (seen.at(-1) !== dataset.status_new) seen.push(dataset.status_new);
      if (!dataset.active_task) return { dataset, seen };
      if (Date.now() > deadline)
        throw new Error(`dataset ${id} still busy after ${timeoutMs} ms: ${JSON.stringify(dataset)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
