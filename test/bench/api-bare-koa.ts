// The baseline for `npm run bench:api`: a bare Koa handler, no auth, no database, no logging.
import Koa from 'koa';

const app = new Koa();
app.use((ctx) => {
  ctx.body = { items: [], nextCursor: null };
});
const server = app.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(JSON.stringify({ msg: 'listening', port: typeof addr === 'object' && addr ? addr.port : 0 }) + '\n');
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
