// Drives simnode's admin API with nothing but fetch (no client library): arms a fault, sees the
// next RPC fail, reads the call journal. Prints one JSON line of what it saw.
const [port, username, password] = process.argv.slice(2);
const base = `http://127.0.0.1:${port}`;
const headers = {
  Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
  'Content-Type': 'application/json',
};

async function admin(method, path, body) {
  const response = await fetch(base + path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

async function rpc(method, params = []) {
  const response = await fetch(`${base}/`, {
    method: 'POST', headers, body: JSON.stringify({ jsonrpc: '1.0', id: method, method, params }),
  });
  return { status: response.status, text: await response.text() };
}

(async () => {
  const armed = await admin('POST', '/simnode/faults', { name: 'http_500', method: 'getpeerinfo' });
  const refused = await admin('POST', '/simnode/faults', { name: 'http_500', tims: 2 });
  const failed = await rpc('getpeerinfo');
  const worked = await rpc('getpeerinfo');
  const other = await rpc('getconnectioncount');
  const journal = await admin('GET', '/simnode/journal?method=getpeerinfo');
  const faults = await admin('GET', '/simnode/faults');
  console.log(JSON.stringify({
    armed: [armed.status, armed.body.name, armed.body.method, armed.body.times],
    refused: [refused.status, refused.body.error],
    failed: [failed.status, failed.text],
    worked: [worked.status, JSON.parse(worked.text).result.length],
    other: JSON.parse(other.text).result,
    journal: journal.body.calls.map((c) => [c.method, c.status, c.fault]),
    left: faults.body.faults.length,
  }));
})().catch((e) => { console.error(e); process.exit(1); });
