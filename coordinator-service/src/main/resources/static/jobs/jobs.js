// The jobs page: reads the coordinator's token-checked API with a viewer token the person enters (kept in this
// tab's sessionStorage) and follows a job's server-sent events with fetch, since EventSource cannot send an
// Authorization header. Every value is written with textContent: nothing from the API becomes markup.
(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const TOKEN_KEY = 'fedex.token';
  let registryUrl = '';
  let stream = null;
  let refreshTimer = null;
  let listTimer = null;

  const token = () => sessionStorage.getItem(TOKEN_KEY);

  function showError(message) {
    $('error').textContent = message;
    $('error').hidden = !message;
  }

  async function api(path) {
    const res = await fetch(path, { headers: { Authorization: 'Bearer ' + token(), Accept: 'application/json' } });
    if (res.status === 401 || res.status === 403) {
      sessionStorage.removeItem(TOKEN_KEY);
      throw new Error(res.status === 401 ? 'The coordinator did not accept this token (401).'
        : 'This token may not read jobs (403): it needs the viewer or submitter role.');
    }
    if (!res.ok) {
      let detail = res.statusText;
      try { detail = (await res.json()).detail || detail; } catch (e) { /* not a problem detail */ }
      throw new Error(res.status + ': ' + detail);
    }
    return res.json();
  }

  function cell(row, text, cls) {
    const td = document.createElement('td');
    if (cls) td.className = cls;
    if (text instanceof Node) td.appendChild(text); else td.textContent = text == null ? '—' : String(text);
    row.appendChild(td);
    return td;
  }

  function num(v, digits) {
    if (v == null) return '—';
    if (Math.abs(v) > 0 && Math.abs(v) < 1e-3) return v.toExponential(3);
    return Number(v.toFixed(digits || 4)).toString();
  }

  function link(href, text) {
    const a = document.createElement('a');
    a.href = href;
    a.textContent = text;
    return a;
  }

  function versionLink(model, version) {
    if (version == null) return '—';
    return link(registryUrl + '/models/' + encodeURIComponent(model) + '/versions/' + version, 'version ' + version);
  }

  function state(text) {
    const s = document.createElement('span');
    s.className = 'state ' + text;
    s.textContent = text;
    return s;
  }

  // ---- the list of jobs ----
  async function showList() {
    $('job-view').hidden = true;
    const filter = $('state-filter').value;
    const jobs = await api('/api/v1/jobs' + (filter ? '?state=' + encodeURIComponent(filter) : ''));
    const body = $('jobs').querySelector('tbody');
    body.replaceChildren();
    for (const j of jobs) {
      const tr = document.createElement('tr');
      tr.dataset.job = j.id;
      cell(tr, link('#' + j.id, j.id.substring(0, 8)), 'job-link');
      cell(tr, state(j.state), 'state-cell');
      cell(tr, j.method);
      cell(tr, j.baseModel.name + ' v' + j.baseModel.version);
      cell(tr, j.dataset);
      cell(tr, j.currentRound + ' / ' + j.rounds, 'round');
      cell(tr, versionLink(j.baseModel.name, j.modelVersion));
      cell(tr, j.createdAt);
      body.appendChild(tr);
    }
    $('no-jobs').hidden = jobs.length > 0;
    $('list-view').hidden = false;
  }

  // ---- one job ----
  async function showJob(id) {
    $('list-view').hidden = true;
    const [job, rounds, tasks] = await Promise.all([api('/api/v1/jobs/' + id), api('/api/v1/jobs/' + id + '/rounds'),
      api('/api/v1/jobs/' + id + '/tasks')]);
    $('job-id').textContent = job.id;
    $('job-title').textContent = 'Job ' + job.id.substring(0, 8);
    $('job-state').replaceChildren(document.createTextNode(job.state));
    $('job-state').className = 'state ' + job.state;
    $('job-method').textContent = job.method;
    $('job-base').textContent = job.baseModel.name + ' version ' + job.baseModel.version;
    $('job-dataset').textContent = job.dataset;
    $('job-rounds').textContent = job.currentRound + ' of ' + job.rounds;
    const latest = versionLink(job.baseModel.name, job.modelVersion);
    $('job-version').replaceChildren(typeof latest === 'string' ? document.createTextNode(latest) : latest);
    $('job-failure').textContent = job.failureReason || '—';

    const byRound = new Map();
    for (const t of tasks) {
      if (!byRound.has(t.roundId)) byRound.set(t.roundId, []);
      byRound.get(t.roundId).push(t);
    }
    const roundNumber = new Map(rounds.map((r) => [r.id, r.number]));
    const rbody = $('rounds').querySelector('tbody');
    rbody.replaceChildren();
    for (const r of rounds) {
      const tr = document.createElement('tr');
      tr.dataset.round = r.number;
      tr.dataset.attempt = r.attempt;
      const own = byRound.get(r.id) || [];
      const done = own.filter((t) => t.state === 'DONE').length;
      cell(tr, r.number);
      cell(tr, r.attempt);
      cell(tr, state(r.state), 'round-state');
      const bar = document.createElement('progress');
      bar.max = Math.max(own.length, 1);
      bar.value = done;
      const progress = document.createElement('span');
      const label = document.createElement('span');
      label.className = 'done';
      label.textContent = ' ' + done + '/' + own.length;
      progress.append(bar, label);
      cell(tr, progress, 'progress');
      cell(tr, num(r.meanLoss), 'loss');
      cell(tr, num(r.meanAccuracy), 'accuracy');
      cell(tr, num(r.exactnessError), 'exactness');
      cell(tr, num(r.deviation), 'deviation');
      cell(tr, versionLink(job.baseModel.name, r.modelVersion), 'version');
      cell(tr, r.failureReason, 'failure');
      rbody.appendChild(tr);
    }
    const tbody = $('tasks').querySelector('tbody');
    tbody.replaceChildren();
    for (const t of tasks) {
      const tr = document.createElement('tr');
      tr.dataset.client = t.clientId;
      tr.dataset.round = roundNumber.get(t.roundId);
      cell(tr, roundNumber.get(t.roundId));
      cell(tr, t.clientId);
      cell(tr, state(t.state), 'task-state');
      cell(tr, t.attempts);
      cell(tr, t.examples);
      cell(tr, num(t.metrics && t.metrics.loss));
      cell(tr, num(t.metrics && t.metrics.accuracy));
      cell(tr, t.failureReason, 'failure');
      tbody.appendChild(tr);
    }
    $('job-view').hidden = false;
    return job;
  }

  // Follows the job's events; each event schedules one refresh of the page's tables. Reconnects after a drop
  // with Last-Event-ID, as the CLI does; stops when the job ends or another page is shown.
  // Every TaskFailed event of the job's history (the stream replays it first), newest last: a task's own row
  // only keeps its latest state, the failures list keeps why each attempt failed.
  function addFailure(id, data) {
    const tr = document.createElement('tr');
    tr.dataset.event = id;
    cell(tr, id);
    cell(tr, data.round);
    cell(tr, data.clientId);
    cell(tr, data.reason, 'failure');
    cell(tr, data.reoffered ? 'yes' : 'no');
    $('failures').querySelector('tbody').appendChild(tr);
    $('no-failures').hidden = true;
  }

  async function follow(id, live) {
    const controller = new AbortController();
    stream = controller;
    let lastId = 0;
    $('failures').querySelector('tbody').replaceChildren();
    $('no-failures').hidden = false;
    $('live').hidden = !live;
    while (stream === controller) {
      try {
        const headers = { Authorization: 'Bearer ' + token(), Accept: 'text/event-stream' };
        if (lastId > 0) headers['Last-Event-ID'] = String(lastId);
        const res = await fetch('/api/v1/jobs/' + id + '/events', { headers, signal: controller.signal });
        if (!res.ok) throw new Error('event stream answered ' + res.status);
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        let ended = false;
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let cut;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.substring(0, cut);
            buffer = buffer.substring(cut + 2);
            let type = null;
            let eventId = 0;
            let data = '';
            for (const line of block.split('\n')) {
              if (line.startsWith('id:')) eventId = Number(line.substring(3).trim());
              if (line.startsWith('event:')) type = line.substring(6).trim();
              if (line.startsWith('data:')) data += line.substring(5).trim();
            }
            if (type && eventId > lastId) {
              lastId = eventId;
              if (type === 'TaskFailed') {
                try { addFailure(eventId, JSON.parse(data).data || {}); } catch (e) { /* not JSON: skip */ }
              }
              scheduleRefresh(id);
              if (type === 'JobSucceeded' || type === 'JobFailed' || type === 'JobCancelled') ended = true;
            }
          }
        }
        if (ended) break;
      } catch (e) {
        if (controller.signal.aborted) return;
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
    if (stream === controller) {
      stream = null;
      $('live').hidden = true;
    }
  }

  function scheduleRefresh(id) {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => showJob(id).catch((e) => showError(e.message)), 150);
  }

  function stopFollowing() {
    if (stream) stream.abort();
    stream = null;
    $('live').hidden = true;
    clearInterval(listTimer);
  }

  function askForToken() {
    $('token-form').hidden = false;
    $('list-view').hidden = true;
    $('job-view').hidden = true;
    $('sign-out').hidden = true;
  }

  async function route() {
    stopFollowing();
    showError('');
    if (!token()) {
      askForToken();
      return;
    }
    $('token-form').hidden = true;
    $('sign-out').hidden = false;
    const id = location.hash.substring(1);
    try {
      if (/^[0-9a-f-]{36}$/.test(id)) {
        const job = await showJob(id);
        follow(id, job.state === 'RUNNING');
      } else {
        await showList();
        listTimer = setInterval(() => showList().catch((e) => showError(e.message)), 5000);
      }
    } catch (e) {
      showError(e.message);
      if (!token()) askForToken();
    }
  }

  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
    $('token').value = '';
    route();
  });
  $('sign-out').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    route();
  });
  $('state-filter').addEventListener('change', () => showList().catch((e) => showError(e.message)));
  window.addEventListener('hashchange', route);

  fetch('/jobs/settings.json').then((r) => r.json()).then((s) => {
    registryUrl = s.registryUrl;
    $('registry-link').href = registryUrl + '/models';
  }).finally(route);
})();
