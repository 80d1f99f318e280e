// The gallery: plain DOM code over the public API (docs/API.md) and the sign-in of /session. No framework, no build.
// Every value shown comes from the API and goes into the page as text, never as HTML.

const API = '/api/v1';
const CLUSTERS_PER_PAGE = 12;
const THUMBS_PER_CLUSTER = 8;
const MEDIA_PER_PAGE = 48;
const POLL_MS = 1500;

const main = document.getElementById('main');
const account = document.getElementById('account');
let session = null;
/** Bumped on every navigation: a view still loading or polling for an older one stops touching the page. */
let generation = 0;

/** An element with attributes (`on*` functions become listeners) and children (strings become text). */
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  element.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
  return element;
}

class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

/** One API call; the refusal's `detail` becomes the error's message, a 401 sends the user to the sign-in. */
async function api(method, path, body) {
  const response = await fetch(path, { method, body, headers: { Accept: 'application/json' } });
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    // not JSON (a proxy's error page): the status line says what happened
  }
  if (response.ok) return { data, headers: response.headers };
  if (response.status === 401 && session?.auth_mode === 'jwt' && path.startsWith(API)) {
    session = { ...session, signed_in: false };
    route();
  }
  throw new ApiError(response.status, data?.detail ?? `${response.status} ${response.statusText}`);
}

async function allPages(path) {
  const items = [];
  let cursor = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const page = (
      await api('GET', `${path}${separator}limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
    ).data;
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

const datasetPath = (id) => `${API}/dataset/${encodeURIComponent(id)}`;
const fileName = (uri) => uri.split(/[/\\]/).pop() || uri;
const when = (iso) => (iso ? new Date(iso).toLocaleString() : '—');

function show(title, ...content) {
  document.title = `${title} · add-media gallery`;
  main.replaceChildren(...content);
}

function alertBox() {
  return h('p', { class: 'alert', role: 'alert' });
}

function renderAccount() {
  if (!session || session.auth_mode === 'none') {
    account.replaceChildren(h('span', {}, 'local user (AUTH_MODE=none)'));
    return;
  }
  if (!session.signed_in) {
    account.replaceChildren();
    return;
  }
  account.replaceChildren(
    h('span', {}, `signed in as ${session.sub}`),
    h('button', { type: 'button', onclick: signOut }, 'Sign out'),
  );
}

async function signOut() {
  await api('DELETE', '/session');
  session = { ...session, signed_in: false, sub: null };
  location.hash = '#/';
  route();
}

function signInView() {
  const problem = alertBox();
  const token = h('textarea', { id: 'token', name: 'token', rows: 4, required: true, autocomplete: 'off' });
  const form = h(
    'form',
    { class: 'upload', 'aria-labelledby': 'sign-in-title' },
    h('label', { for: 'token' }, 'Token (JWT, e.g. from npm run token)'),
    token,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Sign in')),
    problem,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    problem.textContent = '';
    const response = await fetch('/session', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ token: token.value }),
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      const why = /error_description="([^"]*)"/.exec(response.headers.get('WWW-Authenticate') ?? '')?.[1];
      problem.textContent = why ? `${answer.detail}: ${why}` : answer.detail;
      return;
    }
    session = { ...session, signed_in: true, sub: answer.sub };
    route();
  });
  show(
    'Sign in',
    h('h1', { id: 'sign-in-title' }, 'Sign in'),
    h('p', {}, 'Paste your API token once; it is kept as a session cookie this page cannot read.'),
    form,
  );
  token.focus();
}

function progressOf(dataset) {
  return h('progress', { max: 100, value: dataset.progress, 'aria-label': `progress ${dataset.progress}%` });
}

async function datasetsView(current) {
  const datasets = (await api('GET', `${API}/datasets`)).data;
  if (current !== generation) return;
  const rows = datasets.map((dataset) =>
    h(
      'tr',
      { 'data-dataset-id': dataset.id },
      h('td', {}, h('a', { href: `#/dataset/${encodeURIComponent(dataset.id)}` }, dataset.display_name || dataset.id)),
      h('td', { class: 'status' }, dataset.status_new),
      h('td', {}, progressOf(dataset), ` ${dataset.progress}%`),
      h('td', {}, String(dataset.n_images)),
      h('td', {}, String(dataset.n_videos)),
      h('td', {}, when(dataset.updated_at)),
    ),
  );
  show(
    'Datasets',
    h('h1', {}, 'Datasets'),
    datasets.length === 0
      ? h('p', {}, 'No datasets yet. Create one with POST /api/v1/datasets (see the README).')
      : h(
          'table',
          {},
          h('caption', { class: 'muted' }, `${datasets.length} dataset(s) you can read`),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Name', 'Status', 'Progress', 'Images', 'Videos', 'Updated'].map((name) =>
                h('th', { scope: 'col' }, name),
              ),
            ),
          ),
          h('tbody', {}, rows),
        ),
  );
  if (datasets.some((dataset) => dataset.active_task)) setTimeout(() => refresh(current, datasetsView), POLL_MS);
}

