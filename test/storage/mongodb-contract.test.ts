import t from 'tap';
import { randomUUID } from 'node:crypto';
import { MongoStore } from '../../src/storage/mongodb/mongo-store.js';
import { runStoreContract } from './contract.js';

// The same contract suite as the embedded store, against a real MongoDB. No MongoDB server exists
// on the development machines, so without MONGODB_URL this is a counted, listed skip.
const url = process.env.MONGODB_URL;
const skip = url ? false : 'MONGODB_URL is not set: no MongoDB server to run the storage contract against';
const dbName = () => `${process.env.MONGODB_DB ?? 'fhir'}_test_${randomUUID().slice(0, 8)}`;

t.test('mongodb store: storage contract', { skip }, async (t) => {
  runStoreContract(t, {
    async open() {
      const s = new MongoStore(url!, dbName());
      await s.init();
      return s;
    },
    async cleanup(s) {
      await (s as MongoStore).dropDatabase();
    },
  });
});

t.test('mongodb store: indexes are created idempotently', { skip }, async (t) => {
  const name = dbName();
  const s1 = new MongoStore(url!, name, { searchIndexFields: ['x.code'] });
  await s1.init();
  const s2 = new MongoStore(url!, name, { searchIndexFields: ['x.code'] });
  await s2.init(); // a second start-up over the same database must not fail
  t.ok(await s2.ping());
  await s2.close();
  await s1.dropDatabase();
  await s1.close();
});

t.test('mongodb store: start-up drops the search indexes of ours that the code no longer defines', { skip }, async (t) => {
  const name = dbName();
  const old = new MongoStore(url!, name, { searchIndexFields: ['x.code', ['x.genomic-region.a', 'x.genomic-region.s']] });
  await old.init();
  const s = new MongoStore(url!, name, { searchIndexFields: ['x.code', ['x.genomic-region.a', 'x.genomic-region.b', 'x.genomic-region.s']] });
  await s.init();
  t.same(s.droppedIndexes, ['resources.t_x.genomic-region.a_x.genomic-region.s'], 'the pre-bins region index');
  const wider = new MongoStore(url!, name, { searchIndexFields: ['x.code', ['x.genomic-region.a', 'x.genomic-region.b', 'x.genomic-region.s'], { anyOf: ['x.author', 'x.actor'] }] });
  await wider.init();
  const narrower = new MongoStore(url!, name, { searchIndexFields: ['x.code', ['x.genomic-region.a', 'x.genomic-region.b', 'x.genomic-region.s'], { anyOf: ['x.author'] }] });
  await narrower.init();
  t.same(narrower.droppedIndexes, ['resources.x_wildcard'], 'a wildcard index whose fields changed is built anew');
  await wider.close();
  await narrower.close();
  const cli = new MongoStore(url!, name); // as the CLIs open it: no search index fields
  await cli.init();
  t.same(cli.droppedIndexes, [], 'a store that does not know the search indexes drops none');
  await cli.close();
  await old.close();
  await s.dropDatabase();
  await s.close();
});
