// The live peers page: state from /simnode/stream (server-sent events; polling /simnode/state
// while the stream is unavailable), controls through the admin API. No build step, no library.
"use strict";

const $ = (selector) => document.querySelector(selector);
const history = [];  // [{t, peers, sent, recv}] for the chart
const expanded = new Set();  // peer ids whose per-message bytes are shown
let lastState = null;
let pollTimer = null;

function bytes(n) {
  if (n === undefined || n === null) return "–";
  const units = ["B", "kB", "MB", "GB"];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) { n /= 1000; i += 1; }
  return `${i ? n.toFixed(1) : n} ${units[i]}`;
}
const seconds = (s) => (s === undefined || s === null ? "–" : `${(s * 1000).toFixed(0)} ms`);
function duration(s) {
  s = Math.max(0, Math.floor(s));
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  return d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : `${m}m ${s % 60}s`;
}
const utc = (t) => new Date(t * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");

function say(text, isError) {
  const box = $("#message");
  box.textContent = text;
  box.className = isError ? "error" : "";
}

async function api(method, path, body) {
  const options = { method, headers: {} };
  if (body !== undefined) {
    options.body = JSON.stringify(body);
    options.headers["Content-Type"] = "application/json";
  }
  const response = await fetch(path, options);
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    say(answer.error || `${method} ${path}: HTTP ${response.status}`, true);
    throw new Error(answer.error);
  }
  return answer;
}
const post = (path, body) => api("POST", path, body).then((answer) => { refresh(); return answer; });

// ---------------------------------------------------------------- rendering
function direction(peer) {
  if (peer.connection_type) return peer.connection_type;
  const way = peer.inbound ? "inbound" : "outbound";
  return peer.addnode ? `${way} (addnode)` : way;
}

function peerCells(peer, now) {
  const pingwait = peer.pingwait !== undefined ? peer.pingwait
    : null;  // releases without pingwait show none
  return [
    ["id", peer.id, true], ["addr", peer.addr], ["direction", direction(peer)],
    ["subver", peer.subver], ["services", peer.services],
    ["pingtime", seconds(peer.pingtime), true], ["pingwait", pingwait === null ? "–" : `${pingwait.toFixed(1)} s`, true],
    ["banscore", peer.banscore === undefined ? "–" : peer.banscore, true],
    ["sync", `${peer.synced_headers ?? "–"} / ${peer.synced_blocks ?? "–"}`, true],
    ["bytessent", bytes(peer.bytessent), true], ["bytesrecv", bytes(peer.bytesrecv), true],
    ["conntime", duration(now - peer.conntime), true],
  ];
}

function renderPeerRow(row, peer, now) {
  const cells = peerCells(peer, now);
  if (!row.cells.length) {
    for (const [field, , numeric] of cells) {
      const td = row.insertCell();
      if (field === "services" || field === "subver") td.title = String(peer[field]);
      td.dataset.field = field;
      if (numeric) td.className = "num";
    }
    const actions = row.insertCell();
    actions.innerHTML = '<button type="button" data-action="disconnect">Disconnect</button> '
      + '<button type="button" class="danger" data-action="ban">Ban</button>';
  }
  cells.forEach(([, value], i) => {
    const text = String(value);
    if (row.cells[i].textContent !== text) row.cells[i].textContent = text;
  });
  row.title = peer.addr;
  row.classList.toggle("waiting", peer.pingwait !== undefined);
}

function renderDetail(peer) {
  const row = document.createElement("tr");
  row.className = "detail";
  row.dataset.detailFor = peer.id;
  const cell = row.insertCell();
  cell.colSpan = 13;
  const list = (title, map) => `<dt>${title}</dt>` + Object.entries(map || {})
    .map(([type, n]) => `<dd>${type}: ${bytes(n)}</dd>`).join("");
  cell.innerHTML = `<dl>${list("Sent per message", peer.bytessent_per_msg)}</dl>`
    + `<dl>${list("Received per message", peer.bytesrecv_per_msg)}</dl>`;
  return row;
}

function renderPeers(state) {
  const body = $("#peers tbody");
  const seen = new Set();
  let previous = null;
  for (const peer of state.peers) {
    seen.add(String(peer.id));
    let row = body.querySelector(`tr.peer[data-peer-id="${peer.id}"]`);
    if (!row) {
      row = document.createElement("tr");
      row.className = "peer";
      row.dataset.peerId = peer.id;
    }
    renderPeerRow(row, peer, state.now);
    const anchor = previous ? previous.nextSibling : body.firstChild;
    if (row !== anchor) body.insertBefore(row, anchor);
    previous = row;
    const old = body.querySelector(`tr.detail[data-detail-for="${peer.id}"]`);
    if (old) old.remove();
    if (expanded.has(String(peer.id))) {
      const detail = renderDetail(peer);
      body.insertBefore(detail, row.nextSibling);
      previous = detail;
    }
  }
  for (const row of [...body.rows]) {
    const id = row.dataset.peerId || row.dataset.detailFor;
    if (!seen.has(id)) row.remove();
  }
}

function renderBanned(state) {
  const body = $("#banned tbody");
  body.replaceChildren(...state.banned.map((ban) => {
    const row = document.createElement("tr");
    row.dataset.address = ban.address;
    for (const text of [ban.address, utc(ban.banned_until), ban.ban_reason ?? ""]) {
      row.insertCell().textContent = text;
    }
    return row;
  }));
}