function refresh(current, view) {
  if (current === generation) view(current).catch((error) => failed(current, error));
}

function facts(pairs) {
  return h(
    'dl',
    { class: 'facts' },
    pairs.map(([name, value]) => h('div', {}, h('dt', {}, name), h('dd', { 'data-fact': name }, value))),
  );
}

function operationPanel(operation) {
  if (!operation) return h('p', { class: 'muted' }, 'No operation yet.');
  return h(
    'div',
    { 'data-operation-id': operation.operation_id },
    facts([
      ['type', operation.type],
      ['status', operation.status],
      ['phase', operation.phase ?? '—'],
      ['progress', `${operation.progress}%`],
      ['added', operation.n_added ?? '—'],
      ['skipped', operation.n_skipped ?? '—'],
      ['duplicates', operation.n_duplicates ?? '—'],
      ['started', when(operation.started_at)],
      ['finished', when(operation.finished_at)],
    ]),
    operation.error ? h('p', { class: 'alert' }, operation.error) : null,
    operation.skipped.length > 0
      ? h(
          'details',
          {},
          h('summary', {}, `${operation.skipped.length} skipped`),
          h(
            'ul',
            {},
            operation.skipped.map((item) => h('li', {}, `${item.name}: ${item.reason}`)),
          ),
        )
      : null,
  );
}

function thumbnail(media) {
  const image = h('img', {
    src: media.thumbnail_url,
    alt: fileName(media.source_uri),
    loading: 'lazy',
    decoding: 'async',
    width: 96,
    height: 96,
  });
  return h(
    'li',
    { 'data-media-id': media.media_id },
    media.url ? h('a', { href: media.url, target: '_blank', rel: 'noopener' }, image) : image,
  );
}

async function statusPanel(id) {
  const [dataset, operations] = await Promise.all([
    api('GET', datasetPath(id)).then((answer) => answer.data),
    api('GET', `${datasetPath(id)}/operations?limit=20`).then((answer) => answer.data.items),
  ]);
  const panel = h(
    'section',
    { class: 'panel', 'aria-labelledby': 'status-title', 'aria-live': 'polite' },
    h('h2', { id: 'status-title' }, 'Status'),
    facts([
      ['status', dataset.status_new],
      ['progress', h('span', {}, progressOf(dataset), ` ${dataset.progress}%`)],
      ['images', String(dataset.n_images)],
      ['videos', String(dataset.n_videos)],
    ]),
    dataset.error ? h('p', { class: 'alert' }, dataset.error) : null,
    h('h3', {}, 'Latest operation'),
    operationPanel(operations[0]),
  );
  return { dataset, operations, panel };
}

/** The add_media form (files, archive, S3 URI, local path where enabled) and the reindex button. */
function actionsPanel(id, onStarted) {
  const problem = alertBox();
  const started = async (request) => {
    problem.textContent = '';
    try {
      await request();
      onStarted();
    } catch (error) {
      problem.textContent = error.message;
    }
  };
  const form = h(
    'form',
    { class: 'upload', 'aria-labelledby': 'add-title' },
    h('label', {}, 'Image or video files', h('input', { type: 'file', name: 'files[]', multiple: true })),
    h(
      'label',
      {},
      'Archive (.zip, .tar, .tar.gz)',
      h('input', { type: 'file', name: 'archive', accept: '.zip,.tar,.gz,.tgz' }),
    ),
    h('label', {}, 'S3 URI (folder or manifest)', h('input', { type: 'text', name: 's3_uri', placeholder: 's3://…' })),
    session?.local_paths
      ? h('label', {}, 'Local path (folder, manifest or archive)', h('input', { type: 'text', name: 'path' }))
      : null,
    h('label', { class: 'inline' }, h('input', { type: 'checkbox', name: 'auto_reindex' }), 'Re-cluster when added'),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Add media')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    started(() => addMedia(id, new FormData(form)));
  });
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'add-title' },
    h('h2', { id: 'add-title' }, 'Add media'),
    form,
    h(
      'div',
      { class: 'actions' },
      h(
        'button',
        { type: 'button', onclick: () => started(() => api('POST', `${datasetPath(id)}/reindex`)) },
        'Reindex',
      ),
      h('span', { class: 'muted' }, 're-cluster the whole dataset'),
    ),
    problem,
  );
}

