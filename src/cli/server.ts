import { parseFlags } from './args.ts';
import { defaultDatastore, openStore } from '../storage/index.ts';

const usage = `Usage: berth server [--data-dir DIR] [--datastore URL]

  --data-dir DIR     where Berth keeps its state (default /var/lib/berth)
  --datastore URL    sqlite:///path/state.db (default, under the data dir) or etcd://host:port[,host:port]
`;

/** runServer is `berth server`: it opens the datastore and serves until SIGTERM or SIGINT. */
export async function runServer(args: string[]): Promise<void> {
  const { values } = parseFlags(args, {
    'data-dir': { type: 'string', default: '/var/lib/berth' },
    datastore: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  const dataDir = values['data-dir'];
  const url = values.datastore ?? defaultDatastore(dataDir);
  const store = openStore(url);
  const rev = await store.currentRevision();
  process.stdout.write(`berth server: datastore ${url} open at revision ${rev}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await store.close();
  process.stdout.write('berth server: stopped\n');
}
