// A stand-in for the GitHub CLI on a developer's machine, as far as install.sh uses it:
// `gh auth status --hostname H` and `gh release download TAG -R HOST/OWNER/REPO -p NAME -O FILE`,
// served by the local GitHub stand-in. Like gh, it keeps its own token (GH_STAND_IN_TOKEN, not
// the caller's environment) and it logs each call (GH_STAND_IN_LOG) so a test can see what ran.
import { appendFileSync, writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
const env = process.env;
appendFileSync(env.GH_STAND_IN_LOG, `${JSON.stringify(args)}\n`);

function fail(message, code = 1) {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

function option(name) {
  const index = args.indexOf(name);
  return index === -1 ? undefined : args[index + 1];
}

if (args[0] === 'auth' && args[1] === 'status') {
  if (env.GH_STAND_IN_LOGGED_IN !== '1') fail('You are not logged into any GitHub hosts. To log in, run: gh auth login');
  if (option('--hostname') !== env.GH_STAND_IN_HOST) fail(`You are not logged into ${option('--hostname')}`);
  process.stdout.write(`${env.GH_STAND_IN_HOST}\n  ✓ Logged in to ${env.GH_STAND_IN_HOST}\n`);
  process.exit(0);
}

if (args[0] === 'release' && args[1] === 'download') {
  const tag = args[2];
  const repo = option('-R');
  const pattern = option('-p');
  const out = option('-O');
  const [host, owner, name] = (repo ?? '').split('/');
  if (host !== env.GH_STAND_IN_HOST || owner === undefined || name === undefined) fail(`could not resolve to a Repository with the name '${repo}'`);
  if (pattern === undefined || /[*?[]/.test(pattern) || out === undefined) fail('this stand-in supports -p <exact name> -O <file> only', 2);
  const headers = { authorization: `Bearer ${env.GH_STAND_IN_TOKEN}` };
  let release;
  try {
    const answer = await fetch(`${env.GH_STAND_IN_API}/repos/${owner}/${name}/releases/tags/${encodeURIComponent(tag)}`, { headers });
    if (answer.status === 404) fail('release not found');
    if (!answer.ok) fail(`HTTP ${answer.status}`);
    release = await answer.json();
  } catch (error) {
    fail(`error connecting to ${env.GH_STAND_IN_HOST}: ${error.cause?.code ?? error.message}`);
  }
  const asset = release.assets.find((item) => item.name === pattern);
  if (asset === undefined) fail('no assets match the file pattern');
  const data = await fetch(asset.url, { headers: { ...headers, accept: 'application/octet-stream' } });
  if (!data.ok) fail(`HTTP ${data.status}`);
  writeFileSync(out, Buffer.from(await data.arrayBuffer()));
  process.exit(0);
}

fail(`unknown command "${args.join(' ')}" for the gh stand-in`, 2);