/** Only the fields the user filled in are sent: the API names a missing or second media source itself. */
function addMedia(id, fields) {
  const autoReindex = fields.get('auto_reindex') === 'on';
  const path = fields.get('path')?.trim();
  if (path) {
    const query = new URLSearchParams({ dataset_id: id, path, auto_reindex: String(autoReindex) });
    return api('POST', `${API}/process/add_media?${query}`);
  }
  const body = new FormData();
  for (const file of fields.getAll('files[]')) if (file.size > 0 || file.name) body.append('files[]', file);
  const archive = fields.get('archive');
  if (archive?.name) body.append('archive', archive);
  const s3Uri = fields.get('s3_uri')?.trim();
  if (s3Uri) body.append('s3_uri', s3Uri);
  if (autoReindex) body.append('auto_reindex', 'true');
  return api('POST', `${datasetPath(id)}/add_media`, body);
}

/**
 * The media of the committed batches grouped by cluster, each group representative first, then by media id. One
 * listing of the media instead of one cluster request per cluster shown: `media?cluster_id=` and the cluster route read
 * every media item of the dataset (docs/API.md), so twelve cluster requests would read the dataset twelve times.
 */
function membersByCluster(clusters, media) {
  const representative = new Map(clusters.map((cluster) => [cluster.cluster_id, cluster.representative_media_id]));
  const groups = new Map();
  for (const item of media) {
    if (item.cluster_id === null) continue;
    if (!groups.has(item.cluster_id)) groups.set(item.cluster_id, []);
    groups.get(item.cluster_id).push(item);
  }
  for (const [clusterId, members] of groups) {
    const first = representative.get(clusterId);
    members.sort(
      (a, b) => Number(b.media_id === first) - Number(a.media_id === first) || a.media_id.localeCompare(b.media_id),
    );
  }
  return groups;
}

/** Clusters sorted by size (largest first, then by id), a page at a time, each with its first members side by side. */
function clustersSection(id, clusters, members) {
  const list = h('ol', { class: 'clusters' });
  const pager = h('div', { class: 'actions' });
  const section = h(
    'section',
    { 'aria-labelledby': 'clusters-title' },
    h('h2', { id: 'clusters-title' }, `Clusters (${clusters.length})`),
    list,
    pager,
  );
  const showPage = (page) => {
    const shown = clusters.slice(page * CLUSTERS_PER_PAGE, (page + 1) * CLUSTERS_PER_PAGE);
    list.replaceChildren(
      ...shown.map((cluster) =>
        clusterCard(id, cluster, (members.get(cluster.cluster_id) ?? []).slice(0, THUMBS_PER_CLUSTER)),
      ),
    );
    const last = Math.max(0, Math.ceil(clusters.length / CLUSTERS_PER_PAGE) - 1);
    pager.replaceChildren(
      h('button', { type: 'button', disabled: page === 0, onclick: () => showPage(page - 1) }, 'Previous clusters'),
      h(
        'span',
        { class: 'muted' },
        clusters.length === 0
          ? 'no clusters yet'
          : `${page * CLUSTERS_PER_PAGE + 1}–${page * CLUSTERS_PER_PAGE + shown.length} of ${clusters.length}`,
      ),
      h('button', { type: 'button', disabled: page >= last, onclick: () => showPage(page + 1) }, 'Next clusters'),
    );
  };
  showPage(0);
  return section;
}

function clusterCard(id, cluster, members) {
  const link = `#/dataset/${encodeURIComponent(id)}/cluster/${encodeURIComponent(cluster.cluster_id)}`;
  return h(
    'li',
    { class: 'cluster panel', 'data-cluster-id': cluster.cluster_id, 'data-size': cluster.size },
    h('h3', {}, h('a', { href: link }, `${cluster.cluster_id}`), ` · ${cluster.size} media`),
    h(
      'ul',
      { class: 'thumbs', 'aria-label': `members of cluster ${cluster.cluster_id}` },
      members.map(thumbnail),
      cluster.size > members.length
        ? h('li', { class: 'more' }, h('a', { href: link }, `+${cluster.size - members.length} more`))
        : null,
    ),
  );
}

/** A paged media listing with a "More" button (a cluster's members, a batch's media). */
function mediaList(label, pageOf) {
  const list = h('ul', { class: 'thumbs', 'aria-label': label });
  const more = h('button', { type: 'button' }, 'More');
  const section = h('div', {}, list, h('div', { class: 'actions' }, more));
  let cursor = null;
  const load = async () => {
    const page = await pageOf(cursor);
    list.append(...page.items.map(thumbnail));
    cursor = page.next_cursor;
    more.hidden = !cursor;
  };
  more.addEventListener('click', () => load());
  return { section, ready: load() };
}

