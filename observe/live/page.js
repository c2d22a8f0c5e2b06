// The live page of package observe: it polls the handler's format=live
// feed at its own URL and draws the tree and the charts. Plain JavaScript,
// no library, no build step; the handler inlines it into the page.
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const WINDOW_MS = 5 * 60 * 1000; // what the charts show
  const UNITS = { ms: 1, s: 1000, m: 60000, h: 3600000 };

  // parseDur reads a duration as Go writes it (1m30s, 250ms) or a number
  // of seconds: milliseconds, null if s is empty, NaN if it is not one.
  function parseDur(s) {
    s = (s || '').trim();
    if (s === '') return null;
    if (/^\d+(\.\d+)?$/.test(s)) return parseFloat(s) * 1000;
    const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;
    let ms = 0;
    for (let i = 0; i < s.length; i = re.lastIndex) {
      re.lastIndex = i;
      const m = re.exec(s);
      if (!m) return NaN;
      ms += parseFloat(m[1]) * UNITS[m[2]];
    }
    return ms;
  }

  function fmtAge(ms) {
    if (ms < 1000) return Math.round(ms) + 'ms';
    const s = ms / 1000;
    if (s < 10) return s.toFixed(1) + 's';
    if (s < 60) return Math.floor(s) + 's';
    const m = Math.floor(s / 60);
    if (m < 60) return m + 'm' + String(Math.floor(s % 60)).padStart(2, '0') + 's';
    const h = Math.floor(m / 60);
    if (h < 48) return h + 'h' + String(m % 60).padStart(2, '0') + 'm';
    return Math.floor(h / 24) + 'd' + String(h % 24).padStart(2, '0') + 'h';
  }

  function fmtNum(v) {
    if (v == null) return '–';
    if (v >= 1e6) return (v / 1e6).toFixed(1) + 'M';
    if (v >= 1e4) return (v / 1e3).toFixed(1) + 'k';
    if (v !== Math.floor(v)) return v < 10 ? v.toFixed(1) : String(Math.round(v));
    return String(v);
  }

  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

  // mark escapes text and marks where it contains the search, any case.
  function mark(text, q) {
    if (!q) return esc(text);
    const lower = text.toLowerCase();
    let out = '';
    let at = 0;
    for (let i = lower.indexOf(q); i >= 0; i = lower.indexOf(q, at)) {
      out += esc(text.slice(at, i)) + '<mark>' + esc(text.slice(i, i + q.length)) + '</mark>';
      at = i + q.length;
    }
    return out + esc(text.slice(at));
  }

  // shortFunc drops the import path: browsertest.TestLive.func3.
  const shortFunc = (f) => f.slice(f.lastIndexOf('/') + 1);
  // shortOrigin keeps the file's directory and name: server/main.go:40.
  const shortOrigin = (o) => o.split('/').slice(-2).join('/');

  // Settings: from the page's URL, so that a view can be shared, and kept
  // there as they change.
  const params = new URLSearchParams(location.search);
  const defaults = { name: '', state: '', min_age: '', q: '', old: '30s', stuck: '5s', tasks: '100', every: '1s' };
  const S = {};
  for (const k in defaults) S[k] = params.get(k) ?? defaults[k];
  const inputs = { name: $('f-name'), state: $('f-state'), min_age: $('f-min-age'), q: $('f-q'), old: $('f-old'), stuck: $('f-stuck'), tasks: $('f-tasks') };
  for (const k in inputs) inputs[k].value = S[k];
  let everyMs = parseDur(S.every) || 1000;
  const every = $('every');
  if (![...every.options].some((o) => Number(o.value) === everyMs)) every.add(new Option(fmtAge(everyMs), String(everyMs)));
  every.value = String(everyMs);

  let oldMs = 30000;
  let stuckMs = 5000;
  // readSettings validates the inputs; it returns whether they are valid.
  function readSettings() {
    for (const k in inputs) S[k] = inputs[k].value.trim();
    const bad = [];
    const old = parseDur(S.old);
    const stuck = parseDur(S.stuck);
    const minAge = parseDur(S.min_age);
    if (old == null || isNaN(old)) bad.push('old'); else oldMs = old;
    if (stuck == null || isNaN(stuck)) bad.push('stuck'); else stuckMs = stuck;
    if (minAge != null && isNaN(minAge)) bad.push('min age');
    if (!/^\d+$/.test(S.tasks)) bad.push('tasks/group');
    $('filter-error').textContent = bad.length ? 'not understood: ' + bad.join(', ') + ' (durations look like 500ms, 10s, 2m)' : '';
    const p = new URLSearchParams(location.search);
    for (const k in defaults) {
      if (S[k] === defaults[k]) p.delete(k); else p.set(k, S[k]);
    }
    const qs = p.toString();
    history.replaceState(null, '', qs ? '?' + qs : location.pathname);
    return bad.length === 0;
  }

  // feedURL is relative: only the query changes, so the page works at any
  // path it is mounted on.
  function feedURL() {
    const p = new URLSearchParams({ format: 'live', tasks: S.tasks });
    if (S.name) p.set('name', S.name);
    if (S.q) p.set('q', S.q);
    if (S.state) p.set('state', S.state);
    const minAge = parseDur(S.min_age);
    if (minAge) p.set('min_age', Math.round(minAge) + 'ms');
    return '?' + p.toString();
  }

  // Bytes pulled, as the browser counts them (compressed, with headers).
  const pulled = []; // [performance.now(), bytes]
  if (window.PerformanceObserver) {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (e.name.includes('format=live')) pulled.push([e.responseEnd, e.transferSize || e.encodedBodySize || 0]);
      }
    }).observe({ type: 'resource' });
  }
  function bytesPerSecond() {
    const now = performance.now();
    while (pulled.length && pulled[0][0] < now - 10000) pulled.shift();
    if (pulled.length < 2) return null;
    const span = (now - pulled[0][0]) / 1000;
    let sum = 0;
    for (let i = 1; i < pulled.length; i++) sum += pulled[i][1];
    return sum / Math.max(span, 0.001);
  }

  // Polling: one request at a time, none while paused or hidden.
  let timer = 0;
  let inflight = null;
  let paused = false;
  let updates = 0;
  async function poll() {
    clearTimeout(timer);
    if (paused || document.hidden) return; // visibilitychange resumes
    if (inflight) inflight.abort();
    const ctl = new AbortController();
    inflight = ctl;
    const t0 = performance.now();
    try {
      const resp = await fetch(feedURL(), { cache: 'no-store', signal: ctl.signal, headers: { Accept: 'application/json' } });
      const text = await resp.text();
      if (!resp.ok) throw new Error(text.trim() || 'HTTP ' + resp.status);
      const took = performance.now() - t0;
      const t1 = performance.now();
      update(JSON.parse(text));
      updates++;
      status(true, took, performance.now() - t1);
    } catch (e) {
      if (e.name === 'AbortError') return; // a newer poll replaced this one
      status(false, 0, 0, e.message || String(e));
    } finally {
      if (inflight === ctl) inflight = null;
      // The observer has the entries; the browser's buffer holds 250.
      performance.clearResourceTimings();
    }
    timer = setTimeout(poll, everyMs);
  }

  function status(ok, took, drew, err) {
    $('dot').className = 'dot ' + (ok ? 'ok' : 'err');
    const st = $('status');
    if (!ok) {
      $('status-text').textContent = 'update failed: ' + err;
      return;
    }
    const bps = bytesPerSecond();
    st.dataset.updates = String(updates);
    if (bps != null) st.dataset.bytesPerSecond = String(Math.round(bps));
    st.dataset.fetchMs = took.toFixed(1);
    st.dataset.drawMs = drew.toFixed(1);
    $('status-text').textContent = 'updated ' + new Date().toLocaleTimeString() +
      (bps == null ? '' : ' · ' + (bps / 1024).toFixed(1) + ' KB/s') + ' · ' + Math.round(took) + ' ms';
  }

  // State kept across updates.
  let prev = null; // the previous feed
  const collapsed = new Set(); // group ids the user folded
  const samples = []; // one per update, for the charts

  function update(feed) {
    const now = feed.now_ms;
    const tot = feed.totals;
    const sample = { t: now, running: tot.running, pending: tot.pending, started: null, succeeded: null, failed: null,
      canceled: null, refused: null, workers: null, cap: null, waiting: null, blocked: null };
    if (tot.executors > 0) Object.assign(sample, { workers: tot.workers, cap: tot.max_workers, waiting: tot.waiting, blocked: tot.blocked });
    if (prev && now > prev.now_ms) {
      // Rates from each group's counts: a group that closed and left the
      // tree takes its counts with it, so totals cannot be subtracted.
      const dt = (now - prev.now_ms) / 1000;
      const d = [0, 0, 0, 0, 0];
      for (const id in feed.stats) {
        const c = feed.stats[id];
        const p = prev.stats[id] || [0, 0, 0, 0, 0];
        d[0] += Math.max(0, (c[0] - c[4]) - (p[0] - p[4]));
        for (let i = 1; i < 5; i++) d[i] += Math.max(0, c[i] - p[i]);
      }
      Object.assign(sample, { started: d[0] / dt, succeeded: d[1] / dt, failed: d[2] / dt, canceled: d[3] / dt, refused: d[4] / dt });
    }
    samples.push(sample);
    while (samples.length && samples[0].t < now - WINDOW_MS) samples.shift();
    prev = feed;
    const counts = renderTree(feed);
    renderSummary(feed, counts);
    renderCharts(now);
  }

  // The tree: one flat list of rows, indented by depth, reused across
  // updates by key so that a page of a thousand rows redraws only what
  // changed.
  const rowEls = new Map();

  function renderTree(feed) {
    const rows = [];
    // Keys start with the root's index: a group under two roots shows twice.
    const walk = (g, depth, r) => {
      rows.push({ key: r + 'g' + g.id, kind: 'group', g, depth });
      if (collapsed.has(g.id)) return;
      for (const t of g.tasks || []) rows.push({ key: r + 't' + g.id + ':' + t.id, kind: 'task', g, t, depth: depth + 1 });
      if (g.more_tasks) rows.push({ key: r + 'm' + g.id, kind: 'more', depth: depth + 1, text: '… ' + g.more_tasks + ' more tasks (raise tasks/group to list them)' });
      for (const c of g.groups || []) walk(c, depth + 1, r);
      if (g.more_groups) rows.push({ key: r + 'n' + g.id, kind: 'more', depth: depth + 1, text: '… ' + g.more_groups + ' more groups' });
    };
    feed.roots.forEach((g, r) => walk(g, 0, r));
    const tree = $('tree');
    const seen = new Set();
    const counts = { old: 0, stuck: 0, shown: 0 };
    let at = tree.firstElementChild;
    for (const r of rows) {
      let el = rowEls.get(r.key);
      if (!el) {
        el = document.createElement('div');
        el.dataset.key = r.key;
        rowEls.set(r.key, el);
      }
      const [cls, html, attrs] = r.kind === 'group' ? groupRow(r.g, feed) : r.kind === 'task' ? taskRow(r.g, r.t, feed, counts) : ['row more', esc(r.text), {}];
      if (el.className !== cls) el.className = cls;
      if (el._html !== html) {
        el.innerHTML = html;
        el._html = html;
      }
      if (el._depth !== r.depth) {
        el.style.setProperty('--depth', r.depth);
        el._depth = r.depth;
      }
      for (const k in attrs) if (el.dataset[k] !== attrs[k]) el.dataset[k] = attrs[k];
      seen.add(r.key);
      if (el === at) at = at.nextElementSibling;
      else tree.insertBefore(el, at);
    }
    for (const [k, el] of rowEls) {
      if (!seen.has(k)) {
        el.remove();
        rowEls.delete(k);
      }
    }
    // Gauges: widths set through the style object, which the page's
    // Content-Security-Policy allows (inline style attributes it does not).
    for (const i of tree.querySelectorAll('.gauge i[data-pct]')) i.style.width = i.dataset.pct + '%';
    return counts;
  }

  function groupRow(g, feed) {
    const st = feed.stats[g.id] || [0, 0, 0, 0, 0];
    const running = st[0] - st[1] - st[2] - st[3] - st[4];
    const q = S.q.toLowerCase();
    const label = g.name ? mark(g.name, q) : '<span class="meta">(unnamed)</span>';
    let h = '<span class="caret">' + (collapsed.has(g.id) ? '▸' : '▾') + '</span>' +
      '<span class="gname">' + label + '</span><span class="meta">group ' + esc(g.id) + '</span>';
    if (g.kind) h += '<span class="kind">' + esc(g.kind) + '</span>';
    h += '<span class="gstate ' + esc(g.state) + '">' + esc(g.state) + '</span><span class="meta">' + fmtAge(g.age_ms) + '</span>';
    const c = ['running ' + running, 'spawned ' + st[0]];
    if (st[1]) c.push('succeeded ' + st[1]);
    if (st[2]) c.push('<span class="bad">failed ' + st[2] + '</span>');
    if (st[3]) c.push('canceled ' + st[3]);
    if (st[4]) c.push('refused ' + st[4]);
    if (g.match !== g.live) c.push('shown ' + g.match + ' of ' + g.live);
    h += '<span class="counts">' + c.join(' · ') + '</span>';
    if (g.kind === 'executor' && g.info) {
      const i = g.info;
      const max = i.max_workers || 0;
      const busy = i.workers || 0;
      const pct = max > 0 ? Math.min(100, (100 * busy) / max) : 0;
      h += '<span class="counts" title="workers busy / max workers">workers <span class="gauge"><i data-pct="' + pct.toFixed(0) + '"></i></span> ' +
        busy + '/' + max + ' · waiting ' + (i.waiting || 0) + ' · blocked ' + (i.blocked || 0) + '</span>';
    }
    // A plain Close or Shutdown is no failure; any other cause is shown as one.
    if (g.cause) h += '<span class="cause' + (g.cause === 'group: closed' ? ' plain' : '') + '">' + esc(g.cause) + '</span>';
    return ['row group', h, { id: g.id, name: g.name || '', state: g.state }];
  }

  function taskRow(g, t, feed, counts) {
    const q = S.q.toLowerCase();
    const fn = feed.strings[t.fn || 0];
    const at = feed.strings[t.at || 0];
    let cls = 'row task ' + t.state;
    if (t.internal) cls += ' internal';
    let flag = '';
    if (g.state !== 'open' && t.state === 'running') {
      // A Shutdown that ran out of time cancelled what was left: a task
      // still running that long after is stuck. Before, it drains.
      const overdue = g.overdue_ms || 0;
      const stuck = overdue > 0 && overdue >= stuckMs;
      cls += stuck ? ' stuck' : ' draining';
      if (stuck) counts.stuck++;
      flag = '<span class="flag">' + (stuck ? 'stuck: shutdown past its deadline for ' + fmtAge(overdue)
        : overdue > 0 ? 'draining: cancelled by a shutdown ' + fmtAge(overdue) + ' ago'
        : 'draining: its group is closing') + '</span>';
    }
    if (t.state === 'running' && t.age_ms >= oldMs) {
      cls += ' old';
      counts.old++;
    }
    counts.shown++;
    const h = '<span class="state">' + esc(t.state) + '</span><span class="id">#' + t.id + '</span>' +
      '<span class="name">' + (t.name ? mark(t.name, q) : '<span class="meta">–</span>') + '</span>' +
      '<span class="age">' + (t.state === 'running' ? fmtAge(t.age_ms) : '') + '</span>' +
      '<span class="fn" title="' + esc(fn) + '">' + mark(shortFunc(fn), q) + '</span>' +
      '<span class="at" title="' + esc(at) + '">' + mark(shortOrigin(at), q) + '</span>' + flag;
    return [cls, h, { name: t.name || '', state: t.state, group: g.id }];
  }

  function renderSummary(feed, counts) {
    const t = feed.totals;
    let h = '<b>' + t.groups + '</b> groups · <b>' + t.running + '</b> running, <b>' + t.pending + '</b> pending';
    if (t.running) h += ' · oldest ' + fmtAge(t.oldest_ms);
    if (counts.old) h += ' · <span class="old">' + counts.old + ' old</span>';
    if (counts.stuck) h += ' · <span class="stuck">' + counts.stuck + ' stuck</span>';
    if (t.executors) h += ' · <b>' + t.executors + '</b> executor' + (t.executors > 1 ? 's' : '');
    $('summary').innerHTML = h;
  }

  // Charts: SVG polylines over the last five minutes, scaled to each
  // chart's largest value.
  const charts = [
    { id: 'chart-tasks', series: [['running', 'running', 'c3'], ['pending', 'pending', 'c2']] },
    { id: 'chart-rates', series: [['started', 'started', 'c1'], ['succeeded', 'succeeded', 'c3'], ['failed', 'failed', 'c4'],
      ['canceled', 'canceled', 'c5'], ['refused', 'refused', 'c6']] },
    { id: 'chart-executors', series: [['workers', 'workers busy', 'c3'], ['cap', 'max workers', 'c2', 'cap'],
      ['waiting', 'waiting', 'c1'], ['blocked', 'Submit blocked', 'c4']] },
  ];

  function niceCeil(v) {
    if (v <= 1) return 1;
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
    return 10 * p;
  }

  function renderCharts(now) {
    const W = 300;
    const H = 90;
    // The time axis grows with the page's age up to the window, so that a
    // page opened a moment ago does not squeeze its lines into a corner.
    const span = Math.max(now - (samples.length ? samples[0].t : now), 5000);
    const t0 = now - span;
    for (const ch of charts) {
      const fig = $(ch.id);
      let top = 0;
      for (const s of samples) for (const [k] of ch.series) if (s[k] != null) top = Math.max(top, s[k]);
      top = niceCeil(top);
      const y = (v) => (H - 2 - (v / top) * (H - 6)).toFixed(1);
      let svg = '<line class="grid" x1="0" x2="300" y1="' + y(top) + '" y2="' + y(top) + '"/>' +
        '<line class="grid" x1="0" x2="300" y1="' + y(top / 2) + '" y2="' + y(top / 2) + '"/>' +
        '<line class="grid" x1="0" x2="300" y1="' + y(0) + '" y2="' + y(0) + '"/>';
      let legend = '';
      for (const [k, label, c, extra] of ch.series) {
        let d = '';
        let pen = 'M';
        let points = 0;
        let last = null;
        for (const s of samples) {
          if (s[k] == null) {
            pen = 'M';
            continue;
          }
          d += pen + (((s.t - t0) / span) * W).toFixed(1) + ' ' + y(s[k]);
          pen = 'L';
          points++;
          last = s[k];
        }
        svg += '<path class="series ' + c + (extra ? ' ' + extra : '') + '" data-series="' + k + '" data-points="' + points + '" d="' + (d || 'M0 0') + '"/>';
        legend += '<span><i class="' + c + '"></i>' + esc(label) + ' <b>' + fmtNum(last) + '</b></span>';
      }
      fig.querySelector('svg').innerHTML = svg;
      fig.querySelector('.legend').innerHTML = legend;
      let cap = fig.querySelector('figcaption small');
      if (!cap) {
        cap = document.createElement('small');
        fig.querySelector('figcaption').append(cap);
      }
      cap.textContent = 'top ' + fmtNum(top) + ' · last ' + (span >= WINDOW_MS ? WINDOW_MS / 60000 + ' min' : fmtAge(span));
    }
  }

  // Events.
  let debounce = 0;
  const changed = () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => {
      if (readSettings()) poll();
    }, 200);
  };
  for (const k in inputs) inputs[k].addEventListener('input', changed);
  every.addEventListener('change', () => {
    everyMs = Number(every.value);
    S.every = fmtAge(everyMs).replace('.0s', 's');
    readSettings();
    poll();
  });
  $('pause').addEventListener('click', () => {
    paused = !paused;
    $('pause').textContent = paused ? 'resume' : 'pause';
    if (paused) {
      clearTimeout(timer);
      $('status-text').textContent = 'paused';
      $('dot').className = 'dot';
    } else poll();
  });
  $('tree').addEventListener('click', (e) => {
    const row = e.target.closest('.row.group');
    if (!row || window.getSelection().toString()) return; // selecting text is not folding
    const id = row.dataset.id;
    if (collapsed.has(id)) collapsed.delete(id); else collapsed.add(id);
    if (prev) renderTree(prev);
  });
  $('expand').addEventListener('click', () => {
    collapsed.clear();
    if (prev) renderTree(prev);
  });
  $('collapse').addEventListener('click', () => {
    if (!prev) return;
    for (const id in prev.stats) collapsed.add(id);
    renderTree(prev);
  });
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) poll();
  });

  readSettings();
  poll();
})();