function renderScenario(scenario) {
  $("#scenario-name").textContent = scenario ? scenario.name : "none";
  for (const id of ["pause", "resume", "step", "set-speed"]) $(`#${id}`).disabled = !scenario;
  if (!scenario) {
    $("#scenario-position").textContent = "No scenario loaded: the node runs its default peers.";
    $("#next-events").replaceChildren();
    return;
  }
  if (document.activeElement !== $("#speed")) $("#speed").value = scenario.speed;
  const state = scenario.ended ? "ended" : scenario.paused ? "paused" : `playing at ${scenario.speed}x`;
  $("#scenario-position").textContent = `${duration(scenario.offset)} of ${duration(scenario.end)}, `
    + `step ${scenario.steps_done} of ${scenario.steps}, ${state}${scenario.loop ? ", looping" : ""}`;
  $("#next-events").replaceChildren(...scenario.next.map((step) => {
    const item = document.createElement("li");
    item.textContent = `${step.at_text}: ${step.action}`;
    item.title = step.where;
    return item;
  }));
}

function renderFaults(state) {
  $("#faults").replaceChildren(...state.faults.map((fault) => {
    const item = document.createElement("li");
    item.textContent = fault.description;
    return item;
  }));
}

function drawChart() {
  const canvas = $("#chart");
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (history.length < 2) return;
  const rates = history.slice(1).map((h, i) => {
    const dt = Math.max(h.t - history[i].t, 1e-6);
    return Math.max(0, (h.sent + h.recv - history[i].sent - history[i].recv) / dt);
  });
  const line = (values, color) => {
    const top = Math.max(...values, 1);
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    values.forEach((v, i) => {
      const x = (i / Math.max(values.length - 1, 1)) * (canvas.width - 4) + 2;
      const y = canvas.height - 4 - (v / top) * (canvas.height - 8);
      if (i) ctx.lineTo(x, y); else ctx.moveTo(x, y);
    });
    ctx.stroke();
  };
  line(history.map((h) => h.peers), "#2f6feb");
  line(rates, "#e08a1e");
}

function render(state) {
  lastState = state;
  $("#profile").textContent = state.profile + (state.warmup ? ` (warming up: ${state.warmup})` : "");
  $("#clock").textContent = utc(state.now);
  $("#clock").dataset.now = state.now;
  $("#peer-count").textContent = state.peers.length;
  $("#totals").textContent = `${bytes(state.totals.totalbytessent)} / ${bytes(state.totals.totalbytesrecv)}`;
  $("#height").textContent = state.chain.height;
  $("#mempool").textContent = `${state.mempool.size} tx, ${bytes(state.mempool.bytes)}`;
  renderPeers(state);
  renderBanned(state);
  renderScenario(state.scenario);
  renderFaults(state);
  const last = history[history.length - 1];
  if (!last || state.now !== last.t) {
    history.push({ t: state.now, peers: state.peers.length,
                   sent: state.totals.totalbytessent, recv: state.totals.totalbytesrecv });
    if (history.length > 240) history.shift();
  }
  drawChart();
}

// ---------------------------------------------------------------- updates
function refresh() {
  return api("GET", "/simnode/state").then(render).catch(() => {});
}

function startPolling() {
  if (pollTimer === null) pollTimer = setInterval(refresh, 1000);
}
function stopPolling() {
  if (pollTimer !== null) { clearInterval(pollTimer); pollTimer = null; }
}

function subscribe() {
  const source = new EventSource("/simnode/stream");
  source.addEventListener("state", (event) => {
    stopPolling();
    $("#link").textContent = "live (server-sent events)";
    render(JSON.parse(event.data));
  });
  source.addEventListener("busy", () => {  // too many pages open: poll, try again later
    source.close();
    $("#link").textContent = "polling (stream busy)";
    startPolling();
    setTimeout(subscribe, 15000);
  });
  source.onerror = () => {  // the stream ended (it does, every few seconds) or the node is gone
    if (source.readyState === EventSource.CLOSED) {
      $("#link").textContent = "polling";
      startPolling();
      setTimeout(subscribe, 5000);
    }
  };
}

// ---------------------------------------------------------------- controls
function wire() {
  $("#pause").onclick = () => post("/simnode/scenario/pause");
  $("#resume").onclick = () => post("/simnode/scenario/resume");
  $("#step").onclick = () => post("/simnode/scenario/step");
  $("#set-speed").onclick = () => post("/simnode/scenario/speed", { speed: Number($("#speed").value) });
  $("#load").onclick = () => post("/simnode/scenario/load", { name: $("#library").value })
    .then((s) => say(`loaded ${s.name}`));
  $("#arm").onclick = () => {
    const body = { name: $("#fault-name").value, times: Number($("#fault-times").value) };
    if ($("#fault-method").value.trim()) body.method = $("#fault-method").value.trim();
    post("/simnode/faults", body).then((f) => say(`armed: ${f.description}`));
  };
  $("#clear-faults").onclick = () => post("/simnode/faults/clear").then(() => say("faults cleared"));
  $("#peers tbody").addEventListener("click", (event) => {
    const row = event.target.closest("tr.peer");
    if (!row) return;
    const id = Number(row.dataset.peerId);
    const action = event.target.dataset.action;
    if (action === "disconnect") {
      post("/simnode/peers/disconnect", { id }).then(() => say(`peer ${id} disconnected`));
    } else if (action === "ban") {
      post("/simnode/peers/ban", { id }).then(() => say(`peer ${id} banned`));
    } else {
      const key = String(id);
      if (expanded.has(key)) expanded.delete(key); else expanded.add(key);
      if (lastState) renderPeers(lastState);
    }
  });
}

async function init() {
  wire();
  const [faults, library] = await Promise.all([api("GET", "/simnode/faults"),
                                               api("GET", "/simnode/scenarios")]);
  $("#fault-name").replaceChildren(...faults.names.map((name) => new Option(name, name)));
  $("#library").replaceChildren(...library.scenarios.map((s) => {
    const option = new Option(s.name, s.name);
    option.title = s.description;
    return option;
  }));
  await refresh();
  subscribe();
}

init();