/** The media of the dataset's latest committed batch: a batch is the operation that added it (batch id = its id). */
function latestBatch(operations, media) {
  const batch = operations.find((operation) => operation.type !== 'REINDEX' && operation.status === 'SUCCEEDED');
  if (!batch) return h('p', { class: 'muted' }, 'No batch committed yet.');
  const items = media.filter((item) => item.batch_id === batch.operation_id);
  const list = mediaList('media of the latest batch', async (cursor) => {
    const start = Number(cursor ?? 0);
    const end = start + MEDIA_PER_PAGE;
    return { items: items.slice(start, end), next_cursor: end < items.length ? String(end) : null };
  });
  return h(
    'div',
    { 'data-batch-id': batch.operation_id },
    h('p', { class: 'muted' }, `${items.length} media, added ${when(batch.finished_at)}`),
    list.section,
  );
}

/** Thumbnails in view decoded: what "the clusters are visible" means for bench/gallery-first-paint.ts. */
async function markThumbnailsVisible() {
  const inView = [...main.querySelectorAll('.clusters img')].filter(
    (image) => image.getBoundingClientRect().top < window.innerHeight,
  );
  await Promise.all(inView.map((image) => image.decode().catch(() => undefined)));
  performance.mark('gallery:clusters-visible');
}

async function datasetView(current, id) {
  const [status, clusterList, media] = await Promise.all([
    statusPanel(id),
    allPages(`${datasetPath(id)}/clusters`),
    allPages(`${datasetPath(id)}/media`),
  ]);
  if (current !== generation) return;
  const clusters = clusterList.sort((a, b) => b.size - a.size || a.cluster_id.localeCompare(b.cluster_id));
  const statusSlot = h('div', {}, status.panel);
  const reloadWhenDone = () => setTimeout(() => poll(current, id, statusSlot, true), POLL_MS);
  show(
    status.dataset.display_name || id,
    h('p', {}, h('a', { href: '#/' }, '← Datasets')),
    h('h1', {}, status.dataset.display_name || id),
    h('div', { class: 'overview' }, statusSlot, actionsPanel(id, reloadWhenDone)),
    clustersSection(id, clusters, membersByCluster(clusters, media)),
    h(
      'section',
      { 'aria-labelledby': 'batch-title' },
      h('h2', { id: 'batch-title' }, 'Latest batch'),
      latestBatch(status.operations, media),
    ),
  );
  performance.mark('gallery:clusters-rendered');
  if (status.dataset.active_task) reloadWhenDone();
  await markThumbnailsVisible();
}

/** While an operation runs: the status panel is refreshed; once it has ended, the whole page is. */
async function poll(current, id, slot, running) {
  if (current !== generation) return;
  try {
    const status = await statusPanel(id);
    if (current !== generation) return;
    if (!status.dataset.active_task && running) {
      refresh(current, (view) => datasetView(view, id));
      return;
    }
    slot.replaceChildren(status.panel);
    setTimeout(() => poll(current, id, slot, true), POLL_MS);
  } catch (error) {
    failed(current, error);
  }
}

async function clusterView(current, id, clusterId) {
  const path = `${datasetPath(id)}/clusters/${encodeURIComponent(clusterId)}`;
  const first = (await api('GET', `${path}?limit=1`)).data.cluster;
  if (current !== generation) return;
  const members = mediaList(`members of cluster ${clusterId}`, async (cursor) => {
    const query = new URLSearchParams({ limit: String(MEDIA_PER_PAGE) });
    if (cursor) query.set('cursor', cursor);
    return (await api('GET', `${path}?${query}`)).data;
  });
  show(
    `Cluster ${clusterId}`,
    h('p', {}, h('a', { href: `#/dataset/${encodeURIComponent(id)}` }, '← Dataset')),
    h('h1', {}, `Cluster ${clusterId}`),
    h('p', { class: 'muted' }, `${first.size} media, most representative first`),
    members.section,
  );
  await members.ready;
}

function failed(current, error) {
  if (current !== generation || error.status === 401) return;
  show('Error', h('h1', {}, 'Something went wrong'), h('p', { class: 'alert', role: 'alert' }, error.message));
}

async function route() {
  const current = ++generation;
  renderAccount();
  if (session?.auth_mode === 'jwt' && !session.signed_in) {
    signInView();
    return;
  }
  const [, kind, id, , clusterId] = location.hash.split('/').map(decodeURIComponent);
  try {
    if (kind === 'dataset' && clusterId) await clusterView(current, id, clusterId);
    else if (kind === 'dataset' && id) await datasetView(current, id);
    else await datasetsView(current);
  } catch (error) {
    failed(current, error);
  }
}

async function start() {
  session = (await api('GET', '/session')).data;
  window.addEventListener('hashchange', route);
  await route();
}

start().catch((error) => failed(generation, error));
