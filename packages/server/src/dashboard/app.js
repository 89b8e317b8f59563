// IA-AGENTS dashboard: plain browser JavaScript, no build step. Reads the REST API and follows the
// account's event stream over /ws.
(() => {
  const state = { token: null, chart: null, series: null, lastEquityTime: 0, decisions: new Map() };
  const $ = (selector) => document.querySelector(selector);
  const text = (value) => String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  const number = (value, digits = 2) => (typeof value === 'number' ? value.toLocaleString('en-US', { maximumFractionDigits: digits }) : '');
  const time = (ms) => new Date(ms).toISOString().replace('T', ' ').slice(0, 16);

  async function api(path, options = {}) {
    const response = await fetch(`/api/v1${path}`, { ...options, headers: { authorization: `Bearer ${state.token}`, ...(options.body ? { 'content-type': 'application/json' } : {}) } });
    const body = response.status === 204 ? null : await response.json();
    if (!response.ok) throw new Error(body?.message ?? `HTTP ${response.status}`);
    return body;
  }

  function readToken() {
    const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
    if (fromHash) {
      localStorage.setItem('iaa-token', fromHash);
      history.replaceState(null, '', location.pathname);
    }
    return fromHash || localStorage.getItem('iaa-token');
  }

  function roundHtml(round) {
    const rows = round.opinions.map((opinion) => `<tr data-assistant="${text(opinion.assistantId)}"><td>${text(opinion.assistantId)}</td><td class="${opinion.abstain ? 'muted' : opinion.action}">${opinion.abstain ? 'no view' : opinion.action}</td><td>${opinion.abstain ? '' : number(opinion.confidence)}</td><td>${text(opinion.reasoning)}</td></tr>`).join('');
    const abstained = round.abstentions.map((item) => `<tr><td>${text(item.assistantId)}</td><td colspan="3" class="muted">abstained: ${text(item.reason)}</td></tr>`).join('');
    const tally = `BUY ${number(round.tally.BUY, 3)} · SELL ${number(round.tally.SELL, 3)} · HOLD ${number(round.tally.HOLD, 3)} → <span class="${round.leadingAction}">${round.leadingAction}</span> ${number(round.share * 100, 1)}%${round.reached ? ' (agreed)' : ''}`;
    return `<div class="round"><strong>Round ${round.round}</strong> (${round.phase}) <span class="vote">${tally}</span><table>${rows}${abstained}</table></div>`;
  }

  function decisionHtml(decision) {
    const flags = decision.escalated ? ' · escalated' : decision.veto ? ` · vetoed by ${text(decision.veto.assistantId)}` : '';
    return `<div class="decision${decision.escalated ? ' escalated' : ''}" data-decision="${text(decision.id)}">
      <div><span class="${decision.action}">${decision.action}</span> ${text(decision.symbol)} · confidence ${number(decision.confidence)} · ${time(decision.createdAt)}${flags}
      <span class="muted">· ${text(decision.id)}</span></div>
      ${decision.rounds.map(roundHtml).join('')}</div>`;
  }

  function showDecision(decision, atTop) {
    if (state.decisions.has(decision.id)) return;
    state.decisions.set(decision.id, decision);
    $('#decisions').insertAdjacentHTML(atTop ? 'afterbegin' : 'beforeend', decisionHtml(decision));
    const cards = $('#decisions').children;
    while (cards.length > 50) cards[cards.length - 1].remove();
  }

  async function loadEscalations() {
    const { escalations } = await api('/escalations?limit=20');
    $('#escalations').innerHTML = escalations.length === 0 ? '<li class="muted">none</li>' : escalations.map((item) => `<li data-escalation="${text(item.id)}">
      <span class="${item.proposedAction}">${item.proposedAction}</span> ${text(item.symbol)} · ${time(item.createdAt)}<br><span class="muted">${text(item.escalationReason)}</span><br>
      <button class="approve" data-id="${text(item.id)}">Approve</button> <button class="reject" data-id="${text(item.id)}">Reject</button></li>`).join('');
  }

  async function answer(id, approved) {
    try {
      const result = await api(`/escalations/${encodeURIComponent(id)}/${approved ? 'approve' : 'reject'}`, { method: 'POST', body: JSON.stringify({}) });
      $('#status').textContent = `${approved ? 'Approved' : 'Rejected'} ${id}${result.order ? ` · order ${result.order.clientOrderId} ${result.order.status}` : ''}${result.rejection ? ` · ${result.rejection}` : ''}`;
    } catch (error) {
      $('#status').textContent = `Could not answer ${id}: ${error.message}`;
    }
    await loadEscalations();
  }

  async function loadPositions() {
    const { positions } = await api('/positions');
    $('#positions tbody').innerHTML = positions.map((p) => `<tr><td>${text(p.symbol)}</td><td>${number(p.amount, 6)}</td><td>${number(p.averageEntryPrice)}</td><td>${number(p.markPrice)}</td><td>${number(p.unrealizedPnl)}</td></tr>`).join('') || '<tr><td colspan="5" class="muted">no open positions</td></tr>';
  }

  async function loadAssistants() {
    const { assistants, status } = await api('/assistants');
    $('#assistants tbody').innerHTML = assistants.map((a) => `<tr><td>${text(a.id)}</td><td>${number(a.weight)}</td><td>${number(a.reliability, 3)}</td><td>${a.outcomes}</td><td>${a.abstentions}</td></tr>`).join('');
    $('#status').textContent = `engine ${status}`;
  }

  function addEquity(timestamp, equity) {
    const seconds = Math.floor(timestamp / 1000);
    if (!state.series || seconds <= state.lastEquityTime) return;
    state.lastEquityTime = seconds;
    state.series.update({ time: seconds, value: equity });
    $('#equity-summary').textContent = `equity ${number(equity)} at ${time(timestamp)}`;
  }

  async function loadEquity() {
    const { points } = await api('/portfolio/history?limit=5000');
    if (window.LightweightCharts && !state.chart) {
      state.chart = LightweightCharts.createChart($('#equity-chart'), { height: 260, layout: { background: { color: '#18202a' }, textColor: '#e6e6e6' }, grid: { vertLines: { color: '#263240' }, horzLines: { color: '#263240' } }, timeScale: { timeVisible: true } });
      state.series = state.chart.addSeries(LightweightCharts.LineSeries, { color: '#3498db', lineWidth: 2 });
    }
    for (const point of points) addEquity(point.timestamp, point.equity);
  }

  function connect() {
    const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?token=${encodeURIComponent(state.token)}`);
    socket.onopen = () => { $('#connection').textContent = 'live'; $('#connection').className = 'badge on'; };
    socket.onclose = () => { $('#connection').textContent = 'offline'; $('#connection').className = 'badge off'; setTimeout(connect, 2000); };
    socket.onmessage = (message) => {
      const { type, payload } = JSON.parse(message.data);
      if (type === 'decision-make') {
        showDecision(payload.decision, true);
        if (payload.decision.escalated) void loadEscalations();
      }
      if (type === 'escalation-resolve') void loadEscalations();
      if (type === 'portfolio-update') addEquity(payload.portfolio.timestamp, payload.portfolio.equity);
      if (type === 'order-fill') void loadPositions();
      if (type === 'weights-update') void loadAssistants();
    };
  }

  async function start() {
    $('#login').hidden = true;
    try {
      const me = await api('/me');
      $('#status').textContent = `${me.user.username} (${me.role})`;
    } catch (error) {
      localStorage.removeItem('iaa-token');
      $('#login').hidden = false;
      $('#status').textContent = error.message;
      return;
    }
    const { decisions } = await api('/decisions?limit=20');
    decisions.forEach((decision) => showDecision(decision, false));
    await Promise.all([loadEscalations(), loadPositions(), loadAssistants(), loadEquity()]);
    connect();
  }

  document.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-id]');
    if (button) void answer(button.dataset.id, button.classList.contains('approve'));
  });
  $('#login').addEventListener('submit', (event) => {
    event.preventDefault();
    state.token = $('#token').value.trim();
    localStorage.setItem('iaa-token', state.token);
    void start();
  });
  state.token = readToken();
  if (state.token) void start();
  else $('#login').hidden = false;
})();
