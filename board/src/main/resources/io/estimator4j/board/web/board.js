// Estimator4J board: TensorBoard's scalars and distributions pages on the JSON of BoardServer.
// Plain JavaScript and the vendored uPlot: nothing to build. window.e4jBoard exposes the state and
// what each chart plots (for the browser test and for curious users).
(function () {
  'use strict';

  // TensorBoard's run colours (Paul Tol's palette); BoardPlot uses the same list.
  const PALETTE = ['#ff7043', '#0077bb', '#cc3311', '#33bbee', '#ee3377', '#009988', '#bbbbbb'];
  // TensorBoard's NORMAL_HISTOGRAM_BPS and what each basis point is.
  const BPS = [0, 668, 1587, 3085, 5000, 6915, 8413, 9332, 10000];
  const BP_LABELS = ['min', '-1.5σ', '-1σ', '-0.5σ', 'median', '+0.5σ', '+1σ', '+1.5σ', 'max'];
  const CHART_HEIGHT = 260;

  const state = {
    runs: [],
    hidden: new Set(),
    scalarTags: {},
    histTags: {},
    scalars: {},
    dists: {},
    smoothing: 0.6,
    xAxis: 'step',
    log: false,
    filter: null,
    generation: -1,
    reloadMs: 5000,
    loading: false,
    messages: [],
    error: null,
    detailsRun: null,
  };
  const charts = {};      // scalar tag -> {card, uplot, key}
  const distCharts = {};  // run + '\u0000' + tag -> {card, uplot, key}

  const $ = (id) => document.getElementById(id);

  /**
   * TensorBoard's smoothing (classicSmoothing): a debiased exponential moving average that skips
   * non-finite values; a constant series is returned as it is. Same as Smoothing.java.
   */
  function smooth(values, weight) {
    let w = Number.isFinite(weight) ? Math.max(0, Math.min(weight, 1)) : 0;
    const first = values[0];
    if (values.length === 0 || values.every((v) => v == first)) {
      return values.slice();
    }
    let last = 0;
    let numAccum = 0;
    return values.map((v) => {
      if (!Number.isFinite(v)) {
        return v;
      }
      last = last * w + (1 - w) * v;
      numAccum++;
      const debias = w === 1 ? 1 : 1 - Math.pow(w, numAccum);
      return last / debias;
    });
  }

  /** Numbers from the JSON: Jackson writes NaN and infinities as strings, as TensorBoard does. */
  function num(v) {
    return typeof v === 'number' ? v : Number(v);
  }

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (const c of children) {
      if (c != null) e.append(c);
    }
    return e;
  }

  async function getJson(url) {
    const r = await fetch(url, {cache: 'no-store'});
    let body = null;
    try {
      body = await r.json();
    } catch (e) {
      body = null;
    }
    if (!r.ok) {
      throw new Error(body && body.error ? body.error : r.status + ' ' + r.statusText);
    }
    return body;
  }

  function query(params) {
    return new URLSearchParams(params).toString();
  }

  function colorOf(run) {
    const i = state.runs.indexOf(run);
    return PALETTE[(i < 0 ? 0 : i) % PALETTE.length];
  }

  function alpha(hex, a) {
    const n = parseInt(hex.slice(1), 16);
    return 'rgba(' + ((n >> 16) & 255) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + a + ')';
  }

  function fmtNumber(v) {
    if (v == null || Number.isNaN(v)) return '–';
    if (!Number.isFinite(v)) return String(v);
    const a = Math.abs(v);
    if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(4);
    return String(Number(v.toPrecision(6)));
  }

  function fmtDuration(s) {
    if (s == null) return '–';
    const a = Math.abs(s);
    if (a < 120) return (Math.round(s * 10) / 10) + ' s';
    if (a < 7200) return (Math.round(s / 6) / 10) + ' min';
    return (Math.round(s / 360) / 10) + ' h';
  }

  function fmtBytes(b) {
    if (b == null || b < 0) return '?';
    if (b < 1024) return b + ' B';
    if (b < 1024 * 1024) return (b / 1024).toFixed(1) + ' KiB';
    if (b < 1024 * 1024 * 1024) return (b / 1024 / 1024).toFixed(1) + ' MiB';
    return (b / 1024 / 1024 / 1024).toFixed(2) + ' GiB';
  }

  function fmtTime(seconds) {
    return seconds > 0 ? new Date(seconds * 1000).toLocaleString() : '?';
  }

  // ---------------------------------------------------------------- data

  async function refresh(force) {
    if (state.loading) return;
    state.loading = true;
    try {
      const status = await getJson('data/board/status');
      state.error = null;
      state.messages = status.messages || [];
      state.reloadMs = Math.max(1000, status.reloadIntervalMillis || 5000);
      $('logdir').textContent = status.logdir;
      $('logdir').title = status.logdir;
      if (force || status.generation !== state.generation) {
        const [stags, htags] = await Promise.all([
          getJson('data/plugin/scalars/tags'),
          getJson('data/plugin/distributions/tags'),
        ]);
        const scalars = {};
        const dists = {};
        const jobs = [];
        for (const [run, tags] of Object.entries(stags)) {
          scalars[run] = {};
          for (const tag of Object.keys(tags)) {
            jobs.push(getJson('data/plugin/scalars/scalars?' + query({run, tag}))
              .then((rows) => { scalars[run][tag] = rows; })
              .catch(() => { /* the run went away since its tags were read: left out */ }));
          }
        }
        for (const [run, tags] of Object.entries(htags)) {
          dists[run] = {};
          for (const tag of Object.keys(tags)) {
            jobs.push(getJson('data/plugin/distributions/distributions?' + query({run, tag}))
              .then((rows) => { dists[run][tag] = rows; })
              .catch(() => { /* as above */ }));
          }
        }
        await Promise.all(jobs);
        state.runs = status.runs;
        state.scalarTags = stags;
        state.histTags = htags;
        state.scalars = scalars;
        state.dists = dists;
        state.generation = status.generation;
        renderRuns();
        renderAll(true);
        if (state.detailsRun) openDetails(state.detailsRun);
      }
      $('reloaded').textContent = 'read ' + new Date().toLocaleTimeString();
    } catch (e) {
      state.error = 'Cannot read from the board server (' + e.message + '). Is ./e4j board still running?';
    } finally {
      state.loading = false;
      renderMessages();
    }
  }

  // ---------------------------------------------------------------- page

  function renderMessages() {
    const box = $('messages');
    box.replaceChildren();
    if (state.error) box.append(el('p', {class: 'error', text: state.error}));
    for (const m of state.messages) box.append(el('p', {text: m}));
  }

  function renderRuns() {
    const list = $('runs');
    list.replaceChildren();
    if (!state.runs.length) {
      list.append(el('li', {class: 'muted', text: 'No runs yet.'}));
    }
    for (const run of state.runs) {
      const box = el('input', {type: 'checkbox', 'data-run': run, 'aria-label': 'show ' + run});
      box.checked = !state.hidden.has(run);
      box.addEventListener('change', () => {
        if (box.checked) state.hidden.delete(run); else state.hidden.add(run);
        renderAll(true);
      });
      list.append(el('li', {},
        box,
        el('span', {class: 'swatch', style: 'background:' + colorOf(run)}),
        el('button', {type: 'button', class: 'run-name', text: run, onclick: () => openDetails(run)}),
        run === '.' ? el('span', {class: 'muted small', text: '(the logdir)'}) : null));
    }
  }

  function tagShown(tag) {
    return !state.filter || state.filter.test(tag);
  }

  function visibleRuns(tagsByRun, tag) {
    return state.runs.filter((r) => !state.hidden.has(r) && tagsByRun[r] && tag in tagsByRun[r]
      && state.scalars[r] && state.scalars[r][tag]);
  }

  function renderAll(resetScales) {
    renderScalars(resetScales);
    renderDistributions();
  }

  /** The x of a [wall_time, step, value] row on the chosen axis. */
  function xOf(row, firstWall) {
    if (state.xAxis === 'wall') return num(row[0]);
    if (state.xAxis === 'relative') return num(row[0]) - firstWall;
    return num(row[1]);
  }

  /**
   * One run's [x, raw, smoothed] table for a tag. Smoothing follows the points' order (steps);
   * non-finite values, and values <= 0 on a log scale, are not drawn.
   */
  function runTable(run, tag) {
    const rows = state.scalars[run][tag];
    const firstWall = rows.length ? num(rows[0][0]) : 0;
    const values = rows.map((r) => num(r[2]));
    const smoothed = smooth(values, state.smoothing);
    let pts = rows.map((r, i) => [xOf(r, firstWall), values[i], smoothed[i]]);
    pts = pts.map((p, i) => [p, i]).sort((a, b) => a[0][0] - b[0][0] || a[1] - b[1]).map((p) => p[0]);
    const dedup = [];
    for (const p of pts) {
      if (dedup.length && dedup[dedup.length - 1][0] === p[0]) dedup[dedup.length - 1] = p;
      else dedup.push(p);
    }
    const clean = (v) => (Number.isFinite(v) && (!state.log || v > 0) ? v : null);
    return [dedup.map((p) => p[0]), dedup.map((p) => clean(p[1])), dedup.map((p) => clean(p[2]))];
  }

  function scalarSeries(runs) {
    const series = [{
      label: {step: 'Step', relative: 'Relative', wall: 'Wall'}[state.xAxis],
      value: (u, v) => (v == null ? '–' : state.xAxis === 'relative' ? fmtDuration(v)
        : state.xAxis === 'wall' ? new Date(v * 1000).toLocaleString() : String(v)),
    }];
    for (const run of runs) {
      const c = colorOf(run);
      series.push({label: run + ' (raw)', stroke: alpha(c, 0.3), width: 1, spanGaps: true,
        points: {show: false}, value: (u, v) => fmtNumber(v)});
      series.push({label: run, stroke: c, width: 2, spanGaps: true,
        points: {size: 4}, value: (u, v) => fmtNumber(v)});
    }
    return series;
  }

  function chartWidth(card) {
    return Math.max(280, card.clientWidth - 22);
  }

  function renderScalars(resetScales) {
    const container = $('scalars');
    const all = new Set();
    for (const run of state.runs) {
      for (const tag of Object.keys(state.scalarTags[run] || {})) all.add(tag);
    }
    const tags = [...all].sort().filter(tagShown);
    for (const tag of Object.keys(charts)) {
      if (!tags.includes(tag)) {
        charts[tag].uplot && charts[tag].uplot.destroy();
        charts[tag].card.remove();
        delete charts[tag];
      }
    }
    container.querySelectorAll(':scope > p').forEach((p) => p.remove());
    if (!tags.length) {
      container.append(el('p', {class: 'muted', text: all.size
        ? 'No scalar tag matches the filter.'
        : 'No scalar summaries yet: they appear as training writes them (every save_summary_steps).'}));
      return;
    }
    for (const tag of tags) {
      let chart = charts[tag];
      if (!chart) {
        chart = {card: scalarCard(tag), uplot: null, key: null};
        charts[tag] = chart;
      }
      container.append(chart.card); // keeps the cards in tag order
      const runs = visibleRuns(state.scalarTags, tag);
      updateDownloads(chart.card, tag, runs);
      const data = uPlot.join(runs.map((r) => runTable(r, tag)));
      const key = JSON.stringify([runs, state.xAxis, state.log]);
      if (chart.uplot && chart.key === key) {
        chart.uplot.setData(data, resetScales);
        continue;
      }
      if (chart.uplot) chart.uplot.destroy();
      const target = chart.card.querySelector('.chart');
      chart.uplot = new uPlot({
        width: chartWidth(chart.card),
        height: CHART_HEIGHT,
        scales: {
          x: {time: state.xAxis === 'wall'},
          y: state.log ? {distr: 3, log: 10} : {},
        },
        series: scalarSeries(runs),
        axes: [
          {values: state.xAxis === 'relative' ? (u, splits) => splits.map(fmtDuration) : undefined},
          {size: 60, values: (u, splits) => splits.map(fmtNumber)},
        ],
        legend: {live: true},
        cursor: {focus: {prox: 16}},
      }, data, target);
      chart.key = key;
    }
  }

  function scalarCard(tag) {
    return el('div', {class: 'card scalar-card', 'data-tag': tag},
      el('h3', {text: tag}),
      el('div', {class: 'chart'}),
      el('details', {class: 'downloads'}, el('summary', {text: 'Download data'}), el('div')));
  }

  function updateDownloads(card, tag, runs) {
    const box = card.querySelector('.downloads > div');
    box.replaceChildren();
    for (const run of runs) {
      const base = 'data/plugin/scalars/scalars?' + query({run, tag});
      const file = (run === '.' ? 'run' : run.replace(/[^\w.-]+/g, '_')) + '-' + tag.replace(/[^\w.-]+/g, '_');
      box.append(el('div', {},
        el('span', {text: run + ': '}),
        el('a', {href: base + '&format=csv', download: file + '.csv', text: 'CSV'}),
        el('a', {href: base, download: file + '.json', text: 'JSON'})));
    }
  }

  function renderDistributions() {
    const container = $('distributions');
    const wanted = [];
    for (const run of state.runs) {
      if (state.hidden.has(run)) continue;
      for (const tag of Object.keys(state.histTags[run] || {}).sort()) {
        if (tagShown(tag) && state.dists[run] && state.dists[run][tag]) wanted.push([run, tag]);
      }
    }
    const keys = wanted.map(([r, t]) => r + '\u0000' + t);
    for (const k of Object.keys(distCharts)) {
      if (!keys.includes(k)) {
        distCharts[k].uplot && distCharts[k].uplot.destroy();
        distCharts[k].card.remove();
        delete distCharts[k];
      }
    }
    container.querySelectorAll(':scope > p').forEach((p) => p.remove());
    if (!wanted.length) {
      container.append(el('p', {class: 'muted', text:
        'No histogram summaries (the canned DNN estimators write their hidden layers\' activations).'}));
      return;
    }
    wanted.forEach(([run, tag], i) => {
      const k = keys[i];
      let chart = distCharts[k];
      if (!chart) {
        chart = {card: el('div', {class: 'card dist-card', 'data-run': run, 'data-tag': tag},
          el('h3', {text: tag + ' · ' + run}), el('div', {class: 'chart'})), uplot: null, key: null};
        distCharts[k] = chart;
      }
      container.append(chart.card);
      const rows = state.dists[run][tag];
      const data = [rows.map((r) => num(r[1]))];
      for (let b = 0; b < BPS.length; b++) {
        data.push(rows.map((r) => { const v = num(r[2][b][1]); return Number.isFinite(v) ? v : null; }));
      }
      const key = JSON.stringify([colorOf(run)]);
      if (chart.uplot && chart.key === key) {
        chart.uplot.setData(data);
        return;
      }
      if (chart.uplot) chart.uplot.destroy();
      const c = colorOf(run);
      const series = [{label: 'Step'}];
      BP_LABELS.forEach((label, b) => series.push({
        label,
        stroke: b === 4 ? c : alpha(c, 0.35),
        width: b === 4 ? 2 : 1,
        points: {show: false},
        value: (u, v) => fmtNumber(v),
      }));
      chart.uplot = new uPlot({
        width: chartWidth(chart.card),
        height: CHART_HEIGHT,
        scales: {x: {time: false}},
        series,
        // Bands between symmetric basis points, as TensorBoard's distributions view draws them.
        bands: [[9, 1], [8, 2], [7, 3], [6, 4]].map((s) => ({series: s, fill: alpha(c, 0.14)})),
        axes: [{}, {size: 60, values: (u, splits) => splits.map(fmtNumber)}],
        legend: {live: true},
      }, data, chart.card.querySelector('.chart'));
      chart.key = key;
    });
  }

  // ---------------------------------------------------------------- side panel

  async function openDetails(run) {
    state.detailsRun = run;
    const panel = $('details');
    panel.hidden = false;
    $('details-title').textContent = 'Run ' + run;
    const body = $('details-body');
    let d;
    try {
      d = await getJson('data/board/run?' + query({run}));
    } catch (e) {
      body.replaceChildren(el('p', {class: 'error', text: e.message}));
      return;
    }
    const parts = [el('p', {class: 'path', text: d.dir})];
    if (d.problems.length) {
      parts.push(el('h3', {text: 'Problems'}));
      parts.push(el('ul', {}, ...d.problems.map((p) => el('li', {text: p}))));
    }
    parts.push(el('h3', {text: 'Checkpoints'}));
    if (d.checkpoints.length) {
      parts.push(table(['Prefix', 'Step', 'Saved', 'Size'], d.checkpoints.map((c) => [
        c.prefix + (c.latest ? ' (latest)' : ''), c.step, fmtTime(c.time), fmtBytes(c.bytes)]),
        [false, true, false, true], 'checkpoints'));
    } else {
      parts.push(el('p', {class: 'muted', text: 'No checkpoints in this directory' +
        (d.run === '.' ? '.' : ' (evaluation runs keep none; see the model_dir).')}));
    }
    if (d.checkpointState != null) {
      parts.push(el('h3', {text: 'Checkpoint state file'}));
      parts.push(el('pre', {class: 'checkpoint-state', text: d.checkpointState}));
    }
    parts.push(el('h3', {text: 'Graph'}));
    if (d.graph) {
      parts.push(el('p', {class: 'graph-nodes', text: d.graph.nodeCount + ' nodes (' + d.graph.source + ')'}));
      parts.push(el('p', {class: 'muted small', text: 'Most frequent ops: ' +
        Object.entries(d.graph.opCounts).map(([op, n]) => op + ' ' + n).join(', ')}));
    } else {
      parts.push(el('p', {class: 'muted', text: 'No graph.pbtxt and no graph in the event files.'}));
    }
    parts.push(el('h3', {text: 'Variables'}));
    if (d.variables.length) {
      parts.push(el('p', {class: 'muted small', text: d.variables.length + ' from ' + d.variablesSource +
        ', ' + fmtBytes(d.variablesBytes)}));
      parts.push(table(['Name', 'Shape', 'Dtype', 'Size'], d.variables.map((v) => [
        v.name, v.shape == null ? '?' : '[' + v.shape.join(', ') + ']', v.dtype, fmtBytes(v.bytes)]),
        [false, false, false, true], 'variables'));
    } else {
      parts.push(el('p', {class: 'muted', text: 'No variables found (no checkpoint, no graph).'}));
    }
    parts.push(el('h3', {text: 'Exports'}));
    if (d.exports.length) {
      for (const x of d.exports) {
        parts.push(el('p', {class: 'path', text: x.path}));
        parts.push(el('pre', {class: 'signatures', text: x.signatures.replace(/^\n/, '')}));
      }
    } else {
      parts.push(el('p', {class: 'muted', text: 'No SavedModel under export/.'}));
    }
    parts.push(el('h3', {text: 'Event files'}));
    parts.push(el('ul', {class: 'small'}, ...d.eventFiles.map((f) => el('li', {class: 'path', text: f}))));
    body.replaceChildren(...parts);
  }

  function table(head, rows, numeric, cls) {
    return el('table', {class: cls},
      el('thead', {}, el('tr', {}, ...head.map((h, i) => el('th', {class: numeric[i] ? 'num' : '', text: h})))),
      el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c, i) =>
        el('td', {class: numeric[i] ? 'num' : '', text: String(c)}))))));
  }

  // ---------------------------------------------------------------- controls

  function wire() {
    const slider = $('smoothing');
    const show = () => { $('smoothing-value').textContent = Number(slider.value).toFixed(3); };
    slider.addEventListener('input', () => {
      state.smoothing = Number(slider.value);
      show();
      renderScalars(false);
    });
    state.smoothing = Number(slider.value);
    show();
    document.querySelectorAll('input[name=xaxis]').forEach((r) => r.addEventListener('change', () => {
      state.xAxis = r.value;
      renderScalars(true);
    }));
    $('logscale').addEventListener('change', (e) => {
      state.log = e.target.checked;
      renderScalars(true);
    });
    $('tagfilter').addEventListener('input', (e) => {
      try {
        state.filter = e.target.value ? new RegExp(e.target.value, 'i') : null;
        e.target.setCustomValidity('');
      } catch (err) {
        e.target.setCustomValidity('Not a regular expression: ' + err.message);
        return;
      }
      renderAll(true);
    });
    $('reload').addEventListener('click', () => refresh(true));
    $('details-close').addEventListener('click', () => {
      $('details').hidden = true;
      state.detailsRun = null;
      resize();
    });
    window.addEventListener('resize', resize);
    const tick = () => {
      if ($('autoreload').checked) refresh(false);
      setTimeout(tick, state.reloadMs);
    };
    refresh(true).then(() => setTimeout(tick, state.reloadMs));
  }

  function resize() {
    for (const c of [...Object.values(charts), ...Object.values(distCharts)]) {
      if (c.uplot) c.uplot.setSize({width: chartWidth(c.card), height: CHART_HEIGHT});
    }
  }

  /** What a scalar chart plots: x and every series' y, as uPlot holds them. */
  function plotted(tag) {
    const c = charts[tag];
    if (!c || !c.uplot) return null;
    const u = c.uplot;
    return {
      x: Array.from(u.data[0]),
      series: u.series.slice(1).map((s, i) => ({label: s.label, y: Array.from(u.data[i + 1])})),
    };
  }

  window.e4jBoard = {state, charts, distCharts, smooth, plotted, refresh};
  wire();
})();
