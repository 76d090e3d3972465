// Drives simnode with the npm bitcoin-core client; prints one JSON line of what it saw.
const Client = require('bitcoin-core');

const [port, username, password] = process.argv.slice(2);
const client = new Client({ host: '127.0.0.1', port: Number(port), username, password });

(async () => {
  const peers = await client.getPeerInfo();
  const count = await client.getConnectionCount();
  const [info, banned] = await client.command([{ method: 'getnetworkinfo' }, { method: 'listbanned' }]);
  let error = null;
  try {
    await client.command('disconnectnode', '', 999);
  } catch (e) {
    error = { code: e.code, message: e.message };
  }
  await client.command('setban', '192.0.2.0/24', 'add', 60);
  const afterBan = await client.listBanned();
  console.log(JSON.stringify({
    peers: peers.length, firstKeys: Object.keys(peers[0]).slice(0, 4), count,
    subversion: info.subversion, relayfee: info.relayfee, banned: banned.length, error,
    afterBan: afterBan.map((b) => b.address),
  }));
})().catch((e) => { console.error(e); process.exit(1); });
