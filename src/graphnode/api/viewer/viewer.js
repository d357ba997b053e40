/*
 * GraphNode viewer: draws the signed-in user's knowledge graph on a <canvas>.
 *
 * Data: GET /v1/graphs/me and GET /v1/graphs/me/summary on this origin, with
 * "Authorization: Bearer <token>". The token comes from "#token=..." (then kept in
 * sessionStorage and removed from the address bar), else sessionStorage, else a form.
 *
 * Progress is reported on document.body.dataset.state: loading | auth | progress |
 * empty | error | ready (set after the first full draw). window.graphnodeViewer exposes
 * a few read-only numbers and helpers for tests and debugging.
 *
 * While the user drags, zooms or pinches, frames are drawn at a level of detail (the last
 * full frame moved and scaled, nodes as squares where it does not reach) and the full
 * frame follows once the input has settled: see "level of detail" below.
 *
 * Nothing the API sends is trusted to be complete: each part of the page (header, model,
 * legend, drawing, every summary section) is shown on its own, and an error in one is
 * logged with console.error and listed by graphnodeViewer.problems() while the rest shows.
 */
(() => {
  'use strict';

  const TOKEN_KEY = 'graphnode.token';
  const GRAPH_URL = '/v1/graphs/me';
  const SUMMARY_URL = '/v1/graphs/me/summary';
  const POLL_MS = 3000;
  const BUILDING = new Set(['CREATING', 'UPDATING']);

  // Colour-blind-friendly qualitative colours (Okabe–Ito, then Tol-style muted tones),
  // ordered so that neighbours in the list differ strongly. Beyond the list: golden-angle hues.
  const PALETTE = [
    '#0072B2', '#E69F00', '#009E73', '#CC79A7', '#D55E00', '#56B4E9',
    '#332288', '#999933', '#882255', '#6F4E37', '#AA4499', '#44AA99',
    '#117733', '#6699CC', '#CC6677', '#DDAA33',
  ];
  const INTER_EDGE = [100, 116, 139]; // slate-500
  const EDGE_LEVELS = 4;
  const INTRA_ALPHA = [0.07, 0.12, 0.19, 0.28];
  const INTER_ALPHA = [0.05, 0.08, 0.12, 0.17];
  const LABEL_MAX_ZOOM = 2.6; // cluster labels while scale <= fit scale * this
  const MIN_ZOOM = 0.25; // relative to the fit scale
  const MAX_ZOOM = 80;
  const FIT_MARGIN = 36; // CSS px around the fitted graph
  // While the view moves, frames come from the last full frame (see "level of detail"); the
  // full frame is drawn again once no input has come for SETTLE_MS.
  const SETTLE_MS = 150;
  const MAX_STRETCH = 3; // zoomed in further than this since the full frame: it is too blurred

  const $ = (id) => document.getElementById(id);
  const numberFormat = new Intl.NumberFormat();
  const fmt = (n) => numberFormat.format(n);

  // ------------------------------------------------------------------ small DOM helpers

  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    if (attrs) {
      for (const [key, value] of Object.entries(attrs)) {
        if (value === undefined || value === null || value === false) continue;
        if (key === 'className') node.className = value;
        else if (key === 'text') node.textContent = value;
        else if (key === 'dataset') Object.assign(node.dataset, value);
        else if (key === 'style') Object.assign(node.style, value);
        else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
        else node.setAttribute(key, value === true ? '' : String(value));
      }
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function swatch(color) {
    return h('span', { className: 'swatch', style: { background: color } });
  }

  function chips(words, limit, strong) {
    // Keywords are strings; {term, score} objects (graph.json's own shape) are read too.
    const list = (Array.isArray(words) ? words : [])
      .map((w) => (w !== null && typeof w === 'object' ? w.term : w))
      .filter((w) => typeof w === 'string' && w);
    return h('div', { className: 'chips' },
      list.slice(0, limit).map((w) => h('span', { className: strong ? 'chip strong' : 'chip', text: w })));
  }

  // A date from the API: an ISO string, a calendar date ('2025-03-01'), a month ('2025-03')
  // or a Unix time in seconds or milliseconds. Calendar dates and months are shown as
  // written, not shifted into the reader's time zone (new Date('2025-03') is UTC midnight).
  function formatDate(value, withTime) {
    if (typeof value === 'number') {
      if (!Number.isFinite(value) || value === 0) return '';
      return formatMoment(new Date(Math.abs(value) < 1e11 ? value * 1000 : value), withTime, value);
    }
    if (typeof value !== 'string' || !value) return '';
    if (/^\d{4}-\d{2}$/.test(value)) {
      return formatMoment(new Date(value), { year: 'numeric', month: 'short', timeZone: 'UTC' }, value);
    }
    if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
      return formatMoment(new Date(value), { dateStyle: 'medium', timeZone: 'UTC' }, value);
    }
    return formatMoment(new Date(value), withTime, value);
  }

  function formatMoment(date, how, original) {
    if (Number.isNaN(date.getTime())) return String(original);
    const options = typeof how === 'object' ? how
      : how ? { dateStyle: 'medium', timeStyle: 'short' } : { dateStyle: 'medium' };
    return new Intl.DateTimeFormat(undefined, options).format(date);
  }

  function plural(n, one, many) {
    return `${fmt(n)} ${n === 1 ? one : many}`;
  }

  // ------------------------------------------------------------------ token and API

  let token = null;

  function readToken() {
    const hash = location.hash.replace(/^#/, '');
    if (hash) {
      const params = new URLSearchParams(hash);
      const fromUrl = params.get('token');
      if (fromUrl) {
        storeToken(fromUrl);
        params.delete('token');
        const rest = params.toString();
        history.replaceState(history.state, '', location.pathname + location.search + (rest ? `#${rest}` : ''));
        return fromUrl;
      }
    }
    try {
      return sessionStorage.getItem(TOKEN_KEY);
    } catch {
      return null;
    }
  }

  function storeToken(value) {
    try {
      if (value) sessionStorage.setItem(TOKEN_KEY, value);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      // Storage can be disabled; the token then lives in memory for this page only.
    }
  }

  class HttpError extends Error {
    constructor(status, problem) {
      const detail = problem && (problem.detail || problem.title);
      super(detail ? `${detail} (HTTP ${status})` : `The server answered HTTP ${status}.`);
      this.status = status;
      this.problem = problem;
    }
  }

  async function api(path, body) {
    const headers = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(path, {
      method: body === undefined ? 'GET' : 'POST',
      body: body === undefined ? undefined : JSON.stringify(body),
      headers,
      cache: 'no-store',
      credentials: 'omit',
    });
    if (response.ok) return response.json();
    let problem = null;
    try {
      problem = await response.json();
    } catch {
      problem = null;
    }
    throw new HttpError(response.status, problem);
  }

  // ------------------------------------------------------------------ page state

  function setState(state) {
    // `view` drives the layout (graph or a notice card); `state` reports progress.
    document.body.dataset.view = state === 'ready' ? 'graph' : 'notice';
    document.body.dataset.state = state;
  }

  function showAuth(message) {
    stopPolling();
    hideTooltip();
    const alert = $('auth-message');
    alert.textContent = message || '';
    alert.hidden = !message;
    $('sign-out').hidden = !token;
    setState('auth');
    const input = $('token-input');
    input.value = '';
    input.focus();
  }

  function showError(message) {
    stopPolling();
    $('error-text').textContent = message;
    $('sign-out').hidden = !token;
    setState('error');
  }

  // ------------------------------------------------------------------ one part failing alone

  // Each part of the page (header, graph, legend, drawing, each summary section) is shown
  // on its own: an error in one is reported (console.error, once per message, and
  // graphnodeViewer.problems()) and the other parts still show.
  const MAX_PROBLEMS = 20;

  function report(what, error) {
    const message = `${what} failed: ${error && error.message ? error.message : String(error)}`;
    if (viewer.problems.includes(message) || viewer.problems.length >= MAX_PROBLEMS) return;
    viewer.problems.push(message);
    document.body.dataset.problems = String(viewer.problems.length);
    console.error(`GraphNode viewer: ${message}`, error && error.stack ? error.stack : '');
  }

  function attempt(what, action) {
    try {
      action();
      return true;
    } catch (error) {
      report(what, error);
      return false;
    }
  }

  function handleFailure(error) {
    if (error instanceof HttpError && error.status === 401) {
      token = null;
      storeToken(null);
      showAuth('Your token was not accepted (401 Unauthorized): it may have expired. Paste a new one to continue.');
      return;
    }
    if (error instanceof HttpError) {
      showError(error.message);
      return;
    }
    if (error instanceof SyntaxError) {
      showError('The server sent an answer this page cannot read. Try again in a moment.');
      return;
    }
    showError('The server could not be reached. Check your connection and try again.');
  }

  function renderHeader(graph) {
    const status = graph && graph.status;
    const badge = $('graph-status');
    const labels = {
      CREATED: 'Ready', UPDATED: 'Up to date', CREATING: 'Building…', UPDATING: 'Updating…',
      NOT_CREATED: 'No graph yet',
    };
    if (status) {
      badge.textContent = labels[status] || status;
      badge.dataset.kind = BUILDING.has(status) ? 'busy' : status === 'NOT_CREATED' ? 'none' : 'ok';
      badge.hidden = false;
    } else {
      badge.hidden = true;
    }
    const stats = graph ? headerStats(graph) : null;
    $('graph-stats').textContent = stats
      ? `${plural(stats.nodes, 'node', 'nodes')} · ${plural(stats.edges, 'link', 'links')} · ${plural(stats.clusters, 'cluster', 'clusters')}`
      : '';
    $('sign-out').hidden = !token;
    $('graph-generated').textContent = graph && graph.generatedAt
      ? `Generated ${formatDate(graph.generatedAt, true)}`
      : '';
  }

  // Counts for the header: the API's stats where they are numbers, else counted here.
  function headerStats(graph) {
    const nodes = listOf(graph.nodes).filter(isObject);
    if (!nodes.length) return null;
    const stats = {
      nodes: nodes.length,
      edges: listOf(graph.edges).length,
      clusters: new Set(nodes.map((node) => clusterKey(node.clusterId))).size,
    };
    const given = isObject(graph.stats) ? graph.stats : {};
    for (const key of Object.keys(stats)) if (Number.isFinite(given[key])) stats[key] = given[key];
    return stats;
  }

  // ------------------------------------------------------------------ loading and polling

  let generation = 0; // bumps on every load; stale responses are dropped
  let pollTimer = null;
  let shownGraphKey = null;

  function stopPolling() {
    if (pollTimer !== null) clearTimeout(pollTimer);
    pollTimer = null;
  }

  function schedulePoll() {
    stopPolling();
    pollTimer = setTimeout(() => {
      pollTimer = null;
      load({ quiet: true });
    }, POLL_MS);
  }

  async function load(options) {
    try {
      await loadOnce(options);
    } catch (error) {
      report('loading the page', error);
      if (!viewer.model) showError(`The page could not be shown: ${error.message || error}`);
    }
  }

  async function loadOnce({ quiet = false } = {}) {
    const mine = ++generation;
    stopPolling();
    if (!token) {
      showAuth();
      return;
    }
    if (!quiet && !viewer.model) setState('loading');
    let graph;
    try {
      graph = await api(GRAPH_URL);
    } catch (error) {
      if (mine !== generation) return;
      const unauthorized = error instanceof HttpError && error.status === 401;
      if (quiet && viewer.model && !unauthorized) {
        schedulePoll(); // a failed background poll keeps the graph on screen and tries again
        return;
      }
      if (error instanceof HttpError && error.status === 404) {
        graph = { status: 'NOT_CREATED', nodes: [], edges: [], clusters: [] };
      } else {
        handleFailure(error);
        return;
      }
    }
    if (mine !== generation) return;
    if (!isObject(graph)) graph = {};
    const status = text(graph.status) || 'CREATED';
    const nodes = listOf(graph.nodes).filter(isObject);
    const building = BUILDING.has(status);
    attempt('showing the header', () => renderHeader(graph));
    if (building) schedulePoll();

    if (nodes.length === 0) {
      clearGraph();
      if (building) {
        $('progress-title').textContent = status === 'UPDATING' ? 'Updating your graph…' : 'Building your graph…';
        setState('progress');
      } else {
        setState('empty');
      }
      return;
    }

    $('update-banner').hidden = !building;
    $('update-banner-text').textContent = status === 'CREATING' ? 'Building your graph…' : 'Updating your graph…';
    const key = `${graph.generatedAt}|${nodes.length}|${listOf(graph.edges).length}`;
    if (key === shownGraphKey && viewer.model) {
      setState('ready');
      return;
    }
    shownGraphKey = key;
    const summaryRequest = api(SUMMARY_URL).then(
      (body) => ({ body }),
      (error) => ({ error }),
    );
    document.body.dataset.view = 'graph'; // laid out first, so the canvas can be measured
    try {
      showGraph(graph);
    } catch (error) {
      report('building the graph', error);
      shownGraphKey = null;
      if (!viewer.model) showError(`Your graph could not be drawn: ${error.message || error}`);
      else setState('ready'); // a background update failed: the graph shown stays
      return;
    }
    document.body.dataset.summary = 'loading';
    setState('ready');
    const answer = await summaryRequest;
    if (shownGraphKey !== key) return; // another graph (or none) is on screen by now
    showSummaryAnswer(answer);
  }

  function showSummaryAnswer({ body, error }) {
    if (error instanceof HttpError && error.status === 404) renderNoSummary();
    else if (error instanceof HttpError && error.status === 401) handleFailure(error);
    else if (error) renderSummaryError(`The summary could not be loaded: ${error.message}`);
    else if (!attempt('showing the summary', () => renderSummary(body))) renderSummaryError('The summary could not be shown.');
  }

  // ------------------------------------------------------------------ the graph model
  //
  // The model is built from whatever the API sends, and never trusts it: a cluster named
  // only by its nodes, a described cluster without members, a node without x/y, an edge
  // without a weight or to an unknown node, all equal weights or none at all. Every index
  // into an array is clamped to that array, never derived unchecked from a float.

  const UNCLUSTERED = 'unclustered';
  const MIDDLE_LEVEL = Math.floor(EDGE_LEVELS / 2); // edges whose weight says nothing
  const MAX_COORDINATE = 1e15; // beyond this a coordinate is treated as missing
  const MAX_GRID_SIDE = 2048;

  function isObject(value) {
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  }

  function text(value) {
    if (typeof value === 'string') return value;
    return value === null || value === undefined ? '' : String(value);
  }

  function listOf(value) {
    return Array.isArray(value) ? value : [];
  }

  function clusterKey(value) {
    return text(value) || UNCLUSTERED;
  }

  function usableNumber(value) {
    return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) < MAX_COORDINATE;
  }

  // A whole number in [0, size - 1]: NaN and infinities land on 0.
  function clampIndex(value, size) {
    if (!Number.isFinite(value) || size <= 1) return 0;
    return Math.min(size - 1, Math.max(0, Math.floor(value)));
  }

  function clusterOrder(a, b) {
    const na = Number((/(-?\d+)$/.exec(a) || [])[1]);
    const nb = Number((/(-?\d+)$/.exec(b) || [])[1]);
    if (Number.isFinite(na) && Number.isFinite(nb) && na !== nb) return na - nb;
    return a < b ? -1 : a > b ? 1 : 0;
  }

  function colorFor(index) {
    if (index < PALETTE.length) return PALETTE[index];
    const hue = Math.round((index * 137.508) % 360);
    return `hsl(${hue} 55% 45%)`;
  }

  function rgba(color, alpha) {
    if (Array.isArray(color)) return `rgba(${color[0]},${color[1]},${color[2]},${alpha})`;
    if (color.startsWith('#')) {
      const v = parseInt(color.slice(1), 16);
      return `rgba(${(v >> 16) & 255},${(v >> 8) & 255},${v & 255},${alpha})`;
    }
    return color.replace(')', ` / ${alpha})`);
  }

  // Clusters: those the API describes, then any a node names on its own ('unclustered'
  // for a node that names none), in a stable order; each gets its own colour.
  function buildClusters(rawClusters, rawNodes) {
    const described = new Map();
    for (const c of listOf(rawClusters)) {
      if (isObject(c) && text(c.clusterId)) described.set(text(c.clusterId), c);
    }
    const ids = new Set(described.keys());
    for (const node of rawNodes) ids.add(clusterKey(node.clusterId));
    return [...ids].sort(clusterOrder).map((id, index) => {
      const info = described.get(id) || {};
      return {
        id,
        index,
        name: text(info.name),
        description: text(info.description),
        size: 0,
        keyThemes: listOf(info.keyThemes),
        topKeywords: listOf(info.topKeywords),
        color: colorFor(index),
        members: [],
        cx: 0,
        cy: 0,
      };
    });
  }

  // Nodes without a usable layout position are set on a small sunflower spiral around their
  // cluster's laid-out members (or the middle of the graph), instead of all on one point.
  function placeMissing(missing, clusterOf, xs, ys, placed) {
    if (!missing.length) return;
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    const sums = new Map(); // cluster -> [sx, sy, count] over laid-out members
    for (const i of placed) {
      minX = Math.min(minX, xs[i]);
      maxX = Math.max(maxX, xs[i]);
      minY = Math.min(minY, ys[i]);
      maxY = Math.max(maxY, ys[i]);
      const s = sums.get(clusterOf[i]) || [0, 0, 0];
      s[0] += xs[i];
      s[1] += ys[i];
      s[2] += 1;
      sums.set(clusterOf[i], s);
    }
    const extent = placed.length ? Math.max(maxX - minX, maxY - minY) : 0;
    const step = extent > 0 ? extent / (4 * Math.sqrt(placed.length + missing.length)) : 1;
    const middle = placed.length ? [(minX + maxX) / 2, (minY + maxY) / 2] : [0, 0];
    const turns = new Map(); // cluster -> how many of its nodes were placed so far
    for (const i of missing) {
      const s = sums.get(clusterOf[i]);
      const [cx, cy] = s ? [s[0] / s[2], s[1] / s[2]] : middle;
      const k = turns.get(clusterOf[i]) || 0;
      turns.set(clusterOf[i], k + 1);
      const r = step * Math.sqrt(k + 0.5);
      xs[i] = cx + r * Math.cos(k * 2.399963);
      ys[i] = cy + r * Math.sin(k * 2.399963);
    }
  }

  function readNodes(rawNodes, clusters) {
    const n = rawNodes.length;
    const clusterIndex = new Map(clusters.map((c) => [c.id, c.index]));
    const ids = new Array(n);
    const xs = new Float64Array(n);
    const ys = new Float64Array(n);
    const clusterOf = new Int32Array(n);
    const indexOfId = new Map(); // keyed by String(id): 7 and "7" are the same node
    const placed = [];
    const missing = [];
    for (let i = 0; i < n; i += 1) {
      const node = rawNodes[i];
      ids[i] = node.id;
      indexOfId.set(String(node.id), i);
      const c = clusterIndex.get(clusterKey(node.clusterId)) ?? 0;
      clusterOf[i] = c;
      const cluster = clusters[c];
      cluster.members.push(i);
      if (!cluster.name && text(node.clusterName)) cluster.name = text(node.clusterName);
      if (usableNumber(node.x) && usableNumber(node.y)) {
        xs[i] = node.x;
        ys[i] = node.y;
        placed.push(i);
      } else {
        missing.push(i);
      }
    }
    placeMissing(missing, clusterOf, xs, ys, placed);
    for (const cluster of clusters) {
      cluster.size = cluster.members.length;
      if (!cluster.name) cluster.name = cluster.id.replace(/_/g, ' ');
      let sx = 0;
      let sy = 0;
      for (const i of cluster.members) {
        sx += xs[i];
        sy += ys[i];
      }
      const count = cluster.members.length || 1;
      cluster.cx = sx / count;
      cluster.cy = sy / count;
      cluster.members = Int32Array.from(cluster.members);
    }
    return { n, ids, xs, ys, clusterOf, indexOfId, clusterIndex, missingXY: missing.length };
  }

  function endpoint(indexOfId, value) {
    if (value === null || value === undefined || typeof value === 'object') return undefined;
    return indexOfId.get(String(value));
  }

  // Edges resolved to node indices. Weights are kept as float64 (never rounded to float32:
  // the minimum and every weight compared with it must be the same numbers); a missing or
  // non-numeric weight is NaN here and drawn at the middle level.
  function readEdges(rawEdges, nodes) {
    const { indexOfId, clusterOf } = nodes;
    const src = new Int32Array(rawEdges.length);
    const dst = new Int32Array(rawEdges.length);
    const weight = new Float64Array(rawEdges.length);
    const intraFlag = new Uint8Array(rawEdges.length);
    let m = 0;
    let wMin = Infinity;
    let wMax = -Infinity;
    for (const e of rawEdges) {
      if (!isObject(e)) continue;
      const a = endpoint(indexOfId, e.source);
      const b = endpoint(indexOfId, e.target);
      if (a === undefined || b === undefined || a === b) continue;
      const w = typeof e.weight === 'number' && Number.isFinite(e.weight) ? e.weight : NaN;
      src[m] = a;
      dst[m] = b;
      weight[m] = w;
      // Tinted only when the API says intra-cluster and both ends agree (or it says nothing).
      const same = clusterOf[a] === clusterOf[b];
      intraFlag[m] = typeof e.isIntraCluster === 'boolean' ? Number(e.isIntraCluster && same) : Number(same);
      if (!Number.isNaN(w)) {
        wMin = Math.min(wMin, w);
        wMax = Math.max(wMax, w);
      }
      m += 1;
    }
    return { m, src, dst, weight, intraFlag, wMin, wMax };
  }

  // The alpha level of a weight: its place between the lowest and highest weight, in
  // EDGE_LEVELS steps. Equal weights (no span) and missing ones get the middle level.
  function edgeLevel(w, wMin, wMax) {
    const span = wMax - wMin;
    if (Number.isNaN(w) || !(span > 0)) return MIDDLE_LEVEL;
    return clampIndex(((w - wMin) / span) * EDGE_LEVELS, EDGE_LEVELS);
  }

  // Edge buckets: one per (cluster colour or grey, alpha level), so a frame strokes
  // (clusters + 1) * EDGE_LEVELS paths instead of one per edge.
  function edgeBuckets(edges, clusterOf, clusterCount) {
    const { m, src, weight, intraFlag, wMin, wMax } = edges;
    const total = (clusterCount + 1) * EDGE_LEVELS;
    const counts = new Int32Array(total);
    const bucketOf = new Int32Array(m);
    for (let e = 0; e < m; e += 1) {
      const group = intraFlag[e] === 1 ? clampIndex(clusterOf[src[e]], clusterCount) : clusterCount;
      const b = clampIndex(group * EDGE_LEVELS + edgeLevel(weight[e], wMin, wMax), total);
      bucketOf[e] = b;
      counts[b] += 1;
    }
    const buckets = [];
    for (let b = 0; b < total; b += 1) buckets.push(new Int32Array(counts[b]));
    const cursor = new Int32Array(total);
    for (let e = 0; e < m; e += 1) buckets[bucketOf[e]][cursor[bucketOf[e]]++] = e;
    return buckets;
  }

  // Degrees and adjacency (CSR) for radii and hover.
  function adjacency(n, edges) {
    const { m, src, dst } = edges;
    const degree = new Int32Array(n);
    for (let e = 0; e < m; e += 1) {
      degree[src[e]] += 1;
      degree[dst[e]] += 1;
    }
    const adjStart = new Int32Array(n + 1);
    for (let i = 0; i < n; i += 1) adjStart[i + 1] = adjStart[i] + degree[i];
    const adj = new Int32Array(adjStart[n]);
    const fill = adjStart.slice(0, n);
    for (let e = 0; e < m; e += 1) {
      adj[fill[src[e]]++] = dst[e];
      adj[fill[dst[e]]++] = src[e];
    }
    let maxDegree = 1;
    for (let i = 0; i < n; i += 1) maxDegree = Math.max(maxDegree, degree[i]);
    const radius = new Float32Array(n);
    for (let i = 0; i < n; i += 1) radius[i] = 2.6 + 3.4 * Math.sqrt(degree[i] / maxDegree);
    return { degree, adjStart, adj, radius };
  }

  function boundsOf(n, xs, ys) {
    if (n === 0) return { minX: 0, minY: 0, maxX: 0, maxY: 0 };
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (let i = 0; i < n; i += 1) {
      minX = Math.min(minX, xs[i]);
      maxX = Math.max(maxX, xs[i]);
      minY = Math.min(minY, ys[i]);
      maxY = Math.max(maxY, ys[i]);
    }
    return { minX, minY, maxX, maxY };
  }

  function buildModel(graph) {
    const rawNodes = listOf(graph && graph.nodes).filter(isObject);
    const clusters = buildClusters(graph && graph.clusters, rawNodes);
    const nodes = readNodes(rawNodes, clusters);
    const edges = readEdges(listOf(graph && graph.edges), nodes);
    const model = {
      ...nodes,
      m: edges.m,
      src: edges.src,
      dst: edges.dst,
      weight: edges.weight,
      clusters,
      ...adjacency(nodes.n, edges),
      buckets: edgeBuckets(edges, nodes.clusterOf, clusters.length),
      bounds: boundsOf(nodes.n, nodes.xs, nodes.ys),
      raw: rawNodes,
    };
    model.grid = buildGrid(model);
    return model;
  }

  // What a model holds, checked: for tests (graphnodeViewer.inspectModel) and debugging.
  function inspectModel(model) {
    const seen = new Uint8Array(model.m);
    let bucketed = 0;
    let badEdge = 0;
    for (const bucket of model.buckets) {
      for (const e of bucket) {
        if (!(e >= 0 && e < model.m) || seen[e]) badEdge += 1;
        else seen[e] = 1;
        bucketed += 1;
      }
    }
    let finiteXY = true;
    for (let i = 0; i < model.n; i += 1) finiteXY = finiteXY && Number.isFinite(model.xs[i]) && Number.isFinite(model.ys[i]);
    const members = model.clusters.reduce((sum, c) => sum + c.members.length, 0);
    const b = model.bounds;
    return {
      n: model.n,
      m: model.m,
      ids: model.ids,
      clusters: model.clusters.map((c) => ({ id: c.id, name: c.name, size: c.size, color: c.color })),
      members,
      buckets: model.buckets.length,
      bucketed,
      badEdge,
      finiteXY,
      missingXY: model.missingXY,
      finiteBounds: [b.minX, b.minY, b.maxX, b.maxY].every(Number.isFinite),
      gridItems: model.grid.items.length,
      gridCount: model.grid.start[model.grid.start.length - 1],
    };
  }

  // Uniform grid in layout coordinates: about two nodes per cell. Hover looks only at the
  // cells around the pointer, so hit testing costs the same at 200 or 20,000 nodes.
  function buildGrid(model) {
    const { n, xs, ys, bounds } = model;
    const width = Math.max(bounds.maxX - bounds.minX, 1e-6);
    const height = Math.max(bounds.maxY - bounds.minY, 1e-6);
    const cell = Math.max(Math.sqrt((width * height * 2) / Math.max(n, 1)), 1e-3);
    const cols = clampIndex(width / cell, MAX_GRID_SIDE) + 1;
    const rows = clampIndex(height / cell, MAX_GRID_SIDE) + 1;
    const cellOf = (x, y) => {
      const cx = clampIndex((x - bounds.minX) / cell, cols);
      const cy = clampIndex((y - bounds.minY) / cell, rows);
      return cy * cols + cx;
    };
    const start = new Int32Array(cols * rows + 1);
    const where = new Int32Array(n);
    for (let i = 0; i < n; i += 1) {
      where[i] = cellOf(xs[i], ys[i]);
      start[where[i] + 1] += 1;
    }
    for (let c = 0; c < cols * rows; c += 1) start[c + 1] += start[c];
    const items = new Int32Array(n);
    const fill = start.slice(0, cols * rows);
    for (let i = 0; i < n; i += 1) items[fill[where[i]]++] = i;
    return { cell, cols, rows, start, items, minX: bounds.minX, minY: bounds.minY };
  }

  // ------------------------------------------------------------------ the view

  const viewer = {
    canvas: null,
    ctx: null,
    model: null,
    width: 0,
    height: 0,
    dpr: 1,
    scale: 1, // CSS px per layout unit
    fitScale: 1,
    tx: 0,
    ty: 0,
    moved: false, // the user panned or zoomed: keep their view on resize
    focus: -1, // highlighted cluster index
    hover: -1, // hovered node index
    selected: -1, // node opened in the side panel
    marked: [], // node indices highlighted by a search
    frame: 0,
    firstDrawMs: null,
    lastDrawMs: null, // how long the last full draw took, its rasterisation included
    lastFullDrawAt: null, // performance.now() when the last full draw ended
    fullDraws: 0,
    moving: false, // the user is moving the view: frames are drawn at level of detail
    settleTimer: 0,
    lastInputAt: null, // performance.now() of the last input that moved the view
    lodFrames: 0, // frames drawn from the kept base layer and/or as squares
    reducedFrames: 0, // of those, frames where some of the view had to be drawn as squares
    overlayFrames: 0, // frames at rest where only the hover or the marks changed
    frameMode: null, // how the last frame was drawn: full | overlay | bitmap | mixed | reduced
    lastLodMs: null,
    nodesDrawn: 0,
    edgesDrawn: 0,
    labelsDrawn: 0,
    problems: [], // errors caught while showing a part of the page (see report)
  };

  function toScreenX(x) { return x * viewer.scale + viewer.tx; }
  function toScreenY(y) { return y * viewer.scale + viewer.ty; }

  function nodeScreenRadius(i) {
    const zoom = viewer.scale / viewer.fitScale;
    return viewer.model.radius[i] * Math.min(2, Math.max(0.75, Math.sqrt(zoom)));
  }

  function resizeCanvas() {
    const canvas = viewer.canvas;
    const rect = canvas.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(rect.width));
    const height = Math.max(1, Math.round(rect.height));
    const changed = width !== viewer.width || height !== viewer.height || dpr !== viewer.dpr;
    if (!changed) return false;
    const oldWidth = viewer.width;
    const oldHeight = viewer.height;
    viewer.width = width;
    viewer.height = height;
    viewer.dpr = dpr;
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    if (viewer.model) {
      const before = viewer.fitScale;
      computeFitScale();
      if (!viewer.moved) {
        fit();
      } else {
        // Keep the same layout point in the middle of the view.
        viewer.tx += (width - oldWidth) / 2;
        viewer.ty += (height - oldHeight) / 2;
        viewer.scale *= viewer.fitScale / before;
      }
    }
    return true;
  }

  function computeFitScale() {
    const { bounds } = viewer.model;
    const spanX = Math.max(bounds.maxX - bounds.minX, 1e-6);
    const spanY = Math.max(bounds.maxY - bounds.minY, 1e-6);
    const margin = Math.min(FIT_MARGIN, viewer.width / 6, viewer.height / 6);
    const k = Math.min((viewer.width - 2 * margin) / spanX, (viewer.height - 2 * margin) / spanY);
    viewer.fitScale = Math.max(Number.isFinite(k) && k > 0 ? k : 1, 1e-6);
    // One node, or every node on one point: nothing to fit, show them at a readable size.
    const onePoint = bounds.maxX - bounds.minX <= 0 && bounds.maxY - bounds.minY <= 0;
    if (viewer.model.n <= 1 || onePoint) viewer.fitScale = 40;
  }

  function fit() {
    if (!viewer.model) return;
    computeFitScale();
    const { bounds } = viewer.model;
    viewer.scale = viewer.fitScale;
    viewer.tx = viewer.width / 2 - ((bounds.minX + bounds.maxX) / 2) * viewer.scale;
    viewer.ty = viewer.height / 2 - ((bounds.minY + bounds.maxY) / 2) * viewer.scale;
    viewer.moved = false;
    requestDraw();
  }

  function zoomAt(factor, sx, sy) {
    const next = Math.min(viewer.fitScale * MAX_ZOOM, Math.max(viewer.fitScale * MIN_ZOOM, viewer.scale * factor));
    const applied = next / viewer.scale;
    if (applied === 1) return;
    viewer.tx = sx - (sx - viewer.tx) * applied;
    viewer.ty = sy - (sy - viewer.ty) * applied;
    viewer.scale = next;
    noteMotion();
  }

  function requestDraw() {
    if (viewer.frame) return;
    viewer.frame = requestAnimationFrame(() => {
      viewer.frame = 0;
      attempt('drawing the graph', render);
    });
  }

  // One animation frame: at level of detail while the view moves; at rest, the kept base
  // layer plus hover and marks when only those changed, else a full draw.
  function render() {
    if (!viewer.model || !viewer.ctx) return;
    if (viewer.moving) drawMoving();
    else if (baseFitsView()) drawOverlayOnly();
    else draw();
  }

  // The full frame: edges, nodes and labels (the base layer, kept for later frames), then
  // the hovered node and the marks on top.
  function draw() {
    const model = viewer.model;
    const ctx = viewer.ctx;
    if (!model || !ctx) return;
    const started = performance.now();
    const { width, height, dpr, focus } = viewer;
    base.model = null; // not a usable copy until this draw has got that far
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    drawEdges(ctx, model, focus);
    drawNodes(ctx, model, focus);
    drawLabels(ctx, model, focus);
    keepBase();
    drawOverlay(ctx, model);
    viewer.lastDrawMs = performance.now() - started;
    viewer.lastFullDrawAt = performance.now();
    viewer.fullDraws += 1;
    viewer.frameMode = 'full';
    const body = document.body.dataset;
    body.nodesDrawn = String(viewer.nodesDrawn);
    body.edgesDrawn = String(viewer.edgesDrawn);
    body.labelsDrawn = String(viewer.labelsDrawn);
  }

  function drawOverlay(ctx, model) {
    if (viewer.hover >= 0) drawHover(ctx, model, viewer.hover);
    drawMarks(ctx, model);
  }

  function strokeEdgeSet(ctx, model, edges, keep) {
    const { src, dst, xs, ys } = model;
    const { width, height, scale, tx, ty } = viewer;
    let count = 0;
    ctx.beginPath();
    for (let j = 0; j < edges.length; j += 1) {
      const e = edges[j];
      const a = src[e];
      const b = dst[e];
      if (keep && !keep(a, b)) continue;
      const x1 = xs[a] * scale + tx;
      const y1 = ys[a] * scale + ty;
      const x2 = xs[b] * scale + tx;
      const y2 = ys[b] * scale + ty;
      if ((x1 < 0 && x2 < 0) || (x1 > width && x2 > width) || (y1 < 0 && y2 < 0) || (y1 > height && y2 > height)) continue;
      ctx.moveTo(x1, y1);
      ctx.lineTo(x2, y2);
      count += 1;
    }
    if (count) ctx.stroke();
    return count;
  }

  function drawEdges(ctx, model, focus) {
    const { clusters, buckets, clusterOf } = model;
    const C = clusters.length;
    const zoom = viewer.scale / viewer.fitScale;
    ctx.lineWidth = Math.min(1.6, 0.7 * Math.max(1, Math.sqrt(zoom)));
    ctx.lineCap = 'butt';
    let drawn = 0;
    // Grey (inter-cluster) first, tinted (intra-cluster) over them.
    for (let level = 0; level < EDGE_LEVELS; level += 1) {
      const edges = buckets[C * EDGE_LEVELS + level];
      if (!edges.length) continue;
      const alpha = INTER_ALPHA[level];
      if (focus < 0) {
        ctx.strokeStyle = rgba(INTER_EDGE, alpha);
        drawn += strokeEdgeSet(ctx, model, edges);
      } else {
        const touches = (a, b) => clusterOf[a] === focus || clusterOf[b] === focus;
        ctx.strokeStyle = rgba(INTER_EDGE, alpha * 0.15);
        drawn += strokeEdgeSet(ctx, model, edges, (a, b) => !touches(a, b));
        ctx.strokeStyle = rgba(INTER_EDGE, Math.min(0.6, alpha * 2.2));
        drawn += strokeEdgeSet(ctx, model, edges, touches);
      }
    }
    for (let c = 0; c < C; c += 1) {
      if (c === focus) continue;
      drawn += strokeCluster(ctx, model, c, focus < 0 ? 1 : 0.12);
    }
    if (focus >= 0) drawn += strokeCluster(ctx, model, focus, 1.8);
    viewer.edgesDrawn = drawn;
  }

  function strokeCluster(ctx, model, c, boost) {
    const color = model.clusters[c].color;
    let drawn = 0;
    for (let level = 0; level < EDGE_LEVELS; level += 1) {
      const edges = model.buckets[c * EDGE_LEVELS + level];
      if (!edges.length) continue;
      ctx.strokeStyle = rgba(color, Math.min(0.7, INTRA_ALPHA[level] * boost));
      drawn += strokeEdgeSet(ctx, model, edges);
    }
    return drawn;
  }

  // How much node radii grow with the zoom (see nodeScreenRadius).
  function nodeZoomFactor() {
    return Math.min(2, Math.max(0.75, Math.sqrt(viewer.scale / viewer.fitScale)));
  }

  // Cluster indices in drawing order: the highlighted cluster last, over the others.
  function clusterDrawOrder(model, focus) {
    const order = model.clusters.map((c) => c.index).filter((c) => c !== focus);
    if (focus >= 0) order.push(focus);
    return order;
  }

  function drawNodes(ctx, model, focus) {
    const { clusters, xs, ys } = model;
    const { width, height, scale, tx, ty } = viewer;
    const zoomFactor = nodeZoomFactor();
    let drawn = 0;
    const order = clusterDrawOrder(model, focus);
    ctx.lineWidth = 1;
    for (const c of order) {
      const cluster = clusters[c];
      const dim = focus >= 0 && c !== focus;
      ctx.globalAlpha = dim ? 0.16 : 1;
      ctx.fillStyle = cluster.color;
      ctx.strokeStyle = 'rgba(255,255,255,0.9)';
      ctx.beginPath();
      const members = cluster.members;
      for (let j = 0; j < members.length; j += 1) {
        const i = members[j];
        const r = model.radius[i] * zoomFactor;
        const sx = xs[i] * scale + tx;
        const sy = ys[i] * scale + ty;
        if (sx < -r || sy < -r || sx > width + r || sy > height + r) continue;
        ctx.moveTo(sx + r, sy);
        ctx.arc(sx, sy, r, 0, Math.PI * 2);
        drawn += 1;
      }
      ctx.fill();
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
    viewer.nodesDrawn = drawn;
  }

  function drawHover(ctx, model, i) {
    const color = model.clusters[model.clusterOf[i]].color;
    const sx = toScreenX(model.xs[i]);
    const sy = toScreenY(model.ys[i]);
    ctx.lineWidth = 1.4;
    ctx.strokeStyle = rgba(color, 0.75);
    ctx.beginPath();
    for (let k = model.adjStart[i]; k < model.adjStart[i + 1]; k += 1) {
      const j = model.adj[k];
      ctx.moveTo(sx, sy);
      ctx.lineTo(toScreenX(model.xs[j]), toScreenY(model.ys[j]));
    }
    ctx.stroke();
    ctx.fillStyle = '#fff';
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    for (let k = model.adjStart[i]; k < model.adjStart[i + 1]; k += 1) {
      const j = model.adj[k];
      const r = nodeScreenRadius(j);
      const x = toScreenX(model.xs[j]);
      const y = toScreenY(model.ys[j]);
      ctx.moveTo(x + r, y);
      ctx.arc(x, y, r, 0, Math.PI * 2);
    }
    ctx.fill();
    ctx.stroke();
    const r = nodeScreenRadius(i) + 2;
    ctx.beginPath();
    ctx.arc(sx, sy, r, 0, Math.PI * 2);
    ctx.fillStyle = color;
    ctx.fill();
    ctx.lineWidth = 2.5;
    ctx.strokeStyle = '#0f172a';
    ctx.stroke();
  }

  // Search matches get an amber ring, the opened node a dark one.
  function drawMarks(ctx, model) {
    const ring = (i, color, width, gap) => {
      ctx.beginPath();
      ctx.arc(toScreenX(model.xs[i]), toScreenY(model.ys[i]), nodeScreenRadius(i) + gap, 0, Math.PI * 2);
      ctx.lineWidth = width;
      ctx.strokeStyle = color;
      ctx.stroke();
    };
    for (const i of viewer.marked) ring(i, '#f59e0b', 3, 4);
    if (viewer.selected >= 0) ring(viewer.selected, '#0f172a', 2.5, 3);
  }

  // Move (and zoom, if they are spread) so that every node of `indices` is in the middle of
  // what can be seen: `coveredRight` CSS pixels on the canvas's right lie under a panel.
  function centreOn(indices, coveredRight = 0) {
    if (!viewer.model || !indices.length) return;
    const { xs, ys } = viewer.model;
    const px = indices.map((i) => xs[i]);
    const py = indices.map((i) => ys[i]);
    const [x0, x1, y0, y1] = [Math.min(...px), Math.max(...px), Math.min(...py), Math.max(...py)];
    const free = Math.max(viewer.width - Math.max(coveredRight, 0), 1);
    const room = Math.min((free * 0.6) / Math.max(x1 - x0, 1e-9), (viewer.height * 0.6) / Math.max(y1 - y0, 1e-9));
    viewer.scale = Math.min(viewer.scale, Math.max(viewer.fitScale * MIN_ZOOM, room));
    viewer.tx = free / 2 - ((x0 + x1) / 2) * viewer.scale;
    viewer.ty = viewer.height / 2 - ((y0 + y1) / 2) * viewer.scale;
    viewer.moved = true;
    requestDraw();
  }

  function indicesOf(ids) {
    if (!viewer.model) return [];
    return ids.map((id) => viewer.model.indexOfId.get(String(id))).filter((i) => i !== undefined);
  }

  // The node panel and the search box (viewer-panel.js) hook in here.
  const hooks = { nodeClick: null };

  function drawLabels(ctx, model, focus) {
    viewer.labelsDrawn = 0;
    if (viewer.scale > viewer.fitScale * LABEL_MAX_ZOOM) return;
    const placed = [];
    const clusters = [...model.clusters]
      .filter((c) => c.size > 0)
      .sort((a, b) => (a.index === focus ? -1 : b.index === focus ? 1 : b.size - a.size));
    ctx.textBaseline = 'middle';
    const family = getComputedStyle(document.body).fontFamily;
    for (const cluster of clusters) {
      if (focus >= 0 && cluster.index !== focus) continue;
      const size = cluster.index === focus ? 14 : 12.5;
      ctx.font = `600 ${size}px ${family}`;
      const text = cluster.name.length > 36 ? `${cluster.name.slice(0, 35)}…` : cluster.name;
      const textWidth = ctx.measureText(text).width;
      const boxW = textWidth + 26;
      const boxH = size + 11;
      // A cluster of one node: the label sits just below it, not over it.
      const lift = cluster.size === 1 ? nodeScreenRadius(cluster.members[0]) + boxH / 2 + 4 : 0;
      const x = toScreenX(cluster.cx) - boxW / 2;
      const y = toScreenY(cluster.cy) - boxH / 2 + lift;
      if (x < 4 || y < 4 || x + boxW > viewer.width - 4 || y + boxH > viewer.height - 4) continue;
      const box = { x: x - 4, y: y - 3, w: boxW + 8, h: boxH + 6 };
      if (placed.some((p) => box.x < p.x + p.w && p.x < box.x + box.w && box.y < p.y + p.h && p.y < box.y + box.h)) continue;
      placed.push(box);
      ctx.beginPath();
      if (ctx.roundRect) ctx.roundRect(x, y, boxW, boxH, boxH / 2);
      else ctx.rect(x, y, boxW, boxH);
      ctx.fillStyle = 'rgba(255,255,255,0.92)';
      ctx.shadowColor = 'rgba(15,23,42,0.18)';
      ctx.shadowBlur = 6;
      ctx.shadowOffsetY = 1;
      ctx.fill();
      ctx.shadowColor = 'transparent';
      ctx.shadowBlur = 0;
      ctx.shadowOffsetY = 0;
      ctx.lineWidth = 1;
      ctx.strokeStyle = rgba(cluster.color, 0.55);
      ctx.stroke();
      ctx.beginPath();
      ctx.arc(x + 11, y + boxH / 2, 4, 0, Math.PI * 2);
      ctx.fillStyle = cluster.color;
      ctx.fill();
      ctx.fillStyle = '#0f172a';
      ctx.fillText(text, x + 19, y + boxH / 2 + 0.5);
      viewer.labelsDrawn += 1;
    }
  }

  // ------------------------------------------------------------------ level of detail
  //
  // A full frame of 5,000 nodes and 25,000 edges takes Chromium 30-60 ms to rasterise in
  // software (2 cores), mostly the edge strokes: too slow to follow a drag or a wheel at
  // 30 fps. So every full draw keeps a copy of its base layer (edges, nodes, labels; not
  // the hover or the marks, which are drawn where they are now in every frame). While the
  // view moves, a frame is that copy moved and scaled by how far the view has gone since
  // it was drawn: one drawImage. Where the copy no longer covers the view (zoomed out,
  // panned far), or is stretched past MAX_STRETCH, nodes are drawn as squares of their
  // cluster's colour, one path per cluster, with no edges or labels. Once no input has
  // come for SETTLE_MS the full frame is drawn again (noteMotion, settle). Labels in a
  // moving frame are the full frame's, moved and scaled as one picture: boxes that did not
  // overlap still do not. At rest, a change of hover or marks alone redraws the copy plus
  // those (drawOverlayOnly): the same pixels as a full draw, for a fraction of its cost.

  const base = {
    canvas: null,
    ctx: null,
    model: null, // null: no usable copy (none yet, or the last full draw failed before it)
    width: 0, // the view it was drawn for (CSS px, device pixel ratio, highlight, transform)
    height: 0,
    dpr: 1,
    focus: -1,
    scale: 1,
    tx: 0,
    ty: 0,
  };

  // Called by draw() once the base layer is on the canvas, before the hover and marks.
  function keepBase() {
    const source = viewer.canvas;
    if (!base.canvas) {
      base.canvas = document.createElement('canvas');
      base.ctx = base.canvas.getContext('2d');
    }
    if (base.canvas.width !== source.width || base.canvas.height !== source.height) {
      base.canvas.width = source.width;
      base.canvas.height = source.height;
    }
    copyCanvas(base.ctx, source);
    const { model, width, height, dpr, focus, scale, tx, ty } = viewer;
    Object.assign(base, { model, width, height, dpr, focus, scale, tx, ty });
  }

  // Device pixels for device pixels, replacing what `ctx` held.
  function copyCanvas(ctx, source) {
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.globalCompositeOperation = 'copy';
    ctx.drawImage(source, 0, 0);
    ctx.globalCompositeOperation = 'source-over';
  }

  // The copy was drawn for this graph, canvas and highlight: usable, moved, while moving.
  function baseFitsCanvas() {
    return base.model !== null && base.model === viewer.model && base.width === viewer.width
      && base.height === viewer.height && base.dpr === viewer.dpr && base.focus === viewer.focus;
  }

  // ... and for this very view: it is what a full draw would put under the hover and marks.
  function baseFitsView() {
    return baseFitsCanvas() && base.scale === viewer.scale && base.tx === viewer.tx && base.ty === viewer.ty;
  }

  function drawOverlayOnly() {
    const ctx = viewer.ctx;
    copyCanvas(ctx, base.canvas);
    ctx.setTransform(viewer.dpr, 0, 0, viewer.dpr, 0, 0);
    drawOverlay(ctx, viewer.model);
    viewer.overlayFrames += 1;
    viewer.frameMode = 'overlay';
  }

  // The user moved the view (drag, wheel, pinch, keys, zoom buttons): draw at level of
  // detail until the input has stopped for SETTLE_MS.
  function noteMotion() {
    viewer.moved = true;
    viewer.moving = true;
    viewer.lastInputAt = performance.now();
    clearTimeout(viewer.settleTimer);
    viewer.settleTimer = setTimeout(settle, SETTLE_MS);
    requestDraw();
  }

  function settle() {
    viewer.settleTimer = 0;
    viewer.moving = false;
    requestDraw(); // a full draw: the view differs from the copy's
  }

  function drawMoving() {
    const started = performance.now();
    const { ctx, model, dpr } = viewer;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, viewer.canvas.width, viewer.canvas.height);
    const covered = drawMovedBase(ctx);
    const whole = covered !== null && covered.x0 <= 0 && covered.y0 <= 0
      && covered.x1 >= viewer.width && covered.y1 >= viewer.height;
    if (!whole) drawSquares(ctx, model, covered);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    drawOverlay(ctx, model);
    viewer.lodFrames += 1;
    if (!whole) viewer.reducedFrames += 1;
    viewer.frameMode = whole ? 'bitmap' : covered ? 'mixed' : 'reduced';
    viewer.lastLodMs = performance.now() - started;
  }

  // The copy where its content now is: a layout point that was at s0 on screen is at
  // k * s0 + (t - k * t0), k being the change of scale. Returns the part of the view it
  // covers (CSS px), or null when it cannot stand in for the view.
  function drawMovedBase(ctx) {
    if (!baseFitsCanvas()) return null;
    const k = viewer.scale / base.scale;
    if (!(k > 0 && k <= MAX_STRETCH)) return null;
    const dx = viewer.tx - k * base.tx;
    const dy = viewer.ty - k * base.ty;
    const dpr = viewer.dpr;
    ctx.setTransform(k, 0, 0, k, dx * dpr, dy * dpr);
    ctx.drawImage(base.canvas, 0, 0);
    const w = (k * base.canvas.width) / dpr;
    const h = (k * base.canvas.height) / dpr;
    return { x0: dx, y0: dy, x1: dx + w, y1: dy + h };
  }

  // Nodes as squares of the same area as their circles, one path per cluster, outside the
  // part of the view the moved copy covers (all of it when `covered` is null).
  function drawSquares(ctx, model, covered) {
    const { xs, ys, clusters } = model;
    const { width, height, dpr, scale, tx, ty, focus } = viewer;
    const half = 0.886 * nodeZoomFactor(); // sqrt(pi) / 2: a square as big as the circle
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.save();
    if (covered) {
      ctx.beginPath();
      ctx.rect(0, 0, width, height);
      ctx.rect(covered.x0, covered.y0, covered.x1 - covered.x0, covered.y1 - covered.y0);
      ctx.clip('evenodd');
    }
    for (const c of clusterDrawOrder(model, focus)) {
      const members = clusters[c].members;
      ctx.globalAlpha = focus >= 0 && c !== focus ? 0.16 : 1;
      ctx.fillStyle = clusters[c].color;
      ctx.beginPath();
      for (let j = 0; j < members.length; j += 1) {
        const i = members[j];
        const r = model.radius[i] * half;
        const sx = xs[i] * scale + tx;
        const sy = ys[i] * scale + ty;
        if (sx < -r || sy < -r || sx > width + r || sy > height + r) continue;
        if (covered && sx - r >= covered.x0 && sx + r <= covered.x1 && sy - r >= covered.y0 && sy + r <= covered.y1) continue;
        ctx.rect(sx - r, sy - r, 2 * r, 2 * r);
      }
      ctx.fill();
    }
    ctx.restore();
  }

  // ------------------------------------------------------------------ hit testing

  function nodeAt(sx, sy) {
    const model = viewer.model;
    if (!model) return -1;
    const { grid, xs, ys } = model;
    const wx = (sx - viewer.tx) / viewer.scale;
    const wy = (sy - viewer.ty) / viewer.scale;
    const reach = (6 * 2 + 4) / viewer.scale; // largest screen radius plus slack, in layout units
    const c0 = Math.max(0, Math.floor((wx - reach - grid.minX) / grid.cell));
    const c1 = Math.min(grid.cols - 1, Math.floor((wx + reach - grid.minX) / grid.cell));
    const r0 = Math.max(0, Math.floor((wy - reach - grid.minY) / grid.cell));
    const r1 = Math.min(grid.rows - 1, Math.floor((wy + reach - grid.minY) / grid.cell));
    let best = -1;
    let bestDistance = Infinity;
    for (let row = r0; row <= r1; row += 1) {
      for (let col = c0; col <= c1; col += 1) {
        const cell = row * grid.cols + col;
        for (let k = grid.start[cell]; k < grid.start[cell + 1]; k += 1) {
          const i = grid.items[k];
          const dx = (xs[i] - wx) * viewer.scale;
          const dy = (ys[i] - wy) * viewer.scale;
          const distance = Math.hypot(dx, dy);
          if (distance <= nodeScreenRadius(i) + 3 && distance < bestDistance) {
            best = i;
            bestDistance = distance;
          }
        }
      }
    }
    return best;
  }

  // ------------------------------------------------------------------ tooltip

  function showTooltip(i, sx, sy) {
    const model = viewer.model;
    const node = model.raw[i];
    const cluster = model.clusters[model.clusterOf[i]];
    $('tooltip-title').textContent = text(node.title) || text(node.origId) || `Node ${text(node.id)}`;
    $('tooltip-swatch').style.background = cluster.color;
    $('tooltip-cluster').textContent = text(node.clusterName) || cluster.name;
    $('tooltip-keywords').replaceChildren(...chips(node.keywords, 8).childNodes);
    const meta = [];
    if (node.timestamp) meta.push(formatDate(node.timestamp, false));
    if (node.sourceType) meta.push(node.sourceType === 'markdown' ? 'Note' : 'Chat');
    if (Number.isFinite(node.numSections) && node.numSections > 0) meta.push(plural(node.numSections, 'section', 'sections'));
    meta.push(plural(model.degree[i], 'link', 'links'));
    $('tooltip-meta').textContent = meta.join(' · ');
    const tip = $('tooltip');
    tip.dataset.nodeId = String(node.id);
    tip.hidden = false;
    const gap = 14;
    const w = tip.offsetWidth;
    const hgt = tip.offsetHeight;
    let left = sx + gap;
    let top = sy + gap;
    if (left + w > viewer.width - 8) left = Math.max(8, sx - gap - w);
    if (top + hgt > viewer.height - 8) top = Math.max(8, sy - gap - hgt);
    tip.style.transform = `translate(${Math.round(left)}px, ${Math.round(top)}px)`;
  }

  function hideTooltip() {
    const tip = $('tooltip');
    if (tip) {
      tip.hidden = true;
      delete tip.dataset.nodeId;
    }
  }

  function setHover(i, sx, sy) {
    if (i !== viewer.hover) {
      viewer.hover = i;
      requestDraw();
    }
    viewer.canvas.classList.toggle('pointing', i >= 0);
    if (i >= 0) showTooltip(i, sx, sy);
    else hideTooltip();
  }

  // ------------------------------------------------------------------ legend and focus

  function renderLegend(model) {
    const items = [...model.clusters]
      .filter((c) => c.size > 0)
      .sort((a, b) => b.size - a.size || a.index - b.index)
      .map((cluster) => h('li', null,
        h('button', {
          className: 'legend-item',
          type: 'button',
          'aria-pressed': 'false',
          title: cluster.description || cluster.name,
          dataset: { clusterId: cluster.id },
          onclick: () => setFocus(viewer.focus === cluster.index ? -1 : cluster.index),
        },
        swatch(cluster.color),
        h('span', { className: 'legend-name', text: cluster.name }),
        h('span', { className: 'legend-size', text: fmt(cluster.size) }))));
    $('legend').replaceChildren(...items);
  }

  function setFocus(index) {
    viewer.focus = viewer.model && index >= 0 && index < viewer.model.clusters.length ? index : -1;
    const focusId = viewer.focus >= 0 ? viewer.model.clusters[viewer.focus].id : '';
    for (const button of document.querySelectorAll('#legend .legend-item')) {
      button.setAttribute('aria-pressed', String(button.dataset.clusterId === focusId));
    }
    $('legend').classList.toggle('has-focus', viewer.focus >= 0);
    $('legend-clear').hidden = viewer.focus < 0;
    document.body.dataset.focus = focusId;
    requestDraw();
  }

  // ------------------------------------------------------------------ summary panel

  function clusterByRef(ref) {
    const model = viewer.model;
    const key = text(ref);
    if (!model || !key) return null;
    const byId = model.clusterIndex.get(key);
    if (byId !== undefined) return model.clusters[byId];
    return model.clusters.find((c) => c.name === key) || null;
  }

  function section(title, ...content) {
    return h('section', null, h('h3', { text: title }), ...content);
  }

  function timeSpanText(span) {
    if (typeof span === 'string') return span || null;
    if (!isObject(span)) return null;
    const start = formatDate(span.start, false);
    const end = formatDate(span.end, false);
    const days = Number.isFinite(span.days) ? ` (${plural(span.days, 'day', 'days')})` : '';
    if (start && end) return `${start} – ${end}${days}`;
    return start || end || null;
  }

  function overviewSection(summary) {
    const overview = isObject(summary.overview) ? summary.overview : {};
    const facts = [];
    if (Number.isFinite(overview.total_source_nodes)) {
      facts.push(h('span', null, h('strong', { text: fmt(overview.total_source_nodes) }), ' conversations'));
    }
    const span = timeSpanText(overview.time_span);
    if (span) facts.push(h('span', null, span));
    const interests = listOf(overview.primary_interests).filter((w) => typeof w === 'string' && w);
    return section('Overview',
      h('p', { id: 'summary-text', className: 'summary-text', text: text(overview.summary_text) || 'No overview yet.' }),
      facts.length ? h('div', { className: 'facts' }, facts) : null,
      interests.length
        ? h('div', { id: 'primary-interests', className: 'interests' },
          h('div', { className: 'subhead', text: 'Main interests' }),
          chips(interests, 12, true))
        : null);
  }

  function insightItem(insight) {
    const cluster = clusterByRef(insight.cluster_id) || clusterByRef(insight.name);
    const color = cluster ? cluster.color : '#94a3b8';
    const name = text(insight.name) || (cluster && cluster.name) || text(insight.cluster_id);
    return h('li', { className: 'insight', dataset: { clusterId: text(insight.cluster_id) } },
      h('button', {
        className: 'insight-head',
        type: 'button',
        onclick: () => cluster && setFocus(viewer.focus === cluster.index ? -1 : cluster.index),
      },
      swatch(color),
      h('span', { className: 'insight-name', text: name }),
      Number.isFinite(insight.size) ? h('span', { className: 'insight-size', text: fmt(insight.size) }) : null),
      text(insight.insight_text) ? h('p', { text: text(insight.insight_text) }) : null,
      chips(insight.top_keywords, 6));
  }

  function topicsSection(summary) {
    const insights = listOf(summary.clusters).filter(isObject);
    if (!insights.length) return null;
    return section('Topics', h('ul', { className: 'insights', id: 'summary-clusters' }, insights.map(insightItem)));
  }

  function connectionItem(link) {
    const a = clusterByRef(link.source_cluster);
    const b = clusterByRef(link.target_cluster);
    const strength = Math.max(0, Math.min(1, Number(link.connection_strength) || 0));
    return h('li', { className: 'connection' },
      h('div', { className: 'connection-pair' },
        a ? swatch(a.color) : null, h('span', { text: a ? a.name : text(link.source_cluster) }),
        h('span', { className: 'connection-arrow', text: '↔' }),
        b ? swatch(b.color) : null, h('span', { text: b ? b.name : text(link.target_cluster) })),
      h('div', { className: 'strength', title: `Strength ${Math.round(strength * 100)}%` },
        h('span', { style: { width: `${Math.round(strength * 100)}%` } })),
      chips(link.bridge_keywords, 6));
  }

  function connectionsSection(summary) {
    const links = listOf(summary.connections).filter(isObject);
    if (!links.length) return null;
    return section('Connections', h('ul', { className: 'plain-list', id: 'summary-connections' }, links.map(connectionItem)));
  }

  // A pattern or recommendation: {type, text} as the summary writer makes them, or a string.
  function noteItem(item) {
    if (typeof item === 'string') return item ? h('li', null, item) : null;
    if (!isObject(item)) return null;
    const body = text(item.text || item.description);
    const tag = text(item.type) ? h('span', { className: 'tag', text: text(item.type).replace(/_/g, ' ') }) : null;
    return body || tag ? h('li', null, tag, body) : null;
  }

  function notesSection(title, id) {
    return (summary) => {
      const items = listOf(summary[id]).map(noteItem).filter(Boolean);
      if (!items.length) return null;
      return section(title, h('ul', { className: 'plain-list', id: `summary-${id}` }, items));
    };
  }

  const SUMMARY_SECTIONS = [
    ['overview', overviewSection],
    ['topics', topicsSection],
    ['connections', connectionsSection],
    ['patterns', notesSection('Patterns', 'patterns')],
    ['recommendations', notesSection('Recommendations', 'recommendations')],
  ];

  // Each section is built on its own: one that fails is left out and reported, the others show.
  function renderSummary(body) {
    const summary = isObject(body) && isObject(body.summary) ? body.summary : {};
    attempt('showing when the summary was written', () => {
      $('summary-generated').textContent = isObject(body) && body.generatedAt ? `Written ${formatDate(body.generatedAt, true)}` : '';
    });
    const parts = [];
    for (const [what, build] of SUMMARY_SECTIONS) {
      attempt(`showing the summary's ${what}`, () => {
        const part = build(summary);
        if (part) parts.push(part);
      });
    }
    $('summary').replaceChildren(...parts);
    document.body.dataset.summary = 'ready';
  }

  function renderNoSummary() {
    $('summary-generated').textContent = '';
    $('summary').replaceChildren(h('p', {
      className: 'muted',
      text: 'No summary yet. It is written after your graph is generated; check back in a little while.',
    }));
    document.body.dataset.summary = 'missing';
  }

  function renderSummaryError(message) {
    $('summary').replaceChildren(h('p', { className: 'alert', text: message }));
    document.body.dataset.summary = 'error';
  }

  // ------------------------------------------------------------------ showing a graph

  function clearGraph() {
    viewer.model = null;
    viewer.hover = -1;
    viewer.selected = -1;
    viewer.marked = [];
    viewer.focus = -1;
    base.model = null; // and let the old graph go
    shownGraphKey = null;
    hideTooltip();
    $('update-banner').hidden = true;
  }

  // Builds the model (throws if it cannot: the caller decides), then shows the legend, the
  // highlight and the drawing, each on its own (see attempt).
  function showGraph(graph) {
    const started = performance.now();
    const previous = viewer.model;
    const before = previous && previous.clusters[viewer.focus];
    const focusId = before ? before.id : null;
    const model = buildModel(graph);
    const selectedId = previous && viewer.selected >= 0 ? previous.ids[viewer.selected] : null;
    const markedIds = previous ? viewer.marked.map((i) => previous.ids[i]) : [];
    viewer.model = model;
    viewer.hover = -1;
    viewer.selected = selectedId === null ? -1 : (model.indexOfId.get(String(selectedId)) ?? -1);
    viewer.marked = indicesOf(markedIds);
    hideTooltip();
    attempt('listing the clusters', () => renderLegend(model));
    const focus = focusId ? model.clusterIndex.get(focusId) : undefined;
    attempt('highlighting a cluster', () => setFocus(focus === undefined ? -1 : focus));
    viewer.width = 0; // force a fresh measurement
    attempt('fitting the graph to the view', () => {
      resizeCanvas();
      if (!previous || !viewer.moved) fit();
    });
    if (viewer.frame) {
      cancelAnimationFrame(viewer.frame);
      viewer.frame = 0;
    }
    attempt('drawing the graph', draw);
    const now = performance.now();
    if (viewer.firstDrawMs === null) {
      viewer.firstDrawMs = now;
      document.body.dataset.firstDrawMs = now.toFixed(1);
    }
    document.body.dataset.buildDrawMs = (now - started).toFixed(1);
    document.body.dataset.nodes = String(viewer.model.n);
  }

  // ------------------------------------------------------------------ input

  function localPoint(event) {
    const rect = viewer.canvas.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  }

  function installInput(canvas) {
    const pointers = new Map();
    let drag = null; // {x, y, total}
    let pinch = null; // {distance, mx, my}

    const pinchState = () => {
      const [a, b] = [...pointers.values()];
      return { distance: Math.hypot(a.x - b.x, a.y - b.y) || 1, mx: (a.x + b.x) / 2, my: (a.y + b.y) / 2 };
    };

    canvas.addEventListener('pointerdown', (event) => {
      if (!viewer.model || (event.pointerType === 'mouse' && event.button !== 0)) return;
      canvas.setPointerCapture(event.pointerId);
      const p = localPoint(event);
      pointers.set(event.pointerId, p);
      if (pointers.size === 1) {
        drag = { x: p.x, y: p.y, total: 0 };
      } else if (pointers.size === 2) {
        drag = null;
        pinch = pinchState();
      }
    });

    canvas.addEventListener('pointermove', (event) => {
      if (!viewer.model) return;
      const p = localPoint(event);
      if (pointers.has(event.pointerId)) {
        pointers.set(event.pointerId, p);
        if (pointers.size >= 2 && pinch) {
          const next = pinchState();
          viewer.tx += next.mx - pinch.mx;
          viewer.ty += next.my - pinch.my;
          zoomAt(next.distance / pinch.distance, next.mx, next.my);
          pinch = next;
          noteMotion();
        } else if (drag) {
          const dx = p.x - drag.x;
          const dy = p.y - drag.y;
          drag.total += Math.abs(dx) + Math.abs(dy);
          drag.x = p.x;
          drag.y = p.y;
          if (drag.total > 3) {
            canvas.classList.add('dragging');
            setHover(-1);
            viewer.tx += dx;
            viewer.ty += dy;
            noteMotion();
          }
        }
        return;
      }
      setHover(nodeAt(p.x, p.y), p.x, p.y);
    });

    const release = (event) => {
      if (!pointers.has(event.pointerId)) return;
      const wasClick = drag && drag.total <= 3 && pointers.size === 1 && event.type === 'pointerup';
      pointers.delete(event.pointerId);
      if (pointers.size < 2) pinch = null;
      if (pointers.size === 1) {
        const [rest] = [...pointers.values()];
        drag = { x: rest.x, y: rest.y, total: 10 };
      } else if (pointers.size === 0) {
        drag = null;
      }
      canvas.classList.remove('dragging');
      if (wasClick) {
        const p = localPoint(event);
        const i = nodeAt(p.x, p.y);
        if (i >= 0 && hooks.nodeClick) {
          hooks.nodeClick(viewer.model.ids[i]);
        } else if (i >= 0) {
          const c = viewer.model.clusterOf[i];
          setFocus(viewer.focus === c ? -1 : c);
        } else if (viewer.focus >= 0) {
          setFocus(-1);
        }
      }
    };
    canvas.addEventListener('pointerup', release);
    canvas.addEventListener('pointercancel', release);
    canvas.addEventListener('pointerleave', (event) => {
      if (!pointers.has(event.pointerId)) setHover(-1);
    });

    canvas.addEventListener('wheel', (event) => {
      if (!viewer.model) return;
      event.preventDefault();
      const unit = event.deltaMode === 1 ? 16 : event.deltaMode === 2 ? viewer.height : 1;
      const intensity = event.ctrlKey ? 0.01 : 0.0015; // ctrlKey: a trackpad pinch
      const p = localPoint(event);
      zoomAt(Math.exp(-event.deltaY * unit * intensity), p.x, p.y);
      setHover(-1);
    }, { passive: false });

    canvas.addEventListener('dblclick', (event) => {
      const p = localPoint(event);
      zoomAt(2, p.x, p.y);
    });

    canvas.addEventListener('keydown', (event) => {
      if (!viewer.model) return;
      const step = 60;
      const actions = {
        '+': () => zoomAt(1.4, viewer.width / 2, viewer.height / 2),
        '=': () => zoomAt(1.4, viewer.width / 2, viewer.height / 2),
        '-': () => zoomAt(1 / 1.4, viewer.width / 2, viewer.height / 2),
        0: () => fit(),
        Escape: () => setFocus(-1),
        ArrowLeft: () => { viewer.tx += step; },
        ArrowRight: () => { viewer.tx -= step; },
        ArrowUp: () => { viewer.ty += step; },
        ArrowDown: () => { viewer.ty -= step; },
      };
      const action = actions[event.key];
      if (!action) return;
      event.preventDefault();
      action();
      if (event.key.startsWith('Arrow')) noteMotion(); // a held key repeats: a gesture
      else requestDraw();
    });
  }

  // ------------------------------------------------------------------ start

  function start() {
    viewer.canvas = $('graph-canvas');
    viewer.ctx = viewer.canvas.getContext('2d', { alpha: true });
    installInput(viewer.canvas);

    new ResizeObserver(() => {
      if (viewer.model && document.body.dataset.state === 'ready' && resizeCanvas()) attempt('drawing the graph', draw);
    }).observe($('stage'));
    // devicePixelRatio changes (browser zoom, moving between screens) do not resize the box.
    const watchRatio = () => {
      matchMedia(`(resolution: ${window.devicePixelRatio}dppx)`).addEventListener('change', () => {
        if (viewer.model && resizeCanvas()) attempt('drawing the graph', draw);
        watchRatio();
      }, { once: true });
    };
    watchRatio();

    $('zoom-in').addEventListener('click', () => zoomAt(1.5, viewer.width / 2, viewer.height / 2));
    $('zoom-out').addEventListener('click', () => zoomAt(1 / 1.5, viewer.width / 2, viewer.height / 2));
    $('zoom-fit').addEventListener('click', () => fit());
    $('legend-clear').addEventListener('click', () => setFocus(-1));
    $('error-retry').addEventListener('click', () => load());
    $('empty-refresh').addEventListener('click', () => load());
    $('sign-out').addEventListener('click', () => {
      token = null;
      storeToken(null);
      generation += 1;
      clearGraph();
      renderHeader(null);
      showAuth();
    });
    $('token-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const value = $('token-input').value.trim().replace(/^Bearer\s+/i, '');
      if (!value) return;
      token = value;
      storeToken(value);
      load();
    });
    window.addEventListener('hashchange', () => {
      if (/(^#|&)token=/.test(location.hash)) {
        token = readToken();
        load();
      }
    });

    token = readToken();
    load();
  }

  // What viewer-panel.js may use: the API, DOM helpers and the view's marks.
  window.graphnodeViewerParts = Object.freeze({
    api,
    h,
    swatch,
    formatDate,
    report,
    onNodeClick: (handler) => { hooks.nodeClick = handler; },
    clusterColor: (id) => {
      const c = viewer.model ? viewer.model.clusterIndex.get(clusterKey(id)) : undefined;
      return c === undefined ? '#94a3b8' : viewer.model.clusters[c].color;
    },
    select: (id) => {
      const [i] = id === null ? [] : indicesOf([id]);
      viewer.selected = i === undefined ? -1 : i;
      requestDraw();
      return viewer.selected >= 0;
    },
    mark: (ids) => {
      viewer.marked = indicesOf(ids);
      requestDraw();
      return viewer.marked.length;
    },
    centre: (ids, coveredRight = 0) => centreOn(indicesOf(ids), coveredRight),
    hasGraph: () => viewer.model !== null,
  });

  window.graphnodeViewer = Object.freeze({
    /** Numbers about the current drawing. */
    stats: () => ({
      state: document.body.dataset.state,
      nodes: viewer.model ? viewer.model.n : 0,
      edges: viewer.model ? viewer.model.m : 0,
      clusters: viewer.model ? viewer.model.clusters.length : 0,
      nodesDrawn: viewer.nodesDrawn,
      edgesDrawn: viewer.edgesDrawn,
      labelsDrawn: viewer.labelsDrawn,
      firstDrawMs: viewer.firstDrawMs,
      lastDrawMs: viewer.lastDrawMs,
      // Level of detail (see drawMoving): how frames were drawn, and when.
      fullDraws: viewer.fullDraws,
      lodFrames: viewer.lodFrames,
      reducedFrames: viewer.reducedFrames,
      overlayFrames: viewer.overlayFrames,
      frameMode: viewer.frameMode,
      moving: viewer.moving,
      settleMs: SETTLE_MS,
      lastInputAt: viewer.lastInputAt,
      lastFullDrawAt: viewer.lastFullDrawAt,
      lastLodMs: viewer.lastLodMs,
      scale: viewer.scale,
      fitScale: viewer.fitScale,
      canvasWidth: viewer.canvas ? viewer.canvas.width : 0,
      canvasCssWidth: viewer.width,
      devicePixelRatio: viewer.dpr,
      focus: viewer.focus >= 0 && viewer.model ? viewer.model.clusters[viewer.focus].id : null,
      selected: viewer.selected >= 0 && viewer.model ? viewer.model.ids[viewer.selected] : null,
      marked: viewer.model ? viewer.marked.map((i) => viewer.model.ids[i]) : [],
      tx: viewer.tx,
      ty: viewer.ty,
      canvasCssHeight: viewer.height,
    }),
    /** Where a node (by its API id) is on screen, in viewport (client) coordinates. */
    screenPosition: (id) => {
      const i = viewer.model ? viewer.model.indexOfId.get(String(id)) : undefined;
      if (i === undefined) return null;
      const rect = viewer.canvas.getBoundingClientRect();
      return { x: rect.left + toScreenX(viewer.model.xs[i]), y: rect.top + toScreenY(viewer.model.ys[i]) };
    },
    /** The id of the node under a viewport point, or null. */
    nodeAt: (clientX, clientY) => {
      if (!viewer.model) return null;
      const rect = viewer.canvas.getBoundingClientRect();
      const i = nodeAt(clientX - rect.left, clientY - rect.top);
      return i >= 0 ? viewer.model.ids[i] : null;
    },
    /** Build a model of `graph` (the API's shape) as the page would, without showing it;
     * what it holds, checked (see inspectModel). For tests of the model builder. */
    inspectModel: (graph) => inspectModel(buildModel(graph)),
    /** Errors caught while showing the page (each part fails alone), as text. */
    problems: () => [...viewer.problems],
    /** Time one full redraw, in milliseconds (the mean of `times` draws). */
    benchmarkDraw: (times = 10) => {
      const started = performance.now();
      for (let k = 0; k < times; k += 1) {
        draw();
        viewer.ctx.getImageData(0, 0, 1, 1); // make the canvas rasterise now, not later
      }
      return (performance.now() - started) / times;
    },
  });

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
