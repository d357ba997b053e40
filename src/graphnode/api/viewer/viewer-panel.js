/*
 * GraphNode viewer: the node panel and the search box, on top of viewer.js
 * (window.graphnodeViewerParts).
 *
 * A click on a node opens it in the side panel (GET /v1/graphs/me/nodes/{id}): the item's
 * title, dates and source, a link to the original chat, its cluster and subcluster, its
 * strongest neighbours as links (a click opens that one) and its messages or sections.
 * The search box asks POST /v1/graphs/me/search, rings the matches and centres them.
 *
 * Progress: document.body.dataset.node (loading | ready | error, with .nodeId) and
 * document.body.dataset.search (loading | ready | error, with .searchMatches).
 */
(() => {
  'use strict';

  const parts = window.graphnodeViewerParts;
  if (!parts) return;
  const { api, h, swatch, formatDate } = parts;
  const $ = (id) => document.getElementById(id);
  const SEARCH_LIMIT = 20;
  const SOURCES = { chatgpt: 'ChatGPT', claude: 'Claude', notes: 'Notes', markdown: 'Markdown', jsonl: 'JSON' };
  let opening = 0;
  let searching = 0;

  function sourceName(item) {
    return SOURCES[item.source] || item.source || (item.sourceType === 'markdown' ? 'Note' : 'Chat');
  }

  function metaLine(item) {
    const bits = [sourceName(item)];
    if (item.createdAt) bits.push(`created ${formatDate(item.createdAt, false)}`);
    if (item.updatedAt && item.updatedAt !== item.createdAt) bits.push(`updated ${formatDate(item.updatedAt, false)}`);
    return bits.join(' · ');
  }

  function clusterLine(body) {
    const cluster = body.cluster || {};
    const sub = body.subcluster;
    const id = cluster.clusterId || body.node.clusterId;
    return h('p', { className: 'node-cluster' },
      swatch(parts.clusterColor(id)),
      h('span', { id: 'node-cluster-name', text: cluster.name || body.node.clusterName || id || 'Unclustered' }),
      sub ? h('span', { className: 'muted', text: ` · ${sub.name || (sub.topKeywords || []).slice(0, 3).join(', ') || sub.subclusterId}` }) : null);
  }

  function neighbourList(neighbours) {
    if (!neighbours.length) return h('p', { className: 'muted', text: 'No linked items.' });
    return h('ul', { id: 'node-neighbours', className: 'node-neighbours' }, neighbours.map((n) => h('li', null,
      swatch(parts.clusterColor(n.clusterId)),
      h('a', {
        href: '#',
        dataset: { nodeId: String(n.id) },
        title: n.clusterName || '',
        text: n.title || `Node ${n.id}`,
        onclick: (event) => { event.preventDefault(); openNode(n.id); },
      }),
      h('span', { className: 'muted small-text', text: ` ${Number(n.weight).toFixed(2)}` }))));
  }

  function sectionList(item) {
    const note = item.sourceType === 'markdown';
    return h('ol', { id: 'node-sections', className: 'node-sections' }, item.sections.map((s) => h('li', {
      className: note ? 'section-note' : `section-${s.role === 'user' ? 'user' : 'reply'}`,
    },
    h('div', { className: 'section-role', text: note ? s.role : s.role === 'user' ? 'You' : s.role }),
    h('div', { className: 'section-text', text: s.text }))));
  }

  function renderNode(body) {
    const item = body.item;
    const title = (item && item.title) || body.node.title || `Node ${body.node.id}`;
    const content = [h('h2', { id: 'node-title', text: title })];
    if (item) {
      content.push(h('p', { id: 'node-meta', className: 'muted small-text', text: metaLine(item) }));
      if (item.link) {
        content.push(h('a', { id: 'node-link', className: 'button small', href: item.link, target: '_blank', rel: 'noopener noreferrer', text: 'Open the original chat ↗' }));
      }
    }
    content.push(clusterLine(body));
    content.push(h('h3', { text: 'Linked items' }), neighbourList(body.neighbours || []));
    if (item && item.sections.length) {
      content.push(h('h3', { text: item.sourceType === 'markdown' ? 'Sections' : 'Messages' }), sectionList(item));
    } else if (!item) {
      content.push(h('p', { className: 'muted', text: 'The item behind this node is no longer stored.' }));
    }
    $('node-body').replaceChildren(...content);
    $('node-body').scrollTop = 0;
  }

  // How much of the canvas's right side the open node panel hides, so that centring aims at
  // the part still in view. None when the panel is closed, or when it hides most of the
  // canvas (a phone): there is no room beside it, and the whole canvas is the frame.
  function coveredRight() {
    const panel = $('node-panel');
    if (panel.hidden) return 0;
    const canvas = $('graph-canvas').getBoundingClientRect();
    const covered = Math.max(0, canvas.right - panel.getBoundingClientRect().left);
    return covered > canvas.width * 0.6 ? 0 : covered;
  }

  async function openNode(id) {
    const mine = ++opening;
    const panel = $('node-panel');
    panel.hidden = false;
    document.body.dataset.node = 'loading';
    document.body.dataset.nodeId = String(id);
    $('node-body').replaceChildren(h('p', { className: 'muted', text: 'Opening…' }));
    parts.select(id);
    parts.centre([id], coveredRight());
    try {
      const body = await api(`/v1/graphs/me/nodes/${encodeURIComponent(id)}`);
      if (mine !== opening) return;
      renderNode(body);
      document.body.dataset.node = 'ready';
    } catch (error) {
      if (mine !== opening) return;
      $('node-body').replaceChildren(h('p', { className: 'alert', text: `This item could not be opened: ${error.message || error}` }));
      document.body.dataset.node = 'error';
    }
  }

  function closeNode() {
    opening += 1;
    $('node-panel').hidden = true;
    parts.select(null);
    delete document.body.dataset.node;
    delete document.body.dataset.nodeId;
  }

  function showResults(results) {
    const list = $('search-results');
    list.replaceChildren(...results.map((r) => h('li', null, h('button', {
      type: 'button',
      className: 'search-hit',
      dataset: { nodeId: String(r.node.id) },
      onclick: () => openNode(r.node.id),
    }, swatch(parts.clusterColor(r.node.clusterId)), h('span', { text: r.node.title || `Node ${r.node.id}` })))));
    list.hidden = results.length === 0;
  }

  function clearSearch() {
    searching += 1;
    parts.mark([]);
    showResults([]);
    $('search-status').textContent = '';
    delete document.body.dataset.search;
    delete document.body.dataset.searchMatches;
  }

  async function search(query) {
    const mine = ++searching;
    document.body.dataset.search = 'loading';
    $('search-status').textContent = 'Searching…';
    try {
      const body = await api('/v1/graphs/me/search', { query, limit: SEARCH_LIMIT });
      if (mine !== searching) return;
      const results = (body.results || []).filter((r) => r && r.node);
      const ids = results.map((r) => r.node.id);
      const shown = parts.mark(ids);
      parts.centre(ids, coveredRight());
      showResults(results);
      $('search-status').textContent = shown ? `${shown} ${shown === 1 ? 'match' : 'matches'}` : 'No matches';
      document.body.dataset.searchMatches = String(shown);
      document.body.dataset.search = 'ready';
    } catch (error) {
      if (mine !== searching) return;
      $('search-status').textContent = 'Search failed';
      parts.report('searching', error);
      document.body.dataset.search = 'error';
    }
  }

  function start() {
    parts.onNodeClick(openNode);
    $('node-close').addEventListener('click', closeNode);
    $('search-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const query = $('search-input').value.trim();
      if (query) search(query);
      else clearSearch();
    });
    $('search-input').addEventListener('input', () => {
      if (!$('search-input').value.trim()) clearSearch();
    });
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && !$('node-panel').hidden) closeNode();
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
