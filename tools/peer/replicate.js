// The peer gridsync-bench measures beside gridsync (docs/PERFORMANCE.md):
// the same records a laptop pushes, as JSON documents of the same fields,
// replicated by PouchDB from a local database to a PouchDB server
// (express-pouchdb, on 127.0.0.1 only), on disk (LevelDB) on both sides.
//
//   node replicate.js --docs FILE.jsonl --work DIR [--repeats N] [--batch-size N]
//
// FILE.jsonl: one document per line. Each repeat loads the documents into a
// new local database (not timed), starts with an empty server database, and
// times one replication of all of them; it then checks the server holds
// every document. Prints one JSON object on stdout:
//   {"docs":N,"bytes":B,"batch_size":S,"runs":[{"seconds":s,"docs_per_s":r},...],
//    "node":"v20...","pouchdb":"9.0.0"}
// Exit 1 with a message on stderr if anything fails or a document is missing.
'use strict';
const fs = require('fs');
const path = require('path');
const readline = require('readline');

function args() {
  const a = { repeats: 1, batchSize: 500 };
  const v = process.argv.slice(2);
  for (let i = 0; i < v.length; i++) {
    if (v[i] === '--docs') a.docs = v[++i];
    else if (v[i] === '--work') a.work = v[++i];
    else if (v[i] === '--repeats') a.repeats = Math.max(1, parseInt(v[++i], 10));
    else if (v[i] === '--batch-size') a.batchSize = Math.max(1, parseInt(v[++i], 10));
    else throw new Error('usage: node replicate.js --docs FILE --work DIR [--repeats N] [--batch-size N]');
  }
  if (!a.docs || !a.work) throw new Error('--docs and --work are required');
  return a;
}

async function readDocs(file) {
  const docs = [];
  let bytes = 0;
  const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line) continue;
    bytes += Buffer.byteLength(line);
    docs.push(JSON.parse(line));
  }
  return { docs, bytes };
}

function listen(app) {
  return new Promise((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
    server.on('error', reject);
  });
}

async function main() {
  const a = args();
  const PouchDB = require('pouchdb-node');
  const { docs, bytes } = await readDocs(a.docs);
  if (docs.length === 0) throw new Error('no documents in ' + a.docs);
  const runs = [];
  for (let r = 0; r < a.repeats; r++) {
    const dir = path.join(a.work, 'run' + r);
    fs.mkdirSync(path.join(dir, 'server'), { recursive: true });
    const ServerDB = PouchDB.defaults({ prefix: path.join(dir, 'server') + path.sep });
    const app = require('express-pouchdb')(ServerDB, {
      mode: 'minimumForPouchDB',
      inMemoryConfig: true,
      logPath: path.join(dir, 'server.log'),
    });
    const server = await listen(app);
    const url = 'http://127.0.0.1:' + server.address().port + '/peer';
    const local = new PouchDB(path.join(dir, 'local'));
    for (let i = 0; i < docs.length; i += 1000)
      await local.bulkDocs(docs.slice(i, i + 1000).map((d) => Object.assign({}, d)));
    const t0 = process.hrtime.bigint();
    const result = await local.replicate.to(url, { batch_size: a.batchSize });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const remote = new PouchDB(url);
    const info = await remote.info();
    if (!result.ok || result.docs_written !== docs.length || info.doc_count !== docs.length)
      throw new Error('replication wrote ' + result.docs_written + ' of ' + docs.length +
                      ' documents; the server holds ' + info.doc_count);
    const sample = docs[Math.floor(docs.length / 2)];
    const got = await remote.get(sample._id);
    for (const k of Object.keys(sample)) {
      if (JSON.stringify(got[k]) !== JSON.stringify(sample[k]))
        throw new Error('document ' + sample._id + ' differs at the server in ' + k);
    }
    runs.push({ seconds, docs_per_s: docs.length / seconds });
    await remote.close();
    await local.close();
    await new Promise((resolve) => server.close(resolve));
  }
  const pouchdb = require('pouchdb-node/package.json').version;
  process.stdout.write(JSON.stringify({ docs: docs.length, bytes, batch_size: a.batchSize, runs,
                                        node: process.version, pouchdb }) + '\n');
}

main().then(() => process.exit(0), (e) => {
  process.stderr.write('peer: ' + (e && e.stack ? e.stack : e) + '\n');
  process.exit(1);
});
